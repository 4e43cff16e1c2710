//! alkstats: meta-analysis of clinical trial evidence, reproducing R `metafor`/`meta` numbers.
//!
//! Data flows one way: [`data`] (CSV → validated rows) → [`effect`] (effect sizes yᵢ, vᵢ) →
//! [`fit`] (the estimators) → [`model`] (one fitted-model object) → [`analysis`] (report
//! structures) → [`output`] (table, JSON, CSV). The command-line interface in `cli` (cargo
//! feature `cli`, on by default) is a thin layer over this library; nothing in the library
//! depends on it.

// `!(x > 0.0)` is used on purpose throughout: unlike `x <= 0.0` it is also true for NaN, which
// is exactly the value a guard must reject.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// No panics reachable from the command line: library code returns errors instead of
// unwrapping (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod batch;
#[cfg(feature = "cli")]
pub mod cli;
pub mod data;
pub mod decimal;
pub mod dist;
pub mod effect;
pub mod fit;
pub mod format;
pub mod io;
pub mod methods;
pub mod model;
pub mod network;
pub mod output;
pub mod plot;
pub mod report;
pub mod settings;

/// Version of alkstats, written into every result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
