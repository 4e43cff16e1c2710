//! The influence panel plot (metafor's `plot(influence(res))`): one small index plot per
//! diagnostic — rstudent, DFFITS, Cook's distance, COVRATIO, τ² and Q without the study, hat
//! value and weight — with the studies in table order along x, each panel's reference lines,
//! and the studies metafor's rule marks influential drawn filled. A key under the panels
//! names the numbered studies.

use super::font::Weight;
use super::scene::{Align, Grey, Scene, Stroke};
use super::xy::{draw_axes, page_with_key, reference, Axes};
use super::{Page, PlotError};
use crate::analysis::sensitivity::InfluenceAnalysis;
use crate::dist::{qchisq, z_crit};

/// One diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPanel {
    /// Its name, as metafor titles the panel.
    pub name: &'static str,
    /// One value per study (null where it cannot be computed).
    pub values: Vec<Option<f64>>,
    /// Reference lines: value and whether dotted (a threshold) rather than dashed (a centre).
    pub references: Vec<(f64, bool)>,
}

/// Everything the influence panel plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluencePanels {
    /// Title.
    pub title: String,
    /// The studies, in table order (numbered from 1 on the x axes).
    pub studies: Vec<String>,
    /// Whether each study is marked influential.
    pub influential: Vec<bool>,
    /// The eight panels.
    pub panels: Vec<IndexPanel>,
}

/// The influence panels of one analysis of an influence report of `what` (the measure's name, for the title).
///
/// # Errors
/// [`PlotError::Empty`] when the analysis has no diagnostics (k < 3, or a Mantel–Haenszel or
/// Peto common effect).
pub fn influence_data(
    analysis: &InfluenceAnalysis,
    what: &str,
    title: Option<String>,
) -> Result<InfluencePanels, PlotError> {
    let rows = analysis
        .influence
        .as_deref()
        .filter(|rows| rows.iter().any(|r| r.rstudent.is_some()))
        .ok_or(PlotError::Empty {
            subject: "the influence plot",
            missing: "diagnostics (they need k ≥ 3 and an inverse-variance model)",
        })?;
    let k = rows.len() as f64;
    let full = analysis.full.as_ref();
    // The thresholds of metafor's rule (p = 1) and its panels' centre lines.
    let cut = 3.0 * (1.0 / (k - 1.0)).sqrt();
    let z = z_crit(0.95);
    let column = |f: fn(&crate::methods::influence::InfluenceRow) -> Option<f64>| {
        rows.iter().map(f).collect::<Vec<_>>()
    };
    let centre = |v: Option<f64>| v.map(|v| vec![(v, false)]).unwrap_or_default();
    let panels = vec![
        IndexPanel {
            name: "rstudent",
            values: column(|r| r.rstudent),
            references: vec![(0.0, false), (-z, true), (z, true)],
        },
        IndexPanel {
            name: "dffits",
            values: column(|r| r.dffits),
            references: vec![(0.0, false), (-cut, true), (cut, true)],
        },
        IndexPanel {
            name: "cook.d",
            values: column(|r| r.cook_d),
            references: qchisq(0.5, 1.0)
                .map(|q| vec![(q, true)])
                .unwrap_or_default(),
        },
        IndexPanel {
            name: "cov.r",
            values: column(|r| r.cov_r),
            references: vec![(1.0, false)],
        },
        IndexPanel {
            name: "tau2.del",
            values: column(|r| r.tau2_del),
            references: centre(full.and_then(|f| f.tau2)),
        },
        IndexPanel {
            name: "QE.del",
            values: column(|r| r.q_del),
            references: centre(full.and_then(|f| f.q)),
        },
        IndexPanel {
            name: "hat",
            values: column(|r| Some(r.hat)),
            references: vec![(1.0 / k, false), (3.0 / k, true)],
        },
        IndexPanel {
            name: "weight",
            values: column(|r| Some(r.weight)),
            references: vec![(100.0 / k, false)],
        },
    ];
    Ok(InfluencePanels {
        title: title.unwrap_or_else(|| match &analysis.group {
            Some(g) => format!("Influence diagnostics: {what}, {g}"),
            None => format!("Influence diagnostics: {what}"),
        }),
        studies: rows.iter().map(|r| r.study.clone()).collect(),
        influential: rows.iter().map(|r| r.influential == Some(true)).collect(),
        panels,
    })
}

/// Default page, inches (its height grows with the key): two columns of four panels.
const DEFAULT_SIZE: (f64, f64) = (7.5, 9.0);
const PANEL_TITLE: f64 = 9.5;

/// Lays out the influence panel plot.
///
/// # Errors
/// [`PlotError::Empty`] without studies; [`PlotError::PageTooSmall`] when a panel has no room.
pub fn layout(data: &InfluencePanels, page: &Page) -> Result<Scene, PlotError> {
    if data.studies.is_empty() {
        return Err(PlotError::Empty {
            subject: "the influence plot",
            missing: "studies",
        });
    }
    let head = "Filled points: influential by metafor's rule. Studies:";
    let (mut scene, (left, top, right, bottom)) =
        page_with_key(page, DEFAULT_SIZE, &data.title, head, &data.studies);
    let (width, height) = (scene.width, scene.height);
    let inner = right - left;
    let (cols, rows) = (2, data.panels.len().div_ceil(2));
    let (cell_w, cell_h) = (inner / cols as f64, (bottom - top) / rows as f64);
    let too_small = PlotError::PageTooSmall {
        plot: "influence plot",
        width: width / 72.0,
        height: height / 72.0,
        default: DEFAULT_SIZE,
    };
    let n = data.studies.len() as f64;
    for (i, p) in data.panels.iter().enumerate() {
        let (x0, y0) = (
            left + (i % cols) as f64 * cell_w,
            top + (i / cols) as f64 * cell_h,
        );
        let name_y = y0 + PANEL_TITLE * 0.7;
        let centre = x0 + cell_w / 2.0;
        scene.text(
            centre,
            name_y,
            p.name,
            PANEL_TITLE,
            Weight::Bold,
            Align::Center,
        );
        let values = p.values.iter().flatten().copied();
        let lines = p.references.iter().map(|r| r.0);
        let all: Vec<f64> = values.chain(lines).filter(|v| v.is_finite()).collect();
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let axes = Axes {
            x: (1.0, n),
            y: (lo, hi),
            x_label: "",
            y_label: "",
            x_integer: true,
        };
        let area = (
            x0 + 4.0,
            y0 + PANEL_TITLE * 1.4,
            x0 + cell_w - 8.0,
            y0 + cell_h - 6.0,
        );
        let panel = draw_axes(&mut scene, area, &axes).ok_or(too_small.clone())?;
        for &(v, dotted) in &p.references {
            reference(&mut scene, &panel, v, dotted);
        }
        let points: Vec<(usize, (f64, f64))> = p
            .values
            .iter()
            .enumerate()
            .filter_map(|(j, v)| v.map(|v| (j, (panel.xs.map(j as f64 + 1.0), panel.ys.map(v)))))
            .collect();
        for pair in points.windows(2) {
            scene.line(pair[0].1, pair[1].1, Stroke::solid(Grey::MID, 0.6));
        }
        for &(j, c) in &points {
            let fill = if data.influential[j] {
                Grey::BLACK
            } else {
                Grey::WHITE
            };
            scene.circle(c, 2.6, Some(fill), Some(Stroke::solid(Grey::BLACK, 0.7)));
        }
    }
    Ok(scene)
}
