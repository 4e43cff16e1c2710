//! What the streaming reader hands to the fits: a `--by` group's counted rows, each with only
//! what its fit and its messages need of the arm.

use super::label::Label;

/// Rows of one `--by` group with their responder counts, in file order.
#[derive(Debug)]
pub struct Group {
    /// The group's label (the value of the `--by` column, `(missing)` when empty).
    pub label: String,
    /// The counted rows, in file order.
    pub members: Vec<Member>,
}

/// A counted row of a group: what its fit needs of the arm.
#[derive(Debug)]
pub struct Member {
    /// As [`Arm::line`](crate::data::Arm::line).
    pub line: u64,
    /// As [`Arm::study`](crate::data::Arm::study), for messages.
    pub study: Label,
    /// Patients.
    pub n: u64,
    /// Responders.
    pub events: u64,
}
