//! Continuous-outcome effect sizes against metafor 3.8-1, and median-to-mean conversions
//! against an independent R re-computation of the published formulas.
//!
//! The fixture `tests/fixtures/continuous_effects.json` is produced by
//! `Rscript tests/r/continuous_effects.R` (R 4.2.2, metafor 3.8-1): `escalc(measure = "MD" /
//! "SMD" / "ROM", ...)` with its defaults on `dat.normand1999` and `dat.curtis1998`; every case
//! records its R call. R is not needed to run these tests.

mod support;

use alkstats::effect::continuous::{continuous_effect, ArmSummary, ContinuousMeasure};
use alkstats::effect::median_to_mean::{
    estimate_mean_sd, luo_mean, shi_sd, wan_sd, wan_xi, MedianSummary, SdChoice, SdMethod,
};
use serde_json::Value;
use support::{f, fixture, Checker};

/// Closed-form quantities computed the same way in R and Rust: relative 1e-10.
const TOL: f64 = 1e-10;

fn column(case: &Value, key: &str) -> Vec<f64> {
    case[key].as_array().unwrap().iter().map(f).collect()
}

#[test]
fn md_smd_rom_match_metafor_escalc() {
    let fx = fixture("continuous_effects.json");
    assert_eq!(fx["metafor_version"], "3.8.1");
    let mut chk = Checker::default();
    let mut cases = 0;
    for case in fx["effects"].as_array().unwrap() {
        let measure: ContinuousMeasure = case["measure"].as_str().unwrap().parse().unwrap();
        let id = format!("{}/{measure}", case["dataset"].as_str().unwrap());
        let [n1, m1, s1, n2, m2, s2, yi, vi] =
            ["n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i", "yi", "vi"].map(|k| column(case, k));
        for i in 0..yi.len() {
            let t = ArmSummary::new(n1[i], m1[i], s1[i]);
            let c = ArmSummary::new(n2[i], m2[i], s2[i]);
            match continuous_effect(measure, &t, &c) {
                Ok(e) => {
                    chk.close(&format!("{id} yi[{i}]"), e.yi, yi[i], TOL);
                    chk.close(&format!("{id} vi[{i}]"), e.vi, vi[i], TOL);
                }
                Err(err) => chk.fail(format!("{id} row {i}: {err}")),
            }
        }
        cases += 1;
    }
    assert_eq!(cases, 6, "2 datasets × 3 measures");
    chk.finish("continuous effects vs metafor escalc");
}

#[test]
fn median_conversions_match_independent_r_recomputation() {
    // Not metafor output: metafor 3.8 has no median conversion (conv.fivenum came in 4.0) and
    // R `meta` is not packaged for Debian, so tests/r/continuous_effects.R re-computes the
    // formulas of Luo 2018, Wan 2014 (Φ⁻¹ forms) and Shi 2020 in R, written from the papers.
    // It checks the Rust transcription, not the formulas themselves.
    let fx = fixture("continuous_effects.json");
    let mut chk = Checker::default();
    let cases = fx["median_to_mean"].as_array().unwrap();
    assert_eq!(cases.len(), 42);
    for c in cases {
        let opt = |k: &str| c[k].as_f64();
        let n = f(&c["n"]);
        let id = format!("{} n={n}", c["scenario"].as_str().unwrap());
        let s = MedianSummary::from_parts(
            opt("min"),
            opt("q1"),
            f(&c["median"]),
            opt("q3"),
            opt("max"),
        )
        .unwrap();
        chk.close(
            &format!("{id} mean"),
            luo_mean(&s, n).unwrap().0,
            f(&c["mean"]),
            TOL,
        );
        chk.close(
            &format!("{id} sd wan"),
            wan_sd(&s, n).unwrap().0,
            f(&c["sd_wan"]),
            TOL,
        );
        chk.close_opt(
            &format!("{id} sd shi"),
            shi_sd(&s, n).unwrap(),
            &c["sd_shi"],
            TOL,
        );
        let e = estimate_mean_sd(&s, n, SdChoice::Shi).unwrap();
        let expected_sd = c["sd_shi"].as_f64().unwrap_or_else(|| f(&c["sd_wan"]));
        chk.close(&format!("{id} estimate sd"), e.sd, expected_sd, TOL);
        assert_eq!(
            e.sd_method == SdMethod::ShiFiveNumber,
            c["scenario"] == "S3",
            "{id}: {}",
            e.sd_method
        );
    }
    chk.finish("median conversions vs R re-computation");
}

#[test]
fn wan_xi_is_close_to_published_table() {
    // Wan et al. (2014), BMC Med Res Methodol 14:135, Table 1 ("Values of ξ(n) in the formula
    // (7) and the formula (12) for n ≤ 50"): ξ(10) = 3.078, ξ(30) = 4.086, ξ(50) = 4.498 — the
    // exact expected range of n standard normals. alkstats uses the Φ⁻¹ approximation
    // (their eq. 9), which the paper recommends beyond n = 50; it is within 1% at these n.
    for (n, table) in [(10.0, 3.078), (30.0, 4.086), (50.0, 4.498)] {
        let rel = (wan_xi(n) - table) / table;
        assert!(
            rel.abs() < 0.01,
            "n = {n}: ξ = {} vs table {table}",
            wan_xi(n)
        );
    }
}

#[test]
fn invalid_inputs_are_errors_not_nan() {
    let ok = ArmSummary::new(20.0, 3.0, 1.0);
    for bad in [
        ArmSummary::new(1.0, 3.0, 1.0),
        ArmSummary::new(20.0, 3.0, 0.0),
        ArmSummary::new(20.0, 3.0, -1.0),
        ArmSummary::new(f64::INFINITY, 3.0, 1.0),
        ArmSummary::new(20.0, f64::NAN, 1.0),
    ] {
        for m in ContinuousMeasure::ALL {
            assert!(continuous_effect(*m, &ok, &bad).is_err(), "{m} {bad:?}");
            assert!(continuous_effect(*m, &bad, &ok).is_err(), "{m} {bad:?}");
        }
    }
    let zero_mean = ArmSummary::new(20.0, 0.0, 1.0);
    assert!(continuous_effect(ContinuousMeasure::Rom, &ok, &zero_mean).is_err());
    assert!(continuous_effect(ContinuousMeasure::Md, &ok, &zero_mean).is_ok());
}
