//! The between-study variance τ² of a network, shared by every comparison: generalised
//! DerSimonian–Laird (netmeta's estimator) and restricted maximum likelihood (metafor
//! `rma.mv(..., method = "REML")`).

use super::model::System;
use super::{NetworkError, NumericalFailure};
use crate::fit::tau2::{IterControl, Tau2Estimate};
use nalgebra::DMatrix;

fn trace_product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    // tr(AB) without forming AB.
    a.iter().zip(b.transpose().iter()).map(|(x, y)| x * y).sum()
}

/// Generalised DerSimonian–Laird estimator of the network τ².
///
/// # Formula
/// The method of moments on the generalised Q of the common-effect model: under the model,
/// E[Q(0)] = df + τ²·tr(P₀U), so
///
/// ```text
/// τ² = max(0, (Q − df) / tr(P₀U)),  P₀ = W − WX(XᵀWX)⁻¹XᵀW,  W = S⁻¹
/// ```
///
/// (DerSimonian & Laird 1986; for networks Rücker 2012, Res Synth Methods 3:312–324, eq. 14,
/// written there as tr((I − H)·U·W) over all pairwise contrasts with reduced weights, which is
/// the same number; Jackson, White & Riley 2012 for the multivariate form). With two-arm
/// studies only, tr(P₀U) = Σwᵢ − tr((XᵀWX)⁻¹XᵀW²X), the meta-regression DL estimator.
/// Returns 0 when df = 0.
///
/// # Errors
/// As [`System::fit`].
pub fn dersimonian_laird(sys: &System) -> Result<Tau2Estimate, NetworkError> {
    let df = sys.df();
    if df == 0 {
        return Ok(Tau2Estimate::closed_form(0.0));
    }
    let fit = sys.fit(0.0)?;
    let denom = trace_product(&fit.p, &sys.u);
    Ok(Tau2Estimate::closed_form((fit.q - df as f64) / denom))
}

/// Restricted log-likelihood (without its constant), score and Fisher information at τ².
struct Restricted {
    ll: f64,
    /// yᵀPUPy − tr(PU): twice the score.
    score2: f64,
    /// tr(PUPU): twice the expected information.
    info2: f64,
}

fn restricted(sys: &System, tau2: f64) -> Result<Restricted, NetworkError> {
    let numerical = || NetworkError::Numerical(NumericalFailure::RemlCovariance);
    let v = &sys.s + &sys.u * tau2;
    let chol_v = v.cholesky().ok_or_else(numerical)?;
    let logdet_v: f64 = 2.0 * chol_v.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    let w = chol_v.inverse();
    let xtw = sys.x.transpose() * &w;
    let a = &xtw * &sys.x;
    let chol_a = a.cholesky().ok_or_else(numerical)?;
    let logdet_a: f64 = 2.0 * chol_a.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    let p = &w - xtw.transpose() * chol_a.inverse() * &xtw;
    let py = &p * &sys.y;
    let pu = &p * &sys.u;
    let ypy = sys.y.dot(&py);
    let upy = &sys.u * &py;
    Ok(Restricted {
        ll: -0.5 * (logdet_v + logdet_a + ypy),
        score2: py.dot(&upy) - pu.trace(),
        info2: trace_product(&pu, &pu),
    })
}

/// Restricted maximum likelihood estimate of the network τ².
///
/// # Formula
/// Maximises ℓ_R(τ²) = −½[ln|V| + ln|XᵀV⁻¹X| + yᵀPy] over τ² ≥ 0 (Harville 1977; for
/// networks as metafor `rma.mv` with `random = ~ comp | study, rho = 1/2`) by Fisher scoring,
///
/// ```text
/// τ² ← max(0, τ² + [yᵀPUPy − tr(PU)] / tr(PUPU))
/// ```
///
/// with step halving whenever a step would lower ℓ_R, started at the DL estimate. Stops when
/// a step changes τ² by less than `ctl.tol` × (τ² + mean within-study variance). Returns 0
/// when df = 0 (τ² is then not identified).
///
/// # Errors
/// As [`System::fit`].
pub fn restricted_maximum_likelihood(
    sys: &System,
    ctl: IterControl,
) -> Result<Tau2Estimate, NetworkError> {
    if sys.df() == 0 {
        return Ok(Tau2Estimate::closed_form(0.0));
    }
    let scale = sys.scale();
    let mut t = dersimonian_laird(sys)?.tau2;
    let mut cur = restricted(sys, t)?;
    for it in 1..=ctl.max_iter {
        if !(cur.info2 > 0.0) {
            break;
        }
        let mut step = cur.score2 / cur.info2;
        let mut next_t = (t + step).max(0.0);
        let mut next = restricted(sys, next_t)?;
        let mut halvings = 0;
        while next.ll < cur.ll - 1e-13 * cur.ll.abs().max(1.0) && halvings < 60 {
            step /= 2.0;
            next_t = (t + step).max(0.0);
            next = restricted(sys, next_t)?;
            halvings += 1;
        }
        let change = (next_t - t).abs();
        t = next_t;
        cur = next;
        if change <= ctl.tol * (t + scale) {
            return Ok(Tau2Estimate {
                tau2: t,
                iterations: it,
                converged: true,
            });
        }
    }
    Ok(Tau2Estimate {
        tau2: t,
        iterations: ctl.max_iter,
        converged: false,
    })
}
