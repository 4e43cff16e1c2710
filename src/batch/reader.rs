//! The streaming reader: an arms file read chunk by chunk and cut into its `--by` groups, with
//! every check of [`crate::data::load_arms`] (rows parsed by
//! [`ArmView`], the core of its `parse_arm`;
//! labels unique in the file; `overlaps` naming rows of the file) and the exclusions of
//! [`pool_proportions`](crate::analysis::proportion::pool_proportions).
//!
//! Rows are read as raw CSV records on the calling thread and parsed in parallel; the checks
//! across rows then run in file order, so the first problem in the file is the one reported.
//! A group is complete when the next group starts, so the rows of a group must be contiguous: a
//! group that starts again after it ended is refused rather than fitted twice.

pub use super::group::{Group, Member};
use super::parse::{group_label, parse_records, Parsed, RowRules};
pub use super::read_error::{not_together_expectation, ReadError};
use super::records::{Records, Source};
use super::runs::{GroupRuns, Run};
use crate::analysis::AnalysisError;
use crate::batch::StreamOptions;
use crate::data::arms::{
    duplicate_study, give_user_roles, unknown_overlap, ArmColumns, ArmView, Schema, UserNeeds,
    REQUIRED_COLUMNS,
};
use crate::data::cursor::Col;
use crate::data::delimiter::Delimiter;
use crate::data::fingerprint::{Fingerprint, FingerprintMap};
use crate::data::table::{Row, Table};
use crate::data::DataError;
use std::io::Read;

/// Rows left out of the analysis, as [`pool_proportions`] leaves them out.
///
/// [`pool_proportions`]: crate::analysis::proportion::pool_proportions
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Exclusions {
    /// Rows marked in `overlaps` (left out unless `--keep-overlapping`).
    pub overlapping: u64,
    /// Rows without a responder count.
    pub missing_responders: u64,
    /// The labels of the first few rows left out, for the message.
    pub examples: Vec<String>,
}

/// A problem of a chunk's row, with the row's index in the chunk.
type RowError = (usize, Box<ReadError>);

/// The first chunk's share of a full chunk (see [`GroupReader::read_chunk`]).
const FIRST_CHUNK_SHARE: usize = 8;

/// How many example labels [`Exclusions`] keeps.
const EXAMPLES: usize = 5;

/// Reads an arms file group by group. See the module documentation.
pub struct GroupReader<R: Read> {
    source: Source<R>,
    delimiter: Delimiter,
    /// The file name and header, without rows: lets [`ArmView::parse`] locate its errors.
    table: Table,
    /// The rules of the file: the shipped schema, or a user's file read by role.
    schema: Schema,
    /// The columns of a row, looked up once.
    columns: ArmColumns,
    column: String,
    /// The `--by` column's position.
    column_index: Option<usize>,
    keep_overlapping: bool,
    chunk_rows: usize,
    /// Rows of the next chunk: an eighth of `chunk_rows` at first, doubled chunk by chunk (see
    /// [`GroupReader::read_chunk`]).
    next_rows: usize,
    records: Records,
    /// The buffer of a chunk's parsed rows.
    parsed: Vec<Result<Parsed, DataError>>,
    /// Study labels seen so far → their line (labels are unique within a file).
    studies: FingerprintMap,
    /// The groups so far (a group may not start again).
    runs: GroupRuns,
    /// The group being read.
    open: Option<Group>,
    /// Rows whose `overlaps` name a label not (yet) seen, checked at the end of the file.
    pending_overlaps: Vec<(Row, String)>,
    exclusions: Exclusions,
    rows: u64,
    groups: u64,
    at_end: bool,
    /// The input's size, to size the tables of labels after the first chunk (`None` once done).
    size_hint: Option<u64>,
}

impl<R: Read + Send> GroupReader<R> {
    /// Reads the header of `input` (named `file` in messages) and checks that it has the
    /// required columns and the grouping `column`.
    ///
    /// # Errors
    /// A bad header ([`DataError`]) or an unknown `column` ([`AnalysisError`]).
    pub fn new(
        file: &str,
        input: R,
        column: &str,
        keep_overlapping: bool,
        options: &StreamOptions,
    ) -> Result<Self, ReadError> {
        let required = match options.user_roles {
            None => REQUIRED_COLUMNS,
            Some(_) => &[],
        };
        let (source, headers, delimiter) = Source::new(file, input, required, options.plain)?;
        let mut table = Table::new(file.into(), headers, Vec::new());
        let schema = match &options.user_roles {
            None => Schema::Shipped,
            Some(maps) => {
                let needs = UserNeeds {
                    events: true,
                    ..UserNeeds::default()
                };
                give_user_roles(&mut table, maps, needs)?;
                Schema::User
            }
        };
        // The column as the in-memory path matches it: exactly, else ignoring ASCII case.
        let Some(index) = table.column(column) else {
            return Err(AnalysisError::UnknownGroupColumn {
                column: column.into(),
                available: table.headers.join(", "),
            }
            .into());
        };
        Ok(GroupReader {
            source,
            delimiter,
            columns: ArmColumns::of(&table),
            column_index: Some(index),
            column: table.headers[index].clone(),
            table,
            schema,
            keep_overlapping,
            chunk_rows: options.chunk_rows.max(1),
            next_rows: (options.chunk_rows / FIRST_CHUNK_SHARE).max(1),
            records: Records::default(),
            parsed: Vec::new(),
            studies: FingerprintMap::default(),
            runs: GroupRuns::default(),
            open: None,
            pending_overlaps: Vec::new(),
            exclusions: Exclusions::default(),
            rows: 0,
            groups: 0,
            at_end: false,
            size_hint: options.size_hint,
        })
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The rows left out so far.
    pub fn exclusions(&self) -> &Exclusions {
        &self.exclusions
    }

    /// The next groups that are complete, in file order; `None` once the file is done. The
    /// last call also makes the checks that need the whole file.
    ///
    /// # Errors
    /// The first problem in the file, in file order; at the end, an `overlaps` entry that
    /// names no row of the file, or no row with responders at all.
    pub fn next_groups(&mut self) -> Result<Option<Vec<Group>>, ReadError> {
        loop {
            if self.at_end {
                return Ok(None);
            }
            let more = self.read_chunk()?;
            // The rows of the last chunk gave back their buffer: reused, not faulted in afresh.
            let mut parsed = std::mem::take(&mut self.parsed);
            self.parse_chunk(&mut parsed);
            // A row of another number of fields stops the CSV reader before any row of its
            // chunk is parsed; plain lines are split in parallel, so their first such row is
            // looked for before any other problem, to be reported as the CSV reader reports it.
            // (One pass over the chunk's rows finds it and collects the labels.)
            let (mut ragged, mut starts) = (None, 0);
            let labels: Vec<_> = parsed
                .iter()
                .map(|p| match p {
                    Ok(p) => {
                        starts += usize::from(p.group_label.is_some());
                        Some((p.study_key, p.line))
                    }
                    Err(e) => {
                        if ragged.is_none() && matches!(e, DataError::Ragged { .. }) {
                            ragged = Some(e);
                        }
                        None
                    }
                })
                .collect();
            if let Some(e) = ragged {
                return Err(e.clone().into());
            }
            // Labels are unique in the file: the chunk's labels are recorded together (their
            // cache misses overlap), while its rows are taken in on another thread (two serial
            // passes, which left the other threads idle one after the other). The first problem
            // in file order is reported: a repeated label is its row's first. Each side first
            // makes room in its table for the whole file, once.
            let (rows, groups) = self.file_size_in(parsed.len(), starts);
            let mut complete = Vec::new();
            let mut studies = std::mem::take(&mut self.studies);
            let (repeat, accepted) = rayon::join(
                || {
                    studies.reserve(rows);
                    studies.insert_all(&labels)
                },
                || {
                    self.runs.reserve(groups);
                    self.accept_all(&mut parsed, &mut complete)
                },
            );
            self.studies = studies;
            if let Some((at, first)) = repeat {
                // (A row whose label repeats was parsed: its first problem is the repeat.)
                if !matches!(&accepted, Err((i, _)) if *i < at) {
                    let row = self.row(at);
                    return Err(duplicate_study(&self.table.cursor(&row), first).into());
                }
            }
            for (i, other) in accepted.map_err(|e| *e.1)? {
                if !self.studies.contains(&Fingerprint::of(&other)) {
                    self.pending_overlaps.push((self.row(i), other));
                }
            }
            self.parsed = parsed;
            if !more {
                self.at_end = true;
                self.finish(&mut complete)?;
            }
            if !complete.is_empty() || self.at_end {
                return Ok(Some(complete));
            }
        }
    }

    /// After the first chunk (of `rows` rows, `starts` of which start a run of a group), the
    /// rows and groups of the rest of the input, estimated from its size and the chunk's bytes
    /// per row and rows per group, for which the tables of study labels and of groups make room
    /// at once: growing a table of millions of labels step by step rehashed it some 20 times.
    /// Zeros when the size is unknown, and after the first chunk. (Each table is made on the
    /// side of the `rayon::join` that fills it: at 10⁴ meta-analyses the labels' 2 MB of slots
    /// take 0.5–0.9 ms, of which the pass taking the rows in beside them hides 0.15–0.25 ms.)
    fn file_size_in(&mut self, rows: usize, starts: usize) -> (usize, usize) {
        let (Some(size), bytes) = (self.size_hint.take(), self.source.bytes_of_rows()) else {
            return (0, 0);
        };
        if bytes == 0 || rows == 0 {
            return (0, 0);
        }
        let all = size as f64 / bytes as f64 * rows as f64 * 1.05;
        (
            all as usize,
            (all * starts.max(1) as f64 / rows as f64) as usize,
        )
    }

    /// Reads the next chunk's raw records; `false` once the input is exhausted.
    ///
    /// The first chunks are smaller: nothing is fitted while the first one is read (its serial
    /// part leaves the other threads idle), so the fits start sooner, and the chunks grow to
    /// `chunk_rows` within four. (At 2·10⁴ meta-analyses, 12 chunks, the first one read whole
    /// was a tenth of the run.)
    fn read_chunk(&mut self) -> Result<bool, ReadError> {
        let rows = self.next_rows;
        self.next_rows = (rows * 2).min(self.chunk_rows);
        let more = self.source.read_chunk(rows, &mut self.records);
        more.map_err(|e| match e {
            ReadError::Data(DataError::Io { reason, .. }) => ReadError::Data(DataError::Io {
                file: self.table.file.clone(),
                reason,
            }),
            e => e,
        })
    }

    /// Decodes and validates the chunk's rows in parallel (see [`parse_records`]).
    fn parse_chunk(&self, parsed: &mut Vec<Result<Parsed, DataError>>) {
        let rules = RowRules {
            table: &self.table,
            schema: self.schema,
            columns: &self.columns,
            column: self.group_column(),
        };
        parse_records(&self.records, self.delimiter, &rules, parsed);
    }

    /// The `--by` column, looked up once.
    fn group_column(&self) -> Col<'_> {
        Col::At(&self.column, self.column_index)
    }

    /// The row of raw record `i` of this chunk, decoded again to locate an error.
    fn row(&self, i: usize) -> Row {
        let mut row = Row {
            line: 0,
            fields: Vec::new(),
        };
        let t = &self.table;
        match self
            .records
            .decode_into(i, &t.file, &t.headers, self.delimiter, &mut row)
        {
            Ok(()) => row,
            Err(_) => Row {
                line: 0,
                fields: Vec::new(),
            },
        }
    }

    /// Takes in the chunk's `parsed` rows in order (see [`GroupReader::accept`]); the groups
    /// they complete go to `complete`. Returns the labels named in `overlaps`, with their rows,
    /// to look up once the chunk's labels are recorded.
    ///
    /// # Errors
    /// The first row with a problem, with its index.
    fn accept_all(
        &mut self,
        parsed: &mut Vec<Result<Parsed, DataError>>,
        complete: &mut Vec<Group>,
    ) -> Result<Vec<(usize, String)>, RowError> {
        let mut overlaps = Vec::new();
        for (i, row) in parsed.drain(..).enumerate() {
            let row = row.map_err(|e| (i, Box::new(e.into())))?;
            self.accept(i, row, &mut overlaps, complete)
                .map_err(|e| (i, Box::new(e)))?;
        }
        Ok(overlaps)
    }

    /// The checks across rows, the exclusions and the grouping, for the `i`-th row of the
    /// chunk; the labels its `overlaps` name go to `named`, with `i`.
    fn accept(
        &mut self,
        i: usize,
        parsed: Parsed,
        named: &mut Vec<(usize, String)>,
        complete: &mut Vec<Group>,
    ) -> Result<(), ReadError> {
        let Parsed {
            line,
            study,
            n,
            responders,
            overlaps,
            group_key: key,
            group_label: carried,
            ..
        } = parsed;
        self.rows += 1;
        named.extend(overlaps.iter().map(|other| (i, other.clone())));
        if !(self.keep_overlapping || overlaps.is_empty()) {
            self.exclusions.overlapping += 1;
            self.note_example(study.as_str());
            return Ok(());
        }
        let Some(events) = responders else {
            self.exclusions.missing_responders += 1;
            self.note_example(study.as_str());
            return Ok(());
        };
        let member = Member {
            line,
            study,
            n,
            events,
        };
        let run = self.runs.enter(key, line);
        if run == Ok(Run::Same) {
            if let Some(group) = &mut self.open {
                group.members.push(member);
            }
            return Ok(());
        }
        // The label in words comes with the first row of each group's run of rows (found again
        // from the raw record should it not).
        let label = match carried {
            Some(label) => label,
            None => {
                let row = self.row(i);
                let c = self.table.cursor(&row);
                let drug = ArmView::parse(&c, self.schema, &self.columns).map_or("", |v| v.drug);
                group_label(&c, drug, self.group_column()).to_string()
            }
        };
        if let Err(first) = run {
            let row = self.row(i);
            let c = self.table.cursor(&row);
            return Err(ReadError::Data(c.error(
                &self.column,
                not_together_expectation(&self.column, &label, first),
            )));
        }
        // Groups of a batch tend to be of one size: start where the last one ended.
        let mut members = Vec::with_capacity(self.open.as_ref().map_or(1, |g| g.members.len()));
        members.push(member);
        if let Some(group) = self.open.replace(Group { label, members }) {
            self.groups += 1;
            complete.push(group);
        }
        Ok(())
    }

    fn note_example(&mut self, study: &str) {
        if self.exclusions.examples.len() < EXAMPLES {
            self.exclusions.examples.push(study.to_string());
        }
    }

    /// The end of the file: the last group is complete; `overlaps` entries must name rows of
    /// the file; something must have been pooled.
    fn finish(&mut self, complete: &mut Vec<Group>) -> Result<(), ReadError> {
        if self.rows == 0 {
            return Err(DataError::NoRows {
                file: self.table.file.clone(),
            }
            .into());
        }
        for (row, other) in &self.pending_overlaps {
            if !self.studies.contains(&Fingerprint::of(other)) {
                return Err(unknown_overlap(&self.table.cursor(row), other).into());
            }
        }
        if let Some(group) = self.open.take() {
            self.groups += 1;
            complete.push(group);
        }
        if self.groups == 0 {
            return Err(crate::analysis::proportion::no_responders(&self.table.file).into());
        }
        Ok(())
    }
}
