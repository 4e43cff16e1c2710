//! Streaming every outcome: the file is cut into pieces of whole `--by` groups
//! ([`PieceReader`]), each piece is loaded by the outcome's in-memory loader (in file order,
//! with the checks across the file's rows carried from piece to piece in one [`FileChecks`]) and
//! analysed by its in-memory analysis, on rayon's threads; the analysis rows are written in file
//! order. The numbers, labels and messages are therefore those of the in-memory path by
//! construction (`tests/batch_outcomes.rs` compares the bytes); what streaming saves is memory
//! (one chunk of rows at a time) and, with two threads, time.
//!
//! Proportions by inverse variance have a faster engine of their own ([`super::pool_stream`]);
//! this one serves wide binary (IV, MH, Peto, GLMM), continuous, generic, hazard-ratio files and
//! proportion GLMMs.

use super::pieces::PieceReader;
use super::rows_out::RowsOut;
use super::sink::Sink;
use super::{header_bytes, BatchError, BatchSummary, Progress, StreamOptions};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::data::file_checks::FileChecks;
use crate::data::table::Table;
use crate::data::DataError;
use rayon::prelude::*;
use std::io::Read;

/// An outcome as the in-memory path runs it: `load` reads a table's rows (continuing the
/// checks across the file), `pool` analyses rows grouped by the `--by` column.
pub struct Outcome<L, P> {
    /// The loader, e.g. [`load_binary_checked`](crate::data::user_rows::load_binary_checked).
    pub load: L,
    /// The analysis, e.g. [`pool_binary`](crate::analysis::compare::pool_binary) with its
    /// settings, grouping by the `--by` column.
    pub pool: P,
}

/// One piece loaded: its rows and header.
struct Loaded<T> {
    rows: Vec<T>,
    headers: Vec<String>,
}

/// What the fits of one piece gave.
enum Fitted {
    /// The analysis rows, how many, and the warnings.
    Rows(Vec<u8>, u64, Vec<String>),
    /// Nothing to analyse in this piece (every row left out): an error only if the whole file
    /// has nothing.
    Nothing(AnalysisError),
}

/// Streams `input` (named `data_name`) grouped by `column` through `outcome`, writing the
/// analysis rows (after a CSV header, or as JSON Lines) to `output` in file order.
///
/// # Errors
/// The first problem of the file in file order, an impossible analysis, or a failure to write
/// ([`BatchError::Output`] with the target `<output>`).
pub fn stream_pieces<R, W, T, S, L, P>(
    data_name: &str,
    input: R,
    output: &mut W,
    column: &str,
    outcome: &mut Outcome<L, P>,
    options: &StreamOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BatchSummary, BatchError>
where
    R: Read + Send,
    W: Sink + ?Sized,
    T: Send + Sync,
    S: StudyRow + Send,
    L: FnMut(Table, &mut FileChecks) -> Result<Vec<T>, DataError> + Send,
    P: Fn(&[T], &[String], &str) -> Result<PoolReport<S>, AnalysisError> + Sync,
{
    let write_error = |source| BatchError::Output {
        target: "<output>".into(),
        source,
    };
    let mut reader = PieceReader::new(data_name, input, column, options.chunk_rows)?;
    output
        .put(header_bytes(&options.rows)?)
        .map_err(write_error)?;
    let mut checks = FileChecks::default();
    let mut summary = BatchSummary::default();
    let mut nothing: Option<AnalysisError> = None;
    let (load, pool) = (&mut outcome.load, &outcome.pool);
    // As the proportions engine: the next pieces are read and loaded (in file order, on this
    // thread) while the pieces before them are analysed (in parallel).
    let mut fitting: Option<Vec<Loaded<T>>> = None;
    loop {
        let (fitted, next) = rayon::join(
            || {
                fitting.take().map(|pieces| {
                    pieces
                        .par_iter()
                        .map(|piece| fit_piece(data_name, piece, pool, &options.rows))
                        .collect::<Vec<_>>()
                })
            },
            || load_next(&mut reader, &mut checks, load),
        );
        for part in fitted.into_iter().flatten() {
            match part? {
                Fitted::Rows(bytes, analyses, warnings) => {
                    output.put(bytes).map_err(write_error)?;
                    summary.analyses += analyses;
                    summary.add_warnings(warnings);
                }
                Fitted::Nothing(e) => {
                    nothing.get_or_insert(e);
                }
            }
        }
        progress(&Progress {
            bytes: reader.bytes_read(),
            rows: reader.rows(),
            analyses: summary.analyses,
        });
        match next? {
            Some(pieces) => fitting = Some(pieces),
            None => break,
        }
    }
    checks.finish()?;
    output.flush_all().map_err(write_error)?;
    if summary.analyses == 0 {
        if let Some(e) = nothing {
            return Err(e.into());
        }
    }
    summary.rows = reader.rows();
    Ok(summary)
}

/// Reads and loads the next pieces; `None` at the end of the file.
fn load_next<R: Read, T>(
    reader: &mut PieceReader<R>,
    checks: &mut FileChecks,
    load: &mut impl FnMut(Table, &mut FileChecks) -> Result<Vec<T>, DataError>,
) -> Result<Option<Vec<Loaded<T>>>, DataError> {
    let Some(tables) = reader.next_pieces()? else {
        return Ok(None);
    };
    tables
        .into_iter()
        .map(|table| {
            let headers = table.headers.clone();
            Ok(Loaded {
                rows: load(table, checks)?,
                headers,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Analyses one piece and writes its rows.
fn fit_piece<T, S: StudyRow>(
    data_name: &str,
    piece: &Loaded<T>,
    pool: &impl Fn(&[T], &[String], &str) -> Result<PoolReport<S>, AnalysisError>,
    format: &super::RowFormat,
) -> Result<Fitted, AnalysisError> {
    let report = match pool(&piece.rows, &piece.headers, data_name) {
        Ok(report) => report,
        Err(e @ AnalysisError::NothingToPool { .. }) => return Ok(Fitted::Nothing(e)),
        Err(e) => return Err(e),
    };
    let mut out = RowsOut::new(format, report.analyses.len());
    for analysis in &report.analyses {
        out.push(analysis);
    }
    let analyses = report.analyses.len() as u64;
    Ok(Fitted::Rows(out.into_bytes(), analyses, report.warnings))
}
