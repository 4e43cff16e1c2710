//! Running a plan: load each data file once, run each analysis with the library function that
//! `alkstats pool` calls for it, and draw its figures with the plot functions that `alkstats
//! forest` and `alkstats funnel` use, all in memory. Nothing here formats numbers for people.

use super::plan::{AnalysisPlan, AnalysisSpec, FigurePlan, Plan};
use super::ReportError;
use crate::analysis::compare::compare_arms;
use crate::analysis::group::Grouping;
use crate::analysis::hazard::pool_hazard_ratios;
use crate::analysis::median_pfs::pool_medians;
use crate::analysis::proportion::pool_proportions;
use crate::analysis::report::{
    ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport, StudyResult, StudyRow,
};
use crate::analysis::AnalysisError;
use crate::data::{
    load_arms, load_hr, Arm, DataError, HrRow, StudyYear, EMBEDDED_ARMS, EMBEDDED_HR,
};
use crate::network::hr::{hr_network, NetworkReport};
use crate::network::settings::EffectScale;
use crate::network::NetworkError;
use crate::plot::forest::{forest_data, ForestOptions, Models};
use crate::plot::funnel::{funnel_data, FunnelOptions};
use crate::plot::{self, Format, Page, PlotError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Name of the embedded arms file, as `alkstats pool` names it.
const EMBEDDED_ARMS_NAME: &str = "data/alk_nsclc_arms.csv (embedded)";
/// Name of the embedded hazard-ratio file, as `alkstats pool` names it.
const EMBEDDED_HR_NAME: &str = "data/alk_nsclc_hr.csv (embedded)";

/// Lower-case hexadecimal SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Which data file an analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Trial arms (`data/alk_nsclc_arms.csv`).
    Arms,
    /// Hazard ratios (`data/alk_nsclc_hr.csv`).
    Hr,
}

impl Role {
    /// The plan key and manifest role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Arms => "arms",
            Role::Hr => "hr",
        }
    }
}

/// One row of a data file, for the provenance table.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Line in the file.
    pub line: u64,
    /// Study label.
    pub study: String,
    /// What the row is: the drug of an arm, or "treatment vs comparator (endpoint)".
    pub what: String,
    /// Trial, when given.
    pub trial: Option<String>,
    /// Rows this one shares patients with (or is superseded by).
    pub overlaps: Vec<String>,
    /// Citation.
    pub source: String,
}

/// A data file read by the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// What it holds.
    pub role: Role,
    /// Name as in the plan (or the embedded file's name, as `pool` prints it).
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its rows.
    pub rows: Vec<SourceRow>,
}

/// The report of one analysis, whatever its outcome; serialised exactly as `alkstats pool
/// --format json` serialises it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnyReport {
    /// Response proportions.
    Orr(PoolReport<StudyResult>),
    /// Two-arm response comparisons.
    OrrCompare(PoolReport<ComparisonStudyResult>),
    /// Hazard ratios.
    Hr(PoolReport<HazardStudyResult>),
    /// Median PFS.
    Pfs(PoolReport<MedianStudyResult>),
    /// A network meta-analysis, as `alkstats network --format json`.
    Network(Box<NetworkReport>),
}

/// The kinds of figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// Forest plot.
    Forest,
    /// Funnel plot.
    Funnel,
    /// Network graph.
    Graph,
}

impl FigureKind {
    /// Used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Forest => "forest",
            FigureKind::Funnel => "funnel",
            FigureKind::Graph => "graph",
        }
    }
}

/// One figure in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Forest or funnel.
    pub kind: FigureKind,
    /// Path without extension, relative to the report folder (`figures/ID_forest`).
    pub stem: String,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG bytes.
    pub svg: Vec<u8>,
}

/// One analysis of the plan with its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The plan entry.
    pub plan: AnalysisPlan,
    /// Its report.
    pub report: AnyReport,
    /// The data file it read.
    pub role: Role,
    /// The `alkstats pool` (or `network`) command that prints the same JSON.
    pub command: String,
    /// Figures, in the order drawn.
    pub figures: Vec<Figure>,
}

/// A plan with all its results.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The plan.
    pub plan: Plan,
    /// Data files read, arms first.
    pub inputs: Vec<Input>,
    /// One per analysis, in plan order.
    pub sections: Vec<Section>,
}

struct Loaded<T> {
    name: String,
    rows: Vec<T>,
    headers: Vec<String>,
    written: Option<String>,
}

/// Reads a data file of the plan (relative to `base`), or the embedded one. The file keeps the
/// name written in the plan, so that messages and outputs do not depend on where the plan is
/// run from.
fn read(
    written: Option<&str>,
    base: &Path,
    embedded: &'static str,
    embedded_name: &str,
) -> Result<(String, Vec<u8>), DataError> {
    let Some(written) = written else {
        return Ok((embedded_name.to_string(), embedded.as_bytes().to_vec()));
    };
    let path = base.join(written);
    std::fs::read(&path)
        .map(|bytes| (written.to_string(), bytes))
        .map_err(|e| DataError::Io {
            file: written.to_string(),
            reason: format!(
                "{} (read as {}, relative to the plan's folder)",
                match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_string(),
                    _ => e.to_string(),
                },
                path.display()
            ),
        })
}

fn arm_rows(arms: &[Arm]) -> Vec<SourceRow> {
    arms.iter()
        .map(|a| SourceRow {
            line: a.line,
            study: a.study.clone(),
            what: a.drug.clone(),
            trial: a.trial.clone(),
            overlaps: a.overlaps.clone(),
            source: a.source.clone(),
        })
        .collect()
}

fn hr_rows(rows: &[HrRow]) -> Vec<SourceRow> {
    rows.iter()
        .map(|r| SourceRow {
            line: r.line,
            study: r.study.clone(),
            what: format!("{} vs {} ({})", r.treatment, r.comparator, r.endpoint),
            trial: r.trial.clone(),
            overlaps: r.overlaps.clone(),
            source: r.source.clone(),
        })
        .collect()
}

fn years<R: StudyYear>(rows: &[R]) -> HashMap<String, i32> {
    rows.iter()
        .filter_map(|r| {
            let (study, year) = r.study_year();
            year.map(|y| (study.to_string(), y))
        })
        .collect()
}

/// Draws the figures of one analysis exactly as `alkstats forest` / `alkstats funnel` with
/// default layout would: `overall` is the same analysis without subgroups.
fn draw<S: StudyRow>(
    id: &str,
    report: &PoolReport<S>,
    overall: Option<&PoolReport<S>>,
    years: HashMap<String, i32>,
    figures: &FigurePlan,
    dpi: f64,
) -> Result<Vec<Figure>, ReportError> {
    let err = |source: PlotError| ReportError::Plot {
        id: id.to_string(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let both = |scene: &plot::scene::Scene| -> Result<(Vec<u8>, Vec<u8>), ReportError> {
        Ok((
            plot::render(scene, Format::Png, dpi).map_err(err)?,
            plot::render(scene, Format::Svg, dpi).map_err(err)?,
        ))
    };
    let mut out = Vec::new();
    if figures.forest {
        let opts = ForestOptions {
            models: figures.forest_model,
            sort: figures.forest_sort,
            years,
            title: None,
            xlim: None,
        };
        let all = overall.and_then(|r| r.analyses.first());
        let data = forest_data(report, all, &opts).map_err(err)?;
        let scene = plot::forest::layout(&data, &page).map_err(err)?;
        let (png, svg) = both(&scene)?;
        out.push(Figure {
            kind: FigureKind::Forest,
            stem: format!("figures/{id}_forest"),
            png,
            svg,
        });
    }
    if figures.funnel {
        // As `alkstats funnel` without --group: all studies pooled together.
        let source = if report.analyses.len() == 1 {
            report
        } else {
            overall.unwrap_or(report)
        };
        let analysis = source.analyses.first().ok_or_else(|| {
            err(PlotError::Empty {
                subject: "the analysis",
                missing: "studies",
            })
        })?;
        let opts = FunnelOptions {
            models: Models::Random,
            contour_center: None,
            title: None,
        };
        let data = funnel_data(source, analysis, &opts).map_err(err)?;
        let scene = plot::funnel::layout(&data, &page).map_err(err)?;
        let (png, svg) = both(&scene)?;
        out.push(Figure {
            kind: FigureKind::Funnel,
            stem: format!("figures/{id}_funnel"),
            png,
            svg,
        });
    }
    Ok(out)
}

/// Draws the network graph and the forest plot against the reference as `alkstats network
/// --graph PATH --forest PATH` does (same titles, same functions, default page).
fn draw_network(
    id: &str,
    report: &NetworkReport,
    figures: &FigurePlan,
    dpi: f64,
) -> Result<Vec<Figure>, ReportError> {
    use crate::plot::network::{forest_data, graph_data, render_forest, render_graph};
    let err = |source: PlotError| ReportError::Plot {
        id: id.to_string(),
        source,
    };
    let page = Page {
        width: None,
        height: None,
        dpi,
    };
    let a = &report.analysis;
    let setting = report.settings.setting.as_deref();
    let endpoint = report.endpoint.to_uppercase();
    let mut out = Vec::new();
    if figures.graph {
        let what = format!(
            "{endpoint} hazard ratios{}",
            setting.map(|s| format!(", {s}")).unwrap_or_default()
        );
        let data = graph_data(a, &format!("Network of {what}"));
        out.push(Figure {
            kind: FigureKind::Graph,
            stem: format!("figures/{id}_graph"),
            png: render_graph(&data, &page, Format::Png).map_err(err)?,
            svg: render_graph(&data, &page, Format::Svg).map_err(err)?,
        });
    }
    if figures.forest {
        let title = format!(
            "{endpoint} HR vs {}{}",
            a.reference,
            setting
                .map(|s| format!(" ({s} network)"))
                .unwrap_or_default()
        );
        let data = forest_data(
            a,
            &title,
            EffectScale::LogRatio,
            report.settings.level,
            "HR",
        );
        out.push(Figure {
            kind: FigureKind::Forest,
            stem: format!("figures/{id}_forest"),
            png: render_forest(&data, &page, Format::Png).map_err(err)?,
            svg: render_forest(&data, &page, Format::Svg).map_err(err)?,
        });
    }
    Ok(out)
}

/// Quotes one shell word where needed, so a printed command can be pasted back.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Runs every analysis of `plan`, reading relative data paths from `base`.
///
/// # Errors
/// A data file that cannot be read or is invalid; an analysis or figure that cannot be made.
pub fn run(plan: &Plan, base: &Path) -> Result<RunResult, ReportError> {
    let uses_hr = |s: &AnalysisSpec| matches!(s, AnalysisSpec::Hr(_) | AnalysisSpec::Network(_));
    let needs_hr = plan.analyses.iter().any(|a| uses_hr(&a.spec));
    let needs_arms = plan.analyses.iter().any(|a| !uses_hr(&a.spec));
    let arms = if needs_arms {
        let (name, bytes) = read(
            plan.arms.as_deref(),
            base,
            EMBEDDED_ARMS,
            EMBEDDED_ARMS_NAME,
        )?;
        let (rows, headers) = load_arms(&name, &bytes)?;
        Some((
            Loaded {
                name,
                rows,
                headers,
                written: plan.arms.clone(),
            },
            sha256_hex(&bytes),
        ))
    } else {
        None
    };
    let hr = if needs_hr {
        let (name, bytes) = read(plan.hr.as_deref(), base, EMBEDDED_HR, EMBEDDED_HR_NAME)?;
        let (rows, headers) = load_hr(&name, &bytes)?;
        Some((
            Loaded {
                name,
                rows,
                headers,
                written: plan.hr.clone(),
            },
            sha256_hex(&bytes),
        ))
    } else {
        None
    };
    let mut sections = Vec::with_capacity(plan.analyses.len());
    for a in &plan.analyses {
        sections.push(run_analysis(
            a,
            arms.as_ref().map(|x| &x.0),
            hr.as_ref().map(|x| &x.0),
            plan.dpi,
        )?);
    }
    let mut inputs = Vec::new();
    if let Some((l, sha256)) = &arms {
        inputs.push(Input {
            role: Role::Arms,
            name: l.name.clone(),
            sha256: sha256.clone(),
            rows: arm_rows(&l.rows),
        });
    }
    if let Some((l, sha256)) = &hr {
        inputs.push(Input {
            role: Role::Hr,
            name: l.name.clone(),
            sha256: sha256.clone(),
            rows: hr_rows(&l.rows),
        });
    }
    Ok(RunResult {
        plan: plan.clone(),
        inputs,
        sections,
    })
}

/// Runs one analysis and draws its figures. The arms (or hazard ratios) are loaded by
/// [`run`] whenever an analysis of that kind is in the plan.
fn run_analysis(
    a: &AnalysisPlan,
    arms: Option<&Loaded<Arm>>,
    hr: Option<&Loaded<HrRow>>,
    dpi: f64,
) -> Result<Section, ReportError> {
    let analysis_err = |source: AnalysisError| ReportError::Analysis {
        id: a.id.clone(),
        source,
    };
    let missing =
        || ReportError::Internal(format!("analysis '{}': its data file was not loaded", a.id));
    // The overall analysis (no subgroups) is needed by a forest plot of subgroups, as in
    // `alkstats forest`, and by a funnel plot of all studies.
    let overall_needed = a.spec.grouping().is_some_and(|g| *g != Grouping::None)
        && (a.figures.forest || a.figures.funnel);
    macro_rules! pooled {
        ($variant:ident, $settings:expr, $data:expr, $pool:path, $rows:expr) => {{
            let data = $data.ok_or_else(missing)?;
            let s = $settings;
            let report = $pool(&data.rows, &data.headers, &data.name, s).map_err(analysis_err)?;
            let overall = if overall_needed {
                let mut none = s.clone();
                none.grouping = Grouping::None;
                Some($pool(&data.rows, &data.headers, &data.name, &none).map_err(analysis_err)?)
            } else {
                None
            };
            let figures = draw(
                &a.id,
                &report,
                overall.as_ref(),
                years(&data.rows),
                &a.figures,
                dpi,
            )?;
            (
                AnyReport::$variant(report),
                figures,
                $rows,
                data.written.as_deref(),
            )
        }};
    }
    let (report, figures, role, written) = match &a.spec {
        AnalysisSpec::Orr(s) => pooled!(Orr, s, arms, pool_proportions, Role::Arms),
        AnalysisSpec::OrrCompare(s) => pooled!(OrrCompare, s, arms, compare_arms, Role::Arms),
        AnalysisSpec::Hr(s) => pooled!(Hr, s, hr, pool_hazard_ratios, Role::Hr),
        AnalysisSpec::Pfs(s) => pooled!(Pfs, s, arms, pool_medians, Role::Arms),
        AnalysisSpec::Network(s) => {
            let data = hr.ok_or_else(missing)?;
            let report = hr_network(&data.rows, &data.name, s).map_err(|e| match e {
                NetworkError::Numerical(m) => {
                    ReportError::Internal(format!("analysis '{}': {m}", a.id))
                }
                other => ReportError::Usage(format!("analysis '{}': {other}", a.id)),
            })?;
            let figures = draw_network(&a.id, &report, &a.figures, dpi)?;
            (
                AnyReport::Network(Box::new(report)),
                figures,
                Role::Hr,
                data.written.as_deref(),
            )
        }
    };
    let words: Vec<String> = std::iter::once("alkstats".to_string())
        .chain(a.spec.command_args(written))
        .map(|w| shell_word(&w))
        .collect();
    Ok(Section {
        plan: a.clone(),
        report,
        role,
        command: words.join(" "),
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_fips_180_example() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("--by"), "--by");
        assert_eq!(shell_word("data/x.csv"), "data/x.csv");
        assert_eq!(shell_word("my column"), "'my column'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
