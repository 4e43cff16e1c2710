//! The results RevMan stored in a review, checked against alkstats' own: per-study effects
//! and CIs, study weights, the pooled estimate with its CI, z and p, and the heterogeneity
//! statistics (χ², df, p, I², τ²), for the outcome and for each subgroup.
//!
//! RevMan 5 writes what it calculated as attributes of each outcome, subgroup and data row
//! (`EFFECT_SIZE`, `CI_START`, `CI_END`, `WEIGHT`, `Z`, `P_Z`, `CHI2`, `DF`, `P_CHI2`, `I2`,
//! `TAU2`); their formulas are those of Deeks & Higgins (2010), *Statistical algorithms in
//! Review Manager 5*. The check compares only what alkstats computed the same way:
//! - per-study effects and CIs always (they depend on the effect measure only);
//! - pooled results, heterogeneity and weights only when the run's model is the review's:
//!   its effect measure and method, and for random effects the DerSimonian–Laird τ² of an
//!   inverse-variance fit with a classic CI. RevMan's random-effects τ² after Mantel–Haenszel
//!   comes from the MH-based Q (Deeks & Higgins 2010, section 3.4), alkstats' from the
//!   inverse-variance fit, so those are not compared;
//! - a study's weight is a share of the whole outcome in RevMan: it is compared when the
//!   analysis covers the whole outcome (`--by none`, or no subgroups).
//!
//! A stored number matches when it is within 1e-6 of ours relatively, or within half a unit
//! of the last decimal it was written with (RevMan may round what it writes).

use super::report::{Analysis, PoolReport, StudyRow};
use crate::data::revman::{Number, Outcome, StoredTotals};
use serde::Serialize;

/// What the comparison with the stored results found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredComparison {
    /// Stored values compared with alkstats' results.
    pub compared: usize,
    /// The first stored value that differs, if any.
    pub first_difference: Option<StoredDifference>,
    /// Stored results not compared, with the reason.
    pub not_compared: Vec<String>,
}

/// One stored value that alkstats does not reproduce.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDifference {
    /// Where: the study, the subgroup or the outcome.
    pub place: String,
    /// RevMan's attribute (`CI_END`, …).
    pub attribute: &'static str,
    /// The value as stored.
    pub stored: String,
    /// alkstats' value.
    pub computed: f64,
}

impl StoredComparison {
    /// The sentence for a reader: all match, or the first difference.
    pub fn summary(&self) -> String {
        match &self.first_difference {
            None => format!(
                "matches the results stored in the review ({} values compared)",
                self.compared
            ),
            Some(d) => format!(
                "differs from the results stored in the review: first at {}, {}: stored {}, \
                 alkstats {}",
                d.place, d.attribute, d.stored, d.computed
            ),
        }
    }
}

/// Whether the run's model is the one the review stored results of (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameModel {
    /// Same effect measure (per-study results comparable).
    pub measure: bool,
    /// Same pooled model (pooled results, heterogeneity and weights comparable).
    pub pooled: bool,
}

/// Compares `report` with the results stored in `outcome`; `None` when the review stored none.
pub fn compare_stored<S: StudyRow>(
    outcome: &Outcome,
    report: &PoolReport<S>,
    same: SameModel,
) -> Option<StoredComparison> {
    let stored_anything = !outcome.stored.is_empty()
        || outcome.subgroups.iter().any(|g| !g.stored.is_empty())
        || outcome.rows().any(|r| r.stored.effect_size.is_some());
    if !stored_anything {
        return None;
    }
    let mut c = Check::default();
    if !same.measure {
        c.skip("every stored result: the effect measure differs from the review's");
        return Some(c.finish());
    }
    if !same.pooled {
        c.skip(
            "pooled results, heterogeneity and weights: the model differs from the review's \
             (RevMan: its method; DerSimonian–Laird τ² for random effects, from the MH-based Q \
             after Mantel–Haenszel)",
        );
    }
    let random = outcome.random_effects;
    let whole = report.analyses.len() == 1
        && (report.analyses[0].group.is_none() || outcome.subgroups.len() <= 1);
    for analysis in &report.analyses {
        for study in &analysis.studies {
            let Some(row) = outcome.rows().find(|r| r.label() == study.label()) else {
                continue;
            };
            let (estimate, lower, upper) = study.display();
            let s = &row.stored;
            let place = format!("study '{}'", study.label());
            c.value(&place, "EFFECT_SIZE", &s.effect_size, Some(estimate));
            c.value(&place, "CI_START", &s.ci_start, lower);
            c.value(&place, "CI_END", &s.ci_end, upper);
            if same.pooled && whole {
                let (common, rand) = study.weights();
                c.value(
                    &place,
                    "WEIGHT",
                    &s.weight,
                    Some(if random { rand } else { common }),
                );
            }
        }
        if !same.pooled {
            continue;
        }
        let totals = match &analysis.group {
            Some(name) if !whole => outcome
                .subgroups
                .iter()
                .find(|g| g.name.as_deref() == Some(name.as_str()))
                .map(|g| (format!("subgroup '{name}'"), &g.stored)),
            _ => Some(("the outcome".to_string(), &outcome.stored)),
        };
        if let Some((place, stored)) = totals {
            c.totals(&place, stored, analysis, random);
        }
    }
    if same.pooled && !whole && !outcome.stored.is_empty() {
        c.skip("the outcome's overall totals: pooled by subgroup here (compare with --by none)");
    }
    Some(c.finish())
}

#[derive(Default)]
struct Check {
    compared: usize,
    first: Option<StoredDifference>,
    skipped: Vec<String>,
}

impl Check {
    fn skip(&mut self, what: &str) {
        self.skipped.push(what.to_string());
    }

    fn value(
        &mut self,
        place: &str,
        attribute: &'static str,
        stored: &Option<Number>,
        ours: Option<f64>,
    ) {
        let (Some(stored), Some(ours)) = (stored, ours) else {
            return;
        };
        self.compared += 1;
        if !matches(stored, ours) && self.first.is_none() {
            self.first = Some(StoredDifference {
                place: place.to_string(),
                attribute,
                stored: stored.text.clone(),
                computed: ours,
            });
        }
    }

    fn totals<S>(&mut self, place: &str, t: &StoredTotals, a: &Analysis<S>, random: bool) {
        let (estimate, lower, upper, z, p) = if random {
            let r = &a.random;
            (r.estimate, r.lower, r.upper, r.stat, r.p)
        } else {
            let c = &a.common;
            (c.estimate, c.lower, c.upper, c.z, c.p)
        };
        self.value(place, "EFFECT_SIZE", &t.effect_size, estimate);
        self.value(place, "CI_START", &t.ci_start, lower);
        self.value(place, "CI_END", &t.ci_end, upper);
        // RevMan writes the size of z (its forest plots say "Z = 2.34").
        self.value(place, "Z", &t.z, Some(z.abs()));
        self.value(place, "P_Z", &t.p_z, p);
        if let Some(h) = &a.heterogeneity {
            self.value(place, "CHI2", &t.chi2, Some(h.q));
            self.value(place, "DF", &t.df, Some(h.df));
            self.value(place, "P_CHI2", &t.p_chi2, h.p);
            self.value(place, "I2", &t.i2, Some(h.i2));
            if random {
                self.value(place, "TAU2", &t.tau2, Some(h.tau2));
            }
        }
    }

    fn finish(self) -> StoredComparison {
        StoredComparison {
            compared: self.compared,
            first_difference: self.first,
            not_compared: self.skipped,
        }
    }
}

/// Whether `ours` reproduces `stored` (see the module docs).
fn matches(stored: &Number, ours: f64) -> bool {
    let tolerance = (1e-6 * stored.value.abs()).max(half_last_unit(&stored.text));
    (ours - stored.value).abs() <= tolerance
}

/// Half a unit of the last decimal of a number as written: `0.49` → 0.005, `1.0E-4` → 5e-6,
/// `12` → 0.5.
fn half_last_unit(text: &str) -> f64 {
    let text = text.trim();
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let decimals = mantissa
        .split_once('.')
        .map_or(0, |(_, f)| f.chars().filter(char::is_ascii_digit).count())
        as i32;
    0.5 * 10f64.powi(exponent - decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number {
            text: text.into(),
            value: text.parse().unwrap(),
        }
    }

    #[test]
    fn a_stored_number_matches_to_its_written_precision_or_1e6() {
        assert_eq!(half_last_unit("0.49"), 0.005);
        assert!((half_last_unit("1.0E-4") - 5e-6).abs() < 1e-20);
        assert_eq!(half_last_unit("12"), 0.5);
        assert!(matches(&n("0.49"), 0.4949));
        assert!(!matches(&n("0.49"), 0.4951));
        assert!(matches(&n("0.6428571428571429"), 0.64285714));
        assert!(!matches(&n("0.6428571428571429"), 0.6428));
    }
}
