//! The shortest decimal text of a finite `f64`, laid out exactly as Rust's `{}` (`Display`) and
//! `{:e}` (`LowerExp`) lay it out, from the digits of `zmij` (Zverovich's algorithm: Schubfach,
//! Giulietti 2020, with the digit output of yy_double). Both find the shortest digit string
//! that reads back as the same number, choosing the closest one when several are as short, so
//! the digits agree; `zmij` finds them several times faster than `core::fmt` (and twice as fast
//! as `ryu`, Adams 2018, used before: 26 against 51 ns a number here), and the batch engine
//! writes 2.1·10⁶ numbers per 10⁵ meta-analyses. The tests compare both layouts with
//! `format!` on random numbers.
//!
//! They may differ on exact ties (two shortest candidates equally close: 1690060720831323.25 is
//! …323.2 or …323.3, and `core::fmt` rounds up), which only numbers with a short exact decimal
//! expansion can have; those ([`may_tie`]) are written by `core::fmt`.

/// The digits (no leading or trailing zeros) and decimal point of `x`: x = ±0.d₁d₂… × 10^point.
struct Digits {
    negative: bool,
    digits: [u8; 24],
    len: usize,
    point: i32,
}

impl Digits {
    /// The digits of `zmij`'s text of a number.
    fn of_text(text: &[u8]) -> Self {
        let negative = text.first() == Some(&b'-');
        let text = &text[usize::from(negative)..];
        let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
            Some(e) => (&text[..e], parse_exponent(&text[e + 1..])),
            None => (text, 0),
        };
        let mut d = Digits {
            negative,
            digits: [0; 24],
            len: 0,
            point: exponent,
        };
        let mut before_point = true;
        for &b in mantissa {
            match b {
                b'.' => before_point = false,
                b'0' if d.len == 0 => {
                    // A leading zero: after the point it moves the point left.
                    if !before_point {
                        d.point -= 1;
                    }
                }
                _ => {
                    d.digits[d.len] = b;
                    d.len += 1;
                    if before_point {
                        d.point += 1;
                    }
                }
            }
        }
        while d.len > 0 && d.digits[d.len - 1] == b'0' {
            d.len -= 1;
        }
        d
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

/// Whether `x` (finite) could lie exactly halfway between two shortest decimal candidates.
/// A tie between two n-digit decimals is (10D + 5)·10^k: n + 1 ≤ 18 significant digits. With
/// x = m·2^e (m odd), the exact decimal expansion of x has the digits of m·5^(−e) when e < 0;
/// an integer below 2^53 has no tie (a candidate half an integer away does not round-trip).
fn may_tie(x: f64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | (1 << 52), biased - 1075),
    };
    if m == 0 {
        return false;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    if e >= 0 {
        return x.abs() >= 9_007_199_254_740_992.0;
    }
    // 5^27 > 10^18: a longer expansion cannot tie.
    if e < -26 {
        return false;
    }
    u128::from(m) * 5u128.pow(e.unsigned_abs()) < 1_000_000_000_000_000_000
}

/// The exponent after the `e` of `zmij`'s text: a sign (`-`, or `+` for a positive one), then
/// its digits.
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = digits
        .iter()
        .fold(0i32, |v, &b| v * 10 + i32::from(b - b'0'));
    if negative {
        -value
    } else {
        value
    }
}

fn push_zeros(out: &mut Vec<u8>, n: i32) {
    out.extend(std::iter::repeat_n(b'0', n.max(0) as usize));
}

/// Whether zmij's `text` of `x` is in exponent form. zmij writes plain decimals for decimal
/// exponents −5 to 15 (d.dd… × 10^e), so |x| in [2·10⁻⁵, 5·10¹⁵), whatever its shortest digits
/// round to, is plain (and so is 0); the rest have their `e` among their last five bytes
/// ("e-308"). Looking at those bytes for every number was a third of this module's own time.
fn has_exponent(x: f64, text: &[u8]) -> bool {
    let a = x.abs();
    if a == 0.0 || (2e-5..5e15).contains(&a) {
        return false;
    }
    text.iter().rev().take(5).any(|&b| b == b'e')
}

/// Appends `x` (finite) as `format!("{x}")` writes it.
pub fn write_plain(out: &mut Vec<u8>, x: f64) {
    use std::io::Write;
    if may_tie(x) {
        // Writing into a vector cannot fail.
        let _ = write!(out, "{x}");
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x).as_bytes();
    if !has_exponent(x, text) {
        // zmij writes plain decimals as Rust does (a whole number's ".0" removed, should it
        // have one).
        out.extend_from_slice(text.strip_suffix(b".0").unwrap_or(text));
        return;
    }
    let d = Digits::of_text(text);
    if d.negative {
        out.push(b'-');
    }
    let digits = d.digits();
    if digits.is_empty() {
        out.push(b'0');
        return;
    }
    let len = digits.len() as i32;
    if d.point <= 0 {
        out.extend_from_slice(b"0.");
        push_zeros(out, -d.point);
        out.extend_from_slice(digits);
    } else if d.point >= len {
        out.extend_from_slice(digits);
        push_zeros(out, d.point - len);
    } else {
        let (whole, fraction) = digits.split_at(d.point as usize);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(fraction);
    }
}

/// Appends `x` (finite) as `format!("{x:e}")` writes it.
pub fn write_exponent(out: &mut Vec<u8>, x: f64) {
    use std::io::Write;
    if may_tie(x) {
        // Writing into a vector cannot fail.
        let _ = write!(out, "{x:e}");
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x).as_bytes();
    if let Some(e) = text.iter().rposition(|&b| b == b'e') {
        // zmij's exponent form has Rust's digits; only its exponent is written differently
        // ("e+16" or, on some targets, "e-06" where Rust writes "e16" and "e-6").
        out.extend_from_slice(&text[..=e]);
        write_integer(out, i64::from(parse_exponent(&text[e + 1..])));
        return;
    }
    let d = Digits::of_text(text);
    if d.negative {
        out.push(b'-');
    }
    let (first, rest, exponent) = match d.digits() {
        [] => (b'0', &[][..], 0),
        [first, rest @ ..] => (*first, rest, d.point - 1),
    };
    out.push(first);
    if !rest.is_empty() {
        out.push(b'.');
        out.extend_from_slice(rest);
    }
    out.push(b'e');
    write_integer(out, i64::from(exponent));
}

/// Appends `v` as `format!("{v}")` writes it, without the formatting machinery (a batch
/// writes three counts a row).
pub fn write_integer(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_count(out, v.unsigned_abs());
}

/// Appends `v` as `format!("{v}")` writes it.
pub fn write_count(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(x: f64) {
        let mut plain = Vec::new();
        write_plain(&mut plain, x);
        assert_eq!(String::from_utf8(plain).unwrap(), format!("{x}"), "{x:?}");
        let mut exponent = Vec::new();
        write_exponent(&mut exponent, x);
        assert_eq!(
            String::from_utf8(exponent).unwrap(),
            format!("{x:e}"),
            "{x:?}"
        );
    }

    #[test]
    fn integers_read_as_rust_writes_them() {
        for v in [0, 1, -1, 9, 10, -10, 12345, i64::MAX, i64::MIN, 1 << 40] {
            let mut out = Vec::new();
            write_integer(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
        let mut out = Vec::new();
        write_count(&mut out, u64::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), u64::MAX.to_string());
    }

    #[test]
    fn edge_values_read_as_rust_writes_them() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            100.0,
            123.456,
            1e-5,
            9.99e-6,
            1e15,
            1e16,
            1.5e16,
            2.48e-79,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -f64::MAX,
            0.30000000000000004,
            1690060720831323.3,
            1690060720831323.2,
            0.125,
            1e300,
            123456789012345680000.0,
        ] {
            check(x);
        }
        // Around the magnitudes where zmij's form is known from the value (see has_exponent):
        // a few ulps either side of 2·10⁻⁵, 10⁻⁵, 5·10¹⁵ and 10¹⁶.
        for edge in [2e-5_f64, 1e-5, 5e15, 1e16] {
            // Positive numbers are ordered as their bits.
            for step in 0..8 {
                let x = f64::from_bits(edge.to_bits() + step - 4);
                check(x);
                check(-x);
            }
        }
    }

    #[test]
    fn random_values_read_as_rust_writes_them() {
        // A fixed xorshift stream: random bit patterns (every exponent) and values of the
        // magnitudes a report prints.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300_000 {
            let bits = f64::from_bits(next());
            if bits.is_finite() {
                check(bits);
            }
            let unit = (next() >> 11) as f64 / (1u64 << 53) as f64;
            check(unit);
            check(unit * 1e-3);
            check((unit - 0.5) * 40.0);
            // Numbers with few fractional bits, where ties happen.
            check((next() >> 8) as f64 / 4.0);
            check((next() >> 30) as f64 / 1024.0);
        }
    }
}
