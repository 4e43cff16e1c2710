//! Cumulative meta-analysis (Lau et al. 1992, N Engl J Med 327:248–254; metafor `cumul`;
//! R meta `metacum`): the model refitted to the first study, the first two, … in a chosen
//! order, each fit with the model's own τ² estimator, interval method and common-effect method.
//!
//! The order is the file's, or the values of a column (`--order year`), increasing or
//! decreasing. The sort is stable, so ties keep their file order (as R's `order()`); a column
//! whose every value is a number sorts numerically, any other by Unicode code points (R sorts
//! text by the locale's collation, which can differ for accents and case). Studies without a
//! value go last, in file order, with a warning.

use super::refit::{PooledRow, RefitRow, Refits, Subset};
use super::{MethodError, PooledModel, Progress};
use crate::model::Rma;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// The order in which studies are added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CumulativeOrder {
    /// Column whose values order the studies; `None` for the file's order.
    pub column: Option<String>,
    /// Largest value first.
    pub decreasing: bool,
}

impl CumulativeOrder {
    /// The order in words, e.g. "year, increasing (ties in file order)".
    pub fn describe(&self) -> String {
        match &self.column {
            None if self.decreasing => "file order, reversed".into(),
            None => "file order".into(),
            Some(c) => format!(
                "{c}, {} (ties in file order)",
                if self.decreasing {
                    "decreasing"
                } else {
                    "increasing"
                }
            ),
        }
    }
}

/// A cumulative meta-analysis of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cumulative {
    /// The order the studies were added in, in words.
    pub order: String,
    /// The model with every study (the last row, when every refit succeeds).
    pub full: PooledRow,
    /// One row per study added, in order: the fit of it and every study before it.
    pub rows: Vec<RefitRow>,
    /// What the user should know.
    pub warnings: Vec<String>,
}

/// A sort key: a number, a text, or no value (last).
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Number(f64),
    Text(String),
    Missing,
}

/// The studies `units` (indices into the model's data) in `order`, with the labels of those
/// that have no value.
fn sorted(
    model: &Rma,
    units: &[usize],
    order: &CumulativeOrder,
) -> Result<(Vec<usize>, Vec<String>), MethodError> {
    let studies = &model.data().studies;
    let Some(column) = &order.column else {
        let mut units = units.to_vec();
        if order.decreasing {
            units.reverse();
        }
        return Ok((units, Vec::new()));
    };
    if !studies.iter().any(|s| s.fields.contains_key(column)) {
        let available: BTreeSet<&str> = studies
            .iter()
            .flat_map(|s| s.fields.keys().map(String::as_str))
            .collect();
        return Err(MethodError::UnknownOrderColumn {
            column: column.clone(),
            available: if available.is_empty() {
                "(the data have no other columns)".into()
            } else {
                available.into_iter().collect::<Vec<_>>().join(", ")
            },
        });
    }
    let text = |i: usize| {
        studies[i]
            .fields
            .get(column)
            .map_or("", |v| v.trim())
            .to_string()
    };
    let numeric = units.iter().all(|&i| {
        let t = text(i);
        t.is_empty() || t.parse::<f64>().is_ok_and(f64::is_finite)
    });
    let key = |i: usize| {
        let t = text(i);
        match t.parse::<f64>() {
            _ if t.is_empty() => Key::Missing,
            Ok(x) if numeric => Key::Number(x),
            _ => Key::Text(t),
        }
    };
    let mut keyed: Vec<(Key, usize)> = units.iter().map(|&i| (key(i), i)).collect();
    let compare = |a: &Key, b: &Key| match (a, b) {
        (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
        (Key::Text(x), Key::Text(y)) => x.cmp(y),
        _ => Ordering::Equal,
    };
    // Stable: ties keep their file order, and so do the studies without a value, at the end.
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Key::Missing, Key::Missing) => Ordering::Equal,
        (Key::Missing, _) => Ordering::Greater,
        (_, Key::Missing) => Ordering::Less,
        _ if order.decreasing => compare(b, a),
        _ => compare(a, b),
    });
    let missing = keyed
        .iter()
        .filter(|(k, _)| *k == Key::Missing)
        .map(|(_, i)| studies[*i].label.clone())
        .collect();
    Ok((keyed.into_iter().map(|(_, i)| i).collect(), missing))
}

/// The cumulative meta-analysis of `model`'s `choice` estimate in `order`.
///
/// # Errors
/// [`MethodError::UnknownOrderColumn`] when no study has the column of `order`.
///
/// # Examples
/// ```
/// use alkstats::methods::cumulative::{cumulative, CumulativeOrder};
/// use alkstats::methods::PooledModel;
/// use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
/// use alkstats::settings::{FitSettings, GenericMeasure};
/// let studies = vec![Study::new("A", 2, 0.1, 0.04), Study::new("B", 3, 0.5, 0.02)];
/// let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
/// let model = Rma::fit(data, ModelSettings::inverse_variance(FitSettings::default())).unwrap();
/// let c = cumulative(&model, PooledModel::Random, &CumulativeOrder::default(), &()).unwrap();
/// assert_eq!(c.rows[0].fit.yi, Some(0.1));
/// assert_eq!(c.rows[1].fit.yi, c.full.yi);
/// ```
pub fn cumulative(
    model: &Rma,
    choice: PooledModel,
    order: &CumulativeOrder,
    progress: &dyn Progress,
) -> Result<Cumulative, MethodError> {
    let refits = Refits::new(model, choice);
    let (units, missing) = sorted(model, &refits.units(), order)?;
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        warnings.push(format!(
            "{} study(ies) without a value of '{}' are added last, in file order: {}",
            missing.len(),
            order.column.as_deref().unwrap_or_default(),
            missing.join("; ")
        ));
    }
    let results = refits.run(units.len(), progress, |j, s| {
        refits.refit(Subset::Only(&units[..=j]), s)
    });
    let rows = units
        .iter()
        .zip(results)
        .enumerate()
        .map(|(j, (&i, r))| RefitRow::new(model, i, j + 1, "adding", r, &mut warnings))
        .collect();
    Ok(Cumulative {
        order: order.describe(),
        full: PooledRow::of_model(model, choice),
        rows,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EffectSizes, Measure, ModelSettings, Study};
    use crate::settings::{FitSettings, GenericMeasure};

    fn model(years: &[&str]) -> Rma {
        let studies = years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let mut s = Study::new(format!("S{i}"), i as u64 + 2, 0.1 * i as f64, 0.05);
                std::sync::Arc::make_mut(&mut s.fields).insert("year".into(), y.to_string());
                s
            })
            .collect();
        let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
        Rma::fit(
            data,
            ModelSettings::inverse_variance(FitSettings::default()),
        )
        .unwrap()
    }

    fn labels(m: &Rma, order: CumulativeOrder) -> Vec<String> {
        let c = cumulative(m, PooledModel::Random, &order, &()).unwrap();
        c.rows.into_iter().map(|r| r.study).collect()
    }

    #[test]
    fn sorts_stably_numbers_as_numbers_and_missing_values_last() {
        let m = model(&["2010", "9", "", "2010", "1999"]);
        let by_year = |decreasing| CumulativeOrder {
            column: Some("year".into()),
            decreasing,
        };
        assert_eq!(labels(&m, by_year(false)), ["S1", "S4", "S0", "S3", "S2"]);
        assert_eq!(labels(&m, by_year(true)), ["S0", "S3", "S4", "S1", "S2"]);
        let c = cumulative(&m, PooledModel::Random, &by_year(false), &()).unwrap();
        assert!(c.warnings[0].contains("S2"));
        // The same studies summed in another order: equal but for rounding.
        let (last, full) = (c.rows[4].fit.yi.unwrap(), c.full.yi.unwrap());
        assert!((last - full).abs() < 1e-12);
        assert_eq!(c.rows[0].fit.k, 1);
        assert_eq!(c.rows[0].fit.q, None);
    }

    #[test]
    fn text_sorts_by_code_points_and_an_unknown_column_is_named() {
        let m = model(&["b", "a", "10"]);
        let order = CumulativeOrder {
            column: Some("year".into()),
            decreasing: false,
        };
        assert_eq!(labels(&m, order), ["S2", "S1", "S0"]);
        let order = CumulativeOrder {
            column: Some("yaer".into()),
            decreasing: false,
        };
        let e = cumulative(&m, PooledModel::Random, &order, &()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--order yaer: no such column; expected one of: year"
        );
    }
}
