//! Output held back until the file is known to stream. `alkstats pool` streams a file without
//! being asked (`--stream` not given) only when its `--by` groups are contiguous, and reads it
//! line by line only when it is plain text; both used to be checked by reading the whole file
//! first (`contiguity`), a tenth of a run of 10⁴ meta-analyses. Instead the engine starts at
//! once, checking as it reads, and its output is held in memory: a run that ends before
//! [`HELD`] bytes of output has checked the whole file itself (its groups were contiguous, or
//! it stopped at the first group that was not); a longer run checks the file when the held
//! output reaches [`HELD`] bytes, and then writes it and streams on, or stops unseen.

use std::io::Write;

/// Output held at most before the file is checked: 16 MiB, the output of some 4·10⁴
/// meta-analyses (all of their columns), within the memory of a streamed run (≤ 150 MB for 10⁶
/// rows, BENCHMARKS.md).
pub const HELD: usize = 16 << 20;

/// What the check of the whole file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The file streams as the engine reads it.
    Streams,
    /// Its groups are not contiguous: it is loaded whole instead.
    Apart,
    /// It is not plain text, and the engine reads it as plain text: it is read again with the
    /// CSV parser.
    NotPlain,
}

/// A writer holding its output until the file is checked. See the module documentation.
pub struct Held<'w, 'c> {
    out: &'w mut dyn Write,
    held: Vec<u8>,
    /// The check, until it has run; `None` for output that needs none.
    check: Option<&'c mut dyn FnMut() -> Verdict>,
    /// What the check found, when the run must stop.
    stopped: Option<Verdict>,
}

impl<'w, 'c> Held<'w, 'c> {
    /// Output for `out`, held until `check` has found that the file streams (written straight
    /// through without a check).
    pub fn new(out: &'w mut dyn Write, check: Option<&'c mut dyn FnMut() -> Verdict>) -> Self {
        Held {
            out,
            held: Vec::new(),
            check,
            stopped: None,
        }
    }

    /// The file has not been checked: the output is still held.
    pub fn unchecked(&self) -> bool {
        self.check.is_some()
    }

    /// What the check found, when the run had to stop.
    pub fn stopped(&self) -> Option<Verdict> {
        self.stopped
    }

    /// Writes the output held, once the run has ended well, and flushes.
    ///
    /// # Errors
    /// A failure to write.
    pub fn release(self) -> std::io::Result<()> {
        self.out.write_all(&self.held)?;
        self.out.flush()
    }
}

impl Write for Held<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stopped.is_some() {
            return Err(stop());
        }
        let Some(check) = self.check.as_mut() else {
            return self.out.write(buf);
        };
        if self.held.len() + buf.len() <= HELD {
            self.held.extend_from_slice(buf);
            return Ok(buf.len());
        }
        match check() {
            Verdict::Streams => {
                self.check = None;
                self.out.write_all(&std::mem::take(&mut self.held))?;
                self.out.write(buf)
            }
            verdict => {
                self.stopped = Some(verdict);
                Err(stop())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.check {
            // Held output is written by `release`.
            Some(_) => Ok(()),
            None => self.out.flush(),
        }
    }
}

/// The error that stops the engine when the file does not stream as it was read.
fn stop() -> std::io::Error {
    std::io::Error::other("the file is read another way")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_held_until_checked_then_written_in_order() {
        let mut out = Vec::new();
        let mut checks = 0;
        let mut check = || {
            checks += 1;
            Verdict::Streams
        };
        let mut held = Held::new(&mut out, Some(&mut check));
        held.write_all(&vec![b'a'; HELD - 1]).unwrap();
        held.flush().unwrap();
        assert!(held.unchecked());
        held.write_all(b"bc").unwrap();
        assert!(!held.unchecked());
        held.write_all(b"d").unwrap();
        held.release().unwrap();
        assert_eq!(checks, 1);
        assert_eq!(out.len(), HELD + 2);
        assert!(out.ends_with(b"abcd"));
    }

    #[test]
    fn a_run_that_must_stop_writes_nothing() {
        for verdict in [Verdict::Apart, Verdict::NotPlain] {
            let mut out = Vec::new();
            let mut check = || verdict;
            let mut held = Held::new(&mut out, Some(&mut check));
            held.write_all(b"header\n").unwrap();
            assert!(held.write_all(&vec![b'x'; HELD]).is_err());
            assert!(held.write_all(b"more").is_err());
            assert_eq!(held.stopped(), Some(verdict));
            drop(held);
            assert!(out.is_empty());
        }
    }

    #[test]
    fn output_without_a_check_goes_straight_through() {
        let mut out = Vec::new();
        let mut held = Held::new(&mut out, None);
        held.write_all(b"row\n").unwrap();
        assert!(!held.unchecked());
        held.release().unwrap();
        assert_eq!(out, b"row\n");
    }
}
