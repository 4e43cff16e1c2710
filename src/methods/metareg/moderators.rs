//! Moderators → design matrix, as R's `model.matrix(~ a + b)` builds it for metafor: an
//! intercept, one column per continuous moderator, and for a categorical one a dummy column per
//! level but the reference (treatment contrasts).
//!
//! A column is continuous when every non-missing value of the analysed studies is a finite
//! number; otherwise it is categorical, its levels sorted by code point (R sorts factor levels
//! in the locale's collation: the two agree for ASCII letters of one case) and its reference the
//! first, unless `--ref COLUMN=LEVEL` names another. A numeric column named by `--ref` is taken
//! as categorical. A study with no value of a moderator (empty, `NA`) is left out, with a
//! warning naming it, as metafor leaves out rows with missing moderators.

use super::MetaRegError;
use crate::fit::design::Design;
use crate::model::Study;
use std::collections::BTreeSet;

/// The design of the analysed studies.
#[derive(Debug, Clone, PartialEq)]
pub struct Moderators {
    /// The design matrix (intercept first).
    pub design: Design,
    /// The name of each column: `intercept`, a continuous moderator's column name, or
    /// `COLUMN=LEVEL` for a level of a categorical one.
    pub terms: Vec<String>,
    /// The studies in the design (indices into the model's studies), in order.
    pub used: Vec<usize>,
    /// Labels of the studies left out for a missing moderator value, with the column.
    pub dropped: Vec<(String, String)>,
    /// Continuous moderators: for each, its column index in the design (for the bubble plot).
    pub continuous: Vec<(String, usize)>,
}

/// How one moderator enters the design.
enum Coding {
    Continuous,
    Levels(Vec<String>),
}

/// Whether a value means "not recorded".
fn missing(v: &str) -> bool {
    v.is_empty() || v.eq_ignore_ascii_case("na")
}

/// The key of `column` in a study's fields: exactly, or ignoring case.
fn field<'a>(s: &'a Study, column: &str) -> Option<&'a str> {
    s.fields
        .get(column)
        .or_else(|| {
            s.fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(column))
                .map(|(_, v)| v)
        })
        .map(|v| v.trim())
}

/// Builds the design of `columns` over the `candidates` (indices into `studies`), with the
/// reference levels `refs` (column, level).
///
/// # Errors
/// [`MetaRegError`]: an unknown column, a `--ref` level the column does not have, fewer
/// studies than coefficients + 1, or collinear moderators.
pub fn build(
    studies: &[Study],
    candidates: &[usize],
    columns: &[String],
    refs: &[(String, String)],
) -> Result<Moderators, MetaRegError> {
    for c in columns {
        if !candidates.iter().any(|&i| field(&studies[i], c).is_some()) {
            let available: BTreeSet<&str> = candidates
                .iter()
                .flat_map(|&i| studies[i].fields.keys().map(String::as_str))
                .collect();
            return Err(MetaRegError::UnknownColumn {
                column: c.clone(),
                available: available.into_iter().collect::<Vec<_>>().join(", "),
            });
        }
    }
    if let Some((c, _)) = refs
        .iter()
        .find(|(c, _)| !columns.iter().any(|m| m.eq_ignore_ascii_case(c)))
    {
        return Err(MetaRegError::RefNotAModerator { column: c.clone() });
    }
    let mut used = Vec::new();
    let mut dropped = Vec::new();
    for &i in candidates {
        match columns
            .iter()
            .find(|c| field(&studies[i], c).is_none_or(missing))
        {
            Some(c) => dropped.push((studies[i].label.clone(), c.clone())),
            None => used.push(i),
        }
    }
    let value = |i: usize, c: &str| field(&studies[i], c).unwrap_or_default();
    let mut terms = vec!["intercept".to_string()];
    let mut codings = Vec::new();
    let mut continuous = Vec::new();
    for c in columns {
        let reference = refs
            .iter()
            .find(|(rc, _)| rc.eq_ignore_ascii_case(c))
            .map(|(_, l)| l.trim());
        let numeric = used
            .iter()
            .all(|&i| value(i, c).parse::<f64>().is_ok_and(f64::is_finite));
        if numeric && reference.is_none() {
            continuous.push((c.clone(), terms.len()));
            terms.push(c.clone());
            codings.push(Coding::Continuous);
            continue;
        }
        let mut levels: Vec<String> = used
            .iter()
            .map(|&i| value(i, c).to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Some(r) = reference {
            let at =
                levels
                    .iter()
                    .position(|l| l == r)
                    .ok_or_else(|| MetaRegError::UnknownLevel {
                        column: c.clone(),
                        level: r.to_string(),
                        levels: levels.join(", "),
                    })?;
            let r = levels.remove(at);
            levels.insert(0, r);
        }
        terms.extend(levels.iter().skip(1).map(|l| format!("{c}={l}")));
        codings.push(Coding::Levels(levels));
    }
    let rows: Vec<Vec<f64>> = used
        .iter()
        .map(|&i| {
            let mut row = vec![1.0];
            for (c, coding) in columns.iter().zip(&codings) {
                let v = value(i, c);
                match coding {
                    Coding::Continuous => row.push(v.parse().unwrap_or(f64::NAN)),
                    Coding::Levels(levels) => {
                        row.extend(levels.iter().skip(1).map(|l| f64::from(u8::from(l == v))))
                    }
                }
            }
            row
        })
        .collect();
    let p = terms.len();
    if used.len() <= p {
        return Err(MetaRegError::TooFewStudies { k: used.len(), p });
    }
    let design = Design::from_rows(&rows)
        .filter(Design::has_full_rank)
        .ok_or_else(|| MetaRegError::Collinear {
            terms: terms[1..].join(", "),
        })?;
    Ok(Moderators {
        design,
        terms,
        used,
        dropped,
        continuous,
    })
}
