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
    let links = Route::ALL.map(|route| match route {
        Route::Home => (route, "nav.home", "nav-home"),
        Route::Playground => (route, "nav.playground", "nav-playground"),
        Route::Activations => (route, "nav.activations", "nav-activations"),
        Route::Losses => (route, "nav.losses", "nav-losses"),
        Route::Cnn => (route, "nav.cnn", "nav-cnn"),
        Route::About => (route, "nav.about", "nav-about"),
    });
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
                                {t(lang, key)}
                            </a>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
