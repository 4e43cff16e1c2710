//! Effect sizes with what a method needs to know about each study (metafor's `escalc` object).
//!
//! A study keeps its label, the line it came from, its other columns (for moderators and
//! ordering) and, where the outcome has them, its sample size and 2×2 table, so that a method
//! (leave-one-out, Mantel–Haenszel on a subset, a PFT back-transformation) can refit from the
//! effect sizes alone. A study whose effect cannot be estimated (a double-zero 2×2 table) stays
//! in the set with no effect, as metafor keeps it with `yi = NA`: count-based estimators
//! (Mantel–Haenszel, Peto) still use its table.

use super::Measure;
use crate::effect::two_arm::TwoByTwo;

/// One study of an [`EffectSizes`].
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// Label as typed in the input.
    pub label: String,
    /// Line of the row in the input file (the first row for a study of several rows).
    pub line: u64,
    /// Effect size and its sampling variance; `None` when not estimable.
    pub effect: Option<(f64, f64)>,
    /// Sample size, where the outcome has one (PFT back-transformation, totals).
    pub n: Option<u64>,
    /// Events of a single-arm proportion (Peters' test weighs by events and non-events).
    pub events: Option<u64>,
    /// The 2×2 table of a two-arm binary study.
    pub table: Option<TwoByTwo>,
    /// The study's other columns, by header.
    pub fields: crate::data::cursor::Fields,
}

impl Study {
    /// A study with an effect size and nothing else.
    pub fn new(label: impl Into<String>, line: u64, yi: f64, vi: f64) -> Self {
        Study {
            label: label.into(),
            line,
            effect: Some((yi, vi)),
            n: None,
            events: None,
            table: None,
            fields: Default::default(),
        }
    }
}

/// Effect sizes of one analysis: the input of [`super::Rma::fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct EffectSizes {
    /// What `yi` measures.
    pub measure: Measure,
    /// The studies, in input order.
    pub studies: Vec<Study>,
}

impl EffectSizes {
    /// Effect sizes of `measure` over `studies`.
    pub fn new(measure: Measure, studies: Vec<Study>) -> Self {
        EffectSizes { measure, studies }
    }

    /// Number of studies, estimable or not.
    pub fn len(&self) -> usize {
        self.studies.len()
    }

    /// Whether there are no studies.
    pub fn is_empty(&self) -> bool {
        self.studies.is_empty()
    }

    /// Indices of the studies with an effect size, in order.
    pub fn estimable(&self) -> Vec<usize> {
        (0..self.studies.len())
            .filter(|&i| self.studies[i].effect.is_some())
            .collect()
    }

    /// The same measure over the studies at `indices` (in that order): the data of a refit on
    /// a subset, e.g. leaving one study out.
    pub fn subset(&self, indices: &[usize]) -> EffectSizes {
        EffectSizes {
            measure: self.measure,
            studies: indices
                .iter()
                .filter_map(|&i| self.studies.get(i).cloned())
                .collect(),
        }
    }

    /// Harmonic mean of the studies' sample sizes (NaN when a study has none): the n that
    /// pooled Freeman–Tukey values are back-transformed with (Miller 1978).
    pub fn harmonic_mean_n(&self) -> f64 {
        let n: Option<Vec<u64>> = self.studies.iter().map(|s| s.n).collect();
        n.map_or(f64::NAN, |n| crate::effect::proportion::harmonic_mean(&n))
    }
}
