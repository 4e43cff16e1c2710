//! The intervals of a fit: Wald, the random-effects CI variants (classic, Hartung–Knapp,
//! HK ad hoc) and the prediction interval.

use super::tau2::WeightedSums;
use super::{FitWorkspace, Interval, Pooled};
use crate::dist;
use crate::settings::{PredictionMethod, RandomCi};

pub(super) fn wald(yi: f64, se: f64, z: f64) -> Pooled {
    let stat = yi / se;
    Pooled {
        yi,
        se,
        lower: yi - z * se,
        upper: yi + z * se,
        stat,
        p: Some(dist::p_two_sided_normal(stat)).filter(|p| p.is_finite()),
        df: None,
    }
}

/// Random-effects mean with the chosen CI method.
///
/// - classic: Wald z with se = 1/√Σw*.
/// - hk: Hartung & Knapp (2001), Stat Med 20:3875–3889; Sidik & Jonkman (2002):
///   se² = Σw*(y−μ̂)² / ((k−1)Σw*), t with k − 1 df.
/// - hk-adhoc: Knapp & Hartung (2003), Stat Med 22:2693–2710; Röver, Knapp & Friede (2015):
///   the HK variance factor is replaced by max(1, factor), so the interval is never narrower than
///   the classic one (metafor `test = "adhoc"`).
pub(super) fn random_effects(
    s: &WeightedSums,
    k: usize,
    method: RandomCi,
    ws: &mut FitWorkspace,
) -> Pooled {
    let se_classic = (1.0 / s.sw).sqrt();
    if method == RandomCi::Classic || k < 2 {
        return wald(s.mu, se_classic, ws.z);
    }
    let df = (k - 1) as f64;
    let factor = s.q / df;
    let factor = if method == RandomCi::HkAdhoc {
        factor.max(1.0)
    } else {
        factor
    };
    let se = (factor / s.sw).sqrt();
    let t = ws.t_crit(k - 1).unwrap_or(f64::NAN);
    // Identical studies give se = 0: the interval collapses onto μ̂ and the statistic is ±∞
    // with p = 0, as in metafor (JSON shows the infinite statistic as null).
    let stat = s.mu / se;
    Pooled {
        yi: s.mu,
        se,
        lower: s.mu - t * se,
        upper: s.mu + t * se,
        stat,
        p: dist::p_two_sided_t(stat, df),
        df: Some(df),
    }
}

/// Prediction interval on the classic random-effects SE: μ̂ ± c·√(se² + τ²), with c from
/// t(k−1), t(k−2) (Higgins, Thompson & Spiegelhalter 2009, J R Stat Soc A 172:137–159) or z.
pub(super) fn prediction_interval(
    mu: f64,
    se_classic: f64,
    tau2: f64,
    k: usize,
    method: PredictionMethod,
    ws: &mut FitWorkspace,
) -> Option<Interval> {
    if k < 3 {
        return None;
    }
    let (crit, df) = match method {
        PredictionMethod::None => return None,
        PredictionMethod::Z => (ws.z, None),
        PredictionMethod::T => (ws.t_crit(k - 1)?, Some((k - 1) as f64)),
        PredictionMethod::Hts => (ws.t_crit(k - 2)?, Some((k - 2) as f64)),
    };
    let half = crit * (se_classic * se_classic + tau2).sqrt();
    Some(Interval {
        lower: mu - half,
        upper: mu + half,
        df,
    })
}
