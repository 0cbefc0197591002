//! In headless Chromium, inside a dedicated worker as in production: a WebGPU adapter is found
//! and a tiny model trains on WebGPU and on the CPU backend with falling loss; Adam's GPU kernel
//! computes the update as worked out in f64, the dense layers' matrix-product kernel its
//! product and gradients, and the fused dense layer and binary cross-entropy theirs; the CNN and the toy
//! GAN give the same losses on both backends from the same weights; the shipped classifier gives
//! its native logits on both; the transfer lesson's four arms train from the shipped backbone on
//! both, whose features agree between them; the detection lesson's two detectors give the same
//! losses on both from the same weights.
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
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::messages::ToyView;
use kindling_engine::lessons::gan::toy_resume::ToyCheckpoint;
use kindling_engine::lessons::gan::training::ToyTrainer;
use kindling_engine::lessons::losses;
use kindling_engine::lessons::losses::LossRequest;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::training::Trainer;
use std::cell::RefCell;

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

thread_local! {
    /// burn's WebGPU runtime initialises once per page: the WebGPU tests share the first one's.
    static WEBGPU: RefCell<Option<(Device, String)>> = const { RefCell::new(None) };
}

/// The WebGPU device and its adapter's description, initialised by the first test that asks.
async fn webgpu() -> (Device, String) {
    if let Some(gpu) = WEBGPU.with(|cell| cell.borrow().clone()) {
        return gpu;
    }
    let gpu = backend::init_webgpu(|_| {})
        .await
        .expect("WebGPU initialises in headless Chromium");
    let gpu = (gpu.device, gpu.adapter);
    WEBGPU.with(|cell| *cell.borrow_mut() = Some(gpu.clone()));
    gpu
}

#[wasm_bindgen_test]
async fn webgpu_adapter_found_tiny_model_trains_and_worked_examples_agree() {
    let (device, adapter) = webgpu().await;
    assert!(!adapter.is_empty());
    let (before, after) = trains(device.clone(), 8).await;
    assert!(before.is_finite() && after.is_finite());
    assert!(after < before, "WebGPU loss {before} → {after}");
    worked_examples_agree(&device, "WebGPU").await;
    adam_kernel_agrees(device.clone()).await;
    matmul_kernel_agrees(device.clone()).await;
    fused_kernels_agree(device.clone()).await;
    cnn_backends_agree(device).await;
}

/// Adam's GPU kernel (engine/src/common/adam_kernel.rs), from given parameters, gradients and
/// moments, against the same update worked out in f64 here; and the CPU backend keeps burn's
/// tensor operations. The moments are made on the training device, with autodiff, as a restored
/// checkpoint's are. (The GAN and CNN tests compare whole Adam runs on both backends.)
async fn adam_kernel_agrees(training: Device) {
    use kindling_engine::burn::tensor::{Tensor, TensorData};
    use kindling_engine::common::adam_kernel::{self, AdamScalars};
    use kindling_engine::common::read::read_floats;
    let gpu = training.clone().inner();
    let n = 700;
    let wave =
        |k: f32, shift: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * k + shift).sin()).collect() };
    let (values, grad, moment_1) = (wave(0.37, 0.0), wave(1.3, 0.5), wave(0.11, 1.0));
    let moment_2: Vec<f32> = wave(0.23, 2.0).iter().map(|x| x * x * 0.01).collect();
    let s = AdamScalars {
        beta_1: 0.9,
        beta_2: 0.999,
        factor: 0.3,
        epsilon: 1e-4,
        rate: 0.02,
    };
    let tensor = |v: &Vec<f32>| Tensor::<1>::from_data(TensorData::new(v.clone(), [n]), &gpu);
    assert!(adam_kernel::applies(&tensor(&values)));
    assert!(!adam_kernel::applies(&Tensor::<1>::zeros(
        [3],
        &backend::cpu().inner()
    )));
    let restored =
        |v: &Vec<f32>| Tensor::<1>::from_data(TensorData::new(v.clone(), [n]), &training);
    let (v, m1, m2) = adam_kernel::update(
        tensor(&values),
        tensor(&grad),
        restored(&moment_1),
        restored(&moment_2),
        s,
    );
    let (v, m1, m2) = (
        read_floats(v).await,
        read_floats(m1).await,
        read_floats(m2).await,
    );
    let f = |x: f32| x as f64;
    for i in 0..n {
        let g = f(grad[i]);
        let want_1 = f(moment_1[i]) * f(s.beta_1) + g * (1.0 - f(s.beta_1));
        let want_2 = f(moment_2[i]) * f(s.beta_2) + g * g * (1.0 - f(s.beta_2));
        let direction = want_1 * f(s.factor) / (want_2.sqrt() + f(s.epsilon));
        let want_v = f(values[i]) - direction * f(s.rate);
        for (name, got, want) in [
            ("m1", m1[i], want_1),
            ("m2", m2[i], want_2),
            ("v", v[i], want_v),
        ] {
            assert!(
                (f(got) - want).abs() <= 1e-6 * (1.0 + want.abs()),
                "{name}[{i}]: WebGPU {got} vs {want}"
            );
        }
    }
}

/// The dense layers' GPU matrix product (engine/src/common/matmul_kernel.rs) and its two
/// gradients against the same sums in f64, on shapes that are not multiples of its 4 × 4 blocks,
/// with a transposed (strided) operand as the backward pass gives it; and a layer with its bias.
async fn matmul_kernel_agrees(training: Device) {
    use kindling_engine::burn::nn::LinearConfig;
    use kindling_engine::burn::tensor::{Tensor, TensorData};
    use kindling_engine::common::matmul_kernel;
    use kindling_engine::common::read::read_floats;
    let (m, k, n) = (7, 37, 13);
    let wave = |count: usize, step: f32, shift: f32| -> Vec<f32> {
        (0..count)
            .map(|i| (i as f32 * step + shift).sin())
            .collect()
    };
    let (a, b, weights) = (
        wave(m * k, 0.37, 0.0),
        wave(k * n, 1.3, 0.5),
        wave(m * n, 0.11, 1.0),
    );
    // The left operand is stored as its transpose [k, m] and used through a transposed view.
    let a_stored: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
    let lhs = Tensor::<2>::from_data(TensorData::new(a_stored, [k, m]), &training).require_grad();
    let rhs = Tensor::<2>::from_data(TensorData::new(b.clone(), [k, n]), &training).require_grad();
    let mix = Tensor::<2>::from_data(TensorData::new(weights.clone(), [m, n]), &training);
    assert!(matmul_kernel::applies(&lhs));
    assert!(!matmul_kernel::applies(&Tensor::<2>::zeros(
        [2, 2],
        &backend::cpu()
    )));
    let product = matmul_kernel::matmul(lhs.clone().transpose(), rhs.clone());
    let grads = (product.clone() * mix).sum().backward();
    let got = read_floats(product).await;
    let got_lhs = read_floats(lhs.grad(&grads).expect("lhs has a gradient")).await;
    let got_rhs = read_floats(rhs.grad(&grads).expect("rhs has a gradient")).await;
    let f = |x: f32| x as f64;
    let close = |name: &str, i: usize, got: f32, want: f64| {
        assert!(
            (f(got) - want).abs() <= 1e-5 * (1.0 + want.abs()),
            "{name}[{i}]: WebGPU {got} vs {want}"
        );
    };
    for i in 0..m {
        for j in 0..n {
            let want: f64 = (0..k).map(|t| f(a[i * k + t]) * f(b[t * n + j])).sum();
            close("product", i * n + j, got[i * n + j], want);
        }
    }
    // d(Σ mix ⊙ A·B)/dA = mix · Bᵀ, kept in A's stored [k, m] layout; d/dB = Aᵀ · mix.
    for t in 0..k {
        for i in 0..m {
            let want: f64 = (0..n)
                .map(|j| f(weights[i * n + j]) * f(b[t * n + j]))
                .sum();
            close("d lhs", t * m + i, got_lhs[t * m + i], want);
        }
        for j in 0..n {
            let want: f64 = (0..m)
                .map(|i| f(a[i * k + t]) * f(weights[i * n + j]))
                .sum();
            close("d rhs", t * n + j, got_rhs[t * n + j], want);
        }
    }
    let layer = LinearConfig::new(k, n).init(&training);
    let x = Tensor::<2>::from_data(TensorData::new(a.clone(), [m, k]), &training);
    let (w, bias) = (
        read_floats(layer.weight.val()).await,
        read_floats(layer.bias.as_ref().expect("a bias").val()).await,
    );
    let out = read_floats(matmul_kernel::linear(&layer, x)).await;
    for i in 0..m {
        for j in 0..n {
            let want = f(bias[j])
                + (0..k)
                    .map(|t| f(a[i * k + t]) * f(w[t * n + j]))
                    .sum::<f64>();
            close("linear", i * n + j, out[i * n + j], want);
        }
    }
}

/// The fused dense layer (product, bias and activation in one kernel; each gradient one more,
/// reading the activation's derivative from the output) and the fused binary cross-entropy,
/// against the same worked out in f64 from the same weights.
async fn fused_kernels_agree(training: Device) {
    use kindling_engine::burn::module::Param;
    use kindling_engine::burn::nn::LinearConfig;
    use kindling_engine::burn::tensor::{Tensor, TensorData};
    use kindling_engine::common::bce_kernel::{bce_with_logits_mean, discriminator_bce};
    use kindling_engine::common::matmul_kernel::{self, Act};
    use kindling_engine::common::read::read_floats;
    let (m, k, n) = (9, 21, 11);
    let wave = |count: usize, step: f32, shift: f32| -> Vec<f32> {
        (0..count)
            .map(|i| (i as f32 * step + shift).sin())
            .collect()
    };
    let (x, mix) = (wave(m * k, 0.61, 0.2), wave(m * n, 0.23, 1.0));
    let f = |x: f32| x as f64;
    let close = |what: &str, i: usize, got: f32, want: f64| {
        assert!(
            (f(got) - want).abs() <= 2e-5 * (1.0 + want.abs()),
            "{what}[{i}]: WebGPU {got} vs {want}"
        );
    };
    let acts: [(Act, fn(f64) -> f64, fn(f64) -> f64); 5] = [
        (Act::Identity, |z| z, |_| 1.0),
        (
            Act::Relu,
            |z| z.max(0.0),
            |z| if z > 0.0 { 1.0 } else { 0.0 },
        ),
        (
            Act::LeakyRelu(0.2),
            |z| if z < 0.0 { 0.2 * z } else { z },
            |z| if z < 0.0 { 0.2 } else { 1.0 },
        ),
        (Act::Tanh, f64::tanh, |z| 1.0 - z.tanh().powi(2)),
        (
            Act::Sigmoid,
            |z| 1.0 / (1.0 + (-z).exp()),
            |z| {
                let s = 1.0 / (1.0 + (-z).exp());
                s * (1.0 - s)
            },
        ),
    ];
    for (act, value, slope) in acts {
        let mut layer = LinearConfig::new(k, n).init(&training);
        // Weights large enough that every activation bends: some sums far below zero.
        let w = wave(k * n, 0.9, 0.4)
            .iter()
            .map(|v| v * 0.8)
            .collect::<Vec<_>>();
        let b = wave(n, 1.7, 0.0);
        layer.weight = Param::from_tensor(
            Tensor::<2>::from_data(TensorData::new(w.clone(), [k, n]), &training).require_grad(),
        );
        layer.bias = Some(Param::from_tensor(
            Tensor::<1>::from_data(TensorData::new(b.clone(), [n]), &training).require_grad(),
        ));
        let input =
            Tensor::<2>::from_data(TensorData::new(x.clone(), [m, k]), &training).require_grad();
        let weights = Tensor::<2>::from_data(TensorData::new(mix.clone(), [m, n]), &training);
        assert!(matmul_kernel::applies(&input));
        let y = matmul_kernel::dense(&layer, input.clone(), act);
        let grads = (y.clone() * weights).sum().backward();
        let got_y = read_floats(y).await;
        let got_x = read_floats(input.grad(&grads).expect("x has a gradient")).await;
        let got_w = read_floats(layer.weight.val().grad(&grads).expect("w has one")).await;
        let bias = layer.bias.as_ref().expect("a bias").val();
        let got_b = read_floats(bias.grad(&grads).expect("b has one")).await;
        let what = format!("{act:?}");
        let z: Vec<f64> = (0..m * n)
            .map(|at| {
                let (i, j) = (at / n, at % n);
                f(b[j])
                    + (0..k)
                        .map(|t| f(x[i * k + t]) * f(w[t * n + j]))
                        .sum::<f64>()
            })
            .collect();
        let dz: Vec<f64> = (0..m * n).map(|at| f(mix[at]) * slope(z[at])).collect();
        for at in 0..m * n {
            close(&format!("{what} y"), at, got_y[at], value(z[at]));
        }
        for i in 0..m {
            for t in 0..k {
                let want: f64 = (0..n).map(|j| dz[i * n + j] * f(w[t * n + j])).sum();
                close(&format!("{what} dx"), i * k + t, got_x[i * k + t], want);
            }
        }
        for t in 0..k {
            for j in 0..n {
                let want: f64 = (0..m).map(|i| f(x[i * k + t]) * dz[i * n + j]).sum();
                close(&format!("{what} dw"), t * n + j, got_w[t * n + j], want);
            }
        }
        for j in 0..n {
            let want: f64 = (0..m).map(|i| dz[i * n + j]).sum();
            close(&format!("{what} db"), j, got_b[j], want);
        }
        // A frozen weight and a trained bias: the bias's gradient from a kernel of its own.
        layer.weight = layer.weight.clone().set_require_grad(false);
        let y = matmul_kernel::dense(&layer, input.clone(), act);
        let mix_again = Tensor::<2>::from_data(TensorData::new(mix.clone(), [m, n]), &training);
        let grads = (y * mix_again).sum().backward();
        assert!(layer.weight.val().grad(&grads).is_none());
        let bias = layer.bias.as_ref().expect("a bias").val();
        let got_b = read_floats(bias.grad(&grads).expect("b has one")).await;
        for j in 0..n {
            let want: f64 = (0..m).map(|i| dz[i * n + j]).sum();
            close(&format!("{what} db, weight frozen"), j, got_b[j], want);
        }
    }
    // Logits past softplus's threshold (±20) as well as ordinary ones.
    let logits: Vec<f32> = vec![-30.0, -3.0, -0.5, 0.0, 0.7, 2.5, 25.0];
    for real in [true, false] {
        let l = Tensor::<2>::from_data(
            TensorData::new(logits.clone(), [logits.len(), 1]),
            &training,
        )
        .require_grad();
        let loss = bce_with_logits_mean(l.clone(), real);
        let grads = (loss.clone() * 3.0).backward();
        let got = read_floats(loss).await[0];
        let got_grad = read_floats(l.grad(&grads).expect("logits have a gradient")).await;
        let sign = if real { -1.0 } else { 1.0 };
        let count = logits.len() as f64;
        let softplus = |v: f64| if v > 20.0 { v } else { v.exp().ln_1p() };
        let want: f64 = logits.iter().map(|&v| softplus(sign * f(v))).sum::<f64>() / count;
        close(&format!("bce real={real}"), 0, got, want);
        for (i, &v) in logits.iter().enumerate() {
            let want = 3.0 * sign / (1.0 + (-sign * f(v)).exp()) / count;
            close(&format!("bce grad real={real}"), i, got_grad[i], want);
        }
    }
    // A discriminator's loss on a real and a (shorter) generated batch, one kernel each way.
    let fakes: Vec<f32> = vec![22.0, 1.5, -0.3, -4.0, 0.0];
    let column = |v: &[f32]| {
        Tensor::<2>::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &training).require_grad()
    };
    let (real, fake) = (column(&logits), column(&fakes));
    let loss = discriminator_bce(real.clone(), fake.clone());
    let grads = (loss.clone() * 2.0).backward();
    let got = read_floats(loss).await[0];
    let got_real = read_floats(real.grad(&grads).expect("real logits have a gradient")).await;
    let got_fake = read_floats(fake.grad(&grads).expect("fake logits have a gradient")).await;
    let softplus = |v: f64| if v > 20.0 { v } else { v.exp().ln_1p() };
    let mean = |v: &[f32], sign: f64| {
        v.iter().map(|&l| softplus(sign * f(l))).sum::<f64>() / v.len() as f64
    };
    close(
        "discriminator bce",
        0,
        got,
        mean(&logits, -1.0) + mean(&fakes, 1.0),
    );
    for (values, got, sign) in [(&logits, &got_real, -1.0), (&fakes, &got_fake, 1.0)] {
        for (i, &v) in values.iter().enumerate() {
            let want = 2.0 * sign / (1.0 + (-sign * f(v)).exp()) / values.len() as f64;
            close(
                &format!("discriminator bce grad sign={sign}"),
                i,
                got[i],
                want,
            );
        }
    }
}

#[wasm_bindgen_test]
async fn cpu_tiny_model_trains_and_worked_examples_agree() {
    let (before, after) = trains(backend::cpu(), 30).await;
    assert!(after < before * 0.9, "CPU loss {before} → {after}");
    worked_examples_agree(&backend::cpu(), "CPU").await;
}

/// The toy GAN's first iterations from the same weights on `device`: D's and G's losses, and the
/// generated points.
async fn gan_run(device: Device, start: &(Vec<f32>, Vec<f32>)) -> (f32, f32, Vec<f32>) {
    use kindling_engine::common::model_file::{load_weights, parameters};
    let settings = ToySettings {
        g_hidden: vec![8],
        d_hidden: vec![8],
        batch_size: 16,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, device).expect("valid settings");
    let g = trainer.generator().clone();
    let d = trainer.discriminator().clone();
    let (g_listed, d_listed) = (parameters(&g), parameters(&d));
    let g = load_weights(g, &g_listed, start.0.clone()).expect("G's weights fit");
    let d = load_weights(d, &d_listed, start.1.clone()).expect("D's weights fit");
    trainer.set_networks(g, d);
    trainer.train_chunk(3, f64::INFINITY).await;
    let view = trainer.view().await;
    (view.d_loss, view.g_loss, view.fake[..40].to_vec())
}

/// Three toy GAN iterations (k D steps then a G step each) on WebGPU and on the CPU, from the
/// same weights and the same seeded batches, give the same losses and points.
async fn gan_backends_agree(gpu: Device) {
    use kindling_engine::common::model_file::read_weights;
    let fresh = ToyTrainer::new(
        ToySettings {
            g_hidden: vec![8],
            d_hidden: vec![8],
            batch_size: 16,
            ..ToySettings::default()
        },
        backend::cpu(),
    )
    .expect("valid settings");
    let start = (
        read_weights(fresh.generator()).await.expect("G reads"),
        read_weights(fresh.discriminator()).await.expect("D reads"),
    );
    let cpu = gan_run(backend::cpu(), &start).await;
    let gpu = gan_run(gpu, &start).await;
    assert!(cpu.0.is_finite() && cpu.1.is_finite(), "{cpu:?}");
    assert!(
        (cpu.0 - gpu.0).abs() <= 1e-3 * (1.0 + cpu.0.abs()),
        "D loss CPU {} vs WebGPU {}",
        cpu.0,
        gpu.0
    );
    assert!(
        (cpu.1 - gpu.1).abs() <= 1e-3 * (1.0 + cpu.1.abs()),
        "G loss CPU {} vs WebGPU {}",
        cpu.1,
        gpu.1
    );
    for (c, g) in cpu.2.iter().zip(&gpu.2) {
        assert!(
            (c - g).abs() <= 1e-3,
            "points CPU {:?} vs WebGPU {:?}",
            cpu.2,
            gpu.2
        );
    }
}

#[wasm_bindgen_test]
async fn gan_iterations_agree_on_webgpu_and_the_cpu() {
    gan_backends_agree(webgpu().await.0).await;
}

/// A toy GAN checkpoint taken on WebGPU (both networks and both Adam states, read
/// asynchronously) resumes on the CPU, and the next iterations there match the WebGPU run's own.
#[wasm_bindgen_test]
async fn a_toy_gan_checkpoint_taken_on_webgpu_goes_on_on_the_cpu() {
    let settings = ToySettings {
        g_hidden: vec![8],
        d_hidden: vec![8],
        batch_size: 16,
        ..ToySettings::default()
    };
    let mut gpu = ToyTrainer::new(settings.clone(), webgpu().await.0).expect("valid settings");
    gpu.train_chunk(3, f64::INFINITY).await;
    let checkpoint = gpu.checkpoint().await.expect("WebGPU reads asynchronously");
    let go_on = |checkpoint| async move {
        let mut cpu = ToyTrainer::resume(&checkpoint, backend::cpu()).expect("resumes");
        cpu.train_chunk(2, f64::INFINITY).await;
        cpu.view().await
    };
    let cpu = go_on(checkpoint.clone()).await;
    // The same weights with fresh optimisers: the state is what makes the runs agree.
    let fresh = ToyTrainer::new(settings, backend::cpu()).expect("valid settings");
    let fresh = fresh.checkpoint().await.expect("the CPU reads");
    let forgetful = go_on(ToyCheckpoint {
        g_optimizer: fresh.g_optimizer,
        d_optimizer: fresh.d_optimizer,
        ..checkpoint
    })
    .await;
    gpu.train_chunk(2, f64::INFINITY).await;
    let gpu = gpu.view().await;
    let close = |a: f32, b: f32| a.is_finite() && (a - b).abs() <= 1e-3 * (1.0 + a.abs());
    assert!(
        close(cpu.d_loss, gpu.d_loss),
        "D {} vs WebGPU {}",
        cpu.d_loss,
        gpu.d_loss
    );
    assert!(
        close(cpu.g_loss, gpu.g_loss),
        "G {} vs WebGPU {}",
        cpu.g_loss,
        gpu.g_loss
    );
    let points_close = |view: &ToyView| {
        view.fake[..40]
            .iter()
            .zip(&gpu.fake[..40])
            .all(|(c, g)| (c - g).abs() <= 1e-3)
    };
    assert!(
        points_close(&cpu),
        "{:?} vs WebGPU {:?}",
        &cpu.fake[..8],
        &gpu.fake[..8]
    );
    assert!(
        !points_close(&forgetful),
        "fresh optimisers went the same way"
    );
}

/// The CNN shipped in static/models/, and its logits natively for the first MNIST test image of
/// each digit (written and checked by xtask/tests/classifier_fixture.rs).
const CLASSIFIER: &[u8] = include_bytes!("../../static/models/mnist-classifier.safetensors");
const CLASSIFIER_LOGITS: &str = include_str!("../../tests/fixtures/mnist-classifier-logits.json");

#[derive(serde::Deserialize)]
struct LogitsFixture {
    images: Vec<FixtureImage>,
}

#[derive(serde::Deserialize)]
struct FixtureImage {
    label: u8,
    /// 784 bytes in hex.
    pixels: String,
    logits: Vec<f32>,
}

/// The shipped classifier loads on `device` as the worker loads a model file, reads the fixture's
/// images as their digits, and gives the native logits within `tolerance` × (1 + |logit|).
async fn shipped_classifier_agrees(device: Device, backend: &str, tolerance: f32) {
    use kindling_engine::common::read::read_floats;
    use kindling_engine::datasets::mnist;
    use kindling_engine::lessons::cnn::checkpoint;
    use kindling_engine::lessons::cnn::model::CnnConfig;

    let fixture: LogitsFixture = serde_json::from_str(CLASSIFIER_LOGITS).unwrap();
    let byte = |pair: &[u8]| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
    let images = Images {
        rows: 28,
        cols: 28,
        pixels: fixture
            .images
            .iter()
            .flat_map(|image| image.pixels.as_bytes().chunks(2).map(byte))
            .collect(),
        labels: fixture.images.iter().map(|image| image.label).collect(),
    };
    assert_eq!(images.pixels.len(), 784 * images.len());

    // The worker's path: a trainer from the file, predicting a drawn-like image in [0, 1].
    let (trainer, card) =
        CnnTrainer::from_checkpoint(CLASSIFIER, images.clone(), images.clone(), device.clone())
            .expect("the shipped classifier loads");
    assert_eq!(
        card.provenance.map(|p| p.name).as_deref(),
        Some("mnist-classifier")
    );
    for i in [0, images.len() - 1] {
        let pixels: Vec<f32> = images.image(i).iter().map(|&p| p as f32 / 255.0).collect();
        let probabilities = trainer.predict(&pixels).await;
        let best = (0..10).max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
        assert_eq!(
            best,
            Some(usize::from(images.labels[i])),
            "{backend}: {probabilities:?}"
        );
    }

    // The logits, all images in one batch.
    let (card, weights) = checkpoint::decode(CLASSIFIER).unwrap();
    let model = CnnConfig::from_settings(&card.settings, 28, 28).init(&device);
    let model = checkpoint::load_weights(model, &card, weights).unwrap();
    let (batch, _) = mnist::batch(&images, 0..images.len(), &device);
    let logits = read_floats(model.forward(batch)).await;
    assert_eq!(logits.len(), 10 * images.len());
    for (image, here) in fixture.images.iter().zip(logits.chunks(10)) {
        for (native, now) in image.logits.iter().zip(here) {
            assert!(
                (native - now).abs() <= tolerance * (1.0 + native.abs()),
                "{backend}, a {}: native {:?}, here {here:?}",
                image.label,
                image.logits
            );
        }
    }
}

// The logits differ from the native ones by at most 1e-6 × (1 + |logit|) in headless Chromium,
// on the CPU backend (wasm SIMD kernels) and on WebGPU (SwiftShader). The CPU's bound leaves a
// hundredfold margin, WebGPU's a thousandfold, as hardware GPUs order their sums their own way.

#[wasm_bindgen_test]
async fn the_shipped_classifier_predicts_as_natively_on_the_cpu() {
    shipped_classifier_agrees(backend::cpu(), "CPU", 1e-4).await;
}

#[wasm_bindgen_test]
async fn the_shipped_classifier_predicts_as_natively_on_webgpu() {
    shipped_classifier_agrees(webgpu().await.0, "WebGPU", 1e-3).await;
}

/// The backbone the transfer lesson ships (a residual network trained on digits 0–4).
const BACKBONE: &[u8] = include_bytes!("../../static/models/mnist04-resnet.safetensors");

/// The shipped backbone's features for three bar images, on `device`, in evaluation mode.
async fn backbone_features(device: &Device) -> Vec<f32> {
    use kindling_engine::burn::module::Module;
    use kindling_engine::common::read::read_floats;
    use kindling_engine::datasets::mnist;
    use kindling_engine::models::resnet::checkpoint;

    let (backbone, _) = checkpoint::load(BACKBONE, device).expect("the shipped backbone loads");
    let images = bars(3);
    let (x, _) = mnist::batch(&images, 0..3, device);
    read_floats(backbone.valid().features(x.without_autodiff())).await
}

/// The four arms (scratch, feature extraction, last block, everything) each run a few steps on
/// `device` from the shipped backbone: every arm finishes its steps with a finite loss, feature
/// extraction leaves the backbone's features exactly as they were on this backend, and the
/// fine-tuning arms change them.
async fn transfer_arms_run(device: Device, backend: &str) {
    use kindling_engine::burn::module::Module;
    use kindling_engine::common::read::read_floats;
    use kindling_engine::datasets::mnist;
    use kindling_engine::lessons::transfer::config::{Arm, TransferSettings};
    use kindling_engine::lessons::transfer::training::TransferRun;
    use kindling_engine::models::resnet::checkpoint;

    let (backbone, card) = checkpoint::load(BACKBONE, &device).expect("the shipped backbone loads");
    let settings = TransferSettings {
        labels_per_class: 5,
        steps: 3,
        batch: 6,
        ..TransferSettings::default()
    };
    let mut run = TransferRun::new(
        settings,
        &backbone,
        &card.settings,
        &bars(30),
        bars(9),
        3,
        device.clone(),
    )
    .expect("valid settings");
    while !run.is_finished() {
        run.train_chunk(4, f64::INFINITY).await;
    }
    let results = run.results().await;
    assert_eq!(results.len(), 4, "{backend}");
    for result in &results {
        assert_eq!(result.steps, 3, "{backend}: {result:?}");
        assert!(result.loss.is_finite(), "{backend}: {result:?}");
        assert!(result.trained > 0, "{backend}: {result:?}");
        assert_eq!(
            result.frozen == 0,
            matches!(result.arm, Arm::Scratch | Arm::Everything),
            "{backend}: {result:?}"
        );
    }
    let images = bars(3);
    let features = |arm: Arm| {
        let (x, _) = mnist::batch(&images, 0..3, &device);
        read_floats(run.arm(arm).model().valid().features(x.without_autodiff()))
    };
    let before = backbone_features(&device).await;
    assert_eq!(
        features(Arm::Extract).await,
        before,
        "{backend}: feature extraction moved the frozen backbone"
    );
    // The last-block arm unfreezes its last block after its head-only share of the steps.
    for arm in [Arm::LastBlock, Arm::Everything] {
        assert_ne!(
            features(arm).await,
            before,
            "{backend}: {arm:?} moved nothing"
        );
    }
}

#[wasm_bindgen_test]
async fn the_transfer_arms_train_on_the_cpu() {
    transfer_arms_run(backend::cpu(), "CPU").await;
}

#[wasm_bindgen_test]
async fn the_transfer_arms_train_on_webgpu_and_its_backbone_features_match_the_cpu() {
    let gpu = webgpu().await.0;
    transfer_arms_run(gpu.clone(), "WebGPU").await;
    let cpu = backbone_features(&backend::cpu()).await;
    let here = backbone_features(&gpu).await;
    assert_eq!(cpu.len(), here.len());
    for (c, g) in cpu.iter().zip(&here) {
        assert!(
            (c - g).abs() <= 1e-3 * (1.0 + c.abs()),
            "CPU {cpu:?} vs WebGPU {here:?}"
        );
    }
}

/// The backbone the detection lesson ships (the residual network trained on all ten digits).
const DETECT_BACKBONE: &[u8] = include_bytes!("../../static/models/mnist-resnet.safetensors");

/// Level one's and level two's detectors, trained a few tiny steps: 2 canvases a step of the bar
/// images (as digits) on the shipped backbone, with a narrow head.
fn detect_settings() -> kindling_engine::lessons::detect::config::DetectSettings {
    kindling_engine::lessons::detect::config::DetectSettings {
        hidden: 8,
        steps: 3,
        batch: 2,
        seed: 7,
        ..Default::default()
    }
}

/// The model files both backends start from: a fresh level-one detector and a fresh level-two
/// one, made on the CPU.
async fn detect_starts() -> (Vec<u8>, Vec<u8>) {
    use kindling_engine::lessons::detect::card::DetectCard;
    use kindling_engine::lessons::detect::centre_training::CentreRun;
    use kindling_engine::lessons::detect::data::Level;
    use kindling_engine::lessons::detect::file;
    use kindling_engine::lessons::detect::training::{DetectRun, TEST_SEED};
    use kindling_engine::models::resnet::checkpoint;

    let device = backend::cpu();
    let (backbone, card) =
        checkpoint::load(DETECT_BACKBONE, &device).expect("the shipped backbone loads");
    let features = card.settings.feature_channels();
    let settings = detect_settings();
    let one = DetectRun::new(
        settings.clone(),
        &backbone,
        features,
        bars(12),
        bars(6),
        device.clone(),
    )
    .expect("valid settings");
    let many = CentreRun::new(
        settings.clone(),
        &backbone,
        features,
        bars(12),
        bars(6),
        device,
    )
    .expect("valid settings");
    let card_one = DetectCard::new(settings.clone(), card.settings.clone(), TEST_SEED);
    let card_many = DetectCard::at_level(Level::Many, settings, card.settings, TEST_SEED);
    (
        file::save(one.model(), card_one).await.expect("saved"),
        file::save_many(many.model(), card_many)
            .await
            .expect("saved"),
    )
}

/// Each step's (class, box) losses of both levels' detectors trained from the files `starts`
/// on `device` (level one's class and box, then level two's heat and box).
async fn detect_losses(starts: &(Vec<u8>, Vec<u8>), device: Device) -> Vec<(f32, f32)> {
    use kindling_engine::lessons::detect::centre_training::CentreRun;
    use kindling_engine::lessons::detect::file;
    use kindling_engine::lessons::detect::training::DetectRun;

    let (one, card) = file::load(&starts.0, &device).expect("level one loads");
    let mut run = DetectRun::continued(
        one,
        &card.settings,
        detect_settings(),
        0,
        bars(12),
        bars(6),
        device.clone(),
    )
    .expect("valid settings");
    let mut losses = Vec::new();
    while !run.is_finished() {
        let (_, step) = run.train_chunk(1, f64::INFINITY).await;
        let step = step.expect("a step's losses");
        losses.push((step.class, step.boxes));
    }
    let (many, card) = file::load_many(&starts.1, &device).expect("level two loads");
    let mut run = CentreRun::continued(
        many,
        &card.settings,
        detect_settings(),
        0,
        bars(12),
        bars(6),
        device,
    )
    .expect("valid settings");
    while !run.is_finished() {
        let (_, step) = run.train_chunk(1, f64::INFINITY).await;
        let step = step.expect("a step's losses");
        losses.push((step.class, step.boxes));
    }
    losses
}

// Three steps of each level's detector from the same files on the CPU and on WebGPU give the
// same class and box losses within 2e-3 × (1 + |loss|), as the CNN's do.
#[wasm_bindgen_test]
async fn detector_steps_agree_on_webgpu_and_the_cpu() {
    let starts = detect_starts().await;
    let cpu = detect_losses(&starts, backend::cpu()).await;
    let gpu = detect_losses(&starts, webgpu().await.0).await;
    assert_eq!(cpu.len(), 6, "{cpu:?}");
    assert_eq!(gpu.len(), 6, "{gpu:?}");
    let agree = |c: f32, g: f32| c.is_finite() && (c - g).abs() <= 2e-3 * (1.0 + c.abs());
    for (c, g) in cpu.iter().zip(&gpu) {
        assert!(
            agree(c.0, g.0) && agree(c.1, g.1),
            "CPU {cpu:?} vs WebGPU {gpu:?}"
        );
    }
    // The steps trained: the losses moved.
    assert_ne!(cpu[0], cpu[2], "{cpu:?}");
    assert_ne!(cpu[3], cpu[5], "{cpu:?}");
}
