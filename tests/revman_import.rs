//! `alkstats import rm5`: every outcome of the synthetic review (tests/fixtures/revman/, see
//! its README) becomes a CSV with R meta's column names, and pooling that CSV with the flags
//! the import suggests gives exactly what pooling the review's outcome directly gives.

mod support;

use serde_json::Value;
use support::workdir::Workdir;

fn review() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/revman/synthetic_review.rm5"
    );
    std::fs::read(path).expect("the committed RevMan fixture")
}

/// The analyses of a JSON run without the source lines of the studies (the CSV has a header
/// line the review has not).
fn analyses(w: &Workdir, args: &[&str]) -> Value {
    fn drop_lines(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("lines");
                m.remove("line");
                m.values_mut().for_each(drop_lines);
            }
            Value::Array(a) => a.iter_mut().for_each(drop_lines),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(&w.stdout(args)).expect("JSON");
    drop_lines(&mut v);
    v["analyses"].clone()
}

#[test]
fn each_outcome_becomes_a_csv_that_pools_as_the_review_does() {
    let w = Workdir::new();
    w.create("review.rm5", review());
    let summary = w.stdout(&["import", "rm5", "review.rm5", "--out", "csv"]);
    assert_eq!(w.entries(), ["csv", "review.rm5"]);
    let first = std::fs::read_to_string(w.path("csv/1.1.csv")).unwrap();
    assert!(
        first.starts_with("studlab,subgroup,year,event.e,n.e,event.c,n.c\nAronson Müller 1948,"),
        "{first}"
    );
    for (id, flags) in [
        (
            "1.1",
            "--outcome binary --measure RR --method MH --by subgroup",
        ),
        ("2.1", "--outcome continuous --measure MD"),
        ("2.2", "--outcome generic --sm OR"),
    ] {
        let csv = format!("csv/{id}.csv");
        assert!(
            summary.contains(&format!("alkstats pool {flags} --data {csv}")),
            "{summary}"
        );
        let mut args: Vec<&str> = vec!["pool"];
        args.extend(flags.split(' '));
        args.extend(["--data", &csv, "--format", "json"]);
        let direct = [
            "pool",
            "--data",
            "review.rm5",
            "--rm5-outcome",
            id,
            "--format",
            "json",
        ];
        assert_eq!(analyses(&w, &args), analyses(&w, &direct), "outcome {id}");
    }
}

#[test]
fn a_broken_review_writes_nothing() {
    let w = Workdir::new();
    let bytes = review();
    w.create("cut.rm5", &bytes[..bytes.len() / 2]);
    let (code, out, err) = w.outcome(&["import", "rm5", "cut.rm5", "--out", "csv"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty() && err.starts_with("error: cut.rm5"), "{err}");
    assert_eq!(w.entries(), ["cut.rm5"], "nothing written");
}
