//! Rendering results for people and programs: an aligned table, JSON per SPEC.md, and CSV.
//! Renderers only format; they never recompute statistics.

pub mod csv_out;
pub mod json;
pub mod table;

/// Formats an optional number with `digits` decimals, "n/a" when absent.
pub fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "n/a".to_string(),
    }
}

/// Formats a p-value as R does in summaries: 4 decimals, or "< 0.0001".
pub fn fmt_p(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => "< 0.0001".to_string(),
        Some(p) => format!("{p:.4}"),
        None => "n/a".to_string(),
    }
}
