//! The digit GAN's settings as settings a [`NumberField`](crate::widgets::number_field) can edit.

use kindling_engine::common::parse::{
    BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole,
};
use kindling_engine::lessons::gan::digits::{DigitField, DigitSettings, LATENT};

use crate::widgets::number_field::FieldTarget;

impl FieldTarget for DigitSettings {
    type Field = DigitField;

    fn text(&self, field: DigitField) -> String {
        match field {
            DigitField::Latent => self.latent.to_string(),
            DigitField::LearningRate => self.learning_rate.to_string(),
            DigitField::BatchSize => self.batch_size.to_string(),
            DigitField::Seed => self.seed.to_string(),
        }
    }

    fn try_set(&self, field: DigitField, text: &str) -> Result<Self, Problem> {
        let mut next = self.clone();
        match field {
            DigitField::Latent => next.latent = parse_whole(text, LATENT)? as usize,
            DigitField::LearningRate => next.learning_rate = parse_real(text, LEARNING_RATE)?,
            DigitField::BatchSize => next.batch_size = parse_whole(text, BATCH_SIZE)? as usize,
            DigitField::Seed => next.seed = parse_whole(text, SEED)?,
        }
        Ok(next)
    }

    fn key(field: DigitField) -> String {
        let key = match field {
            DigitField::Latent => "dz",
            DigitField::LearningRate => "dlr",
            DigitField::BatchSize => "dbatch",
            DigitField::Seed => "dseed",
        };
        format!("gan-{key}")
    }
}
