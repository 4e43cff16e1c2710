//! Paule–Mandel estimator and the generalised-Q root finder it shares with the Q-profile
//! confidence interval for τ².

use super::{mean, IterControl, Tau2Estimate, WeightedSums};

/// Result of solving Q(τ²) = target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QRoot {
    /// The root, or 0 when Q(0) ≤ target.
    pub tau2: f64,
    /// Iterations used.
    pub iterations: usize,
    /// `false` when the iteration limit was reached.
    pub converged: bool,
}

/// Solves the generalised Q equation Σ wᵢ(τ²)(yᵢ − μ̂(τ²))² = `target` for τ² ≥ 0.
///
/// Q(τ²) decreases monotonically from Q(0) to 0, so the root is unique; when Q(0) ≤ target the
/// answer is the boundary 0. Newton steps (dQ/dτ² = −Σwᵢ²(yᵢ−μ̂)²) are kept inside a bracket
/// that is found by doubling, with bisection whenever Newton would leave it.
pub fn solve_generalised_q(yi: &[f64], vi: &[f64], target: f64, ctl: IterControl) -> QRoot {
    let s0 = WeightedSums::at(yi, vi, 0.0);
    if s0.q <= target {
        return QRoot {
            tau2: 0.0,
            iterations: 0,
            converged: true,
        };
    }
    let scale = mean(vi).max(f64::MIN_POSITIVE);
    let (mut lo, mut hi) = (0.0_f64, scale);
    let mut iterations = 0;
    while WeightedSums::at(yi, vi, hi).q > target {
        lo = hi;
        hi *= 2.0;
        iterations += 1;
        if iterations > 2000 || !hi.is_finite() {
            return QRoot {
                tau2: lo,
                iterations,
                converged: false,
            };
        }
    }
    let mut x = lo;
    let mut s = WeightedSums::at(yi, vi, x);
    for _ in 0..ctl.max_iter {
        iterations += 1;
        let f = s.q - target;
        if f > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x + f / s.sw2r2;
        if !next.is_finite() || next <= lo || next >= hi {
            next = 0.5 * (lo + hi);
        }
        let change = (next - x).abs();
        x = next;
        s = WeightedSums::at(yi, vi, x);
        if change <= ctl.tol * (x + scale) || hi - lo <= ctl.tol * (x + scale) {
            return QRoot {
                tau2: x,
                iterations,
                converged: true,
            };
        }
    }
    QRoot {
        tau2: x,
        iterations,
        converged: false,
    }
}

/// Paule & Mandel (1982), J Res Natl Bur Stand 87:377–385; DerSimonian & Kacker (2007).
///
/// # Formula
/// τ² solves Σ wᵢ(yᵢ − μ̂)² = k − 1 with wᵢ = 1/(vᵢ + τ²); 0 when Q(0) ≤ k − 1.
pub fn paule_mandel(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    let root = solve_generalised_q(yi, vi, (yi.len() - 1) as f64, ctl);
    Tau2Estimate {
        tau2: root.tau2,
        iterations: root.iterations,
        converged: root.converged,
    }
}
