//! Duval & Tweedie's trim-and-fill (Duval & Tweedie 2000, Biometrics 56:455–463, and JASA
//! 95:89–98), as metafor 3.8 `trimfill.rma.uni()` computes it.
//!
//! # Algorithm
//! 1. Side: unless given, regress yᵢ on √vᵢ in a mixed-effects meta-regression with the
//!    model's τ² estimator; a negative slope puts the missing studies on the right, otherwise
//!    on the left. For the right side the effects are negated, so that missing studies are
//!    always sought on the left.
//! 2. Sort the effects (ties in input order). Starting from k₀ = 0, repeatedly: estimate the
//!    random-effects mean μ̂ from the k − k₀ smallest effects; rank |yᵢ − μ̂| over all k studies
//!    (ties by order); and estimate k₀ from the signed ranks:
//!    - L0 = (4·S − k(k + 1))/(2k − 1), S the sum of the positive signed ranks,
//!      SE = 4·√Var(S)/(2k − 1) with Var(S) = [k(k+1)(2k+1) + 10k₀³ + 27k₀² + 17k₀ − 18k·k₀²
//!      − 18k·k₀ + 6k²·k₀]/24 (at the unrounded k₀);
//!    - R0 = k − r − 1, r the largest rank of a negative deviation, SE = √(2·max(0, k₀) + 2),
//!      with the one-sided p-value 0.5^(k₀+1) of H0: k₀ = 0;
//!
//!    rounded to the nearest integer (half to even, as R) and at least 0, until k₀ repeats.
//! 3. Fill: mirror the k₀ largest effects about the last μ̂ (2μ̂ − yᵢ, with the same vᵢ) and
//!    refit the random-effects model to the k + k₀ studies.
//!
//! metafor refits the filled data with `rma.uni()`'s defaults (z test, 95%) unless told
//! otherwise; alkstats refits with the model's own settings (its level and random-effects CI),
//! which are metafor's defaults unless the user changed them.

use super::data::{BiasData, BiasError};
use super::metareg::meta_regression;
use super::result::{Adjusted, FilledStudy, TrimFill};
use super::settings::{FunnelSide, TrimFillEstimator};
use crate::fit::tau2::{estimate, IterControl};
use crate::fit::{fit, FitError};
use crate::model::Rma;
use crate::settings::TauMethod;

/// metafor's `maxiter` of the trimming loop.
const MAX_ITER: usize = 100;

/// The random-effects mean of the given studies with the τ² estimator `method`.
fn random_mean(yi: &[f64], vi: &[f64], method: TauMethod) -> f64 {
    let tau2 = if yi.len() < 2 {
        0.0
    } else {
        estimate(method, yi, vi, IterControl::default()).tau2
    };
    let (mut sw, mut swy) = (0.0, 0.0);
    for (y, v) in yi.iter().zip(vi) {
        let w = 1.0 / (v + tau2);
        sw += w;
        swy += w * y;
    }
    swy / sw
}

/// R's `round()`: to the nearest integer, halves to even.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

/// One estimate of k₀ (unrounded) with its standard error, from the deviations `dev` of the
/// sorted effects from the current mean.
fn estimate_k0(dev: &[f64], estimator: TrimFillEstimator) -> Result<(f64, f64), BiasError> {
    let k = dev.len();
    let kf = k as f64;
    // Ranks of |deviation|, ties in order (R's ties.method = "first").
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| dev[a].abs().total_cmp(&dev[b].abs()).then(a.cmp(&b)));
    let mut rank = vec![0.0; k];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = (r + 1) as f64;
    }
    match estimator {
        TrimFillEstimator::R0 => {
            let largest_negative = (0..k)
                .filter(|&i| dev[i] < 0.0)
                .map(|i| rank[i])
                .fold(f64::NEG_INFINITY, f64::max);
            if !largest_negative.is_finite() {
                return Err(BiasError::NotEstimable(
                    "trim-and-fill R0: every study lies on one side of the trimmed mean".into(),
                ));
            }
            let k0 = kf - largest_negative - 1.0;
            Ok((k0, (2.0 * k0.max(0.0) + 2.0).sqrt()))
        }
        TrimFillEstimator::L0 => {
            let s: f64 = (0..k).filter(|&i| dev[i] > 0.0).map(|i| rank[i]).sum();
            let k0 = (4.0 * s - kf * (kf + 1.0)) / (2.0 * kf - 1.0);
            let var_s = (kf * (kf + 1.0) * (2.0 * kf + 1.0)
                + 10.0 * k0.powi(3)
                + 27.0 * k0 * k0
                + 17.0 * k0
                - 18.0 * kf * k0 * k0
                - 18.0 * kf * k0
                + 6.0 * kf * kf * k0)
                / 24.0;
            Ok((k0, 4.0 * var_s.sqrt() / (2.0 * kf - 1.0)))
        }
    }
}

/// The side metafor chooses: the sign of the slope of yᵢ on √vᵢ in a meta-regression with
/// the model's τ² estimator (right when negative).
fn estimated_side(d: &BiasData<'_>, method: TauMethod) -> Result<FunnelSide, BiasError> {
    let reg = meta_regression(&d.sei(), &d.yi, &d.vi, method).ok_or(BiasError::SamePrecision)?;
    Ok(if reg.beta[1] < 0.0 {
        FunnelSide::Right
    } else {
        FunnelSide::Left
    })
}

/// Trim-and-fill on the studies of `model`, on `side` (or the side metafor would choose).
///
/// # Errors
/// Fewer than three studies, a side that cannot be estimated (all studies equally precise),
/// an R0 estimate that does not exist, or no convergence within 100 iterations.
pub fn trim_and_fill(
    model: &Rma,
    estimator: TrimFillEstimator,
    side: Option<FunnelSide>,
) -> Result<TrimFill, BiasError> {
    let d = BiasData::of(model);
    d.need(3)?;
    let settings = model.settings().fit;
    let (side, side_from) = match side {
        Some(s) => (s, "given"),
        None => (estimated_side(&d, settings.method_tau)?, "estimated"),
    };
    let flip = if side == FunnelSide::Right { -1.0 } else { 1.0 };
    let k = d.k();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        (flip * d.yi[a])
            .total_cmp(&(flip * d.yi[b]))
            .then(a.cmp(&b))
    });
    let yi: Vec<f64> = order.iter().map(|&i| flip * d.yi[i]).collect();
    let vi: Vec<f64> = order.iter().map(|&i| d.vi[i]).collect();
    let (mut k0, mut se_k0, mut mean) = (0usize, 0.0, 0.0);
    let mut previous: Option<usize> = None;
    let mut iterations = 0;
    while previous != Some(k0) {
        previous = Some(k0);
        iterations += 1;
        if iterations > MAX_ITER {
            return Err(BiasError::NotEstimable(format!(
                "trim-and-fill did not converge in {MAX_ITER} iterations"
            )));
        }
        mean = random_mean(&yi[..k - k0], &vi[..k - k0], settings.method_tau);
        let dev: Vec<f64> = yi.iter().map(|y| y - mean).collect();
        let (raw, se) = estimate_k0(&dev, estimator)?;
        se_k0 = se.max(0.0);
        k0 = round_half_even(raw).max(0.0) as usize;
        if k0 >= k {
            return Err(BiasError::NotEstimable(
                "trim-and-fill estimated as many missing studies as there are studies".into(),
            ));
        }
    }
    let filled: Vec<FilledStudy> = (k - k0..k)
        .map(|i| FilledStudy {
            yi: flip * (2.0 * mean - yi[i]),
            vi: vi[i],
        })
        .collect();
    let all_y: Vec<f64> =
        d.yi.iter()
            .copied()
            .chain(filled.iter().map(|f| f.yi))
            .collect();
    let all_v: Vec<f64> =
        d.vi.iter()
            .copied()
            .chain(filled.iter().map(|f| f.vi))
            .collect();
    let refit = fit(&all_y, &all_v, &settings).map_err(|e: FitError| {
        BiasError::NotEstimable(format!("the filled data cannot be fitted: {e}"))
    })?;
    let r = refit.random;
    Ok(TrimFill {
        estimator: estimator.as_str(),
        side: side.as_str(),
        side_from,
        k0,
        se_k0,
        p_k0: (estimator == TrimFillEstimator::R0).then(|| 0.5_f64.powi(k0 as i32 + 1)),
        k: k + k0,
        adjusted: Adjusted {
            yi: r.yi,
            se: r.se,
            lower_yi: r.lower,
            upper_yi: r.upper,
            estimate: model.back(r.yi),
            lower: model.back(r.lower),
            upper: model.back(r.upper),
            p: r.p,
        },
        tau2: refit.tau2,
        filled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_halves_to_even_as_r() {
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(1.5), 2.0);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(2.6), 3.0);
        assert_eq!(round_half_even(-0.5), 0.0);
        assert_eq!(round_half_even(-1.5), -2.0);
    }
}
