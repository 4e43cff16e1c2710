//! Two-arm continuous outcomes (a mean, SD and size per arm of one trial): the raw mean
//! difference, the bias-corrected standardized mean difference (Hedges' g) and the log ratio of
//! means, each with its sampling variance exactly as metafor 3.8's `escalc` computes it with its
//! default `vtype = "LS"`.

use statrs::function::gamma::ln_gamma;
use thiserror::Error;

crate::settings::choice_enum!(
    /// Effect measure of a two-arm continuous comparison (metafor `escalc`'s `measure`).
    ContinuousMeasure, "continuous measure (--sm)", {
        /// Raw mean difference m₁ − m₂; metafor `MD`.
        Md => "MD",
        /// Standardized mean difference with Hedges' exact bias correction; metafor `SMD`.
        Smd => "SMD",
        /// Log ratio of means ln(m₁/m₂); metafor `ROM`.
        Rom => "ROM",
    }
);

/// Summary statistics of one arm: size, mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmSummary {
    /// Number of participants (at least 2; need not be a whole number, as in metafor).
    pub n: f64,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (> 0).
    pub sd: f64,
}

impl ArmSummary {
    /// Bundles the three numbers (no validation here: see [`continuous_effect`]).
    pub fn new(n: f64, mean: f64, sd: f64) -> Self {
        ArmSummary { n, mean, sd }
    }
}

/// Which arm a validation error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arm {
    /// The first (experimental) arm: metafor's `n1i`, `m1i`, `sd1i`.
    Treatment,
    /// The second (comparator) arm: metafor's `n2i`, `m2i`, `sd2i`.
    Control,
}

impl std::fmt::Display for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Arm::Treatment => "treatment",
            Arm::Control => "control",
        })
    }
}

/// Why no effect size follows from a pair of arms.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ContinuousError {
    /// A value is NaN or infinite.
    #[error("{arm} arm: {what} is not a finite number ({value})")]
    NonFinite {
        /// The arm.
        arm: Arm,
        /// `n`, `mean` or `sd`.
        what: &'static str,
        /// The value given.
        value: f64,
    },
    /// Fewer than 2 participants: no standard deviation is defined.
    #[error("{arm} arm: n = {n}, but at least 2 participants are needed")]
    SampleSize {
        /// The arm.
        arm: Arm,
        /// The size given.
        n: f64,
    },
    /// A standard deviation that is zero or negative.
    #[error("{arm} arm: standard deviation {sd} must be positive")]
    Sd {
        /// The arm.
        arm: Arm,
        /// The SD given.
        sd: f64,
    },
    /// The ratio of means needs two positive means.
    #[error("{arm} arm: mean {mean} must be positive for the ratio of means (ROM)")]
    NonPositiveMean {
        /// The arm.
        arm: Arm,
        /// The mean given.
        mean: f64,
    },
}

/// One study's effect on the analysis scale and its sampling variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContinuousEffect {
    /// Effect size yᵢ (MD, g, or ln ROM).
    pub yi: f64,
    /// Sampling variance vᵢ.
    pub vi: f64,
}

fn check_arm(arm: Arm, s: &ArmSummary) -> Result<(), ContinuousError> {
    for (what, value) in [("n", s.n), ("mean", s.mean), ("sd", s.sd)] {
        if !value.is_finite() {
            return Err(ContinuousError::NonFinite { arm, what, value });
        }
    }
    if s.n < 2.0 {
        return Err(ContinuousError::SampleSize { arm, n: s.n });
    }
    if !(s.sd > 0.0) {
        return Err(ContinuousError::Sd { arm, sd: s.sd });
    }
    Ok(())
}

fn check_arms(t: &ArmSummary, c: &ArmSummary) -> Result<(), ContinuousError> {
    check_arm(Arm::Treatment, t)?;
    check_arm(Arm::Control, c)
}

/// Effect size and sampling variance of `measure` for `treatment` vs `control`.
///
/// Dispatches to [`mean_difference`], [`standardized_mean_difference`] or
/// [`log_ratio_of_means`]; see those for the formulas.
///
/// # Errors
/// [`ContinuousError`] for a non-finite value, n < 2, SD ≤ 0, or (ROM only) a mean ≤ 0.
pub fn continuous_effect(
    measure: ContinuousMeasure,
    treatment: &ArmSummary,
    control: &ArmSummary,
) -> Result<ContinuousEffect, ContinuousError> {
    match measure {
        ContinuousMeasure::Md => mean_difference(treatment, control),
        ContinuousMeasure::Smd => standardized_mean_difference(treatment, control),
        ContinuousMeasure::Rom => log_ratio_of_means(treatment, control),
    }
}

/// Raw mean difference with the heteroscedastic large-sample variance: metafor `escalc(measure =
/// "MD")` with its default `vtype = "LS"` (Borenstein 2009, "Effect sizes for continuous data",
/// in Cooper, Hedges & Valentine (eds.), *The Handbook of Research Synthesis and Meta-Analysis*,
/// 2nd ed., ch. 12, without assuming equal variances).
///
/// # Formula
/// yᵢ = m₁ − m₂, vᵢ = sd₁²/n₁ + sd₂²/n₂.
///
/// R `meta::metacont(sm = "MD")` uses the same variance (its default `pooledvar = FALSE`).
/// metafor's `vtype = "HO"` (pooled variance s²ₚ(1/n₁ + 1/n₂)) is not offered.
///
/// # Errors
/// As [`continuous_effect`].
pub fn mean_difference(
    treatment: &ArmSummary,
    control: &ArmSummary,
) -> Result<ContinuousEffect, ContinuousError> {
    check_arms(treatment, control)?;
    Ok(ContinuousEffect {
        yi: treatment.mean - control.mean,
        vi: treatment.sd.powi(2) / treatment.n + control.sd.powi(2) / control.n,
    })
}

/// Hedges' exact small-sample bias correction of the standardized mean difference: Hedges
/// (1981), "Distribution theory for Glass's estimator of effect size and related estimators",
/// J Educ Stat 6:107–128 (metafor's internal `.cmicalc`).
///
/// # Formula
/// J(m) = Γ(m/2) / (√(m/2) · Γ((m − 1)/2)), computed as
/// exp(lnΓ(m/2) − ln √(m/2) − lnΓ((m − 1)/2)); m = n₁ + n₂ − 2 degrees of freedom.
/// J ≈ 1 − 3/(4m − 1) is Hedges' approximation; alkstats, like metafor, uses the exact form.
///
/// `None` unless m > 1 and finite.
pub fn hedges_correction(m: f64) -> Option<f64> {
    if !(m > 1.0) || !m.is_finite() {
        return None;
    }
    let j = (ln_gamma(m / 2.0) - (m / 2.0).sqrt().ln() - ln_gamma((m - 1.0) / 2.0)).exp();
    j.is_finite().then_some(j)
}

/// Standardized mean difference (Hedges' g) with metafor's default large-sample variance:
/// metafor `escalc(measure = "SMD")`, `vtype = "LS"`; g from Hedges (1981, J Educ Stat
/// 6:107–128), the variance from Hedges & Olkin (1985), *Statistical Methods for
/// Meta-Analysis*, ch. 5, with g in place of δ.
///
/// # Formula
/// m = n₁ + n₂ − 2; s²ₚ = ((n₁ − 1)sd₁² + (n₂ − 1)sd₂²)/m; d = (m₁ − m₂)/sₚ;
/// g = J(m)·d with J from [`hedges_correction`];
/// vᵢ = 1/n₁ + 1/n₂ + g²/(2(n₁ + n₂)).
///
/// R `meta::metacont(sm = "SMD")` with its defaults (`method.smd = "Hedges"`,
/// `exact.smd = FALSE`) differs in two places: it uses the approximate correction
/// J ≈ 1 − 3/(4(n₁ + n₂) − 9) and the variance (n₁ + n₂)/(n₁n₂) + g²/(2(n₁ + n₂ − 3.94))
/// (the RevMan 5 formulas; Schwarzer, Carpenter & Rücker 2015, *Meta-Analysis with R*,
/// §2.2, eqs. 2.4–2.5). alkstats follows metafor.
///
/// # Errors
/// As [`continuous_effect`].
pub fn standardized_mean_difference(
    treatment: &ArmSummary,
    control: &ArmSummary,
) -> Result<ContinuousEffect, ContinuousError> {
    check_arms(treatment, control)?;
    let (n1, n2) = (treatment.n, control.n);
    let m = n1 + n2 - 2.0;
    let pooled_var = ((n1 - 1.0) * treatment.sd.powi(2) + (n2 - 1.0) * control.sd.powi(2)) / m;
    // m ≥ 2 after validation, so the correction exists; guard all the same.
    let j = hedges_correction(m).ok_or(ContinuousError::SampleSize {
        arm: Arm::Treatment,
        n: n1,
    })?;
    let g = j * (treatment.mean - control.mean) / pooled_var.sqrt();
    Ok(ContinuousEffect {
        yi: g,
        vi: 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2)),
    })
}

/// Log ratio of means with its delta-method variance: metafor `escalc(measure = "ROM")`,
/// `vtype = "LS"`; Hedges, Gurevitch & Curtis (1999), "The meta-analysis of response ratios in
/// experimental ecology", Ecology 80:1150–1156.
///
/// # Formula
/// yᵢ = ln(m₁/m₂), vᵢ = sd₁²/(n₁m₁²) + sd₂²/(n₂m₂²).
///
/// metafor also accepts two negative means (the ratio is positive); alkstats requires both
/// means positive, the setting in which the response ratio is meant to be used.
///
/// # Errors
/// As [`continuous_effect`], including [`ContinuousError::NonPositiveMean`].
pub fn log_ratio_of_means(
    treatment: &ArmSummary,
    control: &ArmSummary,
) -> Result<ContinuousEffect, ContinuousError> {
    check_arms(treatment, control)?;
    for (arm, s) in [(Arm::Treatment, treatment), (Arm::Control, control)] {
        if !(s.mean > 0.0) {
            return Err(ContinuousError::NonPositiveMean { arm, mean: s.mean });
        }
    }
    let (t, c) = (treatment, control);
    Ok(ContinuousEffect {
        yi: (t.mean / c.mean).ln(),
        vi: t.sd.powi(2) / (t.n * t.mean.powi(2)) + c.sd.powi(2) / (c.n * c.mean.powi(2)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Closed-form re-derivation: Γ(1)/(√1·Γ(½)) = 1/√π for m = 2; Γ(3/2)/(√(3/2)·Γ(1)) =
    // (√π/2)/√1.5 for m = 3; and J(m) → 1 − 3/(4m − 1) + O(m⁻²).
    #[test]
    fn hedges_correction_closed_forms() {
        let pi = std::f64::consts::PI;
        let j2 = hedges_correction(2.0).unwrap();
        assert!((j2 - 1.0 / pi.sqrt()).abs() < 1e-13);
        let j3 = hedges_correction(3.0).unwrap();
        assert!((j3 - pi.sqrt() / 2.0 / 1.5f64.sqrt()).abs() < 1e-13);
        let j = hedges_correction(1000.0).unwrap();
        assert!((j - (1.0 - 3.0 / 3999.0)).abs() < 1e-6);
        assert!(hedges_correction(1.0).is_none());
        assert!(hedges_correction(f64::NAN).is_none());
    }

    #[test]
    fn spellings() {
        assert_eq!(
            "smd".parse::<ContinuousMeasure>(),
            Ok(ContinuousMeasure::Smd)
        );
        assert_eq!(ContinuousMeasure::Rom.to_string(), "ROM");
        assert!("SMDH".parse::<ContinuousMeasure>().is_err());
    }

    #[test]
    fn rejects_bad_arms() {
        let ok = ArmSummary::new(10.0, 5.0, 2.0);
        let md = ContinuousMeasure::Md;
        let bad_n = ArmSummary::new(1.0, 5.0, 2.0);
        assert!(matches!(
            continuous_effect(md, &bad_n, &ok),
            Err(ContinuousError::SampleSize {
                arm: Arm::Treatment,
                ..
            })
        ));
        let zero_sd = ArmSummary::new(10.0, 5.0, 0.0);
        assert!(matches!(
            continuous_effect(md, &ok, &zero_sd),
            Err(ContinuousError::Sd {
                arm: Arm::Control,
                ..
            })
        ));
        let nan = ArmSummary::new(10.0, f64::NAN, 2.0);
        assert!(matches!(
            continuous_effect(ContinuousMeasure::Smd, &ok, &nan),
            Err(ContinuousError::NonFinite { what: "mean", .. })
        ));
        let neg = ArmSummary::new(10.0, -5.0, 2.0);
        assert!(continuous_effect(md, &ok, &neg).is_ok());
        assert!(matches!(
            continuous_effect(ContinuousMeasure::Rom, &ok, &neg),
            Err(ContinuousError::NonPositiveMean {
                arm: Arm::Control,
                ..
            })
        ));
    }
}
