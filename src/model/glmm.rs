//! The GLMM of a fitted model ([`super::Rma`] with `ModelSettings::glmm`): the counts of the
//! studies in the fit go to [`crate::fit::glmm`], and its estimates replace the
//! inverse-variance ones, so that every method and renderer reads them from the one model.
//!
//! Heterogeneity is reported as R `meta` reports it for a GLMM (`meta::metaprop`,
//! `meta::metabin` with `method = "GLMM"`, which copy metafor's `rma.glmm`): Q is the Wald-type
//! test of the saturated model (`QE.Wld`), and I² = 100·τ̂²/(τ̂² + s²), H² = τ̂²/s² + 1 with the
//! typical within-study variance s² = (k − 1)Σwᵢ/((Σwᵢ)² − Σwᵢ²), wᵢ = 1/vᵢ of the
//! continuity-corrected effect sizes (metafor `rma.glmm`, `I2`, `H2`, `vt`; Higgins & Thompson
//! 2002). There are no intervals for τ² and I². The likelihood-ratio Q is in the `glmm` block.

use super::{EffectSizes, Measure, ModelError};
use crate::dist::p_chisq_upper;
use crate::effect::two_arm::{TwoArmMeasure, TwoByTwo};
use crate::fit::glmm::{fit_odds_ratio, fit_proportions, pooled, GlmmEstimate, GlmmPooled};
use crate::fit::heterogeneity::Heterogeneity;
use crate::settings::{FitSettings, GlmmModel, ProportionMeasure};

/// The GLMM of the studies at `fitted` (proportions) or of every 2×2 table (odds ratios).
///
/// # Errors
/// [`ModelError::GlmmMeasure`] for a measure without a GLMM, [`ModelError::Glmm`] when the
/// model has no finite estimate.
pub(super) fn fit_glmm(
    data: &EffectSizes,
    fitted: &[usize],
    model: GlmmModel,
) -> Result<GlmmEstimate, ModelError> {
    let result = match data.measure {
        Measure::Proportion(ProportionMeasure::Plogit) => {
            let (events, n): (Vec<u64>, Vec<u64>) = fitted
                .iter()
                .filter_map(|&i| Some((data.studies[i].events?, data.studies[i].n?)))
                .unzip();
            if events.len() != fitted.len() {
                return Err(ModelError::GlmmMeasure {
                    measure: data.measure.sm(),
                });
            }
            fit_proportions(&events, &n)
        }
        Measure::TwoArm(TwoArmMeasure::Or) | Measure::Binary(TwoArmMeasure::Or) => {
            let tables: Option<Vec<TwoByTwo>> = data.studies.iter().map(|s| s.table).collect();
            let tables = tables.ok_or(ModelError::GlmmMeasure {
                measure: data.measure.sm(),
            })?;
            fit_odds_ratio(&tables, model)
        }
        other => {
            return Err(ModelError::GlmmMeasure {
                measure: other.sm(),
            })
        }
    };
    result.map_err(ModelError::Glmm)
}

/// The GLMM's intervals, and the heterogeneity of `iv` (the inverse-variance fit of the same
/// studies, for s²) with the GLMM's Q, τ², I² and H².
pub(super) fn glmm_results(
    est: &GlmmEstimate,
    iv: Option<&Heterogeneity>,
    settings: &FitSettings,
) -> (GlmmPooled, Option<Heterogeneity>) {
    let parts = pooled(est, settings);
    let tau2 = est.tau2;
    let heterogeneity = iv.map(|h| {
        let df = est.info.k.saturating_sub(1) as f64;
        let i2 = 100.0 * tau2 / (tau2 + h.s2);
        let h2 = tau2 / h.s2 + 1.0;
        Heterogeneity {
            q: est.q_wald,
            df,
            p: p_chisq_upper(est.q_wald, df),
            tau2,
            tau2_lower: None,
            tau2_upper: None,
            tau: tau2.sqrt(),
            i2,
            i2_lower: None,
            i2_upper: None,
            h2,
            i2_tau: i2,
            h2_tau: h2,
            s2: h.s2,
        }
    });
    (parts, heterogeneity)
}

/// Notes for the user about a GLMM fit.
pub(super) fn glmm_warnings(est: &GlmmEstimate) -> Vec<String> {
    let mut w = Vec::new();
    let info = &est.info;
    if info.boundary && info.k > 1 {
        w.push(
            "GLMM: tau² is estimated at the boundary 0 (the random-effects fit equals the common \
             effect)"
                .to_string(),
        );
    }
    if !info.converged {
        w.push(format!(
            "GLMM: the optimiser stopped after {} iterations without meeting its convergence \
             criterion; the estimates are the best found",
            info.iterations
        ));
    }
    if est.se_from_mu_only {
        w.push(
            "GLMM: the joint information of (mu, tau) is singular; the standard error of the \
             pooled value is from mu's curvature alone"
                .to_string(),
        );
    }
    w
}
