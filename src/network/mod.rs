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

use thiserror::Error;

/// A network analysis that cannot be run as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NetworkError {
    /// No contrast is left to analyse.
    #[error("{0}")]
    NothingToAnalyse(String),
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
    /// A setting outside what the network analysis supports.
    #[error("{0}")]
    InvalidSetting(String),
    /// A contrast row that cannot be used (non-finite effect, variance ≤ 0, treatment equal
    /// to comparator).
    #[error("{0}")]
    BadContrast(String),
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
    /// A covariance matrix that is not positive definite, or a singular fit.
    #[error("{0}")]
    Numerical(String),
}
