//! Loss functions: the loss step by step, its gradient by autodiff and by formula, and the
//! loss as one prediction sweeps a range.

#[cfg(feature = "compute")]
use burn::tensor::{Device, Tensor, activation as act};
use serde::{Deserialize, Serialize};

use crate::common::input::{InputError, check_vector};
#[cfg(feature = "compute")]
use crate::common::read::{read, tensor};
use crate::common::worked::{Plot, PlotRange, Step};

pub mod messages;

/// Probabilities are clamped to [EPSILON, 1 − EPSILON] in the stabilised form of a loss.
pub const EPSILON: f64 = 1e-7;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Mean squared error: predictions and targets are real numbers.
    Mse,
    /// Binary cross-entropy, averaged over samples: predictions are probabilities of class 1,
    /// targets are 0/1 labels (or probabilities).
    Bce,
    /// Categorical cross-entropy of one sample from predicted probabilities over K classes.
    Cce,
    /// Categorical cross-entropy of one sample from logits (softmax inside).
    CceLogits,
    /// GAN discriminator loss: predictions are D(x) on real samples, targets D(G(z)) on fakes.
    GanD,
    /// GAN generator loss in its original minimax form, mean log(1 − D(G(z))).
    GanGMinimax,
    /// GAN generator's non-saturating loss, −mean log D(G(z)).
    GanGNs,
}

impl LossKind {
    pub const ALL: &'static [LossKind] = &[
        LossKind::Mse,
        LossKind::Bce,
        LossKind::Cce,
        LossKind::CceLogits,
        LossKind::GanD,
        LossKind::GanGMinimax,
        LossKind::GanGNs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LossKind::Mse => "mse",
            LossKind::Bce => "bce",
            LossKind::Cce => "cce",
            LossKind::CceLogits => "cce_logits",
            LossKind::GanD => "gan_d",
            LossKind::GanGMinimax => "gan_g_minimax",
            LossKind::GanGNs => "gan_g_ns",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether the loss reads a second vector (targets, or D(G(z)) for the discriminator).
    pub fn has_targets(self) -> bool {
        !matches!(self, LossKind::GanGMinimax | LossKind::GanGNs)
    }

    /// Whether predictions must lie in [0, 1].
    pub fn predictions_are_probabilities(self) -> bool {
        !matches!(self, LossKind::Mse | LossKind::CceLogits)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LossRequest {
    pub loss: LossKind,
    pub predictions: Vec<f64>,
    /// Empty for the generator losses.
    pub targets: Vec<f64>,
    /// The range over which `predictions[0]` sweeps for the plot.
    pub sweep: PlotRange,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LossResult {
    /// The loss as its formula gives it (infinite where a log meets 0).
    pub loss: f64,
    /// The loss with probabilities clamped to [ε, 1 − ε] (for logits losses, equal to `loss`).
    pub clamped: f64,
    pub steps: Vec<Step>,
    /// ∂L/∂predictionᵢ from burn's autodiff, and from the formula in f64.
    pub grad_autodiff: Vec<f64>,
    pub grad_analytic: Vec<f64>,
    /// For the discriminator loss, ∂L/∂D(G(z))ᵢ likewise; empty otherwise.
    pub grad_targets_autodiff: Vec<f64>,
    pub grad_targets_analytic: Vec<f64>,
    /// `ys[0]` = the loss and `ys[1]` = ∂L/∂prediction₀ as prediction₀ sweeps the range.
    pub sweep: Plot,
}

pub fn check(request: &LossRequest) -> Result<(), InputError> {
    let (p, t) = (&request.predictions, &request.targets);
    check_vector(p)?;
    request.sweep.check()?;
    let kind = request.loss;
    if kind.has_targets() {
        check_vector(t)?;
    }
    let same_length = matches!(
        kind,
        LossKind::Mse | LossKind::Bce | LossKind::Cce | LossKind::CceLogits
    );
    if same_length && p.len() != t.len() {
        return Err(InputError::LengthMismatch {
            left: p.len(),
            right: t.len(),
        });
    }
    if matches!(kind, LossKind::Cce | LossKind::CceLogits) && p.len() < 2 {
        return Err(InputError::NeedAtLeast { min: 2 });
    }
    let probability = |values: &Vec<f64>| {
        values
            .iter()
            .position(|v| !(0.0..=1.0).contains(v))
            .map(|index| InputError::NotAProbability { index })
    };
    if kind.predictions_are_probabilities()
        && let Some(e) = probability(p)
    {
        return Err(e);
    }
    if matches!(
        kind,
        LossKind::Bce | LossKind::Cce | LossKind::CceLogits | LossKind::GanD
    ) && let Some(e) = probability(t)
    {
        return Err(e);
    }
    for values in [
        Some(t).filter(|_| {
            kind != LossKind::GanD && matches!(kind, LossKind::Cce | LossKind::CceLogits)
        }),
        Some(p).filter(|_| kind == LossKind::Cce),
    ]
    .into_iter()
    .flatten()
    {
        let sum: f64 = values.iter().sum();
        if (sum - 1.0).abs() > 1e-3 {
            return Err(InputError::NotADistribution { sum });
        }
    }
    Ok(())
}

/// `weight · ln(x)`, taken as 0 where the weight is 0 (so that 0 · ln 0 is 0, not NaN).
#[cfg(feature = "compute")]
fn weighted_log(weight: Tensor<1>, x: Tensor<1>) -> Tensor<1> {
    (weight.clone() * x.log()).mask_fill(weight.equal_elem(0.0), 0.0)
}

#[cfg(feature = "compute")]
/// The loss of predictions `p` (and targets / fakes `t`) as a burn graph. With `clamp`,
/// probabilities are first clamped to [ε, 1 − ε].
fn loss_graph(kind: LossKind, p: Tensor<1>, t: Tensor<1>, clamp: bool) -> Tensor<1> {
    let c = |x: Tensor<1>| {
        if clamp {
            x.clamp(EPSILON, 1.0 - EPSILON)
        } else {
            x
        }
    };
    let n = p.dims()[0] as f64;
    match kind {
        LossKind::Mse => (p - t).powi_scalar(2).mean(),
        LossKind::Bce => {
            let p = c(p);
            let one_minus_p = p.clone().neg().add_scalar(1.0);
            let one_minus_t = t.clone().neg().add_scalar(1.0);
            (weighted_log(t, p) + weighted_log(one_minus_t, one_minus_p))
                .sum()
                .div_scalar(-n)
        }
        LossKind::Cce => weighted_log(t, c(p)).sum().neg(),
        LossKind::CceLogits => (t * act::log_softmax(p, 0)).sum().neg(),
        LossKind::GanD => {
            let real = c(p).log().mean();
            let fake = c(t).neg().add_scalar(1.0).log().mean();
            (real + fake).neg()
        }
        LossKind::GanGMinimax => c(p).neg().add_scalar(1.0).log().mean(),
        LossKind::GanGNs => c(p).log().mean().neg(),
    }
}

/// The loss in f64, from its formula, with no clamping.
pub fn reference_loss(kind: LossKind, p: &[f64], t: &[f64]) -> f64 {
    let n = p.len() as f64;
    let mean =
        |v: &[f64], f: &dyn Fn(f64) -> f64| v.iter().map(|&x| f(x)).sum::<f64>() / v.len() as f64;
    let weighted_log = |w: f64, x: f64| if w == 0.0 { 0.0 } else { w * x.ln() };
    match kind {
        LossKind::Mse => p.iter().zip(t).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / n,
        LossKind::Bce => {
            -p.iter()
                .zip(t)
                .map(|(&p, &y)| weighted_log(y, p) + weighted_log(1.0 - y, 1.0 - p))
                .sum::<f64>()
                / n
        }
        LossKind::Cce => -p
            .iter()
            .zip(t)
            .map(|(&p, &y)| weighted_log(y, p))
            .sum::<f64>(),
        LossKind::CceLogits => {
            let max = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = p.iter().map(|z| (z - max).exp()).sum::<f64>().ln() + max;
            -p.iter().zip(t).map(|(z, y)| y * (z - log_sum)).sum::<f64>()
        }
        LossKind::GanD => -(mean(p, &|d| d.ln()) + mean(t, &|d| (1.0 - d).ln())),
        LossKind::GanGMinimax => mean(p, &|d| (1.0 - d).ln()),
        LossKind::GanGNs => -mean(p, &|d| d.ln()),
    }
}

/// ∂L/∂p and ∂L/∂t from the formulas, in f64 (t's gradient only for the discriminator loss).
pub fn analytic_gradients(kind: LossKind, p: &[f64], t: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = p.len() as f64;
    let m = t.len() as f64;
    match kind {
        LossKind::Mse => (
            p.iter().zip(t).map(|(a, b)| 2.0 * (a - b) / n).collect(),
            vec![],
        ),
        LossKind::Bce => (
            p.iter()
                .zip(t)
                .map(|(p, y)| (p - y) / (p * (1.0 - p)) / n)
                .collect(),
            vec![],
        ),
        LossKind::Cce => (p.iter().zip(t).map(|(p, y)| -y / p).collect(), vec![]),
        LossKind::CceLogits => {
            let max = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = p.iter().map(|z| (z - max).exp()).sum();
            let total: f64 = t.iter().sum();
            (
                p.iter()
                    .zip(t)
                    .map(|(z, y)| (z - max).exp() / sum * total - y)
                    .collect(),
                vec![],
            )
        }
        LossKind::GanD => (
            p.iter().map(|d| -1.0 / (d * n)).collect(),
            t.iter().map(|d| 1.0 / ((1.0 - d) * m)).collect(),
        ),
        LossKind::GanGMinimax => (p.iter().map(|d| -1.0 / ((1.0 - d) * n)).collect(), vec![]),
        LossKind::GanGNs => (p.iter().map(|d| -1.0 / (d * n)).collect(), vec![]),
    }
}

#[cfg(feature = "compute")]
async fn steps(kind: LossKind, p: &[f64], t: &[f64], device: &Device) -> Vec<Step> {
    let device = device.clone().without_autodiff();
    let p = || tensor(p, &device);
    let t = || tensor(t, &device);
    let mut rows = Vec::new();
    match kind {
        LossKind::Mse => {
            rows.push(Step::new("difference", read(p() - t()).await));
            rows.push(Step::new("squared", read((p() - t()).powi_scalar(2)).await));
        }
        LossKind::Bce => {
            rows.push(Step::new("ln_p", read(p().log()).await));
            rows.push(Step::new(
                "ln_one_minus_p",
                read(p().neg().add_scalar(1.0).log()).await,
            ));
            let term = weighted_log(t(), p())
                + weighted_log(t().neg().add_scalar(1.0), p().neg().add_scalar(1.0));
            rows.push(Step::new("bce_term", read(term).await));
        }
        LossKind::Cce => {
            rows.push(Step::new("ln_p", read(p().log()).await));
            rows.push(Step::new("y_ln_p", read(weighted_log(t(), p())).await));
        }
        LossKind::CceLogits => {
            rows.push(Step::new("softmax", read(act::softmax(p(), 0)).await));
            rows.push(Step::new(
                "log_softmax",
                read(act::log_softmax(p(), 0)).await,
            ));
            rows.push(Step::new(
                "y_log_softmax",
                read(t() * act::log_softmax(p(), 0)).await,
            ));
        }
        LossKind::GanD => {
            rows.push(Step::new("ln_d_real", read(p().log()).await));
            rows.push(Step::new(
                "ln_one_minus_d_fake",
                read(t().neg().add_scalar(1.0).log()).await,
            ));
        }
        LossKind::GanGMinimax => rows.push(Step::new(
            "ln_one_minus_d_fake",
            read(p().neg().add_scalar(1.0).log()).await,
        )),
        LossKind::GanGNs => rows.push(Step::new("ln_d_fake", read(p().log()).await)),
    }
    rows
}

#[cfg(feature = "compute")]
async fn scalar(t: Tensor<1>) -> f64 {
    read(t).await.first().copied().unwrap_or(f64::NAN)
}

#[cfg(feature = "compute")]
/// Loss and its gradients on `device` (which has autodiff).
async fn loss_and_grads(
    kind: LossKind,
    p: &[f64],
    t: &[f64],
    clamp: bool,
    device: &Device,
) -> (f64, Vec<f64>, Vec<f64>) {
    let pt = tensor(p, device).require_grad();
    let tt = if kind.has_targets() {
        tensor(t, device)
    } else {
        tensor(&[0.0], device)
    };
    let tt = if kind == LossKind::GanD {
        tt.require_grad()
    } else {
        tt
    };
    let loss = loss_graph(kind, pt.clone(), tt.clone(), clamp);
    let grads = loss.backward();
    let gp = match pt.grad(&grads) {
        Some(g) => read(g).await,
        None => vec![f64::NAN; p.len()],
    };
    let gt = match (kind == LossKind::GanD).then(|| tt.grad(&grads)).flatten() {
        Some(g) => read(g).await,
        None => Vec::new(),
    };
    (scalar(loss.without_autodiff()).await, gp, gt)
}

#[cfg(feature = "compute")]
pub async fn compute(request: &LossRequest, device: &Device) -> Result<LossResult, InputError> {
    check(request)?;
    let (kind, p, t) = (request.loss, &request.predictions, &request.targets);
    let t: &[f64] = if kind.has_targets() { t } else { &[] };
    let (loss, grad_autodiff, grad_targets_autodiff) =
        loss_and_grads(kind, p, t, false, device).await;
    let (clamped, _, _) = loss_and_grads(kind, p, t, true, device).await;
    let (grad_analytic, grad_targets_analytic) = analytic_gradients(kind, p, t);
    let mut xs = request.sweep.xs();
    if kind.predictions_are_probabilities() {
        xs.retain(|x| (0.0..=1.0).contains(x));
    }
    let mut curve = (Vec::with_capacity(xs.len()), Vec::with_capacity(xs.len()));
    for &x in &xs {
        let mut swept = p.clone();
        swept[0] = x;
        let (l, g, _) = loss_and_grads(kind, &swept, t, true, device).await;
        curve.0.push(l);
        curve.1.push(g.first().copied().unwrap_or(f64::NAN));
    }
    Ok(LossResult {
        loss,
        clamped,
        steps: steps(kind, p, t, device).await,
        grad_autodiff,
        grad_analytic,
        grad_targets_autodiff,
        grad_targets_analytic,
        sweep: Plot {
            xs,
            ys: vec![curve.0, curve.1],
        },
    })
}
