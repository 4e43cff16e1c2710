//! Rendering results for people and programs: an aligned table, JSON per docs/json-contract.md,
//! JSON Lines, and CSV.
//! Renderers only format; they never recompute statistics.

pub mod bias;
pub mod csv_out;
pub mod json;
pub mod jsonl;
pub mod metareg;
pub mod sensitivity;
pub mod table;
