//! `Workdir`: a fresh temporary directory in which the real `alkstats` binary runs (xsv's
//! `tests/workdir.rs` style), so no test reads or writes the repository and tests never see
//! each other's files. The one definition shared by every end-to-end test.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// The `alkstats` binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_alkstats");

/// `alkstats` with no arguments and the test's own working directory (for the few runs that
/// need another directory than a [`Workdir`], such as the repository root).
pub fn alkstats() -> Command {
    Command::new(BIN)
}

/// A fresh temporary directory, removed when dropped.
pub struct Workdir {
    dir: TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Workdir {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `name` inside the directory (whether it exists or not).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` inside the directory, creating its folders, and returns its
    /// path.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a folder");
        }
        std::fs::write(&path, contents).expect("write a test input");
        path
    }

    /// Names of the entries of the directory, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list the directory")
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// `alkstats ARGS…` with the directory as its working directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = alkstats();
        cmd.current_dir(self.dir.path()).args(args);
        cmd
    }

    /// `alkstats ARGS…` run in `cwd` (relative to the directory).
    pub fn command_in(&self, cwd: &str, args: &[&str]) -> Command {
        let mut cmd = alkstats();
        cmd.current_dir(self.path(cwd)).args(args);
        cmd
    }

    /// Runs `alkstats ARGS…` in the directory and returns its output, whatever the exit code.
    pub fn output(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run alkstats")
    }

    /// Runs `alkstats network ARGS…` in the directory and returns its output, whatever the
    /// exit code.
    pub fn network(&self, args: &[&str]) -> Output {
        let mut cmd = alkstats();
        cmd.current_dir(self.dir.path()).arg("network").args(args);
        cmd.output().expect("run alkstats")
    }

    /// Runs `alkstats ARGS…` in the directory and returns (exit code, stdout, stderr), with
    /// exit code -1 when the process was killed by a signal.
    pub fn outcome(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.output(args);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `alkstats ARGS…`, asserts exit 0 **and an empty stderr**, and returns stdout.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.output(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "alkstats {args:?} failed ({}): {stderr}",
            out.status
        );
        assert!(
            stderr.is_empty(),
            "alkstats {args:?} wrote to stderr: {stderr}"
        );
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// [`Workdir::stdout`] parsed as JSON: exit 0, an empty stderr, JSON on stdout.
    pub fn stdout_json(&self, args: &[&str]) -> Value {
        let text = self.stdout(args);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("alkstats {args:?}: not JSON ({e}):\n{text}"))
    }

    /// Runs `alkstats ARGS…` in the directory, asserts exit 0 (stderr may hold warnings or
    /// progress), and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_in(".", args)
    }

    /// [`Workdir::ok`] run in `cwd` (relative to the directory).
    pub fn ok_in(&self, cwd: &str, args: &[&str]) -> String {
        let out = self.command_in(cwd, args).output().expect("run alkstats");
        assert!(
            out.status.success(),
            "alkstats {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// [`Workdir::ok`] parsed as JSON: exit 0 (stderr not checked), JSON on stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("alkstats {args:?}: not JSON ({e}):\n{text}"))
    }

    /// Runs `alkstats ARGS…`, asserts exit code `code`, and returns (stdout, stderr).
    pub fn fails_with(&self, code: i32, args: &[&str]) -> (String, String) {
        let out = self.output(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "alkstats {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `alkstats ARGS…`, asserts exit 2 (an error), and returns stderr.
    pub fn fails_stderr(&self, args: &[&str]) -> String {
        self.fails_with(2, args).1
    }
}
