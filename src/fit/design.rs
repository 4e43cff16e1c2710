//! Weighted least squares over a design matrix: the model yᵢ = xᵢ′β + uᵢ + εᵢ of a
//! meta-regression (metafor `rma.uni(yi, vi, mods = …)`), evaluated at given weights
//! wᵢ = 1/(vᵢ + τ²).
//!
//! Every τ² estimator with moderators ([`super::tau2::mods`]) and every test of the
//! coefficients needs the same few quantities of P = W − WX(X′WX)⁻¹X′W: y′Py, y′P²y, y′P³y,
//! tr P and tr P². metafor forms P as a k × k matrix; here they come from p × p cross-products
//! (A = (X′WX)⁻¹, e = y − Xβ̂ the residuals, so that Py = We):
//! - y′Py = Σ wᵢeᵢ², y′P²y = Σ (wᵢeᵢ)², y′P³y = Σ wᵢ³eᵢ² − g′Ag with g = X′W²e;
//! - tr P = Σ wᵢ − tr(A·X′W²X), tr P² = Σ wᵢ² − 2 tr(A·X′W³X) + tr((A·X′W²X)²).
//!
//! so a fit of k = 10⁴ studies and 6 columns costs a few hundred thousand operations, not the
//! 10⁸ of a k × k matrix.

use nalgebra::{Cholesky, DMatrix, Dyn};

/// A k × p design matrix, stored by rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    k: usize,
    p: usize,
    x: Vec<f64>,
}

impl Design {
    /// The design with `rows` (each of the same length p ≥ 1); `None` when the rows are empty,
    /// of unequal length, or hold a non-finite value.
    pub fn from_rows(rows: &[Vec<f64>]) -> Option<Design> {
        let p = rows.first()?.len();
        if p == 0
            || rows
                .iter()
                .any(|r| r.len() != p || !r.iter().all(|v| v.is_finite()))
        {
            return None;
        }
        Some(Design {
            k: rows.len(),
            p,
            x: rows.concat(),
        })
    }

    /// Number of rows (studies).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Number of columns (coefficients).
    pub fn p(&self) -> usize {
        self.p
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    /// The design with its rows in `order` (a permutation of 0..k): metafor's `permutest`
    /// refits to `X[sample(k), ]`.
    pub fn with_rows_in(&self, order: &[usize]) -> Design {
        let mut x = Vec::with_capacity(self.x.len());
        for &i in order {
            x.extend_from_slice(self.row(i));
        }
        Design {
            k: self.k,
            p: self.p,
            x,
        }
    }

    /// X′ diag(cᵢ) X.
    pub fn cross(&self, c: impl Fn(usize) -> f64) -> DMatrix<f64> {
        let p = self.p;
        let mut m = DMatrix::zeros(p, p);
        for i in 0..self.k {
            let (ci, r) = (c(i), self.row(i));
            for a in 0..p {
                let cra = ci * r[a];
                for b in a..p {
                    m[(a, b)] += cra * r[b];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                m[(a, b)] = m[(b, a)];
            }
        }
        m
    }

    /// X′ diag(cᵢ) z.
    fn cross_vec(&self, c: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut g = vec![0.0; self.p];
        for i in 0..self.k {
            let ci = c(i);
            for (ga, xa) in g.iter_mut().zip(self.row(i)) {
                *ga += ci * xa;
            }
        }
        g
    }

    /// Whether the columns are linearly independent: the Cholesky factor of X′X scaled to unit
    /// diagonal has no pivot below 10⁻⁷ (a correlation of 1 − 10⁻¹⁴ between columns is taken
    /// as collinear, as rounding could not tell it apart).
    pub fn has_full_rank(&self) -> bool {
        let m = self.cross(|_| 1.0);
        let d: Vec<f64> = (0..self.p).map(|a| m[(a, a)].sqrt()).collect();
        if d.iter().any(|v| !(*v > 0.0)) {
            return false;
        }
        let scaled = DMatrix::from_fn(self.p, self.p, |a, b| m[(a, b)] / (d[a] * d[b]));
        Cholesky::new(scaled).is_some_and(|c| {
            let l = c.l_dirty();
            (0..self.p).all(|a| l[(a, a)] > 1e-7)
        })
    }
}

/// The weighted least-squares fit at weights w: β̂ = AX′Wy with A = (X′WX)⁻¹, its residuals,
/// and y′Py.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedFit {
    /// β̂.
    pub beta: Vec<f64>,
    /// A = (X′WX)⁻¹, the covariance of β̂ when w are the inverse marginal variances.
    pub unscaled: DMatrix<f64>,
    /// eᵢ = yᵢ − xᵢ′β̂.
    pub residuals: Vec<f64>,
    /// y′Py = Σ wᵢeᵢ²: the (generalised) residual Q.
    pub q: f64,
    /// ln det X′WX, for the restricted likelihood.
    pub log_det: f64,
}

impl WeightedFit {
    /// Fits `y` on `design` with weights `w`; `None` when X′WX is not positive definite.
    pub fn at(design: &Design, y: &[f64], w: &[f64]) -> Option<WeightedFit> {
        let m = design.cross(|i| w[i]);
        let chol: Cholesky<f64, Dyn> = Cholesky::new(m)?;
        let log_det = 2.0
            * chol
                .l_dirty()
                .diagonal()
                .iter()
                .map(|v| v.ln())
                .sum::<f64>();
        let xwy = design.cross_vec(|i| w[i] * y[i]);
        let beta: Vec<f64> = chol
            .solve(&nalgebra::DVector::from_vec(xwy))
            .iter()
            .copied()
            .collect();
        let unscaled = chol.inverse();
        let residuals: Vec<f64> = (0..design.k())
            .map(|i| y[i] - dot(design.row(i), &beta))
            .collect();
        let q = residuals.iter().zip(w).map(|(e, wi)| wi * e * e).sum();
        Some(WeightedFit {
            beta,
            unscaled,
            residuals,
            q,
            log_det,
        })
    }

    /// y′P²y = Σ (wᵢeᵢ)².
    pub fn yp2y(&self, w: &[f64]) -> f64 {
        self.residuals
            .iter()
            .zip(w)
            .map(|(e, wi)| (wi * e) * (wi * e))
            .sum()
    }

    /// y′P³y = Σ wᵢ³eᵢ² − g′Ag, g = X′W²e.
    pub fn yp3y(&self, design: &Design, w: &[f64]) -> f64 {
        let e = &self.residuals;
        let g = design.cross_vec(|i| w[i] * w[i] * e[i]);
        let g = nalgebra::DVector::from_vec(g);
        let quad = (g.transpose() * &self.unscaled * &g)[(0, 0)];
        let s: f64 = e.iter().zip(w).map(|(e, wi)| wi * wi * wi * e * e).sum();
        s - quad
    }

    /// tr P = Σ wᵢ − tr(A·X′W²X).
    pub fn trace_p(&self, design: &Design, w: &[f64]) -> f64 {
        let b = &self.unscaled * design.cross(|i| w[i] * w[i]);
        w.iter().sum::<f64>() - b.trace()
    }

    /// (tr P, tr P²): tr P² = Σ wᵢ² − 2 tr(A·X′W³X) + tr((A·X′W²X)²).
    pub fn traces(&self, design: &Design, w: &[f64]) -> (f64, f64) {
        let b = &self.unscaled * design.cross(|i| w[i] * w[i]);
        let c = &self.unscaled * design.cross(|i| w[i] * w[i] * w[i]);
        let sw: f64 = w.iter().sum();
        let sw2: f64 = w.iter().map(|v| v * v).sum();
        let tr_b2 = (&b * &b).trace();
        (sw - b.trace(), sw2 - 2.0 * c.trace() + tr_b2)
    }

    /// The diagonal of the hat matrix X·A·X′W: hᵢ = wᵢ xᵢ′Axᵢ.
    pub fn hat(&self, design: &Design, w: &[f64]) -> Vec<f64> {
        (0..design.k())
            .map(|i| {
                let r = design.row(i);
                let mut s = 0.0;
                for (a, ra) in r.iter().enumerate() {
                    for (b, rb) in r.iter().enumerate() {
                        s += ra * self.unscaled[(a, b)] * rb;
                    }
                }
                w[i] * s
            })
            .collect()
    }
}

/// x′b.
pub fn dot(x: &[f64], b: &[f64]) -> f64 {
    x.iter().zip(b).map(|(a, c)| a * c).sum()
}

/// Weights 1/(vᵢ + τ²).
pub fn weights(v: &[f64], tau2: f64) -> Vec<f64> {
    v.iter().map(|vi| 1.0 / (vi + tau2)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intercept_only_design_gives_the_weighted_mean_and_q() {
        let y = [0.1, 0.5, -0.2, 0.3];
        let w = [2.0, 1.0, 4.0, 0.5];
        let d = Design::from_rows(&[vec![1.0], vec![1.0], vec![1.0], vec![1.0]]).unwrap();
        let f = WeightedFit::at(&d, &y, &w).unwrap();
        let sw: f64 = w.iter().sum();
        let mu = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
        assert!((f.beta[0] - mu).abs() < 1e-15);
        let q: f64 = y.iter().zip(&w).map(|(a, b)| b * (a - mu).powi(2)).sum();
        assert!((f.q - q).abs() < 1e-14);
        // tr P = Σw − Σw²/Σw for one column.
        let sw2: f64 = w.iter().map(|v| v * v).sum();
        assert!((f.trace_p(&d, &w) - (sw - sw2 / sw)).abs() < 1e-13);
    }

    #[test]
    fn collinear_columns_are_found() {
        let d = Design::from_rows(&[vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0, 2.0]]).unwrap();
        assert!(!d.has_full_rank());
        let d = Design::from_rows(&[vec![1.0, 2.0], vec![1.0, 3.0], vec![1.0, 2.5]]).unwrap();
        assert!(d.has_full_rank());
    }
}
