//! What a lesson keeps of a run's checkpoints (the GAN lesson's two sections, the playground),
//! and how a run is recovered after its worker stopped: the latest checkpoint the worker sent,
//! the one the next worker resumes, and what the page says about it. Each lesson's reducer calls
//! these at its events.

use std::rc::Rc;

use kindling_engine::common::resume::ResumeError;

/// A checkpoint's iteration (or step) count, which the page shows and recovers at.
pub trait AtIteration {
    fn iterations(&self) -> u64;

    /// What tells this checkpoint from the run's others: its iterations, unless the run can
    /// move without them (a GAN's single D or G step).
    fn mark(&self) -> u64 {
        self.iterations()
    }
}

/// A checkpoint as the worker sent it; compared by identity, as it is large.
#[derive(Debug)]
pub struct Kept<T>(pub Rc<T>);

impl<T> Clone for Kept<T> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Kept<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What became of the run after its worker stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Recovery {
    /// The next worker gets the checkpoint after `iterations`.
    Resuming { iterations: u64 },
    /// The run goes on from the checkpoint after `iterations`, paused.
    Resumed { iterations: u64 },
    /// The run kept in the browser goes on from its checkpoint after `iterations`, paused.
    Restored { iterations: u64 },
    /// The checkpoint could not be resumed; a fresh pair of networks was asked for.
    Failed(ResumeError),
    /// There was no checkpoint yet; the run starts again.
    Lost,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoints<T> {
    /// The run's latest checkpoint.
    pub latest: Option<Kept<T>>,
    /// Why this run's checkpoints cannot be taken.
    pub unavailable: Option<ResumeError>,
    /// The checkpoint the next load resumes instead of starting afresh (after the worker stopped).
    pub resume: Option<Kept<T>>,
    pub recovery: Option<Recovery>,
}

impl<T> Default for Checkpoints<T> {
    fn default() -> Self {
        Self {
            latest: None,
            unavailable: None,
            resume: None,
            recovery: None,
        }
    }
}

impl<T: AtIteration> Checkpoints<T> {
    /// The latest checkpoint's iteration.
    pub fn latest_iterations(&self) -> Option<u64> {
        self.latest.as_ref().map(|kept| kept.0.iterations())
    }

    /// The latest checkpoint's mark ([`AtIteration::mark`]).
    pub fn latest_mark(&self) -> Option<u64> {
        self.latest.as_ref().map(|kept| kept.0.mark())
    }

    /// Whether a resume was sent and not answered yet: an answer to a resume the learner has
    /// since replaced by a new run (new settings, a reset) is stale and ignored.
    pub fn awaits_resume(&self) -> bool {
        self.resume.is_some()
    }

    pub fn keep(&mut self, checkpoint: Box<T>) {
        self.latest = Some(Kept(Rc::from(checkpoint)));
    }

    /// The worker stopped while it had a run; `trained`: whether that run had trained at all
    /// (a run lost before any step loses nothing worth saying).
    pub fn worker_lost(&mut self, trained: bool) {
        // A resume still on its way is sent again to the next worker.
        self.resume = self.resume.take().or_else(|| self.latest.clone());
        self.recovery = match &self.resume {
            Some(kept) => Some(Recovery::Resuming {
                iterations: kept.0.iterations(),
            }),
            None if trained => Some(Recovery::Lost),
            None => None,
        };
    }

    /// A fresh pair of networks is asked for (new settings, a reset): the old run's checkpoints go.
    pub fn forget(&mut self) {
        self.latest = None;
        self.resume = None;
        self.recovery = None;
    }

    /// A fresh run started; a run that could not be recovered is still said.
    pub fn loaded(&mut self) {
        self.latest = None;
        self.unavailable = None;
        if !matches!(self.recovery, Some(Recovery::Lost | Recovery::Failed(_))) {
            self.recovery = None;
        }
    }

    /// The run goes on from the checkpoint it was sent, which is again its latest.
    pub fn resumed(&mut self, iterations: u64) {
        self.latest = self.resume.take();
        self.recovery = Some(Recovery::Resumed { iterations });
    }

    /// The next load resumes `checkpoint`, a run kept in the browser, instead of starting afresh.
    pub fn restore(&mut self, checkpoint: T) {
        self.resume = Some(Kept(Rc::new(checkpoint)));
        self.recovery = None;
    }

    /// The run kept in the browser goes on from its checkpoint, which is again its latest.
    pub fn restored(&mut self, iterations: u64) {
        self.latest = self.resume.take();
        self.recovery = Some(Recovery::Restored { iterations });
    }

    /// The checkpoint was refused: said, and forgotten (the caller asks for fresh networks).
    pub fn failed(&mut self, error: ResumeError) {
        self.resume = None;
        self.latest = None;
        self.recovery = Some(Recovery::Failed(error));
    }
}
