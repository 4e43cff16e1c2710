//! Common-effect estimators that work on 2×2 tables rather than on (yᵢ, vᵢ): Mantel–Haenszel
//! (with or without a continuity correction) and Peto's odds ratio, as alternatives to the
//! inverse-variance estimate of the same fitted model (metafor `rma.mh`, `rma.peto`).
//!
//! With either, Q is taken about the chosen common estimate with inverse-variance weights
//! (metafor), and for Peto's method it is Peto's own Σ(O−E)²/V − (Σ(O−E))²/ΣV on the raw counts.

use super::{EffectSizes, ModelError};
use crate::dist::p_chisq_upper;
use crate::effect::two_arm::{TwoArmMeasure, TwoByTwo};
use crate::fit::heterogeneity::{i2_interval_higgins_thompson, Heterogeneity};
use crate::fit::mantel_haenszel::{mantel_haenszel, mantel_haenszel_weights, peto, TableFit};
use crate::fit::Pooled;
use crate::settings::CompareMethod;

/// A table-based common-effect estimate with its weights over every study of the data.
pub(super) struct TableEstimate {
    /// The estimate.
    pub common: Pooled,
    /// Weights in percent, one per study of the data (0 for a study the method leaves out).
    pub weights: Vec<f64>,
    /// Peto's Q and the number of tables it is over.
    pub peto_q: Option<(f64, usize)>,
}

fn pooled(t: TableFit) -> Pooled {
    Pooled {
        yi: t.yi,
        se: t.se,
        lower: t.lower,
        upper: t.upper,
        stat: t.z,
        p: Some(t.p),
        df: None,
    }
}

fn two_arm_measure(data: &EffectSizes) -> Result<TwoArmMeasure, ModelError> {
    match data.measure {
        super::Measure::TwoArm(m) | super::Measure::Binary(m) => Ok(m),
        other => Err(ModelError::NeedsTables {
            method: CompareMethod::Mh,
            measure: other.sm(),
        }),
    }
}

/// The tables of every study; a study without one is an error naming it.
fn tables(data: &EffectSizes, method: CompareMethod) -> Result<Vec<TwoByTwo>, ModelError> {
    data.studies
        .iter()
        .map(|s| {
            s.table.ok_or_else(|| ModelError::NeedsTables {
                method,
                measure: data.measure.sm(),
            })
        })
        .collect()
}

/// The common effect of `method` (not inverse variance) over `data`, at `level`.
///
/// Mantel–Haenszel uses every table, double-zero ones included (metafor `rma.mh`); MH-cc adds
/// `incr` to the tables with a zero cell and leaves out the double-zero ones
/// (`meta::metabin(MH.exact = FALSE)`); Peto uses every table.
///
/// # Errors
/// [`ModelError::NeedsTables`] without 2×2 tables, [`ModelError::PetoNeedsOddsRatio`],
/// [`ModelError::NotEstimable`] when the estimate is undefined (e.g. no events).
pub(super) fn table_estimate(
    data: &EffectSizes,
    method: CompareMethod,
    incr: f64,
    level: f64,
) -> Result<TableEstimate, ModelError> {
    let measure = two_arm_measure(data)?;
    let all = tables(data, method)?;
    match method {
        CompareMethod::Iv => Err(ModelError::NeedsTables {
            method,
            measure: data.measure.sm(),
        }),
        CompareMethod::Mh => {
            let t = mantel_haenszel(&all, measure, level)
                .ok_or(ModelError::NotEstimable { method, measure })?;
            Ok(TableEstimate {
                common: pooled(t),
                weights: mantel_haenszel_weights(&all, measure),
                peto_q: None,
            })
        }
        CompareMethod::MhCc => {
            let kept = data.estimable();
            let corrected: Vec<TwoByTwo> = kept
                .iter()
                .map(|&i| {
                    let t = all[i];
                    if t.has_zero_cell() {
                        t.plus(incr)
                    } else {
                        t
                    }
                })
                .collect();
            let t = mantel_haenszel(&corrected, measure, level)
                .ok_or(ModelError::NotEstimable { method, measure })?;
            let mut weights = vec![0.0; all.len()];
            for (&i, w) in kept
                .iter()
                .zip(mantel_haenszel_weights(&corrected, measure))
            {
                weights[i] = w;
            }
            Ok(TableEstimate {
                common: pooled(t),
                weights,
                peto_q: None,
            })
        }
        CompareMethod::Peto => {
            if measure != TwoArmMeasure::Or {
                return Err(ModelError::PetoNeedsOddsRatio { measure });
            }
            let (t, q, k) =
                peto(&all, level).ok_or(ModelError::NotEstimable { method, measure })?;
            // Peto's weights are the hypergeometric variances Vᵢ.
            let v: Vec<f64> = all
                .iter()
                .map(|t| {
                    t.n1() * t.n2() * (t.a + t.c) * (t.b + t.d) / (t.n() * t.n() * (t.n() - 1.0))
                })
                .collect();
            let total: f64 = v.iter().sum();
            Ok(TableEstimate {
                common: pooled(t),
                weights: v.iter().map(|x| 100.0 * x / total).collect(),
                peto_q: Some((q, k)),
            })
        }
    }
}

/// Heterogeneity of a fit whose common estimate is table-based: Q about that estimate with
/// inverse-variance weights (metafor `rma.mh`), or Peto's Q with df = (tables − 1)
/// (metafor `rma.peto`); I² and its Higgins–Thompson interval follow from that Q.
pub(super) fn table_heterogeneity(
    h: &mut Heterogeneity,
    yi: &[f64],
    vi: &[f64],
    est: &TableEstimate,
    level: f64,
) {
    let q = match est.peto_q {
        Some((q, k_peto)) => {
            h.df = k_peto.saturating_sub(1) as f64;
            q
        }
        None => yi
            .iter()
            .zip(vi)
            .map(|(y, v)| (y - est.common.yi).powi(2) / v)
            .sum(),
    };
    h.q = q;
    h.p = p_chisq_upper(q, h.df);
    h.i2 = if q > 0.0 {
        ((q - h.df) / q).max(0.0) * 100.0
    } else {
        0.0
    };
    h.h2 = (q / h.df).max(1.0);
    let ci = i2_interval_higgins_thompson(q, yi.len(), level);
    h.i2_lower = ci.map(|c| c.0);
    h.i2_upper = ci.map(|c| c.1);
}
