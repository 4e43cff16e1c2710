//! CSV output: one row per analysis with the pooled values; with `--studies`, per-study rows
//! too (column `row` tells them apart).

use crate::analysis::report::{Analysis, PoolReport, StudyRow};

const HEADER: &[&str] = &[
    "row",
    "group",
    "study",
    "k",
    "events",
    "n",
    "estimate",
    "lower",
    "upper",
    "yi",
    "se",
    "vi",
    "weight_common",
    "weight_random",
    "common_estimate",
    "common_lower",
    "common_upper",
    "common_p",
    "random_estimate",
    "random_lower",
    "random_upper",
    "random_p",
    "prediction_lower",
    "prediction_upper",
    "q",
    "df",
    "q_p",
    "tau2",
    "tau2_lower",
    "tau2_upper",
    "i2",
    "i2_lower",
    "i2_upper",
    "i2_tau",
    "h2",
    "treatment",
    "comparator",
];

use crate::format::{csv_number as num, csv_number_into};

/// The treatment and comparator of an analysis whose studies all compare the same two arms
/// (empty otherwise: the study rows say it).
fn arms_of<S: StudyRow>(a: &Analysis<S>) -> (&str, &str) {
    let mut arms = a.studies.iter().map(StudyRow::arms);
    match arms.next().flatten() {
        Some(first) if arms.all(|p| p == Some(first)) => first,
        _ => ("", ""),
    }
}

/// A whole number, or nothing.
fn count_into(out: &mut Vec<u8>, v: Option<u64>) {
    use std::io::Write;
    if let Some(v) = v {
        // Writing into a vector cannot fail.
        let _ = write!(out, "{v}");
    }
}

/// Writes the fields of an analysis row one by one, each formatted into one reused buffer: the
/// batch engine writes 10⁵ of these rows a second.
fn write_analysis_fields<S: StudyRow, W: std::io::Write>(
    w: &mut csv::Writer<W>,
    a: &Analysis<S>,
    buf: &mut Vec<u8>,
) -> Result<(), csv::Error> {
    let h = a.heterogeneity.as_ref();
    let p = a.prediction.as_ref();
    let (treatment, comparator) = arms_of(a);
    let k = Some(a.k as u64);
    let counts = [k, a.events, a.n];
    let numbers = [
        a.common.estimate,
        a.common.lower,
        a.common.upper,
        a.common.p,
        a.random.estimate,
        a.random.lower,
        a.random.upper,
        a.random.p,
        p.and_then(|p| p.lower),
        p.and_then(|p| p.upper),
        h.map(|h| h.q),
        h.map(|h| h.df),
        h.and_then(|h| h.p),
        h.map(|h| h.tau2),
        h.and_then(|h| h.tau2_lower),
        h.and_then(|h| h.tau2_upper),
        h.map(|h| h.i2),
        h.and_then(|h| h.i2_lower),
        h.and_then(|h| h.i2_upper),
        h.map(|h| h.i2_tau),
        h.map(|h| h.h2),
    ];
    w.write_field("analysis")?;
    w.write_field(a.group.as_deref().unwrap_or_default())?;
    w.write_field("")?;
    for c in counts {
        buf.clear();
        count_into(buf, c);
        w.write_field(&buf)?;
    }
    // estimate … weight_random: the study columns, empty on an analysis row.
    for _ in 0..8 {
        w.write_field("")?;
    }
    for x in numbers {
        buf.clear();
        csv_number_into(buf, x);
        w.write_field(&buf)?;
    }
    w.write_field(treatment)?;
    w.write_field(comparator)?;
    w.write_record(None::<&[u8]>)
}

fn study_rows<S: StudyRow>(a: &Analysis<S>) -> impl Iterator<Item = Vec<String>> + '_ {
    a.studies.iter().map(move |s| {
        let (est, lo, hi) = s.display();
        let (yi, vi) = s.yi_vi();
        let (wc, wr) = s.weights();
        let (events, n) = s.counts();
        let mut row = vec![String::new(); HEADER.len()];
        row[0] = "study".into();
        row[1] = a.group.clone().unwrap_or_default();
        row[2] = s.label().to_string();
        row[3] = "1".into();
        row[4] = events.map(|v| v.to_string()).unwrap_or_default();
        row[5] = n.map(|v| v.to_string()).unwrap_or_default();
        row[6] = num(Some(est));
        row[7] = num(lo);
        row[8] = num(hi);
        row[9] = num(Some(yi));
        row[10] = num(Some(vi.sqrt()));
        row[11] = num(Some(vi));
        row[12] = num(Some(wc));
        row[13] = num(Some(wr));
        if let Some((t, c)) = s.arms() {
            row[HEADER.len() - 2] = t.to_string();
            row[HEADER.len() - 1] = c.to_string();
        }
        row
    })
}

/// Writes the header line.
///
/// # Errors
/// Any error of the underlying writer.
pub fn write_header<W: std::io::Write>(w: &mut csv::Writer<W>) -> Result<(), csv::Error> {
    w.write_record(HEADER)
}

/// Writes the row of one analysis, as [`render`] does: the batch engine ([`crate::batch`])
/// streams its rows through this, so both give the same bytes.
///
/// # Errors
/// Any error of the underlying writer.
pub fn write_analysis_row<S: StudyRow, W: std::io::Write>(
    w: &mut csv::Writer<W>,
    a: &Analysis<S>,
) -> Result<(), csv::Error> {
    write_analysis_fields(w, a, &mut Vec::with_capacity(32))
}

/// Renders the report as CSV.
///
/// # Errors
/// Only on an internal CSV writer failure.
pub fn render<S: StudyRow>(
    report: &PoolReport<S>,
    with_studies: bool,
) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_header(&mut w)?;
    for a in &report.analyses {
        if with_studies {
            for row in study_rows(a) {
                w.write_record(&row)?;
            }
        }
        write_analysis_row(&mut w, a)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
