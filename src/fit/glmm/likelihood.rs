//! One study's log likelihood ℓᵢ(η) as a function of its natural parameter η (a logit or a
//! log odds ratio), with ℓ′ and ℓ″: the only thing that differs between the GLMMs that share
//! the random-intercept engine ([`super::random_intercept`]).
//!
//! - [`Binomial`]: x ~ Bin(n, logit⁻¹(η + offset)) — a single proportion (metafor
//!   `measure = "PLO"`), or, conditionally on a study's total events m = x₁ + x₂ with offset
//!   ln(n₁/n₂), the approximate conditional model `CM.AL` (Stijnen et al. 2010, Stat Med
//!   29:3046, §2.3).
//! - [`Nchg`]: x₁ given m ~ Fisher's non-central hypergeometric with odds ratio e^η, the
//!   exact conditional model `CM.EL` (Stijnen et al. 2010, §2.2; van Houwelingen et al. 1993).
//!
//! Both are strictly concave in η (exponential families in their natural parameter), which the
//! mode search of the quadrature and the common-effect Newton rely on.

use statrs::function::gamma::ln_gamma;

/// A study's log likelihood in its natural parameter.
pub trait StudyLik {
    /// (ℓ(η), ℓ′(η), ℓ″(η)).
    fn eval(&self, eta: f64) -> (f64, f64, f64);
    /// (ℓ′(η), ℓ″(η)) alone, for the quadrature's mode search (cheaper where ℓ needs a
    /// logarithm that its derivatives do not).
    fn slope(&self, eta: f64) -> (f64, f64) {
        let (_, d1, d2) = self.eval(eta);
        (d1, d2)
    }
    /// The limits of ℓ′ as η → +∞ and η → −∞ (ℓ′ is decreasing between them).
    fn score_bounds(&self) -> (f64, f64);
}

/// A study's own estimate of η: the saturated model of the heterogeneity tests.
pub trait OwnEstimate: StudyLik {
    /// The study's own maximum likelihood estimate of η (the saturated model) with its
    /// variance 1/(−ℓ″), `None` when the supremum is reached only as η → ±∞ (no events, or
    /// only events), where sup ℓ = [`StudyLik::sup_at_infinity`].
    fn saturated(&self) -> Option<(f64, f64)>;
    /// sup ℓ when [`StudyLik::saturated`] is `None`: the log of the constant that the
    /// probability tends to (1, so the log of the likelihood's own constant is added back).
    fn sup_at_infinity(&self) -> f64;
}

/// ln C(n, k).
pub(crate) fn ln_choose(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// x events of n with log odds η + `offset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binomial {
    x: f64,
    n: f64,
    offset: f64,
    log_coef: f64,
}

impl Binomial {
    /// `x` of `n` (x ≤ n, n ≥ 1) with log odds η + `offset`.
    pub fn new(x: f64, n: f64, offset: f64) -> Self {
        Binomial {
            x,
            n,
            offset,
            log_coef: ln_choose(n, x),
        }
    }

    /// The studies of a proportion GLMM: `events` of `n` (studies with n = 0 say nothing).
    pub fn proportions(events: &[u64], n: &[u64]) -> Vec<Binomial> {
        events
            .iter()
            .zip(n)
            .filter(|(_, &n)| n > 0)
            .map(|(&x, &n)| Binomial::new(x as f64, n as f64, 0.0))
            .collect()
    }
}

impl StudyLik for Binomial {
    #[inline]
    fn eval(&self, eta: f64) -> (f64, f64, f64) {
        let e = eta + self.offset;
        // One exponential: t = e^{−|e|}, ln(1 + e^e) = max(e, 0) + ln(1 + t).
        let t = (-e.abs()).exp();
        let softplus = e.max(0.0) + t.ln_1p();
        let (p, q) = if e >= 0.0 {
            (1.0 / (1.0 + t), t / (1.0 + t))
        } else {
            (t / (1.0 + t), 1.0 / (1.0 + t))
        };
        (
            self.log_coef + self.x * e - self.n * softplus,
            self.x - self.n * p,
            -self.n * p * q,
        )
    }

    #[inline]
    fn slope(&self, eta: f64) -> (f64, f64) {
        let p = 1.0 / (1.0 + (-(eta + self.offset)).exp());
        (self.x - self.n * p, -self.n * p * (1.0 - p))
    }

    fn score_bounds(&self) -> (f64, f64) {
        (self.x - self.n, self.x)
    }
}

impl OwnEstimate for Binomial {
    fn saturated(&self) -> Option<(f64, f64)> {
        (self.x > 0.0 && self.x < self.n).then(|| {
            let other = self.n - self.x;
            (
                (self.x / other).ln() - self.offset,
                1.0 / self.x + 1.0 / other,
            )
        })
    }

    fn sup_at_infinity(&self) -> f64 {
        self.log_coef
    }
}

/// Fisher's non-central hypergeometric distribution of x₁ events among n₁ given m events in
/// n₁ + n₂: P(x₁ = y) = C(n₁, y) C(n₂, m − y) e^{yη} / Σ_u C(n₁, u) C(n₂, m − u) e^{uη}.
#[derive(Debug, Clone, PartialEq)]
pub struct Nchg {
    /// x₁ − ymin.
    x: usize,
    /// ln C(n₁, y) C(n₂, m − y) for y = ymin..=ymax, less its value at y = x₁.
    log_c: Vec<f64>,
}

impl Nchg {
    /// The table with `a` events of `n1` and `c` of `n2`; `None` when the support has one
    /// point (no events, or only events: the table says nothing about the odds ratio).
    pub fn new(a: f64, n1: f64, c: f64, n2: f64) -> Option<Self> {
        let m = a + c;
        let ymin = (m - n2).max(0.0);
        let ymax = n1.min(m);
        if ymax <= ymin {
            return None;
        }
        let at = |y: f64| ln_choose(n1, y) + ln_choose(n2, m - y);
        let base = at(a);
        let count = (ymax - ymin).round() as usize + 1;
        let log_c = (0..count).map(|j| at(ymin + j as f64) - base).collect();
        Some(Nchg {
            x: (a - ymin).round() as usize,
            log_c,
        })
    }
}

impl StudyLik for Nchg {
    fn eval(&self, eta: f64) -> (f64, f64, f64) {
        // Terms relative to y = x₁, so ℓ = −ln Σ exp(bᵤ) with bᵤ = ln cᵤ + (u − x)η.
        let x = self.x as f64;
        let b = |j: usize, lc: f64| lc + (j as f64 - x) * eta;
        let bmax = self
            .log_c
            .iter()
            .enumerate()
            .map(|(j, &lc)| b(j, lc))
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut s, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for (j, &lc) in self.log_c.iter().enumerate() {
            let p = (b(j, lc) - bmax).exp();
            let d = j as f64 - x;
            s += p;
            s1 += p * d;
            s2 += p * d * d;
        }
        let mean = s1 / s;
        (-(bmax + s.ln()), -mean, -(s2 / s - mean * mean))
    }

    fn score_bounds(&self) -> (f64, f64) {
        let x = self.x as f64;
        (x - (self.log_c.len() - 1) as f64, x)
    }
}

impl OwnEstimate for Nchg {
    fn saturated(&self) -> Option<(f64, f64)> {
        if self.x == 0 || self.x + 1 == self.log_c.len() {
            return None;
        }
        let (eta, _, d2) = maximize_1d(|e| self.eval(e), 0.0)?;
        Some((eta, -1.0 / d2))
    }

    fn sup_at_infinity(&self) -> f64 {
        0.0
    }
}

/// Maximises a strictly concave f given as η ↦ (f, f′, f″) by Newton's method with steps of at
/// most 4 and step halving (full steps within 10⁻⁶ of the maximum); returns (η̂, f(η̂), f″(η̂))
/// once a step is below 10⁻¹² (relative) or stops shrinking there, or no step raises f, or `None` when the maximum is not finite
/// (|η| beyond 700).
pub(crate) fn maximize_1d(
    mut f: impl FnMut(f64) -> (f64, f64, f64),
    start: f64,
) -> Option<(f64, f64, f64)> {
    let mut eta = start;
    let mut cur = f(eta);
    // The last step when it was a full Newton step (else ∞).
    let mut last_step = f64::INFINITY;
    for _ in 0..1000 {
        let (v, d1, d2) = cur;
        if d2 >= 0.0 || !d2.is_finite() || !d1.is_finite() {
            return None;
        }
        let step = (-d1 / d2).clamp(-4.0, 4.0);
        let scale = 1.0 + eta.abs();
        if step.abs() <= 1e-12 * scale {
            break;
        }
        // Within 1e-6 of the maximum f no longer resolves a line search and Newton, which
        // squares the error, is taken as it is; a full step there that does not shrink the
        // next one tenfold is rounding noise in f′, the end (without this test a noisy f′
        // walked on for all 1000 iterations).
        if step.abs() <= 1e-6 * scale {
            if step.abs() > 0.1 * last_step {
                break;
            }
            eta += step;
            cur = f(eta);
            last_step = step.abs();
            continue;
        }
        let mut alpha = 1.0;
        let next = loop {
            let next = f(eta + alpha * step);
            if next.0 >= v {
                break Some(next);
            }
            alpha *= 0.5;
            if alpha < 1e-10 {
                break None;
            }
        };
        match next {
            Some(next) => {
                eta += alpha * step;
                cur = next;
                last_step = if alpha == 1.0 {
                    step.abs()
                } else {
                    f64::INFINITY
                };
            }
            None => break,
        }
        if eta.abs() > 700.0 {
            return None;
        }
    }
    Some((eta, cur.0, cur.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_derivatives(l: &impl StudyLik, eta: f64) {
        let h = 1e-5;
        let (v, d1, d2) = l.eval(eta);
        let (vp, d1p, _) = l.eval(eta + h);
        let (vm, d1m, _) = l.eval(eta - h);
        assert!(
            ((vp - vm) / (2.0 * h) - d1).abs() < 1e-6 * (1.0 + d1.abs()),
            "{v}"
        );
        assert!(((d1p - d1m) / (2.0 * h) - d2).abs() < 1e-6 * (1.0 + d2.abs()));
    }

    #[test]
    fn derivatives_are_those_of_the_log_likelihood() {
        for eta in [-30.0, -2.0, 0.3, 5.0, 40.0] {
            check_derivatives(&Binomial::new(3.0, 17.0, 0.4), eta);
            check_derivatives(&Nchg::new(3.0, 17.0, 8.0, 20.0).unwrap(), eta);
        }
    }

    #[test]
    fn nchg_sums_to_one_and_has_the_hypergeometric_mean_at_zero() {
        // η = 0: the central hypergeometric, mean m·n₁/(n₁ + n₂).
        let (n1, n2, m) = (12.0, 9.0, 7.0);
        let mut total = 0.0;
        for a in 0..=7 {
            let t = Nchg::new(a as f64, n1, m - a as f64, n2).unwrap();
            total += t.eval(0.0).0.exp();
        }
        assert!((total - 1.0).abs() < 1e-12);
        let t = Nchg::new(0.0, n1, m, n2).unwrap();
        let mean = 0.0 - t.eval(0.0).1;
        assert!((mean - m * n1 / (n1 + n2)).abs() < 1e-12);
    }
}
