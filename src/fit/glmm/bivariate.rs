//! One two-arm study's marginal likelihood under `UM.RS` (metafor `rma.glmm(measure = "OR",
//! model = "UM.RS")`, lme4 `(group12 || study)`): with (z₁, z₂) ~ N(0, I),
//! logit pᵢ₁ = α + μ/2 + σz₁ + τz₂/2 and logit pᵢ₂ = α − μ/2 + σz₁ − τz₂/2, so the random
//! study intercept σz₁ has variance σ² and the random treatment effect τz₂ variance τ².
//! (metafor writes the fixed part with a treatment dummy, b₀ + μ·[arm 1]; b₀ = α − μ/2 is the
//! same model.)
//!
//! Lᵢ = ∫∫ Bin(aᵢ | n₁ᵢ, p₁) Bin(cᵢ | n₂ᵢ, p₂) φ(z₁)φ(z₂) dz₁dz₂ by a product Gauss–Hermite
//! rule centred at the mode ẑ of the integrand and sheared by the Cholesky factor of its
//! curvature, z = ẑ + √2 L⁻ᵀt for −∇²h(ẑ) = LLᵀ (Liu & Pierce 1994, Biometrika 81:624; the
//! two-dimensional adaptive rule of Pinheiro & Bates 1995, J Comput Graph Stat 4:12), pruned
//! of the nodes whose product weight is below 10⁻¹⁴ of the largest. The derivatives in
//! (α, μ, σ, τ) are posterior moments over the same nodes (Louis 1982), as in
//! [`super::quadrature`].

use super::likelihood::Binomial;
use super::likelihood::StudyLik;
use super::quadrature::{self, gauss_hermite, Moments, HALF_LN_2PI};
use std::sync::OnceLock;

/// Gauss–Hermite nodes per dimension (before pruning). How the accuracy was checked: the
/// `bivariate_matches_reference` test compares the log likelihood with a 601 × 601 trapezoid
/// rule over a stress grid (1 to 2000 per arm, zero and all-event arms, σ up to 2.5, τ up to
/// 1.5): worst 8·10⁻¹⁰ with 17 nodes (4·10⁻⁹ with 15, 7·10⁻⁸ with 12); and
/// `tests/glmm_umrs.rs` compares it with R's nested `integrate()` (rel.tol 1e-10) at the
/// fixture's points: 10⁻¹¹ relative.
pub const NODES_PER_DIM: usize = 17;

/// Above this posterior SD of an arm's logit the integrand is not close enough to a Gaussian
/// for the product rule (the `bivariate_matches_reference` test found errors above 10⁻⁹ from
/// an SD of 0.37, none above 10⁻¹⁰ below 0.3), and the trapezoid rule is used instead.
const GAUSSIAN_ENOUGH: f64 = 0.3;

/// Nodes of the pruned product rule, (t₁, t₂, ln w₁ + ln w₂ + t₁² + t₂²), the centre first.
fn product_rule() -> &'static [(f64, f64, f64)] {
    static RULE: OnceLock<Vec<(f64, f64, f64)>> = OnceLock::new();
    RULE.get_or_init(|| {
        let r = gauss_hermite(NODES_PER_DIM);
        let ln_w: Vec<f64> = r.t.iter().zip(&r.log_w).map(|(t, lw)| lw - t * t).collect();
        let top = 2.0 * ln_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut nodes = Vec::new();
        for i in 0..NODES_PER_DIM {
            for j in 0..NODES_PER_DIM {
                if ln_w[i] + ln_w[j] >= top + (1e-14_f64).ln() {
                    nodes.push((r.t[i], r.t[j], r.log_w[i] + r.log_w[j]));
                }
            }
        }
        nodes.sort_by(|x, y| (x.0 * x.0 + x.1 * x.1).total_cmp(&(y.0 * y.0 + y.1 * y.1)));
        nodes
    })
}

/// The study as a function of the mean logit η = α + σz₁ at τ = 0, for the 1-D rule.
struct Centre<'a> {
    arms: &'a [Binomial; 2],
    mu: f64,
}

impl StudyLik for Centre<'_> {
    fn eval(&self, eta: f64) -> (f64, f64, f64) {
        let (l1, s1, c1) = self.arms[0].eval(eta + 0.5 * self.mu);
        let (l2, s2, c2) = self.arms[1].eval(eta - 0.5 * self.mu);
        (l1 + l2, s1 + s2, c1 + c2)
    }

    fn score_bounds(&self) -> (f64, f64) {
        let (a, b) = (self.arms[0].score_bounds(), self.arms[1].score_bounds());
        (a.0 + b.0, a.1 + b.1)
    }
}

/// Nodes per study of the pruned product rule.
pub fn nodes() -> usize {
    product_rule().len()
}

/// A study's log marginal likelihood with its gradient and Hessian in (α, μ, σ, τ).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms4 {
    /// ln Lᵢ.
    pub ll: f64,
    /// Gradient.
    pub g: [f64; 4],
    /// Hessian.
    pub h: [[f64; 4]; 4],
}

impl Terms4 {
    /// Adds `o` to these terms.
    pub fn add(&mut self, o: &Terms4) {
        self.ll += o.ll;
        for i in 0..4 {
            self.g[i] += o.g[i];
            for j in 0..4 {
                self.h[i][j] += o.h[i][j];
            }
        }
    }
}

/// The parameters (α, μ, σ, τ), σ, τ ≥ 0.
pub type Params = [f64; 4];

/// One study: its treatment and comparator arms, and the last mode of its integrand.
#[derive(Debug, Clone)]
pub struct Study {
    arms: [Binomial; 2],
    mode: [f64; 2],
}

impl Study {
    /// `a` events of `n1` (treatment), `c` of `n2` (comparator).
    pub fn new(a: f64, n1: f64, c: f64, n2: f64) -> Self {
        Study {
            arms: [Binomial::new(a, n1, 0.0), Binomial::new(c, n2, 0.0)],
            mode: [0.0; 2],
        }
    }

    /// The arms' (ℓ, ℓ′, ℓ″) at z.
    #[inline]
    fn at(&self, p: &Params, z: [f64; 2]) -> [(f64, f64, f64); 2] {
        let base = p[0] + p[2] * z[0];
        let half = 0.5 * (p[1] + p[3] * z[1]);
        [
            self.arms[0].eval(base + half),
            self.arms[1].eval(base - half),
        ]
    }

    /// h(z) = ℓ₁ + ℓ₂ − |z|²/2 with its gradient and Hessian in z.
    fn h(&self, p: &Params, z: [f64; 2]) -> (f64, [f64; 2], [f64; 3]) {
        let [(l1, s1, c1), (l2, s2, c2)] = self.at(p, z);
        let (s, t) = (p[2], p[3]);
        (
            l1 + l2 - 0.5 * (z[0] * z[0] + z[1] * z[1]),
            [s * (s1 + s2) - z[0], 0.5 * t * (s1 - s2) - z[1]],
            [
                s * s * (c1 + c2) - 1.0,
                0.5 * s * t * (c1 - c2),
                0.25 * t * t * (c1 + c2) - 1.0,
            ],
        )
    }

    /// The mode of h, which is strictly concave (∇²h ≤ −I): Newton's method with step
    /// halving, from the last mode. Returns the mode and −∇²h there.
    fn mode(&mut self, p: &Params) -> ([f64; 2], [f64; 3]) {
        let mut z = self.mode;
        if !(z[0].is_finite() && z[1].is_finite()) {
            z = [0.0; 2];
        }
        let (mut hz, mut g, mut hs) = self.h(p, z);
        for _ in 0..100 {
            let a = [-hs[0], -hs[1], -hs[2]];
            let det = a[0] * a[2] - a[1] * a[1];
            let d = [
                (a[2] * g[0] - a[1] * g[1]) / det,
                (a[0] * g[1] - a[1] * g[0]) / det,
            ];
            let mut step = 1.0;
            let mut moved = false;
            while step > 1e-12 {
                let zn = [z[0] + step * d[0], z[1] + step * d[1]];
                let next = self.h(p, zn);
                if next.0 >= hz {
                    (z, hz, g, hs) = (zn, next.0, next.1, next.2);
                    moved = true;
                    break;
                }
                step *= 0.5;
            }
            let size = (step * d[0]).abs().max((step * d[1]).abs());
            if !moved || size <= 1e-12 * (1.0 + z[0].abs().max(z[1].abs())) {
                break;
            }
        }
        self.mode = z;
        (z, [-hs[0], -hs[1], -hs[2]])
    }

    /// Visits the nodes of the rule for ∫∫ exp(h(z)) dz at `p`: `visit(z, ln w)` evaluates
    /// the integrand at a node with log weight ln w (the ½ ln 2π of one of the two normal
    /// densities included), accumulates it and returns h(z).
    ///
    /// - Where the integrand is close to a Gaussian (the posterior SD of each arm's logit,
    ///   from the curvature at the mode, at most [`GAUSSIAN_ENOUGH`]): the pruned product
    ///   Gauss–Hermite rule.
    /// - Otherwise (a study without events in an arm at large σ or τ: a Gaussian cut off by a
    ///   logistic edge): the trapezoid rule in the same sheared coordinates t, with steps of
    ///   min(0.28, 0.4/|∂η/∂tⱼ|) per axis (the bound of [`super::quadrature::for_each_node`]:
    ///   the logistic's singularities at Im η = ±π and the Gaussian factor), row by row from
    ///   the centre outwards until h is 37 below its peak (h is concave, so the rest is below
    ///   e^{−37} of the integral).
    fn for_each_node(&mut self, p: &Params, mut visit: impl FnMut([f64; 2], f64) -> f64) {
        let (zh, a) = self.mode(p);
        // −∇²h = LLᵀ; z = ẑ + Ut, U = √2 L⁻ᵀ.
        let l11 = a[0].sqrt();
        let l21 = a[1] / l11;
        let l22 = (a[2] - l21 * l21).max(1e-300).sqrt();
        let r2 = std::f64::consts::SQRT_2;
        let (u11, u12, u22) = (r2 / l11, -r2 * l21 / (l11 * l22), r2 / l22);
        let ln_jac = (u11 * u22).ln() - HALF_LN_2PI;
        let z_at = |t1: f64, t2: f64| [zh[0] + u11 * t1 + u12 * t2, zh[1] + u22 * t2];
        // ∂η/∂t for the two arms: η = … + σz₁ ± τz₂/2.
        let (s, th) = (p[2], 0.5 * p[3]);
        let d = [[s * u11, s * u12 + th * u22], [s * u11, s * u12 - th * u22]];
        // Posterior variance of each arm's logit under the Laplace approximation: |∂η/∂t|²/2.
        let var = |k: usize| 0.5 * (d[k][0] * d[k][0] + d[k][1] * d[k][1]);
        if var(0).max(var(1)) <= GAUSSIAN_ENOUGH * GAUSSIAN_ENOUGH {
            for &(t1, t2, lw) in product_rule() {
                visit(z_at(t1, t2), ln_jac + lw);
            }
            return;
        }
        let step = |j: usize| (0.4 / d[0][j].abs().max(d[1][j].abs())).min(0.28);
        let (h1, h2) = (step(0), step(1));
        let lw = ln_jac + (h1 * h2).ln();
        // One row t₂ of the grid; returns its largest h. Along a row h is concave, so once it
        // falls and is 37 below the peak (`peak`, or the row's own while the peak is unknown)
        // the rest of the row is lower still.
        let mut row = |t2: f64, peak: f64| {
            let first = visit(z_at(0.0, t2), lw);
            let mut best = first;
            for dir in [-1.0, 1.0] {
                let mut prev = first;
                for j in 1..=100_000 {
                    let v = visit(z_at(dir * h1 * j as f64, t2), lw);
                    best = best.max(v);
                    if v < prev && v < peak.max(best) - 37.0 {
                        break;
                    }
                    prev = v;
                }
            }
            best
        };
        let peak = row(0.0, f64::NEG_INFINITY);
        for dir in [-1.0, 1.0] {
            let mut prev = peak;
            for j in 1..=100_000 {
                let v = row(dir * h2 * j as f64, peak);
                if v < prev && v < peak - 37.0 {
                    break;
                }
                prev = v;
            }
        }
    }

    /// The study's log marginal likelihood and its derivatives in (α, μ, σ, τ).
    ///
    /// At τ = 0 the integral over z₂ is exact (the integrand is φ(z₂) times a function of
    /// z₁), so the rule is the one-dimensional one of [`super::quadrature`] over z₁, and the
    /// τ-derivatives take E z₂ = 0, E z₂² = 1: ∂²ℓ/∂τ² = E[(ℓ₁″ + ℓ₂″)/4 + (ℓ₁′ − ℓ₂′)²/4]
    /// over z₁. At σ = τ = 0 it is the two binomials at α ± μ/2, with E z₁² = 1 likewise.
    pub fn terms(&mut self, p: &Params) -> Terms4 {
        let mut m = Moments::<4>::new();
        let arms = self.arms.clone();
        let (base0, half0) = (p[0], 0.5 * p[1]);
        let (s, th) = (p[2], 0.5 * p[3]);
        let tau_zero = p[3] == 0.0;
        let node = |z: [f64; 2]| {
            let base = base0 + s * z[0];
            let half = half0 + th * z[1];
            let (l1, s1, c1) = arms[0].eval(base + half);
            let (l2, s2, c2) = arms[1].eval(base - half);
            let hz = l1 + l2 - 0.5 * (z[0] * z[0] + z[1] * z[1]);
            // ∂η₁ = (1, ½, z₁, z₂/2), ∂η₂ = (1, −½, z₁, −z₂/2).
            let e1 = [1.0, 0.5, z[0], 0.5 * z[1]];
            let e2 = [1.0, -0.5, z[0], -0.5 * z[1]];
            let mut g = [0.0; 4];
            let mut d2 = [[0.0; 4]; 4];
            for i in 0..4 {
                g[i] = s1 * e1[i] + s2 * e2[i];
                for j in i..4 {
                    d2[i][j] = c1 * e1[i] * e1[j] + c2 * e2[i] * e2[j];
                }
            }
            if tau_zero {
                d2[3][3] = 0.25 * (c1 + c2 + (s1 - s2) * (s1 - s2));
            }
            (hz, g, d2)
        };
        if tau_zero && s == 0.0 {
            let (ll, g, mut h) = node([0.0; 2]);
            h[2][2] = h[0][0] + g[0] * g[0];
            for (i, j) in (0..4).flat_map(|i| (0..i).map(move |j| (i, j))) {
                h[i][j] = h[j][i];
            }
            return Terms4 { ll, g, h };
        }
        let mut visit = |z: [f64; 2], lw: f64| {
            let (hz, g, d2) = node(z);
            m.push(lw + hz, &g, &d2);
            hz
        };
        if tau_zero {
            // ∫∫ e^h dz₁dz₂/2π = ∫ e^{h(z₁, 0)} dz₁/√2π: the 1-D rule's weights as they are.
            let mu = p[1];
            let lik = Centre { arms: &arms, mu };
            quadrature::for_each_node(&lik, p[0], s, &mut self.mode[0], |z1, lw| {
                visit([z1, 0.0], lw)
            });
        } else {
            self.for_each_node(p, visit);
        }
        let (ll, g, h) = m.finish();
        Terms4 { ll, g, h }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ln ∫∫ by the trapezoid rule in the coordinates t of the rule (z = ẑ + Ut, the same
    /// shear, a different rule) over t ∈ [−12, 12]² with a step of 0.04, which converges
    /// geometrically for these analytic integrands (Trefethen & Weideman 2014, SIAM Review
    /// 56:385); h is concave with −∇²h ≥ I, so the integrand beyond is negligible.
    fn reference(s: &mut Study, p: &Params) -> f64 {
        let (zh, a) = s.mode(p);
        let l11 = a[0].sqrt();
        let l21 = a[1] / l11;
        let l22 = (a[2] - l21 * l21).sqrt();
        let r2 = std::f64::consts::SQRT_2;
        let (u11, u12, u22) = (r2 / l11, -r2 * l21 / (l11 * l22), r2 / l22);
        let h = 0.04;
        let n = (24.0 / h) as i64;
        let mut vals = Vec::with_capacity(((n + 1) * (n + 1)) as usize);
        for i in 0..=n {
            for j in 0..=n {
                let (t1, t2) = (-12.0 + h * i as f64, -12.0 + h * j as f64);
                let z = [zh[0] + u11 * t1 + u12 * t2, zh[1] + u22 * t2];
                vals.push(s.h(p, z).0 - 2.0 * HALF_LN_2PI);
            }
        }
        let m = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        m + (vals.iter().map(|v| (v - m).exp()).sum::<f64>() * h * h * u11 * u22).ln()
    }

    #[test]
    fn bivariate_matches_reference() {
        let mut worst = (0.0, String::new());
        let tables = [
            (4.0, 123.0, 11.0, 139.0),
            (0.0, 50.0, 3.0, 50.0),
            (0.0, 500.0, 1.0, 480.0),
            (20.0, 20.0, 5.0, 20.0),
            (200.0, 2000.0, 260.0, 2100.0),
        ];
        for &(a, n1, c, n2) in &tables {
            for &(alpha, mu) in &[(-3.0, -0.5), (-1.0, 0.8), (-5.0, 0.0)] {
                for &sigma in &[0.0, 0.2, 1.0, 2.5] {
                    for &tau in &[0.0, 0.1, 0.6, 1.5] {
                        let mut s = Study::new(a, n1, c, n2);
                        let p = [alpha, mu, sigma, tau];
                        let got = s.terms(&p).ll;
                        let want = reference(&mut s, &p);
                        let err = (got - want).abs();
                        if err > worst.0 {
                            worst = (err, format!("{a}/{n1} {c}/{n2} p={p:?}"));
                        }
                    }
                }
            }
        }
        eprintln!("worst {:e} at {}", worst.0, worst.1);
        assert!(worst.0 < 1e-9, "worst {:e} at {}", worst.0, worst.1);
    }

    #[test]
    fn boundary_terms_are_the_limits_of_the_interior_ones() {
        // At τ = 0 (1-D rule, analytic z₂ moments) and σ = τ = 0 (a point) the terms equal
        // the 2-D rule's at τ, σ = 1e-9 to the order of those offsets.
        for &(a, n1, c, n2) in &[(4.0, 123.0, 11.0, 139.0), (0.0, 50.0, 3.0, 50.0)] {
            for &sigma in &[0.0, 0.8] {
                let mut s = Study::new(a, n1, c, n2);
                let at0 = s.terms(&[-2.0, 0.4, sigma, 0.0]);
                let near = s.terms(&[-2.0, 0.4, sigma.max(1e-9), 1e-9]);
                assert!((at0.ll - near.ll).abs() < 1e-9, "{a}/{n1} σ={sigma}");
                for i in 0..4 {
                    assert!((at0.g[i] - near.g[i]).abs() < 1e-5, "g{i} {at0:?} {near:?}");
                    for j in 0..4 {
                        let tol = 1e-5 * (1.0 + near.h[i][j].abs());
                        assert!(
                            (at0.h[i][j] - near.h[i][j]).abs() < tol,
                            "h{i}{j} {at0:?} {near:?}"
                        );
                    }
                }
            }
        }
    }
}
