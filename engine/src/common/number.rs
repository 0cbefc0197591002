//! Decimal text to `f64` without the standard library's parser, whose table of powers of five
//! and its code made up about 14 KB gzip of the page's wasm. Same grammar as `str::parse::<f64>`
//! and the same, correctly rounded, result: short numbers take one exact floating-point
//! operation, others an exact long division on big integers.

/// `text` as an `f64`, exactly as `text.parse::<f64>().ok()` reads it.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        let (digits, exponent) = decimal(rest.as_bytes())?;
        magnitude(&digits, exponent)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Significant digits kept; a double or a midpoint between two needs at most 767.
const MAX_DIGITS: usize = 800;

/// The significant digits (values 0–9, no leading or trailing zeros) and the power of ten they
/// are scaled by, or `None` if `bytes` is not `digits[.digits][e[sign]digits]` with at least one
/// digit before the exponent.
fn decimal(bytes: &[u8]) -> Option<(Vec<u8>, i64)> {
    let mut digits = Vec::new();
    let mut exponent: i64 = 0;
    let (mut seen, mut dot, mut truncated) = (false, false, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b @ b'0'..=b'9' => {
                seen = true;
                let d = b - b'0';
                if digits.len() < MAX_DIGITS {
                    if !(digits.is_empty() && d == 0) {
                        digits.push(d);
                    }
                    if dot {
                        exponent -= 1;
                    }
                } else {
                    truncated |= d != 0;
                    if !dot {
                        exponent += 1;
                    }
                }
            }
            b'.' if !dot => dot = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if i < bytes.len() {
        if !matches!(bytes[i], b'e' | b'E') {
            return None;
        }
        i += 1;
        let negative = bytes.get(i) == Some(&b'-');
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if i == bytes.len() {
            return None;
        }
        let mut value: i64 = 0;
        for &b in &bytes[i..] {
            if !b.is_ascii_digit() {
                return None;
            }
            // Saturates far beyond any exponent that matters.
            value = (value * 10 + i64::from(b - b'0')).min(1 << 40);
        }
        exponent += if negative { -value } else { value };
    }
    if truncated {
        // A nonzero digit beyond MAX_DIGITS: one more digit stands for all of them. Every
        // double and every midpoint between two has fewer significant digits, so none lies
        // between the number and this stand-in, and both round alike.
        digits.push(1);
        exponent -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    Some((digits, exponent))
}

/// The `f64` nearest to `digits × 10^exponent` (ties to even).
fn magnitude(digits: &[u8], exponent: i64) -> f64 {
    let n = digits.len() as i64;
    if n == 0 {
        return 0.0;
    }
    // The value lies in [10^(n-1+exponent), 10^(n+exponent)).
    if n - 1 + exponent > 309 {
        return f64::INFINITY;
    }
    if n + exponent < -324 {
        return 0.0;
    }
    if n <= 15 && exponent.abs() <= 22 {
        // Both operands are exact, so the one rounding of the product or quotient is the
        // correct one.
        let w = digits.iter().fold(0u64, |w, &d| w * 10 + u64::from(d)) as f64;
        let scale = (0..exponent.abs()).fold(1.0f64, |p, _| p * 10.0);
        return if exponent >= 0 { w * scale } else { w / scale };
    }
    // Exact: value = num / den.
    let mut num = Big::from_digits(digits);
    let mut den = Big::one();
    if exponent >= 0 {
        num.mul_pow10(exponent as u32);
    } else {
        den.mul_pow10((-exponent) as u32);
    }
    // k = floor(log2(value)), from the bit lengths and one comparison.
    let mut k = num.bits() as i64 - den.bits() as i64;
    if compare_scaled(&num, &den, k) == std::cmp::Ordering::Less {
        k -= 1;
    }
    if k > 1023 {
        return f64::INFINITY;
    }
    // The integer part of value × 2^shift has 53 bits (fewer for a subnormal).
    let shift = 52 - k.max(-1022);
    if shift >= 0 {
        num.shl(shift as u32);
    } else {
        den.shl((-shift) as u32);
    }
    // Long division, one quotient bit at a time (at most 54).
    let mut q: u64 = 0;
    for bit in (0..54).rev() {
        let mut d = den.clone();
        d.shl(bit);
        if num.cmp(&d) != std::cmp::Ordering::Less {
            num.sub(&d);
            q |= 1 << bit;
        }
    }
    // Round half to even on the remainder.
    num.shl(1);
    match num.cmp(&den) {
        std::cmp::Ordering::Greater => q += 1,
        std::cmp::Ordering::Equal if q & 1 == 1 => q += 1,
        _ => {}
    }
    let mut e = k.max(-1022);
    if q == 1 << 53 {
        q >>= 1;
        e += 1;
    }
    if e > 1023 {
        return f64::INFINITY;
    }
    if q < 1 << 52 {
        // Subnormal (e is -1022 here): the biased exponent is 0.
        return f64::from_bits(q);
    }
    f64::from_bits((((e + 1023) as u64) << 52) | (q - (1 << 52)))
}

/// Compares `num` with `den × 2^k`.
fn compare_scaled(num: &Big, den: &Big, k: i64) -> std::cmp::Ordering {
    let (mut a, mut b) = (num.clone(), den.clone());
    if k >= 0 {
        b.shl(k as u32);
    } else {
        a.shl((-k) as u32);
    }
    a.cmp(&b)
}

/// An unsigned big integer, little-endian 32-bit limbs, no trailing zero limbs.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    fn one() -> Self {
        Big(vec![1])
    }

    fn from_digits(digits: &[u8]) -> Self {
        let mut big = Big(Vec::new());
        for &d in digits {
            big.mul_add(10, u32::from(d));
        }
        big
    }

    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut exponent: u32) {
        while exponent > 0 {
            let step = exponent.min(9);
            self.mul_add(10u32.pow(step), 0);
            exponent -= step;
        }
    }

    fn shl(&mut self, bits: u32) {
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if !self.0.is_empty() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn bits(&self) -> u32 {
        match self.0.last() {
            Some(top) => 32 * self.0.len() as u32 - top.leading_zeros(),
            None => 0,
        }
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self -= other`, with `other <= self`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *limb = v.rem_euclid(1 << 32) as u32;
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    fn agrees(text: &str) {
        let mine = parse_f64(text).map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() });
        let std = text
            .parse::<f64>()
            .ok()
            .map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() });
        assert_eq!(mine, std, "{text:?}");
    }

    /// xorshift64: reproducible cases without a dependency.
    struct Cases(u64);

    impl Cases {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn grammar_and_special_values_as_std() {
        for text in [
            "",
            ".",
            "+",
            "-",
            "1e",
            "e1",
            "1.e5",
            ".5",
            "5.",
            "-.5e-3",
            "inf",
            "Infinity",
            "INF",
            "-inf",
            "+infinity",
            "infinit",
            "NaN",
            "-nan",
            "nan1",
            "infx",
            "1_0",
            " 1",
            "1 ",
            "0x10",
            "1e+5",
            "1E-5",
            "++1",
            "+-1",
            "1..2",
            "1.2.3",
            "1e5.5",
            "1e--5",
            "1e+",
            "0",
            "-0",
            "+0.0",
            "00000",
            "0.000",
            "0e999999999999999999999",
            "1e999999999999999999999",
            "1e-999999999999999999999",
            "１",
            "1,5",
        ] {
            agrees(text);
        }
    }

    #[test]
    fn hard_roundings_as_std() {
        for text in [
            "0.1",
            "0.3",
            "1e23",
            "9007199254740993",
            "9007199254740995",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "8.98846567431158e307",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001234567890123456789",
            "123456789012345e22",
            "1e-310",
        ] {
            agrees(text);
        }
        agrees(&format!("1.{}1e-5", "0".repeat(2000)));
        agrees(&format!("{}5", "9".repeat(1000)));
        agrees(&format!("0.{}", "3".repeat(3000)));
    }

    #[test]
    fn random_numbers_as_std() {
        let mut cases = Cases(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let x = f64::from_bits(cases.next());
            if !x.is_nan() {
                agrees(&format!("{x}"));
                agrees(&format!("{x:e}"));
                agrees(&format!("{x:.25e}"));
            }
            // Typed-looking numbers: a few digits, maybe a dot and an exponent.
            let r = cases.next();
            let digits = (r % 1_000_000_000_000_000_000) as f64;
            let text = format!("{digits}")
                .chars()
                .take(1 + (r >> 60) as usize)
                .collect::<String>();
            let at = (r >> 56) as usize % (text.len() + 1);
            let dotted = format!("{}.{}", &text[..at], &text[at..]);
            agrees(&dotted);
            agrees(&format!("{dotted}e{}", (r >> 40) as i64 % 700 - 350));
        }
    }

    #[test]
    fn midpoints_between_neighbours_as_std() {
        // (2m + 1) × 2^(e - 1) lies halfway between two neighbouring doubles; written out exactly
        // (below 1 as (2m + 1) × 5^k / 10^k) and nudged either way by a far digit.
        let mut cases = Cases(0x2545_f491_4f6c_dd1d);
        for _ in 0..5_000 {
            let m = (1u128 << 52) | u128::from(cases.next() >> 12);
            let odd = 2 * m + 1;
            let shift = (cases.next() % 92) as i32 - 21;
            let text = if shift >= 0 {
                (odd << shift).to_string()
            } else {
                let k = (-shift) as u32;
                let digits = (odd * 5u128.pow(k)).to_string();
                let (int, frac) = digits.split_at(digits.len() - k as usize);
                format!("{}.{frac}", if int.is_empty() { "0" } else { int })
            };
            agrees(&text);
            agrees(&format!(
                "{text}{}1",
                if text.contains('.') { "" } else { "." }
            ));
            agrees(&format!("{text}e-300"));
        }
    }
}
