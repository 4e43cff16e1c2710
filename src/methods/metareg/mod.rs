//! Meta-regression (metafor `rma.uni(yi, vi, mods = ~ …)`): the effects of a fitted model
//! regressed on study-level moderators, yᵢ = xᵢ′β + uᵢ + εᵢ with uᵢ ~ N(0, τ²) (mixed-effects,
//! the default) or τ² = 0 (`--model common`).
//!
//! One concept per file: the design from the studies' columns ([`moderators`]), the tests of
//! the coefficients ([`inference`]), residual heterogeneity, R² and the τ² interval
//! ([`heterogeneity`]), the permutation test ([`permutation`]) and the result structs
//! ([`result`]). τ² comes from the estimators with moderators of [`crate::fit::tau2::mods`].
//! The fit is the model's: its τ² estimator, its random-effects CI (classic → Wald, hk →
//! Knapp–Hartung) and level; the model's own pooled estimate is not used.

pub mod heterogeneity;
pub mod inference;
pub mod moderators;
pub mod permutation;
pub mod predict;
pub mod result;

use crate::fit::design::{dot, weights};
use crate::fit::tau2::mods::{self, Regression};
use crate::fit::tau2::IterControl;
use crate::methods::PooledModel;
use crate::model::Rma;
use crate::settings::{RandomCi, TauMethod};
use inference::{statistics, tables, Test};
use moderators::Moderators;
use nalgebra::DMatrix;
use result::{FittedStudy, MetaRegression};
use thiserror::Error;

/// Iteration control of the τ² estimators: converged to 1e-12 relative, as the fixtures'
/// metafor (`threshold = tol = 1e-12, maxiter = 10000`).
pub const CONTROL: IterControl = IterControl {
    max_iter: 10_000,
    tol: 1e-12,
    start: None,
};

/// What a meta-regression is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRegSettings {
    /// Moderator columns, in order.
    pub moderators: Vec<String>,
    /// `--ref COLUMN=LEVEL`: reference levels of categorical moderators.
    pub references: Vec<(String, String)>,
    /// Mixed-effects (`Random`) or fixed-effects (`Common`) meta-regression.
    pub model: PooledModel,
    /// Report each study's fitted value and residual.
    pub studies: bool,
}

/// A meta-regression that cannot be fitted as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MetaRegError {
    /// `--mods` names a column the studies do not have.
    #[error("--mods {column}: no such column; expected one of: {available}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The columns the studies have.
        available: String,
    },
    /// `--ref` names a column that is not a moderator.
    #[error("--ref {column}=…: {column} is not one of the --mods columns")]
    RefNotAModerator {
        /// The column.
        column: String,
    },
    /// `--ref` names a level the column does not have.
    #[error("--ref {column}={level}: no such level; expected one of: {levels}")]
    UnknownLevel {
        /// The column.
        column: String,
        /// The level asked for.
        level: String,
        /// Its levels.
        levels: String,
    },
    /// Not more studies than coefficients.
    #[error(
        "{k} studies with moderator values for {p} coefficients: a meta-regression needs at \
         least p + 1 = {} studies; use fewer moderators or levels",
        p + 1
    )]
    TooFewStudies {
        /// Studies with every moderator value.
        k: usize,
        /// Coefficients.
        p: usize,
    },
    /// Moderators whose columns are linearly dependent (or constant).
    #[error(
        "the moderators {terms} are collinear (a constant column, a level no study has, or \
         one column a combination of others); drop one of them"
    )]
    Collinear {
        /// The moderator terms.
        terms: String,
    },
    /// τ² estimator not offered with moderators.
    #[error("--method-tau {0} is not offered with moderators; use REML, ML, DL, HE, SJ, PM or EB")]
    Estimator(TauMethod),
    /// `--random-ci hk-adhoc` with moderators.
    #[error("--random-ci hk-adhoc is not offered with moderators; use classic or hk")]
    AdhocCi,
    /// The analysis to regress has several groups, or no fitted model (a median of medians).
    #[error(
        "a meta-regression needs one inverse-variance analysis of every study (--by none; not \
         --method mm or wm)"
    )]
    NotOneModel,
    /// The bubble plot's moderator is not a continuous moderator of the fit.
    #[error("--bubble-x {column}: not a continuous moderator of the model; expected one of: {continuous}")]
    NotContinuous {
        /// The column asked for.
        column: String,
        /// The continuous moderators.
        continuous: String,
    },
    /// The weighted fit failed (a numerically singular X′WX).
    #[error("the meta-regression could not be fitted: X'WX is numerically singular")]
    Singular,
}

/// A fitted meta-regression with what its plots and permutation test need.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRegFit {
    /// The reported result.
    pub result: MetaRegression,
    /// The design and terms.
    pub moderators: Moderators,
    /// yᵢ of the studies in the design.
    pub y: Vec<f64>,
    /// vᵢ of those studies.
    pub v: Vec<f64>,
    /// Their labels.
    pub labels: Vec<String>,
    /// β̂.
    pub beta: Vec<f64>,
    /// Covariance of β̂ (Knapp–Hartung-scaled where chosen).
    pub vb: DMatrix<f64>,
    /// The τ² estimator; `None` for the common-effect model.
    pub method: Option<TauMethod>,
    /// How the coefficients are tested.
    pub test: Test,
    /// Confidence level.
    pub level: f64,
}

impl MetaRegFit {
    /// The regression's data.
    pub fn regression(&self) -> Regression<'_> {
        Regression {
            design: &self.moderators.design,
            y: &self.y,
            v: &self.v,
        }
    }
}

/// Fits the meta-regression of `model`'s effects on `settings.moderators`, with the model's τ²
/// estimator, CI method and level.
///
/// # Errors
/// [`MetaRegError`]: an unknown column or level, too few studies, collinear moderators, or an
/// estimator or CI method not offered with moderators.
pub fn metareg(model: &Rma, settings: &MetaRegSettings) -> Result<MetaRegFit, MetaRegError> {
    let fit = model.settings().fit;
    let test = match fit.random_ci {
        RandomCi::Classic => Test::Z,
        RandomCi::Hk => Test::Knha,
        RandomCi::HkAdhoc => return Err(MetaRegError::AdhocCi),
    };
    let method = match settings.model {
        PooledModel::Common => None,
        PooledModel::Random if fit.method_tau == TauMethod::Hs => {
            return Err(MetaRegError::Estimator(TauMethod::Hs))
        }
        PooledModel::Random => Some(fit.method_tau),
    };
    let studies = &model.data().studies;
    let mods = moderators::build(
        studies,
        model.fitted(),
        &settings.moderators,
        &settings.references,
    )?;
    let mut warnings: Vec<String> = mods
        .dropped
        .iter()
        .map(|(s, c)| format!("{s}: left out, no value of moderator {c}"))
        .collect();
    let (y, v): (Vec<f64>, Vec<f64>) = mods.used.iter().filter_map(|&i| studies[i].effect).unzip();
    let labels = mods
        .used
        .iter()
        .map(|&i| studies[i].label.clone())
        .collect();
    let r = Regression {
        design: &mods.design,
        y: &y,
        v: &v,
    };
    let (tau2, iterations) = match method {
        None => (0.0, 0),
        Some(m) => {
            let e = mods::estimate(m, r, CONTROL).ok_or(MetaRegError::Singular)?;
            if !e.estimate.converged {
                warnings.push(format!(
                    "the {m} estimator of tau² did not converge in {} iterations; the last \
                     value is reported",
                    e.estimate.iterations
                ));
            }
            if e.reset_to_zero {
                warnings.push(format!(
                    "the {m} maximum of the likelihood was below its value at tau² = 0, so tau² \
                     was set to 0 (as metafor)"
                ));
            }
            (e.estimate.tau2, e.estimate.iterations)
        }
    };
    let s = statistics(r, tau2, test).ok_or(MetaRegError::Singular)?;
    let level = fit.level.get();
    let (coefficients, qm) = tables(&s, &mods.terms, test, level, r.df());
    let (qe, vt) = heterogeneity::residual_q(r).ok_or(MetaRegError::Singular)?;
    let (i2, h2) = match method {
        // metafor's I² and H² of a fixed-effects model come from Q_E.
        None => (
            (100.0 * (qe.stat - qe.df) / qe.stat).max(0.0),
            qe.stat / qe.df,
        ),
        Some(_) => heterogeneity::i2_h2(tau2, vt),
    };
    let r2 = match method {
        None => heterogeneity::adjusted_r2(r, qe.stat),
        Some(m) => heterogeneity::pseudo_r2(r, tau2, m, CONTROL),
    };
    if r2.is_none() {
        warnings.push("R² is null: the intercept-only model could not be fitted".into());
    }
    let interval = method.and_then(|_| heterogeneity::tau2_interval(r, level));
    if method.is_some() && !interval.is_some_and(|(_, ok)| ok) {
        warnings.push("the Q-profile interval for tau² could not be computed exactly".into());
    }
    let w = weights(&v, tau2);
    let sw: f64 = w.iter().sum();
    let fitted_studies = settings.studies.then(|| {
        (0..y.len())
            .map(|j| {
                let study = &studies[mods.used[j]];
                let fitted = dot(mods.design.row(j), &s.fit.beta);
                FittedStudy {
                    study: study.label.clone(),
                    line: study.line,
                    yi: y[j],
                    vi: v[j],
                    fitted,
                    residual: y[j] - fitted,
                    weight: 100.0 * w[j] / sw,
                    moderators: settings
                        .moderators
                        .iter()
                        .map(|c| {
                            let value =
                                study.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(c));
                            (
                                c.clone(),
                                value.map(|(_, v)| v.trim().to_string()).unwrap_or_default(),
                            )
                        })
                        .collect(),
                }
            })
            .collect()
    });
    let result = MetaRegression {
        model: settings.model.as_str().into(),
        test: test.as_str().into(),
        k: y.len(),
        coefficients,
        tau2,
        tau2_lower: interval.map(|((lo, _), _)| lo),
        tau2_upper: interval.map(|((_, hi), _)| hi),
        i2,
        h2,
        r2,
        qm,
        qe,
        iterations,
        studies: fitted_studies,
        permutation: None,
        warnings,
    };
    Ok(MetaRegFit {
        result,
        beta: s.fit.beta.clone(),
        vb: s.vb,
        moderators: mods,
        y,
        v,
        labels,
        method,
        test,
        level,
    })
}
