//! The transfer lesson's table: test accuracy of the four arms on a target (digits 5–9, or
//! Fashion-MNIST) for each number of labels per class, from the shipped backbone trained on
//! digits 0–4 (`static/models/mnist04-resnet.safetensors`).
//!
//! `cargo run --release -p kindling-engine --example transfer_table -- [labels,…] [lr,…] [steps]
//! [digits|fashion] [backbone share,…] [head-first share,…] [seed,…] [--write]`
//!
//! With `--write` (and one value of each setting but labels), the table is also written to
//! `static/transfer/table-<target>.json` (`MeasuredTable`), which the lesson's page shows and
//! `engine/tests/transfer_table.rs` checks against the engine.

#[path = "../tests/transfer_common/mod.rs"]
mod transfer_common;

use kindling_engine::backend;
use kindling_engine::lessons::transfer::config::{Arm, Target, TransferSettings};
use kindling_engine::lessons::transfer::table::{MeasuredRow, MeasuredTable};
use kindling_engine::lessons::transfer::training::TransferRun;

fn list<T: std::str::FromStr>(arg: Option<String>, default: &str) -> Vec<T> {
    arg.unwrap_or_else(|| default.to_string())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let write = all.iter().any(|a| a == "--write");
    let mut args = all.iter().filter(|a| *a != "--write").cloned();
    let defaults = TransferSettings::default();
    let labels: Vec<u32> = list(args.next(), "1,5,10,50,0");
    let rates: Vec<f64> = list(args.next(), &defaults.learning_rate.to_string());
    let steps: u32 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(defaults.steps);
    let target = match args.next().as_deref() {
        Some("fashion") => Target::Fashion,
        _ => Target::Digits,
    };
    let shares: Vec<f64> = list(args.next(), &defaults.backbone_multiplier.to_string());
    let head_first: Vec<f64> = list(args.next(), &defaults.head_first.to_string());
    let seeds: Vec<u64> = list(args.next(), &defaults.seed.to_string());
    let single = rates.len() == 1 && shares.len() == 1 && head_first.len() == 1 && seeds.len() == 1;
    assert!(
        !write || single,
        "--write takes one value of each setting but labels"
    );
    let mut rows = Vec::new();
    let (train, test) = transfer_common::load_target(target);
    let device = backend::cpu().autodiff();
    let (backbone, network) = transfer_common::shipped_backbone(&device);
    println!(
        "target {}, {steps} steps, batch {}",
        target.name(),
        defaults.batch
    );
    println!(
        "| labels/class | lr | backbone share | head first | seed | scratch | extract | last block | everything |"
    );
    for &k in &labels {
        for &lr in &rates {
            for &share in &shares {
                for (&first, &seed) in head_first
                    .iter()
                    .flat_map(|f| seeds.iter().map(move |s| (f, s)))
                {
                    let settings = TransferSettings {
                        target,
                        labels_per_class: k,
                        learning_rate: lr,
                        steps,
                        backbone_multiplier: share,
                        head_first: first,
                        seed,
                        ..defaults.clone()
                    };
                    let mut run = TransferRun::new(
                        settings,
                        &backbone,
                        &network,
                        &train,
                        test.clone(),
                        target.classes(),
                        device.clone(),
                    )
                    .expect("settings");
                    while !run.is_finished() {
                        pollster::block_on(run.train_chunk(1000, f64::INFINITY));
                    }
                    let results = pollster::block_on(run.results());
                    rows.push(MeasuredRow {
                        labels_per_class: k,
                        train_images: run.train_set().len(),
                        test_images: run.test_set().len(),
                        accuracy: results.iter().map(|r| r.accuracy).collect(),
                    });
                    let cell = |arm: Arm| format!("{:.1} %", results[arm.index()].accuracy * 100.0);
                    println!(
                        "| {} | {lr} | {share} | {first} | {seed} | {} | {} | {} | {} |",
                        if k == 0 {
                            "all".to_string()
                        } else {
                            k.to_string()
                        },
                        cell(Arm::Scratch),
                        cell(Arm::Extract),
                        cell(Arm::LastBlock),
                        cell(Arm::Everything)
                    );
                }
            }
        }
    }
    if write {
        let table = MeasuredTable {
            target,
            settings: TransferSettings {
                target,
                learning_rate: rates[0],
                steps,
                backbone_multiplier: shares[0],
                head_first: head_first[0],
                seed: seeds[0],
                ..defaults
            },
            command: format!(
                "cargo run --release -p kindling-engine --example transfer_table -- {}",
                all.join(" ")
            ),
            backend: "native CPU (burn-flex)".to_string(),
            arms: Arm::ALL.to_vec(),
            rows,
        };
        let path = transfer_common::data_folder(&MeasuredTable::file(target));
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("static/transfer");
        let json = serde_json::to_string_pretty(&table).expect("the table as JSON");
        std::fs::write(&path, json + "\n").expect("the table file");
        println!("wrote {}", path.display());
    }
}
