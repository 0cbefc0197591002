//! The GAN lesson's part of the page state, and how learner actions and worker events change it.
//!
//! Messages to the worker are not sent from here: the reducer counts requests (`requests`), and
//! `effects.rs` sends one message each time a counter moves, reading its content from the state.

use std::rc::Rc;

use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::csv::{self, CsvError};
use kindling_engine::lessons::gan::link::quantize;
use kindling_engine::lessons::gan::messages::{DigitEvent, GanEvent, StepPart, ToyEvent, ToyView};
use kindling_engine::lessons::gan::settings::{CUSTOM_POINTS, Preset, Target, ToyError};
use kindling_engine::lessons::gan::toy_resume::{KeptToyRun, ToyCheckpoint};

use crate::lessons::checkpoints::Checkpoints;
use crate::lessons::gan::digits_state::{DigitsAction, DigitsState};
use crate::lessons::kept_run::{KeepsRun, KeptAction, KeptRun};
use crate::widgets::series::Series;

/// Most points kept for the curves.
pub const MAX_POINTS: usize = 400;

/// The values the curves show at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curves {
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
}

/// Against the number of updates (D's and G's together), so single D or G steps show too.
pub type History = Series<Curves, MAX_POINTS>;

/// The curves up to `upto` (an iteration or an update count), as a kept run holds them.
pub fn curves_to_keep(history: &History, upto: u64) -> Vec<(u64, [f32; 4])> {
    history
        .points
        .iter()
        .filter(|&&(x, _)| x <= upto)
        .map(|&(x, c)| (x, [c.d_loss, c.g_loss, c.d_real, c.d_fake]))
        .collect()
}

/// A kept run's curves up to `upto`, to draw again.
pub fn kept_curves(points: &[(u64, [f32; 4])], upto: u64) -> History {
    History::from_points(
        points
            .iter()
            .filter(|&&(x, _)| x <= upto)
            .map(|&(x, [d_loss, g_loss, d_real, d_fake])| {
                let curves = Curves {
                    d_loss,
                    g_loss,
                    d_real,
                    d_fake,
                };
                (x, curves)
            })
            .collect(),
    )
}

/// What the toy's plot draws; each can be switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Heatmap,
    Manifold,
    Arrows,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layers {
    pub heatmap: bool,
    pub manifold: bool,
    pub arrows: bool,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            heatmap: true,
            manifold: true,
            arrows: false,
        }
    }
}

/// Why the learner's own points were not used.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceError {
    Csv(CsvError),
    TooFewDrawn { found: usize, needed: usize },
}

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Requests {
    pub load: u64,
    pub play: u64,
    pub pause: u64,
    pub step: u64,
    /// What the last step request trains.
    pub step_part: StepPart,
    pub roll_back: u64,
}

impl Default for Requests {
    fn default() -> Self {
        Self {
            load: 0,
            play: 0,
            pause: 0,
            step: 0,
            step_part: StepPart::Both,
            roll_back: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct GanState {
    pub toy: ToySettings,
    /// Settings in the link that could not be used (defaults were used instead).
    pub url_errors: Vec<ToyError>,
    /// Problems the worker found with the last settings sent.
    pub rejected: Vec<ToyError>,
    pub running: bool,
    /// Slow motion: one iteration at a time.
    pub slow: bool,
    pub real: Option<Rc<Vec<f32>>>,
    pub modes: Rc<Vec<[f32; 2]>>,
    pub view: Option<Rc<ToyView>>,
    pub history: Rc<History>,
    pub layers: Layers,
    /// The plot takes points from the pointer.
    pub drawing: bool,
    /// The points drawn so far (plot coordinates).
    pub drawn: Rc<Vec<[f32; 2]>>,
    pub source_error: Option<SourceError>,
    /// Whether the worker has a toy run (fresh or resumed).
    pub loaded: bool,
    /// The toy run's checkpoints, and what became of it after a worker stopped.
    pub checkpoints: Checkpoints<ToyCheckpoint>,
    /// The toy run kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptToyRun>,
    /// The kept run being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptToyRun>>,
    pub requests: Requests,
    /// A loss stopped being a number: (after how many iterations, the iterations a roll back
    /// returns to).
    pub diverged: Option<(u64, u64)>,
    pub digits: DigitsState,
}

pub enum GanAction {
    /// Valid settings chosen by the learner: a new run, running if the last one was.
    SetToy(ToySettings),
    FromUrl {
        settings: ToySettings,
        errors: Vec<ToyError>,
    },
    Preset(Preset),
    Play,
    Pause,
    SetSlow(bool),
    Step(StepPart),
    /// Back to the last state known to be good, after a divergence.
    RollBack,
    /// A new run with the same settings.
    Reset,
    Toggle(Layer),
    StartDrawing,
    /// A point drawn on the plot.
    Draw([f32; 2]),
    ClearDrawing,
    /// Train on the drawn points.
    UseDrawing,
    CancelDrawing,
    /// Text pasted or uploaded as CSV.
    Csv(String),
    /// A CSV file refused before it was read.
    CsvRefused(CsvError),
    Event(GanEvent),
    Digits(DigitsAction),
    WorkerLost,
    /// The 2-D run kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the toy run kept in the browser.
    ResumeKept,
}

/// The key the 2-D section's run is kept under in the browser.
pub const KEPT_KEY: &str = "gan-toy";

impl GanState {
    pub fn new(toy: ToySettings, url_errors: Vec<ToyError>) -> Self {
        Self {
            toy,
            url_errors,
            digits: DigitsState::new(Default::default(), Vec::new()),
            ..Self::default()
        }
    }

    /// Fresh networks for the toy: the old run's checkpoints go.
    fn new_run(&mut self) {
        self.checkpoints.forget();
        self.restoring = None;
        self.requests.load += 1;
    }

    fn load(&mut self, toy: ToySettings) {
        if toy != self.toy {
            self.toy = toy;
            self.new_run();
            if self.running {
                self.requests.play += 1;
            }
        }
        self.rejected.clear();
    }

    fn use_points(&mut self, custom: Vec<[f32; 2]>) {
        self.source_error = None;
        self.drawing = false;
        let toy = ToySettings {
            target: Target::Custom,
            custom,
            ..self.toy.clone()
        };
        self.url_errors.clear();
        self.load(toy);
    }

    pub fn reduce(&mut self, action: GanAction) {
        match action {
            GanAction::SetToy(toy) => {
                if toy != self.toy {
                    self.url_errors.clear();
                    self.load(toy);
                }
            }
            GanAction::FromUrl { settings, errors } => {
                self.url_errors = errors;
                self.load(settings);
            }
            GanAction::Preset(preset) => {
                self.url_errors.clear();
                self.load(preset.settings());
            }
            GanAction::Play => self.requests.play += 1,
            GanAction::Pause => self.requests.pause += 1,
            GanAction::SetSlow(slow) => {
                self.slow = slow;
                if self.running {
                    self.requests.play += 1;
                }
            }
            GanAction::Step(part) => {
                self.requests.step += 1;
                self.requests.step_part = part;
            }
            GanAction::RollBack => {
                self.requests.roll_back += 1;
                self.diverged = None;
            }
            GanAction::Reset => self.new_run(),
            GanAction::Toggle(layer) => {
                let l = &mut self.layers;
                match layer {
                    Layer::Heatmap => l.heatmap = !l.heatmap,
                    Layer::Manifold => l.manifold = !l.manifold,
                    Layer::Arrows => l.arrows = !l.arrows,
                }
            }
            GanAction::StartDrawing => {
                self.drawing = true;
                self.drawn = Rc::new(Vec::new());
                self.source_error = None;
            }
            GanAction::Draw([x, y]) => {
                if self.drawing && self.drawn.len() < CUSTOM_POINTS.1 {
                    Rc::make_mut(&mut self.drawn).push([quantize(x), quantize(y)]);
                }
            }
            GanAction::ClearDrawing => self.drawn = Rc::new(Vec::new()),
            GanAction::UseDrawing => {
                let (found, needed) = (self.drawn.len(), CUSTOM_POINTS.0);
                if found < needed {
                    self.source_error = Some(SourceError::TooFewDrawn { found, needed });
                } else {
                    self.use_points(self.drawn.to_vec());
                }
            }
            GanAction::CancelDrawing => {
                self.drawing = false;
                self.source_error = None;
            }
            GanAction::Csv(text) => match csv::read(&text) {
                Ok(points) => self.use_points(points),
                Err(error) => self.source_error = Some(SourceError::Csv(error)),
            },
            GanAction::CsvRefused(error) => self.source_error = Some(SourceError::Csv(error)),
            GanAction::Event(GanEvent::Toy(event)) => self.on_toy(event),
            GanAction::Event(GanEvent::Digits(event)) => self.on_digits(event),
            GanAction::Digits(action) => self.digits.reduce(action),
            GanAction::WorkerLost => {
                self.running = false;
                if self.loaded {
                    let trained = self
                        .view
                        .as_ref()
                        .is_some_and(|v| v.d_updates + v.g_updates > 0);
                    self.checkpoints.worker_lost(trained);
                }
                self.loaded = false;
                self.digits.reduce(DigitsAction::WorkerLost);
            }
            GanAction::Kept(action) => {
                let latest = self.checkpoints.latest_mark();
                self.kept.reduce(action, latest, KeptToyRun::from_bytes)
            }
            GanAction::ResumeKept => {
                if let Some(run) = self.kept.take() {
                    self.toy = run.checkpoint.settings.clone();
                    self.url_errors.clear();
                    self.rejected.clear();
                    self.checkpoints.restore(run.checkpoint.clone());
                    self.restoring = Some(run);
                    self.requests.load += 1;
                }
            }
        }
    }

    /// The toy run to keep in the browser: its latest checkpoint and the curves up to it.
    pub fn to_keep(&self) -> Option<KeptToyRun> {
        let checkpoint = self.checkpoints.latest.as_ref()?.0.as_ref().clone();
        let updates = checkpoint.d_updates + checkpoint.g_updates;
        let curves = curves_to_keep(&self.history, updates);
        Some(KeptToyRun::new(checkpoint, curves))
    }

    fn on_toy(&mut self, event: ToyEvent) {
        match event {
            ToyEvent::Loaded { real, modes, .. } => {
                self.loaded = true;
                self.checkpoints.loaded();
                self.running = false;
                self.view = None;
                self.history = Rc::new(History::default());
                self.rejected.clear();
                self.diverged = None;
                self.real = Some(Rc::new(real));
                self.modes = Rc::new(modes);
            }
            ToyEvent::Rejected { errors } => self.rejected = errors,
            ToyEvent::View { view } => {
                let updates = view.d_updates + view.g_updates;
                let mut history = if updates == 0 {
                    History::default()
                } else {
                    (*self.history).clone()
                };
                // Fewer updates than drawn: the run rolled back; its curves go back with it.
                history.points.retain(|&(u, _)| u <= updates);
                history.push(
                    updates,
                    Curves {
                        d_loss: view.d_loss,
                        g_loss: view.g_loss,
                        d_real: view.d_real,
                        d_fake: view.d_fake,
                    },
                );
                self.history = Rc::new(history);
                self.view = Some(Rc::new(*view));
            }
            ToyEvent::Running { running } => self.running = running,
            ToyEvent::Checkpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            ToyEvent::NoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            ToyEvent::Resumed { .. } | ToyEvent::ResumeFailed { .. }
                if !self.checkpoints.awaits_resume() => {}
            ToyEvent::Resumed {
                iterations,
                updates,
                real,
                modes,
            } => {
                // The curves up to the checkpoint stay; what came after it was lost with the
                // worker. The next view is the checkpoint's.
                self.loaded = true;
                self.running = false;
                self.rejected.clear();
                self.diverged = None;
                self.real = Some(Rc::new(real));
                self.modes = Rc::new(modes);
                self.view = None;
                match self.restoring.take() {
                    // A run kept in the browser brings back the curves drawn before the reload.
                    Some(run) => {
                        self.history = Rc::new(kept_curves(&run.curves, updates));
                        self.checkpoints.restored(iterations);
                    }
                    None => {
                        Rc::make_mut(&mut self.history)
                            .points
                            .retain(|&(u, _)| u <= updates);
                        self.checkpoints.resumed(iterations);
                    }
                }
            }
            ToyEvent::ResumeFailed { error } => {
                self.restoring = None;
                self.checkpoints.failed(error);
                self.requests.load += 1;
            }
            ToyEvent::Diverged {
                iterations,
                good_iterations,
            } => {
                self.running = false;
                self.diverged = Some((iterations, good_iterations));
            }
        }
    }

    fn on_digits(&mut self, event: DigitEvent) {
        self.digits.reduce(DigitsAction::Event(event));
    }

    /// The problems to show under the form: the link's and the worker's.
    pub fn problems(&self) -> impl Iterator<Item = &ToyError> {
        self.url_errors.iter().chain(&self.rejected)
    }
}

impl KeepsRun for GanState {
    type Run = KeptToyRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptToyRun> {
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
    use kindling_engine::common::resume::ResumeError;

    #[test]
    fn drawn_points_are_used_only_when_there_are_enough() {
        let mut state = GanState::default();
        state.reduce(GanAction::StartDrawing);
        for i in 0..9 {
            state.reduce(GanAction::Draw([i as f32 * 0.1, 0.12345]));
        }
        state.reduce(GanAction::UseDrawing);
        assert_eq!(
            state.source_error,
            Some(SourceError::TooFewDrawn {
                found: 9,
                needed: 10
            })
        );
        assert_eq!(state.requests.load, 0);
        state.reduce(GanAction::Draw([0.5, 0.5]));
        state.reduce(GanAction::UseDrawing);
        assert_eq!(state.source_error, None);
        assert_eq!(state.toy.target, Target::Custom);
        assert_eq!(state.toy.custom.len(), 10);
        assert_eq!(state.toy.custom[0], [0.0, 0.123]);
        assert_eq!(state.requests.load, 1);
        assert!(!state.drawing);
    }

    #[test]
    fn a_bad_csv_is_refused_and_a_good_one_loads() {
        let mut state = GanState::default();
        state.reduce(GanAction::Csv("1,2\n3\n".into()));
        assert_eq!(
            state.source_error,
            Some(SourceError::Csv(CsvError::OneColumn { line: 2 }))
        );
        assert_eq!(state.requests.load, 0);
        let good: String = (0..12).map(|i| format!("{i},{}\n", i % 3)).collect();
        state.reduce(GanAction::Csv(good));
        assert_eq!(state.source_error, None);
        assert_eq!(state.toy.custom.len(), 12);
        assert_eq!(state.requests.load, 1);
        // A file refused unread: the message shows, the points in use stay.
        let refused = CsvError::TooLarge {
            bytes: 1 << 30,
            allowed: 1 << 18,
        };
        state.reduce(GanAction::CsvRefused(refused.clone()));
        assert_eq!(state.source_error, Some(SourceError::Csv(refused)));
        assert_eq!(state.toy.custom.len(), 12);
        assert_eq!(state.requests.load, 1);
        // Pasted text over the limit is refused by the parser the same way.
        state.reduce(GanAction::Csv("1,2\n".repeat(70_000)));
        assert!(matches!(
            state.source_error,
            Some(SourceError::Csv(CsvError::TooLarge { .. }))
        ));
        assert_eq!(state.toy.custom.len(), 12);
    }

    #[test]
    fn steps_carry_their_part_and_slow_motion_replays_while_running() {
        let mut state = GanState::default();
        state.reduce(GanAction::Step(StepPart::Generator));
        assert_eq!(
            (state.requests.step, state.requests.step_part),
            (1, StepPart::Generator)
        );
        state.reduce(GanAction::SetSlow(true));
        assert_eq!(state.requests.play, 0);
        state.reduce(GanAction::Event(GanEvent::Toy(ToyEvent::Running {
            running: true,
        })));
        state.reduce(GanAction::SetSlow(false));
        assert_eq!(state.requests.play, 1);
        state.reduce(GanAction::Preset(Preset::ModeCollapse));
        assert_eq!(state.toy, Preset::ModeCollapse.settings());
        assert_eq!((state.requests.load, state.requests.play), (1, 2));
        state.reduce(GanAction::WorkerLost);
        assert!(!state.running);
    }

    fn toy(event: ToyEvent) -> GanAction {
        GanAction::Event(GanEvent::Toy(event))
    }

    fn loaded() -> GanAction {
        toy(ToyEvent::Loaded {
            settings: ToySettings::default(),
            real: vec![0.5; 4],
            modes: Vec::new(),
        })
    }

    /// A view after `iterations` iterations of one D and one G update each.
    fn view(iterations: u64) -> GanAction {
        toy(ToyEvent::View {
            view: Box::new(ToyView {
                iterations,
                d_updates: iterations,
                g_updates: iterations,
                ..ToyView::default()
            }),
        })
    }

    fn checkpoint_of(iterations: u64) -> ToyCheckpoint {
        ToyCheckpoint {
            settings: ToySettings::default(),
            iterations,
            d_updates: iterations,
            g_updates: iterations,
            rng_draws: iterations * 9,
            elapsed_ms: 1.0,
            batch_loss: 0.7,
            generator: vec![1],
            discriminator: vec![2],
            g_optimizer: vec![3],
            d_optimizer: vec![4],
        }
    }

    fn checkpoint(iterations: u64) -> GanAction {
        toy(ToyEvent::Checkpoint {
            checkpoint: Box::new(checkpoint_of(iterations)),
        })
    }

    fn resumed(iterations: u64) -> GanAction {
        toy(ToyEvent::Resumed {
            iterations,
            updates: 2 * iterations,
            real: vec![0.25; 4],
            modes: vec![[1.0, 1.0]],
        })
    }

    fn updates(state: &GanState) -> Vec<u64> {
        state.history.points.iter().map(|p| p.0).collect()
    }

    #[test]
    fn a_crashed_toy_run_resumes_from_its_latest_checkpoint_with_its_curves_up_to_it() {
        let mut state = GanState::default();
        // A toy run that never trained loses nothing worth saying.
        state.reduce(loaded());
        state.reduce(view(0));
        state.reduce(GanAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, None);
        assert!(state.checkpoints.resume.is_none() && !state.loaded);

        // Trained, but no checkpoint yet: the run is lost, and said to be.
        state.reduce(loaded());
        state.reduce(view(3));
        state.reduce(GanAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        assert!(state.checkpoints.resume.is_none());

        state.reduce(loaded());
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Lost),
            "said until a new run"
        );
        for i in [100, 200, 300, 400] {
            state.reduce(view(i));
        }
        state.reduce(checkpoint(200));
        state.reduce(checkpoint(300));
        assert_eq!(state.checkpoints.latest_iterations(), Some(300));
        state.reduce(toy(ToyEvent::Running { running: true }));
        let load = state.requests.load;
        state.reduce(GanAction::WorkerLost);
        assert!(!state.running && !state.loaded);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 300 })
        );
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(300)
        );
        assert_eq!(
            state.requests.load, load,
            "the next worker is sent the resume"
        );
        // A second crash before the resume arrived sends the same checkpoint again.
        state.reduce(GanAction::WorkerLost);
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(300)
        );

        state.reduce(resumed(300));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 300 })
        );
        assert!(state.checkpoints.resume.is_none() && !state.running && state.loaded);
        assert_eq!(state.checkpoints.latest_iterations(), Some(300));
        assert_eq!(state.real.as_deref(), Some(&vec![0.25; 4]));
        // The curves against updates: those after the checkpoint's 600 went with the worker.
        assert_eq!(updates(&state), [200, 400, 600]);
        assert!(
            state.view.is_none(),
            "the lost run's last view is not shown"
        );
        state.reduce(view(300));
        state.reduce(view(310));
        assert_eq!(updates(&state), [200, 400, 600, 620]);

        // A refused checkpoint: said, forgotten, and fresh networks asked for.
        state.reduce(checkpoint(310));
        state.reduce(GanAction::WorkerLost);
        let load = state.requests.load;
        state.reduce(toy(ToyEvent::ResumeFailed {
            error: ResumeError::BadStep { step: 310 },
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(ResumeError::BadStep { step: 310 }))
        );
        assert_eq!(state.requests.load, load + 1);
        assert!(state.checkpoints.resume.is_none() && state.checkpoints.latest.is_none());
        state.reduce(loaded());
        assert!(matches!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(_))
        ));

        // New settings or a reset start a new run, which forgets the old run's checkpoint.
        state.reduce(checkpoint(5));
        state.reduce(GanAction::Preset(Preset::ModeCollapse));
        assert!(state.checkpoints.latest.is_none() && state.checkpoints.recovery.is_none());
        state.reduce(loaded());
        state.reduce(checkpoint(5));
        state.reduce(GanAction::Reset);
        assert!(state.checkpoints.latest.is_none());
        // A settings change while a resume waits for the next worker: the new settings win.
        state.reduce(loaded());
        state.reduce(checkpoint(8));
        state.reduce(GanAction::WorkerLost);
        assert!(state.checkpoints.resume.is_some());
        state.reduce(GanAction::Preset(Preset::ALL[0]));
        assert!(state.checkpoints.resume.is_none());
        // The new worker may answer the resume sent before the change: stale, ignored; the new
        // settings' run follows.
        let load = state.requests.load;
        state.reduce(resumed(8));
        state.reduce(toy(ToyEvent::ResumeFailed {
            error: ResumeError::BadSettings,
        }));
        assert_eq!(state.toy, Preset::ALL[0].settings());
        assert_eq!(state.checkpoints.recovery, None);
        assert_eq!(state.requests.load, load);
        assert!(!state.loaded);
        state.reduce(loaded());

        // Where checkpoints cannot be taken, the page says why; a new run asks again.
        state.reduce(toy(ToyEvent::NoCheckpoint {
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
        state.reduce(loaded());
        assert_eq!(state.checkpoints.unavailable, None);
    }

    #[test]
    fn the_toy_and_the_digits_recover_each_their_own_run() {
        let mut state = GanState::default();
        state.reduce(loaded());
        state.reduce(view(50));
        state.reduce(checkpoint(50));
        // The digits section never started: only the toy has something to resume.
        state.reduce(GanAction::WorkerLost);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 50 })
        );
        assert_eq!(state.digits.checkpoints.recovery, None);
        assert!(state.digits.checkpoints.resume.is_none());
    }

    #[test]
    fn a_single_d_or_g_step_after_a_keep_is_kept_when_the_tab_is_hidden() {
        use crate::lessons::kept_run::KeepMessage;
        let mut state = GanState::default();
        state.reduce(checkpoint(20));
        state.reduce(GanAction::Kept(KeptAction::Keep));
        state.reduce(GanAction::Kept(KeptAction::Saved(Ok(20))));
        assert_eq!(state.kept.keeps, 1);
        // Paused, one D step: the worker sends the checkpoint of 41 updates, still 20 iterations.
        state.reduce(GanAction::Step(StepPart::Discriminator));
        state.reduce(toy(ToyEvent::Checkpoint {
            checkpoint: Box::new(ToyCheckpoint {
                d_updates: 21,
                ..checkpoint_of(20)
            }),
        }));
        state.reduce(GanAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2, "the step's checkpoint is kept");
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(
            (run.checkpoint.iterations, run.checkpoint.d_updates),
            (20, 21)
        );
        state.reduce(GanAction::Kept(KeptAction::Saved(Ok(20))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Kept {
                at: 20,
                hidden: true
            })
        );
        state.reduce(GanAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2, "kept already");
    }

    #[test]
    fn a_toy_run_kept_in_the_browser_comes_back_after_a_reload_with_its_curves() {
        use crate::lessons::kept_run::KeptInBrowser;
        let mut state = GanState::default();
        state.reduce(toy(ToyEvent::Loaded {
            settings: ToySettings::default(),
            real: vec![0.0; 4],
            modes: Vec::new(),
        }));
        for i in [0, 10, 20, 30] {
            state.reduce(view(i));
        }
        state.reduce(checkpoint(20));
        state.reduce(GanAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.keeps, 1);
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(run.checkpoint.iterations, 20);
        let kept: Vec<u64> = run.curves.iter().map(|&(u, _)| u).collect();
        assert_eq!(
            kept,
            [0, 20, 40],
            "the curves up to the checkpoint's updates"
        );
        state.reduce(GanAction::Kept(KeptAction::Saved(Ok(20))));
        state.reduce(GanAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1, "that checkpoint is kept already");

        // After a reload, with other settings in the link: the kept run's settings come back.
        let mut page = GanState::new(
            ToySettings {
                seed: 99,
                ..ToySettings::default()
            },
            Vec::new(),
        );
        page.kept.look();
        page.reduce(GanAction::Kept(KeptAction::Looked(Ok(Some(
            run.to_bytes(),
        )))));
        assert!(matches!(page.kept.found, KeptInBrowser::Found(_)));
        page.reduce(GanAction::ResumeKept);
        assert_eq!(page.toy, ToySettings::default());
        assert_eq!(page.requests.load, 1);
        assert_eq!(
            page.checkpoints.resume.as_ref().map(|k| k.0.iterations),
            Some(20)
        );
        page.reduce(resumed(20));
        assert_eq!(
            page.checkpoints.recovery,
            Some(Recovery::Restored { iterations: 20 })
        );
        assert_eq!(updates(&page), [0, 20, 40]);
        assert!(page.restoring.is_none() && page.loaded);

        // Damaged bytes: said, nothing offered.
        let mut damaged = GanState::default();
        damaged.reduce(GanAction::Kept(KeptAction::Looked(Ok(Some(vec![0xff; 6])))));
        assert!(matches!(damaged.kept.found, KeptInBrowser::Unreadable(_)));
        damaged.reduce(GanAction::ResumeKept);
        assert_eq!(damaged.requests.load, 0);
    }

    #[test]
    fn a_divergence_pauses_until_rolled_back_and_the_curves_go_back_with_the_run() {
        let mut state = GanState::default();
        state.reduce(loaded());
        state.reduce(toy(ToyEvent::Running { running: true }));
        for i in [0, 100, 200, 300] {
            state.reduce(view(i));
        }
        let diverged = || {
            toy(ToyEvent::Diverged {
                iterations: 300,
                good_iterations: 150,
            })
        };
        state.reduce(diverged());
        assert!(!state.running);
        assert_eq!(state.diverged, Some((300, 150)));
        state.reduce(GanAction::RollBack);
        assert_eq!((state.diverged, state.requests.roll_back), (None, 1));
        // The rolled-back run's view: the curves (against updates) after it go.
        state.reduce(view(150));
        assert_eq!(updates(&state), [0, 200, 300]);

        // A reset's new run, or a run resumed by a new worker, says nothing of the divergence.
        state.reduce(diverged());
        state.reduce(GanAction::Reset);
        state.reduce(loaded());
        assert_eq!(state.diverged, None);
        state.reduce(checkpoint(100));
        state.reduce(diverged());
        state.reduce(GanAction::WorkerLost);
        state.reduce(resumed(100));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 100 })
        );
        assert_eq!(state.diverged, None);
    }
}
