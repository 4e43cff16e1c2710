//! The GLMMs are never stuck: zero-event and all-event studies, k = 2, rare events, τ at the
//! boundary 0 and very large τ end in a fit with a stated boundary or in a clear error, and the
//! optimum found has zero gradient and is not beaten from 20 random starts.

use alkstats::effect::two_arm::TwoByTwo;
use alkstats::fit::glmm::likelihood::Binomial;
use alkstats::fit::glmm::random_intercept::{newton, Marginal, Objective};
use alkstats::fit::glmm::{fit_odds_ratio, fit_proportions, GlmmError, GlmmEstimate};
use alkstats::settings::GlmmModel;

fn finite(e: &GlmmEstimate) {
    for v in [
        e.random.0,
        e.random.1,
        e.common.0,
        e.common.1,
        e.tau2,
        e.info.loglik,
    ] {
        assert!(v.is_finite(), "{e:?}");
    }
}

#[test]
fn separated_data_are_a_clear_error() {
    for (x, n) in [(vec![0, 0, 0], vec![10, 20, 30]), (vec![5, 9], vec![5, 9])] {
        let err = fit_proportions(&x, &n).unwrap_err();
        assert!(matches!(err, GlmmError::Separated { .. }), "{err}");
    }
    // 0 % and 100 %: the likelihood rises as τ → ∞.
    let err = fit_proportions(&[0, 20], &[20, 20]).unwrap_err();
    assert_eq!(err, GlmmError::TauUnbounded);
    let double_zero = [TwoByTwo::new(0, 10, 0, 10), TwoByTwo::new(0, 12, 0, 9)];
    assert_eq!(
        fit_odds_ratio(&double_zero, GlmmModel::CmEl).unwrap_err(),
        GlmmError::NoInformativeStudy
    );
    // Every event in the comparator arm: the odds ratio is 0.
    let one_arm = [TwoByTwo::new(0, 10, 3, 10), TwoByTwo::new(0, 12, 5, 9)];
    for model in GlmmModel::ALL {
        let err = fit_odds_ratio(&one_arm, *model).unwrap_err();
        assert!(matches!(err, GlmmError::Separated { .. }), "{model}: {err}");
    }
}

#[test]
fn hard_data_end_in_a_finite_fit() {
    let cases: Vec<(Vec<u64>, Vec<u64>)> = vec![
        // Zero-event and all-event studies among others.
        (vec![0, 3, 10, 7, 0], vec![10, 25, 10, 30, 40]),
        // Rare events.
        (
            vec![0, 1, 0, 0, 2, 0, 1],
            vec![200, 150, 300, 120, 400, 90, 250],
        ),
        // k = 2.
        (vec![3, 12], vec![40, 35]),
        // Homogeneous: τ̂² at the boundary.
        (vec![10, 10, 10], vec![50, 50, 50]),
        // Huge τ: proportions from 2 % to 98 %.
        (vec![1, 49, 2, 48, 25, 3], vec![50, 50, 50, 50, 50, 50]),
        // One study.
        (vec![4], vec![17]),
    ];
    for (x, n) in cases {
        let e = fit_proportions(&x, &n).unwrap_or_else(|err| panic!("{x:?}: {err}"));
        finite(&e);
        assert!(e.info.converged, "{x:?}");
        if x.len() == 1 || x == [10, 10, 10] {
            assert!(e.info.boundary && e.tau2 == 0.0, "{x:?}: {e:?}");
        }
    }
    let tables = [
        TwoByTwo::new(0, 50, 2, 50),
        TwoByTwo::new(1, 40, 0, 45),
        TwoByTwo::new(0, 30, 0, 30),
        TwoByTwo::new(3, 60, 7, 55),
    ];
    for model in GlmmModel::ALL {
        let e = fit_odds_ratio(&tables, *model).unwrap_or_else(|err| panic!("{model}: {err}"));
        finite(&e);
        assert_eq!(e.info.k, 3, "{model}: the double-zero table is left out");
    }
}

/// The maximum has zero gradient (or, at the boundary, a non-positive score of τ) and no
/// Newton run from 20 random starts ends higher.
#[test]
fn the_optimum_has_zero_gradient_and_beats_random_starts() {
    let sets: Vec<(Vec<u64>, Vec<u64>)> = vec![
        (
            vec![21, 14, 30, 8, 19, 40, 11],
            vec![60, 55, 70, 45, 50, 80, 40],
        ),
        (
            vec![0, 1, 0, 0, 2, 0, 1, 5],
            vec![200, 150, 300, 120, 400, 90, 250, 60],
        ),
        (vec![1, 49, 2, 48, 25, 3], vec![50, 50, 50, 50, 50, 50]),
        (vec![10, 11, 9, 10], vec![50, 50, 50, 50]),
    ];
    // A fixed xorshift sequence: uniform numbers in [0, 1).
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for (x, n) in sets {
        let e = fit_proportions(&x, &n).unwrap();
        let studies = Binomial::proportions(&x, &n);
        let mut m = Marginal::new(&studies);
        let tau = e.tau2.sqrt();
        let at = m.at(e.random.0, tau);
        assert!(at.grad[0].abs() < 1e-6, "{x:?}: dl/dmu = {}", at.grad[0]);
        if e.info.boundary {
            // ∂ℓ/∂τ² at 0 is ½ ∂²ℓ/∂τ².
            assert!(at.hess[2] <= 1e-8, "{x:?}: score of tau2 {}", at.hess[2]);
        } else {
            assert!(at.grad[1].abs() < 1e-6, "{x:?}: dl/dtau = {}", at.grad[1]);
        }
        for _ in 0..20 {
            let (mu0, tau0) = (-6.0 + 10.0 * uniform(), 0.05 + 4.95 * uniform());
            let start = m.at(mu0, tau0).ll;
            assert!(
                e.info.loglik >= start - 1e-9,
                "{x:?}: start ({mu0}, {tau0})"
            );
            if let Ok(Some(o)) = newton(&mut m, mu0, tau0) {
                assert!(
                    e.info.loglik >= o.terms.ll - 1e-8,
                    "{x:?}: from ({mu0}, {tau0}) reached {} > {}",
                    o.terms.ll,
                    e.info.loglik
                );
            }
        }
    }
}
