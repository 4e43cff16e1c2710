//! Rendering results for people and programs: an aligned table, JSON per docs/json-contract.md, and CSV.
//! Renderers only format; they never recompute statistics.

pub mod csv_out;
pub mod json;
pub mod table;

// The one formatter lives in `crate::format`; these names stay until every renderer uses it.
pub use crate::format::{fixed as fmt_opt, p_value as fmt_p};
