//! Generalised linear mixed models fitted by maximum likelihood of the exact marginal
//! likelihood: the binomial-normal model for single proportions and metafor's models for odds
//! ratios of two-arm tables (Jackson et al. 2018, Stat Med 37:1059, name them).
//!
//! - Proportions (metafor `rma.glmm(measure = "PLO")`, R `meta::metaprop(method = "GLMM")`,
//!   recommended by Schwarzer et al. 2019, Res Synth Methods 10:476): xᵢ ~ Bin(nᵢ, logit⁻¹(μ +
//!   uᵢ)), uᵢ ~ N(0, τ²); the common-effect model is the logistic regression with τ = 0.
//! - Odds ratios ([`crate::settings::GlmmModel`]): `CM.EL`, conditional on each study's total
//!   events, with the exact non-central hypergeometric likelihood; `CM.AL`, its binomial
//!   approximation; `UM.FS`, unconditional with fixed study intercepts (Stijnen et al. 2010,
//!   Stat Med 29:3046; Jackson et al. 2018 models 2, 4 and 7); `UM.RS`, unconditional with
//!   random study intercepts and random treatment effects (Turner et al. 2000, Stat Med
//!   19:3417), whose two-dimensional integrals are in [`bivariate`] and its fit in
//!   [`random_study`].
//!
//! The integrals are computed by adaptive Gauss–Hermite quadrature ([`quadrature`]), the
//! maximum by Newton's method on (μ, ln τ) with a line search and a check of the boundary
//! τ = 0 ([`random_intercept`]); the standard error of μ̂ is from the joint observed
//! information of (μ, τ), as lme4's `vcov` for metafor.

pub mod bivariate;
pub mod likelihood;
pub mod quadrature;
pub mod random_intercept;
pub mod random_study;
mod random_study_saturated;
mod unconditional;

use crate::effect::two_arm::TwoByTwo;
use crate::settings::GlmmModel;
use likelihood::{Binomial, Nchg, OwnEstimate};
use random_intercept::{fit, Marginal, NoEstimate, Objective, Optimum};
use serde::Serialize;
use thiserror::Error;

/// Why a GLMM has no estimate.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GlmmError {
    /// The pooled value is infinite (no events anywhere, only events, or events in one arm
    /// only).
    #[error(
        "the GLMM has no finite estimate: {what} (the maximum likelihood estimate is infinite); \
         use --method IV, whose continuity correction gives a finite estimate"
    )]
    Separated {
        /// What the data show, in words.
        what: &'static str,
    },
    /// The likelihood rises without bound as τ → ∞.
    #[error(
        "the GLMM has no finite estimate: its likelihood rises without bound as tau → ∞ (the \
         studies' results are at opposite extremes, e.g. 0 % and 100 %); use --method IV"
    )]
    TauUnbounded,
    /// No study says anything about the odds ratio.
    #[error("no study has events in one arm and not all in both: the odds ratio GLMM needs one")]
    NoInformativeStudy,
}

/// The `glmm` block of an analysis: how the GLMM was fitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlmmInfo {
    /// The model: `PLO` (binomial-normal for proportions), `CM.EL`, `CM.AL`, `UM.FS`, `UM.RS`.
    pub model: &'static str,
    /// Maximised marginal log likelihood of the random-effects model (with the binomial or
    /// hypergeometric constants, as `logLik` of metafor).
    pub loglik: f64,
    /// Log likelihood of the common-effect model.
    pub loglik_common: f64,
    /// Newton iterations of the random-effects fit.
    pub iterations: usize,
    /// Gauss–Hermite nodes per study (`UM.RS`: of its pruned two-dimensional rule).
    pub nodes: usize,
    /// Whether the optimiser met its convergence criterion.
    pub converged: bool,
    /// Whether τ̂² = 0 lies on the boundary of the parameter space (the fit is the common
    /// effect).
    pub boundary: bool,
    /// Likelihood-ratio test of heterogeneity: 2 (ℓ_saturated − ℓ_common) (metafor `QE.LRT`).
    pub q_lrt: f64,
    /// Its p-value against χ²(k − 1).
    pub q_lrt_p: Option<f64>,
    /// Studies in the fit (double-zero tables are left out, as metafor's `drop00`).
    pub k: usize,
    /// `UM.RS` only: σ̂², the variance of the random study intercepts in the random-effects
    /// fit (metafor's `sigma2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma2: Option<f64>,
}

/// A fitted GLMM on the logit or log odds ratio scale.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmmEstimate {
    /// Common-effect μ̂ and its standard error.
    pub common: (f64, f64),
    /// Random-effects μ̂ and its standard error (joint observed information of (μ, τ)).
    pub random: (f64, f64),
    /// τ̂².
    pub tau2: f64,
    /// Wald-type test of heterogeneity of the saturated model (metafor `QE.Wld`): Q over the
    /// studies whose own estimate is finite, with the variances of those estimates.
    pub q_wald: f64,
    /// The fit's diagnostics.
    pub info: GlmmInfo,
    /// The standard error came from μ's curvature alone (the joint information was singular).
    pub se_from_mu_only: bool,
}

/// The binomial-normal GLMM of `events` of `n` per study.
///
/// # Errors
/// [`GlmmError`] when the estimate is not finite.
pub fn fit_proportions(events: &[u64], n: &[u64]) -> Result<GlmmEstimate, GlmmError> {
    estimate(&Binomial::proportions(events, n), "PLO")
        .map_err(|e| separated(e, "no study has an event, or every one has only events"))
}

/// The odds-ratio GLMM `model` of two-arm `tables` (treatment a, b; comparator c, d).
///
/// # Errors
/// [`GlmmError`] when no table informs the odds ratio or the estimate is not finite.
pub fn fit_odds_ratio(tables: &[TwoByTwo], model: GlmmModel) -> Result<GlmmEstimate, GlmmError> {
    const ONE_ARM: &str = "the events of every informative study are all in one arm";
    let informative: Vec<&TwoByTwo> = tables
        .iter()
        .filter(|t| t.a + t.c > 0.0 && t.b + t.d > 0.0)
        .collect();
    if informative.is_empty() {
        return Err(GlmmError::NoInformativeStudy);
    }
    let result = match model {
        GlmmModel::CmEl => {
            let studies: Vec<Nchg> = informative
                .iter()
                .filter_map(|t| Nchg::new(t.a, t.a + t.b, t.c, t.c + t.d))
                .collect();
            estimate(&studies, "CM.EL")
        }
        GlmmModel::CmAl => {
            let studies: Vec<Binomial> = informative
                .iter()
                .map(|t| Binomial::new(t.a, t.a + t.c, ((t.a + t.b) / (t.c + t.d)).ln()))
                .collect();
            estimate(&studies, "CM.AL")
        }
        GlmmModel::UmFs => unconditional::fit_fixed_study(&informative),
        GlmmModel::UmRs => random_study::fit_random_study(&informative),
    };
    result.map_err(|e| separated(e, ONE_ARM))
}

fn separated(e: NoEstimate, what: &'static str) -> GlmmError {
    match e {
        NoEstimate::Separated => GlmmError::Separated { what },
        NoEstimate::TauUnbounded => GlmmError::TauUnbounded,
    }
}

/// The standard error of μ̂ from the joint observed information of (μ, τ) at an interior
/// optimum, or from μ's curvature at the boundary (or when the joint one is singular).
pub(crate) fn se_mu(o: &Optimum) -> (f64, bool) {
    let h = o.terms.hess;
    let mu_only = (1.0 / -h[0]).sqrt();
    if o.boundary {
        return (mu_only, false);
    }
    let (i00, i01, i11) = (-h[0], -h[1], -h[2]);
    let det = i00 * i11 - i01 * i01;
    let var = i11 / det;
    if det > 0.0 && var.is_finite() && var > 0.0 {
        (var.sqrt(), false)
    } else {
        (mu_only, true)
    }
}

/// The saturated model (each study its own effect): its estimates with their variances where
/// finite, and its log likelihood.
#[derive(Debug, Default)]
pub(crate) struct Saturated {
    /// Σw, Σwy, Σwy² over the studies with a finite estimate y, w = 1/var(y).
    sums: [f64; 3],
    /// Its maximised log likelihood (suprema where the estimate is infinite).
    pub loglik: f64,
}

impl Saturated {
    /// Adds a study's own estimate `y` with variance `v`.
    pub fn add_estimate(&mut self, y: f64, v: f64) {
        let w = 1.0 / v;
        self.sums[0] += w;
        self.sums[1] += w * y;
        self.sums[2] += w * y * y;
    }

    /// The saturated model of random-intercept `studies`.
    fn of<L: OwnEstimate>(studies: &[L]) -> Self {
        let mut s = Saturated::default();
        for l in studies {
            match l.saturated() {
                Some((y, v)) => {
                    s.add_estimate(y, v);
                    s.loglik += l.eval(y).0;
                }
                None => s.loglik += l.sup_at_infinity(),
            }
        }
        s
    }

    /// Q about the weighted mean of the finite estimates (metafor `QE.Wld`, in which a study
    /// whose own estimate diverges has a vanishing weight).
    fn q_wald(&self) -> f64 {
        let [sw, swy, swy2] = self.sums;
        if sw > 0.0 {
            (swy2 - swy * swy / sw).max(0.0)
        } else {
            0.0
        }
    }
}

/// Fits the random-intercept model over `studies`.
fn estimate<L: OwnEstimate>(
    studies: &[L],
    model: &'static str,
) -> Result<GlmmEstimate, NoEstimate> {
    estimate_with(&mut Marginal::new(studies), &Saturated::of(studies), model)
}

/// Fits the model of `obj`, with heterogeneity tests against the saturated model `sat`.
pub(crate) fn estimate_with(
    obj: &mut impl Objective,
    sat: &Saturated,
    model: &'static str,
) -> Result<GlmmEstimate, NoEstimate> {
    let k = obj.k();
    let (o, (mu0, ll0, d2)) = fit(obj)?;
    let (se, mu_only) = se_mu(&o);
    let (q_wald, q_lrt) = (sat.q_wald(), (2.0 * (sat.loglik - ll0)).max(0.0));
    Ok(GlmmEstimate {
        common: (mu0, (1.0 / -d2).sqrt()),
        random: (o.mu, se),
        tau2: o.tau * o.tau,
        q_wald,
        info: GlmmInfo {
            model,
            loglik: o.terms.ll,
            loglik_common: ll0,
            iterations: o.iterations,
            nodes: quadrature::NODES,
            converged: o.converged,
            boundary: o.boundary,
            q_lrt,
            q_lrt_p: q_lrt_p(q_lrt, k),
            k,
            sigma2: None,
        },
        se_from_mu_only: mu_only,
    })
}

/// The p-value of the likelihood-ratio test of heterogeneity `q` over `k` studies, χ²(k − 1).
fn q_lrt_p(q: f64, k: usize) -> Option<f64> {
    (k > 1)
        .then(|| crate::dist::p_chisq_upper(q, (k - 1) as f64))
        .flatten()
}

/// A GLMM's pooled estimates with their intervals, as an analysis reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmmPooled {
    /// Common effect (logistic regression, or the conditional MLE): Wald z.
    pub common: crate::fit::Pooled,
    /// Random effects: Wald z, or with `--random-ci hk` (or hk-adhoc) a t quantile with k − 1
    /// df on the same standard error — metafor's `test = "t"` for `rma.glmm`, which `meta`
    /// uses for GLMMs with `method.random.ci = "HK"`; there is no Hartung–Knapp rescaling of a
    /// GLMM's variance.
    pub random: crate::fit::Pooled,
    /// μ̂ ± c·√(se² + τ̂²) with c as for the inverse-variance models.
    pub prediction: Option<crate::fit::Interval>,
}

/// The intervals of `est` at `settings`.
pub fn pooled(est: &GlmmEstimate, settings: &crate::settings::FitSettings) -> GlmmPooled {
    use crate::settings::RandomCi;
    let mut ws = crate::fit::FitWorkspace::without_tau2_interval(settings.level);
    let k = est.info.k;
    let common = super::intervals::wald(est.common.0, est.common.1, ws.z);
    let (mu, se) = est.random;
    let mut random = super::intervals::wald(mu, se, ws.z);
    if settings.random_ci != RandomCi::Classic && k >= 2 {
        let df = (k - 1) as f64;
        if let Some(t) = ws.t_crit(k - 1) {
            random.lower = mu - t * se;
            random.upper = mu + t * se;
            random.p = crate::dist::p_two_sided_t(random.stat, df);
            random.df = Some(df);
        }
    }
    let prediction =
        super::intervals::prediction_interval(mu, se, est.tau2, k, settings.prediction, &mut ws);
    GlmmPooled {
        common,
        random,
        prediction,
    }
}
