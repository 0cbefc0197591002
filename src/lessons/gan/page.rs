//! "Two networks compete": a generator learns to imitate a 2-D distribution while a
//! discriminator learns to tell its points from the real ones.

use std::rc::Rc;

use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::messages::StepPart;
use kindling_engine::lessons::gan::metrics::COVERED_SHARE;
use kindling_engine::lessons::gan::settings::{CUSTOM_POINTS, EXTENT, Preset, Target};
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::checkpoint_text::GAN;
use crate::lessons::gan::digits_page::DigitsSection;
use crate::lessons::gan::state::{GanAction, GanState, History, Layer};
use crate::lessons::gan::text::{source_error, toy_error};
use crate::lessons::gan::widgets::coverage::Readouts;
use crate::lessons::gan::widgets::own_data::OwnData;
use crate::lessons::gan::widgets::presets::Presets;
use crate::lessons::gan::widgets::run_bar::RunBar;
use crate::lessons::gan::widgets::toy_form::ToyForm;
use crate::lessons::gan::widgets::toy_plot::{Heat, Scene, ToyPlot, Warp};
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::route::Route;
use crate::widgets::line_chart::{Line, LineChart};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: GanState,
    pub on_action: Callback<GanAction>,
}

const LAYERS: [(Layer, &str, &str); 3] = [
    (Layer::Heatmap, "gan-show-heat", "gan.layer.heatmap"),
    (Layer::Manifold, "gan-show-manifold", "gan.layer.manifold"),
    (Layer::Arrows, "gan-show-arrows", "gan.layer.arrows"),
];

fn scene(state: &GanState) -> Scene {
    let view = state.view.as_deref();
    let layers = state.layers;
    let empty = Rc::new(Vec::new());
    Scene {
        extent: EXTENT,
        heat: view.filter(|_| layers.heatmap).map(|v| Heat {
            resolution: v.resolution,
            values: Rc::new(v.heat.clone()),
        }),
        warp: view.filter(|_| layers.manifold).map(|v| Warp {
            grid: v.manifold.noise_dim == 2,
            side: v.manifold.side,
            points: Rc::new(v.manifold.points.clone()),
        }),
        real: state.real.clone().unwrap_or_else(|| empty.clone()),
        fake: view.map_or(empty, |v| Rc::new(v.fake.clone())),
        arrows: view
            .filter(|_| layers.arrows)
            .map(|v| Rc::new(v.arrows.clone())),
        drawn: state.drawn.clone(),
        drawing: state.drawing,
    }
}

/// Steps, the loss lines and the lines of D's mean outputs.
type CurveLines = (Rc<Vec<u64>>, Rc<Vec<Line>>, Rc<Vec<Line>>);

/// The curves' steps and lines: the two losses, and D's mean outputs.
fn curves(lang: Lang, history: &History) -> CurveLines {
    let steps = Rc::new(history.points.iter().map(|p| p.0).collect());
    let line = |key: &str,
                class: &'static str,
                pick: fn(&crate::lessons::gan::state::Curves) -> f32| Line {
        label: t(lang, key).into(),
        class,
        values: history.points.iter().map(|p| pick(&p.1)).collect(),
    };
    let losses = Rc::new(vec![
        line("gan.curve.d_loss", "d", |c| c.d_loss),
        line("gan.curve.g_loss", "g", |c| c.g_loss),
    ]);
    let outputs = Rc::new(vec![
        line("gan.curve.d_real", "real", |c| c.d_real),
        line("gan.curve.d_fake", "fake", |c| c.d_fake),
    ]);
    (steps, losses, outputs)
}

/// The notice of a `section`'s run whose loss stopped being a number after `iterations`, with
/// the button that rolls it back to `good` iterations.
pub fn diverged_notice(
    lang: Lang,
    section: &str,
    (iterations, good): (u64, u64),
    on_roll_back: Callback<MouseEvent>,
) -> Html {
    let (iterations, good) = (iterations.to_string(), good.to_string());
    html! {
        <div id={format!("{section}-diverged")} class="notice warning" role="alert">
            <p>{tf(lang, "gan.diverged", &[("iterations", &iterations), ("good", &good)])}</p>
            <button type="button" id={format!("{section}-roll-back")} class="button" onclick={on_roll_back}>
                {tf(lang, "gan.roll_back", &[("good", &good)])}
            </button>
        </div>
    }
}

#[component]
pub fn Gan(props: &Props) -> Html {
    let state = &props.state;
    let lang = props.lang;
    let act = |make: fn() -> GanAction| {
        let on_action = props.on_action.clone();
        Callback::from(move |()| on_action.emit(make()))
    };
    let on_settings = {
        let on_action = props.on_action.clone();
        Callback::from(move |settings: ToySettings| {
            // "Your points" without enough of them: draw some first.
            if settings.target == Target::Custom && settings.custom.len() < CUSTOM_POINTS.0 {
                on_action.emit(GanAction::StartDrawing);
            } else {
                on_action.emit(GanAction::SetToy(settings));
            }
        })
    };
    let on_draw = {
        let on_action = props.on_action.clone();
        Callback::from(move |p: [f32; 2]| on_action.emit(GanAction::Draw(p)))
    };
    let on_csv = {
        let on_action = props.on_action.clone();
        Callback::from(move |text: String| on_action.emit(GanAction::Csv(text)))
    };
    let on_csv_refused = {
        let on_action = props.on_action.clone();
        Callback::from(move |error| on_action.emit(GanAction::CsvRefused(error)))
    };
    let on_slow = {
        let on_action = props.on_action.clone();
        Callback::from(move |slow: bool| on_action.emit(GanAction::SetSlow(slow)))
    };
    let on_layer = {
        let on_action = props.on_action.clone();
        Callback::from(move |i: usize| on_action.emit(GanAction::Toggle(LAYERS[i].0)))
    };
    let on_digits = {
        let on_action = props.on_action.clone();
        Callback::from(move |action| on_action.emit(GanAction::Digits(action)))
    };
    let on_preset = {
        let on_action = props.on_action.clone();
        Callback::from(move |i: usize| on_action.emit(GanAction::Preset(Preset::ALL[i])))
    };
    let layers: Vec<(&'static str, String, bool)> = LAYERS
        .iter()
        .map(|&(layer, id, key)| {
            let on = match layer {
                Layer::Heatmap => state.layers.heatmap,
                Layer::Manifold => state.layers.manifold,
                Layer::Arrows => state.layers.arrows,
            };
            (id, t(lang, key), on)
        })
        .collect();
    let current_preset = Preset::ALL
        .iter()
        .find(|p| p.settings() == state.toy)
        .map(|p| p.name());
    let view = state.view.as_deref();
    let (steps, losses, outputs) = curves(lang, &state.history);
    let problems: Vec<String> = state.problems().map(|e| toy_error(lang, e)).collect();
    let checkpoint_iterations = state.checkpoints.latest_iterations();
    let on_kept = props.on_action.reform(|click| match click {
        KeptClick::Resume => GanAction::ResumeKept,
        KeptClick::Keep => GanAction::Kept(KeptAction::Keep),
    });
    let last_update = state.history.points.last().map(|p| p.0.to_string());
    let curve_points = state.history.points.len().to_string();
    let tips = ["gan.tip.k", "gan.tip.loss", "gan.tip.noise", "gan.tip.own"];

    html! {
        <div class="gan">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "gan.title")}</h1>
                <p class="lead">{t(lang, "gan.lead")}</p>
            </header>
            if !problems.is_empty() {
                <div id="gan-problems" class="notice warning" role="alert">
                    <p>{t(lang, "gan.problems")}</p>
                    <ul>{ for problems.iter().map(|p| html! { <li>{p.clone()}</li> }) }</ul>
                </div>
            }
            <section class="gan-toy" aria-labelledby="gan-toy-title">
                <h2 id="gan-toy-title">{t(lang, "gan.toy.title")}</h2>
                <Presets {lang} names={Preset::ALL.iter().map(|p| p.name()).collect::<Vec<_>>()} current={current_preset} on_choose={on_preset} />
                <div class="gan-grid">
                    <div class="card gan-controls">
                        <ToyForm {lang} settings={state.toy.clone()} on_change={on_settings} />
                        <OwnData
                            {lang}
                            drawing={state.drawing}
                            drawn={state.drawn.len()}
                            error={state.source_error.as_ref().map(|e| source_error(lang, e))}
                            on_start={act(|| GanAction::StartDrawing)}
                            on_clear={act(|| GanAction::ClearDrawing)}
                            on_use={act(|| GanAction::UseDrawing)}
                            on_cancel={act(|| GanAction::CancelDrawing)}
                            {on_csv}
                            on_refused={on_csv_refused}
                        />
                    </div>
                    <div class="card gan-live">
                        <RunBar
                            {lang}
                            running={state.running}
                            slow={state.slow}
                            on_play={act(|| GanAction::Play)}
                            on_pause={act(|| GanAction::Pause)}
                            on_step={act(|| GanAction::Step(StepPart::Both))}
                            on_step_d={act(|| GanAction::Step(StepPart::Discriminator))}
                            on_step_g={act(|| GanAction::Step(StepPart::Generator))}
                            on_reset={act(|| GanAction::Reset)}
                            {on_slow}
                            {layers}
                            {on_layer}
                        />
                        if let Some(diverged) = state.diverged {
                            { diverged_notice(lang, "gan-toy", diverged, props.on_action.reform(|_| GanAction::RollBack)) }
                        }
                        if let Some(r) = &state.checkpoints.recovery {
                            <div id="gan-toy-recovery" class="notice" role="status">{GAN.recovery(lang, r)}</div>
                        }
                        <p id="gan-toy-checkpoint" class="muted small" data-iterations={checkpoint_iterations.map(|i| i.to_string())} data-updates={state.checkpoints.latest_mark().map(|u| u.to_string())}>
                            {GAN.checkpoint_line(lang, checkpoint_iterations, state.checkpoints.unavailable.as_ref())}
                        </p>
                        { kept_run(lang, GAN, "gan-toy", &state.kept, |run| run.checkpoint.iterations, state.loaded.then_some(state.checkpoints.latest.is_some()), &on_kept) }
                        <div class="gan-views">
                            <figure class="gan-figure">
                                <ToyPlot aria_label={t(lang, "gan.plot.aria")} scene={scene(state)} {on_draw} />
                                <figcaption class="plot-legend">
                                    <span class="legend-item"><span class="dot real" aria-hidden="true" />{t(lang, "gan.plot.real")}</span>
                                    <span class="legend-item"><span class="dot fake" aria-hidden="true" />{t(lang, "gan.plot.fake")}</span>
                                    <span class="legend-item muted">{t(lang, "gan.plot.heat")}</span>
                                </figcaption>
                            </figure>
                            <div class="gan-side" id="gan-curves-box" data-last-update={last_update} data-points={curve_points}>
                                <Readouts
                                    {lang}
                                    updates={view.map(|v| (v.iterations, v.d_updates, v.g_updates))}
                                    d_real={view.map(|v| v.d_real)}
                                    d_fake={view.map(|v| v.d_fake)}
                                    divergence={view.and_then(|v| v.divergence).map(|d| (d.kl, d.js))}
                                    shares={view.map(|v| v.shares.clone()).unwrap_or_default()}
                                    covered_share={COVERED_SHARE}
                                />
                                <LineChart
                                    id="gan-losses"
                                    aria_label={t(lang, "gan.curve.losses_aria")}
                                    x_label={t(lang, "gan.curve.x")}
                                    empty={t(lang, "chart.empty")}
                                    steps={steps.clone()}
                                    lines={losses}
                                />
                                <LineChart
                                    id="gan-outputs"
                                    aria_label={t(lang, "gan.curve.outputs_aria")}
                                    x_label={t(lang, "gan.curve.x")}
                                    empty={t(lang, "chart.empty")}
                                    {steps}
                                    lines={outputs}
                                    top={Some(1.0)}
                                />
                            </div>
                        </div>
                    </div>
                </div>
            </section>
            <DigitsSection {lang} state={state.digits.clone()} on_action={on_digits} />
            <aside class="card gan-explain" aria-labelledby="gan-explain-title">
                <h2 id="gan-explain-title">{t(lang, "gan.explain.title")}</h2>
                <p>{t(lang, "gan.explain.game")}</p>
                <p>{t(lang, "gan.explain.views")}</p>
                <p>
                    {t(lang, "gan.explain.losses")}{" "}
                    <a href={Route::Losses.href()}>{t(lang, "gan.explain.losses_link")}</a>
                </p>
                <p>{t(lang, "gan.explain.article")}</p>
                <h3>{t(lang, "gan.tip.title")}</h3>
                <ul class="tips">{ for tips.into_iter().map(|k| html! { <li>{t(lang, k)}</li> }) }</ul>
            </aside>
        </div>
    }
}
