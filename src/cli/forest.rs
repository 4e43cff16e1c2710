//! `alkstats forest`: the forest plot of a pooled analysis, with the flags of `pool` plus
//! layout options; the image goes to `--output PATH` (.png or .svg) and no table is printed.

use super::plots::{check_path, ForestLayoutArgs};
use super::pool::PoolArgs;
use super::{CliError, Output};
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

/// Runs `alkstats forest`.
///
/// # Errors
/// No `--output`, an unsupported extension, bad data or options, or a failure to write.
pub fn run(args: ForestArgs) -> Result<Output, CliError> {
    let mut pool = args.pool;
    let path = pool.output.take().ok_or_else(|| {
        CliError::Usage("alkstats forest needs --output PATH ending in .png or .svg".into())
    })?;
    check_path(&path, &pool)?;
    pool.forest = None;
    pool.plots.forest = Some((path, args.layout));
    super::pool::run(pool)?;
    Ok(Output {
        text: String::new(),
        path: None,
    })
}
