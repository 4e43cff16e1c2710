//! Thompson & Sharp's test for funnel-plot asymmetry (Thompson & Sharp 1999, Stat Med
//! 18:2693–2708): Egger's regression with an additive between-study variance instead of a
//! multiplicative one.
//!
//! # Formula
//! The mixed-effects meta-regression yᵢ = b₀ + b₁·√vᵢ + uᵢ + εᵢ, uᵢ ~ N(0, τ²), with τ²
//! from the model's own estimator; b₁ is tested with t = b₁/SE(b₁) on k − 2 degrees of
//! freedom, SE from (X′WX)⁻¹ with wᵢ = 1/(vᵢ + τ²). This is `meta::metabias(method.bias =
//! "Thompson")` as documented (it calls metafor `regtest(rma(yi, sei = seTE, method =
//! method.tau, test = "t"), model = "rma", predictor = "sei")`).

use super::data::{BiasData, BiasError};
use super::line::Coefficient;
use super::metareg::meta_regression;
use super::regression::adjusted;
use super::result::RegressionTest;
use crate::dist::p_two_sided_t;
use crate::model::Rma;

/// Thompson & Sharp's test on the studies of `model`; the second value is a note when the τ²
/// estimator did not converge.
///
/// # Errors
/// Fewer than three studies, or all with the same standard error.
pub fn thompson_sharp(model: &Rma) -> Result<(RegressionTest, Option<String>), BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    d.need_varying_precision()?;
    let method = model.settings().fit.method_tau;
    let reg = meta_regression(&d.sei(), &d.yi, &d.vi, method).ok_or(BiasError::SamePrecision)?;
    let df = (d.k() - 2) as f64;
    let se = reg.vb[1][1].sqrt();
    let stat = reg.beta[1] / se;
    let level = model.settings().fit.level.get();
    let intercept = Coefficient {
        estimate: reg.beta[0],
        se: reg.vb[0][0].sqrt(),
    };
    let note = (!reg.converged).then(|| {
        format!(
            "Thompson–Sharp: the {method} estimator of τ² did not converge; τ² is its last iterate"
        )
    });
    Ok((
        RegressionTest {
            predictor: "standard error",
            variance: "additive",
            bias: reg.beta[1],
            se,
            stat,
            df,
            p: p_two_sided_t(stat, df),
            limit: adjusted(intercept, df, level, &|y| model.back(y)),
            tau2: Some(reg.tau2),
        },
        note,
    ))
}
