//! The benchmark's backends, states and numbers in words, and its results as a Markdown table.

use kindling_engine::lessons::bench::memory::{MemoryMeasure, MemoryResult, MemoryWorkload};
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

const MIB: f64 = 1024.0 * 1024.0;

/// Bytes in MiB, one decimal.
pub fn mib(bytes: u64) -> String {
    fmt_digits(bytes as f64 / MIB, 1)
}

/// A growth in bytes per 1,000 steps, in KiB with its sign; `—` when unknown.
pub fn growth_kib(growth: Option<f64>) -> String {
    match growth {
        Some(g) if g > 0.0 => format!("+{}", fmt_digits(g / 1024.0, 1)),
        Some(g) => fmt_digits(g / 1024.0, 1),
        None => "—".into(),
    }
}

pub fn memory_workload_name(lang: Lang, workload: MemoryWorkload) -> String {
    t(lang, &format!("bench.memory_workload.{}", workload.name()))
}

pub fn measure_name(lang: Lang, measure: MemoryMeasure) -> String {
    t(lang, &format!("bench.measure.{}", measure.name()))
}

/// The measures a result has: the wasm memory always, the GPU's on WebGPU.
pub fn measures(result: &MemoryResult) -> Vec<MemoryMeasure> {
    MemoryMeasure::ALL
        .iter()
        .copied()
        .filter(|&m| result.summary(m).is_some())
        .collect()
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
    let total = run.map_or(0, |r| r.total());
    let ended = run.map_or(0, |r| r.ended().0);
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
            None => match (state.running_memory(), run) {
                (Some(workload), Some(run)) => tf(
                    lang,
                    "bench.state.memory_running",
                    &[
                        ("workload", &memory_workload_name(lang, workload)),
                        (
                            "steps",
                            &group(u64::from(
                                run.memory
                                    .iter()
                                    .find(|(w, _)| *w == workload)
                                    .map_or(0, |&(_, steps)| steps),
                            )),
                        ),
                        ("number", &count(ended + 1)),
                        ("total", &count(total)),
                    ],
                ),
                _ => t(lang, "bench.state.idle"),
            },
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
            let finished = run.map_or(0, |r| r.ended().1);
            tf(
                lang,
                "bench.state.failed",
                &[("finished", &count(finished)), ("total", &count(total))],
            )
        }
    }
}

/// A workload that did not finish, in words.
pub fn outcome_problem<T>(lang: Lang, outcome: &Outcome<T>) -> Option<String> {
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
    if state.runs.iter().any(|run| !run.memory.is_empty()) {
        out.push_str(&memory_markdown(lang, state));
    }
    out
}

/// The memory workloads as Markdown: one row per backend, workload and measure.
fn memory_markdown(lang: Lang, state: &BenchState) -> String {
    let mut out = format!("\n### {}\n\n", t(lang, "bench.md.memory_title"));
    let header: Vec<String> = [
        "bench.memory.col.backend",
        "bench.memory.col.workload",
        "bench.memory.col.measure",
        "bench.memory.col.steps",
        "bench.memory.col.first",
        "bench.memory.col.peak",
        "bench.memory.col.last",
        "bench.memory.col.growth",
    ]
    .iter()
    .map(|key| t(lang, key))
    .collect();
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(&header));
    let mut rule = vec!["---".to_string(); 3];
    rule.extend(std::iter::repeat_n("---:".to_string(), 5));
    out.push_str(&line(&rule));
    for run in &state.runs {
        let backend = backend_short(lang, &run.backend);
        for &(workload, steps) in &run.memory {
            let lead = [backend.clone(), workload.name().to_string()];
            match run.memory_outcome(workload) {
                Some(Outcome::Finished(result)) => {
                    for measure in measures(result) {
                        let Some(s) = result.summary(measure) else {
                            continue;
                        };
                        let mut cells = lead.to_vec();
                        cells.extend([
                            measure_name(lang, measure),
                            group(u64::from(steps)),
                            mib(s.first),
                            mib(s.peak),
                            mib(s.last),
                            growth_kib(s.growth_per_1000),
                        ]);
                        out.push_str(&line(&cells));
                    }
                }
                other => {
                    let word = match other {
                        None => "…".to_string(),
                        Some(_) => t(lang, "bench.md.failed"),
                    };
                    let mut cells = lead.to_vec();
                    cells.push(word);
                    cells.push(group(u64::from(steps)));
                    cells.extend(std::iter::repeat_n("—".to_string(), 4));
                    out.push_str(&line(&cells));
                }
            }
        }
    }
    out.push('\n');
    out.push_str(&t(lang, "bench.md.memory_note"));
    out.push('\n');
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
            for &workload in MemoryWorkload::ALL {
                worded(&memory_workload_name(lang, workload));
            }
            for &measure in MemoryMeasure::ALL {
                worded(&measure_name(lang, measure));
            }
            worded(&status(lang, &state));
            worded(&markdown(lang, &state));
            worded(&tf(lang, "bench.hint.range", &[("min", "1"), ("max", "2")]));
            worded(&copy_message(lang, &CopyMessage::Copied));
            worded(&copy_message(lang, &CopyMessage::Failed("x".into())));
            worded(&outcome_problem(lang, &Outcome::<BenchResult>::Lost).unwrap());
            worded(&outcome_problem(lang, &Outcome::<BenchResult>::Failed("x".into())).unwrap());
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
                "memory_label",
                "memory.title",
                "memory.col.backend",
                "memory.col.workload",
                "memory.col.measure",
                "memory.col.steps",
                "memory.col.first",
                "memory.col.peak",
                "memory.col.last",
                "memory.col.growth",
                "memory.explain.wasm",
                "memory.explain.gpu",
                "memory.explain.growth",
                "md.memory_title",
                "md.memory_note",
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
    fn the_text_holds_the_memory_figures() {
        use kindling_engine::lessons::bench::memory::{GpuMemory, MemorySample};
        let link = "w=inference&steps=1&warmup=0&memory=cnn-small";
        let mut state = BenchState::from_link(from_query(link));
        let webgpu = ActiveBackend::WebGpu {
            adapter: "SwiftShader".into(),
        };
        state.reduce(BenchAction::Run {
            backend: webgpu,
            label: "WebGPU · SwiftShader".into(),
            date: "2026-01-02 03:04 UTC".into(),
        });
        state.reduce(finished(Workload::Inference, 1.0, 0.5));
        let running = status(Lang::En, &state);
        assert!(
            running.contains("Small CNN, 300 steps (2 of 2)"),
            "{running}"
        );
        let sample = |step, wasm: u64, in_use: u64| MemorySample {
            step,
            wasm_bytes: wasm << 20,
            gpu: Some(GpuMemory {
                in_use: in_use << 10,
                reserved: 8 << 20,
            }),
        };
        state.reduce(BenchAction::Event(Event::MemoryFinished(MemoryResult {
            workload: MemoryWorkload::CnnSmall,
            steps: 300,
            samples: vec![
                sample(0, 20, 100),
                sample(30, 24, 300),
                sample(300, 24, 300),
            ],
        })));
        let text = markdown(Lang::En, &state);
        assert!(
            text.contains("| WebGPU · SwiftShader | cnn-small | wasm memory | 300 | 20.0 | 24.0 | 24.0 | 0.0 |"),
            "{text}"
        );
        assert!(
            text.contains("| cnn-small | GPU, in use | 300 | 0.1 | 0.3 | 0.3 | 0.0 |"),
            "{text}"
        );
        assert!(
            text.contains("GPU, reserved | 300 | 8.0 | 8.0 | 8.0 | 0.0 |"),
            "{text}"
        );
        let zh = markdown(Lang::Zh, &state);
        assert!(zh.contains("长时间运行的内存"), "{zh}");
        worded(&text);
        worded(&zh);
        assert_eq!(growth_kib(Some(2048.0)), "+2.0");
        assert_eq!(growth_kib(Some(-1024.0)), "-1.0");
        assert_eq!(growth_kib(None), "—");
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
