//! The page: header (navigation, language, backend), error banner and the current route.

use kindling_engine::lessons::activations::messages::ActivationsEvent;
use kindling_engine::lessons::cnn::messages::CnnEvent;
use kindling_engine::lessons::losses::messages::LossesEvent;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::protocol::{BackendPreference, FromWorker, ToWorker};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::activations::effects::use_activations_worker;
use crate::lessons::activations::page::ActivationsPage;
use crate::lessons::activations::state::ActivationsState;
use crate::lessons::cnn::effects::use_cnn_worker;
use crate::lessons::cnn::link;
use crate::lessons::cnn::page::CnnPage;
use crate::lessons::cnn::state::{CnnAction, ModelMessage, model_file_name};
use crate::lessons::losses::effects::use_losses_worker;
use crate::lessons::losses::page::LossesPage;
use crate::lessons::losses::state::LossesState;
use crate::lessons::playground::effects::use_playground_worker;
use crate::lessons::playground::page::Playground;
use crate::lessons::playground::state::PlaygroundAction;
use crate::lessons::worked_answer::WorkedAction;
use crate::route::{self, Route};
use crate::services::worker::{WorkerEvent, WorkerLink, WorkerService};
use crate::services::{download, manifest, storage};
use crate::shell::about::About;
use crate::shell::backend_badge::BackendBadge;
use crate::shell::error_banner::ErrorBanner;
use crate::shell::home::Home;
use crate::shell::language_switch::LanguageSwitch;
use crate::shell::nav::Nav;
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
        event => Action::Worker(event),
    }
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
                // A saved model is handed to the browser at once; the state keeps only its card.
                let saved = match &event {
                    WorkerEvent::Message(FromWorker::Cnn(CnnEvent::Exported { bytes, card })) => {
                        Some(download::save(&model_file_name(card), bytes))
                    }
                    _ => None,
                };
                dispatcher.dispatch(route_event(event));
                if let Some(Err(message)) = saved {
                    let message = ModelMessage::DownloadFailed { message };
                    dispatcher.dispatch(Action::Cnn(CnnAction::ModelMessage(message)));
                }
            });
            let started = WorkerService::start(preference, on_event);
            // `?debug=crash-worker` makes the first worker panic once, to show the recovery.
            if route::url_param("debug").as_deref() == Some("crash-worker") {
                started.send(ToWorker::Crash);
            }
            worker.connect(started);
            move || worker.shutdown()
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
                    state.dispatch(Action::SetLang(lang));
                }
                if route == Route::Playground && route::has_config_keys(&query) {
                    let (config, errors) =
                        PlaygroundConfig::from_query(&route::decoded_query(&query));
                    state.dispatch(Action::Playground(PlaygroundAction::FromUrl {
                        config,
                        errors,
                    }));
                }
                if route == Route::Activations && ActivationsState::has_keys(&query) {
                    let inputs = ActivationsState::from_query(&query);
                    state.dispatch(Action::Activations(WorkedAction::SetInputs(inputs)));
                }
                if route == Route::Losses && LossesState::has_keys(&query) {
                    let inputs = LossesState::from_query(&query);
                    state.dispatch(Action::Losses(WorkedAction::SetInputs(inputs)));
                }
                if route == Route::Cnn && link::has_keys(&query) {
                    let (settings, errors) = link::from_query(&query);
                    state.dispatch(Action::Cnn(CnnAction::FromUrl { settings, errors }));
                }
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

    // Keep the playground's settings in the link.
    use_effect_with(
        (state.route, state.playground.config.clone()),
        |(route, config)| {
            if *route == Route::Playground {
                let (_, query) = route::parse_hash(&route::current_hash());
                let same = route::has_config_keys(&query)
                    && PlaygroundConfig::from_query(&route::decoded_query(&query)).0 == *config;
                if !same {
                    route::replace_hash(&route::format_hash(Route::Playground, &config.to_query()));
                }
            }
        },
    );

    // Keep the CNN's settings in the link.
    use_effect_with(
        (state.route, state.cnn.applied.clone()),
        |(route, settings)| {
            if *route == Route::Cnn {
                let (_, query) = route::parse_hash(&route::current_hash());
                let same = link::has_keys(&query) && link::from_query(&query).0 == *settings;
                if !same {
                    route::replace_hash(&route::format_hash(Route::Cnn, &link::to_query(settings)));
                }
            }
        },
    );

    // Each lesson talks to the worker through its own effects.
    let ready = state.ready_worker();
    use_playground_worker(&state.playground, &worker, ready);
    {
        let dispatcher = state.dispatcher();
        let on_requested = Callback::from(move |(id, request)| {
            dispatcher.dispatch(Action::Activations(WorkedAction::Requested { id, request }))
        });
        let open = state.route == Route::Activations;
        use_activations_worker(&state.activations, open, &worker, ready, on_requested);
    }
    {
        let dispatcher = state.dispatcher();
        let on_requested = Callback::from(move |(id, request)| {
            dispatcher.dispatch(Action::Losses(WorkedAction::Requested { id, request }))
        });
        let open = state.route == Route::Losses;
        use_losses_worker(&state.losses, open, &worker, ready, on_requested);
    }
    use_cnn_worker(&state.cnn, &worker, ready);
    use_mnist_manifest(&state);

    // Keep the lesson pages' inputs in the link.
    use_effect_with(
        (
            state.route,
            state.activations.inputs.clone(),
            state.losses.inputs.clone(),
        ),
        |(route, activations, losses)| {
            let query = match route {
                Route::Activations => Some(activations.to_query()),
                Route::Losses => Some(losses.to_query()),
                _ => None,
            };
            if let Some(query) = query {
                route::replace_hash(&route::format_hash(*route, &query));
            }
        },
    );

    // `<html lang>` and the title follow the language.
    use_effect_with((state.lang(), state.route), |(lang, route)| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", lang.html_lang());
            }
            let page = match route {
                Route::Home => None,
                Route::Playground => Some(t(*lang, "nav.playground")),
                Route::Activations => Some(t(*lang, "nav.activations")),
                Route::Losses => Some(t(*lang, "nav.losses")),
                Route::Cnn => Some(t(*lang, "nav.cnn")),
                Route::About => Some(t(*lang, "nav.about")),
            };
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
            state.dispatch(Action::SetLang(lang));
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

    let on_activations = {
        let state = state.clone();
        Callback::from(move |inputs: ActivationsState| {
            state.dispatch(Action::Activations(WorkedAction::SetInputs(inputs)))
        })
    };

    let on_losses = {
        let state = state.clone();
        Callback::from(move |inputs: LossesState| {
            state.dispatch(Action::Losses(WorkedAction::SetInputs(inputs)))
        })
    };

    let page = match state.route {
        Route::Home => html! { <Home {lang} /> },
        Route::About => html! { <About {lang} manifest={state.mnist.clone()} /> },
        Route::Activations => html! {
            <ActivationsPage
                {lang}
                page={state.activations.inputs.clone()}
                answer={state.activations.answer.clone()}
                on_change={on_activations}
            />
        },
        Route::Losses => html! {
            <LossesPage
                {lang}
                page={state.losses.inputs.clone()}
                answer={state.losses.answer.clone()}
                on_change={on_losses}
            />
        },
        Route::Playground => {
            let on_action = {
                let state = state.clone();
                Callback::from(move |action: PlaygroundAction| {
                    state.dispatch(Action::Playground(action))
                })
            };
            html! { <Playground {lang} state={state.playground.clone()} {on_action} /> }
        }
        Route::Cnn => {
            let on_cnn = {
                let state = state.clone();
                Callback::from(move |action: CnnAction| state.dispatch(Action::Cnn(action)))
            };
            html! { <CnnPage {lang} state={state.cnn.clone()} {on_cnn} /> }
        }
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
                        />
                    </div>
                </div>
            </header>
            <ErrorBanner {lang} banner={state.banner.clone()} {on_dismiss} />
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
        assert!(matches!(message(FromWorker::Started), Action::Worker(_)));
    }
}
