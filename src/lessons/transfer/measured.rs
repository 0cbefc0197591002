//! The measured table: every arm's test accuracy for each number of labels per class, on both
//! targets, as the engine measured it natively (`static/transfer/table-<target>.json`, written by
//! `engine/examples/transfer_table.rs` and checked by `engine/tests/transfer_table.rs`).

use kindling_engine::lessons::transfer::config::Target;
use kindling_engine::lessons::transfer::table::MeasuredTable;
use yew::prelude::*;

use crate::format::{group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::transfer::text::{arm_name, labels_text};

/// Relative, so that the site works from any sub-path.
pub fn url(target: Target) -> String {
    format!("static/{}", MeasuredTable::file(target))
}

/// The settings the table was measured with, in words.
pub fn settings_text(lang: Lang, table: &MeasuredTable) -> String {
    let s = &table.settings;
    tf(
        lang,
        "transfer.measured.settings",
        &[
            ("steps", &s.steps.to_string()),
            ("batch", &s.batch.to_string()),
            ("lr", &s.learning_rate.to_string()),
            ("blr", &s.backbone_multiplier.to_string()),
            ("head", &s.head_first.to_string()),
            ("seed", &s.seed.to_string()),
            ("backend", &table.backend),
        ],
    )
}

/// One target's table: a row per number of labels per class, a column per arm.
pub fn table(lang: Lang, table: &MeasuredTable) -> Html {
    let target = table.target.name();
    html! {
        <figure class="measured" id={format!("transfer-measured-{target}")}>
            <figcaption>
                <strong>{t(lang, &format!("transfer.target.{target}"))}</strong>{" — "}{settings_text(lang, table)}
            </figcaption>
            <div class="table-scroll" tabindex="0">
            <table class="worked">
                <thead><tr>
                    <th scope="col">{t(lang, "transfer.measured.labels")}</th>
                    <th scope="col">{t(lang, "transfer.measured.images")}</th>
                    { for table.arms.iter().map(|&arm| html! { <th scope="col">{arm_name(lang, arm)}</th> }) }
                </tr></thead>
                <tbody>
                    { for table.rows.iter().map(|row| html! {
                        <tr data-labels={row.labels_per_class.to_string()}>
                            <th scope="row">{labels_text(lang, row.labels_per_class)}</th>
                            <td>{group(row.train_images as u64)}</td>
                            { for row.accuracy.iter().zip(&table.arms).map(|(&a, arm)| html! {
                                <td class="accuracy" data-arm={arm.name()}>{percent(a as f64)}</td>
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
            <p class="muted measured-command"><code>{table.command.clone()}</code></p>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
}

/// Both targets' tables, fetched from the site when the page opens; a failed fetch is said.
#[component]
pub fn MeasuredTables(props: &Props) -> Html {
    let lang = props.lang;
    let tables = use_state(|| None::<Vec<(Target, Result<MeasuredTable, String>)>>);
    {
        let tables = tables.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let mut fetched = Vec::new();
                for target in Target::ALL {
                    fetched.push((target, crate::json::fetch(&url(target)).await));
                }
                tables.set(Some(fetched));
            });
        });
    }
    html! {
        <section class="card" aria-labelledby="transfer-measured-title" id="transfer-measured">
            <h2 id="transfer-measured-title">{t(lang, "transfer.measured.title")}</h2>
            <p>{t(lang, "transfer.measured.lead")}</p>
            { match &*tables {
                None => html! { <p class="muted">{t(lang, "transfer.measured.loading")}</p> },
                Some(tables) => tables.iter().map(|(target, fetched)| match fetched {
                    Ok(measured) => table(lang, measured),
                    Err(message) => html! {
                        <p class="notice warning" role="alert">{tf(lang, "transfer.measured.failed", &[
                            ("target", &t(lang, &format!("transfer.target.{}", target.name()))),
                            ("message", message),
                        ])}</p>
                    },
                }).collect::<Html>(),
            } }
            <p>{t(lang, "transfer.measured.reading")}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(target: Target) -> MeasuredTable {
        let path = format!(
            "{}/static/{}",
            env!("CARGO_MANIFEST_DIR"),
            MeasuredTable::file(target)
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        crate::json::from_str(&text).unwrap()
    }

    #[test]
    fn the_shipped_tables_read_and_show_every_arm_and_size() {
        for target in Target::ALL {
            let measured = shipped(target);
            assert_eq!(measured.target, target);
            assert_eq!(measured.settings.target, target);
            let sizes: Vec<u32> = measured.rows.iter().map(|r| r.labels_per_class).collect();
            assert_eq!(
                sizes,
                kindling_engine::lessons::transfer::config::LABEL_CHOICES
            );
            for row in &measured.rows {
                assert_eq!(row.accuracy.len(), measured.arms.len());
            }
            for lang in [Lang::En, Lang::Zh] {
                let words = settings_text(lang, &measured);
                assert!(
                    words.contains(&measured.settings.steps.to_string()),
                    "{words}"
                );
                assert!(!words.contains('{'), "{words}");
            }
        }
    }
}
