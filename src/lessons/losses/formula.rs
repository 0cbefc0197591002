//! Each loss as MathML.

use kindling_engine::lessons::losses::LossKind;
use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::widgets::math::{frac, math, mi, mn, mo, paren, row, sub, sum_over, sup};

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

pub fn formula(lang: Lang, kind: LossKind) -> Html {
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
