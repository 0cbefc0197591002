//! In headless Chromium, inside a dedicated worker as in production: a WebGPU adapter is found
//! and a tiny model trains on WebGPU and on the CPU backend with falling loss.
#![cfg(target_arch = "wasm32")]

use kindling_engine::backend;
use kindling_engine::lessons::PlotRange;
use kindling_engine::lessons::activations::{self, ActivationRequest};
use kindling_engine::lessons::examples::Examples;
use kindling_engine::lessons::losses::{self, LossRequest};
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

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * (1.0 + b.abs())
}

/// The lessons' worked examples on `device` agree with the f64 formulas.
async fn worked_examples_agree(device: &Device, backend: &str) {
    let examples = Examples::load().unwrap();
    let plot = PlotRange { min: -3.0, max: 3.0, samples: 5 };
    for example in &examples.activations {
        let request = ActivationRequest { function: example.function, inputs: example.inputs.clone(), slope: 0.1, plot };
        let on_device = activations::compute(&request, device).await.unwrap();
        let on_cpu = activations::compute(&request, &backend::cpu()).await.unwrap();
        for i in 0..example.inputs.len() {
            assert!(close(on_device.outputs[i], on_cpu.outputs[i]), "{backend} {:?} output {i}", example.function);
            assert!(close(on_device.autodiff[i], on_device.analytic[i]), "{backend} {:?} f′ {i}: {} vs {}", example.function, on_device.autodiff[i], on_device.analytic[i]);
        }
    }
    for example in &examples.losses {
        let sweep = PlotRange { min: 0.0, max: 1.0, samples: 3 };
        let request = LossRequest { loss: example.loss, predictions: example.predictions.clone(), targets: example.targets.clone(), sweep };
        let result = losses::compute(&request, device).await.unwrap();
        let truth = losses::reference_loss(example.loss, &example.predictions, &example.targets);
        assert!(close(result.loss, truth), "{backend} {:?}: {} vs {truth}", example.loss, result.loss);
        for (a, b) in result.grad_autodiff.iter().zip(&result.grad_analytic) {
            assert!(close(*a, *b), "{backend} {:?} gradient {a} vs {b}", example.loss);
        }
    }
}

#[wasm_bindgen_test]
async fn webgpu_adapter_found_tiny_model_trains_and_worked_examples_agree() {
    let gpu = backend::init_webgpu().await.expect("WebGPU initialises in headless Chromium");
    assert!(!gpu.adapter.is_empty());
    let (before, after) = trains(gpu.device.clone(), 8).await;
    assert!(before.is_finite() && after.is_finite());
    assert!(after < before, "WebGPU loss {before} → {after}");
    worked_examples_agree(&gpu.device, "WebGPU").await;
}

#[wasm_bindgen_test]
async fn cpu_tiny_model_trains_and_worked_examples_agree() {
    let (before, after) = trains(backend::cpu(), 30).await;
    assert!(after < before * 0.9, "CPU loss {before} → {after}");
    worked_examples_agree(&backend::cpu(), "CPU").await;
}
