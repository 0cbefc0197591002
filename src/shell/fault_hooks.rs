//! Test hooks for the recovery from worker faults, shown only when the link carries
//! `?debug=faults` (the end-to-end tests open it so): make the worker panic (it reports the panic,
//! as a bug would), or kill it (the page ends it without a word from it, as the browser ends a
//! worker that ran out of memory), or destroy its GPU device (as a driver reset or an unplugged GPU
//! ends it), or ask the GPU for more memory than it has (as a too-large configuration does); a
//! worker on the CPU ignores the last two. Each is what a fault does anyway; none touches
//! anything but the worker.

use yew::prelude::*;

use crate::i18n::{Lang, t};

/// The `debug` link parameter that shows the hooks.
pub const DEBUG_VALUE: &str = "faults";

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub on_panic: Callback<()>,
    pub on_kill: Callback<()>,
    pub on_lose_device: Callback<()>,
    pub on_overfill: Callback<()>,
}

#[component]
pub fn FaultHooks(props: &Props) -> Html {
    let lang = props.lang;
    let on_panic = props.on_panic.reform(|_: MouseEvent| ());
    let on_kill = props.on_kill.reform(|_: MouseEvent| ());
    let on_lose_device = props.on_lose_device.reform(|_: MouseEvent| ());
    let on_overfill = props.on_overfill.reform(|_: MouseEvent| ());
    html! {
        <aside id="fault-hooks" class="fault-hooks" aria-label={t(lang, "faults.label")}>
            <span class="muted small">{t(lang, "faults.label")}</span>
            <button id="fault-panic" type="button" onclick={on_panic}>{t(lang, "faults.panic")}</button>
            <button id="fault-kill" type="button" onclick={on_kill}>{t(lang, "faults.kill")}</button>
            <button id="fault-device-lost" type="button" onclick={on_lose_device}>{t(lang, "faults.lose_device")}</button>
            <button id="fault-gpu-memory" type="button" onclick={on_overfill}>{t(lang, "faults.overfill")}</button>
        </aside>
    }
}
