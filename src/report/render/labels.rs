//! Column headers and decimals of a pooled analysis' tables, chosen by its outcome.

use crate::analysis::report::PoolReport;

/// Headers, decimals and the settings line of one outcome.
pub(super) struct Labels {
    pub(super) data_header: &'static str,
    pub(super) effect_header: String,
    pub(super) digits: usize,
}

/// The labels of `r`'s outcome, read from the outcome and measure as its settings echo spells
/// them.
pub(super) fn labels<S>(r: &PoolReport<S>) -> Labels {
    match r.outcome.as_str() {
        "orr" => Labels {
            data_header: "Events/n",
            effect_header: "Proportion".into(),
            digits: 4,
        },
        "hr" => Labels {
            data_header: "n (treatment/comparator)",
            effect_header: "Hazard ratio".into(),
            digits: 4,
        },
        "pfs" => Labels {
            data_header: "n",
            effect_header: "Median PFS (months)".into(),
            digits: 2,
        },
        _ => Labels {
            data_header: "Events/n (treatment vs comparator)",
            effect_header: match r.settings.sm.as_str() {
                "OR" => "Odds ratio".into(),
                "RD" => "Risk difference".into(),
                _ => "Risk ratio".into(),
            },
            digits: 4,
        },
    }
}
