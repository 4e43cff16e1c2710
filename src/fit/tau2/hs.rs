//! Hunter–Schmidt estimator.

use super::{Tau2Estimate, WeightedSums};

/// Hunter & Schmidt (2004), *Methods of Meta-Analysis*, 2nd ed.; in the inverse-variance form of
/// Viechtbauer (2005), J Educ Behav Stat 30:261–293 (metafor `method = "HS"`).
///
/// # Formula
/// ```text
/// τ² = max(0, (Q − k) / Σw),  w = 1/v
/// ```
pub fn hunter_schmidt(yi: &[f64], vi: &[f64]) -> Tau2Estimate {
    let s = WeightedSums::at(yi, vi, 0.0);
    Tau2Estimate::closed_form((s.q - yi.len() as f64) / s.sw)
}
