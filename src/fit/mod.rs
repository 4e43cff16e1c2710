//! Fitting: common-effect and random-effects inverse-variance models over effect sizes
//! (yᵢ, vᵢ), with heterogeneity, prediction interval and the random-effects CI variants.
//!
//! One function, [`fit`], produces one result type, [`Fit`], on the transformed scale; every
//! renderer (table, JSON, CSV, plots) reads that object and never recomputes statistics.
//! [`fit`] is a thin layer over [`fit_summary`], the allocation-free core that the batch engine
//! calls directly with a reusable [`FitWorkspace`], so both give the same numbers.

pub mod design;
pub mod glmm;
pub mod heterogeneity;
mod intervals;
pub mod mantel_haenszel;
pub mod subgroup;
mod summary;
pub mod tau2;
mod workspace;

pub use summary::{FitNotes, FitSummary};
pub use workspace::FitWorkspace;

use crate::dist;
use crate::settings::{FitSettings, Level, PredictionMethod};
use heterogeneity::{i2_interval_higgins_thompson_z, tau2_interval_q_profile_at, Heterogeneity};
use intervals::{prediction_interval, random_effects, wald};
use rayon::prelude::*;
use serde::Serialize;
use tau2::{EffectRange, IterControl, QPoint, WeightedSums};
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
    #[error("effect size {value} is not a finite number")]
    NonFiniteEffect {
        /// Zero-based study index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A sampling variance is not a positive finite number.
    #[error("sampling variance {value} is not a positive finite number")]
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

/// Weights 1/(vᵢ + τ²) in percent of `total`. Each is computed on its own, so for many
/// studies they are computed on several threads with the same result.
fn percent(vi: &[f64], tau2: f64, total: f64) -> Vec<f64> {
    let one = |v: &f64| 100.0 * (1.0 / (v + tau2)) / total;
    if vi.len() < tau2::PARALLEL_FROM {
        vi.iter().map(one).collect()
    } else {
        vi.par_iter().with_min_len(tau2::BLOCK).map(one).collect()
    }
}

/// Fits the common-effect and random-effects models.
///
/// This is [`fit_summary`], plus the per-study weights in percent and the warnings worded for
/// people. Its [`FitWorkspace`] is kept per thread, so that callers fitting many subsets (groups,
/// leave-one-out, reports) compute each quantile once.
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
    thread_local! {
        static WORKSPACE: std::cell::RefCell<FitWorkspace> =
            std::cell::RefCell::new(FitWorkspace::new(Level::default()));
    }
    let s = WORKSPACE.with_borrow_mut(|ws| fit_summary(yi, vi, settings, ws))?;
    Ok(Fit {
        k: s.k,
        common: s.common,
        random: s.random,
        prediction: s.prediction,
        heterogeneity: s.heterogeneity,
        tau2: s.tau2,
        weights_common: percent(vi, 0.0, s.sum_weights_common),
        weights_random: percent(vi, s.tau2, s.sum_weights_random),
        tau2_iterations: s.tau2_iterations,
        warnings: s.warnings(settings),
    })
}

/// Fits the common-effect and random-effects models without allocating: the engine of [`fit`]
/// and of the batch engine ([`crate::batch`]), which runs it hundreds of thousands of times.
///
/// The critical values come from `ws` (computed on first use, then reused); the estimators work
/// in place over the slices.
///
/// # Errors
/// As [`fit`].
///
/// # Examples
/// ```
/// use alkstats::fit::{fit, fit_summary, FitWorkspace};
/// use alkstats::settings::FitSettings;
/// let (yi, vi) = ([0.1, 0.5, 0.3], [0.04, 0.02, 0.03]);
/// let settings = FitSettings::default();
/// let mut ws = FitWorkspace::new(settings.level);
/// let s = fit_summary(&yi, &vi, &settings, &mut ws).unwrap();
/// assert_eq!(s.random, fit(&yi, &vi, &settings).unwrap().random);
/// ```
pub fn fit_summary(
    yi: &[f64],
    vi: &[f64],
    settings: &FitSettings,
    ws: &mut FitWorkspace,
) -> Result<FitSummary, FitError> {
    validate(yi, vi)?;
    ws.use_level(settings.level.get());
    let k = yi.len();
    let mut notes = FitNotes::default();

    let range = EffectRange::of(yi);
    let fixed = WeightedSums::at_in(yi, vi, 0.0, range);
    let common = wald(fixed.mu, (1.0 / fixed.sw).sqrt(), ws.z);

    if k == 1 {
        notes.single_study = true;
        return Ok(FitSummary {
            k,
            common,
            random: common,
            prediction: None,
            heterogeneity: None,
            tau2: 0.0,
            tau2_iterations: 0,
            sum_weights_common: fixed.sw,
            sum_weights_random: fixed.sw,
            notes,
        });
    }

    let ctl = IterControl {
        start: ws.tau2_start,
        ..IterControl::default()
    };
    // DerSimonian–Laird and the likelihood estimators' start are functions of the
    // common-effect sums, already at hand; the likelihood estimators end with the sums at τ̂².
    let (est, re) = tau2::estimate_from(settings.method_tau, yi, vi, ctl, range, &fixed);
    let re = re.unwrap_or_else(|| WeightedSums::at_in(yi, vi, est.tau2, range));
    let effects = Effects { yi, vi, range };
    Ok(summary_from_sums(
        k,
        &fixed,
        est,
        &re,
        settings,
        ws,
        Some(effects),
    ))
}

/// The effects of a fit, for the Q-profile interval of τ² (which searches over them).
#[derive(Debug, Clone, Copy)]
pub struct Effects<'a> {
    /// yᵢ.
    pub yi: &'a [f64],
    /// vᵢ.
    pub vi: &'a [f64],
    /// Their range.
    pub range: EffectRange,
}

/// A fit of k ≥ 2 studies from its sums: the sums at τ² = 0 (`fixed`), the τ² estimate and the
/// sums at it (`re`). This is [`fit_summary`] after its passes over the studies, so that a
/// caller that has the sums by other means (leave-one-out downdating the sums of every study)
/// gets the same fit. Only `sw`, `sw2`, `mu` and `q` of the sums are read, unless `effects` are
/// given for the Q-profile interval of τ² (null without them, or when `ws` leaves it out).
pub fn summary_from_sums(
    k: usize,
    fixed: &WeightedSums,
    est: tau2::Tau2Estimate,
    re: &WeightedSums,
    settings: &FitSettings,
    ws: &mut FitWorkspace,
    effects: Option<Effects<'_>>,
) -> FitSummary {
    ws.use_level(settings.level.get());
    let mut notes = FitNotes::default();
    let common = wald(fixed.mu, (1.0 / fixed.sw).sqrt(), ws.z);
    notes.tau2_not_converged = !est.converged;
    let tau2 = est.tau2;
    let random = random_effects(re, k, settings.random_ci, ws);
    let se_classic = (1.0 / re.sw).sqrt();

    let prediction = prediction_interval(re.mu, se_classic, tau2, k, settings.prediction, ws);
    notes.prediction_unavailable =
        prediction.is_none() && settings.prediction != PredictionMethod::None;

    let df = (k - 1) as f64;
    let q = fixed.q;
    let s2 = df * fixed.sw / (fixed.sw * fixed.sw - fixed.sw2);
    let targets = match effects {
        Some(e) if ws.tau2_interval => ws.q_profile_targets(k - 1).map(|t| (t, e)),
        _ => None,
    };
    let tau2_ci = targets.map(|(targets, e)| {
        let estimate = QPoint { tau2, sums: *re };
        let (ci, converged) =
            tau2_interval_q_profile_at(e.yi, e.vi, targets, e.range, fixed, Some(estimate));
        notes.q_profile_not_converged = !converged;
        ci
    });
    let i2_ci = i2_interval_higgins_thompson_z(q, k, ws.z);
    notes.i2_interval_undefined = i2_ci.is_none();
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

    FitSummary {
        k,
        common,
        random,
        prediction,
        heterogeneity: Some(heterogeneity),
        tau2,
        tau2_iterations: est.iterations,
        sum_weights_common: fixed.sw,
        sum_weights_random: re.sw,
        notes,
    }
}
