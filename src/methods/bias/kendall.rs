//! Kendall's rank correlation τ_b with its two-sided p-value, as R's
//! `cor.test(x, y, method = "kendall", exact = TRUE)`: the exact null distribution of the
//! number of concordant pairs when neither variable has ties, otherwise the normal
//! approximation with the tie-corrected variance of Kendall (1970, *Rank Correlation Methods*,
//! ch. 4), without continuity correction.

use crate::dist::pnorm;

/// Above this many observations the exact distribution (O(n³) operations, 0.7 s at n = 1000)
/// gives way to the normal approximation, whose p-value is off by a relative 1e-2 at n = 50 and
/// 2e-3 at n = 100, and less as n grows. R's `cor.test(exact = TRUE)`, which metafor's
/// `ranktest` calls, counts permutations in doubles and returns NaN from n = 171 on (n!
/// overflows); alkstats propagates probabilities instead and stays exact up to here.
pub(crate) const EXACT_MAX_N: usize = 1000;

/// Kendall's τ_b and its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KendallTest {
    /// τ_b = (C − D)/√((n₀ − n₁)(n₀ − n₂)).
    pub tau: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Whether `p` comes from the exact null distribution (no ties, n ≤ [`EXACT_MAX_N`]).
    pub exact: bool,
    /// Whether either variable has ties.
    pub ties: bool,
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Sizes of the groups of equal values (of size ≥ 2).
fn tie_groups(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut groups = Vec::new();
    let mut run = 1.0;
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] {
            run += 1.0;
        } else {
            if run > 1.0 {
                groups.push(run);
            }
            run = 1.0;
        }
    }
    if run > 1.0 {
        groups.push(run);
    }
    groups
}

/// P(C ≤ q) for the number C of concordant pairs among n observations without ties, under
/// independence: the distribution of inversions of a random permutation (R's `pkendall`).
fn p_concordant_at_most(q: f64, n: usize) -> f64 {
    let pairs = n * (n.saturating_sub(1)) / 2;
    if q < 0.0 {
        return 0.0;
    }
    if q >= pairs as f64 {
        return 1.0;
    }
    // dist[j]: probability of j inversions; adding the m-th element adds 0..m−1 inversions,
    // each with probability 1/m.
    let mut dist = vec![0.0; pairs + 1];
    dist[0] = 1.0;
    let mut prefix = vec![0.0; pairs + 2];
    for m in 2..=n {
        let top = m * (m - 1) / 2;
        prefix[0] = 0.0;
        for j in 0..=top {
            prefix[j + 1] = prefix[j] + dist[j];
        }
        for (j, d) in dist.iter_mut().enumerate().take(top + 1) {
            let lo = j.saturating_sub(m - 1);
            *d = (prefix[j + 1] - prefix[lo]) / m as f64;
        }
    }
    let q = q as usize;
    dist[..=q].iter().sum::<f64>().min(1.0)
}

/// Kendall's τ_b of `x` and `y` with R's two-sided p-value; `None` for fewer than two pairs or
/// when τ is undefined (a variable without any two different values).
pub(crate) fn kendall(x: &[f64], y: &[f64]) -> Option<KendallTest> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mut s = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            s += sign(x[i] - x[j]) * sign(y[i] - y[j]);
        }
    }
    let nf = n as f64;
    let n0 = nf * (nf - 1.0) / 2.0;
    let (xt, yt) = (tie_groups(x), tie_groups(y));
    let pairs_tied = |g: &[f64]| g.iter().map(|t| t * (t - 1.0) / 2.0).sum::<f64>();
    let (n1, n2) = (pairs_tied(&xt), pairs_tied(&yt));
    let tau = s / ((n0 - n1) * (n0 - n2)).sqrt();
    if !tau.is_finite() {
        return None;
    }
    let ties = !xt.is_empty() || !yt.is_empty();
    if !ties && n <= EXACT_MAX_N {
        let q = ((tau + 1.0) * nf * (nf - 1.0) / 4.0).round();
        let one_sided = if q > nf * (nf - 1.0) / 4.0 {
            1.0 - p_concordant_at_most(q - 1.0, n)
        } else {
            p_concordant_at_most(q, n)
        };
        return Some(KendallTest {
            tau,
            p: (2.0 * one_sided).min(1.0),
            exact: true,
            ties,
        });
    }
    let sum = |g: &[f64], f: &dyn Fn(f64) -> f64| g.iter().map(|&t| f(t)).sum::<f64>();
    let v0 = nf * (nf - 1.0) * (2.0 * nf + 5.0);
    let vt = sum(&xt, &|t| t * (t - 1.0) * (2.0 * t + 5.0));
    let vu = sum(&yt, &|t| t * (t - 1.0) * (2.0 * t + 5.0));
    let v1 = sum(&xt, &|t| t * (t - 1.0)) * sum(&yt, &|t| t * (t - 1.0));
    let v2 = sum(&xt, &|t| t * (t - 1.0) * (t - 2.0)) * sum(&yt, &|t| t * (t - 1.0) * (t - 2.0));
    let var_s = (v0 - vt - vu) / 18.0
        + v1 / (2.0 * nf * (nf - 1.0))
        + v2 / (9.0 * nf * (nf - 1.0) * (nf - 2.0));
    // R recovers S from τ_b; with ties S = C − D exactly.
    let z = s / var_s.sqrt();
    let p = 2.0 * pnorm(z).min(pnorm(-z));
    Some(KendallTest {
        tau,
        p: p.min(1.0),
        exact: false,
        ties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // R 4.2.2, options(digits = 17):
    //   cor.test(c(1,2,3,4,5,6), c(2,1,4,3,6,5), method = "kendall")  exact: tau 0.6
    //   cor.test(c(1,2,3,4,5,6,7), c(1,3,2,2,5,7,6), method = "kendall")  ties: normal, z 2.1268
    #[test]
    fn exact_and_tied_p_values_match_r() {
        let t = kendall(&[1., 2., 3., 4., 5., 6.], &[2., 1., 4., 3., 6., 5.]).unwrap();
        assert!((t.tau - 0.6).abs() < 1e-15);
        assert!(t.exact);
        assert!((t.p - 0.136_111_111_111_111_07).abs() < 1e-14);
        let t = kendall(&[1., 2., 3., 4., 5., 6., 7.], &[1., 3., 2., 2., 5., 7., 6.]).unwrap();
        assert!(!t.exact && t.ties);
        assert!((t.tau - 0.683_130_051_063_973_2).abs() < 1e-12);
        // statrs' normal tail is good to ~1e-10 relative here.
        assert!((t.p - 0.033_440_638_663_997_9).abs() < 1e-9 * 0.0334);
    }

    #[test]
    fn exact_distribution_sums_to_one() {
        for n in [2, 5, 12] {
            let pairs = (n * (n - 1) / 2) as f64;
            assert!((p_concordant_at_most(pairs, n) - 1.0).abs() < 1e-15);
        }
        // n = 3: inversion counts 0,1,1,2,2,3 → P(C ≤ 1) = 3/6.
        assert!((p_concordant_at_most(1.0, 3) - 0.5).abs() < 1e-15);
    }
}
