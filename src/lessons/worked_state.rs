//! What the learner typed on the activation and loss lessons, to and from the link, and the
//! requests it becomes. Pure functions only: every number shown comes back from the worker.

use std::sync::OnceLock;

use kindling_engine::lessons::activations::{ActivationFn, ActivationRequest, MAX_SLOPE};
use kindling_engine::common::article::Examples;
use kindling_engine::common::input::{check_value, format_vector};
use kindling_engine::lessons::losses::{LossKind, LossRequest, check};
use kindling_engine::common::input::{InputError, parse_vector};
use kindling_engine::common::worked::PlotRange;
use kindling_engine::protocol::{LessonRequest, LessonResult};
use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, t, tf};
use crate::route::query_param;

pub const DEFAULT_SLOPE: &str = "0.01";
pub const DEFAULT_MIN: &str = "-5";
pub const DEFAULT_MAX: &str = "5";
pub const ACTIVATION_SAMPLES: usize = 201;
pub const LOSS_SAMPLES: usize = 101;
/// Half-width of the sweep around prediction 0 for losses on real numbers.
pub const LOSS_SWEEP_HALF_WIDTH: f64 = 3.0;

/// The examples file, read once (it is compiled in; `None` only if it were malformed).
pub fn examples() -> Option<&'static Examples> {
    static EXAMPLES: OnceLock<Option<Examples>> = OnceLock::new();
    EXAMPLES.get_or_init(|| Examples::load().ok()).as_ref()
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
    fn new(field: InputField, error: InputError) -> Self {
        Self {
            field: Some(field),
            error,
        }
    }
}

fn parse_number(field: InputField, text: &str) -> Result<f64, BadInput> {
    let text = text.trim();
    if text.is_empty() {
        return Err(BadInput::new(field, InputError::Empty));
    }
    let value: f64 = text.parse().map_err(|_| {
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

// ---------------------------------------------------------------------------------------------
// Activations

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivationsState {
    pub function: ActivationFn,
    /// The inputs as typed.
    pub x: String,
    pub slope: String,
    pub min: String,
    pub max: String,
}

impl Default for ActivationsState {
    fn default() -> Self {
        Self::for_function(ActivationFn::Relu)
    }
}

impl ActivationsState {
    /// The function's worked example from examples.json, default slope and plot range.
    pub fn for_function(function: ActivationFn) -> Self {
        let x = examples()
            .and_then(|e| e.activation(function))
            .map(|e| format_vector(&e.inputs))
            .unwrap_or_else(|| "-2,-1,0,1,2".to_string());
        Self {
            function,
            x,
            slope: DEFAULT_SLOPE.to_string(),
            min: DEFAULT_MIN.to_string(),
            max: DEFAULT_MAX.to_string(),
        }
    }

    /// Another function with its example inputs; the slope and the plot range stay.
    pub fn with_function(&self, function: ActivationFn) -> Self {
        Self {
            slope: self.slope.clone(),
            min: self.min.clone(),
            max: self.max.clone(),
            ..Self::for_function(function)
        }
    }

    /// Whether the query says anything about this page.
    pub fn has_keys(query: &str) -> bool {
        ["fn", "x", "slope", "min", "max"]
            .iter()
            .any(|k| query_param(query, k).is_some())
    }

    /// The page from `fn=sigmoid&x=-4,-2,0,2,4&slope=…&min=…&max=…`; missing parts are the
    /// function's example.
    pub fn from_query(query: &str) -> Self {
        let function = query_param(query, "fn")
            .and_then(|v| ActivationFn::from_name(v.trim()))
            .unwrap_or(ActivationFn::Relu);
        let base = Self::for_function(function);
        Self {
            function,
            x: query_param(query, "x").unwrap_or(base.x),
            slope: query_param(query, "slope").unwrap_or(base.slope),
            min: query_param(query, "min").unwrap_or(base.min),
            max: query_param(query, "max").unwrap_or(base.max),
        }
    }

    pub fn to_query(&self) -> String {
        let mut query = format!("fn={}&x={}", self.function.name(), encode_value(&self.x));
        if self.function == ActivationFn::LeakyRelu {
            query.push_str(&format!("&slope={}", encode_value(&self.slope)));
        }
        if self.min != DEFAULT_MIN || self.max != DEFAULT_MAX {
            query.push_str(&format!(
                "&min={}&max={}",
                encode_value(&self.min),
                encode_value(&self.max)
            ));
        }
        query
    }

    pub fn inputs(&self) -> Result<Vec<f64>, BadInput> {
        parse_vector(&self.x).map_err(|e| BadInput::new(InputField::X, e))
    }

    pub fn request(&self) -> Result<ActivationRequest, BadInput> {
        let inputs = self.inputs()?;
        let slope = if self.function == ActivationFn::LeakyRelu {
            let slope = parse_number(InputField::Slope, &self.slope)?;
            if slope.abs() > MAX_SLOPE {
                return Err(BadInput::new(InputField::Slope, InputError::BadSlope));
            }
            slope
        } else {
            DEFAULT_SLOPE.parse().unwrap_or(0.01)
        };
        let min = parse_number(InputField::Min, &self.min)?;
        let max = parse_number(InputField::Max, &self.max)?;
        let plot = PlotRange {
            min,
            max,
            samples: ACTIVATION_SAMPLES,
        };
        plot.check()
            .map_err(|e| BadInput::new(InputField::Max, e))?;
        Ok(ActivationRequest {
            function: self.function,
            inputs,
            slope,
            plot,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Losses

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LossesState {
    pub loss: LossKind,
    pub pred: String,
    /// Targets (D(G(z)) for the discriminator); unused by the generator losses.
    pub target: String,
}

impl Default for LossesState {
    fn default() -> Self {
        Self::for_loss(LossKind::Mse)
    }
}

impl LossesState {
    /// The loss's worked example from examples.json.
    pub fn for_loss(loss: LossKind) -> Self {
        let example = examples().and_then(|e| e.loss(loss));
        Self {
            loss,
            pred: example
                .map(|e| format_vector(&e.predictions))
                .unwrap_or_else(|| "0.5".to_string()),
            target: example
                .map(|e| format_vector(&e.targets))
                .unwrap_or_default(),
        }
    }

    pub fn has_keys(query: &str) -> bool {
        ["loss", "pred", "target"]
            .iter()
            .any(|k| query_param(query, k).is_some())
    }

    pub fn from_query(query: &str) -> Self {
        let loss = query_param(query, "loss")
            .and_then(|v| LossKind::from_name(v.trim()))
            .unwrap_or(LossKind::Mse);
        let base = Self::for_loss(loss);
        Self {
            loss,
            pred: query_param(query, "pred").unwrap_or(base.pred),
            target: if loss.has_targets() {
                query_param(query, "target").unwrap_or(base.target)
            } else {
                base.target
            },
        }
    }

    pub fn to_query(&self) -> String {
        let mut query = format!(
            "loss={}&pred={}",
            self.loss.name(),
            encode_value(&self.pred)
        );
        if self.loss.has_targets() {
            query.push_str(&format!("&target={}", encode_value(&self.target)));
        }
        query
    }

    /// Whether the inputs are exactly the loss's example in examples.json.
    pub fn is_example(&self) -> bool {
        let Some(example) = examples().and_then(|e| e.loss(self.loss)) else {
            return false;
        };
        let same_targets = !self.loss.has_targets()
            || parse_vector(&self.target).ok() == Some(example.targets.clone());
        parse_vector(&self.pred).ok() == Some(example.predictions.clone()) && same_targets
    }

    /// The sweep of prediction 0: [0, 1] for probabilities, [p₀ − 3, p₀ + 3] otherwise.
    pub fn sweep(loss: LossKind, p0: f64) -> PlotRange {
        if loss.predictions_are_probabilities() {
            PlotRange {
                min: 0.0,
                max: 1.0,
                samples: LOSS_SAMPLES,
            }
        } else {
            PlotRange {
                min: p0 - LOSS_SWEEP_HALF_WIDTH,
                max: p0 + LOSS_SWEEP_HALF_WIDTH,
                samples: LOSS_SAMPLES,
            }
        }
    }

    pub fn request(&self) -> Result<LossRequest, BadInput> {
        let kind = self.loss;
        let predictions =
            parse_vector(&self.pred).map_err(|e| BadInput::new(InputField::Pred, e))?;
        let targets = if kind.has_targets() {
            parse_vector(&self.target).map_err(|e| BadInput::new(InputField::Target, e))?
        } else {
            Vec::new()
        };
        let request = LossRequest {
            loss: kind,
            sweep: Self::sweep(kind, predictions[0]),
            predictions,
            targets,
        };
        check(&request).map_err(|error| {
            let outside = |v: &[f64], i: usize| v.get(i).is_some_and(|x| !(0.0..=1.0).contains(x));
            let field = match &error {
                InputError::NeedAtLeast { .. } => Some(InputField::Pred),
                InputError::NotAProbability { index } => {
                    if kind.predictions_are_probabilities() && outside(&request.predictions, *index)
                    {
                        Some(InputField::Pred)
                    } else {
                        Some(InputField::Target)
                    }
                }
                InputError::NotADistribution { .. } => {
                    let target_sum: f64 = request.targets.iter().sum();
                    if (target_sum - 1.0).abs() > 1e-3 {
                        Some(InputField::Target)
                    } else {
                        Some(InputField::Pred)
                    }
                }
                _ => None,
            };
            BadInput { field, error }
        })?;
        Ok(request)
    }
}

/// A worker's answer, with the request it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonAnswer {
    pub id: u64,
    pub request: LessonRequest,
    pub result: Result<LessonResult, InputError>,
}

// ---------------------------------------------------------------------------------------------
// Text

/// A value as the lessons print it: 3 decimals, ∞ for infinities, no "-0.000".
pub fn fmt3(value: f64) -> String {
    fmt_digits(value, 3)
}

pub fn fmt_digits(value: f64, digits: usize) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value == f64::INFINITY {
        "∞".into()
    } else if value == f64::NEG_INFINITY {
        "-∞".into()
    } else {
        // ASCII minus, so the numbers can be copied back into an input (and read by tests).
        let text = format!("{value:.digits$}");
        let zero = text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.');
        if zero {
            text.trim_start_matches('-').to_string()
        } else {
            text
        }
    }
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
    use crate::route::decoded_query;

    #[test]
    fn activation_queries_round_trip() {
        let state = ActivationsState::from_query("fn=sigmoid&x=-4,-2,0,2,4");
        assert_eq!(state.function, ActivationFn::Sigmoid);
        assert_eq!(state.x, "-4,-2,0,2,4");
        assert_eq!(state.to_query(), "fn=sigmoid&x=-4,-2,0,2,4");
        let leaky = ActivationsState::from_query("fn=leaky_relu&x=1,%202&slope=0.2&min=-3&max=3");
        assert_eq!(leaky.x, "1, 2");
        assert_eq!(leaky.slope, "0.2");
        assert_eq!(ActivationsState::from_query(&leaky.to_query()), leaky);
        let odd = ActivationsState {
            x: "1+2&x=3#".into(),
            ..ActivationsState::default()
        };
        assert_eq!(ActivationsState::from_query(&odd.to_query()), odd);
        assert!(ActivationsState::has_keys("fn=tanh"));
        assert!(!ActivationsState::has_keys("lang=zh"));
        assert!(!decoded_query(&odd.to_query()).is_empty());
    }

    #[test]
    fn missing_params_are_the_examples() {
        let state = ActivationsState::from_query("fn=tanh");
        assert_eq!(state.x, "-3,-1,0,1,3");
        assert_eq!(state.min, DEFAULT_MIN);
        let unknown = ActivationsState::from_query("fn=nope");
        assert_eq!(unknown, ActivationsState::default());
        let losses = LossesState::from_query("loss=gan_d");
        assert_eq!(
            (losses.pred.as_str(), losses.target.as_str()),
            ("0.8", "0.2")
        );
        assert!(losses.is_example());
        let mse = LossesState::from_query("loss=mse&pred=2.5,3.7,1.8&target=2.1,3.9,1.9");
        assert_eq!(
            mse.to_query(),
            "loss=mse&pred=2.5,3.7,1.8&target=2.1,3.9,1.9"
        );
        assert!(mse.is_example());
        assert_eq!(LossesState::from_query(&mse.to_query()), mse);
        let generator = LossesState::from_query("loss=gan_g_ns&pred=0.1&target=9");
        assert_eq!(generator.to_query(), "loss=gan_g_ns&pred=0.1");
    }

    #[test]
    fn requests_are_checked() {
        let ok = ActivationsState::from_query("fn=sigmoid&x=-4,-2,0,2,4")
            .request()
            .unwrap();
        assert_eq!(ok.inputs, vec![-4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!(
            (ok.plot.min, ok.plot.max, ok.plot.samples),
            (-5.0, 5.0, 201)
        );
        let bad = ActivationsState::from_query("fn=relu&x=1,x")
            .request()
            .unwrap_err();
        assert_eq!(bad.field, Some(InputField::X));
        let slope = ActivationsState::from_query("fn=leaky_relu&slope=50")
            .request()
            .unwrap_err();
        assert_eq!(slope.error, InputError::BadSlope);
        let range = ActivationsState::from_query("fn=relu&min=3&max=1")
            .request()
            .unwrap_err();
        assert!(matches!(range.error, InputError::BadRange { .. }));

        let mse = LossesState::from_query("loss=mse&pred=2.5&target=1")
            .request()
            .unwrap();
        assert_eq!((mse.sweep.min, mse.sweep.max), (-0.5, 5.5));
        let bce = LossesState::for_loss(LossKind::Bce).request().unwrap();
        assert_eq!(
            (bce.sweep.min, bce.sweep.max, bce.sweep.samples),
            (0.0, 1.0, 101)
        );
        let mismatch = LossesState::from_query("loss=mse&pred=1,2&target=1")
            .request()
            .unwrap_err();
        assert_eq!(
            mismatch.error,
            InputError::LengthMismatch { left: 2, right: 1 }
        );
        let prob = LossesState::from_query("loss=bce&pred=0.5,1.5&target=1,0")
            .request()
            .unwrap_err();
        assert_eq!(prob.field, Some(InputField::Pred));
        let target = LossesState::from_query("loss=bce&pred=0.5,0.5&target=1,2")
            .request()
            .unwrap_err();
        assert_eq!(target.field, Some(InputField::Target));
        let dist = LossesState::from_query("loss=cce&pred=0.5,0.5&target=1,1")
            .request()
            .unwrap_err();
        assert_eq!(dist.field, Some(InputField::Target));
        let generator = LossesState::from_query("loss=gan_g_minimax&pred=0.3")
            .request()
            .unwrap();
        assert!(generator.targets.is_empty());
    }

    #[test]
    fn numbers_and_messages() {
        assert_eq!(fmt3(0.11920292), "0.119");
        assert_eq!(fmt3(-0.0001), "0.000");
        assert_eq!(fmt3(-0.7616), "-0.762");
        assert_eq!(fmt3(f64::INFINITY), "∞");
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
