//! The graphical marks of a forest plot: reference and pooled-estimate guide lines, study
//! squares (area ∝ weight) and whiskers, diamonds, prediction bars, and the arrowheads that
//! show an interval running past the axis.
//!
//! Marks are clamped to the axis range: an interval beyond it is cut at the panel edge and
//! ends in an arrow, rather than drawn over the neighbouring columns.

use super::lines::Line;
use super::{ARROW, DIAMOND_HALF, LINE, ROW, SQUARE_MAX, SQUARE_MIN, THIN};
use crate::plot::axis::Scale;
use crate::plot::forest::data::{Diamond, DiamondKind, ForestData, ForestRow};
use crate::plot::scene::{Grey, Scene, Stroke};

/// `v` limited to the axis range.
fn clamp(scale: &Scale, v: f64) -> f64 {
    v.clamp(scale.lo, scale.hi)
}

/// The solid line at the null value and the dashed line at the pooled estimate, from the top
/// of the table to the axis, when they fall on the axis.
pub(super) fn guides(scene: &mut Scene, data: &ForestData, scale: &Scale, top: f64, axis_y: f64) {
    if let Some(v) = data.null_value.filter(|&v| scale.contains(v)) {
        let xv = scale.map(v);
        scene.line((xv, top), (xv, axis_y), Stroke::solid(Grey::DARK, LINE));
    }
    if let Some(v) = data.pooled_line.filter(|&v| scale.contains(v)) {
        let xv = scale.map(v);
        scene.line(
            (xv, top),
            (xv, axis_y),
            Stroke::dashed(Grey::MID, LINE, 3.0, 2.5),
        );
    }
}

/// A study's square, its area proportional to the weight (relative to the heaviest,
/// `max_w`) but never too small to see; none when the estimate is off the axis.
pub(super) fn square(scene: &mut Scene, scale: &Scale, r: &ForestRow, max_w: f64, cy: f64) {
    let side = if max_w > 0.0 && r.weight_pct > 0.0 {
        (SQUARE_MAX * (r.weight_pct / max_w).sqrt()).max(SQUARE_MIN)
    } else {
        SQUARE_MIN
    };
    if scale.contains(r.estimate) {
        let xe = scale.map(r.estimate);
        scene.rect(
            (xe - side / 2.0, cy - side / 2.0),
            (xe + side / 2.0, cy + side / 2.0),
            Some(Grey(105)),
            None,
        );
    }
}

/// A study's CI whisker, with arrowheads where it runs past the axis. A missing bound is
/// taken as the estimate; nothing is drawn for bounds that cannot be placed (not finite, or
/// not positive on a log axis).
pub(super) fn whisker(scene: &mut Scene, scale: &Scale, r: &ForestRow, log_axis: bool, cy: f64) {
    let lo = r.lower.unwrap_or(r.estimate);
    let hi = r.upper.unwrap_or(r.estimate);
    if !(lo.is_finite() && hi.is_finite() && (!log_axis || (lo > 0.0 && hi > 0.0))) {
        return;
    }
    let (a, b) = (scale.map(clamp(scale, lo)), scale.map(clamp(scale, hi)));
    if b > a {
        scene.line((a, cy), (b, cy), Stroke::solid(Grey::BLACK, LINE));
    }
    arrows(scene, scale, lo, hi, cy);
}

/// A pooled estimate's diamond: solid black for random effects, light with an outline for
/// the common effect, so the two survive greyscale printing.
pub(super) fn diamond(scene: &mut Scene, scale: &Scale, dm: &Diamond, cy: f64) {
    let (l, e, u) = (
        scale.map(clamp(scale, dm.lower)),
        scale.map(clamp(scale, dm.estimate)),
        scale.map(clamp(scale, dm.upper)),
    );
    let pts = vec![
        (l, cy),
        (e, cy - DIAMOND_HALF),
        (u, cy),
        (e, cy + DIAMOND_HALF),
    ];
    match dm.kind {
        DiamondKind::Random => scene.polygon(pts, Some(Grey::BLACK), None),
        DiamondKind::Common => {
            scene.polygon(pts, Some(Grey(215)), Some(Stroke::solid(Grey::BLACK, LINE)))
        }
    }
    arrows(scene, scale, dm.lower, dm.upper, cy);
}

/// A prediction interval's bar: a thin grey box, lighter than any diamond.
pub(super) fn prediction_bar(scene: &mut Scene, scale: &Scale, (l, u): (f64, f64), cy: f64) {
    let (a, b) = (scale.map(clamp(scale, l)), scale.map(clamp(scale, u)));
    let half = 0.17 * ROW;
    scene.rect(
        (a, cy - half),
        (b, cy + half),
        Some(Grey(170)),
        Some(Stroke::solid(Grey::BLACK, THIN)),
    );
    arrows(scene, scale, l, u, cy);
}

/// Whether `lo..hi` runs past the axis range below and above (with a relative tolerance, so
/// a bound equal to an axis limit does not).
fn past_axis(scale: &Scale, lo: f64, hi: f64) -> (bool, bool) {
    let tol = 1e-12 * scale.hi.abs().max(1.0);
    (lo < scale.lo - tol, hi > scale.hi + tol)
}

/// A sentence for each prediction interval that runs past the axis (its bar ends in an arrow).
pub(super) fn clipped_predictions(lines: &[Line<'_>], scale: &Scale, digits: usize) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Prediction((lo, hi)) if past_axis(scale, *lo, *hi) != (false, false) => {
                Some(format!(
                    "Prediction interval [{lo:.digits$}; {hi:.digits$}] runs past the axis: its \
                     bar ends in an arrow"
                ))
            }
            _ => None,
        })
        .collect()
}

/// Arrowheads at the panel edges for an interval that runs past the axis range (with a
/// relative tolerance, so a bound equal to an axis limit draws none).
fn arrows(scene: &mut Scene, scale: &Scale, lo: f64, hi: f64, cy: f64) {
    let (al, hw) = ARROW;
    let (below, above) = past_axis(scale, lo, hi);
    if below {
        let x = scale.from;
        scene.polygon(
            vec![(x, cy), (x + al, cy - hw), (x + al, cy + hw)],
            Some(Grey::BLACK),
            None,
        );
    }
    if above {
        let x = scale.to;
        scene.polygon(
            vec![(x, cy), (x - al, cy - hw), (x - al, cy + hw)],
            Some(Grey::BLACK),
            None,
        );
    }
}
