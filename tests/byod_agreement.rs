//! Users' own files, end to end: every case of `tests/fixtures/metafor_byod.json` (written by
//! `tests/r/metafor_fixtures_byod.R` with metafor 3.8 converged to 1e-12) is run through the real
//! binary — its CSV/TSV file in `tests/inputs/byod/`, its column names mapped with `--map` as a
//! user would — and the JSON output is compared with metafor's `escalc` + `rma`, `rma.mh` and
//! `rma.peto` values.

mod support;

use serde_json::Value;
use support::workdir::alkstats;
use support::{fixture, Checker, CLOSED_FORM, ITERATIVE, TAU2_FLOOR};

/// The `alkstats pool` arguments that reproduce one fixture case.
fn args(case: &Value) -> Vec<String> {
    let s = &case["settings"];
    let kind = case["kind"].as_str().unwrap();
    let method = s["method"].as_str().unwrap();
    let mut a: Vec<String> = vec!["pool".into(), "--outcome".into()];
    a.push(
        match kind {
            "proportion" => "orr",
            other => other,
        }
        .into(),
    );
    a.extend(["--data".into(), case["input_file"].as_str().unwrap().into()]);
    a.extend([
        "--by".into(),
        "none".into(),
        "--format".into(),
        "json".into(),
    ]);
    for (role, col) in case["columns"].as_object().unwrap() {
        a.extend(["--map".into(), format!("{role}={}", col.as_str().unwrap())]);
    }
    let measure = s["measure"].as_str().unwrap();
    match kind {
        "binary" => a.extend([
            "--measure".into(),
            measure.into(),
            "--method".into(),
            method.into(),
        ]),
        "continuous" => a.extend(["--measure".into(), measure.into()]),
        "generic" => a.extend(["--sm".into(), measure.into()]),
        _ => a.extend(["--sm".into(), measure.into()]),
    }
    if method == "IV" {
        let hk = s["test"] == "knha";
        a.extend([
            "--method-tau".into(),
            s["method_tau"].as_str().unwrap().into(),
            "--random-ci".into(),
            if hk { "hk" } else { "classic" }.into(),
            // metafor's predict(): z for the classic test, t(k - 1) with Knapp–Hartung.
            "--prediction".into(),
            if hk { "t" } else { "z" }.into(),
        ]);
    }
    a
}

fn run(case: &Value) -> Result<Value, String> {
    let out = alkstats()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args(case))
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The prediction interval alkstats gives with Hartung–Knapp: t(k − 1) on the classic
/// random-effects SE (the convention of its README), re-derived from the metafor case with the
/// same τ² estimator and the classic test. metafor's own `predict()` after `test = "knha"` uses
/// the Knapp–Hartung-scaled SE instead.
fn classic_se_prediction(z_case: &Value, k: usize) -> (f64, f64) {
    let r = &z_case["random"];
    let (mu, se) = (r["estimate"].as_f64().unwrap(), r["se"].as_f64().unwrap());
    let tau2 = z_case["heterogeneity"]["tau2"].as_f64().unwrap();
    let t = alkstats::dist::t_crit(0.95, (k - 1) as f64).unwrap();
    let half = t * (se * se + tau2).sqrt();
    (mu - half, mu + half)
}

fn compare_iv(chk: &mut Checker, id: &str, a: &Value, m: &Value, z_case: Option<&Value>) {
    let tol = if m["settings"]["method_tau"] == "DL" {
        CLOSED_FORM
    } else {
        ITERATIVE
    };
    let (c, r, h) = (&m["common"], &m["random"], &m["heterogeneity"]);
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    chk.close_v(
        &format!("{id} common yi"),
        num(&a["common"]["yi"]),
        &c["estimate"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} common se"),
        num(&a["common"]["se"]),
        &c["se"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} common p"),
        num(&a["common"]["p"]),
        &c["pval"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} random yi"),
        num(&a["random"]["yi"]),
        &r["estimate"],
        tol,
    );
    chk.close_v(
        &format!("{id} random se"),
        num(&a["random"]["se"]),
        &r["se"],
        tol,
    );
    chk.close_v(
        &format!("{id} random lower"),
        num(&a["random"]["lower_yi"]),
        &r["ci_lb"],
        tol,
    );
    chk.close_v(
        &format!("{id} random upper"),
        num(&a["random"]["upper_yi"]),
        &r["ci_ub"],
        tol,
    );
    chk.close_v(
        &format!("{id} random p"),
        num(&a["random"]["p"]),
        &r["pval"],
        tol,
    );
    let ah = &a["heterogeneity"];
    chk.close_v(&format!("{id} Q"), num(&ah["q"]), &h["q"], CLOSED_FORM);
    chk.close_floor(
        &format!("{id} tau2"),
        num(&ah["tau2"]),
        &h["tau2"],
        tol,
        TAU2_FLOOR,
    );
    chk.close_v(
        &format!("{id} I2 (Q-based)"),
        num(&ah["i2"]),
        &h["i2"],
        CLOSED_FORM,
    );
    chk.close_floor(
        &format!("{id} I2 (tau2-based)"),
        num(&ah["i2_tau"]),
        &h["i2_tau"],
        tol,
        1e-8,
    );
    let (lower, upper) = match z_case {
        Some(z) => {
            let (l, u) = classic_se_prediction(z, m["k"].as_u64().unwrap() as usize);
            (Value::from(l), Value::from(u))
        }
        None => (
            m["prediction"]["pi_lb"].clone(),
            m["prediction"]["pi_ub"].clone(),
        ),
    };
    chk.close_v(
        &format!("{id} PI lower"),
        num(&a["prediction"]["lower_yi"]),
        &lower,
        tol,
    );
    chk.close_v(
        &format!("{id} PI upper"),
        num(&a["prediction"]["upper_yi"]),
        &upper,
        tol,
    );
    let studies = a["studies"].as_array().unwrap();
    for (i, st) in studies.iter().enumerate() {
        chk.close_v(
            &format!("{id} yi[{i}]"),
            num(&st["yi"]),
            &m["yi"][i],
            CLOSED_FORM,
        );
        chk.close_v(
            &format!("{id} vi[{i}]"),
            num(&st["vi"]),
            &m["vi"][i],
            CLOSED_FORM,
        );
        if !m["weights_random"][i].is_null() {
            chk.close_v(
                &format!("{id} random weight[{i}]"),
                num(&st["weight_random"]),
                &m["weights_random"][i],
                tol,
            );
        }
    }
}

fn compare_table_based(chk: &mut Checker, id: &str, a: &Value, m: &Value) {
    let (p, h) = (&m["pooled"], &m["heterogeneity"]);
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    chk.close_v(
        &format!("{id} estimate"),
        num(&a["common"]["yi"]),
        &p["estimate"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} se"),
        num(&a["common"]["se"]),
        &p["se"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} lower"),
        num(&a["common"]["lower_yi"]),
        &p["ci_lb"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} p"),
        num(&a["common"]["p"]),
        &p["pval"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} Q"),
        num(&a["heterogeneity"]["q"]),
        &h["q"],
        CLOSED_FORM,
    );
    chk.close_v(
        &format!("{id} I2"),
        num(&a["heterogeneity"]["i2"]),
        &h["i2"],
        CLOSED_FORM,
    );
    let w = if m["weights_mh"].is_array() {
        &m["weights_mh"]
    } else {
        &m["weights_peto"]
    };
    for (i, st) in a["studies"].as_array().unwrap().iter().enumerate() {
        chk.close_v(
            &format!("{id} weight[{i}]"),
            num(&st["weight_common"]),
            &w[i],
            CLOSED_FORM,
        );
    }
}

#[test]
fn users_files_reproduce_metafor() {
    let fx = fixture("metafor_byod.json");
    let mut chk = Checker::default();
    let mut cases = 0;
    for case in fx["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        match run(case) {
            Ok(a) => {
                cases += 1;
                let analysis = &a["analyses"][0];
                if case["settings"]["method"] == "IV" {
                    let z_case = id.strip_suffix("_knha").and_then(|stem| {
                        let z_id = format!("{stem}_z");
                        fx["cases"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|c| c["id"] == z_id.as_str())
                    });
                    compare_iv(&mut chk, id, analysis, case, z_case);
                } else {
                    compare_table_based(&mut chk, id, analysis, case);
                }
            }
            Err(e) => chk.fail(format!("{id}: alkstats failed: {e}")),
        }
    }
    chk.finish("users' files vs metafor");
    assert!(cases >= 80, "only {cases} cases ran");
}

#[test]
fn a_wrong_map_names_the_role_the_columns_and_the_fix() {
    let out = alkstats()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "pool",
            "--outcome",
            "binary",
            "--data",
            "tests/inputs/byod/bcg_vaccine.csv",
            "--map",
            "event.e=Cases_T",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("--map event.e=Cases_T"), "{e}");
    assert!(e.contains("Trial, Year, Allocation, Events_T"), "{e}");
    assert!(out.stdout.is_empty());
}

/// `alkstats pool` JSON of one outcome of the synthetic RevMan review.
fn rm5(args: &[&str]) -> Value {
    let out = alkstats()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "pool",
            "--data",
            "tests/fixtures/revman/synthetic_review.rm5",
            "--format",
            "json",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_revman_review_lists_its_outcomes_then_pools_the_one_chosen_with_its_own_settings() {
    let out = alkstats()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "pool",
            "--data",
            "tests/fixtures/revman/synthetic_review.rm5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("--rm5-outcome") && e.contains("1.1 Tuberculosis cases"),
        "{e}"
    );

    // Reference values: metafor on the same metadat data (tests/r/metafor_fixtures_byod.R,
    // key `revman`): rma.mh(measure = "RR") per subgroup, rma(measure = "MD", method = "FE"),
    // and rma(yi, sei, method = "FE") on the six log odds ratios read from the file.
    let fx = fixture("metafor_byod.json");
    let outcomes = fx["revman"]["outcomes"].as_array().unwrap();
    let mut chk = Checker::default();
    let bcg = rm5(&["--rm5-outcome", "1.1"]);
    assert_eq!(
        bcg["settings"]["method"], "MH",
        "the review's method is the default"
    );
    assert_eq!(bcg["settings"]["sm"], "RR");
    for (i, sub) in outcomes[0]["subgroups"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let a = &bcg["analyses"][i];
        assert_eq!(a["group"], sub["name"]);
        chk.close_v(
            "1.1 MH",
            a["common"]["yi"].as_f64().unwrap(),
            &sub["mh"]["estimate"],
            CLOSED_FORM,
        );
        chk.close_v(
            "1.1 MH se",
            a["common"]["se"].as_f64().unwrap(),
            &sub["mh"]["se"],
            CLOSED_FORM,
        );
    }
    let stroke = rm5(&["--rm5-outcome", "2.1"]);
    let c = &outcomes[1]["common"];
    chk.close_v(
        "2.1 MD",
        stroke["analyses"][0]["common"]["yi"].as_f64().unwrap(),
        &c["estimate"],
        CLOSED_FORM,
    );
    chk.close_v(
        "2.1 MD se",
        stroke["analyses"][0]["common"]["se"].as_f64().unwrap(),
        &c["se"],
        CLOSED_FORM,
    );
    let generic = rm5(&["--rm5-outcome", "2.2"]);
    let c = &outcomes[2]["common"];
    chk.close_v(
        "2.2 log OR",
        generic["analyses"][0]["common"]["yi"].as_f64().unwrap(),
        &c["estimate"],
        CLOSED_FORM,
    );
    chk.close_v(
        "2.2 se",
        generic["analyses"][0]["common"]["se"].as_f64().unwrap(),
        &c["se"],
        CLOSED_FORM,
    );
    chk.finish("RevMan outcomes vs metafor");
}
