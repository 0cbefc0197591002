//! Reading a setting a learner typed (or a link carried), and the ranges that more than one
//! lesson shares. The page and the engine check against these same constants; the page and the
//! native program split a link's query the same way (`query_pairs`).

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

/// Decodes `%XX` escapes and `+`; malformed escapes are kept as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query's `key=value` pairs, decoded, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}
