//! Max pooling whose window equals its stride, without padding (burn's `MaxPool2d` default, which
//! every lesson uses), with its own CPU kernel. burn-flex's general kernel works out each window's
//! bounds with integer divisions for every output value: in a native profile of workload A it took
//! 22 % of a training step. Other backends keep burn's own kernel.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::{FloatTensorOps, IntTensorOps};
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Autodiff, Backend, Flex, TensorMetadata, backend_extension};
use burn::nn::pool::MaxPool2dConfig;
use burn::tensor::{Device, IntDType, Tensor, TensorData};

#[backend_extension(Flex: cfg(feature = "compute"), Autodiff)]
pub trait SquarePool: Backend {
    /// [n, c, h, w] → the max of each `size`×`size` window, [n, c, h / size, w / size], and where
    /// it was (row · w + column within its channel, as burn's max-pool indices).
    fn square_max_pool(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, IntTensor<Self>) {
        let pooled = Self::max_pool2d_with_indices(
            x,
            [size, size],
            [size, size],
            [0, 0],
            [1, 1],
            false,
            IntDType::I64,
        );
        (pooled.output, pooled.indices)
    }
}

/// One channel plane at a time: windows never straddle planes, and each output is a max of
/// `size`² values read row by row.
fn pool_plane(
    input: &[f32],
    (h, w): (usize, usize),
    size: usize,
    output: &mut [f32],
    indices: &mut [i64],
) {
    let (oh, ow) = (h / size, w / size);
    for r in 0..oh {
        let out_row = r * ow;
        // Seed each window with its first row, then fold in the others.
        let top = r * size * w;
        for c in 0..ow {
            let (mut best, mut at) = (input[top + c * size], top + c * size);
            for k in 1..size {
                let v = input[top + c * size + k];
                if v > best || v.is_nan() {
                    (best, at) = (v, top + c * size + k);
                }
            }
            output[out_row + c] = best;
            indices[out_row + c] = at as i64;
        }
        for dr in 1..size {
            let row = top + dr * w;
            for c in 0..ow {
                for k in 0..size {
                    let v = input[row + c * size + k];
                    let o = out_row + c;
                    if v > output[o] || v.is_nan() {
                        output[o] = v;
                        indices[o] = (row + c * size + k) as i64;
                    }
                }
            }
        }
    }
}

impl SquarePool for Flex {
    fn square_max_pool(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, IntTensor<Self>) {
        let device = Default::default();
        let [n, c, h, w] = x.shape().dims::<4>();
        let (oh, ow) = (h / size, w / size);
        let x = x.to_contiguous();
        let input: &[f32] = x.storage::<f32>();
        let mut output = vec![0.0f32; n * c * oh * ow];
        let mut indices = vec![0i64; n * c * oh * ow];
        for plane in 0..n * c {
            pool_plane(
                &input[plane * h * w..(plane + 1) * h * w],
                (h, w),
                size,
                &mut output[plane * oh * ow..(plane + 1) * oh * ow],
                &mut indices[plane * oh * ow..(plane + 1) * oh * ow],
            );
        }
        (
            Flex::float_from_data(TensorData::new(output, [n, c, oh, ow]), &device),
            Flex::int_from_data(TensorData::new(indices, [n, c, oh, ow]), &device),
        )
    }
}

#[derive(Debug)]
struct SquarePoolBackward;

impl<B: Backend> Backward<B, 1> for SquarePoolBackward {
    type State = (NodeId, IntTensor<B>, usize);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [parent] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, indices, size) = ops.state;
        let x = checkpointer.retrieve_node_output(x_state);
        if let Some(node) = parent {
            let x_grad = B::max_pool2d_with_indices_backward(
                x,
                [size, size],
                [size, size],
                [0, 0],
                [1, 1],
                false,
                grad,
                indices,
            );
            grads.register::<B>(node.id, x_grad.x_grad);
        }
    }
}

impl<B: Backend + SquarePool, C: CheckpointStrategy> SquarePool for Autodiff<B, C> {
    fn square_max_pool(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, IntTensor<Self>) {
        match SquarePoolBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let (output, indices) = B::square_max_pool(x.into_primitive(), size);
                (
                    prep.finish((x_state, indices.clone(), size), output),
                    indices,
                )
            }
            OpsKind::UnTracked(prep) => {
                let (output, indices) = B::square_max_pool(x.into_primitive(), size);
                (prep.finish(output), indices)
            }
        }
    }
}

/// Max pooling with window and stride `size`, no padding: [n, c, h, w] → [n, c, h / size, w / size]
/// (remainder rows and columns dropped, as burn's `MaxPool2d` does). The fast kernel on the CPU
/// backend; burn's own elsewhere.
pub fn max_pool(x: Tensor<4>, size: usize) -> Tensor<4> {
    if x.device().inner() != Device::flex() {
        return MaxPool2dConfig::new([size, size]).init().forward(x);
    }
    let [n, c, h, w] = x.dims();
    let x = if h % size != 0 || w % size != 0 {
        x.slice([0..n, 0..c, 0..h / size * size, 0..w / size * size])
    } else {
        x
    };
    let (output, _) =
        <burn::backend::Dispatch as SquarePool>::square_max_pool(x.into_dispatch(), size);
    Tensor::from_dispatch(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use crate::rng::Rng;

    fn input(shape: [usize; 4], seed: u64, device: &Device) -> Tensor<4> {
        let mut rng = Rng::new(seed);
        let n = shape.iter().product::<usize>();
        let values: Vec<f32> = (0..n).map(|_| rng.normal() as f32).collect();
        Tensor::from_data(TensorData::new(values, shape), device)
    }

    /// The fast kernel and burn's agree on values and on the gradient reaching the input.
    fn agrees_with_burn(shape: [usize; 4], size: usize) {
        let device = backend::cpu();
        let burn_pool = MaxPool2dConfig::new([size, size]).init();
        let x = input(shape, 7, &device).require_grad();
        let weights = input([1, 1, shape[2] / size, shape[3] / size], 8, &device);
        let ours = max_pool(x.clone(), size);
        let theirs = burn_pool.forward(x.clone());
        ours.to_data().assert_eq(&theirs.to_data(), true);
        let g_ours = (ours * weights.clone()).sum().backward();
        let g_theirs = (theirs * weights).sum().backward();
        x.grad(&g_ours)
            .unwrap()
            .to_data()
            .assert_eq(&x.grad(&g_theirs).unwrap().to_data(), true);
    }

    /// The gradient against central finite differences of sum(w · pool(x)), for every input.
    #[test]
    fn gradient_matches_finite_differences() {
        let device = backend::cpu();
        let shape = [1, 2, 6, 5];
        let x = input(shape, 3, &device);
        let w = input([1, 2, 3, 2], 4, &device);
        let f = |x: Tensor<4>| (max_pool(x, 2) * w.clone()).sum().into_scalar::<f32>();
        let tracked = x.clone().require_grad();
        let grad: Vec<f32> = tracked
            .grad(&(max_pool(tracked.clone(), 2) * w.clone()).sum().backward())
            .unwrap()
            .to_data()
            .try_to_vec::<f32>()
            .unwrap();
        let base: Vec<f32> = x.to_data().try_to_vec::<f32>().unwrap();
        let h = 1e-3;
        for (i, g) in grad.iter().enumerate() {
            let shifted = |d: f32| {
                let mut v = base.clone();
                v[i] += d;
                f(Tensor::from_data(TensorData::new(v, shape), &device))
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            assert!((numeric - g).abs() < 1e-2, "input {i}: {numeric} vs {g}");
        }
    }

    #[test]
    fn matches_burn_max_pool_and_its_gradient() {
        agrees_with_burn([2, 3, 8, 8], 2);
        agrees_with_burn([1, 2, 9, 7], 2);
        agrees_with_burn([3, 1, 12, 12], 3);
    }
}
