//! Sensitivity reports: leave-one-out with influence diagnostics and the Baujat coordinates,
//! and cumulative meta-analysis, for every group of a pooled analysis. They are what
//! `alkstats influence` and `alkstats cumulative` print (docs/json-contract.md) and what the
//! `influence` and `cumulative` sections of a report plan hold.
//!
//! Each group's methods run on the fitted model the pooled analysis kept
//! ([`Analysis::model`]), so they work for every outcome; a group without one (median of
//! medians) is reported with a warning and no rows.

use super::pipeline::group_prefix;
use super::report::{Analysis, PoolReport, PoolSettingsEcho};
use super::AnalysisError;
use crate::methods::baujat::{baujat, BaujatPoint};
use crate::methods::cumulative::{cumulative, CumulativeOrder};
use crate::methods::influence::{influence, InfluenceRow, RULE};
use crate::methods::leave_one_out::leave_one_out;
use crate::methods::refit::{PooledRow, RefitRow};
use crate::methods::{MethodError, PooledModel, Progress};
use crate::model::{Measure, Rma};
use serde::Serialize;

/// Settings echoed in a sensitivity report: those of the pooled analysis, and the method's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivitySettings {
    /// The pooled analysis' settings.
    #[serde(flatten)]
    pub pool: PoolSettingsEcho,
    /// The pooled model followed: `random` or `common`.
    pub model: PooledModel,
    /// Cumulative meta-analysis: the order the studies are added in, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

/// Leave-one-out and influence diagnostics of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfluenceAnalysis {
    /// Subgroup label; null without groups.
    pub group: Option<String>,
    /// Studies in the group's fit.
    pub k: usize,
    /// The model with every study; null without a fitted model.
    pub full: Option<PooledRow>,
    /// One row per study left out.
    pub leave_one_out: Vec<RefitRow>,
    /// metafor's `influence.rma.uni` diagnostics, one row per study; null where the model has
    /// none.
    pub influence: Option<Vec<InfluenceRow>>,
    /// The rule of the `influential` column.
    pub influence_rule: &'static str,
    /// The Baujat plot's coordinates.
    pub baujat: Vec<BaujatPoint>,
}

/// Cumulative meta-analysis of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativeAnalysis {
    /// Subgroup label; null without groups.
    pub group: Option<String>,
    /// Studies in the group's fit.
    pub k: usize,
    /// The model with every study; null without a fitted model.
    pub full: Option<PooledRow>,
    /// One row per study added, in order.
    pub cumulative: Vec<RefitRow>,
}

/// What the two kinds of analysis share: a group, its full model and one refit per study.
pub trait RefitAnalysis {
    /// Subgroup label.
    fn group(&self) -> Option<&str>;
    /// The model with every study.
    fn full(&self) -> Option<&PooledRow>;
    /// The refits: one per study left out, or added.
    fn refits(&self) -> &[RefitRow];
}

impl RefitAnalysis for InfluenceAnalysis {
    fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    fn full(&self) -> Option<&PooledRow> {
        self.full.as_ref()
    }
    fn refits(&self) -> &[RefitRow] {
        &self.leave_one_out
    }
}

impl RefitAnalysis for CumulativeAnalysis {
    fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    fn full(&self) -> Option<&PooledRow> {
        self.full.as_ref()
    }
    fn refits(&self) -> &[RefitRow] {
        &self.cumulative
    }
}

/// The whole output of a sensitivity analysis: `A` is [`InfluenceAnalysis`] or
/// [`CumulativeAnalysis`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityReport<A> {
    /// alkstats version.
    pub alkstats_version: String,
    /// "influence" or "cumulative".
    pub command: String,
    /// The outcome of the pooled analysis ("orr", "hr", "binary", …).
    pub outcome: String,
    /// The measure: renderers ask it for labels and scales.
    #[serde(skip)]
    pub measure: Measure,
    /// Whether the data are the shipped files (as [`PoolReport::shipped_data`]).
    #[serde(skip)]
    pub shipped_data: bool,
    /// Settings used.
    pub settings: SensitivitySettings,
    /// One entry per subgroup.
    pub analyses: Vec<A>,
    /// Everything the user should know: the pooled analysis' warnings, then the methods'.
    pub warnings: Vec<String>,
}

impl<A> SensitivityReport<A> {
    /// The labels of the measure, for the data analysed (as [`PoolReport::labels`]).
    pub fn labels(&self) -> crate::model::MeasureLabels {
        self.measure.labels_for(self.shipped_data)
    }
}

/// `alkstats influence`'s report.
pub type InfluenceReport = SensitivityReport<InfluenceAnalysis>;
/// `alkstats cumulative`'s report.
pub type CumulativeReport = SensitivityReport<CumulativeAnalysis>;

/// `report` with only the analysis of `group`: its warnings about the other groups (which
/// start with their names) go with them, and one group has no test for subgroup differences.
///
/// # Errors
/// [`AnalysisError::UnknownGroup`] naming the groups when `group` is not one of them.
pub fn select_group<S>(
    mut report: PoolReport<S>,
    group: &str,
) -> Result<PoolReport<S>, AnalysisError> {
    let names: Vec<String> = report
        .analyses
        .iter()
        .map(|a| a.group.clone().unwrap_or_else(|| "(all studies)".into()))
        .collect();
    let others: Vec<String> = names
        .iter()
        .filter(|&name| name != group)
        .map(|name| format!("{name}: "))
        .collect();
    report
        .analyses
        .retain(|a| a.group.as_deref() == Some(group));
    if report.analyses.is_empty() {
        return Err(AnalysisError::UnknownGroup {
            group: group.to_string(),
            by: report.settings.by.clone(),
            available: names.join(", "),
        });
    }
    report
        .warnings
        .retain(|w| !others.iter().any(|prefix| w.starts_with(prefix.as_str())));
    report.subgroup_test = None;
    Ok(report)
}

/// The fitted model of an analysis, or a warning that it has none.
fn model_of<'a, S>(a: &'a Analysis<S>, warnings: &mut Vec<String>) -> Option<&'a Rma> {
    let model = a.model.as_deref();
    if model.is_none() {
        warnings.push(format!(
            "{}no fitted model (the median of medians has no variances): sensitivity analyses \
             need an inverse-variance model, e.g. --method log-iv",
            group_prefix(a.group.as_deref())
        ));
    }
    model
}

/// Adds `more` to `warnings`, prefixed with the group.
fn extend(warnings: &mut Vec<String>, group: Option<&str>, more: Vec<String>) {
    let prefix = group_prefix(group);
    warnings.extend(more.into_iter().map(|w| format!("{prefix}{w}")));
}

fn report<S, A, E>(
    pool: &PoolReport<S>,
    command: &str,
    settings: SensitivitySettings,
    mut one: impl FnMut(&Analysis<S>, &mut Vec<String>) -> Result<A, E>,
) -> Result<SensitivityReport<A>, E> {
    let mut warnings = pool.warnings.clone();
    let analyses = pool
        .analyses
        .iter()
        .map(|a| one(a, &mut warnings))
        .collect::<Result<_, _>>()?;
    Ok(SensitivityReport {
        alkstats_version: crate::VERSION.to_string(),
        command: command.into(),
        outcome: pool.outcome.clone(),
        measure: pool.measure,
        shipped_data: pool.shipped_data,
        settings,
        analyses,
        warnings,
    })
}

/// Leave-one-out, influence diagnostics and Baujat coordinates of every group of `pool`.
pub fn influence_report<S>(
    pool: &PoolReport<S>,
    choice: PooledModel,
    progress: &dyn Progress,
) -> InfluenceReport {
    let settings = SensitivitySettings {
        pool: pool.settings.clone(),
        model: choice,
        order: None,
    };
    let result = report(pool, "influence", settings, |a, warnings| {
        let group = a.group.as_deref();
        let Some(model) = model_of(a, warnings) else {
            return Ok::<_, std::convert::Infallible>(InfluenceAnalysis {
                group: a.group.clone(),
                k: a.k,
                full: None,
                leave_one_out: Vec::new(),
                influence: None,
                influence_rule: RULE,
                baujat: Vec::new(),
            });
        };
        let loo = leave_one_out(model, choice, progress);
        let inf = influence(model, choice, progress);
        let points = baujat(model, choice, &loo);
        extend(warnings, group, loo.warnings);
        // With one study, leave-one-out's warning says all there is to say.
        if model.k() > 1 {
            extend(warnings, group, inf.warnings);
        }
        Ok(InfluenceAnalysis {
            group: a.group.clone(),
            k: model.k(),
            full: Some(loo.full),
            leave_one_out: loo.rows,
            influence: inf.rows,
            influence_rule: inf.rule,
            baujat: points,
        })
    });
    // Nothing in leave-one-out or influence fails as a whole.
    match result {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

/// Cumulative meta-analysis of every group of `pool`, adding studies in `order`.
///
/// # Errors
/// [`MethodError::UnknownOrderColumn`] when the studies have no such column.
pub fn cumulative_report<S>(
    pool: &PoolReport<S>,
    choice: PooledModel,
    order: &CumulativeOrder,
    progress: &dyn Progress,
) -> Result<CumulativeReport, MethodError> {
    let settings = SensitivitySettings {
        pool: pool.settings.clone(),
        model: choice,
        order: Some(order.describe()),
    };
    report(pool, "cumulative", settings, |a, warnings| {
        let Some(model) = model_of(a, warnings) else {
            return Ok(CumulativeAnalysis {
                group: a.group.clone(),
                k: a.k,
                full: None,
                cumulative: Vec::new(),
            });
        };
        let c = cumulative(model, choice, order, progress)?;
        extend(warnings, a.group.as_deref(), c.warnings);
        Ok(CumulativeAnalysis {
            group: a.group.clone(),
            k: model.k(),
            full: Some(c.full),
            cumulative: c.rows,
        })
    })
}
