//! The whole page's state: one reducer, driven by learner actions and worker messages.

use std::rc::Rc;

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::config::ConfigError;
use kindling_engine::datasets::toy2d::Split;
use kindling_engine::lessons::playground::report::Progress;
use kindling_engine::protocol::{ActiveBackend, BackendPreference, FromWorker, LessonRequest};
use serde::{Deserialize, Serialize};
use yew::Reducible;

use crate::lessons::cnn::link;
use crate::lessons::cnn::state::{CnnAction, CnnState};
use crate::i18n::Lang;
use crate::lessons::activations::state::ActivationsState;
use crate::lessons::losses::state::LossesState;
use crate::lessons::worked::LessonAnswer;
use crate::route::{self, Route};
use crate::services::manifest::MnistManifest;
use crate::services::storage;
use crate::services::worker::WorkerEvent;
use crate::widgets::loss_chart::{LossHistory, TrainTest};

/// Everything the learner chose; serialisable so it can be saved or shared.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Settings {
    pub lang: Lang,
    pub backend: BackendPreference,
    pub config: PlaygroundConfig,
    /// The activation lesson's inputs.
    #[serde(default)]
    pub activations: ActivationsState,
    /// The loss lesson's inputs.
    #[serde(default)]
    pub losses: LossesState,
    /// The CNN lesson's applied settings.
    #[serde(default)]
    pub cnn: CnnSettings,
}

/// The playground's loss over the steps.
pub type History = LossHistory;

#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub resolution: u32,
    pub probabilities: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Banner {
    Crashed { message: String, restarted: bool },
    Failed { message: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub settings: Settings,
    pub route: Route,
    /// Settings in the link that could not be used (defaults were used instead).
    pub url_errors: Vec<ConfigError>,
    /// Problems the worker found with the last configuration sent.
    pub rejected: Vec<ConfigError>,
    /// `None` until the worker says which backend it runs on.
    pub backend: Option<ActiveBackend>,
    pub running: bool,
    pub progress: Option<Progress>,
    pub history: Rc<History>,
    pub split: Option<Rc<Split>>,
    pub boundary: Option<Rc<Boundary>>,
    pub banner: Option<Banner>,
    /// The latest lesson request sent to the worker, waiting for its answer.
    pub lesson_pending: Option<(u64, Rc<LessonRequest>)>,
    /// The latest answers for each lesson page.
    pub activation_answer: Option<Rc<LessonAnswer>>,
    pub loss_answer: Option<Rc<LessonAnswer>>,
    pub cnn: CnnState,
    /// The MNIST files' description, once asked for (the About page), or why it is missing.
    pub mnist: Option<Result<Rc<MnistManifest>, String>>,
}

pub enum Action {
    Navigate(Route),
    SetLang(Lang),
    SetBackendPreference(BackendPreference),
    /// A valid configuration chosen by the learner.
    SetConfig(PlaygroundConfig),
    /// A configuration read from the link, with the settings that had to fall back to defaults.
    LoadFromUrl {
        config: PlaygroundConfig,
        errors: Vec<ConfigError>,
    },
    Worker(WorkerEvent),
    DismissBanner,
    SetActivations(ActivationsState),
    SetLosses(LossesState),
    /// A lesson request was sent with this id; only its answer is kept.
    LessonRequested {
        id: u64,
        request: LessonRequest,
    },
    Cnn(CnnAction),
    Mnist(Result<MnistManifest, String>),
}

impl AppState {
    pub fn new(settings: Settings, route: Route, url_errors: Vec<ConfigError>) -> Self {
        let cnn = CnnState::new(&settings.cnn, Vec::new());
        let mut state = Self {
            settings,
            route,
            url_errors,
            rejected: Vec::new(),
            backend: None,
            running: false,
            progress: None,
            history: Rc::new(History::default()),
            split: None,
            boundary: None,
            banner: None,
            lesson_pending: None,
            activation_answer: None,
            loss_answer: None,
            cnn,
            mnist: None,
        };
        if route == Route::Cnn {
            state.cnn.reduce(&mut state.settings.cnn, CnnAction::Open);
        }
        state
    }

    /// The starting state, from the URL, local storage and the browser's language.
    pub fn from_browser() -> Self {
        let lang = route::url_param("lang")
            .and_then(|v| Lang::from_code(&v))
            .or_else(storage::load_lang)
            .unwrap_or_else(|| {
                let tag = web_sys::window()
                    .and_then(|w| w.navigator().language())
                    .unwrap_or_default();
                Lang::from_browser(&tag)
            });
        let backend = route::url_param("backend")
            .and_then(|v| BackendPreference::from_name(v.trim()))
            .or_else(storage::load_backend)
            .unwrap_or_default();
        let (route, query) = route::parse_hash(&route::current_hash());
        let (config, url_errors) = if route == Route::Playground && route::has_config_keys(&query) {
            PlaygroundConfig::from_query(&route::decoded_query(&query))
        } else {
            (PlaygroundConfig::default(), Vec::new())
        };
        let activations = if route == Route::Activations && ActivationsState::has_keys(&query) {
            ActivationsState::from_query(&query)
        } else {
            ActivationsState::default()
        };
        let losses = if route == Route::Losses && LossesState::has_keys(&query) {
            LossesState::from_query(&query)
        } else {
            LossesState::default()
        };
        let (cnn, cnn_errors) = if route == Route::Cnn && link::has_keys(&query) {
            link::from_query(&query)
        } else {
            (CnnSettings::default(), Vec::new())
        };
        let mut state = Self::new(
            Settings {
                lang,
                backend,
                config,
                activations,
                losses,
                cnn,
            },
            route,
            url_errors,
        );
        state.cnn.url_errors = cnn_errors;
        state
    }

    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    fn on_message(&mut self, message: FromWorker) {
        match message {
            FromWorker::Started => {}
            FromWorker::Ready { backend } => self.backend = Some(backend),
            FromWorker::Loaded { config: _, split } => {
                // A new run. Its first report may already be here (step 0): keep that one.
                self.running = false;
                if self.progress.as_ref().is_some_and(|p| p.step != 0) {
                    self.progress = None;
                }
                self.history = Rc::new(History::default());
                self.rejected.clear();
                self.split = Some(Rc::new(split));
            }
            FromWorker::Rejected { errors } => self.rejected = errors,
            FromWorker::Progress { progress } => {
                let mut history = if progress.step == 0 {
                    History::default()
                } else {
                    (*self.history).clone()
                };
                history.push(
                    progress.step,
                    TrainTest {
                        train: progress.evaluation.train_loss,
                        test: progress.evaluation.test_loss,
                    },
                );
                self.history = Rc::new(history);
                self.progress = Some(progress);
            }
            FromWorker::Boundary {
                resolution,
                probabilities,
            } => {
                self.boundary = Some(Rc::new(Boundary {
                    resolution,
                    probabilities,
                }));
            }
            FromWorker::Running { running } => self.running = running,
            FromWorker::Computed { id, result } => self.on_computed(id, result),
            FromWorker::Panicked { message } => {
                self.running = false;
                self.banner = Some(Banner::Crashed {
                    message,
                    restarted: false,
                });
            }
            FromWorker::Failed { message } => {
                self.running = false;
                self.cnn.running = false;
                self.banner = Some(Banner::Failed { message });
            }
            FromWorker::Cnn { event } => self.cnn.on_event(&mut self.settings.cnn, event),
        }
    }
}

impl AppState {
    /// Keeps the answer to the latest request; answers to older ones are dropped.
    fn on_computed(
        &mut self,
        id: u64,
        result: Result<
            kindling_engine::protocol::LessonResult,
            kindling_engine::common::input::InputError,
        >,
    ) {
        let Some((pending, request)) = self.lesson_pending.take() else {
            return;
        };
        if pending != id {
            self.lesson_pending = Some((pending, request));
            return;
        }
        let answer = Some(Rc::new(LessonAnswer {
            id,
            request: (*request).clone(),
            result,
        }));
        match *request {
            LessonRequest::Activation(_) => self.activation_answer = answer,
            LessonRequest::Loss(_) => self.loss_answer = answer,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Navigate(route) => {
                next.route = route;
                if route == Route::Cnn {
                    next.cnn.reduce(&mut next.settings.cnn, CnnAction::Open);
                }
            }
            Action::SetLang(lang) => next.settings.lang = lang,
            Action::SetBackendPreference(preference) => {
                next.settings.backend = preference;
                next.backend = None;
                next.running = false;
                next.cnn.running = false;
            }
            Action::SetConfig(config) => {
                next.settings.config = config;
                next.url_errors.clear();
                next.rejected.clear();
            }
            Action::LoadFromUrl { config, errors } => {
                next.settings.config = config;
                next.url_errors = errors;
                next.rejected.clear();
            }
            Action::Worker(WorkerEvent::Message(message)) => next.on_message(message),
            Action::Worker(WorkerEvent::Crashed { message, restarted }) => {
                next.running = false;
                next.cnn
                    .reduce(&mut next.settings.cnn, CnnAction::WorkerCrashed);
                next.backend = None;
                next.banner = Some(Banner::Crashed { message, restarted });
            }
            Action::DismissBanner => next.banner = None,
            Action::SetActivations(page) => next.settings.activations = page,
            Action::SetLosses(page) => next.settings.losses = page,
            Action::LessonRequested { id, request } => {
                next.lesson_pending = Some((id, Rc::new(request)));
            }
            Action::Cnn(action) => next.cnn.reduce(&mut next.settings.cnn, action),
            Action::Mnist(result) => next.mnist = Some(result.map(Rc::new)),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_lesson_answer_is_kept() {
        use kindling_engine::common::input::InputError;
        let state = Rc::new(AppState::new(
            Settings::default(),
            Route::Losses,
            Vec::new(),
        ));
        let request = |pred: &str| {
            LessonRequest::Loss(
                LossesState::from_query(&format!("loss=mse&pred={pred}&target=1"))
                    .request()
                    .unwrap(),
            )
        };
        let state = state.reduce(Action::LessonRequested {
            id: 1,
            request: request("1"),
        });
        let state = state.reduce(Action::LessonRequested {
            id: 2,
            request: request("2"),
        });
        let answer = |id| {
            Action::Worker(WorkerEvent::Message(FromWorker::Computed {
                id,
                result: Err(InputError::Empty),
            }))
        };
        let state = state.reduce(answer(1));
        assert!(state.loss_answer.is_none());
        let state = state.reduce(answer(2));
        let kept = state.loss_answer.clone().unwrap();
        assert_eq!((kept.id, &kept.request), (2, &request("2")));
        assert!(state.lesson_pending.is_none());
        assert!(state.activation_answer.is_none());
        let settings = serde_json::to_string(&state.settings).unwrap();
        let back: Settings = serde_json::from_str(&settings).unwrap();
        assert_eq!(back, state.settings);
    }
}
