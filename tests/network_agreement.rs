//! Agreement of `alkstats network` with metafor 3.8 (`tests/fixtures/metafor_network.json`,
//! written by `Rscript tests/r/network_fixtures.R`):
//!
//! - τ²: REML from `rma.mv(yi, V, mods = X, random = ~ comp | study, rho = 1/2)` (polished
//!   by solving the REML score equation in R); DL from the closed-form generalised
//!   DerSimonian–Laird estimator computed in R;
//! - every ordered pairwise effect (yi, se) from `coef()`/`vcov()` of `rma.mv` at that τ²
//!   (`method = "FE"` for the common-effect model);
//! - P-scores computed in R from those estimates (`pnorm`);
//! - Q, Q within designs (QE of `rma.mv` with one parameter per design and contrast) and
//!   Q between designs;
//! - node-splits by back-calculation from those estimates (R re-derivation).
//!
//! Cases: the shipped ALK hazard ratios, run through the same entry point as the CLI
//! (`hr_network` on the embedded `data/alk_nsclc_hr.csv`): first-line PFS (a tree), PFS over
//! every setting (one loop), first-line OS; and the Senn et al. (2013) diabetes network with
//! its three-arm trial, given as contrast rows.

mod support;

use alkstats::data::{load_hr, EMBEDDED_HR};
use alkstats::network::hr::{hr_network, HrNetworkSettings};
use alkstats::network::settings::EffectScale;
use alkstats::network::{
    analyse, ComponentAnalysis, Contrast, NetworkModel, NetworkSettings, SmallValues,
};
use alkstats::settings::{Endpoint, TauMethod};
use serde_json::Value;
use support::{f, fixture, Checker, ARITHMETIC, CLOSED_FORM, ITERATIVE, ROUND_OFF, TAU2_FLOOR};

fn settings(
    method: TauMethod,
    model: NetworkModel,
    small: SmallValues,
    reference: &str,
) -> NetworkSettings {
    NetworkSettings {
        model,
        method_tau: method,
        reference: Some(reference.to_string()),
        small_values: small,
        ..NetworkSettings::default()
    }
}

/// Runs one case through the library: HR cases from the embedded data, Senn from its rows.
fn run(case: &Value, s: NetworkSettings) -> ComponentAnalysis {
    let name = case["name"].as_str().unwrap();
    let hr = |endpoint: Endpoint, setting: Option<&str>| {
        let (rows, _) = load_hr("data/alk_nsclc_hr.csv", EMBEDDED_HR.as_bytes()).unwrap();
        let report = hr_network(
            &rows,
            "data/alk_nsclc_hr.csv",
            &HrNetworkSettings {
                network: s.clone(),
                endpoint,
                setting: setting.map(String::from),
                keep_overlapping: false,
            },
        )
        .unwrap();
        assert!(report.connected, "{name}");
        report.analysis
    };
    match name {
        "alk_pfs_first_line" => hr(Endpoint::Pfs, Some("first-line")),
        "alk_pfs_all_settings" => hr(Endpoint::Pfs, None),
        "alk_os_first_line" => hr(Endpoint::Os, Some("first-line")),
        "senn2013" => {
            let rows: Vec<Contrast> = case["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| Contrast {
                    label: r["study"].as_str().unwrap().to_string(),
                    study: r["study"].as_str().unwrap().to_string(),
                    treatment: r["treatment"].as_str().unwrap().to_string(),
                    comparator: r["comparator"].as_str().unwrap().to_string(),
                    yi: f(&r["yi"]),
                    vi: f(&r["vi"]),
                    n_treatment: None,
                    n_comparator: None,
                })
                .collect();
            let s = NetworkSettings {
                scale: EffectScale::Difference,
                ..s
            };
            let a = analyse(&rows, &s).unwrap();
            assert!(a.others.is_empty());
            a.main
        }
        other => panic!("unknown case {other}"),
    }
}

fn check_effects(chk: &mut Checker, id: &str, a: &ComponentAnalysis, expected: &Value, tol: f64) {
    let expected = expected.as_array().unwrap();
    let n = a.treatments.len();
    if expected.len() != n * (n - 1) || a.effects.len() != expected.len() {
        chk.fail(format!(
            "{id}: {} effects vs {} in the fixture",
            a.effects.len(),
            expected.len()
        ));
    }
    for e in expected {
        let (t, c) = (
            e["treatment"].as_str().unwrap(),
            e["comparator"].as_str().unwrap(),
        );
        match a.effect(t, c) {
            Some(got) => {
                chk.close_v(&format!("{id} {t} vs {c} yi"), got.yi, &e["yi"], tol);
                chk.close_v(&format!("{id} {t} vs {c} se"), got.se, &e["se"], tol);
            }
            None => chk.fail(format!("{id}: no effect {t} vs {c}")),
        }
    }
}

fn check_scores(chk: &mut Checker, id: &str, a: &ComponentAnalysis, expected: &Value, tol: f64) {
    for (t, v) in expected.as_object().unwrap() {
        match a.ranking.iter().find(|r| &r.treatment == t) {
            Some(r) => chk.close_v(&format!("{id} P-score {t}"), r.p_score, v, tol),
            None => chk.fail(format!("{id}: no P-score for {t}")),
        }
    }
}

fn check_splits(chk: &mut Checker, id: &str, a: &ComponentAnalysis, expected: &Value, tol: f64) {
    let expected = expected.as_array().unwrap();
    if a.node_split.len() != expected.len() {
        chk.fail(format!(
            "{id}: {} node-splits vs {} in the fixture",
            a.node_split.len(),
            expected.len()
        ));
    }
    for e in expected {
        let (t, c) = (
            e["treatment"].as_str().unwrap(),
            e["comparator"].as_str().unwrap(),
        );
        // alkstats states a comparison the way the data first do; the fixture in network
        // order. Either way round, the effects differ only in sign.
        let Some((s, sign)) = a.node_split.iter().find_map(|s| {
            if s.treatment == t && s.comparator == c {
                Some((s, 1.0))
            } else if s.treatment == c && s.comparator == t {
                Some((s, -1.0))
            } else {
                None
            }
        }) else {
            chk.fail(format!("{id}: no node-split {t} vs {c}"));
            continue;
        };
        let w = format!("{id} split {t} vs {c}");
        chk.close_v(
            &format!("{w} direct yi"),
            sign * s.direct.yi,
            &e["direct_yi"],
            tol,
        );
        chk.close_v(&format!("{w} direct se"), s.direct.se, &e["direct_se"], tol);
        chk.close_v(
            &format!("{w} indirect yi"),
            sign * s.indirect.yi,
            &e["indirect_yi"],
            tol,
        );
        chk.close_v(
            &format!("{w} indirect se"),
            s.indirect.se,
            &e["indirect_se"],
            tol,
        );
        chk.close_v(
            &format!("{w} network yi"),
            sign * s.network.yi,
            &e["network_yi"],
            tol,
        );
        chk.close_v(
            &format!("{w} network se"),
            s.network.se,
            &e["network_se"],
            tol,
        );
        chk.close_v(
            &format!("{w} proportion"),
            s.direct_proportion,
            &e["direct_proportion"],
            tol,
        );
    }
}

/// Every quantity of every case, with the largest relative difference per kind of quantity
/// printed (`cargo test --test network_agreement -- --nocapture`).
#[test]
fn network_matches_metafor() {
    let fx = fixture("metafor_network.json");
    let mut kinds: Vec<(&str, Checker)> = ["tau2", "effects", "p_scores", "q", "node_split"]
        .into_iter()
        .map(|k| (k, Checker::default()))
        .collect();
    let idx = |k: &str| {
        ["tau2", "effects", "p_scores", "q", "node_split"]
            .iter()
            .position(|x| *x == k)
            .unwrap()
    };
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reference = case["reference"].as_str().unwrap();
        // Common-effect model.
        let common = run(
            case,
            settings(
                TauMethod::Dl,
                NetworkModel::Common,
                SmallValues::Good,
                reference,
            ),
        );
        assert_eq!(common.reference, reference);
        let id = format!("{name} common");
        check_effects(
            &mut kinds[idx("effects")].1,
            &id,
            &common,
            &case["common"]["effects"],
            CLOSED_FORM,
        );
        check_scores(
            &mut kinds[idx("p_scores")].1,
            &id,
            &common,
            &case["common"]["p_scores"],
            CLOSED_FORM,
        );
        check_splits(
            &mut kinds[idx("node_split")].1,
            &id,
            &common,
            &case["common"]["node_split"],
            CLOSED_FORM,
        );
        let h = &case["heterogeneity"];
        let got = &common.heterogeneity;
        let q = &mut kinds[idx("q")].1;
        q.close_v(&format!("{name} Q"), got.q, &h["q"], CLOSED_FORM);
        q.close_opt(&format!("{name} p"), got.p, &h["p"], CLOSED_FORM);
        q.close_v(
            &format!("{name} Q within"),
            got.q_within_designs,
            &h["q_within_designs"],
            CLOSED_FORM,
        );
        q.close_v(
            &format!("{name} Q between"),
            got.q_inconsistency,
            &h["q_inconsistency"],
            CLOSED_FORM,
        );
        for (what, a, e) in [
            ("df", got.df, &h["df"]),
            ("df within", got.df_within_designs, &h["df_within_designs"]),
            ("df between", got.df_inconsistency, &h["df_inconsistency"]),
        ] {
            if Some(a as u64) != e.as_u64() {
                q.fail(format!("{name} {what}: alkstats {a} vs metafor {e}"));
            }
        }
        // Random-effects model, both estimators.
        for (method, key, tol) in [
            (TauMethod::Reml, "REML", ITERATIVE),
            (TauMethod::Dl, "DL", CLOSED_FORM),
        ] {
            let m = &case[key];
            let id = format!("{name} {key}");
            let a = run(
                case,
                settings(method, NetworkModel::Random, SmallValues::Good, reference),
            );
            kinds[idx("tau2")].1.close_floor(
                &format!("{id} tau2"),
                a.tau2,
                &m["tau2"],
                tol,
                TAU2_FLOOR,
            );
            check_effects(&mut kinds[idx("effects")].1, &id, &a, &m["effects"], tol);
            check_scores(&mut kinds[idx("p_scores")].1, &id, &a, &m["p_scores"], tol);
            check_splits(
                &mut kinds[idx("node_split")].1,
                &id,
                &a,
                &m["node_split"],
                tol,
            );
            let large = run(
                case,
                settings(method, NetworkModel::Random, SmallValues::Bad, reference),
            );
            check_scores(
                &mut kinds[idx("p_scores")].1,
                &format!("{id} large-good"),
                &large,
                &m["p_scores_large_good"],
                tol,
            );
        }
    }
    for (kind, chk) in kinds {
        chk.finish(&format!("network {kind} vs metafor"));
    }
}

/// The design decomposition adds up and its degrees of freedom follow Krahn et al. (2013,
/// Table 1): df = Σ(kₛ − 1) − (n − 1), df_inc = Σ_d(k_d − 1) − (n − 1).
#[test]
fn q_decomposition_adds_up() {
    let fx = fixture("metafor_network.json");
    for case in fx["cases"].as_array().unwrap() {
        let a = run(
            case,
            settings(
                TauMethod::Reml,
                NetworkModel::Random,
                SmallValues::Good,
                case["reference"].as_str().unwrap(),
            ),
        );
        let h = &a.heterogeneity;
        assert!((h.q - h.q_within_designs - h.q_inconsistency).abs() < ARITHMETIC * h.q.max(1.0));
        assert_eq!(h.df, h.df_within_designs + h.df_inconsistency);
        let design_q: f64 = h.designs.iter().map(|d| d.q).sum();
        assert!((design_q - h.q_within_designs).abs() < ROUND_OFF);
        // P-scores average 1/2 (Rücker & Schwarzer 2015).
        let mean = a.ranking.iter().map(|r| r.p_score).sum::<f64>() / a.ranking.len() as f64;
        assert!((mean - 0.5).abs() < ROUND_OFF);
    }
}

/// Senn et al. (2013, "Issues in performing a network meta-analysis", Stat Methods Med Res
/// 22:169–189) analysed the diabetes network with an arm-based model with fixed study effects;
/// metadat's documentation of `dat.senn2013` (Examples) reproduces that analysis with
/// `rma.mv(yi, vi, mods = ~ study + treatment - 1)` on the 53 arm means, and its
/// random-effects version with `random = ~ treatment | study, rho = 1/2`. Those fits see the
/// arms, so they need nothing derived from contrast variances: the contrast-based fit of the
/// 28 pairwise mean differences, where the three-arm Willms (1999) trial's covariance is
/// derived from its three contrast variances, must give the same effects, Q (96.98, df 18) and
/// REML τ² (0.0999).
#[test]
fn senn2013_contrast_model_equals_the_arm_based_analysis() {
    let fx = fixture("metafor_network.json");
    let arm = &fx["senn2013_arm_based"];
    let case = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "senn2013")
        .unwrap();
    let mut chk = Checker::default();
    for (model, key, tol) in [
        (NetworkModel::Common, "common", CLOSED_FORM),
        (NetworkModel::Random, "REML", ITERATIVE),
    ] {
        let a = run(
            case,
            settings(TauMethod::Reml, model, SmallValues::Good, "placebo"),
        );
        for e in arm[key]["effects"].as_array().unwrap() {
            let t = e["treatment"].as_str().unwrap();
            let got = a.effect(t, "placebo").unwrap();
            chk.close_v(&format!("{key} {t} yi"), got.yi, &e["yi"], tol);
            chk.close_v(&format!("{key} {t} se"), got.se, &e["se"], tol);
        }
        if key == "REML" {
            chk.close_v("REML tau2", a.tau2, &arm["REML"]["tau2"], tol);
        } else {
            chk.close_v("Q", a.heterogeneity.q, &arm["common"]["q"], tol);
            assert_eq!(
                Some(a.heterogeneity.df as u64),
                arm["common"]["df"].as_u64()
            );
        }
    }
    chk.finish("senn2013 contrast-based vs arm-based (metadat example)");
}
