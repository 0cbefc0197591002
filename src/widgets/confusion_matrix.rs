//! A confusion matrix as a table: rows are the true classes, columns the predicted ones, with
//! each row's accuracy.

use std::rc::Rc;

use yew::prelude::*;

use crate::format::percent;
use crate::i18n::fill;

/// The table's words, already in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionWords {
    /// Shown instead of the table while there are no counts.
    pub empty: String,
    pub caption: String,
    pub corner: String,
    pub row_accuracy: String,
    /// A cell's title, with `{count}`, `{label}` and `{predicted}`.
    pub cell: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub classes: usize,
    /// `classes × classes` counts, row by row (row: the true class); `None` before any.
    pub counts: Option<Rc<Vec<u32>>>,
    pub words: ConfusionWords,
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
    let words = &props.words;
    let n = props.classes;
    let Some(counts) = props.counts.as_ref() else {
        return html! {
            <div id={props.id.clone()} class="confusion empty">
                <p class="muted">{words.empty.clone()}</p>
            </div>
        };
    };
    let cell = |row: usize, col: usize| counts.get(row * n + col).copied().unwrap_or(0);
    html! {
        <div id={props.id.clone()} class="confusion table-scroll" tabindex="0">
            <table class="confusion-table">
                <caption>{words.caption.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="corner">{words.corner.clone()}</th>
                        { for (0..n).map(|col| html! { <th scope="col">{col}</th> }) }
                        <th scope="col">{words.row_accuracy.clone()}</th>
                    </tr>
                </thead>
                <tbody>
                    { for (0..n).map(|row| {
                        let total: u32 = (0..n).map(|col| cell(row, col)).sum();
                        let right = cell(row, row);
                        let accuracy = if total > 0 { right as f64 / total as f64 } else { f64::NAN };
                        html! {
                            <tr>
                                <th scope="row">{row}</th>
                                { for (0..n).map(|col| {
                                    let count = cell(row, col);
                                    html! {
                                        <td
                                            data-count={count.to_string()}
                                            class={classes!((row == col).then_some("diagonal"), (count == 0).then_some("zero"))}
                                            style={cell_style(count, total, row == col)}
                                            title={fill(&words.cell, &[("count", &count.to_string()), ("label", &row.to_string()), ("predicted", &col.to_string())])}
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
