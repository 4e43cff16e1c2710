//! The typed settings of a `pool` run: clap's flags checked and turned into a [`PoolRun`] at the
//! top of `run`, so that nothing after it sees the raw flags.

use super::revman::{is_rm5, Rm5Request};
use super::PoolArgs;
use crate::analysis::group::Grouping;
use crate::batch::StreamMode;
use crate::cli::plots::{ForestLayout, ForestPlot, PlotSettings};
use crate::cli::CliError;
use crate::data::roles::Mapping;
use crate::data::DataSource;
use crate::effect::continuous::ContinuousMeasure;
use crate::effect::median_to_mean::SdChoice;
use crate::effect::two_arm::TwoArmMeasure;
use crate::output::csv_out::Columns;
use crate::settings::{
    ChoiceError, CompareMethod, Endpoint, FitSettings, GenericMeasure, GlmmModel, Level,
    MedianMethod, Outcome, OutputFormat, ProportionMeasure, StudyCi,
};
use std::path::PathBuf;
use std::str::FromStr;

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
        /// `--method GLMM`: the binomial-normal GLMM.
        glmm: bool,
    },
    /// The two arms of each randomized trial compared (`--outcome orr --compare`).
    Compare {
        /// RR, OR or RD.
        measure: TwoArmMeasure,
        /// Common-effect method.
        method: CompareMethod,
        /// Continuity correction.
        incr: f64,
        /// `--comparator NAME`.
        comparator: Option<String>,
    },
    /// Median progression-free survival of single arms (`--outcome pfs`).
    Medians {
        /// Pooling method.
        method: MedianMethod,
    },
    /// Two-arm binary data in wide format (`--outcome binary`).
    Binary {
        /// RR, OR or RD.
        measure: TwoArmMeasure,
        /// Common-effect method.
        method: CompareMethod,
        /// Continuity correction.
        incr: f64,
        /// `--method GLMM`: this odds-ratio GLMM.
        glmm: Option<GlmmModel>,
    },
    /// Two-arm continuous data (`--outcome continuous`).
    Continuous {
        /// MD, SMD or ROM.
        measure: ContinuousMeasure,
        /// SD estimator for arms that report a median instead of a mean and SD.
        sd_method: SdChoice,
    },
    /// Generic estimates with standard errors or limits (`--outcome generic`).
    Generic {
        /// The scale of the estimates.
        sm: GenericMeasure,
        /// Level of limits given in the file.
        ci_level: Level,
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
    /// `--overall`: the result across groups and the subgroup test, whatever the groups are.
    pub overall: bool,
    /// Output format.
    pub format: OutputFormat,
    /// The columns of `--format csv` or `jsonl` (`--fields`).
    pub columns: Columns,
    /// Also list the studies (table and CSV).
    pub studies: bool,
    /// Output path (not the input file); `None` for standard output.
    pub output: Option<PathBuf>,
    /// Plots to draw besides the table.
    pub plots: PlotSettings,
    /// A RevMan 5 input: the outcome and the flags that override the review's settings.
    pub rm5: Option<Rm5Request>,
    /// `--sheet`: the worksheet of a spreadsheet (default: the first).
    pub sheet: Option<String>,
    /// `--map ROLE=COLUMN`: the columns of a user's file for its roles.
    pub maps: Vec<Mapping>,
    /// A RevMan outcome's stored results, to check the run's own against (set when the
    /// review is read).
    pub stored: Option<super::revman::StoredResults>,
    /// `alkstats bias`: run these small-study methods on the pooled models and print them
    /// instead of the pooled table.
    pub bias: Option<crate::cli::bias::BiasRunSettings>,
    /// `pool --common-tau2`: add the test for subgroup differences with a common τ².
    pub common_tau2: bool,
    /// Whether the batch engine may stream this run, and how; `None` to load the data.
    pub stream: Option<StreamMode>,
}

/// A user's file is needed for the outcomes that have no shipped data.
fn needs_data(data: &DataSource, outcome: Outcome) -> Result<(), CliError> {
    match data {
        DataSource::Embedded => Err(CliError::Usage(format!(
            "--outcome {outcome} pools your own file: give it with --data FILE (CSV, TSV or '-' for \
             standard input)"
        ))),
        _ => Ok(()),
    }
}

fn is_glmm(method: Option<&str>) -> bool {
    method.is_some_and(|m| m.trim().eq_ignore_ascii_case("GLMM"))
}

/// `--method` of single proportions: GLMM (logit only) or IV.
fn proportion_glmm(method: Option<&str>, sm: ProportionMeasure) -> Result<bool, CliError> {
    match method {
        None => Ok(false),
        Some(m) if m.trim().eq_ignore_ascii_case("IV") => Ok(false),
        Some(_) if is_glmm(method) && sm == ProportionMeasure::Plogit => Ok(true),
        Some(_) if is_glmm(method) => Err(CliError::Usage(format!(
            "--method GLMM models the logit of proportions: use --sm PLOGIT (found {sm})"
        ))),
        Some(m) => Err(CliError::Usage(format!(
            "--method {m} does not apply to --outcome orr: single proportions are pooled by \
             inverse variance (IV, the default) or by the binomial-normal GLMM (GLMM)"
        ))),
    }
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
        if args.compare && args.outcome != Outcome::Orr {
            return Err(CliError::Usage(match args.outcome {
                Outcome::Hr => {
                    "--compare applies to --outcome orr; hazard ratios are comparisons already"
                        .into()
                }
                _ => "--compare applies to --outcome orr".into(),
            }));
        }
        if !is_rm5(&data) {
            refuse_flags_of_other_outcomes(&args)?;
        }
        if let (Some(name), false) = (&args.comparator, args.compare) {
            return Err(CliError::Usage(format!(
                "--comparator {name} applies to --outcome orr --compare, which pairs the arms of \
                 each trial; other two-arm data give their direction by column (event.e/event.c, \
                 treatment/comparator)"
            )));
        }
        if args.glmm_model.is_some()
            && !(args.outcome == Outcome::Binary && is_glmm(args.method.as_deref()))
        {
            return Err(CliError::Usage(
                "--glmm-model applies to --outcome binary --measure OR --method GLMM".into(),
            ));
        }
        let measure = args.measure.as_deref();
        let rm5 = is_rm5(&data).then(|| Rm5Request {
            outcome: args.rm5_outcome.clone(),
            measure: args.measure.clone().or_else(|| args.sm.clone()),
            method: args.method.clone(),
        });
        let analysis = match args.outcome {
            // The review's outcome decides; this is replaced when the file is read.
            _ if rm5.is_some() => PoolAnalysis::Generic {
                sm: GenericMeasure::Gen,
                ci_level: args.ci_level,
            },
            Outcome::Orr if args.compare => PoolAnalysis::Compare {
                measure: parse_method(measure, "RR")?,
                method: parse_method(args.method.as_deref(), "MH")?,
                incr: args.incr,
                comparator: args.comparator.clone(),
            },
            Outcome::Orr => {
                let sm = parse_method(args.sm.as_deref(), "PLOGIT")?;
                let glmm = proportion_glmm(args.method.as_deref(), sm)?;
                PoolAnalysis::Proportions {
                    sm,
                    ci_study: args.ci_study,
                    incr: args.incr,
                    glmm,
                }
            }
            Outcome::Binary => {
                needs_data(&data, args.outcome)?;
                let measure: TwoArmMeasure = parse_method(measure, "RR")?;
                let glmm = is_glmm(args.method.as_deref());
                if glmm && measure != TwoArmMeasure::Or {
                    return Err(CliError::Usage(format!(
                        "--method GLMM fits odds ratios: add --measure OR (found {measure})"
                    )));
                }
                PoolAnalysis::Binary {
                    measure,
                    method: if glmm {
                        CompareMethod::Iv
                    } else {
                        parse_method(args.method.as_deref(), "MH")?
                    },
                    incr: args.incr,
                    glmm: glmm.then(|| args.glmm_model.unwrap_or(GlmmModel::CmEl)),
                }
            }
            Outcome::Continuous => {
                needs_data(&data, args.outcome)?;
                PoolAnalysis::Continuous {
                    measure: parse_method(measure, "MD")?,
                    sd_method: args.sd_method,
                }
            }
            Outcome::Generic => {
                needs_data(&data, args.outcome)?;
                PoolAnalysis::Generic {
                    sm: parse_method(args.sm.as_deref(), "GEN")?,
                    ci_level: args.ci_level,
                }
            }
            Outcome::Pfs => PoolAnalysis::Medians {
                method: parse_method(args.method.as_deref(), "log-iv")?,
            },
            Outcome::Hr => PoolAnalysis::HazardRatios {
                endpoint: args.endpoint,
                from_medians: args
                    .estimate_hr_from_medians
                    .then(|| DataSource::from_arg(args.arms.as_deref())),
            },
        };
        let columns = row_columns(&args)?;
        // The batch engine writes analysis rows group by group: not study rows, plots, a
        // result across groups, or what pairs arms or derives rows across the file.
        let streamable = matches!(args.format, OutputFormat::Csv | OutputFormat::Jsonl)
            && !args.studies
            && !args.overall
            && args.forest.is_none()
            && plots.is_empty()
            && rm5.is_none()
            && match &analysis {
                PoolAnalysis::Compare { .. } | PoolAnalysis::Medians { .. } => false,
                PoolAnalysis::HazardRatios { from_medians, .. } => from_medians.is_none(),
                _ => true,
            };
        let stream = stream_mode(args.stream, args.no_stream, streamable)?;
        let mut plots = plots;
        if let Some(path) = args.forest {
            plots.forest = Some(ForestPlot::new(path, ForestLayout::default(), &data)?);
        }
        Ok(PoolRun {
            analysis,
            columns,
            data,
            by: args.by.as_deref().map(Grouping::from_arg),
            fit: FitSettings {
                method_tau: args.method_tau,
                random_ci: args.random_ci,
                prediction: args.prediction,
                level: args.level,
            },
            keep_overlapping: args.keep_overlapping,
            overall: args.overall,
            format: args.format,
            studies: args.studies,
            output: args.output,
            plots,
            rm5,
            sheet: args.sheet,
            maps: args.map,
            stored: None,
            bias: None,
            common_tau2: false,
            stream,
        })
    }

    /// Refuses `--format jsonl` and `--fields` on a command that writes something other than
    /// pool's analysis rows.
    pub fn refuse_pool_rows(&self, command: &str) -> Result<(), CliError> {
        if self.format == OutputFormat::Jsonl {
            return Err(CliError::jsonl_is_for_pool(command));
        }
        if self.columns != Columns::default() {
            return Err(CliError::Usage(format!(
                "--fields selects columns of alkstats pool's CSV and JSON Lines, not of \
                 alkstats {command}"
            )));
        }
        Ok(())
    }

    pub(super) fn grouping(&self, default: &str) -> Grouping {
        self.by
            .clone()
            .unwrap_or_else(|| Grouping::from_arg(default))
    }
}

/// Refuses `--sm`, `--measure` and `--method` where the outcome has no such choice, rather than
/// ignoring them (a user who asks for `--sm PFT` on hazard ratios must learn it did nothing).
fn refuse_flags_of_other_outcomes(args: &PoolArgs) -> Result<(), CliError> {
    let o = args.outcome;
    let (sm, measure, method) = match o {
        Outcome::Orr if args.compare => (false, true, true),
        Outcome::Orr => (true, false, true),
        Outcome::Binary => (false, true, true),
        Outcome::Continuous => (false, true, false),
        Outcome::Generic => (true, false, false),
        Outcome::Hr => (false, false, false),
        Outcome::Pfs => (false, false, true),
    };
    let what = if args.compare {
        format!("--outcome {o} --compare")
    } else {
        format!("--outcome {o}")
    };
    for (given, allowed, flag, meaning) in [
        (&args.sm, sm, "--sm", "the proportion transformation (--outcome orr) or the scale of generic estimates (--outcome generic)"),
        (&args.measure, measure, "--measure", "the effect measure of two-arm data (--compare, --outcome binary or continuous)"),
        (&args.method, method, "--method", "the pooling method of two-arm data (--compare, --outcome binary) or of medians (--outcome pfs)"),
    ] {
        if let (Some(value), false) = (given, allowed) {
            return Err(CliError::Usage(format!(
                "{flag} {value} does not apply to {what}: {flag} chooses {meaning}"
            )));
        }
    }
    Ok(())
}

/// Refuses the flags of `pool`'s table output on a plotting command (`forest`, `funnel`),
/// which writes only its image.
pub fn refuse_table_flags(args: &PoolArgs, command: &str) -> Result<(), CliError> {
    let given = [
        (args.studies, "--studies"),
        (args.stream, "--stream"),
        (args.no_stream, "--no-stream"),
        (args.forest.is_some(), "--forest"),
        (args.fields.is_some(), "--fields"),
        (args.format != OutputFormat::Table, "--format"),
    ];
    match given.iter().find(|(on, _)| *on) {
        Some((_, flag)) => Err(CliError::Usage(format!(
            "{flag} does not apply to alkstats {command}, which writes only its image to \
             --output; use alkstats pool for tables, JSON and CSV"
        ))),
        None => Ok(()),
    }
}

/// The columns of `--fields`, which select columns of CSV and JSON Lines output.
fn row_columns(args: &PoolArgs) -> Result<Columns, CliError> {
    if args.format == OutputFormat::Jsonl && args.studies {
        return Err(CliError::Usage(
            "--studies lists study rows in table and CSV output; --format jsonl writes one \
             line per analysis"
                .into(),
        ));
    }
    match &args.fields {
        None => Ok(Columns::default()),
        Some(_) if !matches!(args.format, OutputFormat::Csv | OutputFormat::Jsonl) => Err(
            CliError::Usage("--fields selects columns of --format csv or jsonl".into()),
        ),
        Some(fields) => Columns::parse(fields).map_err(CliError::Usage),
    }
}

/// How the batch engine may stream a run (`--stream`, `--no-stream`): only CSV or JSON Lines
/// analysis rows, without studies or plots, can be written group by group (see `crate::batch`).
fn stream_mode(
    stream: bool,
    no_stream: bool,
    streamable: bool,
) -> Result<Option<StreamMode>, CliError> {
    match (stream, streamable, no_stream) {
        (true, false, _) => Err(CliError::Usage(
            "--stream writes CSV analysis rows or JSON Lines, one analysis per group: it needs \
             --format csv or jsonl, without --studies, --overall, --compare, plots, --outcome \
             pfs, --estimate-hr-from-medians or a RevMan review"
                .into(),
        )),
        (true, true, _) => Ok(Some(StreamMode::Always)),
        (false, true, false) => Ok(Some(StreamMode::Auto)),
        _ => Ok(None),
    }
}
