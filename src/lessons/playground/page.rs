//! "Your first network": a small network learning to separate two classes of points.

use kindling_engine::lessons::playground::PlaygroundConfig;
use yew::prelude::*;

use crate::i18n::{Lang, config_error_text, t, tf};
use crate::lessons::checkpoint_text::PLAYGROUND;
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::lessons::playground::state::{PlaygroundAction, PlaygroundState};
use crate::lessons::playground::widgets::boundary_plot::BoundaryPlot;
use crate::lessons::playground::widgets::controls::PlaygroundControls;
use crate::lessons::playground::widgets::stats::Stats;
use crate::widgets::loss_chart::LossChart;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: PlaygroundState,
    pub on_action: Callback<PlaygroundAction>,
}

#[component]
pub fn Playground(props: &Props) -> Html {
    let state = &props.state;
    let lang = props.lang;
    let running = state.running;

    let send = |make: fn() -> PlaygroundAction| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make()))
    };
    let on_play = if running {
        send(|| PlaygroundAction::Pause)
    } else {
        send(|| PlaygroundAction::Play)
    };
    let on_step = send(|| PlaygroundAction::Step);
    let on_reset = send(|| PlaygroundAction::Reset);
    let on_config = {
        let on_action = props.on_action.clone();
        Callback::from(move |config: PlaygroundConfig| {
            on_action.emit(PlaygroundAction::SetConfig(config))
        })
    };

    let url_notice = (!state.url_errors.is_empty()).then(|| html! {
        <div id="url-notice" class="notice" role="status">
            <p>{t(lang, "playground.url_notice")}</p>
            <ul>
                { for state.url_errors.iter().map(|e| html! { <li>{config_error_text(lang, e)}</li> }) }
            </ul>
        </div>
    });
    let rejected = (!state.rejected.is_empty()).then(|| html! {
        <div id="worker-rejected" class="notice warning" role="alert">
            <p>{t(lang, "playground.rejected")}</p>
            <ul>
                { for state.rejected.iter().map(|e| html! { <li>{config_error_text(lang, e)}</li> }) }
            </ul>
        </div>
    });

    let diverged = state.diverged.map(|(step, good)| html! {
        <div id="diverged" class="notice warning" role="alert">
            <p>{tf(lang, "playground.diverged", &[("step", &step.to_string()), ("good", &good.to_string())])}</p>
            <button type="button" id="roll-back" class="button" onclick={send(|| PlaygroundAction::RollBack)}>
                {tf(lang, "playground.roll_back", &[("good", &good.to_string())])}
            </button>
        </div>
    });

    let checkpoint_step = state.checkpoints.latest_iterations();
    let recovery = state.checkpoints.recovery.as_ref().map(|r| html! {
        <div id="playground-recovery" class="notice" role="status">{PLAYGROUND.recovery(lang, r)}</div>
    });
    let on_kept = props.on_action.reform(|click| match click {
        KeptClick::Resume => PlaygroundAction::ResumeKept,
        KeptClick::Keep => PlaygroundAction::Kept(KeptAction::Keep),
    });
    let kept = kept_run(
        lang,
        PLAYGROUND,
        "playground",
        &state.kept,
        |run| run.checkpoint.step,
        state.loaded.then_some(state.checkpoints.latest.is_some()),
        &on_kept,
    );
    let curve_points = state.history.points.len().to_string();
    let last_step = state
        .history
        .points
        .last()
        .map(|(step, _)| step.to_string());

    let tips = [
        "playground.tip_linear",
        "playground.tip_spiral",
        "playground.tip_noise",
        "playground.tip_lr",
    ];

    html! {
        <div class="playground">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "playground.title")}</h1>
                <p class="lead">{t(lang, "playground.lead")}</p>
            </header>
            {url_notice}
            {rejected}
            {diverged}
            <div class="pg-grid">
                <section class="card pg-controls" aria-labelledby="controls-title">
                    <h2 id="controls-title">{t(lang, "controls.title")}</h2>
                    <PlaygroundControls {lang} config={state.config.clone()} on_change={on_config} />
                </section>

                <section class="card pg-run" aria-labelledby="run-title">
                    <h2 id="run-title" class="visually-hidden">{t(lang, "run.title")}</h2>
                    <div class="run-bar">
                        <button
                            type="button"
                            id="play"
                            class={classes!("button", "primary", running.then_some("running"))}
                            aria-pressed={if running { "true" } else { "false" }}
                            onclick={on_play}
                        >
                            <span aria-hidden="true">{if running { "⏸ " } else { "▶ " }}</span>
                            {t(lang, if running { "run.pause" } else { "run.play" })}
                        </button>
                        <button type="button" id="step" class="button" onclick={on_step}>
                            {t(lang, "run.step")}
                        </button>
                        <button type="button" id="reset" class="button" onclick={on_reset}>
                            {t(lang, "run.reset")}
                        </button>
                        <span class="status-wrap">
                            <span class="visually-hidden">{t(lang, "run.status_label")}</span>
                            <span id="status" class={classes!("status", if running { "running" } else { "paused" })} role="status">
                                {t(lang, if running { "run.running" } else { "run.paused" })}
                            </span>
                        </span>
                    </div>
                    {recovery}
                    <p id="playground-checkpoint" class="muted small" data-step={checkpoint_step.map(|s| s.to_string())}>
                        {PLAYGROUND.checkpoint_line(lang, checkpoint_step, state.checkpoints.unavailable.as_ref())}
                    </p>
                    {kept}
                    <Stats {lang} progress={state.progress.clone()} />
                    <div class="plots">
                        <BoundaryPlot {lang} boundary={state.boundary.clone()} split={state.split.clone()} />
                        <div id="playground-curves" data-points={curve_points} data-last-step={last_step}>
                            <LossChart {lang} history={state.history.clone()} />
                        </div>
                    </div>
                </section>

                <aside class="card pg-explain" aria-labelledby="explain-title">
                    <h2 id="explain-title">{t(lang, "playground.explain_title")}</h2>
                    <p>{t(lang, "playground.explain_plot")}</p>
                    <p>{t(lang, "playground.explain_loss")}</p>
                    <h3>{t(lang, "playground.try_title")}</h3>
                    <ul class="tips">
                        { for tips.into_iter().map(|key| html! { <li>{t(lang, key)}</li> }) }
                    </ul>
                    <p class="muted">{t(lang, "playground.explain_link")}</p>
                </aside>
            </div>
        </div>
    }
}
