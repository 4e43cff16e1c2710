//! RevMan's stored results reproduced: `tests/fixtures/revman/stored_results.rm5` (written by
//! `tests/r/revman_stored_results.R`: the BCG trials, metadat `dat.bcg`, as a fixed-effect
//! Mantel–Haenszel odds ratio with the results RevMan stores — per-study ORs, CIs and MH
//! weights, the pooled OR with CI, Z, P_Z, χ², df, its p and I² — computed by metafor 3.8 with
//! RevMan's formulas). `pool` must say that it matches, name the first difference when one
//! stored value is changed, and leave pooled results alone when the model is not the review's.

mod support;

use serde_json::Value;
use support::workdir::Workdir;

fn stored_file() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/revman/stored_results.rm5"
    );
    std::fs::read(path).expect("the committed RevMan fixture")
}

fn pool_json(w: &Workdir, extra: &[&str]) -> Value {
    let mut args = vec![
        "pool",
        "--data",
        "r.rm5",
        "--rm5-outcome",
        "1.1",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&w.stdout(args.as_slice())).expect("JSON")
}

#[test]
fn a_fixed_effect_mantel_haenszel_odds_ratio_matches_what_revman_stored() {
    let w = Workdir::new();
    w.create("r.rm5", stored_file());
    let v = pool_json(&w, &[]);
    let s = &v["stored_results"];
    // 13 studies × (OR, CI_START, CI_END, WEIGHT) + the outcome's EFFECT_SIZE, CI_START,
    // CI_END, Z, P_Z, CHI2, DF, P_CHI2, I2.
    assert_eq!(s["compared"], 13 * 4 + 9, "{s}");
    assert!(s["first_difference"].is_null(), "{s}");
    assert_eq!(
        v["warnings"].as_array().unwrap().len(),
        0,
        "{}",
        v["warnings"]
    );
    let table = w.stdout(&["pool", "--data", "r.rm5", "--rm5-outcome", "1.1"]);
    assert!(
        table.contains("RevMan: matches the results stored in the review (61 values compared)"),
        "{table}"
    );
}

#[test]
fn a_changed_stored_value_is_named() {
    let text: Vec<u8> = stored_file();
    let text = String::from_utf8_lossy(&text).into_owned();
    // The first study's upper CI limit, as RevMan would have stored it after a data change.
    let at = text.find("<DICH_DATA CI_END=\"").unwrap() + "<DICH_DATA CI_END=\"".len();
    let end = at + text[at..].find('"').unwrap();
    let changed = format!("{}0.5{}", &text[..at], &text[end..]);
    let w = Workdir::new();
    w.create("r.rm5", changed.as_bytes());
    let v = pool_json(&w, &[]);
    let d = &v["stored_results"]["first_difference"];
    assert_eq!(d["attribute"], "CI_END", "{d}");
    assert_eq!(d["place"], "study 'Aronson 1948'", "{d}");
    assert_eq!(d["stored"], "0.5");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("differs from the results stored in the review"),
        "{warnings}"
    );
}

#[test]
fn another_model_compares_only_what_it_shares_with_the_review() {
    let w = Workdir::new();
    w.create("r.rm5", stored_file());
    // Inverse variance instead of MH: per-study ORs and CIs still compare, pooled results not.
    let v = pool_json(&w, &["--method", "IV"]);
    let s = &v["stored_results"];
    assert_eq!(s["compared"], 13 * 3, "{s}");
    assert!(s["first_difference"].is_null(), "{s}");
    assert!(
        s["not_compared"].to_string().contains("the model differs"),
        "{s}"
    );
    // Risk ratios: nothing is comparable.
    let v = pool_json(&w, &["--measure", "RR"]);
    assert_eq!(v["stored_results"]["compared"], 0);
}
