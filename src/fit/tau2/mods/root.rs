//! τ² estimators with moderators that solve an equation in the residual heterogeneity
//! Q_E(τ²) = y′Py (weights 1/(vᵢ + τ²)): Paule–Mandel, empirical Bayes, and the root finder
//! the Q-profile confidence interval shares with them.

use super::{IterControl, Regression, Tau2Estimate};

/// Solves Q_E(τ²) = `target` for τ² ≥ 0 (0 when Q_E(0) ≤ target): Newton steps
/// (dQ_E/dτ² = −y′P²y) kept inside a bracket, bisecting whenever Newton would leave it. Q_E
/// decreases monotonically in τ², so the root is unique. `None` when X′WX is singular.
pub fn solve_residual_q(r: Regression<'_>, target: f64, ctl: IterControl) -> Option<Tau2Estimate> {
    let (f0, _) = r.at(0.0)?;
    if f0.q <= target {
        return Some(Tau2Estimate::closed_form(0.0));
    }
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    let mut x = match ctl.start {
        Some(t) if t > 0.0 && t.is_finite() => t,
        _ => 0.0,
    };
    for iterations in 1..=ctl.max_iter {
        let (f, w) = r.at(x)?;
        let diff = f.q - target;
        if diff > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x + diff / f.yp2y(&w);
        if !(next.is_finite() && next > lo && next < hi) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * x.max(r.scale().max(f64::MIN_POSITIVE))
            };
        }
        let change = (next - x).abs();
        x = next;
        let eps = 4.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE);
        if change <= eps || hi - lo <= eps {
            return Some(Tau2Estimate {
                tau2: x,
                iterations,
                converged: true,
            });
        }
    }
    Some(Tau2Estimate {
        tau2: x,
        iterations: ctl.max_iter,
        converged: false,
    })
}

/// Paule & Mandel (1982) with moderators (metafor `method = "PM"`; Viechtbauer et al. 2015,
/// Res Synth Methods 6:1–23).
///
/// # Formula
/// τ² solves y′P(τ²)y = k − p; 0 when Q_E(0) ≤ k − p.
pub fn paule_mandel(r: Regression<'_>, ctl: IterControl) -> Option<Tau2Estimate> {
    solve_residual_q(r, r.df(), ctl)
}

/// Empirical Bayes with moderators: Morris (1983); Berkey et al. (1995), Stat Med 14:395–411
/// (metafor `method = "EB"`).
///
/// # Formula
/// Morris's iteration from the Hedges estimate, as metafor:
/// τ² ← τ² + (k/(k − p) · y′Py − k) / Σwᵢ, the step halved while it would make τ² negative.
/// Its fixed point solves Q_E = k − p, the Paule–Mandel equation, so that root finder is tried
/// first and Morris's iteration is the fallback: the iteration crawls (steps scaled by 1/Σwᵢ)
/// and can stop short of the root when one study's variance is tiny, as in the model without
/// moderators ([`crate::fit::tau2::empirical_bayes`]).
pub fn empirical_bayes(r: Regression<'_>, ctl: IterControl) -> Option<Tau2Estimate> {
    if let Some(root) = paule_mandel(r, ctl).filter(|t| t.converged) {
        return Some(root);
    }
    let (k, df, scale) = (r.k(), r.df(), r.scale());
    let mut tau2 = super::hedges(r)?.tau2;
    // Morris's iteration converges linearly: allow it more steps than Fisher scoring.
    let max_iter = ctl.max_iter.saturating_mul(10);
    for iterations in 1..=max_iter {
        let (f, w) = r.at(tau2)?;
        let mut adj = (k / df * f.q - k) / w.iter().sum::<f64>();
        if !adj.is_finite() {
            return Some(Tau2Estimate {
                tau2,
                iterations,
                converged: false,
            });
        }
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        let next = tau2 + adj;
        let change = (next - tau2).abs();
        tau2 = next;
        if change <= ctl.tol * (tau2 + scale) {
            return Some(Tau2Estimate {
                tau2,
                iterations,
                converged: true,
            });
        }
    }
    Some(Tau2Estimate {
        tau2,
        iterations: max_iter,
        converged: false,
    })
}
