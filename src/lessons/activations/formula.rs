//! Each activation function and its derivative as MathML.

use kindling_engine::lessons::activations::ActivationFn;
use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::widgets::math::{
    frac, math, mi, mn, mo, mspace, mtext, paren, piecewise, row, sqrt, sub, sum_over, sup,
};

fn fx(name: &str) -> Vec<Html> {
    vec![mi(name), mo("("), mi("x"), mo(")")]
}

fn e_pow(exponent: Vec<Html>) -> Html {
    sup(mi("e"), row(exponent))
}

pub fn formula(lang: Lang, function: ActivationFn) -> Html {
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
