//! Medians of time-to-event outcomes (median PFS of single arms): the log median with its SE
//! from a reported confidence interval, and the median-of-medians estimators of McGrath et al.

use crate::dist::qnorm;

/// Log median and its SE from a reported CI at `level`.
///
/// # Formula
/// y = ln(median), SE = (ln upper − ln lower)/(2·z_{(1+level)/2}).
///
/// Assumes the CI is (close to) symmetric on the log scale, as the Brookmeyer–Crowley interval
/// with a log transformation is — the usual interval for a Kaplan–Meier median.
pub fn log_median_from_ci(median: f64, lower: f64, upper: f64, level: f64) -> (f64, f64) {
    (
        median.ln(),
        (upper.ln() - lower.ln()) / (2.0 * qnorm(0.5 + level / 2.0)),
    )
}

/// Hazard ratio (treatment vs comparator) approximated from the two arms' median survival under
/// exponential survival: λ = ln 2 / median, so HR = median_comparator / median_treatment.
///
/// # Formula
/// ln HR = ln m_c − ln m_t; Var = Var(ln m_t) + Var(ln m_c), each from its 95% CI as in
/// [`log_median_from_ci`] (the arms are independent). An approximation (e.g. Tierney et al.
/// 2007, Trials 8:16, list it among the indirect methods); it ignores non-proportional hazards
/// and is only offered on request.
pub fn log_hr_from_medians(
    treatment: (f64, f64, f64),
    comparator: (f64, f64, f64),
    level: f64,
) -> (f64, f64) {
    let (yt, st) = log_median_from_ci(treatment.0, treatment.1, treatment.2, level);
    let (yc, sc) = log_median_from_ci(comparator.0, comparator.1, comparator.2, level);
    (yc - yt, (st * st + sc * sc).sqrt())
}

/// Sample quantile by linear interpolation between order statistics (R's default `type = 7`,
/// Hyndman & Fan 1996). `sorted` must be sorted ascending; NaN for an empty sample or NaN p.
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() || p.is_nan() {
        return f64::NAN;
    }
    // p outside [0, 1] is clamped to the extremes (found by fuzzing: it indexed past the end).
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median of medians with the normal-approximation sign-test interval: McGrath, Zhao, Qin,
/// Steele & Benedetti (2019), "One-sample aggregate data meta-analysis of medians", Stat Med
/// 38:969–984 (R `metamedian::pool.med`, `norm.approx = TRUE`).
///
/// # Formula
/// With k study medians and δ = min(½, z_{(1+level)/2}/(2√k)) (metamedian fixes level = 0.95): estimate = Q(½), CI = [Q(½ − δ),
/// Q(½ + δ)], Q the type-7 sample quantile. With `weights` (sample sizes, whole numbers) the
/// quantiles are those of the sample in which each median appears nᵢ times — the weighted
/// median of medians (WM), as `Hmisc::wtd.quantile` computes it for frequency weights.
///
/// Returns (estimate, lower, upper); `None` for no medians.
pub fn median_of_medians(
    medians: &[f64],
    weights: Option<&[u64]>,
    level: f64,
) -> Option<(f64, f64, f64)> {
    if medians.is_empty() {
        return None;
    }
    let delta = (qnorm(0.5 + level / 2.0) / (2.0 * (medians.len() as f64).sqrt())).min(0.5);
    let mut pairs: Vec<(f64, u64)> = match weights {
        Some(w) => medians.iter().copied().zip(w.iter().copied()).collect(),
        None => medians.iter().map(|&m| (m, 1)).collect(),
    };
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Ranks in u128: sample sizes near u64::MAX must neither overflow nor wrap (fuzzing).
    let total: u128 = pairs.iter().map(|p| u128::from(p.1)).sum();
    if total == 0 {
        return None;
    }
    // Quantile of the expanded sample without materialising it: the value at 0-based rank r.
    let at = |r: u128| {
        let mut acc = 0u128;
        for &(m, w) in &pairs {
            acc += u128::from(w);
            if r < acc {
                return m;
            }
        }
        pairs[pairs.len() - 1].0
    };
    let q = |p: f64| {
        let h = (total - 1) as f64 * p;
        let lo = (h.floor() as u128).min(total - 1);
        let hi = (lo + 1).min(total - 1);
        at(lo) + (h - lo as f64) * (at(hi) - at(lo))
    };
    Some((q(0.5), q(0.5 - delta), q(0.5 + delta)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // metamedian's pool.med example data (McGrath et al. 2019). R 4.2.2:
    // y <- c(5.23, 3.10, 0.50, 0.78, 3.48, 0.59, 2.20, 5.06, 4.00); d <- qnorm(.975)/(2*sqrt(9))
    // quantile(y, c(.5 - d, .5, .5 + d)) → 0.663475790583186, 3.1, 4.650082431483275
    #[test]
    fn unweighted_matches_r_quantiles() {
        let y = [5.23, 3.10, 0.50, 0.78, 3.48, 0.59, 2.20, 5.06, 4.00];
        let (est, lo, hi) = median_of_medians(&y, None, 0.95).unwrap();
        assert!((est - 3.10).abs() < 1e-12);
        assert!((lo - 0.663_475_790_583_186).abs() < 1e-9); // qnorm is good to ~1e-11
        assert!((hi - 4.650_082_431_483_275).abs() < 1e-9);
        let mut s = y.to_vec();
        s.sort_by(f64::total_cmp);
        assert!((quantile_type7(&s, 0.5) - 3.10).abs() < 1e-12);
    }

    #[test]
    fn weights_expand_the_sample() {
        let (est, _, _) = median_of_medians(&[1.0, 2.0, 10.0], Some(&[1, 1, 5]), 0.95).unwrap();
        assert_eq!(est, 10.0);
    }
}
