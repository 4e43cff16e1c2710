//! The embedded typeface (DejaVu Sans, Bitstream Vera licence: `assets/fonts/`) and text
//! measurement.
//!
//! Plots never look for a system font: the TTF files are compiled into the binary and
//! registered with plotters' `ab_glyph` font table once, so a PNG has the same bytes on every
//! machine. Layout measures text here, in points, with the same glyph advances that the bitmap
//! backend uses to draw it.

use plotters::style::{FontDesc, FontFamily, FontStyle};
use std::sync::Once;

/// DejaVu Sans, regular.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family name under which the fonts are registered. It is also written verbatim into SVG
/// `font-family` attributes, so it doubles as a CSS fallback list for SVG viewers that lack
/// DejaVu Sans (Bitstream Vera has the same metrics; Arial is narrower, so text still fits).
pub const FAMILY: &str = "DejaVu Sans, Bitstream Vera Sans, Arial, sans-serif";

/// Ratio of plotters' ab_glyph "size" (ascender − descender, in pixels) to the em size:
/// DejaVu Sans has ascender 1901 and descender −483 in 2048 units per em.
pub const SIZE_PER_EM: f64 = (1901.0 + 483.0) / 2048.0;

/// Cap height of DejaVu Sans in em (1493/2048).
pub const CAP_HEIGHT: f64 = 1493.0 / 2048.0;

/// Descender depth of DejaVu Sans in em (483/2048).
pub const DESCENT: f64 = 483.0 / 2048.0;

static REGISTER: Once = Once::new();

/// Registers the embedded fonts with plotters (idempotent, thread-safe).
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        // The bytes are a known-good TTF compiled into the binary; a failure here is a build
        // defect, caught by every plot test.
        let ok = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD).is_ok();
        assert!(ok, "embedded DejaVu Sans fonts failed to load");
    });
}

/// Weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    /// Regular.
    Normal,
    /// Bold.
    Bold,
}

impl Weight {
    pub(crate) fn style(self) -> FontStyle {
        match self {
            Weight::Normal => FontStyle::Normal,
            Weight::Bold => FontStyle::Bold,
        }
    }
}

/// Em size at which text is measured; widths scale linearly, and measuring large keeps the
/// integer rounding of plotters' layout box negligible.
const MEASURE_EM: f64 = 1000.0;

/// Width of `text` set at `em` points (or pixels: the unit carries through).
pub fn text_width(text: &str, em: f64, weight: Weight) -> f64 {
    ensure_registered();
    if text.is_empty() {
        return 0.0;
    }
    let font = FontDesc::new(
        FontFamily::Name(FAMILY),
        MEASURE_EM * SIZE_PER_EM,
        weight.style(),
    );
    let w = font
        .box_size(text)
        .map(|(w, _)| f64::from(w))
        .unwrap_or_else(|_| {
            // Unreachable with the embedded font; a rough estimate keeps layout going.
            0.6 * MEASURE_EM * text.chars().count() as f64
        });
    w / MEASURE_EM * em
}

/// `text` shortened with a trailing ellipsis so that it is at most `max_width` wide; returned
/// unchanged when it already fits.
pub fn fit_text(text: &str, em: f64, weight: Weight, max_width: f64) -> String {
    if text_width(text, em, weight) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search on the number of characters kept: width grows with the prefix length.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(&candidate, em, weight) <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return "…".to_string();
    }
    chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_text_measures_wider_and_scales_with_size() {
        let a = text_width("PROFILE 1001", 10.0, Weight::Normal);
        let b = text_width("PROFILE 1001 (2012)", 10.0, Weight::Normal);
        assert!(a > 40.0 && b > a, "{a} {b}");
        let c = text_width("PROFILE 1001", 20.0, Weight::Normal);
        assert!((c / a - 2.0).abs() < 1e-3);
        assert!(
            text_width("Study", 10.0, Weight::Bold) > text_width("Study", 10.0, Weight::Normal)
        );
    }

    #[test]
    fn fit_text_keeps_short_text_and_shortens_long_text_with_an_ellipsis() {
        assert_eq!(fit_text("ALEX", 10.0, Weight::Normal, 100.0), "ALEX");
        let long = "A very long study label that cannot possibly fit into a narrow column";
        let fitted = fit_text(long, 10.0, Weight::Normal, 80.0);
        assert!(fitted.ends_with('…'), "{fitted}");
        assert!(text_width(&fitted, 10.0, Weight::Normal) <= 80.0);
        assert!(fitted.len() < long.len());
    }
}
