//! Per-study confidence intervals against R: `tests/fixtures/binomial_ci.json`, produced by
//! `tests/r/metafor_fixtures.R` (qbeta for Clopper–Pearson and Jeffreys, checked there against
//! `binom.test`; `prop.test(correct = FALSE)` for Wilson; the closed forms for Agresti–Coull
//! and Wald).

mod support;

use alkstats::effect::binomial_ci::proportion_ci;
use alkstats::settings::StudyCi;
use support::{f, fixture, Checker, CLOSED_FORM};

#[test]
fn every_method_matches_r() {
    let fx = fixture("binomial_ci.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 100);
    let mut chk = Checker::default();
    for c in cases {
        let (x, n, level) = (
            c["x"].as_u64().unwrap(),
            c["n"].as_u64().unwrap(),
            f(&c["level"]),
        );
        for (method, key) in [
            (StudyCi::ClopperPearson, "clopper_pearson"),
            (StudyCi::Wilson, "wilson"),
            (StudyCi::AgrestiCoull, "agresti_coull"),
            (StudyCi::Jeffreys, "jeffreys"),
            (StudyCi::Wald, "wald"),
        ] {
            let (lo, hi) = proportion_ci(x, n, level, method).unwrap();
            let id = format!("{x}/{n} at {level} {key}");
            chk.close(&format!("{id} lower"), lo, f(&c[key][0]), CLOSED_FORM);
            chk.close(&format!("{id} upper"), hi, f(&c[key][1]), CLOSED_FORM);
        }
    }
    chk.finish("binomial_ci.json");
}

#[test]
fn undefined_inputs_give_none() {
    assert_eq!(proportion_ci(1, 0, 0.95, StudyCi::Wilson), None);
    assert_eq!(proportion_ci(5, 4, 0.95, StudyCi::ClopperPearson), None);
}
