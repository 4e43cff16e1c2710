//! Effect sizes: turning validated rows into (yᵢ, vᵢ) on an analysis scale, and back.
//! One module per family of outcome.

pub mod binomial_ci;
pub mod median;
pub mod proportion;
pub mod ratio;
pub mod two_arm;
