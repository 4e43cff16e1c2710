//! Running a checked `pool` run: read the data, pool it, draw the plots asked for, render.

use super::{render, stream, PoolAnalysis, PoolRun};
use crate::analysis::compare::{compare_arms, pool_binary, CompareSettings};
use crate::analysis::continuous::{pool_continuous, ContinuousSettings};
use crate::analysis::generic::{pool_generic, GenericSettings};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::{
    hr_rows_from_medians, pool_hazard_ratios, HazardSettings, COMPARISON,
};
use crate::analysis::median_pfs::{pool_medians, MedianSettings};
use crate::analysis::metareg::add_common_tau2_test;
use crate::analysis::proportion::{pool_proportions_with_progress, ProportionSettings};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::stored_results::compare_stored;
use crate::analysis::AnalysisError;
use crate::cli::plots;
use crate::cli::sensitivity::Bar;
use crate::cli::{CliError, Output};
use crate::data::arms::{load_user_arms, UserNeeds};
use crate::data::continuous_rows::load_continuous;
use crate::data::hr::load_user_hr;
use crate::data::table::Table;
use crate::data::user_rows::{load_binary, load_generic};
use crate::data::{load_arms, load_hr, Arm, StudyYear, EMBEDDED_ARMS, EMBEDDED_HR};
use crate::data::{read_table, DataSource};
use serde::Serialize;

const ARMS_NAME: &str = "data/alk_nsclc_arms.csv (embedded)";

/// From this many studies on, in-memory GLMMs show a progress bar on a terminal (≈ 10⁴ studies
/// take ≈ 40 ms; 10⁵, 10⁴ meta-analyses of 10, a visible fraction of a second).
const GLMM_BAR_FROM: usize = 20_000;

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
        let mut report = report;
        if run.common_tau2 {
            if report.subgroup_test.is_none() {
                return Err(CliError::Usage(
                    "--common-tau2 tests subgroup differences: it needs --by COLUMN with at \
                     least two subgroups"
                        .into(),
                ));
            }
            let ungrouped = regroup(Grouping::None)?;
            add_common_tau2_test(&mut report, &ungrouped)?;
        }
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
    let mut report = analyse(grouping)?;
    report.shipped_data = run.data == DataSource::Embedded;
    if run.overall {
        report.show_overall();
    }
    if let Some(stored) = &run.stored {
        report.stored_results = compare_stored(&stored.outcome, &report, stored.same);
        if let Some(c) = report
            .stored_results
            .as_ref()
            .filter(|c| c.first_difference.is_some())
        {
            report.warnings.push(c.summary());
        }
    }
    finish.finish(run, report, rows, &analyse)
}

/// A user's file read as a table (no required columns: roles are resolved afterwards), or the
/// RevMan outcome read already.
fn user_table(run: &PoolRun, prepared: &mut Option<Table>) -> Result<Table, CliError> {
    if let Some(t) = prepared.take() {
        return Ok(t);
    }
    let (name, bytes) = run.data.read("", "")?;
    Ok(read_table(
        &name,
        &bytes,
        run.data.kind(),
        run.sheet.as_deref(),
        &[],
    )?)
}

/// The arms to analyse, and the grouping: the shipped file under its schema, or a user's file
/// (CSV, TSV, spreadsheet, standard input) read by role, needing what `needs` says. Without
/// `--by`, single-arm outcomes (`by_drug`) are grouped by drug when the file has a drug column
/// (which every row must then fill), comparisons by `default`.
fn arms(
    run: &PoolRun,
    source: &DataSource,
    needs: UserNeeds<'_>,
    default: &str,
) -> Result<(String, Vec<Arm>, Vec<String>, Grouping), CliError> {
    if *source == DataSource::Embedded {
        let (name, bytes) = source.read(EMBEDDED_ARMS, ARMS_NAME)?;
        let (arms, headers) = load_arms(&name, &bytes)?;
        return Ok((name, arms, headers, run.grouping(default)));
    }
    let (name, bytes) = source.read("", "")?;
    let table = read_table(&name, &bytes, source.kind(), run.sheet.as_deref(), &[])?;
    let has_drug = table.column("drug").is_some();
    let grouping = match default {
        "drug" if !has_drug => run.grouping("none"),
        _ => run.grouping(default),
    };
    let by_drug = matches!(&grouping, Grouping::Column(c) if c.eq_ignore_ascii_case("drug"));
    let needs = UserNeeds {
        filled: if by_drug && has_drug {
            &["drug"]
        } else {
            needs.filled
        },
        ..needs
    };
    let (arms, headers) = load_user_arms(table, &run.maps, needs)?;
    Ok((name, arms, headers, grouping))
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
        PoolAnalysis::Compare {
            measure,
            method,
            incr,
            comparator,
        } => {
            let needs = UserNeeds {
                events: true,
                columns: &["drug", "trial"],
                filled: &[],
            };
            let (name, arms, headers, grouping) = arms(&run, source, needs, COMPARISON)?;
            let s = CompareSettings {
                measure: *measure,
                method: *method,
                fit: run.fit,
                incr: *incr,
                grouping: Grouping::None,
                keep_overlapping: run.keep_overlapping,
                comparator: comparator.clone(),
                glmm: None,
            };
            pool_and_draw(&run, finish, grouping, &arms, |grouping| {
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
            glmm,
        } => {
            let s = CompareSettings {
                measure: *measure,
                method: *method,
                fit: run.fit,
                incr: *incr,
                grouping: Grouping::None,
                keep_overlapping: run.keep_overlapping,
                comparator: None,
                glmm: *glmm,
            };
            let by = run.grouping("none");
            if stream::binary(&run, &s, &by)? {
                return Ok(Output::none());
            }
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_binary(table, &run.maps)?;
            pool_and_draw(&run, finish, by, &rows, |grouping| {
                let s = CompareSettings {
                    grouping,
                    ..s.clone()
                };
                pool_binary(&rows, &headers, &name, &s)
            })?
        }
        &PoolAnalysis::Continuous { measure, sd_method } => {
            let by = run.grouping("none");
            if stream::continuous(&run, measure, sd_method, &by)? {
                return Ok(Output::none());
            }
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_continuous(table, &run.maps, sd_method)?;
            pool_and_draw(&run, finish, by, &rows, |grouping| {
                let s = ContinuousSettings {
                    measure,
                    fit: run.fit,
                    grouping,
                };
                pool_continuous(&rows, &headers, &name, &s)
            })?
        }
        PoolAnalysis::Generic { sm, ci_level } => {
            let by = run.grouping("none");
            if stream::generic(&run, *sm, *ci_level, &by)? {
                return Ok(Output::none());
            }
            let table = user_table(&run, &mut prepared)?;
            let (name, headers) = (table.file.clone(), table.headers.clone());
            let rows = load_generic(table, &run.maps)?;
            pool_and_draw(&run, finish, by, &rows, |grouping| {
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
            glmm,
        } => {
            let s = ProportionSettings {
                sm,
                fit: run.fit,
                ci_study,
                incr,
                grouping: run.grouping("drug"),
                keep_overlapping: run.keep_overlapping,
                glmm,
            };
            if stream::proportions(&run, &s)? {
                // Written already, group by group.
                return Ok(Output::none());
            }
            let needs = UserNeeds {
                events: true,
                ..UserNeeds::default()
            };
            let (name, arms, headers, grouping) = arms(&run, source, needs, "drug")?;
            // GLMMs take ~4 µs per study: a bar on a terminal once a run holds enough of them.
            let in_glmms = if glmm { arms.len() } else { 0 };
            let bar = Bar::counting(in_glmms, GLMM_BAR_FROM, "studies in GLMMs");
            pool_and_draw(&run, finish, grouping, &arms, |grouping| {
                pool_proportions_with_progress(
                    &arms,
                    &headers,
                    &name,
                    &ProportionSettings {
                        grouping,
                        ..s.clone()
                    },
                    &bar,
                )
            })?
        }
        &PoolAnalysis::Medians { method } => {
            let (name, arms, headers, grouping) = arms(&run, source, UserNeeds::default(), "drug")?;
            pool_and_draw(&run, finish, grouping, &arms, |grouping| {
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
            let by = run.grouping(COMPARISON);
            if from_medians.is_none() && stream::hazard_ratios(&run, *endpoint, &by)? {
                return Ok(Output::none());
            }
            let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
            let (mut rows, headers, mut notes) = if *source == DataSource::Embedded {
                let (rows, headers) = load_hr(&name, &bytes)?;
                (rows, headers, Vec::new())
            } else {
                let sheet = run.sheet.as_deref();
                let table = read_table(&name, &bytes, source.kind(), sheet, &[])?;
                let user = load_user_hr(table, &run.maps, *endpoint)?;
                (user.rows, user.headers, user.assumed)
            };
            if let Some(arms_source) = from_medians {
                let (arms_name, arms, ..) = arms(&run, arms_source, UserNeeds::default(), "none")?;
                let (derived, n) = hr_rows_from_medians(&arms, &rows, &arms_name)?;
                rows.extend(derived);
                notes.extend(n);
            }
            pool_and_draw(&run, finish, by, &rows, |grouping| {
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
