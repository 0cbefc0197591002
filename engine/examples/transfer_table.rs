//! The transfer lesson's table: test accuracy of the four arms on digits 5–9 for each number
//! of labels per class, from a backbone trained on digits 0–4 (the shipped
//! `static/models/mnist04-resnet.safetensors` when it exists, else one trained here briefly).
//!
//! `cargo run --release -p kindling-engine --example transfer_table -- [labels,…] [lr,…] [steps]`

#[path = "../tests/transfer_common/mod.rs"]
mod transfer_common;

use kindling_engine::backend;
use kindling_engine::lessons::transfer::config::{Arm, TransferSettings};
use kindling_engine::lessons::transfer::training::TransferRun;
use kindling_engine::models::resnet::checkpoint;

fn list<T: std::str::FromStr>(arg: Option<String>, default: &str) -> Vec<T> {
    arg.unwrap_or_else(|| default.to_string())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let labels: Vec<u32> = list(args.next(), "1,5,10,50,0");
    let rates: Vec<f64> = list(args.next(), "0.003");
    let steps: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(120);
    let (train, test) = transfer_common::load(&transfer_common::data_folder("mnist"));
    let device = backend::cpu().autodiff();
    let shipped = transfer_common::data_folder("models/mnist04-resnet.safetensors");
    let (backbone, network) = match std::fs::read(&shipped) {
        Ok(bytes) => {
            let (model, card) = checkpoint::load(&bytes, &device).expect("the shipped backbone");
            println!("backbone: {} ({} steps)", shipped.display(), card.steps);
            (model, card.settings)
        }
        Err(_) => {
            let backbone_steps = 600;
            println!("backbone: trained here for {backbone_steps} steps on digits 0–4");
            let model = transfer_common::train_backbone(
                &train.with_classes(&[0, 1, 2, 3, 4]),
                backbone_steps,
                3,
                &device,
            );
            let settings = kindling_engine::models::resnet::ResnetSettings {
                classes: 5,
                ..Default::default()
            };
            (model, settings)
        }
    };
    let digits = [5, 6, 7, 8, 9];
    let (train, test) = (train.with_classes(&digits), test.with_classes(&digits));
    println!("| labels/class | lr | scratch | extract | last block | everything |");
    for &k in &labels {
        for &lr in &rates {
            let settings = TransferSettings {
                labels_per_class: k,
                learning_rate: lr,
                steps,
                ..TransferSettings::default()
            };
            let mut run = TransferRun::new(
                settings,
                &backbone,
                &network,
                &train,
                test.clone(),
                5,
                device.clone(),
            )
            .expect("settings");
            while !run.is_finished() {
                pollster::block_on(run.train_chunk(1000, f64::INFINITY));
            }
            let results = pollster::block_on(run.results());
            let cell = |arm: Arm| format!("{:.1} %", results[arm.index()].accuracy * 100.0);
            println!(
                "| {} | {lr} | {} | {} | {} | {} |",
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
