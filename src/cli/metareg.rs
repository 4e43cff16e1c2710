//! `alkstats metareg`: meta-regression of a pooled outcome's studies on moderators (metafor
//! `rma(yi, vi, mods = ~ …)`). The analysis is `pool`'s, with its selection and model flags
//! ([`PoolArgs`]) and every study in one analysis (the moderators take the place of `--by`
//! groups); the method runs on its fitted model ([`crate::methods::metareg`]). Options: a
//! permutation test (`--permutations`), a bubble plot (`--bubble`), per-study fitted values
//! (`--studies`).

use super::plots::{check_path, checked_page, plot_error, write_scene, PageArgs};
use super::pool::{execute_with, Finish, PoolArgs, PoolRun};
use super::sensitivity::Bar;
use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::metareg::{metareg_report, MetaRegReport};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::sensitivity::select_group;
use crate::analysis::AnalysisError;
use crate::data::StudyYear;
use crate::methods::metareg::permutation::permutation_test;
use crate::methods::metareg::{MetaRegFit, MetaRegSettings};
use crate::methods::PooledModel;
use crate::output;
use crate::plot::bubble::{regression_bubble, BubbleError, BubbleOptions};
use crate::plot::{bubble, Page};
use crate::settings::OutputFormat;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `alkstats metareg`.
#[derive(Debug, Args)]
pub struct MetaregArgs {
    /// The analysis (as `alkstats pool`); every study is in one analysis.
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Moderator columns, comma-separated or repeated: a column of numbers is continuous, any
    /// other becomes treatment contrasts against its first level in sorted order.
    #[arg(
        long = "mods",
        value_name = "COLUMN",
        value_delimiter = ',',
        required = true
    )]
    pub mods: Vec<String>,
    /// Reference level of a categorical moderator (repeatable); makes a column of numbers
    /// categorical.
    #[arg(long = "ref", value_name = "COLUMN=LEVEL")]
    pub refs: Vec<String>,
    /// Regress only the studies of this subgroup of --by (e.g. --by drug --group crizotinib).
    #[arg(long, value_name = "NAME", requires = "by")]
    pub group: Option<String>,
    /// random (mixed-effects, τ² by --method-tau) or common (fixed-effects meta-regression).
    #[arg(long, default_value = "random")]
    pub model: PooledModel,
    /// Permutation test with N permutations, the observed order counted (metafor permutest).
    #[arg(long, value_name = "N")]
    pub permutations: Option<usize>,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Draw the bubble plot (metafor regplot) to this file (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub bubble: Option<PathBuf>,
    /// The continuous moderator on the bubble plot's x axis (default: the first); the others
    /// are held at their means.
    #[arg(long = "bubble-x", value_name = "COLUMN")]
    pub bubble_x: Option<String>,
    /// Add the prediction band to the bubble plot.
    #[arg(long)]
    pub pi: bool,
    /// Bubble plot y axis back-transformed (proportions, ratios) instead of the analysis scale.
    #[arg(long = "bubble-back")]
    pub bubble_back: bool,
    /// Page size and resolution of the plot.
    #[command(flatten)]
    pub page: PageArgs,
}

/// The bubble plot asked for.
#[derive(Debug, Clone, PartialEq)]
struct BubblePlot {
    path: PathBuf,
    options: BubbleOptions,
    page: Page,
}

/// A checked `metareg` run.
#[derive(Debug, Clone, PartialEq)]
struct MetaregRun {
    pool: PoolRun,
    group: Option<String>,
    settings: MetaRegSettings,
    permutations: Option<(usize, u64)>,
    bubble: Option<BubblePlot>,
}

/// `COLUMN=LEVEL` pairs.
fn references(values: &[String]) -> Result<Vec<(String, String)>, CliError> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((c, l)) if !c.trim().is_empty() && !l.trim().is_empty() => {
                Ok((c.trim().to_string(), l.trim().to_string()))
            }
            _ => Err(CliError::Usage(format!(
                "--ref {v}: expected COLUMN=LEVEL, e.g. --ref setting=first-line"
            ))),
        })
        .collect()
}

impl MetaregRun {
    fn from_args(args: MetaregArgs) -> Result<Self, CliError> {
        let mut pool = args.pool;
        let refused = [
            (pool.forest.is_some(), "--forest", "draw --bubble PATH"),
            (pool.stream, "--stream", "it needs the studies in memory"),
            (
                args.group.is_none()
                    && pool
                        .by
                        .as_deref()
                        .is_some_and(|b| !b.eq_ignore_ascii_case("none")),
                "--by",
                "the moderators take the place of groups (try --mods COLUMN, or --group NAME \
                 to regress one subgroup's studies)",
            ),
        ];
        if let Some((_, flag, why)) = refused.iter().find(|(given, _, _)| *given) {
            return Err(CliError::Usage(format!(
                "{flag} does not apply to alkstats metareg: {why}"
            )));
        }
        if args.permutations.is_some_and(|n| n < 2) {
            return Err(CliError::Usage(
                "--permutations N: expected at least 2 (the observed order is the first)".into(),
            ));
        }
        if args.bubble.is_none() && (args.pi || args.bubble_back || args.bubble_x.is_some()) {
            return Err(CliError::Usage(
                "--pi, --bubble-back and --bubble-x shape the bubble plot: add --bubble PATH"
                    .into(),
            ));
        }
        let studies = std::mem::take(&mut pool.studies);
        if args.group.is_none() {
            pool.by = Some("none".into());
        }
        pool.no_stream = true;
        let pool = PoolRun::from_args(pool, Default::default())?;
        pool.refuse_pool_rows("metareg")?;
        let bubble = match args.bubble {
            Some(path) => {
                check_path(&path, &pool.data)?;
                Some(BubblePlot {
                    path,
                    options: BubbleOptions {
                        x: args.bubble_x,
                        pi: args.pi,
                        back: args.bubble_back,
                    },
                    page: checked_page(&args.page)?,
                })
            }
            None => None,
        };
        Ok(MetaregRun {
            pool,
            group: args.group,
            settings: MetaRegSettings {
                moderators: args.mods.iter().map(|m| m.trim().to_string()).collect(),
                references: references(&args.refs)?,
                model: args.model,
                studies,
            },
            permutations: args.permutations.map(|n| (n, args.seed)),
            bubble,
        })
    }

    /// Draws the bubble plot of `fit`.
    fn draw(
        &self,
        fit: &MetaRegFit,
        report: &MetaRegReport,
        model_back: &dyn Fn(f64) -> Option<f64>,
    ) -> Result<(), CliError> {
        let Some(b) = &self.bubble else {
            return Ok(());
        };
        let data =
            regression_bubble(fit, report.measure, &b.options, model_back).map_err(
                |e| match e {
                    BubbleError::Plot(p) => plot_error(p),
                    BubbleError::Moderator(m) => CliError::Usage(m.to_string()),
                },
            )?;
        let scene = bubble::layout(&data, &b.page).map_err(plot_error)?;
        write_scene(&scene, &b.path, b.page.dpi)
    }
}

impl Finish for &MetaregRun {
    fn finish<S: StudyRow + Serialize, R: StudyYear>(
        &mut self,
        run: &PoolRun,
        pooled: PoolReport<S>,
        _rows: &[R],
        _regroup: &dyn Fn(Grouping) -> Result<PoolReport<S>, AnalysisError>,
    ) -> Result<String, CliError> {
        let pooled = match &self.group {
            Some(g) => select_group(pooled, g)?,
            None => pooled,
        };
        let (mut report, mut fit) = metareg_report(&pooled, &self.settings)?;
        if let Some((n, seed)) = self.permutations {
            let bar = Bar::new(n - 1);
            permutation_test(&mut fit, n, seed, &bar);
            drop(bar);
            report.regression = fit.result.clone();
        }
        let model = pooled.analyses[0].model.as_deref();
        let back = |y: f64| model.and_then(|m| m.back(y));
        self.draw(&fit, &report, &back)?;
        Ok(match run.format {
            OutputFormat::Table => output::metareg::render_table(&report),
            OutputFormat::Json => {
                output::json::render(&report).map_err(|e| CliError::Internal(e.into()))?
            }
            OutputFormat::Csv => {
                output::metareg::render_csv(&report).map_err(|e| CliError::Internal(e.into()))?
            }
            OutputFormat::Jsonl => return Err(CliError::jsonl_is_for_pool("metareg")),
        })
    }
}

/// Runs `alkstats metareg`.
///
/// # Errors
/// Bad flags or data, a moderator that cannot be used, an impossible model, or a failure to
/// write.
pub fn run(args: MetaregArgs) -> Result<Output, CliError> {
    let run = MetaregRun::from_args(args)?;
    execute_with(run.pool.clone(), &mut &run)
}
