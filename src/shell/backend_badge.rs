//! Which backend trains the models, what a calibration measured, and a menu to choose another.

use kindling_engine::protocol::{
    ActiveBackend, BackendKind, BackendPreference, Calibration, CpuReason,
};
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
    /// What a calibration measured on the running worker's adapter.
    pub calibration: Option<Calibration>,
    /// The backend the measurement prefers, offered when switching now would lose a model.
    pub offer: Option<BackendKind>,
    pub on_switch: Callback<()>,
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
        CpuReason::Measured { adapter } => {
            tf(lang, "backend.reason.measured", &[("adapter", adapter)])
        }
        CpuReason::DeviceLost => t(lang, "backend.reason.device_lost"),
    }
}

/// Milliseconds as the measurement line prints them: `31`, `4.5`.
fn ms(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// What a calibration measured: `measured: CPU 31 ms vs WebGPU 95 ms a step`.
pub fn measured_text(lang: Lang, calibration: &Calibration) -> String {
    match (calibration.cpu_ms, calibration.webgpu_ms) {
        (Some(cpu), Some(webgpu)) => tf(
            lang,
            "backend.measured.both",
            &[("cpu", &ms(cpu)), ("webgpu", &ms(webgpu))],
        ),
        (Some(cpu), None) => tf(lang, "backend.measured.cpu_only", &[("cpu", &ms(cpu))]),
        (None, Some(webgpu)) => tf(
            lang,
            "backend.measured.webgpu_only",
            &[("webgpu", &ms(webgpu))],
        ),
        (None, None) => t(lang, "backend.measured.none"),
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
    let measured = props.calibration.as_ref().map(|c| {
        html! { <span id="backend-measured" class="backend-measured">{measured_text(lang, c)}</span> }
    });
    let offer = props.offer.map(|kind| {
        let on_switch = props.on_switch.clone();
        let key = match kind {
            BackendKind::Cpu => "backend.switch.cpu",
            BackendKind::WebGpu => "backend.switch.webgpu",
        };
        html! {
            <button
                id="backend-switch"
                class="backend-switch"
                title={t(lang, "backend.switch.title")}
                onclick={Callback::from(move |_| on_switch.emit(()))}
            >
                {t(lang, key)}
            </button>
        }
    });
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
            {for measured}
            {for offer}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_says_what_was_measured() {
        let both = Calibration::new("Intel Xe".into(), Some(31.2), Some(95.0));
        assert_eq!(
            measured_text(Lang::En, &both),
            "measured: CPU 31 ms vs WebGPU 95 ms a step"
        );
        let fast = Calibration::new("a".into(), Some(4.56), None);
        assert!(measured_text(Lang::En, &fast).contains("4.6"));
        assert!(measured_text(Lang::Zh, &both).contains("31"));
        let reason = CpuReason::Measured {
            adapter: "Intel Xe".into(),
        };
        let text = badge_text(Lang::En, Some(&ActiveBackend::Cpu { reason }));
        assert!(
            text.starts_with("CPU ·") && text.contains("Intel Xe"),
            "{text}"
        );
    }
}
