//! A weighted straight line y = b₀ + b₁x: the one regression every small-study method runs.
//!
//! [`WeightedLine`] solves the weighted normal equations for an intercept and one predictor in
//! centred form (Σw(x − x̄)(y − ȳ) / Σw(x − x̄)²), which stays accurate when the predictor is
//! small and nearly constant (Peters' 1/n is of order 10⁻³). [`lm`] adds R's multiplicative
//! dispersion, `lm(y ~ x, weights = w)`: the fit behind metafor's `regtest(model = "lm")` and
//! `meta::metabias`' Egger, Peters and Harbord tests. The mixed-effects meta-regression of
//! [`super::metareg`] reuses the same solve with weights 1/(vᵢ + τ²).

/// The weighted least-squares line and what the τ² estimators need from it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeightedLine {
    /// Intercept b₀ and slope b₁.
    pub beta: [f64; 2],
    /// (X′WX)⁻¹, row-major: the covariance of `beta` when the weights are exact inverse variances.
    pub unscaled: [[f64; 2]; 2],
    /// Weighted residual sum of squares Σwᵢ(yᵢ − b₀ − b₁xᵢ)².
    pub rss: f64,
    /// Residuals yᵢ − b₀ − b₁xᵢ.
    pub residuals: Vec<f64>,
}

impl WeightedLine {
    /// Fits y on x with weights w. `None` when there are fewer than two points, a weight is not
    /// a positive finite number, or x does not vary (the slope is not identified).
    pub fn fit(x: &[f64], y: &[f64], w: &[f64]) -> Option<WeightedLine> {
        let k = x.len();
        if k < 2 || y.len() != k || w.len() != k {
            return None;
        }
        if !w.iter().all(|&wi| wi > 0.0 && wi.is_finite())
            || !x.iter().chain(y).all(|v| v.is_finite())
        {
            return None;
        }
        let sw: f64 = w.iter().sum();
        let xbar = w.iter().zip(x).map(|(wi, xi)| wi * xi).sum::<f64>() / sw;
        let ybar = w.iter().zip(y).map(|(wi, yi)| wi * yi).sum::<f64>() / sw;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for i in 0..k {
            let dx = x[i] - xbar;
            sxx += w[i] * dx * dx;
            sxy += w[i] * dx * (y[i] - ybar);
        }
        // A predictor constant to rounding: no slope.
        let scale = w.iter().zip(x).map(|(wi, xi)| wi * xi * xi).sum::<f64>();
        if !(sxx > 1e-13 * scale) {
            return None;
        }
        let b1 = sxy / sxx;
        let b0 = ybar - b1 * xbar;
        let residuals: Vec<f64> = x.iter().zip(y).map(|(xi, yi)| yi - b0 - b1 * xi).collect();
        let rss = w.iter().zip(&residuals).map(|(wi, e)| wi * e * e).sum();
        Some(WeightedLine {
            beta: [b0, b1],
            unscaled: [
                [1.0 / sw + xbar * xbar / sxx, -xbar / sxx],
                [-xbar / sxx, 1.0 / sxx],
            ],
            rss,
            residuals,
        })
    }

    /// tr(A M) for the symmetric 2×2 matrix M given by its entries (m₀₀, m₀₁, m₁₁), with A
    /// = (X′WX)⁻¹: the traces in metafor's τ² estimators for a model with one moderator.
    pub fn trace_with(&self, m00: f64, m01: f64, m11: f64) -> f64 {
        let a = &self.unscaled;
        a[0][0] * m00 + 2.0 * a[0][1] * m01 + a[1][1] * m11
    }
}

/// A coefficient with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Coefficient {
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
}

/// `lm(y ~ x, weights = w)`: the line with its standard errors scaled by the residual mean
/// square (multiplicative dispersion), on k − 2 degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinearModel {
    /// Intercept.
    pub intercept: Coefficient,
    /// Slope.
    pub slope: Coefficient,
    /// Residual degrees of freedom, k − 2.
    pub df: usize,
}

/// Weighted least squares with multiplicative dispersion (R's `lm` with `weights`): standard
/// errors √(σ̂²·(X′WX)⁻¹) with σ̂² = Σwᵢeᵢ²/(k − 2). `None` for fewer than three points, invalid
/// weights or a constant predictor.
pub(crate) fn lm(x: &[f64], y: &[f64], w: &[f64]) -> Option<LinearModel> {
    if x.len() < 3 {
        return None;
    }
    let line = WeightedLine::fit(x, y, w)?;
    let df = x.len() - 2;
    let sigma2 = line.rss / df as f64;
    Some(LinearModel {
        intercept: Coefficient {
            estimate: line.beta[0],
            se: (sigma2 * line.unscaled[0][0]).sqrt(),
        },
        slope: Coefficient {
            estimate: line.beta[1],
            se: (sigma2 * line.unscaled[1][1]).sqrt(),
        },
        df,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // R 4.2.2: summary(lm(y ~ x, weights = w))$coefficients with
    // x = c(1, 2, 3, 4), y = c(1.1, 1.9, 3.2, 3.9), w = c(1, 2, 1, 0.5).
    #[test]
    fn matches_r_lm() {
        let m = lm(
            &[1.0, 2.0, 3.0, 4.0],
            &[1.1, 1.9, 3.2, 3.9],
            &[1.0, 2.0, 1.0, 0.5],
        )
        .unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert!(close(m.intercept.estimate, 0.017_647_058_823_529_304));
        assert!(close(m.intercept.se, 0.238_543_736_423_431_24));
        assert!(close(m.slope.estimate, 0.997_058_823_529_411_9));
        assert!(close(m.slope.se, 0.099_240_193_051_782_47));
        assert_eq!(m.df, 2);
    }

    #[test]
    fn constant_predictor_or_bad_weights_give_none() {
        assert!(lm(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]).is_none());
        assert!(lm(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0]).is_none());
        assert!(lm(&[1.0, 2.0], &[1.0, 2.0], &[1.0, 1.0]).is_none());
    }
}
