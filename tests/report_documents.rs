//! `alkstats report`'s documents: the HTML and Markdown show the numbers of results.json at
//! their stated decimals, the methods section names every estimator and reference, figures are
//! the bytes the plot commands write, and the HTML renders in a real (headless) browser.
//!
//! Where the expected numbers come from: results.json, itself checked against `alkstats pool`
//! in report.rs; figure bytes from `alkstats forest`, `funnel` and `network`.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::report::results;
use support::workdir::Workdir;

#[test]
fn markdown_and_html_show_the_json_numbers_at_fixed_decimals() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let results = results(&w.path("r"));
    let md = std::fs::read_to_string(w.path("r/report.md")).unwrap();
    let html = std::fs::read_to_string(w.path("r/index.html")).unwrap();
    let mut checked = 0;
    for entry in results["analyses"].as_array().unwrap() {
        if entry["kind"] == "network" {
            for r in entry["result"]["ranking"].as_array().unwrap() {
                let row = format!(
                    "| {} | {} | {:.4} |",
                    r["rank"],
                    r["treatment"].as_str().unwrap(),
                    r["p_score"].as_f64().unwrap()
                );
                assert!(md.contains(&row), "report.md lacks {row}");
                checked += 1;
            }
            continue;
        }
        if entry["kind"] == "metareg" {
            // Each coefficient's row: its term, estimate, se, statistic and p-value.
            for c in entry["result"]["coefficients"].as_array().unwrap() {
                let f = |v: &Value, d: usize| format!("{:.*}", d, v.as_f64().unwrap());
                let row = format!(
                    "| {} | {} | {} | {} |",
                    c["term"].as_str().unwrap(),
                    f(&c["estimate"], 4),
                    f(&c["se"], 4),
                    f(&c["stat"], 3)
                );
                assert!(md.contains(&row), "report.md lacks {row}");
                checked += 1;
            }
            continue;
        }
        if entry["kind"] == "influence" || entry["kind"] == "cumulative" {
            // Each refit's row: its study, k and estimate with its interval.
            let refits = if entry["kind"] == "influence" {
                "leave_one_out"
            } else {
                "cumulative"
            };
            for a in entry["result"]["analyses"].as_array().unwrap() {
                for r in a[refits].as_array().unwrap() {
                    let f = |v: &Value| format!("{:.4}", v.as_f64().unwrap());
                    let row = format!(
                        "| {} | {} | {} [{}; {}] |",
                        r["study"].as_str().unwrap(),
                        r["k"],
                        f(&r["estimate"]),
                        f(&r["lower"]),
                        f(&r["upper"])
                    );
                    // Groups of one study are named, not tabled.
                    if a[refits].as_array().unwrap().len() > 1 {
                        assert!(md.contains(&row), "report.md lacks {row}");
                        checked += 1;
                    }
                }
            }
            continue;
        }
        let digits = if entry["kind"] == "pfs" { 2 } else { 4 };
        // This analysis' part of the Markdown: from its heading to the next one.
        let title = entry["title"].as_str().unwrap();
        let start = md
            .find(&format!(". {title}\n"))
            .expect("a section per analysis");
        let section = &md[start..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        for a in entry["result"]["analyses"].as_array().unwrap() {
            let f = |v: &Value| format!("{:.*}", digits, v.as_f64().unwrap());
            let r = &a["random"];
            let (est, ci) = (
                f(&r["estimate"]),
                format!("[{}; {}]", f(&r["lower"]), f(&r["upper"])),
            );
            let label = a["group"].as_str().unwrap_or("All studies");
            let row_start = format!("| {label} | {} |", a["k"]);
            let row = section
                .lines()
                .find(|l| l.starts_with(&row_start))
                .unwrap_or_else(|| panic!("report.md has no row starting {row_start}"));
            assert!(
                row.contains(&format!("{est} {ci}")),
                "{row} lacks {est} {ci}"
            );
            assert!(
                html.contains(&format!("{est}</span> <span class=\"nw\">{ci}")),
                "index.html lacks {est} {ci}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} rows checked");
    assert!(!html.contains("<script"), "the page needs no JavaScript");
    assert!(html.contains("@media print"), "the page has a print style");
}

#[test]
fn methods_section_names_estimators_conventions_and_references() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let md = std::fs::read_to_string(w.path("r/report.md")).unwrap();
    let methods = &md[md.find("## Methods").expect("a methods section")..];
    for needle in [
        "restricted maximum likelihood (REML; Viechtbauer 2005)",
        "logit transformation",
        "I² = max(0, (Q − df)/Q) × 100%",
        "t distribution with k − 1 degrees of freedom",
        "Q-profile method (Viechtbauer 2007)",
        "P-scores (Rücker & Schwarzer 2015)",
        "## References",
        "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med. 2002",
        "influence() (Viechtbauer & Cheung 2010)",
        "The Baujat plot (Baujat et al. 2002)",
        "In a cumulative meta-analysis (Lau et al. 1992)",
        "were regressed on year (Thompson & Higgins 2002)",
        "## Data provenance",
    ] {
        assert!(methods.contains(needle), "methods lack '{needle}'");
    }
    // Every shipped arm is listed with its source, and used rows name their analyses.
    assert!(md.contains(
        "| 3 | PROFILE 1001 (2012: 143 pts) | crizotinib | PROFILE 1001 | orr_by_drug, \
         orr_by_drug_glmm, orr_crizotinib_influence, orr_crizotinib_cumulative, \
         orr_crizotinib_year, orr_crizotinib_setting, orr_crizotinib_bias |"
    ));
    assert!(md.contains("Camidge DR, Lancet Oncol 2012"));
}

#[test]
fn figures_are_the_bytes_the_plot_commands_write() {
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    w.ok(&["forest", "--outcome", "orr", "--output", "forest.png"]);
    w.ok(&[
        "forest",
        "--outcome",
        "hr",
        "--endpoint",
        "os",
        "--output",
        "hr_os.svg",
    ]);
    w.ok(&["funnel", "--outcome", "orr", "--output", "funnel.png"]);
    w.ok(&[
        "network",
        "--graph",
        "graph.png",
        "--forest",
        "nforest.svg",
        "--output",
        "network.txt",
    ]);
    w.ok(&[
        "influence",
        "--group",
        "crizotinib",
        "--plot",
        "loo.svg",
        "--baujat",
        "baujat.png",
        "--influence-plot",
        "influence.png",
        "--output",
        "influence.txt",
    ]);
    w.ok(&[
        "cumulative",
        "--outcome",
        "hr",
        "--order",
        "year",
        "--plot",
        "cumulative.png",
        "--output",
        "cumulative.txt",
    ]);
    for (mine, theirs) in [
        ("r/figures/orr_crizotinib_influence_forest.svg", "loo.svg"),
        (
            "r/figures/orr_crizotinib_influence_baujat.png",
            "baujat.png",
        ),
        (
            "r/figures/orr_crizotinib_influence_influence.png",
            "influence.png",
        ),
        ("r/figures/hr_pfs_cumulative_forest.png", "cumulative.png"),
        ("r/figures/orr_by_drug_forest.png", "forest.png"),
        ("r/figures/hr_os_by_comparison_forest.svg", "hr_os.svg"),
        ("r/figures/orr_by_drug_funnel.png", "funnel.png"),
        ("r/figures/network_pfs_graph.png", "graph.png"),
        ("r/figures/network_pfs_forest.svg", "nforest.svg"),
    ] {
        assert!(
            std::fs::read(w.path(mine)).unwrap() == std::fs::read(w.path(theirs)).unwrap(),
            "{mine} differs from {theirs}"
        );
    }
}

/// Finds Debian's `chromium` (or `chromium-browser`) on the PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Decodes a PNG into (width, height, RGB pixels).
fn decode_rgb(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

#[test]
fn headless_chromium_renders_index_html_to_a_non_blank_page() {
    let Some(browser) = chromium() else {
        println!("NOTICE: chromium is not installed; the browser test of index.html is skipped");
        eprintln!("NOTICE: chromium is not installed; the browser test of index.html is skipped");
        return;
    };
    let w = Workdir::new();
    w.ok(&["report", "--out", "r"]);
    let shot = w.path("shot.png");
    let profile = w.path("profile");
    let url = format!("file://{}", w.path("r/index.html").display());
    let mut child = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2000")
        .arg(&url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let bytes = std::fs::read(&shot).expect("chromium wrote a screenshot");
    // Keep a copy to look at.
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_index_screenshot.png");
    let _ = std::fs::write(&keep, &bytes);
    println!("screenshot: {}", keep.display());
    let (width, height, pixels) = decode_rgb(&bytes);
    assert_eq!((width, height), (1200, 2000));
    let dark = pixels.iter().filter(|p| p.iter().all(|&c| c < 100)).count();
    let non_white = pixels.iter().filter(|p| p.iter().any(|&c| c < 245)).count();
    // Text (dark pixels) and tables and figures (non-white) cover a real share of the page,
    // and the title (dark pixels) is in the top tenth.
    assert!(dark > pixels.len() / 200, "only {dark} dark pixels");
    assert!(
        non_white > pixels.len() / 20,
        "only {non_white} non-white pixels"
    );
    let top_dark = pixels[..pixels.len() / 10]
        .iter()
        .filter(|p| p.iter().all(|&c| c < 100))
        .count();
    assert!(
        top_dark > 500,
        "no title at the top ({top_dark} dark pixels)"
    );
}
