//! Plots: forest and funnel plots, and the plots of sensitivity analyses (leave-one-out and
//! cumulative forests, Baujat, influence panels), as PNG or SVG.
//!
//! Data flows one way. A conversion function turns an analysis report into a plot-ready,
//! outcome-neutral input ([`forest::ForestData`], [`funnel::FunnelData`]) without recomputing
//! any statistic; layout turns that into a [`scene::Scene`] (a display list in points); and
//! [`paint`] draws the scene on a plotters backend, the same code for PNG and SVG. Text is set
//! in the embedded DejaVu Sans ([`font`]), so PNG bytes depend on nothing but the input.

pub mod axis;
pub mod baujat;
pub mod bubble;
pub mod font;
pub mod forest;
pub mod funnel;
pub mod influence;
pub mod network;
pub mod paint;
pub mod scene;
mod style;
pub mod xy;

use plotters::prelude::*;
use scene::Scene;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A plot that cannot be drawn as asked.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PlotError {
    /// The output path's extension names no supported format.
    #[error("{path}: cannot tell the image format; the file name must end in .png or .svg")]
    UnsupportedFormat {
        /// The path given.
        path: String,
    },
    /// An option outside its valid range.
    #[error("{option} {value}: expected {expected}")]
    InvalidOption {
        /// The flag, as typed on the command line (`--dpi`).
        option: &'static str,
        /// The value given, as shown back to the user.
        value: String,
        /// What the option accepts ("a number from 30 to 1200").
        expected: &'static str,
    },
    /// The image would exceed the largest side a backend is asked to draw.
    #[error(
        "the image would be {width:.0} × {height:.0} pixels (at most {max} a side); lower --dpi"
    )]
    TooLarge {
        /// Width in pixels.
        width: f64,
        /// Height in pixels.
        height: f64,
        /// Largest side allowed, in pixels.
        max: f64,
    },
    /// The page leaves no room for the plot's panel.
    #[error(
        "a {width:.1} × {height:.1} inch page is too small for a {plot}; try the default {} × {}",
        .default.0,
        .default.1
    )]
    PageTooSmall {
        /// The kind of plot ("funnel plot").
        plot: &'static str,
        /// Page width in inches.
        width: f64,
        /// Page height in inches.
        height: f64,
        /// The plot's default page (width, height) in inches, offered instead.
        default: (f64, f64),
    },
    /// Nothing to draw.
    #[error("nothing to draw: {subject} has no {missing}")]
    Empty {
        /// What was to be drawn ("the forest plot").
        subject: &'static str,
        /// What it lacks ("study rows").
        missing: &'static str,
    },
    /// The backend failed (a bug: buffers do not fail).
    #[error("drawing failed in the {stage}: {message}")]
    Draw {
        /// Where it failed ("SVG backend", "PNG encoder").
        stage: &'static str,
        /// The backend's own message; its error types differ per backend and are neither
        /// `Clone` nor `PartialEq`, so only the text is kept.
        message: String,
    },
}

/// Turns a backend's error into [`PlotError::Draw`], naming the stage that failed.
fn draw_failed<E: std::fmt::Display>(stage: &'static str) -> impl Fn(E) -> PlotError {
    move |e| PlotError::Draw {
        stage,
        message: e.to_string(),
    }
}

/// Image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Portable Network Graphics, 8-bit RGB.
    Png,
    /// Scalable Vector Graphics.
    Svg,
}

impl Format {
    /// The format named by a path's extension (case-insensitive).
    ///
    /// # Errors
    /// [`PlotError::UnsupportedFormat`] for any other extension, or none.
    pub fn from_path(path: &Path) -> Result<Self, PlotError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(PlotError::UnsupportedFormat {
                path: path.display().to_string(),
            }),
        }
    }
}

/// Physical size of the output: `--width`/`--height` in inches and `--dpi`. Pixels are
/// inches × dpi; fonts and lines are set in points (1/72 inch), so a higher dpi gives a
/// sharper image of the same figure rather than a smaller figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Width in inches; `None` for the figure's natural width.
    pub width: Option<f64>,
    /// Height in inches; `None` for the figure's natural height (a forest grows with its rows).
    pub height: Option<f64>,
    /// Pixels per inch.
    pub dpi: f64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            width: None,
            height: None,
            dpi: 100.0,
        }
    }
}

impl Page {
    /// Checks the ranges: dpi in 30–1200, sizes in 1–200 inches.
    ///
    /// # Errors
    /// [`PlotError::InvalidOption`] naming the flag and the range.
    pub fn validate(&self) -> Result<(), PlotError> {
        if !(self.dpi.is_finite() && (30.0..=1200.0).contains(&self.dpi)) {
            return Err(PlotError::InvalidOption {
                option: "--dpi",
                value: self.dpi.to_string(),
                expected: "a number from 30 to 1200, e.g. 100 for screens or 300 for print",
            });
        }
        for (flag, v) in [("--width", self.width), ("--height", self.height)] {
            if let Some(v) = v {
                if !(v.is_finite() && (1.0..=200.0).contains(&v)) {
                    return Err(PlotError::InvalidOption {
                        option: flag,
                        value: v.to_string(),
                        expected: "a size in inches from 1 to 200",
                    });
                }
            }
        }
        Ok(())
    }
}

/// Largest side of an image in pixels.
const MAX_PIXELS: f64 = 32_000.0;

/// Supersampling factor for PNG: draw at this multiple and average down, which anti-aliases
/// the polygons and lines that plotters' bitmap backend draws hard-edged.
const SUPERSAMPLE: u32 = 2;

/// Renders a scene to the bytes of a PNG or SVG file.
///
/// # Errors
/// [`PlotError::TooLarge`] when the image would exceed 32 000 pixels a side;
/// [`PlotError::Draw`] if the backend fails.
pub fn render(scene: &Scene, format: Format, dpi: f64) -> Result<Vec<u8>, PlotError> {
    let scale = dpi / 72.0;
    let (w, h) = (scene.width * scale, scene.height * scale);
    if w > MAX_PIXELS || h > MAX_PIXELS {
        return Err(PlotError::TooLarge {
            width: w,
            height: h,
            max: MAX_PIXELS,
        });
    }
    let (w, h) = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
    match format {
        Format::Svg => {
            let mut out = String::new();
            {
                let area = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
                paint::paint(&area, scene, scale, paint::TextSetting::svg())
                    .map_err(draw_failed("SVG backend"))?;
            }
            Ok(out.into_bytes())
        }
        Format::Png => {
            // Bound the supersampled buffer (3 bytes a pixel) to about 400 MB.
            let ss = if f64::from(w) * f64::from(h) * 3.0 * f64::from(SUPERSAMPLE.pow(2)) < 4e8 {
                SUPERSAMPLE
            } else {
                1
            };
            let (bw, bh) = (w * ss, h * ss);
            let mut big = vec![255u8; bw as usize * bh as usize * 3];
            {
                let area = BitMapBackend::with_buffer(&mut big, (bw, bh)).into_drawing_area();
                paint::paint(
                    &area,
                    scene,
                    scale * f64::from(ss),
                    paint::TextSetting::bitmap(),
                )
                .map_err(draw_failed("bitmap backend"))?;
            }
            let rgb = downsample(&big, bw as usize, bh as usize, ss as usize);
            encode_png(&rgb, w, h, dpi)
        }
    }
}

/// Box-filters an RGB image by an integer factor.
fn downsample(src: &[u8], w: usize, h: usize, f: usize) -> Vec<u8> {
    if f == 1 {
        return src.to_vec();
    }
    let (ow, oh) = (w / f, h / f);
    let mut out = vec![0u8; ow * oh * 3];
    let n = (f * f) as u32;
    for oy in 0..oh {
        for ox in 0..ow {
            let mut acc = [0u32; 3];
            for dy in 0..f {
                let row = (oy * f + dy) * w;
                for dx in 0..f {
                    let i = (row + ox * f + dx) * 3;
                    acc[0] += u32::from(src[i]);
                    acc[1] += u32::from(src[i + 1]);
                    acc[2] += u32::from(src[i + 2]);
                }
            }
            let o = (oy * ow + ox) * 3;
            for c in 0..3 {
                out[o + c] = ((acc[c] + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// Encodes 8-bit RGB as PNG with the resolution recorded (pHYs) and nothing time-dependent, so
/// equal pixels give equal bytes.
fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: f64) -> Result<Vec<u8>, PlotError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // fdeflate (`Fast`) is pure Rust and fixed: the bytes do not depend on which flate2 backend
        // other dependencies select (calamine's zip turns on zlib-rs).
        enc.set_compression(png::Compression::Fast);
        let per_metre = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(draw_failed("PNG encoder"))?;
        writer
            .write_image_data(rgb)
            .map_err(draw_failed("PNG encoder"))?;
        writer.finish().map_err(draw_failed("PNG encoder"))?;
    }
    Ok(out)
}

/// Renders a scene and writes it to `path` atomically, in the format named by its extension.
///
/// # Errors
/// [`WriteError::Plot`] for an unsupported extension or a failed render; [`WriteError::Io`]
/// when the file cannot be written.
pub fn write(scene: &Scene, path: &Path, dpi: f64) -> Result<(), WriteError> {
    let format = Format::from_path(path)?;
    let bytes = render(scene, format, dpi)?;
    crate::io::write_atomic(path, &bytes).map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Failure to produce an image file.
#[derive(Debug, Error)]
pub enum WriteError {
    /// The plot itself.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// Writing the file.
    #[error("{}: cannot write the image: {source}", path.display())]
    Io {
        /// The image's path.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
}
