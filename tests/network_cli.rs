//! End-to-end tests of `alkstats network`: the real binary in a fresh temporary directory.
//!
//! Expected values here are structural (every ordered pair present, the league table within
//! 120 columns, the JSON contract's field names, exit codes and messages) or taken from the
//! shipped data file itself (the single ALUR study of the post-crizotinib setting must come
//! back as its own HR, 0.15, with the CI implied by its SE). Numerical agreement with metafor is tested
//! in `tests/network_agreement.rs`.

mod support;

use alkstats::network::render::{league_table, WIDTH};
use alkstats::network::settings::EffectScale;
use alkstats::network::{analyse, Contrast, NetworkSettings};
use serde_json::Value;
use support::workdir::Workdir;
use support::{LAST_PLACE, ROUND_OFF};

const HEADER: &str = "study,trial,treatment,comparator,endpoint,hr,hr_lower,hr_upper,n_treatment,n_comparator,setting,source";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).expect("valid JSON")
}

#[test]
fn table_fits_a_120_column_terminal() {
    let w = Workdir::new();
    for args in [
        vec!["--setting", "first-line"],
        vec![],
        vec!["--endpoint", "os"],
        vec!["--model", "common", "--method-tau", "DL"],
    ] {
        let o = w.network(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains("League table"), "{text}");
        assert!(text.contains("Ranking by P-score"));
        assert!(text.contains("Between designs"));
        for line in text.lines().take_while(|l| !l.starts_with("Warnings")) {
            assert!(
                line.chars().count() <= WIDTH,
                "{args:?}: {} columns: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn json_follows_the_contract_with_every_ordered_pair() {
    let w = Workdir::new();
    let v = json(&w.network(&["--format", "json", "--setting", "first-line"]));
    assert_eq!(v["command"], "network");
    assert_eq!(v["reference"], "chemotherapy");
    assert!(v["tau2"].as_f64().unwrap() >= 0.0);
    for key in [
        "q",
        "df",
        "p",
        "q_within_designs",
        "df_within_designs",
        "q_inconsistency",
        "df_inconsistency",
    ] {
        assert!(
            v["heterogeneity"].get(key).is_some(),
            "heterogeneity.{key} missing"
        );
    }
    let n = v["treatments"].as_array().unwrap().len();
    assert_eq!(n, 7);
    let effects = v["effects"].as_array().unwrap();
    assert_eq!(effects.len(), n * (n - 1));
    for e in effects {
        for key in [
            "treatment",
            "comparator",
            "yi",
            "se",
            "estimate",
            "lower",
            "upper",
        ] {
            assert!(e.get(key).is_some(), "effects[].{key} missing");
        }
        let (est, lo, hi) = (
            e["estimate"].as_f64().unwrap(),
            e["lower"].as_f64().unwrap(),
            e["upper"].as_f64().unwrap(),
        );
        assert!(lo < est && est < hi);
        assert!((est - e["yi"].as_f64().unwrap().exp()).abs() < ROUND_OFF);
    }
    // The effect of a vs b is the inverse of b vs a.
    let find = |t: &str, c: &str| {
        effects
            .iter()
            .find(|e| e["treatment"] == t && e["comparator"] == c)
            .unwrap()["yi"]
            .as_f64()
            .unwrap()
    };
    assert!((find("alectinib", "crizotinib") + find("crizotinib", "alectinib")).abs() < LAST_PLACE);
    let ranking = v["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), n);
    let scores: Vec<f64> = ranking
        .iter()
        .map(|r| r["p_score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");
    assert_eq!(v["connected"], true);
    assert_eq!(v["other_components"].as_array().unwrap().len(), 0);
}

#[test]
fn the_loop_of_all_settings_is_node_split() {
    let w = Workdir::new();
    let v = json(&w.network(&["--format", "json"]));
    let splits = v["node_split"].as_array().unwrap();
    assert_eq!(
        splits.len(),
        3,
        "alectinib, crizotinib, chemotherapy form one loop"
    );
    assert_eq!(v["heterogeneity"]["df_inconsistency"], 1);
    for s in splits {
        let p = s["difference"]["p"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        let prop = s["direct_proportion"].as_f64().unwrap();
        assert!(prop > 0.0 && prop < 1.0);
    }
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("mixes settings")));
}

#[test]
fn csv_has_one_row_per_ordered_pair() {
    let w = Workdir::new();
    let o = w.network(&["--format", "csv", "--setting", "first-line"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("component,reference,treatment,comparator,yi,se"));
    assert_eq!(lines.count(), 42);
}

// data/alk_nsclc_hr.csv: ALUR PFS, alectinib vs chemotherapy, HR 0.15 (95% CI 0.08-0.29) is
// the only post-crizotinib row: the "network" is that one study, and its estimate is the
// study's own HR.
#[test]
fn post_crizotinib_network_is_one_study_and_says_so() {
    let w = Workdir::new();
    let v = json(&w.network(&["--format", "json", "--setting", "post-crizotinib"]));
    let e = v["effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["treatment"] == "alectinib")
        .unwrap()
        .clone();
    assert!((e["estimate"].as_f64().unwrap() - 0.15).abs() < ROUND_OFF);
    // The CI is re-derived from the SE, (ln 0.29 − ln 0.08)/(2·1.96), so its bounds are
    // 0.15·√(0.08/0.29) and 0.15·√(0.29/0.08) (the published interval is not symmetric on
    // the log scale).
    let lower = 0.15 * (0.08f64 / 0.29).sqrt();
    let upper = 0.15 * (0.29f64 / 0.08).sqrt();
    assert!((e["lower"].as_f64().unwrap() - lower).abs() < ROUND_OFF);
    assert!((e["upper"].as_f64().unwrap() - upper).abs() < ROUND_OFF);
    assert_eq!(v["tau2"], 0.0);
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("pairwise meta-analysis")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("df = 0")),
        "{warnings:?}"
    );
}

#[test]
fn bad_requests_exit_2_with_a_message() {
    let w = Workdir::new();
    for (args, needle) in [
        (
            vec!["--setting", "post-crizotinib", "--endpoint", "os"],
            "no hazard ratio for endpoint 'os'",
        ),
        (
            vec!["--reference", "foo"],
            "--reference foo: no such treatment",
        ),
        (vec!["--method-tau", "PM"], "supports REML or DL"),
        (vec!["--outcome", "orr"], "use --outcome hr"),
        (vec!["--graph", "graph.gif"], "must end in .png or .svg"),
        (vec!["--model", "fixed-ish"], "invalid model"),
    ] {
        let o = w.network(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(!w.path("graph.gif").exists());
}

#[test]
fn a_disconnected_network_is_analysed_per_component() {
    let w = Workdir::new();
    let data = format!(
        "{HEADER}\n\
         A1,T1,crizotinib,chemotherapy,pfs,0.45,0.35,0.60,172,171,first-line,synthetic test row\n\
         A2,T2,alectinib,crizotinib,pfs,0.47,0.34,0.65,152,151,first-line,synthetic test row\n\
         B1,T3,lorlatinib,brigatinib,pfs,0.80,0.60,1.07,100,100,first-line,synthetic test row\n"
    );
    let f = w.create("disconnected.csv", &data);
    let o = w.network(&["--data", f.to_str().unwrap(), "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["connected"], false);
    assert_eq!(v["reference"], "chemotherapy");
    let others = v["other_components"].as_array().unwrap();
    assert_eq!(others.len(), 1);
    assert_eq!(others[0]["reference"], "brigatinib");
    assert!(stderr(&o).contains("the network is disconnected"));
    // The table names the split too.
    let t = stdout(&w.network(&["--data", f.to_str().unwrap()]));
    assert!(
        t.contains("The network is disconnected: 2 sub-networks"),
        "{t}"
    );
    assert!(t.contains("== Sub-network 2 =="));
}

#[test]
fn a_three_arm_trial_needs_all_three_comparisons() {
    let w = Workdir::new();
    let rows = "X1,X,alectinib,chemotherapy,pfs,0.30,0.20,0.45,100,100,first-line,synthetic\n\
                X2,X,crizotinib,chemotherapy,pfs,0.50,0.35,0.71,100,100,first-line,synthetic\n";
    let f = w.create("incomplete.csv", format!("{HEADER}\n{rows}"));
    let o = w.network(&["--data", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing: alectinib vs crizotinib"),
        "{}",
        stderr(&o)
    );
    // With the third comparison (slightly inconsistent, as published HRs are), it runs.
    let third = "X3,X,alectinib,crizotinib,pfs,0.62,0.41,0.94,100,100,first-line,synthetic\n\
                 Y1,Y,crizotinib,chemotherapy,pfs,0.45,0.35,0.60,172,171,first-line,synthetic\n";
    let f = w.create("complete.csv", format!("{HEADER}\n{rows}{third}"));
    let o = w.network(&["--data", f.to_str().unwrap(), "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["k"], 2);
    assert!(stderr(&o).contains("reconciled"), "{}", stderr(&o));
    let crizotinib = v["treatments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["treatment"] == "crizotinib")
        .unwrap()
        .clone();
    assert_eq!(
        crizotinib["n_patients"], 272,
        "an arm is counted once per trial"
    );
}

#[test]
fn plots_are_written_as_png_and_svg() {
    let w = Workdir::new();
    let o = w.network(&[
        "--setting",
        "first-line",
        "--graph",
        "graph.png",
        "--forest",
        "forest.svg",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let png = std::fs::read(w.path("graph.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(w.path("forest.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
    assert!(svg.contains("lorlatinib"));
    let o = w.network(&["--graph", "g.svg", "--forest", "f.png"]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(w.path("g.svg"))
        .unwrap()
        .contains("crizotinib"));
}

/// A ten-treatment network (Senn et al. 2013, as in tests/network_agreement.rs) is too wide
/// for one block of league-table columns: it is split, and no line exceeds 120 columns.
#[test]
fn a_wide_league_table_is_split_into_blocks() {
    let names = [
        "placebo",
        "acarbose",
        "benfluorex",
        "metformin",
        "miglitol",
        "pioglitazone",
        "rosiglitazone",
        "sitagliptin",
        "sulfonylurea",
        "vildagliptin",
    ];
    // A star around placebo with one loop (invented effects).
    let mut rows: Vec<Contrast> = names[1..]
        .iter()
        .enumerate()
        .map(|(i, t)| Contrast {
            label: format!("S{i}"),
            study: format!("S{i}"),
            treatment: t.to_string(),
            comparator: "placebo".into(),
            yi: -0.5 - 0.07 * i as f64,
            vi: 0.02,
            n_treatment: None,
            n_comparator: None,
        })
        .collect();
    rows.push(Contrast {
        label: "L".into(),
        study: "L".into(),
        treatment: "metformin".into(),
        comparator: "sulfonylurea".into(),
        yi: -0.3,
        vi: 0.03,
        n_treatment: None,
        n_comparator: None,
    });
    let a = analyse(
        &rows,
        &NetworkSettings {
            scale: EffectScale::Difference,
            ..NetworkSettings::default()
        },
    )
    .unwrap();
    let table = league_table(&a.main);
    assert!(table.lines().all(|l| l.chars().count() <= WIDTH), "{table}");
    assert!(table.contains("\n\n"), "two blocks: {table}");
    for n in names {
        // Names longer than 12 characters are shortened, as netmeta's nchar.trts does.
        let shown = if n.len() > 12 { "rosiglitazo." } else { n };
        assert!(table.contains(shown), "{shown}: {table}");
    }
    println!("{table}");
}
