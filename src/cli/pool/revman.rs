//! A RevMan 5 review as `pool`'s input: `--data review.rm5` lists its outcomes and asks for
//! one; `--rm5-outcome 1.1` reads that outcome's data into a table with R `meta`'s column names,
//! and the review's own settings (effect measure, Mantel–Haenszel / inverse variance / Peto)
//! become the defaults unless `--measure`, `--method` or `--sm` say otherwise.

use super::settings::{PoolAnalysis, PoolRun};
use crate::analysis::stored_results::SameModel;
use crate::cli::CliError;
use crate::data::revman::{listing, load_rm5, outcome_table, Outcome, OutcomeKind};
use crate::data::table::{Row, Table};
use crate::data::DataSource;
use crate::effect::median_to_mean::SdChoice;
use crate::settings::{ChoiceError, CompareMethod, GenericMeasure, Level, RandomCi, TauMethod};
use std::str::FromStr;

/// What the flags said about a RevMan file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rm5Request {
    /// `--rm5-outcome`.
    pub outcome: Option<String>,
    /// `--measure` / `--sm` as given (overrides the review's effect measure).
    pub measure: Option<String>,
    /// `--method` as given (overrides the review's method).
    pub method: Option<String>,
}

/// Whether `data` names a RevMan 5 file.
pub fn is_rm5(data: &DataSource) -> bool {
    matches!(data, DataSource::File(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("rm5")))
}

fn parse<T: FromStr<Err = ChoiceError>>(given: Option<&str>, review: &str) -> Result<T, CliError> {
    given
        .unwrap_or(review)
        .parse()
        .map_err(|e: ChoiceError| CliError::Usage(e.to_string()))
}

/// The review's method as alkstats names it (RevMan writes `MH`, `IV`, `PETO`).
fn method(outcome: &Outcome) -> &str {
    match outcome.method.to_ascii_uppercase().as_str() {
        "PETO" => "Peto",
        "IV" => "IV",
        _ => "MH",
    }
}

/// The analysis of a RevMan outcome, from its kind and the review's settings (flags win).
fn analysis(outcome: &Outcome, req: &Rm5Request, run: &PoolRun) -> Result<PoolAnalysis, CliError> {
    let incr = match run.analysis {
        PoolAnalysis::Binary { incr, .. } | PoolAnalysis::Compare { incr, .. } => incr,
        _ => 0.5,
    };
    let measure = req.measure.as_deref();
    Ok(match outcome.kind {
        OutcomeKind::Dichotomous => {
            let review_measure = match outcome.effect_measure.as_str() {
                "PETO_OR" | "PETO" => "OR",
                m => m,
            };
            PoolAnalysis::Binary {
                measure: parse(measure, review_measure)?,
                method: parse::<CompareMethod>(req.method.as_deref(), method(outcome))?,
                incr,
                glmm: None,
            }
        }
        OutcomeKind::Continuous => PoolAnalysis::Continuous {
            measure: parse(measure, &outcome.effect_measure)?,
            // RevMan stores means and SDs: no median is converted.
            sd_method: SdChoice::Shi,
        },
        OutcomeKind::GenericInverseVariance | OutcomeKind::ObservedMinusExpected => {
            // RevMan keeps generic estimates of ratios on the log scale ("log data").
            let sm: GenericMeasure = match parse(measure, &outcome.effect_measure) {
                Ok(sm) => sm,
                Err(_) if measure.is_none() => GenericMeasure::Gen,
                Err(e) => return Err(e),
            };
            if outcome.kind == OutcomeKind::ObservedMinusExpected {
                return Err(CliError::Usage(format!(
                    "outcome {}: O − E and variance data are not pooled yet; export it as generic \
                     inverse-variance data (TE, seTE)",
                    outcome.id
                )));
            }
            PoolAnalysis::Generic {
                sm,
                ci_level: Level::default(),
            }
        }
    })
}

/// A RevMan outcome whose stored results `pool` checks its own against.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResults {
    /// The outcome as read, with what RevMan stored.
    pub outcome: Outcome,
    /// How far the run's model is the review's.
    pub same: SameModel,
}

/// Whether the run's analysis is the review's own (its measure; its method, and for random
/// effects RevMan's DerSimonian–Laird τ² with a classic CI after inverse variance).
fn same_model(outcome: &Outcome, run: &PoolRun) -> Result<SameModel, CliError> {
    let review = analysis(outcome, &Rm5Request::default(), run)?;
    let measure = match (&review, &run.analysis) {
        (PoolAnalysis::Binary { measure: a, .. }, PoolAnalysis::Binary { measure: b, .. }) => {
            a == b
        }
        (a, b) => a == b,
    };
    let inverse_variance = !matches!(
        run.analysis,
        PoolAnalysis::Binary { method, .. } if method != CompareMethod::Iv
    );
    let random_as_revman = inverse_variance
        && run.fit.method_tau == TauMethod::Dl
        && run.fit.random_ci == RandomCi::Classic;
    Ok(SameModel {
        measure,
        pooled: review == run.analysis && (!outcome.random_effects || random_as_revman),
    })
}

/// Reads the RevMan outcome asked for into a table and sets the analysis from it.
///
/// # Errors
/// Exit 2 with the list of outcomes when none is chosen; a RevMan reading error; an unknown
/// outcome id (listing the ones there are).
pub fn prepare(run: &mut PoolRun, req: &Rm5Request) -> Result<Table, CliError> {
    let DataSource::File(path) = &run.data else {
        return Err(CliError::Usage(
            "a RevMan file must be given by its path".into(),
        ));
    };
    let review = load_rm5(path).map_err(|e| CliError::Usage(e.to_string()))?;
    let Some(id) = &req.outcome else {
        return Err(CliError::Usage(format!(
            "{}: a RevMan review holds several outcomes; choose one with --rm5-outcome ID:\n{}",
            path.display(),
            listing(&review)
        )));
    };
    let outcome = review
        .outcome(id)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    run.analysis = analysis(outcome, req, run)?;
    run.stored = Some(StoredResults {
        outcome: outcome.clone(),
        same: same_model(outcome, run)?,
    });
    if let Some(m) = run.maps.first() {
        return Err(CliError::Usage(format!(
            "--map {}={}: a RevMan file's columns are known; --map is for CSV and spreadsheet files",
            m.role, m.column
        )));
    }
    if outcome.has_subgroups && run.by.is_none() {
        run.by = Some(crate::analysis::group::Grouping::Column("subgroup".into()));
    }
    let (headers, rows) = outcome_table(outcome);
    Ok(Table::new(
        format!("{}, outcome {}", path.display(), outcome.id),
        headers,
        rows.into_iter()
            .zip(1..)
            .map(|(fields, line)| Row { line, fields })
            .collect(),
    ))
}
