//! The loss lesson's side panels: where the source article went wrong, and what happens at log(0).

use kindling_engine::common::input::format_vector;
use kindling_engine::lessons::article::{adversarial_as_printed, cce_as_printed};
use kindling_engine::lessons::losses::{EPSILON, LossKind, LossResult};
use yew::prelude::*;

use crate::format::{fmt_digits, fmt3};
use crate::i18n::{Lang, t, tf};
use crate::lessons::worked::{encode_value, examples};
use crate::route::{Route, format_hash};

fn lesson_link(query: &str) -> String {
    format_hash(Route::Losses, query)
}

pub fn article_panel(
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

pub fn stability_panel(lang: Lang) -> Html {
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
