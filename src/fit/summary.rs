//! The allocation-free result of a fit ([`FitSummary`]) and the conditions the user should be
//! told about ([`FitNotes`]), worded in one place.

use super::heterogeneity::Heterogeneity;
use super::{Interval, Pooled};
use crate::settings::FitSettings;

/// Conditions of a fit that the user should be told about; [`FitSummary::warnings`] words them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FitNotes {
    /// k = 1: no heterogeneity, random = common, no prediction interval.
    pub single_study: bool,
    /// The τ² estimator stopped at its iteration limit.
    pub tau2_not_converged: bool,
    /// A prediction interval was asked for but k < 3.
    pub prediction_unavailable: bool,
    /// A Q-profile root search for the τ² interval stopped at its iteration limit.
    pub q_profile_not_converged: bool,
    /// The Higgins–Thompson interval for I² is undefined (k = 2 with Q ≤ 2).
    pub i2_interval_undefined: bool,
}

impl FitNotes {
    /// Whether any note is set.
    pub fn any(&self) -> bool {
        *self != FitNotes::default()
    }
}

/// Everything of a [`Fit`] except the per-study weights and the worded warnings: a `Copy` value
/// that [`fit_summary`] produces without touching the heap. [`fit`] is this plus the weights and
/// warnings, so both give the same numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSummary {
    /// Number of studies.
    pub k: usize,
    /// Common-effect (inverse-variance) estimate.
    pub common: Pooled,
    /// Random-effects estimate.
    pub random: Pooled,
    /// Prediction interval, `None` when k < 3 or not requested.
    pub prediction: Option<Interval>,
    /// Heterogeneity, `None` when k = 1.
    pub heterogeneity: Option<Heterogeneity>,
    /// τ² used for the random-effects weights (0 when k = 1).
    pub tau2: f64,
    /// Iterations of the τ² estimator.
    pub tau2_iterations: usize,
    /// Σ 1/vᵢ, the total common-effect weight.
    pub sum_weights_common: f64,
    /// Σ 1/(vᵢ + τ²), the total random-effects weight.
    pub sum_weights_random: f64,
    /// What the user should be told.
    pub notes: FitNotes,
}

impl FitSummary {
    /// The notes worded for people, in the order [`Fit::warnings`] lists them.
    pub fn warnings(&self, settings: &FitSettings) -> Vec<String> {
        let n = &self.notes;
        let k = self.k;
        let mut warnings = Vec::new();
        if n.single_study {
            warnings.push(
                "k = 1: heterogeneity and τ² cannot be estimated from one study; the random-effects \
                 result equals the common-effect result and no prediction interval is given"
                    .to_string(),
            );
        }
        if n.tau2_not_converged {
            warnings.push(format!(
                "the {} estimator of τ² did not converge in {} iterations; the last iterate τ² = {} \
                 is used",
                settings.method_tau, self.tau2_iterations, self.tau2
            ));
        }
        if n.prediction_unavailable {
            warnings.push(format!(
                "k = {k}: a prediction interval needs at least 3 studies; reported as null"
            ));
        }
        if n.q_profile_not_converged {
            warnings.push(
                "the Q-profile interval for τ² did not converge; its bounds are approximate".into(),
            );
        }
        if n.i2_interval_undefined {
            let q = self.heterogeneity.map_or(f64::NAN, |h| h.q);
            warnings.push(format!(
                "k = {k}, Q = {q:.4}: the Higgins–Thompson interval for I² is undefined here; reported as null"
            ));
        }
        warnings
    }
}
