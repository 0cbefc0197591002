//! The transfer settings as settings a [`NumberField`](crate::widgets::number_field) can edit.
//! Each field's range is the engine's (`TransferSettings::validate`); a value it refuses is
//! shown as out of that range.

use kindling_engine::common::parse::{Problem, SEED, parse_real, parse_whole};
use kindling_engine::lessons::transfer::config::{
    MAX_BATCH, MAX_STEPS, TransferProblem, TransferSettings,
};

use crate::widgets::number_field::FieldTarget;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferField {
    Steps,
    Batch,
    LearningRate,
    BackboneMultiplier,
    HeadFirst,
    Seed,
}

impl TransferField {
    pub const ALL: [TransferField; 6] = [
        TransferField::Steps,
        TransferField::Batch,
        TransferField::LearningRate,
        TransferField::BackboneMultiplier,
        TransferField::HeadFirst,
        TransferField::Seed,
    ];

    /// Its link key, also its i18n key (`transfer.field.<key>`) and its input's id.
    pub fn key(self) -> &'static str {
        match self {
            TransferField::Steps => "steps",
            TransferField::Batch => "batch",
            TransferField::LearningRate => "lr",
            TransferField::BackboneMultiplier => "blr",
            TransferField::HeadFirst => "head",
            TransferField::Seed => "seed",
        }
    }

    /// The values the engine takes, as shown in a message.
    pub fn range(self) -> (f64, f64) {
        match self {
            TransferField::Steps => (1.0, MAX_STEPS as f64),
            TransferField::Batch => (1.0, MAX_BATCH as f64),
            TransferField::LearningRate
            | TransferField::BackboneMultiplier
            | TransferField::HeadFirst => (0.0, 1.0),
            TransferField::Seed => SEED,
        }
    }

    /// The engine's problem with this field's value.
    fn problem(self) -> Option<TransferProblem> {
        Some(match self {
            TransferField::Steps => TransferProblem::Steps,
            TransferField::Batch => TransferProblem::Batch,
            TransferField::LearningRate => TransferProblem::LearningRate,
            TransferField::BackboneMultiplier => TransferProblem::BackboneMultiplier,
            TransferField::HeadFirst => TransferProblem::HeadFirst,
            TransferField::Seed => return None,
        })
    }
}

impl FieldTarget for TransferSettings {
    type Field = TransferField;

    fn text(&self, field: TransferField) -> String {
        match field {
            TransferField::Steps => self.steps.to_string(),
            TransferField::Batch => self.batch.to_string(),
            TransferField::LearningRate => self.learning_rate.to_string(),
            TransferField::BackboneMultiplier => self.backbone_multiplier.to_string(),
            TransferField::HeadFirst => self.head_first.to_string(),
            TransferField::Seed => self.seed.to_string(),
        }
    }

    fn try_set(&self, field: TransferField, text: &str) -> Result<Self, Problem> {
        let any = (f64::NEG_INFINITY, f64::INFINITY);
        let mut next = self.clone();
        match field {
            TransferField::Steps => {
                next.steps = parse_whole(text, any)?.min(u32::MAX as u64) as u32
            }
            TransferField::Batch => next.batch = parse_whole(text, any)? as usize,
            TransferField::LearningRate => next.learning_rate = parse_real(text, any)?,
            TransferField::BackboneMultiplier => next.backbone_multiplier = parse_real(text, any)?,
            TransferField::HeadFirst => next.head_first = parse_real(text, any)?,
            TransferField::Seed => next.seed = parse_whole(text, SEED)?,
        }
        let (min, max) = field.range();
        // A negative whole number became 0 above, which the engine refuses too.
        match field.problem() {
            Some(problem) if next.validate().contains(&problem) => {
                Err(Problem::OutOfRange { min, max })
            }
            _ => Ok(next),
        }
    }

    fn key(field: TransferField) -> String {
        format!("transfer-{}", field.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_take_what_the_engine_takes() {
        let s = TransferSettings::default();
        assert_eq!(s.try_set(TransferField::Steps, "40").unwrap().steps, 40);
        assert_eq!(
            s.try_set(TransferField::Steps, "0"),
            Err(Problem::OutOfRange {
                min: 1.0,
                max: 5000.0
            })
        );
        assert!(s.try_set(TransferField::Steps, "-3").is_err());
        assert!(s.try_set(TransferField::Steps, "5001").is_err());
        assert_eq!(
            s.try_set(TransferField::Steps, "2.5"),
            Err(Problem::NotAWholeNumber)
        );
        assert_eq!(s.try_set(TransferField::Batch, ""), Err(Problem::Empty));
        assert!(s.try_set(TransferField::LearningRate, "0").is_err());
        assert!(s.try_set(TransferField::LearningRate, "1").is_ok());
        assert!(s.try_set(TransferField::BackboneMultiplier, "1.5").is_err());
        assert_eq!(
            s.try_set(TransferField::HeadFirst, "0").unwrap().head_first,
            0.0
        );
        assert_eq!(
            s.try_set(TransferField::LearningRate, "abc"),
            Err(Problem::NotANumber)
        );
        for field in TransferField::ALL {
            let text = s.text(field);
            assert_eq!(s.try_set(field, &text).as_ref(), Ok(&s), "{field:?}");
        }
    }
}
