//! The result structures of `alkstats bias` (docs/json-contract.md, `analyses[i].bias`). Field
//! names are a public contract: add fields freely, never rename these. Values on the analysis
//! scale end in `yi`; `estimate`, `lower` and `upper` are back on the displayed scale (null
//! where the measure has no back-transformation of that value).

use serde::Serialize;

/// An estimate of the effect with its interval, on the analysis scale and back-transformed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Adjusted {
    /// Estimate on the analysis scale.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower confidence bound on the analysis scale.
    pub lower_yi: f64,
    /// Upper confidence bound on the analysis scale.
    pub upper_yi: f64,
    /// Back-transformed estimate.
    pub estimate: Option<f64>,
    /// Back-transformed lower bound.
    pub lower: Option<f64>,
    /// Back-transformed upper bound.
    pub upper: Option<f64>,
    /// Two-sided p-value of H0: yi = 0.
    pub p: Option<f64>,
}

/// A regression test for funnel-plot asymmetry: the effect (or a score) regressed on a measure
/// of study size; the slope is the asymmetry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionTest {
    /// The predictor: "standard error", "1/n" or "standard error of the score".
    pub predictor: &'static str,
    /// How residual heterogeneity enters: "multiplicative" (weighted least squares) or
    /// "additive" (τ², a mixed-effects meta-regression).
    pub variance: &'static str,
    /// Coefficient of the predictor (`meta::metabias`' "bias"; Egger's intercept of the
    /// standard normal deviate on precision).
    pub bias: f64,
    /// Its standard error.
    pub se: f64,
    /// t statistic bias / se.
    pub stat: f64,
    /// Degrees of freedom, k − 2.
    pub df: f64,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// The intercept: the effect expected as the predictor goes to 0 (an infinitely large
    /// study), with its interval at the analysis' level.
    pub limit: Adjusted,
    /// τ² of the additive model (Thompson–Sharp only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tau2: Option<f64>,
}

/// Begg & Mazumdar's rank correlation test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankTest {
    /// Kendall's τ_b between the standardised effects and their variances.
    pub tau: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Whether the p-value is exact (no ties) rather than the normal approximation.
    pub exact: bool,
}

/// A study imputed by trim-and-fill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FilledStudy {
    /// Effect on the analysis scale (the mirror image of a trimmed study).
    pub yi: f64,
    /// Its sampling variance (that of the study it mirrors).
    pub vi: f64,
}

/// Duval & Tweedie's trim-and-fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimFill {
    /// Estimator of the number of missing studies: `L0` or `R0`.
    pub estimator: &'static str,
    /// Side of the funnel plot on which studies are imputed: `left` or `right`.
    pub side: &'static str,
    /// How the side was chosen: `estimated` (sign of the slope of yᵢ on √vᵢ, as metafor) or
    /// `given` (`--side`).
    pub side_from: &'static str,
    /// Estimated number of missing studies.
    pub k0: usize,
    /// Its standard error.
    pub se_k0: f64,
    /// One-sided p-value of H0: no missing studies (R0 only).
    pub p_k0: Option<f64>,
    /// Studies in the filled analysis, k + k0.
    pub k: usize,
    /// Random-effects estimate of the filled data, with its interval and p-value (flattened
    /// into this object: `yi`, `se`, `estimate`, `lower`, …).
    #[serde(flatten)]
    pub adjusted: Adjusted,
    /// τ² of the filled data.
    pub tau2: f64,
    /// The imputed studies.
    pub filled: Vec<FilledStudy>,
}

/// The three-parameter step-function selection model (Vevea & Hedges 1995).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// Cut points of the one-sided p-values (the last is 1).
    pub steps: Vec<f64>,
    /// Direction of the one-sided p-values: `greater` (H1: effect > 0) or `less`.
    pub alternative: &'static str,
    /// Studies with a p-value in each interval.
    pub k_per_interval: Vec<usize>,
    /// The mean effect adjusted for selection (maximum likelihood, Wald interval).
    pub adjusted: Adjusted,
    /// τ² under the selection model.
    pub tau2: f64,
    /// Its standard error.
    pub se_tau2: Option<f64>,
    /// Relative likelihood of selection of a study with p above the first step (1 below it).
    pub delta: f64,
    /// Its standard error.
    pub se_delta: Option<f64>,
    /// Wald interval of delta (the lower bound truncated at 0).
    pub lower_delta: Option<f64>,
    /// Upper bound.
    pub upper_delta: Option<f64>,
    /// Likelihood-ratio statistic against the model without selection (delta = 1).
    pub lrt: f64,
    /// Its degrees of freedom (1).
    pub lrt_df: usize,
    /// Its p-value.
    pub lrt_p: Option<f64>,
}

/// PET-PEESE (Stanley & Doucouliagos 2014).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetPeese {
    /// PET: the intercept of the weighted regression of yᵢ on its standard error.
    pub pet: Adjusted,
    /// PEESE: the intercept of the weighted regression of yᵢ on its variance.
    pub peese: Adjusted,
    /// The conditional estimate: `pet`, or `peese` when PET rejects H0: effect = 0.
    pub chosen: &'static str,
    /// The rule that chose it.
    pub rule: String,
}

/// Everything `alkstats bias` reports for one analysis (`analyses[i].bias`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiasResult {
    /// Studies with an effect size.
    pub k: usize,
    /// Fewest studies for the asymmetry tests (`--k-min`).
    pub k_min: usize,
    /// The test `meta::metabias` uses by default for this measure: `harbord` for odds ratios,
    /// `egger` otherwise.
    pub default_test: &'static str,
    /// Egger's regression test.
    pub egger: Option<RegressionTest>,
    /// Begg & Mazumdar's rank correlation test.
    pub begg: Option<RankTest>,
    /// Peters' regression test (binary data and proportions).
    pub peters: Option<RegressionTest>,
    /// Harbord's score-based test (two-arm binary data).
    pub harbord: Option<RegressionTest>,
    /// Thompson & Sharp's test (additive between-study variance).
    pub thompson_sharp: Option<RegressionTest>,
    /// Trim-and-fill.
    pub trimfill: Option<TrimFill>,
    /// The step-function selection model.
    pub selection: Option<Selection>,
    /// PET-PEESE.
    pub pet_peese: Option<PetPeese>,
    /// Why a method asked for gave no result, and other notes on this analysis.
    pub warnings: Vec<String>,
}
