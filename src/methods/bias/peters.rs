//! Peters' regression test for funnel-plot asymmetry (Peters, Sutton, Jones, Abrams & Rushton
//! 2006, JAMA 295:676–680), for binary outcomes.
//!
//! # Formula
//! Weighted least squares of yᵢ on 1/nᵢ (nᵢ the study's total sample size) with weights
//! 1/(1/dᵢ + 1/hᵢ) — dᵢ the events and hᵢ the non-events of the study, both arms together —
//! and multiplicative dispersion; the slope is tested with t on k − 2 degrees of freedom. For
//! single proportions dᵢ and hᵢ are the arm's events and non-events. This is
//! `meta::metabias(method.bias = "Peters")` as documented for `metabin` and `metaprop` (raw
//! counts, without continuity correction, in the weights), written with `lm()` in
//! tests/r/bias_fixtures.R.

use super::data::{BiasData, BiasError};
use super::line::lm;
use super::regression::from_lm;
use super::result::RegressionTest;
use crate::model::{Measure, Rma, Study};

/// Events, non-events and total of a study, where its counts are known.
fn counts(s: &Study, measure: Measure) -> Option<(f64, f64)> {
    if let Some(t) = s.table {
        return Some((t.a + t.c, t.b + t.d));
    }
    match (measure, s.events, s.n) {
        (Measure::Proportion(_), Some(e), Some(n)) if e <= n => Some((e as f64, (n - e) as f64)),
        _ => None,
    }
}

/// Peters' test on the studies of `model`.
///
/// # Errors
/// Data without event counts, a study without events or without non-events (its weight is
/// undefined), fewer than three studies, or all studies of one size.
pub fn peters(model: &Rma) -> Result<RegressionTest, BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    let mut x = Vec::with_capacity(d.k());
    let mut w = Vec::with_capacity(d.k());
    for s in &d.studies {
        let (events, non_events) = counts(s, d.measure).ok_or(BiasError::NeedsCounts(d.scale()))?;
        let what = if events == 0.0 {
            "no events"
        } else if non_events == 0.0 {
            "no non-events"
        } else {
            ""
        };
        if !what.is_empty() {
            return Err(BiasError::UndefinedWeight {
                study: s.label.clone(),
                line: s.line,
                what,
            });
        }
        x.push(1.0 / (events + non_events));
        w.push(1.0 / (1.0 / events + 1.0 / non_events));
    }
    let fit = lm(&x, &d.yi, &w).ok_or_else(|| {
        BiasError::NotEstimable("all studies have the same size, so 1/n does not vary".into())
    })?;
    let level = model.settings().fit.level.get();
    Ok(from_lm(&fit, "1/n", level, &|y| model.back(y)))
}
