//! GLMMs through the real binary: the correction-free fit whatever `--incr` says, and forest
//! plots that name the model.

mod support;

use alkstats::effect::two_arm::TwoByTwo;
use alkstats::fit::glmm::{fit_odds_ratio, fit_proportions};
use alkstats::settings::GlmmModel;
use support::svg::svg_texts;
use support::workdir::Workdir;
use support::{f, ROUND_OFF};

/// Five single arms, one with no responders and one with all (the GLMM needs no correction).
const EXTREMES: &str =
    "study,drug,n,responders\nA,x,20,0\nB,x,30,5\nC,x,25,25\nD,x,40,12\nE,x,15,3\n";

#[test]
fn glmm_fits_studies_with_0_or_n_events_whatever_the_continuity_correction() {
    let wd = Workdir::new();
    wd.create("arms.csv", EXTREMES);
    let direct = fit_proportions(&[0, 5, 25, 12, 3], &[20, 30, 25, 40, 15]).unwrap();
    for incr in ["0", "0.5", "1"] {
        let report = wd.stdout_json(&[
            "pool", "--data", "arms.csv", "--method", "GLMM", "--incr", incr, "--format", "json",
        ]);
        let a = &report["analyses"][0];
        // The model is fitted to the counts, so --incr changes nothing pooled.
        let mu = f(&a["random"]["yi"]);
        assert!(
            (mu - direct.random.0).abs() <= ROUND_OFF * direct.random.0.abs(),
            "--incr {incr}: {mu} vs {}",
            direct.random.0
        );
        assert!((f(&a["heterogeneity"]["tau2"]) - direct.tau2).abs() <= ROUND_OFF * direct.tau2);
        // The rows of A and C show a corrected logit, and say so.
        for (i, s) in a["studies"].as_array().unwrap().iter().enumerate() {
            let extreme = i == 0 || i == 2;
            assert_eq!(
                s["corrected"].as_bool(),
                Some(extreme),
                "--incr {incr}: {s}"
            );
            assert!(f(&s["yi"]).is_finite());
        }
    }
    // Without the GLMM, --incr 0 still refuses them (their logits are infinite).
    let (code, _, err) = wd.outcome(&["pool", "--data", "arms.csv", "--incr", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("arms.csv"), "{err}");
}

#[test]
fn glmm_forest_names_the_model_in_its_pooled_rows() {
    let wd = Workdir::new();
    wd.create("arms.csv", EXTREMES);
    let cases: [(&[&str], &str); 2] = [
        (&["--data", "arms.csv", "--method", "GLMM"], "PLO"),
        (&["--data", "arms.csv"], ""),
    ];
    for (args, model) in cases {
        let mut all = vec!["forest", "--output", "f.svg"];
        all.extend_from_slice(args);
        wd.ok(&all);
        let texts = svg_texts(&std::fs::read_to_string(wd.path("f.svg")).unwrap());
        let random = if model.is_empty() {
            "Random effects model".to_string()
        } else {
            format!("Random effects model (GLMM {model})")
        };
        assert!(texts.contains(&random), "{args:?}: {texts:?}");
        assert_eq!(
            texts.iter().any(|t| t.contains("GLMM")),
            !model.is_empty(),
            "{args:?}"
        );
    }
}

/// Counts the ticks of a run.
#[derive(Default)]
struct Ticks(std::sync::atomic::AtomicUsize);

impl alkstats::methods::Progress for Ticks {
    fn tick(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn in_memory_glmms_report_progress_once_per_study() {
    use alkstats::analysis::group::Grouping;
    use alkstats::analysis::proportion::{pool_proportions_with_progress, ProportionSettings};
    // Three meta-analyses of 5, 5 and 4 studies, in the shipped arms format.
    let mut csv = String::from("study,drug,n,responders,source\n");
    for (m, k) in [(0, 5), (1, 5), (2, 4)] {
        for j in 0..k {
            csv.push_str(&format!(
                "s{m}_{j},m{m},{},{},test\n",
                30 + 7 * j,
                5 + 3 * j + m
            ));
        }
    }
    let (arms, headers) = alkstats::data::load_arms("arms.csv", csv.as_bytes()).unwrap();
    let s = ProportionSettings {
        grouping: Grouping::Column("drug".into()),
        glmm: true,
        ..ProportionSettings::default()
    };
    let ticks = Ticks::default();
    let report = pool_proportions_with_progress(&arms, &headers, "arms.csv", &s, &ticks).unwrap();
    assert_eq!(report.analyses.len(), 3);
    assert_eq!(ticks.0.into_inner(), 14);
}

#[test]
fn um_rs_runs_and_its_json_names_the_model() {
    let wd = Workdir::new();
    wd.create(
        "trials.csv",
        "studlab,event.e,n.e,event.c,n.c\nT1,3,50,8,52\nT2,0,30,2,31\nT3,5,80,9,78\n",
    );
    let report = wd.stdout_json(&[
        "pool",
        "--outcome",
        "binary",
        "--measure",
        "OR",
        "--method",
        "GLMM",
        "--glmm-model",
        "um.rs",
        "--data",
        "trials.csv",
        "--format",
        "json",
    ]);
    let a = &report["analyses"][0];
    let glmm = &a["glmm"];
    assert_eq!(glmm["model"].as_str(), Some("UM.RS"), "{a}");
    assert!(f(&glmm["sigma2"]) >= 0.0, "{glmm}");
    // The same fit as the library's, on the log scale of the JSON.
    let tables = [
        TwoByTwo::new(3, 50, 8, 52),
        TwoByTwo::new(0, 30, 2, 31),
        TwoByTwo::new(5, 80, 9, 78),
    ];
    let direct = fit_odds_ratio(&tables, GlmmModel::UmRs).unwrap();
    let mu = f(&a["random"]["yi"]);
    assert!(
        (mu - direct.random.0).abs() <= ROUND_OFF * direct.random.0.abs(),
        "{mu} vs {}",
        direct.random.0
    );
}

#[test]
fn a_glmm_run_streams_a_users_file_and_loads_the_embedded_one() {
    // GLMMs stream piece by piece (tests/batch_outcomes.rs compares the bytes on a file of
    // 120 meta-analyses); the embedded review, a few dozen rows whose drugs are not contiguous,
    // is always read whole, so `--stream` gives the in-memory rows.
    let w = Workdir::new();
    let args = [
        "pool",
        "--outcome",
        "orr",
        "--method",
        "GLMM",
        "--format",
        "csv",
    ];
    let streamed = w.ok(&[&args[..], &["--stream"]].concat());
    assert_eq!(streamed, w.ok(&[&args[..], &["--no-stream"]].concat()));
    assert!(streamed.contains("analysis,crizotinib,,10,"), "{streamed}");
}
