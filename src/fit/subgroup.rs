//! Test for subgroup differences.

use crate::dist;
use serde::Serialize;

/// A Q test: statistic, degrees of freedom, p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QTest {
    /// Q statistic.
    pub q: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// Upper-tail χ² p-value.
    pub p: Option<f64>,
}

/// Between-groups Q over subgroup estimates: Borenstein et al. (2009), *Introduction to
/// Meta-Analysis*, ch. 19 ("Q_between"); the `meta` test for subgroup differences with separate
/// τ² per subgroup.
///
/// # Formula
/// Q_b = Σ_g (θ̂_g − θ̄)² / se_g², θ̄ = Σ θ̂_g/se_g² / Σ 1/se_g², df = G − 1, p = P(χ²_df > Q_b).
///
/// Returns `None` for fewer than two groups or a non-positive standard error.
pub fn subgroup_difference(groups: &[(f64, f64)]) -> Option<QTest> {
    if groups.len() < 2 || groups.iter().any(|&(y, se)| !(se > 0.0) || !y.is_finite()) {
        return None;
    }
    let (mut sw, mut swy) = (0.0, 0.0);
    for &(y, se) in groups {
        let w = 1.0 / (se * se);
        sw += w;
        swy += w * y;
    }
    let mean = swy / sw;
    let q: f64 = groups
        .iter()
        .map(|&(y, se)| (y - mean).powi(2) / (se * se))
        .sum();
    let df = (groups.len() - 1) as f64;
    Some(QTest {
        q,
        df,
        p: dist::p_chisq_upper(q, df),
    })
}
