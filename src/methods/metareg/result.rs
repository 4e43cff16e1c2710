//! The result of a meta-regression: plain serde data whose field names are the JSON contract
//! of `alkstats metareg` (docs/json-contract.md). Add fields freely, never rename these.

use serde::Serialize;

/// One coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// `intercept`, a continuous moderator's column, or `COLUMN=LEVEL`.
    pub term: String,
    /// Estimate on the analysis scale.
    pub estimate: f64,
    /// Standard error (Knapp–Hartung-scaled with `--random-ci hk`).
    pub se: f64,
    /// z (Wald) or t (Knapp–Hartung) statistic.
    pub stat: f64,
    /// Degrees of freedom of t (k − p); null for z.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// Permutation p-value (`--permutations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_permutation: Option<f64>,
}

/// The omnibus test of the moderators (every coefficient but the intercept): Q_M, χ² with m
/// df (Wald), or F with (m, k − p) df (Knapp–Hartung).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OmnibusTest {
    /// Q_M (Wald) or F = Q_M/m (Knapp–Hartung).
    pub stat: f64,
    /// m, the number of coefficients tested.
    pub df: f64,
    /// k − p, the denominator df of F; null for the χ² test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub df2: Option<f64>,
    /// p-value.
    pub p: Option<f64>,
    /// Permutation p-value (`--permutations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_permutation: Option<f64>,
}

/// The test for residual heterogeneity Q_E, χ² with k − p df.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidualTest {
    /// Q_E = y′Py with weights 1/vᵢ.
    pub stat: f64,
    /// k − p.
    pub df: f64,
    /// p-value.
    pub p: Option<f64>,
}

/// A study's fitted value and residual (`--studies`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedStudy {
    /// Label.
    pub study: String,
    /// Line in the input file.
    pub line: u64,
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Sampling variance.
    pub vi: f64,
    /// Fitted value xᵢ′β̂.
    pub fitted: f64,
    /// Raw residual yᵢ − xᵢ′β̂ (metafor `resid`).
    pub residual: f64,
    /// Weight in percent, 100 wᵢ/Σw (metafor `weights`).
    pub weight: f64,
    /// The moderator values, by column.
    pub moderators: Vec<(String, String)>,
}

/// What `--permutations` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PermutationInfo {
    /// Permutations, the observed order counted as the first (metafor `iter`).
    pub iterations: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Permuted refits that could not be fitted (left out of the p-values, as metafor).
    pub failed: usize,
}

/// A fitted meta-regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegression {
    /// `random` (mixed-effects) or `common` (fixed-effects meta-regression).
    pub model: String,
    /// `z` (Wald) or `knha` (Knapp–Hartung).
    pub test: String,
    /// Studies in the regression.
    pub k: usize,
    /// Coefficients, intercept first.
    pub coefficients: Vec<Coefficient>,
    /// Residual between-study variance (0 for the common-effect model).
    pub tau2: f64,
    /// Q-profile confidence interval for τ² (metafor `confint`); null for the common model.
    pub tau2_lower: Option<f64>,
    /// Upper limit.
    pub tau2_upper: Option<f64>,
    /// Residual I² (%), τ²-based as metafor: 100 τ²/(τ² + ṽ), ṽ = (k − p)/tr P with W = 1/vᵢ.
    pub i2: f64,
    /// Residual H² = (τ² + ṽ)/ṽ.
    pub h2: f64,
    /// Pseudo-R² (%): the share of the intercept-only model's τ² the moderators account for
    /// (metafor); for the common model, the adjusted R² of the weighted regression. Null when
    /// the intercept-only fit fails.
    pub r2: Option<f64>,
    /// Test of the moderators.
    pub qm: OmnibusTest,
    /// Test for residual heterogeneity.
    pub qe: ResidualTest,
    /// Iterations of the τ² estimator (0 for closed forms).
    pub iterations: usize,
    /// Per-study fitted values and residuals, on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub studies: Option<Vec<FittedStudy>>,
    /// The permutation test, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permutation: Option<PermutationInfo>,
    /// Everything the user should know: studies left out, non-convergence, nulls.
    pub warnings: Vec<String>,
}
