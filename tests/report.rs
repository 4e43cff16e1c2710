//! End-to-end tests of `alkstats report`: every test runs the real binary in a fresh temporary
//! directory (as `tests/cli.rs` does).
//!
//! Where the expected numbers come from: `results.json` must hold, for every analysis, exactly
//! the JSON that `alkstats pool … --format json` (or `alkstats network … --format json`) prints
//! for the same settings — the commands are written out by hand below, not taken from the
//! report — and the HTML and Markdown must show those numbers rounded to the stated decimals.
//! Figures must be the bytes that `alkstats forest`, `funnel` and `network --graph/--forest`
//! write. Reproducibility is tested by byte comparison of two runs and by `--check`.

mod support;

use serde_json::Value;
use support::report::{files, repo, results, DEFAULT_PLAN};
use support::workdir::{alkstats, Workdir};

#[test]
fn two_runs_write_byte_identical_files_and_check_accepts_them() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "first"]);
    w.ok(&["report", "--out", "second"]);
    let (a, b) = (files(&w.path("first")), files(&w.path("second")));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same file list"
    );
    for (name, bytes) in &a {
        assert!(b[name] == *bytes, "{name} differs between two runs");
    }
    for name in ["index.html", "report.md", "results.json", "manifest.json"] {
        assert!(a.contains_key(name), "{name} is written");
    }
    let figures = a.keys().filter(|k| k.starts_with("figures/")).count();
    assert_eq!(figures, 34, "a PNG and an SVG of each of the 17 figures");
    let out = w.ok(&["report", "--check", "first"]);
    assert!(out.contains("all 38 files match"), "{out}");
    // Writing over an earlier report replaces it whole.
    w.create("first/stale.txt", "left over");
    w.ok(&["report", "--out", "first"]);
    assert!(!w.path("first/stale.txt").exists());
}

#[test]
fn check_lists_every_file_that_differs_and_exits_1() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let mut html = std::fs::read(w.path("r/index.html")).unwrap();
    html.extend_from_slice(b"<!-- edited -->");
    std::fs::write(w.path("r/index.html"), html).unwrap();
    std::fs::remove_file(w.path("r/figures/orr_by_drug_forest.svg")).unwrap();
    w.create("r/notes.txt", "mine");
    let (stdout, stderr) = w.fails_with(1, &["report", "--check", "r"]);
    assert!(stdout.contains("differs     index.html"), "{stdout}");
    assert!(stdout.contains("tampered    index.html"), "{stdout}");
    assert!(
        stdout.contains("missing     figures/orr_by_drug_forest.svg"),
        "{stdout}"
    );
    assert!(stdout.contains("unexpected  notes.txt"), "{stdout}");
    assert!(
        !stdout.contains("report.md"),
        "intact files are not listed: {stdout}"
    );
    assert!(stderr.contains("do not match a fresh run"), "{stderr}");
}

#[test]
fn an_interrupted_run_never_leaves_a_report_that_check_accepts() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    // A write stopped before the manifest (the manifest is written last).
    std::fs::remove_file(w.path("r/manifest.json")).unwrap();
    let (stdout, _) = w.fails_with(1, &["report", "--check", "r"]);
    assert!(stdout.contains("manifest.json"), "{stdout}");
    // A write stopped inside a figure, manifest present.
    w.ok(&["report", "--out", "s"]);
    let png = w.path("s/figures/hr_pfs_by_comparison_forest.png");
    let bytes = std::fs::read(&png).unwrap();
    std::fs::write(&png, &bytes[..bytes.len() / 2]).unwrap();
    let (stdout, _) = w.fails_with(1, &["report", "--check", "s"]);
    assert!(
        stdout.contains("figures/hr_pfs_by_comparison_forest.png"),
        "{stdout}"
    );
    // Nothing but the report folders is left next to them (no temporary folders).
    assert_eq!(w.entries(), ["r", "s"]);
}

#[test]
fn every_number_in_results_json_is_the_one_pool_and_network_print() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let results = results(&w.path("r"));
    let analyses = results["analyses"].as_array().expect("analyses");
    let ids: Vec<&str> = analyses.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let expected_ids: Vec<&str> = DEFAULT_PLAN.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected_ids);
    for (entry, (id, args)) in analyses.iter().zip(DEFAULT_PLAN) {
        let direct = w.json(args);
        assert!(
            entry["result"] == direct,
            "{id}: results.json differs from alkstats {}",
            args.join(" ")
        );
        // The command the report prints runs the same analysis (all settings spelled out).
        let shown: Vec<&str> = entry["command"].as_str().unwrap().split(' ').collect();
        assert_eq!(shown[0], "alkstats");
        let mut shown_args: Vec<&str> = shown[1..].to_vec();
        shown_args.extend(["--format", "json"]);
        assert!(
            w.json(&shown_args) == direct,
            "{id}: the printed command differs"
        );
    }
    assert_eq!(results["alkstats_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_timestamp_is_written_only_when_asked_and_check_reuses_it() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "plain"]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("plain/manifest.json")).unwrap())
            .unwrap();
    assert!(manifest["generated_at"].is_null());
    w.ok(&["report", "--timestamp", "--out", "stamped"]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(w.path("stamped/manifest.json")).unwrap())
            .unwrap();
    let stamp = manifest["generated_at"].as_str().expect("a timestamp");
    assert_eq!(stamp.len(), 20, "{stamp}");
    assert!(
        stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
        "{stamp}"
    );
    let html = std::fs::read_to_string(w.path("stamped/index.html")).unwrap();
    assert!(html.contains(stamp));
    w.ok(&["report", "--check", "stamped"]);
}

#[test]
fn the_committed_example_matches_a_fresh_run_of_the_embedded_plan() {
    let out = alkstats()
        .current_dir(repo())
        .args(["report", "--check", "reports/alk_review"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "reports/alk_review/ is out of date; regenerate it with \
         `cargo run --release -- report --out reports/alk_review`:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let embedded = std::fs::read_to_string(repo().join("reports/alk_review.toml")).unwrap();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("reports/alk_review/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["plan"]["text"], embedded,
        "the example is the embedded plan"
    );
}
