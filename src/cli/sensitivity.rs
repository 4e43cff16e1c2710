//! What `alkstats influence` and `alkstats cumulative` share: the flags of `pool` (refusing
//! those that do not apply), the pooled model and subgroup they follow, the progress bar of
//! long runs, and the choice of renderer.

use super::plots::{check_path, checked_page, plot_error, write_scene, PageArgs};
use super::pool::{PoolArgs, PoolRun};
use super::CliError;
use crate::analysis::report::PoolReport;
use crate::analysis::sensitivity::select_group;
use crate::data::DataSource;
use crate::methods::{PooledModel, Progress};
use crate::plot::scene::Scene;
use crate::plot::{Page, PlotError};
use crate::settings::OutputFormat;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Flags both subcommands add to those of `pool`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Pooled model followed: random (random effects, with --method-tau and --random-ci) or
    /// common (the common effect of --method: IV, MH or Peto).
    #[arg(long, default_value = "random")]
    pub model: PooledModel,
    /// Only this subgroup of --by (default: every group).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Also draw the forest plot of the refits (leave-one-out or cumulative) to this file
    /// (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
    /// Page size and resolution of the plots.
    #[command(flatten)]
    pub page: PageArgs,
}

/// The checked pool run and flags both subcommands share.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The pooled analysis.
    pub pool: PoolRun,
    /// The pooled model followed.
    pub model: PooledModel,
    /// The one subgroup to analyse, if any.
    pub group: Option<String>,
    /// Where to draw the forest plot of the refits.
    pub plot: Option<PathBuf>,
    /// Page of the plots (validated).
    pub page: Page,
}

impl Sensitivity {
    /// Checks `pool`'s flags (refusing those that only `pool` has) and the shared ones of
    /// `command`.
    ///
    /// # Errors
    /// `--forest`, `--studies` or `--stream` given, pool's own checks, a bad plot path or page.
    pub fn from_args(
        mut pool: PoolArgs,
        args: SensitivityArgs,
        command: &str,
    ) -> Result<Self, CliError> {
        let refused = [
            (
                pool.forest.is_some(),
                "--forest",
                "draw its plot with --plot PATH",
            ),
            (
                pool.studies,
                "--studies",
                "its rows are the studies already",
            ),
            (pool.stream, "--stream", "it needs every group in memory"),
        ];
        if let Some((_, flag, why)) = refused.iter().find(|(given, _, _)| *given) {
            return Err(CliError::Usage(format!(
                "{flag} does not apply to alkstats {command}: {why}"
            )));
        }
        // The batch engine writes pool's own rows; these commands need the fitted models.
        pool.no_stream = true;
        let pool = PoolRun::from_args(pool, Default::default())?;
        pool.refuse_pool_rows("sensitivity commands")?;
        Ok(Sensitivity {
            plot: plot_path(args.plot, &pool.data)?,
            pool,
            model: args.model,
            group: args.group,
            page: checked_page(&args.page)?,
        })
    }

    /// Lays out a plot with `layout` for `path`; [`Sensitivity::write`] writes it.
    ///
    /// # Errors
    /// A plot that cannot be drawn as asked (exit 2).
    pub fn scene<D>(
        &self,
        path: &Path,
        data: Result<D, PlotError>,
        layout: impl Fn(&D, &Page) -> Result<Scene, PlotError>,
    ) -> Result<(PathBuf, Scene), CliError> {
        let scene = data
            .and_then(|d| layout(&d, &self.page))
            .map_err(plot_error)?;
        Ok((path.to_path_buf(), scene))
    }

    /// Writes the plots once every one of them could be laid out, so that a plot that cannot
    /// be drawn leaves no other written.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn write(&self, plots: Vec<(PathBuf, Scene)>) -> Result<(), CliError> {
        for (path, scene) in plots {
            write_scene(&scene, &path, self.page.dpi)?;
        }
        Ok(())
    }
}

/// A plot path, checked: a supported extension and not the input file.
///
/// # Errors
/// [`CliError::Usage`] otherwise.
pub fn plot_path(path: Option<PathBuf>, data: &DataSource) -> Result<Option<PathBuf>, CliError> {
    if let Some(p) = &path {
        check_path(p, data)?;
    }
    Ok(path)
}

/// The table and CSV renderers of a report.
pub type Renderers<T> = (fn(&T) -> String, fn(&T) -> Result<String, csv::Error>);

/// The end of both subcommands: `method` runs on the pooled report (restricted to `--group`)
/// with a progress bar over `refits_per_study` refits per study, and its result is rendered in
/// `format`.
///
/// # Errors
/// An unknown `--group`, what `method` fails with, or a serialisation failure (a bug).
pub fn finish<S, T: Serialize>(
    report: PoolReport<S>,
    s: &Sensitivity,
    refits_per_study: usize,
    method: impl FnOnce(&PoolReport<S>, &Bar) -> Result<T, CliError>,
    (table, csv): Renderers<T>,
) -> Result<String, CliError> {
    let pooled = match &s.group {
        Some(g) => select_group(report, g)?,
        None => report,
    };
    let bar = Bar::new(refits_per_study * pooled.analyses.iter().map(|a| a.k).sum::<usize>());
    let result = method(&pooled, &bar)?;
    drop(bar);
    match s.pool.format {
        OutputFormat::Table => Ok(table(&result)),
        OutputFormat::Json => {
            crate::output::json::render(&result).map_err(|e| CliError::Internal(e.into()))
        }
        OutputFormat::Csv => csv(&result).map_err(|e| CliError::Internal(e.into())),
        OutputFormat::Jsonl => Err(CliError::jsonl_is_for_pool("sensitivity commands")),
    }
}

/// From this many refits on, a terminal shows a progress bar.
const BAR_FROM: usize = 2_000;

/// A progress bar over a known number of refits, drawn on standard error when it is a
/// terminal and the run is long; removed when dropped.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar for `total` refits.
    pub fn new(total: usize) -> Self {
        Bar::counting(total, BAR_FROM, "refits")
    }

    /// A bar for `total` steps of what `unit` names, from `from` steps on.
    pub fn counting(total: usize, from: usize, unit: &str) -> Self {
        if total < from || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let template = format!("{{wide_bar}} {{pos}}/{{len}} {unit} ({{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }
}

impl Progress for Bar {
    fn tick(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}
