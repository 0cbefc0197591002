//! The site navigation.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub route: Route,
}

#[component]
pub fn Nav(props: &Props) -> Html {
    let lang = props.lang;
    let links = Route::ALL.map(|route| (route, route.nav_key(), format!("nav-{}", route.name())));
    html! {
        <nav class="site-nav" aria-label={t(lang, "nav.label")}>
            <ul>
                { for links.into_iter().map(|(route, key, id)| {
                    let current = route == props.route;
                    html! {
                        <li>
                            <a
                                {id}
                                href={route.href()}
                                class={classes!("nav-link", current.then_some("current"))}
                                aria-current={current.then_some("page")}
                            >
                                {t(lang, &key)}
                            </a>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
