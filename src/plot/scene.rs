//! A backend-neutral display list: what a figure is made of, in points (1/72 inch), before any
//! pixel exists.
//!
//! Layout (forest, funnel) builds a [`Scene`]; [`super::paint`] draws it on any plotters
//! backend. Keeping the two apart lets tests check geometry (every label present, nothing
//! overlapping) without decoding an image, and lets PNG and SVG share one drawing path.

use super::font::{Weight, CAP_HEIGHT, DESCENT};

/// A grey level, 0 = black, 255 = white. Plots use greys only, so they print the same in
/// black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grey(pub u8);

impl Grey {
    /// Black.
    pub const BLACK: Grey = Grey(0);
    /// Dark grey, for secondary marks.
    pub const DARK: Grey = Grey(80);
    /// Mid grey, for fills that must still read as "filled".
    pub const MID: Grey = Grey(140);
    /// Light grey, for areas and guide lines.
    pub const LIGHT: Grey = Grey(200);
    /// White.
    pub const WHITE: Grey = Grey(255);
}

/// Horizontal alignment of a text run at its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The anchor is the left end.
    Left,
    /// The anchor is the centre.
    Center,
    /// The anchor is the right end.
    Right,
}

/// An outline: colour, width in points, and an optional dash pattern (on, off) in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub grey: Grey,
    /// Width in points.
    pub width: f64,
    /// Dash pattern (on, off), in points; `None` for a solid line.
    pub dash: Option<(f64, f64)>,
}

impl Stroke {
    /// A solid line.
    pub fn solid(grey: Grey, width: f64) -> Self {
        Stroke {
            grey,
            width,
            dash: None,
        }
    }

    /// A dashed line.
    pub fn dashed(grey: Grey, width: f64, on: f64, off: f64) -> Self {
        Stroke {
            grey,
            width,
            dash: Some((on, off)),
        }
    }
}

/// One mark.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A run of text, vertically centred on `y` (the middle of capital letters).
    Text {
        /// Anchor x.
        x: f64,
        /// Vertical centre.
        y: f64,
        /// The text.
        text: String,
        /// Em size in points.
        size: f64,
        /// Weight.
        weight: Weight,
        /// Alignment at `x`.
        align: Align,
        /// Colour.
        grey: Grey,
        /// Its measured width in points (for layout checks).
        width: f64,
    },
    /// An open polyline.
    Line {
        /// Vertices.
        points: Vec<(f64, f64)>,
        /// Outline.
        stroke: Stroke,
    },
    /// An axis-aligned rectangle.
    Rect {
        /// Left, top.
        min: (f64, f64),
        /// Right, bottom.
        max: (f64, f64),
        /// Fill.
        fill: Option<Grey>,
        /// Outline.
        stroke: Option<Stroke>,
    },
    /// A circle.
    Circle {
        /// Centre.
        center: (f64, f64),
        /// Radius.
        radius: f64,
        /// Fill.
        fill: Option<Grey>,
        /// Outline.
        stroke: Option<Stroke>,
    },
    /// A closed polygon.
    Polygon {
        /// Vertices.
        points: Vec<(f64, f64)>,
        /// Fill.
        fill: Option<Grey>,
        /// Outline.
        stroke: Option<Stroke>,
    },
}

impl Shape {
    /// Bounding box (x0, y0, x1, y1) of a text run: from the cap height above the centre line
    /// to the descender below the baseline.
    pub fn text_box(&self) -> Option<(f64, f64, f64, f64)> {
        match self {
            Shape::Text {
                x,
                y,
                size,
                align,
                width,
                ..
            } => {
                let x0 = match align {
                    Align::Left => *x,
                    Align::Center => x - width / 2.0,
                    Align::Right => x - width,
                };
                let half_cap = CAP_HEIGHT * size / 2.0;
                Some((x0, y - half_cap, x0 + width, y + half_cap + DESCENT * size))
            }
            _ => None,
        }
    }
}

/// A whole figure: its size in points and its marks, painted in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scene {
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Marks, back to front.
    pub shapes: Vec<Shape>,
}

impl Scene {
    /// An empty scene of the page's size, or `default` (inches, width × height) where the
    /// page leaves a side to the plot.
    pub fn blank(page: &super::Page, default: (f64, f64)) -> Self {
        Scene {
            width: page.width.unwrap_or(default.0) * 72.0,
            height: page.height.unwrap_or(default.1) * 72.0,
            shapes: Vec::new(),
        }
    }

    /// Adds a text run, measuring it.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: f64,
        y: f64,
        text: impl Into<String>,
        size: f64,
        weight: Weight,
        align: Align,
    ) {
        self.text_grey(x, y, text, size, weight, align, Grey::BLACK);
    }

    /// Adds a text run in a given grey.
    #[allow(clippy::too_many_arguments)]
    pub fn text_grey(
        &mut self,
        x: f64,
        y: f64,
        text: impl Into<String>,
        size: f64,
        weight: Weight,
        align: Align,
        grey: Grey,
    ) {
        let text = text.into();
        if text.is_empty() {
            return;
        }
        let width = super::font::text_width(&text, size, weight);
        self.shapes.push(Shape::Text {
            x,
            y,
            text,
            size,
            weight,
            align,
            grey,
            width,
        });
    }

    /// Adds a line segment.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), stroke: Stroke) {
        self.shapes.push(Shape::Line {
            points: vec![a, b],
            stroke,
        });
    }

    /// Adds a rectangle.
    pub fn rect(
        &mut self,
        min: (f64, f64),
        max: (f64, f64),
        fill: Option<Grey>,
        stroke: Option<Stroke>,
    ) {
        self.shapes.push(Shape::Rect {
            min,
            max,
            fill,
            stroke,
        });
    }

    /// Adds a polygon.
    pub fn polygon(&mut self, points: Vec<(f64, f64)>, fill: Option<Grey>, stroke: Option<Stroke>) {
        self.shapes.push(Shape::Polygon {
            points,
            fill,
            stroke,
        });
    }

    /// Adds a circle.
    pub fn circle(
        &mut self,
        center: (f64, f64),
        radius: f64,
        fill: Option<Grey>,
        stroke: Option<Stroke>,
    ) {
        self.shapes.push(Shape::Circle {
            center,
            radius,
            fill,
            stroke,
        });
    }

    /// Every text run's bounding box with its text, for layout checks.
    pub fn text_boxes(&self) -> Vec<(String, (f64, f64, f64, f64))> {
        self.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text { text, .. } => s.text_box().map(|b| (text.clone(), b)),
                _ => None,
            })
            .collect()
    }

    /// Pairs of text runs whose boxes overlap, and runs that leave the canvas. Empty for a
    /// well-laid-out figure.
    pub fn text_collisions(&self) -> Vec<String> {
        let mut boxes = self.text_boxes();
        let mut problems = Vec::new();
        for (t, b) in &boxes {
            if b.0 < -0.01 || b.2 > self.width + 0.01 || b.1 < -0.01 || b.3 > self.height + 0.01 {
                problems.push(format!("'{t}' leaves the canvas: {b:?}"));
            }
        }
        boxes.sort_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        for i in 0..boxes.len() {
            let (ta, a) = &boxes[i];
            for (tb, b) in &boxes[i + 1..] {
                if b.1 >= a.3 {
                    break;
                }
                let overlap_x = a.0 < b.2 && b.0 < a.2;
                let overlap_y = a.1 < b.3 && b.1 < a.3;
                if overlap_x && overlap_y {
                    problems.push(format!("'{ta}' {a:?} overlaps '{tb}' {b:?}"));
                }
            }
        }
        problems
    }
}
