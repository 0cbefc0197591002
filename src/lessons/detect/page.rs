//! The detection project's page: the task, the settings, live training with the class and box
//! losses, the scores and test canvases with both boxes, the two designs side by side, and the
//! learner's own canvas.

use std::rc::Rc;

use kindling_engine::lessons::detect::config::{DetectSettings, HeadKind};
use kindling_engine::lessons::detect::data::{CANVAS, Level};
use kindling_engine::models::resnet::ResnetSettings;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format::{group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::checkpoint_text::DETECT;
use crate::lessons::data_load::load_failure;
use crate::lessons::detect::design::design;
use crate::lessons::detect::design_many::design_many;
use crate::lessons::detect::drawing::to_canvas;
use crate::lessons::detect::fields::DetectField;
use crate::lessons::detect::many::{canvases_many, finished_many, own_answer};
use crate::lessons::detect::model_file::model_file;
use crate::lessons::detect::results::{canvases, finished, predicted_box, training};
use crate::lessons::detect::state::{DetectAction, DetectState};
use crate::lessons::detect::text::problem;
use crate::lessons::detect::widgets::boxed_canvas::boxed_canvas;
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::route::Route;
use crate::widgets::drawing_pad::{DrawingPad, SIDE};
use crate::widgets::load_progress::{LoadProgress, LoadWords, Phase};
use crate::widgets::number_field::NumberField;
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: DetectState,
    pub on_action: Callback<DetectAction>,
}

/// The backbone and MNIST: what is loaded, how far, or why not.
fn loading(lang: Lang, state: &DetectState, on_action: &Callback<DetectAction>) -> Html {
    let (phase, status) = match (&state.failed, state.loading, &state.loaded) {
        (Some(_), ..) => (Phase::Failed, t(lang, "detect.loading.failed")),
        (None, Some((loaded, total)), _) => (
            Phase::Loading,
            tf(
                lang,
                "detect.loading.status",
                &[("percent", &percent(loaded as f64 / total.max(1) as f64))],
            ),
        ),
        (None, None, Some(l)) => (
            Phase::Ready,
            tf(
                lang,
                "detect.loading.ready",
                &[
                    ("parameters", &group(l.backbone_parameters)),
                    ("train", &group(l.train_digits as u64)),
                    ("test", &group(l.test_digits as u64)),
                ],
            ),
        ),
        (None, None, None) => (Phase::Loading, t(lang, "detect.loading.waiting")),
    };
    let words = LoadWords {
        title: t(lang, "detect.loading.title"),
        status,
        error: state.failed.as_ref().map(|f| load_failure(lang, f)),
        retry: t(lang, "detect.loading.retry"),
    };
    let on_action = on_action.clone();
    html! {
        <LoadProgress id="detect-data" {phase} amount={state.loading} {words}
            on_retry={Callback::from(move |()| on_action.emit(DetectAction::Retry))} />
    }
}

fn settings_form(
    lang: Lang,
    state: &DetectState,
    on_action: &Callback<DetectAction>,
    head_node: NodeRef,
    level_node: NodeRef,
) -> Html {
    let settings = &state.settings;
    let many = state.level == Level::Many;
    let on_level = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Some(level) = Level::ALL.into_iter().find(|l| l.name() == select.value())
            {
                on_action.emit(DetectAction::SetLevel(level));
            }
        })
    };
    let on_settings = {
        let on_action = on_action.clone();
        Callback::from(move |s: DetectSettings| on_action.emit(DetectAction::SetSettings(s)))
    };
    let on_head = {
        let (on_settings, settings) = (on_settings.clone(), settings.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Some(head) = HeadKind::ALL
                    .into_iter()
                    .find(|h| h.name() == select.value())
            {
                on_settings.emit(DetectSettings {
                    head,
                    ..settings.clone()
                });
            }
        })
    };
    let number = |field: DetectField| {
        let (min, max) = field.range(settings);
        let hint = if field == DetectField::Unfreeze {
            tf(lang, "detect.hint.unfreeze", &[("max", &max.to_string())])
        } else {
            tf(
                lang,
                "controls.range",
                &[("min", &min.to_string()), ("max", &max.to_string())],
            )
        };
        let inputmode = if field == DetectField::Unfreeze {
            "text"
        } else {
            "decimal"
        };
        let on_action = on_action.clone();
        html! {
            <NumberField<DetectSettings>
                {lang}
                {field}
                label={t(lang, &format!("detect.field.{}", field.key()))}
                {hint}
                {inputmode}
                config={settings.clone()}
                on_change={on_settings.clone()}
                on_valid={Callback::from(move |valid| on_action.emit(DetectAction::FieldValid(field, valid)))}
            />
        }
    };
    html! {
        <form class="controls detect-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <div class="field">
                <label for="detect-level">{t(lang, "detect.field.level")}</label>
                <select id="detect-level" ref={level_node} onchange={on_level}>
                    { for Level::ALL.iter().map(|&l| html! {
                        <option value={l.name()} selected={l == state.level}>{t(lang, &format!("detect.level.{}", l.name()))}</option>
                    }) }
                </select>
            </div>
            // The multi-digit head has no head kind and no box weight of its own.
            <div class="field" hidden={many}>
                <label for="detect-head">{t(lang, "detect.field.head")}</label>
                <select id="detect-head" ref={head_node} onchange={on_head}>
                    { for HeadKind::ALL.iter().map(|&h| html! {
                        <option value={h.name()} selected={h == settings.head}>{t(lang, &format!("detect.head.{}", h.name()))}</option>
                    }) }
                </select>
            </div>
            { for DetectField::ALL.into_iter().filter(|&f| !(many && f == DetectField::BoxWeight)).map(number) }
        </form>
    }
}

/// The learner's canvas: a pad to draw on, and what the detector makes of it.
fn own_canvas(lang: Lang, state: &DetectState, on_action: &Callback<DetectAction>) -> Html {
    let on_drawn = {
        let on_action = on_action.clone();
        Callback::from(move |drawing: Option<Vec<f32>>| {
            let pixels = drawing.and_then(|d| to_canvas(&d, SIDE as usize, CANVAS));
            on_action.emit(DetectAction::Drawn(pixels));
        })
    };
    let many = state.shown_level() == Level::Many;
    let answer = match (&state.drawing, state.detected, state.detector) {
        (_, _, false) => {
            html! { <p class="muted" id="detect-own-status">{t(lang, "detect.own.no_detector")}</p> }
        }
        (None, ..) => {
            html! { <p class="muted" id="detect-own-status">{t(lang, "detect.own.empty")}</p> }
        }
        (Some(pixels), _, true) if many => match &state.detected_many {
            Some(detections) => own_answer(lang, pixels, detections),
            None => {
                html! { <p class="muted" id="detect-own-status">{t(lang, "detect.own.waiting")}</p> }
            }
        },
        (Some(_), None, true) => {
            html! { <p class="muted" id="detect-own-status">{t(lang, "detect.own.waiting")}</p> }
        }
        (Some(pixels), Some(prediction), true) => {
            let drawn = predicted_box(lang, &prediction);
            html! {
                <>
                    { boxed_canvas("detect-own-result".into(), CANVAS, pixels, &state.detected_heat, &[drawn], t(lang, "detect.own.result_label")) }
                    <p id="detect-own-status">{tf(lang, "detect.own.answer", &[
                        ("class", &prediction.class.to_string()),
                        ("confidence", &percent(prediction.confidence as f64)),
                    ])}</p>
                </>
            }
        }
    };
    html! {
        <section class="card detect-own" aria-labelledby="detect-own-title">
            <h2 id="detect-own-title">{t(lang, "detect.own.title")}</h2>
            <p>{tf(lang, if many { "detect.many.own_lead" } else { "detect.own.lead" }, &[("canvas", &CANVAS.to_string())])}</p>
            <div class="detect-own-row">
                <DrawingPad canvas_id="detect-pad" clear_id="detect-pad-clear"
                    canvas_label={t(lang, "detect.own.pad_label")} clear_label={t(lang, "detect.own.clear")}
                    drawn={state.drawing.is_some()} {on_drawn} />
                <div class="detect-own-answer">{answer}</div>
            </div>
        </section>
    }
}

#[component]
pub fn DetectPage(props: &Props) -> Html {
    let lang = props.lang;
    let state = &props.state;
    let on_action = &props.on_action;
    let head_node = use_synced_select(state.settings.head.name().to_string());
    let level_node = use_synced_select(state.level.name().to_string());
    let many = state.shown_level() == Level::Many;
    let act = |action: DetectAction| {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let (refused, problems) = state.problems();
    let messages: Vec<String> = refused
        .iter()
        .map(|key| tf(lang, "detect.refused", &[("key", key)]))
        .chain(problems.into_iter().map(|p| problem(lang, p)))
        .collect();
    let running = state.running;
    let done = state.is_finished();
    let status = if done {
        "detect.status.finished"
    } else if running {
        "detect.status.running"
    } else if state.run.is_some() {
        "run.paused"
    } else if state.asked.is_some() {
        "detect.status.starting"
    } else {
        "detect.status.idle"
    };
    let backbone: Rc<ResnetSettings> = Rc::new(
        state
            .loaded
            .as_ref()
            .map(|l| l.backbone.clone())
            .unwrap_or_default(),
    );
    let shown_settings = state.run.as_ref().map_or(&state.settings, |r| &r.settings);
    let diverged = state.diverged.map(|(step, good)| {
        let (step, good) = (step.to_string(), good.to_string());
        html! {
            <div id="detect-diverged" class="notice warning" role="alert">
                <p>{tf(lang, "detect.diverged", &[("step", &step), ("good", &good)])}</p>
                <button type="button" id="detect-roll-back" class="button" onclick={act(DetectAction::RollBack)}>
                    {tf(lang, "detect.roll_back", &[("good", &good)])}
                </button>
            </div>
        }
    });
    let checkpoint_step = state.checkpoints.latest_iterations();
    let on_kept = on_action.reform(|click| match click {
        KeptClick::Resume => DetectAction::ResumeKept,
        KeptClick::Keep => DetectAction::Kept(KeptAction::Keep),
    });
    let kept = kept_run(
        lang,
        DETECT,
        "detect",
        &state.kept,
        |run| run.checkpoint.step,
        state
            .run
            .as_ref()
            .filter(|r| r.steps > r.first)
            .map(|_| state.checkpoints.latest.is_some()),
        &on_kept,
    );

    html! {
        <div class="lesson detect">
            <section class="lesson-intro">
                <h1 id="page-title">{t(lang, "detect.title")}</h1>
                <p class="lead">{t(lang, "detect.lead")}</p>
                <p>{t(lang, "detect.intro")}{" "}
                    <a id="detect-transfer-link" href={Route::Transfer.href()}>{t(lang, "detect.transfer_link")}</a>
                </p>
            </section>
            <section class="card" aria-labelledby="detect-setup-title">
                <h2 id="detect-setup-title">{t(lang, "detect.setup.title")}</h2>
                { loading(lang, state, on_action) }
                if state.level == Level::Many {
                    <p class="notice" id="detect-level-many">{t(lang, "detect.many.explained")}</p>
                }
                { settings_form(lang, state, on_action, head_node, level_node) }
                if !messages.is_empty() {
                    <ul class="notice warning" id="detect-problems" role="alert">{ for messages.into_iter().map(|p| html! { <li>{p}</li> }) }</ul>
                }
                <p class="muted">{t(lang, "detect.setup.budget")}</p>
                if state.trains_further() {
                    <p class="notice" id="detect-further">{t(lang, "detect.further.note")}</p>
                }
                <div class="run-bar">
                    <button type="button" id="detect-run" class="button primary" disabled={!state.can_run()}
                        onclick={act(DetectAction::Run)}>
                        {t(lang, if state.trains_further() { "detect.further.run" } else { "detect.run" })}
                    </button>
                    if state.trains_further() {
                        <button type="button" id="detect-run-fresh" class="button" disabled={!state.can_run()}
                            onclick={act(DetectAction::RunFresh)}>{t(lang, "detect.further.fresh")}</button>
                    }
                    if state.run.is_some() && !done && state.detector {
                        <button type="button" id="detect-play" class={classes!("button", running.then_some("running"))}
                            onclick={act(if running { DetectAction::Pause } else { DetectAction::Play })}>
                            {t(lang, if running { "run.pause" } else { "run.play" })}
                        </button>
                    }
                    <span id="detect-status" class="status" role="status">{t(lang, status)}</span>
                </div>
                {diverged}
                if let Some(r) = &state.checkpoints.recovery {
                    <div id="detect-recovery" class="notice" role="status">{DETECT.recovery(lang, r)}</div>
                }
                {kept}
                if state.run.as_ref().is_some_and(|r| r.steps > r.first) {
                    <p id="detect-checkpoint" class="muted small" data-step={checkpoint_step.map(|s| s.to_string())}>
                        {DETECT.checkpoint_line(lang, checkpoint_step, state.checkpoints.unavailable.as_ref())}
                    </p>
                }
                if let Some(run) = &state.run {
                    { training(lang, run) }
                    if many {
                        { finished_many(lang, run) }
                    } else {
                        { finished(lang, run) }
                    }
                }
                if many {
                    { canvases_many(lang, &state.shown_many, state.detector, on_action) }
                } else {
                    { canvases(lang, &state.shown, state.detector, on_action) }
                }
            </section>
            if many {
                { design_many(lang, &backbone, shown_settings.hidden) }
            }
            { design(lang, &backbone, state.shown_level(), shown_settings.head, shown_settings.hidden) }
            { model_file(lang, state, on_action) }
            { own_canvas(lang, state, on_action) }
        </div>
    }
}
