//! Ratio measures reported as an estimate with a confidence interval or a p-value (hazard
//! ratios): the log ratio and its standard error.

use crate::dist::qnorm;

/// How a row's standard error was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SeSource {
    /// From a confidence interval at the given level.
    Ci {
        /// The interval's own level, e.g. 0.997.
        level: f64,
    },
    /// From a two-sided p-value.
    PValue,
}

/// Log ratio and SE from an interval at its own level.
///
/// # Formula
/// yᵢ = ln(ratio), SE = (ln upper − ln lower) / (2·z_{(1+level)/2}); e.g. a 99.7% interval uses
/// z = 2.9677, not 1.96 (Cochrane Handbook §6.3.2; Altman & Bland 2011, BMJ 343:d2090).
pub fn log_ratio_from_ci(ratio: f64, lower: f64, upper: f64, level: f64) -> (f64, f64) {
    let z = qnorm(0.5 + level / 2.0);
    (ratio.ln(), (upper.ln() - lower.ln()) / (2.0 * z))
}

/// Log ratio and SE from a two-sided p-value: Altman & Bland (2011), "How to obtain the
/// confidence interval from a P value", BMJ 343:d2090.
///
/// # Formula
/// z = Φ⁻¹(1 − p/2), SE = |ln ratio| / z. Altman & Bland give the hand-calculation
/// approximation z ≈ −0.862 + √(0.743 − 2.404·ln p); alkstats uses the exact normal quantile
/// it approximates (they agree to about 1e-3 in z).
///
/// Returns `None` when no SE follows: ratio = 1 (ln ratio = 0) or p = 1 (z = 0).
pub fn log_ratio_from_p(ratio: f64, p: f64) -> Option<(f64, f64)> {
    let y = ratio.ln();
    let z = qnorm(1.0 - p / 2.0);
    let se = y.abs() / z;
    (se.is_finite() && se > 0.0).then_some((y, se))
}

#[cfg(test)]
mod tests {
    use super::*;

    // J-ALEX PFS: HR 0.34, 99.7% CI 0.17–0.71 (Hida 2017). z_{0.9985} = 2.967737925 (R: qnorm(0.9985)).
    #[test]
    fn ci_level_is_honoured() {
        let (y, se) = log_ratio_from_ci(0.34, 0.17, 0.71, 0.997);
        assert!((y - 0.34f64.ln()).abs() < 1e-15);
        let expected = (0.71f64.ln() - 0.17f64.ln()) / (2.0 * 2.967_737_925_342_93);
        assert!((se - expected).abs() < 1e-9 * expected);
    }

    // Seed: PROFILE 1014 OS HR 0.821, P = 0.180 → z = qnorm(0.91) = 1.340755, SE = 0.19714/1.340755.
    #[test]
    fn p_value_gives_se() {
        let (y, se) = log_ratio_from_p(0.821, 0.180).unwrap();
        assert!((se - y.abs() / 1.340_755_033_690_216).abs() < 1e-9);
        assert_eq!(log_ratio_from_p(1.0, 0.5), None);
        assert_eq!(log_ratio_from_p(0.8, 1.0), None);
    }
}
