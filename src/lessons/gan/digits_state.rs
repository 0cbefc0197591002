//! The digits section's part of the GAN lesson's state, and how its actions and the worker's
//! digit events change it. Requests are counted; `effects.rs` sends them.

use std::rc::Rc;

use kindling_engine::common::model_card::ModelFileError;
use kindling_engine::datasets::mnist::DataLoadError;
use kindling_engine::lessons::gan::digits::{DigitError, DigitSettings};
use kindling_engine::lessons::gan::digits_resume::{DigitCheckpoint, KeptDigitRun};
use kindling_engine::lessons::gan::messages::DigitEvent;
use kindling_engine::lessons::gan::metrics::ClassMeter;

use crate::lessons::checkpoints::Checkpoints;
use crate::lessons::gan::state::{Curves, History, curves_to_keep, kept_curves};
use crate::lessons::kept_run::{KeepsRun, KeptAction, KeptRun};

/// The key the digits section's run is kept under in the browser.
pub const KEPT_KEY: &str = "gan-digits";

#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Loading { loaded: u64, total: u64 },
    Failed(DataLoadError),
}

/// What the learner did with a generator file, and how it went.
#[derive(Clone, Debug, PartialEq)]
pub enum FileNote {
    Loaded {
        iterations: u64,
    },
    Refused(ModelFileError),
    /// Larger than [`MAX_GENERATOR_BYTES`]: not read.
    TooLarge {
        bytes: u64,
    },
    /// The browser could not read the file.
    Unreadable(String),
}

/// The largest generator file read: the largest generator (the MLP) takes about 2.2 MB.
pub const MAX_GENERATOR_BYTES: u64 = 8_000_000;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct DigitRequests {
    pub load: u64,
    pub play: u64,
    pub pause: u64,
    pub step: u64,
    pub walk: u64,
    pub draw: u64,
    pub save: u64,
    pub open: u64,
    pub roll_back: u64,
    /// The file to open with the next `open`.
    pub file: Rc<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct DigitsState {
    pub settings: DigitSettings,
    pub url_errors: Vec<DigitError>,
    pub rejected: Vec<DigitError>,
    /// Whether the learner has started the section (MNIST is only fetched then).
    pub started: bool,
    pub data: Option<Data>,
    pub running: bool,
    pub iterations: u64,
    pub history: Rc<History>,
    pub grid: Option<Rc<Vec<u8>>>,
    pub meter: Option<ClassMeter>,
    pub meter_unavailable: Option<String>,
    pub walk_seeds: (u64, u64),
    pub walk: Option<Rc<Vec<u8>>>,
    pub draw_label: u8,
    pub drawn: Option<(u8, Rc<Vec<u8>>)>,
    /// The last saved generator, and how many have been saved (a change downloads it).
    pub saved: (u64, Rc<Vec<u8>>),
    pub file_note: Option<FileNote>,
    /// Whether the worker has a run (fresh or resumed) for this section.
    pub loaded: bool,
    pub checkpoints: Checkpoints<DigitCheckpoint>,
    /// The run kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptDigitRun>,
    /// The kept run being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptDigitRun>>,
    pub requests: DigitRequests,
    /// A loss stopped being a number: (after how many iterations, the iterations a roll back
    /// returns to).
    pub diverged: Option<(u64, u64)>,
}

pub enum DigitsAction {
    Start,
    SetSettings(DigitSettings),
    Play,
    Pause,
    Step,
    /// Back to the last state known to be good, after a divergence.
    RollBack,
    /// A walk between the next pair of seeds.
    Walk,
    SetDrawLabel(u8),
    Draw,
    Save,
    Open(Vec<u8>),
    /// A chosen file that was not read: too large, or unreadable.
    FileNotRead(FileNote),
    Event(DigitEvent),
    /// The worker stopped (a panic, a kill, a change of backend).
    WorkerLost,
    /// The run kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the run kept in the browser.
    ResumeKept,
}

impl DigitsState {
    pub fn new(settings: DigitSettings, url_errors: Vec<DigitError>) -> Self {
        Self {
            settings,
            url_errors,
            walk_seeds: (1, 2),
            draw_label: 7,
            ..Self::default()
        }
    }

    pub fn reduce(&mut self, action: DigitsAction) {
        let r = &mut self.requests;
        match action {
            DigitsAction::Start => {
                self.started = true;
                r.load += 1;
            }
            DigitsAction::SetSettings(settings) => {
                if settings != self.settings {
                    self.settings = settings;
                    self.url_errors.clear();
                    if self.started {
                        self.new_run();
                    }
                }
            }
            DigitsAction::Play => r.play += 1,
            DigitsAction::Pause => r.pause += 1,
            DigitsAction::Step => r.step += 1,
            DigitsAction::RollBack => {
                r.roll_back += 1;
                self.diverged = None;
            }
            DigitsAction::Walk => {
                self.walk_seeds = (self.walk_seeds.1, self.walk_seeds.1 + 1);
                r.walk += 1;
            }
            DigitsAction::SetDrawLabel(label) => self.draw_label = label.min(9),
            DigitsAction::Draw => r.draw += 1,
            DigitsAction::Save => r.save += 1,
            DigitsAction::Open(bytes) => {
                r.file = Rc::new(bytes);
                r.open += 1;
            }
            DigitsAction::FileNotRead(note) => self.file_note = Some(note),
            DigitsAction::Event(event) => self.on_event(event),
            DigitsAction::WorkerLost => {
                self.running = false;
                if self.loaded {
                    self.checkpoints.worker_lost(true);
                }
                self.loaded = false;
            }
            DigitsAction::Kept(action) => {
                let latest = self.checkpoints.latest_mark();
                self.kept.reduce(action, latest, KeptDigitRun::from_bytes)
            }
            DigitsAction::ResumeKept => {
                if let Some(run) = self.kept.take() {
                    self.checkpoints.restore(run.checkpoint.clone());
                    self.restoring = Some(run);
                    self.started = true;
                    self.requests.load += 1;
                }
            }
        }
    }

    /// A fresh pair of networks with the settings: the old run's checkpoints go.
    fn new_run(&mut self) {
        self.checkpoints.forget();
        self.restoring = None;
        self.requests.load += 1;
    }

    /// The run to keep in the browser: its latest checkpoint and the curves up to it.
    pub fn to_keep(&self) -> Option<KeptDigitRun> {
        let checkpoint = self.checkpoints.latest.as_ref()?.0.as_ref().clone();
        let curves = curves_to_keep(&self.history, checkpoint.iterations);
        Some(KeptDigitRun::new(checkpoint, curves))
    }

    /// The run goes on from its checkpoint after `iterations`: the curves up to it stay, what
    /// came after it (lost with the worker) goes; the next report brings its grid.
    fn resumed(&mut self, settings: DigitSettings, iterations: u64) {
        self.data = None;
        self.loaded = true;
        self.running = false;
        self.rejected.clear();
        self.diverged = None;
        self.settings = settings;
        self.iterations = iterations;
        Rc::make_mut(&mut self.history)
            .points
            .retain(|&(i, _)| i <= iterations);
        self.walk = None;
        self.drawn = None;
        match self.restoring.take() {
            Some(run) => {
                // A run kept in the browser brings back the curves the page drew before the
                // reload.
                self.history = Rc::new(kept_curves(&run.curves, iterations));
                self.checkpoints.restored(iterations);
            }
            None => self.checkpoints.resumed(iterations),
        }
    }

    fn on_event(&mut self, event: DigitEvent) {
        match event {
            DigitEvent::DataProgress { loaded, total } => {
                self.data = Some(Data::Loading { loaded, total })
            }
            DigitEvent::DataFailed { error } => self.data = Some(Data::Failed(error)),
            DigitEvent::Loaded { .. } => {
                self.loaded = true;
                self.checkpoints.loaded();
                self.data = None;
                self.rejected.clear();
                self.diverged = None;
                self.running = false;
                self.history = Rc::new(History::default());
                self.walk = None;
                self.drawn = None;
                self.meter = None;
            }
            DigitEvent::Rejected { errors } => self.rejected = errors,
            DigitEvent::Progress {
                iterations,
                d_loss,
                g_loss,
                d_real,
                d_fake,
                grid,
                ..
            } => {
                let mut history = (*self.history).clone();
                // Fewer iterations than drawn: the run rolled back; its curves go back with it.
                history.points.retain(|&(i, _)| i <= iterations);
                history.push(
                    iterations,
                    Curves {
                        d_loss,
                        g_loss,
                        d_real,
                        d_fake,
                    },
                );
                self.history = Rc::new(history);
                self.iterations = iterations;
                self.grid = Some(Rc::new(grid));
            }
            DigitEvent::Meter { meter } => self.meter = Some(meter),
            DigitEvent::MeterUnavailable { message } => self.meter_unavailable = Some(message),
            DigitEvent::Walk { frames } => self.walk = Some(Rc::new(frames)),
            DigitEvent::Drawn { label, images } => self.drawn = Some((label, Rc::new(images))),
            DigitEvent::Saved { bytes } => self.saved = (self.saved.0 + 1, Rc::new(bytes)),
            DigitEvent::GeneratorLoaded { iterations } => {
                self.file_note = Some(FileNote::Loaded { iterations })
            }
            DigitEvent::GeneratorRefused { error } => {
                self.file_note = Some(FileNote::Refused(error))
            }
            DigitEvent::Running { running } => self.running = running,
            DigitEvent::Checkpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            DigitEvent::NoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            DigitEvent::Resumed { .. } | DigitEvent::ResumeFailed { .. }
                if !self.checkpoints.awaits_resume() => {}
            DigitEvent::Resumed {
                settings,
                iterations,
            } => self.resumed(settings, iterations),
            DigitEvent::ResumeFailed { error } => {
                self.checkpoints.failed(error);
                self.restoring = None;
                self.requests.load += 1;
            }
            DigitEvent::Diverged {
                iterations,
                good_iterations,
            } => {
                self.running = false;
                self.diverged = Some((iterations, good_iterations));
            }
        }
    }
}

impl KeepsRun for DigitsState {
    type Run = KeptDigitRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptDigitRun> {
        &self.kept
    }

    fn run_to_keep(&self) -> Option<(u64, Vec<u8>)> {
        let run = self.to_keep()?;
        Some((run.checkpoint.iterations, run.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::checkpoints::Recovery;
    use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};
    use kindling_engine::common::resume::{KeptRunError, ResumeError};

    #[test]
    fn data_is_fetched_only_once_started_and_events_fill_the_section() {
        let mut state = DigitsState::new(DigitSettings::default(), Vec::new());
        state.reduce(DigitsAction::SetSettings(DigitSettings {
            seed: 4,
            ..DigitSettings::default()
        }));
        assert_eq!(state.requests.load, 0);
        state.reduce(DigitsAction::Start);
        assert_eq!(state.requests.load, 1);
        state.reduce(DigitsAction::Event(DigitEvent::Progress {
            iterations: 5,
            d_loss: 1.0,
            g_loss: 2.0,
            d_real: 0.6,
            d_fake: 0.4,
            elapsed_ms: 1.0,
            grid: vec![0; 784],
        }));
        assert_eq!(state.iterations, 5);
        assert_eq!(state.history.points.len(), 1);
        state.reduce(DigitsAction::Walk);
        assert_eq!((state.walk_seeds, state.requests.walk), ((2, 3), 1));
        state.reduce(DigitsAction::Event(DigitEvent::Saved { bytes: vec![1, 2] }));
        assert_eq!(state.saved.0, 1);
        state.reduce(DigitsAction::Open(vec![9]));
        assert_eq!(
            (state.requests.open, state.requests.file.as_slice()),
            (1, &[9u8][..])
        );
        // A file not read asks the worker for nothing and keeps the run.
        let note = FileNote::TooLarge { bytes: 1 << 30 };
        state.reduce(DigitsAction::FileNotRead(note.clone()));
        assert_eq!(state.file_note, Some(note));
        assert_eq!((state.requests.open, state.iterations), (1, 5));
    }

    fn progress(iterations: u64) -> DigitsAction {
        DigitsAction::Event(DigitEvent::Progress {
            iterations,
            d_loss: 1.0,
            g_loss: 2.0,
            d_real: 0.6,
            d_fake: 0.4,
            elapsed_ms: 1.0,
            grid: vec![0; 784],
        })
    }

    fn checkpoint(iterations: u64) -> DigitsAction {
        DigitsAction::Event(DigitEvent::Checkpoint {
            checkpoint: Box::new(DigitCheckpoint {
                settings: DigitSettings::default(),
                iterations,
                rng_draws: iterations * 7,
                elapsed_ms: 1.0,
                d_loss: 1.0,
                g_loss: 2.0,
                d_real: 0.5,
                d_fake: 0.5,
                generator: vec![1],
                discriminator: vec![2],
                g_optimizer: vec![3],
                d_optimizer: vec![4],
            }),
        })
    }

    fn loaded() -> DigitsAction {
        DigitsAction::Event(DigitEvent::Loaded {
            settings: DigitSettings::default(),
        })
    }

    fn resumed(iterations: u64) -> DigitsAction {
        DigitsAction::Event(DigitEvent::Resumed {
            settings: DigitSettings::default(),
            iterations,
        })
    }

    #[test]
    fn a_crashed_run_resumes_from_its_latest_checkpoint_with_its_curves_up_to_it() {
        let mut state = DigitsState::new(DigitSettings::default(), Vec::new());
        // Before the section started, a crash concerns nothing here.
        state.reduce(DigitsAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, None);
        state.reduce(DigitsAction::Start);
        state.reduce(loaded());
        // No checkpoint yet: the run is lost, fresh networks are asked for as before.
        state.reduce(DigitsAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        assert!(state.checkpoints.resume.is_none());

        state.reduce(loaded());
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Lost),
            "said until a new run"
        );
        for i in [100, 200, 300, 400] {
            state.reduce(progress(i));
        }
        state.reduce(checkpoint(200));
        state.reduce(checkpoint(300));
        state.reduce(DigitsAction::Event(DigitEvent::Running { running: true }));
        state.reduce(DigitsAction::WorkerLost);
        assert!(!state.running);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 300 })
        );
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(300)
        );
        // A second crash before the resume arrived sends the same checkpoint again.
        state.reduce(DigitsAction::WorkerLost);
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(300)
        );

        state.reduce(DigitsAction::Event(DigitEvent::DataProgress {
            loaded: 1,
            total: 2,
        }));
        state.reduce(resumed(300));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 300 })
        );
        assert!(state.checkpoints.resume.is_none() && !state.running && state.data.is_none());
        assert_eq!(
            state.checkpoints.latest.as_ref().map(|k| k.0.iterations),
            Some(300)
        );
        assert_eq!(state.iterations, 300);
        let points = |s: &DigitsState| s.history.points.iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(points(&state), [100, 200, 300]);
        state.reduce(progress(310));
        assert_eq!(points(&state), [100, 200, 300, 310]);

        // A checkpoint that cannot be resumed: said, and fresh networks asked for.
        state.reduce(checkpoint(310));
        state.reduce(DigitsAction::WorkerLost);
        let load = state.requests.load;
        state.reduce(DigitsAction::Event(DigitEvent::ResumeFailed {
            error: ResumeError::BadSettings,
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(ResumeError::BadSettings))
        );
        assert_eq!(state.requests.load, load + 1);
        assert!(state.checkpoints.resume.is_none() && state.checkpoints.latest.is_none());

        // New settings start a new run, which forgets the old run's checkpoint.
        state.reduce(loaded());
        state.reduce(checkpoint(5));
        state.reduce(DigitsAction::SetSettings(DigitSettings {
            seed: 9,
            ..DigitSettings::default()
        }));
        assert!(state.checkpoints.latest.is_none() && state.checkpoints.recovery.is_none());
        // An answer to a resume the new run replaced is stale: ignored.
        state.reduce(resumed(5));
        assert_eq!(state.settings.seed, 9);
        assert!(state.checkpoints.recovery.is_none());
        state.reduce(loaded());
        state.reduce(DigitsAction::WorkerLost);
        assert!(state.checkpoints.resume.is_none());
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        // Where checkpoints cannot be taken, the page says why.
        state.reduce(DigitsAction::Event(DigitEvent::NoCheckpoint {
            error: ResumeError::Unreadable {
                message: "the device could not be read".into(),
            },
        }));
        assert_eq!(
            state.checkpoints.unavailable,
            Some(ResumeError::Unreadable {
                message: "the device could not be read".into(),
            })
        );
    }

    #[test]
    fn a_run_kept_in_the_browser_comes_back_after_a_reload_with_its_curves() {
        let mut state = DigitsState::new(DigitSettings::default(), Vec::new());
        state.reduce(DigitsAction::Start);
        state.reduce(loaded());
        // Nothing to keep before the first checkpoint.
        state.reduce(DigitsAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.message, Some(KeepMessage::NothingYet));
        assert_eq!(state.kept.keeps, 0);
        assert!(state.to_keep().is_none());
        for i in [0, 100, 200, 300] {
            state.reduce(progress(i));
        }
        state.reduce(checkpoint(200));
        state.reduce(DigitsAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.keeps, 1);
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(run.checkpoint.iterations, 200);
        let kept_at: Vec<u64> = run.curves.iter().map(|&(i, _)| i).collect();
        assert_eq!(kept_at, [0, 100, 200], "the curves up to the checkpoint");
        assert_eq!(run.curves[1].1, [1.0, 2.0, 0.6, 0.4]);
        state.reduce(DigitsAction::Kept(KeptAction::Saved(Ok(200))));
        // Hidden with that checkpoint kept: nothing more; with a newer one: kept again.
        state.reduce(DigitsAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1);
        state.reduce(checkpoint(300));
        state.reduce(DigitsAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2);

        // After a reload: a fresh page finds the bytes, offers them, and resumes them.
        let bytes = run.to_bytes();
        let mut page = DigitsState::new(DigitSettings::default(), Vec::new());
        page.kept.look();
        assert_eq!(page.kept.lookups, 1);
        page.reduce(DigitsAction::Kept(KeptAction::Looked(Ok(Some(bytes)))));
        assert!(matches!(page.kept.found, KeptInBrowser::Found(_)));
        page.reduce(DigitsAction::ResumeKept);
        assert!(page.started && page.restoring.is_some());
        assert_eq!(
            page.requests.load, 1,
            "the worker is sent the kept checkpoint"
        );
        assert_eq!(
            page.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(200)
        );
        assert_eq!(page.kept.found, KeptInBrowser::Nothing, "offered once");
        page.reduce(resumed(200));
        assert_eq!(
            page.checkpoints.recovery,
            Some(Recovery::Restored { iterations: 200 })
        );
        assert_eq!(page.checkpoints.latest_iterations(), Some(200));
        let curves: Vec<u64> = page.history.points.iter().map(|&(i, _)| i).collect();
        assert_eq!(curves, [0, 100, 200]);
        assert!(page.restoring.is_none() && !page.running);
    }

    #[test]
    fn damaged_or_foreign_kept_bytes_are_said_and_not_offered() {
        let mut state = DigitsState::new(DigitSettings::default(), Vec::new());
        state.kept.look();
        state.reduce(DigitsAction::Kept(KeptAction::Looked(Ok(Some(vec![
            1, 200, 3, 4,
        ])))));
        assert!(matches!(
            state.kept.found,
            KeptInBrowser::Unreadable(KeptRunError::OtherFormat { format: 1 })
                | KeptInBrowser::Unreadable(KeptRunError::Unreadable { .. })
        ));
        state.reduce(DigitsAction::Kept(KeptAction::Looked(Ok(Some(vec![
            0xff;
            3
        ])))));
        assert!(matches!(state.kept.found, KeptInBrowser::Unreadable(_)));
        state.reduce(DigitsAction::ResumeKept);
        assert!(!state.started && state.requests.load == 0 && state.restoring.is_none());
        // A refused kept checkpoint: said, and fresh networks follow.
        let run = KeptDigitRun::new(
            match checkpoint(50) {
                DigitsAction::Event(DigitEvent::Checkpoint { checkpoint }) => *checkpoint,
                _ => unreachable!(),
            },
            Vec::new(),
        );
        state.reduce(DigitsAction::Kept(KeptAction::Looked(Ok(Some(
            run.to_bytes(),
        )))));
        state.reduce(DigitsAction::ResumeKept);
        state.reduce(DigitsAction::Event(DigitEvent::ResumeFailed {
            error: ResumeError::BadSettings,
        }));
        assert!(state.restoring.is_none());
        assert_eq!(state.requests.load, 2);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(ResumeError::BadSettings))
        );
    }

    #[test]
    fn a_divergence_pauses_until_rolled_back_and_the_curves_go_back_with_the_run() {
        let mut state = DigitsState::new(DigitSettings::default(), Vec::new());
        state.reduce(DigitsAction::Start);
        state.reduce(loaded());
        state.reduce(DigitsAction::Event(DigitEvent::Running { running: true }));
        for i in [0, 100, 200, 300] {
            state.reduce(progress(i));
        }
        let diverged = || {
            DigitsAction::Event(DigitEvent::Diverged {
                iterations: 300,
                good_iterations: 150,
            })
        };
        state.reduce(diverged());
        assert!(!state.running);
        assert_eq!(state.diverged, Some((300, 150)));
        state.reduce(DigitsAction::RollBack);
        assert_eq!((state.diverged, state.requests.roll_back), (None, 1));
        // The rolled-back run's report: the curves after it go.
        state.reduce(progress(150));
        let drawn: Vec<u64> = state.history.points.iter().map(|p| p.0).collect();
        assert_eq!((state.iterations, drawn), (150, vec![0, 100, 150]));

        // A new run, or a run resumed by a new worker, says nothing of the old divergence.
        state.reduce(diverged());
        state.reduce(loaded());
        assert_eq!(state.diverged, None);
        state.reduce(checkpoint(100));
        state.reduce(diverged());
        state.reduce(DigitsAction::WorkerLost);
        state.reduce(resumed(100));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 100 })
        );
        assert_eq!(state.diverged, None);
    }
}
