//! `UM.RS` is never stuck: zero-event studies, k = 2, one study, τ at the boundary 0 and
//! separated data end in a fit with a stated boundary or in a clear error, and the optimum
//! found has zero gradient (or a non-positive boundary curvature for a variance at 0) and is
//! not beaten by Newton runs from 20 random starts.

use alkstats::effect::two_arm::TwoByTwo;
use alkstats::fit::glmm::bivariate::Study;
use alkstats::fit::glmm::random_study::{maximum, maximum_from};
use alkstats::fit::glmm::{fit_odds_ratio, GlmmError, GlmmEstimate};
use alkstats::settings::GlmmModel;

fn um_rs(t: &[TwoByTwo]) -> Result<GlmmEstimate, GlmmError> {
    fit_odds_ratio(t, GlmmModel::UmRs)
}

fn t(rows: &[(u64, u64, u64, u64)]) -> Vec<TwoByTwo> {
    rows.iter()
        .map(|&(a, n1, c, n2)| TwoByTwo::new(a, n1, c, n2))
        .collect()
}

fn finite(e: &GlmmEstimate) {
    let s2 = e.info.sigma2.unwrap();
    for v in [e.random.0, e.random.1, e.common.0, e.common.1, e.tau2, s2] {
        assert!(
            v.is_finite() && (v == e.random.0 || v == e.common.0 || v >= 0.0),
            "{e:?}"
        );
    }
    assert!(e.info.loglik.is_finite() && e.info.q_lrt.is_finite() && e.q_wald.is_finite());
}

#[test]
fn separated_data_are_a_clear_error() {
    // No events in any treated participant: the odds ratio is 0.
    let err = um_rs(&t(&[(0, 10, 3, 10), (0, 12, 5, 9)])).unwrap_err();
    assert!(matches!(err, GlmmError::Separated { .. }), "{err}");
    // Every comparator participant has the event.
    let err = um_rs(&t(&[(3, 10, 10, 10), (5, 12, 9, 9)])).unwrap_err();
    assert!(matches!(err, GlmmError::Separated { .. }), "{err}");
    let err = um_rs(&t(&[(0, 10, 0, 10), (0, 12, 0, 9)])).unwrap_err();
    assert_eq!(err, GlmmError::NoInformativeStudy);
    // Studies at opposite extremes, each all-or-nothing in its arms: a finite fit or the
    // error that τ (or σ) runs away, never a panic or NaN.
    match um_rs(&t(&[(0, 10, 10, 10), (10, 10, 0, 10), (0, 10, 10, 10)])) {
        Ok(e) => finite(&e),
        Err(err) => assert_eq!(err, GlmmError::TauUnbounded),
    }
}

#[test]
fn hard_data_end_in_a_finite_fit() {
    let cases: Vec<Vec<TwoByTwo>> = vec![
        // Zero cells and a double-zero study (left out).
        t(&[
            (0, 50, 2, 50),
            (1, 40, 0, 45),
            (0, 30, 0, 30),
            (3, 60, 7, 55),
        ]),
        // Rare events.
        t(&[
            (0, 200, 1, 210),
            (1, 150, 3, 160),
            (0, 300, 2, 290),
            (2, 400, 5, 380),
            (1, 250, 0, 240),
        ]),
        // k = 2.
        t(&[(4, 123, 11, 139), (6, 306, 29, 303)]),
        // Homogeneous: τ̂² at the boundary.
        t(&[(10, 100, 20, 100), (10, 100, 20, 100), (10, 100, 20, 100)]),
        // One study.
        t(&[(4, 40, 9, 38)]),
        // Very different baseline risks, large heterogeneity.
        t(&[
            (1, 50, 2, 50),
            (45, 50, 30, 50),
            (20, 50, 40, 50),
            (5, 50, 5, 50),
        ]),
    ];
    for (i, tables) in cases.iter().enumerate() {
        let e = um_rs(tables).unwrap_or_else(|err| panic!("case {i}: {err}"));
        finite(&e);
        assert!(e.info.converged, "case {i}: {e:?}");
        assert_eq!(e.info.model, "UM.RS");
        if i == 0 {
            assert_eq!(e.info.k, 3, "the double-zero table is left out");
        }
        if i == 3 || i == 4 {
            assert!(e.info.boundary && e.tau2 == 0.0, "case {i}: {e:?}");
            assert_eq!(e.random, e.common, "case {i}");
        }
    }
}

#[test]
fn the_optimum_has_zero_gradient_and_beats_random_starts() {
    let sets = [
        t(&[
            (4, 123, 11, 139),
            (6, 306, 29, 303),
            (3, 231, 11, 220),
            (62, 13598, 248, 12867),
            (33, 5069, 47, 5808),
            (180, 1541, 372, 1451),
        ]),
        t(&[
            (0, 50, 2, 50),
            (1, 40, 0, 45),
            (3, 60, 7, 55),
            (2, 70, 9, 66),
        ]),
        t(&[(10, 100, 20, 100), (12, 110, 22, 105), (9, 90, 19, 95)]),
        t(&[
            (1, 50, 2, 50),
            (45, 50, 30, 50),
            (20, 50, 40, 50),
            (5, 50, 5, 50),
        ]),
    ];
    // A fixed xorshift sequence: uniform numbers in [0, 1).
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for (i, tables) in sets.iter().enumerate() {
        let refs: Vec<&TwoByTwo> = tables.iter().collect();
        let best = maximum(&refs).unwrap();
        let (g, h) = (best.terms.g, best.terms.h);
        for (j, gj) in g.iter().enumerate() {
            if j < 2 || best.free[j - 2] {
                assert!(gj.abs() < 1e-6, "set {i}: gradient {g:?}");
            } else {
                // At σ = 0 or τ = 0 the first derivative vanishes by symmetry; the boundary
                // is a maximum in that direction when the curvature is not positive.
                assert!(h[j][j] <= 1e-8, "set {i}: curvature {} at 0", h[j][j]);
            }
        }
        let ll = |p: [f64; 4]| -> f64 {
            refs.iter()
                .map(|t| Study::new(t.a, t.a + t.b, t.c, t.c + t.d).terms(&p).ll)
                .sum()
        };
        for _ in 0..20 {
            let start = [
                -4.0 + 4.0 * uniform(),
                -3.0 + 6.0 * uniform(),
                0.05 + 2.95 * uniform(),
                0.05 + 2.95 * uniform(),
            ];
            assert!(best.terms.ll >= ll(start) - 1e-9, "set {i}: {start:?}");
            if let Ok(o) = maximum_from(&refs, start) {
                assert!(
                    best.terms.ll >= o.terms.ll - 1e-8,
                    "set {i}: from {start:?} reached {} > {}",
                    o.terms.ll,
                    best.terms.ll
                );
            }
        }
    }
}

/// 200 seeded meta-analyses (k from 2 to 13, 5–205 per arm, baseline logits −4 to 0 with a
/// spread up to ±3, log odds ratios −0.5 with a spread up to ±2.25): every one ends converged
/// with finite numbers, or with the separation error where an arm, pooled, has no events or only events.
#[test]
fn random_data_end_in_a_converged_fit_or_a_separation_error() {
    let mut state = 0x1234_5678_9ABC_DEF1_u64;
    let mut u = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..200 {
        let k = 2 + (u() * 12.0) as usize;
        let (base, tau, sigma) = (-4.0 + 4.0 * u(), 1.5 * u(), 2.0 * u());
        let tables: Vec<TwoByTwo> = (0..k)
            .map(|_| {
                let (n1, n2) = (5 + (u() * 200.0) as u64, 5 + (u() * 200.0) as u64);
                let b = base + sigma * (u() - 0.5) * 3.0;
                let theta = -0.5 + tau * (u() - 0.5) * 3.0;
                let p = |eta: f64| 1.0 / (1.0 + (-eta).exp());
                let (p1, p2) = (p(b + theta), p(b));
                let a = (0..n1).filter(|_| u() < p1).count() as u64;
                let c = (0..n2).filter(|_| u() < p2).count() as u64;
                TwoByTwo::new(a, n1, c, n2)
            })
            .collect();
        match um_rs(&tables) {
            Ok(e) => {
                finite(&e);
                assert!(e.info.converged, "{tables:?}");
            }
            Err(err) => {
                assert!(
                    matches!(err, GlmmError::Separated { .. }),
                    "{err}: {tables:?}"
                );
                // An arm without events, or without non-events, over all the studies.
                let sum = |f: fn(&TwoByTwo) -> f64| tables.iter().map(f).sum::<f64>();
                let pooled = [sum(|t| t.a), sum(|t| t.b), sum(|t| t.c), sum(|t| t.d)];
                assert!(pooled.contains(&0.0), "{tables:?}");
            }
        }
    }
}
