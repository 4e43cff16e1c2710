//! Frequentist contrast-based network meta-analysis (`alkstats network`).
//!
//! The pipeline is the one of the rest of alkstats, for a network: contrast rows (yᵢ = ln HR
//! of a treatment against a comparator, vᵢ its variance) → studies with their basic contrasts
//! and within-study covariance ([`contrasts`]) → the connected components of the treatment
//! graph ([`graph`]) → one consistency model per component, fitted by generalised least
//! squares at a between-study variance τ² shared by every comparison ([`model`], [`tau2`]) →
//! what is read from that fit: every pairwise effect, the design-based decomposition of Q
//! ([`decomposition`]), node-splitting ([`split`]) and P-scores ([`rank`]) → plain report
//! structures ([`report`]) → table and CSV renderers ([`render`]).
//!
//! The model is that of Rücker (2012, "Network meta-analysis, electrical networks and graph
//! theory", Res Synth Methods 3:312–324) as implemented in R `netmeta`, written as the
//! multivariate model of metafor's `rma.mv(yi, V, mods = X, random = ~ comp | study,
//! rho = 1/2)`: a study with k arms contributes its k − 1 contrasts against a baseline arm,
//! correlated within the study through the variance of the shared arm, and τ² is added to
//! every contrast variance with covariance τ²/2 between contrasts of one study. The two
//! formulations give identical estimates (Rücker 2012, section 4).
//!
//! [`hr`] selects the hazard-ratio rows of the shipped data (endpoint, setting, superseded
//! rows) and turns them into contrasts; everything else is outcome-neutral and is tested on
//! mean differences too (the Senn et al. 2013 diabetes network).

pub mod contrasts;
pub mod decomposition;
pub mod graph;
pub mod hr;
pub mod model;
pub mod rank;
pub mod render;
pub mod report;
pub mod settings;
pub mod split;
pub mod tau2;

pub use contrasts::Contrast;
pub use report::{analyse, ComponentAnalysis, NetworkAnalysis};
pub use settings::{NetworkModel, NetworkSettings, SmallValues};

use crate::settings::{Endpoint, TauMethod};
use thiserror::Error;

/// A network analysis that cannot be run as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NetworkError {
    /// No contrast was given to [`analyse`].
    #[error("no contrast to analyse")]
    NoContrasts,
    /// `--setting` was asked of a hazard-ratio file without a `setting` column.
    #[error("--setting {setting}: {data} has no 'setting' column")]
    NoSettingColumn {
        /// The requested setting.
        setting: String,
        /// The data file, as named in messages.
        data: String,
    },
    /// No row of the endpoint is in the requested setting.
    #[error(
        "--setting {setting}: {data} has no hazard ratio for endpoint '{endpoint}' in this \
         setting; settings with one: {available}"
    )]
    NoRowsInSetting {
        /// The requested setting.
        setting: String,
        /// The data file, as named in messages.
        data: String,
        /// The endpoint analysed.
        endpoint: Endpoint,
        /// Settings that do have a row of the endpoint, comma-separated, or "none".
        available: String,
    },
    /// No row is left to analyse once the endpoint (and setting) are selected and superseded
    /// rows are left out.
    #[error(
        "{data}: no hazard ratio for endpoint '{endpoint}'{}",
        in_setting(setting)
    )]
    NoRows {
        /// The data file, as named in messages.
        data: String,
        /// The endpoint analysed.
        endpoint: Endpoint,
        /// The requested setting, if any.
        setting: Option<String>,
    },
    /// `--reference` names a treatment that is not in the network.
    #[error(
        "--reference {reference}: no such treatment in the network; expected one of: {available}"
    )]
    UnknownReference {
        /// The requested reference.
        reference: String,
        /// Treatments of the network.
        available: String,
    },
    /// A τ² estimator that the network model does not implement.
    #[error(
        "--method-tau {method}: a network meta-analysis supports REML or DL \
         (netmeta's generalised DerSimonian-Laird)"
    )]
    UnsupportedTauMethod {
        /// The estimator asked for.
        method: TauMethod,
    },
    /// A contrast row whose effect is not finite or whose variance is not positive.
    #[error(
        "row '{row}': effect {yi} with variance {vi}: expected a finite effect and a positive \
         variance"
    )]
    BadContrast {
        /// Row label.
        row: String,
        /// Its effect.
        yi: f64,
        /// Its variance.
        vi: f64,
    },
    /// A contrast row comparing a treatment with itself.
    #[error("row '{row}': treatment and comparator are both '{treatment}'")]
    SameTreatment {
        /// Row label.
        row: String,
        /// The treatment named on both sides.
        treatment: String,
    },
    /// A hazard-ratio row from which no standard error follows (hr = 1 or p = 1 with only a
    /// p-value), naming its line and study.
    #[error(transparent)]
    NoStandardError(#[from] crate::data::hr::NoStandardError),
    /// The rows of a multi-arm study do not give every pairwise comparison once.
    #[error("study '{study}': a trial with arms {arms} needs every pairwise comparison exactly once (the covariance of its contrasts follows from all of them); {problem}")]
    MultiArm {
        /// Study (trial) label.
        study: String,
        /// Its arms.
        arms: String,
        /// What is missing or repeated.
        problem: String,
    },
    /// A covariance matrix that is not positive definite, or a singular fit: a bug or a
    /// degenerate input that the checks above did not catch.
    #[error(transparent)]
    Numerical(NumericalFailure),
}

/// Where the linear algebra of a network fit failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NumericalFailure {
    /// The covariance matrix V of the contrasts (plus τ²) is not positive definite.
    #[error("the covariance matrix of the contrasts is not positive definite")]
    ContrastCovariance,
    /// XᵀWX is singular, as it is for a disconnected network.
    #[error("the network's design matrix is singular (is the network connected?)")]
    SingularDesign,
    /// A covariance matrix met by the REML iterations is singular.
    #[error("REML: a covariance matrix is singular")]
    RemlCovariance,
    /// The within-study covariance of one study is singular (in the decomposition of Q).
    #[error("study '{study}': its covariance matrix is singular")]
    StudyCovariance {
        /// Study (trial) label.
        study: String,
    },
}

/// " in setting 'X'" when a setting was asked for, for [`NetworkError::NoRows`].
fn in_setting(setting: &Option<String>) -> String {
    setting
        .as_deref()
        .map(|v| format!(" in setting '{v}'"))
        .unwrap_or_default()
}
