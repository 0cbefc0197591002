//! The chunked training loop both trainers share: run steps until a step or time budget is used
//! up, then wait for the device once, by reading the last batch loss back. Steps are queued
//! without reading anything, so the GPU is never waited on inside a chunk.

use burn::tensor::Tensor;
use web_time::Instant;

use super::read::read_scalar;

/// What a trainer keeps across chunks.
#[derive(Clone, Copy, Debug)]
pub struct ChunkRecord {
    /// Training time so far, waits for the device included.
    pub elapsed_ms: f64,
    /// The loss of the last batch of the last chunk (NaN before any).
    pub last_batch_loss: f32,
}

impl Default for ChunkRecord {
    fn default() -> Self {
        Self {
            elapsed_ms: 0.0,
            last_batch_loss: f32::NAN,
        }
    }
}

impl ChunkRecord {
    /// `steps` taken in the recorded time, per second; 0 before any time is recorded.
    pub fn steps_per_second(&self, steps: u64) -> f64 {
        if self.elapsed_ms > 0.0 {
            steps as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }
}

/// A trainer that advances one mini-batch at a time.
pub(crate) trait StepTrainer {
    /// One optimiser step on the next mini-batch, returning the batch loss without reading it
    /// back; `None` once the run is over.
    fn step(&mut self) -> Option<Tensor<1>>;

    fn record(&mut self) -> &mut ChunkRecord;
}

/// Runs up to `max_steps` steps, stopping early once `budget_ms` has passed or the run is over,
/// then waits for the device by reading the last batch loss. The time, waiting included, counts
/// as training time. Returns the number of steps run.
pub(crate) async fn train_chunk(
    trainer: &mut impl StepTrainer,
    max_steps: u64,
    budget_ms: f64,
) -> u64 {
    let started = Instant::now();
    let mut last = None;
    let mut done = 0;
    while done < max_steps {
        let Some(loss) = trainer.step() else { break };
        last = Some(loss);
        done += 1;
        if started.elapsed().as_secs_f64() * 1000.0 >= budget_ms {
            break;
        }
    }
    if let Some(loss) = last {
        trainer.record().last_batch_loss = read_scalar(loss).await;
    }
    trainer.record().elapsed_ms += started.elapsed().as_secs_f64() * 1000.0;
    done
}

/// A copy of `model` that later steps leave alone, for a run to go back to: a clone shares the
/// batch norms' running statistics, which every forward pass in training updates in place.
///
/// burn draws a fresh layer's weights lazily, when they are first used; a copy draws any still
/// undrawn ones at once, in the order the module lists them. Where the forward pass uses them in
/// another order, and a run must stay the one it was before copies were taken (a shipped model's
/// recipe), draw them first by a forward pass (as detection's `schedule::draw_head` does).
pub(crate) fn detached<M: burn::module::Module>(model: &M) -> M {
    // `valid` and `train` give every running statistic a state of its own.
    model.valid().train()
}
