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
pub mod mods;
mod pm;
mod sj;

pub use dl::{dersimonian_laird, dersimonian_laird_from};
pub use eb::empirical_bayes;
pub use he::{hedges, hedges_from};
pub use hs::hunter_schmidt;
pub use likelihood::{maximum_likelihood, restricted_maximum_likelihood};
pub use pm::{paule_mandel, solve_generalised_q, solve_generalised_q_from, QPoint};
pub use sj::sidik_jonkman;

use crate::settings::TauMethod;
use rayon::prelude::*;

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
    /// Where ML and REML start, when known to be near the maximum (a refit of a model to all
    /// but one of its studies starts at the model's τ²); `None` starts at the
    /// DerSimonian–Laird estimate. The maximum found is the same; only the path is shorter.
    pub start: Option<f64>,
}

impl Default for IterControl {
    fn default() -> Self {
        IterControl {
            max_iter: 1000,
            tol: 1e-12,
            start: None,
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

/// [`estimate`] given the range of `yi` and the sums at τ² = 0, which a fit has at hand: the
/// estimate, and the sums at it when the estimator computed them on its way (the likelihood
/// estimators), so that the fit does not compute them again. The same numbers as [`estimate`].
pub fn estimate_from(
    method: TauMethod,
    yi: &[f64],
    vi: &[f64],
    ctl: IterControl,
    range: EffectRange,
    fixed: &WeightedSums,
) -> (Tau2Estimate, Option<WeightedSums>) {
    match method {
        TauMethod::Dl => (dersimonian_laird_from(fixed, yi.len()), None),
        TauMethod::Reml | TauMethod::Ml => {
            let full = method == TauMethod::Ml;
            let (estimate, sums) = likelihood::likelihood_from(yi, vi, ctl, full, range, fixed);
            (estimate, Some(sums))
        }
        method => (estimate(method, yi, vi, ctl), None),
    }
}

/// Weighted sums at a given τ², with weights wᵢ = 1/(vᵢ + τ²): the building blocks of every
/// estimator, computed in two passes without allocating (beyond 131 072 studies, a vector of
/// block sums: see [`WeightedSums::at_in`]).
///
/// Σ ln(vᵢ + τ²), which only the likelihood estimators need, is not part of these sums: a
/// logarithm per study would dominate the cost of every other pass (Q-profile, Paule–Mandel,
/// the final weights), so [`restricted_maximum_likelihood`] and [`maximum_likelihood`] compute it
/// themselves.
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
    /// Σ wᵢ³ (yᵢ − μ̂)², for the observed information of the likelihood estimators.
    pub sw3r2: f64,
    /// Σ wᵢ² (yᵢ − μ̂), likewise (zero only when all wᵢ are equal).
    pub sw2r: f64,
}

impl WeightedSums {
    /// Computes the sums at `tau2`.
    pub fn at(yi: &[f64], vi: &[f64], tau2: f64) -> Self {
        Self::at_in(yi, vi, tau2, EffectRange::of(yi))
    }

    /// Computes the sums at `tau2`, given the range of `yi`. Iterative estimators evaluate the
    /// sums at many τ² over the same effects: finding the range once takes a loop-carried
    /// min/max chain out of every pass, which halves its cost. The result is that of [`at`]
    /// exactly.
    ///
    /// From 131 072 studies on, the studies are summed in blocks of 16 384 on rayon's threads
    /// and the block sums added in order, so the result is the same on any number of threads
    /// (and, summed by blocks, more accurate than one running sum).
    ///
    /// [`at`]: WeightedSums::at
    pub fn at_in(yi: &[f64], vi: &[f64], tau2: f64, range: EffectRange) -> Self {
        if yi.len() <= STACK_STUDIES {
            // The weights of a small meta-analysis are kept for the second pass: the divisions
            // are most of a pass's cost. (The same values, so the same sums.)
            let mut buffer = [0.0; STACK_STUDIES];
            let w = &mut buffer[..yi.len()];
            for (w, &v) in w.iter_mut().zip(vi) {
                *w = 1.0 / (v + tau2);
            }
            return Self::of_pairs(|| yi.iter().copied().zip(w.iter().copied()), range);
        }
        if yi.len() < PARALLEL_FROM {
            return Self::of_pairs(|| weighted(yi, vi, tau2), range);
        }
        // Blocks of fixed size, summed in parallel and combined in block order: the result
        // does not depend on the number of threads.
        let blocks = || yi.par_chunks(BLOCK).zip(vi.par_chunks(BLOCK));
        let firsts: Vec<[f64; 4]> = blocks()
            .map(|(y, v)| first_moments(weighted(y, v, tau2)))
            .collect();
        let first = add_in_order(&firsts);
        let mu = weighted_mean(first[3], first[0], range);
        let seconds: Vec<[f64; 4]> = blocks()
            .map(|(y, v)| second_moments(weighted(y, v, tau2), mu))
            .collect();
        Self::of_moments(first, mu, add_in_order(&seconds))
    }

    /// The sums of the pairs (yᵢ, wᵢ) that `pairs` gives, twice (one pass for μ̂, one after).
    fn of_pairs<I: Iterator<Item = (f64, f64)>>(pairs: impl Fn() -> I, range: EffectRange) -> Self {
        let first = first_moments(pairs());
        let mu = weighted_mean(first[3], first[0], range);
        Self::of_moments(first, mu, second_moments(pairs(), mu))
    }

    /// The sums from the moments of [`first_moments`], μ̂ and those of [`second_moments`].
    fn of_moments([sw, sw2, sw3, _]: [f64; 4], mu: f64, [q, sw2r2, sw3r2, sw2r]: [f64; 4]) -> Self {
        WeightedSums {
            sw,
            sw2,
            sw3,
            mu,
            q,
            sw2r2,
            sw3r2,
            sw2r,
        }
    }
}

/// From this many studies on, [`WeightedSums::at_in`] sums blocks of [`BLOCK`] studies on
/// several threads. Below it a pass takes under 0.1 ms and threads would cost more than they
/// save; above it (10⁷ studies: 75 ms a pass, twenty passes a fit) they divide the time.
pub(crate) const PARALLEL_FROM: usize = 1 << 17;

/// Studies per block of the parallel sums.
pub(crate) const BLOCK: usize = 1 << 14;

/// Studies up to which [`WeightedSums::at_in`] keeps the weights of a pass on the stack.
const STACK_STUDIES: usize = 64;

/// The pairs (yᵢ, wᵢ) with wᵢ = 1/(vᵢ + τ²).
fn weighted<'a>(yi: &'a [f64], vi: &'a [f64], tau2: f64) -> impl Iterator<Item = (f64, f64)> + 'a {
    yi.iter().zip(vi).map(move |(&y, &v)| (y, 1.0 / (v + tau2)))
}

/// [Σw, Σw², Σw³, Σwy] of the pairs (y, w).
fn first_moments(pairs: impl Iterator<Item = (f64, f64)>) -> [f64; 4] {
    let (mut sw, mut sw2, mut sw3, mut swy) = (0.0, 0.0, 0.0, 0.0);
    for (y, w) in pairs {
        sw += w;
        sw2 += w * w;
        sw3 += w * w * w;
        swy += w * y;
    }
    [sw, sw2, sw3, swy]
}

/// [Σw r², Σw² r², Σw³ r², Σw² r] of the pairs (y, w), with r = y − μ̂.
fn second_moments(pairs: impl Iterator<Item = (f64, f64)>, mu: f64) -> [f64; 4] {
    let (mut q, mut sw2r2, mut sw3r2, mut sw2r) = (0.0, 0.0, 0.0, 0.0);
    for (y, w) in pairs {
        let r = y - mu;
        q += w * r * r;
        sw2r2 += w * w * r * r;
        sw3r2 += w * w * w * r * r;
        sw2r += w * w * r;
    }
    [q, sw2r2, sw3r2, sw2r]
}

/// μ̂ = Σwy/Σw, kept inside the range of the effects.
fn weighted_mean(swy: f64, sw: f64, range: EffectRange) -> f64 {
    // Identical effects must give Q = 0 exactly, not a rounding residue that would turn a
    // Hartung–Knapp standard error of 0 into 1e-16 and its t statistic into 1e16.
    let EffectRange { min, max } = range;
    if min == max {
        min
    } else {
        (swy / sw).clamp(min, max)
    }
}

fn add_in_order(parts: &[[f64; 4]]) -> [f64; 4] {
    parts.iter().fold([0.0; 4], |mut total, part| {
        for (t, p) in total.iter_mut().zip(part) {
            *t += p;
        }
        total
    })
}

/// The smallest and largest effect, [min yᵢ, max yᵢ]. A weighted mean lies inside it, so μ̂ is
/// clamped into it against rounding, and a range of width 0 means identical effects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectRange {
    /// min yᵢ.
    pub min: f64,
    /// max yᵢ.
    pub max: f64,
}

impl EffectRange {
    /// The range of `yi` (±∞ reversed when empty).
    pub fn of(yi: &[f64]) -> Self {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &y in yi {
            min = min.min(y);
            max = max.max(y);
        }
        EffectRange { min, max }
    }
}

/// Arithmetic mean, used for scale-relative tolerances.
pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
