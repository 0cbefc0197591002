//! The dense layers' matrix products as one small GPU kernel of our own, with its gradients.
//! burn's GPU matmul (cubek's tiled kernels) compiles a large shader for each problem shape,
//! and on a software adapter those shaders are most of a first step (README, "Matrix products
//! as one small kernel, measured"). This kernel is one short shader for every shape: each
//! thread computes a 4 × 8 block of the product, reading both operands through their strides,
//! so the transposed operands of the backward pass need no copies. The CPU backend keeps
//! burn's own `Linear` (the same floats as before, bit for bit).

use burn::nn::Linear;
use burn::tensor::activation;
use burn::tensor::{DType, Tensor};

/// The activation a dense layer applies to its output, fused into the layer's kernel where it
/// runs. Its derivative is a function of the output, which the backward pass reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Act {
    Identity,
    Relu,
    /// The slope for negative inputs, which must be positive (the derivative is read from the
    /// output's sign).
    LeakyRelu(f64),
    Tanh,
    Sigmoid,
}

impl From<super::activation::Activation> for Act {
    fn from(kind: super::activation::Activation) -> Self {
        use super::activation::Activation;
        match kind {
            Activation::Relu => Act::Relu,
            Activation::Tanh => Act::Tanh,
            Activation::Sigmoid => Act::Sigmoid,
            Activation::Linear => Act::Identity,
        }
    }
}

impl Act {
    /// burn's own operations: where the kernel does not run, the floats are as they always were.
    pub fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Act::Identity => x,
            Act::Relu => activation::relu(x),
            Act::LeakyRelu(slope) => activation::leaky_relu(x, slope),
            Act::Tanh => x.tanh(),
            Act::Sigmoid => activation::sigmoid(x),
        }
    }
}

/// `layer` applied to `x` ([n, in] → [n, out]): through this kernel where it runs (a cubecl GPU
/// runtime, f32), otherwise burn's `Linear::forward`.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    dense(layer, x, Act::Identity)
}

/// `act(layer(x))`. Where the kernel runs, the product, the bias and the activation are one
/// kernel, and the backward pass three at most (the input's, the weight's and the bias's
/// gradients, each reading the activation's derivative as it goes); otherwise burn's
/// `Linear::forward` and activation.
pub fn dense(layer: &Linear, x: Tensor<2>, act: Act) -> Tensor<2> {
    if !applies(&x) {
        return act.apply(layer.forward(x));
    }
    match &layer.bias {
        Some(bias) => gpu::dense(x, layer.weight.val(), bias.val(), act),
        None => act.apply(matmul(x, layer.weight.val())),
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
    use burn_cubecl::tensor::CubeTensor;
    use cubecl::prelude::*;

    use super::Act;

    pub const ENABLED: bool = true;

    /// Threads per workgroup: one size for every shape, so one shader.
    const WORKGROUP: u32 = 64;
    /// Rows and columns of the block each thread computes. On lavapipe a GAN iteration (B) took
    /// 42–65 ms with 4 × 8, 55–78 with 4 × 4 and 38–52 with 8 × 8 (README, "Matrix products as
    /// one small kernel"); 4 × 8 keeps 32 sums per thread and more threads on small products.
    const TILE: (usize, usize) = (4, 8);

    /// Which operand of a product is a gradient to be multiplied, element by element, by the
    /// activation's derivative at the layer's output (the `gate`) as it is read.
    const GATE_NONE: u32 = 0;
    const GATE_LHS: u32 = 1;
    const GATE_RHS: u32 = 2;

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

    /// The kernel's scalars for an activation: its code and slope for the forward pass, and its
    /// derivative as a function of the output y, `step(y) + c0 + y · (c1 + c2 · y)` where
    /// `step` is `pos`, `neg` or `zero` by the sign of y.
    struct ActArgs {
        code: u32,
        slope: f32,
        /// pos, neg, zero, c0, c1, c2.
        derivative: [f32; 6],
    }

    fn act_args(act: Act) -> ActArgs {
        let (code, slope, derivative) = match act {
            Act::Identity => (0, 0.0, [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]),
            // burn's relu passes no gradient where its output is 0.
            Act::Relu => (1, 0.0, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            // burn's leaky ReLU scales only inputs below 0; at 0 its slope is 1.
            Act::LeakyRelu(s) => (2, s as f32, [1.0, s as f32, 1.0, 0.0, 0.0, 0.0]),
            Act::Tanh => (3, 0.0, [0.0, 0.0, 0.0, 1.0, 0.0, -1.0]),
            Act::Sigmoid => (4, 0.0, [0.0, 0.0, 0.0, 0.0, 1.0, -1.0]),
        };
        ActArgs {
            code,
            slope,
            derivative,
        }
    }

    #[backend_extension(Cube, Autodiff)]
    pub trait SmallMatmul: Backend {
        /// [m, k] × [k, n] → [m, n].
        fn small_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self>;
        /// `act(x · weight + bias)`: x [m, k], weight [k, n], bias [n] → [m, n].
        fn fused_dense(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self>;
    }

    /// The gradients of [`SmallMatmul::fused_dense`], from its output `y` and the gradient `dy`
    /// there; dz = dy ⊙ act′(y) is never stored.
    pub trait DenseGrads: Backend {
        /// dz · weightᵀ.
        fn dense_grad_x(
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self>;
        /// xᵀ · dz, and the column sums of dz (the bias's gradient) from the same kernel.
        fn dense_grad_weight(
            x: FloatTensor<Self>,
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            act: Act,
        ) -> (FloatTensor<Self>, FloatTensor<Self>);
        /// The column sums of dz.
        fn dense_grad_bias(
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self>;
    }

    /// act′ at an output y (see [`ActArgs`]).
    #[cube]
    fn derivative_at(y: f32, pos: f32, neg: f32, zero: f32, c0: f32, c1: f32, c2: f32) -> f32 {
        let step = select(y > 0.0, pos, select(y < 0.0, neg, zero));
        step + c0 + y * (c1 + c2 * y)
    }

    /// One thread per `tm` × `tn` block of `out` ([m, n], contiguous): rows `row..row + tm` and
    /// the columns `col + j · w` for j < `tn`, where `w` is the threads per block row.
    /// Neighbouring threads read and write neighbouring columns, as a GPU's memory (and a
    /// software adapter's vector units) read them best. Rows and columns past the edge read
    /// the last row or column (always in bounds) and are not written.
    ///
    /// With `gated` the lhs or rhs is multiplied by act′(`gate`) as it is read (`gate` has that
    /// operand's shape); without, each sum gets `bias` (where `has_bias`) and the activation
    /// `act`. One shader per value of `gated`.
    #[cube(launch)]
    #[allow(clippy::too_many_arguments)]
    fn matmul_kernel(
        lhs: &Tensor<f32>,
        rhs: &Tensor<f32>,
        gate: &Tensor<f32>,
        bias: &Tensor<f32>,
        out: &mut Tensor<f32>,
        column_sums: &mut Tensor<f32>,
        has_bias: u32,
        act: u32,
        slope: f32,
        d: Sequence<f32>,
        #[comptime] tm: usize,
        #[comptime] tn: usize,
        #[comptime] gated: u32,
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
        let (gate_0, gate_1) = (gate.stride(0), gate.stride(1));
        let mut rows = Array::<usize>::new(tm);
        let mut cols = Array::<usize>::new(tn);
        let mut gate_rows = Array::<usize>::new(tm);
        let mut gate_cols = Array::<usize>::new(tn);
        #[unroll]
        for i in 0..tm {
            let r = min(row + i, m - 1);
            rows[i] = r * lhs_row;
            gate_rows[i] = r * gate_0;
        }
        #[unroll]
        for j in 0..tn {
            let c = min(col + j * w, n - 1);
            cols[j] = c * rhs_col;
            gate_cols[j] = c * gate_1;
        }
        let mut acc = Array::<f32>::new(comptime!(tm * tn));
        #[unroll]
        for i in 0..comptime!(tm * tn) {
            acc[i] = 0.0;
        }
        let mut a = Array::<f32>::new(tm);
        let mut b = Array::<f32>::new(tn);
        // With a gated rhs (dz, for the weight's gradient), the sums of its columns too: the
        // bias's gradient, written by the threads whose block holds row 0.
        let mut sums = Array::<f32>::new(tn);
        #[unroll]
        for j in 0..tn {
            sums[j] = 0.0;
        }
        for step in 0..k {
            let (at_lhs, at_rhs) = (step * lhs_k, step * rhs_k);
            #[unroll]
            for i in 0..tm {
                a[i] = lhs[rows[i] + at_lhs];
                if comptime!(gated == GATE_LHS) {
                    let y = gate[gate_rows[i] + step * gate_1];
                    a[i] *= derivative_at(
                        y,
                        *d.index(0),
                        *d.index(1),
                        *d.index(2),
                        *d.index(3),
                        *d.index(4),
                        *d.index(5),
                    );
                }
            }
            #[unroll]
            for j in 0..tn {
                b[j] = rhs[at_rhs + cols[j]];
                if comptime!(gated == GATE_RHS) {
                    let y = gate[step * gate_0 + gate_cols[j]];
                    b[j] *= derivative_at(
                        y,
                        *d.index(0),
                        *d.index(1),
                        *d.index(2),
                        *d.index(3),
                        *d.index(4),
                        *d.index(5),
                    );
                    sums[j] += b[j];
                }
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
                    let mut v = acc[i * tn + j];
                    if comptime!(gated == GATE_NONE) {
                        if has_bias == 1 {
                            v += bias[(col + j * w) * bias.stride(0)];
                        }
                        if act == 1 {
                            v = select(v <= 0.0, 0.0, v);
                        } else if act == 2 {
                            v = select(v < 0.0, v * slope, v);
                        } else if act == 3 {
                            v = f32::tanh(v);
                        } else if act == 4 {
                            v = 1.0 / (1.0 + f32::exp(-v));
                        }
                    }
                    out[(row + i) * n + col + j * w] = v;
                }
            }
        }
        // Apart: the outer condition is decided when the shader is written, the inner as it runs.
        #[allow(clippy::collapsible_if)]
        if comptime!(gated == GATE_RHS) {
            if row == 0 {
                #[unroll]
                for j in 0..tn {
                    if col + j * w < n {
                        column_sums[col + j * w] = sums[j];
                    }
                }
            }
        }
    }

    /// The column sums of dy ⊙ act′(y) ([m, n] → [n]): one thread per column.
    #[cube(launch)]
    fn column_sum_kernel(
        dy: &Tensor<f32>,
        y: &Tensor<f32>,
        out: &mut Tensor<f32>,
        d: Sequence<f32>,
    ) {
        let col = ABSOLUTE_POS;
        let n = out.shape(0);
        if col >= n {
            terminate!();
        }
        let mut sum = 0.0;
        for row in 0..dy.shape(0) {
            let g = dy[row * dy.stride(0) + col * dy.stride(1)];
            let v = y[row * y.stride(0) + col * y.stride(1)];
            sum += g * derivative_at(
                v,
                *d.index(0),
                *d.index(1),
                *d.index(2),
                *d.index(3),
                *d.index(4),
                *d.index(5),
            );
        }
        out[col] = sum;
    }

    fn derivative_args(act: Act) -> SequenceArg<f32> {
        let mut d = SequenceArg::new();
        for c in act_args(act).derivative {
            d.push(c);
        }
        d
    }

    fn empty(like: &CubeTensor, shape: &[usize]) -> CubeTensor {
        empty_device_dtype(
            like.client.clone(),
            like.device.clone(),
            shape.to_vec().into(),
            like.dtype,
        )
    }

    /// `lhs` [m, k] × `rhs` [k, n], with a gate on one operand or a bias and activation after.
    /// With the rhs gated, also the column sums of the gated rhs ([n]), else a placeholder.
    fn launch(
        lhs: CubeTensor,
        rhs: CubeTensor,
        gate: Option<(u32, CubeTensor)>,
        bias: Option<CubeTensor>,
        act: Act,
    ) -> (CubeTensor, CubeTensor) {
        let (m, n) = (lhs.meta.shape()[0], rhs.meta.shape()[1]);
        let out = empty(&lhs, &[m, n]);
        let gated_rhs = matches!(gate, Some((GATE_RHS, _)));
        let column_sums = empty(&lhs, &[if gated_rhs { n } else { 1 }]);
        // Unused operands still need a binding; a one-element tensor of their own, so that no
        // buffer is bound twice.
        let placeholder = || empty(&lhs, &[1, 1]);
        let (gated, gate) = gate.unwrap_or_else(|| (GATE_NONE, placeholder()));
        let has_bias = bias.is_some();
        let bias = bias.unwrap_or_else(|| empty(&lhs, &[1]));
        let args = act_args(act);
        let (tm, tn) = TILE;
        let client = lhs.client.clone();
        matmul_kernel::launch(
            &client,
            CubeCount::new_1d(workgroups(m, n) as u32),
            CubeDim::new_1d(WORKGROUP),
            lhs.into_tensor_arg(),
            rhs.into_tensor_arg(),
            gate.into_tensor_arg(),
            bias.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            column_sums.clone().into_tensor_arg(),
            u32::from(has_bias),
            args.code,
            args.slope,
            derivative_args(act),
            tm,
            tn,
            gated,
        );
        (out, column_sums)
    }

    impl SmallMatmul for CubeBackend {
        fn small_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
            let (m, n) = (lhs.meta.shape()[0], rhs.meta.shape()[1]);
            // No lesson's product (nor its gradients') comes near the limit; burn's own matmul
            // takes any that would.
            if !fits(m, n) {
                return Self::float_matmul(lhs, rhs);
            }
            launch(lhs, rhs, None, None, Act::Identity).0
        }

        fn fused_dense(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self> {
            launch(x, weight, None, Some(bias), act).0
        }
    }

    impl DenseGrads for CubeBackend {
        fn dense_grad_x(
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self> {
            let weight_t = Self::float_transpose(weight);
            launch(dy, weight_t, Some((GATE_LHS, y)), None, act).0
        }

        fn dense_grad_weight(
            x: FloatTensor<Self>,
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            act: Act,
        ) -> (FloatTensor<Self>, FloatTensor<Self>) {
            launch(Self::float_transpose(x), dy, Some((GATE_RHS, y)), None, act)
        }

        fn dense_grad_bias(
            dy: FloatTensor<Self>,
            y: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self> {
            let n = dy.meta.shape()[1];
            let out = empty(&dy, &[n]);
            let client = dy.client.clone();
            let cube_dim = CubeDim::new_1d(WORKGROUP);
            column_sum_kernel::launch(
                &client,
                CubeCount::new_1d(n.div_ceil(WORKGROUP as usize) as u32),
                cube_dim,
                dy.into_tensor_arg(),
                y.into_tensor_arg(),
                out.clone().into_tensor_arg(),
                derivative_args(act),
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

    /// The fused layer's backward pass: each gradient one kernel, from the layer's output.
    #[derive(Debug)]
    struct DenseBackward;

    impl<B: Backend + DenseGrads> Backward<B, 3> for DenseBackward {
        /// x (kept when the weight trains), the weight (kept when x has a gradient), the
        /// output and the activation.
        type State = (Option<NodeId>, Option<NodeId>, FloatTensor<B>, Act);

        fn backward(
            self,
            ops: Ops<Self::State, 3>,
            grads: &mut Gradients,
            checkpointer: &mut Checkpointer,
        ) {
            let [node_x, node_weight, node_bias] = ops.parents;
            let dy = grads.consume::<B>(&ops.node);
            let (x, weight, y, act) = ops.state;
            if let Some(node) = node_x {
                let weight = checkpointer
                    .retrieve_node_output::<FloatTensor<B>>(weight.expect("weight kept"));
                let grad = B::dense_grad_x(dy.clone(), y.clone(), weight, act);
                grads.register::<B>(node.id, grad);
            }
            match (node_weight, node_bias) {
                // One kernel for both.
                (Some(weight), bias) => {
                    let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x.expect("x kept"));
                    let (grad, sums) = B::dense_grad_weight(x, dy, y, act);
                    grads.register::<B>(weight.id, grad);
                    if let Some(bias) = bias {
                        grads.register::<B>(bias.id, sums);
                    }
                }
                (None, Some(bias)) => grads.register::<B>(bias.id, B::dense_grad_bias(dy, y, act)),
                (None, None) => {}
            }
        }
    }

    impl<B: Backend + SmallMatmul + DenseGrads, C: CheckpointStrategy> SmallMatmul for Autodiff<B, C> {
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

        fn fused_dense(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
            act: Act,
        ) -> FloatTensor<Self> {
            let (x_tracked, weight_tracked) = (x.is_tracked(), weight.is_tracked());
            match DenseBackward
                .prepare::<C>([x.node(), weight.node(), bias.node()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(mut prep) => {
                    let x_state = weight_tracked.then(|| prep.checkpoint(&x));
                    let weight_state = x_tracked.then(|| prep.checkpoint(&weight));
                    let y = B::fused_dense(
                        x.into_primitive(),
                        weight.into_primitive(),
                        bias.into_primitive(),
                        act,
                    );
                    prep.finish((x_state, weight_state, y.clone(), act), y)
                }
                OpsKind::UnTracked(prep) => prep.finish(B::fused_dense(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                    act,
                )),
            }
        }
    }

    pub fn matmul(lhs: BurnTensor<2>, rhs: BurnTensor<2>) -> BurnTensor<2> {
        BurnTensor::from_dispatch(<burn::backend::Dispatch as SmallMatmul>::small_matmul(
            lhs.into_dispatch(),
            rhs.into_dispatch(),
        ))
    }

    /// `act(x · weight + bias)`, fused where the layer's three products each fit the kernel
    /// (see [`fits`]); burn's own operations otherwise.
    pub fn dense(
        x: BurnTensor<2>,
        weight: BurnTensor<2>,
        bias: BurnTensor<1>,
        act: Act,
    ) -> BurnTensor<2> {
        let ([m, k], n) = (x.dims(), weight.dims()[1]);
        if !(fits(m, n) && fits(m, k) && fits(k, n)) {
            return act.apply(matmul(x, weight) + bias.unsqueeze::<2>());
        }
        BurnTensor::from_dispatch(<burn::backend::Dispatch as SmallMatmul>::fused_dense(
            x.into_dispatch(),
            weight.into_dispatch(),
            bias.into_dispatch(),
            act,
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

    pub fn dense(
        _x: Tensor<2>,
        _weight: Tensor<2>,
        _bias: Tensor<1>,
        _act: super::Act,
    ) -> Tensor<2> {
        unreachable!("matmul_kernel::applies is false in this build")
    }
}
