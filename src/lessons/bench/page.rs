//! The speed benchmark: fixed workloads timed on the learner's own machine, one column per
//! backend, and the results as text to copy.

use kindling_engine::lessons::bench::workload::Workload;
use kindling_engine::protocol::ActiveBackend;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::bench::effects::{copy_text, now_utc};
use crate::lessons::bench::link::{BenchField, BenchSettings, STEPS, WARMUP};
use crate::lessons::bench::memory_table::memory_section;
use crate::lessons::bench::state::{BackendRun, BenchAction, BenchState, Outcome, RunState};
use crate::lessons::bench::text::{
    backend_short, copy_message, examples_per_second, markdown, memory_workload_name, ms,
    outcome_problem, status, workload_about, workload_name,
};
use crate::widgets::number_field::NumberField;
use kindling_engine::lessons::bench::memory::MemoryWorkload;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: BenchState,
    /// The backend the ready worker runs on; `None` while there is none.
    pub backend: Option<ActiveBackend>,
    /// The backend in words, as the shell's badge shows it.
    pub backend_text: AttrValue,
    pub on_bench: Callback<BenchAction>,
}

/// A run's three cells for one workload: first step, median, examples a second.
fn cells(lang: Lang, run: &BackendRun, workload: Workload, running: Option<Workload>) -> Html {
    match run.outcome(workload) {
        Some(Outcome::Finished(result)) => html! {
            <>
                <td class="num">{ms(result.first_ms)}</td>
                <td class="num">{ms(result.median_ms())}</td>
                <td class="num">{examples_per_second(result)}</td>
            </>
        },
        Some(outcome) => html! {
            <td class="bench-problem" colspan="3">{outcome_problem(lang, outcome).unwrap_or_default()}</td>
        },
        None if run.workloads.contains(&workload) => {
            let now = running == Some(workload);
            html! {
                <td class={classes!("bench-waiting", now.then_some("now"))} colspan="3">
                    { if now { t(lang, "bench.cell.running") } else { t(lang, "bench.cell.waiting") } }
                </td>
            }
        }
        None => html! { <td class="muted" colspan="3">{"—"}</td> },
    }
}

#[component]
pub fn BenchPage(props: &Props) -> Html {
    let lang = props.lang;
    let bench = &props.state;
    let running = bench.status == RunState::Running;

    let on_run = {
        let on_bench = props.on_bench.clone();
        let backend = props.backend.clone();
        let label = props.backend_text.to_string();
        Callback::from(move |_: MouseEvent| {
            if let Some(backend) = backend.clone() {
                on_bench.emit(BenchAction::Run {
                    backend,
                    label: label.clone(),
                    date: now_utc(),
                });
            }
        })
    };
    let on_settings = {
        let on_bench = props.on_bench.clone();
        Callback::from(move |settings: BenchSettings| {
            on_bench.emit(BenchAction::SetSettings(settings))
        })
    };
    let text = markdown(lang, bench);
    let on_copy = {
        let on_bench = props.on_bench.clone();
        let text = text.clone();
        Callback::from(move |_: MouseEvent| copy_text(text.clone(), on_bench.clone()))
    };
    let toggle = |workload: Workload| {
        let on_bench = props.on_bench.clone();
        let settings = bench.settings.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                let next = settings.with_workload(workload, input.checked());
                on_bench.emit(BenchAction::SetSettings(next));
            }
        })
    };

    let toggle_memory = |workload: MemoryWorkload| {
        let on_bench = props.on_bench.clone();
        let settings = bench.settings.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                let next = settings.with_memory(workload, input.checked());
                on_bench.emit(BenchAction::SetSettings(next));
            }
        })
    };
    let webgpu = matches!(props.backend, Some(ActiveBackend::WebGpu { .. }));

    let backend_text = match &props.backend {
        Some(_) => props.backend_text.to_string(),
        None => t(lang, "bench.backend_waiting"),
    };
    let current = bench.current_run();
    let now = bench.running_workload();
    let range = |(min, max): (f64, f64)| {
        tf(
            lang,
            "bench.hint.range",
            &[("min", &min.to_string()), ("max", &max.to_string())],
        )
    };

    let rows = bench.rows().into_iter().map(|workload| {
        let result = current.and_then(|run| run.result(workload));
        let first = result.map(|r| r.first_ms.to_string());
        let median = result.map(|r| r.median_ms().to_string());
        html! {
            <tr
                id={format!("bench-row-{}", workload.name())}
                data-first-ms={first}
                data-median-ms={median}
            >
                <th scope="row">
                    {workload_name(lang, workload)}
                    <code class="bench-id">{workload.name()}</code>
                </th>
                { for bench.runs.iter().enumerate().map(|(i, run)| {
                    cells(lang, run, workload, now.filter(|_| bench.current == Some(i)))
                }) }
            </tr>
        }
    });

    html! {
        <div id="bench-page" class="bench">
            <header class="page-head">
                <h1 id="page-title">{t(lang, "bench.title")}</h1>
                <p class="lead">{t(lang, "bench.lead")}</p>
            </header>

            <div class="bench-grid">
                <section class="card bench-settings" aria-labelledby="bench-settings-title">
                    <h2 id="bench-settings-title">{t(lang, "bench.settings_title")}</h2>
                    <p class="bench-backend">
                        {t(lang, "bench.backend_label")}{" "}
                        <strong id="bench-backend">{backend_text}</strong>
                    </p>
                    <NumberField<BenchSettings>
                        {lang}
                        field={BenchField::Steps}
                        label={t(lang, "bench.field.steps")}
                        hint={format!("{} {}", t(lang, "bench.hint.steps"), range(STEPS))}
                        inputmode="numeric"
                        config={bench.settings.clone()}
                        on_change={on_settings.clone()}
                    />
                    <NumberField<BenchSettings>
                        {lang}
                        field={BenchField::Warmup}
                        label={t(lang, "bench.field.warmup")}
                        hint={format!("{} {}", t(lang, "bench.hint.warmup"), range(WARMUP))}
                        inputmode="numeric"
                        config={bench.settings.clone()}
                        on_change={on_settings}
                    />
                    <fieldset class="bench-workloads">
                        <legend>{t(lang, "bench.workloads_label")}</legend>
                        { for Workload::ALL.iter().map(|&workload| {
                            let checked = bench.settings.workloads.contains(&workload);
                            let last = checked && bench.settings.workloads.len() == 1;
                            let id = format!("bench-w-{}", workload.name());
                            html! {
                                <label class="bench-check" for={id.clone()}>
                                    <input type="checkbox" {id} {checked} disabled={last} onchange={toggle(workload)} />
                                    {workload_name(lang, workload)}
                                </label>
                            }
                        }) }
                    </fieldset>
                    <fieldset class="bench-workloads">
                        <legend>{t(lang, "bench.memory_label")}</legend>
                        { for MemoryWorkload::ALL.iter().map(|&workload| {
                            let checked = bench.settings.memory.contains(&workload);
                            let id = format!("bench-m-{}", workload.name());
                            let steps = bench.settings.memory_steps_for(workload, webgpu);
                            html! {
                                <label class="bench-check" for={id.clone()}>
                                    <input type="checkbox" {id} {checked} onchange={toggle_memory(workload)} />
                                    {tf(lang, "bench.memory_choice", &[
                                        ("workload", &memory_workload_name(lang, workload)),
                                        ("steps", &crate::format::group(u64::from(steps))),
                                    ])}
                                </label>
                            }
                        }) }
                    </fieldset>
                    <div class="bench-actions">
                        <button
                            type="button"
                            id="bench-run"
                            class="button primary"
                            disabled={running || props.backend.is_none()}
                            onclick={on_run}
                        >
                            {t(lang, "bench.run")}
                        </button>
                    </div>
                    <p id="bench-state" class="bench-state" data-state={bench.status.name()} aria-live="polite">
                        {status(lang, bench)}
                    </p>
                </section>

                <section class="card bench-results" aria-labelledby="bench-results-title">
                    <h2 id="bench-results-title">{t(lang, "bench.results_title")}</h2>
                    <div class="table-scroll" tabindex="0">
                        <table id="bench-table" class="bench-table">
                            <thead>
                                <tr>
                                    <th scope="col" rowspan="2">{t(lang, "bench.col.workload")}</th>
                                    { for bench.runs.iter().enumerate().map(|(i, run)| html! {
                                        <th scope="colgroup" colspan="3" class={classes!("bench-backend-col", (bench.current == Some(i)).then_some("current"))}>
                                            {backend_short(lang, &run.backend)}
                                            <span class="bench-date">{run.date.clone()}</span>
                                        </th>
                                    }) }
                                </tr>
                                <tr>
                                    { for bench.runs.iter().map(|_| html! {
                                        <>
                                            <th scope="col" class="num">{t(lang, "bench.col.first")}</th>
                                            <th scope="col" class="num">{t(lang, "bench.col.median")}</th>
                                            <th scope="col" class="num">{t(lang, "bench.col.rate")}</th>
                                        </>
                                    }) }
                                </tr>
                            </thead>
                            <tbody>{ for rows }</tbody>
                        </table>
                    </div>
                    if bench.runs.is_empty() {
                        <p class="muted">{t(lang, "bench.no_results")}</p>
                    }
                    <ul class="bench-notes muted small">
                        <li>{t(lang, "bench.explain.first")}</li>
                        <li>{t(lang, "bench.explain.median")}</li>
                        <li>{t(lang, "bench.explain.own_machine")}</li>
                        <li>{t(lang, "bench.explain.switch")}</li>
                    </ul>
                    {memory_section(lang, bench)}
                    <h3>{t(lang, "bench.text_title")}</h3>
                    <div class="bench-copy">
                        <button type="button" id="bench-copy" class="button" onclick={on_copy}>
                            {t(lang, "bench.copy")}
                        </button>
                        <span id="bench-copy-message" class="muted small" aria-live="polite">
                            {bench.copy.as_ref().map(|m| copy_message(lang, m)).unwrap_or_default()}
                        </span>
                    </div>
                    <pre id="bench-text" class="bench-text" tabindex="0">{text}</pre>
                </section>
            </div>

            <article class="card prose bench-lesson" aria-labelledby="bench-workloads-title">
                <h2 id="bench-workloads-title">{t(lang, "bench.workloads_title")}</h2>
                <dl class="bench-about">
                    { for Workload::ALL.iter().map(|&workload| html! {
                        <>
                            <dt>{workload_name(lang, workload)}{" "}<code>{workload.name()}</code></dt>
                            <dd>{workload_about(lang, workload)}</dd>
                        </>
                    }) }
                </dl>
            </article>
        </div>
    }
}
