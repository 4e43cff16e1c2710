//! Maximum-likelihood and restricted-maximum-likelihood estimators, fitted by Fisher scoring
//! with step halving, finished by Newton–Raphson steps near the maximum.
//!
//! Fisher scoring is the algorithm metafor uses (`rma.uni`), so the same maximum is found;
//! Newton's quadratic convergence then reaches it to 1e-12 in two or three iterations, where
//! Fisher scoring alone can take hundreds (or wander at 1e-7 without converging). Three
//! safeguards make it robust: the start is the
//! DerSimonian–Laird estimate (closed form, in the right neighbourhood), or a τ² known to be
//! near (a refit without one study starts at the full model's); a step that lowers the
//! (restricted) log-likelihood is halved until it does not; and τ² is projected onto the
//! boundary 0, where the iteration stops once the score points below zero.

use super::{dersimonian_laird_from, mean, EffectRange, IterControl, Tau2Estimate, WeightedSums};

#[derive(Clone, Copy, PartialEq)]
enum Likelihood {
    Full,
    Restricted,
}

/// Σ ln(vᵢ + τ²) + ln `extra` (`extra` > 0; 1 adds nothing): the log-determinant of the
/// marginal covariance, and for REML that of Σwᵢ with it.
///
/// A logarithm costs more than everything else a Newton step does per study, so the
/// terms are multiplied instead: each tᵢ = vᵢ + τ² (and `extra`) is split into its binary
/// mantissa mᵢ ∈ [1, 2) and exponent eᵢ, and Σ ln tᵢ = ln Π mᵢ + ln 2 · Σ eᵢ, with one
/// logarithm per block of [`LOG_BLOCK`] mantissas (whose product stays below 2^LOG_BLOCK, far
/// from overflow). Rounding is of the order of that of the plain sum; the value only decides
/// whether a step raises the likelihood, with a margin of 1e-12 relative.
fn sum_log_variance(vi: &[f64], tau2: f64, extra: f64) -> f64 {
    let mut sum = LogSum::default();
    sum.add(extra);
    for (i, &v) in vi.iter().enumerate() {
        sum.add(v + tau2);
        if i % LOG_BLOCK == LOG_BLOCK - 1 {
            sum.close_block();
        }
    }
    sum.close_block();
    sum.logs + sum.exponents as f64 * std::f64::consts::LN_2
}

/// The running state of [`sum_log_variance`].
struct LogSum {
    /// Logarithms of closed blocks, and of terms that could not be split.
    logs: f64,
    /// Σ eᵢ.
    exponents: i64,
    /// Π mᵢ of the open block.
    product: f64,
}

impl Default for LogSum {
    fn default() -> Self {
        LogSum {
            logs: 0.0,
            exponents: 0,
            product: 1.0,
        }
    }
}

impl LogSum {
    fn add(&mut self, t: f64) {
        match split(t) {
            Some((mantissa, exponent)) => {
                self.exponents += exponent;
                self.product *= mantissa;
            }
            // Subnormal, infinite or NaN (never for validated input): no mantissa split.
            None => self.logs += t.ln(),
        }
    }

    fn close_block(&mut self) {
        if self.product != 1.0 {
            self.logs += self.product.ln();
            self.product = 1.0;
        }
    }
}

/// `t` = m · 2^e with m ∈ [1, 2), for a normal finite `t`; `None` otherwise.
fn split(t: f64) -> Option<(f64, i64)> {
    const MANTISSA: u64 = (1 << 52) - 1;
    const EXPONENT_OF_ONE: u64 = 1023 << 52;
    let biased = (t.to_bits() >> 52) as i64;
    if biased == 0 || biased >= 0x7ff {
        return None;
    }
    Some((
        f64::from_bits((t.to_bits() & MANTISSA) | EXPONENT_OF_ONE),
        biased - 1023,
    ))
}

/// Studies per logarithm in [`sum_log_variance`] (the first block also holds `extra`).
const LOG_BLOCK: usize = 16;

impl Likelihood {
    /// Log-likelihood up to a constant at `tau2`, from the sums there: −½ Σ ln(vᵢ + τ²) − ½ Q,
    /// less ½ ln Σwᵢ for REML (taken into the same product of mantissas: one logarithm for a
    /// meta-analysis of up to 15 studies).
    fn loglik(self, s: &WeightedSums, vi: &[f64], tau2: f64) -> f64 {
        let extra = match self {
            Likelihood::Full => 1.0,
            Likelihood::Restricted => s.sw,
        };
        -0.5 * sum_log_variance(vi, tau2, extra) - 0.5 * s.q
    }

    /// The step from the sums at the current τ²: Fisher scoring (the score divided by the
    /// expected information) while `newton` is false, and a Newton step (the score divided by
    /// the observed information −ℓ''(τ²)) once the iteration is near the maximum, unless the
    /// observed information is not positive there.
    ///
    /// With P = W − ww'/Σw, Py = W r (r = y − μ̂) and y'PPPy = Σw³r² − (Σw²r)²/Σw:
    /// - REML: score ½(y'PPy − tr P), expected information ½ tr(PP), observed
    ///   y'PPPy − ½ tr(PP) (Harville 1977, J Am Stat Assoc 72:320–340).
    /// - ML: score ½(Σw²r² − Σw), expected information ½Σw², observed y'PPPy − ½Σw².
    ///
    /// Why both: Fisher scoring (metafor's algorithm) climbs safely from afar, and so finds the
    /// maximum metafor finds where the likelihood has more than one; but it converges only
    /// linearly, at a rate |1 − observed/expected| that can approach or pass 1 near the
    /// maximum, where it can take hundreds of iterations or wander at 1e-7 without converging.
    /// Newton converges quadratically there, in two or three iterations.
    fn step(self, s: &WeightedSums, newton: bool) -> f64 {
        let (score, expected, trace) = match self {
            Likelihood::Full => (0.5 * (s.sw2r2 - s.sw), 0.5 * s.sw2, s.sw2),
            Likelihood::Restricted => {
                let tr_p = s.sw - s.sw2 / s.sw;
                let tr_pp = s.sw2 - 2.0 * s.sw3 / s.sw + (s.sw2 / s.sw).powi(2);
                (0.5 * (s.sw2r2 - tr_p), 0.5 * tr_pp, tr_pp)
            }
        };
        if !newton {
            return score / expected;
        }
        let observed = s.sw3r2 - s.sw2r * s.sw2r / s.sw - 0.5 * trace;
        if observed > 0.0 && observed.is_finite() {
            score / observed
        } else {
            score / expected
        }
    }
}

/// Relative change of τ² below which the iteration is near enough to the maximum for Newton
/// steps (metafor stops Fisher scoring at an absolute change of 1e-5). At 1e-2 rather than
/// 1e-4, REML at k = 10 takes 5.5 iterations on average instead of 6.8 (10⁴ meta-analyses of
/// `scripts/gen_batch_data.rs`), with the same estimates to rounding (≈ 1e-15 relative) and the
/// likelihood test of every step unchanged.
const NEAR: f64 = 1e-2;

/// Relative size of a Newton step taken without the likelihood test (see [`newton`]).
const TINY_STEP: f64 = 1e-8;

/// The iteration, from the sums at τ² = 0 (`fixed`, for the DerSimonian–Laird start): the
/// estimate and the sums at it, which the fit needs next and need not compute again.
fn newton(
    yi: &[f64],
    vi: &[f64],
    ctl: IterControl,
    lik: Likelihood,
    range: EffectRange,
    fixed: &WeightedSums,
) -> (Tau2Estimate, WeightedSums) {
    let scale = mean(vi);
    let mut tau2 = match ctl.start {
        Some(t) if t.is_finite() && t >= 0.0 => t,
        _ => dersimonian_laird_from(fixed, yi.len()).tau2,
    };
    let mut s = WeightedSums::at_in(yi, vi, tau2, range);
    let mut ll = lik.loglik(&s, vi, tau2);
    let mut near = false;
    for iter in 1..=ctl.max_iter {
        let mut step = lik.step(&s, near);
        if !step.is_finite() {
            let estimate = Tau2Estimate {
                tau2,
                iterations: iter,
                converged: false,
            };
            return (estimate, s);
        }
        let (mut next, mut s_next, mut ll_next);
        let mut halvings = 0;
        // A Newton step this small near the maximum changes the log likelihood by far less
        // than the rounding allowance of the test below, which it therefore always passes: it
        // is taken without the pass of logarithms the test needs.
        let tiny = near && step.abs() <= TINY_STEP * (tau2 + scale);
        loop {
            next = (tau2 + step).max(0.0);
            s_next = WeightedSums::at_in(yi, vi, next, range);
            if tiny {
                ll_next = ll;
                break;
            }
            ll_next = lik.loglik(&s_next, vi, next);
            // Accept when the likelihood does not fall (allowing for rounding near the optimum).
            if ll_next >= ll - 1e-12 * ll.abs().max(1.0) || halvings >= 60 {
                break;
            }
            step *= 0.5;
            halvings += 1;
        }
        let change = (next - tau2).abs();
        tau2 = next;
        s = s_next;
        ll = ll_next;
        near = change <= NEAR * (tau2 + scale);
        if change <= ctl.tol * (tau2 + scale) {
            let estimate = Tau2Estimate {
                tau2,
                iterations: iter,
                converged: true,
            };
            return (estimate, s);
        }
    }
    let estimate = Tau2Estimate {
        tau2,
        iterations: ctl.max_iter,
        converged: false,
    };
    (estimate, s)
}

/// [`restricted_maximum_likelihood`] (`full` false) or [`maximum_likelihood`] (`full` true)
/// given the range of `yi` and the sums at τ² = 0, with the sums at the estimate.
pub(super) fn likelihood_from(
    yi: &[f64],
    vi: &[f64],
    ctl: IterControl,
    full: bool,
    range: EffectRange,
    fixed: &WeightedSums,
) -> (Tau2Estimate, WeightedSums) {
    let lik = if full {
        Likelihood::Full
    } else {
        Likelihood::Restricted
    };
    newton(yi, vi, ctl, lik, range, fixed)
}

/// The iteration from scratch.
fn newton_alone(yi: &[f64], vi: &[f64], ctl: IterControl, lik: Likelihood) -> Tau2Estimate {
    let range = EffectRange::of(yi);
    let fixed = WeightedSums::at_in(yi, vi, 0.0, range);
    newton(yi, vi, ctl, lik, range, &fixed).0
}

/// Restricted maximum likelihood: Viechtbauer (2005), J Educ Behav Stat 30:261–293; the REML
/// equations of Raudenbush & Bryk (1985).
///
/// # Formula
/// Maximises ℓ_R(τ²) = −½ Σ ln(vᵢ+τ²) − ½ ln Σwᵢ − ½ Σ wᵢ(yᵢ−μ̂)² over τ² ≥ 0, wᵢ = 1/(vᵢ+τ²),
/// by Newton steps τ² ← τ² + ½(y'PPy − tr P)/(y'PPPy − ½ tr(PP)), P = W − ww'/Σw, or the
/// Fisher-scoring step τ² ← τ² + (y'PPy − tr P)/tr(PP) where the denominator is not positive.
pub fn restricted_maximum_likelihood(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    newton_alone(yi, vi, ctl, Likelihood::Restricted)
}

/// Maximum likelihood: Hardy & Thompson (1996), Stat Med 15:619–629; Viechtbauer (2005).
///
/// # Formula
/// Maximises ℓ(τ²) = −½ Σ ln(vᵢ+τ²) − ½ Σ wᵢ(yᵢ−μ̂)² over τ² ≥ 0 by Newton steps
/// τ² ← τ² + ½(Σwᵢ²rᵢ² − Σwᵢ)/(y'PPPy − ½Σwᵢ²), rᵢ = yᵢ − μ̂, or the Fisher-scoring step
/// τ² ← τ² + (Σwᵢ²rᵢ² − Σwᵢ)/Σwᵢ² where the denominator is not positive.
pub fn maximum_likelihood(yi: &[f64], vi: &[f64], ctl: IterControl) -> Tau2Estimate {
    newton_alone(yi, vi, ctl, Likelihood::Full)
}

#[cfg(test)]
mod tests {
    use super::{maximum_likelihood, restricted_maximum_likelihood, sum_log_variance};
    use crate::fit::tau2::IterControl;

    #[test]
    fn a_warm_start_finds_the_same_maximum() {
        // The BCG trials' log risk ratios (metadat dat.bcg), where REML gives τ² ≈ 0.3132.
        let yi = [
            -0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694,
            -1.3713, -0.3394, 0.4459, -0.0173,
        ];
        let vi = [
            0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730, 0.0124,
            0.5325, 0.0714,
        ];
        for estimator in [restricted_maximum_likelihood, maximum_likelihood] {
            let cold = estimator(&yi, &vi, IterControl::default());
            for start in [0.0, 0.3, 5.0] {
                let ctl = IterControl {
                    start: Some(start),
                    ..IterControl::default()
                };
                let warm = estimator(&yi, &vi, ctl);
                assert!(warm.converged, "start {start}");
                assert!(
                    (warm.tau2 - cold.tau2).abs() <= 1e-10 * cold.tau2,
                    "start {start}"
                );
            }
        }
    }

    #[test]
    fn sum_log_variance_equals_the_sum_of_logarithms() {
        // Magnitudes across the whole exponent range, blocks full and partial.
        let vi: Vec<f64> = (0..37)
            .map(|i| 1.7f64.powi(i * 23 - 400) * (1.0 + 0.37 * i as f64))
            .collect();
        for tau2 in [0.0, 1e-300, 0.013, 2.5, 1e200] {
            let plain: f64 = vi.iter().map(|v| (v + tau2).ln()).sum();
            for extra in [1.0, 3.7e-5, 2.9e250] {
                let plain = plain + f64::ln(extra);
                let fast = sum_log_variance(&vi, tau2, extra);
                assert!(
                    (fast - plain).abs() <= 1e-12 * plain.abs().max(1.0),
                    "τ² = {tau2}, extra {extra}: {fast} vs {plain}"
                );
            }
        }
    }
}
