//! Maximum likelihood for the random-intercept model ηᵢ = μ + τzᵢ, zᵢ ~ N(0, 1), over studies
//! with log likelihoods ℓᵢ(η) ([`super::likelihood`]): the marginal log likelihood
//! Σ ln ∫ exp(ℓᵢ(μ + τz)) φ(z) dz by adaptive Gauss–Hermite quadrature
//! ([`super::quadrature`]), maximised by Newton's method on (μ, ln τ).
//!
//! # Why it is never stuck
//! - The common-effect fit (τ = 0) is a strictly concave 1-D problem, solved first; its MLE
//!   exists iff some study's score can be negative and some positive (not every study without
//!   events, not every study all events); otherwise the error says so.
//! - The boundary τ = 0: the score of τ² there, ½Σ(ℓᵢ′² + ℓᵢ″), says whether τ² = 0 is a local
//!   maximum; Newton starts inside anyway and, when it runs to τ < 10⁻⁶ (or to τ < 10⁻² where
//!   τ = 0 is a local maximum), or ends no higher than
//!   the common-effect fit, the fit is that boundary fit (μ̂ of the common effect, τ̂² = 0),
//!   reported with `boundary = true`.
//! - Each Newton step uses the Hessian with its eigenvalues made negative (|λ|, floored), a
//!   step capped at 4 in μ and 2 in ln τ, and a backtracking (Armijo) line search, so the log
//!   likelihood rises at every step from any start (the property test starts from 20 random
//!   points).
//! - τ running past [`TAU_MAX`] means the likelihood rises without bound as τ → ∞ (studies with
//!   only 0 % and 100 % proportions): an error, not a silent number.

use super::likelihood::{maximize_1d, StudyLik};
use super::quadrature::{integrate, Terms};

/// Beyond this τ (on the logit scale, a 95 % range of odds ratios of e^{±200}) the likelihood is
/// taken to rise without bound.
pub const TAU_MAX: f64 = 50.0;
/// Below this τ the fit is the boundary fit τ = 0.
const TAU_MIN: f64 = 1e-6;
/// Below this τ Newton stops when τ = 0 is a local maximum (see [`newton`]).
const NEAR_BOUNDARY: f64 = 1e-2;
const MAX_ITERATIONS: usize = 200;

/// Why the model has no maximum likelihood estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoEstimate {
    /// The common-effect MLE is not finite: no events in any study, or only events.
    Separated,
    /// The likelihood rises without bound as τ → ∞.
    TauUnbounded,
}

/// A maximum of the marginal likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    /// μ̂.
    pub mu: f64,
    /// τ̂ (0 at the boundary).
    pub tau: f64,
    /// The log likelihood there, with the derivatives in (μ, τ).
    pub terms: Terms,
    /// Newton iterations.
    pub iterations: usize,
    /// Whether the Newton decrement fell below 10⁻¹² (always true at the boundary).
    pub converged: bool,
    /// Whether τ̂ = 0 is at the boundary.
    pub boundary: bool,
}

/// A log likelihood of (μ, τ), τ ≥ 0, with its derivatives: the marginal likelihood of the
/// random-intercept model ([`Marginal`]) or a profile of one (UM.FS, over the study
/// intercepts).
pub trait Objective {
    /// The log likelihood and its derivatives in (μ, τ).
    fn at(&mut self, mu: f64, tau: f64) -> Terms;

    /// The common-effect fit (τ = 0): (μ̂, ℓ(μ̂), ∂²ℓ/∂μ²).
    ///
    /// # Errors
    /// [`NoEstimate::Separated`] when the MLE is not finite.
    fn common(&mut self) -> Result<(f64, f64, f64), NoEstimate> {
        maximize_1d(
            |m| {
                let t = self.at(m, 0.0);
                (t.ll, t.grad[0], t.hess[0])
            },
            0.0,
        )
        .ok_or(NoEstimate::Separated)
    }

    /// Number of studies.
    fn k(&self) -> usize;
}

/// The marginal log likelihood and its derivatives in (μ, τ), with per-study mode starts.
pub struct Marginal<'a, L> {
    studies: &'a [L],
    modes: Vec<f64>,
}

impl<'a, L: StudyLik> Marginal<'a, L> {
    /// Over `studies`.
    pub fn new(studies: &'a [L]) -> Self {
        Marginal {
            studies,
            modes: vec![0.0; studies.len()],
        }
    }
}

impl<L: StudyLik> Objective for Marginal<'_, L> {
    fn at(&mut self, mu: f64, tau: f64) -> Terms {
        let mut t = Terms::default();
        for (s, z) in self.studies.iter().zip(self.modes.iter_mut()) {
            t.add(&integrate(s, mu, tau, z));
        }
        t
    }

    fn k(&self) -> usize {
        self.studies.len()
    }

    /// The existence check first: Σℓᵢ′ must change sign.
    fn common(&mut self) -> Result<(f64, f64, f64), NoEstimate> {
        let (lo, hi) = self
            .studies
            .iter()
            .map(StudyLik::score_bounds)
            .fold((0.0, 0.0), |(a, b), (l, h)| (a + l, b + h));
        if !(lo < 0.0 && hi > 0.0) {
            return Err(NoEstimate::Separated);
        }
        let sum = |eta: f64| {
            self.studies.iter().fold((0.0, 0.0, 0.0), |acc, s| {
                let v = s.eval(eta);
                (acc.0 + v.0, acc.1 + v.1, acc.2 + v.2)
            })
        };
        maximize_1d(sum, 0.0).ok_or(NoEstimate::Separated)
    }
}

/// Newton's method on (μ, ρ = ln τ) from (`mu`, `tau`), τ > 0; `Ok(None)` when it runs to the
/// boundary τ → 0 (below 10⁻⁶, or below 10⁻² where τ = 0 is a local maximum).
///
/// # Errors
/// [`NoEstimate::TauUnbounded`] when τ passes [`TAU_MAX`].
pub fn newton(obj: &mut impl Objective, mu: f64, tau: f64) -> Result<Option<Optimum>, NoEstimate> {
    newton_counted(obj, mu, tau).map(|(o, _)| o)
}

/// [`newton`] with the number of iterations it took, also when it ran to the boundary.
fn newton_counted(
    obj: &mut impl Objective,
    mu: f64,
    tau: f64,
) -> Result<(Option<Optimum>, usize), NoEstimate> {
    let (mut mu, mut rho) = (mu, tau.ln());
    let mut cur = obj.at(mu, rho.exp());
    let mut converged = false;
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let tau = rho.exp();
        let g = [cur.grad[0], tau * cur.grad[1]];
        // −Hessian in (μ, ρ).
        let a = [
            -cur.hess[0],
            -tau * cur.hess[1],
            -(tau * tau * cur.hess[2] + tau * cur.grad[1]),
        ];
        let d = ascent_direction(a, g);
        let decrement = g[0] * d[0] + g[1] * d[1];
        if decrement < 1e-12 {
            // Within 1e-6 standard errors of the maximum, where the log likelihood no longer
            // resolves a line search: one last full Newton step (quadratic convergence takes
            // the error to about 1e-12 standard errors).
            let (m, r) = (mu + d[0], rho + d[1]);
            let next = obj.at(m, r.exp());
            if next.ll >= cur.ll - 1e-9 * (1.0 + cur.ll.abs()) {
                (mu, rho, cur) = (m, r, next);
            }
            converged = true;
            break;
        }
        let cap = (d[0].abs() / 4.0).max(d[1].abs() / 2.0).max(1.0);
        let d = [d[0] / cap, d[1] / cap];
        let slope = g[0] * d[0] + g[1] * d[1];
        let mut alpha = 1.0;
        let mut accepted = None;
        while alpha > 1e-9 {
            let (m, r) = (mu + alpha * d[0], rho + alpha * d[1]);
            if r > TAU_MAX.ln() {
                alpha *= 0.5;
                continue;
            }
            let next = obj.at(m, r.exp());
            if next.ll >= cur.ll + 1e-4 * alpha * slope {
                accepted = Some((m, r, next));
                break;
            }
            alpha *= 0.5;
        }
        match accepted {
            Some((m, r, next)) => {
                mu = m;
                rho = r;
                cur = next;
            }
            None => {
                // No ascent left at the precision of the log likelihood.
                converged = decrement < 1e-10;
                if rho + d[1] > TAU_MAX.ln() && d[1] > 0.0 && decrement > 1e-10 {
                    return Err(NoEstimate::TauUnbounded);
                }
                break;
            }
        }
        // Near the boundary Newton in ln τ crawls (steps of −½ or less in ln τ as ℓ flattens
        // like τ²): once below [`NEAR_BOUNDARY`] where τ = 0 is a local maximum (the curvature
        // Σ(ℓᵢ′² + ℓᵢ″) of ℓ in τ at τ = 0 is not positive, so ℓ ≈ ℓ(μ, 0) + ½τ²Σ(ℓᵢ′² + ℓᵢ″)
        // falls with τ), the iterates are bound for the boundary fit.
        if rho < TAU_MIN.ln() || (rho < NEAR_BOUNDARY.ln() && obj.at(mu, 0.0).hess[2] <= 0.0) {
            return Ok((None, iterations));
        }
    }
    if rho > TAU_MAX.ln() - 1e-9 {
        return Err(NoEstimate::TauUnbounded);
    }
    let o = Optimum {
        mu,
        tau: rho.exp(),
        terms: cur,
        iterations,
        converged,
        boundary: false,
    };
    Ok((Some(o), iterations))
}

/// d = A⁺⁻¹ g for the symmetric 2×2 matrix A = (a₀ a₁; a₁ a₂), where A⁺ has A's eigenvectors
/// and the absolute values of its eigenvalues, floored at 10⁻⁸ of the largest: a Newton step
/// where A is positive definite, an ascent direction everywhere else.
fn ascent_direction(a: [f64; 3], g: [f64; 2]) -> [f64; 2] {
    let mean = 0.5 * (a[0] + a[2]);
    let diff = 0.5 * (a[0] - a[2]);
    let r = (diff * diff + a[1] * a[1]).sqrt();
    let (l1, l2) = (mean + r, mean - r);
    // Unit eigenvector of l1.
    let (v0, v1) = if r == 0.0 {
        (1.0, 0.0)
    } else if diff >= 0.0 {
        let (x, y) = (diff + r, a[1]);
        let n = x.hypot(y);
        (x / n, y / n)
    } else {
        let (x, y) = (a[1], r - diff);
        let n = x.hypot(y);
        (x / n, y / n)
    };
    let floor = 1e-8 * l1.abs().max(l2.abs()).max(1e-300);
    let (m1, m2) = (l1.abs().max(floor), l2.abs().max(floor));
    let p1 = v0 * g[0] + v1 * g[1];
    let p2 = -v1 * g[0] + v0 * g[1];
    [v0 * p1 / m1 - v1 * p2 / m2, v1 * p1 / m1 + v0 * p2 / m2]
}

/// The maximum likelihood fit: the common-effect fit, then Newton from inside, and the
/// boundary fit τ = 0 when Newton runs there or ends no higher.
///
/// # Errors
/// [`NoEstimate`] when the MLE is not finite.
pub fn fit(m: &mut impl Objective) -> Result<(Optimum, (f64, f64, f64)), NoEstimate> {
    let common = m.common()?;
    let (mu0, ll0, _) = common;
    let boundary = || Optimum {
        mu: mu0,
        tau: 0.0,
        terms: Terms::default(),
        iterations: 0,
        converged: true,
        boundary: true,
    };
    if m.k() < 2 {
        let mut b = boundary();
        b.terms = m.at(mu0, 0.0);
        return Ok((b, common));
    }
    // Start τ from the score of τ² at the boundary, ½ ∂²ℓ/∂τ², over its information, about
    // ½ Σℓᵢ″² ≈ ½ (Σℓᵢ″)²/k, within [0.1, 3].
    let at0 = m.at(mu0, 0.0);
    let score = 0.5 * at0.hess[2];
    let info = 0.5 * at0.hess[0] * at0.hess[0] / m.k() as f64;
    let tau_start = (score.max(0.0) / info.max(1e-300)).sqrt().clamp(0.1, 3.0);
    let (inner, iterations) = newton_counted(m, mu0, tau_start)?;
    let best = match inner {
        Some(o) if o.terms.ll > ll0 + 1e-12 * (1.0 + ll0.abs()) => o,
        _ => {
            let mut b = boundary();
            b.iterations = iterations;
            b.terms = at0;
            b
        }
    };
    Ok((best, common))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascent_direction_is_newton_for_positive_definite() {
        let d = ascent_direction([2.0, 0.5, 1.0], [1.0, -1.0]);
        // A d = g
        assert!((2.0 * d[0] + 0.5 * d[1] - 1.0).abs() < 1e-14);
        assert!((0.5 * d[0] + 1.0 * d[1] + 1.0).abs() < 1e-14);
        let d = ascent_direction([-2.0, 0.3, 1.0], [0.4, 0.7]);
        assert!(0.4 * d[0] + 0.7 * d[1] > 0.0);
    }
}
