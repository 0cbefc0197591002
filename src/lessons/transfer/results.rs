//! What the four arms did: their live test accuracy, the final table, accuracy against labels
//! per class over the runs of this visit, and the sentence that says what it shows.

use kindling_engine::lessons::transfer::config::{Arm, ArmResult};
use yew::prelude::*;

use crate::format::{duration, fmt3, group, percent};
use crate::i18n::{Lang, t};
use crate::lessons::transfer::state::TransferState;
use crate::lessons::transfer::text::{arm_name, verdict};
use crate::lessons::transfer::widgets::lines::{Axes, Line, lines};

fn line(lang: Lang, arm: Arm, points: Vec<(f64, f64)>) -> Line {
    Line {
        class: arm.name(),
        label: arm_name(lang, arm),
        points,
    }
}

/// Each arm's accuracy on the first test images, against its steps.
pub fn curves(lang: Lang, state: &TransferState) -> Html {
    let arm_lines: Vec<Line> = Arm::ALL
        .iter()
        .map(|&arm| {
            let points = state.curves.get(&arm).map_or(Vec::new(), |points| {
                points
                    .iter()
                    .map(|p| (p.step as f64, p.accuracy as f64))
                    .collect()
            });
            line(lang, arm, points)
        })
        .collect();
    let steps = state.started.as_ref().map_or(0, |s| s.settings.steps);
    let axes = Axes {
        id: "transfer-curves",
        aria_label: t(lang, "transfer.curves.aria"),
        x_label: t(lang, "transfer.curves.x"),
        log_x: false,
        ticks: vec![(0.0, "0".to_string()), (steps as f64, steps.to_string())],
    };
    lines(axes, arm_lines)
}

fn row(lang: Lang, result: &ArmResult) -> Html {
    html! {
        <tr data-arm={result.arm.name()}>
            <th scope="row">{arm_name(lang, result.arm)}</th>
            <td class="accuracy">{percent(result.accuracy as f64)}</td>
            <td>{fmt3(result.loss as f64)}</td>
            <td>{result.steps.to_string()}</td>
            <td>{group(result.trained)}</td>
            <td>{group(result.frozen)}</td>
            <td>{duration(result.elapsed_ms)}</td>
        </tr>
    }
}

/// The finished run's results, one row an arm.
pub fn table(lang: Lang, results: &[ArmResult]) -> Html {
    let heads = [
        "arm", "accuracy", "loss", "steps", "trained", "frozen", "time",
    ];
    html! {
        <table id="transfer-results" class="worked">
            <thead><tr>{ for heads.iter().map(|h| html! { <th scope="col">{t(lang, &format!("transfer.table.{h}"))}</th> }) }</tr></thead>
            <tbody>{ for results.iter().map(|r| row(lang, r)) }</tbody>
        </table>
    }
}

/// Test accuracy against labelled examples per class (log scale), one line per arm, for the
/// runs of this visit on the current target.
pub fn by_labels(lang: Lang, state: &TransferState) -> Html {
    let target = state.settings.target;
    let measured: Vec<_> = state
        .by_labels
        .iter()
        .filter(|m| m.target == target)
        .collect();
    let arm_lines: Vec<Line> = Arm::ALL
        .iter()
        .map(|&arm| {
            let points = measured
                .iter()
                .filter(|m| m.arm == arm)
                .map(|m| (m.per_class as f64, m.accuracy as f64))
                .collect();
            line(lang, arm, points)
        })
        .collect();
    let mut ticks: Vec<(f64, String)> = measured
        .iter()
        .map(|m| (m.per_class as f64, m.per_class.to_string()))
        .collect();
    ticks.dedup();
    let axes = Axes {
        id: "transfer-by-labels",
        aria_label: t(lang, "transfer.by_labels.aria"),
        x_label: t(lang, "transfer.by_labels.x"),
        log_x: true,
        ticks,
    };
    lines(axes, arm_lines)
}

/// The comparison's results: curves, then (when the run is finished) the sentence and table,
/// then the plot over sizes.
pub fn results(lang: Lang, state: &TransferState) -> Html {
    html! {
        <>
            <h3>{t(lang, "transfer.curves.title")}</h3>
            { curves(lang, state) }
            if let Some((_, results)) = &state.results {
                if let Some(sentence) = verdict(lang, state) {
                    <p id="transfer-verdict" class="verdict" role="status">{sentence}</p>
                }
                <h3>{t(lang, "transfer.table.title")}</h3>
                { table(lang, results) }
            }
            if !state.by_labels.is_empty() {
                <h3>{t(lang, "transfer.by_labels.title")}</h3>
                <p class="muted">{t(lang, "transfer.by_labels.lead")}</p>
                { by_labels(lang, state) }
            }
        </>
    }
}
