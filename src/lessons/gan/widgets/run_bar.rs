//! Play, pause, one iteration, one D or G step alone, slow motion and reset; and which layers
//! the plot draws.

use yew::prelude::*;

use crate::i18n::{Lang, t};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub running: bool,
    pub slow: bool,
    pub on_play: Callback<()>,
    pub on_pause: Callback<()>,
    pub on_step: Callback<()>,
    pub on_step_d: Callback<()>,
    pub on_step_g: Callback<()>,
    pub on_reset: Callback<()>,
    pub on_slow: Callback<bool>,
    /// (id, label, on) of each layer switch, and what a click toggles.
    pub layers: Vec<(&'static str, String, bool)>,
    pub on_layer: Callback<usize>,
}

fn click(callback: &Callback<()>) -> Callback<MouseEvent> {
    let callback = callback.clone();
    Callback::from(move |_| callback.emit(()))
}

#[component]
pub fn RunBar(props: &Props) -> Html {
    let lang = props.lang;
    let running = props.running;
    let on_play = if running {
        click(&props.on_pause)
    } else {
        click(&props.on_play)
    };
    let on_slow = {
        let on_slow = props.on_slow.clone();
        let slow = props.slow;
        Callback::from(move |_: Event| on_slow.emit(!slow))
    };
    html! {
        <div class="gan-run">
            <div class="run-bar">
                <button
                    type="button"
                    id="gan-play"
                    class={classes!("button", "primary", running.then_some("running"))}
                    aria-pressed={if running { "true" } else { "false" }}
                    onclick={on_play}
                >
                    <span aria-hidden="true">{if running { "⏸ " } else { "▶ " }}</span>
                    {t(lang, if running { "run.pause" } else { "run.play" })}
                </button>
                <button type="button" id="gan-step" class="button" onclick={click(&props.on_step)}>
                    {t(lang, "gan.run.step")}
                </button>
                <button type="button" id="gan-step-d" class="button" onclick={click(&props.on_step_d)}>
                    {t(lang, "gan.run.step_d")}
                </button>
                <button type="button" id="gan-step-g" class="button" onclick={click(&props.on_step_g)}>
                    {t(lang, "gan.run.step_g")}
                </button>
                <button type="button" id="gan-reset" class="button" onclick={click(&props.on_reset)}>
                    {t(lang, "run.reset")}
                </button>
                <label class="check">
                    <input type="checkbox" id="gan-slow" checked={props.slow} onchange={on_slow} />
                    {t(lang, "gan.run.slow")}
                </label>
                <span id="gan-status" class={classes!("status", if running { "running" } else { "paused" })} role="status">
                    {t(lang, if running { "run.running" } else { "run.paused" })}
                </span>
            </div>
            <div class="gan-layers" role="group" aria-label={t(lang, "gan.layers")}>
                { for props.layers.iter().enumerate().map(|(i, (id, label, on))| {
                    let on_layer = props.on_layer.clone();
                    html! {
                        <label class="check">
                            <input type="checkbox" id={*id} checked={*on} onchange={Callback::from(move |_: Event| on_layer.emit(i))} />
                            {label.clone()}
                        </label>
                    }
                }) }
            </div>
        </div>
    }
}
