//! `alkstats pool`: pooled outcomes per subgroup.

use super::plots::{self, ForestLayout, ForestPlot, PlotSettings};
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
    ChoiceError, CompareMethod, Endpoint, FitSettings, Level, MedianMethod, Outcome, OutputFormat,
    PredictionMethod, ProportionMeasure, RandomCi, StudyCi, TauMethod,
};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::str::FromStr;

/// Flags of `alkstats pool`, as clap parses them; [`PoolRun::from_args`] checks and types them.
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
}

/// What `pool` pools, with the settings that only this outcome has.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolAnalysis {
    /// Single-arm proportions (`--outcome orr`).
    Proportions {
        /// Transformation.
        sm: ProportionMeasure,
        /// Per-study CI method.
        ci_study: StudyCi,
        /// Continuity correction.
        incr: f64,
        /// Whether the batch engine may stream this run, and how; `None` to load the data.
        stream: Option<StreamMode>,
    },
    /// The two arms of each randomized trial compared (`--outcome orr --compare`).
    Compare {
        /// RR, OR or RD.
        measure: TwoArmMeasure,
        /// Common-effect method.
        method: CompareMethod,
        /// Continuity correction.
        incr: f64,
    },
    /// Median progression-free survival of single arms (`--outcome pfs`).
    Medians {
        /// Pooling method.
        method: MedianMethod,
    },
    /// Hazard ratios of randomized comparisons (`--outcome hr`).
    HazardRatios {
        /// PFS or OS.
        endpoint: Endpoint,
        /// With `--estimate-hr-from-medians`: the arms file to approximate hazard ratios from.
        from_medians: Option<DataSource>,
    },
}

/// A checked `pool` run: everything the flags asked for, typed. `forest` and `funnel` build
/// one too (with their plot and no table) and run it through [`execute`].
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRun {
    /// The outcome and its own settings.
    pub analysis: PoolAnalysis,
    /// Input data.
    pub data: DataSource,
    /// `--by`; `None` for the outcome's default grouping.
    pub by: Option<Grouping>,
    /// Fit settings shared by every outcome.
    pub fit: FitSettings,
    /// Include rows marked as overlapping others.
    pub keep_overlapping: bool,
    /// Output format.
    pub format: OutputFormat,
    /// Also list the studies (table and CSV).
    pub studies: bool,
    /// Output path (not the input file); `None` for standard output.
    pub output: Option<PathBuf>,
    /// Plots to draw besides the table.
    pub plots: PlotSettings,
}

fn parse_method<T: FromStr<Err = ChoiceError>>(
    value: Option<&str>,
    default: &str,
) -> Result<T, CliError> {
    value
        .unwrap_or(default)
        .parse()
        .map_err(|e: ChoiceError| CliError::Usage(e.to_string()))
}

impl PoolRun {
    /// Checks the flags of `pool` and types them; `plots` are the plots of `alkstats forest` or
    /// `alkstats funnel` (empty for `pool`, whose `--forest PATH` is added here).
    ///
    /// # Errors
    /// [`CliError::Usage`] (exit 2) for flags that cannot be run: an output path equal to the
    /// input file, `--compare` outside `--outcome orr`, an unknown `--method`, `--stream`
    /// without `--format csv`, or a bad `--forest` path.
    pub fn from_args(args: PoolArgs, plots: PlotSettings) -> Result<Self, CliError> {
        let data = DataSource::from_arg(args.data.as_deref());
        if let (Some(out), DataSource::File(input)) = (&args.output, &data) {
            if crate::io::same_file(out, input) {
                return Err(CliError::Usage(format!(
                    "--output {}: this is the input file; choose another path",
                    out.display()
                )));
            }
        }
        let analysis = match args.outcome {
            Outcome::Orr if args.compare => PoolAnalysis::Compare {
                measure: args.measure,
                method: parse_method(args.method.as_deref(), "MH")?,
                incr: args.incr,
            },
            Outcome::Orr => PoolAnalysis::Proportions {
                sm: args.sm,
                ci_study: args.ci_study,
                incr: args.incr,
                stream: stream_mode(
                    args.stream,
                    args.no_stream,
                    args.format == OutputFormat::Csv
                        && !args.studies
                        && args.forest.is_none()
                        && plots.is_empty(),
                )?,
            },
            Outcome::Pfs if args.compare => {
                return Err(CliError::Usage("--compare applies to --outcome orr".into()))
            }
            Outcome::Pfs => PoolAnalysis::Medians {
                method: parse_method(args.method.as_deref(), "log-iv")?,
            },
            Outcome::Hr if args.compare => {
                return Err(CliError::Usage(
                    "--compare applies to --outcome orr; hazard ratios are comparisons already"
                        .into(),
                ))
            }
            Outcome::Hr => PoolAnalysis::HazardRatios {
                endpoint: args.endpoint,
                from_medians: args
                    .estimate_hr_from_medians
                    .then(|| DataSource::from_arg(args.arms.as_deref())),
            },
        };
        let mut plots = plots;
        if let Some(path) = args.forest {
            plots.forest = Some(ForestPlot::new(path, ForestLayout::default(), &data)?);
        }
        Ok(PoolRun {
            analysis,
            data,
            by: args.by.as_deref().map(Grouping::from_arg),
            fit: FitSettings {
                method_tau: args.method_tau,
                random_ci: args.random_ci,
                prediction: args.prediction,
                level: args.level,
            },
            keep_overlapping: args.keep_overlapping,
            format: args.format,
            studies: args.studies,
            output: args.output,
            plots,
        })
    }

    fn grouping(&self, default: &str) -> Grouping {
        self.by
            .clone()
            .unwrap_or_else(|| Grouping::from_arg(default))
    }
}

/// How the batch engine may stream a proportions run (`--stream`, `--no-stream`): only CSV
/// analysis rows, without studies or plots, can be written group by group (see `crate::batch`).
fn stream_mode(
    stream: bool,
    no_stream: bool,
    streamable: bool,
) -> Result<Option<StreamMode>, CliError> {
    match (stream, streamable, no_stream) {
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

fn render<S: StudyRow + Serialize>(
    report: &PoolReport<S>,
    run: &PoolRun,
) -> Result<String, CliError> {
    Ok(match run.format {
        OutputFormat::Table => output::table::render(report, run.studies),
        OutputFormat::Json => {
            output::json::render(report).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Csv => output::csv_out::render(report, run.studies)
            .map_err(|e| CliError::Internal(e.into()))?,
    })
}

/// Runs `alkstats pool`.
///
/// # Errors
/// Bad flags (see [`PoolRun::from_args`]), bad data, or an impossible analysis.
pub fn run(args: PoolArgs) -> Result<Output, CliError> {
    let run = PoolRun::from_args(args, PlotSettings::default())?;
    execute(run)
}

/// Runs a checked pool analysis: reads the data, pools, draws the plots asked for, and renders
/// the output (which the caller writes to `run.output`).
///
/// # Errors
/// Bad data, an impossible analysis, or a plot that cannot be drawn or written.
pub fn execute(run: PoolRun) -> Result<Output, CliError> {
    let source = &run.data;
    let text = match run.analysis {
        PoolAnalysis::Compare {
            measure,
            method,
            incr,
        } => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let settings = CompareSettings {
                measure,
                method,
                fit: run.fit,
                incr,
                grouping: run.grouping(COMPARISON),
                keep_overlapping: run.keep_overlapping,
            };
            let report = compare_arms(&arms, &headers, &name, &settings)?;
            plots::draw(&run.plots, &report, &arms, |grouping| {
                let s = CompareSettings {
                    grouping,
                    ..settings.clone()
                };
                compare_arms(&arms, &headers, &name, &s)
            })?;
            render(&report, &run)?
        }
        PoolAnalysis::Proportions {
            sm,
            ci_study,
            incr,
            stream,
        } => {
            let settings = ProportionSettings {
                sm,
                fit: run.fit,
                ci_study,
                incr,
                grouping: run.grouping("drug"),
                keep_overlapping: run.keep_overlapping,
            };
            if let Some(mode) = stream {
                let embedded = (EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)");
                let output = run.output.as_deref();
                let streamed = batch::pool_csv(source, embedded, output, &settings, mode)?;
                if streamed.is_some() {
                    // Written already, group by group.
                    return Ok(Output::none());
                }
            }
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let report = pool_proportions(&arms, &headers, &name, &settings)?;
            plots::draw(&run.plots, &report, &arms, |grouping| {
                let s = ProportionSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_proportions(&arms, &headers, &name, &s)
            })?;
            render(&report, &run)?
        }
        PoolAnalysis::Medians { method } => {
            let (name, bytes) = source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
            let (arms, headers) = load_arms(&name, &bytes)?;
            let settings = MedianSettings {
                method,
                fit: run.fit,
                grouping: run.grouping("drug"),
                keep_overlapping: run.keep_overlapping,
            };
            let report = pool_medians(&arms, &headers, &name, &settings)?;
            plots::draw(&run.plots, &report, &arms, |grouping| {
                let s = MedianSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_medians(&arms, &headers, &name, &s)
            })?;
            render(&report, &run)?
        }
        PoolAnalysis::HazardRatios {
            endpoint,
            ref from_medians,
        } => {
            let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
            let (mut rows, headers) = load_hr(&name, &bytes)?;
            let mut notes = Vec::new();
            if let Some(arms_source) = from_medians {
                let (arms_name, arm_bytes) =
                    arms_source.read(EMBEDDED_ARMS, "data/alk_nsclc_arms.csv (embedded)")?;
                let (arms, _) = load_arms(&arms_name, &arm_bytes)?;
                let (derived, n) = hr_rows_from_medians(&arms, &rows);
                rows.extend(derived);
                notes = n;
            }
            let settings = HazardSettings {
                fit: run.fit,
                endpoint,
                grouping: run.grouping(COMPARISON),
                keep_overlapping: run.keep_overlapping,
            };
            let mut report = pool_hazard_ratios(&rows, &headers, &name, &settings)?;
            report.warnings.splice(0..0, notes);
            plots::draw(&run.plots, &report, &rows, |grouping| {
                let s = HazardSettings {
                    grouping,
                    ..settings.clone()
                };
                pool_hazard_ratios(&rows, &headers, &name, &s)
            })?;
            render(&report, &run)?
        }
    };
    Ok(Output {
        text,
        path: run.output,
    })
}
