//! Closed-form τ² estimators with moderators: DerSimonian–Laird, Hedges and Sidik–Jonkman,
//! as metafor 3.8 `rma.uni` computes them for a design matrix X with p columns.

use super::{Regression, Tau2Estimate};
use crate::fit::design::WeightedFit;

/// DerSimonian & Laird (1986) generalised to meta-regression (Raudenbush 2009, in *The
/// Handbook of Research Synthesis and Meta-Analysis*, 2nd ed., ch. 16; metafor `method = "DL"`).
///
/// # Formula
/// τ² = max(0, (Q_E − (k − p)) / tr P) with W = diag(1/vᵢ), Q_E = y′Py.
pub fn dersimonian_laird(r: Regression<'_>) -> Option<Tau2Estimate> {
    let (f, w) = r.at(0.0)?;
    let tr_p = f.trace_p(r.design, &w);
    Some(Tau2Estimate::closed_form((f.q - r.df()) / tr_p))
}

/// Hedges' unweighted method of moments with moderators (Hedges & Olkin 1985, ch. 9;
/// metafor `method = "HE"`).
///
/// # Formula
/// With the ordinary least-squares projection P = I − X(X′X)⁻¹X′:
/// τ² = max(0, (y′Py − tr(PV)) / (k − p)), V = diag(vᵢ), tr(PV) = Σ vᵢ(1 − hᵢ).
pub fn hedges(r: Regression<'_>) -> Option<Tau2Estimate> {
    let ones = vec![1.0; r.design.k()];
    let f = WeightedFit::at(r.design, r.y, &ones)?;
    let h = f.hat(r.design, &ones);
    let tr_pv: f64 = r.v.iter().zip(&h).map(|(v, h)| v * (1.0 - h)).sum();
    Some(Tau2Estimate::closed_form((f.q - tr_pv) / r.df()))
}

/// Sidik & Jonkman (2005), J Biopharm Stat 15:823–838, with moderators (metafor
/// `method = "SJ"`).
///
/// # Formula
/// τ₀² = Σ (yᵢ − ȳ)²/k (ȳ unweighted, whatever the moderators, as metafor), then
/// τ² = τ₀² · y′Py / (k − p) with weights 1/(vᵢ + τ₀²).
pub fn sidik_jonkman(r: Regression<'_>) -> Option<Tau2Estimate> {
    let k = r.k();
    let ybar = r.y.iter().sum::<f64>() / k;
    let tau0 = r.y.iter().map(|y| (y - ybar).powi(2)).sum::<f64>() / k;
    if tau0 <= 0.0 {
        return Some(Tau2Estimate::closed_form(0.0));
    }
    let (f, _) = r.at(tau0)?;
    Some(Tau2Estimate::closed_form(tau0 * f.q / r.df()))
}
