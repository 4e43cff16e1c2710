//! The batch engine: thousands of meta-analyses in one file (one `--by` group each), streamed.
//! Methodologists run 10⁵ meta-analyses at once; R `metafor::rma` takes milliseconds per fit,
//! this engine microseconds (BENCHMARKS.md).
//!
//! # Design
//! - **Streaming.** The file is read in chunks of rows cut into groups; a group is complete
//!   when the next one starts, so memory holds one chunk, never the file. The rows of a group
//!   must therefore be contiguous; a group that starts again is refused (exit 2) rather than
//!   fitted twice. `alkstats pool` streams only when the output is CSV or JSON Lines analysis
//!   rows and either `--stream` is given or the file's groups are contiguous
//!   ([`groups_are_contiguous`]); otherwise it loads the file as before, so streaming never
//!   changes what a command prints (on a terminal it adds a progress bar and a summary of
//!   warnings on standard error). The file is not checked before streaming starts: the output
//!   is held until the engine has read it all, or checked it (`held`).
//! - **Two engines.** Proportions by inverse variance, the common batch, have their own
//!   ([`pool_stream`], [`reader::GroupReader`]); every other outcome goes piece by piece through
//!   its in-memory loader and analysis ([`stream_pieces`]).
//! - **Same numbers, same code.** Rows are parsed by
//!   [`parse_arm_values`](crate::data::arms::parse_arm_values) (the in-memory `parse_arm`
//!   without its map of every column) and checked across the file as
//!   [`load_arms`](crate::data::load_arms) checks them; effect sizes, the fit
//!   ([`fit_summary`](crate::fit::fit_summary), the allocation-free core of
//!   [`fit`](crate::fit::fit)), back-transformation and the CSV row are the functions of the
//!   in-memory path. The output is byte for byte that of `alkstats pool --format csv`
//!   (`tests/batch.rs`, `tests/batch_outcomes.rs` and `tests/batch_plain.rs` check it).
//! - **Parallel, deterministic.** Parsing and fitting run on rayon's thread pool, chunk by
//!   chunk; results are collected and written in file order, so the output does not depend on
//!   the number of threads. Each worker keeps a [`FitWorkspace`](crate::fit::FitWorkspace),
//!   which computes the t and χ² quantiles once per degrees of freedom instead of once per fit.
//! - **Errors.** The first problem in file order stops the run with the line named. With
//!   `--output` the file is written to a temporary file and renamed only on success
//!   ([`AtomicFile`]), so a failed run leaves nothing half-written.

mod analyse;
mod by_piece;
mod contiguity;
mod delimiters;
mod group;
mod held;
mod label;
mod line_scan;
mod parse;
mod pieces;
mod progress;
mod read_error;
pub mod reader;
mod records;
mod rows_out;
mod run;
mod runs;
mod sink;

pub use by_piece::{stream_pieces, Outcome};
pub use contiguity::groups_are_contiguous;
pub use reader::Exclusions;
pub use run::{outcome_csv, pool_csv, StreamMode, Target};
pub use sink::Sink;

use crate::analysis::group::Grouping;
use crate::analysis::proportion::{check_incr, ProportionSettings};
use crate::analysis::AnalysisError;
use crate::data::roles::Mapping;
use crate::data::DataError;
use crate::output::csv_out::{write_header, Columns};
use analyse::{analyse, Workspace};
use rayon::prelude::*;
use reader::{GroupReader, ReadError};
use std::io::Read;
use thiserror::Error;

/// Why a streamed run failed.
#[derive(Debug, Error)]
pub enum BatchError {
    /// A problem in the input file, with its line.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An analysis that cannot be run as asked.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The output could not be written.
    #[error("{target}: cannot write the output: {source}")]
    Output {
        /// The output path, or `<stdout>`.
        target: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input, read as plain text, is not (`line` holds a quote or a lone carriage
    /// return): `alkstats pool` reads it again with the CSV parser; it reaches the user only
    /// when the file changed while it was read.
    #[error("line {line}: a quote or a lone carriage return in input read as plain text")]
    NotPlain {
        /// The line.
        line: u64,
    },
}

impl From<ReadError> for BatchError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Data(e) => BatchError::Data(e),
            ReadError::Analysis(e) => BatchError::Analysis(e),
            ReadError::NotPlain { line } => BatchError::NotPlain { line },
        }
    }
}

/// Tuning of a streamed run. The defaults suit files from a few rows to tens of millions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOptions {
    /// Rows read per chunk: the unit of parallel parsing, and of memory.
    pub chunk_rows: usize,
    /// `None` for a file in the shipped schema; for a user's file, its `--map` roles (columns
    /// are then found by role and `drug` and `source` are optional, as in memory).
    pub user_roles: Option<Vec<Mapping>>,
    /// What each analysis is written as.
    pub rows: RowFormat,
    /// The size of the input in bytes, when known: the tables of labels are sized from it.
    pub size_hint: Option<u64>,
    /// The input is known to be plain text (no quote, no carriage return but before a line
    /// feed): its lines are cut without the CSV parser (see `records`).
    pub plain: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            chunk_rows: 16_384,
            user_roles: None,
            rows: RowFormat::default(),
            size_hint: None,
            plain: false,
        }
    }
}

/// How analyses are written: CSV rows (`--format csv`, after a header) or JSON Lines
/// (`--format jsonl`), with all columns or those of `--fields`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFormat {
    /// JSON Lines rather than CSV.
    pub jsonl: bool,
    /// The columns.
    pub columns: Columns,
}

/// Progress of a streamed run, reported after each chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the input read.
    pub bytes: u64,
    /// Data rows read.
    pub rows: u64,
    /// Analyses written.
    pub analyses: u64,
}

/// What a streamed run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchSummary {
    /// Data rows read.
    pub rows: u64,
    /// Analyses written (one per group).
    pub analyses: u64,
    /// Rows left out of the analyses.
    pub exclusions: Exclusions,
    /// Warnings of the fits (non-convergence, intervals that are undefined), in total.
    pub warning_count: u64,
    /// The first warnings, worded as in the JSON report ("group: message").
    pub warnings: Vec<String>,
}

/// How many warnings a [`BatchSummary`] keeps word for word.
const KEPT_WARNINGS: usize = 10;

/// Groups formatted per parallel task: enough to amortise a task, few enough to balance.
const GROUPS_PER_TASK: usize = 64;

impl BatchSummary {
    /// The summary for people (standard error), or `None` when there is nothing to say.
    pub fn message(&self) -> Option<String> {
        let mut lines = Vec::new();
        let x = &self.exclusions;
        if x.overlapping + x.missing_responders > 0 {
            lines.push(format!(
                "warning: {} row(s) left out: {} marked as overlapping other rows (use \
                 --keep-overlapping to include them), {} without a responder count; e.g. {}",
                x.overlapping + x.missing_responders,
                x.overlapping,
                x.missing_responders,
                x.examples.join("; ")
            ));
        }
        if self.warning_count > 0 {
            lines.push(format!(
                "warning: {} warning(s) in {} analyses; the first {}:",
                self.warning_count,
                self.analyses,
                self.warnings.len()
            ));
            lines.extend(self.warnings.iter().map(|w| format!("  - {w}")));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    fn add_warnings(&mut self, warnings: Vec<String>) {
        self.warning_count += warnings.len() as u64;
        let room = KEPT_WARNINGS.saturating_sub(self.warnings.len());
        self.warnings.extend(warnings.into_iter().take(room));
    }
}

/// The CSV rows (or JSON lines) of one task's groups, and their warnings.
struct Part {
    csv: Vec<u8>,
    warnings: Vec<String>,
}

/// Pools the proportions of every `--by` group of `input` (an arms CSV named `data_name` in
/// messages) and writes the CSV of `alkstats pool --format csv`: the header, then one row per
/// group, in file order (or, as `options.rows` says, only some columns, or JSON Lines).
///
/// `progress` is called after each chunk.
///
/// # Errors
/// The first problem of the file in file order ([`BatchError::Data`]), an impossible analysis
/// ([`BatchError::Analysis`]: an unknown or absent `--by` column, a study without a finite
/// effect size, nothing to pool), or a failure to write ([`BatchError::Output`], with the
/// target `<output>`; the caller knows its name).
pub fn pool_stream<R: Read + Send, W: Sink + ?Sized>(
    data_name: &str,
    input: R,
    output: &mut W,
    settings: &ProportionSettings,
    options: &StreamOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BatchSummary, BatchError> {
    check_incr(settings.incr)?;
    let Grouping::Column(column) = &settings.grouping else {
        return Err(by_none());
    };
    let write_error = |source| BatchError::Output {
        target: "<output>".into(),
        source,
    };
    let mut reader =
        GroupReader::new(data_name, input, column, settings.keep_overlapping, options)?;
    output
        .put(header_bytes(&options.rows)?)
        .map_err(write_error)?;

    let mut summary = BatchSummary::default();
    // A two-stage pipeline: while the groups of one chunk are fitted (on rayon's threads), the
    // next chunk is read, parsed and grouped, so that the serial parts of reading (the CSV
    // records, the checks across rows in file order) overlap the fits.
    let mut fitting: Option<Vec<reader::Group>> = None;
    loop {
        let (parts, next) = rayon::join(
            || {
                fitting
                    .take()
                    .map(|groups| fit_groups(data_name, groups, settings, &options.rows))
            },
            || reader.next_groups(),
        );
        if let Some((parts, analyses)) = parts {
            // Problems in file order: this chunk's fits come before the next chunk's rows.
            for part in parts {
                let part = part?;
                output.put(part.csv).map_err(write_error)?;
                summary.add_warnings(part.warnings);
            }
            summary.analyses += analyses;
            progress(&Progress {
                bytes: reader.bytes_read(),
                rows: reader.rows(),
                analyses: summary.analyses,
            });
        }
        match next? {
            Some(groups) => fitting = Some(groups),
            None => break,
        }
    }
    output.flush_all().map_err(write_error)?;
    summary.rows = reader.rows();
    summary.exclusions = reader.exclusions().clone();
    Ok(summary)
}

/// The CSV header of `rows` (nothing for JSON Lines).
fn header_bytes(rows: &RowFormat) -> Result<Vec<u8>, BatchError> {
    if rows.jsonl {
        return Ok(Vec::new());
    }
    let mut header = csv::Writer::from_writer(Vec::new());
    write_header(&mut header, &rows.columns).map_err(|e| BatchError::Output {
        target: "<output>".into(),
        source: e.into(),
    })?;
    Ok(header.into_inner().unwrap_or_default())
}

/// Streaming fits one analysis per group, so it needs groups.
fn by_none() -> BatchError {
    AnalysisError::StreamNeedsGroups.into()
}

/// Fits and formats `groups` in parallel; the parts come in file order, with the number of
/// analyses.
fn fit_groups(
    data_name: &str,
    mut groups: Vec<reader::Group>,
    settings: &ProportionSettings,
    rows: &RowFormat,
) -> (Vec<Result<Part, AnalysisError>>, u64) {
    let parts = groups
        .par_chunks_mut(GROUPS_PER_TASK)
        .map_init(
            || Workspace::new(settings),
            |ws, chunk| format_groups(data_name, chunk, settings, rows, ws),
        )
        .collect();
    (parts, groups.len() as u64)
}

/// Analyses and formats consecutive groups on one worker, and frees their rows there.
fn format_groups(
    data_name: &str,
    groups: &mut [reader::Group],
    settings: &ProportionSettings,
    rows: &RowFormat,
    ws: &mut Workspace,
) -> Result<Part, AnalysisError> {
    let mut out = rows_out::RowsOut::new(rows, groups.len());
    let mut warnings = Vec::new();
    for group in groups.iter_mut() {
        out.push(&analyse(data_name, group, settings, ws, &mut warnings)?);
        group.members = Vec::new();
    }
    let csv = out.into_bytes();
    Ok(Part { csv, warnings })
}
