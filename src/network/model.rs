//! The consistency model of one connected network, fitted by generalised least squares at a
//! given between-study variance τ².
//!
//! # Formula
//! With y the stacked basic contrasts of every study, X the treatment design matrix (column t
//! is +1 where treatment t is the contrast's arm and −1 where it is the baseline; the
//! reference has no column), S the block-diagonal within-study covariance and U the
//! block-diagonal between-study structure (1 on the diagonal, ½ between two contrasts of one
//! study):
//!
//! ```text
//! V = S + τ²·U,  W = V⁻¹,  d̂ = (XᵀWX)⁻¹XᵀWy,  Cov(d̂) = (XᵀWX)⁻¹,
//! Q(τ²) = (y − Xd̂)ᵀ W (y − Xd̂)
//! ```
//!
//! the model of metafor `rma.mv(yi, V, mods = X, random = ~ comp | study, rho = 1/2)` and, by
//! Rücker (2012, Res Synth Methods 3:312–324, section 4), of netmeta's graph-theoretical
//! estimator. Q(0) is the generalised Cochran Q of the network; its degrees of freedom are
//! Σ(kₛ − 1) − (n − 1).

use super::contrasts::Study;
use super::{NetworkError, NumericalFailure};
use nalgebra::{DMatrix, DVector};

/// The stacked linear system of a network, built once and refitted at any τ².
#[derive(Debug, Clone, PartialEq)]
pub struct System {
    /// Number of treatments n (the reference is index 0).
    pub n: usize,
    /// Basic contrasts, Σ(kₛ − 1) of them.
    pub y: DVector<f64>,
    /// Design matrix, one column per non-reference treatment.
    pub x: DMatrix<f64>,
    /// Within-study covariance S.
    pub s: DMatrix<f64>,
    /// Between-study structure U.
    pub u: DMatrix<f64>,
}

impl System {
    /// Stacks the studies of a network of `n` treatments.
    pub fn new(n: usize, studies: &[Study]) -> Self {
        let m: usize = studies.iter().map(|s| s.k() - 1).sum();
        let mut y = DVector::zeros(m);
        let mut x = DMatrix::zeros(m, n.saturating_sub(1));
        let mut s_mat = DMatrix::zeros(m, m);
        let mut u = DMatrix::zeros(m, m);
        let mut row = 0;
        for st in studies {
            let k1 = st.k() - 1;
            for j in 0..k1 {
                y[row + j] = st.y[j];
                let (arm, base) = (st.arms[j + 1], st.arms[0]);
                if arm > 0 {
                    x[(row + j, arm - 1)] = 1.0;
                }
                if base > 0 {
                    x[(row + j, base - 1)] = -1.0;
                }
                for l in 0..k1 {
                    s_mat[(row + j, row + l)] = st.cov[(j, l)];
                    u[(row + j, row + l)] = if j == l { 1.0 } else { 0.5 };
                }
            }
            row += k1;
        }
        System {
            n,
            y,
            x,
            s: s_mat,
            u,
        }
    }

    /// Number of basic contrasts.
    pub fn m(&self) -> usize {
        self.y.len()
    }

    /// Residual degrees of freedom Σ(kₛ − 1) − (n − 1).
    pub fn df(&self) -> usize {
        self.m().saturating_sub(self.n - 1)
    }

    /// Mean within-study variance, the scale of τ² for convergence tests.
    pub fn scale(&self) -> f64 {
        self.s.diagonal().mean()
    }

    /// Fits the model at `tau2`.
    ///
    /// # Errors
    /// [`NetworkError::Numerical`] when V or XᵀWX is not positive definite (which a connected
    /// network with positive variances never gives).
    pub fn fit(&self, tau2: f64) -> Result<Fit, NetworkError> {
        let v = &self.s + &self.u * tau2;
        let w = v
            .cholesky()
            .ok_or(NetworkError::Numerical(
                NumericalFailure::ContrastCovariance,
            ))?
            .inverse();
        let xtw = self.x.transpose() * &w;
        let a = &xtw * &self.x;
        let a_inv = a
            .cholesky()
            .ok_or(NetworkError::Numerical(NumericalFailure::SingularDesign))?
            .inverse();
        let beta = &a_inv * (&xtw * &self.y);
        let r = &self.y - &self.x * &beta;
        let q = (r.transpose() * &w * &r)[(0, 0)];
        let n = self.n;
        let mut d = DVector::zeros(n);
        let mut cov = DMatrix::zeros(n, n);
        for i in 1..n {
            d[i] = beta[i - 1];
            for j in 1..n {
                cov[(i, j)] = a_inv[(i - 1, j - 1)];
            }
        }
        let p = &w - xtw.transpose() * &a_inv * &xtw;
        Ok(Fit { tau2, d, cov, q, p })
    }
}

/// The model fitted at one τ².
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The τ² used.
    pub tau2: f64,
    /// Treatment effects against the reference (`d[0] = 0`).
    pub d: DVector<f64>,
    /// Their covariance (row and column 0 are zero).
    pub cov: DMatrix<f64>,
    /// Q(τ²): the weighted residual sum of squares.
    pub q: f64,
    /// P = W − WX(XᵀWX)⁻¹XᵀW, the residual-forming matrix (Q = yᵀPy).
    pub p: DMatrix<f64>,
}

impl Fit {
    /// Effect of treatment `i` against treatment `j` and its standard error.
    pub fn contrast(&self, i: usize, j: usize) -> (f64, f64) {
        let var = self.cov[(i, i)] + self.cov[(j, j)] - 2.0 * self.cov[(i, j)];
        (self.d[i] - self.d[j], var.max(0.0).sqrt())
    }
}
