//! Single proportions: the transformations of `meta::metaprop` / metafor `escalc`, their
//! sampling variances, the continuity correction and the back-transformations.

use crate::settings::ProportionMeasure;
use std::f64::consts::FRAC_PI_2;

/// One study's effect size on the transformed scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionEffect {
    /// Transformed proportion.
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// Whether the continuity correction was applied.
    pub corrected: bool,
}

impl ProportionMeasure {
    /// Whether 0 or n events make the transformation or its variance degenerate, so that the
    /// continuity correction is needed. PFT and PAS are defined at 0 and n, so they never get
    /// one (as in `meta::metaprop`, and metafor `escalc` with `to = "none"`).
    pub fn needs_correction(self) -> bool {
        matches!(
            self,
            ProportionMeasure::Plogit | ProportionMeasure::Pln | ProportionMeasure::Praw
        )
    }

    /// Human-readable description of the scale.
    pub fn describe(self) -> &'static str {
        match self {
            ProportionMeasure::Plogit => "logit transformed proportion",
            ProportionMeasure::Pft => "Freeman-Tukey double arcsine transformed proportion",
            ProportionMeasure::Pas => "arcsine transformed proportion",
            ProportionMeasure::Praw => "untransformed proportion",
            ProportionMeasure::Pln => "log transformed proportion",
        }
    }
}

/// Transformed proportion and variance for `events` out of `n`.
///
/// # Formula (metafor `escalc`, Viechtbauer 2010; Freeman & Tukey 1950 for PFT)
/// ```text
/// PLOGIT  y = ln(x/(n−x))                         v = 1/x + 1/(n−x)
/// PLN     y = ln(x/n)                             v = 1/x − 1/n
/// PRAW    y = x/n                                 v = y(1−y)/n
/// PAS     y = asin √(x/n)                         v = 1/(4n)
/// PFT     y = ½[asin √(x/(n+1)) + asin √((x+1)/(n+1))]   v = 1/(4n+2)
/// ```
/// For PLOGIT, PLN and PRAW a study with x = 0 or x = n gets x + `incr` events out of
/// n + 2·`incr` (metafor `escalc(add = incr, to = "only0")`). With `incr = 0` such a study yields
/// an infinite or zero-variance effect, which the fit rejects with a message.
pub fn proportion_effect(
    events: u64,
    n: u64,
    measure: ProportionMeasure,
    incr: f64,
) -> ProportionEffect {
    let corrected = measure.needs_correction() && (events == 0 || events == n) && incr > 0.0;
    let (x, n) = if corrected {
        (events as f64 + incr, n as f64 + 2.0 * incr)
    } else {
        (events as f64, n as f64)
    };
    let (yi, vi) = match measure {
        ProportionMeasure::Plogit => ((x / (n - x)).ln(), 1.0 / x + 1.0 / (n - x)),
        ProportionMeasure::Pln => ((x / n).ln(), 1.0 / x - 1.0 / n),
        ProportionMeasure::Praw => {
            let p = x / n;
            (p, p * (1.0 - p) / n)
        }
        ProportionMeasure::Pas => ((x / n).sqrt().asin(), 1.0 / (4.0 * n)),
        ProportionMeasure::Pft => (freeman_tukey(x, n), 1.0 / (4.0 * n + 2.0)),
    };
    ProportionEffect { yi, vi, corrected }
}

fn freeman_tukey(x: f64, n: f64) -> f64 {
    0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin())
}

/// Harmonic mean of the sample sizes, used to back-transform pooled PFT values (Miller 1978).
pub fn harmonic_mean(n: &[u64]) -> f64 {
    n.len() as f64 / n.iter().map(|&v| 1.0 / v as f64).sum::<f64>()
}

/// Back-transforms a value on the `measure` scale to a proportion.
///
/// `n` is the sample size used by the PFT inverse: a study's own n for a study, the harmonic
/// mean of all n for pooled values (Miller 1978; metafor `transf.ipft.hm`). Returns `None` when
/// the inverse is undefined (PFT outside its domain in rare cases).
///
/// # Formula
/// ```text
/// PLOGIT  p = 1/(1 + e^−y)        PLN  p = e^y        PRAW  p = y
/// PAS     p = sin²(clamp(y, 0, π/2))
/// PFT     p = ½[1 − sgn(cos 2y)·√(1 − (sin 2y + (sin 2y − 1/sin 2y)/n)²)]   (Miller 1978)
///         0 below PFT(0 events), 1 above PFT(n events)
/// ```
pub fn back_transform(y: f64, measure: ProportionMeasure, n: f64) -> Option<f64> {
    let p = match measure {
        ProportionMeasure::Plogit => 1.0 / (1.0 + (-y).exp()),
        ProportionMeasure::Pln => y.exp(),
        ProportionMeasure::Praw => y,
        ProportionMeasure::Pas => y.clamp(0.0, FRAC_PI_2).sin().powi(2),
        ProportionMeasure::Pft => {
            if y < freeman_tukey(0.0, n) {
                0.0
            } else if y > freeman_tukey(n, n) {
                1.0
            } else {
                let s = (2.0 * y).sin();
                let inner = 1.0 - (s + (s - 1.0 / s) / n).powi(2);
                0.5 * (1.0 - (2.0 * y).cos().signum() * inner.sqrt())
            }
        }
    };
    p.is_finite().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_transform_inverts_transform_for_every_measure() {
        for &m in ProportionMeasure::ALL {
            if m == ProportionMeasure::Pft {
                continue; // PFT's inverse is exact only in n→∞; checked against metafor instead
            }
            for &(x, n) in &[(1u64, 10u64), (5, 10), (87, 143), (9, 10)] {
                let e = proportion_effect(x, n, m, 0.5);
                let p = back_transform(e.yi, m, n as f64).unwrap();
                assert!((p - x as f64 / n as f64).abs() < 1e-12, "{m} {x}/{n}: {p}");
            }
        }
    }

    #[test]
    fn correction_only_where_needed() {
        assert!(proportion_effect(0, 10, ProportionMeasure::Plogit, 0.5).corrected);
        assert!(proportion_effect(10, 10, ProportionMeasure::Pln, 0.5).corrected);
        assert!(!proportion_effect(0, 10, ProportionMeasure::Pft, 0.5).corrected);
        assert!(!proportion_effect(3, 10, ProportionMeasure::Plogit, 0.5).corrected);
    }
}
