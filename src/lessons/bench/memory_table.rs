//! The memory workloads' table: per backend, workload and measure, the first, peak and last
//! sample and the growth per 1,000 steps after the warm-up. The current run's rows carry their
//! figures in bytes as `data-` attributes for `cargo xtask bench memory` and the tests.

use kindling_engine::lessons::bench::memory::{MemoryMeasure, MemoryWorkload};
use yew::prelude::*;

use crate::format::group;
use crate::i18n::{Lang, t};
use crate::lessons::bench::state::{BackendRun, BenchState, Outcome};
use crate::lessons::bench::text::{
    backend_short, growth_kib, measure_name, measures, memory_workload_name, mib, outcome_problem,
};

fn lead(lang: Lang, run: &BackendRun, workload: MemoryWorkload, steps: u32) -> Html {
    html! {
        <>
            <td>{backend_short(lang, &run.backend)}</td>
            <th scope="row">
                {memory_workload_name(lang, workload)}
                <code class="bench-id">{workload.name()}</code>
            </th>
            <td class="num">{group(u64::from(steps))}</td>
        </>
    }
}

/// The rows of one workload of one run.
fn rows(
    lang: Lang,
    index: usize,
    run: &BackendRun,
    current: bool,
    running: Option<MemoryWorkload>,
    (workload, steps): (MemoryWorkload, u32),
) -> Html {
    let id = |measure: MemoryMeasure| {
        format!(
            "bench-memory-{index}-{}-{}",
            workload.name(),
            measure.name()
        )
    };
    let current_attr = current.then_some("true");
    match run.memory_outcome(workload) {
        Some(Outcome::Finished(result)) => html! {
            { for measures(result).into_iter().filter_map(|measure| {
                let s = result.summary(measure)?;
                Some(html! {
                    <tr
                        id={id(measure)}
                        data-current={current_attr}
                        data-workload={workload.name()}
                        data-measure={measure.name()}
                        data-steps={steps.to_string()}
                        data-first-bytes={s.first.to_string()}
                        data-peak-bytes={s.peak.to_string()}
                        data-last-bytes={s.last.to_string()}
                        data-growth-per-thousand={s.growth_per_1000.map(|g| g.to_string())}
                    >
                        {lead(lang, run, workload, steps)}
                        <td>{measure_name(lang, measure)}</td>
                        <td class="num">{mib(s.first)}</td>
                        <td class="num">{mib(s.peak)}</td>
                        <td class="num">{mib(s.last)}</td>
                        <td class="num">{growth_kib(s.growth_per_1000)}</td>
                    </tr>
                })
            }) }
        },
        outcome => {
            let (class, words) = match outcome {
                Some(outcome) => (
                    "bench-problem",
                    outcome_problem(lang, outcome).unwrap_or_default(),
                ),
                None if running == Some(workload) => {
                    ("bench-waiting now", t(lang, "bench.cell.running"))
                }
                None => ("bench-waiting", t(lang, "bench.cell.waiting")),
            };
            html! {
                <tr
                    id={id(MemoryMeasure::Wasm)}
                    data-current={current_attr}
                    data-workload={workload.name()}
                    data-error={outcome.is_some().then(|| words.clone())}
                >
                    {lead(lang, run, workload, steps)}
                    <td class={class} colspan="5">{words}</td>
                </tr>
            }
        }
    }
}

/// The section, when any run asked for a memory workload or the settings choose one.
pub fn memory_section(lang: Lang, bench: &BenchState) -> Html {
    if bench.memory_rows().is_empty() {
        return html! {};
    }
    let running = bench.running_memory();
    let body = bench.runs.iter().enumerate().flat_map(|(index, run)| {
        let current = bench.current == Some(index);
        run.memory
            .iter()
            .map(move |&item| rows(lang, index, run, current, running.filter(|_| current), item))
    });
    let col = |key: &str| html! { <th scope="col" class="num">{t(lang, key)}</th> };
    html! {
        <section class="bench-memory" aria-labelledby="bench-memory-title">
            <h3 id="bench-memory-title">{t(lang, "bench.memory.title")}</h3>
            <div class="table-scroll" tabindex="0">
                <table id="bench-memory-table" class="bench-table">
                    <thead>
                        <tr>
                            <th scope="col">{t(lang, "bench.memory.col.backend")}</th>
                            <th scope="col">{t(lang, "bench.memory.col.workload")}</th>
                            {col("bench.memory.col.steps")}
                            <th scope="col">{t(lang, "bench.memory.col.measure")}</th>
                            {col("bench.memory.col.first")}
                            {col("bench.memory.col.peak")}
                            {col("bench.memory.col.last")}
                            {col("bench.memory.col.growth")}
                        </tr>
                    </thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            <ul class="bench-notes muted small">
                <li>{t(lang, "bench.memory.explain.wasm")}</li>
                <li>{t(lang, "bench.memory.explain.gpu")}</li>
                <li>{t(lang, "bench.memory.explain.growth")}</li>
            </ul>
        </section>
    }
}
