//! "Loss functions": a loss step by step, its gradient by autodiff and by formula, the loss as
//! one prediction sweeps, what happens at log(0), and where the source article went wrong.

use std::rc::Rc;

use kindling_engine::common::article::{adversarial_as_printed, cce_as_printed};
use kindling_engine::common::input::format_vector;
use kindling_engine::lessons::losses::{EPSILON, LossKind, LossRequest, LossResult};
use kindling_engine::common::input::parse_vector;
use kindling_engine::protocol::{LessonRequest, LessonResult};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::lessons::activations::page::{
    LessonPlot, frac, math, mi, mn, mo, paren, row, sub, sum_over, sup,
};
use crate::widgets::synced_select::use_synced_select;
use crate::i18n::{Lang, t, tf};
use crate::lessons::worked_state::{
    InputField, LessonAnswer, LossesState, bad_input_text, encode_value, examples, fmt_digits,
    fmt3, input_error_text,
};
use crate::route::{Route, format_hash};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub page: LossesState,
    pub answer: Option<Rc<LessonAnswer>>,
    pub on_change: Callback<LossesState>,
}

fn ln(arg: Vec<Html>) -> Html {
    row(vec![mi("ln"), paren(arg)])
}

fn d_of(arg: Vec<Html>) -> Html {
    row(vec![mi("D"), paren(arg)])
}

fn d_g_z() -> Html {
    d_of(vec![mi("G"), paren(vec![sub(mi("z"), mi("i"))])])
}

fn mean(count: &str) -> Html {
    row(vec![frac(mn("1"), mi(count)), sum_over("i")])
}

fn formula(lang: Lang, kind: LossKind) -> Html {
    let label = t(lang, &format!("loss.formula_aria.{}", kind.name()));
    let i = |name: &str| sub(mi(name), mi("i"));
    let k = |name: &str| sub(mi(name), mi("k"));
    let eq = || mo("=");
    let bracket = |content: Vec<Html>| row(vec![mo("["), row(content), mo("]")]);
    match kind {
        LossKind::Mse => math(
            label,
            vec![
                mi("MSE"),
                eq(),
                mean("n"),
                sup(paren(vec![i("ŷ"), mo("−"), i("y")]), mn("2")),
            ],
        ),
        LossKind::Bce => math(
            label,
            vec![
                mi("BCE"),
                eq(),
                mo("−"),
                mean("n"),
                bracket(vec![
                    i("y"),
                    ln(vec![i("p")]),
                    mo("+"),
                    paren(vec![mn("1"), mo("−"), i("y")]),
                    ln(vec![mn("1"), mo("−"), i("p")]),
                ]),
            ],
        ),
        LossKind::Cce => math(
            label,
            vec![
                mi("CCE"),
                eq(),
                mo("−"),
                sum_over("k"),
                k("y"),
                ln(vec![k("p")]),
            ],
        ),
        LossKind::CceLogits => {
            let softmax = math(
                label.clone(),
                vec![
                    k("p"),
                    eq(),
                    frac(
                        sup(mi("e"), k("z")),
                        row(vec![sum_over("j"), sup(mi("e"), sub(mi("z"), mi("j")))]),
                    ),
                ],
            );
            let loss = math(
                label,
                vec![
                    mi("CCE"),
                    eq(),
                    mo("−"),
                    sum_over("k"),
                    k("y"),
                    paren(vec![
                        k("z"),
                        mo("−"),
                        ln(vec![sum_over("j"), sup(mi("e"), sub(mi("z"), mi("j")))]),
                    ]),
                ],
            );
            html! { <>{softmax}{loss}</> }
        }
        LossKind::GanD => math(
            label,
            vec![
                sub(mi("L"), mi("D")),
                eq(),
                mo("−"),
                bracket(vec![
                    mean("n"),
                    ln(vec![d_of(vec![i("x")])]),
                    mo("+"),
                    mean("m"),
                    ln(vec![mn("1"), mo("−"), d_g_z()]),
                ]),
            ],
        ),
        LossKind::GanGMinimax => math(
            label,
            vec![
                sub(mi("L"), mi("G")),
                eq(),
                mean("m"),
                ln(vec![mn("1"), mo("−"), d_g_z()]),
            ],
        ),
        LossKind::GanGNs => math(
            label,
            vec![
                sub(mi("L"), mi("G")),
                eq(),
                mo("−"),
                mean("m"),
                ln(vec![d_g_z()]),
            ],
        ),
    }
}

fn computed(answer: &Option<Rc<LessonAnswer>>) -> Option<(&LossRequest, &LossResult)> {
    let answer = answer.as_ref()?;
    match (&answer.request, &answer.result) {
        (LessonRequest::Loss(request), Ok(LessonResult::Loss(result))) => Some((request, result)),
        _ => None,
    }
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
                    if let Ok(new) = input.value().parse::<f64>() {
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

fn lesson_link(query: &str) -> String {
    format_hash(Route::Losses, query)
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
                (LessonRequest::Loss(r), Err(e)) if r == request => Some(input_error_text(lang, e)),
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
            <div id="formula" class="formula">{formula(lang, kind)}</div>
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
                <div class="table-scroll">
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
                <LessonPlot
                    {lang}
                    id="loss-plot"
                    readout_id="loss-readout"
                    readout_key="loss.readout"
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

fn article_panel(
    lang: Lang,
    kind: LossKind,
    example_value: Option<&LossResult>,
    on_example: Callback<MouseEvent>,
) -> Html {
    let Some(examples) = examples() else {
        return html! {};
    };
    let example = examples.loss(kind);
    let cross_entropy = matches!(kind, LossKind::Bce | LossKind::Cce);
    let printed = example.filter(|e| e.article_wrong).and_then(|e| e.article);
    if printed.is_none() && !cross_entropy {
        return html! {};
    }
    let name = kind.name();

    let value_line = match (printed, example_value) {
        (Some(printed), Some(result)) => html! {
            <p id="article-value" class="article-value">
                {tf(lang, "loss.article.value", &[("printed", &fmt3(printed)), ("value", &fmt3(result.loss))])}
            </p>
        },
        (Some(_), None) => html! {
            <p class="muted">
                {t(lang, "loss.article.load_hint")}{" "}
                <button type="button" id="article-load" class="button small" onclick={on_example}>
                    {t(lang, "loss.use_example")}
                </button>
            </p>
        },
        _ => html! {},
    };

    let detail = match kind {
        LossKind::Mse => {
            let terms = example_value
                .and_then(|r| r.steps.iter().find(|s| s.key == "squared"))
                .map(|s| {
                    s.values
                        .iter()
                        .map(|v| fmt_digits(*v, 2))
                        .collect::<Vec<_>>()
                        .join(" + ")
                });
            match terms {
                Some(terms) => html! {
                    <p>{tf(lang, "loss.article.mse", &[("terms", &terms), ("n", &example_value.map(|r| r.steps.first().map(|s| s.values.len()).unwrap_or(0)).unwrap_or(0).to_string())])}</p>
                },
                None => html! { <p>{t(lang, "loss.article.mse_short")}</p> },
            }
        }
        LossKind::Bce | LossKind::Cce => {
            let e = &examples.article_expressions.cce_as_printed;
            let bce_link = lesson_link(&format!(
                "loss=bce&pred={}&target={}",
                encode_value(&format_vector(&e.log_args)),
                encode_value(&format_vector(&e.labels))
            ));
            let cce = examples.loss(LossKind::Cce);
            let cce_link = lesson_link(&format!(
                "loss=cce&pred={}&target={}",
                encode_value(
                    &cce.map(|c| format_vector(&c.predictions))
                        .unwrap_or_default()
                ),
                encode_value(&cce.map(|c| format_vector(&c.targets)).unwrap_or_default())
            ));
            let here = example_value.map(|r| fmt3(r.loss));
            html! {
                <>
                    <p>{t(lang, "loss.article.cce_shapes")}</p>
                    <p>
                        {tf(lang, "loss.article.cce_printed", &[("printed", &fmt3(e.article))])}{" "}
                        <strong id="article-printed-eval">{fmt3(cce_as_printed(e))}</strong>
                    </p>
                    <p>{t(lang, "loss.article.cce_nearest")}</p>
                    <ul>
                        <li>
                            <a id="article-bce-link" href={bce_link}>{t(lang, "loss.article.as_bce")}</a>
                            if let (LossKind::Bce, Some(v)) = (kind, here.clone()) {
                                {" = "}<strong id="article-bce-value">{v}</strong>
                            }
                        </li>
                        <li>
                            <a id="article-cce-link" href={cce_link}>{t(lang, "loss.article.as_cce")}</a>
                            if let (LossKind::Cce, Some(v)) = (kind, here) {
                                {" = "}<strong id="article-cce-value">{v}</strong>
                            }
                        </li>
                    </ul>
                </>
            }
        }
        LossKind::GanD => {
            let e = &examples.article_expressions.adversarial_as_printed;
            html! {
                <>
                    <p>{t(lang, "loss.article.gan")}</p>
                    <p>
                        {tf(lang, "loss.article.gan_printed", &[("printed", &fmt3(e.article))])}{" "}
                        <strong id="article-printed-eval">{fmt3(adversarial_as_printed(e))}</strong>
                    </p>
                    <p>{t(lang, "loss.article.gan_fix")}</p>
                </>
            }
        }
        _ => html! {},
    };

    html! {
        <section id="article-panel" class="card article-panel" aria-labelledby="article-title">
            <h2 id="article-title">{t(lang, "loss.article.title")}</h2>
            <p class="muted">{t(lang, &format!("loss.article.intro.{}", if cross_entropy { "cce" } else { name }))}</p>
            {value_line}
            {detail}
        </section>
    }
}

fn stability_panel(lang: Lang) -> Html {
    let epsilon = format!("{EPSILON:e}");
    let logits = lesson_link("loss=cce_logits");
    let bce_edge = lesson_link("loss=bce&pred=0,0.4,0.4&target=1,0,1");
    html! {
        <section id="stability" class="card" aria-labelledby="stability-title">
            <h2 id="stability-title">{t(lang, "loss.stability.title")}</h2>
            <p>{t(lang, "loss.stability.log0")}</p>
            <p>{tf(lang, "loss.stability.clamp", &[("epsilon", &epsilon)])}</p>
            <p>
                {t(lang, "loss.stability.try")}{" "}
                <a id="stability-try" href={bce_edge}>{t(lang, "loss.stability.try_link")}</a>
            </p>
            <p>
                {t(lang, "loss.stability.logits")}{" "}
                <a id="stability-logits" href={logits}>{t(lang, "loss.name.cce_logits")}</a>
            </p>
        </section>
    }
}
