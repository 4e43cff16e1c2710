//! Estimating an arm's sample mean and standard deviation from a reported median with its
//! quartiles and/or range, so that trials reporting medians can enter a mean-difference or SMD
//! analysis. Means by Luo et al. (2018), SDs by Wan et al. (2014) or, for the five-number
//! summary, Shi et al. (2020); the result records which estimator was used.
//!
//! Scenarios follow Luo et al. and Shi et al.: S1 = {min, median, max}, S2 = {q1, median, q3},
//! S3 = {min, q1, median, q3, max}. Wan et al. call the same three C1, C3 and C2.
//!
//! All three papers assume normal data; for skewed outcomes the estimates are biased (Shi et al.
//! 2020). The equation numbers below are those R `meta` (`mean_sd_range`, `mean_sd_iqr`,
//! `mean_sd_iqr_range`) cites in its source and, for Wan's ξ(n), the caption of Wan et al.'s
//! Table 1; they were not checked against every printed paper.
//!
//! Wan et al. give exact tables of ξ(n) (n ≤ 50) and η(n) (n ≤ 201) and the Φ⁻¹ formulas as
//! large-n approximations; alkstats always uses the Φ⁻¹ formulas, so for small n it can differ
//! from R `meta` (which uses the tables) in the third digit.

use crate::dist::qnorm;
use thiserror::Error;

/// What an arm reported instead of its mean and SD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MedianSummary {
    /// S1: median and range.
    Range {
        /// Minimum a.
        min: f64,
        /// Median m.
        median: f64,
        /// Maximum b.
        max: f64,
    },
    /// S2: median and interquartile range.
    Iqr {
        /// First quartile q₁.
        q1: f64,
        /// Median m.
        median: f64,
        /// Third quartile q₃.
        q3: f64,
    },
    /// S3: the five-number summary.
    FiveNumber {
        /// Minimum a.
        min: f64,
        /// First quartile q₁.
        q1: f64,
        /// Median m.
        median: f64,
        /// Third quartile q₃.
        q3: f64,
        /// Maximum b.
        max: f64,
    },
}

impl MedianSummary {
    /// The summary from whichever values were reported: the range needs both `min` and `max`,
    /// the IQR both `q1` and `q3`.
    ///
    /// # Errors
    /// [`MedianError::Incomplete`] when neither a full range nor a full IQR is given, or only
    /// one end of either.
    pub fn from_parts(
        min: Option<f64>,
        q1: Option<f64>,
        median: f64,
        q3: Option<f64>,
        max: Option<f64>,
    ) -> Result<Self, MedianError> {
        match (min, q1, q3, max) {
            (Some(min), None, None, Some(max)) => Ok(MedianSummary::Range { min, median, max }),
            (None, Some(q1), Some(q3), None) => Ok(MedianSummary::Iqr { q1, median, q3 }),
            (Some(min), Some(q1), Some(q3), Some(max)) => Ok(MedianSummary::FiveNumber {
                min,
                q1,
                median,
                q3,
                max,
            }),
            _ => Err(MedianError::Incomplete),
        }
    }

    /// The reported values in ascending order of their meaning (min, q1, median, q3, max).
    fn values(&self) -> Vec<f64> {
        match *self {
            MedianSummary::Range { min, median, max } => vec![min, median, max],
            MedianSummary::Iqr { q1, median, q3 } => vec![q1, median, q3],
            MedianSummary::FiveNumber {
                min,
                q1,
                median,
                q3,
                max,
            } => vec![min, q1, median, q3, max],
        }
    }

    fn validate(&self, n: f64) -> Result<(), MedianError> {
        if !n.is_finite() || n < 2.0 {
            return Err(MedianError::SampleSize(n));
        }
        let v = self.values();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(MedianError::NonFinite);
        }
        if v.windows(2).any(|w| !(w[0] <= w[1])) {
            return Err(MedianError::Order);
        }
        // Outer values strictly apart: otherwise the SD estimate is zero.
        let (lo, hi) = (v[0], v[v.len() - 1]);
        let spread_ok = match *self {
            MedianSummary::FiveNumber { q1, q3, .. } => lo < hi && q1 < q3,
            _ => lo < hi,
        };
        if !spread_ok {
            return Err(MedianError::NoSpread);
        }
        Ok(())
    }
}

/// Why no mean and SD follow from a median summary.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MedianError {
    /// Neither a complete range nor a complete IQR was given.
    #[error("need the median with min and max, with q1 and q3, or with all four")]
    Incomplete,
    /// n is not finite or below 2.
    #[error("sample size {0} must be at least 2")]
    SampleSize(f64),
    /// A reported value is NaN or infinite.
    #[error("a reported quantile is not a finite number")]
    NonFinite,
    /// The values are not ordered min ≤ q1 ≤ median ≤ q3 ≤ max.
    #[error("the reported values must satisfy min ≤ q1 ≤ median ≤ q3 ≤ max")]
    Order,
    /// min = max (or q1 = q3): no spread to estimate an SD from.
    #[error("the range (and IQR) must be wider than zero")]
    NoSpread,
}

crate::settings::choice_enum!(
    /// SD estimator asked for. Shi et al. (2020) improve on Wan et al. (2014) only for the
    /// five-number summary; for S1 and S2 their optimal estimators are Wan's, so `shi` falls
    /// back to Wan there (and the result says so).
    SdChoice, "SD estimator (--sd-method)", {
        /// Wan et al. (2014) throughout.
        Wan => "wan",
        /// Shi et al. (2020) for S3, Wan et al. (2014) otherwise (R `meta`'s default).
        Shi => "shi",
    }
);

crate::settings::choice_enum!(
    /// The mean estimator that was used.
    MeanMethod, "mean estimator", {
        /// Luo et al. (2018), S1: median and mid-range.
        LuoRange => "luo2018-s1",
        /// Luo et al. (2018), S2: median and mid-quartile range.
        LuoIqr => "luo2018-s2",
        /// Luo et al. (2018), S3: median, mid-range and mid-quartile range.
        LuoFiveNumber => "luo2018-s3",
    }
);

crate::settings::choice_enum!(
    /// The SD estimator that was used.
    SdMethod, "SD estimator", {
        /// Wan et al. (2014) from the range (their scenario C1).
        WanRange => "wan2014-c1",
        /// Wan et al. (2014) from the IQR (their scenario C3).
        WanIqr => "wan2014-c3",
        /// Wan et al. (2014) from the five-number summary (their scenario C2).
        WanFiveNumber => "wan2014-c2",
        /// Shi et al. (2020) from the five-number summary.
        ShiFiveNumber => "shi2020-s3",
    }
);

/// An estimated mean and SD with the estimators that produced them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanSdEstimate {
    /// Estimated sample mean.
    pub mean: f64,
    /// Estimated sample standard deviation.
    pub sd: f64,
    /// Estimator of the mean.
    pub mean_method: MeanMethod,
    /// Estimator of the SD.
    pub sd_method: SdMethod,
}

/// ξ(n) = 2Φ⁻¹((n − 0.375)/(n + 0.25)): Wan et al. (2014) eq. (9), Blom's approximation to the
/// expected range of n standard normal values.
pub fn wan_xi(n: f64) -> f64 {
    2.0 * qnorm((n - 0.375) / (n + 0.25))
}

/// η(n) = 2Φ⁻¹((0.75n − 0.125)/(n + 0.25)): Wan et al. (2014) eq. (16), the approximate
/// expected interquartile range of n standard normal values.
pub fn wan_eta(n: f64) -> f64 {
    2.0 * qnorm((0.75 * n - 0.125) / (n + 0.25))
}

/// Sample mean from a median summary: Luo, Wan, Liu & Tong (2018), "Optimally estimating the
/// sample mean from the sample size, median, mid-range, and/or mid-quartile range", Stat Methods
/// Med Res 27:1785–1805, eq. (15).
///
/// # Formula
/// - S1: X̄ ≈ w₁·(a + b)/2 + (1 − w₁)·m, w₁ = 4/(4 + n^0.75);
/// - S2: X̄ ≈ w₂·(q₁ + q₃)/2 + (1 − w₂)·m, w₂ = 0.7 + 0.39/n;
/// - S3: X̄ ≈ w₃·(a + b)/2 + w₄·(q₁ + q₃)/2 + (1 − w₃ − w₄)·m,
///   w₃ = 2.2/(2.2 + n^0.75), w₄ = 0.7 − 0.72/n^0.55.
///
/// # Errors
/// [`MedianError`] for n < 2, non-finite or unordered values, or zero spread.
pub fn luo_mean(summary: &MedianSummary, n: f64) -> Result<(f64, MeanMethod), MedianError> {
    summary.validate(n)?;
    Ok(match *summary {
        MedianSummary::Range { min, median, max } => {
            let w = 4.0 / (4.0 + n.powf(0.75));
            (
                w * (min + max) / 2.0 + (1.0 - w) * median,
                MeanMethod::LuoRange,
            )
        }
        MedianSummary::Iqr { q1, median, q3 } => {
            let w = 0.7 + 0.39 / n;
            (w * (q1 + q3) / 2.0 + (1.0 - w) * median, MeanMethod::LuoIqr)
        }
        MedianSummary::FiveNumber {
            min,
            q1,
            median,
            q3,
            max,
        } => {
            let w3 = 2.2 / (2.2 + n.powf(0.75));
            let w4 = 0.7 - 0.72 / n.powf(0.55);
            let mean = w3 * (min + max) / 2.0 + w4 * (q1 + q3) / 2.0 + (1.0 - w3 - w4) * median;
            (mean, MeanMethod::LuoFiveNumber)
        }
    })
}

/// Sample SD from a median summary: Wan, Wang, Liu & Tong (2014), "Estimating the sample mean
/// and standard deviation from the sample size, median, range and/or interquartile range", BMC
/// Med Res Methodol 14:135.
///
/// # Formula
/// With ξ(n) from [`wan_xi`] and η(n) from [`wan_eta`]:
/// - S1 (Wan C1, eqs. 7 and 9): S ≈ (b − a)/ξ(n);
/// - S2 (Wan C3, eqs. 15 and 16): S ≈ (q₃ − q₁)/η(n);
/// - S3 (Wan C2, eqs. 12 and 13): S ≈ ½·(b − a)/ξ(n) + ½·(q₃ − q₁)/η(n).
///
/// # Errors
/// As [`luo_mean`].
pub fn wan_sd(summary: &MedianSummary, n: f64) -> Result<(f64, SdMethod), MedianError> {
    summary.validate(n)?;
    Ok(match *summary {
        MedianSummary::Range { min, max, .. } => ((max - min) / wan_xi(n), SdMethod::WanRange),
        MedianSummary::Iqr { q1, q3, .. } => ((q3 - q1) / wan_eta(n), SdMethod::WanIqr),
        MedianSummary::FiveNumber {
            min, q1, q3, max, ..
        } => (
            0.5 * (max - min) / wan_xi(n) + 0.5 * (q3 - q1) / wan_eta(n),
            SdMethod::WanFiveNumber,
        ),
    })
}

/// Sample SD from the five-number summary: Shi, Luo, Weng, Zeng, Lin, Chu & Tong (2020),
/// "Optimally estimating the sample standard deviation from the five-number summary", Res Synth
/// Methods 11:641–654, eq. (11) (the shortcut formula with the approximate optimal weight).
///
/// # Formula
/// S ≈ (b − a)/θ₁(n) + (q₃ − q₁)/θ₂(n), with
/// θ₁(n) = (2 + 0.14·n^0.6)·Φ⁻¹((n − 0.375)/(n + 0.25)) and
/// θ₂(n) = (2 + 2/(0.07·n^0.6))·Φ⁻¹((0.75n − 0.125)/(n + 0.25));
/// equivalently w·(b − a)/ξ(n) + (1 − w)·(q₃ − q₁)/η(n) with w = 1/(1 + 0.07·n^0.6).
///
/// Returns `Ok(None)` for S1 and S2, where Shi et al. keep Wan et al.'s estimators.
///
/// # Errors
/// As [`luo_mean`].
pub fn shi_sd(summary: &MedianSummary, n: f64) -> Result<Option<f64>, MedianError> {
    summary.validate(n)?;
    Ok(match *summary {
        MedianSummary::FiveNumber {
            min, q1, q3, max, ..
        } => {
            let theta1 = (2.0 + 0.14 * n.powf(0.6)) * qnorm((n - 0.375) / (n + 0.25));
            let theta2 =
                (2.0 + 2.0 / (0.07 * n.powf(0.6))) * qnorm((0.75 * n - 0.125) / (n + 0.25));
            Some((max - min) / theta1 + (q3 - q1) / theta2)
        }
        _ => None,
    })
}

/// Mean by [`luo_mean`] and SD by [`wan_sd`] or [`shi_sd`] as `sd_choice` asks (falling back to
/// Wan where Shi does not apply), with the estimators used.
///
/// # Errors
/// As [`luo_mean`].
pub fn estimate_mean_sd(
    summary: &MedianSummary,
    n: f64,
    sd_choice: SdChoice,
) -> Result<MeanSdEstimate, MedianError> {
    let (mean, mean_method) = luo_mean(summary, n)?;
    let shi = match sd_choice {
        SdChoice::Shi => shi_sd(summary, n)?,
        SdChoice::Wan => None,
    };
    let (sd, sd_method) = match shi {
        Some(sd) => (sd, SdMethod::ShiFiveNumber),
        None => wan_sd(summary, n)?,
    };
    Ok(MeanSdEstimate {
        mean,
        sd,
        mean_method,
        sd_method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Closed-form re-derivation: Luo's S3 weights sum to one, so a symmetric five-number
    // summary returns its median; Shi's θ-form equals the weighted ξ/η form.
    #[test]
    fn symmetric_summary_keeps_the_median() {
        let s = MedianSummary::FiveNumber {
            min: 1.0,
            q1: 4.0,
            median: 5.0,
            q3: 6.0,
            max: 9.0,
        };
        let (mean, m) = luo_mean(&s, 40.0).unwrap();
        assert!((mean - 5.0).abs() < 1e-14);
        assert_eq!(m, MeanMethod::LuoFiveNumber);
        let n: f64 = 40.0;
        let w = 1.0 / (1.0 + 0.07 * n.powf(0.6));
        let weighted = w * 8.0 / wan_xi(n) + (1.0 - w) * 2.0 / wan_eta(n);
        assert!((shi_sd(&s, n).unwrap().unwrap() - weighted).abs() < 1e-13);
    }

    #[test]
    fn shi_falls_back_to_wan_outside_s3() {
        let s = MedianSummary::from_parts(None, Some(2.0), 3.0, Some(5.0), None).unwrap();
        let e = estimate_mean_sd(&s, 30.0, SdChoice::Shi).unwrap();
        assert_eq!(e.sd_method, SdMethod::WanIqr);
        assert_eq!(e.mean_method, MeanMethod::LuoIqr);
        assert_eq!(e.sd_method.to_string(), "wan2014-c3");
    }

    #[test]
    fn rejects_bad_summaries() {
        assert_eq!(
            MedianSummary::from_parts(Some(1.0), Some(2.0), 3.0, None, Some(5.0)),
            Err(MedianError::Incomplete)
        );
        let r = MedianSummary::Range {
            min: 4.0,
            median: 3.0,
            max: 5.0,
        };
        assert_eq!(luo_mean(&r, 10.0), Err(MedianError::Order));
        let flat = MedianSummary::Range {
            min: 3.0,
            median: 3.0,
            max: 3.0,
        };
        assert_eq!(wan_sd(&flat, 10.0), Err(MedianError::NoSpread));
        let ok = MedianSummary::Range {
            min: 1.0,
            median: 3.0,
            max: 5.0,
        };
        assert_eq!(wan_sd(&ok, 1.0), Err(MedianError::SampleSize(1.0)));
        assert!(matches!(
            wan_sd(&ok, f64::NAN),
            Err(MedianError::SampleSize(_))
        ));
    }
}
