//! The saturated model of `UM.RS`'s heterogeneity tests, as metafor 3.8 `rma.glmm(model =
//! "UM.RS")` fits it (`glmer(… ~ −1 + group1 + const + study:group1 + (1 | study))`): one
//! log odds ratio θᵢ per study with the random study intercept,
//! logit pᵢ₁ = β₀ + θᵢ + σzᵢ, logit pᵢ₂ = β₀ + σzᵢ, zᵢ ~ N(0, 1) — here by the exact marginal
//! likelihood ([`super::quadrature`]) rather than lme4's quadrature.
//!
//! - `QE.LRT` = 2(ℓ_saturated − ℓ_common).
//! - `QE.Wld`: the Wald test that the θᵢ are equal (metafor's test of the `study:group1`
//!   contrasts), θ̂ᵀPθ̂ − (1ᵀPθ̂)²/1ᵀP1 with P = D − BC⁻¹Bᵀ the information of θ with the
//!   nuisance (β₀, σ) profiled out (D the θθ, B the θ(β₀, σ), C the (β₀, σ) blocks of the
//!   joint observed information). A study with events in no treated participant or in all
//!   has θ̂ᵢ = ∓∞: its likelihood is that supremum, and it has no weight in the Wald test.
//!
//! The θᵢ are profiled out (each a concave 1-D problem, Prékopa 1973) and (β₀, σ) maximised
//! by the random-intercept engine ([`super::random_intercept::fit`]), as for `UM.FS`.

use super::likelihood::{Binomial, OwnEstimate, StudyLik};
use super::quadrature::{for_each_node, integrate, Moments, Terms};
use super::random_intercept::{fit, NoEstimate, Objective};
use crate::effect::two_arm::TwoByTwo;

/// A study's two arms with the treatment arm's log odds ratio θ, as a function of the
/// comparator's logit η (for the quadrature's mode search).
struct Shifted<'a> {
    arms: &'a [Binomial; 2],
    theta: f64,
}

impl StudyLik for Shifted<'_> {
    fn eval(&self, eta: f64) -> (f64, f64, f64) {
        let (l1, s1, c1) = self.arms[0].eval(eta + self.theta);
        let (l2, s2, c2) = self.arms[1].eval(eta);
        (l1 + l2, s1 + s2, c1 + c2)
    }

    fn score_bounds(&self) -> (f64, f64) {
        let (a, b) = (self.arms[0].score_bounds(), self.arms[1].score_bounds());
        (a.0 + b.0, a.1 + b.1)
    }
}

/// One study's log likelihood and derivatives in (θ, β₀, σ).
fn terms3(arms: &[Binomial; 2], theta: f64, b0: f64, sigma: f64, z_mode: &mut f64) -> Terms3 {
    let node = |z: f64| {
        let eta = b0 + sigma * z;
        let (l1, s1, c1) = arms[0].eval(eta + theta);
        let (l2, s2, c2) = arms[1].eval(eta);
        let (s, c) = (s1 + s2, c1 + c2);
        (
            l1 + l2,
            [s1, s, s * z],
            [[c1, c1, c1 * z], [c1, c, c * z], [c1 * z, c * z, c * z * z]],
        )
    };
    if sigma == 0.0 {
        // Exact: the prior moments E z = 0, E z² = 1.
        let (ll, g, mut h) = node(0.0);
        h[2][2] = h[1][1] + g[1] * g[1];
        return Terms3 { ll, g, h };
    }
    let mut m = Moments::<3>::new();
    for_each_node(&Shifted { arms, theta }, b0, sigma, z_mode, |z, lw| {
        let (l, g, d2) = node(z);
        let h = l - 0.5 * z * z;
        m.push(lw + h, &g, &d2);
        h
    });
    let (ll, g, h) = m.finish();
    Terms3 { ll, g, h }
}

struct Terms3 {
    ll: f64,
    g: [f64; 3],
    h: [[f64; 3]; 3],
}

/// A study of the saturated model: θ̂ finite (profiled), or at ∓∞.
struct Study {
    arms: [Binomial; 2],
    theta: Option<f64>,
    z_mode: f64,
}

impl Study {
    /// Maximises over θ at (β₀, σ) by Newton's method with step halving, from the last θ.
    fn profile(&mut self, b0: f64, sigma: f64) -> Terms3 {
        let Some(mut theta) = self.theta else {
            // θ = ∓∞: the treatment arm at its supremum, the comparator's integral.
            let t = integrate(&self.arms[1], b0, sigma, &mut self.z_mode);
            let mut h = [[0.0; 3]; 3];
            h[1][1] = t.hess[0];
            (h[1][2], h[2][1], h[2][2]) = (t.hess[1], t.hess[1], t.hess[2]);
            return Terms3 {
                ll: t.ll + self.arms[0].sup_at_infinity(),
                g: [0.0, t.grad[0], t.grad[1]],
                h,
            };
        };
        let mut t = terms3(&self.arms, theta, b0, sigma, &mut self.z_mode);
        for _ in 0..100 {
            let step = (-t.g[0] / t.h[0][0]).clamp(-4.0, 4.0);
            // Stop within 1e-9 standard errors (the Newton decrement g²/−h below 1e-18),
            // beyond which the log likelihood no longer resolves a step.
            if !(t.h[0][0] < 0.0) || -t.g[0] * t.g[0] / t.h[0][0] < 1e-18 {
                break;
            }
            let mut alpha = 1.0;
            loop {
                let th = theta + alpha * step;
                let next = terms3(&self.arms, th, b0, sigma, &mut self.z_mode);
                if next.ll >= t.ll - 1e-13 * (1.0 + t.ll.abs()) || alpha < 1e-8 {
                    (theta, t) = (th, next);
                    break;
                }
                alpha *= 0.5;
            }
        }
        self.theta = Some(theta);
        t
    }
}

/// The profile log likelihood of (β₀, σ).
struct Profile {
    studies: Vec<Study>,
}

impl Objective for Profile {
    fn at(&mut self, b0: f64, sigma: f64) -> Terms {
        let mut total = Terms::default();
        for s in &mut self.studies {
            let t = s.profile(b0, sigma);
            let h = t.h;
            // Schur complement of the θθ entry (none where θ̂ is infinite).
            let (c01, c02, c00) = if s.theta.is_some() {
                (h[0][1], h[0][2], h[0][0])
            } else {
                (0.0, 0.0, 1.0)
            };
            total.add(&Terms {
                ll: t.ll,
                grad: [t.g[1], t.g[2]],
                hess: [
                    h[1][1] - c01 * c01 / c00,
                    h[1][2] - c01 * c02 / c00,
                    h[2][2] - c02 * c02 / c00,
                ],
            });
        }
        total
    }

    fn k(&self) -> usize {
        self.studies.len()
    }
}

/// The saturated model's log likelihood and Wald test.
pub(super) struct SaturatedFit {
    /// Maximised log likelihood.
    pub loglik: f64,
    /// The Wald test of equal log odds ratios (`QE.Wld`).
    pub q_wald: f64,
}

/// Fits the saturated model of `tables`.
///
/// # Errors
/// [`NoEstimate`] when the saturated model has no finite maximum.
pub(super) fn saturated(tables: &[&TwoByTwo]) -> Result<SaturatedFit, NoEstimate> {
    let studies = tables
        .iter()
        .map(|t| {
            let arms = [
                Binomial::new(t.a, t.a + t.b, 0.0),
                Binomial::new(t.c, t.c + t.d, 0.0),
            ];
            let theta = arms[0]
                .saturated()
                .map(|_| ((t.a + 0.5) * (t.d + 0.5) / ((t.b + 0.5) * (t.c + 0.5))).ln());
            Study {
                arms,
                theta,
                z_mode: 0.0,
            }
        })
        .collect();
    let mut prof = Profile { studies };
    let (o, _) = fit(&mut prof)?;
    let (b0, sigma) = (o.mu, o.tau);
    // The joint information at the optimum: D, B, C.
    let dim = if o.boundary { 1 } else { 2 };
    let mut c = [[0.0; 2]; 2];
    let mut rows: Vec<(f64, f64, [f64; 2])> = Vec::new();
    for s in &mut prof.studies {
        let t = s.profile(b0, sigma);
        for (i, row) in c.iter_mut().enumerate().take(dim) {
            for (j, v) in row.iter_mut().enumerate().take(dim) {
                *v -= t.h[i + 1][j + 1];
            }
        }
        if let Some(theta) = s.theta {
            rows.push((theta, -t.h[0][0], [-t.h[0][1], -t.h[0][2]]));
        }
    }
    // C⁻¹ of the 1 × 1 or 2 × 2 block.
    let ci = if dim == 1 {
        [[1.0 / c[0][0], 0.0], [0.0, 0.0]]
    } else {
        let det = c[0][0] * c[1][1] - c[0][1] * c[0][1];
        [
            [c[1][1] / det, -c[0][1] / det],
            [-c[0][1] / det, c[0][0] / det],
        ]
    };
    let quad = |x: [f64; 2], y: [f64; 2]| {
        x[0] * (ci[0][0] * y[0] + ci[0][1] * y[1]) + x[1] * (ci[1][0] * y[0] + ci[1][1] * y[1])
    };
    // Bᵀθ and Bᵀ1.
    let (mut bt, mut b1) = ([0.0; 2], [0.0; 2]);
    let (mut wtt, mut wt, mut w) = (0.0, 0.0, 0.0);
    for &(theta, d, b) in &rows {
        wtt += d * theta * theta;
        wt += d * theta;
        w += d;
        for j in 0..2 {
            bt[j] += b[j] * theta;
            b1[j] += b[j];
        }
    }
    let ptt = wtt - quad(bt, bt);
    let p1t = wt - quad(b1, bt);
    let p11 = w - quad(b1, b1);
    let q_wald = if rows.len() > 1 && p11 > 0.0 {
        (ptt - p1t * p1t / p11).max(0.0)
    } else {
        0.0
    };
    Ok(SaturatedFit {
        loglik: o.terms.ll,
        q_wald,
    })
}
