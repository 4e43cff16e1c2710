//! Ranking treatments by P-scores (Rücker & Schwarzer 2015, "Ranking treatments in
//! frequentist network meta-analysis works without resampling methods", BMC Med Res Methodol
//! 15:58; netmeta `netrank()`).

use super::model::Fit;
use super::settings::SmallValues;
use statrs::distribution::{ContinuousCDF, Normal};

/// P-score of every treatment of a fit.
///
/// # Formula
/// The mean over the other treatments of the one-sided certainty that treatment i is better
/// than j:
///
/// ```text
/// Pᵢ = 1/(n − 1) · Σ_{j≠i} Φ((d̂ⱼ − d̂ᵢ)/se(d̂ᵢ − d̂ⱼ))   (small values good)
/// Pᵢ = 1/(n − 1) · Σ_{j≠i} Φ((d̂ᵢ − d̂ⱼ)/se(d̂ᵢ − d̂ⱼ))   (large values good)
/// ```
///
/// Pᵢ is 1 for a treatment certainly better than all others and 0 for one certainly worse;
/// the scores always average ½. A network of one treatment has no scores.
pub fn p_scores(fit: &Fit, small_values: SmallValues) -> Vec<f64> {
    let n = fit.d.len();
    if n < 2 {
        return vec![];
    }
    let phi = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("N(0,1) is valid"));
    (0..n)
        .map(|i| {
            let sum: f64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let (y, se) = fit.contrast(j, i);
                    let z = match small_values {
                        SmallValues::Good => y / se,
                        SmallValues::Bad => -y / se,
                    };
                    if z.is_nan() {
                        0.5
                    } else {
                        phi.cdf(z)
                    }
                })
                .sum();
            sum / (n - 1) as f64
        })
        .collect()
}
