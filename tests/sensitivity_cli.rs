//! `alkstats influence` and `alkstats cumulative` end to end, in a fresh directory: every
//! outcome runs through the same fitted models as `pool` (so the full model is pool's result),
//! the JSON shape of docs/json-contract.md, table and CSV output, k < 3 (warnings and nulls),
//! the order of a cumulative analysis, and flags that are refused with exit 2. The numbers
//! themselves are checked against metafor in `tests/sensitivity_agreement.rs`.

mod support;

use serde_json::Value;
use support::workdir::Workdir;
use support::{rel_diff, ARITHMETIC, ROUND_OFF};

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Every outcome's influence analysis has one leave-one-out row per study of its fit, and its
/// full model is the random-effects result `pool` prints for the same flags.
#[test]
fn every_outcome_reads_its_models_from_pool() {
    let dir = Workdir::new();
    let byod = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/inputs/byod");
    let bcg = format!("{byod}/bcg_vaccine.csv");
    let los = format!("{byod}/stroke_units_los.tsv");
    let hr = format!("{byod}/hazard_ratios_ci.csv");
    let runs: Vec<Vec<&str>> = vec![
        vec!["--outcome", "orr"],
        vec!["--outcome", "orr", "--compare"],
        vec!["--outcome", "hr"],
        vec!["--outcome", "pfs"],
        vec!["--outcome", "binary", "--data", &bcg, "--by", "none"],
        vec!["--outcome", "continuous", "--data", &los, "--by", "none"],
        vec![
            "--outcome",
            "generic",
            "--data",
            &hr,
            "--sm",
            "HR",
            "--by",
            "none",
            "--map",
            "TE=HR",
            "--map",
            "lower=Lower 95% CI",
            "--map",
            "upper=Upper 95% CI",
        ],
    ];
    for flags in runs {
        let with = |command: &str| {
            let mut a = vec![command, "--format", "json"];
            a.extend(&flags);
            dir.json(&a)
        };
        let pool = with("pool");
        let inf = with("influence");
        assert_eq!(inf["command"], "influence");
        assert_eq!(inf["settings"]["model"], "random");
        let (pooled, analyses) = (&pool["analyses"], inf["analyses"].as_array().unwrap());
        assert_eq!(
            pooled.as_array().unwrap().len(),
            analyses.len(),
            "{flags:?}"
        );
        for (p, a) in pooled.as_array().unwrap().iter().zip(analyses) {
            let k = a["k"].as_u64().unwrap() as usize;
            assert_eq!(p["k"].as_u64().unwrap() as usize, k, "{flags:?}");
            let rows = a["leave_one_out"].as_array().unwrap().len();
            assert_eq!(rows, if k < 2 { 0 } else { k }, "{flags:?} {}", a["group"]);
            let full = &a["full"];
            assert!((num(&full["yi"]) - num(&p["random"]["yi"])).abs() < ARITHMETIC);
            assert!((num(&full["lower"]) - num(&p["random"]["lower"])).abs() < ARITHMETIC);
        }
        let cum = with("cumulative");
        for a in cum["analyses"].as_array().unwrap() {
            let rows = a["cumulative"].as_array().unwrap();
            assert_eq!(rows.len(), a["k"].as_u64().unwrap() as usize, "{flags:?}");
            // In file order the last row is the full model (to rounding: ML/REML refits start
            // at the model's τ², a path that ends at the same maximum within 1e-12).
            let (last, full) = (num(&rows.last().unwrap()["yi"]), num(&a["full"]["yi"]));
            assert!(
                rel_diff(last, full) <= ROUND_OFF * 1e2,
                "{flags:?}: {last} vs {full}"
            );
        }
    }
}

/// Fewer than three studies: influence diagnostics are null with a warning; one study leaves
/// nothing out; two give refits of one study with null heterogeneity.
#[test]
fn fewer_than_three_studies_give_warnings_and_nulls() {
    let dir = Workdir::new();
    dir.create("two.csv", "study,TE,seTE\nA,0.1,0.2\nB,0.5,0.3\n");
    let inf = dir.json(&[
        "influence",
        "--outcome",
        "generic",
        "--data",
        "two.csv",
        "--format",
        "json",
    ]);
    let a = &inf["analyses"][0];
    let rows = a["influence"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert!(r["rstudent"].is_null() && r["cook_d"].is_null() && r["influential"].is_null());
        assert!(r["hat"].as_f64().unwrap() > 0.0);
    }
    let loo = a["leave_one_out"].as_array().unwrap();
    assert_eq!(loo[0]["yi"], 0.5);
    assert!(loo[0]["tau2"].is_null() && loo[0]["q"].is_null());
    let warnings: Vec<&str> = inf["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(warnings
        .iter()
        .any(|w| w.starts_with("k = 2: influence diagnostics need at least 3")));
    assert!(warnings
        .iter()
        .any(|w| w.starts_with("k = 2: each leave-one-out fit is of one study")));

    // The shipped hazard ratios by comparison have groups of one study.
    let hr = dir.json(&["influence", "--outcome", "hr", "--format", "json"]);
    let single = hr["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["k"] == 1)
        .unwrap();
    assert!(single["leave_one_out"].as_array().unwrap().is_empty());
    let group = single["group"].as_str().unwrap();
    let note = format!("{group}: k = 1: leave-one-out needs at least 2 studies");
    assert!(hr["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().starts_with(&note)));
}

/// A Mantel–Haenszel common effect has no influence diagnostics (metafor defines them for
/// `rma.uni` only), but its leave-one-out refits use the tables.
#[test]
fn mantel_haenszel_common_effect_has_no_diagnostics() {
    let dir = Workdir::new();
    let inf = dir.json(&[
        "influence",
        "--outcome",
        "orr",
        "--compare",
        "--by",
        "none",
        "--model",
        "common",
        "--format",
        "json",
    ]);
    let a = &inf["analyses"][0];
    assert!(a["influence"].is_null());
    assert_eq!(inf["settings"]["method"], "MH");
    assert!(inf["warnings"].as_array().unwrap().iter().any(|w| w
        .as_str()
        .unwrap()
        .contains("the MH common effect has none")));
    assert_eq!(a["leave_one_out"].as_array().unwrap().len(), 9);
}

/// `--order year --decreasing` adds the crizotinib arms from the latest year down; ties keep
/// their file order.
#[test]
fn cumulative_order_follows_a_column_stably() {
    let dir = Workdir::new();
    let args = |decreasing: bool| {
        let mut a = vec![
            "cumulative",
            "--group",
            "crizotinib",
            "--order",
            "year",
            "--format",
            "json",
        ];
        if decreasing {
            a.push("--decreasing");
        }
        dir.json(&a)
    };
    let lines = |c: &Value| -> Vec<u64> {
        c["analyses"][0]["cumulative"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect()
    };
    let year = |line: u64| -> i64 {
        let arms = include_str!("../data/alk_nsclc_arms.csv");
        let column = arms
            .lines()
            .next()
            .unwrap()
            .split(',')
            .position(|c| c == "year");
        let row = arms.lines().nth(line as usize - 1).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(row.as_bytes());
        r.records().next().unwrap().unwrap()[column.unwrap()]
            .parse()
            .unwrap()
    };
    for decreasing in [false, true] {
        let c = args(decreasing);
        assert_eq!(
            c["settings"]["order"],
            if decreasing {
                "year, decreasing (ties in file order)"
            } else {
                "year, increasing (ties in file order)"
            }
        );
        let lines = lines(&c);
        assert_eq!(lines.len(), 10);
        for pair in lines.windows(2) {
            let (a, b) = (year(pair[0]), year(pair[1]));
            assert!(if decreasing { a >= b } else { a <= b }, "{lines:?}");
            if a == b {
                assert!(pair[0] < pair[1], "ties keep file order: {lines:?}");
            }
        }
    }
}

#[test]
fn table_and_csv_show_the_same_rows() {
    let dir = Workdir::new();
    let table = dir.ok(&["influence", "--group", "crizotinib"]);
    assert!(table.contains("crizotinib (k = 10)"));
    assert!(table.contains("Influence diagnostics (metafor influence.rma.uni)"));
    assert!(table.contains("* influential (metafor influence.rma.uni): |DFFITS| > 3"));
    let csv = dir.ok(&["influence", "--group", "crizotinib", "--format", "csv"]);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("row,group,study,line,k,yi,se,"));
    assert!(header.ends_with(",dfbetas,influential,baujat_x,baujat_y"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 11);
    assert!(rows[0].starts_with("full,crizotinib,,,10,"));
    assert!(rows[1..]
        .iter()
        .all(|r| r.starts_with("omitted,crizotinib,")));
    let cum = dir.ok(&["cumulative", "--group", "crizotinib", "--format", "csv"]);
    assert_eq!(cum.lines().count(), 11);
}

#[test]
fn flags_that_do_not_apply_and_unknown_names_exit_2() {
    let dir = Workdir::new();
    let err = dir.fails_stderr(&["influence", "--group", "nosuchdrug"]);
    assert!(
        err.contains(
            "--group nosuchdrug: no such subgroup of --by drug; expected one of: crizotinib"
        ),
        "{err}"
    );
    let err = dir.fails_stderr(&["cumulative", "--order", "yaer"]);
    assert!(
        err.contains("--order yaer: no such column; expected one of:"),
        "{err}"
    );
    assert!(err.contains("year"), "{err}");
    let err = dir.fails_stderr(&["influence", "--forest", "f.png"]);
    assert!(
        err.contains("--forest does not apply to alkstats influence"),
        "{err}"
    );
    let err = dir.fails_stderr(&["cumulative", "--format", "csv", "--stream"]);
    assert!(
        err.contains("--stream does not apply to alkstats cumulative"),
        "{err}"
    );
    let err = dir.fails_stderr(&["influence", "--model", "both"]);
    assert!(
        err.contains("invalid pooled model (--model) 'both': expected one of random, common"),
        "{err}"
    );
    assert!(
        dir.entries().is_empty(),
        "nothing written: {:?}",
        dir.entries()
    );
}
