//! The unconditional model with fixed study effects, `UM.FS` (Jackson et al. 2018, model 2;
//! metafor `rma.glmm(measure = "OR", model = "UM.FS")` with its default coding ½):
//! logit pᵢ₁ = αᵢ + (θ + uᵢ)/2, logit pᵢ₂ = αᵢ − (θ + uᵢ)/2, uᵢ ~ N(0, τ²), with one fixed
//! intercept αᵢ per study.
//!
//! The intercepts are profiled out: for each (θ, τ), each αᵢ maximises its study's marginal
//! likelihood (a 1-D concave problem: the marginal of a log-concave integrand is log-concave,
//! Prékopa 1973), and the profile's derivatives are the envelope gradient and the Schur
//! complement H_φφ − H_φα H_αα⁻¹ H_αφ of each study's 3 × 3 Hessian in (α, θ, τ) — so the
//! standard error of θ̂ is that of the joint observed information of (α, θ, τ).

use super::likelihood::{Binomial, OwnEstimate, StudyLik};
use super::quadrature::{for_each_node, Moments, Terms};
use super::random_intercept::{NoEstimate, Objective};
use super::{estimate_with, GlmmEstimate, Saturated};
use crate::effect::two_arm::TwoByTwo;

/// A study's two arms at a given intercept α, as a function of η = θ + τz.
struct Pair<'a> {
    arms: &'a [Binomial; 2],
    alpha: f64,
}

impl StudyLik for Pair<'_> {
    fn eval(&self, eta: f64) -> (f64, f64, f64) {
        let (l1, s1, c1) = self.arms[0].eval(self.alpha + 0.5 * eta);
        let (l2, s2, c2) = self.arms[1].eval(self.alpha - 0.5 * eta);
        (l1 + l2, 0.5 * (s1 - s2), 0.25 * (c1 + c2))
    }

    fn score_bounds(&self) -> (f64, f64) {
        let (a, b) = (self.arms[0].score_bounds(), self.arms[1].score_bounds());
        (0.5 * (a.0 - b.1), 0.5 * (a.1 - b.0))
    }
}

/// A study's log marginal likelihood with its gradient and Hessian in (α, θ, τ).
struct PairTerms {
    ll: f64,
    g: [f64; 3],
    h: [[f64; 3]; 3],
}

/// Per node: the score in (α, θ, τ) and the second derivatives of the log integrand, from the
/// arms' scores s and curvatures c at ηᵢ₁ = α + (θ + τz)/2, ηᵢ₂ = α − (θ + τz)/2.
fn node_derivatives(s1: f64, c1: f64, s2: f64, c2: f64, z: f64) -> ([f64; 3], [[f64; 3]; 3]) {
    let (sd, cs, cd) = (0.5 * (s1 - s2), c1 + c2, 0.5 * (c1 - c2));
    let (t1, t2) = (0.25 * cs, 0.25 * cs * z);
    (
        [s1 + s2, sd, sd * z],
        [[cs, cd, cd * z], [cd, t1, t2], [cd * z, t2, t2 * z]],
    )
}

fn pair_terms(
    arms: &[Binomial; 2],
    alpha: f64,
    theta: f64,
    tau: f64,
    z_mode: &mut f64,
) -> PairTerms {
    let at = |z: f64| {
        let eta = theta + tau * z;
        (
            arms[0].eval(alpha + 0.5 * eta),
            arms[1].eval(alpha - 0.5 * eta),
        )
    };
    let ((l1, s1, c1), (l2, s2, c2)) = at(0.0);
    if tau == 0.0 {
        // Exact: the prior moments E z = 0, E z² = 1.
        let (g, d) = node_derivatives(s1, c1, s2, c2, 0.0);
        let mut h = d;
        h[2][2] = 0.25 * (c1 + c2) + g[1] * g[1];
        return PairTerms { ll: l1 + l2, g, h };
    }
    let mut m = Moments::<3>::new();
    for_each_node(&Pair { arms, alpha }, theta, tau, z_mode, |z, lw| {
        let ((l1, s1, c1), (l2, s2, c2)) = at(z);
        let h = l1 + l2 - 0.5 * z * z;
        let (g, d) = node_derivatives(s1, c1, s2, c2, z);
        m.push(lw + h, &g, &d);
        h
    });
    let (ll, g, h) = m.finish();
    PairTerms { ll, g, h }
}

/// One study: its arms, its current intercept and mode.
struct Study {
    arms: [Binomial; 2],
    alpha: f64,
    z_mode: f64,
}

impl Study {
    /// Maximises over α at (θ, τ) by Newton's method with step halving (concave), from the
    /// last α.
    fn profile(&mut self, theta: f64, tau: f64) -> PairTerms {
        let mut t = pair_terms(&self.arms, self.alpha, theta, tau, &mut self.z_mode);
        for _ in 0..100 {
            let step = (-t.g[0] / t.h[0][0]).clamp(-4.0, 4.0);
            if !(t.h[0][0] < 0.0) || step.abs() <= 1e-12 * (1.0 + self.alpha.abs()) {
                break;
            }
            let mut alpha = 1.0;
            loop {
                let a = self.alpha + alpha * step;
                let next = pair_terms(&self.arms, a, theta, tau, &mut self.z_mode);
                if next.ll >= t.ll || alpha < 1e-8 {
                    self.alpha = a;
                    t = next;
                    break;
                }
                alpha *= 0.5;
            }
        }
        t
    }
}

/// The profile log likelihood of (θ, τ).
struct Profile {
    studies: Vec<Study>,
}

impl Objective for Profile {
    fn at(&mut self, theta: f64, tau: f64) -> Terms {
        let mut total = Terms::default();
        for s in &mut self.studies {
            let t = s.profile(theta, tau);
            let (h, inv) = (t.h, 1.0 / t.h[0][0]);
            total.add(&Terms {
                ll: t.ll,
                grad: [t.g[1], t.g[2]],
                hess: [
                    h[1][1] - h[0][1] * h[0][1] * inv,
                    h[1][2] - h[0][1] * h[0][2] * inv,
                    h[2][2] - h[0][2] * h[0][2] * inv,
                ],
            });
        }
        total
    }

    fn k(&self) -> usize {
        self.studies.len()
    }
}

/// Fits UM.FS to informative tables (events in some arm, non-events in some arm).
pub(super) fn fit_fixed_study(tables: &[&TwoByTwo]) -> Result<GlmmEstimate, NoEstimate> {
    let mut sat = Saturated::default();
    let studies = tables
        .iter()
        .map(|t| {
            let arms = [
                Binomial::new(t.a, t.a + t.b, 0.0),
                Binomial::new(t.c, t.c + t.d, 0.0),
            ];
            for arm in &arms {
                sat.loglik += match arm.saturated() {
                    Some((y, _)) => arm.eval(y).0,
                    None => arm.sup_at_infinity(),
                };
            }
            if t.a > 0.0 && t.b > 0.0 && t.c > 0.0 && t.d > 0.0 {
                let y = (t.a * t.d / (t.b * t.c)).ln();
                sat.add_estimate(y, 1.0 / t.a + 1.0 / t.b + 1.0 / t.c + 1.0 / t.d);
            }
            // Start at the logit of the pooled proportion of the study (continuity-corrected).
            let p = (t.a + t.c + 0.5) / (t.a + t.b + t.c + t.d + 1.0);
            Study {
                arms,
                alpha: (p / (1.0 - p)).ln(),
                z_mode: 0.0,
            }
        })
        .collect();
    estimate_with(&mut Profile { studies }, &sat, "UM.FS")
}
