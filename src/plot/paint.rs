//! Paints a [`Scene`] on any plotters drawing backend: the one drawing path behind both PNG and
//! SVG output.
//!
//! The only backend-specific facts are in [`TextSetting`]: plotters' bitmap backend (ab_glyph)
//! and its SVG backend interpret a font size and a vertical anchor differently, so each gets a
//! size factor and a baseline offset that put the same em size and the same baseline where the
//! layout asked for them.

use super::font::{self, FAMILY};
use super::scene::{Align, Grey, Scene, Shape, Stroke};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How a backend turns an em size and a text centre line into plotters' font size and anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSetting {
    /// plotters font size per em pixel.
    pub size_per_em: f64,
    /// Offset, in em, from the wanted centre line (middle of capitals) to the y that plotters
    /// must be given with a vertically centred anchor.
    pub center_offset: f64,
}

impl TextSetting {
    /// The bitmap backend with ab_glyph: size is ascender − descender, and a centred anchor
    /// puts the baseline at (0.5 − 0.5/1.24)·size below the anchor.
    pub fn bitmap() -> Self {
        let baseline_below_anchor = (0.5 - 0.5 / 1.24) * font::SIZE_PER_EM;
        TextSetting {
            size_per_em: font::SIZE_PER_EM,
            center_offset: font::CAP_HEIGHT / 2.0 - baseline_below_anchor,
        }
    }

    /// The SVG backend: writes `font-size = size/1.24` and a centred anchor as `dy="0.5ex"`
    /// (DejaVu Sans x-height: 1120/2048 em).
    pub fn svg() -> Self {
        TextSetting {
            size_per_em: 1.24,
            center_offset: font::CAP_HEIGHT / 2.0 - 0.5 * 1120.0 / 2048.0,
        }
    }
}

fn colour(g: Grey) -> RGBColor {
    RGBColor(g.0, g.0, g.0)
}

/// Paints `scene` on `area`, `scale` pixels per point.
///
/// # Errors
/// Whatever the backend reports (an I/O error for file backends; none for buffers).
pub fn paint<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scene: &Scene,
    scale: f64,
    text: TextSetting,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    font::ensure_registered();
    let px = |(x, y): (f64, f64)| ((x * scale).round() as i32, (y * scale).round() as i32);
    let width = |w: f64| ((w * scale).round() as u32).max(1);
    area.fill(&WHITE)?;
    for shape in &scene.shapes {
        match shape {
            Shape::Text {
                x,
                y,
                text: s,
                size,
                weight,
                align,
                grey,
                ..
            } => {
                let em = size * scale;
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Center => HPos::Center,
                    Align::Right => HPos::Right,
                };
                let c = colour(*grey);
                let style = FontDesc::new(
                    FontFamily::Name(FAMILY),
                    em * text.size_per_em,
                    weight.style(),
                )
                .color(&c)
                .pos(Pos::new(h, VPos::Center));
                let anchor = px((*x, y + text.center_offset * size));
                area.draw(&Text::new(s.as_str(), anchor, style))?;
            }
            Shape::Line { points, stroke } => stroke_path(area, points, stroke, scale)?,
            Shape::Rect {
                min,
                max,
                fill,
                stroke,
            } => {
                if let Some(g) = fill {
                    area.draw(&Rectangle::new([px(*min), px(*max)], colour(*g).filled()))?;
                }
                if let Some(s) = stroke {
                    let (a, b) = (px(*min), px(*max));
                    let style = colour(s.grey).stroke_width(width(s.width));
                    area.draw(&Rectangle::new([a, b], style))?;
                }
            }
            Shape::Circle {
                center,
                radius,
                fill,
                stroke,
            } => {
                let r = ((radius * scale).round() as u32).max(1);
                if let Some(g) = fill {
                    area.draw(&Circle::new(px(*center), r, colour(*g).filled()))?;
                }
                if let Some(s) = stroke {
                    area.draw(&Circle::new(
                        px(*center),
                        r,
                        colour(s.grey).stroke_width(width(s.width)),
                    ))?;
                }
            }
            Shape::Polygon {
                points,
                fill,
                stroke,
            } => {
                if let Some(g) = fill {
                    let pts: Vec<(i32, i32)> = points.iter().map(|&p| px(p)).collect();
                    area.draw(&Polygon::new(pts, colour(*g).filled()))?;
                }
                if let Some(s) = stroke {
                    let mut closed = points.clone();
                    if let Some(&first) = points.first() {
                        closed.push(first);
                    }
                    stroke_path(area, &closed, s, scale)?;
                }
            }
        }
    }
    area.present()
}

/// Draws a polyline, solid or dashed. Dashes are cut here (not by the backend) so PNG and SVG
/// show the same pattern.
fn stroke_path<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    stroke: &Stroke,
    scale: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |(x, y): (f64, f64)| ((x * scale).round() as i32, (y * scale).round() as i32);
    let style = colour(stroke.grey).stroke_width(((stroke.width * scale).round() as u32).max(1));
    match stroke.dash {
        None => area.draw(&PathElement::new(
            points.iter().map(|&p| px(p)).collect::<Vec<_>>(),
            style,
        )),
        Some((on, off)) => {
            for seg in points.windows(2) {
                let (a, b) = (seg[0], seg[1]);
                let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
                if len == 0.0 {
                    continue;
                }
                let at = |t: f64| (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
                let mut t = 0.0;
                while t < len {
                    let end = (t + on).min(len);
                    area.draw(&PathElement::new(vec![px(at(t)), px(at(end))], style))?;
                    t += on + off;
                }
            }
            Ok(())
        }
    }
}
