//! The memory workloads: a long run of a training loop, sampled every few steps, to see whether
//! the worker's memory stays flat (issue 14). Plain data and arithmetic, shared with the page.

use serde::{Deserialize, Serialize};

use crate::common::named::named;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryWorkload {
    /// The playground's default run (the spiral, its default network), as the lesson trains it.
    Playground,
    /// Workload A, the small CNN, at batch 64 on the bench's synthetic data.
    CnnSmall,
}
named!(MemoryWorkload {
    Playground => "playground",
    CnnSmall => "cnn-small",
});

impl MemoryWorkload {
    /// The steps a run takes unless the link says otherwise: long on the CPU, a few hundred on
    /// WebGPU, whose steps are slow without a real GPU.
    pub fn default_steps(self, webgpu: bool) -> u32 {
        match (self, webgpu) {
            (_, true) => 300,
            (MemoryWorkload::Playground, false) => 10_000,
            (MemoryWorkload::CnnSmall, false) => 2_000,
        }
    }
}

/// Samples a run takes after its start: one every `steps / SAMPLES` steps.
pub const SAMPLES: u32 = 20;

/// Steps between two samples of a run of `steps` steps (at least 1).
pub fn sample_every(steps: u32) -> u32 {
    steps.div_ceil(SAMPLES).max(1)
}

/// What the worker held after `step` steps.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct MemorySample {
    pub step: u32,
    /// The worker's wasm linear memory (it grows, never shrinks).
    pub wasm_bytes: u64,
    /// The GPU allocator's figures; `None` on the CPU backend, which reports none.
    pub gpu: Option<GpuMemory>,
}

/// burn's device allocator (cubecl's memory pools).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct GpuMemory {
    /// Bytes the live tensors use.
    pub in_use: u64,
    /// Bytes the pools hold from the device, reused pages included.
    pub reserved: u64,
}

/// One memory workload's samples on one backend, the first at step 0 (before any step).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MemoryResult {
    pub workload: MemoryWorkload,
    pub steps: u32,
    pub samples: Vec<MemorySample>,
}

/// What one measure did over a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemorySummary {
    pub first: u64,
    pub peak: u64,
    pub last: u64,
    /// Bytes gained per 1,000 steps from the end of the warm-up (the run's first tenth) to the
    /// last sample; negative when it shrank. `None` without two samples to compare.
    pub growth_per_1000: Option<f64>,
}

/// Which figure of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryMeasure {
    Wasm,
    GpuInUse,
    GpuReserved,
}
named!(MemoryMeasure {
    Wasm => "wasm",
    GpuInUse => "gpu-in-use",
    GpuReserved => "gpu-reserved",
});

impl MemoryMeasure {
    pub fn of(self, sample: &MemorySample) -> Option<u64> {
        match self {
            MemoryMeasure::Wasm => Some(sample.wasm_bytes),
            MemoryMeasure::GpuInUse => sample.gpu.map(|g| g.in_use),
            MemoryMeasure::GpuReserved => sample.gpu.map(|g| g.reserved),
        }
    }
}

impl MemoryResult {
    /// `measure` over the run; `None` when no sample has it (the GPU on the CPU backend).
    pub fn summary(&self, measure: MemoryMeasure) -> Option<MemorySummary> {
        let points: Vec<(u32, u64)> = self
            .samples
            .iter()
            .filter_map(|s| measure.of(s).map(|v| (s.step, v)))
            .collect();
        summarise(&points, self.steps)
    }
}

/// First, peak and last of `(step, bytes)` points in step order, and the growth after the
/// warm-up (the first sample at or past a tenth of `steps`, and never the very first sample).
pub fn summarise(points: &[(u32, u64)], steps: u32) -> Option<MemorySummary> {
    let &(_, first) = points.first()?;
    let &(last_step, last) = points.last()?;
    let peak = points.iter().map(|&(_, v)| v).max()?;
    let warm = steps / 10;
    let growth_per_1000 = points
        .iter()
        .skip(1)
        .find(|&&(step, _)| step >= warm)
        .filter(|&&(step, _)| step < last_step)
        .map(|&(step, value)| (last as f64 - value as f64) * 1000.0 / f64::from(last_step - step));
    Some(MemorySummary {
        first,
        peak,
        last,
        growth_per_1000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(step: u32, wasm: u64, gpu: Option<(u64, u64)>) -> MemorySample {
        MemorySample {
            step,
            wasm_bytes: wasm,
            gpu: gpu.map(|(in_use, reserved)| GpuMemory { in_use, reserved }),
        }
    }

    #[test]
    fn growth_is_measured_after_the_warm_up() {
        // 1,000 steps: the warm-up ends at step 100. The jump before it does not count.
        let result = MemoryResult {
            workload: MemoryWorkload::CnnSmall,
            steps: 1000,
            samples: vec![
                sample(0, 1_000, Some((10, 100))),
                sample(50, 5_000, Some((20, 200))),
                sample(100, 6_000, Some((20, 200))),
                sample(600, 6_000, Some((20, 200))),
                sample(1000, 8_000, Some((18, 200))),
            ],
        };
        let wasm = result.summary(MemoryMeasure::Wasm).unwrap();
        assert_eq!((wasm.first, wasm.peak, wasm.last), (1_000, 8_000, 8_000));
        assert_eq!(wasm.growth_per_1000, Some(2_000.0 * 1000.0 / 900.0));
        let in_use = result.summary(MemoryMeasure::GpuInUse).unwrap();
        assert_eq!(in_use.growth_per_1000, Some(-2.0 * 1000.0 / 900.0));
        assert_eq!(
            result
                .summary(MemoryMeasure::GpuReserved)
                .unwrap()
                .growth_per_1000,
            Some(0.0)
        );
    }

    #[test]
    fn the_cpu_has_no_gpu_figures_and_one_sample_no_growth() {
        let result = MemoryResult {
            workload: MemoryWorkload::Playground,
            steps: 4,
            samples: vec![sample(0, 64, None)],
        };
        assert_eq!(result.summary(MemoryMeasure::GpuInUse), None);
        let wasm = result.summary(MemoryMeasure::Wasm).unwrap();
        assert_eq!((wasm.first, wasm.peak, wasm.last), (64, 64, 64));
        assert_eq!(wasm.growth_per_1000, None);
        // A tiny run: the warm-up is zero steps, so the growth runs from the second sample.
        let tiny = [(0, 64), (1, 128), (2, 128), (4, 192)];
        assert_eq!(
            summarise(&tiny, 4).unwrap().growth_per_1000,
            Some(64.0 * 1000.0 / 3.0)
        );
    }

    #[test]
    fn defaults_and_sampling() {
        assert_eq!(MemoryWorkload::Playground.default_steps(false), 10_000);
        assert_eq!(MemoryWorkload::CnnSmall.default_steps(false), 2_000);
        assert_eq!(MemoryWorkload::CnnSmall.default_steps(true), 300);
        assert_eq!(sample_every(10_000), 500);
        assert_eq!(sample_every(4), 1);
        assert_eq!(sample_every(30), 2);
        for &w in MemoryWorkload::ALL {
            assert_eq!(MemoryWorkload::from_name(w.name()), Some(w));
        }
    }
}
