//! The playground's configuration as settings a [`NumberField`](crate::widgets::number_field)
//! can edit: each field as text, and set from text with its problems.

use kindling_engine::common::parse::Problem;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::config::Field;

use crate::widgets::number_field::FieldTarget;

impl FieldTarget for PlaygroundConfig {
    type Field = Field;

    fn text(&self, field: Field) -> String {
        field_text(self, field)
    }

    fn try_set(&self, field: Field, text: &str) -> Result<Self, Problem> {
        try_set(self, field, text)
    }

    fn key(field: Field) -> String {
        field.key().to_string()
    }

    fn error_key(field: Field) -> String {
        error_key(field).to_string()
    }
}

/// The setting as text, as it appears in the field and the link.
pub fn field_text(config: &PlaygroundConfig, field: Field) -> String {
    match field {
        Field::Dataset => config.dataset.name().to_string(),
        Field::Noise => config.noise.to_string(),
        Field::TrainPercent => config.train_percent.to_string(),
        Field::Points => config.points.to_string(),
        Field::Layers | Field::Width => config
            .hidden
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Field::Activation => config.activation.name().to_string(),
        Field::Optimizer => config.optimizer.name().to_string(),
        Field::LearningRate => config.learning_rate.to_string(),
        Field::BatchSize => config.batch_size.to_string(),
        Field::Seed => config.seed.to_string(),
    }
}

/// `config` with `field` set from `text`, if the result is a configuration that can be trained
/// as far as this field is concerned. Width problems belong to the layers field.
pub fn try_set(
    config: &PlaygroundConfig,
    field: Field,
    text: &str,
) -> Result<PlaygroundConfig, Problem> {
    let mut next = config.clone();
    next.set(field, text)?;
    let concerns = |f: Field| f == field || (field == Field::Layers && f == Field::Width);
    match next.validate().into_iter().find(|e| concerns(e.field)) {
        Some(error) => Err(error.problem),
        None => Ok(next),
    }
}

/// The key of the element that shows a field's problems (`error-<key>`).
pub fn error_key(field: Field) -> &'static str {
    match field {
        Field::Width => Field::Layers.key(),
        other => other.key(),
    }
}
