//! The detection settings as settings a [`NumberField`](crate::widgets::number_field) can edit.
//! Each field's range is the engine's (`DetectSettings::validate`); a value it refuses is shown
//! as out of that range.

use kindling_engine::common::parse::{Problem, SEED, parse_real, parse_whole};
use kindling_engine::lessons::detect::config::{
    DetectProblem, DetectSettings, MAX_BATCH, MAX_HIDDEN, MAX_STEPS,
};

use crate::widgets::number_field::FieldTarget;

/// The unfreezing field's text for a backbone that stays frozen (as in the link).
pub const NEVER: &str = "never";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectField {
    Hidden,
    Steps,
    Batch,
    LearningRate,
    Unfreeze,
    BackboneShare,
    BoxWeight,
    Seed,
}

impl DetectField {
    pub const ALL: [DetectField; 8] = [
        DetectField::Hidden,
        DetectField::Steps,
        DetectField::Batch,
        DetectField::LearningRate,
        DetectField::Unfreeze,
        DetectField::BackboneShare,
        DetectField::BoxWeight,
        DetectField::Seed,
    ];

    /// Its link key, also its i18n key (`detect.field.<key>`) and its input's id.
    pub fn key(self) -> &'static str {
        match self {
            DetectField::Hidden => "hidden",
            DetectField::Steps => "steps",
            DetectField::Batch => "batch",
            DetectField::LearningRate => "lr",
            DetectField::Unfreeze => "unfreeze",
            DetectField::BackboneShare => "blr",
            DetectField::BoxWeight => "box",
            DetectField::Seed => "seed",
        }
    }

    /// The values the engine takes with `settings`' other values, as shown in a message.
    pub fn range(self, settings: &DetectSettings) -> (f64, f64) {
        match self {
            DetectField::Hidden => (1.0, MAX_HIDDEN as f64),
            DetectField::Steps => (1.0, MAX_STEPS as f64),
            DetectField::Batch => (1.0, MAX_BATCH as f64),
            DetectField::LearningRate | DetectField::BackboneShare => (0.0, 1.0),
            DetectField::Unfreeze => (0.0, settings.steps.saturating_sub(1) as f64),
            DetectField::BoxWeight => (0.0, 100.0),
            DetectField::Seed => SEED,
        }
    }

    /// The engine's problem with this field's value.
    fn problem(self) -> Option<DetectProblem> {
        Some(match self {
            DetectField::Hidden => DetectProblem::Hidden,
            DetectField::Steps => DetectProblem::Steps,
            DetectField::Batch => DetectProblem::Batch,
            DetectField::LearningRate => DetectProblem::LearningRate,
            DetectField::Unfreeze => DetectProblem::UnfreezeAt,
            DetectField::BackboneShare => DetectProblem::BackboneShare,
            DetectField::BoxWeight => DetectProblem::BoxWeight,
            DetectField::Seed => return None,
        })
    }
}

impl FieldTarget for DetectSettings {
    type Field = DetectField;

    fn text(&self, field: DetectField) -> String {
        match field {
            DetectField::Hidden => self.hidden.to_string(),
            DetectField::Steps => self.steps.to_string(),
            DetectField::Batch => self.batch.to_string(),
            DetectField::LearningRate => self.learning_rate.to_string(),
            DetectField::Unfreeze => self
                .unfreeze_at
                .map_or_else(|| NEVER.to_string(), |at| at.to_string()),
            DetectField::BackboneShare => self.backbone_share.to_string(),
            DetectField::BoxWeight => self.box_weight.to_string(),
            DetectField::Seed => self.seed.to_string(),
        }
    }

    fn try_set(&self, field: DetectField, text: &str) -> Result<Self, Problem> {
        let any = (f64::NEG_INFINITY, f64::INFINITY);
        let whole = |text: &str| parse_whole(text, any).map(|v| v.min(u32::MAX as u64));
        let mut next = self.clone();
        match field {
            DetectField::Hidden => next.hidden = whole(text)? as usize,
            DetectField::Steps => next.steps = whole(text)? as u32,
            DetectField::Batch => next.batch = whole(text)? as usize,
            DetectField::LearningRate => next.learning_rate = parse_real(text, any)?,
            DetectField::Unfreeze if text.trim().eq_ignore_ascii_case(NEVER) => {
                next.unfreeze_at = None
            }
            DetectField::Unfreeze => next.unfreeze_at = Some(whole(text)? as u32),
            DetectField::BackboneShare => next.backbone_share = parse_real(text, any)?,
            DetectField::BoxWeight => next.box_weight = parse_real(text, any)?,
            DetectField::Seed => next.seed = parse_whole(text, SEED)?,
        }
        let (min, max) = field.range(&next);
        // A negative whole number became 0 above, which the engine refuses too.
        match field.problem() {
            Some(problem) if next.validate().contains(&problem) => {
                Err(Problem::OutOfRange { min, max })
            }
            _ => Ok(next),
        }
    }

    fn key(field: DetectField) -> String {
        format!("detect-{}", field.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_take_what_the_engine_takes() {
        let s = DetectSettings::default();
        assert_eq!(s.try_set(DetectField::Steps, "40").unwrap().steps, 40);
        assert_eq!(
            s.try_set(DetectField::Hidden, "0"),
            Err(Problem::OutOfRange {
                min: 1.0,
                max: 256.0
            })
        );
        assert!(s.try_set(DetectField::Batch, "-3").is_err());
        assert!(s.try_set(DetectField::Steps, "20001").is_err());
        assert_eq!(
            s.try_set(DetectField::Batch, "2.5"),
            Err(Problem::NotAWholeNumber)
        );
        assert_eq!(s.try_set(DetectField::Seed, ""), Err(Problem::Empty));
        assert!(s.try_set(DetectField::LearningRate, "0").is_err());
        assert!(s.try_set(DetectField::BoxWeight, "101").is_err());
        assert_eq!(
            s.try_set(DetectField::LearningRate, "abc"),
            Err(Problem::NotANumber)
        );
        // The backbone is unfrozen before the last step, or never.
        let late = s.try_set(DetectField::Unfreeze, "600");
        assert_eq!(
            late,
            Err(Problem::OutOfRange {
                min: 0.0,
                max: 599.0
            })
        );
        let at = s.try_set(DetectField::Unfreeze, "300").unwrap();
        assert_eq!(at.unfreeze_at, Some(300));
        assert_eq!(at.try_set(DetectField::Unfreeze, "Never").unwrap(), s);
        for field in DetectField::ALL {
            let text = at.text(field);
            assert_eq!(at.try_set(field, &text).as_ref(), Ok(&at), "{field:?}");
        }
    }
}
