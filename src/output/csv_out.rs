//! CSV output: one row per analysis with the pooled values; with `--studies`, per-study rows
//! too (column `row` tells them apart). `--fields` keeps only the columns named
//! ([`Columns`]); the same cells make the JSON Lines of [`crate::output::jsonl`].

use crate::analysis::report::{Analysis, PoolReport, StudyRow};

/// The columns of the CSV, in order.
pub const HEADER: &[&str] = &[
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

/// One cell of an analysis row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text (empty when there is none).
    Text(&'a str),
    /// A whole number, or nothing.
    Count(Option<u64>),
    /// A number, or nothing (also when not finite).
    Number(Option<f64>),
}

/// The cells of an analysis row, one per column of [`HEADER`].
pub fn analysis_cells<S: StudyRow>(a: &Analysis<S>) -> [Cell<'_>; 37] {
    use Cell::{Count, Number as N, Text};
    let h = a.heterogeneity.as_ref();
    let p = a.prediction.as_ref();
    let (treatment, comparator) = arms_of(a);
    let none = Text("");
    [
        Text("analysis"),
        Text(a.group.as_deref().unwrap_or_default()),
        none,
        Count(Some(a.k as u64)),
        Count(a.events),
        Count(a.n),
        // estimate … weight_random: the study columns, empty on an analysis row.
        none,
        none,
        none,
        none,
        none,
        none,
        none,
        none,
        N(a.common.estimate),
        N(a.common.lower),
        N(a.common.upper),
        N(a.common.p),
        N(a.random.estimate),
        N(a.random.lower),
        N(a.random.upper),
        N(a.random.p),
        N(p.and_then(|p| p.lower)),
        N(p.and_then(|p| p.upper)),
        N(h.map(|h| h.q)),
        N(h.map(|h| h.df)),
        N(h.and_then(|h| h.p)),
        N(h.map(|h| h.tau2)),
        N(h.and_then(|h| h.tau2_lower)),
        N(h.and_then(|h| h.tau2_upper)),
        N(h.map(|h| h.i2)),
        N(h.and_then(|h| h.i2_lower)),
        N(h.and_then(|h| h.i2_upper)),
        N(h.map(|h| h.i2_tau)),
        N(h.map(|h| h.h2)),
        Text(treatment),
        Text(comparator),
    ]
}

/// Appends a number or count cell as CSV and JSON write it (nothing for text, or when absent).
pub fn number_into(out: &mut Vec<u8>, cell: Cell<'_>) {
    match cell {
        Cell::Text(_) | Cell::Count(None) => {}
        Cell::Count(Some(v)) => crate::decimal::write_count(out, v),
        Cell::Number(v) => csv_number_into(out, v),
    }
}

/// The columns to write: all of [`HEADER`], or those `--fields` names, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns(Vec<usize>);

impl Default for Columns {
    fn default() -> Self {
        Columns((0..HEADER.len()).collect())
    }
}

impl Columns {
    /// The columns named in `fields` (comma-separated, as `--fields a,b,c`), in that order.
    ///
    /// # Errors
    /// A name that is not a column, with the columns there are.
    pub fn parse(fields: &str) -> Result<Self, String> {
        fields
            .split(',')
            .map(str::trim)
            .map(|name| {
                HEADER.iter().position(|h| *h == name).ok_or_else(|| {
                    format!(
                        "--fields: '{name}' is not a column; the columns are {}",
                        HEADER.join(",")
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(Columns)
    }

    /// The positions of the columns in [`HEADER`].
    pub fn positions(&self) -> &[usize] {
        &self.0
    }
}

/// Writes the cells of an analysis row in `columns` one by one, each formatted into one reused
/// buffer: the batch engine writes 10⁵ of these rows a second.
pub fn write_analysis_cells<S: StudyRow, W: std::io::Write>(
    w: &mut csv::Writer<W>,
    a: &Analysis<S>,
    columns: &Columns,
    buf: &mut Vec<u8>,
) -> Result<(), csv::Error> {
    let cells = analysis_cells(a);
    for &i in columns.positions() {
        match cells[i] {
            Cell::Text(t) => w.write_field(t)?,
            cell => {
                buf.clear();
                number_into(buf, cell);
                w.write_field(&buf)?;
            }
        }
    }
    w.write_record(None::<&[u8]>)
}

/// Appends the CSV row of an analysis to `out`, byte for byte as [`write_analysis_cells`]
/// writes it through the csv crate (whose quoting rules, `QuoteStyle::Necessary`, this
/// follows: a text cell is quoted when it holds a comma, a quote or a line break, its quotes
/// doubled; a row of one empty cell is `""`), without the writer's per-field state machine and
/// quoting scan of every number: the batch engine writes 10⁵ rows of 37 cells a second
/// (`tests/batch*.rs` compare its output with the in-memory path's, which uses the writer).
pub fn append_analysis_row<S: StudyRow>(out: &mut Vec<u8>, a: &Analysis<S>, columns: &Columns) {
    let cells = analysis_cells(a);
    let start = out.len();
    for (n, &i) in columns.positions().iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match cells[i] {
            Cell::Text(t) => append_text(out, t),
            cell => number_into(out, cell),
        }
    }
    if out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// A text cell, quoted when the csv crate would quote it.
fn append_text(out: &mut Vec<u8>, text: &str) {
    if !text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
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
pub fn write_header<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    columns: &Columns,
) -> Result<(), csv::Error> {
    w.write_record(columns.positions().iter().map(|&i| HEADER[i]))
}

/// Writes the row of one analysis, as [`render`] does: the batch engine ([`crate::batch`])
/// streams its rows through this, so both give the same bytes.
///
/// # Errors
/// Any error of the underlying writer.
pub fn write_analysis_row<S: StudyRow, W: std::io::Write>(
    w: &mut csv::Writer<W>,
    a: &Analysis<S>,
    columns: &Columns,
) -> Result<(), csv::Error> {
    write_analysis_cells(w, a, columns, &mut Vec::with_capacity(32))
}

/// Renders the report as CSV.
///
/// # Errors
/// Only on an internal CSV writer failure.
pub fn render<S: StudyRow>(
    report: &PoolReport<S>,
    with_studies: bool,
    columns: &Columns,
) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_header(&mut w, columns)?;
    for a in &report.analyses {
        if with_studies {
            for row in study_rows(a) {
                w.write_record(columns.positions().iter().map(|&i| &row[i]))?;
            }
        }
        write_analysis_row(&mut w, a, columns)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
