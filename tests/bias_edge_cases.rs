//! Small-study methods at the edges: too few studies, equal precision, studies all on one side
//! of the step, a large k, Peto fits and a zero-event proportion. Each gives a located reason
//! (an `Err` the output turns into null plus a warning), never a panic or a made-up number.

use alkstats::effect::two_arm::{peto_effect, two_arm_effect, TwoArmMeasure, TwoByTwo};
use alkstats::methods::bias::{
    begg, egger, peters, selection_model, small_study_effects, trim_and_fill, BiasError,
    BiasSettings, BiasTest, FunnelSide, SelectionAlternative, TrimFillEstimator,
};
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{CompareMethod, FitSettings, GenericMeasure, ProportionMeasure};

fn generic(effects: &[(f64, f64)]) -> Rma {
    let studies = effects
        .iter()
        .enumerate()
        .map(|(i, &(y, v))| Study::new(format!("S{i}"), i as u64 + 2, y, v))
        .collect();
    let data = EffectSizes::new(Measure::Generic(GenericMeasure::Or), studies);
    Rma::fit(
        data,
        ModelSettings::inverse_variance(FitSettings::default()),
    )
    .unwrap()
}

#[test]
fn too_few_studies_and_equal_precision_are_refused_with_the_reason() {
    let two = generic(&[(0.1, 0.04), (0.3, 0.09)]);
    assert_eq!(
        egger(&two).unwrap_err(),
        BiasError::TooFewStudies { k: 2, needed: 3 }
    );
    let same = generic(&[(0.1, 0.04), (0.3, 0.04), (0.2, 0.04), (0.5, 0.04)]);
    assert_eq!(egger(&same).unwrap_err(), BiasError::SamePrecision);
    assert!(begg(&same).is_err());
    // metafor cannot choose a side either (its regression on √vᵢ is not of full rank) …
    assert_eq!(
        trim_and_fill(&same, TrimFillEstimator::L0, None).unwrap_err(),
        BiasError::SamePrecision
    );
    // … but with the side given, trim-and-fill runs.
    assert!(trim_and_fill(&same, TrimFillEstimator::L0, Some(FunnelSide::Left)).is_ok());
    // The aggregate never fails: it reports the reasons.
    let r = small_study_effects(
        &same,
        &BiasSettings {
            k_min: 3,
            ..BiasSettings::default()
        },
    );
    assert!(r.egger.is_none() && r.trimfill.is_none());
    assert!(
        r.warnings.iter().any(|w| w.contains("same precision")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn the_selection_model_needs_a_study_above_the_step() {
    // Every study is significant (one-sided p ≤ 0.025): δ has no data.
    let all_significant = generic(&[(1.0, 0.04), (1.5, 0.09), (2.0, 0.16), (0.9, 0.01)]);
    let e = selection_model(&all_significant, SelectionAlternative::Greater).unwrap_err();
    assert!(e.to_string().contains("above 0.025"), "{e}");
    // The other direction has them all above the step: it fits.
    assert!(selection_model(&all_significant, SelectionAlternative::Less).is_ok());
}

#[test]
fn a_large_k_uses_the_normal_approximation_of_kendall_and_stays_finite() {
    let effects: Vec<(f64, f64)> = (0..1500)
        .map(|i| {
            let v = 0.01 + (i as f64 * 0.618).fract() * 0.2;
            ((i as f64 * 0.377).fract() - 0.5 + v, v)
        })
        .collect();
    let m = generic(&effects);
    let (b, note) = begg(&m).unwrap();
    assert!(!b.exact && note.is_some_and(|n| n.contains("normal approximation")));
    assert!(b.p > 0.0 && b.p <= 1.0);
    let t = trim_and_fill(&m, TrimFillEstimator::L0, None).unwrap();
    assert!(t.adjusted.yi.is_finite() && t.k == 1500 + t.k0);
}

#[test]
fn peto_models_test_the_inverse_variance_log_odds_ratios() {
    let tables = [
        (3, 50, 8, 50),
        (10, 200, 19, 200),
        (1, 30, 4, 30),
        (40, 900, 52, 900),
    ];
    let studies = |peto: bool| -> Vec<Study> {
        tables
            .iter()
            .enumerate()
            .map(|(i, &(a, n1, c, n2))| {
                let t = TwoByTwo::new(a, n1, c, n2);
                let (y, v) = if peto {
                    peto_effect(&t, 0.5).unwrap()
                } else {
                    two_arm_effect(&t, TwoArmMeasure::Or, 0.5).unwrap()
                };
                Study {
                    table: Some(t),
                    ..Study::new(format!("T{i}"), i as u64 + 2, y, v)
                }
            })
            .collect()
    };
    let measure = Measure::Binary(TwoArmMeasure::Or);
    let fit = FitSettings::default();
    let peto = Rma::fit(
        EffectSizes::new(measure, studies(true)),
        ModelSettings {
            common: CompareMethod::Peto,
            ..ModelSettings::inverse_variance(fit)
        },
    )
    .unwrap();
    let iv = Rma::fit(
        EffectSizes::new(measure, studies(false)),
        ModelSettings::inverse_variance(fit),
    )
    .unwrap();
    assert_eq!(egger(&peto).unwrap(), egger(&iv).unwrap());
}

#[test]
fn peters_names_a_proportion_with_no_non_events() {
    let counts = [(10, 20), (15, 30), (12, 12), (30, 60)];
    let studies = counts
        .iter()
        .enumerate()
        .map(|(i, &(e, n))| {
            let (y, v) = {
                // PLOGIT with 0.5 added to both cells where a cell is empty.
                let (e, n) = if e == n {
                    (e as f64 + 0.5, n as f64 + 1.0)
                } else {
                    (e as f64, n as f64)
                };
                ((e / (n - e)).ln(), 1.0 / e + 1.0 / (n - e))
            };
            Study {
                events: Some(e),
                n: Some(n),
                ..Study::new(format!("P{i}"), i as u64 + 2, y, v)
            }
        })
        .collect();
    let data = EffectSizes::new(Measure::Proportion(ProportionMeasure::Plogit), studies);
    let m = Rma::fit(
        data,
        ModelSettings::inverse_variance(FitSettings::default()),
    )
    .unwrap();
    let e = peters(&m).unwrap_err();
    assert_eq!(
        e,
        BiasError::UndefinedWeight {
            study: "P2".into(),
            line: 4,
            what: "no non-events"
        }
    );
    // The default run leaves it out with that reason; the other tests still run.
    let r = small_study_effects(
        &m,
        &BiasSettings {
            k_min: 3,
            tests: vec![BiasTest::Egger, BiasTest::Peters],
            ..BiasSettings::default()
        },
    );
    assert!(r.egger.is_some() && r.peters.is_none());
    assert!(r
        .warnings
        .iter()
        .any(|w| w.starts_with("Peters' test: study 'P2' (line 4)")));
}
