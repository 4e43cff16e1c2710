//! Users' own response-rate and hazard-ratio files through the real binary: columns found by
//! role whatever their case (`Author`, `Events`, `Total`; `Lower`/`Upper`), `drug` needed only
//! to group by it, `source` required only of the shipped data, spreadsheets read like CSV.
//!
//! Expected numbers: the same data written in the shipped schema and pooled by alkstats (whose
//! agreement with metafor is tested in tests/metafor_agreement.rs and tests/byod_agreement.rs), so each
//! test shows that only the reading differs; the hazard-ratio pool is checked against metafor
//! values computed for this file (R call in the test).

mod support;

use rust_xlsxwriter::Workbook;
use serde_json::Value;
use support::workdir::Workdir;
use support::{assert_close, CLOSED_FORM, ROUND_OFF};

const USER_ORR: &str = "Author,Year,Events,Total\n\
                        Smith 2010,2010,12,40\n\
                        Jones 2012,2012,30,61\n\
                        Lee 2015,2015,8,33\n\
                        Wu 2016,2016,20,45\n";

/// The same four studies in the shipped schema (study, drug, n, responders, source).
const SHIPPED_ORR: &str = "study,drug,n,responders,source\n\
                           Smith 2010,x,40,12,s\n\
                           Jones 2012,x,61,30,s\n\
                           Lee 2015,x,33,8,s\n\
                           Wu 2016,x,45,20,s\n";

/// `alkstats pool --outcome OUTCOME --data DATA --format json EXTRA…` as JSON.
fn pool(w: &Workdir, outcome: &str, data: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "pool",
        "--outcome",
        outcome,
        "--data",
        data,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json(w, &args)
}

fn json(w: &Workdir, args: &[&str]) -> Value {
    serde_json::from_str(&w.stdout(args)).expect("JSON output")
}

fn random_estimate(v: &Value) -> f64 {
    v["analyses"][0]["random"]["estimate"].as_f64().unwrap()
}

#[test]
fn a_users_author_events_total_file_pools_without_drug_or_source() {
    let w = Workdir::new();
    w.create("mine.csv", USER_ORR);
    w.create("shipped.csv", SHIPPED_ORR);
    let mine = pool(&w, "orr", "mine.csv", &[]);
    let reference = pool(&w, "orr", "shipped.csv", &["--by", "none"]);
    assert_eq!(
        mine["analyses"].as_array().unwrap().len(),
        1,
        "no drug column: one analysis"
    );
    assert_eq!(mine["analyses"][0]["k"], 4);
    assert_close(
        random_estimate(&mine),
        random_estimate(&reference),
        ROUND_OFF,
        "random",
    );
    // Labels as typed.
    let studies = pool(&w, "orr", "mine.csv", &["--studies"]);
    let text = studies.to_string();
    assert!(
        text.contains("Smith 2010") && text.contains("Wu 2016"),
        "{text}"
    );
}

#[test]
fn grouping_by_drug_needs_a_drug_column_and_headers_match_in_any_case() {
    let w = Workdir::new();
    w.create("mine.csv", USER_ORR);
    let (code, _, err) = w.outcome(&[
        "pool",
        "--outcome",
        "orr",
        "--data",
        "mine.csv",
        "--by",
        "drug",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--by drug") && err.contains("Author, Year, Events, Total"),
        "{err}"
    );
    w.create(
        "drugs.csv",
        "AUTHOR,DRUG,RESPONDERS,N\nA,crizotinib,12,40\nB,crizotinib,30,61\nC,alectinib,8,33\n",
    );
    let v = pool(&w, "orr", "drugs.csv", &[]);
    let groups: Vec<&str> = v["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["crizotinib", "alectinib"],
        "grouped by DRUG by default"
    );
}

#[test]
fn source_is_required_of_the_shipped_schema_only() {
    // The shipped files are read under the shipped schema on every run (so a shipped row
    // without its citation fails every test); that reader refuses a row without a source.
    let err = alkstats::data::load_arms("a.csv", b"study,drug,n,source\nA,x,10,\n").unwrap_err();
    assert!(err.to_string().contains("source"), "{err}");
    let err = alkstats::data::load_arms("a.csv", b"study,drug,n\nA,x,10\n").unwrap_err();
    assert!(
        err.to_string().contains("required column 'source'"),
        "{err}"
    );
    // A user's file has no such duty.
    let w = Workdir::new();
    w.create(
        "mine.csv",
        "study,drug,n,responders,source\nA,x,10,3,\nB,x,12,5,\n",
    );
    let v = pool(&w, "orr", "mine.csv", &[]);
    assert_eq!(v["analyses"][0]["k"], 2);
}

#[test]
fn a_mapped_column_wins_and_a_bad_value_names_the_users_column() {
    let w = Workdir::new();
    w.create(
        "mine.csv",
        "Trial,Responders,Evaluable,Total\nA,3,10,99\nB,x,12,99\n",
    );
    let (code, _, err) = w.outcome(&[
        "pool",
        "--outcome",
        "orr",
        "--data",
        "mine.csv",
        "--map",
        "n=Evaluable",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "error: mine.csv: line 3, column 2 (Responders): found 'x', expected a whole number of \
         patients (0, 1, 2, …)"
    );
}

#[test]
fn a_spreadsheet_pools_like_its_csv() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Response").unwrap();
    for (r, line) in USER_ORR.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(x) => sheet.write(r, c, x).unwrap(),
                Err(_) => sheet.write(r, c, cell).unwrap(),
            };
        }
    }
    let w = Workdir::new();
    w.create("mine.xlsx", book.save_to_buffer().unwrap());
    w.create("mine.csv", USER_ORR);
    let from_sheet = pool(&w, "orr", "mine.xlsx", &[]);
    let from_csv = pool(&w, "orr", "mine.csv", &[]);
    assert_eq!(from_sheet["analyses"], from_csv["analyses"]);
    let named = pool(&w, "orr", "mine.xlsx", &["--sheet", "Response"]);
    assert_eq!(named["analyses"], from_csv["analyses"]);
}

/// metafor 3.8: `rma(yi = log(hr), sei = (log(upper) - log(lower)) / (2 * qnorm(0.975)),
/// method = "REML", control = list(threshold = 1e-12))` on the three rows below gives
/// exp(b) = 0.72659116944 (τ² = 0, so the common and random estimates coincide).
#[test]
fn a_users_hazard_ratio_file_needs_no_endpoint_trial_level_or_source() {
    let w = Workdir::new();
    w.create(
        "hr.csv",
        "Study,Treatment,Comparator,HR,Lower,Upper\n\
         T1,Drug A,Placebo,0.7,0.5,0.98\n\
         T2,Drug A,Placebo,0.8,0.6,1.07\n\
         T3,Drug A,Placebo,0.65,0.45,0.94\n",
    );
    let v = pool(&w, "hr", "hr.csv", &[]);
    let a = &v["analyses"][0];
    assert_eq!(a["k"], 3);
    assert_close(
        a["random"]["estimate"].as_f64().unwrap(),
        0.72659116944,
        CLOSED_FORM,
        "exp(b)",
    );
    let warnings = v["warnings"].to_string();
    for assumed in [
        "no 'endpoint' column",
        "no 'ci_level' column",
        "no 'trial' column",
    ] {
        assert!(
            warnings.contains(assumed),
            "{assumed} not stated: {warnings}"
        );
    }
    let (code, _, err) = w.outcome(&[
        "pool",
        "--outcome",
        "hr",
        "--data",
        "hr.csv",
        "--map",
        "lower=LCL",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no column 'LCL'") && err.contains("Study, Treatment"),
        "{err}"
    );
}

#[test]
fn labels_are_kept_as_typed_and_matched_ignoring_case() {
    let w = Workdir::new();
    w.create(
        "hr.csv",
        "Study,Treatment,Comparator,HR,Lower,Upper\n\
         T1,Drug A,Placebo,0.7,0.5,0.98\n\
         T2,drug a,placebo,0.8,0.6,1.07\n\
         T3,Placebo,DRUG A,1.5,1.1,2.2\n",
    );
    let v = pool(&w, "hr", "hr.csv", &["--studies"]);
    let a = &v["analyses"];
    assert_eq!(a.as_array().unwrap().len(), 1, "one comparison: {a}");
    assert_eq!(a[0]["group"], "Drug A vs Placebo");
    assert_eq!(a[0]["k"], 3);
    let table = w.stdout(&["pool", "--outcome", "hr", "--data", "hr.csv"]);
    assert!(
        table.contains("Drug A vs Placebo") && !table.contains("drug a"),
        "{table}"
    );
    // Groups of any column, and the drug column: the first spelling labels the group; a
    // development code still maps to its generic name.
    w.create(
        "orr.csv",
        "Author,Drug,Setting,Events,Total\nA,Crizotinib,First-line,12,40\nB,crizotinib,first-line,30,61\n\
         C,LDK378,Pretreated,8,33\nD,Ceritinib,pretreated,9,30\n",
    );
    for (by, groups) in [
        ("drug", ["Crizotinib", "ceritinib"]),
        ("setting", ["First-line", "Pretreated"]),
    ] {
        let v = pool(&w, "orr", "orr.csv", &["--by", by]);
        let got: Vec<&str> = v["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["group"].as_str().unwrap())
            .collect();
        assert_eq!(got, groups, "--by {by}");
    }
}
