//! DerSimonian–Laird method-of-moments estimator.

use super::{Tau2Estimate, WeightedSums};

/// DerSimonian & Laird (1986), Controlled Clinical Trials 7:177–188.
///
/// # Formula
/// ```text
/// τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)),  w = 1/v,  Q = Σ w (y − μ̂_FE)²
/// ```
pub fn dersimonian_laird(yi: &[f64], vi: &[f64]) -> Tau2Estimate {
    dersimonian_laird_from(&WeightedSums::at(yi, vi, 0.0), yi.len())
}

/// [`dersimonian_laird`] from the common-effect sums (τ² = 0) of `k` studies, which a fit has
/// at hand anyway: at 10⁷ studies this saves a pass over them.
pub fn dersimonian_laird_from(fixed: &WeightedSums, k: usize) -> Tau2Estimate {
    let s = fixed;
    let df = (k - 1) as f64;
    let c = s.sw - s.sw2 / s.sw;
    Tau2Estimate::closed_form(if c > 0.0 { (s.q - df) / c } else { 0.0 })
}
