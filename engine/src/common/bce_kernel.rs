//! Binary cross-entropy from logits, averaged over a batch, as one GPU kernel and its gradient
//! as one more. Written as tensor operations it is a dozen kernels forward (a sign, burn's
//! softplus with its overflow guard, a mean) and as many back, and on a software adapter each
//! launch costs milliseconds whatever its size (README, "Fewer, fused kernels"). The CPU
//! backend keeps the tensor operations, so its floats are as before, bit for bit.

use burn::tensor::Tensor;
use burn::tensor::activation;

use super::matmul_kernel;

/// The mean over the batch of −log σ(l) for real samples (label 1) or −log(1 − σ(l)) for fakes
/// (label 0), from `logits` [n, 1]: softplus(−l) or softplus(l).
pub fn bce_with_logits_mean(logits: Tensor<2>, real: bool) -> Tensor<1> {
    if !matmul_kernel::applies(&logits) || logits.dims()[1] != 1 {
        let signed = if real { logits.neg() } else { logits };
        return activation::softplus(signed, 1.0).mean();
    }
    gpu::bce(logits, if real { -1.0 } else { 1.0 })
}

/// A discriminator's loss on a real and a generated batch: the mean of softplus(−l) over
/// `real` [n, 1] plus that of softplus(l) over `fake` [m, 1]. On a GPU one kernel forward and
/// one back, not two of each and a sum.
pub fn discriminator_bce(real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    if !matmul_kernel::applies(&real) || real.dims()[1] != 1 || fake.dims()[1] != 1 {
        return bce_with_logits_mean(real, true) + bce_with_logits_mean(fake, false);
    }
    gpu::pair(real, fake)
}

#[cfg(all(feature = "gpu-kernels", not(feature = "native-fusion")))]
mod gpu {
    use burn::backend::autodiff::NodeId;
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
    use burn::backend::tensor::FloatTensor;
    use burn::backend::{Autodiff, Backend, backend_extension};
    use burn::tensor::Tensor as BurnTensor;
    use burn_cubecl::CubeBackend;
    use burn_cubecl::ops::numeric::empty_device_dtype;
    use burn_cubecl::tensor::CubeTensor;
    use cubecl::prelude::*;

    /// burn's softplus returns its input above this (its default threshold), where
    /// log(1 + eˣ) rounds to x.
    const THRESHOLD: f32 = 20.0;
    const WORKGROUP: u32 = 64;

    #[backend_extension(Cube, Autodiff)]
    pub trait LogitLoss: Backend {
        /// The mean of softplus(`sign` · l) over `logits` [n, 1] → [1].
        fn bce_logits_mean(logits: FloatTensor<Self>, sign: f32) -> FloatTensor<Self>;
        /// bce_logits_mean(real, −1) + bce_logits_mean(fake, 1) → [1].
        fn bce_pair_mean(real: FloatTensor<Self>, fake: FloatTensor<Self>) -> FloatTensor<Self>;
    }

    pub trait LogitLossGrad: Backend {
        /// d mean / d logits, times `grad` ([1]): `sign` · σ(`sign` · l) / n → [n, 1].
        fn bce_logits_grad(
            logits: FloatTensor<Self>,
            grad: FloatTensor<Self>,
            sign: f32,
        ) -> FloatTensor<Self>;
        /// The gradients of [`LogitLoss::bce_pair_mean`] for `real` and `fake`.
        fn bce_pair_grad(
            real: FloatTensor<Self>,
            fake: FloatTensor<Self>,
            grad: FloatTensor<Self>,
        ) -> (FloatTensor<Self>, FloatTensor<Self>);
    }

    /// The mean of softplus(`sign` · l) over `logits` [n, 1], as burn's softplus computes it.
    #[cube]
    fn mean_softplus(logits: &Tensor<f32>, sign: f32) -> f32 {
        let n = logits.shape(0);
        let mut sum = 0.0;
        for i in 0..n {
            let x = sign * logits[i * logits.stride(0)];
            let smooth = f32::log1p(f32::exp(min(x, THRESHOLD)));
            sum += select(x > THRESHOLD, x, smooth);
        }
        sum / f32::cast_from(n)
    }

    /// d mean softplus(`sign` · l) / d l at row `i` of `logits`, times `grad`.
    #[cube]
    fn softplus_slope(logits: &Tensor<f32>, i: usize, grad: f32, sign: f32) -> f32 {
        let x = sign * logits[i * logits.stride(0)];
        grad * sign / (1.0 + f32::exp(-x)) / f32::cast_from(logits.shape(0))
    }

    #[cube(launch)]
    fn bce_pair_kernel(real: &Tensor<f32>, fake: &Tensor<f32>, out: &mut Tensor<f32>) {
        if ABSOLUTE_POS > 0 {
            terminate!();
        }
        out[0] = mean_softplus(real, -1.0) + mean_softplus(fake, 1.0);
    }

    /// One thread per row of the longer batch.
    #[cube(launch)]
    fn bce_pair_grad_kernel(
        real: &Tensor<f32>,
        fake: &Tensor<f32>,
        grad: &Tensor<f32>,
        d_real: &mut Tensor<f32>,
        d_fake: &mut Tensor<f32>,
    ) {
        let i = ABSOLUTE_POS;
        let g = grad[0];
        if i < real.shape(0) {
            d_real[i] = softplus_slope(real, i, g, -1.0);
        }
        if i < fake.shape(0) {
            d_fake[i] = softplus_slope(fake, i, g, 1.0);
        }
    }

    /// One thread sums the batch (a few hundred logits at most in any lesson).
    #[cube(launch)]
    fn bce_kernel(logits: &Tensor<f32>, out: &mut Tensor<f32>, sign: f32) {
        if ABSOLUTE_POS > 0 {
            terminate!();
        }
        out[0] = mean_softplus(logits, sign);
    }

    #[cube(launch)]
    fn bce_grad_kernel(logits: &Tensor<f32>, grad: &Tensor<f32>, out: &mut Tensor<f32>, sign: f32) {
        let i = ABSOLUTE_POS;
        let n = out.shape(0);
        if i >= n {
            terminate!();
        }
        out[i] = softplus_slope(logits, i, grad[0], sign);
    }

    impl LogitLoss for CubeBackend {
        fn bce_logits_mean(logits: FloatTensor<Self>, sign: f32) -> FloatTensor<Self> {
            let out = empty(&logits, &[1]);
            let client = logits.client.clone();
            bce_kernel::launch(
                &client,
                CubeCount::new_1d(1),
                CubeDim::new_1d(1),
                logits.into_tensor_arg(),
                out.clone().into_tensor_arg(),
                sign,
            );
            out
        }

        fn bce_pair_mean(real: FloatTensor<Self>, fake: FloatTensor<Self>) -> FloatTensor<Self> {
            let out = empty(&real, &[1]);
            let client = real.client.clone();
            bce_pair_kernel::launch(
                &client,
                CubeCount::new_1d(1),
                CubeDim::new_1d(1),
                real.into_tensor_arg(),
                fake.into_tensor_arg(),
                out.clone().into_tensor_arg(),
            );
            out
        }
    }

    /// An empty tensor of `shape` on `like`'s device.
    fn empty(like: &CubeTensor, shape: &[usize]) -> CubeTensor {
        empty_device_dtype(
            like.client.clone(),
            like.device.clone(),
            shape.to_vec().into(),
            like.dtype,
        )
    }

    impl LogitLossGrad for CubeBackend {
        fn bce_logits_grad(
            logits: FloatTensor<Self>,
            grad: FloatTensor<Self>,
            sign: f32,
        ) -> FloatTensor<Self> {
            let n = logits.meta.shape()[0];
            let out = empty(&logits, &[n, 1]);
            let client = logits.client.clone();
            bce_grad_kernel::launch(
                &client,
                CubeCount::new_1d(n.div_ceil(WORKGROUP as usize) as u32),
                CubeDim::new_1d(WORKGROUP),
                logits.into_tensor_arg(),
                grad.into_tensor_arg(),
                out.clone().into_tensor_arg(),
                sign,
            );
            out
        }

        fn bce_pair_grad(
            real: FloatTensor<Self>,
            fake: FloatTensor<Self>,
            grad: FloatTensor<Self>,
        ) -> (FloatTensor<Self>, FloatTensor<Self>) {
            let (n, m) = (real.meta.shape()[0], fake.meta.shape()[0]);
            let (d_real, d_fake) = (empty(&real, &[n, 1]), empty(&real, &[m, 1]));
            let client = real.client.clone();
            bce_pair_grad_kernel::launch(
                &client,
                CubeCount::new_1d(n.max(m).div_ceil(WORKGROUP as usize) as u32),
                CubeDim::new_1d(WORKGROUP),
                real.into_tensor_arg(),
                fake.into_tensor_arg(),
                grad.into_tensor_arg(),
                d_real.clone().into_tensor_arg(),
                d_fake.clone().into_tensor_arg(),
            );
            (d_real, d_fake)
        }
    }

    #[derive(Debug)]
    struct BcePairBackward;

    impl<B: Backend + LogitLossGrad> Backward<B, 2> for BcePairBackward {
        type State = (NodeId, NodeId);

        fn backward(
            self,
            ops: Ops<Self::State, 2>,
            grads: &mut Gradients,
            checkpointer: &mut Checkpointer,
        ) {
            let [node_real, node_fake] = ops.parents;
            let grad = grads.consume::<B>(&ops.node);
            let (real, fake) = ops.state;
            let real = checkpointer.retrieve_node_output::<FloatTensor<B>>(real);
            let fake = checkpointer.retrieve_node_output::<FloatTensor<B>>(fake);
            let (d_real, d_fake) = B::bce_pair_grad(real, fake, grad);
            if let Some(node) = node_real {
                grads.register::<B>(node.id, d_real);
            }
            if let Some(node) = node_fake {
                grads.register::<B>(node.id, d_fake);
            }
        }
    }

    #[derive(Debug)]
    struct BceBackward;

    impl<B: Backend + LogitLossGrad> Backward<B, 1> for BceBackward {
        type State = (NodeId, f32);

        fn backward(
            self,
            ops: Ops<Self::State, 1>,
            grads: &mut Gradients,
            checkpointer: &mut Checkpointer,
        ) {
            let (logits, sign) = ops.state;
            let logits = checkpointer.retrieve_node_output::<FloatTensor<B>>(logits);
            unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                B::bce_logits_grad(logits, grad, sign)
            });
        }
    }

    impl<B: Backend + LogitLoss + LogitLossGrad, C: CheckpointStrategy> LogitLoss for Autodiff<B, C> {
        fn bce_logits_mean(logits: FloatTensor<Self>, sign: f32) -> FloatTensor<Self> {
            match BceBackward
                .prepare::<C>([logits.node()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(mut prep) => {
                    let state = prep.checkpoint(&logits);
                    prep.finish(
                        (state, sign),
                        B::bce_logits_mean(logits.into_primitive(), sign),
                    )
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(B::bce_logits_mean(logits.into_primitive(), sign))
                }
            }
        }

        fn bce_pair_mean(real: FloatTensor<Self>, fake: FloatTensor<Self>) -> FloatTensor<Self> {
            match BcePairBackward
                .prepare::<C>([real.node(), fake.node()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(mut prep) => {
                    let state = (prep.checkpoint(&real), prep.checkpoint(&fake));
                    prep.finish(
                        state,
                        B::bce_pair_mean(real.into_primitive(), fake.into_primitive()),
                    )
                }
                OpsKind::UnTracked(prep) => prep.finish(B::bce_pair_mean(
                    real.into_primitive(),
                    fake.into_primitive(),
                )),
            }
        }
    }

    pub fn pair(real: BurnTensor<2>, fake: BurnTensor<2>) -> BurnTensor<1> {
        BurnTensor::from_dispatch(<burn::backend::Dispatch as LogitLoss>::bce_pair_mean(
            real.into_dispatch(),
            fake.into_dispatch(),
        ))
    }

    pub fn bce(logits: BurnTensor<2>, sign: f32) -> BurnTensor<1> {
        BurnTensor::from_dispatch(<burn::backend::Dispatch as LogitLoss>::bce_logits_mean(
            logits.into_dispatch(),
            sign,
        ))
    }
}

/// Builds without a cubecl GPU runtime: never called (`matmul_kernel::applies` is false).
#[cfg(not(all(feature = "gpu-kernels", not(feature = "native-fusion"))))]
mod gpu {
    use burn::tensor::Tensor;

    pub fn bce(_logits: Tensor<2>, _sign: f32) -> Tensor<1> {
        unreachable!("matmul_kernel::applies is false in this build")
    }

    pub fn pair(_real: Tensor<2>, _fake: Tensor<2>) -> Tensor<1> {
        unreachable!("matmul_kernel::applies is false in this build")
    }
}
