//! The fitted model (metafor's `rma` object): the effect sizes it was fitted to, its settings,
//! and every estimate, so that a method (leave-one-out, influence, cumulative, small-study
//! tests, plots) takes one value and can refit it on a subset or with other settings.

use super::common::{table_estimate, table_heterogeneity};
use super::{EffectSizes, Measure, ModelError};
use crate::fit::glmm::GlmmInfo;
use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::{fit, Fit, FitError, Interval, Pooled};
use crate::settings::{CompareMethod, FitSettings, GlmmModel};

/// Settings of a fitted model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSettings {
    /// τ² estimator, random-effects CI, prediction interval and level.
    pub fit: FitSettings,
    /// Common-effect estimator: inverse variance, or (two-arm binary data) Mantel–Haenszel,
    /// MH with a continuity correction, or Peto.
    pub common: CompareMethod,
    /// Continuity correction that MH-cc adds to tables with a zero cell.
    pub incr: f64,
    /// `Some` to fit a GLMM instead of the inverse-variance models (`--method GLMM`): the
    /// binomial-normal model for logit proportions, this model for odds ratios.
    pub glmm: Option<GlmmModel>,
}

impl ModelSettings {
    /// Inverse-variance common effect with `fit`'s random-effects settings.
    pub fn inverse_variance(fit: FitSettings) -> Self {
        ModelSettings {
            fit,
            common: CompareMethod::Iv,
            incr: 0.5,
            glmm: None,
        }
    }
}

/// A fitted common-effect and random-effects model.
///
/// The random-effects model, τ², the prediction interval and the per-study random-effects
/// weights are always inverse-variance over the studies with an effect size (as in
/// `meta::metabin`, whatever the common-effect method).
#[derive(Debug, Clone, PartialEq)]
pub struct Rma {
    data: EffectSizes,
    settings: ModelSettings,
    /// Indices (into `data.studies`) of the studies in the inverse-variance fit.
    fitted: Vec<usize>,
    fit: Fit,
    common: Pooled,
    heterogeneity: Option<Heterogeneity>,
    weights_common: Vec<f64>,
    weights_random: Vec<f64>,
    n_back: f64,
    glmm: Option<GlmmInfo>,
}

impl Rma {
    /// Fits the model to `data`.
    ///
    /// # Errors
    /// [`ModelError`]: no study with an effect size, a study whose effect or variance is not a
    /// finite (positive) number, named by its line, or a table-based estimator that does not
    /// apply or is not estimable.
    pub fn fit(data: EffectSizes, settings: ModelSettings) -> Result<Rma, ModelError> {
        let fitted = data.estimable();
        if fitted.is_empty() {
            return Err(ModelError::Empty);
        }
        let (yi, vi): (Vec<f64>, Vec<f64>) = fitted
            .iter()
            .filter_map(|&i| data.studies[i].effect)
            .unzip();
        let f = fit(&yi, &vi, &settings.fit).map_err(|e| study_error(&data, &fitted, e))?;
        let mut weights_random = vec![0.0; data.len()];
        let mut weights_iv = vec![0.0; data.len()];
        for (j, &i) in fitted.iter().enumerate() {
            weights_random[i] = f.weights_random[j];
            weights_iv[i] = f.weights_common[j];
        }
        let mut heterogeneity = f.heterogeneity;
        let (common, weights_common) = match settings.common {
            CompareMethod::Iv => (f.common, weights_iv),
            method => {
                let est = table_estimate(&data, method, settings.incr, settings.fit.level.get())?;
                if let Some(h) = heterogeneity.as_mut() {
                    table_heterogeneity(h, &yi, &vi, &est, settings.fit.level.get());
                }
                (est.common, est.weights)
            }
        };
        let n_back = data.subset(&fitted).harmonic_mean_n();
        let mut f = f;
        if let Some(model) = settings.glmm {
            // The GLMM's estimates replace the inverse-variance ones; the per-study weights are
            // the inverse-variance weights at the GLMM's τ², which the GLMM itself does not
            // use (they size the boxes of a forest plot).
            let est = super::glmm::fit_glmm(&data, &fitted, model)?;
            let (parts, h) = super::glmm::glmm_results(&est, heterogeneity.as_ref(), &settings.fit);
            let total: f64 = fitted
                .iter()
                .filter_map(|&i| data.studies[i].effect)
                .map(|(_, v)| 1.0 / (v + est.tau2))
                .sum();
            for &i in &fitted {
                if let Some((_, v)) = data.studies[i].effect {
                    weights_random[i] = 100.0 / (v + est.tau2) / total;
                }
            }
            f.warnings.extend(super::glmm::glmm_warnings(&est));
            f.random = parts.random;
            f.prediction = parts.prediction;
            f.tau2 = est.tau2;
            return Ok(Rma {
                data,
                settings,
                fitted,
                fit: f,
                common: parts.common,
                heterogeneity: h,
                weights_common,
                weights_random,
                n_back,
                glmm: Some(est.info),
            });
        }
        Ok(Rma {
            data,
            settings,
            fitted,
            fit: f,
            common,
            heterogeneity,
            weights_common,
            weights_random,
            n_back,
            glmm: None,
        })
    }

    /// The same model refitted to the studies at `indices` of its data (e.g. all but one).
    ///
    /// # Errors
    /// As [`Rma::fit`].
    pub fn refit_subset(&self, indices: &[usize]) -> Result<Rma, ModelError> {
        Rma::fit(self.data.subset(indices), self.settings)
    }

    /// The same data refitted with other settings.
    ///
    /// # Errors
    /// As [`Rma::fit`].
    pub fn refit_with(&self, settings: ModelSettings) -> Result<Rma, ModelError> {
        Rma::fit(self.data.clone(), settings)
    }

    /// The effect sizes the model was fitted to.
    pub fn data(&self) -> &EffectSizes {
        &self.data
    }

    /// The settings it was fitted with.
    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// The measure of its effect sizes.
    pub fn measure(&self) -> Measure {
        self.data.measure
    }

    /// Number of studies in the inverse-variance fit.
    pub fn k(&self) -> usize {
        self.fitted.len()
    }

    /// Indices (into [`Rma::data`]) of the studies with an effect size, in order.
    pub fn fitted(&self) -> &[usize] {
        &self.fitted
    }

    /// The common-effect estimate of the chosen method.
    pub fn common(&self) -> &Pooled {
        &self.common
    }

    /// The random-effects estimate.
    pub fn random(&self) -> &Pooled {
        &self.fit.random
    }

    /// The prediction interval, when k ≥ 3 and one was asked for.
    pub fn prediction(&self) -> Option<&Interval> {
        self.fit.prediction.as_ref()
    }

    /// Heterogeneity (Q about the chosen common estimate), `None` when k = 1.
    pub fn heterogeneity(&self) -> Option<&Heterogeneity> {
        self.heterogeneity.as_ref()
    }

    /// τ² of the random-effects model.
    pub fn tau2(&self) -> f64 {
        self.fit.tau2
    }

    /// Common-effect weights in percent, one per study of the data.
    pub fn weights_common(&self) -> &[f64] {
        &self.weights_common
    }

    /// Random-effects weights in percent, one per study of the data (0 without an effect).
    pub fn weights_random(&self) -> &[f64] {
        &self.weights_random
    }

    /// Hat values of the inverse-variance model with weights wᵢ = 1/(vᵢ + τ²), one per study of
    /// the data (0 for a study without an effect): hᵢ = wᵢ/Σw, the diagonal of the hat matrix
    /// of an intercept-only model (metafor `hatvalues.rma.uni`). `tau2` is [`Rma::tau2`] for the
    /// random-effects model and 0 for the inverse-variance common-effect model.
    pub fn hat_values(&self, tau2: f64) -> Vec<f64> {
        let w = |i: usize| {
            self.data.studies[i]
                .effect
                .map_or(0.0, |(_, v)| 1.0 / (v + tau2))
        };
        let total: f64 = self.fitted.iter().map(|&i| w(i)).sum();
        (0..self.data.len()).map(|i| w(i) / total).collect()
    }

    /// The inverse-variance fit underneath (per-fitted-study weights, iterations).
    pub fn inverse_variance_fit(&self) -> &Fit {
        &self.fit
    }

    /// How the GLMM was fitted, for a model with `ModelSettings::glmm`.
    pub fn glmm(&self) -> Option<&GlmmInfo> {
        self.glmm.as_ref()
    }

    /// Notes for the user about the fit (non-convergence, values that are null).
    pub fn warnings(&self) -> &[String] {
        &self.fit.warnings
    }

    /// A pooled value back on the displayed scale (PFT with the harmonic mean of the fitted
    /// studies' n, Miller 1978).
    pub fn back(&self, y: f64) -> Option<f64> {
        self.data.measure.back(y, self.n_back)
    }

    /// The sample size pooled Freeman–Tukey values are back-transformed with.
    pub fn n_back(&self) -> f64 {
        self.n_back
    }
}

/// A fit error naming the study by its label and file line rather than its position.
fn study_error(data: &EffectSizes, fitted: &[usize], e: FitError) -> ModelError {
    let index = match e {
        FitError::NonFiniteEffect { index, .. } | FitError::NonPositiveVariance { index, .. } => {
            index
        }
        FitError::Empty | FitError::LengthMismatch { .. } => return ModelError::Empty,
    };
    match fitted.get(index).and_then(|&i| data.studies.get(i)) {
        Some(s) => ModelError::Study {
            study: s.label.clone(),
            line: s.line,
            source: e,
        },
        None => ModelError::Empty,
    }
}
