//! `alkstats pool`: pooled outcomes per subgroup.

use super::{CliError, Output};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::{pool_hazard_ratios, HazardSettings, COMPARISON};
use crate::analysis::proportion::{pool_proportions, ProportionSettings};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::data::{load_arms, load_hr, DataSource, EMBEDDED_ARMS, EMBEDDED_HR};
use crate::output;
use crate::settings::{
    Endpoint, FitSettings, Level, Outcome, OutputFormat, PredictionMethod, ProportionMeasure,
    RandomCi, StudyCi, TauMethod,
};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `alkstats pool`.
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// Outcome to pool: orr (objective response rate of single arms), hr (hazard ratios).
    #[arg(long, default_value = "orr")]
    pub outcome: Outcome,
    /// Endpoint of hazard ratios: pfs or os.
    #[arg(long, default_value = "pfs")]
    pub endpoint: Endpoint,
    /// CSV file ('-' for standard input); default: the shipped ALK data (arms for orr,
    /// comparative results for hr).
    #[arg(long, value_name = "FILE")]
    pub data: Option<String>,
    /// Subgroup column ('none' pools everything); default 'drug' for orr, 'comparison'
    /// (treatment vs comparator) for hr.
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
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
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub incr: f64,
    /// Confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", allow_negative_numbers = true)]
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

fn render<S: StudyRow + Serialize>(
    report: &PoolReport<S>,
    args: &PoolArgs,
) -> Result<String, CliError> {
    Ok(match args.format {
        OutputFormat::Table => output::table::render(report, args.studies),
        OutputFormat::Json => {
            output::json::render(report).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Csv => output::csv_out::render(report, args.studies)
            .map_err(|e| CliError::Internal(e.into()))?,
    })
}

impl PoolArgs {
    fn fit_settings(&self) -> FitSettings {
        FitSettings {
            method_tau: self.method_tau,
            random_ci: self.random_ci,
            prediction: self.prediction,
            level: self.level,
        }
    }

    fn grouping(&self, default: &str) -> Grouping {
        Grouping::from_arg(self.by.as_deref().unwrap_or(default))
    }

    fn source(&self) -> Result<DataSource, CliError> {
        let source = DataSource::from_arg(self.data.as_deref());
        if let (Some(out), DataSource::File(input)) = (&self.output, &source) {
            if crate::io::same_file(out, input) {
                return Err(CliError::Usage(format!(
                    "--output {}: this is the input file; choose another path",
                    out.display()
                )));
            }
        }
        Ok(source)
    }
}

/// Runs `alkstats pool`.
///
/// # Errors
/// Bad data, an impossible analysis, or an output path equal to the input file.
pub fn run(args: PoolArgs) -> Result<Output, CliError> {
    let source = args.source()?;
    let text = match args.outcome {
        Outcome::Orr => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let settings = ProportionSettings {
                sm: args.sm,
                fit: args.fit_settings(),
                ci_study: args.ci_study,
                incr: args.incr,
                grouping: args.grouping("drug"),
                keep_overlapping: args.keep_overlapping,
            };
            render(&pool_proportions(&arms, &headers, &name, &settings)?, &args)?
        }
        Outcome::Hr => {
            let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
            let (rows, headers) = load_hr(&name, &bytes)?;
            let settings = HazardSettings {
                fit: args.fit_settings(),
                endpoint: args.endpoint,
                grouping: args.grouping(COMPARISON),
                keep_overlapping: args.keep_overlapping,
            };
            render(
                &pool_hazard_ratios(&rows, &headers, &name, &settings)?,
                &args,
            )?
        }
    };
    Ok(Output {
        text,
        path: args.output,
    })
}
