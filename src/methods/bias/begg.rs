//! Begg & Mazumdar's rank correlation test for funnel-plot asymmetry (Begg & Mazumdar 1994,
//! Biometrics 50:1088–1101).
//!
//! # Formula
//! With the common-effect estimate θ̂ = Σwᵢyᵢ/Σwᵢ (wᵢ = 1/vᵢ) and its variance 1/Σwᵢ, the
//! standardised effects yᵢ* = (yᵢ − θ̂)/√(vᵢ − 1/Σwᵢ) are correlated with vᵢ by Kendall's
//! τ_b. As metafor 3.8 `ranktest()` (`cor.test(..., exact = TRUE)`), the p-value is exact when
//! there are no ties, and from the tie-corrected normal approximation otherwise. (metafor's exact
//! p is NaN from 171 studies on, where R's permutation count overflows; alkstats stays exact up
//! to 1000 studies and uses the normal approximation beyond.)
//! `meta::metabias(method.bias = "Begg")` always uses the normal approximation of Kendall's
//! score (without τ_b's tie adjustment of the estimate); alkstats follows metafor.

use super::data::{BiasData, BiasError};
use super::kendall::{kendall, EXACT_MAX_N};
use super::result::RankTest;
use crate::model::Rma;

/// Begg's test on the studies of `model`; the second value notes a normal-approximation
/// p-value.
///
/// # Errors
/// Fewer than three studies, all with the same precision, or a correlation that is undefined.
pub fn begg(model: &Rma) -> Result<(RankTest, Option<String>), BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    d.need_varying_precision()?;
    let sw: f64 = d.vi.iter().map(|v| 1.0 / v).sum();
    let theta = d.yi.iter().zip(&d.vi).map(|(y, v)| y / v).sum::<f64>() / sw;
    let vb = 1.0 / sw;
    let ystar: Vec<f64> =
        d.yi.iter()
            .zip(&d.vi)
            .map(|(y, v)| (y - theta) / (v - vb).sqrt())
            .collect();
    let t = kendall(&ystar, &d.vi).ok_or_else(|| {
        BiasError::NotEstimable("Kendall's tau is undefined for these effects".into())
    })?;
    let note = (!t.exact).then(|| {
        if t.ties {
            "Begg's test: tied values, so its p-value is the normal approximation (as R's cor.test)"
                .to_string()
        } else {
            format!(
                "Begg's test: more than {EXACT_MAX_N} studies, so its p-value is the normal \
                 approximation"
            )
        }
    });
    Ok((
        RankTest {
            tau: t.tau,
            p: t.p,
            exact: t.exact,
        },
        note,
    ))
}
