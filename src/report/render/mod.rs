//! Rendering a run into the files of a report: `results.json` through the serde structs and the
//! JSON writer of `alkstats pool --format json`; `index.html` and `report.md` through minijinja
//! templates (`templates/`, embedded) fed by one view model of preformatted strings, so the two
//! documents show the same numbers with the same rounding. Renderers format, never recompute.
//!
//! The files: `view` builds the view model of the report from the views of pooled analyses
//! (`pooled`, with their headers in `labels`), networks (`network`), sensitivity (`sensitivity`)
//! and bias (`bias`) sections, each a list of paragraphs and tables of preformatted cells
//! (`table`) that one macro per template draws; `format` is how numbers read; `markup` holds
//! the templates and the filters that escape a cell for HTML or Markdown.

mod bias;
mod format;
mod labels;
mod markup;
mod metareg;
mod network;
mod pooled;
mod sensitivity;
mod table;
mod view;

pub use pooled::SourceLines;

use super::run::{AnyReport, RunResult, Section};
use super::{Files, ReportError, RunOptions};
use crate::VERSION;
use serde::Serialize;

/// Results file: every analysis with its `pool --format json` output under `result`.
#[derive(Serialize)]
struct Results<'a> {
    alkstats_version: &'static str,
    command: &'static str,
    title: &'a str,
    plan: &'a str,
    analyses: Vec<ResultEntry<'a>>,
}

#[derive(Serialize)]
struct ResultEntry<'a> {
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    command: &'a str,
    figures: Vec<String>,
    result: &'a AnyReport,
}

fn figure_files(s: &Section) -> Vec<String> {
    s.figures
        .iter()
        .flat_map(|f| [format!("{}.png", f.stem), format!("{}.svg", f.stem)])
        .collect()
}

/// Renders every file of the report except the manifest.
///
/// # Errors
/// [`ReportError::Internal`] if a template or the JSON fails to render (a bug).
pub fn render(run: &RunResult, options: &RunOptions) -> Result<Files, ReportError> {
    let mut files = Files::new();
    let results = Results {
        alkstats_version: VERSION,
        command: "report",
        title: &run.plan.title,
        plan: &run.plan.name,
        analyses: run
            .sections
            .iter()
            .map(|s| ResultEntry {
                id: &s.plan.id,
                title: &s.plan.title,
                kind: s.plan.spec.kind().as_str(),
                command: &s.command,
                figures: figure_files(s),
                result: &s.report,
            })
            .collect(),
    };
    let json = crate::output::json::render(&results)
        .map_err(|e| ReportError::Internal(format!("results.json: {e}")))?;
    files.insert("results.json".into(), json.into_bytes());
    for s in &run.sections {
        for f in &s.figures {
            files.insert(format!("{}.png", f.stem), f.png.clone());
            files.insert(format!("{}.svg", f.stem), f.svg.clone());
        }
    }
    let mut listed: Vec<String> = files.keys().cloned().collect();
    listed.extend(["index.html", "report.md", super::manifest::MANIFEST].map(String::from));
    listed.sort();
    let view = view::view(run, options, listed);
    let env = markup::environment()?;
    for name in ["index.html", "report.md"] {
        let text = env
            .get_template(name)
            .and_then(|t| t.render(&view))
            .map_err(|e| ReportError::Internal(format!("{name}: {e:#}")))?;
        files.insert(name.to_string(), text.into_bytes());
    }
    Ok(files)
}
