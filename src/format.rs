//! Numbers and p-values for people: the one formatter that the table, CSV, forest and funnel
//! plots, network tables and reports all use, so that a value reads the same everywhere.
//!
//! Conventions (those of R `meta`'s printed summaries): estimates with a fixed number of
//! decimals; p-values with 4 decimals, or "< 0.0001" below that; a value that cannot be
//! computed prints as "n/a", never as a made-up number.

/// `v` with `digits` decimals; "n/a" when absent or not finite.
pub fn fixed(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "n/a".to_string(),
    }
}

/// As [`fixed`], but a value that rounds to zero never prints as "-0.00".
pub fn fixed_unsigned_zero(v: Option<f64>, digits: usize) -> String {
    let s = fixed(v, digits);
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// A p-value as R prints it in summaries: "0.0431", "< 0.0001", or "n/a".
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "< 0.0001".to_string(),
        Some(p) if p.is_finite() => format!("{p:.4}"),
        _ => "n/a".to_string(),
    }
}

/// A p-value in a sentence: "p = 0.0431", "p < 0.0001", "p = n/a".
pub fn p_sentence(p: Option<f64>) -> String {
    let v = p_value(p);
    if v.starts_with('<') {
        format!("p {v}")
    } else {
        format!("p = {v}")
    }
}

/// A confidence level in percent with no needless decimals: 0.95 → "95", 0.975 → "97.5".
pub fn level_percent(level: f64) -> String {
    let p = level * 100.0;
    let rounded = (p * 1e6).round() / 1e6;
    format!("{rounded}")
}

/// A data value in a table cell, such as a mean or SD: as typed where it is short (4.1, 12),
/// and to 4 significant decimals where it is long, as a mean estimated from a median is
/// (3.6782500000000002 → 3.6783); below 1 in magnitude, to 4 significant digits.
pub fn data_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let shortest = v.to_string();
    let decimals = if v.abs() >= 1.0 || v == 0.0 {
        4
    } else {
        // Digits after the point that keep 4 significant ones.
        (3 - v.abs().log10().floor() as i64).clamp(4, 17) as usize
    };
    if shortest
        .split_once('.')
        .is_none_or(|(_, d)| d.len() <= decimals)
    {
        return shortest;
    }
    let rounded = format!("{v:.decimals$}");
    rounded
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// A number for CSV: the shortest digits that read back as the same `f64`, written with an
/// exponent where the plain decimal would be long (`2.48e-79`, not 80 digits): below 1e-5 or
/// from 1e16 in magnitude, where serde_json (ryu) switches too, so CSV and JSON agree. Empty
/// when absent or not finite.
pub fn csv_number(v: Option<f64>) -> String {
    let mut s = Vec::new();
    csv_number_into(&mut s, v);
    String::from_utf8(s).unwrap_or_default()
}

/// [`csv_number`] appended to `out`, without allocating once `out` has room (the batch engine
/// formats millions of numbers into one reused buffer).
pub fn csv_number_into(out: &mut Vec<u8>, v: Option<f64>) {
    if let Some(x) = v.filter(|x| x.is_finite()) {
        let magnitude = x.abs();
        if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
            crate::decimal::write_exponent(out, x);
        } else {
            crate::decimal::write_plain(out, x);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_values_are_as_typed_unless_long() {
        use super::data_value;
        assert_eq!(data_value(4.1), "4.1");
        assert_eq!(data_value(12.0), "12");
        assert_eq!(data_value(3.6782500000000002), "3.6783");
        assert_eq!(data_value(2.1017345907250142), "2.1017");
        assert_eq!(data_value(0.000123456), "0.0001235");
        assert_eq!(data_value(-0.5), "-0.5");
    }

    use super::*;

    #[test]
    fn p_values_read_as_r_prints_them() {
        assert_eq!(p_value(Some(0.04312)), "0.0431");
        assert_eq!(p_value(Some(2e-9)), "< 0.0001");
        assert_eq!(p_value(None), "n/a");
        assert_eq!(p_sentence(Some(1e-9)), "p < 0.0001");
        assert_eq!(p_sentence(Some(0.5)), "p = 0.5000");
        assert_eq!(p_sentence(None), "p = n/a");
    }

    #[test]
    fn csv_numbers_round_trip_and_use_an_exponent_where_long() {
        assert_eq!(csv_number(Some(2.48e-79)), "2.48e-79");
        assert_eq!(csv_number(Some(-1.5e-6)), "-1.5e-6");
        assert_eq!(csv_number(Some(3.2e17)), "3.2e17");
        assert_eq!(csv_number(Some(0.00001)), "0.00001");
        assert_eq!(csv_number(Some(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(csv_number(Some(12.0)), "12");
        assert_eq!(csv_number(Some(0.0)), "0");
        assert_eq!(csv_number(Some(f64::NAN)), "");
        for x in [1.0716550267438874e-35, 6.62452030802787e-9, 123456.789] {
            assert_eq!(csv_number(Some(x)).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn numbers_have_fixed_decimals_and_no_negative_zero() {
        assert_eq!(fixed_unsigned_zero(Some(-0.00001), 4), "0.0000");
        assert_eq!(fixed_unsigned_zero(Some(-0.5), 2), "-0.50");
        assert_eq!(fixed(Some(f64::NAN), 2), "n/a");
        assert_eq!(level_percent(0.975), "97.5");
        assert_eq!(csv_number(Some(f64::INFINITY)), "");
    }
}
