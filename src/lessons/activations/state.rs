//! What the learner typed on the activation lesson, to and from the link, and the request it
//! becomes. Pure functions only: every number shown comes back from the worker.

use kindling_engine::common::input::{InputError, format_vector, parse_vector};
use kindling_engine::common::number::parse_f64;
use kindling_engine::common::worked::PlotRange;
use kindling_engine::lessons::activations::{ActivationFn, ActivationRequest, MAX_SLOPE};
use serde::{Deserialize, Serialize};

use crate::lessons::worked::{BadInput, InputField, encode_value, examples, parse_number};
use crate::route::query_param;

pub const DEFAULT_SLOPE: &str = "0.01";
pub const DEFAULT_MIN: &str = "-5";
pub const DEFAULT_MAX: &str = "5";
pub const ACTIVATION_SAMPLES: usize = 201;

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
            parse_f64(DEFAULT_SLOPE).unwrap_or(0.01)
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
    }
}
