//! The three GAN losses, per sample, from the discriminator's logits. D's probability is
//! σ(logit); the logarithms use log σ(l) = log_sigmoid(l) and log(1 − σ(l)) = log_sigmoid(−l),
//! which stay finite where σ rounds to 0 or 1.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, sigmoid};

use super::settings::LossKind;
use crate::common::bce_kernel::{bce_with_logits_mean, discriminator_bce};
use crate::common::matmul_kernel;

/// The discriminator's loss for each pair of a real and a generated sample: [n, 1] logits each
/// → [n, 1].
pub fn discriminator_terms(kind: LossKind, real: Tensor<2>, fake: Tensor<2>) -> Tensor<2> {
    match kind {
        LossKind::Minimax | LossKind::NonSaturating => {
            log_sigmoid(real).neg() - log_sigmoid(fake.neg())
        }
        LossKind::LeastSquares => {
            let real = sigmoid(real) - 1.0;
            let fake = sigmoid(fake);
            (real.clone() * real + fake.clone() * fake) * 0.5
        }
    }
}

/// The generator's loss for each generated sample: [n, 1] logits → [n, 1].
pub fn generator_terms(kind: LossKind, fake: Tensor<2>) -> Tensor<2> {
    match kind {
        // log(1 − D(G(z))), which G minimises.
        LossKind::Minimax => log_sigmoid(fake.neg()),
        LossKind::NonSaturating => log_sigmoid(fake).neg(),
        LossKind::LeastSquares => {
            let gap = sigmoid(fake) - 1.0;
            gap.clone() * gap * 0.5
        }
    }
}

/// The batch means of [`discriminator_terms`] and [`generator_terms`]. On a GPU the
/// cross-entropy losses are the fused kernel's (−log σ(l) = softplus(−l), −log(1 − σ(l)) =
/// softplus(l)): one kernel each way instead of a dozen. The CPU keeps the terms above.
pub fn discriminator_loss(kind: LossKind, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    if kind != LossKind::LeastSquares && fused(&real) {
        return discriminator_bce(real, fake);
    }
    discriminator_terms(kind, real, fake).mean()
}

pub fn generator_loss(kind: LossKind, fake: Tensor<2>) -> Tensor<1> {
    if fused(&fake) {
        match kind {
            LossKind::NonSaturating => return bce_with_logits_mean(fake, true),
            LossKind::Minimax => return bce_with_logits_mean(fake, false).neg(),
            LossKind::LeastSquares => {}
        }
    }
    generator_terms(kind, fake).mean()
}

/// Whether the fused cross-entropy runs for these [n, 1] logits.
fn fused(logits: &Tensor<2>) -> bool {
    matmul_kernel::applies(logits) && logits.dims()[1] == 1
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};

    use super::*;
    use crate::backend;
    use crate::common::read::read_floats;

    /// The losses from their definitions, in f64, with D = 1 / (1 + e^−l).
    fn reference(kind: LossKind, real: f64, fake: f64) -> (f64, f64) {
        let d = |l: f64| 1.0 / (1.0 + (-l).exp());
        let (dr, df) = (d(real), d(fake));
        match kind {
            LossKind::Minimax => (-dr.ln() - (1.0 - df).ln(), (1.0 - df).ln()),
            LossKind::NonSaturating => (-dr.ln() - (1.0 - df).ln(), -df.ln()),
            LossKind::LeastSquares => (
                0.5 * (dr - 1.0).powi(2) + 0.5 * df.powi(2),
                0.5 * (df - 1.0).powi(2),
            ),
        }
    }

    #[test]
    fn losses_match_their_definitions() {
        let device = backend::cpu();
        let real = [-3.0f32, -0.5, 0.0, 0.7, 2.5, 6.0];
        let fake = [4.0f32, 1.0, -0.2, 0.0, -2.0, -7.0];
        let column =
            |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &device);
        for &kind in LossKind::ALL {
            let d = read_floats_now(discriminator_terms(kind, column(&real), column(&fake)));
            let g = read_floats_now(generator_terms(kind, column(&fake)));
            for i in 0..real.len() {
                let (want_d, want_g) = reference(kind, real[i] as f64, fake[i] as f64);
                assert!(
                    (d[i] as f64 - want_d).abs() < 1e-5 * (1.0 + want_d.abs()),
                    "{kind:?} D {i}: {} {want_d}",
                    d[i]
                );
                assert!(
                    (g[i] as f64 - want_g).abs() < 1e-5 * (1.0 + want_g.abs()),
                    "{kind:?} G {i}: {} {want_g}",
                    g[i]
                );
            }
            let mean_d = read_floats_now(discriminator_loss(kind, column(&real), column(&fake)));
            let want: f64 = (0..real.len())
                .map(|i| reference(kind, real[i] as f64, fake[i] as f64).0)
                .sum::<f64>()
                / real.len() as f64;
            assert!(
                (mean_d[0] as f64 - want).abs() < 1e-5 * (1.0 + want),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn the_saturating_loss_loses_its_gradient_where_the_non_saturating_one_keeps_it() {
        // A confident discriminator (logit −8 on a generated sample).
        let device = backend::cpu();
        let slope = |kind: LossKind| {
            let x = Tensor::<2>::from_data(TensorData::new(vec![-8.0f32], [1, 1]), &device)
                .require_grad();
            let grads = generator_loss(kind, x.clone()).backward();
            read_floats_now(x.grad(&grads).unwrap())[0]
        };
        let (minimax, non_saturating) = (slope(LossKind::Minimax), slope(LossKind::NonSaturating));
        // d/dl log(1 − σ(l)) = −σ(l) ≈ −3.4e−4; d/dl −log σ(l) = σ(l) − 1 ≈ −1.
        assert!(
            (minimax as f64 + 1.0 / (1.0 + 8f64.exp())).abs() < 1e-6,
            "{minimax}"
        );
        assert!((non_saturating + 1.0).abs() < 1e-3, "{non_saturating}");
    }

    fn read_floats_now<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
        pollster::block_on(read_floats(tensor))
    }
}
