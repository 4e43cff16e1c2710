//! JSON Lines output (`--format jsonl`, <https://jsonlines.org>): one JSON object per analysis,
//! one line each, for pipelines that read results one at a time. The keys are the columns of
//! the CSV analysis rows ([`HEADER`], or those `--fields` names, in that order) and the values
//! the same numbers: a number as a JSON number with the CSV's digits, text as a string, and
//! what the CSV leaves empty (absent, or not finite) as `null`. docs/json-contract.md.

use super::csv_out::{analysis_cells, number_into, Cell, Columns, HEADER};
use crate::analysis::report::{Analysis, PoolReport, StudyRow};

/// Appends the line of analysis `a` (with its newline) to `out`; `buf` is scratch space.
pub fn write_analysis<S: StudyRow>(
    out: &mut Vec<u8>,
    a: &Analysis<S>,
    columns: &Columns,
    buf: &mut Vec<u8>,
) {
    let cells = analysis_cells(a);
    out.push(b'{');
    for (n, &i) in columns.positions().iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        // Column names are plain ASCII words: no escaping needed.
        out.push(b'"');
        out.extend_from_slice(HEADER[i].as_bytes());
        out.extend_from_slice(b"\":");
        match cells[i] {
            Cell::Text("") => out.extend_from_slice(b"null"),
            Cell::Text(t) => {
                // Writing a string into a vector cannot fail.
                let _ = serde_json::to_writer(&mut *out, t);
            }
            cell => {
                buf.clear();
                number_into(buf, cell);
                out.extend_from_slice(if buf.is_empty() { b"null" } else { buf });
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

/// Renders the analyses of a report as JSON Lines.
pub fn render<S: StudyRow>(report: &PoolReport<S>, columns: &Columns) -> String {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for a in &report.analyses {
        write_analysis(&mut out, a, columns, &mut buf);
    }
    String::from_utf8_lossy(&out).into_owned()
}
