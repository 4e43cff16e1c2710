//! Small-study effects: tests for funnel-plot asymmetry and the methods that adjust for it,
//! each a function of the fitted model ([`Rma`]) in its own file.
//!
//! | method | file | reference | agrees with |
//! |---|---|---|---|
//! | Egger's regression test | `egger` | Egger et al. 1997 | metafor `regtest(model = "lm")` |
//! | Begg's rank correlation | `begg` | Begg & Mazumdar 1994 | metafor `ranktest` |
//! | Peters' test | `peters` | Peters et al. 2006 | `meta::metabias` ("Peters") |
//! | Harbord's score test | `harbord` | Harbord et al. 2006, 2009 | `meta::metabias` ("Harbord") |
//! | Thompson & Sharp | `thompson_sharp` | Thompson & Sharp 1999 | `meta::metabias` ("Thompson") |
//! | trim-and-fill | `trimfill` | Duval & Tweedie 2000 | metafor `trimfill` |
//! | step-function selection model | `selection` | Vevea & Hedges 1995 | metafor `selmodel` |
//! | PET-PEESE | `pet_peese` | Stanley & Doucouliagos 2014 | metafor `regtest` limit estimates |
//!
//! [`small_study_effects`] runs the methods a [`BiasSettings`] asks for and gathers them into a
//! [`BiasResult`]. As `meta::metabias` (`k.min = 10`, after Sterne et al. 2011), the asymmetry
//! tests decline with a warning below `k_min` studies; a method that does not apply to the
//! data (Harbord without 2×2 tables) is left out, with a warning when it was asked for by
//! name. Shared pieces: `data` (the studies a method reads), `line` and `metareg` (the two
//! regressions), `kendall` (the rank correlation), `regression` (the tests' common shape).

mod begg;
mod data;
mod egger;
mod harbord;
mod kendall;
mod line;
mod metareg;
mod pet_peese;
mod peters;
mod regression;
mod result;
mod selection;
mod settings;
mod thompson_sharp;
mod trimfill;

pub use begg::begg;
pub use data::BiasError;
pub use egger::egger;
pub use harbord::harbord;
pub use pet_peese::pet_peese;
pub use peters::peters;
pub use result::{
    Adjusted, BiasResult, FilledStudy, PetPeese, RankTest, RegressionTest, Selection, TrimFill,
};
pub use selection::selection_model;
pub use settings::{BiasSettings, BiasTest, FunnelSide, SelectionAlternative, TrimFillEstimator};
pub use thompson_sharp::thompson_sharp;
pub use trimfill::trim_and_fill;

use crate::effect::two_arm::TwoArmMeasure;
use crate::model::{Measure, Rma};
use data::BiasData;

/// How a method is named in messages.
fn title(test: BiasTest) -> &'static str {
    match test {
        BiasTest::Egger => "Egger's test",
        BiasTest::Begg => "Begg's test",
        BiasTest::Peters => "Peters' test",
        BiasTest::Harbord => "Harbord's test",
        BiasTest::ThompsonSharp => "Thompson–Sharp test",
        BiasTest::TrimFill => "trim-and-fill",
        BiasTest::Selection => "selection model",
        BiasTest::PetPeese => "PET-PEESE",
    }
}

/// Whether `test` can be run on data of this kind at all (regardless of k).
fn applies(test: BiasTest, d: &BiasData<'_>) -> bool {
    match test {
        BiasTest::Harbord => matches!(d.measure, Measure::TwoArm(_) | Measure::Binary(_)),
        BiasTest::Peters => d.studies.iter().all(|s| {
            s.table.is_some()
                || (matches!(d.measure, Measure::Proportion(_))
                    && s.events.is_some()
                    && s.n.is_some())
        }),
        // One-sided p-values of H0: yᵢ = 0 mean nothing for a measure without a null value.
        BiasTest::Selection => d.measure.null_value().is_some(),
        _ => true,
    }
}

/// Why a method does not apply, for a warning when it was asked for by name.
fn not_applicable(test: BiasTest, d: &BiasData<'_>) -> String {
    match test {
        BiasTest::Harbord => BiasError::NeedsTables(d.scale()).to_string(),
        BiasTest::Peters => BiasError::NeedsCounts(d.scale()).to_string(),
        _ => format!(
            "needs a measure whose null value is 0 on the analysis scale (p-values of H0: no \
             effect); the data are {}",
            d.scale()
        ),
    }
}

/// The test `meta::metabias` uses by default: Harbord's for odds ratios, Egger's otherwise.
pub fn default_test(measure: Measure) -> BiasTest {
    match measure {
        Measure::TwoArm(TwoArmMeasure::Or) | Measure::Binary(TwoArmMeasure::Or) => {
            BiasTest::Harbord
        }
        _ => BiasTest::Egger,
    }
}

/// Runs the small-study methods that `settings` asks for on `model`. Nothing here fails: a
/// method that cannot give a result is null in the output, with a warning saying why.
pub fn small_study_effects(model: &Rma, settings: &BiasSettings) -> BiasResult {
    let d = BiasData::of(model);
    let k = d.k();
    let mut out = BiasResult {
        k,
        k_min: settings.k_min,
        default_test: default_test(d.measure).as_str(),
        egger: None,
        begg: None,
        peters: None,
        harbord: None,
        thompson_sharp: None,
        trimfill: None,
        selection: None,
        pet_peese: None,
        warnings: Vec::new(),
    };
    let below_k_min = k < settings.k_min;
    if below_k_min && settings.tests.iter().any(|t| t.is_asymmetry_test()) {
        let e = BiasError::BelowKMin {
            k,
            k_min: settings.k_min,
        };
        out.warnings
            .push(format!("tests for funnel-plot asymmetry: {e}"));
    }
    for &test in &settings.tests {
        if test.is_asymmetry_test() && below_k_min {
            continue;
        }
        if !applies(test, &d) {
            if settings.explicit() {
                let why = not_applicable(test, &d);
                out.warnings.push(format!("{}: {why}", title(test)));
            }
            continue;
        }
        let mut note = |n: Option<String>| out.warnings.extend(n);
        let failed = match test {
            BiasTest::Egger => egger(model).map(|r| out.egger = Some(r)).err(),
            BiasTest::Begg => begg(model)
                .map(|(r, n)| {
                    out.begg = Some(r);
                    note(n);
                })
                .err(),
            BiasTest::Peters => peters(model).map(|r| out.peters = Some(r)).err(),
            BiasTest::Harbord => harbord(model)
                .map(|(r, n)| {
                    out.harbord = Some(r);
                    note(n);
                })
                .err(),
            BiasTest::ThompsonSharp => thompson_sharp(model)
                .map(|(r, n)| {
                    out.thompson_sharp = Some(r);
                    note(n);
                })
                .err(),
            BiasTest::TrimFill => trim_and_fill(model, settings.estimator, settings.side)
                .map(|r| out.trimfill = Some(r))
                .err(),
            BiasTest::Selection => selection_model(model, settings.alternative)
                .map(|(r, notes)| {
                    out.selection = Some(r);
                    out.warnings.extend(notes);
                })
                .err(),
            BiasTest::PetPeese => pet_peese(model).map(|r| out.pet_peese = Some(r)).err(),
        };
        if let Some(e) = failed {
            out.warnings.push(format!("{}: {e}", title(test)));
        }
    }
    if below_k_min && (out.trimfill.is_some() || out.selection.is_some()) {
        out.warnings.push(format!(
            "with k = {k} studies (fewer than {}), the adjusted estimates are fragile; read them \
             as a sensitivity analysis, not a correction",
            settings.k_min
        ));
    }
    out
}
