//! Leave-one-out analysis (metafor `leave1out`; R meta `metainf`; Stata `meta summarize,
//! leaveoneout`): the model refitted once without each study, with the same τ² estimator,
//! confidence-interval method, level and common-effect method as the model itself.
//!
//! With a Mantel–Haenszel or Peto common effect the refits use the remaining 2×2 tables, as
//! metafor's `leave1out.rma.mh` and `leave1out.rma.peto` do, and every study with a table is
//! left out in turn (a double-zero table counts in those estimates); otherwise every study in
//! the fit is.

use super::refit::{PooledRow, RefitRow, Refits, Subset};
use super::{PooledModel, Progress};
use crate::model::Rma;
use serde::Serialize;

/// The leave-one-out refits of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveOneOut {
    /// The model with every study, to read the rows against.
    pub full: PooledRow,
    /// One row per study left out, in the order of the data.
    pub rows: Vec<RefitRow>,
    /// What the user should know: too few studies, refits that failed or did not converge.
    pub warnings: Vec<String>,
}

/// Refits `model` without each of its studies in turn, reporting the `choice` estimate.
///
/// A study whose omission leaves nothing to fit (or an inestimable table-based estimate) gets
/// a row of nulls and a warning; with one study there is nothing to leave out and no row.
///
/// # Examples
/// ```
/// use alkstats::methods::{leave_one_out::leave_one_out, PooledModel};
/// use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
/// use alkstats::settings::{FitSettings, GenericMeasure, TauMethod};
/// let studies = vec![
///     Study::new("A", 2, 0.1, 0.04),
///     Study::new("B", 3, 0.5, 0.02),
///     Study::new("C", 4, 0.3, 0.03),
/// ];
/// let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
/// let fit = FitSettings { method_tau: TauMethod::Dl, ..FitSettings::default() };
/// let model = Rma::fit(data, ModelSettings::inverse_variance(fit)).unwrap();
/// let loo = leave_one_out(&model, PooledModel::Random, &());
/// assert_eq!(loo.rows.len(), 3);
/// assert_eq!(loo.rows[0].study, "A");
/// assert_eq!(loo.rows[0].fit.k, 2);
/// ```
pub fn leave_one_out(model: &Rma, choice: PooledModel, progress: &dyn Progress) -> LeaveOneOut {
    let refits = Refits::new(model, choice);
    let units = refits.units();
    let mut warnings = Vec::new();
    match units.len() {
        0 | 1 => warnings.push(
            "k = 1: leave-one-out needs at least 2 studies; there is no study to leave out".into(),
        ),
        2 => warnings.push(
            "k = 2: each leave-one-out fit is of one study, so its Q, τ² and I² are null".into(),
        ),
        _ => {}
    }
    let results = if units.len() < 2 {
        Vec::new()
    } else {
        refits.run(units.len(), progress, |j, s| {
            refits.refit(Subset::Without(units[j]), s)
        })
    };
    let k = units.len().saturating_sub(1);
    let rows = units
        .iter()
        .zip(results)
        .map(|(&i, r)| RefitRow::new(model, i, k, "omitting", r, &mut warnings))
        .collect();
    LeaveOneOut {
        full: PooledRow::of_model(model, choice),
        rows,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EffectSizes, Measure, ModelSettings, Study};
    use crate::settings::{FitSettings, ProportionMeasure, RandomCi, TauMethod};

    fn model(tau: TauMethod, ci: RandomCi) -> Rma {
        let y = [0.42, -0.3, 0.91, 0.15, 0.6, -0.05, 1.2];
        let v = [0.05, 0.08, 0.11, 0.04, 0.09, 0.2, 0.15];
        let n = [40, 25, 18, 60, 22, 10, 15];
        let studies = (0..y.len())
            .map(|i| Study {
                n: Some(n[i]),
                ..Study::new(format!("S{i}"), i as u64 + 2, y[i], v[i])
            })
            .collect();
        let data = EffectSizes::new(Measure::Proportion(ProportionMeasure::Pft), studies);
        let fit = FitSettings {
            method_tau: tau,
            random_ci: ci,
            ..FitSettings::default()
        };
        Rma::fit(data, ModelSettings::inverse_variance(fit)).unwrap()
    }

    /// Every field of two rows, relative to the larger magnitude (absolute below 1).
    fn assert_close(a: &PooledRow, b: &PooledRow, tol: f64, what: &str) {
        let fields = |r: &PooledRow| {
            [
                r.yi, r.se, r.lower_yi, r.upper_yi, r.stat, r.df, r.p, r.estimate, r.lower,
                r.upper, r.q, r.q_df, r.q_p, r.tau2, r.i2, r.i2_tau,
            ]
        };
        assert_eq!(a.k, b.k, "{what}");
        for (i, (x, y)) in fields(a).into_iter().zip(fields(b)).enumerate() {
            match (x, y) {
                (Some(x), Some(y)) => {
                    let d = (x - y).abs() / x.abs().max(y.abs()).max(1.0);
                    assert!(d <= tol, "{what}: field {i}: {x} vs {y}");
                }
                (x, y) => assert_eq!(x, y, "{what}: field {i}"),
            }
        }
    }

    /// The fast paths give what a full refit of the subset gives (the harmonic-mean n of the
    /// Freeman–Tukey back-transformation included): to the last bits where the subset is
    /// copied and fitted, to rounding where DL and HE downdate the sums over every study.
    #[test]
    fn rows_equal_full_refits_of_each_subset() {
        for tau in TauMethod::ALL {
            for ci in RandomCi::ALL {
                let m = model(*tau, *ci);
                for choice in PooledModel::ALL {
                    let loo = leave_one_out(&m, *choice, &());
                    assert!(loo.warnings.is_empty(), "{:?}", loo.warnings);
                    for (j, row) in loo.rows.iter().enumerate() {
                        let keep: Vec<usize> = (0..7).filter(|&i| i != j).collect();
                        let r = m.refit_subset(&keep).unwrap();
                        let expected = PooledRow::of_model(&r, *choice);
                        let what = format!("{tau} {ci} {choice} without {j}");
                        // DL and HE are downdated sums; ML and REML start at the full
                        // model's τ² (a warm start): both agree with the fit from scratch to
                        // rounding and to the estimators' 1e-12 convergence, not bit for bit.
                        assert_close(&row.fit, &expected, 1e-10, &what);
                    }
                }
            }
        }
    }

    /// Leaving out the one different study leaves identical effects: Q is 0 exactly (not a
    /// rounding residue that would give a Hartung–Knapp SE of 1e-17), as in a fit from scratch;
    /// nearly equal effects put DL and HE at the boundary τ² = 0.
    #[test]
    fn downdating_meets_identical_effects_and_the_boundary() {
        for y in [[0.2, 0.2, 0.2, 0.9], [0.2, 0.21, 0.19, 0.2]] {
            let studies = (0..4)
                .map(|i| Study::new(format!("S{i}"), i as u64 + 2, y[i], 0.04 + 0.01 * i as f64))
                .collect();
            let data = EffectSizes::new(
                Measure::Generic(crate::settings::GenericMeasure::Gen),
                studies,
            );
            for tau in [TauMethod::Dl, TauMethod::He] {
                let fit = FitSettings {
                    method_tau: tau,
                    random_ci: RandomCi::Hk,
                    ..FitSettings::default()
                };
                let m = Rma::fit(data.clone(), ModelSettings::inverse_variance(fit)).unwrap();
                let loo = leave_one_out(&m, PooledModel::Random, &());
                for (j, row) in loo.rows.iter().enumerate() {
                    let keep: Vec<usize> = (0..4).filter(|&i| i != j).collect();
                    let r = m.refit_subset(&keep).unwrap();
                    let expected = PooledRow::of_model(&r, PooledModel::Random);
                    assert_close(
                        &row.fit,
                        &expected,
                        1e-13,
                        &format!("{y:?} {tau} without {j}"),
                    );
                }
                if y[3] == 0.9 {
                    assert_eq!(loo.rows[3].fit.q, Some(0.0));
                    assert_eq!(loo.rows[3].fit.se, Some(0.0), "HK SE of identical effects");
                    assert_eq!(loo.rows[3].fit.stat, None, "μ̂/0 is not a finite statistic");
                }
            }
        }
    }

    #[test]
    fn one_study_has_nothing_to_leave_out_and_two_give_null_heterogeneity() {
        let m = model(TauMethod::Reml, RandomCi::Classic);
        let one = m.refit_subset(&[0]).unwrap();
        let loo = leave_one_out(&one, PooledModel::Random, &());
        assert!(loo.rows.is_empty());
        assert!(loo.warnings[0].starts_with("k = 1"));
        let two = m.refit_subset(&[0, 1]).unwrap();
        let loo = leave_one_out(&two, PooledModel::Random, &());
        assert_eq!(loo.rows.len(), 2);
        assert_eq!(loo.rows[0].fit.yi, Some(-0.3));
        assert_eq!(loo.rows[0].fit.tau2, None);
        assert!(loo.warnings[0].starts_with("k = 2"));
    }
}
