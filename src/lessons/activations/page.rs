//! "Activation functions": pick a function, type inputs, and read f, f′ and every step in
//! between, as computed by the worker (burn, with autodiff), beside the formula's derivative and
//! what the source article printed.

use std::rc::Rc;

use kindling_engine::lessons::activations::{ActivationFn, ActivationRequest, ActivationResult};
use kindling_engine::protocol::{LessonRequest, LessonResult};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::widgets::synced_select::use_synced_select;
use crate::i18n::{Lang, t, tf};
use crate::lessons::worked_state::{
    ActivationsState, LessonAnswer, bad_input_text, examples, fmt_digits, fmt3, input_error_text,
};

/// |f′| below this is "saturated": the gradient barely moves the weights.
pub const SATURATION: f64 = 0.01;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub page: ActivationsState,
    pub answer: Option<Rc<LessonAnswer>>,
    pub on_change: Callback<ActivationsState>,
}

// ---------------------------------------------------------------------------------------------
// MathML helpers (shared with the loss lesson).

pub(crate) fn mi(s: &str) -> Html {
    html! { <mi>{s.to_string()}</mi> }
}
pub(crate) fn mo(s: &str) -> Html {
    html! { <mo>{s.to_string()}</mo> }
}
pub(crate) fn mn(s: &str) -> Html {
    html! { <mn>{s.to_string()}</mn> }
}
pub(crate) fn mtext(s: &str) -> Html {
    html! { <mtext>{s.to_string()}</mtext> }
}
pub(crate) fn row(children: Vec<Html>) -> Html {
    html! { <mrow>{ for children }</mrow> }
}
pub(crate) fn frac(a: Html, b: Html) -> Html {
    html! { <mfrac>{a}{b}</mfrac> }
}
pub(crate) fn sup(a: Html, b: Html) -> Html {
    html! { <msup>{a}{b}</msup> }
}
pub(crate) fn sub(a: Html, b: Html) -> Html {
    html! { <msub>{a}{b}</msub> }
}
pub(crate) fn sqrt(a: Html) -> Html {
    html! { <msqrt>{a}</msqrt> }
}
/// Σ with an index below.
pub(crate) fn sum_over(index: &str) -> Html {
    html! { <munder><mo>{"∑"}</mo>{mi(index)}</munder> }
}
/// `(content)` with stretchy parentheses.
pub(crate) fn paren(content: Vec<Html>) -> Html {
    row(vec![mo("("), row(content), mo(")")])
}
/// A display formula.
pub(crate) fn math(label: String, children: Vec<Html>) -> Html {
    html! {
        <math display="block" aria-label={label}>
            <mrow>{ for children }</mrow>
        </math>
    }
}
/// `{ value  if condition; value  otherwise }`.
pub(crate) fn piecewise(cases: Vec<(Html, Html)>) -> Html {
    html! {
        <mrow>
            <mo>{"{"}</mo>
            <mtable columnalign="left">
                { for cases.into_iter().map(|(value, condition)| html! {
                    <mtr><mtd>{value}</mtd><mtd>{condition}</mtd></mtr>
                }) }
            </mtable>
        </mrow>
    }
}

fn fx(name: &str) -> Vec<Html> {
    vec![mi(name), mo("("), mi("x"), mo(")")]
}

fn e_pow(exponent: Vec<Html>) -> Html {
    sup(mi("e"), row(exponent))
}

fn formula(lang: Lang, function: ActivationFn) -> Html {
    let label = t(lang, &format!("act.formula_aria.{}", function.name()));
    let x = || mi("x");
    let sigma = || mi("σ");
    let eq = || mo("=");
    match function {
        ActivationFn::Relu | ActivationFn::LeakyRelu => {
            let negative = if function == ActivationFn::Relu {
                mn("0")
            } else {
                row(vec![mi("α"), x()])
            };
            let mut f = fx("f");
            f.push(eq());
            f.push(piecewise(vec![
                (
                    x(),
                    row(vec![mtext(&t(lang, "math.if")), x(), mo(">"), mn("0")]),
                ),
                (negative, mtext(&t(lang, "math.otherwise"))),
            ]));
            let slope = if function == ActivationFn::Relu {
                mn("0")
            } else {
                mi("α")
            };
            let mut df = fx("f′");
            df.push(eq());
            df.push(piecewise(vec![
                (
                    mn("1"),
                    row(vec![mtext(&t(lang, "math.if")), x(), mo(">"), mn("0")]),
                ),
                (slope, mtext(&t(lang, "math.otherwise"))),
            ]));
            html! { <>{math(label.clone(), f)}{math(label, df)}</> }
        }
        ActivationFn::Sigmoid => {
            let mut f = fx("σ");
            f.push(eq());
            f.push(frac(
                mn("1"),
                row(vec![mn("1"), mo("+"), e_pow(vec![mo("−"), x()])]),
            ));
            let mut df = fx("σ′");
            df.push(eq());
            df.extend(vec![
                sigma(),
                paren(vec![x()]),
                paren(vec![mn("1"), mo("−"), sigma(), paren(vec![x()])]),
            ]);
            html! { <>{math(label.clone(), f)}{math(label, df)}</> }
        }
        ActivationFn::Tanh => {
            let mut f = vec![mi("tanh"), paren(vec![x()]), eq()];
            f.push(frac(
                row(vec![e_pow(vec![x()]), mo("−"), e_pow(vec![mo("−"), x()])]),
                row(vec![e_pow(vec![x()]), mo("+"), e_pow(vec![mo("−"), x()])]),
            ));
            let df = vec![
                mi("tanh′"),
                paren(vec![x()]),
                eq(),
                mn("1"),
                mo("−"),
                sup(mi("tanh"), mn("2")),
                paren(vec![x()]),
            ];
            html! { <>{math(label.clone(), f)}{math(label, df)}</> }
        }
        ActivationFn::Gelu => {
            let mut f = fx("GELU");
            f.extend(vec![eq(), x(), mi("Φ"), paren(vec![x()])]);
            let phi = vec![
                mi("Φ"),
                paren(vec![x()]),
                eq(),
                frac(mn("1"), mn("2")),
                paren(vec![
                    mn("1"),
                    mo("+"),
                    mi("erf"),
                    paren(vec![frac(x(), sqrt(mn("2")))]),
                ]),
            ];
            let mut df = fx("GELU′");
            df.extend(vec![
                eq(),
                mi("Φ"),
                paren(vec![x()]),
                mo("+"),
                x(),
                frac(
                    e_pow(vec![mo("−"), frac(sup(x(), mn("2")), mn("2"))]),
                    sqrt(row(vec![mn("2"), mi("π")])),
                ),
            ]);
            html! { <>{math(label.clone(), f)}{math(label.clone(), phi)}{math(label, df)}</> }
        }
        ActivationFn::Silu => {
            let mut f = fx("SiLU");
            f.extend(vec![eq(), x(), sigma(), paren(vec![x()])]);
            let mut df = fx("SiLU′");
            df.extend(vec![
                eq(),
                sigma(),
                paren(vec![x()]),
                paren(vec![
                    mn("1"),
                    mo("+"),
                    x(),
                    paren(vec![mn("1"), mo("−"), sigma(), paren(vec![x()])]),
                ]),
            ]);
            html! { <>{math(label.clone(), f)}{math(label, df)}</> }
        }
        ActivationFn::Softmax => {
            let xi = || sub(x(), mi("i"));
            let xj = || sub(x(), mi("j"));
            let si = || sub(mi("s"), mi("i"));
            let f = vec![
                si(),
                eq(),
                frac(
                    e_pow(vec![xi(), mo("−"), mi("m")]),
                    row(vec![sum_over("j"), e_pow(vec![xj(), mo("−"), mi("m")])]),
                ),
                mo(","),
                mspace(),
                mi("m"),
                eq(),
                sub(mi("max"), mi("j")),
                xj(),
            ];
            let df = vec![
                frac(row(vec![mo("∂"), si()]), row(vec![mo("∂"), xi()])),
                eq(),
                si(),
                paren(vec![mn("1"), mo("−"), si()]),
            ];
            html! { <>{math(label.clone(), f)}{math(label, df)}</> }
        }
    }
}

fn mspace() -> Html {
    html! { <mspace width="1em" /> }
}

// ---------------------------------------------------------------------------------------------
// The plot (shared with the loss lesson).

const W: f64 = 560.0;
const H: f64 = 300.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;

#[derive(Properties, PartialEq)]
pub struct PlotProps {
    pub lang: Lang,
    /// The SVG's id.
    pub id: AttrValue,
    /// The read-out's id.
    pub readout_id: AttrValue,
    /// Text key of the read-out, with `{x}`, `{f}` and `{df}`.
    pub readout_key: AttrValue,
    pub aria_label: AttrValue,
    pub xs: Rc<Vec<f64>>,
    /// The function and its derivative.
    pub f: Rc<Vec<f64>>,
    pub df: Rc<Vec<f64>>,
    pub f_label: AttrValue,
    pub df_label: AttrValue,
    /// Shade where |f′| < [`SATURATION`].
    #[prop_or_default]
    pub shade: bool,
    /// Points to mark on f.
    #[prop_or_default]
    pub markers: Vec<(f64, f64)>,
    /// A vertical line to mark (the current prediction).
    #[prop_or_default]
    pub vline: Option<f64>,
    /// Values beyond ± this are drawn at the edge.
    #[prop_or_default]
    pub y_clip: Option<f64>,
    #[prop_or_default]
    pub stale: bool,
}

fn axis_label(value: f64) -> String {
    if value.abs() >= 100.0 {
        fmt_digits(value, 0)
    } else if value.abs() >= 10.0 {
        fmt_digits(value, 1)
    } else {
        fmt_digits(value, 2)
    }
}

#[component]
pub fn LessonPlot(props: &PlotProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let svg_ref = use_node_ref();
    let xs = &props.xs;
    let n = xs.len();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let (x_lo, x_hi) = match (xs.first(), xs.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        _ => (0.0, 1.0),
    };
    let clip = props.y_clip.unwrap_or(f64::INFINITY);
    let finite = props
        .f
        .iter()
        .chain(props.df.iter())
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-clip, clip));
    let (mut y_lo, mut y_hi) = finite.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if y_hi - y_lo < 1e-9 {
        y_lo -= 1.0;
        y_hi += 1.0;
    }
    let pad = (y_hi - y_lo) * 0.06;
    let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);
    let sx = move |x: f64| LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w;
    let sy = move |y: f64| {
        let y = if y.is_nan() { 0.0 } else { y.clamp(y_lo, y_hi) };
        TOP + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h
    };
    let line = |ys: &[f64]| {
        xs.iter()
            .zip(ys)
            .filter(|(_, y)| !y.is_nan())
            .map(|(&x, &y)| format!("{:.2},{:.2}", sx(x), sy(y)))
            .collect::<Vec<_>>()
            .join(" ")
    };

    // Runs of samples where |f′| is tiny, as x intervals.
    let mut shaded: Vec<(f64, f64)> = Vec::new();
    if props.shade && n > 1 {
        let half = (x_hi - x_lo) / (n - 1) as f64 / 2.0;
        let mut start: Option<usize> = None;
        for i in 0..=n {
            let flat = i < n && props.df.get(i).is_some_and(|d| d.abs() < SATURATION);
            match (flat, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    shaded.push(((xs[s] - half).max(x_lo), (xs[i - 1] + half).min(x_hi)));
                    start = None;
                }
                _ => {}
            }
        }
    }

    let pick = {
        let hover = hover.clone();
        let svg_ref = svg_ref.clone();
        let xs = props.xs.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(svg) = svg_ref.cast::<web_sys::Element>() else {
                return;
            };
            let width = svg.client_width() as f64;
            if width <= 0.0 || xs.is_empty() {
                return;
            }
            let vx = e.offset_x() as f64 * W / width;
            let x = x_lo + (vx - LEFT) / plot_w * (x_hi - x_lo);
            let nearest = xs
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs()))
                .map(|(i, _)| i);
            hover.set(nearest);
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let on_key = {
        let hover = hover.clone();
        Callback::from(move |e: KeyboardEvent| {
            if n == 0 {
                return;
            }
            let current = hover.unwrap_or(n / 2).min(n - 1);
            let next = match e.key().as_str() {
                "ArrowLeft" => current.saturating_sub(1),
                "ArrowRight" => (current + 1).min(n - 1),
                _ => return,
            };
            e.prevent_default();
            hover.set(Some(next));
        })
    };

    let lang = props.lang;
    let selected = hover.filter(|&i| i < n);
    let readout = match selected {
        Some(i) => tf(
            lang,
            &props.readout_key,
            &[
                ("x", &fmt3(xs[i])),
                ("f", &fmt3(props.f.get(i).copied().unwrap_or(f64::NAN))),
                ("df", &fmt3(props.df.get(i).copied().unwrap_or(f64::NAN))),
            ],
        ),
        None => t(lang, "plot.readout_hint"),
    };
    let mut x_ticks = vec![x_lo, x_hi];
    if x_lo < 0.0 && x_hi > 0.0 {
        x_ticks.push(0.0);
    }
    let mut y_ticks = vec![y_lo + pad, y_hi - pad];
    if y_lo < 0.0 && y_hi > 0.0 {
        y_ticks.push(0.0);
    }
    let s = |v: f64| format!("{v:.2}");

    html! {
        <figure class={classes!("lesson-figure", props.stale.then_some("stale"))}>
            <svg
                id={props.id.clone()}
                ref={svg_ref}
                class="lesson-plot"
                viewBox={format!("0 0 {W} {H}")}
                role="img"
                tabindex="0"
                aria-label={props.aria_label.clone()}
                onmousemove={pick}
                onmouseleave={on_leave}
                onkeydown={on_key}
            >
                <rect class="chart-bg" x={s(LEFT)} y={s(TOP)} width={s(plot_w)} height={s(plot_h)} />
                { for shaded.iter().map(|&(a, b)| html! {
                    <rect class="saturated" x={s(sx(a))} y={s(TOP)} width={s((sx(b) - sx(a)).max(0.5))} height={s(plot_h)} />
                }) }
                { for y_ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={s(LEFT)} x2={s(LEFT + plot_w)} y1={s(sy(v))} y2={s(sy(v))} />
                        <text x={s(LEFT - 6.0)} y={s(sy(v))} text-anchor="end" dominant-baseline="middle">{axis_label(v)}</text>
                    </g>
                }) }
                { for x_ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={s(sx(v))} x2={s(sx(v))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                        <text x={s(sx(v))} y={s(TOP + plot_h + 16.0)} text-anchor="middle">{axis_label(v)}</text>
                    </g>
                }) }
                <line class="axis" x1={s(LEFT)} x2={s(LEFT)} y1={s(TOP)} y2={s(TOP + plot_h)} />
                <line class="axis" x1={s(LEFT)} x2={s(LEFT + plot_w)} y1={s(TOP + plot_h)} y2={s(TOP + plot_h)} />
                if let Some(v) = props.vline.filter(|v| (x_lo..=x_hi).contains(v)) {
                    <line class="current" x1={s(sx(v))} x2={s(sx(v))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                }
                <polyline class="curve df" points={line(&props.df)} />
                <polyline class="curve f" points={line(&props.f)} />
                { for props.markers.iter().filter(|(x, y)| (x_lo..=x_hi).contains(x) && y.is_finite()).map(|&(x, y)| html! {
                    <circle class="marker" cx={s(sx(x))} cy={s(sy(y))} r="4" />
                }) }
                if let Some(i) = selected {
                    <line class="hover-line" x1={s(sx(xs[i]))} x2={s(sx(xs[i]))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                    <circle class="hover-dot f" cx={s(sx(xs[i]))} cy={s(sy(props.f.get(i).copied().unwrap_or(f64::NAN)))} r="4" />
                    <circle class="hover-dot df" cx={s(sx(xs[i]))} cy={s(sy(props.df.get(i).copied().unwrap_or(f64::NAN)))} r="4" />
                }
            </svg>
            <figcaption class="chart-legend">
                <span class="legend-item"><span class="line-swatch f" aria-hidden="true" />{props.f_label.clone()}</span>
                <span class="legend-item"><span class="line-swatch df" aria-hidden="true" />{props.df_label.clone()}</span>
                if props.shade {
                    <span class="legend-item"><span class="swatch saturated" aria-hidden="true" />{t(lang, "plot.saturated")}</span>
                }
            </figcaption>
            <p id={props.readout_id.clone()} class="plot-readout" aria-live="polite">{readout}</p>
        </figure>
    }
}

// ---------------------------------------------------------------------------------------------
// The page.

fn computed(answer: &Option<Rc<LessonAnswer>>) -> Option<(&ActivationRequest, &ActivationResult)> {
    let answer = answer.as_ref()?;
    match (&answer.request, &answer.result) {
        (LessonRequest::Activation(request), Ok(LessonResult::Activation(result))) => {
            Some((request, result))
        }
        _ => None,
    }
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
                (LessonRequest::Activation(r), Err(e)) if r == request => {
                    Some(input_error_text(lang, e))
                }
                _ => None,
            }),
    };
    let x_invalid =
        matches!(&current, Err(b) if b.field == Some(crate::lessons::worked_state::InputField::X));
    let slope_invalid =
        matches!(&current, Err(b) if b.field == Some(crate::lessons::worked_state::InputField::Slope));

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
            <div id="formula" class="formula">{formula(lang, page.function)}</div>
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
                <LessonPlot
                    {lang}
                    id="act-plot"
                    readout_id="plot-readout"
                    readout_key="act.readout"
                    aria_label={t(lang, "act.plot_aria")}
                    {xs}
                    {f}
                    {df}
                    f_label={t(lang, "act.legend_f")}
                    df_label={t(lang, "act.legend_df")}
                    shade=true
                    {markers}
                    {stale}
                />
            </section>
            <section class="card" aria-labelledby="worked-title">
                <h2 id="worked-title">{t(lang, "act.worked_title")}</h2>
                <p class="muted">{t(lang, "act.worked_intro")}</p>
                <div class="table-scroll">
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
