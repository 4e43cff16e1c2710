//! The design-based decomposition of the network's Q (Krahn, Binder & König 2013, "A
//! graphical tool for locating inconsistency in network meta-analyses", BMC Med Res Methodol
//! 13:35, Table 1; netmeta `decomp.design()`, common-effect part).
//!
//! # Formula
//! A design is the set of treatments of a study. Q of the common-effect consistency model
//! splits into heterogeneity within designs and inconsistency between designs:
//!
//! ```text
//! Q_net = Σ_d Q_d^het + Q^inc
//! Q_d^het = Σ_{s∈d} (y_s − θ̂_d)ᵀ S_s⁻¹ (y_s − θ̂_d),  θ̂_d = (Σ S_s⁻¹)⁻¹ Σ S_s⁻¹ y_s
//! df_net = Σ_s (k_s − 1) − (n − 1),  df_d^het = Σ_{s∈d}(k_s − 1) − (k_d − 1),
//! df^inc = Σ_d (k_d − 1) − (n − 1)
//! ```
//!
//! θ̂_d is the common-effect estimate of design d's own contrasts (a model with one parameter
//! per design and contrast), so Q^inc = Q_net − Σ Q_d^het measures how far the designs'
//! estimates are from one consistent set.

use super::contrasts::Study;
use super::{NetworkError, NumericalFailure};
use crate::dist::p_chisq_upper;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::collections::BTreeMap;

/// Within-design heterogeneity of one design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignQ {
    /// Design, e.g. `alectinib:crizotinib`.
    pub design: String,
    /// Studies with this design.
    pub k: usize,
    /// Q within the design.
    pub q: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// Its p-value; `null` when df = 0.
    pub p: Option<f64>,
}

/// The total, within-design and between-design Q of a network.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// Q of the common-effect model.
    pub q: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// Sum of the within-design Q.
    pub q_within: f64,
    /// Its degrees of freedom.
    pub df_within: usize,
    /// Between designs: Q − Q_within.
    pub q_between: f64,
    /// Its degrees of freedom.
    pub df_between: usize,
    /// Per design, in the order of the designs' first study.
    pub designs: Vec<DesignQ>,
}

fn p_or_none(q: f64, df: usize) -> Option<f64> {
    if df == 0 {
        None
    } else {
        p_chisq_upper(q, df as f64)
    }
}

impl Decomposition {
    /// p-value of Q.
    pub fn p(&self) -> Option<f64> {
        p_or_none(self.q, self.df)
    }
    /// p-value of the within-design Q.
    pub fn p_within(&self) -> Option<f64> {
        p_or_none(self.q_within, self.df_within)
    }
    /// p-value of the between-design Q.
    pub fn p_between(&self) -> Option<f64> {
        p_or_none(self.q_between, self.df_between)
    }
}

/// Decomposes `q_net` (Q of the common-effect fit, with `df_net` degrees of freedom).
///
/// # Errors
/// [`NetworkError::Numerical`] when a study's covariance is singular.
pub fn decompose(
    studies: &[Study],
    q_net: f64,
    df_net: usize,
) -> Result<Decomposition, NetworkError> {
    let mut by_design: BTreeMap<&str, Vec<&Study>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for s in studies {
        if !by_design.contains_key(s.design.as_str()) {
            order.push(&s.design);
        }
        by_design.entry(&s.design).or_default().push(s);
    }
    let singular = |s: &Study| {
        NetworkError::Numerical(NumericalFailure::StudyCovariance {
            study: s.study.clone(),
        })
    };
    let mut designs = Vec::new();
    for d in order {
        let members = &by_design[d];
        let k1 = members[0].k() - 1;
        let mut info = DMatrix::<f64>::zeros(k1, k1);
        let mut score = DVector::<f64>::zeros(k1);
        let mut inverses = Vec::with_capacity(members.len());
        for s in members {
            let inv = s
                .cov
                .clone()
                .cholesky()
                .ok_or_else(|| singular(s))?
                .inverse();
            let y = DVector::from_column_slice(&s.y);
            info += &inv;
            score += &inv * &y;
            inverses.push((inv, y));
        }
        let theta = info
            .cholesky()
            .ok_or_else(|| singular(members[0]))?
            .solve(&score);
        let q: f64 = inverses
            .iter()
            .map(|(inv, y)| {
                let r = y - &theta;
                r.dot(&(inv * &r))
            })
            .sum();
        let df = members.len() * k1 - k1;
        // With one study (df = 0) the residual is a rounding residue of zero.
        let q = if df == 0 { 0.0 } else { q };
        designs.push(DesignQ {
            design: d.to_string(),
            k: members.len(),
            q,
            df,
            p: p_or_none(q, df),
        });
    }
    let q_within: f64 = designs.iter().map(|d| d.q).sum();
    let df_within: usize = designs.iter().map(|d| d.df).sum();
    let df_between = df_net.saturating_sub(df_within);
    let q_between = if df_between == 0 {
        0.0
    } else {
        (q_net - q_within).max(0.0)
    };
    Ok(Decomposition {
        q: q_net,
        df: df_net,
        q_within,
        df_within,
        q_between,
        df_between,
        designs,
    })
}
