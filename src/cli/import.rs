//! `alkstats import rm5 REVIEW.rm5 --out DIR`: every outcome of a RevMan 5 review as a CSV
//! file with R `meta`'s column names (`studlab`, `event.e`, `n.e`, …, see
//! `data::revman::outcome_table`), one file per outcome named by its number (`1.1.csv`), so
//! that each can be pooled as a user's own file (`pool --outcome binary --data DIR/1.1.csv`).
//! Every file is rendered before any is written, and each is written atomically.

use super::{CliError, Output};
use crate::data::revman::{describe_outcome, load_rm5, outcome_table, Outcome, OutcomeKind};
use crate::settings::GenericMeasure;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `alkstats import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    format: ImportFormat,
}

#[derive(Debug, Subcommand)]
enum ImportFormat {
    /// A RevMan 5 review (.rm5): one CSV file per outcome, with R meta's column names.
    Rm5 {
        /// The review file.
        file: PathBuf,
        /// Folder to write the CSV files to (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The `pool` flags that pool the file as the review does: its outcome kind, effect measure
/// and method (`None` for O − E data, which `pool` does not read yet).
fn pool_flags(outcome: &Outcome) -> Option<String> {
    let measure = outcome.effect_measure.as_str();
    let mut flags = match outcome.kind {
        OutcomeKind::Dichotomous => {
            let (measure, method) = match (measure, outcome.method.to_ascii_uppercase().as_str()) {
                ("PETO_OR" | "PETO", _) | (_, "PETO") => ("OR", "Peto"),
                (m, "IV") => (m, "IV"),
                (m, _) => (m, "MH"),
            };
            format!("--outcome binary --measure {measure} --method {method}")
        }
        OutcomeKind::Continuous => format!("--outcome continuous --measure {measure}"),
        OutcomeKind::GenericInverseVariance => match measure.parse::<GenericMeasure>() {
            Ok(sm) => format!("--outcome generic --sm {sm}"),
            Err(_) => "--outcome generic".to_string(),
        },
        OutcomeKind::ObservedMinusExpected => return None,
    };
    if outcome.has_subgroups {
        flags.push_str(" --by subgroup");
    }
    Some(flags)
}

/// Runs `alkstats import`.
///
/// # Errors
/// A RevMan file that cannot be read (exit 2), or a folder or file that cannot be written.
pub fn run(args: ImportArgs) -> Result<Output, CliError> {
    let ImportFormat::Rm5 { file, out } = args.format;
    let review = load_rm5(&file).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut files = Vec::new();
    let mut summary = String::new();
    for (_, outcome) in review.outcomes() {
        let (headers, rows) = outcome_table(outcome);
        let mut w = csv::Writer::from_writer(Vec::new());
        let written = w
            .write_record(&headers)
            .and_then(|()| rows.iter().try_for_each(|r| w.write_record(r)));
        written.map_err(|e| CliError::Internal(e.into()))?;
        let bytes = w
            .into_inner()
            .map_err(|e| CliError::Internal(e.into_error().into()))?;
        let path = out.join(format!("{}.csv", outcome.id));
        summary.push_str(&format!(
            "wrote {}: {}; {} rows\n",
            path.display(),
            describe_outcome(outcome),
            rows.len()
        ));
        match pool_flags(outcome) {
            Some(flags) => summary.push_str(&format!(
                "  pool it: alkstats pool {flags} --data {}\n",
                path.display()
            )),
            None => summary.push_str("  (O − E and variance data are not pooled yet)\n"),
        }
        files.push((path, bytes));
    }
    if files.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: the review has no analyses to import",
            file.display()
        )));
    }
    std::fs::create_dir_all(&out).map_err(|e| {
        CliError::Usage(format!(
            "--out {}: cannot create the folder: {e}",
            out.display()
        ))
    })?;
    for (path, bytes) in &files {
        crate::io::write_atomic(path, bytes).map_err(|e| {
            CliError::Usage(format!("{}: cannot write the file: {e}", path.display()))
        })?;
    }
    Ok(Output {
        text: summary,
        path: None,
    })
}
