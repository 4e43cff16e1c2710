//! Running `alkstats pool --format csv|jsonl` through the batch engine: when to stream, where to
//! write (atomically to `--output`, or to standard output, where a closed pipe ends the run
//! quietly), the progress bar on a terminal, and the summary of warnings afterwards.

use super::by_piece::{stream_pieces, Outcome};
use super::contiguity::{is_plain, scan};
use super::pieces::{ARM_DRUG_COLUMNS, DRUG_COLUMNS};
use super::{pool_stream, progress, BatchError, BatchSummary, Progress, RowFormat, StreamOptions};
use crate::analysis::group::Grouping;
use crate::analysis::proportion::ProportionSettings;
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::data::file_checks::FileChecks;
use crate::data::format::FileKind;
use crate::data::roles::Mapping;
use crate::data::table::Table;
use crate::data::{DataError, DataSource};
use crate::io::AtomicFile;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// When `alkstats pool` streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// When the data is a text file whose `--by` groups are contiguous
    /// ([`groups_are_contiguous`](super::groups_are_contiguous)).
    Auto,
    /// Always (`--stream`); groups that are not contiguous are an error.
    Always,
}

/// Where a streamed run reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The data.
    pub source: &'a DataSource,
    /// The embedded file and its name in messages, for [`DataSource::Embedded`].
    pub embedded: (&'static str, &'a str),
    /// `--output`, or standard output.
    pub output: Option<&'a Path>,
    /// `--stream` or not.
    pub mode: StreamMode,
    /// What each analysis is written as.
    pub rows: &'a RowFormat,
}

/// The input of a streaming engine, opened by [`stream`].
struct Opened<'a> {
    /// The data's name in messages.
    name: &'a str,
    /// The `--by` column.
    column: &'a str,
    input: Box<dyn Read + Send>,
    /// The input is plain text (see `records`).
    plain: bool,
}

/// A streaming engine: reads its input, writes analysis rows, reports progress.
type Engine<'e> = dyn FnMut(Opened<'_>, &mut dyn Write, &mut dyn FnMut(&Progress)) -> Result<BatchSummary, BatchError>
    + 'e;

/// Runs `alkstats pool --format csv` (or `jsonl`) on pooled proportions through the
/// proportions engine ([`pool_stream`]) when `target.mode` allows it; `maps` are the `--map`
/// roles of a user's file. Returns `None`, having done nothing, when the in-memory path should
/// run instead (see [`stream`]).
///
/// # Errors
/// As [`pool_stream`], with the output named.
pub fn pool_csv(
    target: Target<'_>,
    settings: &ProportionSettings,
    maps: &[Mapping],
) -> Result<Option<BatchSummary>, BatchError> {
    let options = StreamOptions {
        // A user's file (not the embedded one) is read by role, as in memory.
        user_roles: (*target.source != DataSource::Embedded).then(|| maps.to_vec()),
        rows: target.rows.clone(),
        size_hint: match target.source {
            DataSource::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            _ => None,
        },
        ..StreamOptions::default()
    };
    let keys = ARM_DRUG_COLUMNS;
    stream(
        target,
        &settings.grouping,
        keys,
        &mut |opened, out, report| {
            let options = StreamOptions {
                plain: opened.plain,
                ..options.clone()
            };
            pool_stream(opened.name, opened.input, out, settings, &options, report)
        },
    )
}

/// Runs `alkstats pool --format csv` (or `jsonl`) on any outcome through the piece-by-piece
/// engine ([`stream_pieces`]: the outcome's own loader and analysis), grouped by `grouping`.
/// Returns `None` when the in-memory path should run instead (see [`stream`]); the embedded
/// data, a few dozen rows, is always read whole.
///
/// # Errors
/// As [`stream_pieces`], with the output named.
pub fn outcome_csv<T, S, L, P>(
    target: Target<'_>,
    grouping: &Grouping,
    mut outcome: Outcome<L, P>,
) -> Result<Option<BatchSummary>, BatchError>
where
    T: Send + Sync,
    S: StudyRow + Send,
    L: FnMut(Table, &mut FileChecks) -> Result<Vec<T>, DataError> + Send,
    P: Fn(&[T], &[String], &str) -> Result<PoolReport<S>, AnalysisError> + Sync,
{
    if *target.source == DataSource::Embedded {
        return Ok(None);
    }
    let options = StreamOptions {
        rows: target.rows.clone(),
        ..StreamOptions::default()
    };
    stream(
        target,
        grouping,
        DRUG_COLUMNS,
        // The piece engine reads with the table reader, plain text or not.
        &mut |opened, out, report| {
            let (name, column) = (opened.name, opened.column);
            stream_pieces(
                name,
                opened.input,
                out,
                column,
                &mut outcome,
                &options,
                report,
            )
        },
    )
}

/// Streams through `engine` when `target.mode` allows it: in [`StreamMode::Auto`] only a text
/// file whose groups are contiguous (told apart by [`group_key`] with `drug_columns`, as the
/// engine tells them apart); returns `None`, having done nothing, otherwise. Writes
/// `--output` atomically or standard output (a closed standard output, as in
/// `alkstats … | head`, ends the run early, successfully), draws a progress bar on a terminal
/// for runs over a second, and afterwards summarises on a terminal's standard error the rows
/// left out and the fits' warnings.
///
/// # Errors
/// [`AnalysisError::StreamNeedsGroups`] for `--stream` without `--by COLUMN`, a spreadsheet
/// with `--stream`, or the engine's error with the output named.
fn stream(
    target: Target<'_>,
    grouping: &Grouping,
    drug_columns: &[&str],
    engine: &mut Engine<'_>,
) -> Result<Option<BatchSummary>, BatchError> {
    let auto = target.mode == StreamMode::Auto;
    let Grouping::Column(column) = grouping else {
        return match auto {
            true => Ok(None),
            false => Err(AnalysisError::StreamNeedsGroups.into()),
        };
    };
    let source = target.source;
    if source.kind() != FileKind::Text {
        return match auto {
            true => Ok(None),
            false => Err(AnalysisError::StreamNeedsText.into()),
        };
    }
    let size = match source {
        DataSource::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
        _ => None,
    };
    // In automatic mode the file is scanned for its groups first, which also tells whether it
    // is plain text; with --stream only the latter is looked for.
    let plain = match (source, auto) {
        (DataSource::File(path), true) => {
            let scan = scan(path, column, drug_columns);
            if !scan.contiguous {
                return Ok(None);
            }
            scan.plain
        }
        (DataSource::File(path), false) => is_plain(path),
        (_, true) => return Ok(None),
        (_, false) => false,
    };
    let (name, input) = source.open(target.embedded.0, target.embedded.1)?;
    let mut bar = progress::ProgressReport::new(size);
    let mut report = |p: &Progress| bar.update(p);
    let result = match target.output {
        Some(path) => {
            let named = |source| BatchError::Output {
                target: path.display().to_string(),
                source,
            };
            let mut file = AtomicFile::create(path).map_err(named)?;
            // On an error the file is dropped uncommitted: its temporary file is removed.
            let opened = Opened {
                name: &name,
                column,
                input,
                plain,
            };
            engine(opened, &mut file, &mut report)
                .and_then(|summary| file.commit().map(|()| summary).map_err(named))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let opened = Opened {
                name: &name,
                column,
                input,
                plain,
            };
            match engine(opened, &mut out, &mut report) {
                Err(BatchError::Output { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    Ok(BatchSummary::default())
                }
                Err(BatchError::Output { source, .. }) => Err(BatchError::Output {
                    target: "<stdout>".into(),
                    source,
                }),
                other => other,
            }
        }
    };
    bar.finish();
    let summary = result?;
    // As the progress bar: for people at a terminal. A pipeline sees what the in-memory path
    // prints for CSV, which is nothing.
    if std::io::stderr().is_terminal() {
        if let Some(message) = summary.message() {
            eprintln!("{message}");
        }
    }
    Ok(Some(summary))
}
