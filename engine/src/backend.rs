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

/// Initialises burn's WebGPU runtime. Must be awaited before any tensor is made on it: the sync
/// path panics in a browser.
#[cfg(target_arch = "wasm32")]
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

/// Natively the worker is only compiled (for lints); training there uses the CPU backend.
#[cfg(not(target_arch = "wasm32"))]
pub async fn init_webgpu() -> Result<WebGpu, String> {
    Err("WebGPU through wgpu is only set up in the browser".into())
}
