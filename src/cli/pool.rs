//! `alkstats pool`: pooled outcomes per subgroup.

use super::{CliError, Output};
use crate::analysis::compare::{compare_arms, CompareSettings};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::{
    hr_rows_from_medians, pool_hazard_ratios, HazardSettings, COMPARISON,
};
use crate::analysis::median_pfs::{pool_medians, MedianSettings};
use crate::analysis::proportion::{pool_proportions, ProportionSettings};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::batch::{self, StreamMode};
use crate::data::{load_arms, load_hr, DataSource, EMBEDDED_ARMS, EMBEDDED_HR};
use crate::effect::two_arm::TwoArmMeasure;
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
    /// With --outcome orr: compare the two arms of each randomized trial (paired by 'trial')
    /// instead of pooling single arms.
    #[arg(long)]
    pub compare: bool,
    /// Measure of --compare: RR, OR, RD.
    #[arg(long, default_value = "RR")]
    pub measure: TwoArmMeasure,
    /// Method. With --compare: IV, MH (Mantel-Haenszel on raw counts; default), MH-cc (MH
    /// with the continuity correction on tables with a zero cell), Peto (OR only); random
    /// effects are inverse-variance in every case. With --outcome pfs: log-iv (default;
    /// inverse variance on ln median, SE from the median's 95% CI, assumed symmetric on the
    /// log scale), mm (median of medians, McGrath et al. 2019), wm (weighted by n).
    #[arg(long)]
    pub method: Option<String>,
    /// With --outcome hr: add PFS hazard ratios APPROXIMATED from the two arms' median PFS
    /// (exponential survival: HR = median_comparator / median_treatment) for randomized trials
    /// of the arms file that report medians with 95% CIs but no hazard ratio. Labelled as such.
    #[arg(long)]
    pub estimate_hr_from_medians: bool,
    /// Arms file for --estimate-hr-from-medians (default: the shipped arms data).
    #[arg(long, value_name = "FILE")]
    pub arms: Option<String>,
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
    /// Also draw the forest plot to this file (.png or .svg); `alkstats forest` has layout options.
    #[arg(long, value_name = "PATH")]
    pub forest: Option<PathBuf>,
    /// Stream the data: read, fit and write one --by group at a time, in parallel, without
    /// loading the file (for files of thousands of meta-analyses). Done anyway for --format csv
    /// without --studies when --data is a file whose rows of each group are together; --stream
    /// also streams standard input, and refuses a group whose rows are not together (exit 2).
    #[arg(long, conflicts_with = "no_stream")]
    pub stream: bool,
    /// Never stream: load the whole file into memory first.
    #[arg(long)]
    pub no_stream: bool,
    /// Plots requested by `alkstats forest` and `alkstats funnel` (not a flag).
    #[arg(skip)]
    pub plots: super::plots::PlotRequests,
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

fn parse_method<T: std::str::FromStr<Err = String>>(
    value: Option<&str>,
    default: &str,
) -> Result<T, CliError> {
    value.unwrap_or(default).parse().map_err(CliError::Usage)
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

    /// How the batch engine may stream this run: only CSV analysis rows can be written group
    /// by group (see `crate::batch`).
    fn stream_mode(&self) -> Result<Option<StreamMode>, CliError> {
        let streamable = self.format == OutputFormat::Csv
            && !self.studies
            && !self.compare
            && self.forest.is_none()
            && self.plots.forest.is_none()
            && self.plots.funnel.is_none();
        match (self.stream, streamable, self.no_stream) {
            (true, false, _) => Err(CliError::Usage(
                "--stream writes CSV analysis rows: it needs --format csv, without --studies, \
                 --compare or plots"
                    .into(),
            )),
            (true, true, _) => Ok(Some(StreamMode::Always)),
            (false, true, false) => Ok(Some(StreamMode::Auto)),
            _ => Ok(None),
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
        Outcome::Orr if args.compare => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let settings = CompareSettings {
                measure: args.measure,
                method: parse_method(args.method.as_deref(), "MH")?,
                fit: args.fit_settings(),
                incr: args.incr,
                grouping: args.grouping(COMPARISON),
                keep_overlapping: args.keep_overlapping,
            };
            let report = compare_arms(&arms, &headers, &name, &settings)?;
            super::plots::draw(&args, &report, &arms, |grouping| {
                let s = CompareSettings {
                    grouping,
                    ..settings.clone()
                };
                compare_arms(&arms, &headers, &name, &s)
            })?;
            render(&report, &args)?
        }
        Outcome::Orr => {
            let settings = ProportionSettings {
                sm: args.sm,
                fit: args.fit_settings(),
                ci_study: args.ci_study,
                incr: args.incr,
                grouping: args.grouping("drug"),
                keep_overlapping: args.keep_overlapping,
            };
            if let Some(mode) = args.stream_mode()? {
                let embedded = (EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)");
                let output = args.output.as_deref();
                let streamed = batch::pool_csv(&source, embedded, output, &settings, mode)?;
                if streamed.is_some() {
                    // Written already, group by group.
                    return Ok(Output {
                        text: String::new(),
                        path: None,
                    });
                }
            }
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let report = pool_proportions(&arms, &headers, &name, &settings)?;
            super::plots::draw(&args, &report, &arms, |grouping| {
                let s = ProportionSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_proportions(&arms, &headers, &name, &s)
            })?;
            render(&report, &args)?
        }
        Outcome::Pfs => {
            if args.compare {
                return Err(CliError::Usage("--compare applies to --outcome orr".into()));
            }
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let settings = MedianSettings {
                method: parse_method(args.method.as_deref(), "log-iv")?,
                fit: args.fit_settings(),
                grouping: args.grouping("drug"),
                keep_overlapping: args.keep_overlapping,
            };
            let report = pool_medians(&arms, &headers, &name, &settings)?;
            super::plots::draw(&args, &report, &arms, |grouping| {
                let s = MedianSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_medians(&arms, &headers, &name, &s)
            })?;
            render(&report, &args)?
        }
        Outcome::Hr if args.compare => {
            return Err(CliError::Usage(
                "--compare applies to --outcome orr; hazard ratios are comparisons already".into(),
            ))
        }
        Outcome::Hr => {
            let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
            let (mut rows, headers) = load_hr(&name, &bytes)?;
            let mut notes = Vec::new();
            if args.estimate_hr_from_medians {
                let arms_source = DataSource::from_arg(args.arms.as_deref());
                let (arms_name, arm_bytes) =
                    arms_source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
                let (arms, _) = load_arms(&arms_name, &arm_bytes)?;
                let (derived, n) = hr_rows_from_medians(&arms, &rows);
                rows.extend(derived);
                notes = n;
            }
            let settings = HazardSettings {
                fit: args.fit_settings(),
                endpoint: args.endpoint,
                grouping: args.grouping(COMPARISON),
                keep_overlapping: args.keep_overlapping,
            };
            let mut report = pool_hazard_ratios(&rows, &headers, &name, &settings)?;
            report.warnings.splice(0..0, notes);
            super::plots::draw(&args, &report, &rows, |grouping| {
                let s = HazardSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_hazard_ratios(&rows, &headers, &name, &s)
            })?;
            render(&report, &args)?
        }
    };
    Ok(Output {
        text,
        path: args.output,
    })
}
