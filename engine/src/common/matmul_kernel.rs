//! The dense layers' matrix products as one small GPU kernel of our own, with its gradients.
//! burn's GPU matmul (cubek's tiled kernels) compiles a large shader for each problem shape,
//! and on a software adapter those shaders are most of a first step (README, "Matrix products
//! as one small kernel, measured"). This kernel is one short shader for every shape: each
//! thread computes a 4 × 8 block of the product, reading both operands through their strides,
//! so the transposed operands of the backward pass need no copies. The CPU backend keeps
//! burn's own `Linear` (the same floats as before, bit for bit).

use burn::nn::Linear;
use burn::tensor::{DType, Tensor};

/// `layer` applied to `x` ([n, in] → [n, out]): through this kernel where it runs (a cubecl GPU
/// runtime, f32), otherwise burn's `Linear::forward`.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    if !applies(&x) {
        return layer.forward(x);
    }
    let product = matmul(x, layer.weight.val());
    match &layer.bias {
        Some(bias) => product + bias.val().unsqueeze::<2>(),
        None => product,
    }
}

/// Whether this build has the kernel and `x` is on a device it runs on.
pub fn applies(x: &Tensor<2>) -> bool {
    gpu::ENABLED && x.dtype() == DType::F32 && gpu::on_cube(x)
}

/// `lhs` [m, k] times `rhs` [k, n], differentiable. Only where [`applies`] says so.
pub fn matmul(lhs: Tensor<2>, rhs: Tensor<2>) -> Tensor<2> {
    gpu::matmul(lhs, rhs)
}

#[cfg(all(feature = "gpu-kernels", not(feature = "native-fusion")))]
mod gpu {
    use burn::backend::autodiff::NodeId;
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, binary};
    use burn::backend::ops::FloatTensorOps;
    use burn::backend::tensor::FloatTensor;
    use burn::backend::{Autodiff, Backend, DispatchDevice, backend_extension};
    use burn::tensor::Tensor as BurnTensor;
    use burn_cubecl::CubeBackend;
    use burn_cubecl::ops::numeric::empty_device_dtype;
    use cubecl::prelude::*;

    pub const ENABLED: bool = true;

    /// Threads per workgroup: one size for every shape, so one shader.
    const WORKGROUP: u32 = 64;
    /// Rows and columns of the block each thread computes. On lavapipe a GAN iteration (B) took
    /// 42–65 ms with 4 × 8, 55–78 with 4 × 4 and 38–52 with 8 × 8 (README, "Matrix products as
    /// one small kernel"); 4 × 8 keeps 32 sums per thread and more threads on small products.
    const TILE: (usize, usize) = (4, 8);

    pub fn on_cube(x: &BurnTensor<2>) -> bool {
        matches!(x.device().inner().as_dispatch(), DispatchDevice::Cube(_))
    }

    /// Workgroups for an [m, n] product.
    fn workgroups(m: usize, n: usize) -> usize {
        (m.div_ceil(TILE.0) * n.div_ceil(TILE.1)).div_ceil(WORKGROUP as usize)
    }

    /// Whether an [m, n] product launches as this kernel does: at least one row and column, and
    /// no more workgroups than WebGPU allows along one dimension (65,535).
    fn fits(m: usize, n: usize) -> bool {
        m > 0 && n > 0 && workgroups(m, n) <= 65_535
    }

    #[backend_extension(Cube, Autodiff)]
    pub trait SmallMatmul: Backend {
        /// [m, k] × [k, n] → [m, n].
        fn small_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self>;
    }

    /// One thread per `tm` × `tn` block of `out` ([m, n], contiguous): rows `row..row + tm` and
    /// the columns `col + j · w` for j < `tn`, where `w` is the threads per block row.
    /// Neighbouring threads read and write neighbouring columns, as a GPU's memory (and a
    /// software adapter's vector units) read them best. Rows and columns past the edge read
    /// the last row or column (always in bounds) and are not written.
    #[cube(launch)]
    fn matmul_kernel(
        lhs: &Tensor<f32>,
        rhs: &Tensor<f32>,
        out: &mut Tensor<f32>,
        #[comptime] tm: usize,
        #[comptime] tn: usize,
    ) {
        let m = out.shape(0);
        let n = out.shape(1);
        let k = lhs.shape(1);
        // `div_ceil` has no cubecl expansion.
        #[allow(clippy::manual_div_ceil)]
        let w = (n + tn - 1) / tn;
        let thread = ABSOLUTE_POS;
        let row = (thread / w) * tm;
        let col = thread % w;
        if row >= m {
            terminate!();
        }
        let (lhs_row, lhs_k) = (lhs.stride(0), lhs.stride(1));
        let (rhs_k, rhs_col) = (rhs.stride(0), rhs.stride(1));
        let mut rows = Array::<usize>::new(tm);
        let mut cols = Array::<usize>::new(tn);
        #[unroll]
        for i in 0..tm {
            rows[i] = min(row + i, m - 1) * lhs_row;
        }
        #[unroll]
        for j in 0..tn {
            cols[j] = min(col + j * w, n - 1) * rhs_col;
        }
        let mut acc = Array::<f32>::new(comptime!(tm * tn));
        #[unroll]
        for i in 0..comptime!(tm * tn) {
            acc[i] = 0.0;
        }
        let mut a = Array::<f32>::new(tm);
        let mut b = Array::<f32>::new(tn);
        for step in 0..k {
            let (at_lhs, at_rhs) = (step * lhs_k, step * rhs_k);
            #[unroll]
            for i in 0..tm {
                a[i] = lhs[rows[i] + at_lhs];
            }
            #[unroll]
            for j in 0..tn {
                b[j] = rhs[at_rhs + cols[j]];
            }
            #[unroll]
            for i in 0..tm {
                #[unroll]
                for j in 0..tn {
                    acc[i * tn + j] += a[i] * b[j];
                }
            }
        }
        #[unroll]
        for i in 0..tm {
            #[unroll]
            for j in 0..tn {
                if row + i < m && col + j * w < n {
                    out[(row + i) * n + col + j * w] = acc[i * tn + j];
                }
            }
        }
    }

    impl SmallMatmul for CubeBackend {
        fn small_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
            let (m, n) = (lhs.meta.shape()[0], rhs.meta.shape()[1]);
            // No lesson's product (nor its gradients') comes near the limit; burn's own matmul
            // takes any that would.
            if !fits(m, n) {
                return Self::float_matmul(lhs, rhs);
            }
            let out = empty_device_dtype(
                lhs.client.clone(),
                lhs.device.clone(),
                [m, n].into(),
                lhs.dtype,
            );
            let (tm, tn) = TILE;
            let cube_dim = CubeDim::new_1d(WORKGROUP);
            let cube_count = CubeCount::new_1d(workgroups(m, n) as u32);
            let client = lhs.client.clone();
            matmul_kernel::launch(
                &client,
                cube_count,
                cube_dim,
                lhs.into_tensor_arg(),
                rhs.into_tensor_arg(),
                out.clone().into_tensor_arg(),
                tm,
                tn,
            );
            out
        }
    }

    /// burn's own matmul backward (burn-autodiff's `float_matmul`), with this kernel for the two
    /// products: d lhs = d out · rhsᵀ, d rhs = lhsᵀ · d out. The transposes are views.
    #[derive(Debug)]
    struct MatmulBackward;

    impl<B: Backend + SmallMatmul> Backward<B, 2> for MatmulBackward {
        type State = (Option<NodeId>, Option<NodeId>);

        fn backward(
            self,
            ops: Ops<Self::State, 2>,
            grads: &mut Gradients,
            checkpointer: &mut Checkpointer,
        ) {
            let (lhs, rhs) = ops.state;
            let lhs = lhs.map(|id| checkpointer.retrieve_node_output::<FloatTensor<B>>(id));
            let rhs = rhs.map(|id| checkpointer.retrieve_node_output::<FloatTensor<B>>(id));
            binary::<B, _, _>(
                ops.parents,
                ops.node,
                grads,
                |grad| B::small_matmul(grad, B::float_transpose(rhs.expect("rhs kept"))),
                |grad| B::small_matmul(B::float_transpose(lhs.expect("lhs kept")), grad),
            );
        }
    }

    impl<B: Backend + SmallMatmul, C: CheckpointStrategy> SmallMatmul for Autodiff<B, C> {
        fn small_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
            let (lhs_tracked, rhs_tracked) = (lhs.is_tracked(), rhs.is_tracked());
            match MatmulBackward
                .prepare::<C>([lhs.node(), rhs.node()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(mut prep) => {
                    let lhs_state = rhs_tracked.then(|| prep.checkpoint(&lhs));
                    let rhs_state = lhs_tracked.then(|| prep.checkpoint(&rhs));
                    prep.finish(
                        (lhs_state, rhs_state),
                        B::small_matmul(lhs.into_primitive(), rhs.into_primitive()),
                    )
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(B::small_matmul(lhs.into_primitive(), rhs.into_primitive()))
                }
            }
        }
    }

    pub fn matmul(lhs: BurnTensor<2>, rhs: BurnTensor<2>) -> BurnTensor<2> {
        BurnTensor::from_dispatch(<burn::backend::Dispatch as SmallMatmul>::small_matmul(
            lhs.into_dispatch(),
            rhs.into_dispatch(),
        ))
    }
}

/// Builds without a cubecl GPU runtime (the CPU worker, the native tests), or with burn's fusion,
/// whose tensors this kernel does not take: never applies.
#[cfg(not(all(feature = "gpu-kernels", not(feature = "native-fusion"))))]
mod gpu {
    use burn::tensor::Tensor;

    pub const ENABLED: bool = false;

    pub fn on_cube(_x: &Tensor<2>) -> bool {
        false
    }

    pub fn matmul(_lhs: Tensor<2>, _rhs: Tensor<2>) -> Tensor<2> {
        unreachable!("matmul_kernel::applies is false in this build")
    }
}
