//! The latest full evaluation as a 10 × 10 table: rows are the true digits, columns the
//! predicted ones, with each row's accuracy.

use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::cnn::state::FullEvaluation;
use crate::format::{group, percent};
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub evaluation: Option<Rc<FullEvaluation>>,
}

/// Cell colour: the share of its row, blue on the diagonal (right), red elsewhere (mistakes).
pub fn cell_style(count: u32, row_total: u32, diagonal: bool) -> String {
    let share = if row_total > 0 {
        count as f64 / row_total as f64
    } else {
        0.0
    };
    // Mistakes are rare: a square root makes a few of them visible.
    let alpha = if diagonal {
        share
    } else {
        share.sqrt().min(1.0)
    };
    let (r, g, b) = if diagonal {
        (8, 119, 189)
    } else {
        (180, 35, 24)
    };
    let text = if alpha > 0.55 { "#fff" } else { "inherit" };
    format!("background: rgba({r}, {g}, {b}, {alpha:.3}); color: {text}")
}

#[component]
pub fn ConfusionMatrix(props: &Props) -> Html {
    let lang = props.lang;
    let Some(full) = props.evaluation.as_ref() else {
        return html! {
            <div id="cnn-confusion" class="confusion empty">
                <p class="muted">{t(lang, "cnn.confusion.empty")}</p>
            </div>
        };
    };
    let confusion = &full.evaluation.confusion;
    let cell = |row: usize, col: usize| confusion.get(row * 10 + col).copied().unwrap_or(0);
    html! {
        <div id="cnn-confusion" class="confusion table-scroll">
            <table class="confusion-table">
                <caption>{tf(lang, "cnn.confusion.caption", &[
                    ("count", &group(full.evaluation.count as u64)),
                    ("step", &full.step.to_string()),
                    ("accuracy", &percent(full.evaluation.accuracy as f64)),
                ])}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="corner">{t(lang, "cnn.confusion.corner")}</th>
                        { for (0..10).map(|col| html! { <th scope="col">{col}</th> }) }
                        <th scope="col">{t(lang, "cnn.confusion.row_accuracy")}</th>
                    </tr>
                </thead>
                <tbody>
                    { for (0..10).map(|row| {
                        let total: u32 = (0..10).map(|col| cell(row, col)).sum();
                        let right = cell(row, row);
                        let accuracy = if total > 0 { right as f64 / total as f64 } else { f64::NAN };
                        html! {
                            <tr>
                                <th scope="row">{row}</th>
                                { for (0..10).map(|col| {
                                    let count = cell(row, col);
                                    html! {
                                        <td
                                            data-count={count.to_string()}
                                            class={classes!((row == col).then_some("diagonal"), (count == 0).then_some("zero"))}
                                            style={cell_style(count, total, row == col)}
                                            title={tf(lang, "cnn.confusion.cell", &[("count", &count.to_string()), ("label", &row.to_string()), ("predicted", &col.to_string())])}
                                        >
                                            {count}
                                        </td>
                                    }
                                }) }
                                <td class="row-accuracy">{percent(accuracy)}</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_shaded_by_their_share_of_the_row() {
        assert_eq!(
            cell_style(0, 0, true),
            "background: rgba(8, 119, 189, 0.000); color: inherit"
        );
        assert_eq!(
            cell_style(90, 100, true),
            "background: rgba(8, 119, 189, 0.900); color: #fff"
        );
        assert_eq!(
            cell_style(1, 100, false),
            "background: rgba(180, 35, 24, 0.100); color: inherit"
        );
    }
}
