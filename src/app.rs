//! The page: header (navigation, language, backend), error banner and the current route.

use std::cell::RefCell;
use std::rc::Rc;

use kindling_engine::lessons::cnn::messages::CnnEvent;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::config::ConfigError;
use kindling_engine::protocol::{BackendPreference, FromWorker, LessonRequest, ToWorker};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::lessons::cnn::effects::{use_cnn_requests, use_mnist_manifest};
use crate::lessons::cnn::link;
use crate::lessons::cnn::state::{CnnAction, ModelMessage, model_file_name};
use crate::shell::about::About;
use crate::lessons::activations::page::ActivationsPage;
use crate::shell::backend_badge::BackendBadge;
use crate::lessons::cnn::page::CnnPage;
use crate::shell::error_banner::ErrorBanner;
use crate::shell::home::Home;
use crate::shell::language_switch::LanguageSwitch;
use crate::lessons::losses::page::LossesPage;
use crate::shell::nav::Nav;
use crate::lessons::playground::page::Playground;
use crate::i18n::{Lang, t};
use crate::lessons::activations::state::ActivationsState;
use crate::lessons::losses::state::LossesState;
use crate::route::{self, Route};
use crate::services::worker::{WorkerEvent, WorkerService};
use crate::services::{download, storage};
use crate::state::{Action, AppState};

pub(crate) type SharedService = Rc<RefCell<Option<WorkerService>>>;

pub(crate) fn send(service: &SharedService, message: ToWorker) {
    if let Some(service) = service.borrow().as_ref() {
        service.send(message);
    }
}

/// Adopts a configuration (from the controls, or from the link when `url_errors` is given) and
/// loads it in the worker, keeping it running if it was.
fn apply_config(
    state: &UseReducerHandle<AppState>,
    service: &SharedService,
    config: PlaygroundConfig,
    url_errors: Option<Vec<ConfigError>>,
) {
    let changed = config != state.settings.config;
    let running = state.running;
    match url_errors {
        Some(errors) => state.dispatch(Action::LoadFromUrl {
            config: config.clone(),
            errors,
        }),
        None if changed => state.dispatch(Action::SetConfig(config.clone())),
        None => return,
    }
    if changed {
        send(service, ToWorker::Load { config });
        if running {
            send(service, ToWorker::Play);
        }
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::from_browser);
    let service: SharedService = use_mut_ref(|| None);

    // The worker: started once, with the preference and settings the page opened with.
    {
        let service = service.clone();
        let dispatcher = state.dispatcher();
        let preference = state.settings.backend;
        let config = state.settings.config.clone();
        use_effect_with((), move |_| {
            let on_event = Callback::from(move |event: WorkerEvent| {
                // A saved model is handed to the browser at once; the state keeps only its card.
                let saved = match &event {
                    WorkerEvent::Message(FromWorker::Cnn {
                        event: CnnEvent::Exported { bytes, card },
                    }) => Some(download::save(&model_file_name(card), bytes)),
                    _ => None,
                };
                dispatcher.dispatch(Action::Worker(event));
                if let Some(Err(message)) = saved {
                    let message = ModelMessage::DownloadFailed { message };
                    dispatcher.dispatch(Action::Cnn(CnnAction::ModelMessage(message)));
                }
            });
            let started = WorkerService::start(preference, Some(config), on_event);
            // `?debug=crash-worker` makes the first worker panic once, to show the recovery.
            if route::url_param("debug").as_deref() == Some("crash-worker") {
                started.send(ToWorker::Crash);
            }
            *service.borrow_mut() = Some(started);
            move || {
                let stopped = service.borrow_mut().take();
                if let Some(stopped) = stopped {
                    stopped.shutdown();
                }
            }
        });
    }

    // Follow the hash: route changes, and settings pasted into the link.
    {
        let state = state.clone();
        let service = service.clone();
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
                    apply_config(&state, &service, config, Some(errors));
                }
                if route == Route::Activations && ActivationsState::has_keys(&query) {
                    state.dispatch(Action::SetActivations(ActivationsState::from_query(&query)));
                }
                if route == Route::Losses && LossesState::has_keys(&query) {
                    state.dispatch(Action::SetLosses(LossesState::from_query(&query)));
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
        (state.route, state.settings.config.clone()),
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
        (state.route, state.settings.cnn.clone()),
        |(route, settings)| {
            if *route == Route::Cnn {
                let (_, query) = route::parse_hash(&route::current_hash());
                let same = link::has_keys(&query)
                    && link::from_query(&query).0 == *settings;
                if !same {
                    route::replace_hash(&route::format_hash(
                        Route::Cnn,
                        &link::to_query(settings),
                    ));
                }
            }
        },
    );

    use_cnn_requests(&state, &service);
    use_mnist_manifest(&state);

    // Keep the lesson pages' inputs in the link.
    use_effect_with(
        (
            state.route,
            state.settings.activations.clone(),
            state.settings.losses.clone(),
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

    // Ask the worker for the lesson's worked example whenever its inputs are valid (and again
    // when a fresh worker reports its backend, since a restart forgets queued requests).
    {
        let service = service.clone();
        let dispatcher = state.dispatcher();
        let next_id = use_mut_ref(|| 0u64);
        use_effect_with(
            (
                state.route,
                state.settings.activations.clone(),
                state.settings.losses.clone(),
                state.backend.clone(),
            ),
            move |(route, activations, losses, _backend)| {
                let request = match route {
                    Route::Activations => activations.request().ok().map(LessonRequest::Activation),
                    Route::Losses => losses.request().ok().map(LessonRequest::Loss),
                    _ => None,
                };
                if let Some(request) = request {
                    let id = {
                        let mut next = next_id.borrow_mut();
                        *next += 1;
                        *next
                    };
                    dispatcher.dispatch(Action::LessonRequested {
                        id,
                        request: request.clone(),
                    });
                    send(&service, ToWorker::Compute { id, request });
                }
            },
        );
    }

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
        let service = service.clone();
        Callback::from(move |preference: BackendPreference| {
            storage::save_backend(preference);
            state.dispatch(Action::SetBackendPreference(preference));
            if let Some(service) = service.borrow().as_ref() {
                service.restart(preference);
            }
        })
    };

    let on_dismiss = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::DismissBanner))
    };

    let on_send = {
        let service = service.clone();
        Callback::from(move |message: ToWorker| send(&service, message))
    };

    let on_config = {
        let state = state.clone();
        let service = service.clone();
        Callback::from(move |config: PlaygroundConfig| apply_config(&state, &service, config, None))
    };

    let on_activations = {
        let state = state.clone();
        Callback::from(move |page: ActivationsState| state.dispatch(Action::SetActivations(page)))
    };

    let on_losses = {
        let state = state.clone();
        Callback::from(move |page: LossesState| state.dispatch(Action::SetLosses(page)))
    };

    let page = match state.route {
        Route::Home => html! { <Home {lang} /> },
        Route::About => html! { <About {lang} manifest={state.mnist.clone()} /> },
        Route::Activations => html! {
            <ActivationsPage
                {lang}
                page={state.settings.activations.clone()}
                answer={state.activation_answer.clone()}
                on_change={on_activations}
            />
        },
        Route::Losses => html! {
            <LossesPage
                {lang}
                page={state.settings.losses.clone()}
                answer={state.loss_answer.clone()}
                on_change={on_losses}
            />
        },
        Route::Playground => html! {
            <Playground state={(*state).clone()} {on_send} {on_config} />
        },
        Route::Cnn => {
            let on_cnn = {
                let state = state.clone();
                Callback::from(move |action: CnnAction| state.dispatch(Action::Cnn(action)))
            };
            html! { <CnnPage state={(*state).clone()} on_send={on_send.clone()} {on_cnn} /> }
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
                            preference={state.settings.backend}
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
