//! Residual heterogeneity of a meta-regression, as metafor `rma.uni` and `confint.rma.uni`
//! report it: the Q_E test, the τ²-based residual I² and H², the pseudo-R², and the Q-profile
//! confidence interval for τ².

use super::result::ResidualTest;
use crate::dist;
use crate::fit::design::Design;
use crate::fit::tau2::mods::{self, solve_residual_q, Regression};
use crate::fit::tau2::IterControl;
use crate::settings::TauMethod;

/// Q_E and the typical within-study variance ṽ = (k − p)/tr P, both with weights 1/vᵢ
/// (metafor's `QE` and `vt`, `i2def = "1"`); `None` when X′WX is singular.
pub fn residual_q(r: Regression<'_>) -> Option<(ResidualTest, f64)> {
    let (f, w) = r.at(0.0)?;
    let df = r.df();
    let stat = f.q.max(0.0);
    let vt = df / f.trace_p(r.design, &w);
    Some((
        ResidualTest {
            stat,
            df,
            p: dist::p_chisq_upper(stat, df),
        },
        vt,
    ))
}

/// Residual I² (%) and H² from τ² and ṽ (Higgins & Thompson 2002, with metafor's ṽ for
/// models with moderators).
pub fn i2_h2(tau2: f64, vt: f64) -> (f64, f64) {
    (100.0 * tau2 / (vt + tau2), tau2 / vt + 1.0)
}

/// Pseudo-R² (%) of a mixed-effects meta-regression (Raudenbush 2009; López-López et al.
/// 2014, Br J Math Stat Psychol 67:30–48; metafor's default `r2def = "1"`):
/// R² = max(0, 100 (τ²₀ − τ²)/τ²₀), τ²₀ from the intercept-only model with the same estimator;
/// 0 when τ²₀ = 0. `None` when the intercept-only fit fails.
pub fn pseudo_r2(r: Regression<'_>, tau2: f64, method: TauMethod, ctl: IterControl) -> Option<f64> {
    let ones = Design::from_rows(&vec![vec![1.0]; r.design.k()])?;
    let reduced = Regression { design: &ones, ..r };
    let tau2_0 = mods::estimate(method, reduced, ctl)?.estimate.tau2;
    Some(if tau2_0 == 0.0 {
        0.0
    } else {
        (100.0 * (tau2_0 - tau2) / tau2_0).max(0.0)
    })
}

/// R² (%) of the fixed-effects meta-regression, as metafor: the adjusted R² of the weighted
/// least-squares regression (`summary(lm(yi ~ X, weights = 1/vi))$adj.r.squared`),
/// 1 − (Q_E/(k − p)) / (Q_T/(k − 1)), Q_T the heterogeneity about the weighted mean; not below
/// 0; 0 when every yᵢ is equal.
pub fn adjusted_r2(r: Regression<'_>, qe: f64) -> Option<f64> {
    let ones = Design::from_rows(&vec![vec![1.0]; r.design.k()])?;
    let total = Regression { design: &ones, ..r }.at(0.0)?.0.q;
    if total <= 0.0 {
        return Some(0.0);
    }
    let adj = 1.0 - (qe / r.df()) / (total / (r.k() - 1.0));
    Some((100.0 * adj).max(0.0))
}

/// Q-profile interval for the residual τ² (Viechtbauer 2007, Stat Med 26:37–52; metafor
/// `confint.rma.uni(type = "QP")`): the bounds solve Q_E(τ²) = χ²_{k−p, 1−α/2} (lower) and
/// χ²_{k−p, α/2} (upper); a bound whose equation has no non-negative root is 0. Returns the
/// bounds and whether both searches converged; `None` when a quantile or fit fails.
pub fn tau2_interval(r: Regression<'_>, level: f64) -> Option<((f64, f64), bool)> {
    let alpha = 1.0 - level;
    let (q_hi, q_lo) = (
        dist::qchisq(1.0 - alpha / 2.0, r.df())?,
        dist::qchisq(alpha / 2.0, r.df())?,
    );
    let ctl = IterControl {
        max_iter: 1000,
        tol: 1e-13,
        start: None,
    };
    let lower = solve_residual_q(r, q_hi, ctl)?;
    let upper = solve_residual_q(r, q_lo, ctl)?;
    Some(((lower.tau2, upper.tau2), lower.converged && upper.converged))
}
