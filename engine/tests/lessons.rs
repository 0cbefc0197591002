//! Every activation, derivative and loss computed by the engine (burn, CPU backend) against an
//! independent f64 reference written here from the formulas, on the article's inputs and on
//! random ones; and the article's printed values checked against the truth.

use kindling_engine::backend;
use kindling_engine::common::input::InputError;
use kindling_engine::common::worked::PlotRange;
use kindling_engine::lessons::activations;
use kindling_engine::lessons::activations::{ActivationFn, ActivationRequest};
use kindling_engine::lessons::article;
use kindling_engine::lessons::article::Examples;
use kindling_engine::lessons::losses;
use kindling_engine::lessons::losses::{LossKind, LossRequest};
use kindling_engine::rng::Rng;

const TOL: f64 = 1e-5;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// erf by Simpson's rule on its integral: independent of the engine's series.
fn erf(x: f64) -> f64 {
    let n = 2000;
    let h = x / n as f64;
    let f = |t: f64| (-t * t).exp();
    let mut s = f(0.0) + f(x);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
}

/// (f(x), f′(x)) from the textbook formulas; softmax handled separately.
fn reference(function: ActivationFn, slope: f64, x: f64) -> (f64, f64) {
    match function {
        ActivationFn::Relu => (x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 }),
        ActivationFn::LeakyRelu => (
            if x > 0.0 { x } else { slope * x },
            if x > 0.0 { 1.0 } else { slope },
        ),
        ActivationFn::Sigmoid => (sigmoid(x), sigmoid(x) * (1.0 - sigmoid(x))),
        ActivationFn::Tanh => {
            let t = ((x).exp() - (-x).exp()) / ((x).exp() + (-x).exp());
            (t, 1.0 - t * t)
        }
        ActivationFn::Gelu => {
            let cdf = 0.5 * (1.0 + erf(x / 2f64.sqrt()));
            let pdf = (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
            (x * cdf, cdf + x * pdf)
        }
        ActivationFn::Silu => (
            x * sigmoid(x),
            sigmoid(x) + x * sigmoid(x) * (1.0 - sigmoid(x)),
        ),
        ActivationFn::Softmax => unreachable!(),
    }
}

fn softmax_reference(xs: &[f64]) -> Vec<f64> {
    let exps: Vec<f64> = xs.iter().map(|x| x.exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

fn activation(function: ActivationFn, inputs: &[f64], slope: f64) -> activations::ActivationResult {
    let request = ActivationRequest {
        function,
        inputs: inputs.to_vec(),
        slope,
        plot: PlotRange {
            min: -5.0,
            max: 5.0,
            samples: 11,
        },
    };
    pollster::block_on(activations::compute(&request, &backend::cpu())).expect("valid request")
}

fn check_activation(function: ActivationFn, inputs: &[f64], slope: f64) {
    let result = activation(function, inputs, slope);
    let (expected, slopes): (Vec<f64>, Vec<f64>) = if function == ActivationFn::Softmax {
        let s = softmax_reference(inputs);
        (s.clone(), s.iter().map(|s| s * (1.0 - s)).collect())
    } else {
        inputs
            .iter()
            .map(|&x| reference(function, slope, x))
            .unzip()
    };
    for i in 0..inputs.len() {
        let x = inputs[i];
        assert!(
            close(result.outputs[i], expected[i], TOL),
            "{function:?}({x}) = {} ≠ {}",
            result.outputs[i],
            expected[i]
        );
        if x == 0.0 && matches!(function, ActivationFn::Relu | ActivationFn::LeakyRelu) {
            // No derivative at the kink: the lesson's formula must use burn's convention.
            assert_eq!(
                result.analytic[i], result.autodiff[i],
                "{function:?}′(0) conventions differ"
            );
            continue;
        }
        assert!(
            close(result.autodiff[i], slopes[i], TOL),
            "{function:?}′({x}) autodiff {} ≠ {}",
            result.autodiff[i],
            slopes[i]
        );
        assert!(
            close(result.analytic[i], slopes[i], 1e-9),
            "{function:?}′({x}) analytic {} ≠ {}",
            result.analytic[i],
            slopes[i]
        );
    }
    assert_eq!(result.plot.xs.len(), 11);
    assert_eq!(result.plot.ys.len(), 2);
}

#[test]
fn activations_match_the_reference_on_the_article_inputs_and_random_inputs() {
    let examples = Examples::load().unwrap();
    let mut rng = Rng::new(42);
    for &function in ActivationFn::ALL {
        let example = examples
            .activation(function)
            .expect("every function has an example");
        check_activation(function, &example.inputs, 0.1);
        for _ in 0..5 {
            // Stay off 0 for the kinked functions, where the derivative is a convention.
            let inputs: Vec<f64> = (0..6)
                .map(|_| rng.range(-6.0, 6.0))
                .filter(|x: &f64| x.abs() > 1e-3)
                .collect();
            check_activation(function, &inputs, rng.range(0.0, 0.5));
        }
    }
}

#[test]
fn intermediate_steps_are_the_named_quantities() {
    let xs = [-4.0, -2.0, 0.0, 2.0, 4.0];
    let result = activation(ActivationFn::Sigmoid, &xs, 0.0);
    let keys: Vec<&str> = result.steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["neg_x", "exp_neg_x", "one_plus_exp_neg_x"]);
    for (i, &x) in xs.iter().enumerate() {
        assert!(close(result.steps[1].values[i], (-x).exp(), TOL));
        assert!(close(result.steps[2].values[i], 1.0 + (-x).exp(), TOL));
        assert!(close(
            1.0 / result.steps[2].values[i],
            result.outputs[i],
            TOL
        ));
    }
    let soft = activation(ActivationFn::Softmax, &[1.0, 2.0, 3.0], 0.0);
    let sum = &soft
        .steps
        .iter()
        .find(|s| s.key == "sum_exp")
        .unwrap()
        .values;
    assert!(close(sum[0], (-2f64).exp() + (-1f64).exp() + 1.0, TOL));
}

#[test]
fn the_article_values_that_are_wrong_are_exactly_those_listed() {
    let examples = Examples::load().unwrap();
    let round3 = |v: f64| (v * 1000.0).round() / 1000.0;
    for example in &examples.activations {
        let Some(article) = &example.article else {
            continue;
        };
        let result = activation(example.function, &example.inputs, 0.1);
        let wrong: Vec<usize> = (0..article.len())
            .filter(|&i| round3(result.outputs[i]) != round3(article[i]))
            .collect();
        assert_eq!(
            wrong, example.article_wrong,
            "{:?}: computed {:?}",
            example.function, result.outputs
        );
    }
    for example in &examples.losses {
        let Some(article) = example.article else {
            continue;
        };
        let truth = losses::reference_loss(example.loss, &example.predictions, &example.targets);
        assert_eq!(
            round3(truth) != round3(article),
            example.article_wrong,
            "{:?}: truth {truth}",
            example.loss
        );
    }
    // The malformed expressions, evaluated as printed, do not give what the article printed either.
    let printed = &examples.article_expressions;
    let cce = article::cce_as_printed(&printed.cce_as_printed);
    assert!(
        close(cce, -(0.6f64.ln() + 0.4f64.ln()) / 3.0, 1e-12)
            && round3(cce) != printed.cce_as_printed.article,
        "{cce}"
    );
    let adversarial = article::adversarial_as_printed(&printed.adversarial_as_printed);
    assert!(
        (adversarial - 1.6966).abs() < 1e-3
            && round3(adversarial) != printed.adversarial_as_printed.article
    );
    // The MSE the article meant: (0.16 + 0.04 + 0.01) / 3 = 0.07.
    let mse = examples.loss(LossKind::Mse).unwrap();
    assert!(close(
        losses::reference_loss(LossKind::Mse, &mse.predictions, &mse.targets),
        0.07,
        1e-12
    ));
}

/// Loss and gradients from the formulas, written out independently of the engine's reference.
fn loss_reference(kind: LossKind, p: &[f64], t: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = p.len() as f64;
    match kind {
        LossKind::Mse => (
            p.iter().zip(t).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / n,
            p.iter().zip(t).map(|(a, b)| 2.0 * (a - b) / n).collect(),
            vec![],
        ),
        LossKind::Bce => (
            -p.iter().zip(t).map(|(&p, &y)| if y > 0.0 { y * p.ln() } else { 0.0 } + if y < 1.0 { (1.0 - y) * (1.0 - p).ln() } else { 0.0 }).sum::<f64>() / n,
            p.iter().zip(t).map(|(p, y)| (-y / p + (1.0 - y) / (1.0 - p)) / n).collect(),
            vec![],
        ),
        LossKind::Cce => (-p.iter().zip(t).map(|(p, y)| y * p.ln()).sum::<f64>(), p.iter().zip(t).map(|(p, y)| -y / p).collect(), vec![]),
        LossKind::CceLogits => {
            let s = softmax_reference(p);
            (-s.iter().zip(t).map(|(s, y)| y * s.ln()).sum::<f64>(), s.iter().zip(t).map(|(s, y)| s - y).collect(), vec![])
        }
        LossKind::GanD => {
            let m = t.len() as f64;
            let l = -p.iter().map(|d| d.ln()).sum::<f64>() / n - t.iter().map(|d| (1.0 - d).ln()).sum::<f64>() / m;
            (l, p.iter().map(|d| -1.0 / d / n).collect(), t.iter().map(|d| 1.0 / (1.0 - d) / m).collect())
        }
        LossKind::GanGMinimax => (p.iter().map(|d| (1.0 - d).ln()).sum::<f64>() / n, p.iter().map(|d| -1.0 / (1.0 - d) / n).collect(), vec![]),
        LossKind::GanGNs => (-p.iter().map(|d| d.ln()).sum::<f64>() / n, p.iter().map(|d| -1.0 / d / n).collect(), vec![]),
    }
}

fn loss(kind: LossKind, p: &[f64], t: &[f64]) -> Result<losses::LossResult, InputError> {
    let request = LossRequest {
        loss: kind,
        predictions: p.to_vec(),
        targets: t.to_vec(),
        sweep: PlotRange {
            min: -1.0,
            max: 2.0,
            samples: 7,
        },
    };
    pollster::block_on(losses::compute(&request, &backend::cpu()))
}

fn check_loss(kind: LossKind, p: &[f64], t: &[f64]) {
    let result = loss(kind, p, t).unwrap_or_else(|e| panic!("{kind:?} {p:?} {t:?}: {e:?}"));
    let (l, gp, gt) = loss_reference(kind, p, t);
    assert!(
        close(result.loss, l, TOL),
        "{kind:?} loss {} ≠ {l}",
        result.loss
    );
    assert!(
        close(result.clamped, l, TOL),
        "{kind:?} clamped {} ≠ {l}",
        result.clamped
    );
    assert_eq!(gp.len(), p.len());
    for (i, &expected) in gp.iter().enumerate() {
        assert!(
            close(result.grad_autodiff[i], expected, 1e-4),
            "{kind:?} ∂L/∂p{i} autodiff {} ≠ {expected}",
            result.grad_autodiff[i],
        );
        assert!(
            close(result.grad_analytic[i], expected, 1e-9),
            "{kind:?} ∂L/∂p{i} analytic {} ≠ {expected}",
            result.grad_analytic[i],
        );
    }
    assert_eq!(result.grad_targets_autodiff.len(), gt.len());
    for (i, &expected) in gt.iter().enumerate() {
        assert!(close(result.grad_targets_autodiff[i], expected, 1e-4));
        assert!(close(result.grad_targets_analytic[i], expected, 1e-9));
    }
    let probabilities = kind.predictions_are_probabilities();
    assert!(
        result
            .sweep
            .xs
            .iter()
            .all(|x| !probabilities || (0.0..=1.0).contains(x))
    );
}

#[test]
fn losses_and_gradients_match_the_reference_on_the_examples_and_random_inputs() {
    let examples = Examples::load().unwrap();
    for example in &examples.losses {
        check_loss(example.loss, &example.predictions, &example.targets);
    }
    let mut rng = Rng::new(7);
    for _ in 0..5 {
        let n = 2 + rng.below(4);
        let reals: Vec<f64> = (0..n).map(|_| rng.range(-3.0, 3.0)).collect();
        let probs: Vec<f64> = (0..n).map(|_| rng.range(0.05, 0.95)).collect();
        let labels: Vec<f64> = (0..n).map(|_| rng.below(2) as f64).collect();
        let mut one_hot = vec![0.0; n];
        one_hot[rng.below(n)] = 1.0;
        let total: f64 = probs.iter().sum();
        let distribution: Vec<f64> = probs.iter().map(|p| p / total).collect();
        check_loss(LossKind::Mse, &reals, &probs);
        check_loss(LossKind::Bce, &probs, &labels);
        check_loss(LossKind::Cce, &distribution, &one_hot);
        check_loss(LossKind::CceLogits, &reals, &one_hot);
        check_loss(LossKind::GanD, &probs, &probs[..n - 1]);
        check_loss(LossKind::GanGMinimax, &probs, &[]);
        check_loss(LossKind::GanGNs, &probs, &[]);
    }
}

#[test]
fn log_of_zero_is_infinite_unclamped_and_finite_clamped() {
    let result = loss(LossKind::Bce, &[0.0, 0.5], &[1.0, 0.0]).unwrap();
    assert!(
        result.loss.is_infinite() && result.loss > 0.0,
        "{}",
        result.loss
    );
    assert!(result.clamped.is_finite());
    let expected = -((1e-7f64).ln() + 0.5f64.ln()) / 2.0;
    assert!(
        close(result.clamped, expected, 1e-3),
        "{} vs {expected}",
        result.clamped
    );
    // A certain, correct prediction costs nothing: 0 · ln 0 counts as 0, not NaN.
    let certain = loss(LossKind::Bce, &[1.0, 0.0], &[1.0, 0.0]).unwrap();
    assert_eq!(certain.loss, 0.0);
    let certain = loss(LossKind::Cce, &[1.0, 0.0], &[1.0, 0.0]).unwrap();
    assert_eq!(certain.loss, 0.0);
    let confidently_wrong = loss(LossKind::Bce, &[1.0], &[0.0]).unwrap();
    assert!(confidently_wrong.loss.is_infinite());
    // The logits form needs no clamping: a huge logit stays finite.
    let logits = loss(LossKind::CceLogits, &[80.0, -80.0], &[0.0, 1.0]).unwrap();
    assert!(
        logits.loss.is_finite() && close(logits.loss, 160.0, 1e-4),
        "{}",
        logits.loss
    );
}

#[test]
fn malformed_inputs_are_refused_with_a_reason() {
    assert_eq!(
        loss(LossKind::Mse, &[1.0, 2.0], &[1.0]).err(),
        Some(InputError::LengthMismatch { left: 2, right: 1 })
    );
    assert_eq!(
        loss(LossKind::Bce, &[1.5], &[1.0]).err(),
        Some(InputError::NotAProbability { index: 0 })
    );
    assert_eq!(
        loss(LossKind::Cce, &[0.6, 0.6], &[1.0, 0.0])
            .err()
            .map(|e| matches!(e, InputError::NotADistribution { .. })),
        Some(true)
    );
    assert_eq!(loss(LossKind::Mse, &[], &[]).err(), Some(InputError::Empty));
    assert_eq!(
        loss(LossKind::Mse, &[f64::NAN], &[1.0]).err(),
        Some(InputError::NotFinite { index: 0 })
    );
    let long = vec![0.5; 10_000];
    assert!(matches!(
        loss(LossKind::Mse, &long, &long).err(),
        Some(InputError::TooLong { .. })
    ));
    let bad_slope = ActivationRequest {
        function: ActivationFn::LeakyRelu,
        inputs: vec![1.0],
        slope: f64::INFINITY,
        plot: PlotRange {
            min: -1.0,
            max: 1.0,
            samples: 3,
        },
    };
    assert_eq!(
        pollster::block_on(activations::compute(&bad_slope, &backend::cpu())).err(),
        Some(InputError::BadSlope)
    );
    let bad_range = ActivationRequest {
        function: ActivationFn::Relu,
        inputs: vec![1.0],
        slope: 0.0,
        plot: PlotRange {
            min: 1.0,
            max: -1.0,
            samples: 3,
        },
    };
    assert!(matches!(
        pollster::block_on(activations::compute(&bad_range, &backend::cpu())).err(),
        Some(InputError::BadRange { .. })
    ));
}
