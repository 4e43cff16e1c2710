//! Adaptive Gauss–Hermite quadrature of one study's marginal likelihood
//! Lᵢ(μ, τ) = ∫ exp(ℓᵢ(μ + τz)) φ(z) dz, with its first and second derivatives in (μ, τ).
//!
//! The nodes are centred at the mode ẑ of the integrand and scaled by its curvature σ̂ there
//! (Liu & Pierce 1994, Biometrika 81:624; Pinheiro & Bates 1995, the scheme of lme4's
//! `nAGQ`): zⱼ = ẑ + √2 σ̂ tⱼ, with tⱼ, wⱼ the Gauss–Hermite rule for the weight e^{−t²}. The
//! derivatives are posterior moments over the same nodes (Louis 1982):
//! ∂ln L/∂μ = E[ℓ′], ∂ln L/∂τ = E[ℓ′z], and the Hessian is E[∂²] + Var[∂], so that the
//! optimiser sees the derivatives of the exact integral, not those of a moving rule.
//!
//! [`NODES`] nodes put the log likelihood within 1e-8 of the exact integral on the stress grid
//! of the `aghq_matches_reference` test (n from 1 to 10⁴, 0 and n events, μ ∈ [−9, 4], τ up
//! to 3 on the logit scale), where the reference is a trapezoid rule of 4001 points centred at
//! the mode, which converges geometrically for these analytic integrands (Trefethen & Weideman
//! 2014, SIAM Review 56:385); at larger τ the rule is widened (see [`integrate`]).

use super::likelihood::StudyLik;
use std::f64::consts::PI;
use std::sync::OnceLock;

/// Gauss–Hermite nodes per study.
pub const NODES: usize = 21;

/// ½ ln 2π.
pub(crate) const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// A Gauss–Hermite rule: nodes tⱼ and ln wⱼ + tⱼ² (the weight of the adaptive rule).
pub(crate) struct Rule {
    pub t: Vec<f64>,
    pub log_w: Vec<f64>,
}

/// Gauss–Hermite nodes and weights for the weight function e^{−t²} by Newton's method on the
/// orthonormal Hermite recurrence (Press et al. 2007, Numerical Recipes §4.6.2, `gauher`).
pub(crate) fn gauss_hermite(n: usize) -> Rule {
    let pim4 = PI.powf(-0.25);
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let nf = n as f64;
    let mut z = 0.0_f64;
    for i in 0..n.div_ceil(2) {
        z = match i {
            0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * nf.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * x[0],
            3 => 1.91 * z - 0.91 * x[1],
            _ => 2.0 * z - x[i - 2],
        };
        let mut pp = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (pim4, 0.0);
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
            }
            pp = (2.0 * nf).sqrt() * p2;
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = 2.0 / (pp * pp);
        w[n - 1 - i] = w[i];
    }
    let log_w = x.iter().zip(&w).map(|(t, w)| w.ln() + t * t).collect();
    Rule { t: x, log_w }
}

/// The rule of [`NODES`] nodes, computed once, ordered from the centre outwards: the central
/// node carries the largest weighted integrand, so [`Moments::push`] seldom has to rescale
/// its sums for a new maximum (one exponential less per node).
pub(crate) fn rule() -> &'static Rule {
    static RULE: OnceLock<Rule> = OnceLock::new();
    RULE.get_or_init(|| {
        let r = gauss_hermite(NODES);
        let mut order: Vec<usize> = (0..NODES).collect();
        order.sort_by(|&i, &j| r.t[i].abs().total_cmp(&r.t[j].abs()));
        Rule {
            t: order.iter().map(|&i| r.t[i]).collect(),
            log_w: order.iter().map(|&i| r.log_w[i]).collect(),
        }
    })
}

/// One study's log marginal likelihood and its derivatives in (μ, τ).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms {
    /// ln Lᵢ.
    pub ll: f64,
    /// ∂/∂μ, ∂/∂τ.
    pub grad: [f64; 2],
    /// ∂²/∂μ², ∂²/∂μ∂τ, ∂²/∂τ².
    pub hess: [f64; 3],
}

impl Terms {
    /// Adds `o` to these terms.
    pub fn add(&mut self, o: &Terms) {
        self.ll += o.ll;
        for j in 0..2 {
            self.grad[j] += o.grad[j];
        }
        for j in 0..3 {
            self.hess[j] += o.hess[j];
        }
    }
}

/// The mode of h(z) = ℓ(μ + τz) − z²/2, which is strictly concave: Newton's method kept inside
/// the bracket [τ·ℓ′min, τ·ℓ′max] that holds the root of h′, halving it when a step leaves it.
pub(crate) fn mode<L: StudyLik>(lik: &L, mu: f64, tau: f64, start: f64) -> (f64, f64) {
    let (smin, smax) = lik.score_bounds();
    let (mut lo, mut hi) = (tau * smin, tau * smax);
    let mut z = start.clamp(lo, hi);
    let mut curv = 1.0;
    for _ in 0..200 {
        let (d1, d2) = lik.slope(mu + tau * z);
        let g = tau * d1 - z;
        curv = 1.0 - tau * tau * d2;
        if g > 0.0 {
            lo = z;
        } else {
            hi = z;
        }
        let mut next = z + g / curv;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        let done = (next - z).abs() <= 1e-12 * (1.0 + z.abs()) || hi - lo <= 1e-14;
        z = next;
        if done {
            curv = 1.0 - tau * tau * lik.slope(mu + tau * z).1;
            break;
        }
    }
    (z, curv)
}

/// Posterior moments over a rule's nodes, accumulated in one pass with a running maximum of
/// the log integrand (no buffer, no overflow): Σp, Σp·g and Σp·(∂² + g gᵀ) for the score g and
/// second derivatives ∂² of the log integrand in `D` parameters.
pub(crate) struct Moments<const D: usize> {
    amax: f64,
    total: f64,
    g: [f64; D],
    m2: [[f64; D]; D],
}

impl<const D: usize> Moments<D> {
    pub fn new() -> Self {
        Moments {
            amax: f64::NEG_INFINITY,
            total: 0.0,
            g: [0.0; D],
            m2: [[0.0; D]; D],
        }
    }

    /// A node with log weighted integrand `a`, score `g` and second derivatives `d2`.
    #[inline]
    pub fn push(&mut self, a: f64, g: &[f64; D], d2: &[[f64; D]; D]) {
        if a > self.amax {
            // The first node, or a new maximum: rescale what is summed so far.
            let r = if self.total == 0.0 {
                0.0
            } else {
                (self.amax - a).exp()
            };
            self.total *= r;
            self.g.iter_mut().for_each(|v| *v *= r);
            self.m2.iter_mut().flatten().for_each(|v| *v *= r);
            self.amax = a;
        }
        let p = (a - self.amax).exp();
        self.total += p;
        for i in 0..D {
            self.g[i] += p * g[i];
            for j in i..D {
                self.m2[i][j] += p * (d2[i][j] + g[i] * g[j]);
            }
        }
    }

    /// (ln Σ exp(a) − ½ ln 2π, E g, E ∂² + Var g) — the log likelihood and its derivatives.
    pub fn finish(self) -> (f64, [f64; D], [[f64; D]; D]) {
        let inv = 1.0 / self.total;
        let g = self.g.map(|v| v * inv);
        let mut h = [[0.0; D]; D];
        for i in 0..D {
            for j in i..D {
                h[i][j] = self.m2[i][j] * inv - g[i] * g[j];
                h[j][i] = h[i][j];
            }
        }
        (self.amax + self.total.ln() - HALF_LN_2PI, g, h)
    }
}

/// Above this posterior SD on the scale of η (τσ̂) the integrand is not close enough to a
/// Gaussian for [`NODES`] Gauss–Hermite nodes (a study without events at large τ is a normal
/// density cut off by a logistic edge; the `aghq_matches_reference` test found errors of
/// 3e-8 at τσ̂ = 0.47 and 5e-4 beyond), and the trapezoid rule is used instead.
const GAUSSIAN_ENOUGH: f64 = 0.3;

/// Visits the nodes of the rule for ∫ exp(h(z)) dz, h(z) = ℓ(μ + τz) − z²/2 (τ > 0), where `lik`
/// gives ℓ for the mode search and `visit(z, ln w)` evaluates the integrand at a node with log
/// weight ln w, accumulates it and returns h(z).
///
/// - τσ̂ ≤ [`GAUSSIAN_ENOUGH`]: adaptive Gauss–Hermite, zⱼ = ẑ + √2σ̂tⱼ, ln w = ln(√2σ̂) + ln wⱼ
///   + tⱼ².
/// - otherwise: the trapezoid rule from ẑ outwards in steps of 0.4·min(σ̂, 1/τ) until h is 37
///   below its peak on each side (h is concave, so the rest is below e^{−37} of the integral).
///   Its error falls as exp(−2πa/step) for an integrand analytic in the strip |Im z| < a
///   (Trefethen & Weideman 2014, SIAM Review 56:385, §5): a = π/τ for the logistic and
///   hypergeometric likelihoods, whose log-partition functions have their singularities at
///   Im η = ±π, and the Gaussian factor needs a step below its SD σ̂.
pub(crate) fn for_each_node<L: StudyLik>(
    lik: &L,
    mu: f64,
    tau: f64,
    z_mode: &mut f64,
    mut visit: impl FnMut(f64, f64) -> f64,
) {
    let (zh, curv) = mode(lik, mu, tau, *z_mode);
    *z_mode = zh;
    let sigma = (1.0 / curv).sqrt();
    if tau * sigma <= GAUSSIAN_ENOUGH {
        let r = rule();
        let scale = std::f64::consts::SQRT_2 * sigma;
        let ln_scale = scale.ln();
        for (t, lw) in r.t.iter().zip(&r.log_w) {
            visit(zh + scale * t, ln_scale + lw);
        }
        return;
    }
    let step = 0.4 * sigma.min(1.0 / tau);
    let ln_step = step.ln();
    let peak = visit(zh, ln_step);
    for dir in [-1.0, 1.0] {
        for j in 1..=100_000 {
            if visit(zh + dir * step * j as f64, ln_step) < peak - 37.0 {
                break;
            }
        }
    }
}

/// The study's terms at (μ, τ), τ ≥ 0, with the mode search started at `*z_mode`, which is
/// updated (the mode moves little between the optimiser's steps). At τ = 0 the integral is
/// ℓ(μ) exactly.
pub(crate) fn integrate<L: StudyLik>(lik: &L, mu: f64, tau: f64, z_mode: &mut f64) -> Terms {
    if tau == 0.0 {
        let (l, d1, d2) = lik.eval(mu);
        return Terms {
            ll: l,
            grad: [d1, 0.0],
            hess: [d2, 0.0, d1 * d1 + d2],
        };
    }
    let mut m = Moments::<2>::new();
    for_each_node(lik, mu, tau, z_mode, |z, lw| {
        let (l, s, c) = lik.eval(mu + tau * z);
        let h = l - 0.5 * z * z;
        m.push(lw + h, &[s, s * z], &[[c, c * z], [c * z, c * z * z]]);
        h
    });
    let (ll, g, h) = m.finish();
    Terms {
        ll,
        grad: g,
        hess: [h[0][0], h[0][1], h[1][1]],
    }
}

#[cfg(test)]
mod tests {
    use super::super::likelihood::Binomial;
    use super::*;

    /// ln ∫ exp(ℓ(μ + τz)) φ(z) dz by the trapezoid rule on the mode ± 12 (beyond which the
    /// integrand, log-concave with curvature at least 1, is below e^{−72} of its peak) with a
    /// step of at most a quarter of the curvature SD, which converges geometrically for these
    /// analytic integrands (Trefethen & Weideman 2014).
    fn reference(lik: &Binomial, mu: f64, tau: f64) -> f64 {
        let (zh, curv) = mode(lik, mu, tau, 0.0);
        let h = (0.25 / curv.sqrt()).min(0.0025);
        let n = (24.0 / h).ceil() as usize;
        let vals: Vec<f64> = (0..=n)
            .map(|j| {
                let z = zh - 12.0 + h * j as f64;
                lik.eval(mu + tau * z).0 - 0.5 * z * z - HALF_LN_2PI
            })
            .collect();
        let m = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = vals.iter().map(|v| (v - m).exp()).sum();
        m + (s * h).ln()
    }

    #[test]
    fn aghq_matches_reference() {
        let mut worst = (0.0, String::new());
        for &n in &[1.0, 2.0, 5.0, 20.0, 100.0, 1000.0, 10000.0] {
            for &x in &[0.0, 1.0, (n / 2.0_f64).floor(), n] {
                if x > n {
                    continue;
                }
                let lik = Binomial::new(x, n, 0.0);
                for &mu in &[-9.0, -4.0, -1.0, 0.0, 2.0, 4.0] {
                    for &tau in &[0.01, 0.1, 0.5, 1.0, 2.0, 3.0, 10.0, 40.0] {
                        let mut z = 0.0;
                        let got = integrate(&lik, mu, tau, &mut z).ll;
                        let want = reference(&lik, mu, tau);
                        let err = (got - want).abs();
                        if err > worst.0 {
                            worst = (err, format!("x={x} n={n} mu={mu} tau={tau}"));
                        }
                    }
                }
            }
        }
        eprintln!("worst {:e} at {}", worst.0, worst.1);
        assert!(worst.0 < 1e-9, "worst {:e} at {}", worst.0, worst.1);
    }

    #[test]
    fn gauss_hermite_integrates_polynomials_exactly() {
        // ∫ t^{2m} e^{−t²} dt = Γ(m + ½); exact for 2m ≤ 2n − 1.
        let r = gauss_hermite(NODES);
        for m in 0..10 {
            let sum: f64 =
                r.t.iter()
                    .zip(&r.log_w)
                    .map(|(t, lw)| (lw - t * t).exp() * t.powi(2 * m))
                    .sum();
            let exact = statrs::function::gamma::gamma(m as f64 + 0.5);
            assert!(
                (sum - exact).abs() <= 1e-13 * exact,
                "m = {m}: {sum} vs {exact}"
            );
        }
    }
}
