//! `alkstats completions SHELL` and `alkstats man`: shell completion scripts (clap_complete) and
//! a roff man page (clap_mangen), both generated from the one command-line definition, so they
//! never drift from the flags. Install notes are in the README.

use super::{Cli, CliError, Output};
use clap::{Args, CommandFactory, ValueEnum};

/// Shells `alkstats completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

/// Arguments of `alkstats completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    shell: Shell,
}

/// Writes the completion script of `args.shell` to standard output.
///
/// # Errors
/// None in practice (the script is rendered to memory).
pub fn completions(args: CompletionsArgs) -> Result<Output, CliError> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "alkstats", &mut out);
    text(out)
}

/// Writes the man page (roff) of `alkstats` and its subcommands to standard output.
///
/// # Errors
/// None in practice (the page is rendered to memory).
pub fn man() -> Result<Output, CliError> {
    let mut out = Vec::new();
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| CliError::Internal(e.into()))?;
    // One page: each subcommand's section follows the main one, as `git help -a` lists them.
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        // clap names commands with static strings; this runs once per process.
        let name: &'static str = Box::leak(format!("alkstats {}", sub.get_name()).into_boxed_str());
        let page = clap_mangen::Man::new(sub.clone().name(name));
        page.render_title(&mut out)
            .and_then(|()| page.render_name_section(&mut out))
            .and_then(|()| page.render_synopsis_section(&mut out))
            .and_then(|()| page.render_options_section(&mut out))
            .map_err(|e| CliError::Internal(e.into()))?;
    }
    text(out)
}

fn text(bytes: Vec<u8>) -> Result<Output, CliError> {
    Ok(Output {
        text: String::from_utf8(bytes).map_err(|e| CliError::Internal(e.into()))?,
        path: None,
    })
}
