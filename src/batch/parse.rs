//! The rows of a proportions chunk parsed on rayon's threads: each raw record decoded (a plain
//! line split in place), parsed as an arm by [`ArmView`], the core of the in-memory
//! `parse_arm`, and fingerprinted, for [`super::reader`] to check across rows in file order.

use super::label::Label;
use super::records::Records;
use crate::analysis::group::MISSING_GROUP;
use crate::data::arms::{grouping_value, ArmColumns, ArmView, Schema};
use crate::data::cursor::Col;
use crate::data::delimiter::Delimiter;
use crate::data::fingerprint::Fingerprint;
use crate::data::table::{Row, RowCursor, Table};
use crate::data::DataError;
use rayon::prelude::*;

/// What a row is parsed against: the file's header, its rules and the `--by` column.
pub struct RowRules<'a> {
    /// The file name and header, without rows (to locate errors).
    pub table: &'a Table,
    /// The shipped schema, or a user's file read by role.
    pub schema: Schema,
    /// The columns of a row, looked up once.
    pub columns: &'a ArmColumns,
    /// The `--by` column.
    pub column: Col<'a>,
}

/// The label of the group of `arm`, as [`split`](crate::analysis::group::split) labels it.
pub fn group_label<'a>(c: &RowCursor<'a>, drug: &'a str, column: Col<'_>) -> &'a str {
    match grouping_value(c, drug, column) {
        "" => MISSING_GROUP,
        value => value,
    }
}

/// A row parsed on a worker thread.
pub struct Parsed {
    pub line: u64,
    pub study: Label,
    pub n: u64,
    pub responders: Option<u64>,
    /// The labels of `overlaps` (usually none: no allocation).
    pub overlaps: Vec<String>,
    pub study_key: Fingerprint,
    pub group_key: Fingerprint,
    /// The group's label, when the row before it (on the same worker) was of another group:
    /// every group's first row has it, and the rows after it need not allocate it.
    pub group_label: Option<String>,
}

/// Decodes and validates the chunk's `records` in parallel, in order, into `parsed`, with the
/// fingerprints of their study label and group label. Each worker decodes into one reused
/// [`Row`], and the arms are parsed without
/// [`Arm::fields`](crate::data::arms::Arm::fields): the group label is all this path needs of
/// them.
pub fn parse_records(
    records: &Records,
    delimiter: Delimiter,
    rules: &RowRules<'_>,
    parsed: &mut Vec<Result<Parsed, DataError>>,
) {
    let (table, schema, columns, column) = (rules.table, rules.schema, rules.columns, rules.column);
    // Each worker keeps its decoded row and the last group label it saw: consecutive rows
    // of one group share the label's fingerprint, computed once.
    let blank = || {
        let row = Row {
            line: 0,
            fields: Vec::new(),
        };
        (row, Vec::new(), String::new(), None::<Fingerprint>)
    };
    let width = table.headers.len();
    (0..records.len())
        .into_par_iter()
        .with_min_len(256)
        .map_init(blank, |(row, fields, last, last_key), i| {
            // Plain lines are parsed in place; CSV records (and lines with a problem to
            // report) are decoded into the worker's row first.
            let c = match records.split_plain(i, width, delimiter, fields) {
                Some(line) => RowCursor::borrowed(table, line, fields),
                None => {
                    records.decode_into(i, &table.file, &table.headers, delimiter, row)?;
                    table.cursor(row)
                }
            };
            let arm = ArmView::parse(&c, schema, columns)?;
            let label = group_label(&c, arm.drug, column);
            let (group_key, group_label) = match *last_key {
                Some(key) if last.as_str() == label => (key, None),
                _ => {
                    let key = Fingerprint::of_caseless(label);
                    last.clear();
                    last.push_str(label);
                    *last_key = Some(key);
                    (key, Some(label.to_string()))
                }
            };
            Ok(Parsed {
                line: arm.line,
                study: Label::new(arm.study),
                n: arm.n,
                responders: arm.responders,
                overlaps: arm.overlaps().map(String::from).collect(),
                study_key: Fingerprint::of(arm.study),
                group_key,
                group_label,
            })
        })
        .collect_into_vec(parsed);
}
