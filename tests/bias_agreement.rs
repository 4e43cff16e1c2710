//! Small-study effects against metafor 3.8: every case of `tests/fixtures/metafor_bias.json`
//! (written by `tests/r/bias_fixtures.R` from metadat datasets, every fit converged to 1e-12)
//! is fitted here from the fixture's own studies and each method is compared with metafor's
//! `regtest`, `ranktest`, `trimfill` and `selmodel`, and with meta's Peters, Harbord and
//! Thompson–Sharp tests written out from their documented formulas. A published worked example
//! (trim-and-fill of the passive smoking studies, Lung Cancer 2006) closes the file.

mod support;

use alkstats::effect::two_arm::{peto_effect, TwoArmMeasure, TwoByTwo};
use alkstats::methods::bias::{
    begg, egger, harbord, pet_peese, peters, selection_model, thompson_sharp, trim_and_fill,
    Adjusted, FunnelSide, RegressionTest, SelectionAlternative, TrimFillEstimator,
};
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{
    CompareMethod, FitSettings, GenericMeasure, Level, PredictionMethod, ProportionMeasure,
    RandomCi, TauMethod,
};
use serde_json::Value;
use support::{f, fixture, Checker, CLOSED_FORM, FOUR_DECIMALS, SELECTION_MODEL, TAU2_FLOOR};

fn measure(case: &Value) -> Measure {
    match case["measure"].as_str().unwrap() {
        "OR" => Measure::Binary(TwoArmMeasure::Or),
        "RR" => Measure::Binary(TwoArmMeasure::Rr),
        "RD" => Measure::Binary(TwoArmMeasure::Rd),
        "PLO" => Measure::Proportion(ProportionMeasure::Plogit),
        _ => Measure::Generic(GenericMeasure::Gen),
    }
}

/// The fitted model of a fixture case, built from its studies as an outcome module would.
fn model(case: &Value) -> Rma {
    let peto = case["common"] == "Peto";
    let studies = case["studies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut st = Study::new(
                s["label"].as_str().unwrap(),
                i as u64 + 2,
                f(&s["yi"]),
                f(&s["vi"]),
            );
            if let Some(t) = s["table"].as_array() {
                let c: Vec<f64> = t.iter().map(f).collect();
                let table = TwoByTwo {
                    a: c[0],
                    b: c[1],
                    c: c[2],
                    d: c[3],
                };
                st.table = Some(table);
                if peto {
                    st.effect = peto_effect(&table, 0.5);
                }
            }
            if let Some(e) = s["events"].as_u64() {
                st.events = Some(e);
                st.n = s["n"].as_u64();
            }
            st
        })
        .collect();
    let fit = FitSettings {
        method_tau: case["method_tau"]
            .as_str()
            .unwrap()
            .parse::<TauMethod>()
            .unwrap(),
        random_ci: RandomCi::Classic,
        prediction: PredictionMethod::Z,
        level: Level::new(f(&case["level"])).unwrap(),
    };
    let settings = ModelSettings {
        common: if peto {
            CompareMethod::Peto
        } else {
            CompareMethod::Iv
        },
        ..ModelSettings::inverse_variance(fit)
    };
    Rma::fit(EffectSizes::new(measure(case), studies), settings).unwrap()
}

fn adjusted(c: &mut Checker, what: &str, a: &Adjusted, e: &Value, tol: f64) {
    c.close_v(&format!("{what}.yi"), a.yi, &e["yi"], tol);
    c.close_v(&format!("{what}.se"), a.se, &e["se"], tol);
    c.close_v(&format!("{what}.lower_yi"), a.lower_yi, &e["lower_yi"], tol);
    c.close_v(&format!("{what}.upper_yi"), a.upper_yi, &e["upper_yi"], tol);
    c.close_opt(&format!("{what}.p"), a.p, &e["p"], tol);
}

fn regression(c: &mut Checker, what: &str, r: &RegressionTest, e: &Value) {
    c.close_v(&format!("{what}.bias"), r.bias, &e["bias"], CLOSED_FORM);
    c.close_v(&format!("{what}.se"), r.se, &e["se"], CLOSED_FORM);
    c.close_v(&format!("{what}.stat"), r.stat, &e["stat"], CLOSED_FORM);
    c.close_v(&format!("{what}.df"), r.df, &e["df"], CLOSED_FORM);
    c.close_opt(&format!("{what}.p"), r.p, &e["p"], CLOSED_FORM);
    adjusted(
        c,
        &format!("{what}.limit"),
        &r.limit,
        &e["limit"],
        CLOSED_FORM,
    );
    if let Some(t) = r.tau2 {
        c.close_floor(
            &format!("{what}.tau2"),
            t,
            &e["tau2"],
            CLOSED_FORM,
            TAU2_FLOOR,
        );
    }
}

#[test]
fn small_study_methods_agree_with_metafor() {
    let fx = fixture("metafor_bias.json");
    // One checker per method, so that the closing note can quote each method's agreement.
    let mut checkers: Vec<(&str, Checker)> = [
        "egger",
        "begg",
        "thompson_sharp",
        "peters",
        "harbord",
        "trimfill",
        "pet_peese",
        "selection",
    ]
    .into_iter()
    .map(|m| (m, Checker::default()))
    .collect();
    for case in fx["cases"].as_array().unwrap() {
        let [egger_c, begg_c, ts_c, peters_c, harbord_c, tf_c, pp_c, sel_c] = &mut checkers[..]
        else {
            unreachable!()
        };
        let id = case["id"].as_str().unwrap();
        let m = model(case);
        let e = &case["expected"];
        regression(
            &mut egger_c.1,
            &format!("{id}.egger"),
            &egger(&m).unwrap(),
            &e["egger"],
        );
        let (b, _) = begg(&m).unwrap();
        let c = &mut begg_c.1;
        c.close_v(
            &format!("{id}.begg.tau"),
            b.tau,
            &e["begg"]["tau"],
            CLOSED_FORM,
        );
        c.close_v(&format!("{id}.begg.p"), b.p, &e["begg"]["p"], CLOSED_FORM);
        if b.exact != e["begg"]["exact"].as_bool().unwrap() {
            c.fail(format!(
                "{id}.begg.exact: {} vs {}",
                b.exact, e["begg"]["exact"]
            ));
        }
        let (ts, _) = thompson_sharp(&m).unwrap();
        regression(
            &mut ts_c.1,
            &format!("{id}.thompson_sharp"),
            &ts,
            &e["thompson_sharp"],
        );
        match (peters(&m), e.get("peters")) {
            (Ok(r), Some(x)) => regression(&mut peters_c.1, &format!("{id}.peters"), &r, x),
            (Err(_), None) => {}
            (got, want) => peters_c.1.fail(format!("{id}.peters: {got:?} vs {want:?}")),
        }
        match (harbord(&m), e.get("harbord")) {
            (Ok((r, _)), Some(x)) => regression(&mut harbord_c.1, &format!("{id}.harbord"), &r, x),
            (Err(_), None) => {}
            (got, want) => harbord_c
                .1
                .fail(format!("{id}.harbord: {got:?} vs {want:?}")),
        }
        let c = &mut tf_c.1;
        for (name, est) in [("L0", TrimFillEstimator::L0), ("R0", TrimFillEstimator::R0)] {
            let x = &e["trimfill"][name];
            let what = format!("{id}.trimfill.{name}");
            let t = trim_and_fill(&m, est, None).unwrap();
            if t.k0 as u64 != x["k0"].as_u64().unwrap() || t.side != x["side"].as_str().unwrap() {
                c.fail(format!(
                    "{what}: k0 {} side {} vs {} {}",
                    t.k0, t.side, x["k0"], x["side"]
                ));
                continue;
            }
            c.close_v(&format!("{what}.se_k0"), t.se_k0, &x["se_k0"], CLOSED_FORM);
            c.close_opt(&format!("{what}.p_k0"), t.p_k0, &x["p_k0"], CLOSED_FORM);
            adjusted(c, &what, &t.adjusted, x, CLOSED_FORM);
            c.close_floor(
                &format!("{what}.tau2"),
                t.tau2,
                &x["tau2"],
                CLOSED_FORM,
                TAU2_FLOOR,
            );
            for (i, (got, want)) in t
                .filled
                .iter()
                .zip(x["filled"].as_array().unwrap())
                .enumerate()
            {
                c.close_v(
                    &format!("{what}.filled[{i}].yi"),
                    got.yi,
                    &want["yi"],
                    CLOSED_FORM,
                );
                c.close_v(
                    &format!("{what}.filled[{i}].vi"),
                    got.vi,
                    &want["vi"],
                    CLOSED_FORM,
                );
            }
            // The side given explicitly gives the same result.
            let side = if t.side == "left" {
                FunnelSide::Left
            } else {
                FunnelSide::Right
            };
            if trim_and_fill(&m, est, Some(side)).unwrap().k0 != t.k0 {
                c.fail(format!("{what}: --side {} changes k0", t.side));
            }
        }
        let pp = pet_peese(&m).unwrap();
        adjusted(
            &mut pp_c.1,
            &format!("{id}.pet"),
            &pp.pet,
            &e["pet"],
            CLOSED_FORM,
        );
        adjusted(
            &mut pp_c.1,
            &format!("{id}.peese"),
            &pp.peese,
            &e["peese"],
            CLOSED_FORM,
        );
        let c = &mut sel_c.1;
        if let Some(x) = e.get("selection") {
            let alt = if x["alternative"] == "less" {
                SelectionAlternative::Less
            } else {
                SelectionAlternative::Greater
            };
            let what = format!("{id}.selection");
            let (s, _) = selection_model(&m, alt).unwrap();
            adjusted(c, &what, &s.adjusted, x, SELECTION_MODEL);
            c.close_v(&format!("{what}.tau2"), s.tau2, &x["tau2"], SELECTION_MODEL);
            c.close_opt(
                &format!("{what}.se_tau2"),
                s.se_tau2,
                &x["se_tau2"],
                SELECTION_MODEL,
            );
            c.close_v(
                &format!("{what}.delta"),
                s.delta,
                &x["delta"],
                SELECTION_MODEL,
            );
            c.close_opt(
                &format!("{what}.se_delta"),
                s.se_delta,
                &x["se_delta"],
                SELECTION_MODEL,
            );
            c.close_opt(
                &format!("{what}.lower_delta"),
                s.lower_delta,
                &x["lower_delta"],
                SELECTION_MODEL,
            );
            c.close_opt(
                &format!("{what}.upper_delta"),
                s.upper_delta,
                &x["upper_delta"],
                SELECTION_MODEL,
            );
            c.close_v(&format!("{what}.lrt"), s.lrt, &x["lrt"], SELECTION_MODEL);
            c.close_opt(
                &format!("{what}.lrt_p"),
                s.lrt_p,
                &x["lrt_p"],
                SELECTION_MODEL,
            );
            let k: Vec<u64> = x["k_per_interval"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            if s.k_per_interval
                .iter()
                .map(|&v| v as u64)
                .collect::<Vec<_>>()
                != k
            {
                c.fail(format!(
                    "{what}.k_per_interval: {:?} vs {k:?}",
                    s.k_per_interval
                ));
            }
        }
    }
    for (method, c) in checkers {
        c.finish(&format!("{method} vs metafor 3.8"));
    }
}

/// Lung Cancer 2006;51(2):245–246 (doi:10.1016/j.lungcan.2005.11.004), abstract: trim-and-fill
/// of the 37 passive-smoking studies of Hackshaw et al. (1997) fills 7 studies and gives a
/// relative risk of 1.19 (95% CI 1.08–1.31, p = 0.0004), down from the DerSimonian–Laird 1.24
/// (1.13–1.36; Copas & Shi, BMJ 2000;320:417, abstract: "24% … 13% to 36%").
#[test]
fn passive_smoking_trim_and_fill_reproduces_the_published_example() {
    let fx = fixture("metafor_bias.json");
    let case = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "passive_smoking_dl")
        .unwrap();
    let mut m = model(case);
    // Published on the odds-ratio scale.
    let studies = m.data().studies.clone();
    m = Rma::fit(
        EffectSizes::new(Measure::Generic(GenericMeasure::Or), studies),
        *m.settings(),
    )
    .unwrap();
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    let r = m.random();
    assert_eq!(
        [r.yi, r.lower, r.upper].map(|v| round2(v.exp())),
        [1.24, 1.13, 1.36]
    );
    let t = trim_and_fill(&m, TrimFillEstimator::L0, None).unwrap();
    assert_eq!((t.k0, t.k, t.side), (7, 44, "left"));
    assert_eq!(
        [t.adjusted.estimate, t.adjusted.lower, t.adjusted.upper].map(|v| round2(v.unwrap())),
        [1.19, 1.08, 1.31]
    );
    assert!((t.adjusted.p.unwrap() - 0.0004).abs() <= FOUR_DECIMALS);
}
