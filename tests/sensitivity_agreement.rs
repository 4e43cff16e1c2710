//! Leave-one-out, influence diagnostics, cumulative meta-analysis and Baujat coordinates
//! against metafor 3.8: every case of `tests/fixtures/metafor_sensitivity.json` (written by
//! `tests/r/metafor_fixtures_sensitivity.R` with every model converged to 1e-12) is run through
//! the real binary — `alkstats influence` and `alkstats cumulative` on the case's file in
//! `tests/inputs/byod/`, its columns mapped with `--map` — and the JSON is compared with
//! metafor's `leave1out`, `influence`, `cumul` and `baujat` at [`REFIT`] (relative 1e-6).
//!
//! The cases cover binary (inverse variance, Mantel–Haenszel, Peto; zero cells and
//! double-zero trials), continuous (MD, SMD, ROM), generic (log ratios with SEs, ratios with
//! limits) and proportions (PLO, PFT); REML, DL, HE and PM; the classic, Knapp–Hartung and ad
//! hoc intervals; random and common models; file order and a column, increasing and
//! decreasing (with ties).

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::workdir::{alkstats, Workdir};
use support::{fixture, Checker, I2_FLOOR, REFIT, TAU2_FLOOR};

/// The `alkstats` arguments of one case, for `command`.
fn args(case: &Value, command: &str) -> Vec<String> {
    let s = &case["settings"];
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let kind = text(&case["kind"]);
    let outcome = if kind == "proportion" {
        "orr".into()
    } else {
        kind.clone()
    };
    let mut a: Vec<String> = vec![command.into(), "--outcome".into(), outcome];
    a.extend(["--data".into(), text(&case["input_file"])]);
    a.extend(["--by", "none", "--format", "json"].map(String::from));
    for (role, column) in case["columns"].as_object().unwrap() {
        a.extend(["--map".into(), format!("{role}={}", text(column))]);
    }
    let measure_flag = match kind.as_str() {
        "binary" | "continuous" => "--measure",
        _ => "--sm",
    };
    a.extend([measure_flag.into(), text(&s["measure"])]);
    if kind == "binary" {
        a.extend(["--method".into(), text(&s["method"])]);
    }
    let ci = match s["test"].as_str().unwrap() {
        "knha" => "hk",
        "adhoc" => "hk-adhoc",
        _ => "classic",
    };
    a.extend(["--method-tau".into(), text(&s["method_tau"])]);
    a.extend(["--random-ci".into(), ci.into()]);
    a.extend(["--model".into(), text(&s["model"])]);
    if command == "cumulative" {
        if let Some(order) = case["order"].as_object() {
            a.extend(["--order".into(), text(&order["column"])]);
            if order["decreasing"] == true {
                a.push("--decreasing".into());
            }
        }
    }
    a
}

/// A users' proportion file rewritten in the arms format (`study, drug, n, responders,
/// source`), which is how `--outcome orr` reads single-arm proportions until it reads users'
/// columns by role.
fn as_arms_file(case: &Value, dir: &Workdir) -> String {
    let file = format!(
        "{}/{}",
        env!("CARGO_MANIFEST_DIR"),
        case["input_file"].as_str().unwrap()
    );
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |role: &str| {
        let name = case["columns"][role].as_str().unwrap();
        headers.iter().position(|h| h == name).unwrap()
    };
    let (study, event, n) = (column("studlab"), column("event"), column("n"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["study", "drug", "n", "responders", "source"])
        .unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        w.write_record([&r[study], "any", &r[n], &r[event], "metadat"])
            .unwrap();
    }
    let path = dir.create("arms.csv", w.into_inner().unwrap());
    path.display().to_string()
}

fn run(case: &Value, command: &str) -> Value {
    let mut args = args(case, command);
    let dir = Workdir::new();
    if case["kind"] == "proportion" {
        let at = args.iter().position(|a| a == "--data").unwrap() + 1;
        args[at] = as_arms_file(case, &dir);
        // The arms file has the roles' own names: drop the --map flags.
        while let Some(at) = args.iter().position(|a| a == "--map") {
            args.drain(at..at + 2);
        }
    }
    let out = alkstats()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {command}: {}",
        case["id"],
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One [`Checker`] per quantity, so that the largest difference of each is reported.
#[derive(Default)]
struct Checks(BTreeMap<String, Checker>);

impl Checks {
    fn of(&mut self, quantity: &str) -> &mut Checker {
        self.0.entry(quantity.to_string()).or_default()
    }

    /// Compares `ours` (a JSON number or null) with metafor's `theirs`; values within `floor`
    /// of zero on both sides are equal. A null of ours meets metafor's value only for a fit of
    /// one study, where metafor reports Q = 0 and I² = 0 and alkstats reports none.
    fn value(&mut self, quantity: &str, at: &str, ours: &Value, theirs: &Value, floor: f64) {
        let chk = self.of(quantity);
        match ours.as_f64() {
            Some(x) => chk.close_floor(at, x, theirs, REFIT, floor),
            None if theirs.is_null() => {}
            None => chk.fail(format!("{at}: alkstats null vs metafor {theirs}")),
        }
    }

    fn finish(self) {
        let mut failures = Vec::new();
        for (quantity, chk) in self.0 {
            eprintln!(
                "{quantity:>12}: {:>5} values, max relative difference {:.2e} ({})",
                chk.compared, chk.max_rel, chk.max_rel_at
            );
            failures.extend(chk.failures);
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures[..failures.len().min(40)].join("\n")
        );
    }
}

/// The metafor column `field` of `rows` at `i`.
fn at<'a>(rows: &'a Value, field: &str, i: usize) -> &'a Value {
    &rows[field][i]
}

/// Compares refit rows (leave-one-out or cumulative) with metafor's.
fn refit_rows(
    checks: &mut Checks,
    id: &str,
    what: &str,
    ours: &Value,
    theirs: &Value,
    random: bool,
) {
    let ours = ours.as_array().unwrap();
    let studies = theirs["study"].as_array().unwrap();
    assert_eq!(ours.len(), studies.len(), "{id} {what}: number of rows");
    for (i, row) in ours.iter().enumerate() {
        assert_eq!(row["study"], studies[i], "{id} {what} row {i}");
        let place = format!("{id} {what} {}", studies[i]);
        let single = row["k"] == 1;
        for (quantity, field, r_field) in [
            ("estimate", "yi", "estimate"),
            ("se", "se", "se"),
            ("ci", "lower_yi", "ci_lb"),
            ("ci", "upper_yi", "ci_ub"),
            ("stat", "stat", "stat"),
            ("p", "p", "pval"),
        ] {
            checks.value(quantity, &place, &row[field], at(theirs, r_field, i), 0.0);
        }
        if single {
            // metafor: Q = 0, p = 1, I² = 0 for one study; alkstats: none.
            for field in ["q", "q_p", "i2", "i2_tau", "tau2"] {
                assert!(row[field].is_null(), "{place}: {field} of one study");
            }
            continue;
        }
        checks.value("q", &place, &row["q"], at(theirs, "q", i), 0.0);
        checks.value("q_p", &place, &row["q_p"], at(theirs, "q_p", i), 0.0);
        // metafor's I2 is τ²-based for random-effects fits and Q-based otherwise.
        let i2 = if random { "i2_tau" } else { "i2" };
        checks.value("i2", &place, &row[i2], at(theirs, "i2", i), I2_FLOOR);
        if random {
            checks.value(
                "tau2",
                &place,
                &row["tau2"],
                at(theirs, "tau2", i),
                TAU2_FLOOR,
            );
        }
    }
}

fn influence_rows(checks: &mut Checks, id: &str, ours: &Value, theirs: &Value) {
    let ours = ours.as_array().unwrap();
    let studies = theirs["study"].as_array().unwrap();
    assert_eq!(ours.len(), studies.len(), "{id} influence: number of rows");
    for (i, row) in ours.iter().enumerate() {
        assert_eq!(row["study"], studies[i], "{id} influence row {i}");
        let place = format!("{id} influence {}", studies[i]);
        for field in [
            "rstudent", "dffits", "cook_d", "cov_r", "q_del", "hat", "weight", "dfbetas",
        ] {
            checks.value(field, &place, &row[field], at(theirs, field, i), 0.0);
        }
        checks.value(
            "tau2_del",
            &place,
            &row["tau2_del"],
            at(theirs, "tau2_del", i),
            TAU2_FLOOR,
        );
        let flag = checks.of("influential");
        flag.compared += 1;
        if row["influential"] != theirs["influential"][i] {
            flag.fail(format!(
                "{place}: influential {} vs metafor {}",
                row["influential"], theirs["influential"][i]
            ));
        }
    }
}

fn baujat_points(checks: &mut Checks, id: &str, ours: &Value, theirs: &Value) {
    let ours = ours.as_array().unwrap();
    let studies = theirs["study"].as_array().unwrap();
    assert_eq!(ours.len(), studies.len(), "{id} baujat: number of points");
    for (i, p) in ours.iter().enumerate() {
        assert_eq!(p["study"], studies[i], "{id} baujat point {i}");
        let place = format!("{id} baujat {}", studies[i]);
        checks.value("baujat_x", &place, &p["x"], at(theirs, "x", i), 0.0);
        checks.value("baujat_y", &place, &p["y"], at(theirs, "y", i), 0.0);
    }
}

#[test]
fn sensitivity_analyses_reproduce_metafor() {
    let fx = fixture("metafor_sensitivity.json");
    let mut checks = Checks::default();
    for case in fx["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let s = &case["settings"];
        let random = s["model"] == "random";
        let inf = run(case, "influence");
        let a = &inf["analyses"][0];
        assert_eq!(inf["analyses"].as_array().unwrap().len(), 1, "{id}");
        refit_rows(
            &mut checks,
            id,
            "leave-one-out",
            &a["leave_one_out"],
            &case["leave1out"],
            random,
        );
        match case["influence"].is_null() {
            true => assert!(a["influence"].is_null(), "{id}: no diagnostics for MH/Peto"),
            false => influence_rows(&mut checks, id, &a["influence"], &case["influence"]),
        }
        baujat_points(&mut checks, id, &a["baujat"], &case["baujat"]);
        let cum = run(case, "cumulative");
        let c = &cum["analyses"][0];
        refit_rows(
            &mut checks,
            id,
            "cumulative",
            &c["cumulative"],
            &case["cumul"],
            random,
        );
    }
    checks.finish();
}
