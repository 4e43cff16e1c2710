//! The contents of a RevMan 5 review as plain serde structs: comparisons, their outcomes, the
//! study rows of each outcome, and the results RevMan stored next to them.
//!
//! Element and attribute names follow the RevMan 5 file format as R `meta::read.rm5` reads it
//! (meta ≥ 6, `R/read.rm5-internal.R`, function `extract_outcomes`): `DICH_`/`CONT_`/`IV_`/
//! `IPD_OUTCOME`, `…_SUBGROUP`, `…_DATA`, study data `EVENTS_1`, `TOTAL_1`, `MEAN_1`, `SD_1`,
//! `O_E`, `VAR`, `EFFECT_SIZE`, `SE`, `CI_START`, `CI_END`, `WEIGHT`, `ORDER`; outcome totals
//! `EFFECT_SIZE`, `CI_START`, `CI_END`, `WEIGHT`, `Z`, `P_Z`, `Q`, `P_Q`, `I2`, `TAU2`, `DF`; and
//! the heterogeneity attributes RevMan 5 writes besides (`CHI2`, `P_CHI2`, `I2_Q`, `STUDIES`,
//! `LOG_EFFECT_SIZE`, `LOG_CI_START`, `LOG_CI_END`). Group 1 of RevMan is the experimental arm
//! (meta's `.e` columns), group 2 the control arm (`.c`).

use serde::{Deserialize, Serialize};

/// A number as written in the file, with its value. Keeping the text lets tables show numbers
/// exactly as RevMan wrote them (`55`, not `55.0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Number {
    /// The attribute value as written.
    pub text: String,
    /// Its value (always finite).
    pub value: f64,
}

/// A whole review: its title and its analyses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// File name used in messages.
    pub file: String,
    /// `COVER_SHEET/TITLE`.
    pub title: String,
    /// `ANALYSES_AND_DATA/COMPARISON`, in file order.
    pub comparisons: Vec<Comparison>,
    /// Things worth telling the user that did not stop the reading (e.g. a data row whose study
    /// is not among the included studies).
    pub warnings: Vec<String>,
}

/// A comparison of two interventions (`COMPARISON`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `NO` attribute: the number RevMan shows.
    pub number: u32,
    /// `NAME` child.
    pub name: String,
    /// Outcomes in file order.
    pub outcomes: Vec<Outcome>,
}

/// The data type of an outcome, from its element name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeKind {
    /// `DICH_OUTCOME`: events and totals per arm.
    Dichotomous,
    /// `CONT_OUTCOME`: mean, SD and total per arm.
    Continuous,
    /// `IV_OUTCOME`: an effect estimate and its standard error per study.
    GenericInverseVariance,
    /// `IPD_OUTCOME`: observed minus expected and its variance per study ("O-E and Variance").
    ObservedMinusExpected,
}

impl OutcomeKind {
    /// Lower-case name for listings.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::Dichotomous => "dichotomous",
            OutcomeKind::Continuous => "continuous",
            OutcomeKind::GenericInverseVariance => "generic inverse variance",
            OutcomeKind::ObservedMinusExpected => "O-E and variance",
        }
    }
}

/// One outcome of a comparison: one meta-analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `comparison.outcome`, as RevMan numbers it (`1.1`).
    pub id: String,
    /// `NAME` child.
    pub name: String,
    /// Data type.
    pub kind: OutcomeKind,
    /// Effect measure as a code: `RR`, `OR`, `RD`, `MD`, `SMD`, `HR`, … Taken from the
    /// `EFFECT_MEASURE` attribute or, for IV/IPD outcomes, the `EFFECT_MEASURE` child, whose
    /// spelled-out names are mapped to codes as meta's `read.rm5` does ("Odds Ratio" → `OR`);
    /// unknown names are kept as written.
    pub effect_measure: String,
    /// Effect measure as written in the file (`RR`, `Odds Ratio`, …).
    pub effect_measure_label: String,
    /// `METHOD` attribute (`MH`, `IV`, `PETO`); when absent `IV`, or `PETO` for IPD outcomes
    /// (meta's `read.rm5` defaults).
    pub method: String,
    /// `RANDOM="YES"`.
    pub random_effects: bool,
    /// `GROUP_LABEL_1` (experimental arm) and `GROUP_LABEL_2` (control arm).
    pub group_labels: [String; 2],
    /// `GRAPH_LABEL_1` (left of the forest plot, "favours …") and `GRAPH_LABEL_2` (right).
    pub graph_labels: [String; 2],
    /// `LOG_DATA` of IV outcomes: whether `EFFECT_SIZE`/`SE` are on the log scale (`None` when
    /// the attribute is absent, as on dichotomous and continuous outcomes).
    pub log_data: Option<bool>,
    /// `CI_STUDY`: confidence level (percent) of the per-study intervals.
    pub ci_study: Option<Number>,
    /// `CI_TOTAL`: confidence level (percent) of the pooled interval.
    pub ci_total: Option<Number>,
    /// Whether the file splits the outcome into `…_SUBGROUP` elements.
    pub has_subgroups: bool,
    /// The subgroups; an outcome without subgroups has exactly one, unnumbered and unnamed.
    pub subgroups: Vec<Subgroup>,
    /// Pooled results RevMan stored on the outcome element (all `None` when not calculated).
    pub stored: StoredTotals,
}

impl Outcome {
    /// All study rows, subgroup after subgroup.
    pub fn rows(&self) -> impl Iterator<Item = &StudyRow> {
        self.subgroups.iter().flat_map(|s| s.rows.iter())
    }
}

/// A subgroup of an outcome (`…_SUBGROUP`), or the whole outcome when it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subgroup {
    /// `NO` attribute; `None` for the implicit subgroup of an outcome without subgroups.
    pub number: Option<u32>,
    /// `NAME` child; `None` for the implicit subgroup.
    pub name: Option<String>,
    /// Study rows in file order.
    pub rows: Vec<StudyRow>,
    /// Subgroup totals RevMan stored (all `None` for the implicit subgroup).
    pub stored: StoredTotals,
}

/// One study's data in one outcome (`…_DATA`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyRow {
    /// `STUDY_ID` with RevMan's `_xHHHH_` escapes decoded (`STD-Aronson Müller 1948`).
    pub study_id: String,
    /// `NAME` of the matching `INCLUDED_STUDIES/STUDY`, exactly as typed; `None` when the id has
    /// no entry (meta's `read.rm5` then gives `studlab = NA`).
    pub name: Option<String>,
    /// `YEAR` of the matching study, when given.
    pub year: Option<String>,
    /// `ORDER` attribute (RevMan's sort key).
    pub order: Option<Number>,
    /// The input numbers.
    pub data: RowData,
    /// Per-study results RevMan stored.
    pub stored: StudyResults,
}

impl StudyRow {
    /// The study label: the included study's name, or the decoded id when there is none.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.study_id)
    }
}

/// The input numbers of a study row; an attribute that is absent or empty is `None` (R `NA`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RowData {
    /// `EVENTS_1`, `TOTAL_1`, `EVENTS_2`, `TOTAL_2`.
    Dichotomous {
        /// Events, experimental arm.
        events_1: Option<Number>,
        /// Participants, experimental arm.
        total_1: Option<Number>,
        /// Events, control arm.
        events_2: Option<Number>,
        /// Participants, control arm.
        total_2: Option<Number>,
    },
    /// `MEAN_1`, `SD_1`, `TOTAL_1`, `MEAN_2`, `SD_2`, `TOTAL_2`.
    Continuous {
        /// Mean, experimental arm.
        mean_1: Option<Number>,
        /// Standard deviation, experimental arm.
        sd_1: Option<Number>,
        /// Participants, experimental arm.
        total_1: Option<Number>,
        /// Mean, control arm.
        mean_2: Option<Number>,
        /// Standard deviation, control arm.
        sd_2: Option<Number>,
        /// Participants, control arm.
        total_2: Option<Number>,
    },
    /// `EFFECT_SIZE`, `SE` and the optional `TOTAL_1`, `TOTAL_2`.
    GenericInverseVariance {
        /// The study's estimate (log scale when the outcome has `LOG_DATA="YES"`).
        effect_size: Option<Number>,
        /// Its standard error.
        se: Option<Number>,
        /// Participants, experimental arm.
        total_1: Option<Number>,
        /// Participants, control arm.
        total_2: Option<Number>,
    },
    /// `O_E`, `VAR` and the optional `TOTAL_1`, `TOTAL_2`.
    ObservedMinusExpected {
        /// Observed minus expected events.
        o_e: Option<Number>,
        /// Its variance.
        var: Option<Number>,
        /// Participants, experimental arm.
        total_1: Option<Number>,
        /// Participants, control arm.
        total_2: Option<Number>,
    },
}

/// Reads a struct (or enum variant) of the model whose fields are optional numbers, each with
/// `n` from the attribute named as the field in upper case (`events_1` from `EVENTS_1`): the
/// model names its fields after RevMan's attributes, so each is written once.
macro_rules! read_numbers {
    ($n:ident, $($ty:ident)::+ { $($field:ident),+ $(,)? }) => {
        $($ty)::+ { $($field: $n(&stringify!($field).to_ascii_uppercase())?),+ }
    };
}
pub(super) use read_numbers;

/// Declares a record of results RevMan stored as attributes: every field an optional
/// [`Number`] named after its attribute, and `read`, which reads them all (see
/// [`read_numbers`]).
macro_rules! stored_numbers {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: Option<Number>,)+
        }

        impl $name {
            /// Reads every field with `n`, from the attribute named as the field.
            pub(super) fn read<E>(
                n: impl Fn(&str) -> Result<Option<Number>, E>,
            ) -> Result<Self, E> {
                Ok(read_numbers!(n, $name { $($field),+ }))
            }
        }
    };
}

stored_numbers!(
    /// Per-study results RevMan stored on a data row. Attributes that are the row's input (for
    /// an IV row `EFFECT_SIZE` and `SE`, for an IPD row `O_E` and `VAR`) are in [`RowData`]
    /// only.
    StudyResults {
        /// `EFFECT_SIZE`: the study's effect (ratio measures on the natural scale).
        effect_size,
        /// `SE`: its standard error.
        se,
        /// `CI_START`: lower confidence limit.
        ci_start,
        /// `CI_END`: upper confidence limit.
        ci_end,
        /// `WEIGHT`: percent weight in the pooled analysis.
        weight,
        /// `VAR`: variance (Peto).
        var,
        /// `O_E`: observed minus expected (Peto).
        o_e,
        /// `LOG_EFFECT_SIZE`.
        log_effect_size,
        /// `LOG_CI_START`.
        log_ci_start,
        /// `LOG_CI_END`.
        log_ci_end,
    }
);

stored_numbers!(
    /// Pooled results RevMan stored on an outcome or subgroup element.
    StoredTotals {
        /// `EFFECT_SIZE`: pooled effect.
        effect_size,
        /// `CI_START`: lower limit.
        ci_start,
        /// `CI_END`: upper limit.
        ci_end,
        /// `WEIGHT`: total weight (percent).
        weight,
        /// `Z`: test statistic of the overall effect.
        z,
        /// `P_Z`: its p-value.
        p_z,
        /// `CHI2`: heterogeneity chi-squared (Cochran's Q).
        chi2,
        /// `DF`: its degrees of freedom.
        df,
        /// `P_CHI2`: its p-value.
        p_chi2,
        /// `I2`: heterogeneity I² (percent).
        i2,
        /// `TAU2`: between-study variance.
        tau2,
        /// `Q`: test for subgroup differences (outcome level).
        q,
        /// `P_Q`: its p-value.
        p_q,
        /// `I2_Q`: I² of the subgroup differences.
        i2_q,
        /// `STUDIES`: number of studies.
        studies,
        /// `EVENTS_1`: total events, experimental arm.
        events_1,
        /// `TOTAL_1`: total participants, experimental arm.
        total_1,
        /// `EVENTS_2`: total events, control arm.
        events_2,
        /// `TOTAL_2`: total participants, control arm.
        total_2,
        /// `LOG_EFFECT_SIZE`.
        log_effect_size,
        /// `LOG_CI_START`.
        log_ci_start,
        /// `LOG_CI_END`.
        log_ci_end,
    }
);

impl StoredTotals {
    /// Whether RevMan stored no results here (`CALCULATED_DATA="NO"` files).
    pub fn is_empty(&self) -> bool {
        *self == StoredTotals::default()
    }
}
