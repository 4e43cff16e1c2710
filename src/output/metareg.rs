//! Table and CSV renderers of `alkstats metareg` ([`MetaRegReport`]); JSON is the report
//! serialised by [`super::json`]. The table shows the model line, the coefficients, the tests
//! of the moderators and of residual heterogeneity and, with `--studies`, each study's fitted
//! value and residual; the CSV has one row per coefficient (`term,estimate,se,stat,df,p,lower,
//! upper,p_permutation`) and, with `--studies`, a second block of studies. Renderers only
//! format.

use super::table::align;
use crate::analysis::metareg::MetaRegReport;
use crate::format::{csv_number, fixed, level_percent, p_sentence, p_value};
use crate::methods::metareg::result::{Coefficient, MetaRegression};

/// The model and test in words.
fn model_line(r: &MetaRegression, report: &MetaRegReport) -> String {
    let s = &report.settings;
    let model = match r.model.as_str() {
        "common" => "Fixed-effects meta-regression".to_string(),
        _ => format!("Mixed-effects meta-regression (tau² {})", s.pool.method_tau),
    };
    let test = match r.test.as_str() {
        "knha" => "Knapp–Hartung t and F tests",
        _ => "Wald z and chi² tests",
    };
    format!(
        "{model}, {test}; k = {}; {} ({}); moderators: {}",
        r.k,
        s.pool.sm,
        s.pool.scale,
        s.moderators.join(", ")
    )
}

fn coefficient_row(c: &Coefficient, permutations: bool) -> Vec<String> {
    let mut row = vec![
        c.term.clone(),
        fixed(Some(c.estimate), 4),
        fixed(Some(c.se), 4),
        fixed(Some(c.stat), 3),
        p_value(c.p),
        format!("[{}; {}]", fixed(Some(c.lower), 4), fixed(Some(c.upper), 4)),
    ];
    if permutations {
        row.push(p_value(c.p_permutation));
    }
    row
}

/// The coefficient table (shared with the report).
pub(crate) fn coefficient_rows(r: &MetaRegression, level: f64) -> Vec<Vec<String>> {
    let permutations = r.permutation.is_some();
    let stat = if r.test == "knha" { "t" } else { "z" };
    let mut head: Vec<String> = [
        "term",
        "estimate",
        "se",
        stat,
        "p",
        &format!("{}% CI", level_percent(level)),
    ]
    .map(String::from)
    .to_vec();
    if permutations {
        head.push("p (perm.)".into());
    }
    let mut rows = vec![head];
    rows.extend(
        r.coefficients
            .iter()
            .map(|c| coefficient_row(c, permutations)),
    );
    rows
}

/// The heterogeneity and omnibus lines (shared with the report).
pub(crate) fn test_lines(r: &MetaRegression) -> Vec<String> {
    let qm = match r.qm.df2 {
        Some(df2) => format!(
            "Test of moderators: F({}, {}) = {}, {}",
            r.qm.df,
            df2,
            fixed(Some(r.qm.stat), 4),
            p_sentence(r.qm.p)
        ),
        None => format!(
            "Test of moderators: QM({}) = {}, {}",
            r.qm.df,
            fixed(Some(r.qm.stat), 4),
            p_sentence(r.qm.p)
        ),
    };
    let perm =
        r.qm.p_permutation
            .zip(r.permutation.as_ref())
            .map(|(p, info)| {
                format!(
                    " (permutation {}, {} permutations, seed {})",
                    p_sentence(Some(p)),
                    info.iterations,
                    info.seed
                )
            })
            .unwrap_or_default();
    let mut lines = vec![
        format!("{qm}{perm}"),
        format!(
            "Residual heterogeneity: QE({}) = {}, {}",
            r.qe.df,
            fixed(Some(r.qe.stat), 4),
            p_sentence(r.qe.p)
        ),
    ];
    if r.model != "common" {
        lines.push(format!(
            "Residual tau² = {} [{}; {}], I² = {}%, H² = {}, R² = {}%",
            fixed(Some(r.tau2), 4),
            fixed(r.tau2_lower, 4),
            fixed(r.tau2_upper, 4),
            fixed(Some(r.i2), 1),
            fixed(Some(r.h2), 2),
            fixed(r.r2, 1)
        ));
    } else {
        lines.push(format!(
            "I² = {}%, H² = {}, R² (adjusted) = {}%",
            fixed(Some(r.i2), 1),
            fixed(Some(r.h2), 2),
            fixed(r.r2, 1)
        ));
    }
    lines
}

/// The table of a meta-regression.
pub fn render_table(report: &MetaRegReport) -> String {
    let r = &report.regression;
    let mut out = model_line(r, report);
    out.push_str("\n\n");
    out.push_str(&align(&coefficient_rows(r, report.settings.pool.level)));
    out.push('\n');
    for line in test_lines(r) {
        out.push_str(&line);
        out.push('\n');
    }
    if let Some(studies) = &r.studies {
        out.push('\n');
        let mut rows = vec![["study", "yi", "fitted", "residual", "weight %"]
            .map(String::from)
            .to_vec()];
        rows.extend(studies.iter().map(|s| {
            vec![
                s.study.clone(),
                fixed(Some(s.yi), 4),
                fixed(Some(s.fitted), 4),
                fixed(Some(s.residual), 4),
                fixed(Some(s.weight), 2),
            ]
        }));
        out.push_str(&align(&rows));
    }
    if !r.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for w in &r.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}

/// The CSV of a meta-regression: the coefficients, then (with `--studies`) a blank line and
/// the studies.
///
/// # Errors
/// Only on an internal CSV writer failure.
pub fn render_csv(report: &MetaRegReport) -> Result<String, csv::Error> {
    let r = &report.regression;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "term",
        "estimate",
        "se",
        "stat",
        "df",
        "p",
        "lower",
        "upper",
        "p_permutation",
    ])?;
    for c in &r.coefficients {
        w.write_record([
            c.term.clone(),
            csv_number(Some(c.estimate)),
            csv_number(Some(c.se)),
            csv_number(Some(c.stat)),
            csv_number(c.df),
            csv_number(c.p),
            csv_number(Some(c.lower)),
            csv_number(Some(c.upper)),
            csv_number(c.p_permutation),
        ])?;
    }
    let mut text = into_string(w)?;
    if let Some(studies) = &r.studies {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["study", "line", "yi", "vi", "fitted", "residual", "weight"])?;
        for s in studies {
            w.write_record([
                s.study.clone(),
                s.line.to_string(),
                csv_number(Some(s.yi)),
                csv_number(Some(s.vi)),
                csv_number(Some(s.fitted)),
                csv_number(Some(s.residual)),
                csv_number(Some(s.weight)),
            ])?;
        }
        text.push('\n');
        text.push_str(&into_string(w)?);
    }
    Ok(text)
}

fn into_string(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
