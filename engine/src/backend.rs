//! The one place that names concrete burn backends.

use burn::tensor::Device;

/// The CPU device (burn-flex: im2col + gemm with wasm SIMD kernels) with autodiff, for training.
pub fn cpu() -> Device {
    Device::flex().autodiff()
}

/// What a WebGPU initialisation found: the device, a description of its adapter, and a way to
/// destroy the GPU device as a lost GPU would end it (a test hook).
pub struct WebGpu {
    pub device: Device,
    pub adapter: String,
    pub destroy: Box<dyn Fn()>,
}

/// A test hook: asks `device` for one 3 GiB buffer, more than a browser's GPU gives a buffer, and
/// reads from it, as a configuration too large for the GPU does. The read stops the worker with
/// cubecl's out-of-memory error (see `common::read`). (4 GiB would not do: its size in bytes
/// wraps to 0 in wasm32's 32-bit `usize`.)
pub async fn overfill(device: &Device) -> f32 {
    let huge: burn::tensor::Tensor<1> = burn::tensor::Tensor::ones([3 << 28], device);
    crate::common::read::read_scalar(huge.sum()).await
}

/// Whether this build can train on WebGPU: only the browser build with the `webgpu` feature (the
/// WebGPU worker); the CPU worker and native builds cannot.
pub const WEBGPU: bool = cfg!(all(target_arch = "wasm32", feature = "webgpu"));

/// Initialises burn's WebGPU runtime. Must be awaited before any tensor is made on it: the sync
/// path panics in a browser. `on_lost` is called with the reason when the GPU device is lost
/// (a driver reset, the GPU gone, or `destroy`); cubecl then fails every later operation.
#[cfg(all(target_arch = "wasm32", feature = "webgpu"))]
pub async fn init_webgpu(on_lost: impl Fn(String) + Send + 'static) -> Result<WebGpu, String> {
    use burn::tensor::wgpu::WgpuBackend;
    let (device, setup) = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_with_setup_async()
        .await
        .map_err(|e| e.to_string())?;
    setup
        .device
        .set_device_lost_callback(move |reason, message| on_lost(format!("{reason:?}: {message}")));
    let gpu = setup.device.clone();
    Ok(WebGpu {
        destroy: Box::new(move || gpu.destroy()),
        device: device.autodiff(),
        adapter: describe_adapter(&setup.adapter.get_info()),
    })
}

/// The adapter's name, driver and driver details, or its graphics API when it names none.
#[cfg(any(
    all(target_arch = "wasm32", feature = "webgpu"),
    feature = "native-wgpu"
))]
fn describe_adapter(info: &burn::tensor::wgpu::wgpu::AdapterInfo) -> String {
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
    if adapter.is_empty() {
        format!("{:?}", info.backend)
    } else {
        adapter
    }
}

/// Without WebGPU in the build (the CPU worker, or natively, where the worker is only compiled for
/// lints and training runs on the CPU backend).
#[cfg(not(all(target_arch = "wasm32", feature = "webgpu")))]
pub async fn init_webgpu(_on_lost: impl Fn(String) + Send + 'static) -> Result<WebGpu, String> {
    Err(if cfg!(target_arch = "wasm32") {
        "this build has no WebGPU: it is the CPU-only worker (no `webgpu` feature)".into()
    } else {
        "WebGPU through wgpu is only set up in the browser".into()
    })
}

/// The backends the native program (`kindling --backend`) can train on. The CPU backend is the
/// one the browser's CPU worker uses; wgpu (Vulkan, Metal, DX12) and CUDA are in the build only
/// with the engine's `native-wgpu` and `cuda` features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeBackend {
    Cpu,
    Wgpu,
    Cuda,
}

impl NativeBackend {
    pub const ALL: [NativeBackend; 3] = [Self::Cpu, Self::Wgpu, Self::Cuda];

    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Wgpu => "wgpu",
            Self::Cuda => "cuda",
        }
    }

    /// The engine feature that brings this backend into a build.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Self::Cpu => None,
            Self::Wgpu => Some("native-wgpu"),
            Self::Cuda => Some("cuda"),
        }
    }

    /// Whether this build can use it.
    pub fn compiled(self) -> bool {
        match self {
            Self::Cpu => true,
            Self::Wgpu => cfg!(feature = "native-wgpu"),
            Self::Cuda => cfg!(feature = "cuda"),
        }
    }
}

/// `count` training devices (with autodiff) of `backend`. One wgpu device is wgpu's preferred
/// adapter (`CUBECL_WGPU_DEFAULT_DEVICE` overrides it); several are discrete GPUs 0, 1, …; CUDA
/// devices are GPUs 0, 1, …. The CPU backend has a single device, so `count` CPU devices are that
/// one device `count` times (burn-train then runs one worker thread per entry, sharing the CPU).
pub fn native_devices(backend: NativeBackend, count: usize) -> Result<Vec<Device>, String> {
    if count == 0 {
        return Err("at least one device is needed".into());
    }
    if !backend.compiled() {
        return Err(format!(
            "this build has no {} backend: build with the engine feature `{}`",
            backend.name(),
            backend.feature().unwrap_or_default()
        ));
    }
    Ok((0..count)
        .map(|index| native_device(backend, index, count))
        .collect())
}

/// One training device (with autodiff) of `backend` and a description of what it runs on, for
/// `kindling bench`: wgpu's default adapter (its name, driver and graphics API), CUDA's GPU 0, or
/// the CPU.
pub fn native_device_described(backend: NativeBackend) -> Result<(Device, String), String> {
    match backend {
        #[cfg(feature = "native-wgpu")]
        NativeBackend::Wgpu => {
            let (device, setup) = Device::wgpu_options()
                .init_with_setup()
                .map_err(|e| format!("wgpu: {e}"))?;
            let info = setup.adapter.get_info();
            let what = format!("{} on {:?}", describe_adapter(&info), info.backend);
            Ok((device.autodiff(), what))
        }
        _ => {
            let device = native_devices(backend, 1)?.remove(0);
            let what = match backend {
                NativeBackend::Cpu => format!(
                    "the CPU (burn-flex), {} hardware threads",
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                ),
                _ => "CUDA GPU 0".to_string(),
            };
            Ok((device, what))
        }
    }
}

fn native_device(backend: NativeBackend, index: usize, count: usize) -> Device {
    match backend {
        #[cfg(feature = "native-wgpu")]
        NativeBackend::Wgpu => {
            use burn::tensor::DeviceKind;
            let kind = if count == 1 {
                DeviceKind::DefaultDevice
            } else {
                DeviceKind::DiscreteGpu(index)
            };
            Device::wgpu(kind).autodiff()
        }
        #[cfg(feature = "cuda")]
        NativeBackend::Cuda => Device::cuda(index).autodiff(),
        // Only reached for the CPU: `native_devices` refuses backends not in the build.
        _ => {
            let _ = (index, count);
            cpu()
        }
    }
}
