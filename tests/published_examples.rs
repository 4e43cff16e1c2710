//! Published worked examples, compared at the precision they were printed.
//!
//! Sources (see `tests/fixtures/published.json` for each case's citation and provenance):
//! - Viechtbauer (2010), J Stat Softw 36(3): BCG vaccine data, REML fit and `confint`, §3.4
//!   p. 14; `predict(res, transf = exp)`, §3.5 p. 21.
//! - Raudenbush (2009), Handbook of Research Synthesis and Meta-Analysis, 2nd ed., Table 16.3
//!   p. 309 (EE, ML, REML, DL, HE, each with and without Knapp–Hartung).
//! - Normand (1999), Stat Med 18:321–359, Table IX p. 352.
//! - Miller (1978), Am Stat 32(4):138 (Freeman–Tukey back-transformation by the harmonic mean).
//!
//! A printed value with d decimals must equal ours rounded, i.e. lie within half a unit of its
//! last digit. The two BCG bounds that metafor itself prints off in the 4th decimal (its
//! root-finder's default tolerance; see the case's `note`) are compared with the tightly
//! converged metafor value instead.

mod support;

use alkstats::effect::proportion::{back_transform, harmonic_mean, proportion_effect};
use alkstats::fit::fit;
use alkstats::settings::{
    FitSettings, Level, PredictionMethod, ProportionMeasure, RandomCi, TauMethod,
};
use serde_json::Value;
use std::collections::BTreeMap;
use support::{f, fixture, Checker, ITERATIVE, ROUND_OFF};

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

/// Our values for the quantities a case prints, keyed like the fixture.
fn ours(c: &Value) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let (yi, vi) = (floats(&c["yi"]), floats(&c["vi"]));
    let method = c["method_tau"].as_str().unwrap();
    let knha = c["test"] == "knha";
    let settings = FitSettings {
        method_tau: if method == "EE" {
            TauMethod::Dl
        } else {
            method.parse().unwrap()
        },
        random_ci: if knha {
            RandomCi::Hk
        } else {
            RandomCi::Classic
        },
        prediction: PredictionMethod::Z,
        level: Level::default(),
    };
    let fit = fit(&yi, &vi, &settings).unwrap();
    let model = if c["model"] == "common" {
        fit.common
    } else {
        fit.random
    };
    let het = fit.heterogeneity.unwrap();
    let tau2 = if c["model"] == "common" {
        0.0
    } else {
        het.tau2
    };
    let i2 = |t: f64| 100.0 * t / (t + het.s2);
    let h2 = |t: f64| (t + het.s2) / het.s2;
    let (lo, hi) = (het.tau2_lower.unwrap(), het.tau2_upper.unwrap());
    let pairs = [
        ("estimate", model.yi),
        ("se", model.se),
        ("z", model.stat),
        ("t", model.stat),
        ("lower", model.lower),
        ("upper", model.upper),
        ("tau2", tau2),
        ("tau", tau2.sqrt()),
        ("q", het.q),
        ("i2_tau", het.i2_tau),
        ("h2_tau", het.h2_tau),
        ("tau2_lower", lo),
        ("tau2_upper", hi),
        ("tau_lower", lo.sqrt()),
        ("tau_upper", hi.sqrt()),
        ("i2_tau_lower", i2(lo)),
        ("i2_tau_upper", i2(hi)),
        ("h2_tau_lower", h2(lo)),
        ("h2_tau_upper", h2(hi)),
        ("estimate_bt", model.yi.exp()),
        ("lower_bt", model.lower.exp()),
        ("upper_bt", model.upper.exp()),
    ];
    for (k, v) in pairs {
        out.insert(k.to_string(), v);
    }
    if let Some(p) = fit.prediction {
        out.insert("pi_lower_bt".into(), p.lower.exp());
        out.insert("pi_upper_bt".into(), p.upper.exp());
    }
    if c["sm"] == "PFT" {
        // Miller's transform is twice metafor's; his variances four times.
        let events: Vec<u64> = c["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let n: Vec<u64> = c["n"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        for (i, (&x, &m)) in events.iter().zip(&n).enumerate() {
            let e = proportion_effect(x, m, ProportionMeasure::Pft, 0.5);
            out.insert(format!("yi{}_doubled", i + 1), 2.0 * e.yi);
            out.insert(format!("vi{}_x4", i + 1), 4.0 * e.vi);
        }
        out.insert("estimate_t_doubled".into(), 2.0 * fit.common.yi);
        let hm = harmonic_mean(&n);
        out.insert(
            "estimate".into(),
            back_transform(fit.common.yi, ProportionMeasure::Pft, hm).unwrap(),
        );
    }
    out
}

#[test]
fn published_examples_reproduce_when_rounded() {
    let fx = fixture("published.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut chk = Checker::default();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let ours = ours(c);
        let tight_only: Vec<&str> = c["mismatch_tight"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (key, printed) in c["printed"].as_object().unwrap() {
            if key == "se_tau2" {
                continue; // the SE of τ² (inverse Fisher information) is not an alkstats output
            }
            let Some(&value) = ours.get(key) else {
                chk.fail(format!("{name}: no alkstats value for printed '{key}'"));
                continue;
            };
            chk.compared += 1;
            if tight_only.contains(&key.as_str()) {
                chk.close(
                    &format!("{name} {key} (vs tight metafor)"),
                    value,
                    f(&c["metafor_tight"][key]),
                    ITERATIVE,
                );
                continue;
            }
            let d = c["decimals"][key].as_i64().unwrap() as i32;
            let half_unit = 0.5 * 10f64.powi(-d) + ROUND_OFF;
            if (value - f(printed)).abs() > half_unit {
                chk.fail(format!("{name} {key}: alkstats {value} does not round to printed {printed} ({d} decimals)"));
            }
        }
    }
    chk.finish("published examples");
}
