//! The conventions users expect (issue 17), checked through the real binary: the direction of
//! two-arm comparisons (independent of row order), no overall result across treatments or
//! comparisons unless asked, plot axes and labels, the table's p-values and both I², `stat` in
//! JSON, and the seed's ganetespib arm in the shipped data.

mod support;

use serde_json::Value;
use support::svg::svg_texts;
use support::workdir::Workdir;
use support::ARITHMETIC;

/// Two trials of a drug against placebo (placebo written first in one) and one of two drugs
/// that no rule knows.
const ARMS: &str = "study,drug,trial,responders,n\n\
                    A1,Drug A,T1,30,60\n\
                    A2,Placebo,T1,15,60\n\
                    B2,Placebo,T2,12,50\n\
                    B1,Drug A,T2,20,50\n\
                    C1,zeta,T3,10,40\n\
                    C2,Beta,T3,20,40\n";

/// `ARMS` with its data rows in reverse order.
fn reversed(csv: &str) -> String {
    let mut lines: Vec<&str> = csv.lines().collect();
    lines[1..].reverse();
    lines.join("\n") + "\n"
}

fn compare_json(dir: &Workdir, file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "pool",
        "--outcome",
        "orr",
        "--compare",
        "--measure",
        "OR",
        "--by",
        "none",
        "--format",
        "json",
        "--data",
        file,
    ];
    args.extend_from_slice(extra);
    let out = dir.ok(&args);
    serde_json::from_str(&out).unwrap()
}

/// (study, treatment, comparator, estimate) of every study.
fn directions(v: &Value) -> Vec<(String, String, String, f64)> {
    let mut rows: Vec<_> = v["analyses"][0]["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["study"].as_str().unwrap().to_string(),
                s["treatment"].as_str().unwrap().to_string(),
                s["comparator"].as_str().unwrap().to_string(),
                s["estimate"].as_f64().unwrap(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[test]
fn swapping_the_rows_of_a_trial_gives_the_same_odds_ratio() {
    let dir = Workdir::new();
    dir.create("a.csv", ARMS);
    dir.create("b.csv", reversed(ARMS));
    let (a, b) = (
        compare_json(&dir, "a.csv", &[]),
        compare_json(&dir, "b.csv", &[]),
    );
    assert_eq!(directions(&a), directions(&b));
    let d = directions(&a);
    // Placebo is a usual control name; of zeta and Beta, Beta comes first alphabetically.
    assert_eq!((d[0].1.as_str(), d[0].2.as_str()), ("Drug A", "Placebo"));
    assert_eq!((d[2].1.as_str(), d[2].2.as_str()), ("zeta", "Beta"));
    // T1: (30/30)/(15/45) = 3 with Drug A as treatment.
    assert!((d[0].3 - 3.0).abs() <= ARITHMETIC, "{d:?}");
    let random = |v: &Value| v["analyses"][0]["random"]["estimate"].as_f64().unwrap();
    assert!((random(&a) - random(&b)).abs() <= ARITHMETIC * random(&a));
    let warnings = a["warnings"].to_string();
    assert!(
        warnings.contains("T1: Placebo (a usual control arm's name)")
            && warnings.contains("T3: Beta (first alphabetically"),
        "{warnings}"
    );
}

#[test]
fn comparator_flag_and_role_column_set_the_direction() {
    let dir = Workdir::new();
    dir.create("a.csv", ARMS);
    let flipped = compare_json(&dir, "a.csv", &["--comparator", "drug a"]);
    let d = directions(&flipped);
    assert_eq!((d[0].1.as_str(), d[0].2.as_str()), ("Placebo", "Drug A"));
    assert!((d[0].3 - 1.0 / 3.0).abs() <= ARITHMETIC, "{d:?}");
    assert!(flipped["warnings"].to_string().contains("T3: Beta"));

    let with_roles = "study,drug,trial,role,responders,n\n\
                      C1,zeta,T3,comparator,10,40\n\
                      C2,Beta,T3,Treatment,20,40\n";
    dir.create("roles.csv", with_roles);
    dir.create("roles_rev.csv", reversed(with_roles));
    for file in ["roles.csv", "roles_rev.csv"] {
        let v = compare_json(&dir, file, &[]);
        let d = directions(&v);
        assert_eq!(
            (d[0].1.as_str(), d[0].2.as_str()),
            ("Beta", "zeta"),
            "{file}"
        );
        assert!(!v["warnings"].to_string().contains("chosen by rule"), "{v}");
    }

    dir.create(
        "same.csv",
        "study,drug,trial,role,responders,n\nC1,zeta,T3,treatment,10,40\nC2,Beta,T3,treatment,20,40\n",
    );
    let (code, out, err) = dir.outcome(&[
        "pool",
        "--outcome",
        "orr",
        "--compare",
        "--data",
        "same.csv",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("same.csv: lines 2 and 3 (trial 'T3'), column role"),
        "{err}"
    );
    let (code, _, err) = dir.outcome(&["pool", "--outcome", "hr", "--comparator", "x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--comparator x applies to --outcome orr --compare"),
        "{err}"
    );
}

#[test]
fn every_output_states_treatment_and_comparator() {
    let dir = Workdir::new();
    dir.create("a.csv", ARMS);
    let base = [
        "pool",
        "--outcome",
        "orr",
        "--compare",
        "--by",
        "none",
        "--data",
        "a.csv",
    ];
    let table = dir.ok(&base);
    assert!(
        table.contains("Treatment vs comparator: Drug A vs Placebo (T1, T2); zeta vs Beta (T3)"),
        "{table}"
    );
    let csv = dir.ok(&[&base[..], &["--format", "csv", "--studies"]].concat());
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",treatment,comparator"), "{header}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("study,,T3,") && l.ends_with(",zeta,Beta")),
        "{csv}"
    );
    let flags = &base[1..];
    dir.ok(&[&["forest"][..], flags, &["-o", "f.svg"]].concat());
    let texts = svg_texts(&std::fs::read_to_string(dir.path("f.svg")).unwrap());
    assert!(
        texts
            .iter()
            .any(|t| t == "Treatment vs comparator: Drug A vs Placebo (T1, T2)"),
        "{texts:?}"
    );
    // One comparison throughout: the "favours" labels name its two arms.
    dir.create("one.csv", &ARMS[..ARMS.find("C1").unwrap()]);
    dir.ok(&[
        "forest",
        "--outcome",
        "orr",
        "--compare",
        "--data",
        "one.csv",
        "-o",
        "one.svg",
    ]);
    let texts = svg_texts(&std::fs::read_to_string(dir.path("one.svg")).unwrap());
    assert!(
        texts.iter().any(|t| t == "Favours Placebo") && texts.iter().any(|t| t == "Favours Drug A"),
        "{texts:?}"
    );
}

fn model_rows(texts: &[String]) -> usize {
    texts
        .iter()
        .filter(|t| t.ends_with("effect model") || t.ends_with("effects model"))
        .count()
}

#[test]
fn no_overall_result_across_treatments_or_comparisons_unless_asked() {
    let dir = Workdir::new();
    let hr = dir.stdout_json(&["pool", "--outcome", "hr", "--format", "json"]);
    assert_eq!(hr["settings"]["overall"], false);
    assert!(
        hr["subgroup_test"].is_null(),
        "different comparisons: no test"
    );
    assert!(hr["overall_note"]
        .as_str()
        .unwrap()
        .contains("different comparisons"));
    let forced = dir.stdout_json(&["pool", "--outcome", "hr", "--format", "json", "--overall"]);
    assert_eq!(forced["settings"]["overall"], true);
    assert!(forced["subgroup_test"]["random"]["q"].is_number());
    assert!(forced["overall_note"].is_null());

    // Treatments: no overall line, but their differences are tested.
    let orr = dir.stdout_json(&["pool", "--format", "json"]);
    assert_eq!(orr["settings"]["overall"], false);
    assert!(orr["subgroup_test"]["random"]["q"].is_number());
    let table = dir.stdout(&["pool", "--outcome", "hr"]);
    assert!(table.contains("Note: no result across the groups of --by comparison"));
    assert!(!table.contains("Test for subgroup differences"), "{table}");

    let k = |v: &Value| -> usize {
        v["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                ["common", "random"]
                    .iter()
                    .filter(|m| !a[**m]["estimate"].is_null())
                    .count()
            })
            .sum()
    };
    for (extra, overall) in [(&[][..], 0), (&["--overall"][..], 2)] {
        let args = [&["forest", "--outcome", "hr", "-o", "hr.svg"][..], extra].concat();
        dir.ok(&args);
        let texts = svg_texts(&std::fs::read_to_string(dir.path("hr.svg")).unwrap());
        assert_eq!(model_rows(&texts), k(&hr) + overall, "{extra:?}");
    }

    // One group: its pooled rows are the overall result, drawn once.
    dir.create(
        "hr.csv",
        "study,treatment,comparator,hr,lower,upper\nS1,x,y,0.5,0.3,0.8\nS2,x,y,0.7,0.5,0.9\n",
    );
    dir.ok(&[
        "forest",
        "--outcome",
        "hr",
        "--data",
        "hr.csv",
        "--by",
        "comparison",
        "--overall",
        "-o",
        "one.svg",
    ]);
    let texts = svg_texts(&std::fs::read_to_string(dir.path("one.svg")).unwrap());
    assert_eq!(model_rows(&texts), 2, "{texts:?}");
}

#[test]
fn forest_axis_labels_tests_and_clipped_intervals() {
    let dir = Workdir::new();
    dir.ok(&["forest", "--outcome", "hr", "-o", "hr.svg"]);
    let texts = svg_texts(&std::fs::read_to_string(dir.path("hr.svg")).unwrap());
    // Every HR is below 1: the axis still runs past 1, under "Favours comparator".
    let ticks: Vec<f64> = texts.iter().filter_map(|t| t.parse().ok()).collect();
    assert!(ticks.iter().any(|&t| t > 1.0), "{ticks:?}");
    assert!(
        texts
            .iter()
            .any(|t| t
                .starts_with("Test for overall effect (random effects): z = −9.30, p < 0.0001")),
        "{texts:?}"
    );

    dir.ok(&[
        "forest",
        "--outcome",
        "hr",
        "--by",
        "none",
        "--xlim",
        "0.3,1.5",
        "--xlab",
        "HR of PFS",
        "--label-left",
        "Newer drug better",
        "--label-right",
        "Older drug better",
        "-o",
        "x.svg",
    ]);
    let texts = svg_texts(&std::fs::read_to_string(dir.path("x.svg")).unwrap());
    for expected in ["HR of PFS", "Newer drug better", "Older drug better"] {
        assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
    }
    assert!(
        texts.iter().any(|t| t
            == "Prediction interval [0.21; 0.74] runs past the axis: its bar ends in an arrow"),
        "{texts:?}"
    );

    // A user's proportions are titled by the measure, not as response rates.
    dir.create("mine.csv", "study,events,n\nS1,5,20\nS2,8,30\n");
    dir.ok(&["forest", "--data", "mine.csv", "-o", "p.svg"]);
    let texts = svg_texts(&std::fs::read_to_string(dir.path("p.svg")).unwrap());
    assert!(texts.iter().any(|t| t == "Proportion"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("response")), "{texts:?}");
}

#[test]
fn table_prints_pooled_p_values_and_both_i2() {
    let dir = Workdir::new();
    let table = dir.stdout(&["pool", "--outcome", "hr", "--overall"]);
    let header = table.lines().find(|l| l.starts_with("comparison")).unwrap();
    for cell in ["p(Q)", "I² (Q)", "I² (τ²)"] {
        assert!(header.contains(cell), "{header}");
    }
    assert_eq!(header.split_whitespace().filter(|c| *c == "p").count(), 2);
    assert!(table.contains("p: two-sided test of no effect (HR = 1)"));
    let orr = dir.stdout(&["pool"]);
    assert!(
        orr.contains("random  Q = 46.56, df = 7, p < 0.0001") && !orr.contains("p = <"),
        "{orr}"
    );
    let v = dir.stdout_json(&["pool", "--outcome", "hr", "--format", "json"]);
    let a = &v["analyses"][2];
    let h = &a["heterogeneity"];
    let row = table
        .lines()
        .find(|l| l.starts_with("alectinib vs crizotinib"))
        .unwrap();
    for cell in [
        format!("{:.1}%", h["i2"].as_f64().unwrap()),
        format!("{:.1}%", h["i2_tau"].as_f64().unwrap()),
    ] {
        assert!(row.contains(&cell), "{cell}: {row}");
    }
    // Proportions have no value of no effect: no p column.
    let header = orr.lines().find(|l| l.starts_with("drug")).unwrap();
    assert!(!header.split_whitespace().any(|c| c == "p"), "{header}");
}

#[test]
fn json_names_every_test_statistic_stat_and_keeps_z() {
    let dir = Workdir::new();
    let v = dir.stdout_json(&["pool", "--outcome", "hr", "--format", "json"]);
    for a in v["analyses"].as_array().unwrap() {
        assert_eq!(a["common"]["stat"], a["common"]["z"]);
        assert!(a["common"]["stat"].is_number() && a["random"]["stat"].is_number());
    }
    let net: Value =
        serde_json::from_str(&dir.ok(&["network", "--outcome", "hr", "--format", "json"])).unwrap();
    let e = &net["effects"][0];
    assert_eq!(e["stat"], e["z"]);
}

#[test]
fn the_seeds_ganetespib_cohort_is_shipped_with_its_source() {
    let dir = Workdir::new();
    let v = dir.stdout_json(&["pool", "--format", "json"]);
    let g = v["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["group"] == "ganetespib")
        .expect("a ganetespib group");
    assert_eq!(
        (g["k"].as_u64(), g["events"].as_u64(), g["n"].as_u64()),
        (Some(1), Some(4), Some(8))
    );
    let arms = include_str!("../data/alk_nsclc_arms.csv");
    let row = arms.lines().find(|l| l.contains(",ganetespib,")).unwrap();
    assert!(
        row.contains("Ma L, Zhang S (2014 review, seed) ref [24]"),
        "{row}"
    );
}
