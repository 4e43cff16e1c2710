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
use std::path::Path;
use support::workdir::{Workdir, BIN};
use support::ARITHMETIC;

/// A small user file (invented counts): crizotinib k = 3, alectinib k = 2 with an all-responder
/// study, chemotherapy k = 2 with a no-responder study, AP26113 (= brigatinib) k = 1, and two
/// columns that are not in the schema (`region`, `notes`).
const SMALL: &str = include_str!("inputs/arms_small.csv");

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, found {v}"))
}

fn analysis<'a>(report: &'a Value, group: &str) -> &'a Value {
    report["analyses"]
        .as_array()
        .expect("analyses is an array")
        .iter()
        .find(|a| a["group"] == group)
        .unwrap_or_else(|| panic!("no analysis for group {group}"))
}

fn study<'a>(a: &'a Value, label: &str) -> &'a Value {
    a["studies"]
        .as_array()
        .expect("studies is an array")
        .iter()
        .find(|s| s["study"] == label)
        .unwrap_or_else(|| panic!("no study {label}"))
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// Asserts that `v` is an object holding at least `expected` keys.
fn has_keys(v: &Value, expected: &[&str], what: &str) {
    let found = keys(v);
    for key in expected {
        assert!(
            found.contains(key),
            "{what}: key '{key}' missing; found {found:?}"
        );
    }
}

/// Every SPEC.md ("JSON output") guarantee that holds for any successful `pool --outcome orr`
/// run, checked on one report.
fn check_report_contract(report: &Value, what: &str) {
    has_keys(
        report,
        &[
            "alkstats_version",
            "command",
            "outcome",
            "settings",
            "analyses",
            "subgroup_test",
            "warnings",
        ],
        what,
    );
    assert_eq!(report["command"], "pool", "{what}");
    assert_eq!(report["outcome"], "orr", "{what}");
    assert!(report["alkstats_version"].is_string(), "{what}");
    assert!(report["warnings"].is_array(), "{what}");
    has_keys(
        &report["settings"],
        &[
            "sm",
            "method_tau",
            "random_ci",
            "prediction",
            "ci_study",
            "level",
            "by",
        ],
        &format!("{what}: settings"),
    );
    let analyses = report["analyses"].as_array().expect("analyses is an array");
    assert!(!analyses.is_empty(), "{what}: no analysis");
    for a in analyses {
        let at = format!("{what}: group {}", a["group"]);
        has_keys(
            a,
            &[
                "group",
                "k",
                "studies",
                "common",
                "random",
                "prediction",
                "heterogeneity",
            ],
            &at,
        );
        let k = a["k"].as_u64().expect("k is a whole number");
        let studies = a["studies"].as_array().expect("studies is an array");
        assert_eq!(studies.len() as u64, k, "{at}: k vs studies");
        for s in studies {
            has_keys(
                s,
                &[
                    "study",
                    "events",
                    "n",
                    "estimate",
                    "lower",
                    "upper",
                    "yi",
                    "vi",
                    "weight_common",
                    "weight_random",
                ],
                &at,
            );
        }
        for w in ["weight_common", "weight_random"] {
            let sum: f64 = studies.iter().map(|s| num(&s[w], w)).sum();
            assert!((sum - 100.0).abs() <= ARITHMETIC, "{at}: {w} sums to {sum}");
        }
        has_keys(
            &a["common"],
            &["yi", "se", "estimate", "lower", "upper", "z", "p"],
            &format!("{at}: common"),
        );
        has_keys(
            &a["random"],
            &["yi", "se", "estimate", "lower", "upper", "stat", "p"],
            &format!("{at}: random"),
        );
        for model in ["common", "random"] {
            let m = &a[model];
            let (lo, est, hi) = (
                num(&m["lower"], "lower"),
                num(&m["estimate"], "estimate"),
                num(&m["upper"], "upper"),
            );
            assert!(
                lo <= est && est <= hi,
                "{at}: {model}: {lo} ≤ {est} ≤ {hi} fails"
            );
        }
        if k < 3 {
            assert!(
                a["prediction"].is_null(),
                "{at}: prediction with k = {k}: {}",
                a["prediction"]
            );
        }
        if k == 1 {
            assert!(
                a["heterogeneity"].is_null(),
                "{at}: heterogeneity with k = 1"
            );
        } else {
            has_keys(
                &a["heterogeneity"],
                &[
                    "q",
                    "df",
                    "p",
                    "tau2",
                    "tau2_lower",
                    "tau2_upper",
                    "tau",
                    "i2",
                    "i2_lower",
                    "i2_upper",
                    "h2",
                ],
                &format!("{at}: heterogeneity"),
            );
        }
    }
}

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

#[test]
fn zero_and_all_responders_use_the_correction_only_where_the_transformation_needs_it() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    // metafor escalc("PLO", add = 1/2, to = "only0"): x → x + ½, n → n + 1.
    let plogit = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--sm", "PLOGIT", "--format", "json",
    ]);
    check_report_contract(&plogit, "PLOGIT");
    let zero = study(analysis(&plogit, "chemotherapy"), "Zeta 2017"); // 0 of 20
    let all = study(analysis(&plogit, "alectinib"), "Delta 2015"); // 30 of 30
    let close = |v: &Value, expected: f64, what: &str| {
        let got = num(v, what);
        assert!(
            (got - expected).abs() <= ARITHMETIC * expected.abs().max(1.0),
            "{what}: {got} vs {expected}"
        );
    };
    close(&zero["yi"], (0.5f64 / 20.5).ln(), "PLOGIT yi, 0/20");
    close(&zero["vi"], 1.0 / 0.5 + 1.0 / 20.5, "PLOGIT vi, 0/20");
    close(&all["yi"], (30.5f64 / 0.5).ln(), "PLOGIT yi, 30/30");
    close(&all["vi"], 1.0 / 30.5 + 1.0 / 0.5, "PLOGIT vi, 30/30");
    assert_eq!(
        zero["estimate"], 0.0,
        "the observed proportion is reported uncorrected"
    );
    assert_eq!(all["estimate"], 1.0);

    // Freeman–Tukey is defined at 0 and n: no correction (meta::metaprop).
    let pft = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--sm", "PFT", "--format", "json",
    ]);
    check_report_contract(&pft, "PFT");
    let ft = |x: f64, n: f64| {
        0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin())
    };
    let zero = study(analysis(&pft, "chemotherapy"), "Zeta 2017");
    let all = study(analysis(&pft, "alectinib"), "Delta 2015");
    close(&zero["yi"], ft(0.0, 20.0), "PFT yi, 0/20");
    close(&zero["vi"], 1.0 / 82.0, "PFT vi, 0/20");
    close(&all["yi"], ft(30.0, 30.0), "PFT yi, 30/30");
    close(&all["vi"], 1.0 / 122.0, "PFT vi, 30/30");
}

#[test]
fn every_documented_option_value_is_accepted() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    // (flag, value given, canonical spelling echoed in settings)
    let cases: &[(&str, &str, &str)] = &[
        ("--sm", "PLOGIT", "PLOGIT"),
        ("--sm", "PFT", "PFT"),
        ("--sm", "PAS", "PAS"),
        ("--sm", "PRAW", "PRAW"),
        ("--sm", "PLN", "PLN"),
        ("--sm", "PLO", "PLOGIT"),
        ("--sm", "PR", "PRAW"),
        ("--method-tau", "REML", "REML"),
        ("--method-tau", "DL", "DL"),
        ("--method-tau", "ML", "ML"),
        ("--method-tau", "PM", "PM"),
        ("--method-tau", "HE", "HE"),
        ("--method-tau", "SJ", "SJ"),
        ("--method-tau", "EB", "EB"),
        ("--method-tau", "HS", "HS"),
        ("--random-ci", "classic", "classic"),
        ("--random-ci", "hk", "hk"),
        ("--random-ci", "hk-adhoc", "hk-adhoc"),
        ("--prediction", "t", "t"),
        ("--prediction", "hts", "hts"),
        ("--prediction", "z", "z"),
        ("--prediction", "none", "none"),
        ("--ci-study", "clopper-pearson", "clopper-pearson"),
        ("--ci-study", "wilson", "wilson"),
        ("--ci-study", "agresti-coull", "agresti-coull"),
        ("--ci-study", "jeffreys", "jeffreys"),
        ("--ci-study", "wald", "wald"),
    ];
    for &(flag, value, canonical) in cases {
        for data in ["arms.csv", ""] {
            let mut args = vec!["pool", "--format", "json", flag, value];
            if !data.is_empty() {
                args.extend(["--data", data]);
            }
            let report = wd.stdout_json(&args);
            let what = format!("{flag} {value} --data '{data}'");
            check_report_contract(&report, &what);
            let key = flag.trim_start_matches("--").replace('-', "_");
            assert_eq!(report["settings"][&key], canonical, "{what}");
            if value == "none" {
                for a in report["analyses"].as_array().unwrap() {
                    assert!(
                        a["prediction"].is_null(),
                        "{what}: prediction should be null"
                    );
                }
            }
        }
    }
}

#[test]
fn hk_adhoc_is_never_narrower_than_classic() {
    let wd = Workdir::new();
    let classic = wd.stdout_json(&["pool", "--format", "json", "--random-ci", "classic"]);
    let adhoc = wd.stdout_json(&["pool", "--format", "json", "--random-ci", "hk-adhoc"]);
    for (c, h) in classic["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .zip(adhoc["analyses"].as_array().unwrap())
    {
        let width = |a: &Value| {
            num(&a["random"]["upper_yi"], "upper_yi") - num(&a["random"]["lower_yi"], "lower_yi")
        };
        assert!(
            width(h) >= width(c) - ARITHMETIC,
            "group {}: hk-adhoc {} < classic {}",
            c["group"],
            width(h),
            width(c)
        );
    }
}

#[test]
fn output_writes_the_whole_file_and_nothing_on_stdout() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    let expected = wd.stdout(&["pool", "--data", "arms.csv", "--format", "json"]);
    for flag in ["--output", "-o"] {
        let written = wd.stdout(&[
            "pool",
            "--data",
            "arms.csv",
            "--format",
            "json",
            flag,
            "report.json",
        ]);
        assert!(
            written.is_empty(),
            "{flag}: stdout should be empty, got {written}"
        );
        assert_eq!(
            std::fs::read_to_string(wd.path("report.json")).unwrap(),
            expected
        );
        // The atomic write leaves no temporary file behind.
        assert_eq!(wd.entries(), ["arms.csv", "report.json"]);
    }
    // Overwriting an existing output replaces it entirely.
    wd.create(
        "report.json",
        "stale contents that are longer than nothing at all",
    );
    wd.stdout(&[
        "pool",
        "--data",
        "arms.csv",
        "--format",
        "csv",
        "--output",
        "report.json",
    ]);
    let csv_text = std::fs::read_to_string(wd.path("report.json")).unwrap();
    assert!(csv_text.starts_with("row,group,"), "{csv_text}");
}

#[test]
fn output_onto_the_input_file_is_refused_and_the_input_kept() {
    let wd = Workdir::new();
    let input = wd.create("arms.csv", SMALL);
    let sub = wd.path("sub");
    std::fs::create_dir(&sub).unwrap();
    let absolute = input.to_string_lossy().into_owned();
    for out_path in [
        "arms.csv",
        "./arms.csv",
        "sub/../arms.csv",
        absolute.as_str(),
    ] {
        let out = wd
            .command(&["pool", "--data", "arms.csv", "--output", out_path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--output {out_path}: {stderr}");
        assert!(
            stderr.starts_with("error:") && stderr.contains("input file"),
            "--output {out_path}: {stderr}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            std::fs::read(&input).unwrap(),
            SMALL.as_bytes(),
            "--output {out_path}: input changed"
        );
    }
    assert_eq!(wd.entries(), ["arms.csv", "sub"]);
}

#[test]
fn help_and_version_exit_zero() {
    let wd = Workdir::new();
    for args in [
        &["--help"][..],
        &["pool", "--help"],
        &["help", "pool"],
        &["--version"],
    ] {
        let text = wd.stdout(args);
        assert!(
            text.contains("alkstats") || text.contains("--outcome"),
            "{args:?}: {text}"
        );
    }
    let pool_help = wd.stdout(&["pool", "--help"]);
    for flag in [
        "--outcome",
        "--data",
        "--by",
        "--sm",
        "--method-tau",
        "--random-ci",
        "--prediction",
        "--ci-study",
    ] {
        assert!(pool_help.contains(flag), "pool --help lacks {flag}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let wd = Workdir::new();
    // Enough rows that the output (≈ 200 kB) cannot fit in a pipe buffer, so the binary is
    // still writing when the reader goes away, as with `alkstats … | head -c 10`.
    let mut big = String::from("study,drug,n,responders,source\n");
    for i in 0..1000u64 {
        let n = 20 + i % 150;
        big.push_str(&format!(
            "S{i},drug{},{n},{},generated\n",
            i % 4,
            1 + (i * 7) % (n - 1)
        ));
    }
    let input = wd.create("big.csv", big);
    let mut child = std::process::Command::new(BIN)
        .current_dir(wd.root())
        .args(["pool", "--format", "csv", "--studies", "--data"])
        .arg(Path::new(&input))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn alkstats");
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 10];
    stdout.read_exact(&mut head).expect("read the first bytes");
    assert_eq!(&head, b"row,group,");
    drop(stdout);
    let out = child.wait_with_output().expect("wait for alkstats");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn completions_and_the_man_page_come_from_the_flags() {
    let w = Workdir::new();
    for (shell, marker) in [
        ("bash", "_alkstats()"),
        ("zsh", "#compdef alkstats"),
        ("fish", "complete -c alkstats"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[alkstats]"),
    ] {
        let script = w.stdout(&["completions", shell]);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..script.len().min(300)]
        );
        // Fish names long flags without their dashes (`-l rm5-outcome`).
        assert!(
            script.contains("rm5-outcome"),
            "{shell} completes pool's flags"
        );
    }
    let page = w.stdout(&["man"]);
    assert!(page.contains(".TH alkstats 1"), "{}", &page[..200]);
    for needle in [
        ".TH \"alkstats pool\"",
        "sd\\-method",
        ".TH \"alkstats import\"",
    ] {
        assert!(page.contains(needle), "man page lacks {needle}");
    }
    let (code, _, err) = w.outcome(&["completions", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn flags_that_do_not_apply_are_refused_with_a_sentence() {
    let w = Workdir::new();
    for (args, says) in [
        (
            &["pool", "--outcome", "hr", "--sm", "PFT"][..],
            "--sm PFT does not apply to --outcome hr",
        ),
        (
            &["pool", "--outcome", "orr", "--measure", "OR"][..],
            "--measure OR does not apply to --outcome orr",
        ),
        (
            &["pool", "--outcome", "pfs", "--measure", "RR"][..],
            "--measure RR does not apply to --outcome pfs",
        ),
        (
            &["pool", "--outcome", "orr", "--method", "MH"][..],
            "--method MH does not apply to --outcome orr",
        ),
        (
            &["pool", "--outcome", "orr", "--compare", "--sm", "PFT"][..],
            "does not apply to --outcome orr --compare",
        ),
        (
            &[
                "forest",
                "--outcome",
                "orr",
                "--format",
                "json",
                "-o",
                "f.png",
            ][..],
            "--format does not apply to alkstats forest",
        ),
        (
            &["forest", "--outcome", "orr", "--studies", "-o", "f.png"][..],
            "--studies does not apply to alkstats forest",
        ),
        (
            &["funnel", "--outcome", "orr", "--stream", "-o", "f.png"][..],
            "--stream does not apply to alkstats funnel",
        ),
        (
            &[
                "funnel",
                "--outcome",
                "orr",
                "--forest",
                "x.png",
                "-o",
                "f.png",
            ][..],
            "--forest does not apply to alkstats funnel",
        ),
    ] {
        let (code, out, err) = w.outcome(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty() && err.contains(says), "{args:?}: {err}");
    }
    assert!(w.entries().is_empty(), "nothing written");
    // The flags still work where they apply.
    w.stdout(&[
        "pool",
        "--outcome",
        "orr",
        "--compare",
        "--measure",
        "OR",
        "--method",
        "Peto",
    ]);
    w.stdout(&["pool", "--outcome", "pfs", "--method", "mm"]);
}
