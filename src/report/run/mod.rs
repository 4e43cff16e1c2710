//! Running a plan: load each data file once, run each analysis with the library function that
//! `alkstats pool` calls for it, and draw its figures with the plot functions that `alkstats
//! forest` and `alkstats funnel` use, all in memory. Nothing here formats numbers for people.
//!
//! The files: `inputs` reads the data files and lists their rows for the provenance table;
//! `figures` draws the figures of an analysis; this file runs the analyses and records the
//! command that reproduces each.

mod bias;
mod figures;
mod inputs;
mod metareg;
mod sensitivity;
mod user_data;

pub use bias::{BiasSection, Tested};
pub use figures::{Figure, FigureKind};
pub use inputs::{sha256_hex, Input, Role, SourceRow};
pub use metareg::MetaregSection;

use super::plan::{AnalysisPlan, AnalysisSpec, Plan};
use super::ReportError;
use crate::analysis::compare::compare_arms;
use crate::analysis::continuous::ContinuousStudyResult;
use crate::analysis::generic::GenericStudyResult;
use crate::analysis::group::Grouping;
use crate::analysis::hazard::pool_hazard_ratios;
use crate::analysis::median_pfs::pool_medians;
use crate::analysis::proportion::pool_proportions;
use crate::analysis::report::{
    ComparisonStudyResult, HazardStudyResult, MedianStudyResult, PoolReport, StudyResult,
};
use crate::analysis::sensitivity::{CumulativeReport, InfluenceReport};
use crate::analysis::AnalysisError;
use crate::data::{Arm, HrRow};
use crate::network::hr::{hr_network, NetworkReport};
use crate::network::NetworkError;
use figures::{draw, draw_network};
use inputs::{years, Loaded};
use serde::Serialize;
use std::path::Path;
use user_data::UserFiles;

/// The report of one analysis, whatever its outcome; serialised exactly as `alkstats pool
/// --format json` serialises it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnyReport {
    /// Response proportions.
    Orr(PoolReport<StudyResult>),
    /// Two-arm binary comparisons: response within the shipped trials (`orr-compare`) or a
    /// user's wide file (`binary`).
    TwoArm(PoolReport<ComparisonStudyResult>),
    /// Hazard ratios.
    Hr(PoolReport<HazardStudyResult>),
    /// Median PFS.
    Pfs(PoolReport<MedianStudyResult>),
    /// Two-arm continuous outcomes from a user's file.
    Continuous(PoolReport<ContinuousStudyResult>),
    /// Generic estimates from a user's file.
    Generic(PoolReport<GenericStudyResult>),
    /// A network meta-analysis, as `alkstats network --format json`.
    Network(Box<NetworkReport>),
    /// Small-study effects, as `alkstats bias --format json`.
    Bias(Box<BiasSection>),
    /// Leave-one-out and influence diagnostics, as `alkstats influence --format json`.
    Influence(Box<InfluenceReport>),
    /// Cumulative meta-analysis, as `alkstats cumulative --format json`.
    Cumulative(Box<CumulativeReport>),
    /// Meta-regression, as `alkstats metareg --format json`.
    Metareg(Box<MetaregSection>),
}

/// A `match` on an [`AnyReport`] whose first arm is `$body` with `$r` bound to the report of
/// a pooled analysis, whatever its outcome (each a `PoolReport` of its own study type); the
/// other arms follow as in a `match`.
macro_rules! with_pooled {
    ($report:expr, $r:ident => $body:expr, $($pat:pat => $arm:expr),+ $(,)?) => {
        match $report {
            $crate::report::run::AnyReport::Orr($r) => $body,
            $crate::report::run::AnyReport::TwoArm($r) => $body,
            $crate::report::run::AnyReport::Hr($r) => $body,
            $crate::report::run::AnyReport::Pfs($r) => $body,
            $crate::report::run::AnyReport::Continuous($r) => $body,
            $crate::report::run::AnyReport::Generic($r) => $body,
            $($pat => $arm),+
        }
    };
}
pub(crate) use with_pooled;

/// A run analysis: its report, figures, the data file it read and that file as the plan wrote it.
type Ran<'a> = (AnyReport, Vec<Figure>, Role, Option<&'a str>);

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

/// The earlier section `of` that section `a` examines (the plan checks that it exists).
fn examined<'a>(
    a: &AnalysisPlan,
    of: &str,
    earlier: &'a [Section],
) -> Result<&'a Section, ReportError> {
    earlier
        .iter()
        .find(|x| x.plan.id == of)
        .ok_or_else(|| ReportError::Internal(format!("analysis '{}': no section '{of}'", a.id)))
}

/// Section `a` examines `of`, which is not a pooled analysis (the plan checks that it is).
fn not_pooled(a: &AnalysisPlan, of: &str) -> ReportError {
    ReportError::Internal(format!(
        "analysis '{}': '{of}' is not a pooled analysis",
        a.id
    ))
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
    let uses_hr =
        |s: &AnalysisSpec| matches!(s.pooled(), AnalysisSpec::Hr(_) | AnalysisSpec::Network(_));
    let needs_hr = plan.analyses.iter().any(|a| uses_hr(&a.spec));
    let needs_arms = plan
        .analyses
        .iter()
        .any(|a| !uses_hr(&a.spec) && a.spec.user_file().is_none());
    let arms = Loaded::<Arm>::read_if(needs_arms, plan.data.arms.as_deref(), base)?;
    let hr = Loaded::<HrRow>::read_if(needs_hr, plan.data.hr.as_deref(), base)?;
    let mut sections = Vec::with_capacity(plan.analyses.len());
    let mut own = UserFiles::default();
    for a in &plan.analyses {
        let section = run_analysis(
            a,
            arms.as_ref(),
            hr.as_ref(),
            plan.dpi,
            &sections,
            base,
            &mut own,
        )?;
        sections.push(section);
    }
    let inputs = arms
        .as_ref()
        .map(Loaded::input)
        .into_iter()
        .chain(hr.as_ref().map(Loaded::input))
        .chain(own.inputs())
        .collect();
    Ok(RunResult {
        plan: plan.clone(),
        inputs,
        sections,
    })
}

/// Runs one analysis and draws its figures. The arms (or hazard ratios) are loaded by
/// [`run`] whenever an analysis of that kind is in the plan; a sensitivity section examines
/// one of the `earlier` sections.
fn run_analysis(
    a: &AnalysisPlan,
    arms: Option<&Loaded<Arm>>,
    hr: Option<&Loaded<HrRow>>,
    dpi: f64,
    earlier: &[Section],
    base: &Path,
    own: &mut UserFiles,
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
            let mut report =
                $pool(&data.rows, &data.headers, &data.name, s).map_err(analysis_err)?;
            report.shipped_data = data.written.is_none();
            if a.overall {
                report.show_overall();
            }
            let overall = if overall_needed {
                let mut none = s.clone();
                none.grouping = Grouping::None;
                let mut overall =
                    $pool(&data.rows, &data.headers, &data.name, &none).map_err(analysis_err)?;
                overall.shipped_data = report.shipped_data;
                Some(overall)
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
        AnalysisSpec::OrrCompare(s) => pooled!(TwoArm, s, arms, compare_arms, Role::Arms),
        AnalysisSpec::Hr(s) => pooled!(Hr, s, hr, pool_hazard_ratios, Role::Hr),
        AnalysisSpec::Pfs(s) => pooled!(Pfs, s, arms, pool_medians, Role::Arms),
        AnalysisSpec::Bias(b) => bias::run_bias(a, b, arms, hr, dpi)?,
        AnalysisSpec::Influence(_) | AnalysisSpec::Cumulative(_) | AnalysisSpec::Metareg(_) => {
            let (report, figures, role) = match &a.spec {
                AnalysisSpec::Metareg(s) => metareg::section(a, s, earlier, dpi)?,
                AnalysisSpec::Influence(s) | AnalysisSpec::Cumulative(s) => {
                    sensitivity::section(a, s, earlier, dpi)?
                }
                _ => return Err(ReportError::Internal(format!("analysis '{}'", a.id))),
            };
            let written = match role {
                Role::Arms => arms.and_then(|d| d.written.as_deref()),
                Role::Hr => hr.and_then(|d| d.written.as_deref()),
                Role::File(_) => a.spec.user_file().map(|f| f.path.as_str()),
            };
            (report, figures, role, written)
        }
        AnalysisSpec::Binary(_) | AnalysisSpec::Continuous(_) | AnalysisSpec::Generic(_) => {
            user_data::run_user(a, base, dpi, own)?
        }
        AnalysisSpec::Network(s) => {
            let data = hr.ok_or_else(missing)?;
            let report = hr_network(&data.rows, &data.name, s).map_err(|e| match e {
                NetworkError::Numerical(m) => {
                    ReportError::Internal(format!("analysis '{}': {m}", a.id))
                }
                source => ReportError::Network {
                    id: a.id.clone(),
                    source,
                },
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
        .chain(a.overall.then(|| "--overall".to_string()))
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
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("--by"), "--by");
        assert_eq!(shell_word("data/x.csv"), "data/x.csv");
        assert_eq!(shell_word("my column"), "'my column'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
