//! The result structures of a network analysis, serialised as `alkstats network --format json`
//! prints them. Field names are part of the public contract described in [`super`].

use crate::network::decomposition::DesignQ;
use crate::network::settings::{EffectScale, NetworkModel};
use serde::Serialize;

/// An estimate with its confidence interval; `yi`, `se` on the analysis scale (ln HR),
/// `estimate`, `lower`, `upper` on the reported scale (HR).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// Reported effect.
    pub estimate: f64,
    /// Lower confidence bound, reported scale.
    pub lower: f64,
    /// Upper confidence bound, reported scale.
    pub upper: f64,
}

impl Estimate {
    /// The estimate `yi` ± z·`se`, reported on `scale`.
    pub(super) fn new(yi: f64, se: f64, z: f64, scale: EffectScale) -> Self {
        Estimate {
            yi,
            se,
            estimate: scale.display(yi),
            lower: scale.display(yi - z * se),
            upper: scale.display(yi + z * se),
        }
    }
}

/// One ordered pair of treatments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// Treatment.
    pub treatment: String,
    /// Comparator.
    pub comparator: String,
    /// Network estimate of treatment vs comparator (ln HR).
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// Reported estimate (HR).
    pub estimate: f64,
    /// Lower confidence bound.
    pub lower: f64,
    /// Upper confidence bound.
    pub upper: f64,
    /// Wald z statistic (`stat`, the name every alkstats test statistic has).
    pub stat: f64,
    /// The same z, under its first name (kept: JSON fields are never removed).
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Studies comparing the two directly.
    pub k_direct: usize,
    /// Direct (pairwise) estimate from those studies, at the model's τ²; `null` without
    /// direct evidence.
    pub direct: Option<Estimate>,
}

/// A treatment's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rank {
    /// Treatment.
    pub treatment: String,
    /// P-score (Rücker & Schwarzer 2015), 0–1.
    pub p_score: f64,
    /// Rank by P-score, 1 = best.
    pub rank: usize,
}

/// A node of the network graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Treatment {
    /// Name.
    pub treatment: String,
    /// Studies with an arm of it.
    pub k: usize,
    /// Patients randomized to it, over all studies; `null` when a study does not say.
    pub n_patients: Option<u64>,
}

/// An edge of the network graph: two treatments compared directly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// First treatment.
    pub treatment: String,
    /// Second treatment.
    pub comparator: String,
    /// Studies comparing them.
    pub k: usize,
    /// Their labels.
    pub studies: Vec<String>,
    /// Patients in the two arms, over those studies; `null` when a study does not say.
    pub n_patients: Option<u64>,
}

/// One input contrast, as used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyRow {
    /// Row label.
    pub study: String,
    /// Study (trial) key.
    pub trial: String,
    /// Treatment.
    pub treatment: String,
    /// Comparator.
    pub comparator: String,
    /// Effect (ln HR).
    pub yi: f64,
    /// Its variance.
    pub vi: f64,
    /// Reported effect and its CI at the analysis' level.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Design of its study.
    pub design: String,
}

/// Heterogeneity and inconsistency (common-effect Q decomposition; Krahn et al. 2013).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heterogeneity {
    /// Q of the whole network.
    pub q: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// Its p-value; `null` when df = 0.
    pub p: Option<f64>,
    /// I² = max(0, (Q − df)/Q) in percent; `null` when df = 0.
    pub i2: Option<f64>,
    /// τ² (as at the top level).
    pub tau2: f64,
    /// τ.
    pub tau: f64,
    /// Q within designs (heterogeneity).
    pub q_within_designs: f64,
    /// Its degrees of freedom.
    pub df_within_designs: usize,
    /// Its p-value.
    pub p_within_designs: Option<f64>,
    /// Q between designs (inconsistency).
    pub q_inconsistency: f64,
    /// Its degrees of freedom.
    pub df_inconsistency: usize,
    /// Its p-value.
    pub p_inconsistency: Option<f64>,
    /// Within-design Q per design.
    pub designs: Vec<DesignQ>,
}

/// One part of the Q decomposition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QPart {
    /// "Total", "Within designs" or "Between designs".
    pub part: &'static str,
    /// What the part measures (`None` for the total).
    pub meaning: Option<&'static str>,
    /// Q.
    pub q: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// Its p-value; `None` when df = 0.
    pub p: Option<f64>,
}

impl Heterogeneity {
    /// The decomposition as the tables show it: the whole network, within designs
    /// (heterogeneity) and between designs (inconsistency).
    pub fn parts(&self) -> [QPart; 3] {
        [
            QPart {
                part: "Total",
                meaning: None,
                q: self.q,
                df: self.df,
                p: self.p,
            },
            QPart {
                part: "Within designs",
                meaning: Some("heterogeneity"),
                q: self.q_within_designs,
                df: self.df_within_designs,
                p: self.p_within_designs,
            },
            QPart {
                part: "Between designs",
                meaning: Some("inconsistency"),
                q: self.q_inconsistency,
                df: self.df_inconsistency,
                p: self.p_inconsistency,
            },
        ]
    }
}

/// Direct minus indirect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Difference on the analysis scale (ratio of HRs on the log scale).
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// z statistic (`stat`, the name every alkstats test statistic has).
    pub stat: f64,
    /// The same z, under its first name (kept: JSON fields are never removed).
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Reported difference (ratio of hazard ratios) and CI.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// Node-split of one comparison (back-calculation; see [`crate::network::split`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeSplit {
    /// Treatment.
    pub treatment: String,
    /// Comparator.
    pub comparator: String,
    /// Studies with direct evidence.
    pub k_direct: usize,
    /// Direct evidence proportion.
    pub direct_proportion: f64,
    /// Network estimate.
    pub network: Estimate,
    /// Direct estimate.
    pub direct: Estimate,
    /// Indirect estimate.
    pub indirect: Estimate,
    /// Direct minus indirect.
    pub difference: Difference,
}

/// The analysis of one connected network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentAnalysis {
    /// Reference treatment.
    pub reference: String,
    /// Model the effects are read from.
    pub model: NetworkModel,
    /// Estimated between-study variance (also reported with `--model common`, whose effects
    /// use τ² = 0).
    pub tau2: f64,
    /// τ.
    pub tau: f64,
    /// Studies.
    pub k: usize,
    /// Contrast rows.
    pub n_contrasts: usize,
    /// Treatments, reference first, then alphabetical.
    pub treatments: Vec<Treatment>,
    /// Directly compared pairs.
    pub edges: Vec<Edge>,
    /// The contrast rows used.
    pub studies: Vec<StudyRow>,
    /// Heterogeneity and inconsistency.
    pub heterogeneity: Heterogeneity,
    /// Every ordered pair.
    pub effects: Vec<Effect>,
    /// P-scores, best first.
    pub ranking: Vec<Rank>,
    /// Comparisons with direct and indirect evidence.
    pub node_split: Vec<NodeSplit>,
}

impl ComponentAnalysis {
    /// The effect of `treatment` against `comparator`.
    pub fn effect(&self, treatment: &str, comparator: &str) -> Option<&Effect> {
        self.effects
            .iter()
            .find(|e| e.treatment == treatment && e.comparator == comparator)
    }
}
