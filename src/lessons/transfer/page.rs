//! The transfer lesson's page: the backbone and the task, the settings, the four arms' run and
//! results, each arm's network, a worked example and a look inside.

use kindling_engine::lessons::transfer::config::{LABEL_CHOICES, Target, TransferSettings};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format::{group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::data_load::load_failure;
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::lessons::transfer::fields::TransferField;
use crate::lessons::transfer::inside::inside;
use crate::lessons::transfer::measured::MeasuredTables;
use crate::lessons::transfer::own::own_classes;
use crate::lessons::transfer::results::results;
use crate::lessons::transfer::state::{TransferAction, TransferState};
use crate::lessons::transfer::text::{CHECKPOINTS, arm_name, diverged, labels_text, problem};
use crate::lessons::transfer::widgets::network::network;
use crate::lessons::transfer::worked::{class_name, worked};
use crate::widgets::load_progress::{LoadProgress, LoadWords, Phase};
use crate::widgets::number_field::NumberField;
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: TransferState,
    pub on_action: Callback<TransferAction>,
}

/// The backbone and the data: what is loaded, how far, or why not.
fn loading(lang: Lang, state: &TransferState, on_action: &Callback<TransferAction>) -> Html {
    let (phase, status) = match (&state.failed, state.loaded, state.data) {
        (Some(_), ..) => (Phase::Failed, t(lang, "transfer.loading.failed")),
        (None, Some((loaded, total)), _) => (
            Phase::Loading,
            tf(
                lang,
                "transfer.loading.status",
                &[("percent", &percent(loaded as f64 / total.max(1) as f64))],
            ),
        ),
        (None, None, Some((_, train, test))) => (
            Phase::Ready,
            tf(
                lang,
                "transfer.loading.ready",
                &[
                    ("train", &group(train as u64)),
                    ("test", &group(test as u64)),
                ],
            ),
        ),
        (None, None, None) => (Phase::Loading, t(lang, "transfer.loading.waiting")),
    };
    let words = LoadWords {
        title: t(lang, "transfer.loading.title"),
        status,
        error: state.failed.as_ref().map(|f| load_failure(lang, f)),
        retry: t(lang, "transfer.loading.retry"),
    };
    let on_action = on_action.clone();
    html! {
        <LoadProgress id="transfer-data" {phase} amount={state.loaded} {words}
            on_retry={Callback::from(move |()| on_action.emit(TransferAction::Retry))} />
    }
}

fn backbone(lang: Lang, state: &TransferState) -> Html {
    let Some(b) = &state.backbone else {
        return html! {};
    };
    let digits: Vec<String> = b.classes.iter().map(|c| c.to_string()).collect();
    let accuracy = b
        .test_accuracy
        .map_or("—".to_string(), |a| percent(a as f64));
    html! {
        <p id="transfer-backbone">{tf(lang, "transfer.backbone", &[
            ("classes", &digits.join(", ")),
            ("steps", &group(b.steps)),
            ("parameters", &group(b.parameters)),
            ("accuracy", &accuracy),
        ])}</p>
    }
}

/// A `<select>` whose choice is a setting.
fn select(
    id: &'static str,
    label: String,
    node: NodeRef,
    options: Vec<(String, String, bool)>,
    on_pick: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
            on_pick.emit(select.value());
        }
    });
    html! {
        <div class="field">
            <label for={id}>{label}</label>
            <select {id} ref={node} {onchange}>
                { for options.into_iter().map(|(value, text, selected)| html! { <option {value} {selected}>{text}</option> }) }
            </select>
        </div>
    }
}

#[component]
pub fn TransferPage(props: &Props) -> Html {
    let lang = props.lang;
    let state = &props.state;
    let settings = &state.settings;
    let on_action = &props.on_action;
    let act = |action: TransferAction| {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_settings = {
        let on_action = on_action.clone();
        Callback::from(move |s: TransferSettings| on_action.emit(TransferAction::SetSettings(s)))
    };
    let pick = |change: fn(&mut TransferSettings, &str)| {
        let (on_settings, settings) = (on_settings.clone(), settings.clone());
        Callback::from(move |value: String| {
            let mut next = settings.clone();
            change(&mut next, &value);
            on_settings.emit(next);
        })
    };
    let target_node = use_synced_select(settings.target.name().to_string());
    let labels_node = use_synced_select(settings.labels_per_class.to_string());
    let targets = Target::ALL
        .map(|target| {
            let name = target.name();
            (
                name.to_string(),
                t(lang, &format!("transfer.target.{name}")),
                target == settings.target,
            )
        })
        .to_vec();
    let labels = LABEL_CHOICES
        .map(|n| {
            (
                n.to_string(),
                labels_text(lang, n),
                n == settings.labels_per_class,
            )
        })
        .to_vec();
    let number = |field: TransferField| {
        let (min, max) = field.range();
        let on_action = on_action.clone();
        html! {
            <NumberField<TransferSettings>
                {lang}
                {field}
                label={t(lang, &format!("transfer.field.{}", field.key()))}
                hint={tf(lang, "controls.range", &[("min", &min.to_string()), ("max", &max.to_string())])}
                config={settings.clone()}
                on_change={on_settings.clone()}
                on_valid={Callback::from(move |valid| on_action.emit(TransferAction::FieldValid(field, valid)))}
            />
        }
    };
    let problems: Vec<String> = state
        .refused
        .iter()
        .map(|key| tf(lang, "transfer.refused", &[("key", key)]))
        .chain(state.rejected.iter().map(|&p| problem(lang, p)))
        .collect();
    let finished = state.results.is_some();
    let running = state.running;
    let status = if finished {
        "transfer.status.finished"
    } else if running {
        "transfer.status.running"
    } else if state.started.is_some() {
        "run.paused"
    } else {
        "transfer.status.idle"
    };
    let shown = state
        .results
        .as_ref()
        .map_or(settings.target, |r| r.0.target);
    let names: Vec<String> = (0..shown.classes())
        .map(|i| class_name(lang, shown, i))
        .collect();
    let on_kept = on_action.reform(|click| match click {
        KeptClick::Resume => TransferAction::ResumeKept,
        KeptClick::Keep => TransferAction::Kept(KeptAction::Keep),
    });
    let kept = kept_run(
        lang,
        CHECKPOINTS,
        "transfer",
        &state.kept,
        |run| run.checkpoint.step(),
        state
            .started
            .is_some()
            .then_some(state.checkpoints.latest.is_some()),
        &on_kept,
    );

    html! {
        <div class="lesson transfer">
            <section class="lesson-intro">
                <h1 id="page-title">{t(lang, "transfer.title")}</h1>
                <p class="lead">{t(lang, "transfer.lead")}</p>
                <ol class="arm-list">
                    { for kindling_engine::lessons::transfer::Arm::ALL.iter().map(|&arm| html! {
                        <li><strong>{arm_name(lang, arm)}</strong>{": "}{t(lang, &format!("transfer.arm_explain.{}", arm.name()))}</li>
                    }) }
                </ol>
                <p id="transfer-detect">{t(lang, "transfer.detect_link.text")}{" "}
                    <a id="transfer-detect-link" href={crate::route::Route::Detect.href()}>{t(lang, "transfer.detect_link.go")}</a>
                </p>
            </section>
            <section class="card" aria-labelledby="transfer-setup-title">
                <h2 id="transfer-setup-title">{t(lang, "transfer.setup.title")}</h2>
                { backbone(lang, state) }
                { loading(lang, state, on_action) }
                <form class="controls transfer-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    { select("transfer-target", t(lang, "transfer.field.target"), target_node, targets,
                        pick(|s, v| s.target = Target::ALL.into_iter().find(|t| t.name() == v).unwrap_or(s.target))) }
                    { select("transfer-labels", t(lang, "transfer.field.labels"), labels_node, labels,
                        pick(|s, v| s.labels_per_class = v.parse().unwrap_or(s.labels_per_class))) }
                    { for TransferField::ALL.into_iter().map(number) }
                </form>
                if !problems.is_empty() {
                    <ul class="notice warning" id="transfer-problems" role="alert">{ for problems.into_iter().map(|p| html! { <li>{p}</li> }) }</ul>
                }
                <div class="run-bar">
                    <button type="button" id="transfer-run" class="button primary" disabled={!state.can_run()}
                        onclick={act(TransferAction::Run)}>{t(lang, "transfer.run")}</button>
                    if state.started.is_some() && !finished {
                        <button type="button" id="transfer-play" class={classes!("button", running.then_some("running"))}
                            onclick={act(if running { TransferAction::Pause } else { TransferAction::Play })}>
                            {t(lang, if running { "run.pause" } else { "run.play" })}
                        </button>
                    }
                    <span id="transfer-status" class="status" role="status">{t(lang, status)}</span>
                </div>
                if let Some(blown) = &state.diverged {
                    <div id="transfer-diverged" class="notice warning" role="alert">
                        <p>{diverged(lang, blown)}</p>
                        <button type="button" id="transfer-roll-back" class="button" onclick={act(TransferAction::RollBack)}>
                            {tf(lang, "transfer.roll_back", &[("good", &blown.good_step.to_string())])}
                        </button>
                    </div>
                }
                if let Some(step) = state.rolled_back {
                    <p id="transfer-rolled-back" class="notice" role="status">
                        {tf(lang, "transfer.rolled_back", &[("step", &step.to_string())])}
                    </p>
                }
                if let Some(recovery) = &state.checkpoints.recovery {
                    <div id="transfer-recovery" class="notice" role="status">{CHECKPOINTS.recovery(lang, recovery)}</div>
                }
                if state.started.is_some() || state.checkpoints.latest.is_some() {
                    <p id="transfer-checkpoint" class="muted small" data-step={state.checkpoints.latest_iterations().map(|s| s.to_string())}>
                        {CHECKPOINTS.checkpoint_line(lang, state.checkpoints.latest_iterations(), state.checkpoints.unavailable.as_ref())}
                    </p>
                }
                {kept}
                { results(lang, state) }
            </section>
            <MeasuredTables {lang} />
            if let Some(started) = &state.started {
                <section class="card" aria-labelledby="transfer-network-title">
                    <h2 id="transfer-network-title">{t(lang, "transfer.network.title")}</h2>
                    <p>{t(lang, "transfer.network.lead")}</p>
                    { for started.plans.iter().map(|(arm, plans)| network(lang, format!("transfer-network-{}", arm.name()), arm_name(lang, *arm), plans)) }
                </section>
            }
            if finished {
                { worked(lang, state, on_action) }
            }
            { inside(lang, state.inside.as_ref(), names) }
            { own_classes(lang, &state.own, on_action) }
        </div>
    }
}
