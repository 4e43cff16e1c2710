//! The JSON report contract of `alkstats pool` (docs/json-contract.md) as the CLI tests check
//! it, and accessors of its analyses and studies by label.

use super::ARITHMETIC;
use serde_json::Value;

pub fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, found {v}"))
}

pub fn analysis<'a>(report: &'a Value, group: &str) -> &'a Value {
    report["analyses"]
        .as_array()
        .expect("analyses is an array")
        .iter()
        .find(|a| a["group"] == group)
        .unwrap_or_else(|| panic!("no analysis for group {group}"))
}

pub fn study<'a>(a: &'a Value, label: &str) -> &'a Value {
    a["studies"]
        .as_array()
        .expect("studies is an array")
        .iter()
        .find(|s| s["study"] == label)
        .unwrap_or_else(|| panic!("no study {label}"))
}

pub fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// Asserts that `v` is an object holding at least `expected` keys.
pub fn has_keys(v: &Value, expected: &[&str], what: &str) {
    let found = keys(v);
    for key in expected {
        assert!(
            found.contains(key),
            "{what}: key '{key}' missing; found {found:?}"
        );
    }
}

/// Every SPEC.md ("JSON output") guarantee that holds for any successful `pool --outcome orr`
/// run, checked on one report.
pub fn check_report_contract(report: &Value, what: &str) {
    has_keys(
        report,
        &[
            "alkstats_version",
            "command",
            "outcome",
            "settings",
            "analyses",
            "subgroup_test",
            "warnings",
        ],
        what,
    );
    assert_eq!(report["command"], "pool", "{what}");
    assert_eq!(report["outcome"], "orr", "{what}");
    assert!(report["alkstats_version"].is_string(), "{what}");
    assert!(report["warnings"].is_array(), "{what}");
    has_keys(
        &report["settings"],
        &[
            "sm",
            "method_tau",
            "random_ci",
            "prediction",
            "ci_study",
            "level",
            "by",
        ],
        &format!("{what}: settings"),
    );
    let analyses = report["analyses"].as_array().expect("analyses is an array");
    assert!(!analyses.is_empty(), "{what}: no analysis");
    for a in analyses {
        let at = format!("{what}: group {}", a["group"]);
        has_keys(
            a,
            &[
                "group",
                "k",
                "studies",
                "common",
                "random",
                "prediction",
                "heterogeneity",
            ],
            &at,
        );
        let k = a["k"].as_u64().expect("k is a whole number");
        let studies = a["studies"].as_array().expect("studies is an array");
        assert_eq!(studies.len() as u64, k, "{at}: k vs studies");
        for s in studies {
            has_keys(
                s,
                &[
                    "study",
                    "events",
                    "n",
                    "estimate",
                    "lower",
                    "upper",
                    "yi",
                    "vi",
                    "weight_common",
                    "weight_random",
                ],
                &at,
            );
        }
        for w in ["weight_common", "weight_random"] {
            let sum: f64 = studies.iter().map(|s| num(&s[w], w)).sum();
            assert!((sum - 100.0).abs() <= ARITHMETIC, "{at}: {w} sums to {sum}");
        }
        has_keys(
            &a["common"],
            &["yi", "se", "estimate", "lower", "upper", "z", "p"],
            &format!("{at}: common"),
        );
        has_keys(
            &a["random"],
            &["yi", "se", "estimate", "lower", "upper", "stat", "p"],
            &format!("{at}: random"),
        );
        for model in ["common", "random"] {
            let m = &a[model];
            let (lo, est, hi) = (
                num(&m["lower"], "lower"),
                num(&m["estimate"], "estimate"),
                num(&m["upper"], "upper"),
            );
            assert!(
                lo <= est && est <= hi,
                "{at}: {model}: {lo} ≤ {est} ≤ {hi} fails"
            );
        }
        if k < 3 {
            assert!(
                a["prediction"].is_null(),
                "{at}: prediction with k = {k}: {}",
                a["prediction"]
            );
        }
        if k == 1 {
            assert!(
                a["heterogeneity"].is_null(),
                "{at}: heterogeneity with k = 1"
            );
        } else {
            has_keys(
                &a["heterogeneity"],
                &[
                    "q",
                    "df",
                    "p",
                    "tau2",
                    "tau2_lower",
                    "tau2_upper",
                    "tau",
                    "i2",
                    "i2_lower",
                    "i2_upper",
                    "h2",
                ],
                &format!("{at}: heterogeneity"),
            );
        }
    }
}
