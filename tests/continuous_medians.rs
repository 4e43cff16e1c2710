//! Users' continuous files where some arms report a median with its range or IQR: the arm's
//! mean and SD are estimated (Luo et al. 2018; Shi et al. 2020 / Wan et al. 2014, whose
//! formulas tests/continuous_effects.rs checks against an independent R recomputation) and
//! the conversion is stated. Expected numbers: the same file with those arms' estimates
//! written in as means and SDs, pooled by alkstats.

mod support;

use alkstats::effect::median_to_mean::{estimate_mean_sd, MedianSummary, SdChoice};
use serde_json::Value;
use support::workdir::Workdir;

fn json(w: &Workdir, args: &[&str]) -> Value {
    let (code, out, err) = w.outcome(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_median_arm_pools_as_its_estimated_mean_and_sd() {
    let iqr = MedianSummary::from_parts(None, Some(20.0), 27.0, Some(41.0), None).unwrap();
    let five =
        MedianSummary::from_parts(Some(3.0), Some(12.0), 18.0, Some(26.0), Some(60.0)).unwrap();
    for (choice, flag) in [(SdChoice::Shi, "shi"), (SdChoice::Wan, "wan")] {
        let a = estimate_mean_sd(&iqr, 31.0, choice).unwrap();
        let b = estimate_mean_sd(&five, 32.0, choice).unwrap();
        let w = Workdir::new();
        w.create(
            "medians.csv",
            "study,n.e,mean.e,sd.e,median.e,q1.e,q3.e,min.e,max.e,n.c,mean.c,sd.c,median.c,q1.c,q3.c,min.c,max.c\n\
             Edinburgh,155,55,47,,,,,,156,75,64,,,,,\n\
             Orpington,31,,,27,20,41,,,32,,,18,12,26,3,60\n\
             Montreal,57,19,7,,,,,,52,18,4,,,,,\n",
        );
        w.create(
            "means.csv",
            format!(
                "study,n.e,mean.e,sd.e,n.c,mean.c,sd.c\n\
                 Edinburgh,155,55,47,156,75,64\n\
                 Orpington,31,{:?},{:?},32,{:?},{:?}\n\
                 Montreal,57,19,7,52,18,4\n",
                a.mean, a.sd, b.mean, b.sd
            ),
        );
        let args = |f: &'static str| {
            [
                "pool",
                "--outcome",
                "continuous",
                "--data",
                f,
                "--sd-method",
                flag,
                "--format",
                "json",
            ]
        };
        let from_medians = json(&w, &args("medians.csv"));
        let from_means = json(&w, &args("means.csv"));
        assert_eq!(
            from_medians["analyses"], from_means["analyses"],
            "--sd-method {flag}"
        );
        let assumed = from_medians["assumptions"].to_string();
        assert!(
            assumed.contains("Orpington: the experimental arm's mean and SD are estimated from its median (luo2018-s2, wan2014-c3)")
                && assumed.contains(&format!("Orpington: the control arm's mean and SD are estimated from its median (luo2018-s3, {})", b.sd_method)),
            "{assumed}"
        );
    }
}

#[test]
fn an_arm_with_neither_mean_nor_a_usable_median_is_located() {
    let w = Workdir::new();
    w.create(
        "bad.csv",
        "study,n.e,mean.e,sd.e,median.e,q1.e,n.c,mean.c,sd.c\nA,30,,,27,20,31,5,2\n",
    );
    let (code, _, err) = w.outcome(&["pool", "--outcome", "continuous", "--data", "bad.csv"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.csv: line 2") && err.contains("(median.e)") && err.contains("found '27'"),
        "{err}"
    );
}
