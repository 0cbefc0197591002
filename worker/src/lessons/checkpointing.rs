//! When a training lesson sends its run's checkpoint to the page: every
//! [`CHECKPOINT_EVERY_MS`] of training and once training stopped, never twice for the same
//! progress (a step, an iteration, D's and G's updates), never one whose weights are not numbers,
//! and, when the run's checkpoints cannot be taken, saying so once. Each lesson keeps one of these per run it trains.

use std::future::Future;

use kindling_engine::common::resume::{CHECKPOINT_EVERY_MS, ResumeError};

#[derive(Default)]
pub struct Checkpointing {
    since_ms: f64,
    /// The progress of the last checkpoint sent for this run.
    sent: Option<u64>,
    /// This run's checkpoints cannot be taken, and the page has been told.
    unavailable: bool,
    /// Training stopped since the last checkpoint was sent: the page should get one.
    due: bool,
}

impl Checkpointing {
    /// A new run (fresh, or resumed at `sent`, whose checkpoint the page holds already): its
    /// checkpoints start again.
    pub fn new_run(&mut self, sent: Option<u64>) {
        self.sent = sent;
        self.unavailable = false;
        self.since_ms = 0.0;
    }

    /// Training stopped: the page should get where it is, once the lesson can wait for the
    /// device.
    pub fn stopped(&mut self) {
        self.due = true;
    }

    /// Whether a checkpoint is owed since training stopped.
    pub fn is_due(&self) -> bool {
        self.due
    }

    /// `ms` more of training.
    pub fn trained(&mut self, ms: f64) {
        self.since_ms += ms;
    }

    /// Whether the interval since the last checkpoint has passed.
    pub fn interval_passed(&self) -> bool {
        self.since_ms >= CHECKPOINT_EVERY_MS
    }

    /// The run changed without progressing (a generator loaded into it): the page's checkpoint
    /// no longer holds it.
    pub fn outdated(&mut self) {
        self.sent = None;
    }

    /// Sends the checkpoint of `run`, its progress and the checkpoint to read (None: no run, or
    /// none worth keeping), with `keep`, unless the page holds this progress's already or there
    /// is none yet; says once with `unavailable` why this run's checkpoints cannot be taken.
    pub async fn send<C>(
        &mut self,
        run: Option<(u64, impl Future<Output = Result<C, ResumeError>>)>,
        keep: impl FnOnce(C),
        unavailable: impl FnOnce(ResumeError),
    ) {
        self.since_ms = 0.0;
        self.due = false;
        let Some((progress, checkpoint)) = run else {
            return;
        };
        if progress == 0 || self.sent == Some(progress) || self.unavailable {
            return;
        }
        match checkpoint.await {
            Ok(checkpoint) => {
                keep(checkpoint);
                self.sent = Some(progress);
            }
            // Blown up after the last loss read: the page keeps its last good checkpoint, and
            // the next chunk's loss will say the run diverged.
            Err(ResumeError::NotNumbers) => {}
            Err(error) => {
                unavailable(error);
                self.unavailable = true;
            }
        }
    }
}
