//! Running a checked `pool` run: read the data, pool it, draw the plots asked for, render.

use super::{render, PoolAnalysis, PoolRun};
use crate::analysis::compare::{compare_arms, compare_pairs, CompareSettings, Pair};
use crate::analysis::continuous::{pool_continuous, ContinuousSettings};
use crate::analysis::generic::{pool_generic, GenericSettings};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::{
    hr_rows_from_medians, pool_hazard_ratios, HazardSettings, COMPARISON,
};
use crate::analysis::median_pfs::{pool_medians, MedianSettings};
use crate::analysis::proportion::{pool_proportions, ProportionSettings};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::batch;
use crate::cli::plots;
use crate::cli::{CliError, Output};
use crate::data::table::Table;
use crate::data::user_rows::{load_binary, load_continuous, load_generic};
use crate::data::{load_arms, load_hr, StudyYear, EMBEDDED_ARMS, EMBEDDED_HR};
use crate::data::{read_table, DataSource, FileKind};
use crate::model::Measure;
use serde::Serialize;

const ARMS_NAME: &str = "data/alk_nsclc_arms.csv (embedded)";

/// What a run does with its report once it exists: `pool` draws its plots and renders it;
/// `influence` and `cumulative` run their methods on the fitted models it keeps.
pub trait Finish {
    /// The output text of `report`; `rows` are the input rows (for years) and `regroup` reruns
    /// the same analysis with another grouping (for the overall result of a plot).
    ///
    /// # Errors
    /// A plot or method that cannot be run as asked, or a rendering failure.
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        run: &PoolRun,
        report: PoolReport<S>,
        rows: &[R],
        regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError>;
}

/// `pool`'s finish: the plots asked for, then the table, JSON or CSV.
struct DrawAndRender;

impl Finish for DrawAndRender {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        run: &PoolRun,
        report: PoolReport<S>,
        rows: &[R],
        regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        plots::draw(&run.plots, &report, rows, regroup)?;
        render(&report, run)
    }
}

/// Pools with `analyse` at the run's grouping and hands the report to `finish` (with
/// `analyse`, which a plot re-runs without groups where it needs the overall result).
fn pool_and_draw<S: StudyRow + Serialize, R: StudyYear, F: Finish>(
    run: &PoolRun,
    finish: &mut F,
    grouping: Grouping,
    rows: &[R],
    analyse: impl Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
) -> Result<String, CliError> {
    let report = analyse(grouping)?;
    finish.finish(run, report, rows, &analyse)
}

/// A user's file read as a table (no required columns: roles are resolved afterwards), or the
/// RevMan outcome read already.
fn user_table(run: &PoolRun, prepared: &mut Option<Table>) -> Result<Table, CliError> {
    if let Some(t) = prepared.take() {
        return Ok(t);
    }
    let (name, bytes) = run.data.read("", "")?;
    let kind = match &run.data {
        DataSource::File(path) => FileKind::from_path(path),
        _ => FileKind::Text,
    };
    Ok(read_table(&name, &bytes, kind, run.sheet.as_deref(), &[])?)
}

/// Runs a checked pool analysis: reads the data, pools, draws the plots asked for, and renders
/// the output (which the caller writes to `run.output`).
///
/// # Errors
/// Bad data, an impossible analysis, or a plot that cannot be drawn or written.
pub fn execute(run: PoolRun) -> Result<Output, CliError> {
    execute_with(run, &mut DrawAndRender)
}

/// Runs a checked pool analysis and hands its report to `finish`, whose text is the output.
///
/// # Errors
/// Bad data, an impossible analysis, or what `finish` fails with.
pub fn execute_with<F: Finish>(mut run: PoolRun, finish: &mut F) -> Result<Output, CliError> {
    let mut prepared = match run.rm5.clone() {
        Some(req) => Some(super::revman::prepare(&mut run, &req)?),
        None => None,
    };
    let source = &run.data;
    let text = match &run.analysis {
        &PoolAnalysis::Compare {
            measure,
            method,
            incr,
        } => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, ARMS_NAME)?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let s = CompareSettings {
                measure,
                method,
                fit: run.fit,
                incr,
                grouping: Grouping::None,
                keep_overlapping: run.keep_overlapping,
            };
            pool_and_draw(&run, finish, run.grouping(COMPARISON), &arms, |grouping| {
                compare_arms(
                    &arms,
                    &headers,
                    &name,
                    &CompareSettings {
                        grouping,
                        ..s.clone()
                    },
                )
            })?
        }
        PoolAnalysis::Binary {
            measure,
            method,
            incr,
            maps,
        } => {
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_binary(table, maps)?;
            let s = CompareSettings {
                measure: *measure,
                method: *method,
                fit: run.fit,
                incr: *incr,
                grouping: Grouping::None,
                keep_overlapping: run.keep_overlapping,
            };
            let pairs: Vec<Pair> = rows.iter().map(Pair::from).collect();
            pool_and_draw(&run, finish, run.grouping("none"), &rows, |grouping| {
                let s = CompareSettings {
                    grouping,
                    ..s.clone()
                };
                let measure = Measure::Binary(s.measure);
                compare_pairs(
                    pairs.clone(),
                    &headers,
                    &name,
                    &s,
                    measure,
                    "binary",
                    Vec::new(),
                )
            })?
        }
        PoolAnalysis::Continuous { measure, maps } => {
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_continuous(table, maps)?;
            pool_and_draw(&run, finish, run.grouping("none"), &rows, |grouping| {
                let s = ContinuousSettings {
                    measure: *measure,
                    fit: run.fit,
                    grouping,
                };
                pool_continuous(&rows, &headers, &name, &s)
            })?
        }
        PoolAnalysis::Generic { sm, ci_level, maps } => {
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_generic(table, maps)?;
            pool_and_draw(&run, finish, run.grouping("none"), &rows, |grouping| {
                let s = GenericSettings {
                    sm: *sm,
                    ci_level: *ci_level,
                    fit: run.fit,
                    grouping,
                };
                pool_generic(&rows, &headers, &name, &s)
            })?
        }
        &PoolAnalysis::Proportions {
            sm,
            ci_study,
            incr,
            stream,
        } => {
            let s = ProportionSettings {
                sm,
                fit: run.fit,
                ci_study,
                incr,
                grouping: run.grouping("drug"),
                keep_overlapping: run.keep_overlapping,
            };
            if let Some(mode) = stream {
                let embedded = (EMBEDDED_ARMS, ARMS_NAME);
                let output = run.output.as_deref();
                let streamed = batch::pool_csv(source, embedded, output, &s, mode)?;
                if streamed.is_some() {
                    // Written already, group by group.
                    return Ok(Output::none());
                }
            }
            let (name, bytes) = source.read(EMBEDDED_ARMS, ARMS_NAME)?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            pool_and_draw(&run, finish, s.grouping.clone(), &arms, |grouping| {
                pool_proportions(
                    &arms,
                    &headers,
                    &name,
                    &ProportionSettings {
                        grouping,
                        ..s.clone()
                    },
                )
            })?
        }
        &PoolAnalysis::Medians { method } => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, ARMS_NAME)?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            pool_and_draw(&run, finish, run.grouping("drug"), &arms, |grouping| {
                let s = MedianSettings {
                    method,
                    fit: run.fit,
                    grouping,
                    keep_overlapping: run.keep_overlapping,
                };
                pool_medians(&arms, &headers, &name, &s)
            })?
        }
        PoolAnalysis::HazardRatios {
            endpoint,
            from_medians,
        } => {
            let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
            let (mut rows, headers) = load_hr(&name, &bytes)?;
            let mut notes = Vec::new();
            if let Some(arms_source) = from_medians {
                let (arms_name, arm_bytes) = arms_source.read(EMBEDDED_ARMS, ARMS_NAME)?;
                let (arms, _) = load_arms(&arms_name, &arm_bytes)?;
                let (derived, n) = hr_rows_from_medians(&arms, &rows);
                rows.extend(derived);
                notes = n;
            }
            pool_and_draw(&run, finish, run.grouping(COMPARISON), &rows, |grouping| {
                let s = HazardSettings {
                    fit: run.fit,
                    endpoint: *endpoint,
                    grouping,
                    keep_overlapping: run.keep_overlapping,
                };
                let mut report = pool_hazard_ratios(&rows, &headers, &name, &s)?;
                report.warnings.splice(0..0, notes.iter().cloned());
                Ok(report)
            })?
        }
    };
    Ok(Output {
        text,
        path: run.output,
    })
}
