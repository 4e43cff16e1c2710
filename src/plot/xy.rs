//! An x–y panel in a box of the page: linear axes fitted to the data with readable ticks, the
//! frame, tick marks and labels, and captions under the x axis and beside the y axis. The
//! scatter and index plots of the sensitivity analyses (Baujat, influence panels) draw their
//! data inside it.

use super::axis::{choose_ticks, fmt_tick, Scale};
use super::font::{fit_text, text_width, Weight};
use super::scene::{Align, Grey, Scene, Stroke};
use super::Page;

/// Size of tick labels.
pub const TICK_FONT: f64 = 8.5;
/// Size of axis captions.
pub const CAPTION_FONT: f64 = 9.5;
const TICK: f64 = 3.5;
const GAP: f64 = 3.0;
const MARGIN: f64 = 16.0;
const TITLE: f64 = 12.5;
const KEY_ROW: f64 = TICK_FONT * 1.5;

/// What an x–y panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Axes<'a> {
    /// Data range on x (widened to ticks).
    pub x: (f64, f64),
    /// Data range on y (widened to ticks).
    pub y: (f64, f64),
    /// Caption under the x axis.
    pub x_label: &'a str,
    /// Caption above the y axis, left-aligned.
    pub y_label: &'a str,
    /// Whether x is a study index 1..n: whole-number ticks, half a unit of margin.
    pub x_integer: bool,
}

/// Where data go: the scales of the drawn panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel {
    /// x scale (left to right).
    pub xs: Scale,
    /// y scale (bottom to top).
    pub ys: Scale,
}

/// `(lo, hi)` with a little room around the data (never across zero, so that a range of
/// non-negative values starts at 0 at most), or widened when it is a point.
fn span(r: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = r;
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        let pad = (hi - lo) * 0.04;
        let below = if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        };
        let above = if hi <= 0.0 {
            (hi + pad).min(0.0)
        } else {
            hi + pad
        };
        return (below, above);
    }
    let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - d, hi + d)
}

/// A page of the plots of numbered studies (Baujat, influence panels): the title on top and,
/// at the bottom, `head` and the key of the numbered `studies`. The page is `page`'s size, or
/// `default` inches with the key's height added, so that the body keeps its size whatever the
/// number of studies. Returns the scene and the body's box (x0, y0, x1, y1) between the two.
pub fn page_with_key(
    page: &Page,
    default: (f64, f64),
    title: &str,
    head: &str,
    studies: &[String],
) -> (Scene, (f64, f64, f64, f64)) {
    let width = page.width.unwrap_or(default.0) * 72.0;
    let inner = width - 2.0 * MARGIN;
    let mut key = vec![head.to_string()];
    key.extend(key_lines(studies, inner));
    let key_height = KEY_ROW * key.len() as f64;
    let height = page
        .height
        .map_or(default.1 * 72.0 + key_height, |h| h * 72.0);
    let mut scene = Scene {
        width,
        height,
        shapes: Vec::new(),
    };
    let title = fit_text(title, TITLE, Weight::Bold, inner);
    scene.text(
        width / 2.0,
        MARGIN + TITLE * 0.6,
        title,
        TITLE,
        Weight::Bold,
        Align::Center,
    );
    let key_top = height - MARGIN - key_height;
    for (i, line) in key.into_iter().enumerate() {
        let y = key_top + KEY_ROW * (i as f64 + 0.5);
        scene.text(MARGIN, y, line, TICK_FONT, Weight::Normal, Align::Left);
    }
    (
        scene,
        (MARGIN, MARGIN + TITLE * 2.0, width - MARGIN, key_top - 4.0),
    )
}

/// The key of numbered studies, "1 Study A   2 Study B …", in lines no wider than `width`.
fn key_lines(studies: &[String], width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for (i, s) in studies.iter().enumerate() {
        let item = fit_text(
            &format!("{} {s}", i + 1),
            TICK_FONT,
            Weight::Normal,
            width / 2.0,
        );
        let joined = if line.is_empty() {
            item.clone()
        } else {
            format!("{line}   {item}")
        };
        if !line.is_empty() && text_width(&joined, TICK_FONT, Weight::Normal) > width {
            lines.push(std::mem::replace(&mut line, item));
        } else {
            line = joined;
        }
    }
    lines.push(line);
    lines
}

/// Draws the axes of `axes` in the box `(x0, y0)`–`(x1, y1)` of the page and returns the
/// panel inside them, or `None` when the box leaves no room.
pub fn draw_axes(
    scene: &mut Scene,
    (x0, y0, x1, y1): (f64, f64, f64, f64),
    axes: &Axes<'_>,
) -> Option<Panel> {
    let row = TICK_FONT * 1.6;
    // The top tick label is centred on the frame: half a label of room above it, and the y
    // caption's row above that.
    let top = y0 + TICK_FONT * 0.8 + if axes.y_label.is_empty() { 0.0 } else { row };
    let bottom = y1 - row - if axes.x_label.is_empty() { 0.0 } else { row };
    let (ylo, yhi) = span(axes.y);
    let max_yticks = ((bottom - top) / (TICK_FONT * 2.2)).floor().max(2.0) as usize;
    let (ys0, yticks) = choose_ticks(ylo, yhi, false, true, |_, t| t.len() <= max_yticks);
    let label_w = yticks
        .iter()
        .map(|&t| text_width(&fmt_tick(t), TICK_FONT, Weight::Normal))
        .fold(0.0, f64::max);
    let (left, right) = (x0 + label_w + TICK + GAP, x1 - 4.0);
    if right - left < 36.0 || bottom - top < 24.0 {
        return None;
    }
    // Study indices take the half-unit margins of an index plot, not the room of a data axis.
    let (xlo, xhi) = if axes.x_integer {
        (axes.x.0 - 0.5, axes.x.1 + 0.5)
    } else {
        span(axes.x)
    };
    let (xs0, xticks) = choose_ticks(xlo, xhi, false, !axes.x_integer, |s, ticks| {
        if axes.x_integer && ticks.iter().any(|t| t.fract() != 0.0) {
            return false;
        }
        let s = Scale {
            from: left,
            to: right,
            ..*s
        };
        let mut end = f64::NEG_INFINITY;
        ticks.iter().all(|&t| {
            let w = text_width(&fmt_tick(t), TICK_FONT, Weight::Normal);
            let fits = s.map(t) - w / 2.0 > end + 6.0;
            end = s.map(t) + w / 2.0;
            fits
        })
    });
    let panel = Panel {
        xs: Scale {
            from: left,
            to: right,
            ..xs0
        },
        ys: Scale {
            from: bottom,
            to: top,
            ..ys0
        },
    };
    let axis = Stroke::solid(Grey::BLACK, 0.7);
    scene.rect((left, top), (right, bottom), None, Some(axis));
    for &t in yticks.iter().filter(|&&t| panel.ys.contains(t)) {
        let y = panel.ys.map(t);
        scene.line((left - TICK, y), (left, y), axis);
        let label = fmt_tick(t);
        scene.text(
            left - TICK - GAP,
            y,
            label,
            TICK_FONT,
            Weight::Normal,
            Align::Right,
        );
    }
    for &t in xticks.iter().filter(|&&t| panel.xs.contains(t)) {
        let x = panel.xs.map(t);
        scene.line((x, bottom), (x, bottom + TICK), axis);
        let label = fmt_tick(t);
        let y = bottom + TICK + row / 2.0;
        scene.text(x, y, label, TICK_FONT, Weight::Normal, Align::Center);
    }
    let width = x1 - x0;
    if !axes.x_label.is_empty() {
        let text = fit_text(axes.x_label, CAPTION_FONT, Weight::Normal, width);
        let y = bottom + TICK + row * 1.5;
        scene.text(
            (left + right) / 2.0,
            y,
            text,
            CAPTION_FONT,
            Weight::Normal,
            Align::Center,
        );
    }
    if !axes.y_label.is_empty() {
        let text = fit_text(axes.y_label, CAPTION_FONT, Weight::Normal, width);
        scene.text(
            x0,
            y0 + row / 2.0,
            text,
            CAPTION_FONT,
            Weight::Normal,
            Align::Left,
        );
    }
    Some(panel)
}

/// A dashed (or dotted) horizontal reference line across the panel at `y`, when on the axis.
pub fn reference(scene: &mut Scene, p: &Panel, y: f64, dotted: bool) {
    if y.is_finite() && p.ys.contains(y) {
        let (on, off) = if dotted { (1.0, 2.0) } else { (3.5, 2.5) };
        let stroke = Stroke::dashed(Grey::DARK, 0.6, on, off);
        scene.line((p.xs.from, p.ys.map(y)), (p.xs.to, p.ys.map(y)), stroke);
    }
}
