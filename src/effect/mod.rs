//! Effect sizes: turning validated rows into (yᵢ, vᵢ) on an analysis scale, and back.
//! One module per family of outcome.

pub mod binomial_ci;
pub mod continuous;
pub mod median;
pub mod median_to_mean;
pub mod proportion;
pub mod ratio;
pub mod two_arm;
