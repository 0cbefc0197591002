//! A text input for one numeric setting that validates as the learner types (anything that is a
//! [`FieldTarget`]: each lesson implements it for its settings).
//!
//! Problems show at once. A valid value is reported with `on_change` (the whole new
//! configuration) once typing pauses, or when the field loses focus, so that the valid prefix
//! of a longer, invalid entry ("1" of "1e999") does not restart the run. An invalid value is
//! shown with its problem and goes nowhere.

use std::cell::RefCell;
use std::rc::Rc;

use kindling_engine::common::parse::Problem;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// How long typing must pause before a valid value is applied.
const SETTLE_MS: i32 = 450;

/// A scheduled change; dropping it cancels it.
struct Pending {
    handle: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

fn schedule(run: impl FnOnce() + 'static, delay_ms: i32) -> Option<Pending> {
    let mut run = Some(run);
    let closure = Closure::<dyn FnMut()>::new(move || {
        if let Some(run) = run.take() {
            run();
        }
    });
    let handle = web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            delay_ms,
        )
        .ok()?;
    Some(Pending {
        handle,
        _closure: closure,
    })
}

use crate::i18n::{Lang, problem_text};

/// Settings that a [`NumberField`] can edit, one field at a time.
pub trait FieldTarget: Clone + PartialEq + 'static {
    type Field: Copy + PartialEq + 'static;
    /// The field's value as it appears in the input.
    fn text(&self, field: Self::Field) -> String;
    /// The settings with `field` set from `text`, or why that text cannot be used.
    fn try_set(&self, field: Self::Field, text: &str) -> Result<Self, Problem>;
    /// The input is `field-<key>`.
    fn key(field: Self::Field) -> String;
    /// The message element is `error-<error key>`.
    fn error_key(field: Self::Field) -> String {
        Self::key(field)
    }
}

#[derive(Properties, PartialEq)]
pub struct Props<T: FieldTarget> {
    pub lang: Lang,
    pub field: T::Field,
    pub label: AttrValue,
    /// A short note under the label, such as the allowed range.
    #[prop_or_default]
    pub hint: AttrValue,
    /// `decimal`, `numeric` or `text`: the on-screen keyboard to offer.
    #[prop_or(AttrValue::Static("decimal"))]
    pub inputmode: AttrValue,
    pub config: T,
    pub on_change: Callback<T>,
    /// Told whether the text in the field can be used, as the learner types.
    #[prop_or_default]
    pub on_valid: Callback<bool>,
}

#[component]
pub fn NumberField<T: FieldTarget>(props: &Props<T>) -> Html {
    let field = props.field;
    // The learner's text and the configuration it was typed against.
    let edit = use_state(|| None::<(String, T)>);
    let pending: Rc<RefCell<Option<Pending>>> = use_mut_ref(|| None);

    let canonical = props.config.text(field);
    let (text, problem) = match &*edit {
        Some((text, base)) => {
            // Whether this setting is still what it was when the text was typed.
            let same = base.text(field) == canonical;
            match base.try_set(field, text) {
                Err(problem) if same => (text.clone(), Some(problem)),
                Ok(next) if same || next.text(field) == canonical => (text.clone(), None),
                // The setting changed elsewhere (a link, for instance): show the new value.
                _ => (canonical, None),
            }
        }
        None => (canonical, None),
    };

    let oninput = {
        let edit = edit.clone();
        let pending = pending.clone();
        let config = props.config.clone();
        let on_change = props.on_change.clone();
        let on_valid = props.on_valid.clone();
        Callback::from(move |event: InputEvent| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let text = input.value();
            // Whatever was waiting is superseded by this text.
            let _ = pending.borrow_mut().take();
            let result = config.try_set(field, &text);
            on_valid.emit(result.is_ok());
            if let Ok(next) = result
                && next != config
            {
                let on_change = on_change.clone();
                *pending.borrow_mut() = schedule(move || on_change.emit(next), SETTLE_MS);
            }
            edit.set(Some((text, config.clone())));
        })
    };

    // Leaving the field applies a valid value at once.
    let onchange = {
        let pending = pending.clone();
        let config = props.config.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let waiting = pending.borrow_mut().take();
            if waiting.is_none() {
                return;
            }
            drop(waiting);
            if let Ok(next) = config.try_set(field, &input.value())
                && next != config
            {
                on_change.emit(next);
            }
        })
    };

    let key = T::key(field);
    let input_id = format!("field-{key}");
    let error_id = format!("error-{}", T::error_key(field));
    let hint_id = format!("hint-{key}");
    let invalid = problem.is_some();
    let message = problem
        .map(|p| problem_text(props.lang, &p))
        .unwrap_or_default();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={input_id.clone()}>{props.label.clone()}</label>
            if !props.hint.is_empty() {
                <span class="field-hint" id={hint_id.clone()}>{props.hint.clone()}</span>
            }
            <input
                id={input_id}
                type="text"
                inputmode={props.inputmode.clone()}
                autocomplete="off"
                spellcheck="false"
                value={text}
                aria-invalid={if invalid { "true" } else { "false" }}
                aria-describedby={format!("{hint_id} {error_id}")}
                {oninput}
                {onchange}
            />
            <p class="field-error" id={error_id} aria-live="polite">{message}</p>
        </div>
    }
}
