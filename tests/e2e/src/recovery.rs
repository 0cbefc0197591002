//! The steps the no-lost-training tests (issue 14) share: a lesson's checkpoint as its page shows
//! it, the worker killed or crashed through the `?debug=faults` hooks, and the lesson saying that
//! its run goes on from the checkpoint.

use crate::Browser;

/// One lesson's (or section's) checkpoint line and recovery sentence on the page.
pub struct Recoverable {
    /// The checkpoint line, whose `attribute` is the progress of the checkpoint the page holds.
    pub checkpoint: &'static str,
    pub attribute: &'static str,
    /// Where the page says what became of the run after its worker stopped.
    pub recovery: &'static str,
    /// How the recovery sentence names a checkpoint's progress (`step 12,`, `after 40 iterations`).
    pub names: fn(u64) -> String,
}

impl Recoverable {
    /// A lesson counted in steps.
    pub const fn steps(checkpoint: &'static str, recovery: &'static str) -> Self {
        Self {
            checkpoint,
            attribute: "data-step",
            recovery,
            names: |step| format!("step {step},"),
        }
    }

    /// A lesson counted in iterations (the GAN's sections).
    pub const fn iterations(checkpoint: &'static str, recovery: &'static str) -> Self {
        Self {
            checkpoint,
            attribute: "data-iterations",
            recovery,
            names: |n| format!("after {n} iterations"),
        }
    }

    /// The progress of the checkpoint the page holds; None before the first.
    pub fn held(&self, b: &Browser) -> Option<u64> {
        b.attribute(self.checkpoint, self.attribute)
            .and_then(|s| s.parse().ok())
    }

    /// Waits until the page holds a checkpoint and the run, read by `progress`, has gone past it;
    /// returns the checkpoint's progress.
    pub fn train_past_a_checkpoint(
        &self,
        b: &Browser,
        seconds: u64,
        progress: impl Fn(&Browser) -> Option<u64>,
    ) -> u64 {
        let first = b.wait_for("a checkpoint while training", seconds, |b| self.held(b));
        assert!(first > 0, "a checkpoint of an untrained run");
        b.wait_for("progress after the checkpoint", seconds, |b| {
            let now = progress(b)?;
            (now > self.held(b)?).then_some(now)
        });
        first
    }

    /// Kills the worker and waits for the banner that says so; returns the progress of the
    /// checkpoint still on the page, which is the one the next worker gets (at least `first`).
    pub fn kill_worker(&self, b: &Browser, first: u64) -> u64 {
        b.click("#fault-kill");
        b.wait_for("the error banner", 60, |b| {
            b.text("#error-banner").filter(|t| t.contains("killed"))
        });
        let kept = self.held(b).expect("the checkpoint stays on the page");
        assert!(kept >= first, "kept {kept}, had {first}");
        kept
    }

    /// Crashes the worker with a panic and waits for the banner that says so.
    pub fn panic_worker(b: &Browser) {
        b.click("#fault-panic");
        b.wait_for("the panic's banner", 60, |b| {
            b.text("#error-banner")
                .filter(|t| t.contains("crash requested by the page"))
        });
    }

    /// Waits up to `seconds` for the page to say the run goes on from its checkpoint at `kept`,
    /// paused, and that checkpoint to be still held; returns the sentence.
    pub fn resumed(&self, b: &Browser, kept: u64, seconds: u64) -> String {
        let at = (self.names)(kept);
        let said = b.wait_for("the run resumed from its checkpoint", seconds, |b| {
            b.text(self.recovery)
                .filter(|t| t.contains("goes on from its checkpoint") && t.contains(&at))
        });
        assert!(said.contains("paused"), "{said}");
        assert_eq!(self.held(b), Some(kept), "its checkpoint stays");
        said
    }
}
