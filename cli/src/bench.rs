//! `kindling bench`: the benchmark's workloads (`cargo xtask bench`'s A to D and the CNN lesson's
//! default network) timed on a native backend, with the same code, seeds and data as the
//! browser's `#/bench` page. Each step is waited for by reading its result back.

use std::path::Path;

use kindling_engine::backend::{self, native_device_described};
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::bench::runner::{self, BenchRun};
use kindling_engine::lessons::bench::workload::{BenchResult, Workload};
use serde::Serialize;

use crate::args::BenchArgs;

/// What `--json` writes.
#[derive(Serialize, Debug)]
pub struct Report {
    pub backend: String,
    pub device: String,
    pub seed: u64,
    pub warmup: u32,
    pub results: Vec<Row>,
}

#[derive(Serialize, Debug)]
pub struct Row {
    pub workload: Workload,
    pub first_ms: f64,
    pub median_ms: f64,
    pub steps_ms: Vec<f64>,
    /// With --agree: the values read back on the CPU and on the backend, step by step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Agreement {
    pub cpu: Vec<f32>,
    pub backend: Vec<f32>,
    /// The largest |backend − cpu| over the steps, and that divided by max(1, |cpu|).
    pub largest_difference: f32,
    pub largest_relative: f32,
}

impl Agreement {
    pub fn of(cpu: Vec<f32>, backend: Vec<f32>) -> Self {
        let (mut largest_difference, mut largest_relative) = (0.0f32, 0.0f32);
        for (a, b) in cpu.iter().zip(&backend) {
            let difference = (b - a).abs();
            // NaN on either side makes the difference NaN, which max would drop.
            let difference = if difference.is_nan() {
                f32::INFINITY
            } else {
                difference
            };
            largest_difference = largest_difference.max(difference);
            largest_relative = largest_relative.max(difference / a.abs().max(1.0));
        }
        Agreement {
            cpu,
            backend,
            largest_difference,
            largest_relative,
        }
    }
}

/// `steps` values read back from `workload` run on the CPU and on `device` from the same weights
/// and data (the CPU's, moved).
fn agreement(workload: Workload, device: &Device, seed: u64, steps: u32) -> Agreement {
    let values = |mut run: BenchRun| -> Vec<f32> {
        (0..steps)
            .map(|_| pollster::block_on(run.timed_step()).1)
            .collect()
    };
    let cpu = values(BenchRun::new(workload, &backend::cpu(), seed));
    let on_device = values(BenchRun::from_cpu(workload, device, seed));
    Agreement::of(cpu, on_device)
}

impl From<BenchResult> for Row {
    fn from(result: BenchResult) -> Self {
        Row {
            median_ms: result.median_ms(),
            workload: result.workload,
            first_ms: result.first_ms,
            steps_ms: result.steps_ms,
            agreement: None,
        }
    }
}

/// `--workloads cnn-small,gan` → those workloads, in that order; empty → all of them.
pub fn parse_workloads(text: &str) -> Result<Vec<Workload>, String> {
    if text.trim().is_empty() {
        return Ok(Workload::ALL.to_vec());
    }
    let names = Workload::ALL.iter().map(|w| w.name()).collect::<Vec<_>>();
    text.split(',')
        .map(|name| {
            Workload::from_name(name.trim()).ok_or_else(|| {
                format!(
                    "--workloads: no workload {name:?} (the workloads: {})",
                    names.join(", ")
                )
            })
        })
        .collect()
}

/// Runs the workloads and returns the report; prints a Markdown table as each one finishes.
pub fn measure(args: &BenchArgs) -> Result<Report, String> {
    let workloads = parse_workloads(&args.workloads)?;
    if args.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    let backend = args.backend.native();
    let (device, described) = native_device_described(backend)?;
    println!("backend {}: {described}", backend.name());
    println!(
        "| workload | first step (ms) | median step (ms) | steps timed |\n| --- | ---: | ---: | ---: |"
    );
    let mut results = Vec::new();
    for workload in workloads {
        let result = pollster::block_on(runner::run(
            workload,
            &device,
            args.seed,
            args.warmup,
            args.steps,
        ));
        let row = Row::from(result);
        println!(
            "| {} | {:.1} | {:.2} | {} |",
            workload.name(),
            row.first_ms,
            row.median_ms,
            row.steps_ms.len()
        );
        results.push(row);
    }
    if args.agree > 0 {
        println!(
            "\nThe same weights and data on the CPU and on {}, {} steps each: the largest \
             difference of the values read back (losses; C: a logit).\n\n\
             | workload | largest difference | relative to max(1, |cpu|) |\n| --- | ---: | ---: |",
            backend.name(),
            args.agree
        );
        for row in &mut results {
            let agreement = agreement(row.workload, &device, args.seed, args.agree);
            println!(
                "| {} | {:.2e} | {:.2e} |",
                row.workload.name(),
                agreement.largest_difference,
                agreement.largest_relative
            );
            row.agreement = Some(agreement);
        }
    }
    Ok(Report {
        backend: backend.name().to_string(),
        device: described,
        seed: args.seed,
        warmup: args.warmup,
        results,
    })
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    let report = measure(&args)?;
    if let Some(path) = &args.json {
        write_json(path, &report)?;
        println!("written: {}", path.display());
    }
    Ok(())
}

fn write_json(path: &Path, report: &Report) -> Result<(), String> {
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(path, json + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Backend;
    use kindling_engine::backend::NativeBackend;

    #[test]
    fn workload_lists_parse() {
        assert_eq!(parse_workloads("").unwrap().len(), Workload::ALL.len());
        assert_eq!(
            parse_workloads("gan, cnn-small"),
            Ok(vec![Workload::Gan, Workload::CnnSmall])
        );
        let err = parse_workloads("cnn-small,resnet").unwrap_err();
        assert!(
            err.contains("\"resnet\"") && err.contains("cnn-default"),
            "{err}"
        );
    }

    fn args(backend: Backend, workloads: &str, steps: u32) -> BenchArgs {
        BenchArgs {
            backend,
            workloads: workloads.into(),
            warmup: 1,
            steps,
            seed: 3,
            agree: 0,
            json: None,
        }
    }

    #[test]
    fn the_cpu_runs_the_workloads_asked_for() {
        let report = measure(&args(Backend::Cpu, "inference,gan", 3)).unwrap();
        assert_eq!(report.backend, "cpu");
        assert!(report.device.contains("CPU"), "{}", report.device);
        let workloads: Vec<_> = report.results.iter().map(|r| r.workload).collect();
        assert_eq!(workloads, [Workload::Inference, Workload::Gan]);
        for row in &report.results {
            assert_eq!(row.steps_ms.len(), 3);
            assert!(row.first_ms > 0.0 && row.first_ms.is_finite());
            assert!(row.steps_ms.iter().all(|ms| *ms > 0.0 && ms.is_finite()));
            let (low, high) = row
                .steps_ms
                .iter()
                .fold((f64::MAX, 0.0f64), |(l, h), ms| (l.min(*ms), h.max(*ms)));
            assert!(low <= row.median_ms && row.median_ms <= high);
        }
    }

    #[test]
    fn agreement_takes_the_largest_difference_and_counts_nan_as_infinite() {
        let a = Agreement::of(vec![2.0, 0.5, -4.0], vec![2.5, 0.25, -4.0]);
        assert_eq!((a.largest_difference, a.largest_relative), (0.5, 0.25));
        let a = Agreement::of(vec![1.0], vec![f32::NAN]);
        assert_eq!(a.largest_difference, f32::INFINITY);
    }

    #[test]
    fn the_cpu_agrees_with_itself_from_the_same_weights() {
        let mut request = args(Backend::Cpu, "cnn-small", 1);
        request.agree = 3;
        let report = measure(&request).unwrap();
        let agreement = report.results[0].agreement.as_ref().unwrap();
        assert_eq!(agreement.cpu.len(), 3);
        assert_eq!(agreement.cpu, agreement.backend);
        assert_eq!(agreement.largest_difference, 0.0);
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        assert!(
            measure(&args(Backend::Cpu, "cnn-small", 0))
                .unwrap_err()
                .contains("--steps")
        );
        assert!(
            measure(&args(Backend::Cpu, "cnn", 1))
                .unwrap_err()
                .contains("no workload")
        );
        if !NativeBackend::Wgpu.compiled() {
            let err = measure(&args(Backend::Wgpu, "cnn-small", 1)).unwrap_err();
            assert!(err.contains("native-wgpu"), "{err}");
        }
    }
}
