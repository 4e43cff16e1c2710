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
use crate::plot::network::{forest_data, graph_data, render_forest, render_graph};
use crate::plot::{Format, PlotError};
use crate::settings::{Endpoint, Level, Outcome, OutputFormat, TauMethod};
use clap::Args;
use std::path::{Path, PathBuf};

/// Flags of `alkstats network`.
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

impl NetworkArgs {
    fn settings(&self) -> HrNetworkSettings {
        HrNetworkSettings {
            network: NetworkSettings {
                model: self.model,
                method_tau: self.method_tau,
                reference: self.reference.as_deref().map(normalise_drug),
                small_values: self.small_values,
                level: self.level,
                scale: EffectScale::LogRatio,
            },
            endpoint: self.endpoint,
            setting: self.setting.clone(),
            keep_overlapping: self.keep_overlapping,
        }
    }

    /// Checks output paths before any work: known image extensions, no path equal to the
    /// input file or to another output.
    fn check_paths(&self, source: &DataSource) -> Result<(), CliError> {
        for (flag, path) in [("--graph", &self.graph), ("--forest", &self.forest)] {
            if let Some(p) = path {
                Format::from_path(p).map_err(|e| CliError::Usage(format!("{flag} {e}")))?;
            }
        }
        let outputs = [
            ("--output", self.output.as_deref()),
            ("--graph", self.graph.as_deref()),
            ("--forest", self.forest.as_deref()),
        ];
        for (i, (flag, path)) in outputs.iter().enumerate() {
            let Some(p) = path else { continue };
            if let DataSource::File(input) = source {
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
        self.page
            .page()
            .validate()
            .map_err(|e| CliError::Usage(e.to_string()))
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

fn draw(args: &NetworkArgs, report: &NetworkReport) -> Result<(), CliError> {
    let a = &report.analysis;
    let what = format!(
        "{} hazard ratios{}",
        report.endpoint.to_uppercase(),
        report
            .settings
            .setting
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );
    let page = args.page.page();
    if let Some(path) = &args.graph {
        let format = Format::from_path(path).map_err(|e| CliError::Usage(e.to_string()))?;
        let data = graph_data(a, &format!("Network of {what}"));
        write_plot("--graph", path, render_graph(&data, &page, format))?;
    }
    if let Some(path) = &args.forest {
        let format = Format::from_path(path).map_err(|e| CliError::Usage(e.to_string()))?;
        let data = forest_data(
            a,
            &format!(
                "{} HR vs {}{}",
                report.endpoint.to_uppercase(),
                a.reference,
                report
                    .settings
                    .setting
                    .as_deref()
                    .map(|s| format!(" ({s} network)"))
                    .unwrap_or_default()
            ),
            EffectScale::LogRatio,
            report.settings.level,
            "HR",
        );
        write_plot("--forest", path, render_forest(&data, &page, format))?;
    }
    Ok(())
}

/// Runs `alkstats network`.
///
/// # Errors
/// Bad flags or data, an analysis that cannot be run (no rows, unknown reference, incomplete
/// multi-arm trial), or a plot that cannot be written.
pub fn run(args: NetworkArgs) -> Result<Output, CliError> {
    if args.outcome != Outcome::Hr {
        return Err(CliError::Usage(format!(
            "--outcome {}: alkstats network analyses hazard ratios; use --outcome hr",
            args.outcome
        )));
    }
    let source = DataSource::from_arg(args.data.as_deref());
    args.check_paths(&source)?;
    let (name, bytes) = source.read(EMBEDDED_HR, "data/alk_nsclc_hr.csv (embedded)")?;
    let (rows, _) = load_hr(&name, &bytes)?;
    let report = hr_network(&rows, &name, &args.settings()).map_err(network_error)?;
    // The table lists the warnings itself; elsewhere they go to standard error.
    if args.format != OutputFormat::Table || args.output.is_some() {
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    draw(&args, &report)?;
    let text = match args.format {
        OutputFormat::Table => render::table(&report),
        OutputFormat::Json => {
            crate::output::json::render(&report).map_err(|e| CliError::Internal(e.into()))?
        }
        OutputFormat::Csv => render::csv(&report).map_err(|e| CliError::Internal(e.into()))?,
    };
    Ok(Output {
        text,
        path: args.output,
    })
}
