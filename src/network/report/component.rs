//! The analysis of one connected component of the network: its consistency model fitted at the
//! estimated τ², and everything read from that fit — every pairwise effect with its direct
//! estimate, the P-score ranking, the node-splits, the decomposition of Q, and the nodes,
//! edges and rows of the graph — with the warnings the reader needs.

use super::results::{
    ComponentAnalysis, Difference, Edge, Effect, Estimate, Heterogeneity, NodeSplit, Rank,
    StudyRow, Treatment,
};
use crate::dist::{p_two_sided_normal, z_crit};
use crate::fit::tau2::IterControl;
use crate::network::contrasts::{build_study, Contrast, RawStudy, Study};
use crate::network::decomposition::decompose;
use crate::network::graph::edges;
use crate::network::model::{Fit, System};
use crate::network::rank::p_scores;
use crate::network::settings::{NetworkModel, NetworkSettings};
use crate::network::split::{direct_estimates, node_split, Direct};
use crate::network::tau2::{dersimonian_laird, restricted_maximum_likelihood};
use crate::network::NetworkError;
use crate::settings::TauMethod;
use std::collections::HashMap;

/// The sum of patient counts, `None` when any is unknown.
fn sum_known(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    values.sum()
}

/// Analyses the component of the treatments `names` against `reference`, from the studies
/// `raw` over `contrasts`; returns the analysis and its warnings (unprefixed).
pub(super) fn analyse_component(
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
                stat: yi / se,
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
                        stat: difference / sp.difference_se,
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
