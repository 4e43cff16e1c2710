//! `alkstats report` on plans whose analyses read the user's own files (`kind = "binary"`,
//! `"continuous"`, `"generic"`), each with its own column names (`map`), as a reviewer writes
//! them. Every test runs the real binary in a fresh temporary directory.
//!
//! Where the expected numbers come from: each analysis in `results.json` must be exactly the
//! JSON that `alkstats pool … --format json` prints on the same file, with the flags written
//! out by hand below (pool's own numbers are checked against metafor in byod_agreement.rs), and
//! a leave-one-out section of the binary analysis exactly what `alkstats influence` prints.

mod support;

use serde_json::Value;
use support::workdir::Workdir;

/// The first six BCG vaccine trials (metadat `dat.bcg`: tpos, tneg + tpos, cpos, cneg + cpos),
/// under the column names a reviewer might use.
const BCG: &str = "Trial,Year,TB vaccinated,N vaccinated,TB control,N control\n\
Aronson,1948,4,123,11,139\n\
Ferguson & Simes,1949,6,306,29,303\n\
Rosenthal et al,1960,3,231,11,220\n\
Hart & Sutherland,1977,62,13598,248,12867\n\
Frimodt-Moller et al,1973,33,5069,47,5808\n\
Stein & Aronson,1953,180,1541,372,1451\n";

/// Two-arm continuous data; the third study reports medians with quartiles.
const PAIN: &str = "study\tn.e\tmean.e\tsd.e\tn.c\tmean.c\tsd.c\tmedian.e\tq1.e\tq3.e\n\
Alpha 2011\t40\t4.1\t1.9\t41\t5.0\t2.1\t\t\t\n\
Beta 2014\t55\t3.6\t2.2\t52\t4.4\t2.0\t\t\t\n\
Gamma 2019\t30\t\t\t31\t4.9\t1.8\t3.5\t2.4\t5.1\n\
Delta 2020\t62\t3.9\t1.7\t60\t4.3\t1.9\t\t\t\n";

/// Hazard ratios with their 95% limits, all on the ratio scale as papers report them
/// (semicolon-separated).
const HR: &str = "Author;TE;lower;upper;source\n\
Kim 2016;0.70;0.50;0.98;J Thorac Oncol 2016\n\
Ito 2018;0.80;0.60;1.07;Lung Cancer 2018\n\
Diaz 2021;0.60;0.40;0.90;Ann Oncol 2021\n";

const PLAN: &str = r#"title = "My own review"
[settings]
method_tau = "DL"

[[analysis]]
id = "bcg"
kind = "binary"
data = "data/bcg.csv"
measure = "OR"
method = "MH"
funnel = true
map = { studlab = "Trial", "event.e" = "TB vaccinated", "n.e" = "N vaccinated", "event.c" = "TB control", "n.c" = "N control" }

[[analysis]]
id = "bcg_glmm"
kind = "binary"
data = "data/bcg.csv"
measure = "OR"
method = "GLMM"
forest = false
map = { studlab = "Trial", "event.e" = "TB vaccinated", "n.e" = "N vaccinated", "event.c" = "TB control", "n.c" = "N control" }

[[analysis]]
id = "bcg_loo"
kind = "influence"
of = "bcg"

[[analysis]]
id = "pain"
kind = "continuous"
data = "data/pain.tsv"
measure = "SMD"
sd_method = "wan"

[[analysis]]
id = "hr"
kind = "generic"
data = "data/hr.csv"
sm = "HR"
random_ci = "hk"
forest_sort = "estimate"
"#;

fn workdir() -> Workdir {
    let w = Workdir::new();
    w.create("data/bcg.csv", BCG);
    w.create("data/pain.tsv", PAIN);
    w.create("data/hr.csv", HR);
    w.create("plan.toml", PLAN);
    w
}

fn results(w: &Workdir) -> Value {
    let text = std::fs::read_to_string(w.path("r/results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_kind_of_users_file_gives_what_pool_prints_on_it() {
    let w = workdir();
    w.ok(&["report", "plan.toml", "--out", "r"]);
    let report = results(&w);
    let bcg_map = [
        "--map",
        "studlab=Trial",
        "--map",
        "event.e=TB vaccinated",
        "--map",
        "n.e=N vaccinated",
        "--map",
        "event.c=TB control",
        "--map",
        "n.c=N control",
    ];
    let bcg_flags = [
        "--outcome",
        "binary",
        "--measure",
        "OR",
        "--method",
        "MH",
        "--method-tau",
        "DL",
        "--data",
        "data/bcg.csv",
        "--format",
        "json",
    ];
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("bcg", [&["pool"][..], &bcg_flags, &bcg_map].concat()),
        (
            "bcg_glmm",
            [
                &[
                    "pool",
                    "--outcome",
                    "binary",
                    "--measure",
                    "OR",
                    "--method",
                    "GLMM",
                ][..],
                &[
                    "--method-tau",
                    "DL",
                    "--data",
                    "data/bcg.csv",
                    "--format",
                    "json",
                ],
                &bcg_map,
            ]
            .concat(),
        ),
        (
            "bcg_loo",
            [&["influence"][..], &bcg_flags, &bcg_map].concat(),
        ),
        (
            "pain",
            vec![
                "pool",
                "--outcome",
                "continuous",
                "--measure",
                "SMD",
                "--sd-method",
                "wan",
                "--method-tau",
                "DL",
                "--data",
                "data/pain.tsv",
                "--format",
                "json",
            ],
        ),
        (
            "hr",
            vec![
                "pool",
                "--outcome",
                "generic",
                "--sm",
                "HR",
                "--method-tau",
                "DL",
                "--random-ci",
                "hk",
                "--data",
                "data/hr.csv",
                "--format",
                "json",
            ],
        ),
    ];
    for (id, args) in expected {
        let entry = report["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no analysis {id} in results.json"));
        let direct = w.json(&args);
        assert_eq!(
            entry["result"], direct,
            "{id}: results.json differs from {args:?}"
        );
    }
    // The studies are those of the files, labels as typed.
    let bcg = &report["analyses"][0]["result"];
    assert_eq!(bcg["analyses"][0]["k"], 6);
    assert_eq!(
        bcg["analyses"][0]["studies"][1]["study"],
        "Ferguson & Simes"
    );
    let glmm = &report["analyses"][1]["result"];
    assert_eq!(glmm["settings"]["method"], "GLMM CM.EL");
    let pain = &report["analyses"][3]["result"];
    assert_eq!(pain["analyses"][0]["k"], 4);
}

#[test]
fn the_documents_list_each_file_with_its_rows_and_the_commands_that_reproduce_them() {
    let w = workdir();
    w.ok(&["report", "plan.toml", "--out", "r"]);
    // minijinja escapes '/' and quotes in HTML text.
    let html = std::fs::read_to_string(w.path("r/index.html"))
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'");
    let md = std::fs::read_to_string(w.path("r/report.md")).unwrap();
    for doc in [&html, &md] {
        for name in ["data/bcg.csv", "data/pain.tsv", "data/hr.csv"] {
            assert!(doc.contains(name), "{name} not listed");
        }
        // The map is part of the command that reproduces the analysis.
        assert!(
            doc.contains("--map studlab=Trial"),
            "map not in the command"
        );
        assert!(doc.contains("Hedges 1981"), "SMD paragraph cites Hedges");
        assert!(
            doc.contains("Wan et al. 2014"),
            "SD from quartiles cites Wan"
        );
    }
    // Provenance: each file under its own anchor, rows linked from the studies table, and the
    // source column of the generic file shown.
    assert!(html.contains("id=\"file1\""), "first own file anchor");
    assert!(html.contains("id=\"file3-3\""), "a row of the third file");
    assert!(
        html.contains("href=\"#file1-2\""),
        "study row links to its line"
    );
    assert!(html.contains("Ann Oncol 2021"));
    let manifest = std::fs::read_to_string(w.path("r/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"role\": \"file2\""),
        "manifest lists the own files"
    );
    // Figures: forest plots of the three analyses, the funnel asked for, leave-one-out forest.
    for f in [
        "bcg_forest",
        "bcg_funnel",
        "bcg_loo_forest",
        "pain_forest",
        "hr_forest",
    ] {
        assert!(w.path(&format!("r/figures/{f}.png")).exists(), "{f}.png");
    }
    // A second run is byte-identical (check accepts it).
    w.ok(&["report", "--check", "r"]);
}

#[test]
fn a_missing_data_key_or_a_wrong_map_is_an_error_naming_the_line() {
    let w = workdir();
    w.create(
        "nodata.toml",
        "title = \"T\"\n[[analysis]]\nid = \"b\"\nkind = \"binary\"\n",
    );
    let err = w.fails_stderr(&["report", "nodata.toml", "--out", "r"]);
    assert!(err.contains("nodata.toml:4:"), "{err}");
    assert!(err.contains("expected data = \"FILE\""), "{err}");
    w.create(
        "badmap.toml",
        "title = \"T\"\n[[analysis]]\nid = \"b\"\nkind = \"binary\"\ndata = \"data/bcg.csv\"\nmap = { events = \"TB vaccinated\" }\n",
    );
    let err = w.fails_stderr(&["report", "badmap.toml", "--out", "r"]);
    assert!(err.contains("map:") && err.contains("events"), "{err}");
    // Without the map, the roles are missing: the message names them and the columns found.
    w.create(
        "nomap.toml",
        "title = \"T\"\n[[analysis]]\nid = \"b\"\nkind = \"binary\"\ndata = \"data/bcg.csv\"\n",
    );
    let err = w.fails_stderr(&["report", "nomap.toml", "--out", "r"]);
    assert!(
        err.contains("data/bcg.csv") && err.contains("TB vaccinated"),
        "{err}"
    );
    assert!(!w.path("r").exists(), "nothing is written");
    // Keys of the shipped data's kinds do not apply.
    w.create(
        "key.toml",
        "title = \"T\"\n[[analysis]]\nid = \"b\"\nkind = \"generic\"\ndata = \"data/hr.csv\"\nendpoint = \"os\"\n",
    );
    let err = w.fails_stderr(&["report", "key.toml", "--out", "r"]);
    assert!(
        err.contains("'endpoint' does not apply to kind 'generic'"),
        "{err}"
    );
}

#[test]
fn a_plans_glmm_model_um_rs_gives_what_pool_prints() {
    // `glmm_model = "UM.RS"` goes through the same `GlmmModel` as `--glmm-model`.
    let w = Workdir::new();
    w.create("data/bcg.csv", BCG);
    w.create(
        "plan.toml",
        r#"title = "UM.RS"
[[analysis]]
id = "bcg_umrs"
kind = "binary"
data = "data/bcg.csv"
measure = "OR"
method = "GLMM"
glmm_model = "UM.RS"
forest = false
map = { studlab = "Trial", "event.e" = "TB vaccinated", "n.e" = "N vaccinated", "event.c" = "TB control", "n.c" = "N control" }
"#,
    );
    w.ok(&["report", "plan.toml", "--out", "r"]);
    let entry = &results(&w)["analyses"][0]["result"];
    assert_eq!(entry["settings"]["method"], "GLMM UM.RS");
    assert_eq!(entry["analyses"][0]["glmm"]["model"], "UM.RS");
    let direct = w.json(&[
        "pool",
        "--outcome",
        "binary",
        "--measure",
        "OR",
        "--method",
        "GLMM",
        "--glmm-model",
        "UM.RS",
        "--data",
        "data/bcg.csv",
        "--format",
        "json",
        "--map",
        "studlab=Trial",
        "--map",
        "event.e=TB vaccinated",
        "--map",
        "n.e=N vaccinated",
        "--map",
        "event.c=TB control",
        "--map",
        "n.c=N control",
    ]);
    assert_eq!(*entry, direct);
}
