//! The paragraphs of the analyses that read a user's own file: wide two-arm binary data,
//! two-arm continuous data and generic estimates, each saying what was pooled, on which scale
//! and with which conversions, with the citation of each method.

use super::analysis::two_arm_method;
use super::pct;
use super::refs::{Cites, Ref};
use crate::effect::continuous::ContinuousMeasure;
use crate::effect::median_to_mean::SdChoice;
use crate::report::plan::{BinarySpec, ContinuousSpec, GenericSpec};
use crate::settings::GenericMeasure;

/// The paragraph of a wide two-arm binary analysis.
pub(super) fn binary_text(s: &BinarySpec, by: &str, c: &mut Cites) -> String {
    let (measure, method) = two_arm_method(&s.settings, c);
    format!(
        "Events and patients of the experimental and control arms of each study (one row per \
         study, read from {}) were compared by the {measure}, pooled {by}. The common-effect \
         estimate used {method}; as in R meta, the random-effects model used inverse-variance \
         weights of the study effects, and Q was computed about the common-effect estimate with \
         inverse-variance weights, as metafor does. A continuity correction of {} was added to \
         tables with a zero cell where the study effect needs it; studies with no events (or only \
         events) in both arms carry no information and were left out.",
        s.file.path, s.settings.incr
    )
}

/// The paragraph of a two-arm continuous analysis.
pub(super) fn continuous_text(s: &ContinuousSpec, by: &str, c: &mut Cites) -> String {
    let measure = match s.settings.measure {
        ContinuousMeasure::Md => "the mean difference".to_string(),
        ContinuousMeasure::Smd => format!(
            "the standardised mean difference, Hedges' g with the exact small-sample correction \
             and variance 1/n₁ + 1/n₂ + g²/(2(n₁ + n₂)) (as metafor's escalc with measure SMD; \
             {}; R meta's metacont by default uses an approximate correction and RevMan's \
             variance, so its values differ slightly)",
            c.names(&[Ref::Hedges1981])
        ),
        ContinuousMeasure::Rom => format!(
            "the ratio of means on the log scale {}",
            c.paren(&[Ref::Lajeunesse2011])
        ),
    };
    let sd = match s.sd_method {
        SdChoice::Shi => format!(
            "its SD by {} for the five-number summary and by {} otherwise",
            c.names(&[Ref::Shi2020]),
            c.names(&[Ref::Wan2014])
        ),
        SdChoice::Wan => format!("its SD by {}", c.names(&[Ref::Wan2014])),
    };
    format!(
        "Patients, means and standard deviations of the experimental and control arms of each \
         study (read from {}) were compared by {measure}, pooled {by} by inverse variance. An arm \
         that reported a median with its quartiles or range instead had its mean estimated by {} \
         and {sd}; such arms are named in the assumptions.",
        s.file.path,
        c.names(&[Ref::Luo2018])
    )
}

/// The paragraph of a generic inverse-variance analysis.
pub(super) fn generic_text(s: &GenericSpec, by: &str) -> String {
    let st = &s.settings;
    let scale = match st.sm {
        GenericMeasure::Gen => "the scale of the estimates as given".to_string(),
        sm => format!("the {} scale", sm.scale()),
    };
    format!(
        "Study estimates (read from {}) were pooled {by} by inverse variance on {scale}, each \
         with its standard error or, where only confidence limits were given, the standard error \
         (upper − lower)/(2 z) of {}% limits taken on that scale.",
        s.file.path,
        pct(st.ci_level.get())
    )
}
