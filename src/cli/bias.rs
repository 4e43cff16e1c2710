//! `alkstats bias`: small-study effects — tests for funnel-plot asymmetry, trim-and-fill and,
//! on request, the step-function selection model and PET-PEESE — for each analysis of a pooled
//! outcome. The analysis is `pool`'s, with its selection and model flags ([`PoolArgs`]); the
//! methods run on each group's fitted model ([`crate::methods::bias`]).

use super::plots::PlotSettings;
use super::pool::{execute, PoolArgs, PoolRun};
use super::{CliError, Output};
use crate::analysis::bias::bias_report;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::methods::bias::{
    BiasSettings, BiasTest, FunnelSide, SelectionAlternative, TrimFillEstimator,
};
use crate::output;
use crate::settings::OutputFormat;
use clap::Args;
use serde::Serialize;

/// Flags of `alkstats bias`.
#[derive(Debug, Args)]
pub struct BiasArgs {
    /// The analysis (as `alkstats pool`).
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Methods, comma-separated or repeated: egger, begg, peters, harbord, thompson-sharp,
    /// trimfill, selection, pet-peese, or all. Default: every asymmetry test that applies to
    /// the data, and trim-and-fill.
    #[arg(long = "test", value_name = "METHOD", value_delimiter = ',')]
    pub tests: Vec<String>,
    /// Fewest studies for the asymmetry tests (R meta's k.min): below it they are not run,
    /// with a warning (Sterne et al. 2011 recommend at least 10).
    #[arg(long = "k-min", default_value_t = 10, value_name = "K")]
    pub k_min: usize,
    /// Trim-and-fill estimator of the number of missing studies: L0 or R0.
    #[arg(long, default_value = "L0")]
    pub estimator: TrimFillEstimator,
    /// Side of the funnel plot on which trim-and-fill imputes studies: left or right.
    /// Default: chosen per analysis as metafor does (sign of the regression of yi on its SE).
    #[arg(long)]
    pub side: Option<FunnelSide>,
    /// Selection model: the direction of the one-sided p-values selected for (greater: large
    /// positive effects are published more readily; less: large negative ones).
    #[arg(long = "selection-alternative", default_value = "greater")]
    pub selection_alternative: SelectionAlternative,
    /// Only this subgroup of --by (default: every group).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
}

/// A checked bias run: the pool run that fits the models, and what to do with them.
struct BiasRun {
    pool: PoolRun,
}

/// `--test` values as methods; `all` is every method.
fn parse_tests(values: &[String]) -> Result<Vec<BiasTest>, CliError> {
    if values.is_empty() {
        return Ok(BiasTest::DEFAULT.to_vec());
    }
    let mut tests = Vec::new();
    for v in values {
        let chosen: Vec<BiasTest> = if v.trim().eq_ignore_ascii_case("all") {
            BiasTest::ALL.to_vec()
        } else {
            vec![v
                .parse::<BiasTest>()
                .map_err(|e| CliError::Usage(format!("{e}, or all")))?]
        };
        for t in chosen {
            if !tests.contains(&t) {
                tests.push(t);
            }
        }
    }
    Ok(tests)
}

/// Checks the flags and types them.
fn settings(args: BiasArgs) -> Result<BiasRun, CliError> {
    let mut pool = args.pool;
    if pool.stream {
        return Err(CliError::Usage(
            "--stream writes pooled CSV rows; alkstats bias needs the fitted models in memory"
                .into(),
        ));
    }
    if pool.studies || pool.forest.is_some() {
        return Err(CliError::Usage(
            "--studies and --forest belong to alkstats pool; alkstats bias reports the methods \
             (draw the funnel plot with alkstats funnel --trimfill)"
                .into(),
        ));
    }
    if args.group.is_some()
        && pool
            .by
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case("none"))
    {
        return Err(CliError::Usage(
            "--group picks a subgroup of --by COLUMN; it does not apply with --by none".into(),
        ));
    }
    pool.no_stream = true;
    let bias = BiasSettings {
        tests: parse_tests(&args.tests)?,
        k_min: args.k_min,
        estimator: args.estimator,
        side: args.side,
        alternative: args.selection_alternative,
    };
    let mut run = PoolRun::from_args(pool, PlotSettings::default())?;
    run.refuse_pool_rows("bias")?;
    run.bias = Some(BiasRunSettings {
        methods: bias,
        group: args.group,
    });
    Ok(BiasRun { pool: run })
}

/// What `alkstats bias` adds to a pool run.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasRunSettings {
    /// The methods.
    pub methods: BiasSettings,
    /// `--group`: only this subgroup.
    pub group: Option<String>,
}

/// Renders the small-study methods of a pooled `report` in the run's format (called by the
/// pool run in place of its own table).
///
/// # Errors
/// An unknown `--group`, or an internal rendering failure.
pub fn render<S: StudyRow + Serialize>(
    report: &PoolReport<S>,
    run: &PoolRun,
    bias: &BiasRunSettings,
) -> Result<String, CliError> {
    if let Some(g) = &bias.group {
        if !report
            .analyses
            .iter()
            .any(|a| a.group.as_deref() == Some(g))
        {
            let names: Vec<&str> = report
                .analyses
                .iter()
                .filter_map(|a| a.group.as_deref())
                .collect();
            return Err(CliError::Usage(format!(
                "--group {g}: no such subgroup of --by {}; expected one of: {}",
                report.settings.by,
                names.join(", ")
            )));
        }
    }
    let b = bias_report(report, &bias.methods, bias.group.as_deref());
    Ok(match run.format {
        OutputFormat::Table => output::bias::render_table(&b),
        OutputFormat::Json => output::json::render(&b).map_err(|e| CliError::Internal(e.into()))?,
        OutputFormat::Csv => {
            output::bias::render_csv(&b).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Jsonl => return Err(CliError::jsonl_is_for_pool("bias")),
    })
}

/// Runs `alkstats bias`.
///
/// # Errors
/// Bad flags, bad data, an impossible analysis, or an unknown `--group`.
pub fn run(args: BiasArgs) -> Result<Output, CliError> {
    let run = settings(args)?;
    execute(run.pool)
}
