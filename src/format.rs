//! Numbers as the page prints them, the same in every lesson and widget.

/// `1234567` → `1,234,567`.
pub fn group(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal: `0.9781` → `97.8%`.
pub fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{:.1}%", value * 100.0)
    } else {
        "—".into()
    }
}

/// A size in bytes, kB, MB or GB (powers of 1000, one decimal).
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// Milliseconds as `m:ss` (or `h:mm:ss`).
pub fn duration(ms: f64) -> String {
    let seconds = if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    };
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `[8, 28, 28]` → `8 × 28 × 28`.
pub fn shape(dims: &[usize]) -> String {
    dims.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" × ")
}

/// A value as the lessons print it: 3 decimals, ∞ for infinities, no "-0.000".
pub fn fmt3(value: f64) -> String {
    fmt_digits(value, 3)
}

pub fn fmt_digits(value: f64, digits: usize) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value == f64::INFINITY {
        "∞".into()
    } else if value == f64::NEG_INFINITY {
        "-∞".into()
    } else {
        // ASCII minus, so the numbers can be copied back into an input (and read by tests).
        let text = format!("{value:.digits$}");
        let zero = text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.');
        if zero {
            text.trim_start_matches('-').to_string()
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(34_738), "34,738");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(percent(0.9781), "97.8%");
        assert_eq!(size(11_301_551), "11.3 MB");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(3_221_225_472), "3.2 GB");
        assert_eq!(duration(75_500.0), "1:15");
        assert_eq!(duration(3_725_000.0), "1:02:05");
        assert_eq!(shape(&[8, 28, 28]), "8 × 28 × 28");
    }

    #[test]
    fn three_decimals_without_minus_zero() {
        assert_eq!(fmt3(0.11920292), "0.119");
        assert_eq!(fmt3(-0.0001), "0.000");
        assert_eq!(fmt3(-0.7616), "-0.762");
        assert_eq!(fmt3(f64::INFINITY), "∞");
    }
}
