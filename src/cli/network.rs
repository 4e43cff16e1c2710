//! `alkstats network`: frequentist network meta-analysis of hazard ratios, with a league
//! table, the Q decomposition, node-splits, P-scores, and optional network-graph and forest
//! plots.

use super::plots::PageArgs;
use super::{CliError, Output};
use crate::data::arms::normalise_drug;
use crate::data::{load_hr, DataSource, EMBEDDED_HR};
use crate::network::hr::{hr_network, HrNetworkSettings, NetworkReport};
use crate::network::render;
use crate::network::settings::EffectScale;
use crate::network::{NetworkError, NetworkModel, NetworkSettings, SmallValues};
use crate::plot::network::{render_forest, render_graph, report_forest, report_graph};
use crate::plot::{Format, Page, PlotError};
use crate::settings::{Endpoint, Level, Outcome, OutputFormat, TauMethod};
use clap::Args;
use std::path::{Path, PathBuf};

/// Flags of `alkstats network`, as clap parses them; [`NetworkRun::from_args`] checks them.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Outcome: hr (hazard ratios of randomized comparisons; the only one supported).
    #[arg(long, default_value = "hr")]
    pub outcome: Outcome,
    /// Endpoint of the hazard ratios: pfs or os.
    #[arg(long, default_value = "pfs")]
    pub endpoint: Endpoint,
    /// Reference treatment, against which the forest plot and the ranking table show effects;
    /// default: chemotherapy (or placebo) when in the network, else the most studied treatment.
    #[arg(long, value_name = "TREATMENT")]
    pub reference: Option<String>,
    /// Model of the effects: random (tau² shared by every comparison) or common.
    #[arg(long, default_value = "random")]
    pub model: NetworkModel,
    /// tau² estimator: REML or DL (netmeta's generalised DerSimonian-Laird).
    #[arg(long = "method-tau", default_value = "REML")]
    pub method_tau: TauMethod,
    /// Use only rows of this setting (the 'setting' column: first-line, post-chemotherapy,
    /// post-crizotinib); default: every row of the endpoint.
    #[arg(long, value_name = "SETTING")]
    pub setting: Option<String>,
    /// Whether small effects are good (a hazard ratio below 1 favours the treatment) or bad,
    /// for the P-scores.
    #[arg(long = "small-values", default_value = "good")]
    pub small_values: SmallValues,
    /// Confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", allow_negative_numbers = true)]
    pub level: Level,
    /// CSV file of hazard ratios ('-' for standard input); default: the shipped
    /// data/alk_nsclc_hr.csv.
    #[arg(long, value_name = "FILE")]
    pub data: Option<String>,
    /// Include rows that the data mark as superseded by others (earlier data cuts).
    #[arg(long)]
    pub keep_overlapping: bool,
    /// Output format: table (league table, ranking, heterogeneity, node-splits), json, csv
    /// (one row per ordered pair of treatments).
    #[arg(long, default_value = "table")]
    pub format: OutputFormat,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Also draw the network graph to this file (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub graph: Option<PathBuf>,
    /// Also draw the forest plot of every treatment against the reference (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub forest: Option<PathBuf>,
    /// Page size of the plots.
    #[command(flatten)]
    pub page: PageArgs,
}

/// An image to write: its path and the format its extension names.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Path (not the input file, nor another output).
    pub path: PathBuf,
    /// PNG or SVG.
    pub format: Format,
}

/// A checked `network` run.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRun {
    /// Input hazard ratios.
    pub data: DataSource,
    /// The analysis.
    pub settings: HrNetworkSettings,
    /// Output format.
    pub format: OutputFormat,
    /// Output path; `None` for standard output.
    pub output: Option<PathBuf>,
    /// Network graph to draw.
    pub graph: Option<Image>,
    /// Forest plot against the reference to draw.
    pub forest: Option<Image>,
    /// Page of the plots (validated).
    pub page: Page,
}

impl NetworkRun {
    /// Checks the flags of `network` and types them, before any work: the outcome, known image
    /// extensions, no output path equal to the input file or to another output, the page.
    ///
    /// # Errors
    /// [`CliError::Usage`] (exit 2) naming the flag and the fix.
    pub fn from_args(args: NetworkArgs) -> Result<Self, CliError> {
        if args.outcome != Outcome::Hr {
            return Err(CliError::Usage(format!(
                "--outcome {}: alkstats network analyses hazard ratios; use --outcome hr",
                args.outcome
            )));
        }
        let data = DataSource::from_arg(args.data.as_deref());
        let image = |flag: &str, path: Option<PathBuf>| -> Result<Option<Image>, CliError> {
            path.map(|path| {
                let format =
                    Format::from_path(&path).map_err(|e| CliError::Usage(format!("{flag} {e}")))?;
                Ok(Image { path, format })
            })
            .transpose()
        };
        let graph = image("--graph", args.graph)?;
        let forest = image("--forest", args.forest)?;
        let outputs = [
            ("--output", args.output.as_deref()),
            ("--graph", graph.as_ref().map(|i| i.path.as_path())),
            ("--forest", forest.as_ref().map(|i| i.path.as_path())),
        ];
        for (i, (flag, path)) in outputs.iter().enumerate() {
            let Some(p) = path else { continue };
            if let DataSource::File(input) = &data {
                if crate::io::same_file(p, input) {
                    return Err(CliError::Usage(format!(
                        "{flag} {}: this is the input file; choose another path",
                        p.display()
                    )));
                }
            }
            for (other_flag, other) in &outputs[i + 1..] {
                if other.is_some_and(|o| o == *p) {
                    return Err(CliError::Usage(format!(
                        "{flag} and {other_flag} name the same file {}; choose two paths",
                        p.display()
                    )));
                }
            }
        }
        let page = args.page.page();
        page.validate()
            .map_err(|e| CliError::Usage(e.to_string()))?;
        Ok(NetworkRun {
            data,
            settings: HrNetworkSettings {
                network: NetworkSettings {
                    model: args.model,
                    method_tau: args.method_tau,
                    reference: args.reference.as_deref().map(normalise_drug),
                    small_values: args.small_values,
                    level: args.level,
                    scale: EffectScale::LogRatio,
                },
                endpoint: args.endpoint,
                setting: args.setting,
                keep_overlapping: args.keep_overlapping,
            },
            format: args.format,
            output: args.output,
            graph,
            forest,
            page,
        })
    }
}

fn network_error(e: NetworkError) -> CliError {
    match e {
        NetworkError::Numerical(m) => CliError::Internal(anyhow::anyhow!(m)),
        other => CliError::Usage(other.to_string()),
    }
}

fn write_plot(flag: &str, path: &Path, bytes: Result<Vec<u8>, PlotError>) -> Result<(), CliError> {
    let bytes = bytes.map_err(|e| CliError::Usage(format!("{flag} {}: {e}", path.display())))?;
    crate::io::write_atomic(path, &bytes).map_err(|e| {
        CliError::Usage(format!(
            "{flag} {}: cannot write the image: {e}",
            path.display()
        ))
    })
}

fn draw(run: &NetworkRun, report: &NetworkReport) -> Result<(), CliError> {
    let page = &run.page;
    if let Some(Image { path, format }) = &run.graph {
        let bytes = render_graph(&report_graph(report), page, *format);
        write_plot("--graph", path, bytes)?;
    }
    if let Some(Image { path, format }) = &run.forest {
        let bytes = render_forest(&report_forest(report), page, *format);
        write_plot("--forest", path, bytes)?;
    }
    Ok(())
}

/// Runs `alkstats network`.
///
/// # Errors
/// Bad flags or data, an analysis that cannot be run (no rows, unknown reference, incomplete
/// multi-arm trial), or a plot that cannot be written.
pub fn run(args: NetworkArgs) -> Result<Output, CliError> {
    let run = NetworkRun::from_args(args)?;
    let (name, bytes) = run
        .data
        .read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
    let (rows, _) = load_hr(&name, &bytes)?;
    let report = hr_network(&rows, &name, &run.settings).map_err(network_error)?;
    // The table lists the warnings itself; elsewhere they go to standard error.
    if run.format != OutputFormat::Table || run.output.is_some() {
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    draw(&run, &report)?;
    let text = match run.format {
        OutputFormat::Table => render::table(&report),
        OutputFormat::Json => {
            crate::output::json::render(&report).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Csv => render::csv(&report).map_err(|e| CliError::Internal(e.into()))?,
        OutputFormat::Jsonl => return Err(CliError::jsonl_is_for_pool("network")),
    };
    Ok(Output {
        text,
        path: run.output,
    })
}
