//! Maximum-likelihood and restricted-maximum-likelihood estimators, fitted by Fisher scoring
//! with step halving.
//!
//! Fisher scoring is the algorithm metafor uses (`rma.uni`), so the same maximum is found.
//! Three safeguards make it robust: the start is the DerSimonian–Laird estimate (closed form, in
//! the right neighbourhood); a step that lowers the (restricted) log-likelihood is halved until it
//! does not; and τ² is projected onto the boundary 0, where the iteration stops once the score
//! points below zero.

use super::{dersimonian_laird, mean, IterControl, Tau2Estimate, WeightedSums};

#[derive(Clone, Copy, PartialEq)]
enum Likelihood {
    Full,
    Restricted,
}

impl Likelihood {
    /// Log-likelihood up to a constant.
    fn loglik(self, s: &WeightedSums) -> f64 {
        let full = -0.5 * s.sum_log_v - 0.5 * s.q;
        match self {
            Likelihood::Full => full,
            Likelihood::Restricted => full - 0.5 * s.sw.ln(),
        }
    }

    /// Fisher-scoring step: score divided by expected information.
    fn step(self, s: &WeightedSums) -> f64 {
        match self {
            // score ½(Σw²r² − Σw), information ½Σw²
            Likelihood::Full => (s.sw2r2 - s.sw) / s.sw2,
            // score ½(y'PPy − tr P), information ½ tr(PP), P = W − ww'/Σw
            Likelihood::Restricted => {
                let tr_p = s.sw - s.sw2 / s.sw;
                let tr_pp = s.sw2 - 2.0 * s.sw3 / s.sw + (s.sw2 / s.sw).powi(2);
                (s.sw2r2 - tr_p) / tr_pp
            }
        }
    }
}

fn fisher_scoring(yi: &[f64], vi: &[f64], ctl: IterControl, lik: Likelihood) -> Tau2Estimate {
    let scale = mean(vi);
    let mut tau2 = dersimonian_laird(yi, vi).tau2;
    let mut s = WeightedSums::at(yi, vi, tau2);
    for iter in 1..=ctl.max_iter {
        let ll = lik.loglik(&s);
        let mut step = lik.step(&s);
        if !step.is_finite() {
            return Tau2Estimate {
                tau2,
                iterations: iter,
                converged: false,
            };
        }
        let (mut next, mut s_next);
        let mut halvings = 0;
        loop {
            next = (tau2 + step).max(0.0);
            s_next = WeightedSums::at(yi, vi, next);
            // Accept when the likelihood does not fall (allowing for rounding near the optimum).
            if lik.loglik(&s_next) >= ll - 1e-12 * ll.abs().max(1.0) || halvings >= 60 {
                break;
            }
            step *= 0.5;
            halvings += 1;
        }
        let change = (next - tau2).abs();
        tau2 = next;
        s = s_next;
        if change <= ctl.tol * (tau2 + scale) {
            return Tau2Estimate {
                tau2,
                iterations: iter,
                converged: true,
            };
        }
    }
    Tau2Estimate {
        tau2,
        iterations: ctl.max_iter,
        converged: false,
    }
}

/// Restricted maximum likelihood: Viechtbauer (2005), J Educ Behav Stat 30:261–293; the REML
/// equations of Raudenbush & Bryk (1985).
///
/// # Formula
/// Maximises ℓ_R(τ²) = −½ Σ ln(vᵢ+τ²) − ½ ln Σwᵢ − ½ Σ wᵢ(yᵢ−μ̂)² over τ² ≥ 0, wᵢ = 1/(vᵢ+τ²),
/// by Fisher scoring τ² ← τ² + (y'PPy − tr P)/tr(PP), P = W − ww'/Σw.
pub fn restricted_maximum_likelihood(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    fisher_scoring(yi, vi, ctl, Likelihood::Restricted)
}

/// Maximum likelihood: Hardy & Thompson (1996), Stat Med 15:619–629; Viechtbauer (2005).
///
/// # Formula
/// Maximises ℓ(τ²) = −½ Σ ln(vᵢ+τ²) − ½ Σ wᵢ(yᵢ−μ̂)² over τ² ≥ 0 by Fisher scoring
/// τ² ← τ² + (Σwᵢ²(yᵢ−μ̂)² − Σwᵢ)/Σwᵢ².
pub fn maximum_likelihood(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    fisher_scoring(yi, vi, ctl, Likelihood::Full)
}
