//! Hedges' variance-component estimator.

use super::{mean, Tau2Estimate};

/// Hedges (1983), Psychological Bulletin 93:388–395; Hedges & Olkin (1985), ch. 9. The
/// unweighted method-of-moments estimator (metafor `method = "HE"`).
///
/// # Formula
/// ```text
/// τ² = max(0, [Σ (y − ȳ)² − (k − 1)/k · Σ v] / (k − 1)),  ȳ the unweighted mean
/// ```
pub fn hedges(yi: &[f64], vi: &[f64]) -> Tau2Estimate {
    let k = yi.len() as f64;
    let ybar = mean(yi);
    let rss: f64 = yi.iter().map(|y| (y - ybar).powi(2)).sum();
    let sv: f64 = vi.iter().sum();
    Tau2Estimate::closed_form((rss - (k - 1.0) / k * sv) / (k - 1.0))
}
