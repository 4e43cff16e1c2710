//! DerSimonian–Laird method-of-moments estimator.

use super::{Tau2Estimate, WeightedSums};

/// DerSimonian & Laird (1986), Controlled Clinical Trials 7:177–188.
///
/// # Formula
/// ```text
/// τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)),  w = 1/v,  Q = Σ w (y − μ̂_FE)²
/// ```
pub fn dersimonian_laird(yi: &[f64], vi: &[f64]) -> Tau2Estimate {
    let s = WeightedSums::at(yi, vi, 0.0);
    let df = (yi.len() - 1) as f64;
    let c = s.sw - s.sw2 / s.sw;
    Tau2Estimate::closed_form(if c > 0.0 { (s.q - df) / c } else { 0.0 })
}
