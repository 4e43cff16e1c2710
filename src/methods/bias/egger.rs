//! Egger's regression test for funnel-plot asymmetry (Egger, Davey Smith, Schneider & Minder
//! 1997, BMJ 315:629–634).
//!
//! # Formula
//! Weighted least squares of yᵢ on its standard error, weights 1/vᵢ, with multiplicative
//! dispersion: yᵢ = b₀ + b₁·√vᵢ + εᵢ. The slope b₁ equals the intercept of Egger's original
//! regression of the standard normal deviate yᵢ/√vᵢ on precision 1/√vᵢ, and is tested with
//! t = b₁/SE(b₁) on k − 2 degrees of freedom; the intercept b₀ is the effect expected in a
//! study of infinite size. This is metafor 3.8 `regtest(x, model = "lm", predictor = "sei")`
//! and `meta::metabias(method.bias = "Egger")` (which calls it).

use super::data::{BiasData, BiasError};
use super::line::lm;
use super::regression::from_lm;
use super::result::RegressionTest;
use crate::model::Rma;

/// Egger's test on the studies of `model`.
///
/// # Errors
/// Fewer than three studies, or all with the same standard error.
pub fn egger(model: &Rma) -> Result<RegressionTest, BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    d.need_varying_precision()?;
    let w: Vec<f64> = d.vi.iter().map(|v| 1.0 / v).collect();
    let fit = lm(&d.sei(), &d.yi, &w).ok_or(BiasError::SamePrecision)?;
    let level = model.settings().fit.level.get();
    Ok(from_lm(&fit, "standard error", level, &|y| model.back(y)))
}
