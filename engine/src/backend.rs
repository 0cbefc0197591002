//! The one place that names concrete burn backends.

use burn::tensor::Device;

/// The CPU device (burn-flex: im2col + gemm with wasm SIMD kernels) with autodiff, for training.
pub fn cpu() -> Device {
    Device::flex().autodiff()
}

/// What a WebGPU initialisation found: the device, and a description of its adapter.
pub struct WebGpu {
    pub device: Device,
    pub adapter: String,
}

/// Whether this build can train on WebGPU: only the browser build with the `webgpu` feature (the
/// WebGPU worker); the CPU worker and native builds cannot.
pub const WEBGPU: bool = cfg!(all(target_arch = "wasm32", feature = "webgpu"));

/// Initialises burn's WebGPU runtime. Must be awaited before any tensor is made on it: the sync
/// path panics in a browser.
#[cfg(all(target_arch = "wasm32", feature = "webgpu"))]
pub async fn init_webgpu() -> Result<WebGpu, String> {
    use burn::tensor::wgpu::WgpuBackend;
    let (device, setup) = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_with_setup_async()
        .await
        .map_err(|e| e.to_string())?;
    let info = setup.adapter.get_info();
    let adapter = [
        info.name.as_str(),
        info.driver.as_str(),
        info.driver_info.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(WebGpu {
        device: device.autodiff(),
        adapter: if adapter.is_empty() {
            format!("{:?}", info.backend)
        } else {
            adapter
        },
    })
}

/// Without WebGPU in the build (the CPU worker, or natively, where the worker is only compiled for
/// lints and training runs on the CPU backend).
#[cfg(not(all(target_arch = "wasm32", feature = "webgpu")))]
pub async fn init_webgpu() -> Result<WebGpu, String> {
    Err(if cfg!(target_arch = "wasm32") {
        "this build has no WebGPU: it is the CPU-only worker (no `webgpu` feature)".into()
    } else {
        "WebGPU through wgpu is only set up in the browser".into()
    })
}
