//! Tests of the coefficients of a fitted meta-regression, as metafor `rma.uni` computes them:
//! Wald z tests and the χ² omnibus test Q_M (`test = "z"`), or Knapp & Hartung's t tests and
//! F test (`test = "knha"`; Knapp & Hartung 2003, Stat Med 22:2693–2710), whose covariance is
//! scaled by s² = Σ wᵢeᵢ²/(k − p) (not truncated at 1; 0 when the residuals vanish).

use super::result::{Coefficient, OmnibusTest};
use crate::dist;
use crate::fit::design::WeightedFit;
use crate::fit::tau2::mods::Regression;
use nalgebra::DMatrix;

/// How the coefficients are tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// Wald: normal and χ² reference distributions.
    Z,
    /// Knapp–Hartung: t with k − p df and F with (m, k − p).
    Knha,
}

impl Test {
    /// metafor's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Test::Z => "z",
            Test::Knha => "knha",
        }
    }
}

/// The covariance of β̂ and the statistics of every coefficient and of the moderators at τ².
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    /// The weighted fit at τ².
    pub fit: WeightedFit,
    /// Covariance of β̂ (A, or s²·A for Knapp–Hartung).
    pub vb: DMatrix<f64>,
    /// z or t of each coefficient.
    pub stat: Vec<f64>,
    /// Q_M over the coefficients but the intercept (divided by m for Knapp–Hartung); `None`
    /// when their covariance is not positive definite.
    pub qm: Option<f64>,
}

/// The statistics of the regression `r` at `tau2`; `None` when X′WX is singular.
pub fn statistics(r: Regression<'_>, tau2: f64, test: Test) -> Option<Statistics> {
    let (fit, _) = r.at(tau2)?;
    let s2 = match test {
        Test::Z => 1.0,
        Test::Knha if fit.q <= f64::EPSILON => 0.0,
        Test::Knha => fit.q / r.df(),
    };
    let vb = &fit.unscaled * s2;
    let p = vb.nrows();
    let stat = (0..p).map(|j| fit.beta[j] / vb[(j, j)].sqrt()).collect();
    let m = p - 1;
    let sub = vb.view((1, 1), (m, m)).into_owned();
    let b = nalgebra::DVector::from_iterator(m, fit.beta[1..].iter().copied());
    let qm = sub
        .cholesky()
        .map(|c| b.dot(&c.solve(&b)))
        .map(|q| match test {
            Test::Z => q,
            Test::Knha => q / m as f64,
        });
    Some(Statistics { fit, vb, stat, qm })
}

/// The coefficient table and omnibus test of `s` for `terms`, at confidence `level`, with
/// k − p residual df.
pub fn tables(
    s: &Statistics,
    terms: &[String],
    test: Test,
    level: f64,
    df_resid: f64,
) -> (Vec<Coefficient>, OmnibusTest) {
    let (df, crit) = match test {
        Test::Z => (None, dist::z_crit(level)),
        Test::Knha => (
            Some(df_resid),
            dist::t_crit(level, df_resid).unwrap_or(f64::NAN),
        ),
    };
    let coefficients = terms
        .iter()
        .enumerate()
        .map(|(j, term)| {
            let (estimate, se, stat) = (s.fit.beta[j], s.vb[(j, j)].sqrt(), s.stat[j]);
            Coefficient {
                term: term.clone(),
                estimate,
                se,
                stat,
                df,
                p: match test {
                    Test::Z => Some(dist::p_two_sided_normal(stat)),
                    Test::Knha => dist::p_two_sided_t(stat, df_resid),
                },
                lower: estimate - crit * se,
                upper: estimate + crit * se,
                p_permutation: None,
            }
        })
        .collect();
    let m = (terms.len() - 1) as f64;
    let stat = s.qm.unwrap_or(f64::NAN);
    let qm = OmnibusTest {
        stat,
        df: m,
        df2: df,
        p: match test {
            Test::Z => dist::p_chisq_upper(stat, m),
            Test::Knha => dist::p_f_upper(stat, m, df_resid),
        },
        p_permutation: None,
    };
    (coefficients, qm)
}
