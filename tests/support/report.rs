//! Helpers of the `alkstats report` tests: the repository root, the files of a report folder,
//! its results.json, and the commands that print each analysis of the embedded plan.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
/// The repository root (for the shipped data and the committed example report).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, by relative path.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("list a folder") {
            let entry = entry.expect("a folder entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().expect("a file type").is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.insert(rel, std::fs::read(entry.path()).expect("read a file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

pub fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// The default plan's analyses and the commands that must print the same JSON, written out
/// from the plan file by hand (not read from the report).
pub const DEFAULT_PLAN: &[(&str, &[&str])] = &[
    (
        "orr_by_drug",
        &[
            "pool",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--format",
            "json",
        ],
    ),
    (
        "orr_by_drug_glmm",
        &[
            "pool",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--method",
            "GLMM",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_influence",
        &[
            "influence",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_cumulative",
        &[
            "cumulative",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--order",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_year",
        &[
            "metareg",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--group",
            "crizotinib",
            "--mods",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_setting",
        &[
            "metareg",
            "--outcome",
            "orr",
            "--by",
            "drug",
            "--group",
            "crizotinib",
            "--mods",
            "setting",
            "--format",
            "json",
        ],
    ),
    (
        "orr_randomized",
        &[
            "pool",
            "--outcome",
            "orr",
            "--compare",
            "--measure",
            "RR",
            "--method",
            "MH",
            "--format",
            "json",
        ],
    ),
    (
        "pfs_median_by_drug",
        &[
            "pool",
            "--outcome",
            "pfs",
            "--method",
            "log-iv",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_by_comparison",
        &[
            "pool",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_influence",
        &[
            "influence",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "hr_pfs_cumulative",
        &[
            "cumulative",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--order",
            "year",
            "--format",
            "json",
        ],
    ),
    (
        "hr_os_by_comparison",
        &[
            "pool",
            "--outcome",
            "hr",
            "--endpoint",
            "os",
            "--format",
            "json",
        ],
    ),
    (
        "network_pfs",
        &[
            "network",
            "--outcome",
            "hr",
            "--endpoint",
            "pfs",
            "--format",
            "json",
        ],
    ),
    (
        "orr_crizotinib_bias",
        &[
            "bias",
            "--outcome",
            "orr",
            "--group",
            "crizotinib",
            "--format",
            "json",
        ],
    ),
];
