//! Forest and funnel plots: layout checked through the SVG and the scene (every study label
//! present, one diamond per pooled row, no text overlapping or leaving the page for 1–200
//! studies and long labels), determinism (the same bytes twice), the decoded PNG size, and the
//! command-line contract (extensions, exit codes, atomic writes).
//!
//! Expected counts are structural: they come from the JSON report of the same analysis, never
//! from numbers typed in here.

mod support;
mod synthetic;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::proportion::{pool_proportions, ProportionSettings};
use alkstats::analysis::report::PoolReport;
use alkstats::data::{load_arms, EMBEDDED_ARMS};
use alkstats::plot::forest::{forest_data, layout, ForestOptions, Models, SortOrder};
use alkstats::plot::funnel::{funnel_data, FunnelOptions};
use alkstats::plot::{self, Format, Page};
use serde_json::Value;
use std::path::Path;
use support::svg::svg_texts;
use support::workdir::Workdir;
use support::ARITHMETIC;

/// Pools `csv` (or the shipped data) by `by`, returning the report and, for subgroups, the
/// same analysis without them.
fn pooled(csv: Option<&str>, by: Grouping) -> (PoolReport, Option<PoolReport>) {
    let text = csv.unwrap_or(EMBEDDED_ARMS);
    let (arms, headers) = load_arms("test.csv", text.as_bytes()).expect("valid arms");
    let settings = ProportionSettings {
        grouping: by.clone(),
        ..Default::default()
    };
    let report = pool_proportions(&arms, &headers, "test.csv", &settings).expect("pooled");
    let overall = (by != Grouping::None).then(|| {
        let s = ProportionSettings {
            grouping: Grouping::None,
            ..settings
        };
        pool_proportions(&arms, &headers, "test.csv", &s).expect("pooled")
    });
    (report, overall)
}

/// Number of `<polygon>` elements with `n` vertices (diamonds have 4, arrowheads 3).
fn polygons_with(svg: &str, n: usize) -> usize {
    svg.split("<polygon")
        .skip(1)
        .filter(|chunk| {
            let pts = chunk
                .split("points=\"")
                .nth(1)
                .and_then(|p| p.split('"').next())
                .unwrap_or("");
            pts.split_whitespace().count() == n
        })
        .count()
}

fn decode_png(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("decodable PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height)
}

#[test]
fn orr_forest_svg_names_every_study_and_draws_one_diamond_per_pooled_row() {
    let dir = Workdir::new();
    dir.command(&["forest", "--outcome", "orr", "--output", "f.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path("f.svg")).unwrap();
    let texts = svg_texts(&svg);

    let json = dir
        .command(&["pool", "--outcome", "orr", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let analyses = report["analyses"].as_array().unwrap();
    assert_eq!(analyses.len(), 8, "the shipped ORR data have eight drugs");
    let mut pooled_rows = 0;
    for a in analyses {
        assert!(
            texts.contains(&a["group"].as_str().unwrap().to_string()),
            "subgroup header {}",
            a["group"]
        );
        for s in a["studies"].as_array().unwrap() {
            let label = s["study"].as_str().unwrap();
            assert!(
                texts.iter().any(|t| t == label),
                "study label '{label}' missing from the SVG"
            );
        }
        pooled_rows += ["common", "random"]
            .iter()
            .filter(|m| !a[**m]["estimate"].is_null())
            .count();
    }
    // No overall rows: the groups are different treatments (issue 17; --overall adds them).
    assert_eq!(
        polygons_with(&svg, 4),
        pooled_rows,
        "one diamond per pooled row"
    );
    let model_labels = texts
        .iter()
        .filter(|t| t.ends_with("effect model") || t.ends_with("effects model"))
        .count();
    assert_eq!(model_labels, pooled_rows, "one label per pooled row");
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Test for subgroup differences (random effects): χ² =")));
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Heterogeneity: I² = ") && t.contains("τ² = ")));
    assert!(
        texts.iter().any(|t| t == "Proportion responding"),
        "x-axis label"
    );
}

#[test]
fn the_same_forest_gives_the_same_bytes_twice_for_png_and_svg() {
    let dir = Workdir::new();
    for ext in ["png", "svg"] {
        let mut outputs = Vec::new();
        for i in 0..2 {
            let name = format!("f{i}.{ext}");
            dir.command(&["forest", "--output", &name])
                .assert()
                .success();
            outputs.push(std::fs::read(dir.path(&name)).unwrap());
        }
        assert!(!outputs[0].is_empty());
        assert!(
            outputs[0] == outputs[1],
            "{ext} bytes differ between two runs"
        );
    }
}

#[test]
fn png_decodes_at_inches_times_dpi() {
    let (report, overall) = pooled(None, Grouping::Column("drug".into()));
    let data = forest_data(
        &report,
        overall.as_ref().map(|o| &o.analyses[0]),
        &ForestOptions::default(),
    )
    .unwrap();
    for (width, dpi) in [(10.0, 100.0), (12.0, 150.0)] {
        let page = Page {
            width: Some(width),
            height: None,
            dpi,
        };
        let scene = layout(&data, &page).unwrap();
        assert!(
            (scene.width - width * 72.0).abs() < ARITHMETIC,
            "the forest takes the width asked for"
        );
        let bytes = plot::forest::render(&data, &page, Format::Png).unwrap();
        let (w, h) = decode_png(&bytes);
        assert_eq!(w, (width * dpi).round() as u32);
        assert_eq!(h, (scene.height / 72.0 * dpi).round() as u32);
    }
}

#[test]
fn forest_height_grows_with_rows_and_a_taller_page_spreads_them() {
    let csv = synthetic::arms_csv(40, 7);
    let few = pooled(Some(&synthetic::arms_csv(5, 7)), Grouping::None).0;
    let many = pooled(Some(&csv), Grouping::None).0;
    let h = |r: &PoolReport, page: &Page| {
        layout(
            &forest_data(r, None, &ForestOptions::default()).unwrap(),
            page,
        )
        .unwrap()
        .height
    };
    assert!(h(&many, &Page::default()) > h(&few, &Page::default()) + 30.0 * 14.0);
    let tall = Page {
        height: Some(20.0),
        ..Page::default()
    };
    assert!((h(&few, &tall) - 20.0 * 72.0).abs() < ARITHMETIC);
}

#[test]
fn no_text_overlaps_or_leaves_the_page_for_1_to_200_studies() {
    for k in [1, 2, 3, 10, 50, 200] {
        let csv = synthetic::arms_csv(k, 42);
        for by in [Grouping::None, Grouping::Column("drug".into())] {
            let (report, overall) = pooled(Some(&csv), by.clone());
            for sort in [SortOrder::Input, SortOrder::Estimate] {
                let opts = ForestOptions {
                    sort,
                    ..ForestOptions::default()
                };
                let data =
                    forest_data(&report, overall.as_ref().map(|o| &o.analyses[0]), &opts).unwrap();
                for width in [None, Some(7.0), Some(14.0)] {
                    let scene = layout(
                        &data,
                        &Page {
                            width,
                            ..Page::default()
                        },
                    )
                    .unwrap();
                    let problems = scene.text_collisions();
                    assert!(
                        problems.is_empty(),
                        "k = {k}, {by:?}, width {width:?}: {problems:#?}"
                    );
                }
            }
        }
    }
}

#[test]
fn long_labels_end_in_an_ellipsis_within_their_column() {
    let csv = synthetic::arms_csv(40, 3);
    let (report, _) = pooled(Some(&csv), Grouping::None);
    let data = forest_data(&report, None, &ForestOptions::default()).unwrap();
    let scene = layout(
        &data,
        &Page {
            width: Some(10.0),
            ..Page::default()
        },
    )
    .unwrap();
    let texts = scene.text_boxes();
    assert!(
        texts.iter().any(|(t, _)| t == "Synthetic trial 001"),
        "short labels are kept whole"
    );
    let shortened: Vec<&String> = texts
        .iter()
        .map(|(t, _)| t)
        .filter(|t| t.starts_with("Synthetic trial 037"))
        .collect();
    assert_eq!(shortened.len(), 1);
    assert!(shortened[0].ends_with('…'), "{}", shortened[0]);
    assert!(scene.text_collisions().is_empty());
}

#[test]
fn intervals_beyond_the_axis_limits_end_in_arrows() {
    let dir = Workdir::new();
    dir.command(&["forest", "--by", "none", "--xlim", "0.5,0.8", "-o", "f.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path("f.svg")).unwrap();
    assert!(
        polygons_with(&svg, 3) >= 4,
        "arrowheads for the studies outside 0.5–0.8"
    );
    let ticks = svg_texts(&svg);
    assert!(ticks.iter().any(|t| t == "0.5") && ticks.iter().any(|t| t == "0.8"));
}

#[test]
fn sort_orders_reorder_rows_within_subgroups() {
    let (report, _) = pooled(None, Grouping::None);
    let est = forest_data(
        &report,
        None,
        &ForestOptions {
            sort: SortOrder::Estimate,
            ..Default::default()
        },
    )
    .unwrap();
    let rows = &est.groups[0].rows;
    assert!(rows.windows(2).all(|w| w[0].estimate <= w[1].estimate));
    let wt = forest_data(
        &report,
        None,
        &ForestOptions {
            sort: SortOrder::Weight,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(wt.groups[0]
        .rows
        .windows(2)
        .all(|w| w[0].weight_pct >= w[1].weight_pct));
    let random = forest_data(
        &report,
        None,
        &ForestOptions {
            models: Models::Random,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(random.groups[0].summary.diamonds.len(), 1);
    assert_eq!(
        random.groups[0].rows[0].left_cells.len(),
        2,
        "events/n and one weight column"
    );
}

#[test]
fn hazard_ratio_forest_has_a_log_axis_with_a_null_line_and_favours_labels() {
    let dir = Workdir::new();
    dir.command(&["forest", "--outcome", "hr", "-o", "hr.svg"])
        .assert()
        .success();
    let texts = svg_texts(&std::fs::read_to_string(dir.path("hr.svg")).unwrap());
    assert!(texts.iter().any(|t| t == "Hazard ratio (log scale)"));
    assert!(
        texts.iter().any(|t| t == "Favours treatment")
            && texts.iter().any(|t| t == "Favours comparator")
    );
    assert!(texts.iter().any(|t| t == "1"), "a tick at the null value");
}

#[test]
fn pool_with_forest_writes_the_plot_and_still_prints_the_table() {
    let dir = Workdir::new();
    let out = dir
        .command(&["pool", "--forest", "plot.png"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("crizotinib"));
    let (w, _) = decode_png(&std::fs::read(dir.path("plot.png")).unwrap());
    assert!(w > 600);
}

#[test]
fn an_unsupported_extension_exits_2_and_writes_nothing() {
    let dir = Workdir::new();
    for args in [
        vec!["forest", "-o", "plot.pdf"],
        vec!["pool", "--forest", "plot.jpeg"],
        vec!["funnel", "-o", "plot"],
    ] {
        let out = dir.command(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(".png or .svg"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    assert_eq!(dir.entries().len(), 0, "no file, not even a temporary one");
    let out = dir.command(&["forest"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "forest without --output");
    let out = dir
        .command(&["forest", "-o", "f.png", "--dpi", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "dpi out of range");
}

#[test]
fn funnel_draws_every_study_and_its_contours() {
    let (report, _) = pooled(None, Grouping::None);
    let a = &report.analyses[0];
    let plain = funnel_data(&report, a, &FunnelOptions::default()).unwrap();
    assert_eq!(plain.points.len(), a.k);
    assert!(plain.x_label.contains("PLOGIT"), "{}", plain.x_label);
    assert_eq!(plain.pooled, a.random.yi);
    let contour = funnel_data(
        &report,
        a,
        &FunnelOptions {
            contour_center: Some(0.0),
            ..Default::default()
        },
    )
    .unwrap();
    for (data, triangles) in [(&plain, 1), (&contour, 3)] {
        let scene = plot::funnel::layout(data, &Page::default()).unwrap();
        assert!(
            scene.text_collisions().is_empty(),
            "{:#?}",
            scene.text_collisions()
        );
        let svg = String::from_utf8(plot::render(&scene, Format::Svg, 100.0).unwrap()).unwrap();
        assert_eq!(polygons_with(&svg, 3), triangles);
        // Each point is a filled circle with a white outline.
        assert_eq!(svg.matches("<circle").count(), 2 * a.k);
        let png = plot::render(&scene, Format::Png, 100.0).unwrap();
        assert_eq!(decode_png(&png), (650, 550));
    }
}

#[test]
fn funnel_command_pools_all_studies_or_one_group() {
    let dir = Workdir::new();
    dir.command(&["funnel", "--contour", "-o", "f.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path("f.svg")).unwrap();
    let json = dir
        .command(&["pool", "--by", "none", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let k = report["analyses"][0]["k"].as_u64().unwrap() as usize;
    assert_eq!(svg.matches("<circle").count(), 2 * k);
    dir.command(&["funnel", "--group", "crizotinib", "-o", "c.png"])
        .assert()
        .success();
    let out = dir
        .command(&["funnel", "--group", "nonesuch", "-o", "n.png"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("crizotinib"),
        "lists the subgroups"
    );
}

#[test]
fn the_committed_synthetic_gallery_data_match_the_generator() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/figures/synthetic_200_arms.csv");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = synthetic::arms_csv(200, 2024);
    if std::env::var_os("ALKSTATS_WRITE_GALLERY_DATA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "{}: regenerate with ALKSTATS_WRITE_GALLERY_DATA=1",
        path.display()
    );
}
