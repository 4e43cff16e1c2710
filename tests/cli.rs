//! End-to-end tests of the `alkstats` binary: every test runs the real executable inside a fresh
//! temporary directory (xsv's `tests/workdir.rs` style), so no test reads or writes the
//! repository and tests never see each other's files.
//!
//! Expected numbers here are either structural (weights sum to 100, lower ≤ estimate ≤ upper),
//! copied between two renderings of one run (table vs JSON), or closed-form re-derivations of
//! metafor `escalc` formulas (the continuity-corrected logit and the Freeman–Tukey transform).
//! Agreement with metafor itself is tested in `tests/metafor_agreement.rs`.

mod support;

use serde_json::Value;
use support::contract::{analysis, check_report_contract, has_keys, num};
use support::workdir::Workdir;
use support::ARITHMETIC;

/// A small user file (invented counts): crizotinib k = 3, alectinib k = 2 with an all-responder
/// study, chemotherapy k = 2 with a no-responder study, AP26113 (= brigatinib) k = 1, and two
/// columns that are not in the schema (`region`, `notes`).
const SMALL: &str = include_str!("inputs/arms_small.csv");

#[test]
fn embedded_table_lists_every_drug_and_the_subgroup_test() {
    let wd = Workdir::new();
    let table = wd.stdout(&["pool", "--outcome", "orr"]);
    let first_cells: Vec<&str> = table
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for drug in [
        "crizotinib",
        "ceritinib",
        "alectinib",
        "brigatinib",
        "chemotherapy",
    ] {
        assert!(first_cells.contains(&drug), "no row for {drug}:\n{table}");
    }
    assert!(table.contains("Test for subgroup differences"), "{table}");
    assert!(
        table.contains("data/alk_nsclc_arms.csv"),
        "the table names its data:\n{table}"
    );
}

#[test]
fn embedded_json_follows_the_spec_contract() {
    let wd = Workdir::new();
    let report = wd.stdout_json(&["pool", "--outcome", "orr", "--format", "json"]);
    check_report_contract(&report, "embedded");
    let s = &report["settings"];
    assert_eq!(s["sm"], "PLOGIT");
    assert_eq!(s["method_tau"], "REML");
    assert_eq!(s["random_ci"], "classic");
    assert_eq!(s["prediction"], "t");
    assert_eq!(s["ci_study"], "clopper-pearson");
    assert_eq!(s["level"], 0.95);
    assert_eq!(s["by"], "drug");
    for drug in [
        "crizotinib",
        "ceritinib",
        "alectinib",
        "brigatinib",
        "chemotherapy",
    ] {
        let a = analysis(&report, drug);
        assert!(
            a["k"].as_u64().unwrap() >= 3,
            "{drug}: the shipped data have at least 3 arms"
        );
        assert!(a["prediction"].is_object(), "{drug}: prediction for k ≥ 3");
    }
    let groups = report["analyses"].as_array().unwrap().len() as f64;
    for model in ["common", "random"] {
        let t = &report["subgroup_test"][model];
        has_keys(t, &["q", "df", "p"], model);
        assert_eq!(
            num(&t["df"], "df"),
            groups - 1.0,
            "{model}: df = groups − 1"
        );
    }
}

#[test]
fn by_none_pools_everything_into_one_ungrouped_analysis() {
    let wd = Workdir::new();
    let report = wd.stdout_json(&["pool", "--by", "none", "--format", "json"]);
    check_report_contract(&report, "--by none");
    let analyses = report["analyses"].as_array().unwrap();
    assert_eq!(analyses.len(), 1);
    assert!(analyses[0]["group"].is_null());
    assert!(report["subgroup_test"].is_null());
    assert_eq!(report["settings"]["by"], "none");
    // Every study of the by-drug run is in the single analysis.
    let by_drug = wd.stdout_json(&["pool", "--format", "json"]);
    let k_by_drug: u64 = by_drug["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["k"].as_u64().unwrap())
        .sum();
    assert_eq!(analyses[0]["k"].as_u64().unwrap(), k_by_drug);
}

#[test]
fn csv_has_one_row_per_analysis_and_study_rows_on_request() {
    let wd = Workdir::new();
    let report = wd.stdout_json(&["pool", "--format", "json"]);
    let analyses = report["analyses"].as_array().unwrap();
    let total_k: usize = analyses
        .iter()
        .map(|a| a["k"].as_u64().unwrap() as usize)
        .sum();

    for (args, expected_rows) in [
        (vec!["pool", "--format", "csv"], analyses.len()),
        (
            vec!["pool", "--format", "csv", "--studies"],
            analyses.len() + total_k,
        ),
    ] {
        let text = wd.stdout(&args);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("a CSV header").clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .map(|r| r.expect("a well-formed CSV row"))
            .collect();
        assert_eq!(rows.len(), expected_rows, "{args:?}");
        let analysis_rows: Vec<&csv::StringRecord> = rows
            .iter()
            .filter(|r| &r[col("row")] == "analysis")
            .collect();
        assert_eq!(analysis_rows.len(), analyses.len(), "{args:?}");
        for (row, a) in analysis_rows.iter().zip(analyses) {
            assert_eq!(&row[col("group")], a["group"].as_str().unwrap());
            assert_eq!(
                row[col("k")].parse::<u64>().unwrap(),
                a["k"].as_u64().unwrap()
            );
            let est: f64 = row[col("random_estimate")].parse().unwrap();
            assert!((est - num(&a["random"]["estimate"], "estimate")).abs() <= ARITHMETIC);
        }
    }
}

#[test]
fn table_numbers_equal_the_json_numbers() {
    let wd = Workdir::new();
    let report = wd.stdout_json(&["pool", "--format", "json"]);
    let table = wd.stdout(&["pool"]);
    let a = analysis(&report, "crizotinib");
    let row = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some("crizotinib"))
        .unwrap_or_else(|| panic!("no crizotinib row:\n{table}"));
    let f4 = |v: &Value| format!("{:.4}", num(v, "number"));
    let ci = |m: &Value| {
        format!(
            "{} [{}; {}]",
            f4(&m["estimate"]),
            f4(&m["lower"]),
            f4(&m["upper"])
        )
    };
    let h = &a["heterogeneity"];
    let expected = [
        format!(" {} ", a["k"]),
        format!("{}/{}", a["events"], a["n"]),
        ci(&a["common"]),
        ci(&a["random"]),
        format!(
            "[{}; {}]",
            f4(&a["prediction"]["lower"]),
            f4(&a["prediction"]["upper"])
        ),
        format!("{:.1}%", num(&h["i2"], "i2")),
        f4(&h["tau2"]),
    ];
    for cell in expected {
        assert!(row.contains(&cell), "crizotinib row lacks '{cell}':\n{row}");
    }
}

#[test]
fn user_file_from_a_path_and_from_stdin_give_the_same_report() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    let from_file = wd.stdout_json(&["pool", "--data", "arms.csv", "--format", "json"]);
    check_report_contract(&from_file, "--data arms.csv");
    let groups: Vec<&str> = from_file["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    // Groups in order of first appearance; the development code AP26113 is brigatinib.
    assert_eq!(
        groups,
        ["crizotinib", "alectinib", "chemotherapy", "brigatinib"]
    );

    let out = wd
        .command(&["pool", "--data", "-", "--format", "json"])
        .write_stdin(SMALL)
        .output()
        .expect("run alkstats");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut from_stdin: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(from_stdin["settings"]["data"], "<stdin>");
    from_stdin["settings"]["data"] = from_file["settings"]["data"].clone();
    assert_eq!(from_stdin, from_file);
}

#[test]
fn by_any_column_including_ones_outside_the_schema() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    let by_region = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--by", "region", "--format", "json",
    ]);
    check_report_contract(&by_region, "--by region");
    let groups: Vec<&str> = by_region["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["EU", "US", "Asia"]);
    assert_eq!(analysis(&by_region, "EU")["k"], 3);
    assert_eq!(by_region["settings"]["by"], "region");
    assert!(by_region["subgroup_test"].is_object());

    // `notes` is free text, empty in some rows: those form the "(missing)" group.
    let by_notes = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--by", "notes", "--format", "json",
    ]);
    check_report_contract(&by_notes, "--by notes");
    assert_eq!(analysis(&by_notes, "(missing)")["k"], 3);
    assert_eq!(analysis(&by_notes, "every patient responded")["k"], 1);
}

#[test]
fn a_single_study_group_warns_and_has_no_heterogeneity() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    let report = wd.stdout_json(&["pool", "--data", "arms.csv", "--format", "json"]);
    let a = analysis(&report, "brigatinib");
    assert_eq!(a["k"], 1);
    assert!(a["heterogeneity"].is_null());
    assert!(a["prediction"].is_null());
    assert_eq!(
        a["random"]["yi"], a["common"]["yi"],
        "k = 1: random equals common"
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("brigatinib") && w.contains("k = 1")),
        "no k = 1 warning for brigatinib: {warnings:?}"
    );
    let table = wd.stdout(&["pool", "--data", "arms.csv"]);
    assert!(
        table.contains("k = 1"),
        "the table shows the warning too:\n{table}"
    );
}
