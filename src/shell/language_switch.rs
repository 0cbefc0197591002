//! Two buttons to switch the page between English and Chinese.

use yew::prelude::*;

use crate::i18n::{Lang, t};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub on_change: Callback<Lang>,
}

#[component]
pub fn LanguageSwitch(props: &Props) -> Html {
    html! {
        <div class="lang-switch" role="group" aria-label={t(props.lang, "lang.label")}>
            { for Lang::ALL.into_iter().map(|lang| {
                let on_change = props.on_change.clone();
                let pressed = lang == props.lang;
                let (label, name) = match lang {
                    Lang::En => ("EN", "English"),
                    Lang::Zh => ("中文", "中文（简体）"),
                };
                html! {
                    <button
                        type="button"
                        id={format!("lang-{}", lang.code())}
                        class={classes!("lang-button", pressed.then_some("active"))}
                        lang={lang.html_lang()}
                        title={name}
                        aria-pressed={if pressed { "true" } else { "false" }}
                        onclick={Callback::from(move |_| on_change.emit(lang))}
                    >
                        {label}
                    </button>
                }
            }) }
        </div>
    }
}
