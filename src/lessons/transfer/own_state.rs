//! "Your own classes", the transfer page's second part: the learner's class names, the examples
//! the worker holds (mirrored here so that the page can show them and send them again to a new
//! worker), training, the live test and the model file. Requests are counted; `effects.rs`
//! sends them.

use std::rc::Rc;

use kindling_engine::common::model_card::ModelFileError;
use kindling_engine::common::preprocess::preprocess;
use kindling_engine::lessons::transfer::messages::TransferEvent;
use kindling_engine::lessons::transfer::own::{
    MAX_EXAMPLES, MIN_EXAMPLES, OwnClasses, OwnProblem, UploadProblem,
};
use kindling_engine::lessons::transfer::own_card::{OwnCard, OwnSettings};
use kindling_engine::lessons::transfer::own_resume::OwnCheckpoint;

use crate::lessons::checkpoints::{AtIteration, Checkpoints};

/// Steps one press of "train" runs, to choose from.
pub const STEP_CHOICES: [u32; 4] = [30, 60, 120, 240];
/// The largest model file the page reads.
pub const MAX_MODEL_BYTES: u64 = 50_000_000;
/// The names the field starts with.
const FIRST_NAMES: &str = "+, −, ×";

/// How many times each message has been asked for, and what the latest one carries.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OwnRequests {
    pub names: u64,
    pub add: u64,
    pub upload: u64,
    pub remove: u64,
    pub train: u64,
    pub predict: u64,
    pub export: u64,
    pub import: u64,
    /// `OwnRollBack` after the loss stopped being a number.
    pub roll_back: u64,
    /// `OwnResume` of the network's checkpoint after the worker stopped, with this count as its
    /// id (sent after the classes and their examples).
    pub resume: u64,
    /// The class and the prepared drawing of the latest add.
    pub added: (usize, Rc<Vec<u8>>),
    /// The class and the files of the latest upload.
    pub uploaded: (usize, Rc<Vec<Vec<u8>>>),
    /// The class and the place of the latest removal.
    pub removed: (usize, usize),
    /// The model file of the latest import.
    pub file: Rc<Vec<u8>>,
}

/// The network trained (or loaded) on the own classes.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnModel {
    pub classes: usize,
    pub steps: u64,
    /// On its own examples, when known.
    pub accuracy: Option<f32>,
}

/// What became of the latest model file.
#[derive(Clone, Debug, PartialEq)]
pub enum FileNote {
    Loaded { steps: u64 },
    Refused(ModelFileError),
    TooLarge { bytes: u64 },
    Unreadable(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct OwnState {
    /// The names as typed, separated by commas.
    pub draft: String,
    /// What is wrong with `draft`, by the engine's rules (empty: it can be used).
    pub draft_problems: Vec<OwnProblem>,
    /// The classes the worker holds.
    pub names: Vec<String>,
    /// Each class's examples (28 × 28 bytes), as the worker holds them.
    pub examples: Vec<Vec<Rc<Vec<u8>>>>,
    /// What stands in the way of training, as the worker said.
    pub problems: Vec<OwnProblem>,
    /// The worker refused the latest command.
    pub rejected: Vec<OwnProblem>,
    /// The latest uploaded file did not become an example.
    pub upload_refused: Option<UploadProblem>,
    /// The drawing on the examples pad, prepared; a change of `pad` wipes the pad.
    pub drawing: Option<Rc<Vec<u8>>>,
    pub pad: u64,
    pub settings: OwnSettings,
    pub running: bool,
    /// Steps so far, the steps asked for, the last batch's loss.
    pub progress: Option<(u64, u64, f32)>,
    /// The loss stopped being a number: (at which step, the step a roll back returns to).
    pub diverged: Option<(u64, u64)>,
    pub model: Option<OwnModel>,
    /// The drawing to test on, prepared, and the model's softmax for it.
    pub test_drawing: Option<Rc<Vec<u8>>>,
    pub prediction: Option<Vec<f32>>,
    /// The card of the latest saved or loaded model.
    pub card: Option<OwnCard>,
    /// The latest saved model file, and how many have been saved (a change downloads it).
    pub saved: (u64, Rc<Vec<u8>>),
    pub file_note: Option<FileNote>,
    /// The network's checkpoints, and what became of it after a worker stopped.
    pub checkpoints: Checkpoints<OwnCheckpoint>,
    pub requests: OwnRequests,
}

impl AtIteration for OwnCheckpoint {
    fn iterations(&self) -> u64 {
        self.step
    }
}

impl Default for OwnState {
    fn default() -> Self {
        let mut state = Self {
            draft: String::new(),
            draft_problems: Vec::new(),
            names: Vec::new(),
            examples: Vec::new(),
            problems: Vec::new(),
            rejected: Vec::new(),
            upload_refused: None,
            drawing: None,
            pad: 0,
            settings: OwnSettings::default(),
            running: false,
            progress: None,
            diverged: None,
            model: None,
            test_drawing: None,
            prediction: None,
            card: None,
            saved: (0, Rc::default()),
            file_note: None,
            checkpoints: Checkpoints::default(),
            requests: OwnRequests::default(),
        };
        state.edit_names(FIRST_NAMES.to_string());
        state
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum OwnAction {
    /// The learner typed in the names field.
    EditNames(String),
    /// Use the typed names.
    SetNames,
    /// The examples pad's drawing changed (`None`: wiped or blank).
    Drawn(Option<Vec<u8>>),
    /// Add the pad's drawing to a class.
    AddDrawing(usize),
    /// Files chosen for a class.
    Upload {
        class: usize,
        files: Vec<Vec<u8>>,
    },
    /// A chosen file was refused before it was read.
    UploadRefused(UploadProblem),
    Remove {
        class: usize,
        index: usize,
    },
    SetSteps(u32),
    Train,
    /// Back to the last good step after the loss stopped being a number.
    RollBack,
    /// The test pad's drawing changed.
    TestDrawn(Option<Vec<u8>>),
    Export,
    Import(Vec<u8>),
    FileNote(FileNote),
    WorkerLost,
}

/// The names in a field's text: separated by commas (Latin or Chinese), each trimmed.
pub fn split_names(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split([',', '，', '、'])
        .map(|name| name.trim().to_string())
        .collect()
}

/// A drawing on a pad (grey levels, `side` × `side`) prepared as drawn digits are, one byte a
/// pixel; `None` when nothing is drawn.
pub fn drawn_example(drawing: &[f32], side: usize) -> Option<Vec<u8>> {
    let prepared = preprocess(drawing, side).ok()?;
    Some(
        prepared
            .image
            .iter()
            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect(),
    )
}

impl OwnState {
    /// Whether the classes the worker holds are named.
    pub fn has_classes(&self) -> bool {
        !self.names.is_empty()
    }

    /// Whether the typed names differ from the classes the worker holds.
    pub fn names_changed(&self) -> bool {
        split_names(&self.draft) != self.names
    }

    pub fn can_add(&self, class: usize) -> bool {
        self.examples
            .get(class)
            .is_some_and(|list| list.len() < MAX_EXAMPLES)
    }

    /// Whether training can start: every class has its examples, none is running, and the
    /// network's loss is still a number (else it goes back first).
    pub fn can_train(&self) -> bool {
        self.has_classes()
            && self.problems.is_empty()
            && !self.running
            && self.diverged.is_none()
            && self.examples.iter().all(|list| list.len() >= MIN_EXAMPLES)
    }

    /// Whether a trained network predicts for the classes on screen.
    pub fn has_model(&self) -> bool {
        self.model
            .as_ref()
            .is_some_and(|m| m.classes == self.names.len())
    }

    fn edit_names(&mut self, text: String) {
        self.draft_problems = match OwnClasses::default().set_names(&split_names(&text)) {
            Ok(()) => Vec::new(),
            Err(problems) => problems,
        };
        self.draft = text;
    }

    fn predict(&mut self) {
        if self.has_model() && self.test_drawing.is_some() {
            self.requests.predict += 1;
        } else {
            self.prediction = None;
        }
    }

    pub fn reduce(&mut self, action: OwnAction) {
        match action {
            OwnAction::EditNames(text) => self.edit_names(text),
            OwnAction::SetNames => {
                if self.draft_problems.is_empty() {
                    self.rejected.clear();
                    self.requests.names += 1;
                }
            }
            OwnAction::Drawn(drawing) => self.drawing = drawing.map(Rc::new),
            OwnAction::AddDrawing(class) => {
                if let Some(image) = self.drawing.take()
                    && self.can_add(class)
                {
                    self.rejected.clear();
                    self.requests.added = (class, image);
                    self.requests.add += 1;
                    self.pad += 1;
                }
            }
            OwnAction::Upload { class, files } => {
                if !files.is_empty() && self.can_add(class) {
                    self.rejected.clear();
                    self.upload_refused = None;
                    self.requests.uploaded = (class, Rc::new(files));
                    self.requests.upload += 1;
                }
            }
            OwnAction::UploadRefused(problem) => self.upload_refused = Some(problem),
            OwnAction::Remove { class, index } => {
                // Removed here at once: the worker takes commands in order, so the places of
                // later removals agree with its own.
                if let Some(list) = self.examples.get_mut(class)
                    && index < list.len()
                {
                    list.remove(index);
                    self.rejected.clear();
                    self.requests.removed = (class, index);
                    self.requests.remove += 1;
                }
            }
            OwnAction::SetSteps(steps) => self.settings.steps = steps,
            OwnAction::Train => {
                if self.can_train() {
                    self.rejected.clear();
                    self.requests.train += 1;
                }
            }
            OwnAction::RollBack => {
                if self.diverged.take().is_some() {
                    self.requests.roll_back += 1;
                    // The answer on screen is another network's: the drawing is read again by
                    // the rolled-back one (effects send the roll back first).
                    self.prediction = None;
                    self.predict();
                }
            }
            OwnAction::TestDrawn(drawing) => {
                self.test_drawing = drawing.map(Rc::new);
                self.predict();
            }
            OwnAction::Export => {
                if self.has_model() {
                    self.requests.export += 1;
                }
            }
            OwnAction::Import(bytes) => {
                // Another network: an answer to a resume still on its way is not this one's.
                self.checkpoints.forget();
                self.file_note = None;
                self.requests.file = Rc::new(bytes);
                self.requests.import += 1;
            }
            OwnAction::FileNote(note) => self.file_note = Some(note),
            OwnAction::WorkerLost => {
                // The examples stay: the page sends them to the next worker. The network is gone,
                // and goes on there from its latest checkpoint, sent after the examples.
                let trained = self.progress.is_some();
                self.checkpoints.worker_lost(trained);
                if self.checkpoints.awaits_resume() {
                    self.requests.resume += 1;
                }
                self.running = false;
                self.progress = None;
                self.diverged = None;
                self.model = None;
                self.prediction = None;
            }
        }
    }

    /// A worker event about own classes (others change nothing here).
    pub fn on_event(&mut self, event: TransferEvent) {
        match event {
            TransferEvent::OwnExamples {
                names,
                counts,
                problems,
            } => {
                self.examples.resize(names.len(), Vec::new());
                for (list, &count) in self.examples.iter_mut().zip(&counts) {
                    list.truncate(count);
                }
                if self.names != names {
                    self.prediction = None;
                }
                // Another number of classes: the worker dropped the network that diverged.
                if self.names.len() != names.len() {
                    self.diverged = None;
                }
                // The worker drops a network whose classes are another number.
                if self
                    .checkpoints
                    .latest
                    .as_ref()
                    .is_some_and(|kept| kept.0.names.len() != names.len())
                {
                    self.checkpoints.forget();
                }
                self.names = names;
                self.problems = problems;
                if !self.has_model() {
                    self.prediction = None;
                }
            }
            TransferEvent::OwnAdded {
                class,
                index,
                image,
            } => {
                if let Some(list) = self.examples.get_mut(class) {
                    let image = Rc::new(image);
                    match list.get_mut(index) {
                        // Sent again to a new worker: already here.
                        Some(slot) => *slot = image,
                        None => list.push(image),
                    }
                }
                self.upload_refused = None;
            }
            TransferEvent::OwnRejected { problems } => self.rejected = problems,
            TransferEvent::OwnUploadRefused { problem } => self.upload_refused = Some(problem),
            TransferEvent::OwnRunning { running } => self.running = running,
            TransferEvent::OwnProgress { step, target, loss } => {
                self.progress = Some((step, target, loss))
            }
            TransferEvent::OwnTrained { step, accuracy } => {
                self.model = Some(OwnModel {
                    classes: self.names.len(),
                    steps: step,
                    accuracy,
                });
                self.predict();
            }
            // An answer for a drawing since wiped or redrawn, or from a network since dropped, is
            // not shown.
            TransferEvent::OwnPrediction { id, probabilities }
                if id == self.requests.predict
                    && self.has_model()
                    && self.test_drawing.is_some() =>
            {
                self.prediction = Some(probabilities)
            }
            TransferEvent::OwnExported { bytes, card } => {
                self.saved = (self.saved.0 + 1, Rc::new(bytes));
                self.card = Some(card);
            }
            TransferEvent::OwnImported { card } => {
                self.checkpoints.loaded();
                self.diverged = None;
                self.model = Some(OwnModel {
                    classes: card.class_names.len(),
                    steps: card.steps,
                    accuracy: card.train_accuracy,
                });
                // The file holds no examples: the classes start empty.
                self.examples = vec![Vec::new(); card.class_names.len()];
                self.names = card.class_names.clone();
                self.edit_names(card.class_names.join(", "));
                self.progress = None;
                self.file_note = Some(FileNote::Loaded { steps: card.steps });
                self.card = Some(card);
                // The drawing on the test pad is read again, by the loaded network.
                self.prediction = None;
                self.predict();
            }
            TransferEvent::OwnFileRefused { error } => {
                self.file_note = Some(FileNote::Refused(error))
            }
            TransferEvent::OwnCheckpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            TransferEvent::OwnNoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            // An answer to a resume this page did not send last, or since replaced.
            TransferEvent::OwnResumed { id, .. } | TransferEvent::OwnResumeFailed { id, .. }
                if id != self.requests.resume || !self.checkpoints.awaits_resume() => {}
            TransferEvent::OwnResumed {
                step, target, loss, ..
            } => {
                self.progress = Some((step, target, loss));
                self.diverged = None;
                self.checkpoints.resumed(step);
            }
            TransferEvent::OwnResumeFailed { error, .. } => self.checkpoints.failed(error),
            TransferEvent::OwnDiverged { step, good_step } => {
                self.running = false;
                self.diverged = Some((step, good_step));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::models::resnet::ResnetSettings;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn examples(state: &mut OwnState, names: &[&str], counts: &[usize]) {
        let problems = counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count < MIN_EXAMPLES)
            .map(|(class, &count)| OwnProblem::TooFewExamples { class, count })
            .collect();
        state.on_event(TransferEvent::OwnExamples {
            names: self::names(names),
            counts: counts.to_vec(),
            problems,
        });
    }

    fn added(state: &mut OwnState, class: usize, index: usize, pixel: u8) {
        state.on_event(TransferEvent::OwnAdded {
            class,
            index,
            image: vec![pixel; 784],
        });
    }

    #[test]
    fn names_are_split_on_commas_and_checked_by_the_engine_as_typed() {
        assert_eq!(split_names(" + ,−，×、÷ "), names(&["+", "−", "×", "÷"]));
        assert_eq!(split_names("  "), Vec::<String>::new());
        let mut state = OwnState::default();
        assert_eq!(state.draft_problems, vec![]);
        state.reduce(OwnAction::SetNames);
        assert_eq!(state.requests.names, 1);

        for (text, problem) in [
            ("", OwnProblem::ClassCount { count: 0 }),
            ("plus", OwnProblem::ClassCount { count: 1 }),
            ("a, b, c, d, e, f", OwnProblem::ClassCount { count: 6 }),
            ("a, , c", OwnProblem::EmptyName { class: 1 }),
            ("a, b, a", OwnProblem::SameName { class: 2 }),
        ] {
            state.reduce(OwnAction::EditNames(text.into()));
            assert!(state.draft_problems.contains(&problem), "{text:?}");
            state.reduce(OwnAction::SetNames);
            assert_eq!(state.requests.names, 1, "{text:?} is not sent");
        }
        state.reduce(OwnAction::EditNames("circle, line".into()));
        assert!(state.names_changed());
        state.reduce(OwnAction::SetNames);
        assert_eq!(state.requests.names, 2);
        examples(&mut state, &["circle", "line"], &[0, 0]);
        assert!(state.has_classes() && !state.names_changed());
        assert_eq!(state.examples, vec![Vec::new(), Vec::new()]);
    }

    #[test]
    fn a_drawing_is_added_to_a_class_once_and_the_pad_is_wiped() {
        let mut state = OwnState::default();
        examples(&mut state, &["a", "b"], &[0, 0]);
        state.reduce(OwnAction::AddDrawing(0));
        assert_eq!(state.requests.add, 0, "nothing drawn");
        state.reduce(OwnAction::Drawn(Some(vec![9; 784])));
        state.reduce(OwnAction::AddDrawing(1));
        assert_eq!(state.requests.add, 1);
        assert_eq!(state.requests.added.0, 1);
        assert_eq!(state.requests.added.1[0], 9);
        assert_eq!((state.drawing.clone(), state.pad), (None, 1));
        state.reduce(OwnAction::AddDrawing(1));
        assert_eq!(state.requests.add, 1, "the same drawing is not added twice");

        added(&mut state, 1, 0, 9);
        examples(&mut state, &["a", "b"], &[0, 1]);
        assert_eq!(state.examples[1].len(), 1);
        // The worker's answer to the same example sent again (to a new worker) replaces it.
        added(&mut state, 1, 0, 10);
        assert_eq!(state.examples[1].len(), 1);
        assert_eq!(state.examples[1][0][0], 10);
    }

    #[test]
    fn removing_an_example_takes_it_off_at_once_and_asks_the_worker() {
        let mut state = OwnState::default();
        examples(&mut state, &["a", "b"], &[0, 0]);
        for (i, pixel) in [1, 2, 3].into_iter().enumerate() {
            added(&mut state, 0, i, pixel);
        }
        state.reduce(OwnAction::Remove { class: 0, index: 1 });
        assert_eq!(state.requests.removed, (0, 1));
        let left: Vec<u8> = state.examples[0].iter().map(|e| e[0]).collect();
        assert_eq!(left, [1, 3]);
        state.reduce(OwnAction::Remove { class: 0, index: 5 });
        state.reduce(OwnAction::Remove { class: 4, index: 0 });
        assert_eq!(state.requests.remove, 1);
        // Fewer classes: the last goes with its examples.
        added(&mut state, 1, 0, 7);
        examples(&mut state, &["a"], &[2]);
        assert_eq!(state.examples.len(), 1);
    }

    #[test]
    fn a_refused_upload_leaves_the_examples_and_says_why() {
        let mut state = OwnState::default();
        examples(&mut state, &["a", "b"], &[0, 0]);
        added(&mut state, 0, 0, 1);
        state.reduce(OwnAction::Upload {
            class: 0,
            files: vec![b"hello".to_vec()],
        });
        assert_eq!(state.requests.upload, 1);
        assert_eq!(state.requests.uploaded.1[0], b"hello");
        state.on_event(TransferEvent::OwnUploadRefused {
            problem: UploadProblem::NotAnImage,
        });
        assert_eq!(state.upload_refused, Some(UploadProblem::NotAnImage));
        assert_eq!(state.examples[0].len(), 1);
        // A new upload clears the message; a good one adds.
        state.reduce(OwnAction::Upload {
            class: 1,
            files: vec![b"png".to_vec()],
        });
        assert_eq!(state.upload_refused, None);
        added(&mut state, 1, 0, 4);
        assert_eq!(state.examples[1].len(), 1);
        state.reduce(OwnAction::UploadRefused(UploadProblem::HugeFile {
            bytes: 1 << 30,
        }));
        assert_eq!(state.requests.upload, 2, "a refused file is not sent");
        assert!(state.upload_refused.is_some());
    }

    fn full(state: &mut OwnState, counts: &[usize]) {
        if state.examples.is_empty() {
            examples(state, &["a", "b"], &[0, 0]);
        }
        for (class, &count) in counts.iter().enumerate() {
            for index in 0..count {
                added(state, class, index, 1);
            }
        }
        examples(state, &["a", "b"], counts);
    }

    #[test]
    fn a_loss_that_stops_being_a_number_stops_training_until_a_roll_back() {
        let mut state = OwnState::default();
        full(&mut state, &[5, 5]);
        state.reduce(OwnAction::Train);
        state.on_event(TransferEvent::OwnRunning { running: true });
        // Nothing to roll back before the worker says the loss diverged.
        state.reduce(OwnAction::RollBack);
        assert_eq!(state.requests.roll_back, 0);
        state.on_event(TransferEvent::OwnProgress {
            step: 40,
            target: 60,
            loss: f32::NAN,
        });
        state.on_event(TransferEvent::OwnDiverged {
            step: 40,
            good_step: 30,
        });
        assert_eq!((state.running, state.diverged), (false, Some((40, 30))));
        state.reduce(OwnAction::Train);
        assert_eq!(state.requests.train, 1, "it goes back first");

        state.reduce(OwnAction::RollBack);
        assert_eq!((state.requests.roll_back, state.diverged), (1, None));
        state.reduce(OwnAction::RollBack);
        assert_eq!(state.requests.roll_back, 1, "once");
        state.on_event(TransferEvent::OwnProgress {
            step: 30,
            target: 60,
            loss: 0.5,
        });
        state.reduce(OwnAction::Train);
        assert_eq!(state.requests.train, 2, "trains on from the good step");

        // A resumed or loaded network, or other classes, has nothing to roll back.
        let diverged = TransferEvent::OwnDiverged {
            step: 40,
            good_step: 30,
        };
        state.on_event(own_checkpoint(2, 30));
        state.on_event(diverged.clone());
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(state.diverged, None);
        assert_eq!(state.requests.resume, 1);
        state.on_event(diverged.clone());
        state.on_event(TransferEvent::OwnResumed {
            id: state.requests.resume,
            step: 30,
            target: 60,
            loss: 0.5,
        });
        assert_eq!(state.diverged, None);
        state.on_event(diverged.clone());
        examples(&mut state, &["a", "b", "c"], &[5, 5, 0]);
        assert_eq!(state.diverged, None);
    }

    #[test]
    fn a_roll_back_asks_the_rolled_back_network_for_the_test_drawing_again() {
        let mut state = OwnState::default();
        full(&mut state, &[5, 5]);
        state.reduce(OwnAction::Train);
        state.on_event(TransferEvent::OwnTrained {
            step: 30,
            accuracy: Some(1.0),
        });
        state.reduce(OwnAction::TestDrawn(Some(vec![1; 784])));
        assert_eq!(state.requests.predict, 1);
        state.on_event(TransferEvent::OwnPrediction {
            id: 1,
            probabilities: vec![0.2, 0.8],
        });
        state.reduce(OwnAction::Train);
        state.on_event(TransferEvent::OwnDiverged {
            step: 40,
            good_step: 32,
        });
        // Redrawn while the weights were not numbers: so is the answer.
        state.reduce(OwnAction::TestDrawn(Some(vec![2; 784])));
        state.on_event(TransferEvent::OwnPrediction {
            id: 2,
            probabilities: vec![f32::NAN, f32::NAN],
        });
        state.reduce(OwnAction::RollBack);
        assert_eq!(
            (state.requests.roll_back, state.requests.predict),
            (1, 3),
            "the same drawing, asked again"
        );
        assert_eq!(state.prediction, None, "the blown-up network's answer goes");
        state.on_event(TransferEvent::OwnPrediction {
            id: 3,
            probabilities: vec![0.4, 0.6],
        });
        assert_eq!(state.prediction, Some(vec![0.4, 0.6]));

        // Without a drawing, nothing is asked.
        state.reduce(OwnAction::TestDrawn(None));
        state.on_event(TransferEvent::OwnDiverged {
            step: 40,
            good_step: 32,
        });
        state.reduce(OwnAction::RollBack);
        assert_eq!(state.requests.predict, 3);
    }

    #[test]
    fn training_needs_enough_examples_and_the_model_then_predicts_each_test_drawing() {
        let mut state = OwnState::default();
        full(&mut state, &[5, 4]);
        state.reduce(OwnAction::Train);
        assert_eq!(state.requests.train, 0, "class b has 4");
        state.reduce(OwnAction::TestDrawn(Some(vec![1; 784])));
        assert_eq!(state.requests.predict, 0, "nothing trained yet");
        full(&mut state, &[5, 5]);
        state.reduce(OwnAction::SetSteps(120));
        state.reduce(OwnAction::Train);
        assert_eq!((state.requests.train, state.settings.steps), (1, 120));
        state.on_event(TransferEvent::OwnRunning { running: true });
        state.reduce(OwnAction::Train);
        assert_eq!(state.requests.train, 1, "already training");
        state.on_event(TransferEvent::OwnProgress {
            step: 60,
            target: 120,
            loss: 0.5,
        });
        assert_eq!(state.progress, Some((60, 120, 0.5)));
        state.on_event(TransferEvent::OwnTrained {
            step: 120,
            accuracy: Some(1.0),
        });
        state.on_event(TransferEvent::OwnRunning { running: false });
        assert!(state.has_model());
        assert_eq!(state.requests.predict, 1, "the drawing waiting is tested");
        state.on_event(TransferEvent::OwnPrediction {
            id: 1,
            probabilities: vec![0.2, 0.8],
        });
        assert_eq!(state.prediction, Some(vec![0.2, 0.8]));
        state.reduce(OwnAction::TestDrawn(Some(vec![2; 784])));
        assert_eq!(state.requests.predict, 2);
        // A second answer to the first drawing, arriving late, is not the new drawing's: the
        // last answer stays until the new one comes.
        state.on_event(TransferEvent::OwnPrediction {
            id: 1,
            probabilities: vec![0.9, 0.1],
        });
        assert_eq!(state.prediction, Some(vec![0.2, 0.8]));
        state.on_event(TransferEvent::OwnPrediction {
            id: 2,
            probabilities: vec![0.7, 0.3],
        });
        assert_eq!(state.prediction, Some(vec![0.7, 0.3]));
        state.reduce(OwnAction::TestDrawn(None));
        assert_eq!(
            (state.requests.predict, state.prediction.clone()),
            (2, None)
        );

        // A third class: the network no longer fits and stops predicting.
        state.reduce(OwnAction::TestDrawn(Some(vec![2; 784])));
        examples(&mut state, &["a", "b", "c"], &[5, 5, 0]);
        assert!(!state.has_model());
        state.reduce(OwnAction::Export);
        assert_eq!(state.requests.export, 0);
        state.reduce(OwnAction::WorkerLost);
        assert_eq!((state.model.clone(), state.running), (None, false));
        assert_eq!(state.examples[0].len(), 5, "kept to send again");
    }

    #[test]
    fn a_model_saves_with_its_card_and_a_loaded_one_brings_its_classes() {
        let mut state = OwnState::default();
        full(&mut state, &[5, 5]);
        state.on_event(TransferEvent::OwnTrained {
            step: 60,
            accuracy: Some(0.9),
        });
        state.reduce(OwnAction::Export);
        assert_eq!(state.requests.export, 1);
        let mut card = OwnCard::new(ResnetSettings::default(), names(&["x", "y", "z"]));
        card.steps = 80;
        state.on_event(TransferEvent::OwnExported {
            bytes: vec![1, 2, 3],
            card: card.clone(),
        });
        assert_eq!(state.saved.0, 1);
        assert_eq!(*state.saved.1, vec![1, 2, 3]);

        state.reduce(OwnAction::Import(vec![4, 5]));
        assert_eq!((state.requests.import, state.requests.file.len()), (1, 2));
        state.on_event(TransferEvent::OwnFileRefused {
            error: ModelFileError::NotAModel,
        });
        assert_eq!(
            state.file_note,
            Some(FileNote::Refused(ModelFileError::NotAModel))
        );
        assert_eq!(state.examples[0].len(), 5, "a refused file changes nothing");

        state.reduce(OwnAction::TestDrawn(Some(vec![3; 784])));
        state.on_event(TransferEvent::OwnPrediction {
            id: state.requests.predict,
            probabilities: vec![0.5, 0.5],
        });
        let asked = state.requests.predict;
        state.on_event(TransferEvent::OwnImported { card: card.clone() });
        assert_eq!(state.prediction, None, "the old network's answer is gone");
        assert_eq!(state.requests.predict, asked + 1, "the loaded one is asked");
        assert_eq!(state.names, names(&["x", "y", "z"]));
        assert_eq!(state.draft, "x, y, z");
        assert_eq!(state.examples, vec![Vec::<Rc<Vec<u8>>>::new(); 3]);
        assert!(state.has_model());
        assert_eq!(state.file_note, Some(FileNote::Loaded { steps: 80 }));
        assert!(!state.can_train(), "it needs examples to train further");
    }

    fn own_checkpoint(names: usize, step: u64) -> TransferEvent {
        TransferEvent::OwnCheckpoint {
            checkpoint: Box::new(OwnCheckpoint {
                settings: OwnSettings::default(),
                network: ResnetSettings::default(),
                names: (0..names).map(|i| i.to_string()).collect(),
                pixels: vec![0; 784],
                labels: vec![0],
                step,
                target: 120,
                unfreeze_at: Some(30),
                unfrozen: step > 30,
                rng_draws: step,
                order: vec![0],
                elapsed_ms: 1.0,
                last_batch_loss: 0.4,
                weights: vec![1, 2],
                optimizer: vec![3],
            }),
        }
    }

    #[test]
    fn a_lost_fine_tuning_resumes_from_its_latest_checkpoint_after_the_examples() {
        use crate::lessons::checkpoints::Recovery;
        use kindling_engine::common::resume::ResumeError;
        let mut state = OwnState::default();
        full(&mut state, &[5, 5]);
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(
            (state.checkpoints.recovery.clone(), state.requests.resume),
            (None, 0),
            "nothing trained, nothing to say"
        );
        state.reduce(OwnAction::Train);
        state.on_event(TransferEvent::OwnRunning { running: true });
        state.on_event(TransferEvent::OwnProgress {
            step: 10,
            target: 120,
            loss: 0.9,
        });
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        assert_eq!(state.requests.resume, 0, "no checkpoint yet");

        state.reduce(OwnAction::Train);
        state.on_event(TransferEvent::OwnProgress {
            step: 50,
            target: 120,
            loss: 0.6,
        });
        state.on_event(own_checkpoint(2, 48));
        state.on_event(own_checkpoint(2, 50));
        assert_eq!(state.checkpoints.latest_iterations(), Some(50));
        state.on_event(TransferEvent::OwnProgress {
            step: 70,
            target: 120,
            loss: 0.5,
        });
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 50 })
        );
        assert_eq!(
            state.requests.resume, 1,
            "the next worker is sent the resume"
        );
        assert_eq!((state.progress, state.running), (None, false));
        assert_eq!(state.examples[1].len(), 5, "sent again before the resume");

        // The names and examples sent again change nothing; a stale answer is ignored.
        full(&mut state, &[5, 5]);
        state.on_event(TransferEvent::OwnResumed {
            id: 7,
            step: 50,
            target: 120,
            loss: 0.6,
        });
        assert!(state.checkpoints.awaits_resume() && state.progress.is_none());
        state.on_event(TransferEvent::OwnResumed {
            id: 1,
            step: 50,
            target: 120,
            loss: 0.6,
        });
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 50 })
        );
        assert_eq!(state.progress, Some((50, 120, 0.6)));
        assert_eq!(state.checkpoints.latest_iterations(), Some(50));
        assert!(!state.checkpoints.awaits_resume());
        state.on_event(TransferEvent::OwnResumeFailed {
            id: 1,
            error: ResumeError::BadSettings,
        });
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 50 }),
            "a second answer to the same resume changes nothing"
        );

        // Lost again: the next worker refuses the checkpoint, which is said and forgotten.
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(state.requests.resume, 2);
        let error = ResumeError::Unreadable {
            message: "short".into(),
        };
        state.on_event(TransferEvent::OwnResumeFailed {
            id: 2,
            error: error.clone(),
        });
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Failed(error)));
        assert!(state.checkpoints.latest.is_none());

        // A checkpoint of two classes goes when the classes become three (the worker drops
        // that network); a loaded file replaces a resume on its way.
        state.on_event(own_checkpoint(2, 20));
        examples(&mut state, &["a", "b", "c"], &[5, 5, 5]);
        assert!(state.checkpoints.latest.is_none());
        state.on_event(own_checkpoint(3, 20));
        state.on_event(TransferEvent::OwnProgress {
            step: 20,
            target: 120,
            loss: 0.6,
        });
        state.reduce(OwnAction::WorkerLost);
        assert_eq!(state.requests.resume, 3);
        state.reduce(OwnAction::Import(vec![1, 2, 3]));
        state.on_event(TransferEvent::OwnResumed {
            id: 3,
            step: 20,
            target: 120,
            loss: 0.6,
        });
        assert_eq!(state.checkpoints.recovery, None);
        assert_eq!(state.progress, None);
    }

    #[test]
    fn a_drawing_is_prepared_as_drawn_digits_are() {
        assert_eq!(drawn_example(&[0.0; 100], 10), None);
        let mut canvas = vec![0.0; 100 * 100];
        for r in 20..80 {
            for c in 45..55 {
                canvas[r * 100 + c] = 1.0;
            }
        }
        let image = drawn_example(&canvas, 100).unwrap();
        assert_eq!(image.len(), 784);
        assert!(image[14 * 28 + 14] > 100, "ink in the middle");
        assert_eq!(image[0], 0);
    }
}
