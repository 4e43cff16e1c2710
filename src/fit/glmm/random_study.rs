//! The unconditional model with random study effects, `UM.RS` (metafor 3.8
//! `rma.glmm(measure = "OR", model = "UM.RS")` with its defaults `coding = 1/2`,
//! `cor = FALSE`, i.e. lme4 `glmer(cbind(x, n − x) ~ −1 + group1 + const + (group12 || study))`;
//! Turner et al. 2000, Stat Med 19:3417; Jackson et al. 2018, Stat Med 37:1059, model 4):
//! logit pᵢ₁ = α + μ/2 + uᵢ + vᵢ/2, logit pᵢ₂ = α − μ/2 + uᵢ − vᵢ/2, with independent random
//! study intercepts uᵢ ~ N(0, σ²) and random treatment effects vᵢ ~ N(0, τ²). μ is the mean
//! log odds ratio and τ² its between-study variance (metafor's `tau2`; σ² is its `sigma2`).
//! The common-effect model is the same with τ = 0 (metafor's `method = "EE"` for `UM.RS`:
//! `(1 | study)` only).
//!
//! metafor fits the random-effects model with lme4's Laplace approximation (`nAGQ = 1`;
//! glmer cannot integrate two random effects by quadrature); here the maximum is that of the
//! exact marginal likelihood, each study's two-dimensional integral by adaptive quadrature
//! ([`super::bivariate`]).
//!
//! # How the maximum is found
//! Newton's method on (α, μ, ln σ, ln τ) with the Hessian's eigenvalues made negative
//! (|λ|, floored), steps capped at 4 in α and μ and 2 in the logarithms, and a backtracking
//! (Armijo) line search, so that the log likelihood rises at every step. A variance whose SD
//! runs below 10⁻⁶ (or below 10⁻² where 0 is a local maximum in that direction: the
//! curvature ∂²ℓ/∂σ² at σ = 0 is not positive) is fixed at the boundary 0 and Newton goes on
//! over the rest; a fixed one whose boundary curvature is positive at the end is freed once
//! more. An SD past [`TAU_MAX`] means the likelihood rises without bound: an error. The
//! random-effects fit starts from the common-effect fit, and if it ends no higher, τ̂² = 0 is
//! reported as the boundary fit. The standard error of μ̂ is from the joint observed
//! information of the parameters not at the boundary.

use super::bivariate::{nodes, Params, Study, Terms4};
use super::random_intercept::{NoEstimate, TAU_MAX};
use super::random_study_saturated::saturated;
use super::{GlmmEstimate, GlmmInfo};
use crate::effect::two_arm::TwoByTwo;
use nalgebra::{DMatrix, DVector};

/// Below this SD a variance is fixed at 0.
const SD_MIN: f64 = 1e-6;
/// Below this SD a variance is fixed at 0 where 0 is a local maximum in its direction.
const NEAR_BOUNDARY: f64 = 1e-2;
const MAX_ITERATIONS: usize = 300;

/// The studies' summed log likelihood and derivatives.
struct Model {
    studies: Vec<Study>,
}

impl Model {
    fn at(&mut self, p: &Params) -> Terms4 {
        let mut t = Terms4::default();
        for s in &mut self.studies {
            t.add(&s.terms(p));
        }
        t
    }
}

/// A maximum over (α, μ) and the variances marked free.
#[derive(Debug, Clone)]
struct Fit {
    p: Params,
    t: Terms4,
    /// Whether σ (index 0) and τ (index 1) are free (else at 0).
    free: [bool; 2],
    iterations: usize,
    converged: bool,
}

impl Fit {
    /// Indices into (α, μ, σ, τ) of the free parameters.
    fn index(&self) -> Vec<usize> {
        let mut ix = vec![0, 1];
        ix.extend((0..2).filter(|&j| self.free[j]).map(|j| j + 2));
        ix
    }
}

/// d = A⁺⁻¹g with A⁺ the symmetric `a` with its eigenvalues replaced by their absolute values,
/// floored at 10⁻⁸ of the largest: the Newton step where A is positive definite, an ascent
/// direction everywhere else.
fn ascent_direction(a: DMatrix<f64>, g: &DVector<f64>) -> DVector<f64> {
    let e = a.symmetric_eigen();
    let top = e.eigenvalues.amax().max(1e-300);
    let mut d = DVector::zeros(g.len());
    for (i, &l) in e.eigenvalues.iter().enumerate() {
        let v = e.eigenvectors.column(i);
        d += v * (v.dot(g) / l.abs().max(1e-8 * top));
    }
    d
}

/// Whether the log likelihood at `p` with variance `j` (0 σ, 1 τ) set to 0 curves down in
/// that direction, so that 0 is a local maximum of it.
fn boundary_is_max(m: &mut Model, p: &Params, j: usize) -> bool {
    let mut q = *p;
    q[j + 2] = 0.0;
    m.at(&q).h[j + 2][j + 2] <= 0.0
}

/// `p` moved by `alpha`·`d` in x = (α, μ, ln σ, ln τ) over the free parameters `ix`.
fn step_to(p: &Params, ix: &[usize], d: &DVector<f64>, alpha: f64) -> Params {
    let mut q = *p;
    for (r, &j) in ix.iter().enumerate() {
        q[j] = if j >= 2 {
            (p[j].ln() + alpha * d[r]).exp()
        } else {
            p[j] + alpha * d[r]
        };
    }
    q
}

/// Newton's method from `fit` (see the module documentation).
fn newton(m: &mut Model, mut fit: Fit) -> Result<Fit, NoEstimate> {
    fit.converged = false;
    while fit.iterations < MAX_ITERATIONS {
        fit.iterations += 1;
        let ix = fit.index();
        let (p, t) = (fit.p, &fit.t);
        // Gradient and −Hessian in x = (α, μ, ln σ, ln τ) over the free parameters.
        let scale = |j: usize| if j >= 2 { p[j] } else { 1.0 };
        let g = DVector::from_iterator(ix.len(), ix.iter().map(|&j| t.g[j] * scale(j)));
        let a = DMatrix::from_fn(ix.len(), ix.len(), |r, c| {
            let (i, j) = (ix[r], ix[c]);
            let extra = if r == c && i >= 2 { p[i] * t.g[i] } else { 0.0 };
            -(t.h[i][j] * scale(i) * scale(j) + extra)
        });
        let d = ascent_direction(a, &g);
        let decrement = g.dot(&d);
        if decrement < 1e-12 {
            // Within 1e-6 standard errors of the maximum: one last full Newton step.
            let q = step_to(&p, &ix, &d, 1.0);
            let next = m.at(&q);
            if next.ll >= fit.t.ll - 1e-9 * (1.0 + fit.t.ll.abs()) {
                (fit.p, fit.t) = (q, next);
            }
            fit.converged = true;
            break;
        }
        let cap = ix
            .iter()
            .enumerate()
            .map(|(r, &j)| d[r].abs() / if j >= 2 { 2.0 } else { 4.0 })
            .fold(1.0, f64::max);
        let d = d / cap;
        let slope = decrement / cap;
        let (mut alpha, mut hit_max) = (1.0, false);
        let mut accepted = None;
        while alpha > 1e-10 {
            let q = step_to(&p, &ix, &d, alpha);
            if q[2] > TAU_MAX || q[3] > TAU_MAX {
                hit_max = true;
                alpha *= 0.5;
                continue;
            }
            let next = m.at(&q);
            if next.ll >= fit.t.ll + 1e-4 * alpha * slope {
                accepted = Some((q, next));
                break;
            }
            alpha *= 0.5;
        }
        let Some((q, next)) = accepted else {
            // No ascent left at the precision of the log likelihood.
            fit.converged = decrement < 1e-10;
            if hit_max && decrement > 1e-10 {
                return Err(NoEstimate::TauUnbounded);
            }
            break;
        };
        (fit.p, fit.t) = (q, next);
        let mut pinned = false;
        for j in 0..2 {
            let sd = fit.p[j + 2];
            if fit.free[j] && (sd < SD_MIN || (sd < NEAR_BOUNDARY && boundary_is_max(m, &fit.p, j)))
            {
                fit.free[j] = false;
                fit.p[j + 2] = 0.0;
                pinned = true;
            }
        }
        if pinned {
            fit.t = m.at(&fit.p);
        }
    }
    if fit.p[2] > TAU_MAX * (1.0 - 1e-9) || fit.p[3] > TAU_MAX * (1.0 - 1e-9) {
        return Err(NoEstimate::TauUnbounded);
    }
    Ok(fit)
}

/// Newton from `start`, then once more with each variance fixed at 0 freed where 0 is not a
/// local maximum in its direction (`allowed` says which variances may be free at all).
fn maximise(m: &mut Model, start: Params, allowed: [bool; 2]) -> Result<Fit, NoEstimate> {
    let t = m.at(&start);
    let mut fit = newton(
        m,
        Fit {
            p: start,
            t,
            free: allowed,
            iterations: 0,
            converged: false,
        },
    )?;
    for j in 0..2 {
        if allowed[j] && !fit.free[j] && !boundary_is_max(m, &fit.p, j) {
            let mut p = fit.p;
            p[j + 2] = 0.1;
            let t = m.at(&p);
            let mut free = fit.free;
            free[j] = true;
            let iterations = fit.iterations;
            let again = newton(
                m,
                Fit {
                    p,
                    t,
                    free,
                    iterations,
                    converged: false,
                },
            )?;
            if again.t.ll > fit.t.ll {
                fit = again;
            } else {
                fit.iterations = again.iterations;
            }
        }
    }
    Ok(fit)
}

/// The standard error of μ̂ from the observed information of the free parameters in
/// (α, μ, σ, τ), and whether it had to fall back on μ's curvature alone (singular).
fn se_mu(fit: &Fit) -> (f64, bool) {
    let ix = fit.index();
    let info = DMatrix::from_fn(ix.len(), ix.len(), |r, c| -fit.t.h[ix[r]][ix[c]]);
    let mu_only = (1.0 / -fit.t.h[1][1]).sqrt();
    match info.cholesky() {
        Some(ch) => {
            let var = ch.inverse()[(1, 1)];
            if var.is_finite() && var > 0.0 {
                (var.sqrt(), false)
            } else {
                (mu_only, true)
            }
        }
        None => (mu_only, true),
    }
}

/// A maximum of the UM.RS log likelihood, for checks from outside: the parameters
/// (α, μ, σ, τ), the log likelihood with its gradient, and which variances are free (not at
/// the boundary 0).
#[derive(Debug, Clone)]
pub struct Maximum {
    /// (α, μ, σ, τ), α = b₀ + μ/2 the mean of the arms' logits.
    pub params: Params,
    /// The log likelihood and its derivatives there.
    pub terms: Terms4,
    /// Whether σ and τ are free.
    pub free: [bool; 2],
}

impl From<Fit> for Maximum {
    fn from(f: Fit) -> Self {
        Maximum {
            params: f.p,
            terms: f.t,
            free: f.free,
        }
    }
}

/// The random-effects maximum of UM.RS over informative `tables`, as [`fit_random_study`]
/// finds it.
///
/// # Errors
/// [`NoEstimate`] when the MLE is not finite.
pub fn maximum(tables: &[&TwoByTwo]) -> Result<Maximum, NoEstimate> {
    fit_both(tables).map(|(_, best)| best.into())
}

/// Newton's method (with the boundary handling of [`fit_random_study`]) from `start`, all of
/// whose variances are free.
///
/// # Errors
/// [`NoEstimate::TauUnbounded`] when a variance runs past [`TAU_MAX`].
pub fn maximum_from(tables: &[&TwoByTwo], start: Params) -> Result<Maximum, NoEstimate> {
    maximise(&mut Model::of(tables), start, [true, true]).map(Maximum::from)
}

impl Model {
    fn of(tables: &[&TwoByTwo]) -> Self {
        Model {
            studies: tables
                .iter()
                .map(|t| Study::new(t.a, t.a + t.b, t.c, t.c + t.d))
                .collect(),
        }
    }
}

/// The common-effect and the random-effects fits.
fn fit_both(tables: &[&TwoByTwo]) -> Result<(Fit, Fit), NoEstimate> {
    let (sa, sn1, sc, sn2) = tables.iter().fold((0.0, 0.0, 0.0, 0.0), |s, t| {
        (s.0 + t.a, s.1 + t.a + t.b, s.2 + t.c, s.3 + t.c + t.d)
    });
    // The common-effect MLE of μ is finite iff each arm, pooled, has events and non-events.
    if !(sa > 0.0 && sa < sn1 && sc > 0.0 && sc < sn2) {
        return Err(NoEstimate::Separated);
    }
    let k = tables.len();
    let mut m = Model::of(tables);
    let logit = |x: f64, n: f64| ((x + 0.5) / (n - x + 0.5)).ln();
    let (b1, b0) = (logit(sa, sn1), logit(sc, sn2));
    // σ from the spread of the studies' overall logits, within [0.1, 3].
    let lg: Vec<f64> = tables
        .iter()
        .map(|t| logit(t.a + t.c, t.a + t.b + t.c + t.d))
        .collect();
    let mean = lg.iter().sum::<f64>() / k as f64;
    let var = lg.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k.max(2) - 1) as f64;
    let start = [0.5 * (b0 + b1), b1 - b0, var.sqrt().clamp(0.1, 3.0), 0.0];
    let common = maximise(&mut m, start, [k > 1, false])?;
    if k < 2 {
        return Ok((common.clone(), common));
    }
    // τ from the score of τ² at the boundary over its information (as the random-intercept
    // models), within [0.1, 3].
    let h = &common.t.h;
    let tau0 = (0.5 * h[3][3]).max(0.0) / (0.5 * h[1][1] * h[1][1] / k as f64).max(1e-300);
    let mut p = common.p;
    p[3] = tau0.sqrt().clamp(0.1, 3.0);
    let re = maximise(&mut m, p, [true, true])?;
    let iterations = re.iterations;
    let higher = re.free[1] && re.t.ll > common.t.ll + 1e-12 * (1.0 + common.t.ll.abs());
    let mut best = if higher { re } else { common.clone() };
    best.iterations = iterations;
    Ok((common, best))
}

/// Fits UM.RS to informative tables (events in some arm, non-events in some arm; double-zero
/// and double-all tables are left out, as metafor's `drop00`).
pub(super) fn fit_random_study(tables: &[&TwoByTwo]) -> Result<GlmmEstimate, NoEstimate> {
    let k = tables.len();
    let (common, best) = fit_both(tables)?;
    let (se0, _) = se_mu(&common);
    let (se, mu_only) = se_mu(&best);
    let sat = saturated(tables)?;
    let q_lrt = (2.0 * (sat.loglik - common.t.ll)).max(0.0);
    Ok(GlmmEstimate {
        common: (common.p[1], se0),
        random: (best.p[1], se),
        tau2: best.p[3] * best.p[3],
        q_wald: sat.q_wald,
        info: GlmmInfo {
            model: "UM.RS",
            loglik: best.t.ll,
            loglik_common: common.t.ll,
            iterations: best.iterations,
            nodes: nodes(),
            converged: best.converged && common.converged,
            boundary: !best.free[1],
            q_lrt,
            q_lrt_p: super::q_lrt_p(q_lrt, k),
            k,
            sigma2: Some(best.p[2] * best.p[2]),
        },
        se_from_mu_only: mu_only,
    })
}
