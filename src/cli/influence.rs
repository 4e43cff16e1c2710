//! `alkstats influence`: leave-one-out refits, influence diagnostics and the Baujat
//! coordinates of every group of a pooled analysis (the flags of `pool` choose the data,
//! outcome and model), as a table, JSON or CSV.

use super::pool::{execute_with, Finish, PoolArgs, PoolRun};
use super::sensitivity::{finish, pool_run, Sensitivity, SensitivityArgs};
use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::sensitivity::influence_report;
use crate::analysis::AnalysisError;
use crate::data::StudyYear;
use crate::output::sensitivity::{influence_csv_text, influence_table_text};
use clap::Args;
use serde::Serialize;

/// Flags of `alkstats influence`.
#[derive(Debug, Args)]
pub struct InfluenceArgs {
    /// The analysis (as `alkstats pool`).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// The model, group and plots.
    #[command(flatten)]
    pub sensitivity: SensitivityArgs,
}

/// A checked `influence` run.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluenceRun {
    /// The pooled analysis.
    pub pool: PoolRun,
    /// The model, group and page.
    pub sensitivity: Sensitivity,
}

impl InfluenceRun {
    /// Checks the flags and types them.
    ///
    /// # Errors
    /// Flags of `pool` that do not apply, or a bad page.
    pub fn from_args(args: InfluenceArgs) -> Result<Self, CliError> {
        Ok(InfluenceRun {
            pool: pool_run(args.pool, "influence")?,
            sensitivity: Sensitivity::from_args(args.sensitivity)?,
        })
    }
}

impl Finish for &InfluenceRun {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        run: &PoolRun,
        report: PoolReport<S>,
        _rows: &[R],
        _regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        let model = self.sensitivity.model;
        // Leave-one-out and influence each refit every study once.
        finish(
            report,
            &self.sensitivity,
            run.format,
            2,
            |pooled, bar| Ok(influence_report(pooled, model, bar)),
            (influence_table_text, influence_csv_text),
        )
    }
}

/// Runs `alkstats influence`.
///
/// # Errors
/// Bad flags or data, an impossible analysis, or a failure to write.
pub fn run(args: InfluenceArgs) -> Result<Output, CliError> {
    let run = InfluenceRun::from_args(args)?;
    execute_with(run.pool.clone(), &mut &run)
}
