//! Agreement with metafor 3.8 for comparative outcomes:
//! - `tests/fixtures/metafor_two_arm.json`: RR, OR, RD by inverse variance (REML, DL),
//!   Mantel–Haenszel with and without continuity correction (`rma.mh`), and Peto (`rma.peto`);
//! - `tests/fixtures/metafor_hr.json`: log hazard ratios from CIs at their own level or from
//!   p-values, with every τ² estimator.
//!
//! Both are produced by `Rscript tests/r/metafor_fixtures_comparative.R`. Each case is run
//! through the same library entry points as the CLI (`compare_arms`, `pool_hazard_ratios`) on a
//! CSV built from the fixture's rows.

mod support;

use alkstats::analysis::compare::{compare_arms, CompareMethod, CompareSettings};
use alkstats::analysis::group::Grouping;
use alkstats::analysis::hazard::{pool_hazard_ratios, HazardSettings};
use alkstats::analysis::report::{Analysis, CommonResult};
use alkstats::data::{load_arms, load_hr};
use alkstats::effect::two_arm::TwoArmMeasure;
use alkstats::settings::{Endpoint, FitSettings, Level, PredictionMethod, RandomCi, TauMethod};
use serde_json::Value;
use support::{fixture, Checker, CLOSED_FORM, I2_FLOOR, ITERATIVE, TAU2_FLOOR};

fn check_common(chk: &mut Checker, id: &str, c: &CommonResult, e: &Value, tol: f64) {
    chk.close_v(&format!("{id} common.yi"), c.yi, &e["yi"], tol);
    chk.close_v(&format!("{id} common.se"), c.se, &e["se"], tol);
    chk.close_v(&format!("{id} common.z"), c.z, &e["z"], tol);
    chk.close_opt(&format!("{id} common.p"), c.p, &e["p"], tol);
    chk.close_v(
        &format!("{id} common.lower_t"),
        c.lower_yi,
        &e["lower_t"],
        tol,
    );
    chk.close_v(
        &format!("{id} common.upper_t"),
        c.upper_yi,
        &e["upper_t"],
        tol,
    );
    chk.close_opt(
        &format!("{id} common.estimate"),
        c.estimate,
        &e["estimate"],
        tol,
    );
    chk.close_opt(&format!("{id} common.lower"), c.lower, &e["lower"], tol);
    chk.close_opt(&format!("{id} common.upper"), c.upper, &e["upper"], tol);
}

/// Random effects, τ² and the Q-profile CI, shared by both fixtures (same keys as
/// metafor_pool.json).
fn check_random<S>(chk: &mut Checker, id: &str, a: &Analysis<S>, case: &Value, tol: f64) {
    let r = &case["random"]["classic"];
    chk.close_v(&format!("{id} random.yi"), a.random.yi, &r["yi"], tol);
    chk.close_v(&format!("{id} random.se"), a.random.se, &r["se"], tol);
    chk.close_v(
        &format!("{id} random.lower_t"),
        a.random.lower_yi,
        &r["lower_t"],
        tol,
    );
    chk.close_v(
        &format!("{id} random.upper_t"),
        a.random.upper_yi,
        &r["upper_t"],
        tol,
    );
    chk.close_opt(
        &format!("{id} random.estimate"),
        a.random.estimate,
        &r["estimate"],
        tol,
    );
    let h = &case["heterogeneity"];
    if let Some(het) = &a.heterogeneity {
        chk.close_floor(&format!("{id} tau2"), het.tau2, &h["tau2"], tol, TAU2_FLOOR);
        chk.close_opt(
            &format!("{id} tau2_lower"),
            het.tau2_lower,
            &h["tau2_lower"],
            ITERATIVE,
        );
        if h["tau2_upper_sign"] != ">" {
            chk.close_opt(
                &format!("{id} tau2_upper"),
                het.tau2_upper,
                &h["tau2_upper"],
                ITERATIVE,
            );
        }
        chk.close_floor(
            &format!("{id} i2_tau"),
            het.i2_tau,
            &h["i2_tau"],
            tol,
            I2_FLOOR,
        );
    }
    if let Some(p) = &a.prediction {
        chk.close_v(
            &format!("{id} pred.lower_t"),
            p.lower_yi,
            &case["prediction"]["t"]["lower_t"],
            tol,
        );
        chk.close_v(
            &format!("{id} pred.upper_t"),
            p.upper_yi,
            &case["prediction"]["t"]["upper_t"],
            tol,
        );
    }
}

fn settings(method_tau: TauMethod) -> FitSettings {
    FitSettings {
        method_tau,
        random_ci: RandomCi::Classic,
        prediction: PredictionMethod::T,
        level: Level::default(),
    }
}

#[test]
fn two_arm_comparisons_agree_with_metafor() {
    let fx = fixture("metafor_two_arm.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut chk = Checker::default();
    for case in cases {
        let measure: TwoArmMeasure = case["measure"].as_str().unwrap().parse().unwrap();
        let method_name = case["method"].as_str().unwrap();
        let (method, tau) = match method_name {
            "IV-REML" => (CompareMethod::Iv, TauMethod::Reml),
            "IV-DL" => (CompareMethod::Iv, TauMethod::Dl),
            "MH" => (CompareMethod::Mh, TauMethod::Dl),
            "MH-cc" => (CompareMethod::MhCc, TauMethod::Dl),
            "Peto" => (CompareMethod::Peto, TauMethod::Dl),
            other => panic!("unknown method {other}"),
        };
        let id = format!(
            "{}/{}/{}",
            case["dataset"].as_str().unwrap(),
            measure,
            method_name
        );
        // Two arms per trial: the treatment ranks above chemotherapy, so it is read as treatment.
        let mut csv = String::from("study,drug,n,responders,trial,source\n");
        for s in case["studies"].as_array().unwrap() {
            let name = s["study"].as_str().unwrap();
            csv += &format!(
                "{name} T,ceritinib,{},{},{name},fixture\n",
                s["n1i"], s["ai"]
            );
            csv += &format!(
                "{name} C,chemotherapy,{},{},{name},fixture\n",
                s["n2i"], s["ci"]
            );
        }
        let (arms, headers) = load_arms("fixture.csv", csv.as_bytes()).unwrap();
        let s = CompareSettings {
            measure,
            method,
            fit: settings(tau),
            incr: 0.5,
            grouping: Grouping::None,
            keep_overlapping: false,
            comparator: None,
            glmm: None,
        };
        let report = compare_arms(&arms, &headers, "fixture.csv", &s).unwrap();
        let a = &report.analyses[0];
        let tol = if tau == TauMethod::Reml {
            ITERATIVE
        } else {
            CLOSED_FORM
        };
        for (i, st) in a.studies.iter().enumerate() {
            chk.close_opt(&format!("{id} yi[{i}]"), st.yi, &case["yi"][i], CLOSED_FORM);
            chk.close_opt(&format!("{id} vi[{i}]"), st.vi, &case["vi"][i], CLOSED_FORM);
        }
        // Every common-effect method here is closed form (IV, MH, Peto).
        check_common(&mut chk, &id, &a.common, &case["common"], CLOSED_FORM);
        let h = &case["heterogeneity"];
        let het = a.heterogeneity.as_ref();
        if let Some(het) = het {
            chk.close_v(&format!("{id} q"), het.q, &h["q"], CLOSED_FORM);
            chk.close_opt(&format!("{id} q.p"), het.p, &h["p"], CLOSED_FORM);
            chk.close_v(&format!("{id} i2"), het.i2, &h["i2"], CLOSED_FORM);
        }
        if method == CompareMethod::Iv {
            check_random(&mut chk, &id, a, case, tol);
        }
    }
    chk.finish(&format!("metafor_two_arm.json ({} cases)", cases.len()));
}

#[test]
fn hazard_ratios_agree_with_metafor() {
    let fx = fixture("metafor_hr.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 48, "{} cases", cases.len());
    let mut chk = Checker::default();
    for case in cases {
        // alkstats converts p-values with the exact normal quantile (see effect::ratio).
        if case["p_conversion"] == "altman_bland" {
            continue;
        }
        let method: TauMethod = case["method_tau"].as_str().unwrap().parse().unwrap();
        let id = format!("{}/{}", case["dataset"].as_str().unwrap(), method);
        let mut csv = String::from(
            "study,treatment,comparator,endpoint,hr,hr_lower,hr_upper,ci_level,p_value,source\n",
        );
        let num = |v: &Value| v.as_f64().map(|x| format!("{x}")).unwrap_or_default();
        for r in case["rows"].as_array().unwrap() {
            csv += &format!(
                "{},alectinib,crizotinib,pfs,{},{},{},{},{},fixture\n",
                r["study"].as_str().unwrap(),
                num(&r["hr"]),
                num(&r["lower"]),
                num(&r["upper"]),
                num(&r["ci_level"]),
                num(&r["p_value"])
            );
        }
        let (rows, headers) = load_hr("fixture.csv", csv.as_bytes()).unwrap();
        let s = HazardSettings {
            fit: settings(method),
            endpoint: Endpoint::Pfs,
            grouping: Grouping::None,
            keep_overlapping: false,
        };
        let report = pool_hazard_ratios(&rows, &headers, "fixture.csv", &s).unwrap();
        let a = &report.analyses[0];
        let rows = case["rows"].as_array().unwrap();
        for (i, st) in a.studies.iter().enumerate() {
            let sei = if rows[i]["input"] == "p" {
                &rows[i]["sei_exact_normal"]
            } else {
                &rows[i]["sei"]
            };
            chk.close_v(&format!("{id} yi[{i}]"), st.yi, &rows[i]["yi"], CLOSED_FORM);
            chk.close_v(&format!("{id} sei[{i}]"), st.vi.sqrt(), sei, CLOSED_FORM);
        }
        let tol = if matches!(
            method,
            TauMethod::Reml | TauMethod::Ml | TauMethod::Pm | TauMethod::Eb
        ) {
            ITERATIVE
        } else {
            CLOSED_FORM
        };
        check_common(&mut chk, &id, &a.common, &case["common"], CLOSED_FORM);
        if a.k > 1 {
            chk.close_v(
                &format!("{id} q"),
                a.heterogeneity.as_ref().unwrap().q,
                &case["heterogeneity"]["q"],
                CLOSED_FORM,
            );
            check_random(&mut chk, &id, a, case, tol);
        }
    }
    chk.finish(&format!("metafor_hr.json ({} cases)", cases.len()));
}
