//! What the page and the benchmark's worker lesson say to each other.

use serde::{Deserialize, Serialize};

use super::workload::{BenchResult, Workload};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Command {
    /// Runs `workload` for `warmup` untimed steps after the first, then `steps` timed ones.
    Run {
        workload: Workload,
        warmup: u32,
        steps: u32,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Event {
    Finished(BenchResult),
    Failed { workload: Workload, message: String },
}
