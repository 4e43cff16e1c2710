//! The network analysis and its result structures. Field names are a public contract (SPEC.md,
//! `alkstats network`): `reference`, `tau2`, `heterogeneity {q, df, p, q_within_designs,
//! df_within_designs, q_inconsistency, df_inconsistency}`, `effects [{treatment, comparator,
//! yi, se, estimate, lower, upper}]` and `ranking [{treatment, p_score}]`; other fields may be
//! added, these never renamed.

use super::contrasts::{build_study, group_studies, Contrast, RawStudy, Study};
use super::decomposition::{decompose, DesignQ};
use super::graph::{components, default_reference, edges};
use super::model::{Fit, System};
use super::rank::p_scores;
use super::settings::{EffectScale, NetworkModel, NetworkSettings};
use super::split::{direct_estimates, node_split, Direct};
use super::tau2::{dersimonian_laird, restricted_maximum_likelihood};
use super::NetworkError;
use crate::dist::{p_two_sided_normal, z_crit};
use crate::fit::tau2::IterControl;
use crate::settings::TauMethod;
use serde::Serialize;
use std::collections::HashMap;

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
    fn new(yi: f64, se: f64, z: f64, scale: EffectScale) -> Self {
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
    /// Wald z statistic.
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

/// Direct minus indirect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Difference on the analysis scale (ratio of HRs on the log scale).
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
    /// z statistic.
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

/// Node-split of one comparison (back-calculation; see [`super::split`]).
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

/// A whole network analysis: the component with the reference, any other components, and
/// warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAnalysis {
    /// The component holding the reference (the whole network when it is connected).
    pub main: ComponentAnalysis,
    /// The other components of a disconnected network, each analysed on its own.
    pub others: Vec<ComponentAnalysis>,
    /// What the reader must know.
    pub warnings: Vec<String>,
}

/// Runs a network meta-analysis of contrast rows.
///
/// Studies are formed from rows with the same `study` key (see [`super::contrasts`]); the
/// treatment graph is split into connected components, and each is fitted on its own with its
/// own τ² (a disconnected network has no estimate between components). The requested
/// reference picks the main component; other components take their default reference.
///
/// # Errors
/// Invalid settings, no rows, an unknown reference, bad rows or multi-arm studies, or a
/// numerical failure ([`NetworkError`]).
pub fn analyse(
    contrasts: &[Contrast],
    settings: &NetworkSettings,
) -> Result<NetworkAnalysis, NetworkError> {
    settings.validate()?;
    if contrasts.is_empty() {
        return Err(NetworkError::NothingToAnalyse(
            "no contrast to analyse".into(),
        ));
    }
    let raw = group_studies(contrasts)?;
    let comps = components(&raw);
    let main = match &settings.reference {
        Some(r) => comps.iter().position(|c| c.contains(r)).ok_or_else(|| {
            NetworkError::UnknownReference {
                reference: r.clone(),
                available: comps.concat().join(", "),
            }
        })?,
        None => 0,
    };
    let mut warnings = Vec::new();
    if comps.len() > 1 {
        let list: Vec<String> = comps
            .iter()
            .map(|c| format!("{{{}}}", c.join(", ")))
            .collect();
        warnings.push(format!(
            "the network is disconnected: {} separate sub-networks {}; no treatment of one can be \
             compared with a treatment of another, so each is analysed on its own (its own \
             reference and τ²)",
            comps.len(),
            list.join(" and ")
        ));
    }
    let mut analyses = Vec::with_capacity(comps.len());
    for (ci, names) in comps.iter().enumerate() {
        let members: Vec<&RawStudy> = raw.iter().filter(|s| names.contains(&s.arms[0])).collect();
        let prefix = if comps.len() > 1 {
            format!("sub-network {{{}}}: ", names.join(", "))
        } else {
            String::new()
        };
        let reference = match &settings.reference {
            Some(r) if ci == main => r.clone(),
            _ => default_reference(names, &raw),
        };
        let (a, w) = analyse_component(names, &reference, &members, contrasts, settings)?;
        warnings.extend(w.into_iter().map(|w| format!("{prefix}{w}")));
        analyses.push(a);
    }
    let main_analysis = analyses.remove(main);
    Ok(NetworkAnalysis {
        main: main_analysis,
        others: analyses,
        warnings,
    })
}

fn sum_known(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    values.sum()
}

fn analyse_component(
    names: &[String],
    reference: &str,
    raw: &[&RawStudy],
    contrasts: &[Contrast],
    s: &NetworkSettings,
) -> Result<(ComponentAnalysis, Vec<String>), NetworkError> {
    let mut warnings = Vec::new();
    let mut order: Vec<String> = vec![reference.to_string()];
    order.extend(names.iter().filter(|n| *n != reference).cloned());
    let index: HashMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let studies: Vec<Study> = raw
        .iter()
        .map(|r| build_study(r, contrasts, &index))
        .collect::<Result<_, _>>()?;
    for st in studies.iter().filter(|st| st.reconciliation > 1e-10) {
        warnings.push(format!(
            "the {} contrasts of multi-arm study '{}' are not exactly consistent (weighted squared \
             discrepancy {:.4}); they were reconciled by weighted least squares before the fit",
            st.labels.len(),
            st.study,
            st.reconciliation
        ));
    }
    let n = order.len();
    let sys = System::new(n, &studies);
    let df = sys.df();
    let est = match s.method_tau {
        TauMethod::Dl => dersimonian_laird(&sys)?,
        _ => restricted_maximum_likelihood(&sys, IterControl::default())?,
    };
    if !est.converged {
        warnings.push(format!(
            "REML did not converge in {} iterations; τ² = {:.6} is the last iterate",
            est.iterations, est.tau2
        ));
    }
    if df == 0 && !studies.is_empty() && n > 1 {
        warnings.push(format!(
            "df = 0 ({} contrasts for {} treatments): no comparison is informed by more than one \
             source, so τ² cannot be estimated and is set to 0; the random-effects and common-effect \
             results coincide",
            sys.m(),
            n
        ));
    }
    let tau2 = est.tau2;
    let common = sys.fit(0.0)?;
    let fit: Fit = match s.model {
        NetworkModel::Random => sys.fit(tau2)?,
        NetworkModel::Common => common.clone(),
    };
    let z = z_crit(s.level.get());
    let scale = s.scale;
    let arms: Vec<Vec<usize>> = studies.iter().map(|st| st.arms.clone()).collect();
    let edge_list = edges(&arms);
    let direct = direct_estimates(&studies, &edge_list, fit.tau2);
    let splits = node_split(&direct, &fit, &arms, n);
    if n > 2 && splits.is_empty() {
        warnings.push(
            "the network has no closed loop: every comparison rests on direct or on indirect \
             evidence alone, so node-splitting and the inconsistency test are not possible"
                .into(),
        );
    }
    if n == 2 {
        warnings.push(format!(
            "only two treatments ({} and {}): the network is a pairwise meta-analysis with no \
             indirect evidence{}",
            order[0],
            order[1],
            if studies.len() == 1 {
                format!(
                    ", and with a single study ({}) its estimate is that study's own result",
                    studies[0].study
                )
            } else {
                String::new()
            }
        ));
    }

    // Effects: every ordered pair, network order.
    let direct_of = |i: usize, j: usize| -> Option<(&Direct, f64)> {
        direct
            .iter()
            .find(|d| (d.a, d.b) == (i.min(j), i.max(j)))
            .map(|d| (d, if d.a == i { 1.0 } else { -1.0 }))
    };
    let mut effects = Vec::with_capacity(n * (n - 1));
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let (yi, se) = fit.contrast(i, j);
            let e = Estimate::new(yi, se, z, scale);
            let d = direct_of(i, j);
            effects.push(Effect {
                treatment: order[i].clone(),
                comparator: order[j].clone(),
                yi,
                se,
                estimate: e.estimate,
                lower: e.lower,
                upper: e.upper,
                z: yi / se,
                p: p_two_sided_normal(yi / se),
                k_direct: d.map_or(0, |(d, _)| d.studies.len()),
                direct: d.map(|(d, sign)| Estimate::new(sign * d.yi, d.se, z, scale)),
            });
        }
    }
    let scores = p_scores(&fit, s.small_values);
    let mut ranking: Vec<Rank> = order
        .iter()
        .zip(&scores)
        .map(|(t, &p)| Rank {
            treatment: t.clone(),
            p_score: p,
            rank: 0,
        })
        .collect();
    ranking.sort_by(|a, b| b.p_score.total_cmp(&a.p_score));
    for (r, item) in ranking.iter_mut().enumerate() {
        item.rank = r + 1;
    }

    // Node-splits read the way the data first state the comparison (alectinib vs crizotinib,
    // not crizotinib vs alectinib).
    let first_written = |x: &str, y: &str| {
        raw.iter()
            .flat_map(|r| r.rows.iter().map(|&i| &contrasts[i]))
            .find(|c| {
                (c.treatment == x && c.comparator == y) || (c.treatment == y && c.comparator == x)
            })
            .is_none_or(|c| c.treatment == x)
    };
    let node_split = splits
        .iter()
        .map(|sp| {
            let (a, b) = if first_written(&order[sp.direct.a], &order[sp.direct.b]) {
                (sp.direct.a, sp.direct.b)
            } else {
                (sp.direct.b, sp.direct.a)
            };
            let sign = if a == sp.direct.a { 1.0 } else { -1.0 };
            let difference = sign * sp.difference;
            NodeSplit {
                treatment: order[a].clone(),
                comparator: order[b].clone(),
                k_direct: sp.direct.studies.len(),
                direct_proportion: sp.direct_proportion,
                network: Estimate::new(sign * sp.network.0, sp.network.1, z, scale),
                direct: Estimate::new(sign * sp.direct.yi, sp.direct.se, z, scale),
                indirect: Estimate::new(sign * sp.indirect.0, sp.indirect.1, z, scale),
                difference: {
                    let e = Estimate::new(difference, sp.difference_se, z, scale);
                    Difference {
                        yi: difference,
                        se: sp.difference_se,
                        z: difference / sp.difference_se,
                        p: sp.p,
                        estimate: e.estimate,
                        lower: e.lower,
                        upper: e.upper,
                    }
                },
            }
        })
        .collect();

    let decomposition = decompose(&studies, common.q, df)?;
    let heterogeneity = Heterogeneity {
        q: decomposition.q,
        df,
        p: decomposition.p(),
        i2: (df > 0).then(|| {
            if decomposition.q > 0.0 {
                ((decomposition.q - df as f64) / decomposition.q).max(0.0) * 100.0
            } else {
                0.0
            }
        }),
        tau2,
        tau: tau2.sqrt(),
        q_within_designs: decomposition.q_within,
        df_within_designs: decomposition.df_within,
        p_within_designs: decomposition.p_within(),
        q_inconsistency: decomposition.q_between,
        df_inconsistency: decomposition.df_between,
        p_inconsistency: decomposition.p_between(),
        designs: decomposition.designs.clone(),
    };

    let treatments = order
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let with: Vec<&Study> = studies.iter().filter(|st| st.arms.contains(&t)).collect();
            Treatment {
                treatment: name.clone(),
                k: with.len(),
                n_patients: sum_known(
                    with.iter()
                        .map(|st| st.arms.iter().position(|&a| a == t).and_then(|p| st.n[p])),
                ),
            }
        })
        .collect();
    let edges_out = edge_list
        .iter()
        .map(|e| Edge {
            treatment: order[e.a].clone(),
            comparator: order[e.b].clone(),
            k: e.studies.len(),
            studies: e
                .studies
                .iter()
                .map(|&i| studies[i].study.clone())
                .collect(),
            n_patients: sum_known(e.studies.iter().map(|&i| {
                let st = &studies[i];
                let pa = st.arms.iter().position(|&a| a == e.a)?;
                let pb = st.arms.iter().position(|&a| a == e.b)?;
                Some(st.n[pa]? + st.n[pb]?)
            })),
        })
        .collect();
    let design_of: HashMap<&str, &str> = studies
        .iter()
        .map(|st| (st.study.as_str(), st.design.as_str()))
        .collect();
    let rows = raw
        .iter()
        .flat_map(|r| r.rows.iter().map(|&i| &contrasts[i]))
        .map(|c| {
            let e = Estimate::new(c.yi, c.vi.sqrt(), z, scale);
            StudyRow {
                study: c.label.clone(),
                trial: c.study.clone(),
                treatment: c.treatment.clone(),
                comparator: c.comparator.clone(),
                yi: c.yi,
                vi: c.vi,
                estimate: e.estimate,
                lower: e.lower,
                upper: e.upper,
                design: design_of.get(c.study.as_str()).unwrap_or(&"").to_string(),
            }
        })
        .collect::<Vec<_>>();
    Ok((
        ComponentAnalysis {
            reference: reference.to_string(),
            model: s.model,
            tau2,
            tau: tau2.sqrt(),
            k: studies.len(),
            n_contrasts: rows.len(),
            treatments,
            edges: edges_out,
            studies: rows,
            heterogeneity,
            effects,
            ranking,
            node_split,
        },
        warnings,
    ))
}
