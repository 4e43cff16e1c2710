//! Meta-regression against metafor 3.8: every case of `tests/fixtures/metafor_metareg.json`
//! (written by `tests/r/metareg_fixtures.R`: `rma(yi, vi, mods = ~ …)` on metadat datasets
//! with continuous and categorical moderators, every τ² estimator offered with moderators and
//! the fixed-effects model, Wald and Knapp–Hartung tests, converged to 1e-12) is fitted with
//! [`alkstats::methods::metareg::metareg`] and every reported number compared at [`METAREG`]
//! (relative 1e-6): coefficients with their tests and limits, τ² with its Q-profile interval
//! (`confint`), I², H², R², Q_M, Q_E, fitted values and residuals.

mod support;

use alkstats::methods::metareg::{metareg, MetaRegSettings};
use alkstats::methods::PooledModel;
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{FitSettings, GenericMeasure, RandomCi, TauMethod};
use serde_json::Value;
use support::{f, fixture, Checker, I2_FLOOR, METAREG, TAU2_FLOOR};

fn model(case: &Value, method: TauMethod, ci: RandomCi) -> Rma {
    let studies = case["studies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = s["study"].as_str().unwrap();
            let mut study = Study::new(label, i as u64 + 2, f(&s["yi"]), f(&s["vi"]));
            for (k, v) in s["fields"].as_object().unwrap() {
                std::sync::Arc::make_mut(&mut study.fields)
                    .insert(k.clone(), v.as_str().unwrap().into());
            }
            study
        })
        .collect();
    let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
    let fit = FitSettings {
        method_tau: method,
        random_ci: ci,
        ..FitSettings::default()
    };
    Rma::fit(data, ModelSettings::inverse_variance(fit)).unwrap()
}

/// The settings of a fixture case.
pub fn settings(case: &Value, common: bool) -> MetaRegSettings {
    MetaRegSettings {
        moderators: case["moderators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect(),
        references: case["references"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect(),
        model: if common {
            PooledModel::Common
        } else {
            PooledModel::Random
        },
        studies: true,
    }
}

#[test]
fn meta_regression_matches_metafor() {
    let fx = fixture("metafor_metareg.json");
    let mut c = Checker::default();
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        for e in case["fits"].as_array().unwrap() {
            let method = e["method"].as_str().unwrap();
            let test = e["test"].as_str().unwrap();
            let at = format!("{name} {method} {test}");
            let ci = if test == "knha" {
                RandomCi::Hk
            } else {
                RandomCi::Classic
            };
            let common = method == "FE";
            let tau = if common {
                TauMethod::Reml
            } else {
                method.parse().unwrap()
            };
            let r = metareg(&model(case, tau, ci), &settings(case, common))
                .unwrap_or_else(|err| panic!("{at}: {err}"))
                .result;
            assert_eq!(r.k as u64, e["k"].as_u64().unwrap(), "{at}: k");
            let coefs = e["coefficients"].as_array().unwrap();
            assert_eq!(r.coefficients.len(), coefs.len(), "{at}: terms");
            for (ours, theirs) in r.coefficients.iter().zip(coefs) {
                let t = theirs["term"].as_str().unwrap();
                assert_eq!(ours.term, t, "{at}: term");
                let w = |q: &str| format!("{at} {t} {q}");
                c.close_v(&w("estimate"), ours.estimate, &theirs["estimate"], METAREG);
                c.close_v(&w("se"), ours.se, &theirs["se"], METAREG);
                c.close_v(&w("stat"), ours.stat, &theirs["stat"], METAREG);
                c.close_opt(&w("p"), ours.p, &theirs["p"], METAREG);
                c.close_v(&w("lower"), ours.lower, &theirs["lower"], METAREG);
                c.close_v(&w("upper"), ours.upper, &theirs["upper"], METAREG);
            }
            let w = |q: &str| format!("{at} {q}");
            c.close_floor(&w("tau2"), r.tau2, &e["tau2"], METAREG, TAU2_FLOOR);
            for (q, ours) in [("tau2_lower", r.tau2_lower), ("tau2_upper", r.tau2_upper)] {
                match ours {
                    Some(v) => c.close_floor(&w(q), v, &e[q], METAREG, TAU2_FLOOR),
                    None => c.close_opt(&w(q), None, &e[q], METAREG),
                }
            }
            c.close_floor(&w("i2"), r.i2, &e["i2"], METAREG, I2_FLOOR);
            c.close_floor(
                &w("h2"),
                r.h2 - 1.0,
                &(f(&e["h2"]) - 1.0).into(),
                METAREG,
                I2_FLOOR,
            );
            match r.r2 {
                Some(v) => c.close_floor(&w("r2"), v, &e["r2"], METAREG, I2_FLOOR),
                None => c.close_opt(&w("r2"), None, &e["r2"], METAREG),
            }
            c.close_v(&w("qm"), r.qm.stat, &e["qm"], METAREG);
            c.close_v(&w("qm_df"), r.qm.df, &e["qm_df"], METAREG);
            match r.qm.df2 {
                Some(v) => c.close_v(&w("qm_df2"), v, &e["qm_df2"], METAREG),
                None => assert!(e["qm_df2"].is_null(), "{at}: qm df2"),
            }
            c.close_opt(&w("qm_p"), r.qm.p, &e["qm_p"], METAREG);
            c.close_v(&w("qe"), r.qe.stat, &e["qe"], METAREG);
            c.close_v(&w("qe_df"), r.qe.df, &e["qe_df"], METAREG);
            c.close_opt(&w("qe_p"), r.qe.p, &e["qe_p"], METAREG);
            let studies = r.studies.as_ref().unwrap();
            let fitted = e["fitted"].as_array().unwrap();
            let resid = e["residual"].as_array().unwrap();
            for (i, s) in studies.iter().enumerate() {
                c.close_v(&w(&format!("fitted {i}")), s.fitted, &fitted[i], METAREG);
                let scale = f(&fitted[i]).abs().max(1.0);
                // A residual is a difference of two O(1) numbers: relative to their scale.
                c.close(
                    &w(&format!("residual {i}")),
                    s.residual / scale,
                    f(&resid[i]) / scale,
                    METAREG,
                );
            }
        }
    }
    c.finish("metareg vs metafor");
}
