//! The x axis of a forest plot: its range and ticks, fitted so that tick labels neither touch
//! nor leave the page, and its drawing with the "favours" labels and the axis label.

use super::columns::Columns;
use super::lines::Line;
use super::{FONT, LINE, MARGIN, ROW, SMALL};
use crate::plot::axis::{choose_ticks, fmt_tick, Scale};
use crate::plot::font::{fit_text, text_width, Weight};
use crate::plot::forest::data::ForestData;
use crate::plot::scene::{Align, Grey, Scene, Stroke};

/// The data range the axis must show, and whether it may grow outward to round ticks (a
/// user's `--xlim` is kept exactly).
fn data_range(data: &ForestData, lines: &[Line<'_>]) -> (f64, f64, bool) {
    if let Some((a, b)) = data.xlim {
        return (a, b, false);
    }
    let mut vals: Vec<f64> = Vec::new();
    for line in lines {
        match line {
            Line::Study(r) => {
                vals.extend([Some(r.estimate), r.lower, r.upper].into_iter().flatten())
            }
            Line::Diamond(dm, _) => vals.extend([dm.estimate, dm.lower, dm.upper]),
            // Prediction intervals do not stretch the axis (as in `meta`): a wide one
            // would squeeze every study; beyond the axis it ends in arrows.
            _ => {}
        }
    }
    vals.extend(data.null_value);
    vals.retain(|v| v.is_finite() && (!data.log_axis || *v > 0.0));
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        if data.log_axis {
            (0.5, 2.0, true)
        } else {
            (0.0, 1.0, true)
        }
    } else if hi - lo < 1e-12 {
        if data.log_axis {
            (lo / 2.0, hi * 2.0, true)
        } else {
            (lo - 0.5, hi + 0.5, true)
        }
    } else {
        let (lo, hi) = match data.null_value {
            Some(null) if data.favours.is_some() => room_past_null(lo, hi, null, data.log_axis),
            _ => (lo, hi),
        };
        (lo, hi, true)
    }
}

/// The least share of the axis on either side of the null value.
const NULL_SIDE: f64 = 0.2;

/// Widens `lo..hi` (which holds `null`) so that the null value lies at least [`NULL_SIDE`] of
/// the axis in from either end: both "favours" labels then stand over an axis (hazard ratios
/// that are all below 1 would otherwise end the axis at 1).
fn room_past_null(lo: f64, hi: f64, null: f64, log: bool) -> (f64, f64) {
    let to = |v: f64| if log { v.ln() } else { v };
    let from = |v: f64| if log { v.exp() } else { v };
    let (mut a, mut b, n) = (to(lo), to(hi), to(null));
    if n - a < NULL_SIDE * (b - a) {
        a = (n - NULL_SIDE * b) / (1.0 - NULL_SIDE);
    }
    if b - n < NULL_SIDE * (b - a) {
        b = (n - NULL_SIDE * a) / (1.0 - NULL_SIDE);
    }
    (from(a), from(b))
}

/// Chooses the axis range and ticks and maps the range onto the plot panel.
pub(super) fn fit(
    data: &ForestData,
    lines: &[Line<'_>],
    columns: &Columns<'_>,
) -> (Scale, Vec<f64>) {
    let (lo, hi, expand) = data_range(data, lines);
    let (panel, width) = (columns.panel, columns.width);
    let tick_w = |t: f64| text_width(&fmt_tick(t), SMALL, Weight::Normal);
    let (scale0, ticks) = choose_ticks(lo, hi, data.log_axis, expand, |s, ticks| {
        let s = Scale {
            from: panel.0,
            to: panel.1,
            ..*s
        };
        let mut prev_right = f64::NEG_INFINITY;
        for &t in ticks {
            let w = tick_w(t);
            let c = s.map(t);
            if c - w / 2.0 < prev_right + 6.0 {
                return false;
            }
            prev_right = c + w / 2.0;
        }
        let first = ticks.first().map_or(0.0, |&t| s.map(t) - tick_w(t) / 2.0);
        let last = ticks.last().map_or(0.0, |&t| s.map(t) + tick_w(t) / 2.0);
        // Below the table the outer labels may reach into the column gaps and beyond, but
        // not off the page.
        first >= MARGIN && last <= width - MARGIN
    });
    let scale = Scale {
        from: panel.0,
        to: panel.1,
        ..scale0
    };
    (scale, ticks)
}

/// Draws the axis line, ticks and tick labels, the "favours" labels (when `has_favours`) and
/// the axis label, from `axis_y` down. Returns the y below the axis label.
pub(super) fn draw(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    scale: &Scale,
    ticks: &[f64],
    axis_y: f64,
    has_favours: bool,
) -> f64 {
    let (panel, width) = (columns.panel, columns.width);
    scene.line(
        (panel.0, axis_y),
        (panel.1, axis_y),
        Stroke::solid(Grey::BLACK, LINE),
    );
    let tick_label_y = axis_y + 6.0 + ROW / 2.0;
    for &t in ticks {
        let xt = scale.map(t);
        scene.line(
            (xt, axis_y),
            (xt, axis_y + 4.0),
            Stroke::solid(Grey::BLACK, LINE),
        );
        scene.text(
            xt,
            tick_label_y,
            fmt_tick(t),
            SMALL,
            Weight::Normal,
            Align::Center,
        );
    }
    let mut yy = tick_label_y + ROW;
    if has_favours {
        draw_favours(scene, data, columns, scale, yy);
        yy += ROW;
    }
    let xl = fit_text(&data.x_label, FONT, Weight::Normal, width - 2.0 * MARGIN);
    let xl_w = text_width(&xl, FONT, Weight::Normal);
    // Centred under the panel, but moved in rather than cut off when it is wider.
    let xl_x = ((panel.0 + panel.1) / 2.0).clamp(MARGIN + xl_w / 2.0, width - MARGIN - xl_w / 2.0);
    scene.text(xl_x, yy, xl, FONT, Weight::Normal, Align::Center);
    yy + (ROW / 2.0 + 4.0)
}

/// The "favours" labels either side of the null value, each shortened to the room on its side.
fn draw_favours(
    scene: &mut Scene,
    data: &ForestData,
    columns: &Columns<'_>,
    scale: &Scale,
    y: f64,
) {
    if let (Some((left, right)), Some(v)) = (&data.favours, data.null_value) {
        let xv = scale.map(v);
        let lw = (xv - 4.0 - MARGIN).max(0.0);
        let rw = (columns.x_right - (xv + 4.0)).max(0.0);
        scene.text_grey(
            xv - 4.0,
            y,
            fit_text(left, SMALL, Weight::Normal, lw),
            SMALL,
            Weight::Normal,
            Align::Right,
            Grey(40),
        );
        scene.text_grey(
            xv + 4.0,
            y,
            fit_text(right, SMALL, Weight::Normal, rw),
            SMALL,
            Weight::Normal,
            Align::Left,
            Grey(40),
        );
    }
}
