//! `alkstats cumulative`: cumulative meta-analysis of every group of a pooled analysis (the
//! flags of `pool` choose the data, outcome and model), studies added in file order or by a
//! column, as a table, JSON or CSV.

use super::pool::{execute_with, Finish, PoolArgs, PoolRun};
use super::sensitivity::{finish, pool_run, Sensitivity, SensitivityArgs};
use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::sensitivity::cumulative_report;
use crate::analysis::AnalysisError;
use crate::data::StudyYear;
use crate::methods::cumulative::CumulativeOrder;
use crate::output::sensitivity::{cumulative_csv_text, cumulative_table_text};
use clap::Args;
use serde::Serialize;

/// Flags of `alkstats cumulative`.
#[derive(Debug, Args)]
pub struct CumulativeArgs {
    /// The analysis (as `alkstats pool`).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// The model, group and plots.
    #[command(flatten)]
    pub sensitivity: SensitivityArgs,
    /// Add the studies in the order of this column (e.g. year); default: file order. Ties
    /// keep their file order; a column of numbers sorts numerically.
    #[arg(long, value_name = "COLUMN")]
    pub order: Option<String>,
    /// Add the studies from the largest --order value down (or in reverse file order).
    #[arg(long)]
    pub decreasing: bool,
}

/// A checked `cumulative` run.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeRun {
    /// The pooled analysis.
    pub pool: PoolRun,
    /// The model, group and page.
    pub sensitivity: Sensitivity,
    /// The order the studies are added in.
    pub order: CumulativeOrder,
}

impl CumulativeRun {
    /// Checks the flags and types them.
    ///
    /// # Errors
    /// Flags of `pool` that do not apply, or a bad page.
    pub fn from_args(args: CumulativeArgs) -> Result<Self, CliError> {
        Ok(CumulativeRun {
            pool: pool_run(args.pool, "cumulative")?,
            sensitivity: Sensitivity::from_args(args.sensitivity)?,
            order: CumulativeOrder {
                column: args.order,
                decreasing: args.decreasing,
            },
        })
    }
}

impl Finish for &CumulativeRun {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        run: &PoolRun,
        report: PoolReport<S>,
        _rows: &[R],
        _regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        let (model, order) = (self.sensitivity.model, &self.order);
        finish(
            report,
            &self.sensitivity,
            run.format,
            1,
            |pooled, bar| {
                cumulative_report(pooled, model, order, bar)
                    .map_err(|e| CliError::Usage(e.to_string()))
            },
            (cumulative_table_text, cumulative_csv_text),
        )
    }
}

/// Runs `alkstats cumulative`.
///
/// # Errors
/// Bad flags or data, an unknown `--order` column, an impossible analysis, or a failure to
/// write.
pub fn run(args: CumulativeArgs) -> Result<Output, CliError> {
    let run = CumulativeRun::from_args(args)?;
    execute_with(run.pool.clone(), &mut &run)
}
