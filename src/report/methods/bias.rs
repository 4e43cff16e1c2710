//! The paragraph of a `bias` analysis: which small-study methods were run on which pooled
//! analysis, with their citations, the k ≥ 10 rule, and how to read them (Sterne et al. 2011).

use super::refs::{Cites, Ref};
use crate::methods::bias::BiasTest;
use crate::report::plan::{AnalysisKind, BiasSpec};

/// The paragraph of `b`; `by` says how the pooled analysis is grouped.
pub(super) fn bias_text(b: &BiasSpec, by: &str, c: &mut Cites) -> String {
    let what = match b.pooled.kind() {
        AnalysisKind::Orr => "response rates",
        AnalysisKind::OrrCompare => "response comparisons",
        AnalysisKind::Hr => "hazard ratios",
        _ => "log median progression-free survival",
    };
    let scope = match &b.group {
        Some(g) => format!("of the {what} of {g}"),
        None => format!("of the {what}, {by}"),
    };
    let m = &b.methods;
    let mut tests = Vec::new();
    let mut adjust = Vec::new();
    let binary = matches!(
        b.pooled.kind(),
        AnalysisKind::Orr | AnalysisKind::OrrCompare
    );
    let two_arm = b.pooled.kind() == AnalysisKind::OrrCompare;
    for &t in &m.tests {
        match t {
            // Named only where they apply, as they are run.
            BiasTest::Peters if !binary => {}
            BiasTest::Harbord if !two_arm => {}
            BiasTest::Egger => tests.push(format!(
                "Egger's regression of the effects on their standard errors with multiplicative \
                 dispersion {}",
                c.paren(&[Ref::Egger1997])
            )),
            BiasTest::Begg => tests.push(format!(
                "Begg and Mazumdar's rank correlation {} with Kendall's τ and, as metafor, an exact \
                 p-value where there are no ties",
                c.paren(&[Ref::Begg1994])
            )),
            BiasTest::Peters => tests.push(format!(
                "Peters' regression on the inverse of the sample size {}",
                c.paren(&[Ref::Peters2006])
            )),
            BiasTest::Harbord => tests.push(format!(
                "Harbord's score-based test {}",
                c.paren(&[Ref::Harbord2006])
            )),
            BiasTest::ThompsonSharp => tests.push(format!(
                "Thompson and Sharp's version of Egger's test with an additive between-study \
                 variance {}",
                c.paren(&[Ref::ThompsonSharp1999])
            )),
            BiasTest::TrimFill => adjust.push(format!(
                "Duval and Tweedie's trim-and-fill {} with the {} estimator, the missing studies \
                 imputed on the side metafor chooses (the sign of the slope of the effects on \
                 their standard errors) and the filled data refitted with the same random-effects \
                 model",
                c.paren(&[Ref::DuvalTweedie2000]),
                m.estimator
            )),
            BiasTest::Selection => adjust.push(format!(
                "a step-function selection model with one cut at a one-sided p of 0.025, fitted by \
                 maximum likelihood {}",
                c.paren(&[Ref::VeveaHedges1995])
            )),
            BiasTest::PetPeese => adjust.push(format!(
                "PET-PEESE {}",
                c.paren(&[Ref::StanleyDoucouliagos2014])
            )),
        }
    }
    let mut t = format!(
        "Small-study effects {scope} were examined as Sterne et al. recommend {}.",
        c.paren(&[Ref::Sterne2011])
    );
    if !tests.is_empty() {
        t.push_str(&format!(
            " Funnel-plot asymmetry was tested by {}, each only where the group has at least {} \
             studies (the default of R meta), since with fewer the tests cannot tell asymmetry \
             from chance.",
            tests.join("; "),
            m.k_min
        ));
    }
    if !adjust.is_empty() {
        t.push_str(&format!(
            " The pooled estimate was re-examined by {}.",
            adjust.join("; ")
        ));
    }
    t.push_str(
        " Asymmetry is not proof of publication bias: heterogeneity, chance and the choice of \
         effect measure produce it too, and the adjusted estimates are sensitivity analyses, not \
         corrections.",
    );
    t
}
