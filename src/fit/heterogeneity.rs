//! Heterogeneity statistics: Cochran's Q, I² and H² in both conventions, the Higgins–Thompson
//! interval for I², and the Q-profile interval for τ².
//!
//! Two I² definitions are in use and tools differ:
//! - `i2` — Higgins & Thompson (2002), Stat Med 21:1539–1558, eq. (9):
//!   I² = max(0, (Q − df)/Q)·100. This is what R `meta`, RevMan (before 2024) and Stata print.
//! - `i2_tau` — I² = τ²/(τ² + s²)·100 with the "typical" within-study variance
//!   s² = (k−1)Σw/((Σw)² − Σw²) (Higgins & Thompson 2002, eq. 9 ff.). This is what metafor and
//!   RevMan (since 2024) print; it equals `i2` when τ² is the DerSimonian–Laird estimate.
//!
//! H² likewise: `h2` = max(1, Q/df) (so that I² = (H²−1)/H²), `h2_tau` = (τ² + s²)/s².

use super::tau2::{solve_generalised_q_from, EffectRange, IterControl, QPoint, WeightedSums};
use crate::dist;
use serde::Serialize;

/// Heterogeneity of one fit. Present only when k ≥ 2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Heterogeneity {
    /// Cochran's Q (common-effect weights).
    pub q: f64,
    /// Degrees of freedom, k − 1.
    pub df: f64,
    /// p-value of Q against χ²(df).
    pub p: Option<f64>,
    /// Between-study variance τ² from the chosen estimator.
    pub tau2: f64,
    /// Q-profile lower bound (Viechtbauer 2007).
    pub tau2_lower: Option<f64>,
    /// Q-profile upper bound.
    pub tau2_upper: Option<f64>,
    /// τ = √τ².
    pub tau: f64,
    /// Q-based I² in percent.
    pub i2: f64,
    /// Higgins–Thompson lower bound for I² (percent); null when k ≤ 2.
    pub i2_lower: Option<f64>,
    /// Higgins–Thompson upper bound for I² (percent); null when k ≤ 2.
    pub i2_upper: Option<f64>,
    /// Q-based H² = max(1, Q/df).
    pub h2: f64,
    /// τ²-based I² (metafor's), percent.
    pub i2_tau: f64,
    /// τ²-based H² (metafor's).
    pub h2_tau: f64,
    /// Typical within-study variance s².
    pub s2: f64,
}

/// Higgins & Thompson (2002) test-based interval for H, mapped to I² (percent), as R `meta`
/// computes it (`meta:::calcH`).
///
/// # Formula
/// ```text
/// SE(ln H) = ½ (ln Q − ln(k−1)) / (√(2Q) − √(2k−3))        if Q > k   (k ≥ 2)
///          = √( 1/(2(k−2)) · (1 − 1/(3(k−2)²)) )            if Q ≤ k   (k ≥ 3)
/// H = √(Q/(k−1)),  H_{L,U} = max(1, exp(ln H ∓ z·SE(ln H))),  I² = (H² − 1)/H²
/// ```
/// H enters unclamped (as in `meta`), so for Q < k − 1 the interval sits near 0, and Q = 0
/// gives [0, 0]. Returns `None` where SE(ln H) is undefined (k = 2 with Q ≤ 2).
pub fn i2_interval_higgins_thompson(q: f64, k: usize, level: f64) -> Option<(f64, f64)> {
    i2_interval_higgins_thompson_z(q, k, dist::z_crit(level))
}

/// [`i2_interval_higgins_thompson`] with the normal critical value `z` of the level given, so
/// that many fits at one level compute the quantile once.
pub fn i2_interval_higgins_thompson_z(q: f64, k: usize, z: f64) -> Option<(f64, f64)> {
    if k < 2 || q.is_nan() || q < 0.0 {
        return None;
    }
    let kf = k as f64;
    let se_log_h = if q > kf {
        0.5 * (q.ln() - (kf - 1.0).ln()) / ((2.0 * q).sqrt() - (2.0 * kf - 3.0).sqrt())
    } else if k > 2 {
        (1.0 / (2.0 * (kf - 2.0)) * (1.0 - 1.0 / (3.0 * (kf - 2.0).powi(2)))).sqrt()
    } else {
        return None;
    };
    let log_h = 0.5 * (q / (kf - 1.0)).ln();
    let to_i2 = |h: f64| (h * h - 1.0) / (h * h) * 100.0;
    let lower = (log_h - z * se_log_h).exp().max(1.0);
    let upper = (log_h + z * se_log_h).exp().max(1.0);
    Some((to_i2(lower), to_i2(upper)))
}

/// Q-profile confidence interval for τ²: Viechtbauer (2007), Stat Med 26:37–52.
///
/// # Formula
/// The bounds solve Q(τ²) = χ²_{k−1, 1−α/2} (lower) and Q(τ²) = χ²_{k−1, α/2} (upper), with the
/// generalised Q of random-effects weights; a bound whose equation has no non-negative root is 0
/// (metafor truncates the same way). Returns the bounds and whether both root searches converged.
pub fn tau2_interval_q_profile(yi: &[f64], vi: &[f64], level: f64) -> Option<((f64, f64), bool)> {
    // Public entry point: check what `fit` would have checked (found by fuzzing).
    let valid = yi.len() >= 2
        && yi.len() == vi.len()
        && yi.iter().all(|y| y.is_finite())
        && vi.iter().all(|v| v.is_finite() && *v > 0.0);
    if !valid {
        return None;
    }
    let targets = q_profile_targets(level, yi.len() - 1)?;
    let range = EffectRange::of(yi);
    let s0 = WeightedSums::at_in(yi, vi, 0.0, range);
    Some(tau2_interval_q_profile_at(
        yi, vi, targets, range, &s0, None,
    ))
}

/// The two targets of the Q-profile equations, (χ²_{df, 1−α/2}, χ²_{df, α/2}); `None` when a
/// quantile cannot be computed. They depend only on the level and df, so a batch of fits
/// computes them once per df.
pub fn q_profile_targets(level: f64, df: usize) -> Option<(f64, f64)> {
    let df = df as f64;
    let alpha = 1.0 - level;
    Some((
        dist::qchisq(1.0 - alpha / 2.0, df)?,
        dist::qchisq(alpha / 2.0, df)?,
    ))
}

/// [`tau2_interval_q_profile`] for given targets from [`q_profile_targets`], with the range of
/// `yi` and the common-effect sums (τ² = 0), which a fit has at hand, and optionally the
/// estimate τ̂² with its sums, from which both root searches start: the bounds lie around it.
pub fn tau2_interval_q_profile_at(
    yi: &[f64],
    vi: &[f64],
    (q_hi, q_lo): (f64, f64),
    range: EffectRange,
    s0: &WeightedSums,
    estimate: Option<QPoint>,
) -> ((f64, f64), bool) {
    let ctl = IterControl {
        max_iter: 1000,
        tol: 1e-13,
        start: None,
    };
    let lower = solve_generalised_q_from(yi, vi, q_hi, ctl, range, s0, estimate);
    let upper = solve_generalised_q_from(yi, vi, q_lo, ctl, range, s0, estimate);
    ((lower.tau2, upper.tau2), lower.converged && upper.converged)
}
