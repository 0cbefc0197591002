//! Running the CNN: play, pause, one step, a fresh start, an evaluation now; and where the run
//! stands.

use std::rc::Rc;

use kindling_engine::lessons::cnn::config::CnnProgress;
use yew::prelude::*;

use crate::format::{duration, group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::state::{FullEvaluation, LoadedModel, examples_per_second};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub model: Option<Rc<LoadedModel>>,
    pub running: bool,
    pub step: Option<u64>,
    pub progress: Option<CnnProgress>,
    pub latest_quick: Option<(u64, f32)>,
    pub latest_full: Option<Rc<FullEvaluation>>,
    pub on_play: Callback<()>,
    pub on_pause: Callback<()>,
    pub on_step: Callback<()>,
    pub on_evaluate: Callback<()>,
    pub on_reset: Callback<()>,
}

fn click(callback: &Callback<()>) -> Callback<MouseEvent> {
    let callback = callback.clone();
    Callback::from(move |_: MouseEvent| callback.emit(()))
}

fn stat(label: String, value: Html) -> Html {
    html! {
        <div class="stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

#[component]
pub fn CnnControls(props: &Props) -> Html {
    let lang = props.lang;
    let running = props.running;
    let ready = props.model.is_some();
    let model = props.model.as_deref();
    let epochs = model.map_or(0, |m| m.settings.epochs);
    let steps_per_epoch = model.map_or(1, |m| m.steps_per_epoch.max(1));
    let step = props.step.unwrap_or(0);
    let total_steps = props
        .progress
        .as_ref()
        .map_or(epochs as u64 * steps_per_epoch, |p| p.total_steps);
    let finished = props.progress.as_ref().is_some_and(|p| p.finished)
        || (ready && total_steps > 0 && step >= total_steps);
    let epoch = if finished {
        epochs
    } else {
        ((step / steps_per_epoch) as usize + 1).min(epochs.max(1))
    };
    let share = if total_steps > 0 {
        (step as f64 / total_steps as f64).min(1.0)
    } else {
        0.0
    };
    let speed = props.progress.as_ref().map(|p| {
        examples_per_second(
            p.steps_per_second,
            model.map_or(0, |m| m.settings.batch_size),
        )
    });

    let on_play = click(if running {
        &props.on_pause
    } else {
        &props.on_play
    });
    let on_reset = {
        let on_reset = props.on_reset.clone();
        Callback::from(move |_: MouseEvent| on_reset.emit(()))
    };
    let full = props.latest_full.as_ref().map(|f| f.evaluation.accuracy);
    let quick = props.latest_quick.map(|q| q.1);
    let (accuracy, which) = match (full, quick) {
        (Some(a), _) => (percent(a as f64), t(lang, "cnn.run.accuracy_full")),
        (None, Some(a)) => (percent(a as f64), t(lang, "cnn.run.accuracy_quick")),
        (None, None) => ("—".into(), t(lang, "cnn.run.accuracy_none")),
    };

    html! {
        <div class="cnn-controls">
            <div class="run-bar">
                <button
                    type="button"
                    id="cnn-play"
                    class={classes!("button", "primary", running.then_some("running"))}
                    data-running={running.to_string()}
                    aria-pressed={running.to_string()}
                    disabled={!ready || (finished && !running)}
                    onclick={on_play}
                >
                    <span aria-hidden="true">{if running { "⏸ " } else { "▶ " }}</span>
                    {t(lang, if running { "run.pause" } else { "run.play" })}
                </button>
                <button type="button" id="cnn-step" class="button" disabled={!ready || running || finished} onclick={click(&props.on_step)}>
                    {t(lang, "run.step")}
                </button>
                <button type="button" id="cnn-reset" class="button" disabled={!ready} onclick={on_reset}>
                    {t(lang, "run.reset")}
                </button>
                <button type="button" id="cnn-evaluate" class="button" disabled={!ready} onclick={click(&props.on_evaluate)}>
                    {t(lang, "cnn.run.evaluate")}
                </button>
                <span class="status-wrap">
                    <span class={classes!("status", if running { "running" } else { "paused" })} role="status">
                        {t(lang, if !ready { "cnn.run.waiting" } else if running { "run.running" } else if finished { "cnn.run.finished" } else { "run.paused" })}
                    </span>
                </span>
            </div>
            <div class="epoch-progress">
                <progress id="cnn-run-progress" max="1" value={format!("{share:.4}")} aria-label={t(lang, "cnn.run.progress")} />
                <span class="muted small">{tf(lang, "cnn.run.progress_text", &[("percent", &format!("{:.0}", share * 100.0))])}</span>
            </div>
            <dl class="stats">
                { stat(t(lang, "stats.step"), html! { <span id="cnn-step-count">{props.step.map_or("—".to_string(), |s| s.to_string())}</span> }) }
                { stat(t(lang, "cnn.run.epoch"), html! { <span id="cnn-epoch">{tf(lang, "cnn.run.epoch_of", &[("epoch", &epoch.to_string()), ("epochs", &epochs.to_string())])}</span> }) }
                { stat(t(lang, "cnn.run.examples_per_second"), html! { <span id="cnn-examples-per-second" data-value={speed.map(|s| format!("{s:.1}"))}>{speed.map_or("—".to_string(), |s| group(s.round() as u64))}</span> }) }
                { stat(t(lang, "cnn.run.elapsed"), html! { <span id="cnn-elapsed">{props.progress.as_ref().map_or("—".to_string(), |p| duration(p.elapsed_ms))}</span> }) }
                { stat(t(lang, "cnn.run.batch_loss"), html! { <span id="cnn-batch-loss">{props.progress.as_ref().filter(|p| p.batch_loss.is_finite()).map_or("—".to_string(), |p| format!("{:.3}", p.batch_loss))}</span> }) }
                { stat(t(lang, "stats.test_accuracy"), html! { <span id="cnn-test-accuracy" title={which.clone()}>{accuracy}</span> }) }
            </dl>
            <p class="accuracy-detail small">
                <span class="muted">{which}{" "}</span>
                <span id="cnn-accuracy" data-accuracy={full.map(|a| a.to_string())}>
                    {tf(lang, "cnn.run.full_value", &[("value", &full.map_or("—".into(), |a| percent(a as f64)))])}
                </span>
                {" · "}
                <span id="cnn-quick-accuracy" data-accuracy={quick.map(|a| a.to_string())}>
                    {tf(lang, "cnn.run.quick_value", &[("value", &quick.map_or("—".into(), |a| percent(a as f64)))])}
                </span>
            </p>
        </div>
    }
}
