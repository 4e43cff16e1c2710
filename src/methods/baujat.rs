//! The coordinates of a Baujat plot (Baujat et al. 2002, Stat Med 21:2641–2652; metafor
//! `baujat`): each study's contribution to the heterogeneity against its influence on the
//! pooled result.
//!
//! # Formula
//! ```text
//! x = (yᵢ − β̂)² / (vᵢ + τ̂²)         (squared Pearson residual; its Q contribution when τ̂² = 0)
//! y = (β̂₋ᵢ − β̂)² / Var(β̂₋ᵢ)        (from the leave-one-out refit without study i)
//! ```
//! with τ̂² the random-effects model's, or 0 for a common effect (inverse variance,
//! Mantel–Haenszel or Peto), as metafor's `baujat.rma` uses the model's `tau2`.

use super::leave_one_out::LeaveOneOut;
use super::PooledModel;
use crate::model::Rma;
use serde::Serialize;

/// One study of a Baujat plot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaujatPoint {
    /// The study.
    pub study: String,
    /// Its line in the input file.
    pub line: u64,
    /// Its index in the model's data (not in the JSON).
    #[serde(skip)]
    pub index: usize,
    /// Contribution to the overall heterogeneity (squared Pearson residual).
    pub x: f64,
    /// Influence on the overall result.
    pub y: f64,
}

/// The Baujat points of `model`'s `choice` estimate from its leave-one-out refits `loo`; a
/// study without an effect size or whose refit failed has no point.
pub fn baujat(model: &Rma, choice: PooledModel, loo: &LeaveOneOut) -> Vec<BaujatPoint> {
    let (beta, tau2) = match choice {
        PooledModel::Random => (model.random().yi, model.tau2()),
        PooledModel::Common => (model.common().yi, 0.0),
    };
    let studies = &model.data().studies;
    loo.rows
        .iter()
        .filter_map(|row| {
            let (yi, vi) = studies.get(row.index)?.effect?;
            let (beta_del, se_del) = (row.fit.yi?, row.fit.se?);
            let point = BaujatPoint {
                study: row.study.clone(),
                line: row.line,
                index: row.index,
                x: (yi - beta).powi(2) / (vi + tau2),
                y: (beta_del - beta).powi(2) / (se_del * se_del),
            };
            (point.x.is_finite() && point.y.is_finite()).then_some(point)
        })
        .collect()
}
