//! Shared test support: named tolerances (one per kind of quantity, as metafor's
//! `tests/testthat/settings.r` does), fixture loading, a located comparison, and the
//! [`workdir::Workdir`] in which the end-to-end tests run the binary.
//!
//! Every tolerance a test uses is named here, with what it is for and why it has that size; a
//! test file writes the name, never the number.
#![allow(dead_code)]

pub mod contract;
pub mod report;
pub mod svg;
pub mod workdir;

use serde_json::Value;
use std::path::PathBuf;

/// Closed-form quantities (effect sizes, DL/HE/HS/SJ fits, CIs): relative 1e-6 (DEVELOPERS.md).
pub const CLOSED_FORM: f64 = 1e-6;
/// Quantities from iterative estimators (REML, ML, PM, EB, Q-profile): relative 1e-5.
pub const ITERATIVE: f64 = 1e-5;
/// Leave-one-out, influence, cumulative and Baujat values against metafor 3.8 whose models
/// (and so every refit, which inherits the model's `control`) are converged to 1e-12: relative
/// 1e-6 for closed-form and iterative estimators alike, as issue 13 asks. The iterative refits
/// agree far better (about 1e-10); 1e-6 leaves room for the p-values of tail areas, which the
/// two tools compute by different algorithms.
pub const REFIT: f64 = 1e-6;
/// Meta-regression against metafor 3.8 (`rma(mods = …)`, `confint`) with every iterative fit
/// converged to 1e-12: relative 1e-6, as issue 15 asks. The iterative estimators reach their
/// root or maximum to about 1e-12 on both sides; the rest is the distributions' tail areas.
pub const METAREG: f64 = 1e-6;
/// Below this magnitude a difference is judged in absolute terms (p-values of 1e-300 etc.).
pub const ABS_FLOOR: f64 = 1e-12;

/// Quantities that only go through exact arithmetic, a longer chain of floating-point operations
/// or printing: study weights summing to 100 %, the same estimate in the CSV table and in the
/// JSON, closed-form re-derivations in the test of what the binary printed (escalc's
/// continuity-corrected logit, an SE from a CI or a p-value), a back-transform of a transform,
/// Q = Q_within + Q_between, plot geometry in points. Absolute (or relative where scaled at the
/// use). 1e-9: millions of ulps of the O(1)–O(100) values involved, so accumulated rounding never
/// trips it, yet a wrong formula (which shows by the 4th–6th digit) always does.
pub const ARITHMETIC: f64 = 1e-9;

/// Quantities reached through a handful of floating-point operations on O(1) values: exp∘ln
/// (an HR and its log), an inverted HR (1/2 = 0.5), a ratio of two medians, a sum of parts, the
/// same fit with the studies in another order; and the slack for inequalities that hold exactly
/// in real arithmetic (an estimate inside the range of the data, a monotone back-transform, a
/// printed decimal that is not exactly representable). 1e-12: a few thousand ulps of O(1)
/// values, tight enough that anything but rounding fails.
pub const ROUND_OFF: f64 = 1e-12;

/// Results of the same studies in another order: sums of weights spanning 6 orders of
/// magnitude round differently in another order (~1e-12 relative), and DerSimonian–Laird's
/// Q − (k − 1) cancels when Q is close to k − 1, which can amplify that a hundredfold.
pub const REORDERED: f64 = 1e-10;

/// One to a few units in the last place of O(1) numbers (f64 ε ≈ 2.2e-16): values that must be
/// equal but for the last bit (the effect of a vs b is minus that of b vs a), and the absolute
/// term that lets a relative comparison meet zero. 1e-15: about 5 ulps of 1.
pub const LAST_PLACE: f64 = 1e-15;

/// τ² at or below this is the boundary 0 on both sides of a comparison with metafor: an
/// iterative estimator stopping at 1e-13 (or metafor reporting 1e-11) instead of exactly 0 is
/// not a disagreement, and a relative difference between two such numbers means nothing.
/// 1e-10: far below any τ² that matters on the log or logit scales (0.001–1), far above where
/// the estimators stop.
pub const TAU2_FLOOR: f64 = 1e-10;

/// I² (in percent) at or below this is 0: the counterpart of [`TAU2_FLOOR`] for the I² that
/// goes with a τ² stopped just short of the boundary (I² = 100·τ²/(τ² + s²), so a τ² of 1e-10
/// with a within-study variance s² of order 1 gives 1e-8 %). Far below the one decimal I² is
/// reported with.
pub const I2_FLOOR: f64 = 1e-8;

/// The step-function selection model against metafor's `selmodel`: relative 1e-6. metafor
/// maximises with `optim` (BFGS on numerical gradients; our fixtures tighten it to reltol 1e-15
/// with steps of 1e-6) and takes standard errors from `numDeriv::hessian`; alkstats uses exact
/// derivatives, so the two agree to the optimiser's and the numerical Hessian's precision,
/// some 1e-8, well inside the 1e-6 promised.
pub const SELECTION_MODEL: f64 = 1e-6;

/// A GLMM against metafor's own quadrature: relative 2e-2. metafor fits the PLO, CM.AL and
/// UM.FS models with lme4's 7-node adaptive Gauss–Hermite rule, whose error on rare-event data
/// reaches 1 % in τ̂² (dat.axfors2021: τ̂² 5.554 against 5.617 of the exact likelihood); alkstats
/// is held to the exact likelihood at [`ITERATIVE`] and to metafor only within this error.
pub const GLMM_NAGQ: f64 = 2e-2;

/// The exact conditional GLMM (CM.EL) against metafor, which integrates it exactly but
/// maximises with `optim` (BFGS, default reltol 1e-8) and takes its SE from a numerical
/// Hessian (`numDeriv`): relative 5e-4 (the SE differs by 1.2e-4 on dat.lee2004, where the
/// exact-likelihood SE of tests/r agrees with alkstats to 1e-5).
pub const GLMM_OPTIM: f64 = 5e-4;

/// Half a unit in the fourth decimal: for expected values quoted to four decimals (a published
/// confidence interval such as 0.2121–0.5451), which the exact value must round to.
pub const FOUR_DECIMALS: f64 = 5e-5;

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

/// Asserts that `actual` is within relative `tol` of `expected`.
pub fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    let d = rel_diff(actual, expected);
    assert!(
        d <= tol,
        "{what}: {actual:e} vs {expected:e} (rel {d:.2e} > {tol:e})"
    );
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
