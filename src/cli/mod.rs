//! The command-line interface: argument definitions, dispatch to one file per subcommand, and
//! the mapping of errors to exit codes (0 success, 2 bad input or usage, 1 internal failure).
//!
//! Every subcommand has the same shape: `run(args) -> Result<Output, CliError>` first turns its
//! raw clap flags into a checked, typed settings struct (bad flags and flag combinations fail
//! there, exit 2, before any work), then works from that struct alone; no other function sees
//! the raw flags.

pub mod bias;
pub mod cumulative;
mod error;
pub mod forest;
pub mod funnel;
pub mod import;
pub mod influence;
pub mod metareg;
pub mod network;
pub mod plots;
pub mod pool;
pub mod report;
pub mod sensitivity;
pub mod shell;

use clap::{Parser, Subcommand};
use std::io::Write;

pub use error::CliError;

/// alkstats: meta-analysis of ALK-positive NSCLC trial evidence, matching R metafor/meta.
#[derive(Debug, Parser)]
#[command(name = "alkstats", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Pool outcomes per subgroup (default: objective response rate by drug).
    Pool(pool::PoolCommandArgs),
    /// Small-study effects per subgroup: Egger, Begg, Peters, Harbord, Thompson–Sharp tests and
    /// trim-and-fill (--test adds the selection model and PET-PEESE); the flags of pool.
    Bias(bias::BiasArgs),
    /// Draw a forest plot (PNG or SVG by the --output extension); the flags of pool, plus layout.
    Forest(forest::ForestArgs),
    /// Draw a funnel plot (PNG or SVG by the --output extension), optionally contour-enhanced.
    Funnel(funnel::FunnelArgs),
    /// Leave-one-out refits and influence diagnostics (metafor leave1out, influence) of every
    /// group; the flags of pool, plus the model followed and plots.
    Influence(influence::InfluenceArgs),
    /// Cumulative meta-analysis (metafor cumul) of every group, in file order or by a column;
    /// the flags of pool, plus the order and plots.
    Cumulative(cumulative::CumulativeArgs),
    /// Meta-regression (metafor rma(mods = ~ …)) of every study on moderators: continuous and
    /// categorical, Wald or Knapp–Hartung tests, permutation test, bubble plot; the flags of pool.
    Metareg(metareg::MetaregArgs),
    /// Network meta-analysis of hazard ratios: league table, ranking, inconsistency, plots.
    Network(network::NetworkArgs),
    /// Convert a review file into CSV files alkstats (and R) read: `import rm5 REVIEW.rm5
    /// --out DIR` writes one CSV per outcome with R meta's column names.
    Import(import::ImportArgs),
    /// Print a shell completion script: `alkstats completions bash > ~/.local/share/bash-completion/completions/alkstats`.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff): `alkstats man > alkstats.1; man ./alkstats.1`.
    Man,
    /// Run an analysis plan (default: the embedded ALK review) into a reproducible report
    /// folder (HTML, Markdown, JSON, figures, manifest); --check DIR verifies one.
    Report(report::ReportArgs),
}

/// Output produced by a subcommand, written only once the whole of it exists.
pub struct Output {
    /// The rendered text.
    pub text: String,
    /// Where to write it; `None` for standard output.
    pub path: Option<std::path::PathBuf>,
}

impl Output {
    /// Nothing more to write: the subcommand wrote its files itself.
    pub fn none() -> Self {
        Output {
            text: String::new(),
            path: None,
        }
    }
}

fn emit(out: Output) -> Result<(), CliError> {
    match out.path {
        Some(path) => crate::io::write_atomic(&path, out.text.as_bytes()).map_err(|e| {
            CliError::Usage(format!("{}: cannot write the output: {e}", path.display()))
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => Ok(()),
                // A closed pipe (`alkstats … | head`) is not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(CliError::Internal(e.into())),
            }
        }
    }
}

/// Runs the command line given by `args` and returns the process exit code.
pub fn run_with<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Command::Pool(args) => pool::run(args),
        Command::Bias(args) => bias::run(args),
        Command::Forest(args) => forest::run(args),
        Command::Funnel(args) => funnel::run(args),
        Command::Influence(args) => influence::run(args),
        Command::Cumulative(args) => cumulative::run(args),
        Command::Metareg(args) => metareg::run(args),
        Command::Network(args) => network::run(args),
        Command::Report(args) => report::run(args),
        Command::Import(args) => import::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
    }
    .and_then(emit);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Entry point used by `src/main.rs`.
pub fn main() -> i32 {
    start_thread_pool();
    run_with(std::env::args_os())
}

/// Starts rayon's threads on a thread of their own while the command line is parsed and the
/// input opened. Started on first use instead, they cost 0.4-0.6 ms before a batch read its
/// first row (each thread's start and first memory), a sixtieth of a batch of 10⁴ analyses
/// (issue 18). A command that uses no thread pays nothing on its own thread.
///
/// When there is one thread per processor the process may use (rayon's default), thread i
/// is kept on the i-th of those processors. Left to the kernel, the two threads of a 2-core
/// virtual machine were started on one core and stayed there for up to 3 ms, one waiting for
/// the other while the second core idled (`perf sched timehist`), several times a run. With
/// fewer threads (`RAYON_NUM_THREADS`), or processors, as when shards of a batch run side by
/// side, threads are not kept anywhere. The pool's size is rayon's (RAYON_NUM_THREADS, else
/// every processor); if the thread cannot be started, the pool starts on first use as before.
fn start_thread_pool() {
    let _ = std::thread::Builder::new().spawn(|| {
        let cores = core_affinity::get_core_ids().unwrap_or_default();
        let _ = rayon::ThreadPoolBuilder::new()
            .start_handler(move |i| {
                if rayon::current_num_threads() == cores.len() && cores.len() > 1 {
                    core_affinity::set_for_current(cores[i]);
                }
            })
            .build_global();
    });
}
