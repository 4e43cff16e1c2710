//! What the small-study methods read from a fitted model, and why one of them may not apply.
//!
//! The methods work on the studies with an effect size (metafor's `x$yi`, `x$vi`), keeping
//! each study's 2×2 table, events and n for the tests built on counts. A model fitted with
//! Peto's method has Peto's per-study log odds ratios as its effects; as `meta::metabias` does,
//! the tests then use the inverse-variance log odds ratios of the same tables instead.

use crate::effect::two_arm::{two_arm_effect, TwoArmMeasure};
use crate::model::{Measure, Rma, Study};
use crate::settings::CompareMethod;
use thiserror::Error;

/// Why a small-study method gives no result for an analysis (reported as a warning, with the
/// result null).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BiasError {
    /// Fewer studies than `--k-min`.
    #[error(
        "k = {k} is below --k-min {k_min}; with fewer than 10 studies these tests have too \
         little power to tell chance from asymmetry (Sterne et al. 2011); use --k-min to run \
         them anyway"
    )]
    BelowKMin {
        /// Studies with an effect size.
        k: usize,
        /// The minimum asked for.
        k_min: usize,
    },
    /// Fewer studies than the method can work with at all.
    #[error("needs at least {needed} studies with an effect size (found {k})")]
    TooFewStudies {
        /// Studies with an effect size.
        k: usize,
        /// The method's minimum.
        needed: usize,
    },
    /// Every study has the same standard error: no regression on precision.
    #[error("all studies have the same precision, so effect cannot be related to study size")]
    SamePrecision,
    /// A test built on 2×2 tables, asked of other data.
    #[error("needs two-arm event counts (2×2 tables); the data are {0}")]
    NeedsTables(&'static str),
    /// A test built on events and sample sizes, asked of other data.
    #[error("needs event counts and sample sizes (two-arm binary data or proportions); the data are {0}")]
    NeedsCounts(&'static str),
    /// A study whose counts leave a weight undefined.
    #[error("study '{study}' (line {line}) has {what}, which leaves its weight undefined")]
    UndefinedWeight {
        /// Its label.
        study: String,
        /// Its line in the input.
        line: u64,
        /// What is wrong with its counts.
        what: &'static str,
    },
    /// The method's estimate does not exist for these data.
    #[error("{0}")]
    NotEstimable(String),
}

/// The studies of a model that the small-study methods use.
#[derive(Debug, Clone)]
pub(crate) struct BiasData<'a> {
    /// Effects yᵢ.
    pub yi: Vec<f64>,
    /// Sampling variances vᵢ.
    pub vi: Vec<f64>,
    /// The studies, in the same order.
    pub studies: Vec<&'a Study>,
    /// Their measure.
    pub measure: Measure,
}

impl<'a> BiasData<'a> {
    /// The studies with an effect size; for a Peto model, the inverse-variance log odds ratios
    /// of their tables (with the model's continuity correction).
    pub fn of(model: &'a Rma) -> BiasData<'a> {
        let data = model.data();
        let peto = model.settings().common == CompareMethod::Peto;
        let mut out = BiasData {
            yi: Vec::new(),
            vi: Vec::new(),
            studies: Vec::new(),
            measure: model.measure(),
        };
        for &i in model.fitted() {
            let study = &data.studies[i];
            let effect = if peto {
                study
                    .table
                    .and_then(|t| two_arm_effect(&t, TwoArmMeasure::Or, model.settings().incr))
            } else {
                study.effect
            };
            if let Some((y, v)) = effect {
                out.yi.push(y);
                out.vi.push(v);
                out.studies.push(study);
            }
        }
        out
    }

    /// Number of studies.
    pub fn k(&self) -> usize {
        self.yi.len()
    }

    /// Standard errors √vᵢ.
    pub fn sei(&self) -> Vec<f64> {
        self.vi.iter().map(|v| v.sqrt()).collect()
    }

    /// `Err` unless there are at least `needed` studies.
    pub fn need(&self, needed: usize) -> Result<(), BiasError> {
        if self.k() < needed {
            Err(BiasError::TooFewStudies {
                k: self.k(),
                needed,
            })
        } else {
            Ok(())
        }
    }

    /// `Err` when every study has the same standard error (meta's "same precision" check).
    pub fn need_varying_precision(&self) -> Result<(), BiasError> {
        match self.vi.first() {
            Some(v0) if self.vi.iter().any(|v| v != v0) => Ok(()),
            _ => Err(BiasError::SamePrecision),
        }
    }

    /// The measure's name for messages ("log odds ratio", "logit transformed proportion").
    pub fn scale(&self) -> &'static str {
        self.measure.scale()
    }
}
