//! The analysis plan of `alkstats report`: a TOML file read with serde in two stages, as the
//! command line is. [`RawPlan`] mirrors the file (every table rejects unknown keys, and every
//! value keeps its place in the file); [`Plan::parse`] validates it into typed settings — the
//! same settings structs `alkstats pool` builds from its flags — so that a wrong value or a key
//! that does not apply to an analysis is reported with the file, line and column.
//!
//! # Schema
//! ```toml
//! title = "ALK-positive NSCLC"          # required: the report's title
//! summary = "One paragraph."            # optional: shown under the title
//!
//! [data]                                # optional; default: the data embedded in alkstats
//! arms = "data/alk_nsclc_arms.csv"      # trial arms (orr, orr-compare, pfs); relative paths
//! hr = "data/alk_nsclc_hr.csv"          # hazard ratios (hr)      are read from the plan's folder
//!
//! [settings]                            # optional defaults, used where an analysis takes them
//! method_tau = "REML"                   # REML, DL, ML, PM, HE, SJ, EB, HS
//! random_ci = "classic"                 # classic, hk, hk-adhoc
//! prediction = "t"                      # t, hts, z, none
//! level = 0.95
//! keep_overlapping = false
//!
//! [figures]                             # optional
//! dpi = 100                             # PNG resolution (SVG pixel size)
//!
//! [[analysis]]                          # one table per analysis, in report order
//! id = "orr_by_drug"                    # required, unique; names the figure files
//! kind = "orr"                          # required: orr, orr-compare, hr, pfs
//! title = "Objective response rate"     # optional: derived from the kind
//! by = "drug"                           # subgroup column or "none" (default per kind)
//! # any key of [settings] overrides the default for this analysis; then, by kind:
//! # orr:          sm, ci_study, incr
//! # orr-compare:  measure (RR, OR, RD), method (IV, MH, MH-cc, Peto), incr
//! # hr:           endpoint (pfs, os)
//! # pfs:          method (log-iv, mm, wm)
//! forest = true                         # forest plot (PNG and SVG); default true
//! forest_sort = "input"                 # input, estimate, year, weight
//! forest_model = "both"                 # both, random, common
//! funnel = false                        # funnel plot of all studies; default false
//!
//! [[analysis]]                          # a network meta-analysis (`alkstats network`)
//! id = "network_pfs"
//! kind = "network"
//! endpoint = "pfs"                      # pfs, os
//! reference = "chemotherapy"            # default: chemotherapy, else the most studied
//! model = "random"                      # random, common
//! setting = "first-line"                # only rows of this setting; default: all rows
//! small_values = "good"                 # good (HR < 1 favours the treatment), bad
//! # method_tau (REML or DL), level, keep_overlapping as above; by, random_ci,
//! # prediction and the forest_* / funnel keys do not apply
//! forest = true                         # every treatment against the reference
//! graph = true                          # the network graph
//! ```
//! Values are spelled as on the command line (`alkstats pool --help`), case-insensitively.

use super::ReportError;
use crate::analysis::compare::{CompareMethod, CompareSettings, COMPARISON};
use crate::analysis::group::Grouping;
use crate::analysis::hazard::HazardSettings;
use crate::analysis::median_pfs::{MedianMethod, MedianSettings};
use crate::analysis::proportion::ProportionSettings;
use crate::data::arms::normalise_drug;
use crate::effect::two_arm::TwoArmMeasure;
use crate::network::hr::HrNetworkSettings;
use crate::network::settings::EffectScale;
use crate::network::{NetworkModel, NetworkSettings, SmallValues};
use crate::plot::forest::{Models, SortOrder};
use crate::settings::{
    Endpoint, FitSettings, Level, PredictionMethod, ProportionMeasure, RandomCi, StudyCi, TauMethod,
};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use toml::Spanned;

/// The plan schema in brief, for `alkstats report --help`.
pub const SCHEMA_HELP: &str = "\
Plan file (TOML; unknown or misplaced keys are errors naming their line):
  title = \"…\"                       required; summary = \"…\" optional
  [data] arms = \"…\", hr = \"…\"       CSV files relative to the plan's folder (default: embedded)
  [settings]                        defaults where they apply: method_tau, random_ci,
                                    prediction, level, keep_overlapping
  [figures] dpi = 100
  [[analysis]]                      one per analysis, in report order
    id = \"…\", kind = \"…\"            kind: orr, orr-compare, hr, pfs, network
    title, by, and any [settings] key
    orr: sm, ci_study, incr         orr-compare: measure, method, incr
    hr: endpoint                    pfs: method
    forest (true), forest_sort, forest_model, funnel (false)
    network: endpoint, reference, model, setting, small_values, forest, graph
             (and method_tau REML|DL, level, keep_overlapping)
Values are spelled as the flags of `alkstats pool` and `alkstats network`.
Example: reports/alk_review.toml (the embedded plan).";

/// The plan file as written. Unknown keys are errors (`deny_unknown_fields`), located by toml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    title: Spanned<String>,
    summary: Option<String>,
    data: Option<RawData>,
    settings: Option<RawShared>,
    figures: Option<RawFigures>,
    #[serde(default)]
    analysis: Vec<Spanned<RawAnalysis>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    arms: Option<Spanned<String>>,
    hr: Option<Spanned<String>>,
}

/// Settings that `[settings]` gives every analysis and an `[[analysis]]` may override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShared {
    method_tau: Option<Spanned<String>>,
    random_ci: Option<Spanned<String>>,
    prediction: Option<Spanned<String>>,
    level: Option<Spanned<f64>>,
    keep_overlapping: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigures {
    dpi: Option<Spanned<f64>>,
}

// serde's `flatten` cannot be combined with `deny_unknown_fields`, so the shared keys are
// repeated here rather than flattened from `RawShared`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalysis {
    id: Spanned<String>,
    kind: Spanned<String>,
    title: Option<String>,
    by: Option<Spanned<String>>,
    method_tau: Option<Spanned<String>>,
    random_ci: Option<Spanned<String>>,
    prediction: Option<Spanned<String>>,
    level: Option<Spanned<f64>>,
    keep_overlapping: Option<Spanned<bool>>,
    sm: Option<Spanned<String>>,
    ci_study: Option<Spanned<String>>,
    incr: Option<Spanned<f64>>,
    measure: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    forest: Option<Spanned<bool>>,
    forest_sort: Option<Spanned<String>>,
    forest_model: Option<Spanned<String>>,
    funnel: Option<Spanned<bool>>,
    reference: Option<Spanned<String>>,
    model: Option<Spanned<String>>,
    setting: Option<Spanned<String>>,
    small_values: Option<Spanned<String>>,
    graph: Option<Spanned<bool>>,
}

/// The kinds of analysis a plan can ask for; each is one `alkstats pool` or `alkstats network`
/// invocation. A new kind needs a variant here and in [`AnalysisSpec`], a branch in
/// `super::run::run_analysis`, its view in `super::render` and its paragraph in
/// `super::methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisKind {
    /// Single-arm response proportions (`pool --outcome orr`).
    Orr,
    /// Two-arm response comparisons within randomized trials (`pool --outcome orr --compare`).
    OrrCompare,
    /// Hazard ratios (`pool --outcome hr`).
    Hr,
    /// Median progression-free survival (`pool --outcome pfs`).
    Pfs,
    /// Network meta-analysis of hazard ratios with P-score ranking (`network --outcome hr`).
    Network,
}

impl AnalysisKind {
    /// Every kind, in the order listed in messages.
    pub const ALL: [AnalysisKind; 5] = [
        AnalysisKind::Orr,
        AnalysisKind::OrrCompare,
        AnalysisKind::Hr,
        AnalysisKind::Pfs,
        AnalysisKind::Network,
    ];

    /// The plan spelling, which is also the `outcome` field of the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisKind::Orr => "orr",
            AnalysisKind::OrrCompare => "orr-compare",
            AnalysisKind::Hr => "hr",
            AnalysisKind::Pfs => "pfs",
            AnalysisKind::Network => "network",
        }
    }

    /// The optional keys of `[[analysis]]` this kind takes (besides id, kind and title).
    fn keys(self) -> &'static [&'static str] {
        match self {
            AnalysisKind::Orr => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "sm",
                "ci_study",
                "incr",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
            ],
            AnalysisKind::OrrCompare => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "measure",
                "method",
                "incr",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
            ],
            AnalysisKind::Hr => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "endpoint",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
            ],
            AnalysisKind::Pfs => &[
                "by",
                "method_tau",
                "random_ci",
                "prediction",
                "level",
                "keep_overlapping",
                "method",
                "forest",
                "forest_sort",
                "forest_model",
                "funnel",
            ],
            AnalysisKind::Network => &[
                "method_tau",
                "level",
                "keep_overlapping",
                "endpoint",
                "reference",
                "model",
                "setting",
                "small_values",
                "forest",
                "graph",
            ],
        }
    }

    fn default_title(self, by: Option<&Grouping>) -> String {
        let what = match self {
            AnalysisKind::Orr => "Objective response rate",
            AnalysisKind::OrrCompare => "Response in randomized comparisons",
            AnalysisKind::Hr => "Hazard ratios",
            AnalysisKind::Pfs => "Median progression-free survival",
            AnalysisKind::Network => "Network meta-analysis of hazard ratios",
        };
        match by {
            Some(Grouping::Column(c)) => format!("{what} by {c}"),
            _ => what.to_string(),
        }
    }
}

impl fmt::Display for AnalysisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AnalysisKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_ascii_lowercase();
        AnalysisKind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| {
                let names: Vec<&str> = AnalysisKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "invalid analysis kind '{s}': expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The statistics of one analysis: the settings struct of the library function that runs it.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisSpec {
    /// [`crate::analysis::proportion::pool_proportions`].
    Orr(ProportionSettings),
    /// [`crate::analysis::compare::compare_arms`].
    OrrCompare(CompareSettings),
    /// [`crate::analysis::hazard::pool_hazard_ratios`].
    Hr(HazardSettings),
    /// [`crate::analysis::median_pfs::pool_medians`].
    Pfs(MedianSettings),
    /// [`crate::network::hr::hr_network`].
    Network(HrNetworkSettings),
}

impl AnalysisSpec {
    /// The kind of analysis.
    pub fn kind(&self) -> AnalysisKind {
        match self {
            AnalysisSpec::Orr(_) => AnalysisKind::Orr,
            AnalysisSpec::OrrCompare(_) => AnalysisKind::OrrCompare,
            AnalysisSpec::Hr(_) => AnalysisKind::Hr,
            AnalysisSpec::Pfs(_) => AnalysisKind::Pfs,
            AnalysisSpec::Network(_) => AnalysisKind::Network,
        }
    }

    /// The pairwise model settings; `None` for a network.
    pub fn fit(&self) -> Option<&FitSettings> {
        match self {
            AnalysisSpec::Orr(s) => Some(&s.fit),
            AnalysisSpec::OrrCompare(s) => Some(&s.fit),
            AnalysisSpec::Hr(s) => Some(&s.fit),
            AnalysisSpec::Pfs(s) => Some(&s.fit),
            AnalysisSpec::Network(_) => None,
        }
    }

    /// The subgroups; `None` for a network.
    pub fn grouping(&self) -> Option<&Grouping> {
        match self {
            AnalysisSpec::Orr(s) => Some(&s.grouping),
            AnalysisSpec::OrrCompare(s) => Some(&s.grouping),
            AnalysisSpec::Hr(s) => Some(&s.grouping),
            AnalysisSpec::Pfs(s) => Some(&s.grouping),
            AnalysisSpec::Network(_) => None,
        }
    }

    /// Whether rows sharing patients with others are included.
    pub fn keep_overlapping(&self) -> bool {
        match self {
            AnalysisSpec::Orr(s) => s.keep_overlapping,
            AnalysisSpec::OrrCompare(s) => s.keep_overlapping,
            AnalysisSpec::Hr(s) => s.keep_overlapping,
            AnalysisSpec::Pfs(s) => s.keep_overlapping,
            AnalysisSpec::Network(s) => s.keep_overlapping,
        }
    }

    /// The `alkstats` arguments (from the subcommand on) that print this analysis, every
    /// setting spelled out; `data` is the `--data` path when the data is not the embedded file.
    pub fn command_args(&self, data: Option<&str>) -> Vec<String> {
        fn flag(a: &mut Vec<String>, name: &str, value: impl ToString) {
            a.push(name.to_string());
            a.push(value.to_string());
        }
        let mut a: Vec<String> = vec![if self.kind() == AnalysisKind::Network {
            "network".into()
        } else {
            "pool".into()
        }];
        match self {
            AnalysisSpec::Network(s) => {
                let n = &s.network;
                flag(&mut a, "--outcome", "hr");
                flag(&mut a, "--endpoint", s.endpoint);
                if let Some(r) = &n.reference {
                    flag(&mut a, "--reference", r);
                }
                flag(&mut a, "--model", n.model);
                flag(&mut a, "--method-tau", n.method_tau);
                if let Some(v) = &s.setting {
                    flag(&mut a, "--setting", v);
                }
                flag(&mut a, "--small-values", n.small_values);
                flag(&mut a, "--level", n.level.get());
                if s.keep_overlapping {
                    a.push("--keep-overlapping".into());
                }
                if let Some(d) = data {
                    flag(&mut a, "--data", d);
                }
                return a;
            }
            AnalysisSpec::Orr(s) => {
                flag(&mut a, "--outcome", "orr");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--sm", s.sm);
                flag(&mut a, "--ci-study", s.ci_study);
                flag(&mut a, "--incr", s.incr);
            }
            AnalysisSpec::OrrCompare(s) => {
                flag(&mut a, "--outcome", "orr");
                a.push("--compare".into());
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--measure", s.measure);
                flag(&mut a, "--method", s.method);
                flag(&mut a, "--incr", s.incr);
            }
            AnalysisSpec::Hr(s) => {
                flag(&mut a, "--outcome", "hr");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--endpoint", s.endpoint);
            }
            AnalysisSpec::Pfs(s) => {
                flag(&mut a, "--outcome", "pfs");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--method", s.method);
            }
        }
        let fit = self.fit().copied().unwrap_or_default();
        flag(&mut a, "--method-tau", fit.method_tau);
        flag(&mut a, "--random-ci", fit.random_ci);
        flag(&mut a, "--prediction", fit.prediction);
        flag(&mut a, "--level", fit.level.get());
        if self.keep_overlapping() {
            a.push("--keep-overlapping".into());
        }
        if let Some(d) = data {
            flag(&mut a, "--data", d);
        }
        a
    }
}

/// Figures of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct FigurePlan {
    /// Draw the forest plot.
    pub forest: bool,
    /// Row order of the forest plot.
    pub forest_sort: SortOrder,
    /// Pooled models on the forest plot.
    pub forest_model: Models,
    /// Draw the funnel plot of all studies.
    pub funnel: bool,
    /// Draw the network graph (network analyses).
    pub graph: bool,
}

/// One validated `[[analysis]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPlan {
    /// Unique identifier, safe as a file name.
    pub id: String,
    /// Heading in the report.
    pub title: String,
    /// What to compute.
    pub spec: AnalysisSpec,
    /// What to draw.
    pub figures: FigurePlan,
}

/// A validated plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Name of the plan in messages and provenance (a path, or the embedded plan's name).
    pub name: String,
    /// The plan's text, recorded in the manifest.
    pub text: String,
    /// Report title.
    pub title: String,
    /// Introductory paragraph.
    pub summary: Option<String>,
    /// Arms file as written in the plan (relative to the plan's folder); `None` = embedded.
    pub arms: Option<String>,
    /// Hazard-ratio file as written; `None` = embedded.
    pub hr: Option<String>,
    /// PNG resolution.
    pub dpi: f64,
    /// The analyses, in report order.
    pub analyses: Vec<AnalysisPlan>,
}

/// Locates a byte span of `text` as a 1-based (line, column).
fn line_col(text: &str, span: &Range<usize>) -> (usize, usize) {
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ReportError {
        let (line, column) = line_col(self.text, span);
        ReportError::Plan {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn parse<T: FromStr<Err: fmt::Display>>(
        &self,
        key: &str,
        v: &Spanned<String>,
    ) -> Result<T, ReportError> {
        v.get_ref()
            .parse()
            .map_err(|e: T::Err| self.error(&v.span(), format!("{key}: {e}")))
    }
}

fn level(ctx: &Ctx<'_>, v: &Spanned<f64>) -> Result<Level, ReportError> {
    Level::new(*v.get_ref()).map_err(|e| ctx.error(&v.span(), format!("level: {e}")))
}

/// Shared settings after `[settings]`, before per-analysis overrides.
struct Shared {
    fit: FitSettings,
    keep_overlapping: bool,
    /// Where `[settings]` set method_tau, to locate an estimator a network cannot use.
    method_tau_span: Option<Range<usize>>,
}

fn shared(ctx: &Ctx<'_>, raw: &RawShared) -> Result<Shared, ReportError> {
    let mut fit = FitSettings::default();
    if let Some(v) = &raw.method_tau {
        fit.method_tau = ctx.parse::<TauMethod>("method_tau", v)?;
    }
    if let Some(v) = &raw.random_ci {
        fit.random_ci = ctx.parse::<RandomCi>("random_ci", v)?;
    }
    if let Some(v) = &raw.prediction {
        fit.prediction = ctx.parse::<PredictionMethod>("prediction", v)?;
    }
    if let Some(v) = &raw.level {
        fit.level = level(ctx, v)?;
    }
    Ok(Shared {
        fit,
        keep_overlapping: raw.keep_overlapping.unwrap_or(false),
        method_tau_span: raw.method_tau.as_ref().map(Spanned::span),
    })
}

fn incr(ctx: &Ctx<'_>, v: Option<&Spanned<f64>>) -> Result<f64, ReportError> {
    match v {
        None => Ok(0.5),
        Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 => Ok(*v.get_ref()),
        Some(v) => Err(ctx.error(
            &v.span(),
            format!(
                "incr: {} is not allowed; expected a non-negative number such as 0.5",
                v.get_ref()
            ),
        )),
    }
}

/// Spans of the optional keys an `[[analysis]]` sets, by name.
fn present_keys(r: &RawAnalysis) -> Vec<(&'static str, Range<usize>)> {
    fn span<T>(v: &Option<Spanned<T>>) -> Option<Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    let all = [
        ("by", span(&r.by)),
        ("method_tau", span(&r.method_tau)),
        ("random_ci", span(&r.random_ci)),
        ("prediction", span(&r.prediction)),
        ("level", span(&r.level)),
        ("keep_overlapping", span(&r.keep_overlapping)),
        ("sm", span(&r.sm)),
        ("ci_study", span(&r.ci_study)),
        ("incr", span(&r.incr)),
        ("measure", span(&r.measure)),
        ("method", span(&r.method)),
        ("endpoint", span(&r.endpoint)),
        ("forest", span(&r.forest)),
        ("forest_sort", span(&r.forest_sort)),
        ("forest_model", span(&r.forest_model)),
        ("funnel", span(&r.funnel)),
        ("reference", span(&r.reference)),
        ("model", span(&r.model)),
        ("setting", span(&r.setting)),
        ("small_values", span(&r.small_values)),
        ("graph", span(&r.graph)),
    ];
    all.into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect()
}

fn opt<T: FromStr<Err: fmt::Display>>(
    ctx: &Ctx<'_>,
    key: &str,
    v: &Option<Spanned<String>>,
    default: T,
) -> Result<T, ReportError> {
    v.as_ref().map_or(Ok(default), |v| ctx.parse(key, v))
}

fn flag(v: &Option<Spanned<bool>>, default: bool) -> bool {
    v.as_ref().map_or(default, |b| *b.get_ref())
}

fn analysis(
    ctx: &Ctx<'_>,
    raw: &Spanned<RawAnalysis>,
    defaults: &Shared,
) -> Result<AnalysisPlan, ReportError> {
    let r = raw.get_ref();
    let kind: AnalysisKind = ctx.parse("kind", &r.kind)?;
    let id = r.id.get_ref().clone();
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !id_ok {
        return Err(ctx.error(
            &r.id.span(),
            format!("id: '{id}' cannot name files; expected letters, digits, '_' or '-', such as orr_by_drug"),
        ));
    }
    // Reject keys the kind does not use, where they would otherwise be silently ignored.
    for (key, span) in present_keys(r) {
        if !kind.keys().contains(&key) {
            return Err(ctx.error(
                &span,
                format!(
                    "analysis '{id}': key '{key}' does not apply to kind '{kind}'; kind '{kind}' takes: \
                     id, kind, title, {}",
                    kind.keys().join(", ")
                ),
            ));
        }
    }
    let mut fit = defaults.fit;
    fit.method_tau = opt(ctx, "method_tau", &r.method_tau, fit.method_tau)?;
    fit.random_ci = opt(ctx, "random_ci", &r.random_ci, fit.random_ci)?;
    fit.prediction = opt(ctx, "prediction", &r.prediction, fit.prediction)?;
    if let Some(v) = &r.level {
        fit.level = level(ctx, v)?;
    }
    let keep_overlapping = flag(&r.keep_overlapping, defaults.keep_overlapping);
    let default_by = match kind {
        AnalysisKind::Orr | AnalysisKind::Pfs => "drug",
        _ => COMPARISON,
    };
    let grouping = Grouping::from_arg(r.by.as_ref().map_or(default_by, |b| b.get_ref().as_str()));
    let spec = match kind {
        AnalysisKind::Orr => AnalysisSpec::Orr(ProportionSettings {
            sm: opt(ctx, "sm", &r.sm, ProportionMeasure::Plogit)?,
            fit,
            ci_study: opt(ctx, "ci_study", &r.ci_study, StudyCi::ClopperPearson)?,
            incr: incr(ctx, r.incr.as_ref())?,
            grouping,
            keep_overlapping,
        }),
        AnalysisKind::OrrCompare => {
            let measure = opt(ctx, "measure", &r.measure, TwoArmMeasure::Rr)?;
            let method = opt(ctx, "method", &r.method, CompareMethod::Mh)?;
            if method == CompareMethod::Peto && measure != TwoArmMeasure::Or {
                let span = r.method.as_ref().map_or(r.kind.span(), Spanned::span);
                return Err(ctx.error(
                    &span,
                    format!("method: Peto estimates an odds ratio; expected measure = \"OR\" (found {measure})"),
                ));
            }
            AnalysisSpec::OrrCompare(CompareSettings {
                measure,
                method,
                fit,
                incr: incr(ctx, r.incr.as_ref())?,
                grouping,
                keep_overlapping,
            })
        }
        AnalysisKind::Hr => AnalysisSpec::Hr(HazardSettings {
            fit,
            endpoint: opt(ctx, "endpoint", &r.endpoint, Endpoint::Pfs)?,
            grouping,
            keep_overlapping,
        }),
        AnalysisKind::Pfs => AnalysisSpec::Pfs(MedianSettings {
            method: opt(ctx, "method", &r.method, MedianMethod::LogIv)?,
            fit,
            grouping,
            keep_overlapping,
        }),
        AnalysisKind::Network => {
            let network = NetworkSettings {
                model: opt(ctx, "model", &r.model, NetworkModel::Random)?,
                method_tau: fit.method_tau,
                reference: r.reference.as_ref().map(|v| normalise_drug(v.get_ref())),
                small_values: opt(ctx, "small_values", &r.small_values, SmallValues::Good)?,
                level: fit.level,
                scale: EffectScale::LogRatio,
            };
            if let Err(e) = network.validate() {
                let span = r
                    .method_tau
                    .as_ref()
                    .map(Spanned::span)
                    .or_else(|| defaults.method_tau_span.clone())
                    .unwrap_or(r.kind.span());
                return Err(ctx.error(&span, format!("analysis '{id}': {e}")));
            }
            AnalysisSpec::Network(HrNetworkSettings {
                network,
                endpoint: opt(ctx, "endpoint", &r.endpoint, Endpoint::Pfs)?,
                setting: r.setting.as_ref().map(|v| v.get_ref().clone()),
                keep_overlapping,
            })
        }
    };
    let figures = FigurePlan {
        forest: flag(&r.forest, true),
        forest_sort: opt(ctx, "forest_sort", &r.forest_sort, SortOrder::Input)?,
        forest_model: opt(ctx, "forest_model", &r.forest_model, Models::Both)?,
        funnel: flag(&r.funnel, false),
        graph: flag(&r.graph, kind == AnalysisKind::Network),
    };
    Ok(AnalysisPlan {
        id,
        title: r
            .title
            .clone()
            .unwrap_or_else(|| kind.default_title(spec.grouping())),
        spec,
        figures,
    })
}

fn path_value(
    ctx: &Ctx<'_>,
    key: &str,
    v: &Option<Spanned<String>>,
) -> Result<Option<String>, ReportError> {
    match v {
        Some(p) if p.get_ref().trim().is_empty() => Err(ctx.error(
            &p.span(),
            format!("data.{key}: empty path; expected a CSV file, or leave the key out for the embedded data"),
        )),
        Some(p) => Ok(Some(p.get_ref().clone())),
        None => Ok(None),
    }
}

impl Plan {
    /// Parses and validates a plan. `name` is used in messages and provenance.
    ///
    /// # Errors
    /// [`ReportError::Plan`] naming the file, line and column: TOML syntax, an unknown key
    /// (with the keys expected), a value outside its choices, a key that does not apply to an
    /// analysis' kind, a duplicate id, or a plan without analyses.
    pub fn parse(name: &str, text: &str) -> Result<Plan, ReportError> {
        let ctx = Ctx { name, text };
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ctx.error(&span, e.message().trim().to_string())
        })?;
        let defaults = shared(&ctx, raw.settings.as_ref().unwrap_or(&RawShared::default()))?;
        if raw.analysis.is_empty() {
            return Err(ctx.error(
                &(text.len()..text.len()),
                "the plan has no [[analysis]] table; expected at least one, e.g. [[analysis]] id = \"orr\" kind = \"orr\"",
            ));
        }
        let mut analyses: Vec<AnalysisPlan> = Vec::with_capacity(raw.analysis.len());
        for a in &raw.analysis {
            let plan = analysis(&ctx, a, &defaults)?;
            if analyses.iter().any(|p| p.id == plan.id) {
                return Err(ctx.error(
                    &a.get_ref().id.span(),
                    format!(
                        "id: '{}' is used by an earlier analysis; expected unique ids",
                        plan.id
                    ),
                ));
            }
            analyses.push(plan);
        }
        let (arms, hr) = match &raw.data {
            Some(d) => (
                path_value(&ctx, "arms", &d.arms)?,
                path_value(&ctx, "hr", &d.hr)?,
            ),
            None => (None, None),
        };
        let dpi = match raw.figures.as_ref().and_then(|f| f.dpi.as_ref()) {
            Some(v) if v.get_ref().is_finite() && (30.0..=1200.0).contains(v.get_ref()) => {
                *v.get_ref()
            }
            Some(v) => {
                return Err(ctx.error(
                    &v.span(),
                    format!(
                        "figures.dpi: {} is out of range; expected a number from 30 to 1200",
                        v.get_ref()
                    ),
                ))
            }
            None => 100.0,
        };
        if raw.title.get_ref().trim().is_empty() {
            return Err(ctx.error(
                &raw.title.span(),
                "title: empty; expected the report's title",
            ));
        }
        Ok(Plan {
            name: name.to_string(),
            text: text.to_string(),
            title: raw.title.into_inner(),
            summary: raw.summary,
            arms,
            hr,
            dpi,
            analyses,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title = \"T\"\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\n";

    fn err(text: &str) -> String {
        Plan::parse("p.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn minimal_plan_gets_the_pool_defaults() {
        let p = Plan::parse("p.toml", MINIMAL).unwrap();
        assert_eq!(p.analyses.len(), 1);
        assert_eq!(
            p.analyses[0].spec,
            AnalysisSpec::Orr(ProportionSettings::default())
        );
        assert_eq!(p.analyses[0].title, "Objective response rate by drug");
        assert!(p.analyses[0].figures.forest && !p.analyses[0].figures.funnel);
        assert_eq!(p.dpi, 100.0);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let e = err(&format!("{MINIMAL}colour = \"red\"\n"));
        assert!(e.starts_with("p.toml:5:1: "), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn unknown_top_level_table_is_rejected() {
        let e = err(&format!("{MINIMAL}[output]\nx = 1\n"));
        assert!(e.starts_with("p.toml:5:"), "{e}");
        assert!(e.contains("output"), "{e}");
    }

    #[test]
    fn key_of_another_kind_is_rejected_where_it_is() {
        let text = "title = \"T\"\n[[analysis]]\nid = \"h\"\nkind = \"hr\"\nsm = \"PFT\"\n";
        let e = err(text);
        assert!(e.starts_with("p.toml:5:6: "), "{e}");
        assert!(
            e.contains("'sm' does not apply to kind 'hr'; kind 'hr' takes: id, kind, title, by,"),
            "{e}"
        );
    }

    #[test]
    fn bad_value_lists_the_choices() {
        let e = err(&MINIMAL.replace("kind = \"orr\"", "kind = \"orr\"\nmethod_tau = \"XX\""));
        assert!(e.starts_with("p.toml:5:14: method_tau: invalid"), "{e}");
        assert!(e.contains("REML"), "{e}");
    }

    #[test]
    fn unknown_kind_lists_the_kinds() {
        let e = err(&MINIMAL.replace("\"orr\"\n", "\"nma\"\n"));
        assert!(
            e.contains(
                "invalid analysis kind 'nma': expected one of orr, orr-compare, hr, pfs, network"
            ),
            "{e}"
        );
    }

    #[test]
    fn network_takes_its_own_keys_and_rejects_pooling_ones() {
        let text = "title = \"T\"\n[[analysis]]\nid = \"n\"\nkind = \"network\"\n\
                    reference = \"AP26113\"\nsetting = \"first-line\"\nmodel = \"common\"\n";
        let p = Plan::parse("p.toml", text).unwrap();
        let AnalysisSpec::Network(s) = &p.analyses[0].spec else {
            panic!("not a network: {:?}", p.analyses[0].spec)
        };
        assert_eq!(s.network.reference.as_deref(), Some("brigatinib"));
        assert_eq!(s.network.model, NetworkModel::Common);
        assert!(p.analyses[0].figures.graph && p.analyses[0].figures.forest);
        assert_eq!(
            p.analyses[0].spec.command_args(None).join(" "),
            "network --outcome hr --endpoint pfs --reference brigatinib --model common \
             --method-tau REML --setting first-line --small-values good --level 0.95"
        );
        let e = err(&format!("{text}by = \"drug\"\n"));
        assert!(
            e.starts_with("p.toml:8:6: analysis 'n': key 'by' does not apply to kind 'network'"),
            "{e}"
        );
        let e = err(&text.replace("model = \"common\"", "method_tau = \"PM\""));
        assert!(
            e.starts_with("p.toml:7:14: analysis 'n': --method-tau PM"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_ids_and_bad_ids_are_rejected() {
        let e = err(&format!(
            "{MINIMAL}[[analysis]]\nid = \"a\"\nkind = \"pfs\"\n"
        ));
        assert!(e.starts_with("p.toml:6:6: id: 'a' is used"), "{e}");
        let e = err(&MINIMAL.replace("id = \"a\"", "id = \"../x\""));
        assert!(e.contains("cannot name files"), "{e}");
    }

    #[test]
    fn shared_settings_apply_unless_overridden() {
        let text = "title = \"T\"\n[settings]\nmethod_tau = \"DL\"\nlevel = 0.9\n\
                    [[analysis]]\nid = \"a\"\nkind = \"pfs\"\n\
                    [[analysis]]\nid = \"b\"\nkind = \"hr\"\nmethod_tau = \"PM\"\nendpoint = \"os\"\n";
        let p = Plan::parse("p.toml", text).unwrap();
        assert_eq!(p.analyses[0].spec.fit().unwrap().method_tau, TauMethod::Dl);
        assert_eq!(p.analyses[1].spec.fit().unwrap().method_tau, TauMethod::Pm);
        assert_eq!(p.analyses[1].spec.fit().unwrap().level.get(), 0.9);
        assert_eq!(
            p.analyses[1].spec.command_args(None).join(" "),
            "pool --outcome hr --by comparison --endpoint os --method-tau PM --random-ci classic \
             --prediction t --level 0.9"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = err("title = \"T\"\n[[analysis]\n");
        assert!(e.starts_with("p.toml:2:"), "{e}");
    }
}
