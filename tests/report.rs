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
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::workdir::{alkstats, Workdir};

/// The repository root (for the shipped data and the committed example report).
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("list a folder") {
            let entry = entry.expect("a folder entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().expect("a file type").is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.insert(rel, std::fs::read(entry.path()).expect("read a file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// The default plan's analyses and the commands that must print the same JSON, written out
/// from the plan file by hand (not read from the report).
const DEFAULT_PLAN: &[(&str, &[&str])] = &[
    (
        "orr_by_drug",
        &[
            "pool",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--format",
            "json",
        ],
    ),
    (
        "orr_by_drug_glmm",
        &[
            "pool",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--method",
            "GLMM",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_influence",
        &[
            "influence",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_cumulative",
        &[
            "cumulative",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--order",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_year",
        &[
            "metareg",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--group",
            "crizotinib",
            "--mods",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_setting",
        &[
            "metareg",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--group",
            "crizotinib",
            "--mods",
            "setting",
            "--format",
            "json",
        ],
    ),
    (
        "orr_randomized",
        &[
            "pool",
            "--outcome",
            "orr",
            "--compare",
            "--measure",
            "RR",
            "--method",
            "MH",
            "--format",
            "json",
        ],
    ),
    (
        "pfs_median_by_drug",
        &[
            "pool",
            "--outcome",
            "pfs",
            "--method",
            "log-iv",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_by_comparison",
        &[
            "pool",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_influence",
        &[
            "influence",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_cumulative",
        &[
            "cumulative",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--order",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "hr_os_by_comparison",
        &[
            "pool",
            "--outcome",
            "hr",
            "--endpoint",
            "os",
            "--format",
            "json",
        ],
    ),
    (
        "network_pfs",
        &[
            "network",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_bias",
        &[
            "bias",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--format",
            "json",
        ],
    ),
];

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
fn markdown_and_html_show_the_json_numbers_at_fixed_decimals() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let results = results(&w.path("r"));
    let md = std::fs::read_to_string(w.path("r/report.md")).unwrap();
    let html = std::fs::read_to_string(w.path("r/index.html")).unwrap();
    let mut checked = 0;
    for entry in results["analyses"].as_array().unwrap() {
        if entry["kind"] == "network" {
            for r in entry["result"]["ranking"].as_array().unwrap() {
                let row = format!(
                    "| {} | {} | {:.4} |",
                    r["rank"],
                    r["treatment"].as_str().unwrap(),
                    r["p_score"].as_f64().unwrap()
                );
                assert!(md.contains(&row), "report.md lacks {row}");
                checked += 1;
            }
            continue;
        }
        if entry["kind"] == "metareg" {
            // Each coefficient's row: its term, estimate, se, statistic and p-value.
            for c in entry["result"]["coefficients"].as_array().unwrap() {
                let f = |v: &Value, d: usize| format!("{:.*}", d, v.as_f64().unwrap());
                let row = format!(
                    "| {} | {} | {} | {} |",
                    c["term"].as_str().unwrap(),
                    f(&c["estimate"], 4),
                    f(&c["se"], 4),
                    f(&c["stat"], 3)
                );
                assert!(md.contains(&row), "report.md lacks {row}");
                checked += 1;
            }
            continue;
        }
        if entry["kind"] == "influence" || entry["kind"] == "cumulative" {
            // Each refit's row: its study, k and estimate with its interval.
            let refits = if entry["kind"] == "influence" {
                "leave_one_out"
            } else {
                "cumulative"
            };
            for a in entry["result"]["analyses"].as_array().unwrap() {
                for r in a[refits].as_array().unwrap() {
                    let f = |v: &Value| format!("{:.4}", v.as_f64().unwrap());
                    let row = format!(
                        "| {} | {} | {} [{}; {}] |",
                        r["study"].as_str().unwrap(),
                        r["k"],
                        f(&r["estimate"]),
                        f(&r["lower"]),
                        f(&r["upper"])
                    );
                    // Groups of one study are named, not tabled.
                    if a[refits].as_array().unwrap().len() > 1 {
                        assert!(md.contains(&row), "report.md lacks {row}");
                        checked += 1;
                    }
                }
            }
            continue;
        }
        let digits = if entry["kind"] == "pfs" { 2 } else { 4 };
        // This analysis' part of the Markdown: from its heading to the next one.
        let title = entry["title"].as_str().unwrap();
        let start = md
            .find(&format!(". {title}\n"))
            .expect("a section per analysis");
        let section = &md[start..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        for a in entry["result"]["analyses"].as_array().unwrap() {
            let f = |v: &Value| format!("{:.*}", digits, v.as_f64().unwrap());
            let r = &a["random"];
            let (est, ci) = (
                f(&r["estimate"]),
                format!("[{}; {}]", f(&r["lower"]), f(&r["upper"])),
            );
            let label = a["group"].as_str().unwrap_or("All studies");
            let row_start = format!("| {label} | {} |", a["k"]);
            let row = section
                .lines()
                .find(|l| l.starts_with(&row_start))
                .unwrap_or_else(|| panic!("report.md has no row starting {row_start}"));
            assert!(
                row.contains(&format!("{est} {ci}")),
                "{row} lacks {est} {ci}"
            );
            assert!(
                html.contains(&format!("{est}</span> <span class=\"nw\">{ci}")),
                "index.html lacks {est} {ci}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} rows checked");
    assert!(!html.contains("<script"), "the page needs no JavaScript");
    assert!(html.contains("@media print"), "the page has a print style");
}

#[test]
fn methods_section_names_estimators_conventions_and_references() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let md = std::fs::read_to_string(w.path("r/report.md")).unwrap();
    let methods = &md[md.find("## Methods").expect("a methods section")..];
    for needle in [
        "restricted maximum likelihood (REML; Viechtbauer 2005)",
        "logit transformation",
        "I² = max(0, (Q − df)/Q) × 100%",
        "t distribution with k − 1 degrees of freedom",
        "Q-profile method (Viechtbauer 2007)",
        "P-scores (Rücker & Schwarzer 2015)",
        "## References",
        "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med. 2002",
        "influence() (Viechtbauer & Cheung 2010)",
        "The Baujat plot (Baujat et al. 2002)",
        "In a cumulative meta-analysis (Lau et al. 1992)",
        "were regressed on year (Thompson & Higgins 2002)",
        "## Data provenance",
    ] {
        assert!(methods.contains(needle), "methods lack '{needle}'");
    }
    // Every shipped arm is listed with its source, and used rows name their analyses.
    assert!(md.contains(
        "| 3 | PROFILE 1001 (2012: 143 pts) | crizotinib | PROFILE 1001 | orr_by_drug, \
         orr_by_drug_glmm, orr_crizotinib_influence, orr_crizotinib_cumulative, \
         orr_crizotinib_year, orr_crizotinib_setting, orr_crizotinib_bias |"
    ));
    assert!(md.contains("Camidge DR, Lancet Oncol 2012"));
}

#[test]
fn figures_are_the_bytes_the_plot_commands_write() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    w.ok(&["forest", "--outcome", "orr", "--output", "forest.png"]);
    w.ok(&[
        "forest",
        "--outcome",
        "hr",
        "--endpoint",
        "os",
        "--output",
        "hr_os.svg",
    ]);
    w.ok(&["funnel", "--outcome", "orr", "--output", "funnel.png"]);
    w.ok(&[
        "network",
        "--graph",
        "graph.png",
        "--forest",
        "nforest.svg",
        "--output",
        "network.txt",
    ]);
    w.ok(&[
        "influence",
        "--group",
        "crizotinib",
        "--plot",
        "loo.svg",
        "--baujat",
        "baujat.png",
        "--influence-plot",
        "influence.png",
        "--output",
        "influence.txt",
    ]);
    w.ok(&[
        "cumulative",
        "--outcome",
        "hr",
        "--order",
        "year",
        "--plot",
        "cumulative.png",
        "--output",
        "cumulative.txt",
    ]);
    for (mine, theirs) in [
        ("r/figures/orr_crizotinib_influence_forest.svg", "loo.svg"),
        (
            "r/figures/orr_crizotinib_influence_baujat.png",
            "baujat.png",
        ),
        (
            "r/figures/orr_crizotinib_influence_influence.png",
            "influence.png",
        ),
        ("r/figures/hr_pfs_cumulative_forest.png", "cumulative.png"),
        ("r/figures/orr_by_drug_forest.png", "forest.png"),
        ("r/figures/hr_os_by_comparison_forest.svg", "hr_os.svg"),
        ("r/figures/orr_by_drug_funnel.png", "funnel.png"),
        ("r/figures/network_pfs_graph.png", "graph.png"),
        ("r/figures/network_pfs_forest.svg", "nforest.svg"),
    ] {
        assert!(
            std::fs::read(w.path(mine)).unwrap() == std::fs::read(w.path(theirs)).unwrap(),
            "{mine} differs from {theirs}"
        );
    }
}

#[test]
fn a_plan_with_relative_data_and_other_settings_matches_pool_on_the_same_files() {
    let w = Workdir::new();
    w.create(
        "data/arms.csv",
        std::fs::read(repo().join("data/alk_nsclc_arms.csv")).unwrap(),
    );
    w.create(
        "data/hr.csv",
        std::fs::read(repo().join("data/alk_nsclc_hr.csv")).unwrap(),
    );
    w.create(
        "plans/custom.toml",
        r#"title = "Custom"
[data]
arms = "../data/arms.csv"
hr = "../data/hr.csv"
[settings]
method_tau = "DL"
level = 0.9
[[analysis]]
id = "orr_pft"
kind = "orr"
by = "setting"
sm = "PFT"
random_ci = "hk"
prediction = "hts"
ci_study = "wilson"
forest_sort = "estimate"
[[analysis]]
id = "peto"
kind = "orr-compare"
by = "none"
measure = "OR"
method = "Peto"
method_tau = "SJ"
[[analysis]]
id = "pfs_wm"
kind = "pfs"
method = "wm"
keep_overlapping = true
forest = false
[[analysis]]
id = "os"
kind = "hr"
endpoint = "os"
by = "none"
random_ci = "hk-adhoc"
[[analysis]]
id = "nma_first_line"
kind = "network"
setting = "first-line"
reference = "crizotinib"
model = "common"
graph = false
"#,
    );
    let data = |file: &str| format!("data/{file}");
    let expected: Vec<(&str, Vec<String>)> = vec![
        (
            "orr_pft",
            "pool --outcome orr --by setting --sm PFT --method-tau DL --random-ci hk --prediction hts --ci-study wilson --level 0.9 --format json --data",
        ),
        (
            "peto",
            "pool --outcome orr --compare --by none --measure OR --method Peto --method-tau SJ --level 0.9 --format json --data",
        ),
        (
            "pfs_wm",
            "pool --outcome pfs --method wm --method-tau DL --level 0.9 --keep-overlapping --format json --data",
        ),
        (
            "os",
            "pool --outcome hr --endpoint os --by none --method-tau DL --random-ci hk-adhoc --level 0.9 --format json --data",
        ),
        (
            "nma_first_line",
            "network --setting first-line --reference crizotinib --model common --method-tau DL --level 0.9 --format json --data",
        ),
    ]
    .into_iter()
    .map(|(id, cmd)| {
        let file = if cmd.contains("--outcome hr") || cmd.starts_with("network") {
            "hr.csv"
        } else {
            "arms.csv"
        };
        let mut args: Vec<String> = cmd.split(' ').map(String::from).collect();
        args.push(data(file));
        (id, args)
    })
    .collect();
    // Run from the workdir: the plan's paths resolve against the plan's folder, not the cwd.
    w.ok(&["report", "plans/custom.toml", "--out", "out"]);
    let results = results(&w.path("out"));
    for (entry, (id, args)) in results["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&expected)
    {
        assert_eq!(entry["id"], *id);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut direct = w.json(&args);
        let mut mine = entry["result"].clone();
        // The data file is named as written: relative to the plan, or to the cwd for pool.
        let written = if args.contains(&"data/hr.csv") {
            "../data/hr.csv"
        } else {
            "../data/arms.csv"
        };
        assert_eq!(mine["settings"]["data"], written, "{id}");
        mine["settings"]["data"] = Value::Null;
        direct["settings"]["data"] = Value::Null;
        assert!(
            mine == direct,
            "{id}: results.json differs from alkstats {}",
            args.join(" ")
        );
    }
    let figures: Vec<String> = files(&w.path("out"))
        .into_keys()
        .filter(|k| k.starts_with("figures/"))
        .collect();
    assert!(
        !figures.iter().any(|f| f.contains("pfs_wm")),
        "forest = false draws nothing"
    );
    assert!(!figures.iter().any(|f| f.contains("nma_first_line_graph")));
    // --check finds the plan's data from any working directory.
    let out = w.ok_in("plans", &["report", "--check", "../out"]);
    assert!(out.contains("files match"), "{out}");
    // A changed input is a difference too (here one row's source).
    let arms = std::fs::read_to_string(w.path("data/arms.csv")).unwrap();
    assert!(arms.contains("Camidge DR"));
    std::fs::write(
        w.path("data/arms.csv"),
        arms.replacen("Camidge DR", "Camidge D", 1),
    )
    .unwrap();
    let (stdout, _) = w.fails_with(1, &["report", "--check", "out"]);
    assert!(stdout.contains("differs     manifest.json"), "{stdout}");
    assert!(stdout.contains("differs     index.html"), "{stdout}");
}

#[test]
fn plan_errors_exit_2_with_file_line_and_key_and_write_nothing() {
    let w = Workdir::new();
    w.create(
        "plan.toml",
        "title = \"T\"\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\ncolour = \"red\"\n",
    );
    let (_, stderr) = w.fails_with(2, &["report", "plan.toml", "--out", "r"]);
    assert!(
        stderr.contains("plan.toml:5:1: unknown field `colour`"),
        "{stderr}"
    );
    assert!(!w.path("r").exists());
    w.create(
        "plan2.toml",
        "title = \"T\"\n[[analysis]]\nid = \"a\"\nkind = \"hr\"\nci_study = \"wilson\"\n",
    );
    let (_, stderr) = w.fails_with(2, &["report", "plan2.toml", "--out", "r"]);
    assert!(
        stderr
            .contains("plan2.toml:5:12: analysis 'a': key 'ci_study' does not apply to kind 'hr'"),
        "{stderr}"
    );
    w.create(
        "plan3.toml",
        "title = \"T\"\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\nby = \"colour\"\n",
    );
    let (_, stderr) = w.fails_with(2, &["report", "plan3.toml", "--out", "r"]);
    assert!(
        stderr.contains("analysis 'a': --by colour: no such column"),
        "{stderr}"
    );
    let (_, stderr) = w.fails_with(2, &["report", "missing.toml", "--out", "r"]);
    assert!(
        stderr.contains("missing.toml: cannot read the plan"),
        "{stderr}"
    );
    assert!(!w.path("r").exists());
    // A folder holding anything but a report is never replaced.
    w.create("mine/thesis.tex", "precious");
    let (_, stderr) = w.fails_with(2, &["report", "--out", "mine"]);
    assert!(stderr.contains("holds no alkstats report"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(w.path("mine/thesis.tex")).unwrap(),
        "precious"
    );
    let (_, stderr) = w.fails_with(2, &["report", "--check", "nowhere"]);
    assert!(stderr.contains("no such folder"), "{stderr}");
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

/// Finds Debian's `chromium` (or `chromium-browser`) on the PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Decodes a PNG into (width, height, RGB pixels).
fn decode_rgb(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

#[test]
fn headless_chromium_renders_index_html_to_a_non_blank_page() {
    let Some(browser) = chromium() else {
        println!("NOTICE: chromium is not installed; the browser test of index.html is skipped");
        eprintln!("NOTICE: chromium is not installed; the browser test of index.html is skipped");
        return;
    };
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let shot = w.path("shot.png");
    let profile = w.path("profile");
    let url = format!("file://{}", w.path("r/index.html").display());
    let mut child = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2000")
        .arg(&url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let bytes = std::fs::read(&shot).expect("chromium wrote a screenshot");
    // Keep a copy to look at.
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_index_screenshot.png");
    let _ = std::fs::write(&keep, &bytes);
    println!("screenshot: {}", keep.display());
    let (width, height, pixels) = decode_rgb(&bytes);
    assert_eq!((width, height), (1200, 2000));
    let dark = pixels.iter().filter(|p| p.iter().all(|&c| c < 100)).count();
    let non_white = pixels.iter().filter(|p| p.iter().any(|&c| c < 245)).count();
    // Text (dark pixels) and tables and figures (non-white) cover a real share of the page,
    // and the title (dark pixels) is in the top tenth.
    assert!(dark > pixels.len() / 200, "only {dark} dark pixels");
    assert!(
        non_white > pixels.len() / 20,
        "only {non_white} non-white pixels"
    );
    let top_dark = pixels[..pixels.len() / 10]
        .iter()
        .filter(|p| p.iter().all(|&c| c < 100))
        .count();
    assert!(
        top_dark > 500,
        "no title at the top ({top_dark} dark pixels)"
    );
}

#[test]
fn a_plan_reads_a_users_own_file_by_role_as_pool_does() {
    let w = Workdir::new();
    // Columns by role and in the user's own case; no drug, no source.
    w.create(
        "mine.csv",
        "Author,Year,Events,Total\nSmith 2010,2010,12,40\nJones 2012,2012,30,61\nLee 2015,2015,8,33\n",
    );
    w.create(
        "plan.toml",
        "title = \"Mine\"\n[data]\narms = \"mine.csv\"\n[[analysis]]\nid = \"orr\"\nkind = \"orr\"\nby = \"none\"\nforest = false\n",
    );
    w.ok(&["report", "plan.toml", "--out", "r"]);
    let report = results(&w.path("r"));
    let entry = &report["analyses"][0];
    let direct = w.json(&[
        "pool",
        "--outcome",
        "orr",
        "--by",
        "none",
        "--data",
        "mine.csv",
        "--format",
        "json",
    ]);
    assert_eq!(
        entry["result"], direct,
        "results.json differs from alkstats pool on the file"
    );
    assert_eq!(entry["result"]["analyses"][0]["k"], 3);
}
