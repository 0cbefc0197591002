//! The playground's settings: limits, validation and the URL query form.

use serde::{Deserialize, Serialize};

use crate::common::activation::Activation;
use crate::common::optimizer::OptimizerKind;
use crate::common::parse::{BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole};
use crate::datasets::toy2d::DatasetKind;
use crate::datasets::toy2d::ToySet;

/// Which setting a problem is about; the UI words it in the page's language.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Dataset,
    Noise,
    TrainPercent,
    Points,
    Layers,
    Width,
    Activation,
    Optimizer,
    LearningRate,
    BatchSize,
    Seed,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Dataset,
        Field::Noise,
        Field::TrainPercent,
        Field::Points,
        Field::Layers,
        Field::Width,
        Field::Activation,
        Field::Optimizer,
        Field::LearningRate,
        Field::BatchSize,
        Field::Seed,
    ];

    /// The key used in the URL and in message files.
    pub fn key(self) -> &'static str {
        match self {
            Field::Dataset => "data",
            Field::Noise => "noise",
            Field::TrainPercent => "train",
            Field::Points => "points",
            Field::Layers => "layers",
            Field::Width => "width",
            Field::Activation => "act",
            Field::Optimizer => "opt",
            Field::LearningRate => "lr",
            Field::BatchSize => "batch",
            Field::Seed => "seed",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub field: Field,
    pub problem: Problem,
}

pub const NOISE: (f64, f64) = (0.0, 0.5);
pub const TRAIN_PERCENT: (f64, f64) = (10.0, 90.0);
pub const POINTS: (f64, f64) = (50.0, 2000.0);
pub const LAYERS: (f64, f64) = (0.0, 6.0);
pub const WIDTH: (f64, f64) = (1.0, 64.0);

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PlaygroundConfig {
    pub dataset: DatasetKind,
    /// Standard deviation of the Gaussian noise, in units of the data's radius.
    pub noise: f64,
    /// Share of the points used for training, in percent; the rest is the test set.
    pub train_percent: f64,
    pub points: usize,
    /// Width of each hidden layer.
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for PlaygroundConfig {
    fn default() -> Self {
        Self {
            dataset: DatasetKind::Spiral,
            noise: 0.03,
            train_percent: 50.0,
            points: 800,
            hidden: vec![32, 32, 32],
            activation: Activation::Relu,
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.01,
            batch_size: 32,
            seed: 1,
        }
    }
}

fn check_range(errors: &mut Vec<ConfigError>, field: Field, value: f64, (min, max): (f64, f64)) {
    let problem = if !value.is_finite() {
        Problem::NotFinite
    } else if value < min || value > max {
        Problem::OutOfRange { min, max }
    } else {
        return;
    };
    if !errors.iter().any(|e| e.field == field) {
        errors.push(ConfigError { field, problem });
    }
}

impl PlaygroundConfig {
    /// Every problem with these settings; empty when they can be trained.
    pub fn validate(&self) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        check_range(&mut errors, Field::Noise, self.noise, NOISE);
        check_range(
            &mut errors,
            Field::TrainPercent,
            self.train_percent,
            TRAIN_PERCENT,
        );
        check_range(&mut errors, Field::Points, self.points as f64, POINTS);
        check_range(&mut errors, Field::Layers, self.hidden.len() as f64, LAYERS);
        for &w in &self.hidden {
            check_range(&mut errors, Field::Width, w as f64, WIDTH);
        }
        check_range(
            &mut errors,
            Field::LearningRate,
            self.learning_rate,
            LEARNING_RATE,
        );
        check_range(
            &mut errors,
            Field::BatchSize,
            self.batch_size as f64,
            BATCH_SIZE,
        );
        check_range(&mut errors, Field::Seed, self.seed as f64, SEED);
        errors
    }

    /// Number of training points (at least one, at most all but one).
    pub fn train_count(&self) -> usize {
        let n = (self.points as f64 * self.train_percent / 100.0).round() as usize;
        n.clamp(1, self.points.saturating_sub(1).max(1))
    }

    /// The data set these settings describe.
    pub fn toy_set(&self) -> ToySet {
        ToySet {
            kind: self.dataset,
            points: self.points,
            noise: self.noise,
            train_count: self.train_count(),
            seed: self.seed,
        }
    }

    /// The settings as a URL query (`data=spiral&noise=0.05&…`).
    pub fn to_query(&self) -> String {
        let hidden: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
        format!(
            "data={}&noise={}&train={}&points={}&layers={}&act={}&opt={}&lr={}&batch={}&seed={}",
            self.dataset.name(),
            self.noise,
            self.train_percent,
            self.points,
            hidden.join(","),
            self.activation.name(),
            self.optimizer.name(),
            self.learning_rate,
            self.batch_size,
            self.seed
        )
    }

    /// Reads settings from a URL query. Keys that are missing keep their default; values that
    /// are malformed keep their default and are reported. Unknown keys are ignored (other parts
    /// of the page may use them).
    pub fn from_query(query: &str) -> (Self, Vec<ConfigError>) {
        let mut config = Self::default();
        let mut errors = Vec::new();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = value.trim();
            let Some(field) = Field::ALL.iter().copied().find(|f| f.key() == key) else {
                continue;
            };
            if let Err(problem) = config.set(field, value) {
                errors.push(ConfigError { field, problem });
            }
        }
        (config, errors)
    }

    /// Sets one field from text, as typed by a learner or read from a link. On error the
    /// config is unchanged.
    pub fn set(&mut self, field: Field, text: &str) -> Result<(), Problem> {
        let text = text.trim();
        match field {
            Field::Dataset => {
                self.dataset = DatasetKind::from_name(text).ok_or(Problem::Unknown)?
            }
            Field::Activation => {
                self.activation = Activation::from_name(text).ok_or(Problem::Unknown)?
            }
            Field::Optimizer => {
                self.optimizer = OptimizerKind::from_name(text).ok_or(Problem::Unknown)?
            }
            Field::Noise => self.noise = parse_real(text, NOISE)?,
            Field::TrainPercent => self.train_percent = parse_real(text, TRAIN_PERCENT)?,
            Field::LearningRate => self.learning_rate = parse_real(text, LEARNING_RATE)?,
            Field::Points => self.points = parse_whole(text, POINTS)? as usize,
            Field::BatchSize => self.batch_size = parse_whole(text, BATCH_SIZE)? as usize,
            Field::Seed => self.seed = parse_whole(text, SEED)?,
            Field::Layers => {
                let widths = if text.is_empty() {
                    Vec::new()
                } else {
                    text.split(',')
                        .map(|w| parse_whole(w, WIDTH).map(|w| w as usize))
                        .collect::<Result<Vec<_>, _>>()?
                };
                if widths.len() as f64 > LAYERS.1 {
                    return Err(Problem::OutOfRange {
                        min: LAYERS.0,
                        max: LAYERS.1,
                    });
                }
                self.hidden = widths;
            }
            Field::Width => return Err(Problem::Unknown),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips_through_the_query() {
        let config = PlaygroundConfig::default();
        assert!(config.validate().is_empty());
        let (back, errors) = PlaygroundConfig::from_query(&config.to_query());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, config);
    }

    #[test]
    fn every_setting_round_trips() {
        let config = PlaygroundConfig {
            dataset: DatasetKind::Xor,
            noise: 0.25,
            train_percent: 70.0,
            points: 333,
            hidden: vec![3, 64],
            activation: Activation::Relu,
            optimizer: OptimizerKind::Momentum,
            learning_rate: 0.003,
            batch_size: 7,
            seed: 123_456,
        };
        let (back, errors) = PlaygroundConfig::from_query(&config.to_query());
        assert!(errors.is_empty());
        assert_eq!(back, config);
        let (none, _) = PlaygroundConfig::from_query("layers=");
        assert!(none.hidden.is_empty());
    }

    #[test]
    fn bad_values_are_reported_and_keep_defaults() {
        let (config, errors) = PlaygroundConfig::from_query(
            "noise=abc&lr=-1&points=1e9&batch=2.5&layers=4,0&seed=&act=softplus&train=NaN&zz=1",
        );
        assert_eq!(config, PlaygroundConfig::default());
        let problem = |f: Field| {
            errors
                .iter()
                .find(|e| e.field == f)
                .map(|e| e.problem.clone())
        };
        assert_eq!(problem(Field::Noise), Some(Problem::NotANumber));
        assert_eq!(
            problem(Field::LearningRate),
            Some(Problem::OutOfRange {
                min: LEARNING_RATE.0,
                max: LEARNING_RATE.1
            })
        );
        assert!(matches!(
            problem(Field::Points),
            Some(Problem::OutOfRange { .. })
        ));
        assert_eq!(problem(Field::BatchSize), Some(Problem::NotAWholeNumber));
        assert!(matches!(
            problem(Field::Layers),
            Some(Problem::OutOfRange { .. })
        ));
        assert_eq!(problem(Field::Seed), Some(Problem::Empty));
        assert_eq!(problem(Field::Activation), Some(Problem::Unknown));
        assert_eq!(problem(Field::TrainPercent), Some(Problem::NotFinite));
        assert_eq!(errors.len(), 8);
    }

    #[test]
    fn validate_catches_out_of_range_structs() {
        let config = PlaygroundConfig {
            hidden: vec![16, 1000, 16, 16, 16, 16, 16],
            learning_rate: f64::NAN,
            batch_size: 0,
            ..PlaygroundConfig::default()
        };
        let fields: Vec<Field> = config.validate().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::Layers,
                Field::Width,
                Field::LearningRate,
                Field::BatchSize
            ]
        );
    }
}
