//! `alkstats pool`: pooled outcomes per subgroup. The flags ([`PoolArgs`]) become a typed
//! [`PoolRun`] ([`settings`]), which [`execute`] runs.

mod execute;
mod revman;
mod settings;
mod stream;

pub use execute::{execute, execute_with, Finish};
pub use settings::{refuse_table_flags, PoolAnalysis, PoolRun};

use super::plots::PlotSettings;
use super::{CliError, Output};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::data::roles::Mapping;
use crate::effect::median_to_mean::SdChoice;
use crate::output;
use crate::settings::{
    Endpoint, GlmmModel, Level, Outcome, OutputFormat, PredictionMethod, RandomCi, StudyCi,
    TauMethod,
};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `alkstats pool`, as clap parses them; [`PoolRun::from_args`] checks and types them.
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// Outcome to pool: orr (alias prop; single-arm proportions), binary (two-arm events in
    /// wide format: event.e, n.e, event.c, n.c), continuous (two-arm mean, SD, n), generic
    /// (TE with seTE, or with lower/upper), hr (hazard ratios), pfs (median PFS).
    #[arg(long, default_value = "orr")]
    pub outcome: Outcome,
    /// Which column holds a role, as R meta names its arguments (repeatable): e.g.
    /// --map studlab=Author --map event=Responders --map n=Total. Roles: studlab, event, n,
    /// event.e, n.e, event.c, n.c, mean.e, sd.e, mean.c, sd.c, TE, seTE, lower, upper. Without
    /// it, columns are recognised by role name or a common synonym, ignoring case.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub map: Vec<Mapping>,
    /// With --outcome orr: compare the two arms of each randomized trial (paired by 'trial')
    /// instead of pooling single arms.
    #[arg(long)]
    pub compare: bool,
    /// With --compare: the comparator arm (by drug, ignoring case) of every trial that has one,
    /// whatever the row order. Otherwise a 'role' column (treatment/comparator) decides, else an
    /// arm named as controls usually are (chemotherapy, placebo, control, standard of care …),
    /// else the arm first alphabetically; such guesses are named in a warning.
    #[arg(long, value_name = "NAME")]
    pub comparator: Option<String>,
    /// Measure: RR (default), OR, RD for --compare and --outcome binary; MD (default), SMD
    /// (Hedges' g, as metafor), ROM for --outcome continuous.
    #[arg(long)]
    pub measure: Option<String>,
    /// Method. With --compare: IV, MH (Mantel-Haenszel on raw counts; default), MH-cc (MH
    /// with the continuity correction on tables with a zero cell), Peto (OR only); random
    /// effects are inverse-variance in every case. With --outcome pfs: log-iv (default;
    /// inverse variance on ln median, SE from the median's 95% CI, assumed symmetric on the
    /// log scale), mm (median of medians, McGrath et al. 2019), wm (weighted by n). With
    /// --outcome orr (--sm PLOGIT) or --outcome binary --measure OR: GLMM, a generalised linear
    /// mixed model fitted by maximum likelihood of the exact marginal likelihood (see README).
    #[arg(long)]
    pub method: Option<String>,
    /// With --outcome binary --measure OR --method GLMM: CM.EL (default; conditional, exact
    /// non-central hypergeometric likelihood), CM.AL (conditional, binomial approximation),
    /// UM.FS (unconditional, fixed study intercepts), UM.RS (unconditional, random study
    /// intercepts and random treatment effects; exact likelihood, where metafor uses Laplace).
    #[arg(long = "glmm-model", value_parser = parse_glmm_model)]
    pub glmm_model: Option<GlmmModel>,
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
    /// Summary measure. --outcome orr: the transformation PLOGIT (default), PFT, PAS, PRAW,
    /// PLN (metafor's PLO, PR accepted). --outcome generic: the scale of TE: HR, OR, RR, IRR,
    /// ROM (TE with seTE on the log scale; an estimate with lower/upper on the ratio scale),
    /// MD, SMD, RD, GEN (default).
    #[arg(long)]
    pub sm: Option<String>,
    /// The worksheet of a spreadsheet --data (.xlsx, .xls, .ods); default: the first.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// With a RevMan 5 file (--data review.rm5): the outcome to pool, as RevMan numbers it
    /// (e.g. 1.1). Without it, the outcomes are listed.
    #[arg(long = "rm5-outcome", value_name = "ID")]
    pub rm5_outcome: Option<String>,
    /// Level of the confidence limits in the file (--outcome generic with lower/upper).
    #[arg(
        long = "ci-level",
        default_value = "0.95",
        allow_negative_numbers = true
    )]
    pub ci_level: Level,
    /// Continuous outcomes: SD estimator for an arm that reports a median with its range or IQR
    /// instead of a mean and SD: shi (Shi et al. 2020 for the five-number summary, Wan et al.
    /// 2014 otherwise; R meta's default) or wan. The mean is Luo et al. (2018)'s.
    #[arg(long = "sd-method", default_value = "shi")]
    pub sd_method: SdChoice,
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
    /// Continuity correction for studies with 0 or n events (PLOGIT, PLN, PRAW). The GLMM fits
    /// the counts and needs none: its per-study rows show 1/2 added, as metafor `rma.glmm`.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub incr: f64,
    /// Confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", allow_negative_numbers = true)]
    pub level: Level,
    /// Show the result across the --by groups (forest plots) and the test for subgroup
    /// differences even when the groups are treatments or comparisons, which by default have
    /// neither (R meta's overall = TRUE).
    #[arg(long)]
    pub overall: bool,
    /// Include rows that the data mark as overlapping others (earlier data cuts, subsets).
    #[arg(long)]
    pub keep_overlapping: bool,
    /// Output format: table, json, csv, jsonl (JSON Lines: one object per analysis with the
    /// CSV's columns, for pipelines).
    #[arg(long, default_value = "table")]
    pub format: OutputFormat,
    /// Only these columns of --format csv or jsonl, in this order (comma-separated names of
    /// the CSV header, e.g. group,k,random_estimate,tau2).
    #[arg(long, value_name = "A,B,C")]
    pub fields: Option<String>,
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
    /// loading the file (for files of thousands of meta-analyses; every outcome but pfs and
    /// --compare). Done anyway for --format csv or jsonl without --studies, --overall or plots
    /// when --data is a CSV/TSV file whose rows of each group are together; --stream also
    /// streams standard input, and refuses a group whose rows are not together (exit 2).
    #[arg(long, conflicts_with = "no_stream")]
    pub stream: bool,
    /// Never stream: load the whole file into memory first.
    #[arg(long)]
    pub no_stream: bool,
}

fn render<S: StudyRow + Serialize>(
    report: &PoolReport<S>,
    run: &PoolRun,
) -> Result<String, CliError> {
    if let Some(bias) = &run.bias {
        return super::bias::render(report, run, bias);
    }
    Ok(match run.format {
        OutputFormat::Table => output::table::render(report, run.studies),
        OutputFormat::Json => {
            output::json::render(report).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Csv => output::csv_out::render(report, run.studies, &run.columns)
            .map_err(|e| CliError::Internal(e.into()))?,
        OutputFormat::Jsonl => output::jsonl::render(report, &run.columns),
    })
}

/// Flags of `alkstats pool` itself: those every pooled analysis has, and the tests only `pool`
/// prints.
#[derive(Debug, Args)]
pub struct PoolCommandArgs {
    /// The analysis.
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Also test subgroup differences with one τ² common to every subgroup (metafor
    /// rma(mods = ~ factor(COLUMN)); the Q_M of alkstats metareg --mods COLUMN). Needs --by.
    #[arg(long = "common-tau2")]
    pub common_tau2: bool,
}

/// Runs `alkstats pool`.
///
/// # Errors
/// Bad flags (see [`PoolRun::from_args`]), bad data, or an impossible analysis.
pub fn run(args: PoolCommandArgs) -> Result<Output, CliError> {
    let mut pool = args.pool;
    if args.common_tau2 {
        if pool.stream {
            return Err(CliError::Usage(
                "--common-tau2 refits every study together: it cannot --stream".into(),
            ));
        }
        pool.no_stream = true;
    }
    let mut run = PoolRun::from_args(pool, PlotSettings::default())?;
    run.common_tau2 = args.common_tau2;
    execute(run)
}

/// `--glmm-model`.
fn parse_glmm_model(s: &str) -> Result<GlmmModel, String> {
    s.parse::<GlmmModel>().map_err(|e| e.to_string())
}
