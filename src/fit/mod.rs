//! Fitting: common-effect and random-effects inverse-variance models over effect sizes
//! (yᵢ, vᵢ), with heterogeneity, prediction interval and the random-effects CI variants.
//!
//! One function, [`fit`], produces one result type, [`Fit`], on the transformed scale; every
//! renderer (table, JSON, CSV, plots) reads that object and never recomputes statistics.
//! [`fit`] is a thin layer over [`fit_summary`], the allocation-free core that the batch engine
//! calls directly with a reusable [`FitWorkspace`], so both give the same numbers.

pub mod heterogeneity;
pub mod mantel_haenszel;
pub mod subgroup;
pub mod tau2;

use crate::dist;
use crate::settings::{FitSettings, Level, PredictionMethod, RandomCi, TauMethod};
use heterogeneity::{i2_interval_higgins_thompson_z, tau2_interval_q_profile_at, Heterogeneity};
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

/// Critical values of one confidence level, cached by degrees of freedom.
///
/// A normal, t or χ² quantile costs about a microsecond (a statrs inverse CDF polished by Newton
/// steps, see [`crate::dist`]), several times the cost of a whole REML fit at k = 10. They depend
/// only on the level and the degrees of freedom, so a batch of fits computes each once. Values
/// are computed by the same functions as a fresh fit would use, so a workspace changes the
/// speed, never the numbers. One workspace serves one thread; the batch engine keeps one per
/// thread.
#[derive(Debug, Clone)]
pub struct FitWorkspace {
    level: f64,
    z: f64,
    by_df: Vec<DfQuantiles>,
}

/// Quantiles for one df, each computed on first use (`None` = not yet computed).
#[derive(Debug, Clone, Copy, Default)]
struct DfQuantiles {
    t: Option<Option<f64>>,
    q_profile: Option<Option<(f64, f64)>>,
}

/// Degrees of freedom below which quantiles are cached. Beyond it a fit costs O(k) ≫ 1 µs, so
/// caching would save nothing and only hold memory.
const CACHED_DF: usize = 1024;

impl FitWorkspace {
    /// An empty workspace for intervals at `level`.
    pub fn new(level: Level) -> Self {
        FitWorkspace {
            level: level.get(),
            z: dist::z_crit(level.get()),
            by_df: Vec::new(),
        }
    }

    /// Makes the workspace serve `level`, dropping the cache of another level.
    fn use_level(&mut self, level: f64) {
        if self.level != level {
            self.level = level;
            self.z = dist::z_crit(level);
            self.by_df.clear();
        }
    }

    fn slot(&mut self, df: usize) -> Option<&mut DfQuantiles> {
        if df >= CACHED_DF {
            return None;
        }
        if self.by_df.len() <= df {
            self.by_df.resize(df + 1, DfQuantiles::default());
        }
        Some(&mut self.by_df[df])
    }

    /// Two-sided t critical value with `df` degrees of freedom.
    fn t_crit(&mut self, df: usize) -> Option<f64> {
        let level = self.level;
        let compute = || dist::t_crit(level, df as f64);
        match self.slot(df) {
            Some(q) => *q.t.get_or_insert_with(compute),
            None => compute(),
        }
    }

    /// Targets of the Q-profile equations for `df`.
    fn q_profile_targets(&mut self, df: usize) -> Option<(f64, f64)> {
        let level = self.level;
        let compute = || heterogeneity::q_profile_targets(level, df);
        match self.slot(df) {
            Some(q) => *q.q_profile.get_or_insert_with(compute),
            None => compute(),
        }
    }
}

/// Conditions of a fit that the user should be told about; [`FitSummary::warnings`] words them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FitNotes {
    /// k = 1: no heterogeneity, random = common, no prediction interval.
    pub single_study: bool,
    /// The τ² estimator stopped at its iteration limit.
    pub tau2_not_converged: bool,
    /// A prediction interval was asked for but k < 3.
    pub prediction_unavailable: bool,
    /// A Q-profile root search for the τ² interval stopped at its iteration limit.
    pub q_profile_not_converged: bool,
    /// The Higgins–Thompson interval for I² is undefined (k = 2 with Q ≤ 2).
    pub i2_interval_undefined: bool,
}

impl FitNotes {
    /// Whether any note is set.
    pub fn any(&self) -> bool {
        *self != FitNotes::default()
    }
}

/// Everything of a [`Fit`] except the per-study weights and the worded warnings: a `Copy` value
/// that [`fit_summary`] produces without touching the heap. [`fit`] is this plus the weights and
/// warnings, so both give the same numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSummary {
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
    /// Iterations of the τ² estimator.
    pub tau2_iterations: usize,
    /// Σ 1/vᵢ, the total common-effect weight.
    pub sum_weights_common: f64,
    /// Σ 1/(vᵢ + τ²), the total random-effects weight.
    pub sum_weights_random: f64,
    /// What the user should be told.
    pub notes: FitNotes,
}

impl FitSummary {
    /// The notes worded for people, in the order [`Fit::warnings`] lists them.
    pub fn warnings(&self, settings: &FitSettings) -> Vec<String> {
        let n = &self.notes;
        let k = self.k;
        let mut warnings = Vec::new();
        if n.single_study {
            warnings.push(
                "k = 1: heterogeneity and τ² cannot be estimated from one study; the random-effects \
                 result equals the common-effect result and no prediction interval is given"
                    .to_string(),
            );
        }
        if n.tau2_not_converged {
            warnings.push(format!(
                "the {} estimator of τ² did not converge in {} iterations; the last iterate τ² = {} \
                 is used",
                settings.method_tau, self.tau2_iterations, self.tau2
            ));
        }
        if n.prediction_unavailable {
            warnings.push(format!(
                "k = {k}: a prediction interval needs at least 3 studies; reported as null"
            ));
        }
        if n.q_profile_not_converged {
            warnings.push(
                "the Q-profile interval for τ² did not converge; its bounds are approximate".into(),
            );
        }
        if n.i2_interval_undefined {
            let q = self.heterogeneity.map_or(f64::NAN, |h| h.q);
            warnings.push(format!(
                "k = {k}, Q = {q:.4}: the Higgins–Thompson interval for I² is undefined here; reported as null"
            ));
        }
        warnings
    }
}

fn wald(yi: f64, se: f64, z: f64) -> Pooled {
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
fn random_effects(s: &WeightedSums, k: usize, method: RandomCi, ws: &mut FitWorkspace) -> Pooled {
    let se_classic = (1.0 / s.sw).sqrt();
    if method == RandomCi::Classic || k < 2 {
        return wald(s.mu, se_classic, ws.z);
    }
    let df = (k - 1) as f64;
    let factor = s.q / df;
    let factor = if method == RandomCi::HkAdhoc {
        factor.max(1.0)
    } else {
        factor
    };
    let se = (factor / s.sw).sqrt();
    let t = ws.t_crit(k - 1).unwrap_or(f64::NAN);
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
    ws: &mut FitWorkspace,
) -> Option<Interval> {
    if k < 3 {
        return None;
    }
    let (crit, df) = match method {
        PredictionMethod::None => return None,
        PredictionMethod::Z => (ws.z, None),
        PredictionMethod::T => (ws.t_crit(k - 1)?, Some((k - 1) as f64)),
        PredictionMethod::Hts => (ws.t_crit(k - 2)?, Some((k - 2) as f64)),
    };
    let half = crit * (se_classic * se_classic + tau2).sqrt();
    Some(Interval {
        lower: mu - half,
        upper: mu + half,
        df,
    })
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

    let est = match settings.method_tau {
        // A function of the common-effect sums, already at hand.
        TauMethod::Dl => tau2::dersimonian_laird_from(&fixed, k),
        method => tau2::estimate(method, yi, vi, IterControl::default()),
    };
    notes.tau2_not_converged = !est.converged;
    let tau2 = est.tau2;
    let re = WeightedSums::at_in(yi, vi, tau2, range);
    let random = random_effects(&re, k, settings.random_ci, ws);
    let se_classic = (1.0 / re.sw).sqrt();

    let prediction = prediction_interval(re.mu, se_classic, tau2, k, settings.prediction, ws);
    notes.prediction_unavailable =
        prediction.is_none() && settings.prediction != PredictionMethod::None;

    let df = (k - 1) as f64;
    let q = fixed.q;
    let s2 = df * fixed.sw / (fixed.sw * fixed.sw - fixed.sw2);
    let tau2_ci = ws.q_profile_targets(k - 1).map(|targets| {
        let estimate = QPoint { tau2, sums: re };
        let (ci, converged) =
            tau2_interval_q_profile_at(yi, vi, targets, range, &fixed, Some(estimate));
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

    Ok(FitSummary {
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
    })
}
