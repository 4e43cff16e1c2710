//! Typed settings of a network meta-analysis. Strings from the command line become these enums
//! at the edge; the statistics never match on strings.

use super::NetworkError;
use crate::settings::{choice_enum, Level, TauMethod};
use serde::Serialize;

choice_enum!(
    /// Which model the pairwise effects, the ranking and the node-splits are read from.
    #[derive(Default)]
    NetworkModel, "model (--model)", {
        /// Random effects: τ² added to every contrast variance (netmeta `random = TRUE`).
        #[default]
        Random => "random",
        /// Common effect (fixed effect): τ² = 0.
        Common => "common" ~ "fixed",
    }
);

choice_enum!(
    /// Direction of benefit, for the ranking (netmeta `small.values`).
    #[derive(Default)]
    SmallValues, "direction (--small-values)", {
        /// Smaller effects are better (a hazard ratio below 1 favours the treatment).
        #[default]
        Good => "good" ~ "desirable",
        /// Larger effects are better.
        Bad => "bad" ~ "undesirable",
    }
);

/// Settings of one network meta-analysis, independent of the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkSettings {
    /// Model the effects are read from.
    pub model: NetworkModel,
    /// τ² estimator: REML or DL.
    pub method_tau: TauMethod,
    /// Reference treatment; `None` for the default (see [`super::graph::default_reference`]).
    pub reference: Option<String>,
    /// Direction of benefit for the P-scores.
    pub small_values: SmallValues,
    /// Confidence level of every interval.
    pub level: Level,
    /// Scale of the effects (log ratios for hazard ratios).
    pub scale: EffectScale,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        NetworkSettings {
            model: NetworkModel::Random,
            method_tau: TauMethod::Reml,
            reference: None,
            small_values: SmallValues::Good,
            level: Level::default(),
            scale: EffectScale::LogRatio,
        }
    }
}

impl NetworkSettings {
    /// Checks what the network analysis supports.
    ///
    /// # Errors
    /// [`NetworkError::UnsupportedTauMethod`] for a τ² estimator other than REML or DL.
    pub fn validate(&self) -> Result<(), NetworkError> {
        match self.method_tau {
            TauMethod::Reml | TauMethod::Dl => Ok(()),
            other => Err(NetworkError::UnsupportedTauMethod { method: other }),
        }
    }
}

/// The scale on which effects are estimated, which decides how `estimate`, `lower` and `upper`
/// are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EffectScale {
    /// Log ratios (ln HR): estimates and bounds are reported as ratios, exp(yᵢ).
    #[default]
    LogRatio,
    /// Differences (e.g. mean differences): reported as they are.
    Difference,
}

impl EffectScale {
    /// The reported value of an effect yᵢ.
    pub fn display(self, y: f64) -> f64 {
        match self {
            EffectScale::LogRatio => y.exp(),
            EffectScale::Difference => y,
        }
    }

    /// The value of no effect on the reported scale.
    pub fn null_value(self) -> f64 {
        match self {
            EffectScale::LogRatio => 1.0,
            EffectScale::Difference => 0.0,
        }
    }

    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            EffectScale::LogRatio => "log",
            EffectScale::Difference => "identity",
        }
    }
}

impl Serialize for EffectScale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
