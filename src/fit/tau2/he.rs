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
    let ybar = mean(yi);
    let rss: f64 = yi.iter().map(|y| (y - ybar).powi(2)).sum();
    hedges_from(rss, vi.iter().sum(), yi.len())
}

/// [`hedges`] from the sum of squares about the unweighted mean, Σ (y − ȳ)², and Σ v of `k`
/// studies: leave-one-out has them by downdating the sums over all studies.
pub fn hedges_from(rss: f64, sum_v: f64, k: usize) -> Tau2Estimate {
    let k = k as f64;
    Tau2Estimate::closed_form((rss - (k - 1.0) / k * sum_v) / (k - 1.0))
}
