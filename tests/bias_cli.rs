//! `alkstats bias` end to end: the real binary on users' files (`tests/inputs/byod/`, columns
//! mapped with `--map`) and on the shipped data, compared with the metafor values of
//! `tests/fixtures/metafor_bias.json` (`tests/r/bias_fixtures.R`); then every outcome of `pool`,
//! the k < 10 refusal, `--test` and the flags that do not apply.

mod support;

use serde_json::Value;
use support::workdir::Workdir;
use support::{f, fixture, Checker, CLOSED_FORM, SELECTION_MODEL};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn input(name: &str) -> String {
    format!("{ROOT}/tests/inputs/byod/{name}")
}

/// The `alkstats bias` arguments of a fixture case with an input file (or the shipped data).
fn args(case: &Value) -> Vec<String> {
    let inp = &case["input"];
    let mut a: Vec<String> = ["bias", "--outcome", inp["outcome"].as_str().unwrap()]
        .map(String::from)
        .to_vec();
    match inp["file"].as_str() {
        Some(file) => a.extend([
            "--data".into(),
            format!("{ROOT}/{file}"),
            "--by".into(),
            "none".into(),
        ]),
        None => a.extend(["--group".into(), inp["group"].as_str().unwrap().into()]),
    }
    for m in inp["map"].as_array().into_iter().flatten() {
        a.extend(["--map".into(), m.as_str().unwrap().into()]);
    }
    a.extend(
        inp["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string()),
    );
    a.extend(
        [
            "--method-tau",
            case["method_tau"].as_str().unwrap(),
            "--format",
            "json",
            "--test",
            "all",
        ]
        .map(String::from),
    );
    if let Some(alt) = case["expected"]["selection"]["alternative"].as_str() {
        a.extend(["--selection-alternative".into(), alt.into()]);
    }
    a
}

#[test]
fn users_files_agree_with_metafor() {
    let fx = fixture("metafor_bias.json");
    let wd = Workdir::new();
    let mut c = Checker::default();
    let mut ran = 0;
    for case in fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["input"].is_null())
    {
        let id = case["id"].as_str().unwrap();
        let a = args(case);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = wd.json(&refs);
        assert_eq!(out["command"], "bias");
        let b = &out["analyses"][0]["bias"];
        let e = &case["expected"];
        assert_eq!(out["analyses"][0]["k"], case["k"], "{id}");
        for (test, fields) in [
            ("egger", &["bias", "se", "stat", "p"][..]),
            ("peters", &["bias", "se", "p"]),
            ("harbord", &["bias", "se", "p"]),
            ("thompson_sharp", &["bias", "se", "p", "tau2"]),
        ] {
            match e.get(test) {
                Some(x) => {
                    for &q in fields {
                        c.close_v(
                            &format!("{id}.{test}.{q}"),
                            f(&b[test][q]),
                            &x[q],
                            CLOSED_FORM,
                        );
                    }
                    c.close_v(
                        &format!("{id}.{test}.limit"),
                        f(&b[test]["limit"]["yi"]),
                        &x["limit"]["yi"],
                        CLOSED_FORM,
                    );
                }
                None if b[test].is_null() => {}
                None => c.fail(format!(
                    "{id}.{test}: alkstats gave a result, metafor/meta none"
                )),
            }
        }
        c.close_v(
            &format!("{id}.begg.tau"),
            f(&b["begg"]["tau"]),
            &e["begg"]["tau"],
            CLOSED_FORM,
        );
        c.close_v(
            &format!("{id}.begg.p"),
            f(&b["begg"]["p"]),
            &e["begg"]["p"],
            CLOSED_FORM,
        );
        let (t, x) = (&b["trimfill"], &e["trimfill"]["L0"]);
        assert_eq!((&t["k0"], &t["side"]), (&x["k0"], &x["side"]), "{id}");
        for q in ["yi", "se", "lower_yi", "upper_yi", "tau2"] {
            c.close_v(&format!("{id}.trimfill.{q}"), f(&t[q]), &x[q], CLOSED_FORM);
        }
        for (name, key) in [("pet", "pet"), ("peese", "peese")] {
            c.close_v(
                &format!("{id}.{name}"),
                f(&b["pet_peese"][key]["yi"]),
                &e[name]["yi"],
                CLOSED_FORM,
            );
        }
        if let Some(x) = e.get("selection") {
            let s = &b["selection"];
            for (q, v) in [
                ("yi", &s["adjusted"]["yi"]),
                ("se", &s["adjusted"]["se"]),
                ("delta", &s["delta"]),
                ("lrt", &s["lrt"]),
            ] {
                c.close_v(&format!("{id}.selection.{q}"), f(v), &x[q], SELECTION_MODEL);
            }
        }
        ran += 1;
    }
    assert!(ran >= 7, "only {ran} cases with an input file");
    c.finish("alkstats bias (binary) vs metafor 3.8");
}

/// Every outcome of `pool` runs through `bias`; the methods apply where the data allow.
#[test]
fn every_outcome_runs() {
    let wd = Workdir::new();
    let common = ["--format", "json", "--k-min", "3"];
    let cases: Vec<Vec<String>> = vec![
        vec!["--outcome".into(), "orr".into()],
        vec![
            "--outcome".into(),
            "orr".into(),
            "--compare".into(),
            "--by".into(),
            "none".into(),
        ],
        vec![
            "--outcome".into(),
            "hr".into(),
            "--by".into(),
            "none".into(),
        ],
        vec!["--outcome".into(), "pfs".into()],
        vec![
            "--outcome".into(),
            "binary".into(),
            "--data".into(),
            input("betablockers_yusuf1985.csv"),
        ],
        vec![
            "--outcome".into(),
            "continuous".into(),
            "--data".into(),
            input("stroke_units_los.tsv"),
        ],
        vec![
            "--outcome".into(),
            "generic".into(),
            "--data".into(),
            input("bcg_logrr_generic.csv"),
            "--sm".into(),
            "RR".into(),
        ],
    ];
    for extra in cases {
        let mut a: Vec<&str> = vec!["bias"];
        a.extend(extra.iter().map(String::as_str));
        a.extend(common);
        let out = wd.json(&a);
        let analyses = out["analyses"].as_array().unwrap();
        assert!(!analyses.is_empty(), "{a:?}");
        for an in analyses {
            let k = an["k"].as_u64().unwrap();
            let b = &an["bias"];
            if k >= 3 {
                assert!(b["egger"]["p"].is_number(), "{a:?}: {an}");
                assert!(b["trimfill"]["k0"].is_number(), "{a:?}: {an}");
            }
            let binary =
                matches!(extra[1].as_str(), "binary") || extra.contains(&"--compare".to_string());
            if !binary {
                assert!(b["harbord"].is_null(), "{a:?}");
            }
        }
    }
    // Median of medians has no variance model: null, with the reason.
    let out = wd.json(&[
        "bias",
        "--outcome",
        "pfs",
        "--method",
        "mm",
        "--format",
        "json",
    ]);
    assert!(out["analyses"][0]["bias"].is_null());
    assert!(out["warnings"].to_string().contains("no variance model"));
}

#[test]
fn asymmetry_tests_decline_below_k_min_as_meta_does() {
    let wd = Workdir::new();
    let out = wd.json(&["bias", "--group", "alectinib", "--format", "json"]);
    let b = &out["analyses"][0]["bias"];
    assert_eq!(b["k"], 3);
    assert!(b["egger"].is_null() && b["begg"].is_null() && b["peters"].is_null());
    assert!(
        b["warnings"].to_string().contains("below --k-min 10"),
        "{b}"
    );
    // Trim-and-fill is no test: it still runs (with a caution), as meta::trimfill.
    assert!(b["trimfill"]["k0"].is_number());
    let out = wd.json(&[
        "bias",
        "--group",
        "alectinib",
        "--k-min",
        "3",
        "--format",
        "json",
    ]);
    assert!(out["analyses"][0]["bias"]["egger"]["p"].is_number());
    // The shipped crizotinib arms reach k = 10: tested by default, Egger's being meta's test.
    let out = wd.json(&["bias", "--group", "crizotinib", "--format", "json"]);
    let b = &out["analyses"][0]["bias"];
    assert_eq!(
        (b["k"].as_u64(), b["default_test"].as_str()),
        (Some(10), Some("egger"))
    );
    assert!(b["egger"]["p"].is_number() && b["peters"]["p"].is_number());
}

#[test]
fn tests_that_do_not_apply_are_named_when_asked_for() {
    let wd = Workdir::new();
    let out = wd.json(&[
        "bias",
        "--group",
        "crizotinib",
        "--test",
        "harbord,selection,egger",
        "--format",
        "json",
    ]);
    let b = &out["analyses"][0]["bias"];
    assert!(b["harbord"].is_null() && b["selection"].is_null() && b["trimfill"].is_null());
    assert!(b["egger"]["p"].is_number());
    let w = b["warnings"].to_string();
    assert!(
        w.contains("Harbord's test: needs two-arm event counts"),
        "{w}"
    );
    assert!(
        w.contains("selection model: needs a measure whose null value is 0"),
        "{w}"
    );
    assert_eq!(
        out["settings"]["tests"],
        serde_json::json!(["harbord", "selection", "egger"])
    );
}

#[test]
fn table_and_csv_outputs() {
    let wd = Workdir::new();
    let table = wd.ok(&["bias", "--group", "crizotinib"]);
    assert!(
        table.contains("Egger *") && table.contains("Trim-and-fill (L0)"),
        "{table}"
    );
    assert!(table.contains("Sterne et al. 2011"));
    let csv = wd.ok(&["bias", "--group", "crizotinib", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("group,k,method,quantity,index,value"));
    let json = wd.json(&["bias", "--group", "crizotinib", "--format", "json"]);
    let egger_p = f(&json["analyses"][0]["bias"]["egger"]["p"]);
    let row = csv
        .lines()
        .find(|l| l.starts_with("crizotinib,10,egger,p,"))
        .expect("egger p row");
    let v: f64 = row.rsplit(',').next().unwrap().parse().unwrap();
    assert_eq!(v, egger_p, "the CSV number reads back as the JSON one");
}

#[test]
fn bad_flags_exit_2_naming_the_fix() {
    let wd = Workdir::new();
    let e = wd.fails_stderr(&["bias", "--test", "funnel"]);
    assert!(
        e.contains("invalid test (--test) 'funnel'") && e.contains("or all"),
        "{e}"
    );
    let e = wd.fails_stderr(&["bias", "--group", "nosuch"]);
    assert!(
        e.contains("--group nosuch") && e.contains("crizotinib"),
        "{e}"
    );
    let e = wd.fails_stderr(&["bias", "--stream", "--format", "csv"]);
    assert!(e.contains("--stream"), "{e}");
    let e = wd.fails_stderr(&["bias", "--by", "none", "--group", "crizotinib"]);
    assert!(e.contains("--by none"), "{e}");
    let e = wd.fails_stderr(&["bias", "--estimator", "Q0"]);
    assert!(e.contains("L0") && e.contains("R0"), "{e}");
}
