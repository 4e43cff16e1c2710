//! Direct evidence and node-splitting: for every pair of treatments compared in some study,
//! the direct estimate; for those that also have an indirect path, the indirect estimate and
//! the test of their difference.
//!
//! # Method: back-calculation
//! The direct estimate of A vs B is the inverse-variance mean of the studies' A-vs-B
//! contrasts, each weighted by Rücker's (2012) reduced weight at the model's τ² (1/(vᵢ + τ²)
//! for a two-arm study; less for a contrast of a multi-arm study, whose other arms carry part
//! of its information); this is netmeta's `TE.direct`. The indirect estimate is
//! back-calculated from the network estimate (Dias et al. 2010, Stat Med 29:932–944; König,
//! Krahn & Binder 2013, Stat Med 32:5414–5429; netmeta `netsplit(method = "Back-calculation")`):
//!
//! ```text
//! 1/v_ind = 1/v_net − 1/v_dir,   θ_ind = v_ind·(θ_net/v_net − θ_dir/v_dir)
//! difference = θ_dir − θ_ind,   z = difference / √(v_dir + v_ind)
//! ```
//!
//! and the direct evidence proportion is v_net/v_dir. For a network of two-arm studies at a
//! fixed τ², θ_ind equals the estimate of the network without the direct studies (the network
//! estimate is the inverse-variance mean of the two independent pieces); the unit test below
//! checks this. A pair has indirect evidence when its treatments stay connected with its
//! direct edge removed.

use super::contrasts::{reduced_weights, Study};
use super::graph::{connected_without_edge, EdgeStudies};
use super::model::Fit;
use crate::dist::p_two_sided_normal;
use nalgebra::DMatrix;

/// Direct evidence on one pair of treatments (a < b in network order; effect of a vs b).
#[derive(Debug, Clone, PartialEq)]
pub struct Direct {
    /// First treatment.
    pub a: usize,
    /// Second treatment.
    pub b: usize,
    /// Studies with both arms.
    pub studies: Vec<usize>,
    /// Direct estimate of a vs b.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
}

/// Direct estimates of every edge at `tau2`.
pub fn direct_estimates(studies: &[Study], edges: &[EdgeStudies], tau2: f64) -> Vec<Direct> {
    // Reduced weights of each study at tau2, computed once.
    let weights: Vec<Option<DMatrix<f64>>> = studies
        .iter()
        .map(|s| {
            let k = s.k();
            let v = DMatrix::from_fn(k, k, |i, j| {
                if i == j {
                    0.0
                } else {
                    s.pair_variance(i, j, tau2)
                }
            });
            reduced_weights(&v)
        })
        .collect();
    edges
        .iter()
        .filter_map(|e| {
            let (mut sw, mut swy) = (0.0, 0.0);
            for &si in &e.studies {
                let s = &studies[si];
                let pa = s.arms.iter().position(|&t| t == e.a)?;
                let pb = s.arms.iter().position(|&t| t == e.b)?;
                let w = weights[si].as_ref()?[(pa, pb)];
                sw += w;
                swy += w * s.effect(pa, pb);
            }
            (sw > 0.0).then(|| Direct {
                a: e.a,
                b: e.b,
                studies: e.studies.clone(),
                yi: swy / sw,
                se: (1.0 / sw).sqrt(),
            })
        })
        .collect()
}

/// Direct against indirect evidence on one pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The direct evidence.
    pub direct: Direct,
    /// Network estimate of a vs b and its SE.
    pub network: (f64, f64),
    /// Back-calculated indirect estimate and its SE.
    pub indirect: (f64, f64),
    /// Direct evidence proportion v_net / v_dir.
    pub direct_proportion: f64,
    /// Direct minus indirect.
    pub difference: f64,
    /// Its standard error √(v_dir + v_ind).
    pub difference_se: f64,
    /// Two-sided p-value of the z test.
    pub p: f64,
}

/// Node-splits every pair with both direct and indirect evidence.
pub fn node_split(direct: &[Direct], fit: &Fit, arms: &[Vec<usize>], n: usize) -> Vec<Split> {
    direct
        .iter()
        .filter(|d| connected_without_edge(arms, n, d.a, d.b))
        .filter_map(|d| {
            let (y_net, se_net) = fit.contrast(d.a, d.b);
            let (v_net, v_dir) = (se_net * se_net, d.se * d.se);
            let precision = 1.0 / v_net - 1.0 / v_dir;
            // Rounding can leave no indirect information where there is hardly any.
            if !(precision > 1e-12 / v_net) {
                return None;
            }
            let v_ind = 1.0 / precision;
            let y_ind = v_ind * (y_net / v_net - d.yi / v_dir);
            let difference = d.yi - y_ind;
            let difference_se = (v_dir + v_ind).sqrt();
            Some(Split {
                direct: d.clone(),
                network: (y_net, se_net),
                indirect: (y_ind, v_ind.sqrt()),
                direct_proportion: v_net / v_dir,
                difference,
                difference_se,
                p: p_two_sided_normal(difference / difference_se),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::contrasts::{build_study, group_studies, Contrast};
    use crate::network::graph::edges;
    use crate::network::model::System;
    use std::collections::HashMap;

    fn row(study: &str, t: &str, c: &str, yi: f64, vi: f64) -> Contrast {
        Contrast {
            label: study.into(),
            study: study.into(),
            treatment: t.into(),
            comparator: c.into(),
            yi,
            vi,
            n_treatment: None,
            n_comparator: None,
        }
    }

    fn studies(rows: &[Contrast], names: &[&str]) -> Vec<Study> {
        let index: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i))
            .collect();
        group_studies(rows)
            .unwrap()
            .iter()
            .map(|r| build_study(r, rows, &index).unwrap())
            .collect()
    }

    // Closed-form check of the back-calculation: in a network of two-arm studies at a fixed
    // τ², the indirect estimate of a vs b equals the network estimate of a vs b fitted
    // without the a-vs-b studies.
    #[test]
    fn back_calculated_indirect_equals_the_network_without_direct_studies() {
        let names = ["a", "b", "c", "d"];
        let rows = vec![
            row("1", "b", "a", -0.40, 0.04),
            row("2", "b", "a", -0.10, 0.06),
            row("3", "c", "a", -0.55, 0.05),
            row("4", "c", "b", -0.05, 0.07),
            row("5", "d", "c", 0.20, 0.09),
            row("6", "d", "a", -0.35, 0.08),
        ];
        let tau2 = 0.013;
        let st = studies(&rows, &names);
        let sys = System::new(4, &st);
        let fit = sys.fit(tau2).unwrap();
        let arms: Vec<Vec<usize>> = st.iter().map(|s| s.arms.clone()).collect();
        let direct = direct_estimates(&st, &edges(&arms), tau2);
        let splits = node_split(&direct, &fit, &arms, 4);
        assert_eq!(splits.len(), 5, "a-b, a-c, a-d, b-c, c-d all lie on loops");
        let ab = splits
            .iter()
            .find(|s| (s.direct.a, s.direct.b) == (0, 1))
            .unwrap();
        let without: Vec<Contrast> = rows[2..].to_vec();
        let st2 = studies(&without, &names);
        let fit2 = System::new(4, &st2).fit(tau2).unwrap();
        let (y2, se2) = fit2.contrast(1, 0);
        assert!(
            (ab.indirect.0 - -y2).abs() < 1e-12,
            "{} {}",
            ab.indirect.0,
            -y2
        );
        assert!((ab.indirect.1 - se2).abs() < 1e-12);
        // direct: inverse-variance mean with tau2 added
        let (w1, w2) = (1.0 / (0.04 + tau2), 1.0 / (0.06 + tau2));
        assert!((ab.direct.yi - (w1 * 0.40 + w2 * 0.10) / (w1 + w2)).abs() < 1e-12);
    }
}
