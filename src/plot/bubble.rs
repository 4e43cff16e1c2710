//! Bubble plots of a meta-regression (metafor `regplot`): each study's effect against one
//! continuous moderator, its point larger the larger its weight in the model (the radius
//! linear in √wᵢ from the lightest to the heaviest study, as `regplot` scales its `psize`
//! to [0.5, 3]), with the fitted line, its confidence band and, on request, the prediction band.
//!
//! The line and bands come from [`crate::methods::metareg::predict`]; this module only maps
//! them (through the measure's back-transformation when asked: metafor's `transf`) and draws.

use super::font::{fit_text, Weight};
use super::scene::{Align, Grey, Scene, Stroke};
use super::xy::{draw_axes, reference, Axes};
use super::{Page, PlotError};
use crate::fit::design::weights;
use crate::methods::metareg::predict::{predict_along, Prediction};
use crate::methods::metareg::{MetaRegError, MetaRegFit};
use crate::model::Measure;
use thiserror::Error;

/// One study.
#[derive(Debug, Clone, PartialEq)]
pub struct Bubble {
    /// Moderator value.
    pub x: f64,
    /// Effect (back-transformed where asked).
    pub y: f64,
    /// Where √wᵢ lies between the lightest (0) and heaviest (1) study; 0.5 when all weigh
    /// the same.
    pub size: f64,
}

/// Everything a bubble plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BubbleData {
    /// Title.
    pub title: String,
    /// Caption of the x axis (the moderator).
    pub x_label: String,
    /// Caption of the y axis (the effect).
    pub y_label: String,
    /// The studies.
    pub points: Vec<Bubble>,
    /// The fitted line and its bands, on the plotted scale.
    pub line: Vec<Prediction>,
    /// Whether to draw the prediction band.
    pub pi: bool,
    /// The effect of no difference, where the measure has one, on the plotted scale.
    pub null: Option<f64>,
}

/// What a bubble plot is asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BubbleOptions {
    /// The continuous moderator on the x axis (default: the model's first); the others are
    /// held at their means.
    pub x: Option<String>,
    /// Draw the prediction band.
    pub pi: bool,
    /// The y axis back-transformed (proportions, ratios: metafor's `transf`) instead of the
    /// analysis scale.
    pub back: bool,
}

/// Why a bubble plot cannot be drawn.
#[derive(Debug, Error)]
pub enum BubbleError {
    /// The x axis' moderator is not a continuous moderator of the model.
    #[error(transparent)]
    Moderator(#[from] MetaRegError),
    /// Nothing to draw.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

/// The bubble plot of a meta-regression of effects on `measure`, as `alkstats metareg
/// --bubble` draws it: the line along the x axis' moderator at 101 points, the y axis on the
/// analysis scale or back-transformed by `model_back` (the pooled model's).
///
/// # Errors
/// A moderator that is not continuous, a model with none, or values not finite on the plotted
/// scale.
pub fn regression_bubble(
    fit: &MetaRegFit,
    measure: Measure,
    options: &BubbleOptions,
    model_back: &dyn Fn(f64) -> Option<f64>,
) -> Result<BubbleData, BubbleError> {
    let column = match &options.x {
        Some(c) => c.clone(),
        None => fit
            .moderators
            .continuous
            .first()
            .map(|(c, _)| c.clone())
            .ok_or(PlotError::Empty {
                subject: "the bubble plot",
                missing: "continuous moderator to draw the effect against",
            })?,
    };
    let along = predict_along(fit, &column, 101)?;
    let labels = measure.labels();
    let identity = |y: f64| Some(y);
    let (back, y_label, null): (&dyn Fn(f64) -> Option<f64>, String, Option<f64>) = if options.back
    {
        (model_back, labels.what.to_string(), measure.null_value())
    } else {
        let null = measure
            .null_value()
            .map(|v| if measure.log_scale() { v.ln() } else { v });
        let y_label = format!("{} ({})", labels.what, measure.scale());
        (&identity, y_label, null)
    };
    let title = format!("Meta-regression: {} on {column}", labels.what);
    Ok(bubble_data(
        fit, along, back, title, column, y_label, options.pi, null,
    )?)
}

/// The bubble plot of `fit` along `line` (from
/// [`crate::methods::metareg::predict::predict_along`], whose second part `xs` are the
/// studies' moderator values); `back` maps effects to the plotted scale (the identity, or the
/// measure's back-transformation, which is monotone increasing).
///
/// # Errors
/// [`PlotError::Empty`] when a mapped value is not finite.
#[allow(clippy::too_many_arguments)]
pub fn bubble_data(
    fit: &MetaRegFit,
    (line, xs): (Vec<Prediction>, Vec<f64>),
    back: &dyn Fn(f64) -> Option<f64>,
    title: String,
    x_label: String,
    y_label: String,
    pi: bool,
    null: Option<f64>,
) -> Result<BubbleData, PlotError> {
    let empty = PlotError::Empty {
        subject: "the bubble plot",
        missing: "finite values on the plotted scale",
    };
    let w = weights(&fit.v, fit.result.tau2);
    let root: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
    let lo = root.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = root.iter().copied().fold(0.0, f64::max);
    let size = |r: f64| if hi > lo { (r - lo) / (hi - lo) } else { 0.5 };
    let points = xs
        .iter()
        .zip(&fit.y)
        .zip(&root)
        .map(|((&x, &y), &r)| {
            Some(Bubble {
                x,
                y: back(y)?,
                size: size(r),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(empty.clone())?;
    let pair = |(a, b): (f64, f64)| Some((back(a)?, back(b)?));
    let line = line
        .into_iter()
        .map(|p| {
            Some(Prediction {
                x: p.x,
                fit: back(p.fit)?,
                ci: pair(p.ci)?,
                pi: pair(p.pi)?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(empty)?;
    Ok(BubbleData {
        title,
        x_label,
        y_label,
        points,
        line,
        pi,
        null,
    })
}

/// Default page, inches.
const DEFAULT_SIZE: (f64, f64) = (6.5, 5.0);
const MARGIN: f64 = 16.0;
const TITLE: f64 = 12.5;
/// Radius of the heaviest study's point, points.
const MAX_RADIUS: f64 = 9.0;
/// Radius of the lightest study's point.
const MIN_RADIUS: f64 = 2.0;

/// Lays out a bubble plot.
///
/// # Errors
/// [`PlotError::Empty`] without points; [`PlotError::PageTooSmall`] when the page leaves no
/// room for the panel.
pub fn layout(data: &BubbleData, page: &Page) -> Result<Scene, PlotError> {
    if data.points.is_empty() || data.line.is_empty() {
        return Err(PlotError::Empty {
            subject: "the bubble plot",
            missing: "studies",
        });
    }
    let mut scene = Scene::blank(page, DEFAULT_SIZE);
    let (width, height) = (scene.width, scene.height);
    let title = fit_text(&data.title, TITLE, Weight::Bold, width - 2.0 * MARGIN);
    let (cx, cy) = (width / 2.0, MARGIN + TITLE * 0.6);
    scene.text(cx, cy, title, TITLE, Weight::Bold, Align::Center);
    let band = |p: &Prediction| if data.pi { p.pi } else { p.ci };
    let fold = |vals: &mut dyn Iterator<Item = f64>| {
        vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
    };
    let y = fold(
        &mut data
            .points
            .iter()
            .map(|p| p.y)
            .chain(data.line.iter().flat_map(|p| [band(p).0, band(p).1])),
    );
    let axes = Axes {
        x: fold(&mut data.points.iter().map(|p| p.x)),
        y,
        x_label: &data.x_label,
        y_label: &data.y_label,
        x_integer: false,
    };
    let area = (
        MARGIN,
        MARGIN + TITLE * 2.0,
        width - MARGIN,
        height - MARGIN,
    );
    let panel = draw_axes(&mut scene, area, &axes).ok_or(PlotError::PageTooSmall {
        plot: "bubble plot",
        width: width / 72.0,
        height: height / 72.0,
        default: DEFAULT_SIZE,
    })?;
    let map = |x: f64, y: f64| {
        (
            panel.xs.map(x),
            panel.ys.map(y).clamp(panel.ys.to, panel.ys.from),
        )
    };
    let polygon = |lo: &dyn Fn(&Prediction) -> f64, hi: &dyn Fn(&Prediction) -> f64| {
        let mut pts: Vec<(f64, f64)> = data.line.iter().map(|p| map(p.x, lo(p))).collect();
        pts.extend(data.line.iter().rev().map(|p| map(p.x, hi(p))));
        pts
    };
    if data.pi {
        scene.polygon(polygon(&|p| p.pi.0, &|p| p.pi.1), Some(Grey(235)), None);
    }
    scene.polygon(polygon(&|p| p.ci.0, &|p| p.ci.1), Some(Grey::LIGHT), None);
    if let Some(null) = data.null {
        reference(&mut scene, &panel, null, true);
    }
    let path = |f: &dyn Fn(&Prediction) -> f64, stroke: Stroke, scene: &mut Scene| {
        for pair in data.line.windows(2) {
            scene.line(
                map(pair[0].x, f(&pair[0])),
                map(pair[1].x, f(&pair[1])),
                stroke,
            );
        }
    };
    let dashed = Stroke::dashed(Grey::DARK, 0.6, 3.5, 2.5);
    if data.pi {
        path(&|p| p.pi.0, dashed, &mut scene);
        path(&|p| p.pi.1, dashed, &mut scene);
    }
    path(&|p| p.fit, Stroke::solid(Grey::BLACK, 1.2), &mut scene);
    // Largest first, so that small studies stay visible on top of large ones.
    let mut order: Vec<&Bubble> = data.points.iter().collect();
    order.sort_by(|a, b| b.size.total_cmp(&a.size));
    for b in order {
        let r = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * b.size;
        let outline = Stroke::solid(Grey::BLACK, 0.6);
        scene.circle(map(b.x, b.y), r, Some(Grey(150)), Some(outline));
    }
    Ok(scene)
}
