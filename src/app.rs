//! The page: header (navigation, language, backend), error banner and the current route.

use kindling_engine::lessons::activations::messages::ActivationsEvent;
use kindling_engine::lessons::losses::messages::LossesEvent;
use kindling_engine::protocol::{BackendPreference, FromWorker, ToWorker};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::{self, Lang, t};
use crate::lessons::PageLesson;
use crate::lessons::activations::effects::use_activations_worker;
use crate::lessons::activations::page::ActivationsPage;
use crate::lessons::bench::effects::use_bench_worker;
use crate::lessons::bench::page::BenchPage;
use crate::lessons::bench::state::BenchAction;
use crate::lessons::cnn::effects::{save_exported, use_cnn_worker};
use crate::lessons::cnn::page::CnnPage;
use crate::lessons::cnn::state::CnnAction;
use crate::lessons::detect::effects::use_detect_worker;
use crate::lessons::detect::page::DetectPage;
use crate::lessons::detect::state::DetectAction;
use crate::lessons::gan::effects::use_gan_worker;
use crate::lessons::gan::page::Gan;
use crate::lessons::gan::state::GanAction;
use crate::lessons::losses::effects::use_losses_worker;
use crate::lessons::losses::page::LossesPage;
use crate::lessons::playground::effects::use_playground_worker;
use crate::lessons::playground::page::Playground;
use crate::lessons::playground::state::PlaygroundAction;
use crate::lessons::transfer::effects::use_transfer_worker;
use crate::lessons::transfer::page::TransferPage;
use crate::lessons::transfer::state::TransferAction;
use crate::lessons::worked_answer::WorkedAction;
use crate::route::{self, Route};
use crate::services::worker::{WorkerEvent, WorkerLink, WorkerService};
use crate::services::{manifest, storage};
use crate::shell::about::About;
use crate::shell::backend_badge::{BackendBadge, badge_text};
use crate::shell::error_banner::ErrorBanner;
use crate::shell::fault_hooks::{self, FaultHooks};
use crate::shell::home::Home;
use crate::shell::language_switch::LanguageSwitch;
use crate::shell::nav::Nav;
use crate::shell::offline_notice::OfflineNotice;
use crate::state::{Action, AppState};

/// Each lesson's events go to its own reducer; the rest is the shell's.
fn route_event(event: WorkerEvent) -> Action {
    match event {
        WorkerEvent::Message(FromWorker::Playground(event)) => {
            Action::Playground(PlaygroundAction::Event(event))
        }
        WorkerEvent::Message(FromWorker::Activations(ActivationsEvent::Computed {
            id,
            result,
        })) => Action::Activations(WorkedAction::Computed { id, result }),
        WorkerEvent::Message(FromWorker::Losses(LossesEvent::Computed { id, result })) => {
            Action::Losses(WorkedAction::Computed { id, result })
        }
        WorkerEvent::Message(FromWorker::Cnn(event)) => Action::Cnn(CnnAction::Event(event)),
        WorkerEvent::Message(FromWorker::Gan(event)) => Action::Gan(GanAction::Event(event)),
        WorkerEvent::Message(FromWorker::Transfer(event)) => {
            Action::Transfer(TransferAction::Event(event))
        }
        WorkerEvent::Message(FromWorker::Detect(event)) => {
            Action::Detect(DetectAction::Event(event))
        }
        WorkerEvent::Message(FromWorker::Bench(event)) => Action::Bench(BenchAction::Event(event)),
        event => Action::Worker(event),
    }
}

/// A callback that hands a lesson's actions to the app's reducer.
fn to_app<A: 'static>(state: &UseReducerHandle<AppState>, wrap: fn(A) -> Action) -> Callback<A> {
    let dispatcher = state.dispatcher();
    Callback::from(move |action| dispatcher.dispatch(wrap(action)))
}

/// Keeps the link showing the lesson's settings while its page is open.
#[hook]
fn use_lesson_link<L: PageLesson + 'static>(route: Route, lesson: &L) {
    let own = lesson.route();
    use_effect_with((route == own, lesson.to_query()), move |(open, wanted)| {
        if *open {
            let (_, query) = route::parse_hash(&route::current_hash());
            if !L::link_holds(&query, wanted) {
                route::replace_hash(&route::format_hash(own, wanted));
            }
        }
    });
}

/// Fetches the MNIST manifest the first time the About page opens.
#[hook]
fn use_mnist_manifest(state: &UseReducerHandle<AppState>) {
    let dispatcher = state.dispatcher();
    let wanted = state.route == Route::About && state.mnist.is_none();
    use_effect_with(wanted, move |&wanted| {
        if wanted {
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(Action::Mnist(manifest::fetch().await));
            });
        }
    });
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::from_browser);
    let worker = use_memo((), |_| WorkerLink::default());
    let worker = (*worker).clone();

    // The worker: started once, with the preference the page opened with.
    {
        let worker = worker.clone();
        let dispatcher = state.dispatcher();
        let preference = state.preference;
        use_effect_with((), move |_| {
            let on_event = Callback::from(move |event: WorkerEvent| {
                let failed = match &event {
                    WorkerEvent::Message(FromWorker::Cnn(event)) => save_exported(event),
                    _ => None,
                };
                dispatcher.dispatch(route_event(event));
                if let Some(action) = failed {
                    dispatcher.dispatch(Action::Cnn(action));
                }
            });
            let started = WorkerService::start(preference, on_event);
            // `?debug=crash-worker` makes the first worker panic once, to show the recovery;
            // `?debug=calibrate` has the first worker calibrate whatever the preference.
            match route::url_param("debug").as_deref() {
                Some("crash-worker") => started.send(ToWorker::Crash),
                Some("calibrate") => started.send(ToWorker::Calibrate),
                _ => {}
            }
            worker.connect(started);
            move || worker.shutdown()
        });
    }

    // A fresh worker on the measured backend, when the state asks for one.
    {
        let worker = worker.clone();
        let preference = state.preference;
        use_effect_with(state.switches, move |&switches| {
            if switches > 0 {
                worker.restart(preference);
            }
        });
    }

    // Follow the hash: route changes, and settings pasted into the link.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let on_hash = Closure::<dyn Fn()>::new(move || {
                let (route, query) = route::parse_hash(&route::current_hash());
                state.dispatch(Action::Navigate(route));
                if let Some(lang) =
                    route::query_param(&query, "lang").and_then(|v| Lang::from_code(&v))
                {
                    let state = state.clone();
                    i18n::when_loaded(lang, move || state.dispatch(Action::SetLang(lang)));
                }
                state.dispatch(Action::FollowLink { route, query });
                if let Some(window) = web_sys::window() {
                    window.scroll_to_with_x_and_y(0.0, 0.0);
                }
            });
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback(
                    "hashchange",
                    on_hash.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(window) = &window {
                    let _ = window.remove_event_listener_with_callback(
                        "hashchange",
                        on_hash.as_ref().unchecked_ref(),
                    );
                }
                drop(on_hash);
            }
        });
    }

    // Keep each lesson's settings in the link while its page is open.
    use_lesson_link(state.route, &state.playground);
    use_lesson_link(state.route, &state.activations);
    use_lesson_link(state.route, &state.losses);
    use_lesson_link(state.route, &state.cnn);
    use_lesson_link(state.route, &state.gan);
    use_lesson_link(state.route, &state.transfer);
    use_lesson_link(state.route, &state.detect);
    use_lesson_link(state.route, &state.bench);

    // Each lesson talks to the worker through its own effects.
    let ready = state.ready_worker();
    use_playground_worker(
        &state.playground,
        &worker,
        ready,
        to_app(&state, Action::Playground),
    );
    let route = state.route;
    use_activations_worker(
        &state.activations,
        route,
        &worker,
        ready,
        to_app(&state, Action::Activations),
    );
    use_losses_worker(
        &state.losses,
        route,
        &worker,
        ready,
        to_app(&state, Action::Losses),
    );
    use_cnn_worker(&state.cnn, &worker, ready, to_app(&state, Action::Cnn));
    use_gan_worker(&state.gan, &worker, ready, to_app(&state, Action::Gan));
    use_transfer_worker(
        &state.transfer,
        &worker,
        ready,
        to_app(&state, Action::Transfer),
    );
    use_detect_worker(
        &state.detect,
        &worker,
        ready,
        to_app(&state, Action::Detect),
    );
    let backend_text = badge_text(state.lang(), state.backend.as_ref());
    use_bench_worker(
        &state.bench,
        &worker,
        ready,
        state.backend.clone(),
        backend_text.clone(),
        to_app(&state, Action::Bench),
    );
    use_mnist_manifest(&state);

    // `<html lang>` and the title follow the language.
    use_effect_with((state.lang(), state.route), |(lang, route)| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", lang.html_lang());
            }
            let page = (*route != Route::Home).then(|| t(*lang, &route.nav_key()));
            let site = t(*lang, "site.name");
            document.set_title(&match page {
                Some(page) => format!("{page} · {site}"),
                None => format!("{site} · {}", t(*lang, "site.tagline")),
            });
        }
    });

    let lang = state.lang();

    let on_lang = {
        let state = state.clone();
        Callback::from(move |lang: Lang| {
            storage::save_lang(lang);
            let state = state.clone();
            i18n::when_loaded(lang, move || state.dispatch(Action::SetLang(lang)));
        })
    };

    let on_backend = {
        let state = state.clone();
        let worker = worker.clone();
        Callback::from(move |preference: BackendPreference| {
            storage::save_backend(preference);
            state.dispatch(Action::SetBackendPreference(preference));
            worker.restart(preference);
        })
    };

    let on_dismiss = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::DismissBanner))
    };

    let fault_hooks = (route::url_param("debug").as_deref() == Some(fault_hooks::DEBUG_VALUE))
        .then(|| {
            let (panic, kill, lose, overfill) = (
                worker.clone(),
                worker.clone(),
                worker.clone(),
                worker.clone(),
            );
            html! {
                <FaultHooks
                    {lang}
                    on_panic={Callback::from(move |()| panic.send(ToWorker::Crash))}
                    on_kill={Callback::from(move |()| kill.kill())}
                    on_lose_device={Callback::from(move |()| lose.send(ToWorker::LoseDevice))}
                    on_overfill={Callback::from(move |()| overfill.send(ToWorker::OverfillGpu))}
                />
            }
        });

    let page = match state.route {
        Route::Home => html! { <Home {lang} /> },
        Route::About => html! { <About {lang} manifest={state.mnist.clone()} /> },
        Route::Activations => html! {
            <ActivationsPage
                {lang}
                page={state.activations.inputs.clone()}
                answer={state.activations.answer.clone()}
                on_change={to_app(&state, |inputs| Action::Activations(WorkedAction::SetInputs(inputs)))}
            />
        },
        Route::Losses => html! {
            <LossesPage
                {lang}
                page={state.losses.inputs.clone()}
                answer={state.losses.answer.clone()}
                on_change={to_app(&state, |inputs| Action::Losses(WorkedAction::SetInputs(inputs)))}
            />
        },
        Route::Playground => html! {
            <Playground
                {lang}
                state={state.playground.clone()}
                on_action={to_app(&state, Action::Playground)}
            />
        },
        Route::Cnn => html! {
            <CnnPage {lang} state={state.cnn.clone()} on_cnn={to_app(&state, Action::Cnn)} />
        },
        Route::Gan => html! {
            <Gan {lang} state={state.gan.clone()} on_action={to_app(&state, Action::Gan)} />
        },
        Route::Transfer => html! {
            <TransferPage {lang} state={state.transfer.clone()} on_action={to_app(&state, Action::Transfer)} />
        },
        Route::Detect => html! {
            <DetectPage {lang} state={state.detect.clone()} on_action={to_app(&state, Action::Detect)} />
        },
        Route::Bench => html! {
            <BenchPage
                {lang}
                state={state.bench.clone()}
                backend={state.backend.clone()}
                {backend_text}
                on_bench={to_app(&state, Action::Bench)}
            />
        },
    };

    html! {
        <div class="app">
            <header class="site-header">
                <div class="header-inner">
                    <a class="brand" href={Route::Home.href()}>
                        <span class="brand-mark" aria-hidden="true">{"🔥"}</span>
                        <span class="brand-name">{t(lang, "site.name")}</span>
                    </a>
                    <Nav {lang} route={state.route} />
                    <div class="header-tools">
                        <LanguageSwitch {lang} on_change={on_lang} />
                        <BackendBadge
                            {lang}
                            backend={state.backend.clone()}
                            preference={state.preference}
                            on_change={on_backend}
                            calibration={state.calibration().cloned()}
                            offer={state.offered_switch()}
                            on_switch={to_app(&state, |()| Action::SwitchBackend)}
                        />
                    </div>
                </div>
            </header>
            <ErrorBanner {lang} banner={state.banner.clone()} {on_dismiss} />
            <OfflineNotice {lang} training={state.training()} />
            {fault_hooks}
            <main id="main" class="page">{page}</main>
            <footer class="site-footer">
                <p>{t(lang, "footer.text")}</p>
            </footer>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::common::input::InputError;
    use kindling_engine::lessons::bench::messages::Event as BenchEvent;
    use kindling_engine::lessons::bench::workload::Workload;
    use kindling_engine::lessons::cnn::messages::CnnEvent;
    use kindling_engine::lessons::playground::messages::PlaygroundEvent;

    #[test]
    fn lesson_events_go_to_their_lesson() {
        let message = |message| route_event(WorkerEvent::Message(message));
        let running = PlaygroundEvent::Running { running: true };
        assert!(matches!(
            message(FromWorker::Playground(running)),
            Action::Playground(PlaygroundAction::Event(_))
        ));
        let computed = ActivationsEvent::Computed {
            id: 1,
            result: Err(InputError::Empty),
        };
        assert!(matches!(
            message(FromWorker::Activations(computed)),
            Action::Activations(WorkedAction::Computed { id: 1, .. })
        ));
        let computed = LossesEvent::Computed {
            id: 2,
            result: Err(InputError::Empty),
        };
        assert!(matches!(
            message(FromWorker::Losses(computed)),
            Action::Losses(WorkedAction::Computed { id: 2, .. })
        ));
        let ready = CnnEvent::DataReady { train: 1, test: 1 };
        assert!(matches!(
            message(FromWorker::Cnn(ready)),
            Action::Cnn(CnnAction::Event(_))
        ));
        let failed = BenchEvent::Failed {
            workload: Workload::Gan,
            message: "x".into(),
        };
        assert!(matches!(
            message(FromWorker::Bench(failed)),
            Action::Bench(BenchAction::Event(_))
        ));
        assert!(matches!(message(FromWorker::Started), Action::Worker(_)));
    }
}
