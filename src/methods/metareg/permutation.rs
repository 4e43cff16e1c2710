//! Permutation test of a meta-regression (Higgins & Thompson 2004, Stat Med 23:1663–1682;
//! Viechtbauer et al. 2015, Res Synth Methods 6:1–23; metafor `permutest.rma.uni`).
//!
//! The rows of the design are shuffled and the model refitted (the same τ² estimator and
//! test) `iterations − 1` times; the observed order counts as the first permutation, as in
//! metafor. The p-value of a coefficient is the share of permutations whose |z| (or |t|) is
//! at least the observed one less 10⁻⁸ (metafor's `comptol` = √ε), that of the moderators the
//! share whose Q_M is. metafor switches to the exact test when there are fewer distinct
//! permutations than iterations; alkstats always samples.
//!
//! Permutation i is drawn from its own SplitMix64 stream (Steele et al. 2014), seeded by the
//! seed and i, so the p-values are the same for a seed whatever the number of threads.

use super::inference::statistics;
use super::result::PermutationInfo;
use super::{MetaRegFit, CONTROL};
use crate::fit::tau2::mods::{self, Regression};
use crate::methods::Progress;
use rayon::prelude::*;

/// SplitMix64: a 64-bit generator that passes BigCrush, in a dozen lines.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on 0..n (n ≥ 1) by Lemire's multiply-and-reject.
    fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// The `i`-th permutation of 0..k for `seed` (Fisher–Yates).
pub fn permutation(seed: u64, i: u64, k: usize) -> Vec<usize> {
    let mut g = SplitMix64(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    // Discard the first output so that nearby (seed, i) pairs decorrelate.
    g.next();
    let mut order: Vec<usize> = (0..k).collect();
    for j in (1..k).rev() {
        let r = g.below(j as u64 + 1) as usize;
        order.swap(j, r);
    }
    order
}

/// What one permuted refit gives: |stat| of each coefficient and Q_M.
fn refit(fit: &MetaRegFit, order: &[usize]) -> Option<(Vec<f64>, f64)> {
    let design = fit.moderators.design.with_rows_in(order);
    let r = Regression {
        design: &design,
        y: &fit.y,
        v: &fit.v,
    };
    let tau2 = match fit.method {
        None => 0.0,
        Some(m) => mods::estimate(m, r, CONTROL)?.estimate.tau2,
    };
    let s = statistics(r, tau2, fit.test)?;
    Some((s.stat, s.qm?))
}

/// Runs the permutation test with `iterations` (≥ 2, the observed order included) and `seed`,
/// ticking `progress` once per refit, and writes the p-values into `fit.result`.
pub fn permutation_test(
    fit: &mut MetaRegFit,
    iterations: usize,
    seed: u64,
    progress: &dyn Progress,
) {
    const COMPTOL: f64 = 1.490_116_119_384_765_6e-8; // √ε, metafor's comptol
    let k = fit.y.len();
    let observed: Vec<f64> = fit
        .result
        .coefficients
        .iter()
        .map(|c| c.stat.abs())
        .collect();
    let qm = fit.result.qm.stat;
    let p = observed.len();
    let shared: &MetaRegFit = fit;
    // Counts per permutation: (fitted, [|stat| ≥ observed], Q_M ≥ observed).
    let counts = (1..iterations as u64)
        .into_par_iter()
        .map(|i| {
            let out = refit(shared, &permutation(seed, i, k));
            progress.tick();
            let mut c = (0usize, vec![0usize; p], 0usize);
            if let Some((stat, q)) = out {
                c.0 = 1;
                for (n, (s, o)) in c.1.iter_mut().zip(stat.iter().zip(&observed)) {
                    *n += usize::from(s.abs() >= o - COMPTOL);
                }
                c.2 = usize::from(q >= qm - COMPTOL);
            }
            c
        })
        .reduce(
            || (0, vec![0; p], 0),
            |mut a, b| {
                a.0 += b.0;
                a.1.iter_mut().zip(&b.1).for_each(|(x, y)| *x += y);
                a.2 += b.2;
                a
            },
        );
    // The observed order is the first permutation and counts for every test.
    let n = (counts.0 + 1) as f64;
    for (c, hits) in fit.result.coefficients.iter_mut().zip(&counts.1) {
        c.p_permutation = Some(((hits + 1) as f64 / n).min(1.0));
    }
    fit.result.qm.p_permutation = Some((counts.2 + 1) as f64 / n);
    let failed = iterations - 1 - counts.0;
    if failed > 0 {
        fit.result.warnings.push(format!(
            "{failed} of {} permuted refits could not be fitted and are left out of the \
             permutation p-values",
            iterations - 1
        ));
    }
    fit.result.permutation = Some(PermutationInfo {
        iterations,
        seed,
        failed,
    });
}

#[cfg(test)]
mod tests {
    use super::permutation;

    #[test]
    fn permutations_are_reproducible_and_complete() {
        let a = permutation(7, 3, 50);
        assert_eq!(a, permutation(7, 3, 50));
        assert_ne!(a, permutation(7, 4, 50));
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }
}
