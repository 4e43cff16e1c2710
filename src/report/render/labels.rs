//! Column headers and decimals of a pooled analysis' tables, chosen by its outcome.

use crate::analysis::report::PoolReport;
use crate::effect::two_arm::TwoArmMeasure;
use crate::model::Measure;

/// Headers, decimals and the settings line of one outcome.
pub(super) struct Labels {
    pub(super) data_header: &'static str,
    pub(super) effect_header: String,
    pub(super) digits: usize,
}

/// The labels of `r`'s measure.
pub(super) fn labels<S>(r: &PoolReport<S>) -> Labels {
    labels_of(r.measure)
}

/// The labels of a measure.
pub(super) fn labels_of(measure: Measure) -> Labels {
    match measure {
        Measure::Proportion(_) => Labels {
            data_header: "Events/n",
            effect_header: "Proportion".into(),
            digits: 4,
        },
        Measure::HazardRatio => Labels {
            data_header: "n (treatment/comparator)",
            effect_header: "Hazard ratio".into(),
            digits: 4,
        },
        Measure::LogMedian | Measure::Median => Labels {
            data_header: "n",
            effect_header: "Median PFS (months)".into(),
            digits: 2,
        },
        Measure::Continuous(_) | Measure::Generic(_) => Labels {
            data_header: "",
            effect_header: measure.labels().what.into(),
            digits: 4,
        },
        Measure::TwoArm(m) | Measure::Binary(m) => Labels {
            data_header: "Events/n (treatment vs comparator)",
            effect_header: match m {
                TwoArmMeasure::Or => "Odds ratio".into(),
                TwoArmMeasure::Rd => "Risk difference".into(),
                TwoArmMeasure::Rr => "Risk ratio".into(),
            },
            digits: 4,
        },
    }
}
