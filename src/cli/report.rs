//! `alkstats report`: runs an analysis plan (TOML; default: the embedded ALK review) and writes
//! a self-contained, reproducible report folder; `--check DIR` re-runs the plan a report records
//! and lists every file that differs.

use super::{CliError, Output};
use crate::report::manifest::{self, absolute_out, relative_path};
use crate::report::{self, Plan, ReportError, RunOptions, EMBEDDED_PLAN, EMBEDDED_PLAN_NAME};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Flags of `alkstats report`, as clap parses them; [`ReportRun::from_args`] checks them.
#[derive(Debug, Args)]
#[command(after_help = crate::report::plan::SCHEMA_HELP)]
pub struct ReportArgs {
    /// Analysis plan (TOML; schema below). Default: the embedded ALK review on the shipped
    /// data (reports/alk_review.toml).
    #[arg(value_name = "PLAN.toml")]
    pub plan: Option<PathBuf>,
    /// Folder to write the report to: index.html, report.md, results.json, figures/,
    /// manifest.json. It must be new, empty, or an earlier report (which is replaced whole).
    #[arg(long, value_name = "DIR", required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Re-run the plan recorded in DIR/manifest.json and list every file that differs
    /// (exit 1); exit 0 when every file matches.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["plan", "out", "timestamp"])]
    pub check: Option<PathBuf>,
    /// Record the generation time (UTC) in the report and its manifest. Off by default, so
    /// that a second run writes byte-identical files; `--check` reuses the recorded time.
    #[arg(long)]
    pub timestamp: bool,
}

/// A checked `report` run.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportRun {
    /// `--check DIR`: re-run the plan a report records and compare.
    Check(PathBuf),
    /// Run a plan into a report folder.
    Generate {
        /// Plan file; `None` for the embedded ALK review.
        plan: Option<PathBuf>,
        /// Report folder.
        out: PathBuf,
        /// Record the generation time.
        timestamp: bool,
    },
}

impl ReportRun {
    /// Checks the flags of `report` and types them.
    ///
    /// # Errors
    /// [`CliError::Usage`] (exit 2) without `--out` or `--check`.
    pub fn from_args(args: ReportArgs) -> Result<Self, CliError> {
        if let Some(dir) = args.check {
            return Ok(ReportRun::Check(dir));
        }
        let out = args.out.ok_or_else(|| {
            CliError::Usage("alkstats report needs --out DIR (or --check DIR)".into())
        })?;
        Ok(ReportRun::Generate {
            plan: args.plan,
            out,
            timestamp: args.timestamp,
        })
    }
}

fn cli_error(e: ReportError) -> CliError {
    match e {
        ReportError::Data(d) => CliError::Data(d),
        ReportError::Internal(m) => CliError::Internal(anyhow::anyhow!(m)),
        other => CliError::Usage(other.to_string()),
    }
}

fn run_check(dir: &Path) -> Result<Output, CliError> {
    let outcome = manifest::check(dir).map_err(cli_error)?;
    if outcome.mismatches.is_empty() {
        return Ok(Output {
            text: format!(
                "{}: all {} files match a fresh run of the recorded plan\n",
                dir.display(),
                outcome.compared
            ),
            path: None,
        });
    }
    let mut text = String::new();
    for m in &outcome.mismatches {
        text.push_str(&format!("{m}\n"));
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe is not a reason to hide the failure: the exit code still says it.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
    Err(CliError::Internal(anyhow::anyhow!(
        "{}: {} file(s) do not match a fresh run of the recorded plan",
        dir.display(),
        outcome.mismatches.len()
    )))
}

/// Runs `alkstats report`.
///
/// # Errors
/// A plan or data error (exit 2, located), an output folder that holds something other than a
/// report (exit 2), or, with `--check`, any file that differs (exit 1).
pub fn run(args: ReportArgs) -> Result<Output, CliError> {
    match ReportRun::from_args(args)? {
        ReportRun::Check(dir) => run_check(&dir),
        ReportRun::Generate {
            plan,
            out,
            timestamp,
        } => generate(plan.as_deref(), &out, timestamp),
    }
}

fn generate(plan: Option<&Path>, out: &Path, timestamp: bool) -> Result<Output, CliError> {
    let target = absolute_out(out).map_err(cli_error)?;
    let (plan, base, folder) = match plan {
        None => (
            Plan::parse(EMBEDDED_PLAN_NAME, EMBEDDED_PLAN).map_err(cli_error)?,
            PathBuf::from("."),
            None,
        ),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::Usage(format!("{}: cannot read the plan: {e}", path.display()))
            })?;
            let plan = Plan::parse(&path.display().to_string(), &text).map_err(cli_error)?;
            let base = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let canonical = base.canonicalize().map_err(|e| {
                CliError::Usage(format!(
                    "{}: cannot resolve its folder: {e}",
                    path.display()
                ))
            })?;
            if canonical.starts_with(&target) {
                return Err(CliError::Usage(format!(
                    "--out {}: the plan is inside this folder, which the report replaces; choose another folder",
                    out.display()
                )));
            }
            let folder = relative_path(&target, &canonical);
            (
                plan,
                base,
                Some(folder.to_string_lossy().replace('\\', "/")),
            )
        }
    };
    let options = RunOptions {
        generated_at: timestamp.then(manifest::now_utc),
        plan_folder: folder,
    };
    let files = report::generate(&plan, &base, &options).map_err(cli_error)?;
    manifest::write_report(out, &files).map_err(cli_error)?;
    eprintln!(
        "wrote {} ({} files: index.html, report.md, results.json, {} figure files, manifest.json)",
        out.display(),
        files.len(),
        files.keys().filter(|k| k.starts_with("figures/")).count()
    );
    Ok(Output::none())
}
