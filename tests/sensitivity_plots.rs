//! The plots of the sensitivity analyses: the leave-one-out and cumulative forests, the Baujat
//! plot and the influence panels. Their layout is checked through the scene (every study
//! present, one row per refit, no text overlapping or leaving the page, for every group of the
//! shipped data and for 1–60 synthetic studies), their determinism, and the command-line
//! contract (a plot of one analysis needs one group; a plot that cannot be drawn writes no
//! file at all).

mod support;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::proportion::{pool_proportions, ProportionSettings};
use alkstats::analysis::sensitivity::{cumulative_report, influence_report, InfluenceReport};
use alkstats::methods::cumulative::CumulativeOrder;
use alkstats::methods::PooledModel;
use alkstats::plot::forest::{layout, refits_forest};
use alkstats::plot::scene::{Scene, Shape};
use alkstats::plot::{self, baujat, influence, Format, Page};
use support::workdir::Workdir;

/// The shipped response data pooled by `by` with `extra` synthetic arms appended.
fn influence_of(by: Grouping, extra: &str) -> InfluenceReport {
    let text = format!("{}{extra}", alkstats::data::EMBEDDED_ARMS);
    let (arms, headers) = alkstats::data::load_arms("test.csv", text.as_bytes()).unwrap();
    let s = ProportionSettings {
        grouping: by,
        ..Default::default()
    };
    let pooled = pool_proportions(&arms, &headers, "test.csv", &s).unwrap();
    influence_report(&pooled, PooledModel::Random, &())
}

fn texts(scene: &Scene) -> Vec<String> {
    scene
        .shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn assert_clean(scene: &Scene, what: &str) {
    let problems = scene.text_collisions();
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

#[test]
fn leave_one_out_forest_has_a_row_per_refit_and_no_collisions() {
    let r = influence_of(Grouping::from_arg("drug"), "");
    let data = refits_forest(&r, None).unwrap();
    let expected: usize = r
        .analyses
        .iter()
        .map(|a| a.leave_one_out.len())
        .filter(|&n| n > 1)
        .sum();
    let rows: usize = data.groups.iter().map(|g| g.rows.len()).sum();
    assert_eq!(rows, expected);
    let scene = layout(&data, &Page::default()).unwrap();
    assert_clean(&scene, "leave-one-out by drug");
    let words = texts(&scene);
    for a in r.analyses.iter().filter(|a| a.leave_one_out.len() > 1) {
        for row in &a.leave_one_out {
            assert!(words.contains(&row.study), "{} missing", row.study);
        }
    }
    // Groups of one study are named under the plot, not drawn.
    assert!(words
        .iter()
        .any(|w| w.starts_with("Not shown (one study): ")));
}

#[test]
fn baujat_and_influence_panels_lay_out_every_size() {
    for k in [3usize, 10, 30, 60] {
        let arms: String = (0..k)
            .map(|i| {
                format!(
                    "Synthetic study number {i} with a long label,testdrug,{},{},,,,,,,2020,,,,,,made up\n",
                    40 + 7 * (i % 5),
                    10 + 3 * (i % 7)
                )
            })
            .collect();
        let r = influence_of(Grouping::from_arg("drug"), &arms);
        let a = r
            .analyses
            .iter()
            .find(|a| a.group.as_deref() == Some("testdrug"))
            .unwrap();
        let b = baujat::baujat_data(a, r.labels().what, PooledModel::Random, None).unwrap();
        assert_eq!(b.points.len(), k);
        let scene = baujat::layout(&b, &Page::default()).unwrap();
        assert_clean(&scene, &format!("Baujat k = {k}"));
        // Every point is numbered (points on top of each other share a label "4, 9").
        // Points on top of each other share a label ("4, 9"). Up to 10 studies every point is
        // numbered; in larger crowds at least the five most influential are.
        let numbers: Vec<String> = texts(&scene)
            .iter()
            .flat_map(|t| t.split(", ").map(String::from).collect::<Vec<_>>())
            .collect();
        let has = |i: usize| numbers.contains(&(i + 1).to_string());
        let reach = |i: usize| b.points[i].x + b.points[i].y;
        let mut by_reach: Vec<usize> = (0..k).collect();
        by_reach.sort_by(|&x, &y| reach(y).total_cmp(&reach(x)));
        let must = if k <= 10 { k } else { 5 };
        let missing: Vec<usize> = by_reach[..must]
            .iter()
            .copied()
            .filter(|&i| !has(i))
            .collect();
        assert!(
            missing.is_empty(),
            "k = {k}: points without a number: {missing:?}"
        );
        let p = influence::influence_data(a, r.labels().what, None).unwrap();
        assert_eq!(p.panels.len(), 8);
        assert!(p.panels.iter().all(|panel| panel.values.len() == k));
        let scene = influence::layout(&p, &Page::default()).unwrap();
        assert_clean(&scene, &format!("influence panels k = {k}"));
    }
}

#[test]
fn cumulative_forest_follows_the_order_and_renders_the_same_bytes_twice() {
    let text = alkstats::data::EMBEDDED_ARMS;
    let (arms, headers) = alkstats::data::load_arms("test.csv", text.as_bytes()).unwrap();
    let pooled = pool_proportions(&arms, &headers, "test.csv", &Default::default()).unwrap();
    let order = CumulativeOrder {
        column: Some("year".into()),
        decreasing: false,
    };
    let r = cumulative_report(&pooled, PooledModel::Random, &order, &()).unwrap();
    let data = refits_forest(&r, None).unwrap();
    let crizotinib = data
        .groups
        .iter()
        .find(|g| g.label.as_deref() == Some("crizotinib"))
        .unwrap();
    let a = r
        .analyses
        .iter()
        .find(|a| a.group.as_deref() == Some("crizotinib"))
        .unwrap();
    let labels: Vec<&str> = crizotinib.rows.iter().map(|r| r.label.as_str()).collect();
    let studies: Vec<&str> = a.cumulative.iter().map(|r| r.study.as_str()).collect();
    assert_eq!(labels, studies);
    assert_eq!(crizotinib.rows[0].left_cells[0], "1");
    let scene = layout(&data, &Page::default()).unwrap();
    assert_clean(&scene, "cumulative by drug");
    let png = plot::render(&scene, Format::Png, 100.0).unwrap();
    assert_eq!(png, plot::render(&scene, Format::Png, 100.0).unwrap());
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn plots_of_one_analysis_need_one_group_and_failures_write_nothing() {
    let dir = Workdir::new();
    let err = dir.fails_stderr(&["influence", "--baujat", "b.png"]);
    assert!(
        err.contains("--baujat draws one analysis: choose a subgroup with --group NAME"),
        "{err}"
    );
    // The Mantel–Haenszel common effect has no diagnostics: the influence plot cannot be
    // drawn, and the forest asked for with it is not written either.
    let err = dir.fails_stderr(&[
        "influence",
        "--outcome",
        "orr",
        "--compare",
        "--by",
        "none",
        "--model",
        "common",
        "--plot",
        "f.png",
        "--influence-plot",
        "i.png",
    ]);
    assert!(
        err.contains("the influence plot has no diagnostics"),
        "{err}"
    );
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
    let err = dir.fails_stderr(&["cumulative", "--plot", "c.pdf"]);
    assert!(err.contains("c.pdf"), "{err}");
    dir.ok(&[
        "influence",
        "--group",
        "crizotinib",
        "--plot",
        "f.svg",
        "--baujat",
        "b.png",
        "--influence-plot",
        "i.png",
    ]);
    dir.ok(&["cumulative", "--plot", "c.png", "--dpi", "150"]);
    assert_eq!(dir.entries(), ["b.png", "c.png", "f.svg", "i.png"]);
    let svg = std::fs::read_to_string(dir.path("f.svg")).unwrap();
    assert!(svg.contains("Leave-one-out: Objective response rate, crizotinib"));
}
