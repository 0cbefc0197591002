//! The WebGPU worker (built with the `webgpu` feature): trains on WebGPU, or on the CPU when the
//! browser's adapter is missing, a software one, or measured slower.

fn main() {
    kindling_worker::run();
}
