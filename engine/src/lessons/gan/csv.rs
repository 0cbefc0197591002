//! A learner's own points, pasted or uploaded as CSV: two numbers a line. A first line of
//! column names is allowed; any other text, a missing column, an extra column or a value that is
//! not a finite number is refused, with its line.

use serde::{Deserialize, Serialize};

use super::link::quantize;
use super::settings::{CUSTOM_POINTS, EXTENT};
use crate::common::number::parse_f64;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CsvError {
    /// More text than [`MAX_TEXT_BYTES`]: refused before it is read.
    TooLarge {
        bytes: u64,
        allowed: u64,
    },
    /// No points at all.
    Empty,
    /// A line with one value (1-based line number).
    OneColumn {
        line: usize,
    },
    /// A line with more than two values.
    TooManyColumns {
        line: usize,
        columns: usize,
    },
    /// A value that is not a number (text).
    NotANumber {
        line: usize,
        text: String,
    },
    /// NaN or an infinity.
    NotFinite {
        line: usize,
    },
    TooFew {
        found: usize,
        needed: usize,
    },
    TooMany {
        found: usize,
        allowed: usize,
    },
}

/// The most CSV text read: the most points allowed take well under a tenth of it.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// The values of one line, split at commas, semicolons, tabs or spaces.
fn cells(line: &str) -> Vec<&str> {
    line.split([',', ';', '\t', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The points of a CSV text, as written (not yet fitted to the plot).
pub fn parse(text: &str) -> Result<Vec<[f64; 2]>, CsvError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(CsvError::TooLarge {
            bytes: text.len() as u64,
            allowed: MAX_TEXT_BYTES as u64,
        });
    }
    let mut points = Vec::new();
    let mut seen_line = false;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let cells = cells(line);
        if cells.is_empty() {
            continue;
        }
        let first = !seen_line;
        seen_line = true;
        let values: Vec<Option<f64>> = cells.iter().map(|c| parse_f64(c)).collect();
        // Column names: only on the first line, and only if nothing on it is a number.
        if first && values.iter().all(Option::is_none) && cells.iter().all(|c| is_name(c)) {
            continue;
        }
        match cells.len() {
            1 => return Err(CsvError::OneColumn { line: number }),
            2 => {}
            columns => {
                return Err(CsvError::TooManyColumns {
                    line: number,
                    columns,
                });
            }
        }
        let mut pair = [0.0; 2];
        for (slot, (cell, value)) in pair.iter_mut().zip(cells.iter().zip(&values)) {
            let value = value.ok_or_else(|| CsvError::NotANumber {
                line: number,
                text: cell.chars().take(20).collect(),
            })?;
            if !value.is_finite() {
                return Err(CsvError::NotFinite { line: number });
            }
            *slot = value;
        }
        points.push(pair);
    }
    let (needed, allowed) = CUSTOM_POINTS;
    match points.len() {
        0 => Err(CsvError::Empty),
        found if found < needed => Err(CsvError::TooFew { found, needed }),
        found if found > allowed => Err(CsvError::TooMany { found, allowed }),
        _ => Ok(points),
    }
}

/// A column name: letters, digits, `_`, `-` or spaces, starting with a letter; not "nan"/"inf".
fn is_name(cell: &str) -> bool {
    let lower = cell.to_ascii_lowercase();
    cell.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && cell
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_- ".contains(c))
        && !["nan", "inf", "infinity"].contains(&lower.as_str())
}

/// The points moved and scaled (the same factor on both axes) so that they fill 80 % of the plot,
/// to three decimals as the link keeps them.
pub fn fit_to_plot(points: &[[f64; 2]]) -> Vec<[f32; 2]> {
    let bound = |axis: usize| {
        points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p[axis]), hi.max(p[axis]))
            })
    };
    let (bx, by) = (bound(0), bound(1));
    let centre = [(bx.0 + bx.1) / 2.0, (by.0 + by.1) / 2.0];
    let half = ((bx.1 - bx.0).max(by.1 - by.0) / 2.0).max(1e-12);
    let scale = 0.8 * EXTENT as f64 / half;
    points
        .iter()
        .map(|p| {
            [
                quantize(((p[0] - centre[0]) * scale) as f32),
                quantize(((p[1] - centre[1]) * scale) as f32),
            ]
        })
        .collect()
}

/// The learner's CSV, parsed and fitted to the plot.
pub fn read(text: &str) -> Result<Vec<[f32; 2]>, CsvError> {
    parse(text).map(|points| fit_to_plot(&points))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn lines(n: usize) -> String {
        (0..n).map(|i| format!("{i},{}\n", i * 2)).collect()
    }

    #[test]
    fn separators_header_and_blank_lines() {
        let text = format!("x, y\n\n{}1.5;-2\n3\t4e0\n 5  6 \n", lines(8));
        let points = parse(&text).unwrap();
        assert_eq!(points.len(), 11);
        assert_eq!(points[8], [1.5, -2.0]);
        assert_eq!(points[9], [3.0, 4.0]);
        assert_eq!(points[10], [5.0, 6.0]);
    }

    #[test]
    fn each_bad_input_names_its_line() {
        let ten = lines(10);
        assert_eq!(parse(""), Err(CsvError::Empty));
        assert_eq!(parse("\n \n"), Err(CsvError::Empty));
        assert_eq!(parse("x,y\n"), Err(CsvError::Empty));
        assert_eq!(
            parse(&format!("{ten}7\n")),
            Err(CsvError::OneColumn { line: 11 })
        );
        assert_eq!(
            parse(&format!("{ten}1,2,3\n")),
            Err(CsvError::TooManyColumns {
                line: 11,
                columns: 3
            })
        );
        assert_eq!(parse(&format!("1,2\n{ten}")).map(|p| p.len()), Ok(11));
        assert_eq!(
            parse(&format!("1,2\nx,y\n{ten}")),
            Err(CsvError::NotANumber {
                line: 2,
                text: "x".into()
            })
        );
        assert_eq!(
            parse(&format!("{ten}1,abc\n")),
            Err(CsvError::NotANumber {
                line: 11,
                text: "abc".into()
            })
        );
        assert_eq!(
            parse(&format!("{ten}NaN,1\n")),
            Err(CsvError::NotFinite { line: 11 })
        );
        assert_eq!(
            parse(&format!("{ten}1,inf\n")),
            Err(CsvError::NotFinite { line: 11 })
        );
        assert_eq!(parse("nan,nan\n"), Err(CsvError::NotFinite { line: 1 }));
        assert_eq!(
            parse(&lines(9)),
            Err(CsvError::TooFew {
                found: 9,
                needed: 10
            })
        );
        assert_eq!(
            parse(&lines(2001)),
            Err(CsvError::TooMany {
                found: 2001,
                allowed: 2000
            })
        );
        assert_eq!(parse(&lines(2000)).map(|p| p.len()), Ok(2000));
    }

    #[test]
    fn random_valid_files_read_back_exactly_and_random_junk_never_panics() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let n = 10 + rng.below(100);
            let points: Vec<[f64; 2]> = (0..n)
                .map(|_| [rng.range(-1e6, 1e6), rng.normal() * 1e-3])
                .collect();
            let separator = [",", ";", "\t", " , "][rng.below(4)];
            let text: String = points
                .iter()
                .map(|p| format!("{}{separator}{}\r\n", p[0], p[1]))
                .collect();
            assert_eq!(parse(&text), Ok(points.clone()));
            let fitted = fit_to_plot(&points);
            let limit = 0.8 * EXTENT + 1e-3;
            assert!(fitted.iter().flatten().all(|v| v.abs() <= limit));
            let widest = fitted.iter().map(|p| p[0].abs()).fold(0.0, f32::max);
            assert!((widest - 0.8 * EXTENT).abs() < 1e-3, "{widest}");
        }
        let alphabet = b"0123456789.,;-+eE \nxyNaI\t";
        for _ in 0..500 {
            let len = rng.below(200);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())] as char)
                .collect();
            if let Ok(points) = parse(&text) {
                assert!(points.iter().flatten().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn one_point_repeated_fits_without_dividing_by_zero() {
        let fitted = fit_to_plot(&[[3.0, 3.0]; 10]);
        assert!(fitted.iter().flatten().all(|v| *v == 0.0));
    }
}
