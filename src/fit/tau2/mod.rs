//! Estimators of the between-study variance τ² for the random-effects model
//! yᵢ = μ + uᵢ + εᵢ, uᵢ ~ N(0, τ²), εᵢ ~ N(0, vᵢ), one file per estimator.
//!
//! Every estimator takes the validated effect sizes and returns a [`Tau2Estimate`]; the
//! iterative ones report their iteration count and whether they converged, and never fail
//! silently: a non-converged estimate carries the last iterate and a warning is raised by the
//! caller. All of them work in place over the slices (no allocation per iteration), because the
//! batch engine runs hundreds of thousands of fits.

mod dl;
mod eb;
mod he;
mod hs;
mod likelihood;
mod pm;
mod sj;

pub use dl::dersimonian_laird;
pub use eb::empirical_bayes;
pub use he::hedges;
pub use hs::hunter_schmidt;
pub use likelihood::{maximum_likelihood, restricted_maximum_likelihood};
pub use pm::{paule_mandel, solve_generalised_q};
pub use sj::sidik_jonkman;

use crate::settings::TauMethod;

/// Result of a τ² estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tau2Estimate {
    /// The estimate, never negative.
    pub tau2: f64,
    /// Iterations used (0 for closed-form estimators).
    pub iterations: usize,
    /// `false` when an iterative estimator stopped at its iteration limit.
    pub converged: bool,
}

impl Tau2Estimate {
    pub(crate) fn closed_form(tau2: f64) -> Self {
        Tau2Estimate {
            tau2: tau2.max(0.0),
            iterations: 0,
            converged: true,
        }
    }
}

/// Iteration limits and tolerance of the iterative estimators.
///
/// The tolerance is relative to the scale of the problem (τ² plus the mean within-study variance),
/// so that estimates agree with a tightly converged metafor to far better than 1e-5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterControl {
    /// Maximum number of iterations.
    pub max_iter: usize,
    /// Relative convergence tolerance on τ².
    pub tol: f64,
}

impl Default for IterControl {
    fn default() -> Self {
        IterControl {
            max_iter: 1000,
            tol: 1e-12,
        }
    }
}

/// Runs the estimator chosen by `method`.
///
/// `yi` and `vi` must have equal length k ≥ 2, finite values and `vi > 0` (checked by
/// [`crate::fit::fit`]).
pub fn estimate(method: TauMethod, yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    match method {
        TauMethod::Dl => dersimonian_laird(yi, vi),
        TauMethod::He => hedges(yi, vi),
        TauMethod::Hs => hunter_schmidt(yi, vi),
        TauMethod::Sj => sidik_jonkman(yi, vi),
        TauMethod::Reml => restricted_maximum_likelihood(yi, vi, ctl),
        TauMethod::Ml => maximum_likelihood(yi, vi, ctl),
        TauMethod::Pm => paule_mandel(yi, vi, ctl),
        TauMethod::Eb => empirical_bayes(yi, vi, ctl),
    }
}

/// Weighted sums at a given τ², with weights wᵢ = 1/(vᵢ + τ²): the building blocks of every
/// estimator, computed in two passes without allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedSums {
    /// Σ wᵢ.
    pub sw: f64,
    /// Σ wᵢ².
    pub sw2: f64,
    /// Σ wᵢ³.
    pub sw3: f64,
    /// Weighted mean μ̂ = Σ wᵢ yᵢ / Σ wᵢ.
    pub mu: f64,
    /// Generalised Q: Σ wᵢ (yᵢ − μ̂)².
    pub q: f64,
    /// Σ wᵢ² (yᵢ − μ̂)².
    pub sw2r2: f64,
    /// Σ ln(vᵢ + τ²).
    pub sum_log_v: f64,
}

impl WeightedSums {
    /// Computes the sums at `tau2`.
    pub fn at(yi: &[f64], vi: &[f64], tau2: f64) -> Self {
        let (mut sw, mut sw2, mut sw3, mut swy, mut sum_log_v) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut y_min, mut y_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&y, &v) in yi.iter().zip(vi) {
            y_min = y_min.min(y);
            y_max = y_max.max(y);
            let t = v + tau2;
            let w = 1.0 / t;
            sw += w;
            sw2 += w * w;
            sw3 += w * w * w;
            swy += w * y;
            sum_log_v += t.ln();
        }
        // Identical effects must give Q = 0 exactly, not a rounding residue that would turn a
        // Hartung–Knapp standard error of 0 into 1e-16 and its t statistic into 1e16.
        let mu = if y_min == y_max {
            y_min
        } else {
            (swy / sw).clamp(y_min, y_max)
        };
        let (mut q, mut sw2r2) = (0.0, 0.0);
        for (&y, &v) in yi.iter().zip(vi) {
            let w = 1.0 / (v + tau2);
            let r = y - mu;
            q += w * r * r;
            sw2r2 += w * w * r * r;
        }
        WeightedSums {
            sw,
            sw2,
            sw3,
            mu,
            q,
            sw2r2,
            sum_log_v,
        }
    }
}

/// Arithmetic mean, used for scale-relative tolerances.
pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
