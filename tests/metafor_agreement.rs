//! Agreement with metafor 3.8 on every transformation × τ² estimator × CI method, over the
//! datasets of `tests/fixtures/metafor_pool.json`. The fixture is produced by
//! `Rscript tests/r/metafor_fixtures.R` (escalc → rma.uni with tight control → predict/confint);
//! R is not needed to run these tests.

mod support;

use alkstats::effect::proportion::{back_transform, harmonic_mean, proportion_effect};
use alkstats::fit::fit;
use alkstats::settings::{
    FitSettings, Level, PredictionMethod, ProportionMeasure, RandomCi, TauMethod,
};
use serde_json::Value;
use support::{f, fixture, Checker, CLOSED_FORM, ITERATIVE};

fn is_iterative(m: TauMethod) -> bool {
    matches!(
        m,
        TauMethod::Reml | TauMethod::Ml | TauMethod::Pm | TauMethod::Eb
    )
}

fn check_case(c: &Value, chk: &mut Checker) {
    let sm: ProportionMeasure = c["sm"].as_str().unwrap().parse().unwrap();
    let method: TauMethod = c["method_tau"].as_str().unwrap().parse().unwrap();
    let id = format!("{}/{}/{}", c["dataset"].as_str().unwrap(), sm, method);
    if c["converged"] == Value::Bool(false) {
        chk.fail(format!(
            "{id}: fixture records a metafor failure: {}",
            c["note"]
        ));
        return;
    }
    let events: Vec<u64> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let n: Vec<u64> = c["n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let k = n.len();
    let (mut yi, mut vi) = (Vec::new(), Vec::new());
    for (i, (&x, &m)) in events.iter().zip(&n).enumerate() {
        let e = proportion_effect(x, m, sm, 0.5);
        chk.close_v(&format!("{id} yi[{i}]"), e.yi, &c["yi"][i], CLOSED_FORM);
        chk.close_v(&format!("{id} vi[{i}]"), e.vi, &c["vi"][i], CLOSED_FORM);
        yi.push(e.yi);
        vi.push(e.vi);
    }
    let tol = if is_iterative(method) {
        ITERATIVE
    } else {
        CLOSED_FORM
    };
    let n_hm = harmonic_mean(&n);
    let back = |y: f64| back_transform(y, sm, n_hm);

    for (ci, key) in [
        (RandomCi::Classic, "classic"),
        (RandomCi::Hk, "hk"),
        (RandomCi::HkAdhoc, "hk_adhoc"),
    ] {
        for pred in [
            PredictionMethod::T,
            PredictionMethod::Hts,
            PredictionMethod::Z,
        ] {
            let settings = FitSettings {
                method_tau: method,
                random_ci: ci,
                prediction: pred,
                level: Level::default(),
            };
            let fit = fit(&yi, &vi, &settings).unwrap();
            let id = format!("{id}/{ci}/{pred}");

            let cm = &c["common"];
            chk.close_v(
                &format!("{id} common.yi"),
                fit.common.yi,
                &cm["yi"],
                CLOSED_FORM,
            );
            chk.close_v(
                &format!("{id} common.se"),
                fit.common.se,
                &cm["se"],
                CLOSED_FORM,
            );
            chk.close_v(
                &format!("{id} common.z"),
                fit.common.stat,
                &cm["z"],
                CLOSED_FORM,
            );
            chk.close_opt(
                &format!("{id} common.p"),
                fit.common.p,
                &cm["p"],
                CLOSED_FORM,
            );
            chk.close_v(
                &format!("{id} common.lower_t"),
                fit.common.lower,
                &cm["lower_t"],
                CLOSED_FORM,
            );
            chk.close_v(
                &format!("{id} common.upper_t"),
                fit.common.upper,
                &cm["upper_t"],
                CLOSED_FORM,
            );
            chk.close_opt(
                &format!("{id} common.estimate"),
                back(fit.common.yi),
                &cm["estimate"],
                CLOSED_FORM,
            );
            chk.close_opt(
                &format!("{id} common.lower"),
                back(fit.common.lower),
                &cm["lower"],
                CLOSED_FORM,
            );
            chk.close_opt(
                &format!("{id} common.upper"),
                back(fit.common.upper),
                &cm["upper"],
                CLOSED_FORM,
            );
            for (i, w) in fit.weights_common.iter().enumerate() {
                chk.close_v(
                    &format!("{id} weights_common[{i}]"),
                    *w,
                    &c["weights_common"][i],
                    CLOSED_FORM,
                );
            }

            let r = &c["random"][key];
            chk.close_v(&format!("{id} random.yi"), fit.random.yi, &r["yi"], tol);
            chk.close_v(&format!("{id} random.se"), fit.random.se, &r["se"], tol);
            chk.close_v(
                &format!("{id} random.stat"),
                fit.random.stat,
                &r["stat"],
                tol,
            );
            chk.close_opt(&format!("{id} random.p"), fit.random.p, &r["p"], tol);
            chk.close_v(
                &format!("{id} random.lower_t"),
                fit.random.lower,
                &r["lower_t"],
                tol,
            );
            chk.close_v(
                &format!("{id} random.upper_t"),
                fit.random.upper,
                &r["upper_t"],
                tol,
            );
            chk.close_opt(
                &format!("{id} random.estimate"),
                back(fit.random.yi),
                &r["estimate"],
                tol,
            );
            chk.close_opt(
                &format!("{id} random.lower"),
                back(fit.random.lower),
                &r["lower"],
                tol,
            );
            chk.close_opt(
                &format!("{id} random.upper"),
                back(fit.random.upper),
                &r["upper"],
                tol,
            );
            for (i, w) in fit.weights_random.iter().enumerate() {
                chk.close_v(
                    &format!("{id} weights_random[{i}]"),
                    *w,
                    &c["weights_random"][i],
                    tol,
                );
            }

            // Prediction: SPEC.md reports null for k < 3 whatever metafor computes.
            let key = match pred {
                PredictionMethod::T => "t",
                PredictionMethod::Hts => "hts",
                PredictionMethod::Z => "z",
                PredictionMethod::None => unreachable!(),
            };
            if k < 3 {
                if fit.prediction.is_some() {
                    chk.fail(format!("{id}: prediction interval given for k = {k}"));
                }
            } else {
                let p = &c["prediction"][key];
                let got = fit.prediction.expect("prediction for k >= 3");
                chk.close_v(&format!("{id} pred.lower_t"), got.lower, &p["lower_t"], tol);
                chk.close_v(&format!("{id} pred.upper_t"), got.upper, &p["upper_t"], tol);
                chk.close_opt(
                    &format!("{id} pred.lower"),
                    back(got.lower),
                    &p["lower"],
                    tol,
                );
                chk.close_opt(
                    &format!("{id} pred.upper"),
                    back(got.upper),
                    &p["upper"],
                    tol,
                );
            }

            let h = &c["heterogeneity"];
            match &fit.heterogeneity {
                None => {
                    if k > 1 {
                        chk.fail(format!("{id}: heterogeneity missing for k = {k}"));
                    }
                }
                Some(het) => {
                    chk.close_v(&format!("{id} q"), het.q, &h["q"], CLOSED_FORM);
                    chk.close_opt(&format!("{id} q.p"), het.p, &h["p"], CLOSED_FORM);
                    chk.close_v(&format!("{id} tau2"), het.tau2, &h["tau2"], tol);
                    chk.close_opt(
                        &format!("{id} tau2_lower"),
                        het.tau2_lower,
                        &h["tau2_lower"],
                        ITERATIVE,
                    );
                    // metafor stops its Q-profile search at tau2.max (100 by default) and prints
                    // "> 100"; alkstats reports the actual root, which must then lie beyond it.
                    if h["tau2_upper_sign"] == ">" {
                        if het.tau2_upper.unwrap_or(0.0) < f(&h["tau2_upper"]) {
                            chk.fail(format!(
                                "{id} tau2_upper: {:?} not beyond metafor's cap",
                                het.tau2_upper
                            ));
                        }
                    } else {
                        chk.close_opt(
                            &format!("{id} tau2_upper"),
                            het.tau2_upper,
                            &h["tau2_upper"],
                            ITERATIVE,
                        );
                    }
                    chk.close_v(&format!("{id} i2"), het.i2, &h["i2"], CLOSED_FORM);
                    chk.close_opt(
                        &format!("{id} i2_lower"),
                        het.i2_lower,
                        &h["i2_lower"],
                        CLOSED_FORM,
                    );
                    chk.close_opt(
                        &format!("{id} i2_upper"),
                        het.i2_upper,
                        &h["i2_upper"],
                        CLOSED_FORM,
                    );
                    chk.close(
                        &format!("{id} h2"),
                        het.h2,
                        f(&h["h2"]).max(1.0),
                        CLOSED_FORM,
                    );
                    chk.close_v(&format!("{id} i2_tau"), het.i2_tau, &h["i2_tau"], tol);
                    chk.close_v(&format!("{id} h2_tau"), het.h2_tau, &h["h2_tau"], tol);
                }
            }
        }
    }
}

#[test]
fn every_case_agrees_with_metafor() {
    let fx = fixture("metafor_pool.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 360,
        "expected every dataset × sm × estimator, found {}",
        cases.len()
    );
    let mut chk = Checker::default();
    for c in cases {
        check_case(c, &mut chk);
    }
    chk.finish(&format!("metafor_pool.json ({} cases)", cases.len()));
}
