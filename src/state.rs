//! The whole page's state: the shell (route, language, backend, banner, which worker is ready)
//! and one field per lesson, each with its own reducer; driven by learner actions and worker
//! messages.

use std::rc::Rc;

use kindling_engine::common::device_error::{is_out_of_memory, requested_bytes};
use kindling_engine::lessons::activations::{ActivationRequest, ActivationResult};
use kindling_engine::lessons::losses::{LossRequest, LossResult};
use kindling_engine::protocol::{
    ActiveBackend, BackendKind, BackendPreference, Calibration, CpuReason, FromWorker,
};
use yew::Reducible;

use crate::i18n::Lang;
use crate::lessons::PageLesson;
use crate::lessons::activations::state::ActivationsState;
use crate::lessons::bench::state::{BenchAction, BenchState};
use crate::lessons::cnn::state::{CnnAction, CnnState};
use crate::lessons::detect::state::{DetectAction, DetectState};
use crate::lessons::gan::state::{GanAction, GanState};
use crate::lessons::losses::state::LossesState;
use crate::lessons::playground::state::{PlaygroundAction, PlaygroundState};
use crate::lessons::transfer::state::{TransferAction, TransferState};
use crate::lessons::worked_answer::{WorkedAction, WorkedLesson};
use crate::route::{self, Route};
use crate::services::manifest::MnistManifest;
use crate::services::storage;
use crate::services::worker::WorkerEvent;

pub type ActivationsLesson = WorkedLesson<ActivationsState, ActivationRequest, ActivationResult>;
pub type ActivationsAction = WorkedAction<ActivationsState, ActivationRequest, ActivationResult>;
pub type LossesLesson = WorkedLesson<LossesState, LossRequest, LossResult>;
pub type LossesAction = WorkedAction<LossesState, LossRequest, LossResult>;

#[derive(Clone, Debug, PartialEq)]
pub enum Banner {
    Crashed {
        message: String,
        restarted: bool,
    },
    /// The worker stopped because the GPU's memory ran out (it restarted, and the lessons go on
    /// from their checkpoints).
    OutOfMemory {
        /// The size of the allocation that did not fit, when the message names it.
        requested: Option<u64>,
        /// The worker's own words, shown on request.
        message: String,
    },
    /// The GPU device was lost; the page moved to the CPU.
    DeviceLost {
        message: String,
    },
    Failed {
        message: String,
    },
}

impl Banner {
    /// A stopped worker's banner: a WebGPU worker that ran out of memory is explained when a new
    /// worker took over; anything else is a crash (a CPU worker's memory is not the GPU's).
    fn crashed(message: String, restarted: bool, on_gpu: bool) -> Self {
        if restarted && on_gpu && is_out_of_memory(&message) {
            Banner::OutOfMemory {
                requested: requested_bytes(&message),
                message,
            }
        } else {
            Banner::Crashed { message, restarted }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub route: Route,
    pub lang: Lang,
    pub preference: BackendPreference,
    /// `None` until the worker says which backend it runs on, and again after it stops.
    pub backend: Option<ActiveBackend>,
    pub banner: Option<Banner>,
    /// How many workers have said `Ready`: the lessons send their state to each new one.
    pub workers_ready: u64,
    /// What calibrations measured, one per adapter (kept in local storage by the worker service).
    pub calibrations: Vec<Calibration>,
    /// How many times the page asked for a fresh worker on the measured backend: at once when no
    /// lesson had trained, or when the learner took the badge's offer.
    pub switches: u64,
    pub playground: PlaygroundState,
    pub activations: ActivationsLesson,
    pub losses: LossesLesson,
    pub cnn: CnnState,
    pub gan: GanState,
    pub transfer: TransferState,
    pub detect: DetectState,
    pub bench: BenchState,
    /// The MNIST files' description, once asked for (the About page), or why it is missing.
    pub mnist: Option<Result<Rc<MnistManifest>, String>>,
    /// The GPU device was lost in this visit and the page moved to the CPU by itself (until the
    /// learner chooses a backend).
    pub gpu_lost: bool,
}

pub enum Action {
    Navigate(Route),
    /// The link changed: the open lesson takes the settings it holds (raw query).
    FollowLink {
        route: Route,
        query: String,
    },
    SetLang(Lang),
    SetBackendPreference(BackendPreference),
    /// The learner took the badge's offer: a fresh worker on the measured backend.
    SwitchBackend,
    Worker(WorkerEvent),
    DismissBanner,
    Playground(PlaygroundAction),
    Activations(ActivationsAction),
    Losses(LossesAction),
    Cnn(CnnAction),
    Gan(GanAction),
    Transfer(TransferAction),
    Detect(DetectAction),
    Bench(BenchAction),
    Mnist(Result<MnistManifest, String>),
}

/// The language the page opens in: the URL's, the one chosen last time, or the browser's.
pub fn initial_lang() -> Lang {
    route::url_param("lang")
        .and_then(|v| Lang::from_code(&v))
        .or_else(storage::load_lang)
        .unwrap_or_else(|| {
            let tag = web_sys::window()
                .and_then(|w| w.navigator().language())
                .unwrap_or_default();
            Lang::from_browser(&tag)
        })
}

impl AppState {
    /// Whether any lesson is training now: a reload (to apply a new release) would stop it.
    pub fn training(&self) -> bool {
        self.playground.running
            || self.cnn.running
            || self.gan.running
            || self.gan.digits.running
            || self.transfer.running
            || self.transfer.own.running
            || self.detect.running
    }

    pub fn new(lang: Lang, preference: BackendPreference, route: Route) -> Self {
        let mut state = Self {
            route,
            lang,
            preference,
            backend: None,
            banner: None,
            workers_ready: 0,
            calibrations: Vec::new(),
            switches: 0,
            playground: PlaygroundState::default(),
            activations: WorkedLesson::default(),
            losses: WorkedLesson::default(),
            cnn: CnnState::default(),
            gan: GanState::default(),
            transfer: TransferState::default(),
            detect: DetectState::default(),
            bench: BenchState::default(),
            mnist: None,
            gpu_lost: false,
        };
        state.open(route);
        state
    }

    /// The starting state, from the URL, local storage and the browser's language.
    pub fn from_browser() -> Self {
        let lang = initial_lang();
        let preference = route::url_param("backend")
            .and_then(|v| BackendPreference::from_name(v.trim()))
            .or_else(storage::load_backend)
            .unwrap_or_default();
        let (route, query) = route::parse_hash(&route::current_hash());
        let mut state = Self::new(lang, preference, route);
        state.calibrations = storage::load_calibrations();
        if let Some(lesson) = state.open_lesson(route, &query) {
            lesson.start_from_link(&query);
            lesson.opened();
        }
        state
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The number of the worker that is ready for lesson commands, if one is.
    pub fn ready_worker(&self) -> Option<u64> {
        self.backend.as_ref().map(|_| self.workers_ready)
    }

    /// What a calibration measured on the running worker's adapter, if one did.
    pub fn calibration(&self) -> Option<&Calibration> {
        let adapter = self.backend.as_ref()?.measured_adapter()?;
        self.calibrations.iter().find(|c| c.adapter == adapter)
    }

    /// The backend the measurement prefers over the running one, on `Auto`.
    pub fn offered_switch(&self) -> Option<BackendKind> {
        let running = self.backend.as_ref()?.kind();
        let choice = self.calibration()?.choice;
        (self.preference == BackendPreference::Auto && choice != running).then_some(choice)
    }

    /// Asks for a fresh worker, which the service starts on the measured backend.
    fn switch(&mut self) {
        self.switches += 1;
        self.worker_lost();
    }

    /// Every lesson, for what the shell does to each alike (one line a lesson).
    fn lessons(&mut self) -> [&mut dyn PageLesson; 8] {
        [
            &mut self.playground,
            &mut self.activations,
            &mut self.losses,
            &mut self.cnn,
            &mut self.gan,
            &mut self.transfer,
            &mut self.detect,
            &mut self.bench,
        ]
    }

    /// The lesson on `route`, if the link's `query` sets any of its settings.
    fn open_lesson(&mut self, route: Route, query: &str) -> Option<&mut dyn PageLesson> {
        self.lessons()
            .into_iter()
            .find(|lesson| lesson.route() == route && lesson.has_keys(query))
    }

    fn open(&mut self, route: Route) {
        self.route = route;
        for lesson in self.lessons() {
            if lesson.route() == route {
                lesson.opened();
            }
        }
    }

    /// The worker stopped: every lesson hears it.
    /// Whether the worker (still) runs on WebGPU.
    fn on_gpu(&self) -> bool {
        matches!(self.backend, Some(ActiveBackend::WebGpu { .. }))
    }

    fn worker_lost(&mut self) {
        self.backend = None;
        self.lessons_lose_worker();
    }

    fn lessons_lose_worker(&mut self) {
        for lesson in self.lessons() {
            lesson.worker_lost();
        }
    }

    fn on_message(&mut self, message: FromWorker) {
        match message {
            FromWorker::Started => {}
            FromWorker::Ready { backend } => {
                let moved = self.gpu_lost
                    && backend
                        == (ActiveBackend::Cpu {
                            reason: CpuReason::Requested,
                        });
                self.backend = Some(if moved {
                    ActiveBackend::Cpu {
                        reason: CpuReason::DeviceLost,
                    }
                } else {
                    backend
                });
                self.workers_ready += 1;
            }
            FromWorker::Calibrated {
                calibration,
                trained,
            } => {
                self.calibrations
                    .retain(|c| c.adapter != calibration.adapter);
                self.calibrations.insert(0, calibration);
                // Nothing to lose yet: move now. Otherwise the badge offers the move.
                if !trained && self.offered_switch().is_some() {
                    self.switch();
                }
            }
            // The app routes lesson events to the lessons' own actions.
            FromWorker::Playground(_)
            | FromWorker::Activations(_)
            | FromWorker::Losses(_)
            | FromWorker::Cnn(_)
            | FromWorker::Transfer(_)
            | FromWorker::Gan(_)
            | FromWorker::Detect(_)
            | FromWorker::Bench(_) => {}
            FromWorker::DeviceLost { message } => {
                // The CPU for the rest of this visit (the saved choice stays): a fresh worker
                // there, to which each lesson sends its state, the CNN its last checkpoint.
                self.preference = BackendPreference::Cpu;
                self.gpu_lost = true;
                self.banner = Some(Banner::DeviceLost { message });
                self.switch();
            }
            FromWorker::Panicked { message } => {
                let on_gpu = self.on_gpu();
                self.worker_lost();
                self.banner = Some(Banner::crashed(message, false, on_gpu));
            }
            FromWorker::Failed { message } => {
                self.lessons_lose_worker();
                self.banner = Some(Banner::Failed { message });
            }
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Navigate(route) => next.open(route),
            Action::FollowLink { route, query } => {
                if let Some(lesson) = next.open_lesson(route, &query) {
                    lesson.follow_link(&query);
                }
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::SetBackendPreference(preference) => {
                next.preference = preference;
                next.gpu_lost = false;
                next.worker_lost();
            }
            Action::SwitchBackend => next.switch(),
            Action::Worker(WorkerEvent::Message(message)) => next.on_message(message),
            Action::Worker(WorkerEvent::Crashed { message, restarted }) => {
                let on_gpu = next.on_gpu();
                next.worker_lost();
                next.banner = Some(Banner::crashed(message, restarted, on_gpu));
            }
            Action::DismissBanner => next.banner = None,
            Action::Playground(action) => next.playground.reduce(action),
            Action::Activations(action) => next.activations.reduce(action),
            Action::Losses(action) => next.losses.reduce(action),
            Action::Cnn(action) => next.cnn.reduce(action),
            Action::Gan(action) => next.gan.reduce(action),
            Action::Transfer(action) => next.transfer.reduce(action),
            Action::Detect(action) => next.detect.reduce(action),
            Action::Bench(action) => next.bench.reduce(action),
            Action::Mnist(result) => next.mnist = Some(result.map(Rc::new)),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::common::input::InputError;
    use kindling_engine::lessons::playground::messages::PlaygroundEvent;

    fn message(message: FromWorker) -> Action {
        Action::Worker(WorkerEvent::Message(message))
    }

    #[test]
    fn any_lesson_that_trains_counts_as_training() {
        let fresh = || AppState::new(Lang::En, BackendPreference::Auto, Route::Home);
        assert!(!fresh().training());
        let marks: [fn(&mut AppState); 7] = [
            |s| s.playground.running = true,
            |s| s.cnn.running = true,
            |s| s.gan.running = true,
            |s| s.gan.digits.running = true,
            |s| s.transfer.running = true,
            |s| s.transfer.own.running = true,
            |s| s.detect.running = true,
        ];
        for mark in marks {
            let mut state = fresh();
            mark(&mut state);
            assert!(state.training());
        }
    }

    #[test]
    fn lesson_actions_reach_their_lesson() {
        let state = Rc::new(AppState::new(
            Lang::En,
            BackendPreference::Auto,
            Route::Losses,
        ));
        let request = |pred: &str| {
            LossesState::from_query(&format!("loss=mse&pred={pred}&target=1"))
                .request()
                .unwrap()
        };
        let state = state.reduce(Action::Losses(WorkedAction::Requested {
            id: 1,
            request: request("1"),
        }));
        let state = state.reduce(Action::Activations(WorkedAction::Requested {
            id: 1,
            request: ActivationsState::default().request().unwrap(),
        }));
        let state = state.reduce(Action::Losses(WorkedAction::Computed {
            id: 1,
            result: Err(InputError::Empty),
        }));
        assert_eq!(
            state.losses.answer.as_ref().map(|a| (a.id, &a.request)),
            Some((1, &request("1")))
        );
        assert!(state.activations.answer.is_none());
        let running = PlaygroundAction::Event(PlaygroundEvent::Running { running: true });
        let state = state.reduce(Action::Playground(running));
        assert!(state.playground.running);
    }

    #[test]
    fn a_changed_link_reaches_only_the_open_lesson() {
        let state = Rc::new(AppState::new(Lang::En, BackendPreference::Auto, Route::Cnn));
        assert_eq!(
            state.cnn.requests.data, 1,
            "opening the CNN asks for its data"
        );
        let follow = |route, query: &str| Action::FollowLink {
            route,
            query: query.into(),
        };
        let state = state.reduce(follow(Route::Cnn, "epochs=3"));
        assert_eq!(state.cnn.applied.epochs, 3);
        let state = state.reduce(follow(Route::Cnn, "lang=zh"));
        assert_eq!(state.cnn.applied.epochs, 3, "no CNN keys: settings kept");
        let state = state.reduce(follow(Route::Losses, "loss=bce"));
        assert_eq!(state.losses.inputs, LossesState::from_query("loss=bce"));
        assert_eq!(state.activations, ActivationsLesson::default());
        let state = state.reduce(follow(Route::Activations, "loss=bce"));
        assert_eq!(state.activations, ActivationsLesson::default());
        let state = state.reduce(follow(Route::Bench, "steps=5&w=gan"));
        assert_eq!(state.bench.settings.steps, 5);
        assert_eq!(state.cnn.applied.epochs, 3);
    }

    fn measured(adapter: &str, cpu_ms: f64, webgpu_ms: f64) -> Calibration {
        Calibration::new(adapter.into(), Some(cpu_ms), Some(webgpu_ms))
    }

    fn ready_on_webgpu(preference: BackendPreference) -> Rc<AppState> {
        let state = Rc::new(AppState::new(Lang::En, preference, Route::Home));
        state.reduce(message(FromWorker::Ready {
            backend: ActiveBackend::WebGpu {
                adapter: "Intel Xe".into(),
            },
        }))
    }

    #[test]
    fn a_measured_faster_cpu_replaces_a_worker_that_has_not_trained() {
        let state = ready_on_webgpu(BackendPreference::Auto);
        assert_eq!(state.calibration(), None);
        let state = state.reduce(message(FromWorker::Calibrated {
            calibration: measured("Intel Xe", 31.0, 95.0),
            trained: false,
        }));
        assert_eq!(state.switches, 1);
        assert_eq!(state.ready_worker(), None, "the old worker is let go");
        // The new worker runs on the CPU because of the measurement, and says so.
        let state = state.reduce(message(FromWorker::Ready {
            backend: ActiveBackend::Cpu {
                reason: kindling_engine::protocol::CpuReason::Measured {
                    adapter: "Intel Xe".into(),
                },
            },
        }));
        assert_eq!(state.calibration(), Some(&measured("Intel Xe", 31.0, 95.0)));
        assert_eq!(state.offered_switch(), None);
        assert_eq!(state.switches, 1);
    }

    #[test]
    fn after_training_the_measured_backend_is_only_offered() {
        let state = ready_on_webgpu(BackendPreference::Auto);
        let state = state.reduce(message(FromWorker::Calibrated {
            calibration: measured("Intel Xe", 31.0, 95.0),
            trained: true,
        }));
        assert_eq!(state.switches, 0);
        assert_eq!(state.offered_switch(), Some(BackendKind::Cpu));
        let state = state.reduce(Action::SwitchBackend);
        assert_eq!(state.switches, 1);
        assert_eq!(state.offered_switch(), None);
    }

    #[test]
    fn a_measured_faster_webgpu_or_a_chosen_backend_stays() {
        let state =
            ready_on_webgpu(BackendPreference::Auto).reduce(message(FromWorker::Calibrated {
                calibration: measured("Intel Xe", 31.0, 5.0),
                trained: false,
            }));
        assert_eq!(state.switches, 0);
        assert_eq!(state.offered_switch(), None);
        assert_eq!(state.calibration().map(|c| c.webgpu_ms), Some(Some(5.0)));
        let state =
            ready_on_webgpu(BackendPreference::WebGpu).reduce(message(FromWorker::Calibrated {
                calibration: measured("Intel Xe", 31.0, 95.0),
                trained: false,
            }));
        assert_eq!(state.switches, 0, "the learner chose WebGPU");
        assert_eq!(state.offered_switch(), None);
    }

    #[test]
    fn each_ready_worker_has_a_new_number() {
        let state = Rc::new(AppState::new(
            Lang::En,
            BackendPreference::Auto,
            Route::Home,
        ));
        assert_eq!(state.ready_worker(), None);
        let backend = ActiveBackend::WebGpu {
            adapter: "x".into(),
        };
        let state = state.reduce(message(FromWorker::Ready {
            backend: backend.clone(),
        }));
        assert_eq!(state.ready_worker(), Some(1));
        let running = PlaygroundAction::Event(PlaygroundEvent::Running { running: true });
        let state = state.reduce(Action::Playground(running));
        let state = state.reduce(Action::Worker(WorkerEvent::Crashed {
            message: "boom".into(),
            restarted: true,
        }));
        assert_eq!(state.ready_worker(), None);
        assert!(!state.playground.running);
        let state = state.reduce(message(FromWorker::Ready { backend }));
        assert_eq!(state.ready_worker(), Some(2));
    }

    #[test]
    fn a_worker_out_of_gpu_memory_is_explained_once_a_new_worker_took_over() {
        let state = ready_on_webgpu(BackendPreference::WebGpu);
        let oom = "panicked at read.rs:21:19:\nthe device could not finish: can't allocate buffer of size: 4294967296";
        let crashed = |message: &str, restarted| {
            Action::Worker(WorkerEvent::Crashed {
                message: message.into(),
                restarted,
            })
        };
        let after = state.clone().reduce(crashed(oom, true));
        assert_eq!(
            after.banner,
            Some(Banner::OutOfMemory {
                requested: Some(4_294_967_296),
                message: oom.into()
            })
        );
        assert_eq!(
            after.ready_worker(),
            None,
            "the lessons wait for the new worker"
        );
        // No new worker: the page cannot go on, whatever the reason.
        let stopped = state.clone().reduce(crashed(oom, false));
        assert!(matches!(
            stopped.banner,
            Some(Banner::Crashed {
                restarted: false,
                ..
            })
        ));
        let other = state.reduce(crashed("crash requested by the page", true));
        assert!(matches!(other.banner, Some(Banner::Crashed { .. })));
        // A CPU worker out of memory is a crash: the GPU's memory has nothing to do with it.
        let cpu = Rc::new(AppState::new(Lang::En, BackendPreference::Cpu, Route::Home));
        let cpu = cpu.reduce(message(FromWorker::Ready {
            backend: ActiveBackend::Cpu {
                reason: CpuReason::Requested,
            },
        }));
        let after = cpu.reduce(crashed("RangeError: Out of memory", true));
        assert!(matches!(after.banner, Some(Banner::Crashed { .. })));
    }

    #[test]
    fn a_lost_gpu_moves_the_page_to_a_cpu_worker() {
        let state = ready_on_webgpu(BackendPreference::WebGpu);
        let running = PlaygroundAction::Event(PlaygroundEvent::Running { running: true });
        let state = state.reduce(Action::Playground(running));
        let state = state.reduce(message(FromWorker::DeviceLost {
            message: "Destroyed".into(),
        }));
        assert_eq!(state.preference, BackendPreference::Cpu);
        assert_eq!(state.switches, 1, "a fresh worker is asked for");
        assert_eq!(state.ready_worker(), None);
        assert!(!state.playground.running, "the run pauses");
        assert_eq!(
            state.banner,
            Some(Banner::DeviceLost {
                message: "Destroyed".into()
            })
        );
        // The CPU worker starts because the page asked for the CPU; the badge says why.
        let on_cpu = |reason| ActiveBackend::Cpu { reason };
        let state = state.reduce(message(FromWorker::Ready {
            backend: on_cpu(CpuReason::Requested),
        }));
        assert_eq!(state.backend, Some(on_cpu(CpuReason::DeviceLost)));
        // Once the learner chooses, the CPU is their choice again.
        let state = state.reduce(Action::SetBackendPreference(BackendPreference::Cpu));
        let state = state.reduce(message(FromWorker::Ready {
            backend: on_cpu(CpuReason::Requested),
        }));
        assert_eq!(state.backend, Some(on_cpu(CpuReason::Requested)));
    }
}
