//! `alkstats report` with plans of one's own: relative data paths and every setting spelled
//! out (each analysis must print what the hand-written `alkstats pool` command prints), plan
//! errors located by file, line and key with nothing written, and users' own files read by role.

mod support;

use serde_json::Value;
use support::report::{files, repo, results};
use support::workdir::Workdir;

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

#[test]
fn overall_and_comparator_keys_are_pools_flags() {
    // `overall = true` shows the result across comparisons (pool --overall); `comparator`
    // names the comparator arm (pool --comparator). Each section must print what the
    // hand-written command prints.
    let w = Workdir::new();
    w.create(
        "plan.toml",
        "title = \"T\"\n\
         [[analysis]]\nid = \"hr_all\"\nkind = \"hr\"\nforest = false\noverall = true\n\
         [[analysis]]\nid = \"rr\"\nkind = \"orr-compare\"\nby = \"none\"\nforest = false\n\
         comparator = \"crizotinib\"\n",
    );
    w.ok(&["report", "plan.toml", "--out", "r"]);
    let report = results(&w.path("r"));
    let expected: [(&str, &[&str]); 2] = [
        (
            "hr_all",
            &["pool", "--outcome", "hr", "--overall", "--format", "json"],
        ),
        (
            "rr",
            &[
                "pool",
                "--outcome",
                "orr",
                "--compare",
                "--by",
                "none",
                "--comparator",
                "crizotinib",
                "--format",
                "json",
            ],
        ),
    ];
    for (i, (id, args)) in expected.iter().enumerate() {
        let entry = &report["analyses"][i];
        assert_eq!(entry["id"], *id);
        assert_eq!(entry["result"], w.json(args), "{id}");
    }
    assert_eq!(report["analyses"][0]["result"]["settings"]["overall"], true);
    assert!(report["analyses"][0]["result"]["subgroup_test"].is_object());
    // The keys of the shipped data's two-arm kind only.
    w.create(
        "bad.toml",
        "title = \"T\"\n[[analysis]]\nid = \"o\"\nkind = \"orr\"\ncomparator = \"x\"\n",
    );
    let err = w.fails_stderr(&["report", "bad.toml", "--out", "r2"]);
    assert!(
        err.contains("'comparator' does not apply to kind 'orr'"),
        "{err}"
    );
}
