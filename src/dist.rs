//! Probability distributions used by the estimators: quantiles and tail areas of the normal,
//! Student t, chi-square and beta distributions.
//!
//! statrs supplies the densities and CDFs (regularised incomplete beta and gamma functions,
//! accurate to about 1e-14). Its inverse CDFs are less accurate for some parameters, and a
//! t quantile off in the 7th digit would put a Hartung–Knapp interval outside the 1e-6 agreement
//! we promise with R, so every quantile here is polished by Newton steps on the CDF. Arguments
//! outside the ranges where statrs is safe (it panics or never returns for some extreme
//! parameters, found by fuzzing) give `None`/NaN, or the normal limit for huge df, so nothing
//! here can panic or hang on any input.

use statrs::distribution::{
    Beta, ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT,
};

fn standard_normal() -> Normal {
    // Parameters are constants, so construction cannot fail.
    Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("N(0,1) is valid"))
}

/// Refines `x0`, an approximate solution of `cdf(x) = p`, by Newton steps that fall back to
/// bisection (or bracket expansion on an unbounded side) whenever Newton would leave the
/// current bracket `[lo, hi]`.
fn polish(
    p: f64,
    x0: f64,
    lo: f64,
    hi: f64,
    cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
) -> f64 {
    // statrs panics on some non-finite arguments; keep every evaluation finite.
    let cdf = |x: f64| {
        if x.is_finite() {
            cdf(x)
        } else if x > 0.0 {
            1.0
        } else {
            0.0
        }
    };
    let pdf = |x: f64| if x.is_finite() { pdf(x) } else { 0.0 };
    let (mut lo, mut hi) = (lo, hi);
    let mut x = if x0.is_finite() && x0 > lo && x0 < hi {
        x0
    } else if lo.is_finite() && hi.is_finite() {
        0.5 * (lo + hi)
    } else if lo.is_finite() {
        lo + 1.0
    } else if hi.is_finite() {
        hi - 1.0
    } else {
        0.0
    };
    for _ in 0..200 {
        let f = cdf(x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let d = pdf(x);
        let mut next = x - f / d;
        if !(d > 0.0) || !next.is_finite() || next <= lo || next >= hi {
            next = match (lo.is_finite(), hi.is_finite()) {
                (true, true) => 0.5 * (lo + hi),
                (true, false) => 2.0 * x.abs() + 1.0,
                (false, true) => -2.0 * x.abs() - 1.0,
                (false, false) => 0.0,
            };
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE) {
            return next;
        }
        x = next;
    }
    x
}

/// Degrees of freedom outside this range are not handed to statrs: below it its incomplete
/// beta/gamma functions fail (a/2 underflows), above it their series run for seconds or do not
/// return. Beyond `DF_MAX` the t and χ² distributions are replaced by their normal limits, which
/// differ from them by less than 1e-6 relative there.
const DF_MIN: f64 = 1e-3;
const DF_MAX: f64 = 1e7;
/// Quantiles are computed for tail probabilities in [P_MIN, 1 − P_MIN] only.
const P_MIN: f64 = 1e-15;

fn p_ok(p: f64) -> bool {
    (P_MIN..=1.0 - P_MIN).contains(&p)
}

/// Standard normal quantile: the `p` quantile of N(0, 1) (−∞ at 0, +∞ at 1, NaN outside).
pub fn qnorm(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let n = standard_normal();
    let x0 = n.inverse_cdf(p);
    polish(
        p,
        x0,
        f64::NEG_INFINITY,
        f64::INFINITY,
        |x| n.cdf(x),
        |x| n.pdf(x),
    )
}

/// Two-sided normal critical value for confidence `level`, e.g. 1.959964 for 0.95; NaN unless
/// 0 < level < 1.
pub fn z_crit(level: f64) -> f64 {
    if !(level > 0.0 && level < 1.0) {
        return f64::NAN;
    }
    qnorm(1.0 - (1.0 - level) / 2.0)
}

/// Upper tail area of N(0, 1) at |z|, doubled: the two-sided p-value of a Wald test.
pub fn p_two_sided_normal(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z.is_infinite() {
        return 0.0;
    }
    (2.0 * standard_normal().sf(z.abs())).min(1.0)
}

/// Distribution function of N(0, 1), P(Z ≤ z): 0 at −∞, 1 at +∞, NaN for NaN.
pub fn pnorm(z: f64) -> f64 {
    match z {
        _ if z.is_nan() => f64::NAN,
        f64::INFINITY => 1.0,
        f64::NEG_INFINITY => 0.0,
        _ => standard_normal().cdf(z),
    }
}

/// Upper tail of N(0, 1), P(Z > z), computed directly so that it keeps its precision far in
/// the tail (1 − [`pnorm`] would not).
pub fn pnorm_upper(z: f64) -> f64 {
    match z {
        _ if z.is_nan() => f64::NAN,
        f64::INFINITY => 0.0,
        f64::NEG_INFINITY => 1.0,
        _ => standard_normal().sf(z),
    }
}

/// Density of N(0, 1).
pub fn dnorm(z: f64) -> f64 {
    if z.is_finite() {
        standard_normal().pdf(z)
    } else if z.is_nan() {
        f64::NAN
    } else {
        0.0
    }
}

fn students_t(df: f64) -> Option<StudentsT> {
    StudentsT::new(0.0, 1.0, df).ok()
}

/// Student t quantile with `df` degrees of freedom; `None` outside the supported ranges.
pub fn qt(p: f64, df: f64) -> Option<f64> {
    if !(p_ok(p) && df >= DF_MIN) {
        return None;
    }
    if df > DF_MAX {
        return Some(qnorm(p));
    }
    let t = students_t(df)?;
    // Start from the normal quantile rather than statrs' inverse, which can loop forever for
    // some (p, df); Newton with bracketing converges from there.
    Some(polish(
        p,
        qnorm(p),
        f64::NEG_INFINITY,
        f64::INFINITY,
        |x| t.cdf(x),
        |x| t.pdf(x),
    ))
}

/// Two-sided t critical value for confidence `level`.
pub fn t_crit(level: f64, df: f64) -> Option<f64> {
    qt(1.0 - (1.0 - level) / 2.0, df)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn p_two_sided_t(t: f64, df: f64) -> Option<f64> {
    if t.is_nan() || !(df >= DF_MIN) {
        return None;
    }
    if t.is_infinite() {
        return Some(0.0);
    }
    if df > DF_MAX {
        return Some(p_two_sided_normal(t));
    }
    let d = students_t(df)?;
    Some((2.0 * d.sf(t.abs())).min(1.0))
}

/// Wilson & Hilferty (1931) normal approximation: (χ²/df)^{1/3} ≈ N(1 − 2/(9df), 2/(9df)).
fn wilson_hilferty_z(q: f64, df: f64) -> f64 {
    let v = 2.0 / (9.0 * df);
    ((q / df).cbrt() - (1.0 - v)) / v.sqrt()
}

/// Upper tail area of the chi-square distribution: the p-value of a Q statistic.
pub fn p_chisq_upper(q: f64, df: f64) -> Option<f64> {
    if q.is_nan() || !(df >= DF_MIN) {
        return None;
    }
    if q < 1e-300 {
        return Some(1.0);
    }
    if q.is_infinite() {
        return Some(0.0);
    }
    if df > DF_MAX {
        return Some(standard_normal().sf(wilson_hilferty_z(q, df)));
    }
    let d = ChiSquared::new(df).ok()?;
    Some(d.sf(q))
}

/// Upper tail area of the F distribution with `df1` and `df2` degrees of freedom: the p-value
/// of a Knapp–Hartung omnibus test. For `df2` beyond the supported range, the χ² limit of
/// `df1 · f`.
pub fn p_f_upper(f: f64, df1: f64, df2: f64) -> Option<f64> {
    if f.is_nan() || !((DF_MIN..=DF_MAX).contains(&df1) && df2 >= DF_MIN) {
        return None;
    }
    if f <= 0.0 {
        return Some(1.0);
    }
    if f.is_infinite() {
        return Some(0.0);
    }
    if df2 > DF_MAX {
        return p_chisq_upper(f * df1, df1);
    }
    let d = FisherSnedecor::new(df1, df2).ok()?;
    Some(d.sf(f))
}

/// Chi-square quantile; `None` outside the supported ranges.
pub fn qchisq(p: f64, df: f64) -> Option<f64> {
    if !(p_ok(p) && df >= DF_MIN) {
        return None;
    }
    let v = 2.0 / (9.0 * df);
    let wh = df * (1.0 - v + qnorm(p) * v.sqrt()).max(1e-3).powi(3);
    if df > DF_MAX {
        return Some(wh);
    }
    let d = ChiSquared::new(df).ok()?;
    Some(polish(
        p,
        wh,
        0.0,
        f64::INFINITY,
        |x| d.cdf(x),
        |x| d.pdf(x),
    ))
}

/// Beta quantile (the inverse regularised incomplete beta function) for `a, b > 0`.
///
/// Found by Newton steps with bisection on [0, 1] from the mean a/(a+b): statrs' own inverse
/// does not return for large b (a Clopper–Pearson bound with n = 10⁸).
pub fn qbeta(p: f64, a: f64, b: f64) -> Option<f64> {
    let params_ok = |x: f64| x.is_finite() && x >= DF_MIN / 2.0;
    if !(params_ok(a) && params_ok(b) && (0.0..=1.0).contains(&p)) {
        return None;
    }
    if p == 0.0 {
        return Some(0.0);
    }
    if p == 1.0 {
        return Some(1.0);
    }
    let d = Beta::new(a, b).ok()?;
    Some(polish(p, a / (a + b), 0.0, 1.0, |x| d.cdf(x), |x| d.pdf(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from R 4.2.2 (options(digits = 17)): qnorm(0.975), qt(0.975, 3),
    // qchisq(0.025, 4), qbeta(0.025, 87, 57), qchisq(0.025, 1). statrs' normal CDF is accurate to
    // about 1e-12, which bounds the quantiles at ~1e-11: far inside the 1e-6 agreement promised.
    #[test]
    fn quantiles_match_r() {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs();
        assert!(close(qnorm(0.975), 1.959_963_984_540_053_6));
        assert!(close(qt(0.975, 3.0).unwrap(), 3.182_446_305_283_707_8));
        assert!(close(qchisq(0.025, 4.0).unwrap(), 0.484_418_557_087_929_75));
        assert!(close(
            qbeta(0.025, 87.0, 57.0).unwrap(),
            0.523_325_423_766_276_2
        ));
        assert!(close(
            qchisq(0.025, 1.0).unwrap(),
            0.000_982_069_117_175_256_2
        ));
    }

    #[test]
    fn invalid_arguments_give_none_not_panics() {
        assert_eq!(qt(0.5, 0.0), None);
        assert_eq!(qchisq(1.5, 2.0), None);
        assert_eq!(qbeta(0.5, -1.0, 2.0), None);
        assert_eq!(p_two_sided_t(f64::INFINITY, 3.0), Some(0.0));
        assert_eq!(p_two_sided_t(f64::NAN, 3.0), None);
        assert_eq!(p_chisq_upper(f64::INFINITY, 3.0), Some(0.0));
    }
}
