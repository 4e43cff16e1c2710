//! How numbers read in the report: fixed decimals without a negative zero, "estimate [lower;
//! upper]" as `alkstats pool` prints it, and p-values as sentences. Every table of the HTML and
//! Markdown documents formats through these, so both show the same rounding.

pub(super) use crate::format::{fixed_unsigned_zero as num, p_sentence as p_text};

/// "estimate [lower; upper]", as the table of `alkstats pool` prints it.
pub(super) fn est_ci(est: Option<f64>, lo: Option<f64>, hi: Option<f64>, digits: usize) -> String {
    format!(
        "{} [{}; {}]",
        num(est, digits),
        num(lo, digits),
        num(hi, digits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_fixed_decimals_and_no_negative_zero() {
        assert_eq!(num(Some(0.68891), 4), "0.6889");
        assert_eq!(num(Some(-0.00001), 4), "0.0000");
        assert_eq!(num(Some(-0.5), 2), "-0.50");
        assert_eq!(num(None, 4), "n/a");
        assert_eq!(num(Some(f64::NAN), 4), "n/a");
    }

    #[test]
    fn p_values_read_as_sentences() {
        assert_eq!(p_text(Some(0.0431)), "p = 0.0431");
        assert_eq!(p_text(Some(1e-9)), "p < 0.0001");
    }
}
