//! The page's "your own classes" section: name the classes, give each examples (drawn or
//! uploaded), fine-tune the backbone on them, test it on a new drawing, save or load it.

use kindling_engine::lessons::transfer::own::{
    MAX_EXAMPLES, MAX_UPLOAD_BYTES, MIN_EXAMPLES, UploadProblem,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::{fmt3, group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::transfer::own_state::{
    FileNote, MAX_MODEL_BYTES, OwnAction, OwnState, STEP_CHOICES, drawn_example,
};
use crate::lessons::transfer::own_text::{card_rows, file_note, own_problem, upload_problem};
use crate::lessons::transfer::state::TransferAction;
use crate::lessons::transfer::text::OWN_CHECKPOINTS;
use crate::lessons::transfer::widgets::examples::{
    ExampleCallbacks, ExampleWords, Limits, examples,
};
use crate::services::file_read::{self, Chosen};
use crate::widgets::drawing_pad::{Drawing, DrawingPad, SIDE};
use crate::widgets::softmax_bars::{BarWords, SoftmaxBars, argmax};

type Act = Callback<OwnAction>;

fn emit<T: 'static>(act: &Act, make: impl Fn(T) -> OwnAction + 'static) -> Callback<T> {
    let act = act.clone();
    Callback::from(move |value: T| act.emit(make(value)))
}

fn click(act: &Act, action: OwnAction) -> Callback<MouseEvent> {
    emit(act, move |_: MouseEvent| action.clone())
}

fn prepared(drawing: Option<Drawing>) -> Option<Vec<u8>> {
    drawn_example(&drawing?, SIDE as usize)
}

fn problem_list(id: &'static str, items: Vec<String>) -> Html {
    if items.is_empty() {
        return html! {};
    }
    html! {
        <ul class="notice warning" {id} role="alert">
            { for items.into_iter().map(|p| html! { <li>{p}</li> }) }
        </ul>
    }
}

fn names_step(lang: Lang, own: &OwnState, act: &Act) -> Html {
    let oninput = emit(act, |e: InputEvent| {
        let text = e
            .target_dyn_into::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default();
        OwnAction::EditNames(text)
    });
    let draft = crate::lessons::transfer::own_state::split_names(&own.draft);
    let problems = own
        .draft_problems
        .iter()
        .map(|p| own_problem(lang, &draft, p))
        .collect();
    let label = if own.has_classes() {
        "transfer.own.names.change"
    } else {
        "transfer.own.names.set"
    };
    html! {
        <div class="own-step">
            <h3>{t(lang, "transfer.own.names.title")}</h3>
            <form class="own-names" onsubmit={emit(act, |e: SubmitEvent| { e.prevent_default(); OwnAction::SetNames })}>
                <div class="field">
                    <label for="own-names">{t(lang, "transfer.own.names.label")}</label>
                    <input id="own-names" type="text" value={own.draft.clone()} {oninput}
                        placeholder="+, −, ×, ÷, =" autocomplete="off"
                        aria-invalid={(!own.draft_problems.is_empty()).to_string()} />
                    <p class="field-hint">{t(lang, "transfer.own.names.hint")}</p>
                </div>
                <button type="submit" id="own-names-set" class="button primary"
                    disabled={!own.draft_problems.is_empty() || (own.has_classes() && !own.names_changed())}>
                    {t(lang, label)}
                </button>
            </form>
            { problem_list("own-name-problems", problems) }
            if own.has_classes() && own.names_changed() && own.draft_problems.is_empty() {
                <p class="muted small">{t(lang, "transfer.own.names.keep")}</p>
            }
        </div>
    }
}

fn examples_step(lang: Lang, own: &OwnState, act: &Act) -> Html {
    let words = ExampleWords {
        add: t(lang, "transfer.own.examples.add"),
        upload: t(lang, "transfer.own.examples.upload"),
        count: t(lang, "transfer.own.examples.count"),
        example: t(lang, "transfer.own.examples.example"),
        remove: t(lang, "transfer.own.examples.remove"),
        none: t(lang, "transfer.own.examples.none"),
    };
    let callbacks = ExampleCallbacks {
        on_add: emit(act, OwnAction::AddDrawing),
        on_remove: emit(act, |(class, index)| OwnAction::Remove { class, index }),
        on_upload: emit(act, |(class, files)| OwnAction::Upload { class, files }),
        on_too_large: emit(act, |bytes: u64| {
            OwnAction::UploadRefused(UploadProblem::HugeFile {
                bytes: bytes as usize,
            })
        }),
        on_unreadable: emit(act, |_: String| {
            OwnAction::UploadRefused(UploadProblem::Unreadable)
        }),
    };
    let limits = Limits {
        min: MIN_EXAMPLES,
        max: MAX_EXAMPLES,
        max_bytes: MAX_UPLOAD_BYTES as u64,
    };
    let upload = own.upload_refused.map(|p| upload_problem(lang, p));
    html! {
        <div class="own-step">
            <h3>{t(lang, "transfer.own.examples.title")}</h3>
            <p>{tf(lang, "transfer.own.examples.lead", &[("min", &MIN_EXAMPLES.to_string()), ("max", &MAX_EXAMPLES.to_string())])}</p>
            <div class="own-examples">
                <DrawingPad
                    key={own.pad.to_string()}
                    canvas_id="own-canvas"
                    clear_id="own-clear"
                    canvas_label={t(lang, "transfer.own.examples.canvas_aria")}
                    clear_label={t(lang, "transfer.own.clear")}
                    drawn={own.drawing.is_some()}
                    on_drawn={emit(act, |d: Option<Drawing>| OwnAction::Drawn(prepared(d)))}
                />
                { examples(&words, &own.names, &own.examples, own.drawing.is_some(), limits, &callbacks) }
            </div>
            <p id="own-upload-message" class={classes!("own-upload-message", upload.is_some().then_some("error"))}
                role={if upload.is_some() { "alert" } else { "status" }}>
                {upload.unwrap_or_default()}
            </p>
        </div>
    }
}

fn train_step(lang: Lang, own: &OwnState, act: &Act) -> Html {
    let onchange = emit(act, |e: Event| {
        let steps = e
            .target_dyn_into::<HtmlSelectElement>()
            .and_then(|s| s.value().parse().ok())
            .unwrap_or(STEP_CHOICES[1]);
        OwnAction::SetSteps(steps)
    });
    let waiting: Vec<String> = own
        .problems
        .iter()
        .chain(&own.rejected)
        .map(|p| own_problem(lang, &own.names, p))
        .collect();
    let more = own.has_model();
    let status = match (&own.progress, &own.model) {
        (Some((step, target, loss)), _) if own.running => tf(
            lang,
            "transfer.own.train.running",
            &[
                ("step", &group(*step)),
                ("target", &group(*target)),
                ("loss", &fmt3(*loss as f64)),
            ],
        ),
        _ if own.running => t(lang, "transfer.own.train.starting"),
        (_, Some(model)) if more => tf(
            lang,
            "transfer.own.train.done",
            &[
                ("steps", &group(model.steps)),
                (
                    "accuracy",
                    &model
                        .accuracy
                        .map_or("—".to_string(), |a| percent(a as f64)),
                ),
            ],
        ),
        _ => t(lang, "transfer.own.train.idle"),
    };
    let accuracy = own
        .model
        .as_ref()
        .and_then(|m| m.accuracy)
        .filter(|_| more && !own.running);
    html! {
        <div class="own-step">
            <h3>{t(lang, "transfer.own.train.title")}</h3>
            <p>{t(lang, "transfer.own.train.lead")}</p>
            { problem_list("own-problems", waiting) }
            <div class="run-bar">
                <div class="field inline">
                    <label for="own-steps">{t(lang, "transfer.own.train.steps")}</label>
                    <select id="own-steps" {onchange}>
                        { for STEP_CHOICES.iter().map(|&n| html! {
                            <option value={n.to_string()} selected={n == own.settings.steps}>{n}</option>
                        }) }
                    </select>
                </div>
                <button type="button" id="own-train" class="button primary" disabled={!own.can_train()}
                    onclick={click(act, OwnAction::Train)}>
                    {t(lang, if more { "transfer.own.train.more" } else { "transfer.own.train.start" })}
                </button>
                if let Some((step, target, _)) = own.progress {
                    <progress id="own-progress" max={target.to_string()} value={step.to_string()} />
                }
                <span id="own-status" class="status" role="status"
                    data-running={own.running.to_string()}
                    data-accuracy={accuracy.map(|a| a.to_string())}>{status}</span>
            </div>
            if let Some((step, good)) = own.diverged {
                <div id="own-diverged" class="notice warning" role="alert">
                    <p>{tf(lang, "transfer.own.diverged", &[("step", &group(step)), ("good", &group(good))])}</p>
                    <button type="button" id="own-roll-back" class="button"
                        onclick={click(act, OwnAction::RollBack)}>
                        {tf(lang, "transfer.own.roll_back", &[("good", &group(good))])}
                    </button>
                </div>
            }
            if let Some(recovery) = &own.checkpoints.recovery {
                <div id="own-recovery" class="notice" role="status">{OWN_CHECKPOINTS.recovery(lang, recovery)}</div>
            }
            if own.progress.is_some() || own.checkpoints.latest.is_some() {
                <p id="own-checkpoint" class="muted small" data-step={own.checkpoints.latest_iterations().map(|s| s.to_string())}>
                    {OWN_CHECKPOINTS.checkpoint_line(lang, own.checkpoints.latest_iterations(), own.checkpoints.unavailable.as_ref())}
                </p>
            }
        </div>
    }
}

fn test_step(lang: Lang, own: &OwnState, act: &Act) -> Html {
    let predicted = own.prediction.as_deref().and_then(argmax);
    let answer = match (&own.prediction, own.test_drawing.is_some()) {
        _ if !own.has_model() => {
            html! { <p class="muted">{t(lang, "transfer.own.test.no_model")}</p> }
        }
        (_, false) => html! { <p class="muted">{t(lang, "transfer.own.test.hint")}</p> },
        (None, true) => html! { <p class="muted">{t(lang, "transfer.own.test.thinking")}</p> },
        (Some(probabilities), true) => {
            let words = BarWords {
                aria: t(lang, "transfer.own.test.aria"),
                row: t(lang, "transfer.own.test.row"),
                truth: String::new(),
            };
            let name = predicted
                .and_then(|i| own.names.get(i))
                .cloned()
                .unwrap_or_default();
            let p = predicted
                .and_then(|i| probabilities.get(i))
                .copied()
                .unwrap_or(0.0);
            html! {
                <>
                    <p class="big-digit" aria-live="polite">
                        <span class="big-digit-value">{name}</span>
                        <span class="muted">{tf(lang, "transfer.own.test.sure", &[("p", &percent(p as f64))])}</span>
                    </p>
                    <SoftmaxBars words={words} probabilities={probabilities.clone()} names={own.names.clone()} />
                </>
            }
        }
    };
    html! {
        <div class="own-step">
            <h3>{t(lang, "transfer.own.test.title")}</h3>
            <div class="draw own-test">
                <DrawingPad
                    canvas_id="own-test-canvas"
                    clear_id="own-test-clear"
                    canvas_label={t(lang, "transfer.own.test.canvas_aria")}
                    clear_label={t(lang, "transfer.own.clear")}
                    drawn={own.test_drawing.is_some()}
                    on_drawn={emit(act, |d: Option<Drawing>| OwnAction::TestDrawn(prepared(d)))}
                />
                <div id="own-prediction" class="draw-answer"
                    data-class={predicted.filter(|_| own.prediction.is_some()).map(|i| i.to_string())}>
                    {answer}
                </div>
            </div>
        </div>
    }
}

fn file_step(lang: Lang, own: &OwnState, act: &Act) -> Html {
    let on_file = {
        let act = act.clone();
        file_read::on_file_chosen(
            MAX_MODEL_BYTES,
            Callback::from(move |chosen| match chosen {
                Chosen::Reading { .. } => {}
                Chosen::Read(bytes) => act.emit(OwnAction::Import(bytes)),
                Chosen::TooLarge { bytes } => {
                    act.emit(OwnAction::FileNote(FileNote::TooLarge { bytes }))
                }
                Chosen::Unreadable(message) => {
                    act.emit(OwnAction::FileNote(FileNote::Unreadable(message)))
                }
            }),
        )
    };
    let refused = matches!(&own.file_note, Some(n) if !matches!(n, FileNote::Loaded { .. }));
    html! {
        <div class="own-step">
            <h3>{t(lang, "transfer.own.file.title")}</h3>
            <p class="muted">{t(lang, "transfer.own.file.lead")}</p>
            <div class="model-actions">
                <button type="button" id="own-export" class="button" disabled={!own.has_model()}
                    onclick={click(act, OwnAction::Export)}>{t(lang, "transfer.own.file.save")}</button>
            </div>
            <div class="field upload-field">
                <label for="own-import">{t(lang, "transfer.own.file.load")}</label>
                <input id="own-import" type="file" accept=".safetensors" onchange={on_file} />
            </div>
            <p id="own-file-message" class={classes!("model-message", refused.then_some("error"))}
                role={if refused { "alert" } else { "status" }}>
                {own.file_note.as_ref().map(|n| file_note(lang, n)).unwrap_or_default()}
            </p>
            if let Some(card) = &own.card {
                <dl id="own-card" class="model-card-list">
                    { for card_rows(lang, card).into_iter().map(|(k, v)| html! { <div class="card-row"><dt>{k}</dt><dd>{v}</dd></div> }) }
                </dl>
            }
        </div>
    }
}

/// The whole section.
pub fn own_classes(lang: Lang, own: &OwnState, on_action: &Callback<TransferAction>) -> Html {
    let act: Act = on_action.reform(TransferAction::Own);
    html! {
        <section class="card own" id="own" aria-labelledby="own-title">
            <h2 id="own-title">{t(lang, "transfer.own.title")}</h2>
            <p class="lead">{t(lang, "transfer.own.lead")}</p>
            { names_step(lang, own, &act) }
            if own.has_classes() {
                { examples_step(lang, own, &act) }
                { train_step(lang, own, &act) }
                { test_step(lang, own, &act) }
            }
            { file_step(lang, own, &act) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_pad_gives_no_example() {
        assert_eq!(prepared(None), None);
        assert_eq!(prepared(Some(vec![0.0; (SIDE * SIDE) as usize])), None);
    }
}
