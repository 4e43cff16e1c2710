//! Running `alkstats pool --format csv|jsonl` through the batch engine: when to stream, where to
//! write (atomically to `--output`, or to standard output, where a closed pipe ends the run
//! quietly), the progress bar on a terminal, and the summary of warnings afterwards.

use super::by_piece::{stream_pieces, Outcome};
use super::contiguity::{is_plain, scan};
use super::held::{Held, Verdict};
use super::pieces::{ARM_DRUG_COLUMNS, DRUG_COLUMNS};
use super::sink::Sink;
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
    /// Read the input as plain text (see `records`): the engine stops with
    /// [`BatchError::NotPlain`] at a line that is not.
    plain: bool,
}

/// A streaming engine: reads its input, writes analysis rows, reports progress.
type Engine<'e> = dyn FnMut(Opened<'_>, &mut dyn Sink, &mut dyn FnMut(&Progress)) -> Result<BatchSummary, BatchError>
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
        true,
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
        false,
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
/// engine tells them apart); returns `None`, having written nothing, otherwise. An engine that
/// `reads_plain` is first handed the file as plain text. Neither is checked before the engine
/// starts: its output is [`Held`] until it is (see `held`), and a file found not to be plain
/// text is read again with the CSV parser.
///
/// Writes `--output` atomically or standard output (a closed standard output, as in
/// `alkstats … | head`, ends the run early, successfully), draws a progress bar on a terminal
/// for runs over a second, and afterwards summarises on a terminal's standard error the rows
/// left out and the fits' warnings.
///
/// # Errors
/// [`AnalysisError::StreamNeedsGroups`] for `--stream` without `--by COLUMN`, a spreadsheet
/// with `--stream`, or the engine's error with the output named.
///
/// [`group_key`]: super::pieces::group_key
fn stream(
    target: Target<'_>,
    grouping: &Grouping,
    drug_columns: &[&str],
    reads_plain: bool,
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
    let path = match source {
        DataSource::File(path) => Some(path.as_path()),
        _ => None,
    };
    if auto && path.is_none() {
        return Ok(None);
    }
    let size = path
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let mut output = Output::open(target.output)?;
    let mut bar = progress::ProgressReport::new(size);
    let mut report = |p: &Progress| bar.update(p);
    // What is known of the file: with --stream, its groups need no check (the engine refuses
    // a group that starts again); plain text is checked only while it is read as such.
    let mut plain = reads_plain && path.is_some();
    let mut checked = !auto && !plain;
    let result = loop {
        let (name, input) = source.open(target.embedded.0, target.embedded.1)?;
        let file = Checks {
            path,
            column,
            drug_columns,
            auto,
            plain,
        };
        let mut check = || file.verdict();
        let mut held = Held::new(output.writer(), (!checked).then_some(&mut check));
        let opened = Opened {
            name: &name,
            column,
            input,
            plain,
        };
        let result = engine(opened, &mut held, &mut report);
        let unchecked = held.unchecked();
        match (result, held.stopped()) {
            (_, Some(Verdict::Apart)) => return Ok(None),
            // The check found the groups contiguous, or had nothing else to check.
            (_, Some(Verdict::NotPlain)) => (plain, checked) = (false, true),
            (Err(BatchError::NotPlain { .. }), _) if unchecked => {
                (plain, checked) = (false, !auto);
            }
            (Err(BatchError::NotPlain { line }), _) => {
                break Err(BatchError::Data(DataError::Io {
                    file: name,
                    reason: format!(
                        "line {line} changed while the file was read (it holds a quote or a \
                         carriage return that was not there before); run the command again"
                    ),
                }))
            }
            // A problem found before the file was checked is reported as it would have been
            // after the check: streamed when the groups are contiguous, else loaded whole.
            (Err(e), _) if unchecked && auto => match file.verdict() {
                Verdict::Apart => return Ok(None),
                _ => break Err(e),
            },
            (Err(e), _) => break Err(e),
            (Ok(summary), _) => break held.release().map(|()| summary).map_err(unnamed),
        }
    };
    bar.finish();
    let summary = output.finish(result)?;
    // As the progress bar: for people at a terminal. A pipeline sees what the in-memory path
    // prints for CSV, which is nothing.
    if std::io::stderr().is_terminal() {
        if let Some(message) = summary.message() {
            eprintln!("{message}");
        }
    }
    Ok(Some(summary))
}

/// An output error not yet named.
fn unnamed(source: std::io::Error) -> BatchError {
    BatchError::Output {
        target: "<output>".into(),
        source,
    }
}

/// How [`stream`] checks a file it did not check before streaming it.
#[derive(Clone, Copy)]
struct Checks<'a> {
    path: Option<&'a Path>,
    column: &'a str,
    drug_columns: &'a [&'a str],
    /// Its groups must be contiguous (streaming was not asked for).
    auto: bool,
    /// The engine reads it as plain text.
    plain: bool,
}

impl Checks<'_> {
    /// Reads the whole file for what [`stream`] must know of it.
    fn verdict(&self) -> Verdict {
        let Some(path) = self.path else {
            return Verdict::Streams;
        };
        let (contiguous, plain) = match self.auto {
            true => {
                let scan = scan(path, self.column, self.drug_columns);
                (scan.contiguous, scan.plain)
            }
            false => (true, !self.plain || is_plain(path)),
        };
        match (contiguous, plain) {
            (false, _) => Verdict::Apart,
            (true, false) if self.plain => Verdict::NotPlain,
            _ => Verdict::Streams,
        }
    }
}

/// Where a streamed run writes: `--output`, atomically, or standard output.
enum Output<'p> {
    File(&'p Path, AtomicFile),
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
}

impl<'p> Output<'p> {
    /// Creates the temporary file of `--output`, or takes standard output.
    ///
    /// # Errors
    /// A temporary file that cannot be created, named.
    fn open(path: Option<&'p Path>) -> Result<Self, BatchError> {
        Ok(match path {
            Some(path) => Output::File(path, AtomicFile::create(path).map_err(named(path))?),
            None => Output::Stdout(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout().lock(),
            )),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::File(_, file) => file,
            Output::Stdout(out) => out,
        }
    }

    /// Commits the file after a run that ended well (on an error it is dropped uncommitted: its
    /// temporary file is removed); names the output in an output error. A closed standard
    /// output ends a run successfully.
    fn finish(self, result: Result<BatchSummary, BatchError>) -> Result<BatchSummary, BatchError> {
        match (self, result) {
            (Output::File(path, file), Ok(summary)) => {
                file.commit().map_err(named(path))?;
                Ok(summary)
            }
            (Output::File(path, _), Err(BatchError::Output { source, .. })) => {
                Err(named(path)(source))
            }
            (Output::Stdout(_), Err(BatchError::Output { source, .. }))
                if source.kind() == std::io::ErrorKind::BrokenPipe =>
            {
                Ok(BatchSummary::default())
            }
            (Output::Stdout(_), Err(BatchError::Output { source, .. })) => {
                Err(BatchError::Output {
                    target: "<stdout>".into(),
                    source,
                })
            }
            (_, other) => other,
        }
    }
}

/// Names `path` in an output error.
fn named(path: &Path) -> impl Fn(std::io::Error) -> BatchError + '_ {
    move |source| BatchError::Output {
        target: path.display().to_string(),
        source,
    }
}
