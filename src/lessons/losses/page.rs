//! "Loss functions": a loss step by step, its gradient by autodiff and by formula, the loss as
//! one prediction sweeps, what happens at log(0), and where the source article went wrong.

use std::rc::Rc;

use kindling_engine::common::input::{format_vector, parse_vector};
use kindling_engine::common::number::parse_f64;
use kindling_engine::lessons::losses::{EPSILON, LossKind, LossRequest, LossResult};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::{fmt_digits, fmt3};
use crate::i18n::{Lang, t, tf};
use crate::lessons::losses::formula::formula;
use crate::lessons::losses::panels::{article_panel, stability_panel};
use crate::lessons::losses::state::LossesState;
use crate::lessons::worked::{InputField, bad_input_text, input_error_text};
use crate::lessons::worked_answer::LessonAnswer;
use crate::widgets::plot::FunctionPlot;
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub page: LossesState,
    pub answer: Option<Rc<LessonAnswer<LossRequest, LossResult>>>,
    pub on_change: Callback<LossesState>,
}

fn computed(
    answer: &Option<Rc<LessonAnswer<LossRequest, LossResult>>>,
) -> Option<(&LossRequest, &LossResult)> {
    answer.as_deref()?.computed()
}

/// Sliders over [0, 1], one per value, editing `text` in place.
fn sliders(
    lang: Lang,
    prefix: &'static str,
    label_key: &str,
    text: &str,
    on_text: Callback<String>,
) -> Html {
    let Ok(values) = parse_vector(text) else {
        return html! {};
    };
    if values.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return html! {};
    }
    html! {
        <div class="sliders" id={format!("{prefix}-sliders")}>
            { for values.iter().enumerate().map(|(i, &v)| {
                let on_text = on_text.clone();
                let values = values.clone();
                let oninput = Callback::from(move |e: InputEvent| {
                    let input: HtmlInputElement = e.target_unchecked_into();
                    if let Some(new) = parse_f64(&input.value()) {
                        let mut values = values.clone();
                        values[i] = new;
                        on_text.emit(format_vector(&values));
                    }
                });
                let id = format!("{prefix}-slider-{i}");
                html! {
                    <div class="slider-row">
                        <label for={id.clone()}>{tf(lang, label_key, &[("index", &(i + 1).to_string())])}</label>
                        <input {id} type="range" min="0" max="1" step="0.01" value={v.to_string()} {oninput} />
                        <output>{fmt_digits(v, 2)}</output>
                    </div>
                }
            }) }
        </div>
    }
}

#[component]
pub fn LossesPage(props: &Props) -> Html {
    let lang = props.lang;
    let page = &props.page;
    let kind = page.loss;
    let name = kind.name();
    let current = page.request();

    let set_pred = {
        let on_change = props.on_change.clone();
        let page = page.clone();
        Callback::from(move |pred: String| {
            on_change.emit(LossesState {
                pred,
                ..page.clone()
            })
        })
    };
    let set_target = {
        let on_change = props.on_change.clone();
        let page = page.clone();
        Callback::from(move |target: String| {
            on_change.emit(LossesState {
                target,
                ..page.clone()
            })
        })
    };
    let typed = |set: Callback<String>| {
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            set.emit(input.value());
        })
    };
    let on_loss = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(loss) = LossKind::from_name(&select.value()) {
                on_change.emit(LossesState::for_loss(loss));
            }
        })
    };
    let on_example = {
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| on_change.emit(LossesState::for_loss(kind)))
    };

    let error = match &current {
        Err(bad) => Some(bad_input_text(lang, bad)),
        Ok(request) => props
            .answer
            .as_ref()
            .and_then(|a| match (&a.request, &a.result) {
                (r, Err(e)) if r == request => Some(input_error_text(lang, e)),
                _ => None,
            }),
    };
    let invalid = |field: InputField| matches!(&current, Err(b) if b.field == Some(field));

    let pred_label = t(lang, &format!("loss.pred_label.{name}"));
    let target_label = t(lang, &format!("loss.target_label.{name}"));

    let select_ref = use_synced_select(kind.name().to_string());

    let controls = html! {
        <section class="card lesson-controls" aria-labelledby="loss-controls-title">
            <h2 id="loss-controls-title">{t(lang, "loss.controls_title")}</h2>
            <div class="field">
                <label for="loss-select">{t(lang, "loss.select_label")}</label>
                <select id="loss-select" ref={select_ref} onchange={on_loss}>
                    { for LossKind::ALL.iter().map(|l| html! {
                        <option value={l.name()} selected={*l == kind}>
                            {t(lang, &format!("loss.name.{}", l.name()))}
                        </option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="pred-input">{pred_label.clone()}</label>
                <input
                    id="pred-input"
                    type="text"
                    inputmode="decimal"
                    spellcheck="false"
                    value={page.pred.clone()}
                    aria-invalid={invalid(InputField::Pred).to_string()}
                    oninput={typed(set_pred.clone())}
                />
            </div>
            if kind.predictions_are_probabilities() {
                {sliders(lang, "pred", &format!("loss.slider_label.{name}"), &page.pred, set_pred.clone())}
            }
            if kind.has_targets() {
                <div class="field">
                    <label for="target-input">{target_label.clone()}</label>
                    <input
                        id="target-input"
                        type="text"
                        inputmode="decimal"
                        spellcheck="false"
                        value={page.target.clone()}
                        aria-invalid={invalid(InputField::Target).to_string()}
                        oninput={typed(set_target.clone())}
                    />
                </div>
                if kind == LossKind::GanD {
                    {sliders(lang, "target", "loss.slider_label.fake", &page.target, set_target.clone())}
                }
            }
            <p id="input-error" class="field-error" role="alert">{error.clone().unwrap_or_default()}</p>
            <button type="button" id="loss-example" class="button" onclick={on_example.clone()}>
                {t(lang, "loss.use_example")}
            </button>
        </section>
    };

    let formula_card = html! {
        <section class="card lesson-formula" aria-labelledby="loss-formula-title">
            <h2 id="loss-formula-title">{t(lang, "loss.formula_title")}</h2>
            <div id="formula" class="formula" tabindex="0">{formula(lang, kind)}</div>
            <p>{t(lang, &format!("loss.about.{name}"))}</p>
        </section>
    };

    let result = computed(&props.answer).filter(|(r, _)| r.loss == kind);
    let stale = result.is_some_and(|(r, _)| current.as_ref().ok() != Some(r));
    let body = match result {
        None => html! {
            <section class="card">
                <p id="loss-waiting" class="muted">{t(lang, if error.is_some() { "lesson.fix_input" } else { "lesson.computing" })}</p>
            </section>
        },
        Some((request, result)) => {
            results(lang, request, result, stale, &pred_label, &target_label)
        }
    };
    // The article panel speaks about the example's value only when the result is for it.
    let example_value = result
        .filter(|_| !stale && page.is_example())
        .map(|(_, res)| res);

    html! {
        <div class="lesson losses">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "loss.title")}</h1>
                <p class="lead">{t(lang, "loss.lead")}</p>
            </header>
            <div class="lesson-grid">
                {controls}
                {formula_card}
            </div>
            {body}
            {article_panel(lang, kind, example_value, on_example)}
            {stability_panel(lang)}
        </div>
    }
}

fn results(
    lang: Lang,
    request: &LossRequest,
    result: &LossResult,
    stale: bool,
    pred_label: &str,
    target_label: &str,
) -> Html {
    let kind = request.loss;
    let columns = request.predictions.len().max(request.targets.len()).max(
        result
            .steps
            .iter()
            .map(|s| s.values.len())
            .max()
            .unwrap_or(0),
    );
    let cells = |values: &[f64], prefix: Option<&str>| -> Html {
        html! {
            { for (0..columns).map(|i| {
                let text = values.get(i).map(|v| fmt3(*v)).unwrap_or_default();
                match (prefix, values.get(i)) {
                    (Some(p), Some(_)) => html! { <td id={format!("{p}-{i}")}>{text}</td> },
                    _ => html! { <td>{text}</td> },
                }
            }) }
        }
    };
    let xs = Rc::new(result.sweep.xs.clone());
    let f = Rc::new(result.sweep.ys.first().cloned().unwrap_or_default());
    let df = Rc::new(result.sweep.ys.get(1).cloned().unwrap_or_default());
    let epsilon = format!("{EPSILON:e}");

    html! {
        <div class={classes!("lesson-results", stale.then_some("stale"))} aria-busy={stale.to_string()}>
            <section class="card" aria-labelledby="loss-value-title">
                <h2 id="loss-value-title">{t(lang, "loss.value_title")}</h2>
                <p class="loss-values">
                    <span class="loss-main">
                        {t(lang, "loss.value_label")}{" "}
                        <strong id="loss-value">{fmt3(result.loss)}</strong>
                    </span>
                    <span class="loss-clamped-wrap">
                        {tf(lang, "loss.clamped_label", &[("epsilon", &epsilon)])}{" "}
                        <strong id="loss-clamped">{fmt3(result.clamped)}</strong>
                    </span>
                </p>
                <div class="table-scroll" tabindex="0">
                    <table id="loss-steps" class="worked">
                        <thead>
                            <tr>
                                <th scope="col">{t(lang, "loss.col.quantity")}</th>
                                { for (0..columns).map(|i| html! { <th scope="col">{format!("{}", i + 1)}</th> }) }
                            </tr>
                        </thead>
                        <tbody>
                            <tr>
                                <th scope="row">{pred_label.to_string()}</th>
                                {cells(&request.predictions, Some("pred"))}
                            </tr>
                            if kind.has_targets() {
                                <tr>
                                    <th scope="row">{target_label.to_string()}</th>
                                    {cells(&request.targets, Some("target"))}
                                </tr>
                            }
                            { for result.steps.iter().map(|step| html! {
                                <tr class="step" data-step={step.key.clone()}>
                                    <th scope="row">{t(lang, &format!("loss.step.{}", step.key))}</th>
                                    {cells(&step.values, None)}
                                </tr>
                            }) }
                            <tr>
                                <th scope="row">{t(lang, "loss.row.grad_autodiff")}</th>
                                {cells(&result.grad_autodiff, Some("lgrad"))}
                            </tr>
                            <tr>
                                <th scope="row">{t(lang, "loss.row.grad_analytic")}</th>
                                {cells(&result.grad_analytic, Some("lanalytic"))}
                            </tr>
                            if kind == LossKind::GanD {
                                <tr>
                                    <th scope="row">{t(lang, "loss.row.grad_fake_autodiff")}</th>
                                    {cells(&result.grad_targets_autodiff, Some("lgrad-fake"))}
                                </tr>
                                <tr>
                                    <th scope="row">{t(lang, "loss.row.grad_fake_analytic")}</th>
                                    {cells(&result.grad_targets_analytic, Some("lanalytic-fake"))}
                                </tr>
                            }
                        </tbody>
                    </table>
                </div>
                <p class="muted">{t(lang, &format!("loss.grad_note.{}", kind.name()))}</p>
            </section>
            <section class="card" aria-labelledby="loss-plot-title">
                <h2 id="loss-plot-title">{t(lang, "loss.plot_title")}</h2>
                <p class="muted">{t(lang, "loss.plot_caption")}</p>
                <FunctionPlot
                    {lang}
                    id="loss-plot"
                    readout_id="loss-readout"
                    readout={t(lang, "loss.readout")}
                    aria_label={t(lang, "loss.plot_aria")}
                    {xs}
                    {f}
                    {df}
                    f_label={t(lang, "loss.legend_f")}
                    df_label={t(lang, "loss.legend_df")}
                    vline={request.predictions.first().copied()}
                    y_clip={Some(10.0)}
                    {stale}
                />
            </section>
        </div>
    }
}
