//! A dismissable banner for worker crashes and failures.

use yew::prelude::*;

use crate::format::size;
use crate::i18n::{Lang, t, tf};
use crate::state::Banner;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub banner: Option<Banner>,
    pub on_dismiss: Callback<()>,
}

#[component]
pub fn ErrorBanner(props: &Props) -> Html {
    let lang = props.lang;
    let Some(banner) = &props.banner else {
        return html! {};
    };
    let text = match banner {
        Banner::Crashed {
            message,
            restarted: true,
        } => tf(lang, "banner.crashed_restarted", &[("message", message)]),
        Banner::Crashed {
            message,
            restarted: false,
        } => tf(lang, "banner.crashed_stopped", &[("message", message)]),
        Banner::OutOfMemory {
            requested: Some(bytes),
            ..
        } => tf(
            lang,
            "banner.out_of_memory_sized",
            &[("size", &size(*bytes))],
        ),
        Banner::OutOfMemory {
            requested: None, ..
        } => t(lang, "banner.out_of_memory"),
        Banner::DeviceLost { message } => tf(lang, "banner.device_lost", &[("message", message)]),
        Banner::Failed { message } => tf(lang, "banner.failed", &[("message", message)]),
    };
    // The worker's own words can be a long panic: shown on request where the text explains it.
    let details = match banner {
        Banner::OutOfMemory { message, .. } => html! {
            <details class="error-banner-details">
                <summary>{t(lang, "banner.details")}</summary>
                <pre id="error-details" tabindex="0">{message}</pre>
            </details>
        },
        _ => html! {},
    };
    let on_dismiss = props.on_dismiss.clone();
    html! {
        <div id="error-banner" class="error-banner" role="alert">
            <div class="error-banner-body">
                <p class="error-banner-text">{text}</p>
                {details}
            </div>
            <button
                type="button"
                id="error-dismiss"
                class="error-banner-dismiss"
                aria-label={t(lang, "banner.dismiss")}
                title={t(lang, "banner.dismiss")}
                onclick={Callback::from(move |_| on_dismiss.emit(()))}
            >
                {"×"}
            </button>
        </div>
    }
}
