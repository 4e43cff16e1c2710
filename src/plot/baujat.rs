//! Baujat plots (Baujat et al. 2002, Stat Med 21:2641–2652; metafor `baujat`): each study's
//! contribution to the heterogeneity (x) against its influence on the pooled result (y), from
//! the coordinates an influence analysis computed ([`crate::methods::baujat`]).
//!
//! Studies in the upper right both add heterogeneity and move the result. Points are numbered
//! in table order (metafor's `symbol = "ids"`), each number beside its point where it covers
//! no other, and a key under the plot names the studies. In a crowd of points (typically the
//! studies of little influence, near the origin) a number that finds no free spot is left
//! out; the key and the JSON list every study.

use super::font::{text_width, Weight};
use super::scene::{Align, Grey, Scene, Stroke};
use super::xy::{draw_axes, page_with_key, Axes, TICK_FONT};
use super::{Page, PlotError};
use crate::analysis::sensitivity::InfluenceAnalysis;
use crate::methods::PooledModel;

/// One study.
#[derive(Debug, Clone, PartialEq)]
pub struct BaujatMark {
    /// Study label.
    pub label: String,
    /// Contribution to the heterogeneity.
    pub x: f64,
    /// Influence on the result.
    pub y: f64,
}

/// Everything a Baujat plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BaujatData {
    /// Title.
    pub title: String,
    /// Caption of the x axis.
    pub x_label: String,
    /// Caption of the y axis.
    pub y_label: String,
    /// Studies.
    pub points: Vec<BaujatMark>,
}

/// The Baujat plot of one analysis of an influence report of `what` (the measure's name, for the title), following `model`.
///
/// # Errors
/// [`PlotError::Empty`] when the analysis has no point (k < 2).
pub fn baujat_data(
    analysis: &InfluenceAnalysis,
    what: &str,
    model: PooledModel,
    title: Option<String>,
) -> Result<BaujatData, PlotError> {
    if analysis.baujat.is_empty() {
        return Err(PlotError::Empty {
            subject: "the Baujat plot",
            missing: "studies (it needs at least 2)",
        });
    }
    Ok(BaujatData {
        title: title.unwrap_or_else(|| match &analysis.group {
            Some(g) => format!("Baujat plot: {what}, {g}"),
            None => format!("Baujat plot: {what}"),
        }),
        // metafor's captions: a squared Pearson residual with τ², Q's share without.
        x_label: match model {
            PooledModel::Random => "Squared Pearson residual (contribution to heterogeneity)",
            PooledModel::Common => "Contribution to overall heterogeneity (Q)",
        }
        .into(),
        y_label: "Influence on overall result".into(),
        points: analysis
            .baujat
            .iter()
            .map(|p| BaujatMark {
                label: p.study.clone(),
                x: p.x,
                y: p.y,
            })
            .collect(),
    })
}

/// Default page, inches (its height grows with the key).
const DEFAULT_SIZE: (f64, f64) = (6.5, 5.5);
const RADIUS: f64 = 3.0;

/// Lays out a Baujat plot.
///
/// # Errors
/// [`PlotError::Empty`] without points; [`PlotError::PageTooSmall`] when the page leaves no
/// room for the panel.
pub fn layout(data: &BaujatData, page: &Page) -> Result<Scene, PlotError> {
    if data.points.is_empty() {
        return Err(PlotError::Empty {
            subject: "the Baujat plot",
            missing: "studies",
        });
    }
    let names: Vec<String> = data.points.iter().map(|p| p.label.clone()).collect();
    let (mut scene, area) = page_with_key(page, DEFAULT_SIZE, &data.title, "Studies:", &names);
    let (width, height) = (scene.width, scene.height);
    let range = |f: fn(&BaujatMark) -> f64| {
        let hi = data.points.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        // Both coordinates are squares: the axes start at 0.
        (0.0, hi.max(0.0))
    };
    let axes = Axes {
        x: range(|p| p.x),
        y: range(|p| p.y),
        x_label: &data.x_label,
        y_label: &data.y_label,
        x_integer: false,
    };
    let panel = draw_axes(&mut scene, area, &axes).ok_or(PlotError::PageTooSmall {
        plot: "Baujat plot",
        width: width / 72.0,
        height: height / 72.0,
        default: DEFAULT_SIZE,
    })?;
    let centres: Vec<(f64, f64)> = data
        .points
        .iter()
        .map(|p| (panel.xs.map(p.x), panel.ys.map(p.y)))
        .collect();
    for &c in &centres {
        let stroke = Stroke::solid(Grey::WHITE, 0.6);
        scene.circle(c, RADIUS, Some(Grey::BLACK), Some(stroke));
    }
    // Points drawn on top of each other share one label ("4, 5"). Labels go most influential
    // first, each at the nearest spot beside its point (right, left, above, below, then the
    // diagonals, then further out) that covers no label, no point and stays in the panel.
    let mut labels: Vec<(usize, String)> = Vec::new();
    let mut labelled = vec![false; centres.len()];
    let reach = |i: usize| data.points[i].x.max(0.0) + data.points[i].y.max(0.0);
    let mut order: Vec<usize> = (0..data.points.len()).collect();
    order.sort_by(|&a, &b| reach(b).total_cmp(&reach(a)).then(a.cmp(&b)));
    for &i in &order {
        if labelled[i] {
            continue;
        }
        let (cx, cy) = centres[i];
        let mut same: Vec<usize> = (0..centres.len())
            .filter(|&j| (centres[j].0 - cx).hypot(centres[j].1 - cy) < 1.0)
            .collect();
        same.sort_unstable();
        same.iter().for_each(|&j| labelled[j] = true);
        let text: Vec<String> = same.iter().map(|j| (j + 1).to_string()).collect();
        labels.push((i, text.join(", ")));
    }
    let mut taken: Vec<Rect> = Vec::new();
    let inside = |b: &Rect| {
        b.0 >= panel.xs.from && b.2 <= panel.xs.to && b.1 >= panel.ys.to && b.3 <= panel.ys.from
    };
    for (i, label) in labels {
        let spots = spots(centres[i], text_width(&label, TICK_FONT, Weight::Normal));
        let free = |b: &Rect| {
            inside(b)
                && !taken.iter().any(|t| overlaps(t, b))
                && !centres.iter().any(|&(px, py)| {
                    overlaps(b, &(px - RADIUS, py - RADIUS, px + RADIUS, py + RADIUS))
                })
        };
        if let Some(&(x, y, align, b)) = spots.iter().find(|s| free(&s.3)) {
            scene.text(x, y, label, TICK_FONT, Weight::Normal, align);
            taken.push(b);
        }
    }
    Ok(scene)
}

/// A box (x0, y0, x1, y1) in points.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The places of a label `w` wide around a point at `(cx, cy)`, nearest first: right, left,
/// above, below and the four diagonals, at three distances; each as (anchor x, centre y,
/// alignment, box).
fn spots((cx, cy): (f64, f64), w: f64) -> Vec<(f64, f64, Align, Rect)> {
    let half = TICK_FONT * 0.6;
    let mut out = Vec::new();
    for step in 0..3 {
        let gap = RADIUS + 1.5 + 8.0 * step as f64;
        for (dx, dy) in [
            (1, 0),
            (-1, 0),
            (0, -1),
            (0, 1),
            (1, -1),
            (-1, -1),
            (1, 1),
            (-1, 1),
        ] {
            let y = cy + f64::from(dy) * (gap + half);
            let (x, align, x0) = match dx {
                1 => (cx + gap, Align::Left, cx + gap),
                -1 => (cx - gap, Align::Right, cx - gap - w),
                _ => (cx, Align::Center, cx - w / 2.0),
            };
            out.push((x, y, align, (x0, y - half, x0 + w, y + half)));
        }
    }
    out
}
