//! The methods section of a report, written from the typed settings of each analysis (never
//! from the results), with the citation of every method used and a reference list built from
//! exactly those citations. The text is meant to be pasted into a paper.
//!
//! The files: `refs` holds the works that can be cited and collects those that are; `model`
//! writes the paragraph on the pairwise model; `analysis` the paragraph of each analysis by its
//! kind; this file assembles the section in order.

mod analysis;
mod bias;
mod metareg;
mod model;
mod refs;
mod user_data;

use super::plan::{AnalysisKind, AnalysisSpec, Plan};
use crate::analysis::group::Grouping;
use crate::analysis::median_pfs::MedianMethod;
use crate::methods::bias::BiasTest;
use crate::settings::FitSettings;
use crate::VERSION;
use analysis::{analysis_text, overlap_text};
use model::model_text;
use refs::{Cites, Ref};
use serde::Serialize;
use std::collections::BTreeSet;

/// One paragraph of the methods section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    /// Short heading.
    pub heading: String,
    /// The text, plain (no markup).
    pub text: String,
}

/// The methods section and its references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Methods {
    /// Paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// Full references of every work cited, alphabetical.
    pub references: Vec<String>,
}

/// A confidence level in percent, as printed in the text.
fn pct(level: f64) -> String {
    // 0.95 → "95", 0.975 → "97.5": the shortest decimal that prints the level exactly.
    let p = level * 100.0;
    let rounded = (p * 1e6).round() / 1e6;
    format!("{rounded}")
}

/// Which data files the plan's analyses read, as a phrase.
fn data_text(plan: &Plan) -> String {
    let uses_hr = |k: AnalysisKind| matches!(k, AnalysisKind::Hr | AnalysisKind::Network);
    let arms = plan
        .analyses
        .iter()
        .any(|a| !uses_hr(a.spec.pooled().kind()));
    let hr = plan
        .analyses
        .iter()
        .any(|a| uses_hr(a.spec.pooled().kind()));
    let name = |written: &Option<String>, embedded: &str| {
        written
            .clone()
            .unwrap_or_else(|| format!("{embedded} (shipped with alkstats)"))
    };
    let mut files = Vec::new();
    if arms {
        files.push(format!(
            "the trial arms in {}",
            name(&plan.data.arms, "data/alk_nsclc_arms.csv")
        ));
    }
    if hr {
        files.push(format!(
            "the hazard ratios in {}",
            name(&plan.data.hr, "data/alk_nsclc_hr.csv")
        ));
    }
    files.join(" and ")
}

/// Writes the methods section for `plan`.
pub fn methods(plan: &Plan) -> Methods {
    let mut c = Cites::default();
    let keeps: BTreeSet<bool> = plan
        .analyses
        .iter()
        .map(|a| a.spec.keep_overlapping())
        .collect();
    let overlap_each = keeps.len() > 1;
    let mut data = format!(
        "The analyses use {}; every row carries its source, listed under Data provenance.",
        data_text(plan)
    );
    if let (false, Some(&keep)) = (overlap_each, keeps.first()) {
        data.push(' ');
        data.push_str(overlap_text(keep));
    }
    let mut paragraphs = vec![Paragraph {
        heading: "Software".into(),
        text: format!(
            "Analyses were run with alkstats {VERSION}, whose estimates reproduce those of R \
             metafor 3.8 {} and meta {}, from the analysis plan {}. Every number of this report is \
             in results.json, and the command printed with each analysis reproduces it.",
            c.paren(&[Ref::Viechtbauer2010]),
            c.paren(&[Ref::Balduzzi2019]),
            plan.name
        ),
    }];
    paragraphs.push(Paragraph {
        heading: "Data".into(),
        text: data,
    });
    // One model paragraph per distinct set of model settings, in plan order.
    let mut fits: Vec<(FitSettings, Vec<&str>)> = Vec::new();
    for a in &plan.analyses {
        let Some(&fit) = a.spec.fit() else { continue };
        match fits.iter_mut().find(|(f, _)| *f == fit) {
            Some((_, titles)) => titles.push(&a.title),
            None => fits.push((fit, vec![&a.title])),
        }
    }
    let single = fits.len() == 1;
    let network = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Network);
    for (fit, titles) in &fits {
        let scope = if single && network {
            "In every pairwise analysis,".to_string()
        } else if single {
            "In every analysis,".to_string()
        } else {
            format!("In the analyses {},", titles.join("; "))
        };
        paragraphs.push(Paragraph {
            heading: "Statistical model".into(),
            text: model_text(fit, &scope, &mut c),
        });
    }
    let grouped = plan
        .analyses
        .iter()
        .any(|a| a.spec.grouping().is_some_and(|g| *g != Grouping::None));
    let has_q = plan.analyses.iter().any(|a| match &a.spec {
        AnalysisSpec::Pfs(s) => s.method == MedianMethod::LogIv,
        AnalysisSpec::Network(_) => false,
        _ => true,
    });
    if has_q {
        let mut text = format!(
            "In pairwise analyses, heterogeneity was assessed with Cochran's Q test and quantified by I², using the \
             Q-based definition {}, I² = max(0, (Q − df)/Q) × 100%, with the test-based \
             confidence interval of the same authors (as in R meta); the τ²-based I² that metafor and \
             RevMan (since 2024) print is given in results.json as i2_tau. Groups of a single study \
             have no heterogeneity statistics or prediction interval.",
            c.paren(&[Ref::HigginsThompson2002])
        );
        if grouped {
            text.push_str(&format!(
                " With subgroups, each subgroup was fitted on its own, with its own τ², and \
                 subgroup differences were tested by Q between the subgroup estimates with \
                 df = number of subgroups − 1 {}.",
                c.paren(&[Ref::Borenstein2009])
            ));
        }
        paragraphs.push(Paragraph {
            heading: "Heterogeneity".into(),
            text,
        });
    }
    for a in &plan.analyses {
        paragraphs.push(Paragraph {
            heading: a.title.clone(),
            text: analysis_text(&a.spec, overlap_each, &mut c),
        });
    }
    let forest = plan
        .analyses
        .iter()
        .any(|a| a.figures.forest && a.spec.kind() != AnalysisKind::Network);
    let network_figures = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Network && (a.figures.forest || a.figures.graph));
    let funnel = plan.analyses.iter().any(|a| a.figures.funnel);
    let trimfill = plan.analyses.iter().any(|a| {
        a.figures.funnel
            && matches!(&a.spec, AnalysisSpec::Bias(b) if b.methods.runs(BiasTest::TrimFill))
    });
    let baujat = plan.analyses.iter().any(|a| a.figures.baujat);
    let panels = plan.analyses.iter().any(|a| a.figures.influence);
    if forest || funnel || network_figures || baujat || panels {
        let mut text = String::new();
        if forest {
            text.push_str(
                "Forest plots show each study's estimate and confidence interval, with squares \
                 sized by weight, the pooled common-effect and random-effects estimates as diamonds \
                 and the prediction interval as a bar, in the manner of R meta. ",
            );
        }
        if funnel {
            text.push_str(
                "Funnel plots show each study's effect on the analysis scale against its standard \
                 error, with the pseudo confidence region around the random-effects estimate \
                 (metafor's funnel). ",
            );
        }
        if trimfill {
            text.push_str(
                "With trim-and-fill, the imputed studies are open circles and the pooled line and \
                 region are centred on the estimate of the filled data, the observed studies' \
                 estimate drawn in grey. ",
            );
        }
        if network_figures {
            text.push_str(
                "Network graphs show the treatments as nodes (area proportional to the patients \
                 randomized) and direct comparisons as edges (width proportional to the trials); \
                 network forest plots show every treatment against the \
                 reference with the P-scores. ",
            );
        }
        if baujat {
            text.push_str(
                "Baujat plots show each study's squared Pearson residual (its contribution to the \
                 heterogeneity) against the squared change of the pooled estimate without it, \
                 scaled by that estimate's variance (metafor's baujat). ",
            );
        }
        if panels {
            text.push_str(
                "Influence plots show each diagnostic by study with the thresholds of the rule \
                 (metafor's plot of influence()). ",
            );
        }
        paragraphs.push(Paragraph {
            heading: "Figures".into(),
            text: text.trim_end().to_string(),
        });
    }
    let months = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Pfs);
    paragraphs.push(Paragraph {
        heading: "Numbers".into(),
        text: format!(
            "Estimates and their intervals are shown with 4 decimals{}, weights and I² in percent \
             with 1 decimal, τ² with 4 decimals, Q with 2, and p-values with 4 (below 0.0001 as \
             < 0.0001){}; results.json holds the unrounded values.",
            if months {
                " (median PFS in months with 2)"
            } else {
                ""
            },
            if network { ", P-scores with 4" } else { "" }
        ),
    });
    let mut references: Vec<String> = c.0.iter().map(|r| r.full().to_string()).collect();
    references.sort();
    Methods {
        paragraphs,
        references,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(extra: &str) -> Plan {
        let text = format!(
            "title = \"T\"\n{extra}\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\n\
             [[analysis]]\nid = \"h\"\nkind = \"hr\"\n"
        );
        Plan::parse("p.toml", &text).unwrap()
    }

    fn all_text(m: &Methods) -> String {
        m.paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn default_settings_name_reml_the_q_based_i2_and_t_k_minus_1() {
        let m = methods(&plan(""));
        let t = all_text(&m);
        assert!(
            t.contains("restricted maximum likelihood (REML; Viechtbauer 2005)"),
            "{t}"
        );
        assert!(t.contains("I² = max(0, (Q − df)/Q) × 100%"), "{t}");
        assert!(
            t.contains("Q-based definition (Higgins & Thompson 2002)"),
            "{t}"
        );
        assert!(
            t.contains("t distribution with k − 1 degrees of freedom"),
            "{t}"
        );
        assert!(t.contains("logit transformation"), "{t}");
        assert!(t.contains("All intervals are 95% intervals."), "{t}");
        assert!(t.contains("Altman & Bland 2011"), "{t}");
        // One model paragraph: both analyses share their settings.
        assert_eq!(
            m.paragraphs
                .iter()
                .filter(|p| p.heading == "Statistical model")
                .count(),
            1
        );
    }

    #[test]
    fn every_citation_has_its_reference_and_no_other() {
        let m = methods(&plan("[settings]\nmethod_tau = \"DL\"\nrandom_ci = \"hk\""));
        let t = all_text(&m);
        assert!(t.contains("DerSimonian & Laird 1986"), "{t}");
        assert!(!t.contains("Viechtbauer 2005"), "{t}");
        let refs = m.references.join("\n");
        assert!(refs.contains("DerSimonian R, Laird N."), "{refs}");
        assert!(refs.contains("Hartung J, Knapp G."), "{refs}");
        assert!(!refs.contains("Bias and efficiency"), "{refs}");
        let mut sorted = m.references.clone();
        sorted.sort();
        assert_eq!(sorted, m.references);
    }

    #[test]
    fn network_paragraph_cites_its_methods() {
        let text =
            "title = \"T\"\n[[analysis]]\nid = \"n\"\nkind = \"network\"\nmethod_tau = \"DL\"\n";
        let m = methods(&Plan::parse("p.toml", text).unwrap());
        let t = all_text(&m);
        assert!(t.contains("P-scores (Rücker & Schwarzer 2015)"), "{t}");
        assert!(t.contains("generalised DerSimonian–Laird method"), "{t}");
        assert!(t.contains("(Krahn, Binder & König 2013)"), "{t}");
        // No pairwise model or heterogeneity paragraph without pairwise analyses.
        assert!(!m
            .paragraphs
            .iter()
            .any(|p| p.heading == "Statistical model"));
        assert!(m
            .references
            .iter()
            .any(|r| r.starts_with("Rücker G. Network meta-analysis")));
    }

    #[test]
    fn levels_print_exactly() {
        assert_eq!(pct(0.95), "95");
        assert_eq!(pct(0.9), "90");
        assert_eq!(pct(0.975), "97.5");
    }
}
