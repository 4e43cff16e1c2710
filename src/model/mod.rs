//! One fitted model for every outcome, in metafor's shape: effect sizes ([`EffectSizes`], its
//! `escalc`) → one fitted model ([`Rma`], its `rma`) → every method and renderer takes that
//! model.
//!
//! The [`Measure`] of the effect sizes owns what differs between outcomes — the
//! back-transformation, the null value, the axis scale and the labels — so that a method
//! written once (leave-one-out, influence, small-study tests, plots) works for proportions,
//! hazard ratios, two-arm comparisons and medians alike.

mod common;
pub mod effect_sizes;
mod glmm;
pub mod measure;
pub mod rma;

pub use effect_sizes::{EffectSizes, Study};
pub use measure::{Measure, MeasureLabels};
pub use rma::{ModelSettings, Rma};

use crate::effect::two_arm::TwoArmMeasure;
use crate::fit::FitError;
use crate::settings::CompareMethod;
use thiserror::Error;

/// Why a model cannot be fitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// No study has an effect size.
    #[error("no study with an estimable effect size to pool")]
    Empty,
    /// A study's effect size or variance cannot be used.
    #[error("line {line} (study '{study}'): {source}")]
    Study {
        /// Its label.
        study: String,
        /// Its line in the input file.
        line: u64,
        /// What is wrong with it.
        source: FitError,
    },
    /// A table-based common-effect method on data without 2×2 tables.
    #[error("--method {method} needs two-arm event counts (2×2 tables); the data are {measure}")]
    NeedsTables {
        /// The method asked for.
        method: CompareMethod,
        /// The measure of the data.
        measure: &'static str,
    },
    /// Peto's method with a measure other than the odds ratio.
    #[error("--method Peto estimates an odds ratio; use --measure OR (found {measure})")]
    PetoNeedsOddsRatio {
        /// The measure asked for.
        measure: TwoArmMeasure,
    },
    /// `--method GLMM` on a measure without a GLMM.
    #[error(
        "--method GLMM fits the logit of proportions (--sm PLOGIT) or the odds ratio of two-arm \
         tables (--measure OR); the data are {measure}"
    )]
    GlmmMeasure {
        /// The measure of the data.
        measure: &'static str,
    },
    /// A GLMM without a finite estimate.
    #[error(transparent)]
    Glmm(crate::fit::glmm::GlmmError),
    /// A table-based estimate that the counts do not define (e.g. no events at all).
    #[error("{}", not_estimable(*.method, *.measure))]
    NotEstimable {
        /// The method.
        method: CompareMethod,
        /// The measure.
        measure: TwoArmMeasure,
    },
}

fn not_estimable(method: CompareMethod, measure: TwoArmMeasure) -> String {
    match method {
        CompareMethod::Peto => "Peto's odds ratio is not estimable (no events)".into(),
        _ => format!("the Mantel–Haenszel {measure} is not estimable"),
    }
}
