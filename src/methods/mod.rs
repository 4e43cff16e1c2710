//! Methods on a fitted model ([`crate::model::Rma`]), as metafor's methods on an `rma` object:
//! small-study effects (`bias/`: `regtest`, `ranktest`, `trimfill`, `selmodel`, …),
//! leave-one-out (`leave1out`), influence diagnostics (`influence`), the Baujat plot's
//! coordinates (`baujat`) and cumulative meta-analysis (`cumul`).
//!
//! Each method is one file (or folder) taking a [`crate::model::Rma`] and returning plain serde
//! structs. It works for every outcome because it reads the studies, their yᵢ, vᵢ (or 2×2
//! tables) and the [`crate::model::Measure`] from the model, and refits the same model — the
//! same τ² estimator, confidence-interval method, level and common-effect method — to subsets
//! of its studies ([`refit`]). Which of the two pooled models a method follows is a
//! [`PooledModel`].

pub mod baujat;
pub mod bias;
pub mod cumulative;
mod downdate;
pub mod influence;
pub mod leave_one_out;
pub mod metareg;
pub mod refit;

use crate::settings::choice_enum;
use thiserror::Error;

choice_enum!(
    /// The pooled model a sensitivity analysis follows.
    PooledModel, "pooled model (--model)", {
        /// The random-effects model: inverse variance with the chosen τ² estimator and CI.
        Random => "random",
        /// The common-effect model as fitted: inverse variance, Mantel–Haenszel or Peto.
        Common => "common",
    }
);

/// A method that cannot be run as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MethodError {
    /// `--order` names a column the studies do not have.
    #[error("--order {column}: no such column; expected one of: {available}")]
    UnknownOrderColumn {
        /// The column asked for.
        column: String,
        /// The columns the studies have.
        available: String,
    },
}

/// Calls `tick` once per refit done, from any thread: a progress bar's hook. The methods take
/// `&dyn Progress`, and `&()` reports nothing.
pub trait Progress: Sync {
    /// One more refit is done.
    fn tick(&self);
}

impl Progress for () {
    fn tick(&self) {}
}
