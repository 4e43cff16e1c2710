//! The three-parameter step-function selection model (Vevea & Hedges 1995, Psychometrika
//! 60:419–435; Hedges 1992): metafor 3.8 `selmodel(res, type = "stepfun", steps = 0.025)`.
//!
//! # Model
//! Effects yᵢ ~ N(μ, vᵢ + τ²) are published with a probability that depends on their one-sided
//! p-value pᵢ = 1 − Φ(yᵢ/√vᵢ) (alternative "greater"; "less" mirrors it): with relative weight
//! 1 when pᵢ ≤ 0.025 and δ when pᵢ > 0.025. The log-likelihood is
//!
//! ℓ(μ, τ², δ) = Σᵢ [ln δ_{g(i)} + ln φ(yᵢ; μ, vᵢ + τ²) − ln Aᵢ],
//! Aᵢ = 1 − Φ(uᵢ) + δ·Φ(uᵢ), uᵢ = (√vᵢ·z₀.₉₇₅ − μ)/√(vᵢ + τ²),
//!
//! maximised over μ, τ² ≥ 0 and 0 ≤ δ ≤ 100 (metafor's bounds). Standard errors come from the
//! inverse of the Hessian of −ℓ at the maximum (metafor: `numDeriv::hessian`; here its exact
//! value from analytic derivatives), the interval for μ is Wald's, and the likelihood-ratio
//! test compares ℓ with the maximum of the random-effects model fitted by ML (δ = 1).
//!
//! The p-values are those of H0: yᵢ = 0 on the analysis scale, so the model only makes sense
//! for measures whose null is 0 there (log ratios, differences); it is not offered for single
//! proportions.

use super::data::{BiasData, BiasError};
use super::result::{Adjusted, Selection};
use super::settings::SelectionAlternative;
use crate::dist::{dnorm, p_chisq_upper, p_two_sided_normal, pnorm, pnorm_upper, qnorm, z_crit};
use crate::fit::tau2::{maximum_likelihood, IterControl};
use crate::model::Rma;

/// The single cut point of the three-parameter model (metafor `steps = 0.025`).
const STEP: f64 = 0.025;
/// metafor's upper bound on δ (`delta.max`).
const DELTA_MAX: f64 = 100.0;
const MAX_ITER: usize = 1000;

/// One study's data: effect, variance, critical value √vᵢ·z₀.₉₇₅, and whether its p-value is
/// above the step.
struct Obs {
    y: f64,
    v: f64,
    c: f64,
    above: bool,
}

/// ℓ with its gradient and Hessian in (μ, τ², δ).
struct Eval {
    ll: f64,
    grad: [f64; 3],
    hess: [[f64; 3]; 3],
}

fn evaluate(obs: &[Obs], p: [f64; 3]) -> Eval {
    let [mu, tau2, delta] = p;
    let mut ll = 0.0;
    let mut g = [0.0; 3];
    let mut h = [[0.0; 3]; 3];
    let a = 1.0 - delta;
    for o in obs {
        let s2 = o.v + tau2;
        let s = s2.sqrt();
        let r = o.y - mu;
        let u = (o.c - mu) / s;
        let (phi_u, cdf, sf) = (dnorm(u), pnorm(u), pnorm_upper(u));
        let big_a = sf + delta * cdf;
        ll += -0.5 * (2.0 * std::f64::consts::PI * s2).ln() - r * r / (2.0 * s2) - big_a.ln();
        // Derivatives of u in (μ, τ²), first and second.
        let du = [-1.0 / s, -u / (2.0 * s2)];
        let ddu = [
            [0.0, 1.0 / (2.0 * s * s2)],
            [1.0 / (2.0 * s * s2), 3.0 * u / (4.0 * s2 * s2)],
        ];
        // Derivatives of A in (μ, τ², δ).
        let da = [-a * phi_u * du[0], -a * phi_u * du[1], cdf];
        let mut dda = [[0.0; 3]; 3];
        for i in 0..2 {
            for j in 0..2 {
                dda[i][j] = -a * phi_u * (-u * du[i] * du[j] + ddu[i][j]);
            }
            dda[i][2] = phi_u * du[i];
            dda[2][i] = dda[i][2];
        }
        // The normal density's part.
        let dn = [r / s2, -0.5 / s2 + r * r / (2.0 * s2 * s2), 0.0];
        let ddn = [
            [-1.0 / s2, -r / (s2 * s2), 0.0],
            [
                -r / (s2 * s2),
                0.5 / (s2 * s2) - r * r / (s2 * s2 * s2),
                0.0,
            ],
            [0.0; 3],
        ];
        for i in 0..3 {
            g[i] += dn[i] - da[i] / big_a;
            for j in 0..3 {
                h[i][j] += ddn[i][j] - (dda[i][j] / big_a - da[i] * da[j] / (big_a * big_a));
            }
        }
        if o.above {
            ll += delta.ln();
            g[2] += 1.0 / delta;
            h[2][2] -= 1.0 / (delta * delta);
        }
    }
    Eval {
        ll,
        grad: g,
        hess: h,
    }
}

/// Solves (−H)x = g on the free coordinates by Cholesky; `None` unless −H is positive definite
/// there. Fixed coordinates get 0.
fn newton_step(e: &Eval, free: [bool; 3]) -> Option<[f64; 3]> {
    let idx: Vec<usize> = (0..3).filter(|&i| free[i]).collect();
    let n = idx.len();
    let mut m = vec![vec![0.0; n]; n];
    for (a, &i) in idx.iter().enumerate() {
        for (b, &j) in idx.iter().enumerate() {
            m[a][b] = -e.hess[i][j];
        }
    }
    let l = cholesky(&m)?;
    let rhs: Vec<f64> = idx.iter().map(|&i| e.grad[i]).collect();
    let x = cholesky_solve(&l, &rhs);
    let mut step = [0.0; 3];
    for (a, &i) in idx.iter().enumerate() {
        step[i] = x[a];
    }
    Some(step)
}

fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = m[i][i] - s;
                if !(d > 0.0) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (m[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

fn cholesky_solve(l: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - ((i + 1)..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// Keeps τ² ≥ 0 and δ in (0, 100].
fn project(p: [f64; 3]) -> [f64; 3] {
    [p[0], p[1].max(0.0), p[2].clamp(1e-10, DELTA_MAX)]
}

/// Maximises ℓ from `start` by Newton steps (gradient ascent where the Hessian is not
/// negative definite) with step halving, holding a parameter at its bound while the gradient
/// pushes beyond it.
fn maximise(obs: &[Obs], start: [f64; 3]) -> Option<([f64; 3], Eval)> {
    let mut p = project(start);
    let mut e = evaluate(obs, p);
    for _ in 0..MAX_ITER {
        let free = [
            true,
            !(p[1] <= 0.0 && e.grad[1] <= 0.0),
            !((p[2] >= DELTA_MAX && e.grad[2] >= 0.0) || (p[2] <= 1e-10 && e.grad[2] <= 0.0)),
        ];
        let step = newton_step(&e, free).unwrap_or_else(|| {
            let mut s = e.grad;
            for i in 0..3 {
                if !free[i] {
                    s[i] = 0.0;
                }
            }
            s
        });
        let mut t = 1.0;
        let mut improved = None;
        for _ in 0..60 {
            let q = project([p[0] + t * step[0], p[1] + t * step[1], p[2] + t * step[2]]);
            let eq = evaluate(obs, q);
            if eq.ll.is_finite() && eq.ll >= e.ll - 1e-14 * e.ll.abs() {
                improved = Some((q, eq));
                break;
            }
            t /= 2.0;
        }
        let (q, eq) = improved?;
        let moved = (0..3).all(|i| (q[i] - p[i]).abs() <= 1e-13 * (1.0 + p[i].abs()));
        let gain = eq.ll - e.ll;
        p = q;
        e = eq;
        if moved || (gain.abs() <= 1e-15 * (1.0 + e.ll.abs()) && t == 1.0) {
            return Some((p, e));
        }
    }
    Some((p, e))
}

/// The selection model on the studies of `model`; the second value lists notes for the user.
///
/// # Errors
/// Fewer than three studies, no study with a p-value above the step, or a likelihood that
/// cannot be maximised.
pub fn selection_model(
    model: &Rma,
    alternative: SelectionAlternative,
) -> Result<(Selection, Vec<String>), BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    // "less" is "greater" on the negated effects.
    let flip = match alternative {
        SelectionAlternative::Greater => 1.0,
        SelectionAlternative::Less => -1.0,
    };
    let z = -qnorm(STEP);
    let obs: Vec<Obs> =
        d.yi.iter()
            .zip(&d.vi)
            .map(|(&y, &v)| {
                let y = flip * y;
                Obs {
                    y,
                    v,
                    c: v.sqrt() * z,
                    above: pnorm_upper(y / v.sqrt()) > STEP,
                }
            })
            .collect();
    let above = obs.iter().filter(|o| o.above).count();
    if above == 0 {
        return Err(BiasError::NotEstimable(format!(
            "selection model: no study has a one-sided p-value above {STEP}, so the weight of that \
             interval cannot be estimated"
        )));
    }
    let ys: Vec<f64> = obs.iter().map(|o| o.y).collect();
    let ml = maximum_likelihood(&ys, &d.vi, IterControl::default());
    let (sw, swy) = obs.iter().fold((0.0, 0.0), |(a, b), o| {
        let w = 1.0 / (o.v + ml.tau2);
        (a + w, b + w * o.y)
    });
    let ml_point = [swy / sw, ml.tau2, 1.0];
    let ll0 = evaluate(&obs, ml_point).ll;
    let (p, e) = maximise(&obs, [ml_point[0], ml_point[1].max(1e-3), 1.0]).ok_or_else(|| {
        BiasError::NotEstimable("selection model: the likelihood could not be maximised".into())
    })?;
    let mut notes = Vec::new();
    if p[2] >= DELTA_MAX - 1e-8 || p[2] <= 1e-8 {
        notes.push(format!(
            "selection model: the weight delta = {} is at a bound of [0, {DELTA_MAX}]; treat it \
             with caution",
            p[2]
        ));
    }
    // Standard errors from the inverse of −H (over μ and δ only when τ² is at its bound 0).
    let free = [true, p[1] > 0.0, true];
    if !free[1] {
        notes.push(
            "selection model: tau² is estimated at 0, so its standard error is not given and the \
             others come from the Hessian without it"
                .into(),
        );
    }
    let var = |i: usize| -> Option<f64> {
        let mut unit = Eval {
            ll: 0.0,
            grad: [0.0; 3],
            hess: e.hess,
        };
        unit.grad[i] = 1.0;
        newton_step(&unit, free).map(|x| x[i]).filter(|v| *v > 0.0)
    };
    let (var_mu, var_tau2, var_delta) = (var(0), free[1].then(|| var(1)).flatten(), var(2));
    if var_mu.is_none() {
        notes.push("selection model: the Hessian could not be inverted; no standard errors".into());
    }
    let level = model.settings().fit.level.get();
    let crit = z_crit(level);
    let se = var_mu.map_or(f64::NAN, f64::sqrt);
    let mu = flip * p[0];
    let (lo, hi) = (mu - crit * se, mu + crit * se);
    let se_delta = var_delta.map(f64::sqrt);
    let lrt = (2.0 * (e.ll - ll0)).max(0.0);
    Ok((
        Selection {
            steps: vec![STEP, 1.0],
            alternative: alternative.as_str(),
            k_per_interval: vec![d.k() - above, above],
            adjusted: Adjusted {
                yi: mu,
                se,
                lower_yi: lo,
                upper_yi: hi,
                estimate: model.back(mu),
                lower: model.back(lo),
                upper: model.back(hi),
                p: se.is_finite().then(|| p_two_sided_normal(mu / se)),
            },
            tau2: p[1],
            se_tau2: var_tau2.map(f64::sqrt),
            delta: p[2],
            se_delta,
            lower_delta: se_delta.map(|s| (p[2] - crit * s).max(0.0)),
            upper_delta: se_delta.map(|s| p[2] + crit * s),
            lrt,
            lrt_df: 1,
            lrt_p: p_chisq_upper(lrt, 1.0),
        },
        notes,
    ))
}
