//! What the worked-example lessons (activations, losses) share: the examples file, the link's
//! value escaping, which input a problem is in, and input errors in words.

use std::sync::OnceLock;

use kindling_engine::common::input::{InputError, check_value};
use kindling_engine::common::number::parse_f64;
use kindling_engine::lessons::activations::MAX_SLOPE;
use kindling_engine::lessons::article::{EXAMPLES_JSON, Examples};

use crate::format::fmt3;
use crate::i18n::{Lang, t, tf};

/// The examples file, read once (it is compiled in; `None` only if it were malformed).
pub fn examples() -> Option<&'static Examples> {
    static EXAMPLES: OnceLock<Option<Examples>> = OnceLock::new();
    EXAMPLES
        .get_or_init(|| crate::json::from_str(EXAMPLES_JSON).ok())
        .as_ref()
}

/// Escapes a value for the hash, keeping numbers and commas readable.
pub fn encode_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b',' | b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The input a problem was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputField {
    X,
    Slope,
    Min,
    Max,
    Pred,
    Target,
}

impl InputField {
    pub fn key(self) -> &'static str {
        match self {
            InputField::X => "lesson.field.x",
            InputField::Slope => "lesson.field.slope",
            InputField::Min => "lesson.field.min",
            InputField::Max => "lesson.field.max",
            InputField::Pred => "lesson.field.pred",
            InputField::Target => "lesson.field.target",
        }
    }
}

/// Why no request can be made from the inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct BadInput {
    pub field: Option<InputField>,
    pub error: InputError,
}

impl BadInput {
    pub fn new(field: InputField, error: InputError) -> Self {
        Self {
            field: Some(field),
            error,
        }
    }
}

pub fn parse_number(field: InputField, text: &str) -> Result<f64, BadInput> {
    let text = text.trim();
    if text.is_empty() {
        return Err(BadInput::new(field, InputError::Empty));
    }
    let value = parse_f64(text).ok_or_else(|| {
        BadInput::new(
            field,
            InputError::NotANumber {
                index: 0,
                text: text.to_string(),
            },
        )
    })?;
    check_value(0, value).map_err(|e| BadInput::new(field, e))
}

/// Why the numbers were refused, in words.
pub fn input_error_text(lang: Lang, error: &InputError) -> String {
    let n = |v: usize| v.to_string();
    match error {
        InputError::Empty => t(lang, "input_error.empty"),
        InputError::NotANumber { index, text } => tf(
            lang,
            "input_error.not_a_number",
            &[("position", &n(index + 1)), ("text", text)],
        ),
        InputError::NotFinite { index } => tf(
            lang,
            "input_error.not_finite",
            &[("position", &n(index + 1))],
        ),
        InputError::TooLarge { index, max } => tf(
            lang,
            "input_error.too_large",
            &[("position", &n(index + 1)), ("max", &format!("{max:e}"))],
        ),
        InputError::TooLong { len, max } => tf(
            lang,
            "input_error.too_long",
            &[("len", &n(*len)), ("max", &n(*max))],
        ),
        InputError::LengthMismatch { left, right } => tf(
            lang,
            "input_error.length_mismatch",
            &[("left", &n(*left)), ("right", &n(*right))],
        ),
        InputError::NotAProbability { index } => tf(
            lang,
            "input_error.not_a_probability",
            &[("position", &n(index + 1))],
        ),
        InputError::NotADistribution { sum } => tf(
            lang,
            "input_error.not_a_distribution",
            &[("sum", &fmt3(*sum))],
        ),
        InputError::NeedAtLeast { min } => {
            tf(lang, "input_error.need_at_least", &[("min", &n(*min))])
        }
        InputError::BadRange { limit } => tf(
            lang,
            "input_error.bad_range",
            &[("limit", &format!("{limit}"))],
        ),
        InputError::BadSlope => tf(
            lang,
            "input_error.bad_slope",
            &[("max", &format!("{MAX_SLOPE}"))],
        ),
    }
}

/// The problem, with the input it is in: "Predictions: entry 2 is not a number (“x”)."
pub fn bad_input_text(lang: Lang, bad: &BadInput) -> String {
    let problem = input_error_text(lang, &bad.error);
    match bad.field {
        Some(field) => tf(
            lang,
            "input_error.with_field",
            &[("field", &t(lang, field.key())), ("problem", &problem)],
        ),
        None => problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_error_has_words() {
        let errors = [
            InputError::Empty,
            InputError::NotANumber {
                index: 0,
                text: "x".into(),
            },
            InputError::NotFinite { index: 0 },
            InputError::TooLarge { index: 0, max: 1e6 },
            InputError::TooLong { len: 70, max: 64 },
            InputError::LengthMismatch { left: 1, right: 2 },
            InputError::NotAProbability { index: 1 },
            InputError::NotADistribution { sum: 2.0 },
            InputError::NeedAtLeast { min: 2 },
            InputError::BadRange { limit: 1e4 },
            InputError::BadSlope,
        ];
        for lang in Lang::ALL {
            for error in &errors {
                let text = input_error_text(lang, error);
                assert!(!text.starts_with("input_error."), "{text}");
                assert!(!text.contains('{'), "{text}");
            }
            let bad = BadInput::new(InputField::Pred, InputError::Empty);
            assert!(!bad_input_text(lang, &bad).contains('{'));
        }
    }
}
