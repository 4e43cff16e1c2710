//! Sidik–Jonkman estimator.

use super::{Tau2Estimate, WeightedSums};

/// Sidik & Jonkman (2005), J Biopharm Stat 15:823–838 ("A simple confidence interval for
/// meta-analysis based on the t-distribution"), as metafor `method = "SJ"`.
///
/// # Formula
/// ```text
/// τ₀² = Σ (y − ȳ)² / k                       (crude start, ȳ unweighted)
/// τ²  = τ₀² · Σ w (y − μ̂_w)² / (k − 1),  w = 1/(v + τ₀²)
/// ```
/// The estimate is positive whenever the yᵢ are not all equal.
pub fn sidik_jonkman(yi: &[f64], vi: &[f64]) -> Tau2Estimate {
    let k = yi.len() as f64;
    let ybar = super::mean(yi);
    let tau0 = yi.iter().map(|y| (y - ybar).powi(2)).sum::<f64>() / k;
    if tau0 <= 0.0 {
        return Tau2Estimate::closed_form(0.0);
    }
    let s = WeightedSums::at(yi, vi, tau0);
    Tau2Estimate::closed_form(tau0 * s.q / (k - 1.0))
}
