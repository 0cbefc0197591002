//! MathML building blocks for display formulas.

use yew::prelude::*;

pub fn mi(s: &str) -> Html {
    html! { <mi>{s.to_string()}</mi> }
}
pub fn mo(s: &str) -> Html {
    html! { <mo>{s.to_string()}</mo> }
}
pub fn mn(s: &str) -> Html {
    html! { <mn>{s.to_string()}</mn> }
}
pub fn mtext(s: &str) -> Html {
    html! { <mtext>{s.to_string()}</mtext> }
}
pub fn row(children: Vec<Html>) -> Html {
    html! { <mrow>{ for children }</mrow> }
}
pub fn frac(a: Html, b: Html) -> Html {
    html! { <mfrac>{a}{b}</mfrac> }
}
pub fn sup(a: Html, b: Html) -> Html {
    html! { <msup>{a}{b}</msup> }
}
pub fn sub(a: Html, b: Html) -> Html {
    html! { <msub>{a}{b}</msub> }
}
pub fn sqrt(a: Html) -> Html {
    html! { <msqrt>{a}</msqrt> }
}
/// Σ with an index below.
pub fn sum_over(index: &str) -> Html {
    html! { <munder><mo>{"∑"}</mo>{mi(index)}</munder> }
}
/// `(content)` with stretchy parentheses.
pub fn paren(content: Vec<Html>) -> Html {
    row(vec![mo("("), row(content), mo(")")])
}
/// A display formula.
pub fn math(label: String, children: Vec<Html>) -> Html {
    html! {
        <math display="block" aria-label={label}>
            <mrow>{ for children }</mrow>
        </math>
    }
}
/// `{ value  if condition; value  otherwise }`.
pub fn piecewise(cases: Vec<(Html, Html)>) -> Html {
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
/// A wide space between two parts of a formula.
pub fn mspace() -> Html {
    html! { <mspace width="1em" /> }
}
