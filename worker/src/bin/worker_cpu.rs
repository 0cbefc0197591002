//! The CPU-only worker, for browsers without a usable GPU: the same lessons on the CPU backend,
//! without burn's WebGPU runtime.

fn main() {
    kindling_worker::run();
}
