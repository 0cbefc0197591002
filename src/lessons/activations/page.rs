//! "Activation functions": pick a function, type inputs, and read f, f′ and every step in
//! between, as computed by the worker (burn, with autodiff), beside the formula's derivative and
//! what the source article printed.

use std::rc::Rc;

use kindling_engine::lessons::activations::{ActivationFn, ActivationRequest, ActivationResult};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::{fmt_digits, fmt3};
use crate::i18n::{Lang, t, tf};
use crate::lessons::activations::formula::formula;
use crate::lessons::activations::state::ActivationsState;
use crate::lessons::worked::{InputField, bad_input_text, examples, input_error_text};
use crate::lessons::worked_answer::LessonAnswer;
use crate::widgets::plot::FunctionPlot;
use crate::widgets::synced_select::use_synced_select;

/// |f′| below this is "saturated": the gradient barely moves the weights.
pub const SATURATION: f64 = 0.01;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub page: ActivationsState,
    pub answer: Option<Rc<LessonAnswer<ActivationRequest, ActivationResult>>>,
    pub on_change: Callback<ActivationsState>,
}

fn computed(
    answer: &Option<Rc<LessonAnswer<ActivationRequest, ActivationResult>>>,
) -> Option<(&ActivationRequest, &ActivationResult)> {
    answer.as_deref()?.computed()
}

#[component]
pub fn ActivationsPage(props: &Props) -> Html {
    let lang = props.lang;
    let page = &props.page;
    let current = page.request();

    let change = |update: fn(&ActivationsState, String) -> ActivationsState| {
        let on_change = props.on_change.clone();
        let page = page.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_change.emit(update(&page, input.value()));
        })
    };
    let on_x = change(|p, v| ActivationsState { x: v, ..p.clone() });
    let on_slope = change(|p, v| ActivationsState {
        slope: v,
        ..p.clone()
    });
    let on_min = change(|p, v| ActivationsState {
        min: v,
        ..p.clone()
    });
    let on_max = change(|p, v| ActivationsState {
        max: v,
        ..p.clone()
    });
    let on_fn = {
        let on_change = props.on_change.clone();
        let page = page.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(function) = ActivationFn::from_name(&select.value()) {
                on_change.emit(page.with_function(function));
            }
        })
    };
    let on_example = {
        let on_change = props.on_change.clone();
        let page = page.clone();
        Callback::from(move |_: MouseEvent| on_change.emit(page.with_function(page.function)))
    };

    // The problem to show: ours first, then the worker's answer to these very inputs.
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
    let x_invalid = matches!(&current, Err(b) if b.field == Some(InputField::X));
    let slope_invalid = matches!(&current, Err(b) if b.field == Some(InputField::Slope));

    let result = computed(&props.answer).filter(|(r, _)| r.function == page.function);
    let stale = result.is_some_and(|(r, _)| current.as_ref().ok() != Some(r));
    let name = page.function.name();

    let select_ref = use_synced_select(page.function.name().to_string());

    let controls = html! {
        <section class="card lesson-controls" aria-labelledby="act-controls-title">
            <h2 id="act-controls-title">{t(lang, "act.controls_title")}</h2>
            <div class="field">
                <label for="fn-select">{t(lang, "act.fn_label")}</label>
                <select id="fn-select" ref={select_ref} onchange={on_fn}>
                    { for ActivationFn::ALL.iter().map(|f| html! {
                        <option value={f.name()} selected={*f == page.function}>
                            {t(lang, &format!("act.fn.{}", f.name()))}
                        </option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="x-input">{t(lang, "act.x_label")}</label>
                <input
                    id="x-input"
                    type="text"
                    inputmode="decimal"
                    spellcheck="false"
                    value={page.x.clone()}
                    aria-invalid={x_invalid.to_string()}
                    aria-describedby="x-hint"
                    oninput={on_x}
                />
                <span id="x-hint" class="field-hint">{t(lang, "act.x_hint")}</span>
            </div>
            if page.function == ActivationFn::LeakyRelu {
                <div class="field">
                    <label for="slope-input">{t(lang, "act.slope_label")}</label>
                    <input
                        id="slope-input"
                        type="text"
                        inputmode="decimal"
                        value={page.slope.clone()}
                        aria-invalid={slope_invalid.to_string()}
                        oninput={on_slope}
                    />
                </div>
            }
            <div class="field-pair">
                <div class="field">
                    <label for="min-input">{t(lang, "act.min_label")}</label>
                    <input id="min-input" type="text" inputmode="decimal" value={page.min.clone()} oninput={on_min} />
                </div>
                <div class="field">
                    <label for="max-input">{t(lang, "act.max_label")}</label>
                    <input id="max-input" type="text" inputmode="decimal" value={page.max.clone()} oninput={on_max} />
                </div>
            </div>
            <p id="input-error" class="field-error" role="alert">{error.clone().unwrap_or_default()}</p>
            <button type="button" id="act-example" class="button" onclick={on_example}>
                {t(lang, "act.use_example")}
            </button>
        </section>
    };

    let formula_card = html! {
        <section class="card lesson-formula" aria-labelledby="act-formula-title">
            <h2 id="act-formula-title">{t(lang, "act.formula_title")}</h2>
            <div id="formula" class="formula" tabindex="0">{formula(lang, page.function)}</div>
            <p>{t(lang, &format!("act.about.{name}"))}</p>
        </section>
    };

    let body = match result {
        None => html! {
            <section class="card">
                <p id="act-waiting" class="muted">{t(lang, if error.is_some() { "lesson.fix_input" } else { "lesson.computing" })}</p>
            </section>
        },
        Some((request, result)) => results(lang, request, result, stale),
    };

    html! {
        <div class="lesson activations">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "act.title")}</h1>
                <p class="lead">{t(lang, "act.lead")}</p>
            </header>
            <div class="lesson-grid">
                {controls}
                {formula_card}
            </div>
            {body}
        </div>
    }
}

fn results(
    lang: Lang,
    request: &ActivationRequest,
    result: &ActivationResult,
    stale: bool,
) -> Html {
    let function = request.function;
    let name = function.name();
    let inputs = &request.inputs;
    let example = examples().and_then(|e| e.activation(function));
    let article = example.and_then(|e| {
        let values = e.article.as_ref()?;
        (e.inputs == *inputs && values.len() == inputs.len()).then_some((values, &e.article_wrong))
    });

    let xs = Rc::new(result.plot.xs.clone());
    let f = Rc::new(result.plot.ys.first().cloned().unwrap_or_default());
    let df = Rc::new(result.plot.ys.get(1).cloned().unwrap_or_default());
    let markers: Vec<(f64, f64)> = if function == ActivationFn::Softmax {
        inputs
            .first()
            .zip(result.outputs.first())
            .map(|(&x, &y)| (x, y))
            .into_iter()
            .collect()
    } else {
        inputs
            .iter()
            .copied()
            .zip(result.outputs.iter().copied())
            .collect()
    };
    let plot_caption = if function == ActivationFn::Softmax {
        t(lang, "act.plot_softmax")
    } else {
        t(lang, "act.plot_caption")
    };

    let cells = |values: &[f64], prefix: Option<&str>| -> Html {
        html! {
            { for (0..inputs.len()).map(|i| {
                let text = values.get(i).map(|v| fmt3(*v)).unwrap_or_default();
                match prefix {
                    Some(p) => html! { <td id={format!("{p}-{i}")}>{text}</td> },
                    None => html! { <td>{text}</td> },
                }
            }) }
        }
    };

    let saturated = result
        .autodiff
        .iter()
        .filter(|d| d.abs() < SATURATION)
        .count();
    let dead = result.autodiff.iter().filter(|d| **d == 0.0).count();
    let total = inputs.len().to_string();
    let learning_count = if function == ActivationFn::Relu {
        tf(
            lang,
            "act.learning.dead",
            &[("count", &dead.to_string()), ("total", &total)],
        )
    } else {
        tf(
            lang,
            "act.learning.saturated",
            &[("count", &saturated.to_string()), ("total", &total)],
        )
    };

    html! {
        <div class={classes!("lesson-results", stale.then_some("stale"))} aria-busy={stale.to_string()}>
            <section class="card" aria-labelledby="act-plot-title">
                <h2 id="act-plot-title">{t(lang, "act.plot_title")}</h2>
                <p class="muted">{plot_caption}</p>
                <FunctionPlot
                    {lang}
                    id="act-plot"
                    readout_id="plot-readout"
                    readout={t(lang, "act.readout")}
                    aria_label={t(lang, "act.plot_aria")}
                    {xs}
                    {f}
                    {df}
                    f_label={t(lang, "act.legend_f")}
                    df_label={t(lang, "act.legend_df")}
                    shade_below={Some(SATURATION)}
                    {markers}
                    {stale}
                />
            </section>
            <section class="card" aria-labelledby="worked-title">
                <h2 id="worked-title">{t(lang, "act.worked_title")}</h2>
                <p class="muted">{t(lang, "act.worked_intro")}</p>
                <div class="table-scroll" tabindex="0">
                    <table id="worked" class="worked">
                        <thead>
                            <tr>
                                <th scope="row">{"x"}</th>
                                { for inputs.iter().enumerate().map(|(i, x)| html! {
                                    <th scope="col" id={format!("x-{i}")}>{fmt_digits(*x, 3)}</th>
                                }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for result.steps.iter().map(|step| html! {
                                <tr class="step" data-step={step.key.clone()}>
                                    <th scope="row">{t(lang, &format!("act.step.{}", step.key))}</th>
                                    {cells(&step.values, None)}
                                </tr>
                            }) }
                            <tr class="output">
                                <th scope="row">{t(lang, "act.row.output")}</th>
                                {cells(&result.outputs, Some("out"))}
                            </tr>
                            <tr>
                                <th scope="row">{t(lang, "act.row.autodiff")}</th>
                                {cells(&result.autodiff, Some("grad"))}
                            </tr>
                            <tr>
                                <th scope="row">{t(lang, "act.row.analytic")}</th>
                                {cells(&result.analytic, Some("analytic"))}
                            </tr>
                            if let Some((printed, wrong)) = article {
                                <tr class="article-row">
                                    <th scope="row">{t(lang, "act.row.article")}</th>
                                    { for printed.iter().enumerate().map(|(i, v)| {
                                        let is_wrong = wrong.contains(&i);
                                        html! {
                                            <td
                                                id={format!("article-{i}")}
                                                class={classes!(is_wrong.then_some("wrong"))}
                                                title={is_wrong.then(|| t(lang, "act.article_wrong_title"))}
                                            >
                                                {fmt3(*v)}
                                            </td>
                                        }
                                    }) }
                                </tr>
                            }
                        </tbody>
                    </table>
                </div>
                if function == ActivationFn::Softmax {
                    <p class="muted">{t(lang, "act.softmax_grad_note")}</p>
                }
                if article.is_some() {
                    <p id="article-note" class="article-note">{t(lang, &format!("act.article_note.{name}"))}</p>
                }
            </section>
            <section id="learning" class="card" aria-labelledby="learning-title">
                <h2 id="learning-title">{t(lang, "act.learning_title")}</h2>
                <p>{t(lang, "act.learning.intro")}</p>
                <p id="saturation-count"><strong>{learning_count}</strong></p>
                <p id="zero-centred">{t(lang, &format!("act.zero_centred.{name}"))}</p>
            </section>
        </div>
    }
}
