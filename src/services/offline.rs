//! The service worker (`sw.js`, written from `www/sw.js` by `cargo xtask loader`), which keeps
//! the site working offline. It is registered only where the browser offers service workers (a
//! secure context: https or localhost); elsewhere the site works online as before and says
//! nothing. A new release installs in the background and waits: the page announces it, and only
//! the learner's click switches to it and reloads (`apply_update`).
//! An open tab looks for a release again when it comes back into view, when the network returns
//! and every hour (`keep_looking`).

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, ServiceWorkerContainer, ServiceWorkerRegistration};
use yew::Callback;

/// What the service worker tells the page.
#[derive(Clone, Debug, PartialEq)]
pub enum OfflineEvent {
    /// A new release is installed and waits for the learner.
    UpdateReady,
    /// A file (a path under the site's folder) is not cached and the network failed.
    Missing(String),
}

thread_local! {
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
    /// The worker build's loader started before a service worker controlled the page.
    static UNKEPT_BUILD: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Set by the learner's click: the next change of service worker reloads this tab.
    static RELOAD_ON_CHANGE: Cell<bool> = const { Cell::new(false) };
}

fn container() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    let navigator = window.navigator();
    let offered = window.is_secure_context()
        && js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    offered.then(|| navigator.service_worker())
}

fn field(value: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(value, &name.into())
        .ok()
        .and_then(|v| v.as_string())
}

fn post(kind: &str, extra: Option<(&str, &str)>) -> Option<()> {
    let controller = container()?.controller()?;
    let message = js_sys::Object::new();
    js_sys::Reflect::set(&message, &"kind".into(), &kind.into()).ok()?;
    if let Some((name, value)) = extra {
        js_sys::Reflect::set(&message, &name.into(), &value.into()).ok()?;
    }
    controller.post_message(&message).ok()
}

/// Asks the service worker to cache the worker build whose loader is `script` (the build this
/// browser runs), now or as soon as one controls the page.
pub fn keep_build(script: &str) {
    if post("keep-build", Some(("loader", script))).is_none() {
        UNKEPT_BUILD.with(|b| *b.borrow_mut() = Some(script.to_string()));
    }
}

fn listen(target: &ServiceWorkerContainer, event: &str, handler: impl Fn(JsValue) + 'static) {
    let closure = Closure::<dyn Fn(JsValue)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Registers the service worker; `on_event` hears a waiting release and files missing offline.
pub fn register(on_event: Callback<OfflineEvent>) {
    let Some(container) = container() else {
        return;
    };
    let on_missing = on_event.clone();
    listen(&container, "message", move |event| {
        let data = event.unchecked_into::<MessageEvent>().data();
        if field(&data, "kind").as_deref() == Some("kindling-offline-missing")
            && let Some(path) = field(&data, "path")
        {
            on_missing.emit(OfflineEvent::Missing(path));
        }
    });
    listen(&container, "controllerchange", move |_| {
        if RELOAD_ON_CHANGE.get() {
            let _ = web_sys::window().map(|w| w.location().reload());
        } else if let Some(script) = UNKEPT_BUILD.with(|b| b.borrow_mut().take()) {
            keep_build(&script);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        match JsFuture::from(container.register("./sw.js")).await {
            Ok(registration) => {
                let registration: ServiceWorkerRegistration = registration.unchecked_into();
                watch(&registration, on_event);
                keep_looking(&registration);
                REGISTRATION.with(|r| *r.borrow_mut() = Some(registration));
            }
            // Not alarming: the site works online without it.
            Err(error) => web_sys::console::info_2(&"kindling: no offline copy:".into(), &error),
        }
    });
}

/// Announces a release that waits now or after it installs, when an older one controls the page
/// (the very first install is no update).
fn watch(registration: &ServiceWorkerRegistration, on_event: Callback<OfflineEvent>) {
    let announce = {
        let registration = registration.clone();
        move || {
            let controlled = container().and_then(|c| c.controller()).is_some();
            if controlled && registration.waiting().is_some() {
                on_event.emit(OfflineEvent::UpdateReady);
            }
        }
    };
    announce();
    // The release being installed, once it is installed.
    let follow = {
        let registration = registration.clone();
        move || {
            if let Some(installing) = registration.installing() {
                let on_state = Closure::<dyn Fn()>::new(announce.clone());
                installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
                on_state.forget();
            }
        }
    };
    // The page's load may itself have found the new release before this ran.
    follow();
    let on_found = Closure::<dyn Fn()>::new(follow);
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// How often an open tab asks for a new release, besides when it comes back into view or online.
const LOOK_EVERY_MS: i32 = 60 * 60 * 1000;

/// Asks the server for a new release while the tab stays open: the browser looks by itself only
/// when a page of the site loads, and a class may keep one tab open all day. A release found is
/// announced by `watch`.
fn keep_looking(registration: &ServiceWorkerRegistration) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let look = {
        let registration = registration.clone();
        let looking = std::rc::Rc::new(Cell::new(false));
        move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if hidden || looking.replace(true) {
                return;
            }
            let (registration, looking) = (registration.clone(), looking.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // Offline or a server error: the next look tries again.
                if let Ok(promise) = registration.update() {
                    let _ = JsFuture::from(promise).await;
                }
                looking.set(false);
            });
        }
    };
    let look = Closure::<dyn Fn()>::new(look);
    let handler = look.as_ref().unchecked_ref();
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback("visibilitychange", handler);
    }
    let _ = window.add_event_listener_with_callback("online", handler);
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(handler, LOOK_EVERY_MS);
    look.forget();
}

/// The learner's click: the waiting release takes over, then this tab reloads into it.
pub fn apply_update() {
    let waiting = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    match waiting {
        Some(waiting) => {
            RELOAD_ON_CHANGE.set(true);
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"kind".into(), &"skip-waiting".into());
            let _ = waiting.post_message(&message);
        }
        // Another tab applied it already: this one only needs to reload.
        None => {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    }
}
