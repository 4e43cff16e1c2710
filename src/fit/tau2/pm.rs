//! Paule–Mandel estimator and the generalised-Q root finder it shares with the Q-profile
//! confidence interval for τ².

use super::{dersimonian_laird_from, mean, EffectRange, IterControl, Tau2Estimate, WeightedSums};

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

/// A point of Q(τ²) already evaluated: τ² and the sums there, from which a root search can
/// start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QPoint {
    /// τ².
    pub tau2: f64,
    /// The sums at `tau2`.
    pub sums: WeightedSums,
}

/// Solves the generalised Q equation Σ wᵢ(τ²)(yᵢ − μ̂(τ²))² = `target` for τ² ≥ 0.
///
/// Q(τ²) decreases monotonically from Q(0) to 0, so the root is unique; when Q(0) ≤ target the
/// answer is the boundary 0. Newton steps on 1/Q (dQ/dτ² = −Σwᵢ²(yᵢ−μ̂)²) are kept inside a
/// bracket of points known to lie below and above the root, with bisection whenever Newton
/// would leave it.
pub fn solve_generalised_q(yi: &[f64], vi: &[f64], target: f64, ctl: IterControl) -> QRoot {
    let range = EffectRange::of(yi);
    let s0 = WeightedSums::at_in(yi, vi, 0.0, range);
    solve_generalised_q_from(yi, vi, target, ctl, range, &s0, None)
}

/// [`solve_generalised_q`] given the range of `yi`, the sums at τ² = 0 and, optionally, a point
/// near the root to start from.
///
/// Every evaluation of Q is a pass over the studies, and at k = 10⁷ the passes are the whole
/// cost of a fit, so the search spends none it can avoid: it starts from `start` (an estimate
/// of τ² whose sums the caller has), Newton steps need no bracket found beforehand (from below
/// the root they climb towards it; the first point found above it closes the bracket), and no
/// sums are computed after the last step.
pub fn solve_generalised_q_from(
    yi: &[f64],
    vi: &[f64],
    target: f64,
    ctl: IterControl,
    range: EffectRange,
    s0: &WeightedSums,
    start: Option<QPoint>,
) -> QRoot {
    if s0.q <= target {
        return QRoot {
            tau2: 0.0,
            iterations: 0,
            converged: true,
        };
    }
    // The root lies in (lo, hi): Q is above the target at lo and not above it at hi.
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    let (mut x, mut s) = match start {
        Some(p) if p.tau2 > 0.0 && p.tau2.is_finite() => (p.tau2, p.sums),
        _ => (0.0, *s0),
    };
    let mut iterations = 0;
    for _ in 0..ctl.max_iter {
        iterations += 1;
        let f = s.q - target;
        if f > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // Newton's method on 1/Q(τ²) − 1/target rather than on Q itself: Q falls like
        // c/(τ² + v̄) (exactly so when the vᵢ are equal), so 1/Q is nearly a straight line and
        // Newton on it converges in about half the passes (2.7 instead of 5.5 per bound of the
        // Q-profile interval at k = 10). With Q' = −Σw²r² and Q'' = 2(Σw³r² − (Σw²r)²/Σw),
        // g = 1/Q has g' = −Q'/Q² and g'' = 2Q'²/Q³ − Q''/Q².
        let q = s.q;
        let d1 = -s.sw2r2;
        let d2 = 2.0 * (s.sw3r2 - s.sw2r * s.sw2r / s.sw);
        let g = 1.0 / q - 1.0 / target;
        let g1 = -d1 / (q * q);
        let g2 = 2.0 * d1 * d1 / (q * q * q) - d2 / (q * q);
        let mut next = x - g / g1;
        let newton = next.is_finite() && next > lo && next < hi;
        if !newton {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                // No point above the root yet: step out on the scale of the variances.
                2.0 * x.max(mean(vi).max(f64::MIN_POSITIVE))
            };
        }
        let change = (next - x).abs();
        // The error left by a Newton step is about |g''/(2g')|·step²: once that is below the
        // tolerance the step has converged, and the sums at its end need not be computed to
        // find out.
        let left = (g2 / (2.0 * g1)).abs() * change * change;
        x = next;
        // Newton converges quadratically here, so iterate to machine precision (relative to the
        // root itself): the result then does not depend on the order of the studies.
        let eps = 4.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE);
        if change <= eps || hi - lo <= eps || (newton && left <= eps) {
            return QRoot {
                tau2: x,
                iterations,
                converged: true,
            };
        }
        s = WeightedSums::at_in(yi, vi, x, range);
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
/// τ² solves Σ wᵢ(yᵢ − μ̂)² = k − 1 with wᵢ = 1/(vᵢ + τ²); 0 when Q(0) ≤ k − 1. Newton's method
/// starts from the DerSimonian–Laird estimate, a closed form near the root (it is the first
/// step of the Paule–Mandel iteration of DerSimonian & Kacker 2007).
pub fn paule_mandel(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    let range = EffectRange::of(yi);
    let s0 = WeightedSums::at_in(yi, vi, 0.0, range);
    let dl = dersimonian_laird_from(&s0, yi.len()).tau2;
    let start = (dl > 0.0).then(|| QPoint {
        tau2: dl,
        sums: WeightedSums::at_in(yi, vi, dl, range),
    });
    let root = solve_generalised_q_from(yi, vi, (yi.len() - 1) as f64, ctl, range, &s0, start);
    Tau2Estimate {
        tau2: root.tau2,
        iterations: root.iterations,
        converged: root.converged,
    }
}
