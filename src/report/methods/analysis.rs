//! The paragraph of each analysis, by its kind: what was pooled, on which scale and how, with
//! the citation of each method; and the sentences on subgroups and overlapping rows.

use super::pct;
use super::refs::{Cites, Ref};
use crate::analysis::compare::{CompareMethod, CompareSettings};
use crate::analysis::group::Grouping;
use crate::analysis::median_pfs::MedianMethod;
use crate::effect::two_arm::TwoArmMeasure;
use crate::methods::PooledModel;
use crate::network::{NetworkModel, SmallValues};
use crate::report::plan::{AnalysisSpec, SensitivitySpec};
use crate::settings::{Endpoint, ProportionMeasure, StudyCi, TauMethod};

fn grouping_text(g: &Grouping) -> String {
    match g {
        Grouping::None => "over all studies together".into(),
        Grouping::Column(c) if c == "comparison" => {
            "within each comparison (treatment vs comparator)".into()
        }
        Grouping::Column(c) => format!("within each value of '{c}'"),
    }
}

/// Whether rows sharing patients were left out, as a sentence.
pub(super) fn overlap_text(keep: bool) -> &'static str {
    if keep {
        "Rows that share patients with other rows (earlier data cuts, subsets) were included, as asked."
    } else {
        "Rows that share patients with other rows (earlier data cuts, subsets of a cohort, or \
         superseded analyses) were left out, so that no patient is counted twice; they are named \
         in the warnings."
    }
}

/// The paragraph of one analysis; with `overlap_each`, it also says how overlapping rows were
/// treated (when the analyses of the plan differ in that).
pub(super) fn analysis_text(spec: &AnalysisSpec, overlap_each: bool, c: &mut Cites) -> String {
    let by = spec.grouping().map(grouping_text).unwrap_or_default();
    let mut t = match spec {
        AnalysisSpec::Orr(s) => {
            let sm = match s.sm {
                ProportionMeasure::Plogit => "the logit transformation, ln(p/(1 − p)) (PLOGIT)".to_string(),
                ProportionMeasure::Pft => format!(
                    "the Freeman–Tukey double arcsine transformation (PFT) {}, pooled values \
                     back-transformed with the harmonic mean of the sample sizes {}",
                    c.paren(&[Ref::FreemanTukey1950]),
                    c.paren(&[Ref::Miller1978])
                ),
                ProportionMeasure::Pas => "the arcsine square-root transformation (PAS)".to_string(),
                ProportionMeasure::Praw => "no transformation (raw proportions, PRAW)".to_string(),
                ProportionMeasure::Pln => "the log transformation (PLN)".to_string(),
            };
            let ci = match s.ci_study {
                StudyCi::ClopperPearson => format!("exact Clopper–Pearson intervals {}", c.paren(&[Ref::ClopperPearson1934])),
                StudyCi::Wilson => format!("Wilson score intervals {}", c.paren(&[Ref::Wilson1927])),
                StudyCi::AgrestiCoull => format!("Agresti–Coull intervals {}", c.paren(&[Ref::AgrestiCoull1998])),
                StudyCi::Jeffreys => format!("Jeffreys intervals {}", c.paren(&[Ref::BrownCaiDasGupta2001])),
                StudyCi::Wald => "Wald (normal-approximation) intervals".to_string(),
            };
            let correction = if s.sm.needs_correction() {
                format!(
                    " Studies with 0 or n responders received a continuity correction: responders \
                     + {0} out of n + 2 × {0}.",
                    s.incr
                )
            } else {
                String::new()
            };
            format!(
                "Objective response rates (complete plus partial responses over the patients \
                 evaluated) of single arms and cohorts were pooled {by} after {sm}.{correction} \
                 Per-study confidence intervals are {ci}."
            )
        }
        AnalysisSpec::OrrCompare(s) => {
            let (measure, method) = two_arm_method(s, c);
            format!(
                "Within each randomized trial, the response of the treatment arm was compared with \
                 that of its comparator (chemotherapy, else crizotinib) by the {measure}, pooled \
                 {by}. The common-effect estimate used {method}; as in R meta, the random-effects \
                 model used inverse-variance weights of the study effects, and Q was computed about \
                 the common-effect estimate with inverse-variance weights, as metafor does. A \
                 continuity correction of {} was added to tables with a zero cell where the study \
                 effect needs it; trials with no responders (or only responders) in both arms carry \
                 no information and were left out.",
                s.incr
            )
        }
        AnalysisSpec::Network(s) => {
            let n = &s.network;
            let endpoint = match s.endpoint {
                Endpoint::Pfs => "progression-free survival",
                Endpoint::Os => "overall survival",
            };
            let model = match n.model {
                NetworkModel::Random => "a random-effects consistency model with one between-study \
                     variance τ² shared by every comparison",
                NetworkModel::Common => "a common-effect consistency model (τ² = 0; τ² is still \
                     estimated and reported)",
            };
            let tau = match n.method_tau {
                TauMethod::Dl => format!(
                    "the generalised DerSimonian–Laird method ({})",
                    c.names(&[Ref::DerSimonianLaird1986, Ref::JacksonWhiteRiley2012])
                ),
                _ => format!(
                    "restricted maximum likelihood (REML, as metafor's rma.mv; {})",
                    c.names(&[Ref::Viechtbauer2010])
                ),
            };
            let direction = match n.small_values {
                SmallValues::Good => "a smaller hazard ratio being better",
                SmallValues::Bad => "a larger hazard ratio being better",
            };
            let reference = n
                .reference
                .as_deref()
                .map(|r| format!("{r}, as asked"))
                .unwrap_or_else(|| "chemotherapy when in the network, else the most studied treatment".into());
            let setting = s
                .setting
                .as_deref()
                .map(|v| format!(" Only rows of the setting '{v}' were used."))
                .unwrap_or_default();
            format!(
                "Hazard ratios for {endpoint} were combined in a frequentist network meta-analysis \
                 on the log scale, fitted by generalised least squares {} as in R netmeta, with \
                 {model}; τ² was estimated by {tau}. The rows of one trial form one study, and a \
                 multi-arm trial contributes all its contrasts with their within-trial covariance. \
                 Effects are reported against the reference ({reference}). Treatments were ranked \
                 by P-scores {}, {direction}. Heterogeneity and inconsistency were assessed by the \
                 design-by-treatment decomposition of Q {}, and direct and indirect evidence were \
                 compared by node-splitting with back-calculation {}. All intervals are {}% \
                 intervals.{setting}",
                c.paren(&[Ref::Rucker2012]),
                c.paren(&[Ref::RuckerSchwarzer2015]),
                c.paren(&[Ref::KrahnBinderKonig2013]),
                c.paren(&[Ref::Dias2010, Ref::KonigKrahnBinder2013]),
                pct(n.level.get())
            )
        }
        AnalysisSpec::Influence(s) | AnalysisSpec::Cumulative(s) => sensitivity_text(spec, s, c),
        AnalysisSpec::Hr(s) => {
            let endpoint = match s.endpoint {
                Endpoint::Pfs => "progression-free survival",
                Endpoint::Os => "overall survival",
            };
            format!(
                "Hazard ratios for {endpoint} of randomized comparisons were pooled on the log scale \
                 by inverse variance, {by}. The standard error of each log hazard ratio was derived \
                 from its reported confidence interval at that interval's own level or, where only \
                 a p-value was reported, from the two-sided p-value {}. Rows reported the other way \
                 round were inverted (HR → 1/HR) to match their comparison.",
                c.paren(&[Ref::AltmanBland2011])
            )
        }
        AnalysisSpec::Bias(b) => super::bias::bias_text(b, &by, c),
        AnalysisSpec::Binary(s) => super::user_data::binary_text(s, &by, c),
        AnalysisSpec::Continuous(s) => super::user_data::continuous_text(s, &by, c),
        AnalysisSpec::Generic(s) => super::user_data::generic_text(s, &by),
        AnalysisSpec::Metareg(s) => super::metareg::metareg_text(s, c),
        AnalysisSpec::Pfs(s) => match s.method {
            MedianMethod::LogIv => format!(
                "Median progression-free survival of single arms was pooled {by} by inverse variance \
                 on the log median, with the standard error taken from the median's reported 95% \
                 confidence interval, assumed symmetric on the log scale (as the Brookmeyer–Crowley \
                 interval with a log transformation is; {}); the pooled value is the exponential of \
                 the pooled log median. Arms without a median and both bounds of its 95% confidence \
                 interval were left out and are listed.",
                c.names(&[Ref::BrookmeyerCrowley1982])
            ),
            MedianMethod::MedianOfMedians | MedianMethod::WeightedMedianOfMedians => format!(
                "Median progression-free survival of single arms was summarised {by} by the {}median \
                 of the arm medians with the normal-approximation sign-test interval {}; this \
                 method needs no variances and gives no heterogeneity statistics or prediction \
                 interval. Arms without a median were left out and are listed.",
                if s.method == MedianMethod::WeightedMedianOfMedians {
                    "sample-size-weighted "
                } else {
                    ""
                },
                c.paren(&[Ref::McGrath2019])
            ),
        },
    };
    if overlap_each {
        t.push(' ');
        t.push_str(overlap_text(spec.keep_overlapping()));
    }
    t
}

/// The measure of a two-arm comparison in words, and its common-effect method with its
/// citations (the variance estimator's cited for Mantel–Haenszel).
pub(super) fn two_arm_method(s: &CompareSettings, c: &mut Cites) -> (&'static str, String) {
    let measure = match s.measure {
        TwoArmMeasure::Rr => "risk ratio",
        TwoArmMeasure::Or => "odds ratio",
        TwoArmMeasure::Rd => "risk difference",
    };
    let variance = match s.measure {
        TwoArmMeasure::Or => Ref::RobinsBreslowGreenland1986,
        TwoArmMeasure::Rr => Ref::GreenlandRobins1985,
        TwoArmMeasure::Rd => Ref::SatoGreenlandRobins1989,
    };
    let method = match s.method {
        CompareMethod::Iv => "inverse-variance weights".to_string(),
        CompareMethod::Mh => format!(
            "the Mantel–Haenszel method on the raw counts {}, with the variance estimator of {}",
            c.paren(&[Ref::MantelHaenszel1959]),
            variance.short()
        ),
        CompareMethod::MhCc => format!(
            "the Mantel–Haenszel method {} after adding {} to every cell of tables with a zero \
             cell, with the variance estimator of {}",
            c.paren(&[Ref::MantelHaenszel1959]),
            s.incr,
            variance.short()
        ),
        CompareMethod::Peto => format!("Peto's one-step odds ratio {}", c.paren(&[Ref::Yusuf1985])),
    };
    if matches!(s.method, CompareMethod::Mh | CompareMethod::MhCc) {
        c.0.insert(variance);
    }
    (measure, method)
}

/// The paragraph of a sensitivity section: what was refitted, how, and what marks a study.
fn sensitivity_text(spec: &AnalysisSpec, s: &SensitivitySpec, c: &mut Cites) -> String {
    let model = match s.model {
        PooledModel::Random => "random-effects",
        PooledModel::Common => "common-effect",
    };
    let scope = match &s.group {
        Some(g) => format!("the {g} group of the analysis '{}'", s.of),
        None => format!("each group of the analysis '{}'", s.of),
    };
    if let AnalysisSpec::Cumulative(_) = spec {
        return format!(
            "In a cumulative meta-analysis {} of {scope}, the {model} model was refitted to the \
             first study, the first two, and so on, in the order of {}, each fit with the same \
             τ² estimator, interval method and common-effect method as the analysis.",
            c.paren(&[Ref::Lau1992]),
            s.order.describe()
        );
    }
    format!(
        "In a leave-one-out analysis of {scope}, the {model} model was refitted without each study \
         in turn, with the same τ² estimator, interval method and common-effect method (a \
         Mantel–Haenszel or Peto estimate from the remaining tables). The case-deletion \
         diagnostics of metafor's influence() {} — externally standardised residuals, DFFITS, \
         Cook's distances, covariance ratios, DFBETAS, τ² and Q without the study, hat values and \
         weights — mark a study as influential when |DFFITS| > 3√(1/(k − 1)), Cook's distance \
         exceeds the median of χ² with 1 df, its hat value exceeds 3/k, or |DFBETAS| > 1. The \
         Baujat plot {} shows each study's contribution to the heterogeneity against its influence \
         on the pooled result. Groups of fewer than three studies have no diagnostics.",
        c.paren(&[Ref::ViechtbauerCheung2010]),
        c.paren(&[Ref::Baujat2002])
    )
}
