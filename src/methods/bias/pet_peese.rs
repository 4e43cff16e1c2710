//! PET-PEESE (Stanley & Doucouliagos 2014, Res Synth Methods 5:60–78): the effect expected in
//! a study of infinite precision, from a weighted regression of yᵢ on its standard error (PET,
//! the precision-effect test) or on its variance (PEESE, the precision-effect estimate with
//! standard error).
//!
//! # Formula
//! Weighted least squares with weights 1/vᵢ and multiplicative dispersion: yᵢ = b₀ + b₁√vᵢ
//! (PET) and yᵢ = b₀ + b₁vᵢ (PEESE); b₀ with its t interval on k − 2 degrees of freedom is
//! metafor 3.8 `regtest(x, model = "lm", predictor = "sei")` (resp. `"vi"`)'s limit estimate.
//! The conditional estimator reports PEESE when PET rejects H0: b₀ = 0 (two-sided, at
//! 1 − the analysis' level), PET otherwise.

use super::data::{BiasData, BiasError};
use super::line::lm;
use super::regression::adjusted;
use super::result::{Adjusted, PetPeese};
use crate::model::Rma;

/// The intercept of yᵢ regressed on `x` with weights 1/vᵢ.
fn intercept(d: &BiasData<'_>, x: &[f64], model: &Rma) -> Result<Adjusted, BiasError> {
    let w: Vec<f64> = d.vi.iter().map(|v| 1.0 / v).collect();
    let fit = lm(x, &d.yi, &w).ok_or(BiasError::SamePrecision)?;
    let level = model.settings().fit.level.get();
    Ok(adjusted(fit.intercept, fit.df as f64, level, &|y| {
        model.back(y)
    }))
}

/// PET, PEESE and the conditional choice between them on the studies of `model`.
///
/// # Errors
/// Fewer than three studies, or all with the same precision.
pub fn pet_peese(model: &Rma) -> Result<PetPeese, BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    d.need_varying_precision()?;
    let pet = intercept(&d, &d.sei(), model)?;
    let peese = intercept(&d, &d.vi, model)?;
    let alpha = 1.0 - model.settings().fit.level.get();
    let rejects = pet.p.is_some_and(|p| p < alpha);
    let rule = format!(
        "PEESE when PET rejects H0: effect = 0 in a two-sided test at {}% (PET: {}), else PET",
        crate::format::level_percent(alpha),
        crate::format::p_sentence(pet.p)
    );
    Ok(PetPeese {
        pet,
        peese,
        chosen: if rejects { "peese" } else { "pet" },
        rule,
    })
}
