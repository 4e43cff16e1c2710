//! Fitting: common-effect and random-effects inverse-variance models over effect sizes
//! (yᵢ, vᵢ), with heterogeneity, prediction interval and the random-effects CI variants.
//!
//! One function, [`fit`], produces one result type, [`Fit`], on the transformed scale; every
//! renderer (table, JSON, CSV, plots) reads that object and never recomputes statistics.

pub mod heterogeneity;
pub mod mantel_haenszel;
pub mod subgroup;
pub mod tau2;

use crate::dist;
use crate::settings::{FitSettings, PredictionMethod, RandomCi};
use heterogeneity::{i2_interval_higgins_thompson, tau2_interval_q_profile, Heterogeneity};
use serde::Serialize;
use tau2::{IterControl, WeightedSums};
use thiserror::Error;

/// Why effect sizes cannot be fitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FitError {
    /// No studies.
    #[error("no studies to pool")]
    Empty,
    /// `yi` and `vi` differ in length.
    #[error("{yi} effect sizes but {vi} variances")]
    LengthMismatch {
        /// Number of effect sizes.
        yi: usize,
        /// Number of variances.
        vi: usize,
    },
    /// An effect size is NaN or infinite.
    #[error("study {index}: effect size {value} is not a finite number")]
    NonFiniteEffect {
        /// Zero-based study index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A sampling variance is not a positive finite number.
    #[error("study {index}: sampling variance {value} is not a positive finite number")]
    NonPositiveVariance {
        /// Zero-based study index.
        index: usize,
        /// The value found.
        value: f64,
    },
}

/// A pooled estimate on the transformed scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pooled {
    /// Estimate μ̂.
    pub yi: f64,
    /// Standard error used for the interval (Hartung–Knapp-scaled where chosen).
    pub se: f64,
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
    /// Test statistic μ̂/se (z, or t for Hartung–Knapp).
    pub stat: f64,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Degrees of freedom of a t-based interval; `None` for z.
    pub df: Option<f64>,
}

/// A prediction interval on the transformed scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Degrees of freedom of the t quantile; `None` for z.
    pub df: Option<f64>,
}

/// The fitted model: everything downstream reads this.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Number of studies.
    pub k: usize,
    /// Common-effect (inverse-variance) estimate.
    pub common: Pooled,
    /// Random-effects estimate.
    pub random: Pooled,
    /// Prediction interval, `None` when k < 3 or not requested.
    pub prediction: Option<Interval>,
    /// Heterogeneity, `None` when k = 1.
    pub heterogeneity: Option<Heterogeneity>,
    /// τ² used for the random-effects weights (0 when k = 1).
    pub tau2: f64,
    /// Common-effect weights in percent.
    pub weights_common: Vec<f64>,
    /// Random-effects weights in percent.
    pub weights_random: Vec<f64>,
    /// Iterations of the τ² estimator.
    pub tau2_iterations: usize,
    /// Messages for the user (non-convergence, values that could not be computed).
    pub warnings: Vec<String>,
}

fn validate(yi: &[f64], vi: &[f64]) -> Result<(), FitError> {
    if yi.len() != vi.len() {
        return Err(FitError::LengthMismatch {
            yi: yi.len(),
            vi: vi.len(),
        });
    }
    if yi.is_empty() {
        return Err(FitError::Empty);
    }
    for (index, (&y, &v)) in yi.iter().zip(vi).enumerate() {
        if !y.is_finite() {
            return Err(FitError::NonFiniteEffect { index, value: y });
        }
        if !(v > 0.0 && v.is_finite()) {
            return Err(FitError::NonPositiveVariance { index, value: v });
        }
    }
    Ok(())
}

fn wald(yi: f64, se: f64, level: f64) -> Pooled {
    let z = dist::z_crit(level);
    let stat = yi / se;
    Pooled {
        yi,
        se,
        lower: yi - z * se,
        upper: yi + z * se,
        stat,
        p: Some(dist::p_two_sided_normal(stat)).filter(|p| p.is_finite()),
        df: None,
    }
}

/// Random-effects mean with the chosen CI method.
///
/// - classic: Wald z with se = 1/√Σw*.
/// - hk: Hartung & Knapp (2001), Stat Med 20:3875–3889; Sidik & Jonkman (2002):
///   se² = Σw*(y−μ̂)² / ((k−1)Σw*), t with k − 1 df.
/// - hk-adhoc: Knapp & Hartung (2003), Stat Med 22:2693–2710; Röver, Knapp & Friede (2015):
///   the HK variance factor is replaced by max(1, factor), so the interval is never narrower than
///   the classic one (metafor `test = "adhoc"`).
fn random_effects(s: &WeightedSums, k: usize, method: RandomCi, level: f64) -> Pooled {
    let se_classic = (1.0 / s.sw).sqrt();
    if method == RandomCi::Classic || k < 2 {
        return wald(s.mu, se_classic, level);
    }
    let df = (k - 1) as f64;
    let factor = s.q / df;
    let factor = if method == RandomCi::HkAdhoc {
        factor.max(1.0)
    } else {
        factor
    };
    let se = (factor / s.sw).sqrt();
    let t = dist::t_crit(level, df).unwrap_or(f64::NAN);
    // Identical studies give se = 0: the interval collapses onto μ̂ and the statistic is ±∞
    // with p = 0, as in metafor (JSON shows the infinite statistic as null).
    let stat = s.mu / se;
    Pooled {
        yi: s.mu,
        se,
        lower: s.mu - t * se,
        upper: s.mu + t * se,
        stat,
        p: dist::p_two_sided_t(stat, df),
        df: Some(df),
    }
}

/// Prediction interval on the classic random-effects SE: μ̂ ± c·√(se² + τ²), with c from
/// t(k−1), t(k−2) (Higgins, Thompson & Spiegelhalter 2009, J R Stat Soc A 172:137–159) or z.
fn prediction_interval(
    mu: f64,
    se_classic: f64,
    tau2: f64,
    k: usize,
    method: PredictionMethod,
    level: f64,
) -> Option<Interval> {
    if k < 3 {
        return None;
    }
    let (crit, df) = match method {
        PredictionMethod::None => return None,
        PredictionMethod::Z => (dist::z_crit(level), None),
        PredictionMethod::T => {
            let df = (k - 1) as f64;
            (dist::t_crit(level, df)?, Some(df))
        }
        PredictionMethod::Hts => {
            let df = (k - 2) as f64;
            (dist::t_crit(level, df)?, Some(df))
        }
    };
    let half = crit * (se_classic * se_classic + tau2).sqrt();
    Some(Interval {
        lower: mu - half,
        upper: mu + half,
        df,
    })
}

fn percent(weights: impl Iterator<Item = f64>, total: f64) -> Vec<f64> {
    weights.map(|w| 100.0 * w / total).collect()
}

/// Fits the common-effect and random-effects models.
///
/// # Errors
/// [`FitError`] when there are no studies, the lengths differ, an effect is not finite or a
/// variance is not positive.
///
/// # Examples
/// ```
/// use alkstats::fit::fit;
/// use alkstats::settings::FitSettings;
/// let f = fit(&[0.1, 0.5, 0.3], &[0.04, 0.02, 0.03], &FitSettings::default()).unwrap();
/// assert_eq!(f.k, 3);
/// assert!(f.common.lower < f.common.yi && f.common.yi < f.common.upper);
/// ```
pub fn fit(yi: &[f64], vi: &[f64], settings: &FitSettings) -> Result<Fit, FitError> {
    validate(yi, vi)?;
    let k = yi.len();
    let level = settings.level.get();
    let mut warnings = Vec::new();

    let fixed = WeightedSums::at(yi, vi, 0.0);
    let common = wald(fixed.mu, (1.0 / fixed.sw).sqrt(), level);
    let weights_common = percent(vi.iter().map(|v| 1.0 / v), fixed.sw);

    if k == 1 {
        warnings.push(
            "k = 1: heterogeneity and τ² cannot be estimated from one study; the random-effects \
             result equals the common-effect result and no prediction interval is given"
                .to_string(),
        );
        return Ok(Fit {
            k,
            common,
            random: common,
            prediction: None,
            heterogeneity: None,
            tau2: 0.0,
            weights_common: weights_common.clone(),
            weights_random: weights_common,
            tau2_iterations: 0,
            warnings,
        });
    }

    let est = tau2::estimate(settings.method_tau, yi, vi, IterControl::default());
    if !est.converged {
        warnings.push(format!(
            "the {} estimator of τ² did not converge in {} iterations; the last iterate τ² = {} \
             is used",
            settings.method_tau, est.iterations, est.tau2
        ));
    }
    let tau2 = est.tau2;
    let re = WeightedSums::at(yi, vi, tau2);
    let random = random_effects(&re, k, settings.random_ci, level);
    let se_classic = (1.0 / re.sw).sqrt();
    let weights_random = percent(vi.iter().map(|v| 1.0 / (v + tau2)), re.sw);

    let prediction = prediction_interval(re.mu, se_classic, tau2, k, settings.prediction, level);
    if prediction.is_none() && settings.prediction != PredictionMethod::None {
        warnings.push(format!(
            "k = {k}: a prediction interval needs at least 3 studies; reported as null"
        ));
    }

    let df = (k - 1) as f64;
    let q = fixed.q;
    let s2 = df * fixed.sw / (fixed.sw * fixed.sw - fixed.sw2);
    let (tau2_ci, qp_converged) = match tau2_interval_q_profile(yi, vi, level) {
        Some((ci, ok)) => (Some(ci), ok),
        None => (None, true),
    };
    if !qp_converged {
        warnings.push(
            "the Q-profile interval for τ² did not converge; its bounds are approximate".into(),
        );
    }
    let i2_ci = i2_interval_higgins_thompson(q, k, level);
    if i2_ci.is_none() {
        warnings.push(format!(
            "k = {k}, Q = {q:.4}: the Higgins–Thompson interval for I² is undefined here; reported as null"
        ));
    }
    let heterogeneity = Heterogeneity {
        q,
        df,
        p: dist::p_chisq_upper(q, df),
        tau2,
        tau2_lower: tau2_ci.map(|c| c.0),
        tau2_upper: tau2_ci.map(|c| c.1),
        tau: tau2.sqrt(),
        i2: if q > 0.0 {
            ((q - df) / q).max(0.0) * 100.0
        } else {
            0.0
        },
        i2_lower: i2_ci.map(|c| c.0),
        i2_upper: i2_ci.map(|c| c.1),
        h2: (q / df).max(1.0),
        i2_tau: 100.0 * tau2 / (tau2 + s2),
        h2_tau: (tau2 + s2) / s2,
        s2,
    };

    Ok(Fit {
        k,
        common,
        random,
        prediction,
        heterogeneity: Some(heterogeneity),
        tau2,
        weights_common,
        weights_random,
        tau2_iterations: est.iterations,
        warnings,
    })
}
