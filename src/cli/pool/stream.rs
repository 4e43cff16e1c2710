//! `pool` through the batch engine ([`crate::batch`]): each outcome's in-memory loader and
//! analysis handed to the piece-by-piece engine, and pooled proportions by inverse variance to
//! their own faster engine. Each function returns `true` when it has written the rows, `false`
//! when the run should load its data as usual (no streaming asked or possible).

use super::PoolRun;
use crate::analysis::compare::{pool_binary, CompareSettings};
use crate::analysis::continuous::{pool_continuous, ContinuousSettings};
use crate::analysis::generic::{pool_generic, GenericSettings};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::{pool_hazard_ratios, HazardSettings};
use crate::analysis::proportion::{pool_proportions, ProportionSettings};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::batch::{self, Outcome, RowFormat, StreamMode, Target};
use crate::cli::CliError;
use crate::data::arms::{load_user_arms_checked, UserNeeds};
use crate::data::continuous_rows::{load_continuous_checked, ContinuousRow};
use crate::data::file_checks::FileChecks;
use crate::data::hr::{load_user_hr_checked, HrRow};
use crate::data::table::Table;
use crate::data::user_rows::{load_binary_checked, load_generic_checked, BinaryRow, GenericRow};
use crate::data::{Arm, DataError, EMBEDDED_ARMS};
use crate::effect::continuous::ContinuousMeasure;
use crate::effect::median_to_mean::SdChoice;
use crate::settings::{Endpoint, GenericMeasure, Level, OutputFormat};

/// The embedded arms file's name in messages.
const ARMS_NAME: &str = "data/alk_nsclc_arms.csv (embedded)";

/// What each analysis row is written as.
fn row_format(run: &PoolRun) -> RowFormat {
    RowFormat {
        jsonl: run.format == OutputFormat::Jsonl,
        columns: run.columns.clone(),
    }
}

/// Runs `outcome` piece by piece when `run` may stream.
fn pieces<T, S, L, P>(
    run: &PoolRun,
    grouping: &Grouping,
    outcome: Outcome<L, P>,
) -> Result<bool, CliError>
where
    T: Send + Sync,
    S: StudyRow + Send,
    L: FnMut(Table, &mut FileChecks) -> Result<Vec<T>, DataError> + Send,
    P: Fn(&[T], &[String], &str) -> Result<PoolReport<S>, AnalysisError> + Sync,
{
    let Some(mode) = run.stream else {
        return Ok(false);
    };
    let rows = row_format(run);
    let target = target(run, mode, &rows);
    Ok(batch::outcome_csv(target, grouping, outcome)?.is_some())
}

fn target<'a>(run: &'a PoolRun, mode: StreamMode, rows: &'a RowFormat) -> Target<'a> {
    Target {
        source: &run.data,
        embedded: (EMBEDDED_ARMS, ARMS_NAME),
        output: run.output.as_deref(),
        mode,
        rows,
    }
}

/// Pooled proportions: by inverse variance through the proportions engine, GLMMs piece by
/// piece (a user's arms file, read by role as in memory).
pub fn proportions(run: &PoolRun, s: &ProportionSettings) -> Result<bool, CliError> {
    let Some(mode) = run.stream else {
        return Ok(false);
    };
    if !s.glmm {
        let rows = row_format(run);
        return Ok(batch::pool_csv(target(run, mode, &rows), s, &run.maps)?.is_some());
    }
    // As in memory: grouping by drug needs every row's drug.
    let by_drug = matches!(&s.grouping, Grouping::Column(c) if c.eq_ignore_ascii_case("drug"));
    let needs = UserNeeds {
        events: true,
        filled: if by_drug { &["drug"] } else { &[] },
        ..UserNeeds::default()
    };
    let outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| {
            load_user_arms_checked(t, &run.maps, needs, c).map(|(arms, _)| arms)
        },
        pool: |arms: &[Arm], headers: &[String], name: &str| {
            pool_proportions(arms, headers, name, s)
        },
    };
    pieces(run, &s.grouping, outcome)
}

/// Wide two-arm binary files, with `s` grouped by `by`.
pub fn binary(run: &PoolRun, s: &CompareSettings, by: &Grouping) -> Result<bool, CliError> {
    let s = CompareSettings {
        grouping: by.clone(),
        ..s.clone()
    };
    let outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| load_binary_checked(t, &run.maps, c),
        pool: |rows: &[BinaryRow], headers: &[String], name: &str| {
            pool_binary(rows, headers, name, &s)
        },
    };
    pieces(run, by, outcome)
}

/// Two-arm continuous files.
pub fn continuous(
    run: &PoolRun,
    measure: ContinuousMeasure,
    sd_method: SdChoice,
    by: &Grouping,
) -> Result<bool, CliError> {
    let s = ContinuousSettings {
        measure,
        fit: run.fit,
        grouping: by.clone(),
    };
    let outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| load_continuous_checked(t, &run.maps, sd_method, c),
        pool: |rows: &[ContinuousRow], headers: &[String], name: &str| {
            pool_continuous(rows, headers, name, &s)
        },
    };
    pieces(run, by, outcome)
}

/// Generic estimates.
pub fn generic(
    run: &PoolRun,
    sm: GenericMeasure,
    ci_level: Level,
    by: &Grouping,
) -> Result<bool, CliError> {
    let s = GenericSettings {
        sm,
        ci_level,
        fit: run.fit,
        grouping: by.clone(),
    };
    let outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| load_generic_checked(t, &run.maps, c),
        pool: |rows: &[GenericRow], headers: &[String], name: &str| {
            pool_generic(rows, headers, name, &s)
        },
    };
    pieces(run, by, outcome)
}

/// A user's hazard-ratio file (the embedded one is read whole).
pub fn hazard_ratios(run: &PoolRun, endpoint: Endpoint, by: &Grouping) -> Result<bool, CliError> {
    let s = HazardSettings {
        fit: run.fit,
        endpoint,
        grouping: by.clone(),
        keep_overlapping: run.keep_overlapping,
    };
    let outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| {
            load_user_hr_checked(t, &run.maps, endpoint, c).map(|user| user.rows)
        },
        pool: |rows: &[HrRow], headers: &[String], name: &str| {
            pool_hazard_ratios(rows, headers, name, &s)
        },
    };
    pieces(run, by, outcome)
}
