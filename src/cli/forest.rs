//! `alkstats forest`: the forest plot of a pooled analysis, with the flags of `pool` plus
//! layout options; the image goes to `--output PATH` (.png or .svg) and no table is printed.

use super::plots::{ForestLayout, ForestLayoutArgs, ForestPlot, PlotSettings};
use super::pool::{PoolArgs, PoolRun};
use super::{CliError, Output};
use crate::data::DataSource;
use clap::Args;

/// Flags of `alkstats forest`.
#[derive(Debug, Args)]
pub struct ForestArgs {
    /// The analysis (as `alkstats pool`); `--output PATH` names the image (.png or .svg).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Layout.
    #[command(flatten)]
    pub layout: ForestLayoutArgs,
}

/// Checks the flags and types them: the pool analysis, with the forest plot as its only output.
fn settings(args: ForestArgs) -> Result<PoolRun, CliError> {
    super::pool::refuse_table_flags(&args.pool, "forest")?;
    let mut pool = args.pool;
    let path = pool.output.take().ok_or_else(|| {
        CliError::Usage("alkstats forest needs --output PATH ending in .png or .svg".into())
    })?;
    let data = DataSource::from_arg(pool.data.as_deref());
    let plot = ForestPlot::new(path, ForestLayout::from_args(args.layout)?, &data)?;
    let plots = PlotSettings {
        forest: Some(plot),
        funnel: None,
    };
    PoolRun::from_args(pool, plots)
}

/// Runs `alkstats forest`.
///
/// # Errors
/// No `--output`, an unsupported extension, bad data or options, or a failure to write.
pub fn run(args: ForestArgs) -> Result<Output, CliError> {
    let run = settings(args)?;
    super::pool::execute(run)?;
    Ok(Output::none())
}
