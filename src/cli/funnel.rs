//! `alkstats funnel`: the funnel plot of a pooled analysis (effect against standard error on
//! the analysis scale), plain or contour-enhanced; the image goes to `--output PATH`.
//!
//! Without `--group`, all studies are pooled together (as `--by none`); with `--group NAME`,
//! the plot shows that subgroup of `--by` (default: drug for orr, comparison for hr).

use super::plots::{check_path, checked_page, FunnelPlot, PageArgs, PlotSettings};
use super::pool::{PoolArgs, PoolRun};
use super::{CliError, Output};
use crate::data::DataSource;
use crate::plot::forest::Models;
use clap::Args;

/// Flags of `alkstats funnel`.
#[derive(Debug, Args)]
pub struct FunnelArgs {
    /// The analysis (as `alkstats pool`); `--output PATH` names the image (.png or .svg).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Draw one subgroup of --by instead of all studies pooled together.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Contour-enhanced: shade where a study would be significant at p < 0.01, 0.05, 0.10
    /// against the --refline value.
    #[arg(long)]
    pub contour: bool,
    /// Reference value of the contours on the analysis scale (0: a hazard ratio of 1, or a
    /// logit of 0 = a proportion of ½).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub refline: f64,
    /// Pooled line: random (random-effects estimate) or common.
    #[arg(long, default_value = "random")]
    pub model: Models,
    /// Trim-and-fill (Duval & Tweedie 2000, as metafor: L0, side estimated): the filled
    /// studies as open circles, the pooled line at the estimate of the filled data, the
    /// observed studies' estimate as a grey line. `alkstats bias` reports the numbers.
    #[arg(long)]
    pub trimfill: bool,
    /// Title; default: derived from the outcome.
    #[arg(long)]
    pub title: Option<String>,
    /// Page size and resolution.
    #[command(flatten)]
    pub page: PageArgs,
}

/// Checks the flags and types them: the pool analysis, with the funnel plot as its only output.
fn settings(args: FunnelArgs) -> Result<PoolRun, CliError> {
    super::pool::refuse_table_flags(&args.pool, "funnel")?;
    let mut pool = args.pool;
    let path = pool.output.take().ok_or_else(|| {
        CliError::Usage("alkstats funnel needs --output PATH ending in .png or .svg".into())
    })?;
    let data = DataSource::from_arg(pool.data.as_deref());
    check_path(&path, &data)?;
    if !args.refline.is_finite() {
        return Err(CliError::Usage(format!(
            "--refline {}: expected a finite number",
            args.refline
        )));
    }
    if args.trimfill && args.model == Models::Common {
        return Err(CliError::Usage(
            "--trimfill draws the random-effects trim-and-fill estimate; leave out --model common"
                .into(),
        ));
    }
    let plot = FunnelPlot {
        trimfill: args.trimfill,
        path,
        models: args.model,
        contour_center: args.contour.then_some(args.refline),
        group: args.group,
        title: args.title,
        page: checked_page(&args.page)?,
    };
    if plot.group.is_none() && pool.by.is_none() {
        pool.by = Some("none".into());
    }
    let plots = PlotSettings {
        forest: None,
        funnel: Some(plot),
    };
    PoolRun::from_args(pool, plots)
}

/// Runs `alkstats funnel`.
///
/// # Errors
/// No `--output`, an unsupported extension, an unknown group, bad data, or a failure to write.
pub fn run(args: FunnelArgs) -> Result<Output, CliError> {
    let run = settings(args)?;
    super::pool::execute(run)?;
    Ok(Output::none())
}
