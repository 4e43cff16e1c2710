//! τ² estimators of the mixed-effects meta-regression yᵢ = xᵢ′β + uᵢ + εᵢ (metafor
//! `rma.uni(yi, vi, mods = …, method)`), one file per family: the closed forms (DL, HE, SJ:
//! [`moments`]), the likelihood estimators (ML, REML: [`likelihood`]) and the estimators that
//! solve an equation in the residual Q (PM, EB and the Q-profile interval: [`root`]).
//!
//! Each is metafor 3.8's formula with p columns in place of the intercept alone (its
//! intercept-only special cases are the estimators of [`super`]); the quantities of
//! P = W − WX(X′WX)⁻¹X′W come from [`crate::fit::design::WeightedFit`].

mod likelihood;
mod moments;
mod root;

pub use likelihood::{log_likelihood, maximum_likelihood, restricted_maximum_likelihood};
pub use moments::{dersimonian_laird, hedges, sidik_jonkman};
pub use root::{empirical_bayes, paule_mandel, solve_residual_q};

use super::{IterControl, Tau2Estimate};
use crate::fit::design::{weights, Design, WeightedFit};
use crate::settings::TauMethod;

/// The data of a meta-regression: the design, effects and sampling variances (k ≥ p + 1,
/// finite, vᵢ > 0, X of full rank: checked by the caller).
#[derive(Debug, Clone, Copy)]
pub struct Regression<'a> {
    /// The k × p design matrix.
    pub design: &'a Design,
    /// Effects yᵢ.
    pub y: &'a [f64],
    /// Sampling variances vᵢ.
    pub v: &'a [f64],
}

impl Regression<'_> {
    /// k.
    pub fn k(&self) -> f64 {
        self.design.k() as f64
    }

    /// k − p, the residual degrees of freedom.
    pub fn df(&self) -> f64 {
        (self.design.k() - self.design.p()) as f64
    }

    /// The weighted fit at τ² with its weights, `None` when X′WX is singular.
    pub fn at(&self, tau2: f64) -> Option<(WeightedFit, Vec<f64>)> {
        let w = weights(self.v, tau2);
        WeightedFit::at(self.design, self.y, &w).map(|f| (f, w))
    }

    /// Mean sampling variance: the scale of the relative convergence tolerances.
    pub(crate) fn scale(&self) -> f64 {
        super::mean(self.v)
    }
}

/// What a τ² estimator with moderators found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModsEstimate {
    /// The estimate, its iterations and convergence.
    pub estimate: Tau2Estimate,
    /// ML/REML only: the maximum found was below the likelihood at τ² = 0, so τ² was set to 0
    /// (metafor's `ll0check`, with its warning).
    pub reset_to_zero: bool,
}

/// Runs the estimator chosen by `method`; `None` for Hunter–Schmidt (not offered with
/// moderators) or a singular X′WX.
pub fn estimate(method: TauMethod, r: Regression<'_>, ctl: IterControl) -> Option<ModsEstimate> {
    let plain = |e: Option<Tau2Estimate>| {
        e.map(|estimate| ModsEstimate {
            estimate,
            reset_to_zero: false,
        })
    };
    match method {
        TauMethod::Dl => plain(dersimonian_laird(r)),
        TauMethod::He => plain(hedges(r)),
        TauMethod::Sj => plain(sidik_jonkman(r)),
        TauMethod::Pm => plain(paule_mandel(r, ctl)),
        TauMethod::Eb => plain(empirical_bayes(r, ctl)),
        TauMethod::Ml => maximum_likelihood(r, ctl),
        TauMethod::Reml => restricted_maximum_likelihood(r, ctl),
        TauMethod::Hs => None,
    }
}
