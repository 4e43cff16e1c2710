//! Shared test support: named tolerances (one per kind of quantity, as metafor's
//! `tests/testthat/settings.r` does), fixture loading, and a located comparison.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// Closed-form quantities (effect sizes, DL/HE/HS/SJ fits, CIs): relative 1e-6 (DEVELOPERS.md).
pub const CLOSED_FORM: f64 = 1e-6;
/// Quantities from iterative estimators (REML, ML, PM, EB, Q-profile): relative 1e-5.
pub const ITERATIVE: f64 = 1e-5;
/// Below this magnitude a difference is judged in absolute terms (p-values of 1e-300 etc.).
pub const ABS_FLOOR: f64 = 1e-12;

/// Reads a committed fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Relative difference with an absolute floor.
pub fn rel_diff(actual: f64, expected: f64) -> f64 {
    if actual == expected {
        return 0.0;
    }
    (actual - expected).abs() / expected.abs().max(ABS_FLOOR)
}

/// Collects comparisons and reports every failure at once, with the largest relative
/// difference seen (quoted in closing notes).
#[derive(Default)]
pub struct Checker {
    pub failures: Vec<String>,
    pub compared: usize,
    pub max_rel: f64,
    pub max_rel_at: String,
}

impl Checker {
    pub fn close(&mut self, what: &str, actual: f64, expected: f64, tol: f64) {
        self.compared += 1;
        let d = if expected.abs() < ABS_FLOOR && actual.abs() < ABS_FLOOR {
            0.0
        } else {
            rel_diff(actual, expected)
        };
        if d > self.max_rel {
            self.max_rel = d;
            self.max_rel_at = what.to_string();
        }
        if d.is_nan() || d > tol {
            self.failures.push(format!(
                "{what}: alkstats {actual:e} vs metafor {expected:e} (rel {d:.2e} > {tol:e})"
            ));
        }
    }

    /// Compares with a JSON number; JSON null (R's NA/NaN) must meet a non-finite value.
    pub fn close_v(&mut self, what: &str, actual: f64, expected: &Value, tol: f64) {
        match expected.as_f64() {
            Some(e) => self.close(what, actual, e, tol),
            None if !actual.is_finite() => {}
            None => self
                .failures
                .push(format!("{what}: alkstats {actual:e} vs metafor null")),
        }
    }

    /// Like [`Checker::close_v`], but two values both within `floor` of zero are equal: an
    /// iterative estimator stopping at 1e-13 instead of the boundary 0 is not a disagreement.
    pub fn close_floor(&mut self, what: &str, actual: f64, expected: &Value, tol: f64, floor: f64) {
        if actual.abs() <= floor && expected.as_f64().is_some_and(|e| e.abs() <= floor) {
            self.compared += 1;
            return;
        }
        self.close_v(what, actual, expected, tol);
    }

    /// Compares an optional value with a JSON number or null.
    pub fn close_opt(&mut self, what: &str, actual: Option<f64>, expected: &Value, tol: f64) {
        match (actual, expected.as_f64()) {
            (Some(a), Some(e)) => self.close(what, a, e, tol),
            (None, None) => {}
            (a, e) => self
                .failures
                .push(format!("{what}: alkstats {a:?} vs metafor {e:?}")),
        }
    }

    pub fn fail(&mut self, msg: String) {
        self.failures.push(msg);
    }

    pub fn finish(self, label: &str) {
        eprintln!(
            "{label}: {} comparisons, max relative difference {:.2e} at {}",
            self.compared, self.max_rel, self.max_rel_at
        );
        if !self.failures.is_empty() {
            // The full list, for triage: target/<label>.mismatches.txt
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
            let safe: String = label
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            let _ = std::fs::write(
                dir.join(format!("{safe}.mismatches.txt")),
                self.failures.join("\n"),
            );
            let n = self.failures.len();
            let shown: Vec<_> = self.failures.into_iter().take(40).collect();
            panic!("{label}: {n} mismatches:\n{}", shown.join("\n"));
        }
    }
}

pub fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, found {v}"))
}
