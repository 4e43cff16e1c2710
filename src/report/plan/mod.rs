//! The analysis plan of `alkstats report`: a TOML file read with serde in two stages, as the
//! command line is. `RawPlan` mirrors the file (every table rejects unknown keys, and every
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
//! kind = "orr"                          # required: orr, orr-compare, hr, pfs, network, bias
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
//! overall = false                       # the result across groups even when they are
//!                                       # treatments or comparisons (pool --overall)
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
//!
//! [[analysis]]                          # small-study effects (`alkstats bias`)
//! id = "orr_crizotinib_bias"
//! kind = "bias"
//! outcome = "orr"                       # required: orr, orr-compare, hr or pfs, with its keys
//! group = "crizotinib"                  # one subgroup of `by`; default: every group
//! tests = ["egger", "begg", "trimfill"] # default: every asymmetry test that applies, trimfill
//! k_min = 10                            # fewest studies for the asymmetry tests
//! estimator = "L0"                      # trim-and-fill: L0, R0; also side, selection_alternative
//! funnel = true                         # the trim-and-fill funnel plot; default true
//!
//! [[analysis]]                          # sensitivity of an earlier pooled analysis
//! id = "orr_crizotinib_influence"
//! kind = "influence"                    # influence (leave-one-out) or cumulative
//! of = "orr_by_drug"                    # required: the id of an earlier orr, orr-compare,
//!                                       # hr or pfs analysis (its data and settings are used)
//! group = "crizotinib"                  # one subgroup of it; default: every group
//! model = "random"                      # random, common
//! forest = true                         # leave-one-out (cumulative) forest; default true
//! baujat = true                         # influence, one group: Baujat plot; default false
//! influence_plot = true                 # influence, one group: diagnostics' panels
//! # cumulative: order = "year" (a column; default file order), decreasing = false
//!
//! [[analysis]]                          # meta-regression of an earlier pooled analysis
//! id = "orr_crizotinib_year"
//! kind = "metareg"
//! of = "orr_by_drug"                    # required: the id of an earlier pooled analysis
//! group = "crizotinib"                  # required when it has groups: one subgroup of it
//! mods = ["year"]                       # required: moderator columns
//! ref = { setting = "first-line" }      # reference levels of categorical moderators
//! model = "random"                      # random (mixed-effects), common
//! bubble = true                         # bubble plot (a continuous moderator); pi, bubble_back
//!
//! [[analysis]]                          # an outcome from a file of your own
//! id = "aspirin_death"
//! kind = "binary"                       # binary (wide two-arm), continuous, generic
//! data = "aspirin.xlsx"                 # required: CSV, TSV, .xlsx or .ods, relative to the plan
//! sheet = "Deaths"                      # optional: a spreadsheet's sheet; default the first
//! map = { "event.e" = "Deaths (aspirin)", "n.e" = "N (aspirin)" }   # optional: roles → columns
//! by = "none"                           # a column of the file, or none (default)
//! # binary:     measure (RR, OR, RD; default RR), method (IV, MH, MH-cc, Peto, GLMM), incr,
//! #             glmm_model (CM.EL, CM.AL, UM.FS, UM.RS; with method = "GLMM")
//! # continuous: measure (MD, SMD, ROM; default MD), sd_method (shi, wan)
//! # generic:    sm (HR, OR, RR, IRR, ROM, MD, SMD, RD, GEN; default GEN), ci_level
//! # any [settings] key but keep_overlapping; forest, forest_sort, forest_model, funnel
//! ```
//! Values are spelled as on the command line (`alkstats pool --help`), case-insensitively.
//!
//! The files follow the stages of that reading: `raw` is the file as serde sees it, `kind` and
//! `spec` the typed result, `parse` and `analysis` the validation between the two (the
//! document, then one `[[analysis]]`), and `command` the `alkstats` command line that
//! reproduces an analysis.

mod analysis;
mod bias;
mod command;
mod kind;
mod metareg;
mod parse;
mod raw;
mod sensitivity;
mod spec;
mod user_data;

pub use bias::BiasSpec;
pub use kind::{AnalysisKind, UnknownAnalysisKind};
pub use metareg::MetaregSpec;
pub use sensitivity::SensitivitySpec;
pub use spec::AnalysisSpec;
pub use user_data::{BinarySpec, ContinuousSpec, GenericSpec, UserFile};

use crate::plot::forest::{Models, SortOrder};

/// The plan schema in brief, for `alkstats report --help`.
pub const SCHEMA_HELP: &str = "\
Plan file (TOML; unknown or misplaced keys are errors naming their line):
  title = \"…\"                       required; summary = \"…\" optional
  [data] arms = \"…\", hr = \"…\"       CSV files relative to the plan's folder (default: embedded)
  [settings]                        defaults where they apply: method_tau, random_ci,
                                    prediction, level, keep_overlapping
  [figures] dpi = 100
  [[analysis]]                      one per analysis, in report order
    id = \"…\", kind = \"…\"            kind: orr, orr-compare, hr, pfs, network, bias,
                                    influence, cumulative, metareg, binary, continuous,
                                    generic
    title, by, and any [settings] key
    orr: sm, ci_study, incr         orr-compare: measure, method, incr
    hr: endpoint                    pfs: method
    forest (true), forest_sort, forest_model, funnel (false), overall (false)
    orr-compare: comparator (the comparator arm's name, as pool --comparator)
    network: endpoint, reference, model, setting, small_values, forest, graph
             (and method_tau REML|DL, level, keep_overlapping)
    bias: outcome (orr, orr-compare, hr, pfs; with that kind's keys), group, tests,
          k_min, estimator, side, selection_alternative, funnel (true)
    influence, cumulative: of (an earlier pooled analysis' id), group, model, forest;
             influence: baujat, influence_plot; cumulative: order, decreasing
    metareg: of, group, mods = [\"COLUMN\", …], ref = { column = \"level\" }, model,
             bubble, pi, bubble_back
    binary, continuous, generic (a file of your own): data (required), sheet,
             map = { role = \"column\" }, by (default none), forest*, funnel;
             binary: measure, method (… or GLMM), glmm_model, incr;
             continuous: measure, sd_method;
             generic: sm, ci_level
Values are spelled as the flags of `alkstats pool` and `alkstats network`.
Example: reports/alk_review.toml (the embedded plan).";

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
    /// Draw the Baujat plot (influence analyses of one group).
    pub baujat: bool,
    /// Draw the panels of the influence diagnostics (influence analyses of one group).
    pub influence: bool,
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
    /// Show the result across groups and the subgroup test whatever the groups are
    /// (`overall = true`, as `pool --overall`).
    pub overall: bool,
}

/// The plan's `[data]` table: each data file as written in the plan (relative to the plan's
/// folder); `None` reads the embedded file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataFiles {
    /// The arms file.
    pub arms: Option<String>,
    /// The hazard-ratio file.
    pub hr: Option<String>,
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
    /// The data files (`[data]`).
    pub data: DataFiles,
    /// PNG resolution.
    pub dpi: f64,
    /// The analyses, in report order.
    pub analyses: Vec<AnalysisPlan>,
}
