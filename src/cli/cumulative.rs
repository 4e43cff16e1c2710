//! `alkstats cumulative`: cumulative meta-analysis of every group of a pooled analysis (the
//! flags of `pool` choose the data, outcome and model), studies added in file order or by a
//! column, as a table, JSON or CSV; with `--plot` the cumulative forest.

use super::pool::{execute_with, Finish, PoolArgs, PoolRun};
use super::sensitivity::{finish, Sensitivity, SensitivityArgs};
use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::sensitivity::cumulative_report;
use crate::analysis::AnalysisError;
use crate::data::StudyYear;
use crate::methods::cumulative::CumulativeOrder;
use crate::output::sensitivity::{cumulative_csv_text, cumulative_table_text};
use crate::plot::forest::{self, refits_forest};
use clap::Args;
use serde::Serialize;

/// Flags of `alkstats cumulative`.
#[derive(Debug, Args)]
pub struct CumulativeArgs {
    /// The analysis (as `alkstats pool`).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// The model, group and cumulative forest plot.
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
    /// The pooled analysis, model, group and forest plot.
    pub sensitivity: Sensitivity,
    /// The order the studies are added in.
    pub order: CumulativeOrder,
}

impl Finish for &CumulativeRun {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        _run: &PoolRun,
        report: PoolReport<S>,
        _rows: &[R],
        _regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        let s = &self.sensitivity;
        finish(
            report,
            s,
            1,
            |pooled, bar| {
                let r = cumulative_report(pooled, s.model, &self.order, bar)
                    .map_err(AnalysisError::from)?;
                if let Some(path) = &s.plot {
                    let plot = s.scene(path, refits_forest(&r, None), forest::layout)?;
                    s.write(vec![plot])?;
                }
                Ok(r)
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
    let run = CumulativeRun {
        sensitivity: Sensitivity::from_args(args.pool, args.sensitivity, "cumulative")?,
        order: CumulativeOrder {
            column: args.order,
            decreasing: args.decreasing,
        },
    };
    execute_with(run.sensitivity.pool.clone(), &mut &run)
}
