//! Mixed-effects meta-regression on one predictor, yᵢ = b₀ + b₁xᵢ + uᵢ + εᵢ with
//! uᵢ ~ N(0, τ²) and εᵢ ~ N(0, vᵢ): metafor's `rma.uni(yi, vi, mods = ~ x, method)` for the
//! two small-study methods that need it — the Thompson & Sharp (1999) test (x = SE, additive
//! between-study variance) and the side on which trim-and-fill imputes studies (metafor
//! `trimfill.rma.uni` regresses yᵢ on √vᵢ with the model's τ² estimator).
//!
//! Every τ² estimator of [`TauMethod`] is metafor 3.8's `rma.uni()` code with p = 2 columns
//! (intercept and x), written with the traces of [`WeightedLine`] instead of k × k matrices:
//! with W = diag(wᵢ), A = (X′WX)⁻¹ and P = W − WXAX′W,
//! tr P = Σwᵢ − tr(A·X′W²X) and tr P² = Σwᵢ² − 2·tr(A·X′W³X) + tr((A·X′W²X)²), and
//! y′Py = Σwᵢeᵢ², y′P²y = Σ(wᵢeᵢ)² with eᵢ the weighted residuals. The iterative estimators
//! (ML, REML, EB: Fisher scoring from the HE estimate with step halving, as metafor; PM: the
//! root of Q(τ²) = k − 2) converge to 1e-12 relative, so results match a tightly converged
//! metafor rather than its default 1e-5 threshold.

use super::line::WeightedLine;
use crate::settings::TauMethod;

/// Iteration cap of the iterative estimators (metafor's `maxiter` in our fixtures).
const MAX_ITER: usize = 10_000;
/// Relative convergence tolerance on τ² (scaled by τ² plus the mean vᵢ).
const TOL: f64 = 1e-12;

/// A fitted meta-regression on one predictor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetaRegression {
    /// Intercept and slope.
    pub beta: [f64; 2],
    /// Their covariance (X′WX)⁻¹ with wᵢ = 1/(vᵢ + τ²) (metafor's `vb` for `test = "z"/"t"`).
    pub vb: [[f64; 2]; 2],
    /// The between-study variance.
    pub tau2: f64,
    /// `false` when an iterative estimator stopped at its iteration limit.
    pub converged: bool,
}

/// The weighted line at a given τ².
fn line_at(x: &[f64], y: &[f64], v: &[f64], tau2: f64) -> Option<(WeightedLine, Vec<f64>)> {
    let w: Vec<f64> = v.iter().map(|vi| 1.0 / (vi + tau2)).collect();
    WeightedLine::fit(x, y, &w).map(|l| (l, w))
}

/// Σ wᵢᵖ·(1, xᵢ, xᵢ²): the entries of X′WᵖX.
fn moments(x: &[f64], w: &[f64], power: i32) -> (f64, f64, f64) {
    x.iter()
        .zip(w)
        .fold((0.0, 0.0, 0.0), |(a, b, c), (xi, wi)| {
            let wp = wi.powi(power);
            (a + wp, b + wp * xi, c + wp * xi * xi)
        })
}

/// tr P and tr P² at weights `w`.
fn traces(line: &WeightedLine, x: &[f64], w: &[f64]) -> (f64, f64) {
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|wi| wi * wi).sum();
    let (m00, m01, m11) = moments(x, w, 2);
    let (n00, n01, n11) = moments(x, w, 3);
    let a = &line.unscaled;
    // B = A·X′W²X; tr(B²) = Σ_ij B_ij B_ji.
    let b = [
        [a[0][0] * m00 + a[0][1] * m01, a[0][0] * m01 + a[0][1] * m11],
        [a[1][0] * m00 + a[1][1] * m01, a[1][0] * m01 + a[1][1] * m11],
    ];
    let tr_b = b[0][0] + b[1][1];
    let tr_b2 = b[0][0] * b[0][0] + 2.0 * b[0][1] * b[1][0] + b[1][1] * b[1][1];
    (
        sw - tr_b,
        sw2 - 2.0 * line.trace_with(n00, n01, n11) + tr_b2,
    )
}

/// y′Py (the residual heterogeneity Q) at τ².
fn q_at(x: &[f64], y: &[f64], v: &[f64], tau2: f64) -> Option<f64> {
    line_at(x, y, v, tau2).map(|(l, _)| l.rss)
}

/// Hedges' estimator (metafor "HE"), the start of the Fisher scoring estimators.
fn hedges(x: &[f64], y: &[f64], v: &[f64]) -> Option<f64> {
    let k = x.len() as f64;
    let ones = vec![1.0; x.len()];
    let ols = WeightedLine::fit(x, y, &ones)?;
    let (s0, s1, s2) = x
        .iter()
        .zip(v)
        .fold((0.0, 0.0, 0.0), |(a, b, c), (xi, vi)| {
            (a + vi, b + vi * xi, c + vi * xi * xi)
        });
    let tr_pv = s0 - ols.trace_with(s0, s1, s2);
    Some((ols.rss - tr_pv) / (k - 2.0))
}

/// Paule–Mandel: the τ² ≥ 0 at which Q(τ²) = k − 2 (Q decreases in τ²), found by bisection
/// refined to the last bits.
fn paule_mandel(x: &[f64], y: &[f64], v: &[f64]) -> Option<(f64, bool)> {
    let target = x.len() as f64 - 2.0;
    if q_at(x, y, v, 0.0)? < target {
        return Some((0.0, true));
    }
    let mut hi = 1.0_f64.max(v.iter().sum::<f64>() / v.len() as f64);
    let mut steps = 0;
    while q_at(x, y, v, hi)? > target {
        hi *= 2.0;
        steps += 1;
        if steps > 200 {
            return None;
        }
    }
    let mut lo = 0.0;
    for _ in 0..MAX_ITER {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if q_at(x, y, v, mid)? > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi), true))
}

/// Fisher scoring of ML, REML or EB from the HE estimate, with metafor's step halving at the
/// boundary and its check that the optimum beats τ² = 0.
fn fisher_scoring(x: &[f64], y: &[f64], v: &[f64], method: TauMethod) -> Option<(f64, bool)> {
    let k = x.len() as f64;
    let vbar = v.iter().sum::<f64>() / k;
    let mut tau2 = hedges(x, y, v)?.max(0.0);
    let mut converged = false;
    for _ in 0..MAX_ITER {
        let (line, w) = line_at(x, y, v, tau2)?;
        let sw: f64 = w.iter().sum();
        let ypy = line.rss;
        let yppy: f64 = w
            .iter()
            .zip(&line.residuals)
            .map(|(wi, e)| (wi * e) * (wi * e))
            .sum();
        let mut adj = match method {
            TauMethod::Ml => (yppy - sw) / w.iter().map(|wi| wi * wi).sum::<f64>(),
            TauMethod::Eb => (ypy * k / (k - 2.0) - k) / sw,
            _ => {
                let (tr_p, tr_pp) = traces(&line, x, &w);
                (yppy - tr_p) / tr_pp
            }
        };
        if !adj.is_finite() {
            adj = 0.0;
        }
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        let next = tau2 + adj;
        let change = (next - tau2).abs();
        tau2 = next;
        if change <= TOL * (tau2 + vbar) {
            converged = true;
            break;
        }
    }
    if converged && method != TauMethod::Eb && tau2 > 0.0 {
        let ll = |t: f64| log_likelihood(x, y, v, t, method == TauMethod::Reml);
        if ll(0.0)? - ll(tau2)? > 1e-10 {
            tau2 = 0.0;
        }
    }
    Some((tau2, converged))
}

/// The (restricted) log-likelihood at τ², up to the constant both sides of a comparison share.
fn log_likelihood(x: &[f64], y: &[f64], v: &[f64], tau2: f64, reml: bool) -> Option<f64> {
    let (line, _) = line_at(x, y, v, tau2)?;
    let log_det: f64 = v.iter().map(|vi| (vi + tau2).ln()).sum();
    let mut ll = -0.5 * log_det - 0.5 * line.rss;
    if reml {
        let a = &line.unscaled;
        // log det(X′WX) = −log det(A).
        ll += 0.5 * (a[0][0] * a[1][1] - a[0][1] * a[1][0]).ln();
    }
    Some(ll)
}

/// Fits the meta-regression of `y` on `x` with sampling variances `v` and the τ² estimator
/// `method`. `None` for fewer than three studies, a constant predictor, or a non-finite value.
pub(crate) fn meta_regression(
    x: &[f64],
    y: &[f64],
    v: &[f64],
    method: TauMethod,
) -> Option<MetaRegression> {
    let k = x.len();
    if k < 3 || y.len() != k || v.len() != k || !v.iter().all(|&vi| vi > 0.0 && vi.is_finite()) {
        return None;
    }
    let kf = k as f64;
    let (tau2, converged) = match method {
        TauMethod::Hs => {
            let (line, w) = line_at(x, y, v, 0.0)?;
            ((line.rss - kf) / w.iter().sum::<f64>(), true)
        }
        TauMethod::He => (hedges(x, y, v)?, true),
        TauMethod::Dl => {
            let (line, w) = line_at(x, y, v, 0.0)?;
            let (tr_p, _) = traces(&line, x, &w);
            ((line.rss - (kf - 2.0)) / tr_p, true)
        }
        TauMethod::Sj => {
            let mean = y.iter().sum::<f64>() / kf;
            let tau0 = y.iter().map(|yi| (yi - mean) * (yi - mean)).sum::<f64>() / kf;
            (tau0 * q_at(x, y, v, tau0)? / (kf - 2.0), true)
        }
        TauMethod::Pm => paule_mandel(x, y, v)?,
        TauMethod::Ml | TauMethod::Reml | TauMethod::Eb => fisher_scoring(x, y, v, method)?,
    };
    let tau2 = tau2.max(0.0);
    let (line, _) = line_at(x, y, v, tau2)?;
    Some(MetaRegression {
        beta: line.beta,
        vb: line.unscaled,
        tau2,
        converged,
    })
}
