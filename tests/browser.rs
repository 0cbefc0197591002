//! In headless Chromium, inside a dedicated worker as in production: a WebGPU adapter is found
//! and a tiny model trains on WebGPU and on the CPU backend with falling loss; the CNN gives the
//! same losses on both backends from the same weights.
#![cfg(target_arch = "wasm32")]

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::worked::PlotRange;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::datasets::toy2d::DatasetKind;
use kindling_engine::lessons::activations;
use kindling_engine::lessons::activations::ActivationRequest;
use kindling_engine::lessons::article::Examples;
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::training::CnnTrainer;
use kindling_engine::lessons::losses;
use kindling_engine::lessons::losses::LossRequest;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::training::Trainer;
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
    let plot = PlotRange {
        min: -3.0,
        max: 3.0,
        samples: 5,
    };
    for example in &examples.activations {
        let request = ActivationRequest {
            function: example.function,
            inputs: example.inputs.clone(),
            slope: 0.1,
            plot,
        };
        let on_device = activations::compute(&request, device).await.unwrap();
        let on_cpu = activations::compute(&request, &backend::cpu())
            .await
            .unwrap();
        for i in 0..example.inputs.len() {
            assert!(
                close(on_device.outputs[i], on_cpu.outputs[i]),
                "{backend} {:?} output {i}",
                example.function
            );
            assert!(
                close(on_device.autodiff[i], on_device.analytic[i]),
                "{backend} {:?} f′ {i}: {} vs {}",
                example.function,
                on_device.autodiff[i],
                on_device.analytic[i]
            );
        }
    }
    for example in &examples.losses {
        let sweep = PlotRange {
            min: 0.0,
            max: 1.0,
            samples: 3,
        };
        let request = LossRequest {
            loss: example.loss,
            predictions: example.predictions.clone(),
            targets: example.targets.clone(),
            sweep,
        };
        let result = losses::compute(&request, device).await.unwrap();
        let truth = losses::reference_loss(example.loss, &example.predictions, &example.targets);
        assert!(
            close(result.loss, truth),
            "{backend} {:?}: {} vs {truth}",
            example.loss,
            result.loss
        );
        for (a, b) in result.grad_autodiff.iter().zip(&result.grad_analytic) {
            assert!(
                close(*a, *b),
                "{backend} {:?} gradient {a} vs {b}",
                example.loss
            );
        }
    }
}

/// 28 × 28 images of a horizontal bar (label 0), a vertical bar (1) or both (2).
fn bars(count: usize) -> Images {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for i in 0..count {
        let label = (i % 3) as u8;
        let at = 6 + (i * 7) % 16;
        pixels.extend((0..28 * 28).map(|p| {
            let (r, c) = (p / 28, p % 28);
            let on = (label != 1 && r == at) || (label != 0 && c == at);
            if on { 255 } else { ((p * 31 + i) % 40) as u8 }
        }));
        labels.push(label);
    }
    Images {
        rows: 28,
        cols: 28,
        pixels,
        labels,
    }
}

/// The default CNN's batch losses for a few steps from the same saved weights.
async fn cnn_losses(start: &[u8], device: Device) -> (Vec<f32>, Vec<f32>) {
    let (mut trainer, _) = CnnTrainer::from_checkpoint(start, bars(48), bars(12), device)
        .expect("the saved model loads");
    let mut losses = Vec::new();
    for _ in 0..4 {
        trainer.train_chunk(1, f64::INFINITY).await;
        losses.push(trainer.progress().batch_loss);
    }
    let drawn: Vec<f32> = bars(3).image(1).iter().map(|&p| p as f32 / 255.0).collect();
    (losses, trainer.predict(&drawn).await)
}

/// A few CNN steps on WebGPU and on the CPU, from the same weights and seed, give the same
/// losses and predictions (to float tolerance).
async fn cnn_backends_agree(gpu: Device) {
    let settings = CnnSettings {
        batch_size: 8,
        ..CnnSettings::default()
    };
    let fresh =
        CnnTrainer::new(settings, bars(48), bars(12), backend::cpu()).expect("valid settings");
    let start = fresh.export(None).await;
    let (cpu_losses, cpu_probs) = cnn_losses(&start, backend::cpu()).await;
    let (gpu_losses, gpu_probs) = cnn_losses(&start, gpu).await;
    assert!(cpu_losses.iter().all(|l| l.is_finite()), "{cpu_losses:?}");
    for (c, g) in cpu_losses.iter().zip(&gpu_losses) {
        assert!(
            (c - g).abs() <= 2e-3 * (1.0 + c.abs()),
            "CPU {cpu_losses:?} vs WebGPU {gpu_losses:?}"
        );
    }
    for (c, g) in cpu_probs.iter().zip(&gpu_probs) {
        assert!(
            (c - g).abs() <= 2e-3,
            "CPU {cpu_probs:?} vs WebGPU {gpu_probs:?}"
        );
    }
    assert_eq!(cpu_probs.len(), 10);
}

#[wasm_bindgen_test]
async fn webgpu_adapter_found_tiny_model_trains_and_worked_examples_agree() {
    let gpu = backend::init_webgpu()
        .await
        .expect("WebGPU initialises in headless Chromium");
    assert!(!gpu.adapter.is_empty());
    let (before, after) = trains(gpu.device.clone(), 8).await;
    assert!(before.is_finite() && after.is_finite());
    assert!(after < before, "WebGPU loss {before} → {after}");
    worked_examples_agree(&gpu.device, "WebGPU").await;
    cnn_backends_agree(gpu.device.clone()).await;
}

#[wasm_bindgen_test]
async fn cpu_tiny_model_trains_and_worked_examples_agree() {
    let (before, after) = trains(backend::cpu(), 30).await;
    assert!(after < before * 0.9, "CPU loss {before} → {after}");
    worked_examples_agree(&backend::cpu(), "CPU").await;
}
