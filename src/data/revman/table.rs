//! One outcome as a plain table of strings with R `meta` column names, for the rest of alkstats
//! (the same shape as a user CSV file). Column names are those of meta's `read.rm5` data frame
//! and of `metabin`/`metacont`/`metagen` (`studlab`, `year`, `event.e`, `n.e`, `event.c`,
//! `n.c`, `mean.e`, `sd.e`, `mean.c`, `sd.c`, `TE`, `seTE`, `O.E`, `V`); `.e` is RevMan's group 1
//! (experimental), `.c` its group 2 (control). Numbers appear exactly as written in the file; a
//! missing value is an empty cell, as in alkstats' CSV tables.

use super::model::{Number, Outcome, OutcomeKind, RowData, StudyRow};

/// Headers and rows of `outcome`: `studlab`, then `subgroup` when the outcome has subgroups,
/// then `year`, then the data columns of its kind. For generic inverse variance and O-E
/// outcomes, `n.e` and `n.c` are added when any row gives `TOTAL_1`/`TOTAL_2`.
pub fn outcome_table(outcome: &Outcome) -> (Vec<String>, Vec<Vec<String>>) {
    let with_totals = outcome.rows().any(|r| {
        matches!(
            &r.data,
            RowData::GenericInverseVariance { total_1, total_2, .. }
            | RowData::ObservedMinusExpected { total_1, total_2, .. }
                if total_1.is_some() || total_2.is_some()
        )
    });
    let data_headers: &[&str] = match outcome.kind {
        OutcomeKind::Dichotomous => &["event.e", "n.e", "event.c", "n.c"],
        OutcomeKind::Continuous => &["mean.e", "sd.e", "n.e", "mean.c", "sd.c", "n.c"],
        OutcomeKind::GenericInverseVariance if with_totals => &["TE", "seTE", "n.e", "n.c"],
        OutcomeKind::GenericInverseVariance => &["TE", "seTE"],
        OutcomeKind::ObservedMinusExpected if with_totals => &["O.E", "V", "n.e", "n.c"],
        OutcomeKind::ObservedMinusExpected => &["O.E", "V"],
    };
    let mut headers = vec!["studlab".to_string()];
    if outcome.has_subgroups {
        headers.push("subgroup".into());
    }
    headers.push("year".into());
    headers.extend(data_headers.iter().map(|h| h.to_string()));

    let mut rows = Vec::new();
    for group in &outcome.subgroups {
        for row in &group.rows {
            let mut cells = vec![row.label().to_string()];
            if outcome.has_subgroups {
                cells.push(group.name.clone().unwrap_or_default());
            }
            cells.push(row.year.clone().unwrap_or_default());
            cells.extend(data_cells(row, with_totals));
            rows.push(cells);
        }
    }
    (headers, rows)
}

/// The data cells of one row, in the order of the headers.
fn data_cells(row: &StudyRow, with_totals: bool) -> Vec<String> {
    let cells: Vec<&Option<Number>> = match &row.data {
        RowData::Dichotomous {
            events_1,
            total_1,
            events_2,
            total_2,
        } => vec![events_1, total_1, events_2, total_2],
        RowData::Continuous {
            mean_1,
            sd_1,
            total_1,
            mean_2,
            sd_2,
            total_2,
        } => vec![mean_1, sd_1, total_1, mean_2, sd_2, total_2],
        RowData::GenericInverseVariance {
            effect_size: a,
            se: b,
            total_1,
            total_2,
        }
        | RowData::ObservedMinusExpected {
            o_e: a,
            var: b,
            total_1,
            total_2,
        } => {
            if with_totals {
                vec![a, b, total_1, total_2]
            } else {
                vec![a, b]
            }
        }
    };
    cells
        .into_iter()
        .map(|n| n.as_ref().map(|n| n.text.clone()).unwrap_or_default())
        .collect()
}
