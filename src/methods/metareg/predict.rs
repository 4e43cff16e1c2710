//! Predicted effects along one continuous moderator, with confidence and prediction bands:
//! what the bubble plot draws (metafor `predict.rma` as `regplot` uses it). The other
//! moderators are held at their means over the studies (for a level of a categorical one, the
//! share of studies at that level), as `regplot` does.

use super::inference::Test;
use super::{MetaRegError, MetaRegFit};
use crate::dist;
use crate::fit::design::dot;
use serde::Serialize;

/// One point of the fitted line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// Moderator value.
    pub x: f64,
    /// Predicted effect x₀′β̂.
    pub fit: f64,
    /// Confidence band: fit ∓ c·se, se² = x₀′ V x₀.
    pub ci: (f64, f64),
    /// Prediction band: fit ∓ c·√(se² + τ²).
    pub pi: (f64, f64),
}

/// The line of `column` over the range of its values, at `points` evenly spaced values (≥ 2),
/// and the column's value of each study. c is the normal quantile (Wald) or the t quantile
/// with k − p df (Knapp–Hartung), as metafor's `predict`.
///
/// # Errors
/// [`MetaRegError::NotContinuous`] when `column` is not a continuous moderator of the fit.
pub fn predict_along(
    fit: &MetaRegFit,
    column: &str,
    points: usize,
) -> Result<(Vec<Prediction>, Vec<f64>), MetaRegError> {
    let mods = &fit.moderators;
    let j = mods
        .continuous
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(column))
        .map(|&(_, j)| j)
        .ok_or_else(|| MetaRegError::NotContinuous {
            column: column.to_string(),
            continuous: mods
                .continuous
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let (k, p) = (mods.design.k(), mods.design.p());
    let xs: Vec<f64> = (0..k).map(|i| mods.design.row(i)[j]).collect();
    let means: Vec<f64> = (0..p)
        .map(|a| (0..k).map(|i| mods.design.row(i)[a]).sum::<f64>() / k as f64)
        .collect();
    let crit = match fit.test {
        Test::Z => dist::z_crit(fit.level),
        Test::Knha => dist::t_crit(fit.level, (k - p) as f64).unwrap_or(f64::NAN),
    };
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let n = points.max(2);
    let line = (0..n)
        .map(|s| {
            let x = lo + (hi - lo) * s as f64 / (n - 1) as f64;
            let mut x0 = means.clone();
            x0[j] = x;
            let est = dot(&x0, &fit.beta);
            let var: f64 = (0..p)
                .map(|a| (0..p).map(|b| x0[a] * fit.vb[(a, b)] * x0[b]).sum::<f64>())
                .sum();
            let se = var.max(0.0).sqrt();
            let se_pi = (var.max(0.0) + fit.result.tau2).sqrt();
            Prediction {
                x,
                fit: est,
                ci: (est - crit * se, est + crit * se),
                pi: (est - crit * se_pi, est + crit * se_pi),
            }
        })
        .collect();
    Ok((line, xs))
}
