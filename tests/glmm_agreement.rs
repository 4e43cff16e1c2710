//! GLMMs against the exact marginal likelihood computed independently in R (`integrate()`,
//! rel.tol 1e-10, maximised by `nlminb`) and against metafor 3.8 `rma.glmm` (nAGQ = 7), from
//! `tests/r/glmm_fixtures.R` (fixture `tests/fixtures/glmm.json`).

mod support;

use alkstats::effect::two_arm::TwoByTwo;
use alkstats::fit::glmm::likelihood::Binomial;
use alkstats::fit::glmm::random_intercept::{Marginal, Objective};
use alkstats::fit::glmm::{fit_odds_ratio, fit_proportions, GlmmEstimate};
use alkstats::settings::GlmmModel;
use serde_json::Value;
use support::{f, fixture, Checker, GLMM_NAGQ, GLMM_OPTIM, ITERATIVE, TAU2_FLOOR};

fn counts(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| f(x) as u64).collect()
}

/// μ̂, τ̂², SE and log likelihood against a reference block (`exact` or `metafor`).
fn check(c: &mut Checker, what: &str, e: &GlmmEstimate, r: &Value, tol: f64, loglik: bool) {
    c.close_v(&format!("{what} mu"), e.random.0, &r["mu"], tol);
    c.close_floor(&format!("{what} tau2"), e.tau2, &r["tau2"], tol, TAU2_FLOOR);
    if !r["se"].is_null() {
        c.close_v(&format!("{what} se"), e.random.1, &r["se"], tol);
    }
    c.close_v(
        &format!("{what} mu_common"),
        e.common.0,
        &r["mu_common"],
        tol,
    );
    if !r["se_common"].is_null() {
        c.close_v(
            &format!("{what} se_common"),
            e.common.1,
            &r["se_common"],
            tol,
        );
    }
    if loglik {
        // 1e-8 of the log likelihood, which R's integrate() meets at rel.tol 1e-10.
        c.close_v(&format!("{what} loglik"), e.info.loglik, &r["loglik"], 1e-8);
        c.close_v(
            &format!("{what} loglik_common"),
            e.info.loglik_common,
            &r["loglik_common"],
            1e-8,
        );
    }
}

#[test]
fn proportions_match_the_exact_likelihood_and_metafor() {
    let fx = fixture("glmm.json");
    let mut exact = Checker::default();
    let mut metafor = Checker::default();
    for set in fx["plo"].as_array().unwrap() {
        let name = set["name"].as_str().unwrap();
        let (x, n) = (counts(&set["xi"]), counts(&set["ni"]));
        let e = fit_proportions(&x, &n).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(e.info.converged, "{name}: not converged");
        check(&mut exact, name, &e, &set["exact"], ITERATIVE, true);
        // The quadrature at fixed points against integrate().
        let studies = Binomial::proportions(&x, &n);
        let mut m = Marginal::new(&studies);
        for p in set["exact"]["points"].as_array().unwrap() {
            let ll = m.at(f(&p["mu"]), f(&p["tau"])).ll;
            exact.close(&format!("{name} loglik at {p}"), ll, f(&p["loglik"]), 1e-9);
        }
        let mf = &set["metafor"];
        metafor.close_v(&format!("{name} mu"), e.random.0, &mf["mu"], GLMM_NAGQ);
        metafor.close_floor(
            &format!("{name} tau2"),
            e.tau2,
            &mf["tau2"],
            GLMM_NAGQ,
            1e-6,
        );
        metafor.close_v(&format!("{name} se"), e.random.1, &mf["se"], GLMM_NAGQ);
        // The common effect (logistic regression) is exact in both.
        metafor.close_v(
            &format!("{name} mu_common"),
            e.common.0,
            &mf["mu_common"],
            ITERATIVE,
        );
        metafor.close_v(
            &format!("{name} se_common"),
            e.common.1,
            &mf["se_common"],
            ITERATIVE,
        );
        metafor.close_v(
            &format!("{name} q_lrt"),
            e.info.q_lrt,
            &mf["q_lrt"],
            ITERATIVE,
        );
        if x.iter().zip(&n).all(|(&x, &n)| x > 0 && x < n) {
            // With a zero cell metafor's saturated glm stops at a large finite estimate.
            metafor.close_v(
                &format!("{name} q_wald"),
                e.q_wald,
                &mf["q_wald"],
                ITERATIVE,
            );
        }
    }
    exact.finish("GLMM PLO vs exact likelihood");
    metafor.finish("GLMM PLO vs metafor rma.glmm");
}

fn tables(set: &Value) -> Vec<TwoByTwo> {
    let (a, n1, c, n2) = (
        counts(&set["ai"]),
        counts(&set["n1i"]),
        counts(&set["ci"]),
        counts(&set["n2i"]),
    );
    (0..a.len())
        .map(|i| TwoByTwo::new(a[i], n1[i], c[i], n2[i]))
        .collect()
}

#[test]
fn odds_ratio_models_match_the_exact_likelihood_and_metafor() {
    let fx = fixture("glmm.json");
    let mut exact = Checker::default();
    let mut metafor = Checker::default();
    for set in fx["or"].as_array().unwrap() {
        let name = set["name"].as_str().unwrap();
        let t = tables(set);
        for (key, model) in [
            ("CM.EL", GlmmModel::CmEl),
            ("CM.AL", GlmmModel::CmAl),
            ("UM.FS", GlmmModel::UmFs),
        ] {
            let what = format!("{name} {key}");
            let r = &set["models"][key];
            let e = fit_odds_ratio(&t, model).unwrap_or_else(|err| panic!("{what}: {err}"));
            if !r["exact"].is_null() {
                check(&mut exact, &what, &e, &r["exact"], ITERATIVE, true);
            }
            let mf = &r["metafor"];
            if mf.is_null() {
                continue;
            }
            let tol = if model == GlmmModel::CmEl {
                GLMM_OPTIM
            } else {
                GLMM_NAGQ
            };
            metafor.close_v(&format!("{what} mu"), e.random.0, &mf["mu"], tol);
            metafor.close_floor(&format!("{what} tau2"), e.tau2, &mf["tau2"], tol, 1e-4);
            metafor.close_v(
                &format!("{what} mu_common"),
                e.common.0,
                &mf["mu_common"],
                tol,
            );
            if !e.info.boundary {
                metafor.close_v(&format!("{what} se"), e.random.1, &mf["se"], tol);
            }
        }
    }
    exact.finish("GLMM OR vs exact likelihood");
    metafor.finish("GLMM OR vs metafor rma.glmm");
}
