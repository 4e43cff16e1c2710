//! End-to-end checks of the comparative outcomes through the real binary: hazard ratios
//! (CI level conversion, p-value rows, inverted comparators, superseded rows, bad input), two-arm
//! comparisons and median PFS (exclusion report, assumptions).

mod support;

use serde_json::Value;
use support::workdir::Workdir;
use support::{ARITHMETIC, FOUR_DECIMALS, ROUND_OFF};

const HEADER: &str =
    "study,trial,treatment,comparator,endpoint,hr,hr_lower,hr_upper,ci_level,p_value,source\n";

#[test]
fn shipped_hr_shows_the_expected_comparisons() {
    let dir = Workdir::new();
    let v = dir.json(&["pool", "--outcome", "hr", "--format", "json"]);
    let groups: Vec<&str> = v["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    for g in [
        "crizotinib vs chemotherapy",
        "ceritinib vs chemotherapy",
        "alectinib vs crizotinib",
        "brigatinib vs crizotinib",
    ] {
        assert!(groups.contains(&g), "{g} missing from {groups:?}");
    }
    // Every estimate is a hazard ratio (positive, inside its CI).
    for a in v["analyses"].as_array().unwrap() {
        let c = &a["common"];
        assert!(c["lower"].as_f64().unwrap() < c["estimate"].as_f64().unwrap());
        assert!(c["estimate"].as_f64().unwrap() < c["upper"].as_f64().unwrap());
    }
}

#[test]
fn ci_level_travels_with_the_interval() {
    // J-ALEX: HR 0.34 with a 99.7% CI 0.17–0.71. SE = (ln 0.71 − ln 0.17)/(2·2.967738) = 0.24077;
    // the 95% CI shown is exp(ln 0.34 ± 1.959964·SE) = [0.2121, 0.5451].
    let dir = Workdir::new();
    dir.create(
        "hr.csv",
        format!("{HEADER}J,J,alectinib,crizotinib,pfs,0.34,0.17,0.71,0.997,,x\n"),
    );
    let v = dir.json(&[
        "pool",
        "--outcome",
        "hr",
        "--data",
        "hr.csv",
        "--format",
        "json",
    ]);
    let s = &v["analyses"][0]["studies"][0];
    let se = (0.71f64.ln() - 0.17f64.ln()) / (2.0 * 2.967_737_925_342_93);
    assert!((s["vi"].as_f64().unwrap() - se * se).abs() < ARITHMETIC);
    assert!((s["lower"].as_f64().unwrap() - 0.2121).abs() < FOUR_DECIMALS);
    assert!((s["upper"].as_f64().unwrap() - 0.5451).abs() < FOUR_DECIMALS);
    assert_eq!(s["ci_level_reported"].as_f64(), Some(0.997));
}

#[test]
fn p_value_rows_and_inverted_rows() {
    // Row B is written crizotinib vs alectinib: it must be inverted (HR 2 → 0.5), not mixed.
    let dir = Workdir::new();
    let csv = format!(
        "{HEADER}A,A,alectinib,crizotinib,pfs,0.5,0.35,0.71,0.95,,x\n\
         B,B,crizotinib,alectinib,pfs,2.0,1.4,2.857,0.95,,x\n\
         P,P,alectinib,crizotinib,pfs,0.821,,,,0.18,x\n"
    );
    dir.create("hr.csv", csv);
    let v = dir.json(&[
        "pool",
        "--outcome",
        "hr",
        "--data",
        "hr.csv",
        "--format",
        "json",
    ]);
    assert_eq!(
        v["analyses"].as_array().unwrap().len(),
        1,
        "one comparison, not two"
    );
    let st = v["analyses"][0]["studies"].as_array().unwrap();
    assert_eq!(st[1]["inverted"], true);
    assert!((st[1]["estimate"].as_f64().unwrap() - 0.5).abs() < ROUND_OFF);
    assert_eq!(st[1]["treatment"], "alectinib");
    // p-only: SE = |ln 0.821| / qnorm(0.91) = 0.197232 / 1.340755 (Altman & Bland 2011).
    assert_eq!(st[2]["se_from"], "p-value");
    let se = 0.821f64.ln().abs() / 1.340_755_033_690_216;
    assert!((st[2]["vi"].as_f64().unwrap().sqrt() - se).abs() < ARITHMETIC);
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("inverted")));
}

#[test]
fn superseded_rows_are_reported_not_dropped_silently() {
    let dir = Workdir::new();
    let v = dir.json(&[
        "pool",
        "--outcome",
        "hr",
        "--endpoint",
        "os",
        "--format",
        "json",
    ]);
    let w = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(w.contains("PROFILE 1014 OS (seed 2014)"), "{w}");
}

#[test]
fn bad_hr_input_exits_2_with_the_line() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "hr zero",
            "A,A,alectinib,crizotinib,pfs,0,0.1,0.5,0.95,,x",
            &["line 2", "(hr)", "greater than 0"],
        ),
        (
            "hr negative",
            "A,A,alectinib,crizotinib,pfs,-0.4,0.1,0.5,0.95,,x",
            &["line 2", "(hr)", "'-0.4'"],
        ),
        (
            "lower above upper",
            "A,A,alectinib,crizotinib,pfs,0.4,0.6,0.3,0.95,,x",
            &["line 2", "hr_lower", "below hr_upper"],
        ),
        (
            "outside its CI",
            "A,A,alectinib,crizotinib,pfs,0.9,0.3,0.6,0.95,,x",
            &["line 2", "(hr)", "inside its own CI"],
        ),
        (
            "level above 1",
            "A,A,alectinib,crizotinib,pfs,0.4,0.3,0.6,95,,x",
            &["line 2", "ci_level", "0.95"],
        ),
        (
            "level zero",
            "A,A,alectinib,crizotinib,pfs,0.4,0.3,0.6,0,,x",
            &["line 2", "ci_level", "between 0 and 1"],
        ),
        (
            "p zero",
            "A,A,alectinib,crizotinib,pfs,0.4,,,,0,x",
            &["line 2", "p_value", "(0, 1]"],
        ),
        (
            "p above 1",
            "A,A,alectinib,crizotinib,pfs,0.4,,,,1.5,x",
            &["line 2", "p_value", "'1.5'"],
        ),
        (
            "no precision",
            "A,A,alectinib,crizotinib,pfs,0.4,,,,,x",
            &["line 2", "hr_lower", "p_value"],
        ),
        (
            "same drug",
            "A,A,alectinib,alectinib,pfs,0.4,0.3,0.6,0.95,,x",
            &["line 2", "comparator"],
        ),
        (
            "bad endpoint",
            "A,A,alectinib,crizotinib,orr,0.4,0.3,0.6,0.95,,x",
            &["line 2", "endpoint", "pfs or os"],
        ),
    ];
    for (name, row, expect) in cases {
        let dir = Workdir::new();
        // The bad row is the first data row, so every message must name line 2.
        dir.create("hr.csv", format!("{HEADER}{row}\n"));
        let (code, stdout, stderr) = dir.outcome(&["pool", "--outcome", "hr", "--data", "hr.csv"]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        for e in *expect {
            assert!(stderr.contains(e), "{name}: stderr lacks {e:?}: {stderr}");
        }
    }
}

#[test]
fn two_arm_comparison_and_peto_guard() {
    let dir = Workdir::new();
    let v = dir.json(&[
        "pool",
        "--compare",
        "--measure",
        "OR",
        "--method",
        "Peto",
        "--format",
        "json",
    ]);
    assert_eq!(v["settings"]["method"], "Peto");
    assert_eq!(v["analyses"][0]["group"], "crizotinib vs chemotherapy");
    let (code, _, stderr) =
        dir.outcome(&["pool", "--compare", "--measure", "RR", "--method", "Peto"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--measure OR"), "{stderr}");
    let (code, _, stderr) = dir.outcome(&["pool", "--compare", "--method", "XY"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("IV, MH, MH-cc, Peto"), "{stderr}");
}

#[test]
fn median_pfs_lists_exclusions_and_assumptions() {
    let dir = Workdir::new();
    let v = dir.json(&["pool", "--outcome", "pfs", "--format", "json"]);
    let excluded = v["excluded"].as_array().unwrap();
    assert!(excluded
        .iter()
        .any(|e| e["reason"].as_str().unwrap().contains("no median PFS")));
    assert!(excluded
        .iter()
        .any(|e| e["reason"].as_str().unwrap().contains("no 95% CI")));
    assert!(!v["assumptions"].as_array().unwrap().is_empty());
    // Every arm of the file is either analysed or excluded: nothing dropped silently.
    let analysed: usize = v["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["studies"].as_array().unwrap().len())
        .sum();
    let rows = alkstats::data::EMBEDDED_ARMS.lines().count() - 1;
    assert_eq!(analysed + excluded.len(), rows);
    let (code, stdout, _) = dir.outcome(&["pool", "--outcome", "pfs", "--method", "mm"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Assumptions:"));
}

#[test]
fn hr_from_medians_is_labelled() {
    let dir = Workdir::new();
    let shipped = alkstats::data::EMBEDDED_HR;
    let without_1007: String = shipped
        .lines()
        .filter(|l| !l.starts_with("PROFILE 1007"))
        .map(|l| format!("{l}\n"))
        .collect();
    dir.create("hr.csv", without_1007);
    let v = dir.json(&[
        "pool",
        "--outcome",
        "hr",
        "--data",
        "hr.csv",
        "--estimate-hr-from-medians",
        "--format",
        "json",
    ]);
    let studies: Vec<&Value> = v["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["studies"].as_array().unwrap())
        .collect();
    let derived = studies
        .iter()
        .find(|s| s["study"].as_str().unwrap().starts_with("PROFILE 1007"))
        .expect("derived row");
    assert!(derived["study"]
        .as_str()
        .unwrap()
        .contains("HR from medians"));
    assert_eq!(derived["se_from"], "medians (exponential approximation)");
    // 3.0 / 7.7 months (PROFILE 1007 chemotherapy vs crizotinib medians).
    assert!((derived["estimate"].as_f64().unwrap() - 3.0 / 7.7).abs() < ROUND_OFF);
    let warnings = v["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("APPROXIMATED")));
}
