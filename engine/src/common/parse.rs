//! Reading a setting a learner typed (or a link carried), and the ranges that more than one
//! lesson shares. The page and the engine check against these same constants.

use serde::{Deserialize, Serialize};

use crate::common::number::parse_f64;

/// Learning rates every trainer accepts, inclusive.
pub const LEARNING_RATE: (f64, f64) = (1e-6, 10.0);
/// Mini-batch sizes every trainer accepts, inclusive.
pub const BATCH_SIZE: (f64, f64) = (1.0, 1024.0);
/// Seeds: any 32-bit unsigned number.
pub const SEED: (f64, f64) = (0.0, 4_294_967_295.0);

/// Why a value was refused.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Empty,
    NotANumber,
    NotAWholeNumber,
    NotFinite,
    /// Allowed range, inclusive.
    OutOfRange {
        min: f64,
        max: f64,
    },
    Unknown,
}

/// Parses a real number within `range`.
pub fn parse_real(text: &str, (min, max): (f64, f64)) -> Result<f64, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    let value = parse_f64(text).ok_or(Problem::NotANumber)?;
    if !value.is_finite() {
        return Err(Problem::NotFinite);
    }
    if value < min || value > max {
        return Err(Problem::OutOfRange { min, max });
    }
    Ok(value)
}

/// Parses a whole number within `range`.
pub fn parse_whole(text: &str, range: (f64, f64)) -> Result<u64, Problem> {
    let value = parse_real(text, (f64::NEG_INFINITY, f64::INFINITY))?;
    if value.fract() != 0.0 {
        return Err(Problem::NotAWholeNumber);
    }
    if value < range.0 || value > range.1 {
        return Err(Problem::OutOfRange {
            min: range.0,
            max: range.1,
        });
    }
    Ok(value as u64)
}
