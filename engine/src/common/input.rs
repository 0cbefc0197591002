//! Reading the numbers a learner types (or a link carries).

use serde::{Deserialize, Serialize};

use crate::common::number::parse_f64;

/// Longest vector a worked example accepts.
pub const MAX_LEN: usize = 64;
/// Largest magnitude accepted; beyond it f32 (what the GPU computes in) overflows or loses
/// every digit that matters.
pub const MAX_ABS: f64 = 1e6;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum InputError {
    Empty,
    /// The entry at `index` (0-based) is not a number.
    NotANumber {
        index: usize,
        text: String,
    },
    NotFinite {
        index: usize,
    },
    TooLarge {
        index: usize,
        max: f64,
    },
    TooLong {
        len: usize,
        max: usize,
    },
    /// Predictions and targets (or the two inputs) have different lengths.
    LengthMismatch {
        left: usize,
        right: usize,
    },
    /// A value that must be a probability is outside [0, 1].
    NotAProbability {
        index: usize,
    },
    /// Targets of a categorical loss must sum to 1.
    NotADistribution {
        sum: f64,
    },
    NeedAtLeast {
        min: usize,
    },
    BadRange {
        limit: f64,
    },
    BadSlope,
}

/// Parses `-4, -2, 0, 2, 4` (commas and/or spaces) into numbers within the accepted range.
pub fn parse_vector(text: &str) -> Result<Vec<f64>, InputError> {
    let parts: Vec<&str> = text
        .split([',', ' ', '\t', '\n', '，'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        return Err(InputError::Empty);
    }
    if parts.len() > MAX_LEN {
        return Err(InputError::TooLong {
            len: parts.len(),
            max: MAX_LEN,
        });
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            let value = parse_f64(part.trim()).ok_or_else(|| InputError::NotANumber {
                index,
                text: part.trim().to_string(),
            })?;
            check_value(index, value)
        })
        .collect()
}

pub fn check_value(index: usize, value: f64) -> Result<f64, InputError> {
    if !value.is_finite() {
        return Err(InputError::NotFinite { index });
    }
    if value.abs() > MAX_ABS {
        return Err(InputError::TooLarge {
            index,
            max: MAX_ABS,
        });
    }
    Ok(value)
}

/// Checks numbers that arrive already parsed (from a message).
pub fn check_vector(values: &[f64]) -> Result<(), InputError> {
    if values.is_empty() {
        return Err(InputError::Empty);
    }
    if values.len() > MAX_LEN {
        return Err(InputError::TooLong {
            len: values.len(),
            max: MAX_LEN,
        });
    }
    values
        .iter()
        .enumerate()
        .try_for_each(|(i, &v)| check_value(i, v).map(|_| ()))
}

/// Formats numbers back into the text form `parse_vector` reads.
pub fn format_vector(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            parse_vector("-4, -2,0 2，4"),
            Ok(vec![-4.0, -2.0, 0.0, 2.0, 4.0])
        );
        assert_eq!(parse_vector(" "), Err(InputError::Empty));
        assert_eq!(
            parse_vector("1,x"),
            Err(InputError::NotANumber {
                index: 1,
                text: "x".into()
            })
        );
        assert_eq!(parse_vector("NaN"), Err(InputError::NotFinite { index: 0 }));
        assert_eq!(
            parse_vector("1,inf"),
            Err(InputError::NotFinite { index: 1 })
        );
        assert_eq!(
            parse_vector("-inf"),
            Err(InputError::NotFinite { index: 0 })
        );
        assert_eq!(
            parse_vector("1e39"),
            Err(InputError::TooLarge {
                index: 0,
                max: MAX_ABS
            })
        );
        let long = vec!["1"; 10_000].join(",");
        assert_eq!(
            parse_vector(&long),
            Err(InputError::TooLong {
                len: 10_000,
                max: MAX_LEN
            })
        );
        assert_eq!(
            parse_vector(&format_vector(&[0.1, -2.5, 3.0])),
            Ok(vec![0.1, -2.5, 3.0])
        );
    }
}
