//! The shape shared by the regression tests (Egger, Peters, Harbord, Thompson–Sharp) and
//! PET-PEESE: a fitted line turned into a [`RegressionTest`], its intercept into an
//! [`Adjusted`] estimate with a t interval on k − 2 degrees of freedom (metafor `regtest`'s
//! "limit estimate").

use super::line::{Coefficient, LinearModel};
use super::result::{Adjusted, RegressionTest};
use crate::dist::{p_two_sided_t, t_crit};

/// An estimate with its t interval at `level` on `df` degrees of freedom, back-transformed by
/// `back`.
pub(crate) fn adjusted(
    c: Coefficient,
    df: f64,
    level: f64,
    back: &dyn Fn(f64) -> Option<f64>,
) -> Adjusted {
    let crit = t_crit(level, df).unwrap_or(f64::NAN);
    let (lower_yi, upper_yi) = (c.estimate - crit * c.se, c.estimate + crit * c.se);
    Adjusted {
        yi: c.estimate,
        se: c.se,
        lower_yi,
        upper_yi,
        estimate: back(c.estimate),
        lower: back(lower_yi),
        upper: back(upper_yi),
        p: p_two_sided_t(c.estimate / c.se, df),
    }
}

/// The test of a weighted least-squares line with multiplicative dispersion: the slope is the
/// asymmetry, the intercept the limit.
pub(crate) fn from_lm(
    fit: &LinearModel,
    predictor: &'static str,
    level: f64,
    back: &dyn Fn(f64) -> Option<f64>,
) -> RegressionTest {
    let df = fit.df as f64;
    let stat = fit.slope.estimate / fit.slope.se;
    RegressionTest {
        predictor,
        variance: "multiplicative",
        bias: fit.slope.estimate,
        se: fit.slope.se,
        stat,
        df,
        p: p_two_sided_t(stat, df),
        limit: adjusted(fit.intercept, df, level, back),
        tau2: None,
    }
}
