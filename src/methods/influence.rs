//! Case-deletion influence diagnostics of an inverse-variance model (metafor
//! `influence.rma.uni`; Viechtbauer & Cheung 2010, Res Synth Methods 1:112–125), for the
//! intercept-only model (p = 1) that every pooled analysis is.
//!
//! # Formula
//! With β̂, v̂ = Var(β̂) (scaled by s²_w for Hartung–Knapp) and τ̂² the full model; β̂₋ᵢ, v̂₋ᵢ,
//! τ̂²₋ᵢ, s²_w₋ᵢ and Q₋ᵢ the model refitted without study i; hᵢ = wᵢ/Σw with wᵢ = 1/(vᵢ + τ̂²):
//! ```text
//! rstudent = (yᵢ − β̂₋ᵢ) / √(s²_w₋ᵢ·(vᵢ + τ̂²₋ᵢ) + v̂₋ᵢ)
//! DFFITS   = (β̂ − β̂₋ᵢ) / √(s²_w₋ᵢ · hᵢ · (τ̂²₋ᵢ + vᵢ))
//! DFBETAS  = (β̂ − β̂₋ᵢ) / √(s²_w₋ᵢ / Σⱼ 1/(vⱼ + τ̂²₋ᵢ))     (j over all k studies)
//! Cook's D = (β̂ − β̂₋ᵢ)² / v̂
//! COVRATIO = v̂₋ᵢ / v̂
//! ```
//! s²_w is 1 for the classic (z) interval, Q(τ̂²)/(k − 1) for Hartung–Knapp and max(1, ·) for
//! the ad hoc variant; the common-effect model has τ̂² = 0 throughout. These are metafor's
//! definitions term by term, so that its numbers are reproduced.
//!
//! A study is marked influential by metafor's rule (stated in every output as [`RULE`]).
//! Diagnostics need k ≥ 3 (a deleted fit of one study has no heterogeneity); with fewer they
//! are null, with a warning. A Mantel–Haenszel or Peto common effect has no diagnostics in
//! metafor (`influence` is defined for `rma.uni` only): its rows are not given.

use super::refit::{Refits, Scratch, Subset};
use super::{PooledModel, Progress};
use crate::dist::p_chisq_upper;
use crate::fit::FitSummary;
use crate::model::Rma;
use crate::settings::RandomCi;
use serde::Serialize;

/// metafor's rule for marking a study influential (p = 1 coefficient, k studies).
pub const RULE: &str = "influential (metafor influence.rma.uni): |DFFITS| > 3·√(p/(k − p)), or \
                        Cook's distance above the median of χ²(p) (pchisq(D, p) > 0.5), or hat > \
                        3·p/k, or |DFBETAS| > 1; p = 1";

/// The diagnostics of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfluenceRow {
    /// The study.
    pub study: String,
    /// Its line in the input file.
    pub line: u64,
    /// Its index in the model's data (not in the JSON).
    #[serde(skip)]
    pub index: usize,
    /// Externally standardised (studentised deleted) residual.
    pub rstudent: Option<f64>,
    /// DFFITS.
    pub dffits: Option<f64>,
    /// Cook's distance.
    pub cook_d: Option<f64>,
    /// Covariance ratio Var(β̂₋ᵢ)/Var(β̂).
    pub cov_r: Option<f64>,
    /// τ² of the model without the study (0 for the common-effect model).
    pub tau2_del: Option<f64>,
    /// Cochran's Q of the model without the study.
    pub q_del: Option<f64>,
    /// Hat value hᵢ, a fraction.
    pub hat: f64,
    /// Weight in the model, percent.
    pub weight: f64,
    /// DFBETAS of the pooled estimate.
    pub dfbetas: Option<f64>,
    /// Whether [`RULE`] marks the study influential; null when its diagnostics are.
    pub influential: Option<bool>,
}

/// The influence diagnostics of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Influence {
    /// One row per study in the fit; `None` where the model has no diagnostics (a
    /// Mantel–Haenszel or Peto common effect).
    pub rows: Option<Vec<InfluenceRow>>,
    /// The rule of the `influential` column.
    pub rule: &'static str,
    /// What the user should know.
    pub warnings: Vec<String>,
}

/// The full model's quantities the diagnostics are read against.
struct Full {
    beta: f64,
    vb: f64,
    tau2: f64,
    k: usize,
}

/// The diagnostics of a study (effect `y`, variance `v`, hat value `hat`) from its deleted fit.
fn diagnostics(full: &Full, deleted: Deleted, y: f64, v: f64, hat: f64) -> [Option<f64>; 7] {
    let beta_del = deleted.pooled.yi;
    let vb_del = deleted.pooled.se * deleted.pooled.se;
    let (tau2_del, s2w) = (deleted.tau2, deleted.s2w);
    let mut resid = y - beta_del;
    // metafor sets residuals within rounding of zero to exactly 0.
    if resid.abs() < 100.0 * f64::EPSILON {
        resid = 0.0;
    }
    let rstudent = resid / (v * s2w + vb_del + tau2_del * s2w).sqrt();
    let diff = full.beta - beta_del;
    let dffits = diff / (s2w * hat * (tau2_del + v)).sqrt();
    let dfbetas = diff / (s2w * deleted.vb_all).sqrt();
    let cook = diff * diff / full.vb;
    let cov_r = vb_del / full.vb;
    let ok = |x: f64| x.is_finite().then_some(x);
    [
        ok(rstudent),
        ok(dffits),
        ok(cook),
        ok(cov_r),
        ok(tau2_del),
        deleted.q,
        ok(dfbetas),
    ]
}

/// What a deleted fit contributes besides its summary.
#[derive(Clone, Copy)]
struct Deleted {
    pooled: crate::fit::Pooled,
    tau2: f64,
    s2w: f64,
    /// 1/Σⱼ 1/(vⱼ + τ̂²₋ᵢ) over all k studies.
    vb_all: f64,
    /// Cochran's Q of the deleted fit.
    q: Option<f64>,
}

/// The deleted fit of the chosen model from the inverse-variance refit `f`.
fn deleted(model: &Rma, choice: PooledModel, f: &FitSummary, vi: &[f64]) -> Deleted {
    let (pooled, tau2, s2w) = match choice {
        PooledModel::Common => (f.common, 0.0, 1.0),
        PooledModel::Random => {
            let s2w = match model.settings().fit.random_ci {
                RandomCi::Classic => 1.0,
                // se² = s²_w / Σw, so s²_w is se²·Σw: Q/(k − 1), or at least 1 for ad hoc.
                RandomCi::Hk | RandomCi::HkAdhoc => {
                    f.random.se * f.random.se * f.sum_weights_random
                }
            };
            (f.random, f.tau2, s2w)
        }
    };
    let vb_all = 1.0 / vi.iter().map(|v| 1.0 / (v + tau2)).sum::<f64>();
    Deleted {
        pooled,
        tau2,
        s2w,
        vb_all,
        q: f.heterogeneity.map(|h| h.q),
    }
}

/// The influence diagnostics of `model`'s `choice` estimate, one row per study in the fit.
///
/// # Examples
/// ```
/// use alkstats::methods::{influence::influence, PooledModel};
/// use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
/// use alkstats::settings::{FitSettings, GenericMeasure};
/// let y = [0.1, 0.5, 0.3, 1.4];
/// let studies = (0..4).map(|i| Study::new(format!("S{i}"), i as u64 + 2, y[i], 0.03)).collect();
/// let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
/// let model = Rma::fit(data, ModelSettings::inverse_variance(FitSettings::default())).unwrap();
/// let inf = influence(&model, PooledModel::Random, &());
/// let rows = inf.rows.unwrap();
/// assert_eq!(rows.len(), 4);
/// assert!(rows[3].rstudent.unwrap() > 1.5);
/// ```
pub fn influence(model: &Rma, choice: PooledModel, progress: &dyn Progress) -> Influence {
    let refits = Refits::new(model, choice);
    let mut warnings = Vec::new();
    if refits.table_based() && choice == PooledModel::Common {
        warnings.push(format!(
            "influence diagnostics are those of an inverse-variance model (metafor \
             influence.rma.uni); the {} common effect has none: use --model random, or --method \
             IV",
            model.settings().common
        ));
        return Influence {
            rows: None,
            rule: RULE,
            warnings,
        };
    }
    let fitted = model.fitted();
    let k = fitted.len();
    let full_pooled = match choice {
        PooledModel::Random => model.random(),
        PooledModel::Common => model.common(),
    };
    let full = Full {
        beta: full_pooled.yi,
        vb: full_pooled.se * full_pooled.se,
        tau2: match choice {
            PooledModel::Random => model.tau2(),
            PooledModel::Common => 0.0,
        },
        k,
    };
    let hat = model.hat_values(full.tau2);
    let studies = &model.data().studies;
    let vi: Vec<f64> = fitted
        .iter()
        .filter_map(|&i| studies[i].effect.map(|e| e.1))
        .collect();
    if k < 3 {
        warnings.push(format!(
            "k = {k}: influence diagnostics need at least 3 studies (a deleted fit of one study \
             has no heterogeneity); they are null"
        ));
    }
    let results: Vec<Option<[Option<f64>; 7]>> = if k < 3 {
        vec![None; k]
    } else {
        refits.run(k, progress, |j, s: &mut Scratch| {
            let i = fitted[j];
            let (y, v) = studies[i].effect?;
            let (f, _) = refits.inverse_variance(Subset::Without(i), s)?;
            let d = deleted(model, choice, &f, &vi);
            Some(diagnostics(&full, d, y, v, hat[i]))
        })
    };
    let rows = fitted
        .iter()
        .zip(results)
        .map(|(&i, r)| {
            let [rstudent, dffits, cook_d, cov_r, tau2_del, q_del, dfbetas] =
                r.unwrap_or([None; 7]);
            InfluenceRow {
                study: studies[i].label.clone(),
                line: studies[i].line,
                index: i,
                rstudent,
                dffits,
                cook_d,
                cov_r,
                tau2_del,
                q_del,
                hat: hat[i],
                weight: 100.0 * hat[i],
                dfbetas,
                influential: influential(&full, dffits, cook_d, hat[i], dfbetas),
            }
        })
        .collect();
    Influence {
        rows: Some(rows),
        rule: RULE,
        warnings,
    }
}

/// [`RULE`] with p = 1; `None` when a diagnostic it needs is.
fn influential(
    full: &Full,
    dffits: Option<f64>,
    cook_d: Option<f64>,
    hat: f64,
    dfbetas: Option<f64>,
) -> Option<bool> {
    let k = full.k as f64;
    let dffits = dffits?.abs() > 3.0 * (1.0 / (k - 1.0)).sqrt();
    let cook = p_chisq_upper(cook_d?, 1.0)? < 0.5;
    Some(dffits || cook || hat > 3.0 / k || dfbetas?.abs() > 1.0)
}
