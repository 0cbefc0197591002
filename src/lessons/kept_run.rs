//! A lesson's run kept in this browser (IndexedDB, `services/kept_runs.rs`) to resume after a
//! reload: what the page found there when the lesson opened, and what became of the learner's
//! last request to keep the run; and the one hook that answers a lesson's requests
//! ([`use_kept_run`]). Shared by every lesson that keeps runs (the CNN, both GAN sections, the
//! playground, detection, the transfer experiment); the run `R` is the lesson's own kept-run type
//! (the engine's `KeptTraining<C>`), read from bytes by the lesson.

use std::rc::Rc;

use kindling_engine::common::resume::KeptRunError;
use yew::Callback;

use crate::services::kept_runs;

/// The run kept in this browser, as the page found it when the lesson opened.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum KeptInBrowser<R> {
    #[default]
    NotLooked,
    Looking,
    Nothing,
    /// A run to resume.
    Found(Rc<R>),
    /// Something is kept, but it is not a run this page can resume.
    Unreadable(KeptRunError),
    /// The browser's storage could not be read.
    Unavailable(String),
}

/// What became of the last request to keep the run in the browser.
#[derive(Clone, Debug, PartialEq)]
pub enum KeepMessage {
    Keeping,
    /// Kept at `at` (the checkpoint's step or iteration); `hidden`: because the tab was hidden.
    Kept {
        at: u64,
        hidden: bool,
    },
    NothingYet,
    Failed(String),
}

/// What the learner and the browser ask of a lesson's kept run (not worker messages).
#[derive(Clone, Debug, PartialEq)]
pub enum KeptAction {
    /// What the browser's storage holds under the lesson's key.
    Looked(Result<Option<Vec<u8>>, String>),
    /// Keep the run in the browser.
    Keep,
    /// The tab was hidden or frozen: keep the run, if there is a newer checkpoint.
    TabHidden,
    /// The run was kept at this step or iteration, or why not.
    Saved(Result<u64, String>),
}

/// A lesson's kept run and its requests (looking it up, keeping the run; not worker messages:
/// the lesson's effects answer them with `services::kept_runs`).
#[derive(Clone, Debug, PartialEq)]
pub struct KeptRun<R> {
    pub found: KeptInBrowser<R>,
    pub message: Option<KeepMessage>,
    /// Whether the pending keep is because the tab was hidden.
    hidden: bool,
    /// The mark of the checkpoint the pending keep holds (see [`KeptRun::reduce`]).
    pending: Option<u64>,
    /// The mark of the checkpoint last kept in the browser.
    pub kept_at: Option<u64>,
    /// Looking for a kept run (once).
    pub lookups: u64,
    /// Keeping the run's checkpoint and curves.
    pub keeps: u64,
}

impl<R> Default for KeptRun<R> {
    fn default() -> Self {
        Self {
            found: KeptInBrowser::NotLooked,
            message: None,
            hidden: false,
            pending: None,
            kept_at: None,
            lookups: 0,
            keeps: 0,
        }
    }
}

impl<R> KeptRun<R> {
    /// Answers `action`. `latest`: the mark of the run's latest checkpoint, what tells it from the
    /// run's other checkpoints (its step or iteration; a GAN's 2-D run counts its updates, as a
    /// single D or G step moves no iteration); `read`: the lesson's kept run from bytes.
    pub fn reduce(
        &mut self,
        action: KeptAction,
        latest: Option<u64>,
        read: impl FnOnce(&[u8]) -> Result<R, KeptRunError>,
    ) {
        match action {
            KeptAction::Looked(found) => self.looked(found, read),
            KeptAction::Keep => self.keep(latest),
            KeptAction::TabHidden => self.tab_hidden(latest),
            KeptAction::Saved(saved) => self.saved(saved),
        }
    }

    /// Looks for a kept run, the first time the lesson opens.
    pub fn look(&mut self) {
        if self.lookups == 0 {
            self.lookups = 1;
            self.found = KeptInBrowser::Looking;
        }
    }

    /// What the browser's storage held, read with the lesson's `read`.
    pub fn looked(
        &mut self,
        found: Result<Option<Vec<u8>>, String>,
        read: impl FnOnce(&[u8]) -> Result<R, KeptRunError>,
    ) {
        self.found = match found {
            Ok(None) => KeptInBrowser::Nothing,
            Ok(Some(bytes)) => match read(&bytes) {
                Ok(run) => KeptInBrowser::Found(Rc::new(run)),
                Err(error) => KeptInBrowser::Unreadable(error),
            },
            Err(message) => KeptInBrowser::Unavailable(message),
        }
    }

    /// The learner asked to keep the run, whose latest checkpoint's mark is `latest`.
    pub fn keep(&mut self, latest: Option<u64>) {
        if latest.is_some() {
            self.hidden = false;
            self.pending = latest;
            self.message = Some(KeepMessage::Keeping);
            self.keeps += 1;
        } else {
            self.message = Some(KeepMessage::NothingYet);
        }
    }

    /// The tab was hidden or frozen: keeps the run if its latest checkpoint is not kept yet.
    pub fn tab_hidden(&mut self, latest: Option<u64>) {
        if latest.is_some() && latest != self.kept_at {
            self.hidden = true;
            self.pending = latest;
            self.keeps += 1;
        }
    }

    /// The run was kept at `at`, or why not.
    pub fn saved(&mut self, saved: Result<u64, String>) {
        self.message = Some(match saved {
            Ok(at) => {
                // The run is made from the state the request was drawn with, or a later one.
                self.kept_at = self.pending;
                KeepMessage::Kept {
                    at,
                    hidden: self.hidden,
                }
            }
            Err(message) => KeepMessage::Failed(message),
        });
    }

    /// The kept run, to resume; it is offered no more.
    pub fn take(&mut self) -> Option<Rc<R>> {
        match std::mem::replace(&mut self.found, KeptInBrowser::Nothing) {
            KeptInBrowser::Found(run) => Some(run),
            other => {
                self.found = other;
                None
            }
        }
    }
}

/// A lesson state whose run can be kept in the browser.
pub trait KeepsRun: Clone + 'static {
    type Run: 'static;
    /// The key the run is kept under.
    const KEY: &'static str;
    fn kept(&self) -> &KeptRun<Self::Run>;
    /// The run to keep now (its latest checkpoint and the curves up to it): the checkpoint's
    /// step or iteration, and the run's bytes; `None` before the first checkpoint.
    fn run_to_keep(&self) -> Option<(u64, Vec<u8>)>;
}

/// A lesson's kept run, in the browser: looked for once, kept when asked and when the tab is
/// hidden or frozen (`services/kept_runs.rs`); what happened comes back as [`KeptAction`]s.
#[yew::hook]
pub fn use_kept_run<S: KeepsRun>(state: &S, on_kept: Callback<KeptAction>) {
    // The state's large parts are shared (Rc); the run is made only when it is kept.
    let keeping = state.clone();
    let kept = state.kept();
    kept_runs::use_kept_run(
        S::KEY,
        (kept.lookups, kept.keeps),
        move || keeping.run_to_keep(),
        on_kept.reform(KeptAction::Looked),
        on_kept.reform(KeptAction::Saved),
        on_kept.reform(|()| KeptAction::TabHidden),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<u8, KeptRunError> {
        match bytes {
            [b] => Ok(*b),
            _ => Err(KeptRunError::Unreadable {
                message: "not one byte".into(),
            }),
        }
    }

    #[test]
    fn a_kept_run_is_looked_for_once_kept_on_request_or_when_hidden_and_taken_once() {
        let mut kept = KeptRun::<u8>::default();
        kept.look();
        kept.look();
        assert_eq!((kept.lookups, &kept.found), (1, &KeptInBrowser::Looking));
        kept.looked(Ok(Some(vec![1, 2])), read);
        assert!(matches!(kept.found, KeptInBrowser::Unreadable(_)));
        assert_eq!(kept.take(), None);
        assert!(matches!(kept.found, KeptInBrowser::Unreadable(_)));
        kept.looked(Err("no storage".into()), read);
        assert_eq!(kept.found, KeptInBrowser::Unavailable("no storage".into()));
        kept.looked(Ok(None), read);
        assert_eq!(kept.found, KeptInBrowser::Nothing);
        kept.looked(Ok(Some(vec![9])), read);
        assert_eq!(kept.take().as_deref(), Some(&9));
        assert_eq!((kept.take(), &kept.found), (None, &KeptInBrowser::Nothing));

        kept.keep(None);
        assert_eq!(
            (kept.message.clone(), kept.keeps),
            (Some(KeepMessage::NothingYet), 0)
        );
        kept.keep(Some(40));
        assert_eq!(
            (kept.message.clone(), kept.keeps),
            (Some(KeepMessage::Keeping), 1)
        );
        kept.saved(Ok(40));
        assert_eq!(
            kept.message,
            Some(KeepMessage::Kept {
                at: 40,
                hidden: false
            })
        );
        // Hidden with that checkpoint kept already: nothing to do; with a newer one: kept.
        kept.tab_hidden(Some(40));
        kept.tab_hidden(None);
        assert_eq!(kept.keeps, 1);
        kept.tab_hidden(Some(90));
        assert_eq!(kept.keeps, 2);
        kept.saved(Ok(90));
        assert_eq!(
            kept.message,
            Some(KeepMessage::Kept {
                at: 90,
                hidden: true
            })
        );
        kept.saved(Err("full".into()));
        assert_eq!(kept.message, Some(KeepMessage::Failed("full".into())));
        assert_eq!(kept.kept_at, Some(90));
    }

    #[test]
    fn a_keep_is_told_apart_by_its_mark_and_said_at_its_count() {
        let mut kept = KeptRun::<u8>::default();
        // A GAN's 2-D run: 20 iterations, 40 updates; then one D step, 41 updates.
        kept.reduce(KeptAction::Keep, Some(40), read);
        kept.reduce(KeptAction::Saved(Ok(20)), Some(40), read);
        assert_eq!(kept.kept_at, Some(40));
        kept.reduce(KeptAction::TabHidden, Some(40), read);
        assert_eq!(kept.keeps, 1);
        kept.reduce(KeptAction::TabHidden, Some(41), read);
        assert_eq!(kept.keeps, 2);
        kept.reduce(KeptAction::Saved(Ok(20)), Some(41), read);
        assert_eq!(
            (kept.kept_at, kept.message.clone()),
            (
                Some(41),
                Some(KeepMessage::Kept {
                    at: 20,
                    hidden: true
                })
            )
        );
        kept.reduce(KeptAction::Looked(Ok(Some(vec![5]))), None, read);
        assert_eq!(kept.take().as_deref(), Some(&5));
    }
}
