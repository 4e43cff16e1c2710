//! Methods that work on a fitted model ([`crate::model::Rma`]): each reads the model's effect
//! sizes, studies and measure, refits where it must, and returns a plain serde struct, so that
//! it works for every outcome. One file (or folder) per method.

pub mod bias;
