//! In headless Chromium, inside a dedicated worker as in production: a WebGPU adapter is found
//! and a tiny model trains on WebGPU and on the CPU backend with falling loss.
#![cfg(target_arch = "wasm32")]

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::playground::training::Trainer;
use kindling_engine::playground::{DatasetKind, OptimizerKind, PlaygroundConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn tiny() -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Gaussians,
        points: 64,
        hidden: vec![4],
        batch_size: 16,
        optimizer: OptimizerKind::Adam,
        learning_rate: 0.05,
        ..PlaygroundConfig::default()
    }
}

async fn trains(device: Device, steps: u64) -> (f32, f32) {
    let mut trainer = Trainer::new(tiny(), device).expect("valid config");
    let before = trainer.evaluate().await.train_loss;
    trainer.train_chunk(steps, f64::INFINITY).await;
    let after = trainer.evaluate().await.train_loss;
    (before, after)
}

#[wasm_bindgen_test]
async fn webgpu_adapter_found_and_tiny_model_trains() {
    let gpu = backend::init_webgpu().await.expect("WebGPU initialises in headless Chromium");
    assert!(!gpu.adapter.is_empty());
    let (before, after) = trains(gpu.device, 8).await;
    assert!(before.is_finite() && after.is_finite());
    assert!(after < before, "WebGPU loss {before} → {after}");
}

#[wasm_bindgen_test]
async fn cpu_tiny_model_trains() {
    let (before, after) = trains(backend::cpu(), 30).await;
    assert!(after < before * 0.9, "CPU loss {before} → {after}");
}
