//! The benchmark's backends, states and numbers in words, and its results as a Markdown table.

use kindling_engine::lessons::bench::workload::{BenchResult, Workload};
use kindling_engine::protocol::ActiveBackend;

use crate::format::{fmt_digits, group};
use crate::i18n::{Lang, t, tf};
use crate::lessons::bench::state::{BackendRun, BenchState, CopyMessage, Outcome, RunState};

/// Milliseconds as the page prints them: one decimal.
pub fn ms(value: f64) -> String {
    fmt_digits(value, 1)
}

/// Examples a second at the median step, whole; `—` when unknown.
pub fn examples_per_second(result: &BenchResult) -> String {
    let median = result.median_ms();
    if median.is_finite() && median > 0.0 {
        group((result.workload.batch() as f64 * 1000.0 / median).round() as u64)
    } else {
        "—".into()
    }
}

/// The workload's short name, e.g. "Small CNN (A)".
pub fn workload_name(lang: Lang, workload: Workload) -> String {
    t(lang, &format!("bench.workload.{}", workload.name()))
}

/// One sentence on what the workload does.
pub fn workload_about(lang: Lang, workload: Workload) -> String {
    t(lang, &format!("bench.about.{}", workload.name()))
}

fn adapter_text(lang: Lang, adapter: &str) -> String {
    if adapter.trim().is_empty() {
        t(lang, "backend.unnamed_adapter")
    } else {
        adapter.to_string()
    }
}

/// A column's heading: `CPU`, or `WebGPU · <adapter>`.
pub fn backend_short(lang: Lang, backend: &ActiveBackend) -> String {
    match backend {
        ActiveBackend::Cpu { .. } => "CPU".into(),
        ActiveBackend::WebGpu { adapter } => format!("WebGPU · {}", adapter_text(lang, adapter)),
    }
}

/// What `#bench-state` says.
pub fn status(lang: Lang, state: &BenchState) -> String {
    let run = state.current_run();
    let total = run.map_or(0, |r| r.workloads.len());
    let ended = run.map_or(0, |r| r.outcomes.len());
    let count = |n: usize| n.to_string();
    match state.status {
        RunState::Idle => t(lang, "bench.state.idle"),
        RunState::Running => match state.running_workload() {
            Some(workload) => tf(
                lang,
                "bench.state.running",
                &[
                    ("workload", &workload_name(lang, workload)),
                    ("number", &count(ended + 1)),
                    ("total", &count(total)),
                ],
            ),
            None => t(lang, "bench.state.idle"),
        },
        RunState::Done => tf(
            lang,
            "bench.state.done",
            &[
                ("total", &count(total)),
                (
                    "backend",
                    &run.map(|r| backend_short(lang, &r.backend))
                        .unwrap_or_default(),
                ),
            ],
        ),
        RunState::Failed => {
            let finished = run.map_or(0, |r| {
                r.outcomes
                    .iter()
                    .filter(|(_, o)| matches!(o, Outcome::Finished(_)))
                    .count()
            });
            tf(
                lang,
                "bench.state.failed",
                &[("finished", &count(finished)), ("total", &count(total))],
            )
        }
    }
}

/// A workload that did not finish, in words.
pub fn outcome_problem(lang: Lang, outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Finished(_) => None,
        Outcome::Failed(message) => Some(tf(lang, "bench.cell.failed", &[("message", message)])),
        Outcome::Lost => Some(t(lang, "bench.cell.lost")),
    }
}

pub fn copy_message(lang: Lang, message: &CopyMessage) -> String {
    match message {
        CopyMessage::Copied => t(lang, "bench.copied"),
        CopyMessage::Failed(message) => tf(lang, "bench.copy_failed", &[("message", message)]),
    }
}

/// One cell pair (first step, median) of the Markdown table.
fn markdown_cells(lang: Lang, run: &BackendRun, workload: Workload) -> [String; 2] {
    match run.outcome(workload) {
        Some(Outcome::Finished(result)) => [ms(result.first_ms), ms(result.median_ms())],
        Some(_) => [t(lang, "bench.md.failed"), "—".into()],
        None if run.workloads.contains(&workload) => ["…".into(), "…".into()],
        None => ["—".into(), "—".into()],
    }
}

/// The results as Markdown: a title, one row per workload with each backend's first step and
/// median in milliseconds, then one line per backend with its adapter (the badge's words), date
/// and step counts.
pub fn markdown(lang: Lang, state: &BenchState) -> String {
    let mut out = format!("### {}\n\n", t(lang, "bench.md.title"));
    if state.runs.is_empty() {
        out.push_str(&t(lang, "bench.md.empty"));
        out.push('\n');
        return out;
    }
    let mut header = vec![t(lang, "bench.md.workload")];
    for run in &state.runs {
        let backend = backend_short(lang, &run.backend);
        for key in ["bench.md.first", "bench.md.median"] {
            header.push(tf(lang, key, &[("backend", &backend)]));
        }
    }
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(&header));
    let mut rule = vec!["---".to_string()];
    rule.extend(std::iter::repeat_n(
        "---:".to_string(),
        2 * state.runs.len(),
    ));
    out.push_str(&line(&rule));
    for workload in state.rows() {
        let mut cells = vec![workload.name().to_string()];
        for run in &state.runs {
            cells.extend(markdown_cells(lang, run, workload));
        }
        out.push_str(&line(&cells));
    }
    out.push('\n');
    for run in &state.runs {
        let text = tf(
            lang,
            "bench.md.run",
            &[
                ("backend", &run.label),
                ("date", &run.date),
                ("warmup", &run.warmup.to_string()),
                ("steps", &run.steps.to_string()),
            ],
        );
        out.push_str(&format!("- {text}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::bench::link::from_query;
    use crate::lessons::bench::state::BenchAction;
    use kindling_engine::lessons::bench::messages::Event;
    use kindling_engine::protocol::CpuReason;

    fn worded(text: &str) {
        assert!(
            !text.contains('{') && !text.contains("bench."),
            "not worded: {text}"
        );
    }

    fn finished(workload: Workload, first: f64, median: f64) -> BenchAction {
        BenchAction::Event(Event::Finished(BenchResult {
            workload,
            first_ms: first,
            steps_ms: vec![median],
        }))
    }

    #[test]
    fn every_workload_and_state_has_words() {
        let mut state = BenchState::from_link(from_query("w=cnn-small,gan"));
        for lang in Lang::ALL {
            for &workload in Workload::ALL {
                worded(&workload_name(lang, workload));
                worded(&workload_about(lang, workload));
            }
            worded(&status(lang, &state));
            worded(&markdown(lang, &state));
            worded(&tf(lang, "bench.hint.range", &[("min", "1"), ("max", "2")]));
            worded(&copy_message(lang, &CopyMessage::Copied));
            worded(&copy_message(lang, &CopyMessage::Failed("x".into())));
            worded(&outcome_problem(lang, &Outcome::Lost).unwrap());
            worded(&outcome_problem(lang, &Outcome::Failed("x".into())).unwrap());
            for key in [
                "title",
                "lead",
                "backend_label",
                "backend_waiting",
                "run",
                "settings_title",
                "results_title",
                "field.steps",
                "field.warmup",
                "hint.steps",
                "hint.warmup",
                "workloads_label",
                "col.workload",
                "col.first",
                "col.median",
                "col.rate",
                "no_results",
                "explain.first",
                "explain.median",
                "explain.own_machine",
                "explain.switch",
                "copy",
                "text_title",
                "workloads_title",
                "cell.running",
                "cell.waiting",
            ] {
                worded(&t(lang, &format!("bench.{key}")));
            }
        }
        state.reduce(BenchAction::Run {
            backend: ActiveBackend::Cpu {
                reason: CpuReason::Requested,
            },
            label: "CPU · you chose the CPU".into(),
            date: "d".into(),
        });
        for lang in Lang::ALL {
            worded(&status(lang, &state));
        }
        state.reduce(BenchAction::WorkerLost);
        for lang in Lang::ALL {
            worded(&status(lang, &state));
            worded(&markdown(lang, &state));
        }
    }

    #[test]
    fn the_text_holds_every_backend_and_workload() {
        let mut state = BenchState::from_link(from_query("w=cnn-small,gan&steps=2&warmup=0"));
        state.reduce(BenchAction::Run {
            backend: ActiveBackend::Cpu {
                reason: CpuReason::Requested,
            },
            label: "CPU · you chose the CPU".into(),
            date: "2026-01-02 03:04 UTC".into(),
        });
        state.reduce(finished(Workload::CnnSmall, 120.26, 15.56));
        state.reduce(finished(Workload::Gan, 20.0, 4.0));
        state.reduce(BenchAction::Run {
            backend: ActiveBackend::WebGpu {
                adapter: "SwiftShader".into(),
            },
            label: "WebGPU · SwiftShader".into(),
            date: "2026-01-02 03:10 UTC".into(),
        });
        state.reduce(finished(Workload::CnnSmall, 2500.0, 30.0));
        let text = markdown(Lang::En, &state);
        assert!(
            text.contains("| cnn-small | 120.3 | 15.6 | 2500.0 | 30.0 |"),
            "{text}"
        );
        assert!(text.contains("| gan | 20.0 | 4.0 | … | … |"), "{text}");
        assert!(
            text.contains("| --- | ---: | ---: | ---: | ---: |"),
            "{text}"
        );
        assert!(
            text.contains(
                "- CPU · you chose the CPU: 2026-01-02 03:04 UTC, 0 warm-up + 2 timed steps"
            ),
            "{text}"
        );
        assert!(text.contains("WebGPU · SwiftShader"), "{text}");
        assert!(text.contains("2026-01-02 03:04 UTC"), "{text}");
        assert!(text.contains("2026-01-02 03:10 UTC"), "{text}");
        let zh = markdown(Lang::Zh, &state);
        assert!(zh.contains("| cnn-small | 120.3 | 15.6 |"), "{zh}");
    }

    #[test]
    fn numbers_read_well() {
        let result = BenchResult {
            workload: Workload::CnnSmall,
            first_ms: 100.0,
            steps_ms: vec![16.0, 15.0, 17.0],
        };
        assert_eq!(examples_per_second(&result), "4,000");
        let one = BenchResult {
            workload: Workload::Inference,
            first_ms: 1.0,
            steps_ms: vec![0.5],
        };
        assert_eq!(examples_per_second(&one), "2,000");
        let none = BenchResult {
            steps_ms: Vec::new(),
            ..one
        };
        assert_eq!(examples_per_second(&none), "—");
        assert_eq!(ms(15.56), "15.6");
    }
}
