//! Number formatting shared by the forest plot's data conversion and its layout, so a value
//! reads the same in a cell, a heterogeneity line and a footnote.

use crate::plot::axis::fmt_tick;

/// Formats a percentage level: 0.95 → "95%", 0.975 → "97.5%".
pub(super) fn level_text(level: f64) -> String {
    format!("{}%", fmt_tick(level * 100.0))
}

/// "p < 0.0001" or "p = 0.0431" (the table's convention).
pub(super) fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "p < 0.0001".into(),
        Some(p) => format!("p = {p:.4}"),
        None => "p = n/a".into(),
    }
}

/// τ² with four decimals; values that would round to zero say so rather than print 0.0000,
/// which would read as "no heterogeneity".
pub(super) fn tau2_text(t: f64) -> String {
    if t == 0.0 {
        "τ² = 0".into()
    } else if t < 1e-4 {
        "τ² < 0.0001".into()
    } else {
        format!("τ² = {t:.4}")
    }
}

/// A weight cell: percent with one decimal.
pub(super) fn weight_cell(w: f64) -> String {
    format!("{w:.1}%")
}

/// "1.23 [0.45; 2.34]", or the estimate alone without bounds, or "n/a" when there is none.
pub(super) fn ci_text(est: f64, lo: Option<f64>, hi: Option<f64>, digits: usize) -> String {
    if !est.is_finite() {
        return "n/a".into();
    }
    match (lo, hi) {
        (Some(l), Some(u)) => format!("{est:.digits$} [{l:.digits$}; {u:.digits$}]"),
        _ => format!("{est:.digits$}"),
    }
}
