//! Activation functions: values, intermediate steps, derivatives by autodiff and by formula.

#[cfg(feature = "compute")]
use burn::tensor::{Device, Tensor, activation as act};
use serde::{Deserialize, Serialize};

#[cfg(feature = "compute")]
use crate::common::input::{InputError, check_vector};
#[cfg(feature = "compute")]
use crate::common::read::{read, tensor};
use crate::common::worked::{Plot, PlotRange, Step};

pub mod messages;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ActivationFn {
    Relu,
    LeakyRelu,
    Sigmoid,
    Tanh,
    Gelu,
    Silu,
    Softmax,
}

impl ActivationFn {
    pub const ALL: &'static [ActivationFn] = &[
        ActivationFn::Relu,
        ActivationFn::LeakyRelu,
        ActivationFn::Sigmoid,
        ActivationFn::Tanh,
        ActivationFn::Gelu,
        ActivationFn::Silu,
        ActivationFn::Softmax,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivationFn::Relu => "relu",
            ActivationFn::LeakyRelu => "leaky_relu",
            ActivationFn::Sigmoid => "sigmoid",
            ActivationFn::Tanh => "tanh",
            ActivationFn::Gelu => "gelu",
            ActivationFn::Silu => "silu",
            ActivationFn::Softmax => "softmax",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivationRequest {
    pub function: ActivationFn,
    pub inputs: Vec<f64>,
    /// Negative-side slope of the leaky ReLU (ignored by the others).
    pub slope: f64,
    pub plot: PlotRange,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivationResult {
    pub outputs: Vec<f64>,
    /// f′(xᵢ) from burn's autodiff (for softmax, ∂sᵢ/∂xᵢ).
    pub autodiff: Vec<f64>,
    /// f′(xᵢ) from the analytic formula, in f64.
    pub analytic: Vec<f64>,
    /// Intermediate quantities, in the order a person would compute them.
    pub steps: Vec<Step>,
    /// `ys[0]` = f, `ys[1]` = f′ (autodiff) over the plot range. For softmax: the first
    /// component as the first input sweeps the range, the others fixed.
    pub plot: Plot,
}

pub const MAX_SLOPE: f64 = 10.0;

#[cfg(feature = "compute")]
/// f applied by burn (for softmax, along the last dimension).
fn apply<const D: usize>(function: ActivationFn, slope: f64, x: Tensor<D>) -> Tensor<D> {
    match function {
        ActivationFn::Relu => act::relu(x),
        ActivationFn::LeakyRelu => act::leaky_relu(x, slope),
        ActivationFn::Sigmoid => act::sigmoid(x),
        ActivationFn::Tanh => act::tanh(x),
        // Composed from erf: burn 0.22's fused gelu has a backward pass that is off by ~3% at
        // x = −3 (measured against the analytic derivative); erf's own gradient is exact.
        ActivationFn::Gelu => {
            x.clone()
                * x.div_scalar(std::f64::consts::SQRT_2)
                    .erf()
                    .add_scalar(1.0)
                    .mul_scalar(0.5)
        }
        ActivationFn::Silu => act::silu(x),
        ActivationFn::Softmax => act::softmax(x, D - 1),
    }
}

#[cfg(feature = "compute")]
/// Values and per-element derivatives of f at `xs` on `device` (which has autodiff).
async fn values_and_slopes(
    function: ActivationFn,
    slope: f64,
    xs: &[f64],
    device: &Device,
) -> (Vec<f64>, Vec<f64>) {
    let x = tensor(xs, device).require_grad();
    if function == ActivationFn::Softmax {
        // Softmax couples its inputs; ∂sᵢ/∂xᵢ needs one backward pass per component.
        let y = apply(function, slope, x.clone());
        let mut diagonal = Vec::with_capacity(xs.len());
        for i in 0..xs.len() {
            let x = tensor(xs, device).require_grad();
            let yi = apply(function, slope, x.clone()).narrow(0, i, 1).sum();
            let grads = yi.backward();
            let gi = x.grad(&grads).map(|g| g.narrow(0, i, 1));
            diagonal.push(match gi {
                Some(g) => read(g).await.first().copied().unwrap_or(f64::NAN),
                None => f64::NAN,
            });
        }
        return (read(y.without_autodiff()).await, diagonal);
    }
    let y = apply(function, slope, x.clone());
    let grads = y.clone().sum().backward();
    let dx = match x.grad(&grads) {
        Some(g) => read(g).await,
        None => vec![f64::NAN; xs.len()],
    };
    (read(y.without_autodiff()).await, dx)
}

#[cfg(feature = "compute")]
/// The intermediate rows of the worked example, computed by burn without autodiff.
async fn steps(function: ActivationFn, slope: f64, xs: &[f64], device: &Device) -> Vec<Step> {
    let device = device.clone().without_autodiff();
    let x = || tensor(xs, &device);
    let n = xs.len();
    let mut rows = Vec::new();
    match function {
        ActivationFn::Relu | ActivationFn::LeakyRelu => {
            rows.push(Step::new(
                "is_positive",
                read(x().greater_elem(0.0).float()).await,
            ));
            if function == ActivationFn::LeakyRelu {
                rows.push(Step::new(
                    "slope_times_x",
                    read(x().mul_scalar(slope)).await,
                ));
            }
        }
        ActivationFn::Sigmoid => {
            rows.push(Step::new("neg_x", read(x().neg()).await));
            rows.push(Step::new("exp_neg_x", read(x().neg().exp()).await));
            rows.push(Step::new(
                "one_plus_exp_neg_x",
                read(x().neg().exp().add_scalar(1.0)).await,
            ));
        }
        ActivationFn::Tanh => {
            rows.push(Step::new("exp_x", read(x().exp()).await));
            rows.push(Step::new("exp_neg_x", read(x().neg().exp()).await));
            rows.push(Step::new(
                "numerator",
                read(x().exp() - x().neg().exp()).await,
            ));
            rows.push(Step::new(
                "denominator",
                read(x().exp() + x().neg().exp()).await,
            ));
        }
        ActivationFn::Gelu => {
            // Φ(x) = ½(1 + erf(x/√2)).
            let phi = x()
                .div_scalar(std::f64::consts::SQRT_2)
                .erf()
                .add_scalar(1.0)
                .mul_scalar(0.5);
            rows.push(Step::new("phi", read(phi).await));
        }
        ActivationFn::Silu => rows.push(Step::new("sigmoid", read(act::sigmoid(x())).await)),
        ActivationFn::Softmax => {
            let max = x().max();
            let shifted = x() - max.clone().expand([n]);
            let exp = shifted.clone().exp();
            let sum = exp.clone().sum();
            rows.push(Step::new("max", read(max.expand([n])).await));
            rows.push(Step::new("shifted", read(shifted).await));
            rows.push(Step::new("exp_shifted", read(exp).await));
            rows.push(Step::new("sum_exp", read(sum.expand([n])).await));
        }
    }
    rows
}

/// f′ from its formula, in f64.
pub fn analytic_derivative(function: ActivationFn, slope: f64, xs: &[f64]) -> Vec<f64> {
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    match function {
        ActivationFn::Relu => xs
            .iter()
            .map(|&x| if x > 0.0 { 1.0 } else { 0.0 })
            .collect(),
        // At the kink burn takes the right-hand slope for the leaky ReLU and 0 for the ReLU.
        ActivationFn::LeakyRelu => xs
            .iter()
            .map(|&x| if x >= 0.0 { 1.0 } else { slope })
            .collect(),
        ActivationFn::Sigmoid => xs
            .iter()
            .map(|&x| sigmoid(x) * (1.0 - sigmoid(x)))
            .collect(),
        ActivationFn::Tanh => xs.iter().map(|&x| 1.0 - x.tanh().powi(2)).collect(),
        ActivationFn::Gelu => xs
            .iter()
            .map(|&x| {
                let phi = 0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2));
                let density = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
                phi + x * density
            })
            .collect(),
        ActivationFn::Silu => xs
            .iter()
            .map(|&x| sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x))))
            .collect(),
        ActivationFn::Softmax => {
            let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let exps: Vec<f64> = xs.iter().map(|&x| (x - max).exp()).collect();
            let sum: f64 = exps.iter().sum();
            exps.iter().map(|e| (e / sum) * (1.0 - e / sum)).collect()
        }
    }
}

/// The error function, by its Maclaurin series (|x| ≤ 4.5) and ±1 beyond, where
/// 1 − erf(x) < 2·10⁻¹⁰.
pub fn erf(x: f64) -> f64 {
    if x.abs() > 4.5 {
        return x.signum();
    }
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term.abs() > 1e-17 * sum.abs().max(1e-300) {
        n += 1.0;
        term *= -x * x / n;
        sum += term / (2.0 * n + 1.0);
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

#[cfg(feature = "compute")]
pub async fn compute(
    request: &ActivationRequest,
    device: &Device,
) -> Result<ActivationResult, InputError> {
    check_vector(&request.inputs)?;
    request.plot.check()?;
    if request.function == ActivationFn::LeakyRelu
        && !(request.slope.is_finite() && request.slope.abs() <= MAX_SLOPE)
    {
        return Err(InputError::BadSlope);
    }
    let (function, slope) = (request.function, request.slope);
    let (outputs, autodiff) = values_and_slopes(function, slope, &request.inputs, device).await;
    let xs = request.plot.xs();
    let plot = if function == ActivationFn::Softmax {
        softmax_sweep(&request.inputs, &xs, device).await
    } else {
        let (f, df) = values_and_slopes(function, slope, &xs, device).await;
        Plot {
            xs,
            ys: vec![f, df],
        }
    };
    Ok(ActivationResult {
        analytic: analytic_derivative(function, slope, &request.inputs),
        steps: steps(function, slope, &request.inputs, device).await,
        outputs,
        autodiff,
        plot,
    })
}

#[cfg(feature = "compute")]
/// s₀ and ∂s₀/∂x₀ as x₀ sweeps `xs`, the other inputs fixed.
async fn softmax_sweep(inputs: &[f64], xs: &[f64], device: &Device) -> Plot {
    let (rows, cols) = (xs.len(), inputs.len());
    let grid: Vec<f64> = xs
        .iter()
        .flat_map(|&x0| std::iter::once(x0).chain(inputs[1..].iter().copied()))
        .collect();
    // [rows * cols] → [rows, cols]: one softmax per row.
    let x: Tensor<2> = tensor(&grid, device).reshape([rows, cols]).require_grad();
    // [rows, cols] → [rows, 1] → [rows]: the first component of each row.
    let s0 = act::softmax(x.clone(), 1).narrow(1, 0, 1).reshape([rows]);
    let grads = s0.clone().sum().backward();
    // [rows, cols] → [rows, 1] → [rows]: ∂s₀/∂x₀ of each row.
    let ds0 = x.grad(&grads).map(|g| g.narrow(1, 0, 1).reshape([rows]));
    let df = match ds0 {
        Some(g) => read(g).await,
        None => vec![f64::NAN; rows],
    };
    Plot {
        xs: xs.to_vec(),
        ys: vec![read(s0.without_autodiff()).await, df],
    }
}
