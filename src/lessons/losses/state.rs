//! What the learner typed on the loss lesson, to and from the link, and the request it becomes.
//! Pure functions only: every number shown comes back from the worker.

use kindling_engine::common::input::{InputError, format_vector, parse_vector};
use kindling_engine::common::worked::PlotRange;
use kindling_engine::lessons::losses::{LossKind, LossRequest, check};
use serde::{Deserialize, Serialize};

use crate::lessons::worked::{BadInput, InputField, encode_value, examples};
use crate::route::query_param;

pub const LOSS_SAMPLES: usize = 101;
/// Half-width of the sweep around prediction 0 for losses on real numbers.
pub const LOSS_SWEEP_HALF_WIDTH: f64 = 3.0;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_params_are_the_examples() {
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
}
