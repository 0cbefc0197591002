//! What the page and the benchmark's worker lesson say to each other.

use serde::{Deserialize, Serialize};

use super::memory::{MemoryResult, MemoryWorkload};
use super::workload::{BenchResult, Workload};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Command {
    /// Runs `workload` for `warmup` untimed steps after the first, then `steps` timed ones.
    Run {
        workload: Workload,
        warmup: u32,
        steps: u32,
    },
    /// Runs `workload` for `steps` steps, sampling the worker's memory before the first and
    /// every `every` steps (and after the last).
    Memory {
        workload: MemoryWorkload,
        steps: u32,
        every: u32,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Event {
    Finished(BenchResult),
    Failed {
        workload: Workload,
        message: String,
    },
    MemoryFinished(MemoryResult),
    MemoryFailed {
        workload: MemoryWorkload,
        message: String,
    },
}
