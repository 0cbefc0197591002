//! `cargo xtask bench`: Kindling against TensorFlow.js 4.22 in one headless Chromium run.
//!
//! The same workloads (A the small CNN, the CNN lesson's default network, B the GAN, C inference
//! at batch 1, D transfer) run on Kindling's `#/bench` page (CPU and WebGPU backends) and on the
//! tfjs page in `tests/e2e/bench/` (wasm with an added Conv2DBackpropFilter kernel, WebGPU,
//! WebGL, CPU), engines alternating, each in a fresh browser session. It prints a Markdown table
//! of median and first-step milliseconds with the speed ratios, and writes it and a JSON file to
//! `<target>/bench/`. It exits non-zero only when something failed to run.
//!
//! `bench quick`: fewer steps and one round, to try it. `bench full`: the default CNN's two MNIST
//! epochs on the CPU backend (wall time and test accuracy). `bench lessons`: the playground's and
//! the CNN lesson's own speed readouts, the playground's start (navigation start until its first
//! loss readout shows a number) and the main thread's long tasks (over 50 ms) while each trains.
//! `bench first`: on WebGPU, how long after Play the playground, the CNN and the GAN's digits
//! show their first step, with Play pressed at once or after 20 s of reading.
//! `bench memory`: the page's memory workloads (10,000 playground steps and 2,000 small-CNN steps
//! on the CPU, 300 each on WebGPU), the worker's wasm memory and burn's GPU allocator sampled as
//! they run; `--backends cpu,webgpu` (default cpu), `--memsteps N` to shorten them.
//! Options: `--rounds N`, `--steps N`, `--warmup N`, `--engines a,b` (engine ids as in
//! [`ENGINES`]), `--workloads a,b`.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use kindling_e2e::{Browser, number, serve_site};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Engines and workloads.

#[derive(Clone, Copy, PartialEq)]
enum Engine {
    Kindling(&'static str),
    Tfjs(&'static str),
}

/// In the order they alternate within a round.
const ENGINES: &[(&str, Engine)] = &[
    ("kindling-cpu", Engine::Kindling("cpu")),
    ("tfjs-wasm", Engine::Tfjs("wasm")),
    ("kindling-webgpu", Engine::Kindling("webgpu")),
    ("tfjs-webgpu", Engine::Tfjs("webgpu")),
    ("tfjs-webgl", Engine::Tfjs("webgl")),
    ("tfjs-cpu", Engine::Tfjs("cpu")),
];

/// (id on both pages, row label).
const WORKLOADS: &[(&str, &str)] = &[
    ("cnn-small", "A. CNN training step (batch 64)"),
    ("cnn-default", "CNN lesson default (batch 64)"),
    ("gan", "B. GAN iteration, D + G (batch 64)"),
    ("inference", "C. CNN inference (batch 1)"),
    ("transfer", "D. Transfer step, frozen convs (batch 64)"),
];

/// (Kindling engine, tfjs engine, column heading) for the ratio columns.
const RATIOS: &[(&str, &str, &str)] = &[
    ("kindling-cpu", "tfjs-wasm", "Kindling CPU vs tfjs-wasm"),
    (
        "kindling-webgpu",
        "tfjs-webgpu",
        "Kindling WebGPU vs tfjs-webgpu",
    ),
    ("kindling-cpu", "tfjs-cpu", "Kindling CPU vs tfjs-cpu"),
];

struct Settings {
    rounds: usize,
    steps: u32,
    warmup: u32,
    engines: Vec<&'static str>,
    workloads: Vec<&'static str>,
}

impl Settings {
    fn from_args(args: &[String]) -> Result<Self, String> {
        let quick = args.iter().any(|a| a == "quick");
        let mut s = Settings {
            rounds: if quick { 1 } else { 2 },
            steps: if quick { 5 } else { 20 },
            warmup: if quick { 1 } else { 3 },
            engines: ENGINES.iter().map(|(id, _)| *id).collect(),
            workloads: WORKLOADS.iter().map(|(id, _)| *id).collect(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{arg} needs a value"))
            };
            let count = |v: String| v.parse::<u32>().map_err(|e| format!("{arg} {v}: {e}"));
            match arg.as_str() {
                "quick" => {}
                "--rounds" => s.rounds = count(value()?)?.max(1) as usize,
                "--steps" => s.steps = count(value()?)?.max(1),
                "--warmup" => s.warmup = count(value()?)?,
                "--engines" => s.engines = pick(&value()?, ENGINES.iter().map(|(id, _)| *id))?,
                "--workloads" => {
                    s.workloads = pick(&value()?, WORKLOADS.iter().map(|(id, _)| *id))?
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(s)
    }

    /// The most one page run may take: start-up, then a generous 8 s a step.
    fn page_limit(&self) -> Duration {
        let steps = (1 + self.warmup + self.steps) as u64 * self.workloads.len() as u64;
        Duration::from_secs(300 + 8 * steps)
    }
}

fn pick(
    list: &str,
    known: impl Iterator<Item = &'static str> + Clone,
) -> Result<Vec<&'static str>, String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|name| {
            known
                .clone()
                .find(|k| *k == name)
                .ok_or_else(|| format!("unknown name {name}"))
        })
        .collect()
}

fn engine(id: &str) -> Engine {
    ENGINES
        .iter()
        .find(|(e, _)| *e == id)
        .expect("a known engine")
        .1
}

// ---------------------------------------------------------------------------------------------
// One page run.

#[derive(Clone, Default)]
struct Timing {
    first_ms: Option<f64>,
    median_ms: Option<f64>,
    steps_ms: Vec<f64>,
    error: Option<String>,
}

#[derive(Default)]
struct PageRun {
    /// What the page calls itself (tfjs-wasm says when it added its kernel).
    label: Option<String>,
    /// The backend badge: backend and adapter.
    adapter: String,
    timings: BTreeMap<String, Timing>,
    /// Why the page as a whole did not run.
    error: Option<String>,
    wall_s: f64,
}

fn attribute(b: &Browser, selector: &str, name: &str) -> Option<String> {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
        json!(selector),
        json!(name)
    );
    b.eval(&script).as_str().map(str::to_string)
}

/// How long a page may take to start its run (the worker's or tfjs's start-up).
const START_LIMIT: Duration = Duration::from_secs(300);

/// Waits for `#bench-state` to say done or failed; returns the state.
fn wait_state(browser: &Browser, limit: Duration) -> Result<String, String> {
    let started = Instant::now();
    let mut running = false;
    loop {
        let state = attribute(browser, "#bench-state", "data-state");
        match state.as_deref() {
            Some("done" | "failed") => return Ok(state.unwrap_or_default()),
            Some("running") => running = true,
            _ => {}
        }
        let waited = started.elapsed();
        if waited > limit || (!running && waited > START_LIMIT) {
            let _ = browser.screenshot("bench-timeout");
            return Err(format!(
                "{} after {} s (state {state:?}); page: {:?}",
                if running {
                    "no result"
                } else {
                    "no run started"
                },
                waited.as_secs(),
                browser
                    .text("body")
                    .map(|t| t.chars().take(600).collect::<String>())
            ));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn kindling_run(browser: &Browser, settings: &Settings) -> Result<PageRun, String> {
    let state = wait_state(browser, settings.page_limit())?;
    let mut run = PageRun {
        adapter: browser.text("#backend-badge").unwrap_or_default(),
        ..PageRun::default()
    };
    for &w in &settings.workloads {
        let row = format!("tr#bench-row-{w}");
        let read = |name: &str| attribute(browser, &row, name).and_then(|v| v.parse::<f64>().ok());
        let mut timing = Timing {
            first_ms: read("data-first-ms"),
            median_ms: read("data-median-ms"),
            error: attribute(browser, &row, "data-error").filter(|e| !e.is_empty()),
            ..Timing::default()
        };
        if timing.median_ms.is_none() && timing.error.is_none() {
            timing.error = Some(
                browser
                    .text(&row)
                    .filter(|t| !t.is_empty())
                    .map(|t| format!("no timing ({t})"))
                    .unwrap_or_else(|| "no timing".into()),
            );
        }
        run.timings.insert(w.to_string(), timing);
    }
    if state == "failed" {
        run.error = Some(format!(
            "the page says failed: {}",
            browser.text("#bench-state").unwrap_or_default()
        ));
    }
    Ok(run)
}

fn tfjs_run(browser: &Browser, settings: &Settings) -> Result<PageRun, String> {
    wait_state(browser, settings.page_limit())?;
    let bench = browser.eval("return window.__bench || null;");
    let mut run = PageRun {
        label: bench["label"].as_str().map(str::to_string),
        adapter: bench["adapter"].as_str().unwrap_or_default().to_string(),
        error: bench["error"].as_str().map(str::to_string),
        ..PageRun::default()
    };
    if let Some(e) = bench["kernel_check_max_error"].as_f64() {
        run.adapter
            .push_str(&format!("; added kernel max |error| {e:.1e}"));
        if e > 1e-3 {
            run.error = Some(format!(
                "the added Conv2DBackpropFilter is wrong (max error {e})"
            ));
        }
    }
    for result in bench["results"].as_array().into_iter().flatten() {
        let Some(w) = result["workload"].as_str() else {
            continue;
        };
        run.timings.insert(
            w.to_string(),
            Timing {
                first_ms: result["first_ms"].as_f64(),
                median_ms: result["median_ms"].as_f64(),
                steps_ms: result["steps_ms"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default(),
                error: result["error"].as_str().map(str::to_string),
            },
        );
    }
    for &w in &settings.workloads {
        run.timings.entry(w.to_string()).or_insert_with(|| Timing {
            error: Some(run.error.clone().unwrap_or_else(|| "not run".into())),
            ..Timing::default()
        });
    }
    Ok(run)
}

fn run_page(id: &str, site: &str, tfjs: &str, settings: &Settings) -> PageRun {
    let query = format!(
        "steps={}&warmup={}&w={}",
        settings.steps,
        settings.warmup,
        settings.workloads.join(",")
    );
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let browser = Browser::start_as_shipped();
        match engine(id) {
            Engine::Kindling(backend) => {
                browser.goto(&format!(
                    "{site}/?lang=en&backend={backend}#/bench?auto=1&{query}"
                ));
                kindling_run(&browser, settings)
            }
            Engine::Tfjs(backend) => {
                browser.goto(&format!("{tfjs}/tfjs.html?backend={backend}&{query}"));
                tfjs_run(&browser, settings)
            }
        }
    }));
    let mut run = match outcome {
        Ok(Ok(run)) => run,
        Ok(Err(e)) => PageRun {
            error: Some(e),
            ..PageRun::default()
        },
        Err(panic) => PageRun {
            error: Some(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "the browser session panicked".into()),
            ),
            ..PageRun::default()
        },
    };
    run.wall_s = started.elapsed().as_secs_f64();
    run
}

// ---------------------------------------------------------------------------------------------
// The tfjs page, served from its own folder: the page, its script, and tfjs's bundles and wasm.

fn tfjs_modules() -> PathBuf {
    std::env::var_os("KINDLING_TFJS_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/kindling/npm-bench/node_modules/@tensorflow")
        })
}

/// Copies the page and the tfjs files into a fresh temporary folder and serves it.
fn serve_tfjs() -> Result<(String, PathBuf), String> {
    let modules = tfjs_modules();
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench");
    let dir = std::env::temp_dir().join(format!("kindling-bench-tfjs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let files: [(PathBuf, &str); 8] = [
        (page.join("tfjs.html"), "tfjs.html"),
        (page.join("tfjs-bench.js"), "tfjs-bench.js"),
        (modules.join("tfjs/dist/tf.min.js"), "tf.min.js"),
        (
            modules.join("tfjs-backend-wasm/dist/tf-backend-wasm.min.js"),
            "tf-backend-wasm.min.js",
        ),
        (
            modules.join("tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js"),
            "tf-backend-webgpu.min.js",
        ),
        (
            modules.join("tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
            "tfjs-backend-wasm.wasm",
        ),
        (
            modules.join("tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"),
            "tfjs-backend-wasm-simd.wasm",
        ),
        (
            modules.join("tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm"),
            "tfjs-backend-wasm-threaded-simd.wasm",
        ),
    ];
    for (from, to) in files {
        std::fs::copy(&from, dir.join(to)).map_err(|e| {
            format!(
                "{}: {e} (`cargo xtask bench` installs tfjs into ~/.cache/kindling/npm-bench)",
                from.display()
            )
        })?;
    }
    let port = xtask::serve::spawn(dir.clone(), 0).map_err(|e| format!("serve tfjs: {e}"))?;
    Ok((format!("http://127.0.0.1:{port}"), dir))
}

// ---------------------------------------------------------------------------------------------
// The report.

fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

struct Machine {
    date: String,
    cpu: String,
    cores: usize,
    chromium: String,
}

fn machine() -> Machine {
    let stdout = |cmd: &mut Command| {
        cmd.output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    Machine {
        date: stdout(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
        cpu,
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        chromium: stdout(Command::new("/usr/bin/chromium").arg("--version"))
            .split(" built on")
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// Per engine and workload: the median over rounds of each round's median and first step.
struct Summary {
    median_ms: Option<f64>,
    first_ms: Option<f64>,
    errors: Vec<String>,
}

fn summarise(runs: &[(usize, &PageRun)], workload: &str) -> Summary {
    let timings: Vec<&Timing> = runs
        .iter()
        .filter_map(|(_, r)| r.timings.get(workload))
        .collect();
    let medians: Vec<f64> = timings.iter().filter_map(|t| t.median_ms).collect();
    let firsts: Vec<f64> = timings.iter().filter_map(|t| t.first_ms).collect();
    let mut errors: Vec<String> = timings.iter().filter_map(|t| t.error.clone()).collect();
    for (round, run) in runs {
        if let Some(e) = &run.error
            && !run.timings.contains_key(workload)
        {
            errors.push(format!("round {round}: {e}"));
        }
    }
    errors.dedup();
    Summary {
        median_ms: median(&medians),
        first_ms: median(&firsts),
        errors,
    }
}

fn ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
        None => "—".into(),
    }
}

fn report(
    settings: &Settings,
    machine: &Machine,
    runs: &BTreeMap<&'static str, Vec<(usize, PageRun)>>,
) -> (String, Value) {
    let engines: Vec<&str> = settings.engines.clone();
    let label = |id: &str| -> String {
        runs.get(id)
            .and_then(|rs| rs.iter().find_map(|(_, r)| r.label.clone()))
            .unwrap_or_else(|| match engine(id) {
                Engine::Kindling("cpu") => "Kindling CPU".into(),
                Engine::Kindling(_) => "Kindling WebGPU".into(),
                Engine::Tfjs(b) => format!("tfjs-{b}"),
            })
    };
    let summary = |id: &str, w: &str| {
        let rs: Vec<(usize, &PageRun)> = runs
            .get(id)
            .map(|rs| rs.iter().map(|(i, r)| (*i, r)).collect())
            .unwrap_or_default();
        summarise(&rs, w)
    };
    let ratios: Vec<&(&str, &str, &str)> = RATIOS
        .iter()
        .filter(|(k, t, _)| engines.contains(k) && engines.contains(t))
        .collect();

    let mut md = String::new();
    md.push_str("## Kindling and TensorFlow.js 4.22, `cargo xtask bench`\n\n");
    md.push_str(&format!(
        "{}; {}, {} cores; {}; headless, software WebGPU/WebGL unless the adapter says otherwise. \
         {} round(s), engines alternating, each page in a fresh browser session; per workload the \
         first step, {} warm-up steps, then {} timed steps, each with its result read back. \
         Figures: the median over rounds of each round's median (ms a step).\n\n",
        machine.date,
        machine.cpu,
        machine.cores,
        machine.chromium,
        settings.rounds,
        settings.warmup,
        settings.steps
    ));
    // Medians and ratios.
    md.push_str("| workload | ");
    md.push_str(
        &engines
            .iter()
            .map(|e| label(e))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    for (_, _, heading) in &ratios {
        md.push_str(&format!(" | {heading}"));
    }
    md.push_str(" |\n|---|");
    md.push_str(&"---:|".repeat(engines.len() + ratios.len()));
    md.push('\n');
    let mut notes = Vec::new();
    for &(w, name) in WORKLOADS
        .iter()
        .filter(|(w, _)| settings.workloads.contains(w))
    {
        md.push_str(&format!("| {name} |"));
        for e in &engines {
            let s = summary(e, w);
            for err in &s.errors {
                notes.push(format!("{} on {w}: {err}", label(e)));
            }
            let cell = match (s.median_ms, s.errors.is_empty()) {
                (Some(v), true) => ms(Some(v)),
                (Some(v), false) => format!("{} (*)", ms(Some(v))),
                (None, _) => "failed".into(),
            };
            md.push_str(&format!(" {cell} |"));
        }
        for (k, t, _) in &ratios {
            let cell = match (summary(k, w).median_ms, summary(t, w).median_ms) {
                (Some(k), Some(t)) if k > 0.0 => format!("{:.2}×", t / k),
                _ => "—".into(),
            };
            md.push_str(&format!(" {cell} |"));
        }
        md.push('\n');
    }
    md.push_str(
        "\nRatios: the tfjs median ÷ Kindling's (above 1: Kindling is faster). tfjs-wasm runs one \
         thread with SIMD; tfjs 4.22's wasm backend has no Conv2DBackpropFilter, so the bench \
         registers one built from the backend's own Transpose and Conv2D kernels.\n\n",
    );
    // First steps.
    md.push_str(
        "First step (ms; shader compilation and first allocations included):\n\n| workload | ",
    );
    md.push_str(
        &engines
            .iter()
            .map(|e| label(e))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    md.push_str(" |\n|---|");
    md.push_str(&"---:|".repeat(engines.len()));
    md.push('\n');
    for &(w, name) in WORKLOADS
        .iter()
        .filter(|(w, _)| settings.workloads.contains(w))
    {
        md.push_str(&format!("| {name} |"));
        for e in &engines {
            md.push_str(&format!(" {} |", ms(summary(e, w).first_ms)));
        }
        md.push('\n');
    }
    md.push_str("\nAdapters:\n\n");
    for e in &engines {
        let adapters: Vec<String> = runs
            .get(e)
            .into_iter()
            .flatten()
            .map(|(_, r)| r.adapter.clone())
            .filter(|a| !a.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        md.push_str(&format!("- {}: {}\n", label(e), adapters.join("; ")));
    }
    for (e, rs) in runs {
        for (round, r) in rs {
            if let Some(err) = &r.error {
                notes.push(format!("{} round {round}: {err}", label(e)));
            }
        }
    }
    notes.sort();
    notes.dedup();
    if !notes.is_empty() {
        md.push_str("\nFailures (*: some rounds failed):\n\n");
        for n in &notes {
            md.push_str(&format!("- {}\n", n.replace('\n', " ")));
        }
    }

    let engines_json: Vec<Value> = engines
        .iter()
        .map(|e| {
            let rounds: Vec<Value> = runs
                .get(e)
                .into_iter()
                .flatten()
                .map(|(round, r)| {
                    json!({
                        "round": round,
                        "adapter": r.adapter,
                        "error": r.error,
                        "wall_s": r.wall_s,
                        "workloads": r.timings.iter().map(|(w, t)| (w.clone(), json!({
                            "first_ms": t.first_ms,
                            "median_ms": t.median_ms,
                            "steps_ms": t.steps_ms,
                            "error": t.error,
                        }))).collect::<serde_json::Map<_, _>>(),
                    })
                })
                .collect();
            let summary: serde_json::Map<String, Value> = settings
                .workloads
                .iter()
                .map(|w| {
                    let s = summary(e, w);
                    (
                        w.to_string(),
                        json!({"median_ms": s.median_ms, "first_ms": s.first_ms, "errors": s.errors}),
                    )
                })
                .collect();
            json!({"id": e, "label": label(e), "summary": summary, "rounds": rounds})
        })
        .collect();
    let ratios_json: Vec<Value> = ratios
        .iter()
        .map(|(k, t, heading)| {
            let per: serde_json::Map<String, Value> = settings
                .workloads
                .iter()
                .map(|w| {
                    let r = match (summary(k, w).median_ms, summary(t, w).median_ms) {
                        (Some(k), Some(t)) if k > 0.0 => Some(t / k),
                        _ => None,
                    };
                    (w.to_string(), json!(r))
                })
                .collect();
            json!({"kindling": k, "tfjs": t, "name": heading, "tfjs_over_kindling": per})
        })
        .collect();
    let json = json!({
        "date": machine.date,
        "machine": {"cpu": machine.cpu, "cores": machine.cores},
        "chromium": machine.chromium,
        "tfjs": "4.22.0",
        "settings": {
            "rounds": settings.rounds,
            "steps": settings.steps,
            "warmup": settings.warmup,
            "workloads": settings.workloads,
        },
        "engines": engines_json,
        "ratios": ratios_json,
    });
    (md, json)
}

fn out_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("bench")
}

fn compare(args: &[String]) -> Result<bool, String> {
    let settings = Settings::from_args(args)?;
    let kindling = settings
        .engines
        .iter()
        .any(|e| matches!(engine(e), Engine::Kindling(_)));
    let site = if kindling {
        serve_site()
    } else {
        String::new()
    };
    let (tfjs, tfjs_dir) = serve_tfjs()?;
    let machine = machine();
    println!(
        "bench: {} round(s) of {} engine(s), {} workload(s), {} warm-up + {} timed steps; Kindling at {site}, tfjs at {tfjs}",
        settings.rounds,
        settings.engines.len(),
        settings.workloads.len(),
        settings.warmup,
        settings.steps
    );
    let mut runs: BTreeMap<&'static str, Vec<(usize, PageRun)>> = BTreeMap::new();
    for round in 1..=settings.rounds {
        for &id in &settings.engines {
            println!("round {round}: {id} …");
            let run = run_page(id, &site, &tfjs, &settings);
            let line: Vec<String> = settings
                .workloads
                .iter()
                .map(|w| {
                    let t = run.timings.get(*w).cloned().unwrap_or_default();
                    match (t.median_ms, &t.error) {
                        (Some(m), None) => {
                            format!("{w} {} (first {})", ms(Some(m)), ms(t.first_ms))
                        }
                        (_, Some(e)) => format!("{w} failed: {e}"),
                        (None, None) => format!("{w} —"),
                    }
                })
                .collect();
            println!("  {:.0} s, {}", run.wall_s, run.adapter);
            if let Some(e) = &run.error {
                println!("  failed: {e}");
            }
            println!("  {}", line.join("; "));
            runs.entry(id).or_default().push((round, run));
        }
    }
    let _ = std::fs::remove_dir_all(&tfjs_dir);
    let (md, json) = report(&settings, &machine, &runs);
    println!("\n{md}");
    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp = Command::new("date")
        .args(["-u", "+%Y%m%d-%H%M%S"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "latest".into());
    let md_path = dir.join(format!("bench-{stamp}.md"));
    let json_path = dir.join(format!("bench-{stamp}.json"));
    std::fs::write(&md_path, &md).map_err(|e| format!("{}: {e}", md_path.display()))?;
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(|e| format!("{}: {e}", json_path.display()))?;
    println!("wrote {}\nwrote {}", md_path.display(), json_path.display());
    let failed = runs.values().flatten().any(|(_, r)| {
        r.error.is_some()
            || r.timings
                .values()
                .any(|t| t.error.is_some() || t.median_ms.is_none())
    });
    Ok(!failed)
}

// ---------------------------------------------------------------------------------------------
// `bench lessons` and `bench full`: the lesson pages' own readouts.

fn badge(browser: &Browser) -> String {
    browser.wait_for("backend badge", 180, |b| {
        b.text("#backend-badge").filter(|t| t.contains(" · "))
    })
}

/// Records, from now on, when `selector` first shows a number: the time since navigation start
/// (ms) goes into `window.__kindlingInteractive`. Returns the time now when it already does, so
/// that figure is an upper bound.
fn watch_interactive(browser: &Browser, selector: &str) -> Option<f64> {
    let script = format!(
        r#"const sel = {};
        const ready = () => {{
            const e = document.querySelector(sel);
            return e && /\d/.test(e.textContent);
        }};
        if (ready()) {{ window.__kindlingInteractive = performance.now(); return performance.now(); }}
        const observer = new MutationObserver(() => {{
            if (ready()) {{ window.__kindlingInteractive = performance.now(); observer.disconnect(); }}
        }});
        observer.observe(document.body, {{ subtree: true, childList: true, characterData: true }});
        return null;"#,
        json!(selector)
    );
    browser.eval(&script).as_f64()
}

/// Milliseconds from navigation start until the lesson's first readout showed a number, with
/// whether that is exact (observed) or an upper bound (it was there when the watch began).
fn interactive_ms(browser: &Browser, already: Option<f64>) -> (f64, bool) {
    if let Some(ms) = already {
        return (ms, false);
    }
    let ms = browser.wait_for("the lesson to become interactive", 300, |b| {
        b.eval("return window.__kindlingInteractive ?? null;")
            .as_f64()
    });
    (ms, true)
}

/// Starts counting the main thread's long tasks (over 50 ms, the Long Tasks API).
fn watch_long_tasks(browser: &Browser) {
    browser.eval(
        "window.__kindlingLong = []; new PerformanceObserver(list => { for (const e of list.getEntries()) window.__kindlingLong.push(e.duration); }).observe({ type: 'longtask' }); return null;",
    );
}

/// The long tasks seen since [`watch_long_tasks`]: how many, and the longest in ms.
fn long_tasks(browser: &Browser) -> (usize, f64) {
    let durations: Vec<f64> = browser
        .eval("return window.__kindlingLong ?? [];")
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    (
        durations.len(),
        durations.iter().copied().fold(0.0, f64::max),
    )
}

/// `exact` figures as they are, upper bounds with "≤".
fn bound(ms: f64, exact: bool) -> String {
    if exact {
        format!("{ms:.0}")
    } else {
        format!("≤ {ms:.0}")
    }
}

fn playground(site: &str) {
    println!("playground (spiral, default network)");
    println!(
        "{:<8} {:>10} {:>12} {:>10} {:>14} {:>12} {:>12}  adapter",
        "backend", "steps", "steps/s", "wall s", "interactive ms", "long tasks", "longest ms"
    );
    for backend in ["cpu", "webgpu"] {
        let browser = Browser::start_as_shipped();
        browser.goto(&format!("{site}/?lang=en&backend={backend}#/playground"));
        let already = watch_interactive(&browser, "#train-loss");
        let (interactive, exact) = interactive_ms(&browser, already);
        let badge = badge(&browser);
        watch_long_tasks(&browser);
        let started = Instant::now();
        browser.click("#play");
        // Train for a fixed wall time, long enough to amortise shader compilation on WebGPU.
        std::thread::sleep(Duration::from_secs(30));
        browser.click("#play");
        std::thread::sleep(Duration::from_secs(1));
        let steps = browser
            .text("#step-count")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        let rate = browser
            .text("#steps-per-second")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        let (long, longest) = long_tasks(&browser);
        println!(
            "{backend:<8} {steps:>10} {rate:>12.1} {:>10.1} {:>14} {long:>12} {longest:>12.0}  {badge}",
            started.elapsed().as_secs_f64(),
            bound(interactive, exact),
        );
    }
}

fn open_cnn(site: &str, backend: &str, query: &str) -> (Browser, String) {
    let browser = Browser::start_as_shipped();
    browser.goto(&format!("{site}/?lang=en&backend={backend}#/cnn{query}"));
    let badge = badge(&browser);
    browser.wait_for("MNIST", 300, |b| {
        attribute(b, "#cnn-data-progress", "data-state").filter(|s| s == "ready")
    });
    browser.wait_for("a fresh model", 120, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    (browser, badge)
}

fn cnn_speed(site: &str) {
    println!("CNN (default LeNet-style network at batch 64, MNIST)");
    println!(
        "{:<8} {:>8} {:>10} {:>12} {:>10} {:>12} {:>12}  adapter",
        "backend", "steps", "ms/step", "examples/s", "wall s", "long tasks", "longest ms"
    );
    for backend in ["cpu", "webgpu"] {
        let (browser, badge) = open_cnn(site, backend, "?batch=64");
        watch_long_tasks(&browser);
        let started = Instant::now();
        browser.click("#cnn-play");
        std::thread::sleep(Duration::from_secs(60));
        browser.click("#cnn-play");
        std::thread::sleep(Duration::from_secs(2));
        let steps = browser
            .text("#cnn-step-count")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        let examples = attribute(&browser, "#cnn-examples-per-second", "data-value")
            .and_then(|v| v.parse::<f64>().ok())
            .or_else(|| {
                browser
                    .text("#cnn-examples-per-second")
                    .as_deref()
                    .and_then(number)
            })
            .unwrap_or(0.0);
        let ms = if examples > 0.0 {
            64_000.0 / examples
        } else {
            f64::NAN
        };
        let (long, longest) = long_tasks(&browser);
        println!(
            "{backend:<8} {steps:>8} {ms:>10.1} {examples:>12.1} {:>10.1} {long:>12} {longest:>12.0}  {badge}",
            started.elapsed().as_secs_f64()
        );
    }
}

/// The readout that counts a lesson's steps, as a number (None before it shows one).
fn count(browser: &Browser, selector: &str) -> Option<f64> {
    number(browser.text(selector)?.split_whitespace().next()?)
}

/// Milliseconds from clicking `play` until `counter` shows at least one step: what a learner
/// waits for the first step on screen (one progress report included).
fn first_step_ms(browser: &Browser, play: &str, counter: &str) -> f64 {
    browser.wait_enabled(play);
    let started = Instant::now();
    browser.click(play);
    browser.wait_for("the first step", 300, |b| {
        count(b, counter).filter(|&n| n >= 1.0)
    });
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    browser.click(play);
    ms
}

/// Seconds a learner reads a lesson before pressing Play, in `bench first`.
const READING: [u64; 2] = [0, 20];

/// The first step on WebGPU as a learner sees it: each lesson opened afresh, Play pressed at once
/// or after some reading, until the step counter shows a step.
fn first_steps(site: &str) {
    println!("first step on WebGPU: ms from Play until the counter shows a step");
    println!(
        "{:<28} {:>10} {:>10}  adapter",
        "lesson", "at once", "after 20 s"
    );
    type Open = fn(&str) -> Browser;
    let lessons: [(&str, Open, &str, &str); 4] = [
        (
            "playground (default)",
            |site| {
                let browser = Browser::start_as_shipped();
                browser.goto(&format!("{site}/?lang=en&backend=webgpu#/playground"));
                browser.wait_for("the first loss", 300, |b| count(b, "#train-loss"));
                browser
            },
            "#play",
            "#step-count",
        ),
        (
            "CNN (default, batch 64)",
            |site| open_cnn(site, "webgpu", "?batch=64").0,
            "#cnn-play",
            "#cnn-step-count",
        ),
        (
            "GAN digits, MLP (batch 64)",
            |site| open_digits(site, "mlp"),
            "#gan-digits-play",
            "#gan-digits-iterations",
        ),
        (
            "GAN digits, DCGAN (batch 64)",
            |site| open_digits(site, "dcgan"),
            "#gan-digits-play",
            "#gan-digits-iterations",
        ),
    ];
    for (name, open, play, counter) in lessons {
        let mut row = Vec::new();
        let mut adapter = String::new();
        for reading in READING {
            let browser = open(site);
            adapter = badge(&browser);
            std::thread::sleep(Duration::from_secs(reading));
            row.push(first_step_ms(&browser, play, counter));
        }
        println!("{name:<28} {:>10.0} {:>10.0}  {adapter}", row[0], row[1]);
    }
}

/// The GAN lesson's digits section with a fresh `model` run and its first sample grid.
fn open_digits(site: &str, model: &str) -> Browser {
    let browser = Browser::start_as_shipped();
    browser.goto(&format!(
        "{site}/?lang=en&backend=webgpu#/gan?dmodel={model}&dbatch=64"
    ));
    browser.click_when_enabled("#gan-digits-start");
    browser.wait_for("the first sample grid", 300, |b| {
        attribute(b, "#gan-digits-grid", "data-checksum")
    });
    browser
}

/// The issue's acceptance run: two epochs of the default CNN on the CPU backend.
fn cnn_full(site: &str) {
    let (browser, badge) = open_cnn(site, "cpu", "");
    println!("CNN default run, 2 epochs, {badge}");
    let started = Instant::now();
    browser.click("#cnn-play");
    let mut seen = 0;
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let epochs: Vec<f64> = browser
            .eval("return Array.from(document.querySelectorAll('[data-full-accuracy]')).map(e => Number(e.getAttribute('data-full-accuracy')));")
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        for accuracy in epochs.iter().skip(seen) {
            println!(
                "  full test accuracy {:.4} after {:.0} s",
                accuracy,
                started.elapsed().as_secs_f64()
            );
        }
        seen = seen.max(epochs.len());
        let running = attribute(&browser, "#cnn-play", "data-running");
        if running.as_deref() == Some("false") && seen >= 2 {
            break;
        }
        if started.elapsed() > Duration::from_secs(3 * 3600) {
            println!("  gave up after 3 h");
            break;
        }
    }
    let accuracy = attribute(&browser, "#cnn-accuracy", "data-accuracy").unwrap_or_default();
    let examples = browser.text("#cnn-examples-per-second").unwrap_or_default();
    println!(
        "  finished: accuracy {accuracy}, wall {:.0} s, {examples}",
        started.elapsed().as_secs_f64()
    );
}

/// One memory row of the page: (workload, measure, steps, first, peak, last, growth per 1,000).
type MemoryRow = (String, String, f64, f64, f64, f64, Option<f64>);

fn memory_rows(browser: &Browser) -> Vec<MemoryRow> {
    let rows = browser.eval(
        "return Array.from(document.querySelectorAll('#bench-memory-table tbody tr[data-current]')).map(r => [r.dataset.workload, r.dataset.measure || '', r.dataset.steps || '', r.dataset.firstBytes || '', r.dataset.peakBytes || '', r.dataset.lastBytes || '', r.dataset.growthPerThousand || '', r.dataset.error || '']);",
    );
    let number = |v: &Value| v.as_str().and_then(|s| s.parse::<f64>().ok());
    rows.as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let cell = |i: usize| row[i].as_str().unwrap_or_default().to_string();
            if !cell(7).is_empty() {
                println!("  {} failed: {}", cell(0), cell(7));
                return None;
            }
            Some((
                cell(0),
                cell(1),
                number(&row[2])?,
                number(&row[3])?,
                number(&row[4])?,
                number(&row[5])?,
                number(&row[6]),
            ))
        })
        .collect()
}

/// `bench memory`: long runs on the bench page, the worker's memory sampled as they go.
fn memory(site: &str, args: &[String]) -> Result<bool, String> {
    let mut backends = vec!["cpu".to_string()];
    let mut memsteps = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--backends" => {
                backends = it
                    .next()
                    .ok_or("--backends needs a value")?
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--memsteps" => {
                let value = it.next().ok_or("--memsteps needs a value")?;
                memsteps = Some(
                    value
                        .parse::<u32>()
                        .map_err(|e| format!("--memsteps {value}: {e}"))?,
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let machine = machine();
    let mut md = format!(
        "## Kindling's memory over long runs, `cargo xtask bench memory`\n\n{}; {}, {} cores; {}; headless.\n\n\
         | backend | workload | measure | steps | first (MiB) | peak (MiB) | last (MiB) | growth per 1,000 steps (KiB) |\n\
         |---|---|---|---:|---:|---:|---:|---:|\n",
        machine.date, machine.cpu, machine.cores, machine.chromium
    );
    let mut ok = true;
    for backend in &backends {
        let mut query =
            "auto=1&w=inference&steps=1&warmup=0&memory=playground,cnn-small".to_string();
        if let Some(steps) = memsteps {
            query.push_str(&format!("&memsteps={steps}"));
        }
        let browser = Browser::start_as_shipped();
        browser.goto(&format!("{site}/?lang=en&backend={backend}#/bench?{query}"));
        let badge = badge(&browser);
        println!("memory on {badge} …");
        let started = Instant::now();
        let mut said = String::new();
        let state = loop {
            let state = attribute(&browser, "#bench-state", "data-state");
            if let Some(s) = state.as_deref().filter(|s| matches!(*s, "done" | "failed")) {
                break s.to_string();
            }
            let now = browser.text("#bench-state").unwrap_or_default();
            if now != said {
                println!("  {:.0} s: {now}", started.elapsed().as_secs_f64());
                said = now;
            }
            if started.elapsed() > Duration::from_secs(4 * 3600) {
                break "timed out after 4 h".into();
            }
            std::thread::sleep(Duration::from_secs(5));
        };
        println!("  {state} after {:.0} s", started.elapsed().as_secs_f64());
        let rows = memory_rows(&browser);
        ok &= state == "done" && !rows.is_empty();
        let mib = |b: f64| format!("{:.1}", b / 1048576.0);
        for (workload, measure, steps, first, peak, last, growth) in rows {
            let growth = growth.map_or("—".into(), |g| format!("{:+.1}", g / 1024.0));
            md.push_str(&format!(
                "| {badge} | {workload} | {measure} | {steps} | {} | {} | {} | {growth} |\n",
                mib(first),
                mib(peak),
                mib(last)
            ));
        }
        if let Some(text) = browser.text("#bench-text") {
            println!("  the page's text:\n{text}");
        }
    }
    println!("\n{md}");
    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("memory-latest.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(ok)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("memory") => match memory(&serve_site(), &args[1..]) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                eprintln!("bench memory: a run failed (see above)");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("bench memory: {e}");
                ExitCode::from(2)
            }
        },
        Some("full") => {
            cnn_full(&serve_site());
            ExitCode::SUCCESS
        }
        Some("lessons") => {
            let site = serve_site();
            playground(&site);
            cnn_speed(&site);
            ExitCode::SUCCESS
        }
        Some("first") => {
            first_steps(&serve_site());
            ExitCode::SUCCESS
        }
        _ => match compare(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                eprintln!("bench: some engine or workload failed to run (see the table's notes)");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("bench: {e}");
                ExitCode::from(2)
            }
        },
    }
}
