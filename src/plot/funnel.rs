//! Funnel plots: each study's effect (on the analysis scale) against its standard error, the
//! y axis inverted so the most precise studies sit at the top (metafor's `funnel`).
//!
//! [`funnel_data`] reads one analysis of a report into an outcome-neutral [`FunnelData`]
//! (yᵢ, √vᵢ per study and the pooled yᵢ, all as the report holds them). [`layout`] draws the
//! pseudo confidence region (pooled ± z·SE) and the pooled line, or, contour-enhanced (Peters
//! et al. 2008, J Clin Epidemiol 61:991–996), the regions where a study would be significant at
//! p < 0.01, 0.05 and 0.10 against a reference value, shaded in greys.

use super::axis::{choose_ticks, fmt_tick, Scale};
use super::font::{fit_text, text_width, Weight};
use super::forest::Models;
use super::scene::{Align, Grey, Scene, Stroke};
use super::style::{draw_title, FONT, MARGIN, ROW, SMALL, TITLE};
use super::{Page, PlotError};
use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use crate::dist::z_crit;
use crate::methods::bias::TrimFill;

/// One study.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    /// Label.
    pub label: String,
    /// Effect on the analysis scale.
    pub yi: f64,
    /// Its standard error.
    pub se: f64,
}

/// Significance contours around a reference value.
#[derive(Debug, Clone, PartialEq)]
pub struct Contours {
    /// Reference value on the analysis scale (0 for a log ratio or a logit of ½).
    pub center: f64,
}

/// Everything a funnel plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelData {
    /// Title.
    pub title: String,
    /// Label of the effect axis, naming the scale ("Logit of proportion (PLOGIT)").
    pub x_label: String,
    /// Studies.
    pub points: Vec<FunnelPoint>,
    /// Pooled estimate on the analysis scale.
    pub pooled: f64,
    /// What the pooled line is ("random-effects estimate").
    pub pooled_label: String,
    /// Level of the pseudo confidence region, e.g. 0.95.
    pub level: f64,
    /// Contour-enhanced shading; `None` for the plain pseudo confidence region.
    pub contours: Option<Contours>,
    /// Studies imputed by trim-and-fill, drawn as open circles (none by default).
    pub filled: Vec<FunnelPoint>,
    /// A second vertical line (grey) with its legend text: the observed studies' estimate
    /// when the pooled line is the trim-and-fill estimate.
    pub reference: Option<(f64, String)>,
}

/// Choices made when turning a report into a funnel plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunnelOptions {
    /// The pooled line: random (or both) draws the random-effects estimate, common the
    /// common-effect estimate.
    pub models: Models,
    /// Contour-enhanced, around this reference value on the analysis scale.
    pub contour_center: Option<f64>,
    /// Title; `None` for one derived from the report.
    pub title: Option<String>,
}

/// Builds the funnel plot of one analysis of a report.
///
/// # Errors
/// [`PlotError::Empty`] when the analysis has no study with a positive variance.
pub fn funnel_data<S: StudyRow>(
    report: &PoolReport<S>,
    analysis: &Analysis<S>,
    opts: &FunnelOptions,
) -> Result<FunnelData, PlotError> {
    let points: Vec<FunnelPoint> = analysis
        .studies
        .iter()
        .filter_map(|s| {
            let (yi, vi) = s.yi_vi();
            (yi.is_finite() && vi.is_finite() && vi > 0.0).then(|| FunnelPoint {
                label: s.label().to_string(),
                yi,
                se: vi.sqrt(),
            })
        })
        .collect();
    if points.is_empty() {
        return Err(PlotError::Empty {
            subject: "the analysis",
            missing: "study with a finite effect and variance",
        });
    }
    let (pooled, pooled_label) = if opts.models == Models::Common {
        (analysis.common.yi, "common-effect estimate")
    } else {
        (analysis.random.yi, "random-effects estimate")
    };
    let what = report.labels().what;
    let title = opts.title.clone().unwrap_or_else(|| match &analysis.group {
        Some(g) => format!("Funnel plot: {what}, {g}"),
        None => format!("Funnel plot: {what}"),
    });
    let scale = report.settings.scale.as_str();
    let mut chars = scale.chars();
    let x_label = match chars.next() {
        Some(first) => format!(
            "{}{} ({})",
            first.to_uppercase(),
            chars.as_str(),
            report.settings.sm
        ),
        None => report.settings.sm.clone(),
    };
    Ok(FunnelData {
        title,
        x_label,
        points,
        pooled,
        pooled_label: pooled_label.into(),
        level: report.settings.level,
        contours: opts.contour_center.map(|center| Contours { center }),
        filled: Vec::new(),
        reference: None,
    })
}

/// The funnel plot of trim-and-fill (metafor's `funnel(trimfill(res))`): the filled studies
/// as open circles, the pooled line and pseudo confidence region at the estimate of the filled
/// data, and the observed studies' estimate as a grey line.
pub fn with_trim_and_fill(mut data: FunnelData, tf: &TrimFill) -> FunnelData {
    data.filled = tf
        .filled
        .iter()
        .enumerate()
        .map(|(i, f)| FunnelPoint {
            label: format!("Filled {}", i + 1),
            yi: f.yi,
            se: f.vi.sqrt(),
        })
        .collect();
    if tf.k0 == 0 {
        // Nothing filled: the estimate is the observed one; say so rather than draw it twice.
        data.pooled_label = format!("{}; trim-and-fill fills no study", data.pooled_label);
        return data;
    }
    data.reference = Some((
        data.pooled,
        format!("Observed studies ({})", data.pooled_label),
    ));
    data.pooled = tf.adjusted.yi;
    data.pooled_label = format!(
        "trim-and-fill, {} filled on the {} ({})",
        tf.k0, tf.side, tf.estimator
    );
    data
}

/// Default page, inches.
const DEFAULT_SIZE: (f64, f64) = (6.5, 5.5);
/// Contour levels (two-sided p) and the grey of the band just inside each, outermost first.
const BANDS: [(f64, Grey); 3] = [(0.01, Grey(196)), (0.05, Grey(150)), (0.10, Grey::WHITE)];
/// Grey of the area where p < 0.01.
const OUTSIDE: Grey = Grey(236);

/// Lays out a funnel plot.
///
/// # Errors
/// [`PlotError::Empty`] without points; [`PlotError::PageTooSmall`] when the page leaves
/// less than an inch for the panel.
pub fn layout(data: &FunnelData, page: &Page) -> Result<Scene, PlotError> {
    if data.points.is_empty() {
        return Err(PlotError::Empty {
            subject: "the funnel plot",
            missing: "studies",
        });
    }
    let mut scene = Scene::blank(page, DEFAULT_SIZE);
    let (width, height) = (scene.width, scene.height);

    // Vertical budget: title, y-axis caption, panel, tick labels, x label, legend.
    let mut y = MARGIN;
    if !data.title.is_empty() {
        draw_title(&mut scene, &data.title, width);
        y += TITLE * 2.0;
    }
    let caption_y = y + ROW / 2.0;
    let top = y + ROW + 4.0;
    let legend = legend_rows(legend_items(data), width - 2.0 * MARGIN);
    let bottom = height - MARGIN - ROW * 2.0 - 10.0 - ROW * legend.len() as f64;

    // Axes ranges.
    let all_points = || data.points.iter().chain(&data.filled);
    let se_max = all_points().map(|p| p.se).fold(0.0, f64::max);
    // A little room below the least precise study, so its point is not cut by the frame.
    let (yscale0, yticks) = choose_ticks(0.0, se_max * 1.04, false, false, |_, t| t.len() <= 6);
    let se_bottom = yscale0.hi;
    let z = z_crit(data.level);
    let mut xs: Vec<f64> = all_points().map(|p| p.yi).collect();
    xs.push(data.pooled - z * se_bottom);
    xs.push(data.pooled + z * se_bottom);
    if let Some(c) = &data.contours {
        let z99 = z_crit(0.99);
        xs.push(c.center - z99 * se_bottom);
        xs.push(c.center + z99 * se_bottom);
    }
    let xlo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let xhi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);

    let ytick_w = yticks
        .iter()
        .map(|&t| text_width(&fmt_tick(t), SMALL, Weight::Normal))
        .fold(0.0, f64::max);
    let left = MARGIN + ytick_w + 8.0;
    let right = width - MARGIN - 8.0;
    if right - left < 72.0 || bottom - top < 72.0 {
        return Err(PlotError::PageTooSmall {
            plot: "funnel plot",
            width: width / 72.0,
            height: height / 72.0,
            default: DEFAULT_SIZE,
        });
    }
    let (xscale0, xticks) = choose_ticks(xlo, xhi, false, true, |s, ticks| {
        let s = Scale {
            from: left,
            to: right,
            ..*s
        };
        let mut prev = f64::NEG_INFINITY;
        for &t in ticks {
            let w = text_width(&fmt_tick(t), SMALL, Weight::Normal);
            if s.map(t) - w / 2.0 < prev + 8.0 {
                return false;
            }
            prev = s.map(t) + w / 2.0;
        }
        true
    });
    let xs = Scale {
        from: left,
        to: right,
        ..xscale0
    };
    let ys = Scale {
        lo: 0.0,
        hi: se_bottom,
        log: false,
        from: top,
        to: bottom,
    };

    // Regions.
    let tri = |center: f64, zq: f64| {
        vec![
            (xs.map(center), ys.map(0.0)),
            (xs.map(center + zq * se_bottom), ys.map(se_bottom)),
            (xs.map(center - zq * se_bottom), ys.map(se_bottom)),
        ]
    };
    match &data.contours {
        Some(c) => {
            scene.rect((left, top), (right, bottom), Some(OUTSIDE), None);
            for (p, grey) in BANDS {
                scene.polygon(tri(c.center, z_crit(1.0 - p)), Some(grey), None);
            }
            let xc = xs.map(c.center);
            scene.line(
                (xc, top),
                (xc, bottom),
                Stroke::dashed(Grey::DARK, 0.6, 1.5, 1.5),
            );
            let pts = tri(data.pooled, z);
            scene.line(pts[0], pts[1], Stroke::dashed(Grey::BLACK, 0.7, 3.0, 2.5));
            scene.line(pts[0], pts[2], Stroke::dashed(Grey::BLACK, 0.7, 3.0, 2.5));
        }
        None => {
            let pts = tri(data.pooled, z);
            scene.polygon(pts.clone(), Some(Grey(232)), None);
            scene.line(pts[0], pts[1], Stroke::dashed(Grey::BLACK, 0.7, 3.0, 2.5));
            scene.line(pts[0], pts[2], Stroke::dashed(Grey::BLACK, 0.7, 3.0, 2.5));
        }
    }
    let xp = xs.map(data.pooled);
    scene.line((xp, top), (xp, bottom), Stroke::solid(Grey::BLACK, 0.9));
    if let Some((x, _)) = &data.reference {
        let xr = xs.map(*x);
        scene.line((xr, top), (xr, bottom), reference_line());
    }
    for (points, (fill, stroke)) in [(&data.points, marker(false)), (&data.filled, marker(true))] {
        for p in points {
            scene.circle((xs.map(p.yi), ys.map(p.se)), 3.2, fill, stroke);
        }
    }
    scene.rect(
        (left, top),
        (right, bottom),
        None,
        Some(Stroke::solid(Grey::BLACK, 0.8)),
    );

    // Axes.
    for &t in &yticks {
        let yt = ys.map(t);
        scene.line(
            (left - 4.0, yt),
            (left, yt),
            Stroke::solid(Grey::BLACK, 0.8),
        );
        scene.text(
            left - 6.0,
            yt,
            fmt_tick(t),
            SMALL,
            Weight::Normal,
            Align::Right,
        );
    }
    scene.text(
        MARGIN,
        caption_y,
        "Standard error",
        FONT,
        Weight::Normal,
        Align::Left,
    );
    for &t in &xticks {
        let xt = xs.map(t);
        scene.line(
            (xt, bottom),
            (xt, bottom + 4.0),
            Stroke::solid(Grey::BLACK, 0.8),
        );
        scene.text(
            xt,
            bottom + 6.0 + ROW / 2.0,
            fmt_tick(t),
            SMALL,
            Weight::Normal,
            Align::Center,
        );
    }
    let xl = fit_text(&data.x_label, FONT, Weight::Normal, width - 2.0 * MARGIN);
    scene.text(
        (left + right) / 2.0,
        bottom + 6.0 + ROW * 1.5,
        xl,
        FONT,
        Weight::Normal,
        Align::Center,
    );

    // Legend: rows of swatches, centred.
    let mut ly = height - MARGIN - ROW * (legend.len() as f64 - 0.5);
    for row in &legend {
        let total: f64 =
            row.iter().map(|(_, _, w)| w).sum::<f64>() + LEGEND_GAP * (row.len() as f64 - 1.0);
        let mut x = (width - total) / 2.0;
        for (kind, text, w) in row {
            match kind {
                Key::Fill(g) => scene.rect(
                    (x, ly - SWATCH / 2.0),
                    (x + SWATCH, ly + SWATCH / 2.0),
                    Some(*g),
                    Some(Stroke::solid(Grey::DARK, 0.5)),
                ),
                Key::Line(s) => scene.line((x, ly), (x + SWATCH, ly), *s),
                Key::Marker((fill, stroke)) => {
                    scene.circle((x + SWATCH / 2.0, ly), 3.2, *fill, *stroke)
                }
            }
            let tw = w - SWATCH - 4.0;
            scene.text(
                x + SWATCH + 4.0,
                ly,
                fit_text(text, SMALL, Weight::Normal, tw),
                SMALL,
                Weight::Normal,
                Align::Left,
            );
            x += w + LEGEND_GAP;
        }
        ly += ROW;
    }
    Ok(scene)
}

/// A study's marker: observed, a black disc with a white rim; filled by trim-and-fill
/// (`open`), a white disc with a black rim.
fn marker(open: bool) -> (Option<Grey>, Option<Stroke>) {
    match open {
        false => (Some(Grey::BLACK), Some(Stroke::solid(Grey::WHITE, 0.6))),
        true => (Some(Grey::WHITE), Some(Stroke::solid(Grey::BLACK, 0.9))),
    }
}

/// The observed studies' estimate beside a trim-and-fill estimate.
fn reference_line() -> Stroke {
    Stroke::solid(Grey(150), 1.6)
}

const SWATCH: f64 = 10.0;
const LEGEND_GAP: f64 = 14.0;

/// Packs legend items into rows no wider than `avail`; each item carries its width.
fn legend_rows(items: Vec<(Key, String)>, avail: f64) -> Vec<Vec<(Key, String, f64)>> {
    let mut rows: Vec<Vec<(Key, String, f64)>> = Vec::new();
    let mut row: Vec<(Key, String, f64)> = Vec::new();
    let mut used = 0.0;
    for (k, t) in items {
        let w = (SWATCH + 4.0 + text_width(&t, SMALL, Weight::Normal)).min(avail);
        if !row.is_empty() && used + LEGEND_GAP + w > avail {
            rows.push(std::mem::take(&mut row));
            used = w;
        } else {
            used += if row.is_empty() { w } else { LEGEND_GAP + w };
        }
        row.push((k, t, w));
    }
    rows.push(row);
    rows
}

enum Key {
    Fill(Grey),
    Line(Stroke),
    Marker((Option<Grey>, Option<Stroke>)),
}

fn legend_items(data: &FunnelData) -> Vec<(Key, String)> {
    let mut items = Vec::new();
    match &data.contours {
        Some(_) => {
            items.push((Key::Fill(Grey::WHITE), "p ≥ 0.10".to_string()));
            items.push((Key::Fill(BANDS[1].1), "0.05 ≤ p < 0.10".to_string()));
            items.push((Key::Fill(BANDS[0].1), "0.01 ≤ p < 0.05".to_string()));
            items.push((Key::Fill(OUTSIDE), "p < 0.01".to_string()));
            items.push((
                Key::Line(Stroke::dashed(Grey::BLACK, 0.7, 3.0, 2.5)),
                format!("Pseudo {}% CI", fmt_tick(data.level * 100.0)),
            ));
        }
        None => items.push((
            Key::Fill(Grey(232)),
            format!("Pseudo {}% CI", fmt_tick(data.level * 100.0)),
        )),
    }
    items.push((
        Key::Line(Stroke::solid(Grey::BLACK, 0.9)),
        format!("Pooled ({})", data.pooled_label),
    ));
    if !data.filled.is_empty() || data.reference.is_some() {
        items.push((Key::Marker(marker(false)), "Observed studies".to_string()));
    }
    if !data.filled.is_empty() {
        items.push((Key::Marker(marker(true)), "Filled studies".to_string()));
    }
    if let Some((_, label)) = &data.reference {
        items.push((Key::Line(reference_line()), label.clone()));
    }
    items
}

/// Lays out and renders a funnel plot to PNG or SVG bytes.
///
/// # Errors
/// As [`layout`] and [`super::render`].
pub fn render(data: &FunnelData, page: &Page, format: super::Format) -> Result<Vec<u8>, PlotError> {
    page.validate()?;
    let scene = layout(data, page)?;
    super::render(&scene, format, page.dpi)
}
