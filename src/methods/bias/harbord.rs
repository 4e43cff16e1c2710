//! Harbord's score-based test for funnel-plot asymmetry in two-arm binary data (Harbord,
//! Egger & Sterne 2006, Stat Med 25:3443–3457; Harbord, Harris & Sterne 2009, Stata J
//! 9:197–210), the default of `meta::metabias` for odds ratios.
//!
//! # Formula
//! From each 2×2 table (a, b events and non-events on treatment, c, d on control; n₁, n₂, N;
//! raw counts), the efficient score Z and its variance V under the null:
//! - odds ratio: Z = a − (a + c)·n₁/N, V = n₁n₂(a + c)(b + d)/(N²(N − 1));
//! - risk ratio (Harbord et al. 2009, p. 200): Z = (a·N − (a + c)·n₁)/(b + d),
//!   V = n₁n₂(a + c)/(N(b + d)).
//!
//! Z/V is regressed on 1/√V with weights V (equivalently Z/√V on √V, unweighted) with
//! multiplicative dispersion; the slope is tested with t on k − 2 degrees of freedom. For a
//! risk difference the odds-ratio score is used, with a warning, as meta does.
//!
//! meta 6.x computes the risk-ratio V as above and then overwrites it with N/4·(a + c)/(b + d)
//! (equal to it when n₁ = n₂); alkstats follows the published formula.

use super::data::{BiasData, BiasError};
use super::line::lm;
use super::regression::from_lm;
use super::result::RegressionTest;
use crate::effect::two_arm::TwoArmMeasure;
use crate::model::{Measure, Rma};

/// Harbord's test on the studies of `model`; the second value is a note for the user (the
/// odds-ratio score used for a risk difference).
///
/// # Errors
/// Data without 2×2 tables, fewer than three studies, or scores whose variance does not vary.
pub fn harbord(model: &Rma) -> Result<(RegressionTest, Option<String>), BiasError> {
    let d = BiasData::of(model);
    let measure = match d.measure {
        Measure::TwoArm(m) | Measure::Binary(m) => m,
        _ => return Err(BiasError::NeedsTables(d.scale())),
    };
    d.need(3)?;
    let mut x = Vec::with_capacity(d.k());
    let mut y = Vec::with_capacity(d.k());
    let mut w = Vec::with_capacity(d.k());
    for s in &d.studies {
        let t = s.table.ok_or(BiasError::NeedsTables(d.scale()))?;
        let (n1, n2, n) = (t.n1(), t.n2(), t.n());
        let (events, non_events) = (t.a + t.c, t.b + t.d);
        let (z, v) = match measure {
            TwoArmMeasure::Rr => (
                (t.a * n - events * n1) / non_events,
                n1 * n2 * events / (n * non_events),
            ),
            TwoArmMeasure::Or | TwoArmMeasure::Rd => (
                t.a - events * n1 / n,
                n1 * n2 * events * non_events / (n * n * (n - 1.0)),
            ),
        };
        if !(v > 0.0 && v.is_finite()) {
            return Err(BiasError::UndefinedWeight {
                study: s.label.clone(),
                line: s.line,
                what: "no events or no non-events in both arms together",
            });
        }
        x.push(1.0 / v.sqrt());
        y.push(z / v);
        w.push(v);
    }
    let fit = lm(&x, &y, &w).ok_or(BiasError::SamePrecision)?;
    let level = model.settings().fit.level.get();
    let note = (measure == TwoArmMeasure::Rd).then(|| {
        "Harbord's test uses the odds-ratio score for a risk difference (as meta::metabias); its \
         limit is a log odds ratio"
            .to_string()
    });
    // The limit is on the log scale of the score's ratio.
    let back = |v: f64| {
        (measure != TwoArmMeasure::Rd)
            .then(|| v.exp())
            .filter(|e| e.is_finite())
    };
    Ok((
        from_lm(&fit, "standard error of the score", level, &back),
        note,
    ))
}
