//! Adam's update of one parameter as a single GPU kernel. Written as burn's tensor operations,
//! the update is thirteen kernels per parameter (the moments, the step direction, the new value);
//! this kernel reads the parameter, its gradient and both moments once and writes the new three.
//! A step of workload A launches 76 kernels instead of about 144 (README, "Adam as one GPU kernel,
//! measured"). The CPU backend keeps the tensor operations (the same floats, bit for bit, as
//! burn's own Adam).

use burn::tensor::{DType, Tensor};

/// Adam's scalars for one update, worked out on the host exactly as the tensor version does.
#[derive(Clone, Copy, Debug)]
pub struct AdamScalars {
    pub beta_1: f32,
    pub beta_2: f32,
    /// Multiplies the first moment: √(1 − β₂ᵗ) / (1 − β₁ᵗ).
    pub factor: f32,
    /// Added to the second moment's square root: ε · √(1 − β₂ᵗ).
    pub epsilon: f32,
    pub rate: f32,
}

/// Whether this build has the kernel and `values` (a parameter, flattened) is on a device it
/// runs on: one of cubecl's GPU runtimes, in f32.
pub fn applies(values: &Tensor<1>) -> bool {
    gpu::ENABLED && values.dtype() == DType::F32 && gpu::on_cube(values)
}

/// The parameter after one step, and its new first and second moments, all flattened. Only
/// where [`applies`] says so. Inputs on an autodiff device are taken without it (moments a
/// checkpoint restored are made on the training device, which has autodiff); the outputs have
/// none.
pub fn update(
    values: Tensor<1>,
    grad: Tensor<1>,
    moment_1: Tensor<1>,
    moment_2: Tensor<1>,
    scalars: AdamScalars,
) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
    gpu::update(
        values.inner(),
        grad.inner(),
        moment_1.inner(),
        moment_2.inner(),
        scalars,
    )
}

#[cfg(all(feature = "gpu-kernels", not(feature = "native-fusion")))]
mod gpu {
    use burn::backend::tensor::FloatTensor;
    use burn::backend::{Backend, DispatchDevice, backend_extension};
    use burn::tensor::Tensor as BurnTensor;
    use burn_cubecl::CubeBackend;
    use burn_cubecl::kernel::into_contiguous;
    use burn_cubecl::ops::numeric::empty_device_dtype;
    use cubecl::calculate_cube_count_elemwise;
    use cubecl::prelude::*;

    use super::AdamScalars;

    pub const ENABLED: bool = true;

    /// Threads per workgroup.
    const WORKGROUP: u32 = 64;

    pub fn on_cube(values: &BurnTensor<1>) -> bool {
        matches!(
            values.device().inner().as_dispatch(),
            DispatchDevice::Cube(_)
        )
    }

    #[backend_extension(Cube)]
    pub trait AdamUpdate: Backend {
        /// [n] parameter, gradient and moments → [n] parameter and moments after one step.
        fn adam_update(
            values: FloatTensor<Self>,
            grad: FloatTensor<Self>,
            moment_1: FloatTensor<Self>,
            moment_2: FloatTensor<Self>,
            scalars: AdamScalars,
        ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    }

    /// One thread per element. The operations and their order are the tensor version's; a
    /// shader compiler may still fuse a multiply and an add, so the floats can differ from it in
    /// the last bit.
    #[cube(launch)]
    #[allow(clippy::too_many_arguments)]
    fn adam_kernel(
        values: &Tensor<f32>,
        grad: &Tensor<f32>,
        moment_1: &Tensor<f32>,
        moment_2: &Tensor<f32>,
        values_out: &mut Tensor<f32>,
        moment_1_out: &mut Tensor<f32>,
        moment_2_out: &mut Tensor<f32>,
        beta_1: f32,
        keep_1: f32,
        beta_2: f32,
        keep_2: f32,
        factor: f32,
        epsilon: f32,
        rate: f32,
    ) {
        let i = ABSOLUTE_POS;
        if i >= values_out.len() {
            terminate!();
        }
        let g = grad[i];
        let m1 = moment_1[i] * beta_1 + g * keep_1;
        let m2 = moment_2[i] * beta_2 + (g * g) * keep_2;
        let direction = (m1 * factor) / (f32::sqrt(m2) + epsilon);
        values_out[i] = values[i] - direction * rate;
        moment_1_out[i] = m1;
        moment_2_out[i] = m2;
    }

    impl AdamUpdate for CubeBackend {
        fn adam_update(
            values: FloatTensor<Self>,
            grad: FloatTensor<Self>,
            moment_1: FloatTensor<Self>,
            moment_2: FloatTensor<Self>,
            s: AdamScalars,
        ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
            let [values, grad, moment_1, moment_2] =
                [values, grad, moment_1, moment_2].map(into_contiguous);
            let output = || {
                empty_device_dtype(
                    values.client.clone(),
                    values.device.clone(),
                    values.meta.shape().clone(),
                    values.dtype,
                )
            };
            let (values_out, moment_1_out, moment_2_out) = (output(), output(), output());
            let count = values.meta.shape().num_elements();
            // One workgroup size for every parameter, so one shader: cubecl's size for `count`
            // differs between small and large parameters, and each size is another shader to
            // compile on a first step.
            let cube_dim = CubeDim::new_1d(WORKGROUP);
            let cube_count = calculate_cube_count_elemwise(&values.client, count, cube_dim);
            let client = values.client.clone();
            adam_kernel::launch(
                &client,
                cube_count,
                cube_dim,
                values.into_tensor_arg(),
                grad.into_tensor_arg(),
                moment_1.into_tensor_arg(),
                moment_2.into_tensor_arg(),
                values_out.clone().into_tensor_arg(),
                moment_1_out.clone().into_tensor_arg(),
                moment_2_out.clone().into_tensor_arg(),
                s.beta_1,
                1.0 - s.beta_1,
                s.beta_2,
                1.0 - s.beta_2,
                s.factor,
                s.epsilon,
                s.rate,
            );
            (values_out, moment_1_out, moment_2_out)
        }
    }

    pub fn update(
        values: BurnTensor<1>,
        grad: BurnTensor<1>,
        moment_1: BurnTensor<1>,
        moment_2: BurnTensor<1>,
        s: AdamScalars,
    ) -> (BurnTensor<1>, BurnTensor<1>, BurnTensor<1>) {
        let (values, moment_1, moment_2) = <burn::backend::Dispatch as AdamUpdate>::adam_update(
            values.into_dispatch(),
            grad.into_dispatch(),
            moment_1.into_dispatch(),
            moment_2.into_dispatch(),
            s,
        );
        (
            BurnTensor::from_dispatch(values),
            BurnTensor::from_dispatch(moment_1),
            BurnTensor::from_dispatch(moment_2),
        )
    }
}

/// Builds without a cubecl GPU runtime (the CPU worker, the native tests), or with burn's fusion,
/// whose tensors this kernel does not take: never applies.
#[cfg(not(all(feature = "gpu-kernels", not(feature = "native-fusion"))))]
mod gpu {
    use burn::tensor::Tensor;

    use super::AdamScalars;

    pub const ENABLED: bool = false;

    pub fn on_cube(_values: &Tensor<1>) -> bool {
        false
    }

    pub fn update(
        _values: Tensor<1>,
        _grad: Tensor<1>,
        _moment_1: Tensor<1>,
        _moment_2: Tensor<1>,
        _scalars: AdamScalars,
    ) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
        unreachable!("adam_kernel::applies is false in this build")
    }
}
