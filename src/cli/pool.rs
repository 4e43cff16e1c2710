//! `alkstats pool`: pooled outcomes per subgroup.

use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::proportion::{pool_proportions, ProportionSettings};
use crate::data::{load_arms, DataSource, EMBEDDED_ARMS};
use crate::output;
use crate::settings::{
    FitSettings, Level, OutputFormat, Outcome, PredictionMethod, ProportionMeasure, RandomCi, StudyCi,
    TauMethod,
};
use clap::Args;
use std::path::PathBuf;

/// Flags of `alkstats pool`.
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// Outcome to pool: orr (objective response rate).
    #[arg(long, default_value = "orr")]
    pub outcome: Outcome,
    /// CSV file of trial arms ('-' for standard input); default: the shipped ALK data.
    #[arg(long, value_name = "FILE")]
    pub data: Option<String>,
    /// Subgroup column ('none' pools everything).
    #[arg(long, default_value = "drug", value_name = "COLUMN")]
    pub by: String,
    /// Transformation: PLOGIT, PFT, PAS, PRAW, PLN (metafor's PLO, PR accepted).
    #[arg(long, default_value = "PLOGIT")]
    pub sm: ProportionMeasure,
    /// tau² estimator: REML, DL, ML, PM, HE, SJ, EB, HS.
    #[arg(long = "method-tau", default_value = "REML")]
    pub method_tau: TauMethod,
    /// Random-effects CI: classic, hk (Hartung-Knapp), hk-adhoc.
    #[arg(long = "random-ci", default_value = "classic")]
    pub random_ci: RandomCi,
    /// Prediction interval: t (k-1 df), hts (k-2 df), z, none.
    #[arg(long, default_value = "t")]
    pub prediction: PredictionMethod,
    /// Per-study CI: clopper-pearson, wilson, agresti-coull, jeffreys, wald.
    #[arg(long = "ci-study", default_value = "clopper-pearson")]
    pub ci_study: StudyCi,
    /// Continuity correction for studies with 0 or n events (PLOGIT, PLN, PRAW).
    #[arg(long, default_value_t = 0.5)]
    pub incr: f64,
    /// Confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95")]
    pub level: Level,
    /// Include rows that the data mark as overlapping others (earlier data cuts, subsets).
    #[arg(long)]
    pub keep_overlapping: bool,
    /// Output format: table, json, csv.
    #[arg(long, default_value = "table")]
    pub format: OutputFormat,
    /// Also list the studies (table and CSV).
    #[arg(long)]
    pub studies: bool,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Runs `alkstats pool`.
///
/// # Errors
/// Bad data, an impossible analysis, or an output path equal to the input file.
pub fn run(args: PoolArgs) -> Result<Output, CliError> {
    let source = DataSource::from_arg(args.data.as_deref());
    if let (Some(out), DataSource::File(input)) = (&args.output, &source) {
        if crate::io::same_file(out, input) {
            return Err(CliError::Usage(format!(
                "--output {}: this is the input file; choose another path",
                out.display()
            )));
        }
    }
    let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
    let (arms, headers) = load_arms(&name, &bytes)?;
    let settings = ProportionSettings {
        sm: args.sm,
        fit: FitSettings {
            method_tau: args.method_tau,
            random_ci: args.random_ci,
            prediction: args.prediction,
            level: args.level,
        },
        ci_study: args.ci_study,
        incr: args.incr,
        grouping: Grouping::from_arg(&args.by),
        keep_overlapping: args.keep_overlapping,
    };
    let report = match args.outcome {
        Outcome::Orr => pool_proportions(&arms, &headers, &name, &settings)?,
    };
    let text = match args.format {
        OutputFormat::Table => output::table::render(&report, args.studies),
        OutputFormat::Json => output::json::render(&report).map_err(|e| CliError::Internal(e.into()))?,
        OutputFormat::Csv => {
            output::csv_out::render(&report, args.studies).map_err(|e| CliError::Internal(e.into()))?
        }
    };
    Ok(Output { text, path: args.output })
}
