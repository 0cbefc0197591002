//! Which backend trains the models, and a menu to choose another.

use kindling_engine::protocol::{ActiveBackend, BackendPreference, CpuReason};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// `None` until the worker has answered.
    pub backend: Option<ActiveBackend>,
    pub preference: BackendPreference,
    pub on_change: Callback<BackendPreference>,
}

/// Why training runs on the CPU, in words.
pub fn cpu_reason(lang: Lang, reason: &CpuReason) -> String {
    match reason {
        CpuReason::Requested => t(lang, "backend.reason.requested"),
        CpuReason::NoWebGpu => t(lang, "backend.reason.no_webgpu"),
        CpuReason::NoAdapter => t(lang, "backend.reason.no_adapter"),
        CpuReason::SoftwareAdapter { adapter } => tf(
            lang,
            "backend.reason.software_adapter",
            &[("adapter", adapter)],
        ),
        CpuReason::InitFailed { error } => {
            tf(lang, "backend.reason.init_failed", &[("error", error)])
        }
    }
}

/// The badge's text: `WebGPU · adapter`, `CPU · reason`, or `…` while waiting.
pub fn badge_text(lang: Lang, backend: Option<&ActiveBackend>) -> String {
    match backend {
        None => "…".to_string(),
        Some(ActiveBackend::WebGpu { adapter }) => {
            let adapter = if adapter.trim().is_empty() {
                t(lang, "backend.unnamed_adapter")
            } else {
                adapter.clone()
            };
            format!("WebGPU · {adapter}")
        }
        Some(ActiveBackend::Cpu { reason }) => format!("CPU · {}", cpu_reason(lang, reason)),
    }
}

#[component]
pub fn BackendBadge(props: &Props) -> Html {
    let lang = props.lang;
    let text = badge_text(lang, props.backend.as_ref());
    let kind = match &props.backend {
        None => "pending",
        Some(ActiveBackend::WebGpu { .. }) => "gpu",
        Some(ActiveBackend::Cpu { .. }) => "cpu",
    };
    let onchange = {
        let on_change = props.on_change.clone();
        let current = props.preference;
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Some(preference) = BackendPreference::from_name(&select.value())
                && preference != current
            {
                on_change.emit(preference);
            }
        })
    };
    let options = [
        (BackendPreference::Auto, "backend.choice.auto"),
        (BackendPreference::WebGpu, "backend.choice.webgpu"),
        (BackendPreference::Cpu, "backend.choice.cpu"),
    ];
    html! {
        <div class="backend">
            <span
                id="backend-badge"
                class={classes!("backend-badge", kind)}
                title={t(lang, "backend.badge_title")}
                aria-live="polite"
            >
                {text}
            </span>
            <label class="visually-hidden" for="backend-select">{t(lang, "backend.select_label")}</label>
            <select id="backend-select" class="backend-select" {onchange} title={t(lang, "backend.select_label")}>
                { for options.into_iter().map(|(preference, key)| html! {
                    <option value={preference.name()} selected={preference == props.preference}>
                        {t(lang, key)}
                    </option>
                }) }
            </select>
        </div>
    }
}
