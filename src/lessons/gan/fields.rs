//! The toy's settings as settings a [`NumberField`](crate::widgets::number_field) can edit.

use kindling_engine::common::parse::Problem;
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::link;
use kindling_engine::lessons::gan::settings::{ToyField, ToyProblem};

use crate::widgets::number_field::FieldTarget;

impl FieldTarget for ToySettings {
    type Field = ToyField;

    fn text(&self, field: ToyField) -> String {
        link::text(self, field)
    }

    fn try_set(&self, field: ToyField, text: &str) -> Result<Self, Problem> {
        try_set(self, field, text)
    }

    fn key(field: ToyField) -> String {
        format!("gan-{}", field.key())
    }
}

/// `settings` with `field` set from `text`, if that field is then valid.
pub fn try_set(
    settings: &ToySettings,
    field: ToyField,
    text: &str,
) -> Result<ToySettings, Problem> {
    let mut next = settings.clone();
    link::set(&mut next, field, text)?;
    match next.validate().into_iter().find(|e| e.field == field) {
        Some(error) => Err(match error.problem {
            ToyProblem::Value(problem) => problem,
            _ => Problem::Unknown,
        }),
        None => Ok(next),
    }
}
