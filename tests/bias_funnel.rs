//! The trim-and-fill funnel plot (`alkstats funnel --trimfill`): filled studies as open
//! circles, the pooled line at the filled data's estimate and the observed one in grey, as
//! metafor's `funnel(trimfill(res))`. Counts come from the method's own result, never typed in.

mod support;

use alkstats::effect::two_arm::{TwoArmMeasure, TwoByTwo};
use alkstats::methods::bias::{trim_and_fill, TrimFillEstimator};
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::plot::funnel::{layout, with_trim_and_fill, FunnelData, FunnelPoint};
use alkstats::plot::scene::{Grey, Shape};
use alkstats::plot::Page;
use alkstats::settings::FitSettings;
use support::workdir::Workdir;
use support::{f, fixture};

const MAGNESIUM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/inputs/byod/magnesium_mi.csv"
);
const MAP: [&str; 10] = [
    "--map",
    "studlab=study",
    "--map",
    "event.e=ai",
    "--map",
    "n.e=n1i",
    "--map",
    "event.c=ci",
    "--map",
    "n.c=n2i",
];

/// The magnesium trials (metadat `dat.egger2001`) of the bias fixture, as a fitted model.
fn magnesium() -> Rma {
    let fx = fixture("metafor_bias.json");
    let case = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "magnesium_or_reml")
        .unwrap();
    let studies = case["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let t: Vec<f64> = s["table"].as_array().unwrap().iter().map(f).collect();
            Study {
                table: Some(TwoByTwo {
                    a: t[0],
                    b: t[1],
                    c: t[2],
                    d: t[3],
                }),
                ..Study::new(s["label"].as_str().unwrap(), 2, f(&s["yi"]), f(&s["vi"]))
            }
        })
        .collect();
    let data = EffectSizes::new(Measure::Binary(TwoArmMeasure::Or), studies);
    Rma::fit(
        data,
        ModelSettings::inverse_variance(FitSettings::default()),
    )
    .unwrap()
}

#[test]
fn filled_studies_are_open_circles_and_the_line_moves_to_their_estimate() {
    let m = magnesium();
    let tf = trim_and_fill(&m, TrimFillEstimator::L0, None).unwrap();
    assert!(tf.k0 > 0, "the magnesium trials are asymmetric");
    let observed: Vec<FunnelPoint> = m
        .data()
        .studies
        .iter()
        .map(|s| {
            let (yi, vi) = s.effect.unwrap();
            FunnelPoint {
                label: s.label.clone(),
                yi,
                se: vi.sqrt(),
            }
        })
        .collect();
    let data = FunnelData {
        title: "Magnesium".into(),
        x_label: "Log odds ratio (OR)".into(),
        points: observed.clone(),
        pooled: m.random().yi,
        pooled_label: "random-effects estimate".into(),
        level: 0.95,
        contours: None,
        filled: Vec::new(),
        reference: None,
    };
    let filled = with_trim_and_fill(data, &tf);
    assert_eq!(filled.filled.len(), tf.k0);
    assert_eq!(filled.pooled, tf.adjusted.yi);
    assert_eq!(filled.reference.as_ref().map(|r| r.0), Some(m.random().yi));
    let scene = layout(&filled, &Page::default()).unwrap();
    assert!(
        scene.text_collisions().is_empty(),
        "{:#?}",
        scene.text_collisions()
    );
    let circles: Vec<Option<Grey>> = scene
        .shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Circle { fill, .. } => Some(*fill),
            _ => None,
        })
        .collect();
    // One per study, plus the two legend markers.
    let open = circles.iter().filter(|c| **c == Some(Grey::WHITE)).count();
    assert_eq!(open, tf.k0 + 1);
    assert_eq!(circles.len() - open, observed.len() + 1);
    let texts: Vec<String> = scene.text_boxes().into_iter().map(|(t, _)| t).collect();
    assert!(texts.iter().any(|t| t == "Filled studies"), "{texts:?}");
    assert!(texts
        .iter()
        .any(|t| t.contains(&format!("{} filled on the {}", tf.k0, tf.side))));
}

#[test]
fn funnel_trimfill_command() {
    let wd = Workdir::new();
    let mut args = vec![
        "funnel",
        "--outcome",
        "binary",
        "--data",
        MAGNESIUM,
        "--measure",
        "OR",
    ];
    args.extend(MAP);
    let mut png = args.clone();
    png.extend(["--trimfill", "-o", "tf.png"]);
    wd.ok(&png);
    assert!(wd.path("tf.png").exists());
    let mut svg = args.clone();
    svg.extend(["--trimfill", "--contour", "-o", "tf.svg"]);
    wd.ok(&svg);
    let text = std::fs::read_to_string(wd.path("tf.svg")).unwrap();
    assert!(text.contains("Filled studies") && text.contains("filled on the right"));
    let mut common = args.clone();
    common.extend(["--trimfill", "--model", "common", "-o", "c.png"]);
    assert!(wd.fails_stderr(&common).contains("--model common"));
    // Median of medians has no variances at all: nothing to draw, exit 2.
    wd.fails_stderr(&[
        "funnel",
        "--outcome",
        "pfs",
        "--method",
        "mm",
        "--trimfill",
        "-o",
        "m.png",
    ]);
    assert!(!wd.path("m.png").exists() && !wd.path("c.png").exists());
}
