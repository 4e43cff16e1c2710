//! `alkstats metareg` end to end: the real binary on `tests/inputs/metareg/bcg.csv` (dat.bcg's
//! log risk ratios as TE/seTE with its moderators, written by `tests/r/metareg_fixtures.R`)
//! against metafor 3.8's `rma(mods = …)` in `tests/fixtures/metafor_metareg.json`; the
//! permutation p-values against metafor's `permutest` within their Monte-Carlo error; the
//! bubble plot, the CSV and the table; and bad flags, which exit 2 naming the problem.

mod support;

use serde_json::Value;
use support::workdir::Workdir;
use support::{f, fixture, Checker, METAREG};

const BCG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/inputs/metareg/bcg.csv");

fn run(dir: &Workdir, extra: &[&str]) -> Value {
    let mut args = vec![
        "metareg",
        "--outcome",
        "generic",
        "--sm",
        "RR",
        "--data",
        BCG,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    dir.json(&args)
}

/// The fixture fit of `case` with `method` and `test`.
fn expected<'a>(fx: &'a Value, case: &str, method: &str, test: &str) -> &'a Value {
    let c = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == case)
        .unwrap();
    c["fits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["method"] == method && e["test"] == test)
        .unwrap()
}

#[test]
fn the_binary_reproduces_metafor_with_three_moderators() {
    let fx = fixture("metafor_metareg.json");
    let dir = Workdir::new();
    let mut c = Checker::default();
    for (method, ci, test) in [("REML", "classic", "z"), ("PM", "hk", "knha")] {
        let j = run(
            &dir,
            &[
                "--mods",
                "ablat,year,alloc",
                "--method-tau",
                method,
                "--random-ci",
                ci,
            ],
        );
        assert_eq!(j["command"], "metareg");
        let e = expected(&fx, "bcg_ablat_year_alloc", method, test);
        assert_eq!(j["k"], e["k"]);
        for (ours, theirs) in j["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .zip(e["coefficients"].as_array().unwrap())
        {
            assert_eq!(ours["term"], theirs["term"]);
            for q in ["estimate", "se", "stat", "p", "lower", "upper"] {
                c.close_v(
                    &format!("{method} {} {q}", theirs["term"]),
                    f(&ours[q]),
                    &theirs[q],
                    METAREG,
                );
            }
        }
        for q in ["tau2", "tau2_lower", "tau2_upper", "i2", "h2", "r2"] {
            c.close_v(&format!("{method} {q}"), f(&j[q]), &e[q], METAREG);
        }
        c.close_v(
            &format!("{method} qm"),
            f(&j["qm"]["stat"]),
            &e["qm"],
            METAREG,
        );
        c.close_v(
            &format!("{method} qm p"),
            f(&j["qm"]["p"]),
            &e["qm_p"],
            METAREG,
        );
        c.close_v(
            &format!("{method} qe"),
            f(&j["qe"]["stat"]),
            &e["qe"],
            METAREG,
        );
        assert_eq!(j["qm"]["df2"].is_null(), test == "z");
    }
    c.finish("metareg CLI vs metafor");
}

/// metafor's `permutest` (10⁴ permutations, its own random numbers) and alkstats' (10⁴ with
/// seed 1) estimate the same p-values; each is within 4 standard errors √(p(1−p)/N) of the
/// exact one, so the two differ by less than 4·√2 of them (plus 1/N for the observed order).
#[test]
fn permutation_p_values_agree_with_metafor_within_monte_carlo_error() {
    let fx = fixture("metafor_metareg.json");
    let dir = Workdir::new();
    for perm in fx["permutations"].as_array().unwrap() {
        let case = perm["case"].as_str().unwrap();
        let mods = if case == "bcg_ablat" {
            "ablat"
        } else {
            "ablat,year,alloc"
        };
        let ci = if perm["test"] == "knha" {
            "hk"
        } else {
            "classic"
        };
        let n = perm["iterations"].as_u64().unwrap() as f64;
        let args = [
            "--mods",
            mods,
            "--random-ci",
            ci,
            "--permutations",
            "10000",
            "--seed",
            "1",
        ];
        let j = run(&dir, &args);
        let within = |ours: f64, theirs: f64, what: &str| {
            let p = 0.5 * (ours + theirs);
            let bound = 4.0 * std::f64::consts::SQRT_2 * (p * (1.0 - p) / n).sqrt() + 1.0 / n;
            assert!(
                (ours - theirs).abs() <= bound,
                "{case} {what}: alkstats {ours} vs metafor {theirs} (bound {bound:.4})"
            );
        };
        within(f(&j["qm"]["p_permutation"]), f(&perm["qm_p"]), "QM");
        for (c, p) in j["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .zip(perm["p"].as_array().unwrap())
        {
            within(f(&c["p_permutation"]), f(p), c["term"].as_str().unwrap());
        }
        assert_eq!(j["permutation"]["iterations"], 10000);
        // Reproducible for a seed.
        let again = run(&dir, &args);
        assert_eq!(j["qm"]["p_permutation"], again["qm"]["p_permutation"]);
    }
}

#[test]
fn bubble_plot_csv_and_table() {
    let dir = Workdir::new();
    let png = dir.path("bubble.png");
    let svg = dir.path("bubble.svg");
    for path in [&png, &svg] {
        let p = path.to_str().unwrap();
        run(
            &dir,
            &[
                "--mods",
                "ablat,alloc",
                "--bubble",
                p,
                "--pi",
                "--bubble-back",
            ],
        );
    }
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));

    let csv = dir.ok(&[
        "metareg",
        "--outcome",
        "generic",
        "--sm",
        "RR",
        "--data",
        BCG,
        "--mods",
        "ablat",
        "--format",
        "csv",
        "--studies",
    ]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "term,estimate,se,stat,df,p,lower,upper,p_permutation"
    );
    assert!(lines.next().unwrap().starts_with("intercept,"));
    assert!(lines.next().unwrap().starts_with("ablat,"));
    assert!(csv.contains("\nstudy,line,yi,vi,fitted,residual,weight\n"));

    let table = dir.ok(&[
        "metareg",
        "--outcome",
        "generic",
        "--sm",
        "RR",
        "--data",
        BCG,
        "--mods",
        "alloc",
        "--ref",
        "alloc=random",
    ]);
    assert!(table.contains("alloc=alternate"), "{table}");
    assert!(table.contains("Test of moderators: QM(2)"), "{table}");
}

#[test]
fn the_shipped_arms_regress_on_year_and_setting() {
    let dir = Workdir::new();
    let j = dir.json(&["metareg", "--mods", "year,setting", "--format", "json"]);
    let terms: Vec<&str> = j["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert_eq!(terms[0..2], ["intercept", "year"]);
    assert!(terms[2..].iter().all(|t| t.starts_with("setting=")));
    assert_eq!(j["settings"]["by"], "none");
}

#[test]
fn one_subgroup_of_by_is_regressed_with_group() {
    // `--by drug --group crizotinib` regresses the crizotinib arms only: the same studies
    // as `pool --by drug` reports for crizotinib, and the same k.
    let dir = Workdir::new();
    let args = ["--by", "drug", "--format", "json"];
    let pooled = dir.json(&[&["pool"][..], &args].concat());
    let crizotinib = pooled["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["group"] == "crizotinib")
        .unwrap();
    let j = dir.json(
        &[
            &["metareg", "--mods", "year", "--group", "crizotinib"][..],
            &args,
        ]
        .concat(),
    );
    assert_eq!(j["k"], crizotinib["k"]);
    assert_eq!(j["settings"]["by"], "drug");
    // Without --group, --by is refused: the moderators take the place of groups.
    let (_, err) = dir.fails_with(2, &["metareg", "--mods", "year", "--by", "drug"]);
    assert!(err.contains("--group NAME"), "{err}");
}

#[test]
fn bad_flags_exit_2_naming_the_problem() {
    let dir = Workdir::new();
    let base = [
        "metareg",
        "--outcome",
        "generic",
        "--sm",
        "RR",
        "--data",
        BCG,
    ];
    let fails = |extra: &[&str], needle: &str| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (_, err) = dir.fails_with(2, &args);
        assert!(err.contains(needle), "{extra:?}: {err}");
    };
    fails(
        &["--mods", "latitude"],
        "--mods latitude: no such column; expected one of: TE, ablat, alloc",
    );
    fails(
        &["--mods", "alloc", "--ref", "alloc=sometimes"],
        "no such level; expected one of: alternate, random, systematic",
    );
    fails(
        &["--mods", "ablat", "--ref", "alloc=random"],
        "not one of the --mods columns",
    );
    fails(
        &["--mods", "ablat", "--by", "alloc"],
        "--by does not apply to alkstats metareg",
    );
    fails(
        &["--mods", "ablat", "--method-tau", "HS"],
        "not offered with moderators",
    );
    fails(&["--mods", "ablat", "--permutations", "1"], "at least 2");
    fails(
        &["--mods", "alloc", "--bubble", "b.png"],
        "continuous moderator",
    );
    fails(&["--mods", "ablat", "--pi"], "add --bubble PATH");
    fails(&["--mods", "ablat,ablat"], "collinear");
}

/// `pool --by alloc --common-tau2` reports the Q_M of `metareg --mods alloc`, which is
/// metafor's `rma(mods = ~ factor(alloc))` (fixture `bcg_alloc`, REML, Wald).
#[test]
fn pool_common_tau2_is_metaregs_omnibus_test() {
    let fx = fixture("metafor_metareg.json");
    let dir = Workdir::new();
    let base = [
        "--outcome",
        "generic",
        "--sm",
        "RR",
        "--data",
        BCG,
        "--format",
        "json",
    ];
    let mut args = vec!["pool", "--by", "alloc", "--common-tau2"];
    args.extend_from_slice(&base);
    let pooled = dir.json(&args);
    let t = &pooled["subgroup_test"]["common_tau2"];
    let reg = run(&dir, &["--mods", "alloc"]);
    assert_eq!(t["q"], reg["qm"]["stat"]);
    assert_eq!(t["p"], reg["qm"]["p"]);
    assert_eq!(t["tau2"], reg["tau2"]);
    let e = expected(&fx, "bcg_alloc", "REML", "z");
    let mut c = Checker::default();
    c.close_v("common tau2 QM", f(&t["q"]), &e["qm"], METAREG);
    c.close_v("common tau2 p", f(&t["p"]), &e["qm_p"], METAREG);
    c.close_v("common tau2", f(&t["tau2"]), &e["tau2"], METAREG);
    c.finish("pool --common-tau2 vs metafor");
    // Without it the JSON is unchanged: no common_tau2 key.
    let mut args = vec!["pool", "--by", "alloc"];
    args.extend_from_slice(&base);
    assert!(dir.json(&args)["subgroup_test"]
        .get("common_tau2")
        .is_none());
    let (_, err) = dir.fails_with(2, &["pool", "--by", "none", "--common-tau2"]);
    assert!(err.contains("needs --by COLUMN"), "{err}");
}
