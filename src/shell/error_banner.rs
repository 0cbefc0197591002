//! A dismissable banner for worker crashes and failures.

use yew::prelude::*;

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
        Banner::OutOfMemory { message } => {
            tf(lang, "banner.out_of_memory", &[("message", message)])
        }
        Banner::DeviceLost { message } => tf(lang, "banner.device_lost", &[("message", message)]),
        Banner::Failed { message } => tf(lang, "banner.failed", &[("message", message)]),
    };
    let on_dismiss = props.on_dismiss.clone();
    html! {
        <div id="error-banner" class="error-banner" role="alert">
            <p class="error-banner-text">{text}</p>
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
