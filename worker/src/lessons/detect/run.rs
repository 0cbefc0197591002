//! What the worker asks of either level's run while it trains: one chunk of steps, with the
//! losses and an unfreezing sent as they happen. The scores differ by level and stay in
//! `detect.rs`.

use kindling_engine::lessons::detect::centre_training::CentreRun;
use kindling_engine::lessons::detect::config::StepLosses;
use kindling_engine::lessons::detect::messages::DetectEvent;
use kindling_engine::lessons::detect::model::parameter_counts;
use kindling_engine::lessons::detect::training::DetectRun;
use web_time::Instant;

use super::send;

const CHUNK_MS: f64 = 150.0;
const CHUNK_STEPS: u64 = 50;

pub(super) trait DetectorRun {
    fn steps_done(&self) -> u64;
    fn first_step(&self) -> u64;
    fn end_step(&self) -> u64;
    fn unfreeze_step(&self) -> Option<u64>;
    /// The parameters that train now and those frozen.
    fn counts(&self) -> (u64, u64);
    async fn chunk(&mut self, max_steps: u64, budget_ms: f64) -> (u64, Option<StepLosses>);
    /// The step at which a loss stopped being a number, until a roll back.
    fn diverged(&self) -> Option<u64>;
    fn good_step(&self) -> u64;
    fn roll_back(&mut self);

    /// Steps between live scores: about five a run.
    fn live_interval(&self) -> u64 {
        ((self.end_step() - self.first_step()) / 5).max(1)
    }

    /// The step of the next live score after the steps done (for a resumed run).
    fn next_live_score(&self) -> u64 {
        let (first, interval) = (self.first_step(), self.live_interval());
        first + ((self.steps_done() - first) / interval + 1) * interval
    }
}

macro_rules! impl_detector_run {
    ($run:ty) => {
        impl DetectorRun for $run {
            fn steps_done(&self) -> u64 {
                <$run>::steps_done(self)
            }
            fn first_step(&self) -> u64 {
                <$run>::first_step(self)
            }
            fn end_step(&self) -> u64 {
                <$run>::end_step(self)
            }
            fn unfreeze_step(&self) -> Option<u64> {
                <$run>::unfreeze_step(self)
            }
            fn counts(&self) -> (u64, u64) {
                parameter_counts(self.model())
            }
            async fn chunk(&mut self, max_steps: u64, budget_ms: f64) -> (u64, Option<StepLosses>) {
                self.train_chunk(max_steps, budget_ms).await
            }
            fn diverged(&self) -> Option<u64> {
                <$run>::diverged(self)
            }
            fn good_step(&self) -> u64 {
                <$run>::good_step(self)
            }
            fn roll_back(&mut self) {
                <$run>::roll_back(self)
            }
        }
    };
}

impl_detector_run!(DetectRun);
impl_detector_run!(CentreRun);

/// Trains `run` for a moment, adds the time to `trained_ms`, and sends the last batch's losses
/// and the backbone's unfreezing when it fell in this chunk. Returns the step reached.
pub(super) async fn train_a_moment(run: &mut impl DetectorRun, trained_ms: &mut f64) -> u64 {
    let began = Instant::now();
    let before = run.steps_done();
    let (done, losses) = run.chunk(CHUNK_STEPS, CHUNK_MS).await;
    let chunk_ms = began.elapsed().as_secs_f64() * 1000.0;
    *trained_ms += chunk_ms;
    let step = run.steps_done();
    if let Some(at) = run.unfreeze_step()
        && (before..step).contains(&at)
    {
        let (trained, frozen) = run.counts();
        send(DetectEvent::Unfrozen {
            step: at,
            trained,
            frozen,
        });
    }
    if let Some(losses) = losses {
        send(DetectEvent::Trained {
            step,
            steps: run.end_step(),
            losses,
            steps_per_second: done as f64 / (chunk_ms / 1000.0).max(1e-6),
        });
    }
    step
}

/// What a roll back asks of either level's run; unlike [`DetectorRun`], usable as `dyn`.
pub(super) trait DivergingRun {
    fn diverged(&self) -> Option<u64>;
    fn good_step(&self) -> u64;
    fn roll_back(&mut self);
    fn steps(&self) -> u64;
    fn next_score(&self) -> u64;
    fn count(&self) -> (u64, u64);
}

impl<R: DetectorRun> DivergingRun for R {
    fn diverged(&self) -> Option<u64> {
        DetectorRun::diverged(self)
    }
    fn good_step(&self) -> u64 {
        DetectorRun::good_step(self)
    }
    fn roll_back(&mut self) {
        DetectorRun::roll_back(self)
    }
    fn steps(&self) -> u64 {
        self.steps_done()
    }
    fn next_score(&self) -> u64 {
        self.next_live_score()
    }
    fn count(&self) -> (u64, u64) {
        self.counts()
    }
}
