//! Maximum-likelihood and restricted-maximum-likelihood τ² with moderators: Fisher scoring
//! from the Hedges estimate (metafor's algorithm and start), finished by Newton steps near the
//! maximum, with step halving whenever a step would lower the likelihood, as the
//! intercept-only estimators of [`crate::fit::tau2`] do. After convergence the likelihood at
//! τ² = 0 is compared with the maximum found (metafor's `ll0check`).

use super::{hedges, IterControl, ModsEstimate, Regression, Tau2Estimate};
use crate::fit::design::WeightedFit;

#[derive(Clone, Copy, PartialEq)]
enum Likelihood {
    Full,
    Restricted,
}

/// The log-likelihood of τ² (restricted when `reml`), up to a constant:
/// ℓ = −½ Σ ln(vᵢ + τ²) − ½ y′Py, and for REML also −½ ln det X′WX. `None` when X′WX is
/// singular.
pub fn log_likelihood(r: Regression<'_>, tau2: f64, reml: bool) -> Option<f64> {
    let (f, _) = r.at(tau2)?;
    Some(loglik(r, &f, tau2, reml))
}

fn loglik(r: Regression<'_>, f: &WeightedFit, tau2: f64, reml: bool) -> f64 {
    let log_v: f64 = r.v.iter().map(|v| (v + tau2).ln()).sum();
    let full = -0.5 * log_v - 0.5 * f.q;
    if reml {
        full - 0.5 * f.log_det
    } else {
        full
    }
}

/// Relative change of τ² below which Newton steps take over from Fisher scoring.
const NEAR: f64 = 1e-4;

impl Likelihood {
    /// The step: score over expected information (Fisher scoring), or over the observed
    /// information −ℓ''(τ²) once `newton` and it is positive.
    ///
    /// - REML: score ½(y′P²y − tr P), expected ½ tr P², observed y′P³y − ½ tr P²;
    /// - ML: score ½(y′P²y − Σwᵢ), expected ½ Σwᵢ², observed y′P³y − ½ Σwᵢ²
    ///   (Harville 1977, J Am Stat Assoc 72:320–340; metafor's Fisher-scoring steps).
    fn step(self, r: Regression<'_>, f: &WeightedFit, w: &[f64], newton: bool) -> f64 {
        let yp2y = f.yp2y(w);
        let (score, trace) = match self {
            Likelihood::Full => (
                0.5 * (yp2y - w.iter().sum::<f64>()),
                w.iter().map(|v| v * v).sum::<f64>(),
            ),
            Likelihood::Restricted => {
                let (tr_p, tr_pp) = f.traces(r.design, w);
                (0.5 * (yp2y - tr_p), tr_pp)
            }
        };
        if newton {
            let observed = f.yp3y(r.design, w) - 0.5 * trace;
            if observed > 0.0 && observed.is_finite() {
                return score / observed;
            }
        }
        score / (0.5 * trace)
    }
}

fn maximise(r: Regression<'_>, ctl: IterControl, lik: Likelihood) -> Option<ModsEstimate> {
    let reml = lik == Likelihood::Restricted;
    let scale = r.scale();
    let mut tau2 = match ctl.start {
        Some(t) if t.is_finite() && t >= 0.0 => t,
        _ => hedges(r)?.tau2,
    };
    let (mut f, mut w) = r.at(tau2)?;
    let mut ll = loglik(r, &f, tau2, reml);
    let mut near = false;
    let mut result = None;
    for iter in 1..=ctl.max_iter {
        let mut step = lik.step(r, &f, &w, near);
        if !step.is_finite() {
            result = Some((iter, false));
            break;
        }
        let mut halvings = 0;
        let (next, f_next, w_next, ll_next) = loop {
            let next = (tau2 + step).max(0.0);
            let (f_next, w_next) = r.at(next)?;
            let ll_next = loglik(r, &f_next, next, reml);
            if ll_next >= ll - 1e-12 * ll.abs().max(1.0) || halvings >= 60 {
                break (next, f_next, w_next, ll_next);
            }
            step *= 0.5;
            halvings += 1;
        };
        let change = (next - tau2).abs();
        (tau2, f, w, ll) = (next, f_next, w_next, ll_next);
        near = change <= NEAR * (tau2 + scale);
        if change <= ctl.tol * (tau2 + scale) {
            result = Some((iter, true));
            break;
        }
    }
    let (iterations, converged) = result.unwrap_or((ctl.max_iter, false));
    // metafor's ll0check: a maximum below the likelihood at the boundary is replaced by 0.
    let reset_to_zero =
        converged && tau2 > 0.0 && log_likelihood(r, 0.0, reml)? - ll > 1e-12 * ll.abs().max(1.0);
    Some(ModsEstimate {
        estimate: Tau2Estimate {
            tau2: if reset_to_zero { 0.0 } else { tau2 },
            iterations,
            converged,
        },
        reset_to_zero,
    })
}

/// Restricted maximum likelihood with moderators: Viechtbauer (2005), J Educ Behav Stat
/// 30:261–293; Raudenbush (2009).
///
/// # Formula
/// Maximises ℓ_R(τ²) = −½ Σ ln(vᵢ+τ²) − ½ ln det X′WX − ½ y′Py over τ² ≥ 0.
pub fn restricted_maximum_likelihood(r: Regression<'_>, ctl: IterControl) -> Option<ModsEstimate> {
    maximise(r, ctl, Likelihood::Restricted)
}

/// Maximum likelihood with moderators: Hardy & Thompson (1996); Viechtbauer (2005).
///
/// # Formula
/// Maximises ℓ(τ²) = −½ Σ ln(vᵢ+τ²) − ½ y′Py over τ² ≥ 0.
pub fn maximum_likelihood(r: Regression<'_>, ctl: IterControl) -> Option<ModsEstimate> {
    maximise(r, ctl, Likelihood::Full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::design::Design;
    use crate::fit::tau2::{restricted_maximum_likelihood as reml_intercept, IterControl};

    #[test]
    fn an_intercept_only_design_gives_the_intercept_only_estimate() {
        // Twenty effects spread about 0.3 with unequal variances: τ² well inside (0, ∞).
        let y: Vec<f64> = (0..20).map(|i| 0.3 + (i as f64 * 1.7).sin()).collect();
        let v: Vec<f64> = (0..20).map(|i| 0.05 + 0.02 * i as f64).collect();
        let d = Design::from_rows(&vec![vec![1.0]; y.len()]).unwrap();
        let r = Regression {
            design: &d,
            y: &y,
            v: &v,
        };
        let ctl = IterControl::default();
        let ours = restricted_maximum_likelihood(r, ctl).unwrap().estimate;
        let theirs = reml_intercept(&y, &v, ctl);
        assert!(ours.converged);
        assert!((ours.tau2 - theirs.tau2).abs() <= 1e-10 * theirs.tau2);
    }
}
