//! The effect measure of a set of effect sizes: what `yi` means, how it goes back to the scale
//! people read, and how it is labelled and drawn.
//!
//! Every renderer (table, CSV, forest, funnel, report) asks the [`Measure`] for its labels,
//! axis scale, null value and "favours" wording, so that a new outcome is one new variant here
//! and nothing in the renderers matches on outcome names.

use crate::effect::continuous::ContinuousMeasure;
use crate::effect::proportion::back_transform;
use crate::effect::two_arm::TwoArmMeasure;
use crate::settings::{GenericMeasure, ProportionMeasure};

/// What the effect sizes `yi` measure (metafor's `measure`, `meta`'s `sm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// A single proportion on a transformed scale (metafor `PLO`, `PFT`, `PAS`, `PR`, `PLN`).
    Proportion(ProportionMeasure),
    /// Log hazard ratio of a treatment against a comparator.
    HazardRatio,
    /// A two-arm comparison of response rates (the shipped randomized trials): log risk ratio,
    /// log odds ratio (also Peto's) or risk difference (metafor `RR`, `OR`, `RD`).
    TwoArm(TwoArmMeasure),
    /// A user's two-arm binary outcome (`--outcome binary`): the same measures, labelled
    /// without assuming what the events are.
    Binary(TwoArmMeasure),
    /// Log of a median time (months), pooled by inverse variance.
    LogMedian,
    /// A median time on its own scale (median of medians: no variance model).
    Median,
    /// A two-arm continuous comparison: mean difference, Hedges' g or log ratio of means
    /// (metafor `MD`, `SMD`, `ROM`).
    Continuous(ContinuousMeasure),
    /// Estimates given by the user on the scale `--sm` names (log scale for ratios), as
    /// `meta::metagen`.
    Generic(GenericMeasure),
}

/// How a measure is labelled in tables and plots.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureLabels {
    /// What is pooled, for titles ("Objective response rate").
    pub what: &'static str,
    /// Label under the x axis.
    pub x_label: &'static str,
    /// Header of a study's data column ("Events/N").
    pub data_header: &'static str,
    /// Header of the estimate column ("Proportion").
    pub estimate_header: &'static str,
    /// "Favours" labels left and right of the null value, if the measure has a direction.
    pub favours: Option<(&'static str, &'static str)>,
    /// Whether an analysis' totals (events/n) fit the data column.
    pub totals: bool,
    /// Names of the two arms of two-arm data (forest-plot column headers); `None` otherwise.
    pub arms: Option<(&'static str, &'static str)>,
}

impl Measure {
    /// The summary-measure code echoed in output settings (`PLOGIT`, `HR`, `RR`, …).
    pub fn sm(self) -> &'static str {
        match self {
            Measure::Proportion(p) => p.as_str(),
            Measure::HazardRatio => "HR",
            Measure::TwoArm(m) | Measure::Binary(m) => m.as_str(),
            Measure::LogMedian | Measure::Median => "MEDIAN",
            Measure::Continuous(m) => m.as_str(),
            Measure::Generic(m) => m.as_str(),
        }
    }

    /// The analysis scale in words (e.g. "logit transformed proportion", "log hazard ratio").
    pub fn scale(self) -> &'static str {
        match self {
            Measure::Proportion(p) => p.describe(),
            Measure::HazardRatio => "log hazard ratio",
            Measure::TwoArm(m) | Measure::Binary(m) => match m {
                TwoArmMeasure::Rr => "log risk ratio",
                TwoArmMeasure::Or => "log odds ratio",
                TwoArmMeasure::Rd => "risk difference",
            },
            Measure::LogMedian => "log median (months)",
            Measure::Median => "median (months)",
            Measure::Continuous(ContinuousMeasure::Md) => "mean difference",
            Measure::Continuous(ContinuousMeasure::Smd) => {
                "standardised mean difference (Hedges' g)"
            }
            Measure::Continuous(ContinuousMeasure::Rom) => "log ratio of means",
            Measure::Generic(m) => m.scale(),
        }
    }

    /// Whether `yi` is the log of the displayed value, so that plots use a log axis.
    pub fn log_scale(self) -> bool {
        match self {
            Measure::HazardRatio | Measure::LogMedian => true,
            Measure::TwoArm(m) | Measure::Binary(m) => m.is_ratio(),
            Measure::Continuous(m) => m == ContinuousMeasure::Rom,
            Measure::Generic(m) => m.is_log(),
            Measure::Proportion(_) | Measure::Median => false,
        }
    }

    /// The value of no effect on the displayed scale (1 for ratios, 0 for differences);
    /// `None` for a measure of a single group.
    pub fn null_value(self) -> Option<f64> {
        match self {
            Measure::HazardRatio => Some(1.0),
            Measure::TwoArm(m) | Measure::Binary(m) if m.is_ratio() => Some(1.0),
            Measure::TwoArm(_) | Measure::Binary(_) => Some(0.0),
            Measure::Continuous(_) | Measure::Generic(_) => {
                Some(if self.log_scale() { 1.0 } else { 0.0 })
            }
            Measure::Proportion(_) | Measure::LogMedian | Measure::Median => None,
        }
    }

    /// Back-transforms `y` to the displayed scale; `None` where that is not a finite number.
    /// `n` is the sample size a Freeman–Tukey value is back-transformed with (Miller 1978: the
    /// harmonic mean of the studies' n for pooled values, the study's own n for a study); the
    /// other measures ignore it.
    pub fn back(self, y: f64, n: f64) -> Option<f64> {
        let v = match self {
            Measure::Proportion(p) => return back_transform(y, p, n),
            _ if self.log_scale() => y.exp(),
            _ => y,
        };
        v.is_finite().then_some(v)
    }

    /// Labels for tables and plots.
    pub fn labels(self) -> MeasureLabels {
        match self {
            Measure::Proportion(_) => MeasureLabels {
                // What a user's proportions count is not known (responses, events,
                // adverse effects …): only the shipped data say "response".
                what: "Proportion",
                x_label: "Proportion",
                data_header: "Events/N",
                estimate_header: "Proportion",
                favours: None,
                totals: true,
                arms: None,
            },
            Measure::HazardRatio => MeasureLabels {
                what: "Hazard ratio",
                x_label: "Hazard ratio (log scale)",
                data_header: "N (T/C)",
                estimate_header: "HR",
                favours: Some(("Favours treatment", "Favours comparator")),
                totals: false,
                arms: None,
            },
            Measure::TwoArm(m) => {
                let (what, x_label, estimate_header) = match m {
                    TwoArmMeasure::Rr => (
                        "Response: risk ratio",
                        "Risk ratio of response (log scale)",
                        "RR",
                    ),
                    TwoArmMeasure::Or => (
                        "Response: odds ratio",
                        "Odds ratio of response (log scale)",
                        "OR",
                    ),
                    TwoArmMeasure::Rd => (
                        "Response: risk difference",
                        "Risk difference of response",
                        "RD",
                    ),
                };
                MeasureLabels {
                    what,
                    x_label,
                    data_header: "Events/N\n(T vs C)",
                    estimate_header,
                    // A higher response rate on treatment is the good direction.
                    favours: Some(("Favours comparator", "Favours treatment")),
                    totals: false,
                    arms: Some(("Treatment", "Comparator")),
                }
            }
            Measure::Binary(m) => {
                let (what, x_label) = match m {
                    TwoArmMeasure::Rr => ("Risk ratio", "Risk ratio (log scale)"),
                    TwoArmMeasure::Or => ("Odds ratio", "Odds ratio (log scale)"),
                    TwoArmMeasure::Rd => ("Risk difference", "Risk difference"),
                };
                MeasureLabels {
                    what,
                    x_label,
                    data_header: "Events/N\n(E vs C)",
                    estimate_header: m.as_str(),
                    // Which side is good depends on the events: no "favours" labels unless asked.
                    favours: None,
                    totals: false,
                    arms: Some(("Experimental", "Control")),
                }
            }
            Measure::Continuous(m) => {
                let (what, x_label, estimate_header) = match m {
                    ContinuousMeasure::Md => ("Mean difference", "Mean difference", "MD"),
                    ContinuousMeasure::Smd => (
                        "Standardised mean difference",
                        "Standardised mean difference (Hedges' g)",
                        "SMD",
                    ),
                    ContinuousMeasure::Rom => {
                        ("Ratio of means", "Ratio of means (log scale)", "ROM")
                    }
                };
                MeasureLabels {
                    what,
                    x_label,
                    data_header: "Mean (SD), N\n(T vs C)",
                    estimate_header,
                    favours: None,
                    totals: false,
                    arms: Some(("Experimental", "Control")),
                }
            }
            Measure::Generic(m) => MeasureLabels {
                what: m.what(),
                x_label: m.axis_label(),
                data_header: "",
                estimate_header: m.as_str(),
                favours: None,
                totals: false,
                arms: None,
            },
            Measure::LogMedian | Measure::Median => MeasureLabels {
                what: "Median progression-free survival",
                x_label: "Median PFS, months (log scale)",
                data_header: "N",
                estimate_header: "Median",
                favours: None,
                totals: false,
                arms: None,
            },
        }
    }

    /// Labels for data that are the shipped files (`shipped`), where a proportion is known to
    /// be an objective response rate, or a user's file, which says only that it is a
    /// proportion.
    pub fn labels_for(self, shipped: bool) -> MeasureLabels {
        let mut l = self.labels();
        if let (true, Measure::Proportion(_)) = (shipped, self) {
            l.what = "Objective response rate";
            l.x_label = "Proportion responding";
        }
        l
    }

    /// Whether plots draw this measure on a log axis. Medians are drawn on a log axis even when
    /// pooled as medians, so that their intervals read the same way as the log-IV ones.
    pub fn log_axis(self) -> bool {
        self.log_scale() || self == Measure::Median
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_go_back_by_exp_and_differences_stay() {
        let rr = Measure::TwoArm(TwoArmMeasure::Rr);
        assert_eq!(rr.back(0.0, f64::NAN), Some(1.0));
        assert_eq!(
            Measure::TwoArm(TwoArmMeasure::Rd).back(0.2, f64::NAN),
            Some(0.2)
        );
        assert_eq!(Measure::HazardRatio.back(1000.0, 1.0), None);
        assert_eq!(rr.null_value(), Some(1.0));
        assert!(Measure::Proportion(ProportionMeasure::Plogit)
            .null_value()
            .is_none());
    }
}
