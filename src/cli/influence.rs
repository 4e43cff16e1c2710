//! `alkstats influence`: leave-one-out refits, influence diagnostics and the Baujat
//! coordinates of every group of a pooled analysis (the flags of `pool` choose the data,
//! outcome and model), as a table, JSON or CSV; with `--plot` the leave-one-out forest, with
//! `--baujat` the Baujat plot and with `--influence-plot` the panels of the diagnostics.

use super::pool::{execute_with, Finish, PoolArgs, PoolRun};
use super::sensitivity::{finish, plot_path, Sensitivity, SensitivityArgs};
use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::sensitivity::{influence_report, InfluenceAnalysis, InfluenceReport};
use crate::analysis::AnalysisError;
use crate::data::StudyYear;
use crate::output::sensitivity::{influence_csv_text, influence_table_text};
use crate::plot::forest::refits_forest;
use crate::plot::{baujat, forest, influence};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `alkstats influence`.
#[derive(Debug, Args)]
pub struct InfluenceArgs {
    /// The analysis (as `alkstats pool`).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// The model, group and leave-one-out forest plot.
    #[command(flatten)]
    pub sensitivity: SensitivityArgs,
    /// Also draw the Baujat plot (heterogeneity contribution against influence) of one
    /// analysis to this file (.png or .svg); with subgroups, choose one with --group.
    #[arg(long, value_name = "PATH")]
    pub baujat: Option<PathBuf>,
    /// Also draw the panels of the influence diagnostics (as metafor's
    /// plot(influence(res))) of one analysis to this file (.png or .svg).
    #[arg(long = "influence-plot", value_name = "PATH")]
    pub influence_plot: Option<PathBuf>,
}

/// A checked `influence` run.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluenceRun {
    /// The pooled analysis, model, group and forest plot.
    pub sensitivity: Sensitivity,
    /// Where to draw the Baujat plot.
    pub baujat: Option<PathBuf>,
    /// Where to draw the influence panels.
    pub influence_plot: Option<PathBuf>,
}

impl InfluenceRun {
    /// Checks the flags and types them.
    ///
    /// # Errors
    /// Flags of `pool` that do not apply, a bad plot path or page.
    pub fn from_args(args: InfluenceArgs) -> Result<Self, CliError> {
        let sensitivity = Sensitivity::from_args(args.pool, args.sensitivity, "influence")?;
        let data = &sensitivity.pool.data;
        Ok(InfluenceRun {
            baujat: plot_path(args.baujat, data)?,
            influence_plot: plot_path(args.influence_plot, data)?,
            sensitivity,
        })
    }

    /// Draws the plots asked for.
    fn draw(&self, r: &InfluenceReport) -> Result<(), CliError> {
        let s = &self.sensitivity;
        let mut plots = Vec::new();
        if let Some(path) = &s.plot {
            plots.push(s.scene(path, refits_forest(r, None), forest::layout)?);
        }
        if let Some(path) = &self.baujat {
            let a = single(&r.analyses, "--baujat")?;
            let data = baujat::baujat_data(a, r.labels().what, s.model, None);
            plots.push(s.scene(path, data, baujat::layout)?);
        }
        if let Some(path) = &self.influence_plot {
            let a = single(&r.analyses, "--influence-plot")?;
            let data = influence::influence_data(a, r.labels().what, None);
            plots.push(s.scene(path, data, influence::layout)?);
        }
        s.write(plots)
    }
}

/// The one analysis a plot of one analysis (Baujat, influence panels) draws.
///
/// # Errors
/// [`CliError::Usage`] when there are several and no `--group` chose one.
fn single<'a>(
    analyses: &'a [InfluenceAnalysis],
    flag: &str,
) -> Result<&'a InfluenceAnalysis, CliError> {
    match analyses {
        [one] => Ok(one),
        _ => {
            let names: Vec<&str> = analyses.iter().filter_map(|a| a.group.as_deref()).collect();
            Err(CliError::Usage(format!(
                "{flag} draws one analysis: choose a subgroup with --group NAME (one of: {}) or \
                 pool everything with --by none",
                names.join(", ")
            )))
        }
    }
}

impl Finish for &InfluenceRun {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        _run: &PoolRun,
        report: PoolReport<S>,
        _rows: &[R],
        _regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        let model = self.sensitivity.model;
        // Leave-one-out and influence each refit every study once.
        finish(
            report,
            &self.sensitivity,
            2,
            |pooled, bar| {
                let r = influence_report(pooled, model, bar);
                self.draw(&r)?;
                Ok(r)
            },
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
    execute_with(run.sensitivity.pool.clone(), &mut &run)
}
