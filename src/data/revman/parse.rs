//! From the XML tree of a RevMan 5 review to a [`Review`]: comparisons, outcomes, subgroups and
//! study rows, following the element structure that R `meta::read.rm5` reads (meta ≥ 6,
//! `R/read.rm5-internal.R`, `read.rm5.rm5` and `extract_outcomes`).
//!
//! Study names and years come from `INCLUDED_STUDIES/STUDY` (`ID`, `NAME`, `YEAR`), matched to
//! each data row's `STUDY_ID` on the id as written. A row whose id has no entry is kept with no
//! name, as meta's `merge(…, all.x = TRUE)` keeps it with `studlab = NA`; alkstats adds a
//! warning to [`Review::warnings`] and labels the row with its decoded id
//! ([`StudyRow::label`]).

use super::error::Place;
use super::escape::decode_revman_escapes;
use super::model::{
    read_numbers, Comparison, Number, Outcome, OutcomeKind, Review, RowData, StoredTotals,
    StudyResults, StudyRow, Subgroup,
};
use super::xml::Element;
use super::RevmanError;
use std::collections::{BTreeSet, HashMap};

/// The outcome element prefixes alkstats reads, with their kind.
const KINDS: [(&str, OutcomeKind); 4] = [
    ("DICH", OutcomeKind::Dichotomous),
    ("CONT", OutcomeKind::Continuous),
    ("IV", OutcomeKind::GenericInverseVariance),
    ("IPD", OutcomeKind::ObservedMinusExpected),
];

/// Spelled-out effect measures and their codes, as mapped by meta's `extract_outcomes`.
const MEASURES: [(&str, &str); 10] = [
    ("odds ratio", "OR"),
    ("peto odds ratio", "OR"),
    ("peto_or", "OR"),
    ("odds ratio (non-event)", "OR"),
    ("risk ratio", "RR"),
    ("risk difference", "RD"),
    ("mean difference", "MD"),
    ("standardized mean difference", "SMD"),
    ("std. mean difference", "SMD"),
    ("hazard ratio", "HR"),
];

/// Where a number is read, for error messages.
#[derive(Clone, Copy)]
struct At<'a> {
    outcome: Option<&'a str>,
    study: Option<&'a str>,
}

/// State shared while walking the tree.
struct Walker<'a> {
    file: &'a str,
    /// Raw study `ID` → (`NAME`, `YEAR`).
    studies: HashMap<String, (String, Option<String>)>,
    /// Raw ids already warned about.
    unmatched: BTreeSet<String>,
    warnings: Vec<String>,
}

/// Reads the review from its root element.
///
/// # Errors
/// [`RevmanError::NotAReview`] when the root is not `COCHRANE_REVIEW`; a missing `NO` or
/// `STUDY_ID` ([`RevmanError::MissingAttribute`]); a number that does not parse
/// ([`RevmanError::BadNumber`]).
pub(crate) fn review(file: &str, root: &Element) -> Result<Review, RevmanError> {
    if root.name != "COCHRANE_REVIEW" {
        return Err(RevmanError::NotAReview {
            file: file.to_string(),
            line: root.line,
            found: root.name.clone(),
        });
    }
    let title = root
        .descendant("COVER_SHEET")
        .and_then(|c| c.child("TITLE"))
        .or_else(|| root.descendant("TITLE"))
        .map(Element::text_content)
        .unwrap_or_default();
    let mut studies = HashMap::new();
    if let Some(included) = root.descendant("INCLUDED_STUDIES") {
        for s in included.children.iter().filter(|c| c.name == "STUDY") {
            if let (Some(id), Some(name)) = (s.attr("ID"), s.attr("NAME")) {
                let year = s.attr("YEAR").filter(|y| !y.trim().is_empty());
                studies
                    .entry(id.to_string())
                    .or_insert_with(|| (name.to_string(), year.map(str::to_string)));
            }
        }
    }
    let mut w = Walker {
        file,
        studies,
        unmatched: BTreeSet::new(),
        warnings: Vec::new(),
    };
    let mut comparisons = Vec::new();
    match root.descendant("ANALYSES_AND_DATA") {
        Some(analyses) => {
            for c in analyses.children.iter().filter(|c| c.name == "COMPARISON") {
                comparisons.push(w.comparison(c)?);
            }
        }
        None => w
            .warnings
            .push("the review contains no analyses (no <ANALYSES_AND_DATA>)".into()),
    }
    Ok(Review {
        file: file.to_string(),
        title,
        comparisons,
        warnings: w.warnings,
    })
}

impl Walker<'_> {
    fn comparison(&mut self, el: &Element) -> Result<Comparison, RevmanError> {
        let number = self.integer(el, "NO", None)?;
        let mut outcomes = Vec::new();
        for child in &el.children {
            let Some(prefix) = child.name.strip_suffix("_OUTCOME") else {
                continue;
            };
            match KINDS.iter().find(|(p, _)| *p == prefix) {
                Some(&(_, kind)) => outcomes.push(self.outcome(child, number, prefix, kind)?),
                None => self.warnings.push(format!(
                    "line {}: comparison {number} has a <{}> ('{}'), which holds no analysable data; skipped",
                    child.line,
                    child.name,
                    child.child_text("NAME")
                )),
            }
        }
        Ok(Comparison {
            number,
            name: el.child_text("NAME"),
            outcomes,
        })
    }

    fn outcome(
        &mut self,
        el: &Element,
        comparison: u32,
        prefix: &str,
        kind: OutcomeKind,
    ) -> Result<Outcome, RevmanError> {
        let number = self.integer(el, "NO", Some(&format!("{comparison}.?")))?;
        let id = format!("{comparison}.{number}");
        let name = el.child_text("NAME");
        let label = format!("{id} {name}");
        let at = At {
            outcome: Some(&label),
            study: None,
        };
        let effect_measure_label = match el.attr("EFFECT_MEASURE") {
            Some(m) => m.trim().to_string(),
            None => el.child_text("EFFECT_MEASURE"),
        };
        let method = match el.attr("METHOD") {
            Some(m) if !m.trim().is_empty() => m.trim().to_string(),
            _ if kind == OutcomeKind::ObservedMinusExpected => "PETO".to_string(),
            _ => "IV".to_string(),
        };
        let data_name = format!("{prefix}_DATA");
        let subgroup_name = format!("{prefix}_SUBGROUP");
        let direct: Vec<&Element> = el.children.iter().filter(|c| c.name == data_name).collect();
        let grouped: Vec<&Element> = el
            .children
            .iter()
            .filter(|c| c.name == subgroup_name)
            .collect();
        let mut subgroups = Vec::new();
        if grouped.is_empty() {
            subgroups.push(Subgroup {
                number: None,
                name: None,
                rows: self.rows(&direct, kind, &label)?,
                stored: StoredTotals::default(),
            });
        } else {
            if !direct.is_empty() {
                self.warnings.push(format!(
                    "outcome {label}: {} <{data_name}> rows outside the subgroups are ignored (RevMan puts every row in a subgroup when there are subgroups)",
                    direct.len()
                ));
            }
            for g in grouped {
                let rows: Vec<&Element> =
                    g.children.iter().filter(|c| c.name == data_name).collect();
                subgroups.push(Subgroup {
                    number: Some(self.integer(g, "NO", Some(&label))?),
                    name: Some(g.child_text("NAME")),
                    rows: self.rows(&rows, kind, &label)?,
                    stored: self.totals(g, at)?,
                });
            }
        }
        Ok(Outcome {
            id,
            name,
            kind,
            effect_measure: measure_code(&effect_measure_label),
            effect_measure_label,
            method,
            random_effects: el.attr("RANDOM").is_some_and(|r| r.trim() == "YES"),
            group_labels: [
                el.child_text("GROUP_LABEL_1"),
                el.child_text("GROUP_LABEL_2"),
            ],
            graph_labels: [
                el.child_text("GRAPH_LABEL_1"),
                el.child_text("GRAPH_LABEL_2"),
            ],
            log_data: el.attr("LOG_DATA").map(|v| v.trim() == "YES"),
            ci_study: self.number(el, "CI_STUDY", at)?,
            ci_total: self.number(el, "CI_TOTAL", at)?,
            has_subgroups: !subgroups.iter().all(|s| s.number.is_none()),
            subgroups,
            stored: self.totals(el, at)?,
        })
    }

    fn rows(
        &mut self,
        elements: &[&Element],
        kind: OutcomeKind,
        outcome: &str,
    ) -> Result<Vec<StudyRow>, RevmanError> {
        elements
            .iter()
            .map(|e| self.row(e, kind, outcome))
            .collect()
    }

    fn row(
        &mut self,
        el: &Element,
        kind: OutcomeKind,
        outcome: &str,
    ) -> Result<StudyRow, RevmanError> {
        let Some(raw_id) = el.attr("STUDY_ID") else {
            return Err(RevmanError::MissingAttribute {
                file: self.file.to_string(),
                place: place(el, Some(outcome), None),
                attribute: "STUDY_ID".into(),
                expected: "the ID of a study in INCLUDED_STUDIES".into(),
            });
        };
        let study_id = decode_revman_escapes(raw_id);
        let at = At {
            outcome: Some(outcome),
            study: Some(&study_id),
        };
        let n = |attr: &str| self.number(el, attr, at);
        let data = match kind {
            OutcomeKind::Dichotomous => {
                read_numbers!(
                    n,
                    RowData::Dichotomous {
                        events_1,
                        total_1,
                        events_2,
                        total_2
                    }
                )
            }
            OutcomeKind::Continuous => read_numbers!(
                n,
                RowData::Continuous {
                    mean_1,
                    sd_1,
                    total_1,
                    mean_2,
                    sd_2,
                    total_2
                }
            ),
            OutcomeKind::GenericInverseVariance => read_numbers!(
                n,
                RowData::GenericInverseVariance {
                    effect_size,
                    se,
                    total_1,
                    total_2
                }
            ),
            OutcomeKind::ObservedMinusExpected => {
                read_numbers!(
                    n,
                    RowData::ObservedMinusExpected {
                        o_e,
                        var,
                        total_1,
                        total_2
                    }
                )
            }
        };
        let mut stored = StudyResults::read(n)?;
        // The row's input attributes are in `data` only.
        if kind == OutcomeKind::GenericInverseVariance {
            (stored.effect_size, stored.se) = (None, None);
        }
        if kind == OutcomeKind::ObservedMinusExpected {
            (stored.var, stored.o_e) = (None, None);
        }
        let order = n("ORDER")?;
        let (name, year) = match self.studies.get(raw_id) {
            Some((name, year)) => (Some(name.clone()), year.clone()),
            None => {
                if self.unmatched.insert(raw_id.to_string()) {
                    self.warnings.push(format!(
                        "line {}: study '{study_id}' (outcome {outcome}) is not among the included studies (INCLUDED_STUDIES); labelled by its id",
                        el.line
                    ));
                }
                (None, None)
            }
        };
        Ok(StudyRow {
            study_id,
            name,
            year,
            order,
            data,
            stored,
        })
    }

    fn totals(&self, el: &Element, at: At<'_>) -> Result<StoredTotals, RevmanError> {
        let n = |attr: &str| self.number(el, attr, at);
        StoredTotals::read(n)
    }

    /// An optional numeric attribute: absent or blank is `None` (R's `as.numeric` gives `NA`).
    fn number(&self, el: &Element, attr: &str, at: At<'_>) -> Result<Option<Number>, RevmanError> {
        let Some(text) = el.attr(attr) else {
            return Ok(None);
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        match trimmed.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Some(Number {
                text: trimmed.to_string(),
                value,
            })),
            _ => Err(self.bad_number(
                el,
                attr,
                text,
                at,
                "a finite number such as 12 or -0.35, or an empty value",
            )),
        }
    }

    /// A required whole-number attribute (`NO`).
    fn integer(&self, el: &Element, attr: &str, outcome: Option<&str>) -> Result<u32, RevmanError> {
        let at = At {
            outcome,
            study: None,
        };
        let Some(text) = el.attr(attr) else {
            return Err(RevmanError::MissingAttribute {
                file: self.file.to_string(),
                place: place(el, outcome, None),
                attribute: attr.to_string(),
                expected: "the number RevMan shows (1, 2, …)".into(),
            });
        };
        text.trim()
            .parse::<u32>()
            .map_err(|_| self.bad_number(el, attr, text, at, "a whole number (1, 2, …)"))
    }

    fn bad_number(
        &self,
        el: &Element,
        attr: &str,
        found: &str,
        at: At<'_>,
        expected: &str,
    ) -> RevmanError {
        RevmanError::BadNumber {
            file: self.file.to_string(),
            place: place(el, at.outcome, at.study),
            attribute: attr.to_string(),
            found: found.to_string(),
            expected: expected.to_string(),
        }
    }
}

/// The place of `el` for an error message.
fn place(el: &Element, outcome: Option<&str>, study: Option<&str>) -> Box<Place> {
    Box::new(Place {
        line: el.line,
        element: el.name.clone(),
        outcome: outcome.map(str::to_string),
        study: study.map(str::to_string),
    })
}

/// Maps a spelled-out effect measure to its code (meta's mapping); codes pass through.
fn measure_code(written: &str) -> String {
    let lower = written.trim().to_lowercase();
    MEASURES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, code)| (*code).to_string())
        .unwrap_or_else(|| written.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_names_map_to_codes() {
        // Mapping from meta's extract_outcomes (R/read.rm5-internal.R).
        assert_eq!(measure_code("Odds Ratio"), "OR");
        assert_eq!(measure_code("Std. Mean Difference"), "SMD");
        assert_eq!(measure_code("RR"), "RR");
        assert_eq!(measure_code("Rate Ratio"), "Rate Ratio");
    }
}
