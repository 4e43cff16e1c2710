//! Output held back until the file is known to stream. `alkstats pool` streams a file without
//! being asked (`--stream` not given) only when its `--by` groups are contiguous, and reads it
//! line by line only when it is plain text; both used to be checked by reading the whole file
//! first (`contiguity`), a tenth of a run of 10⁴ meta-analyses. Instead the engine starts at
//! once, checking as it reads, and its output is held in memory: a run that ends before
//! [`HELD`] bytes of output has checked the whole file itself (its groups were contiguous, or
//! it stopped at the first group that was not); a longer run checks the file when the held
//! output reaches [`HELD`] bytes, and then writes it and streams on, or stops unseen.

use super::sink::Sink;
use std::io::{IoSlice, Write};

/// Output held at most before the file is checked: 16 MiB of memory, the output of some
/// 3·10⁴ meta-analyses (all of their columns), within the memory of a streamed run (≤ 150 MB
/// for 10⁶ rows, BENCHMARKS.md).
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
    /// The parts held, as the engine handed them over (not copied), and the bytes they take
    /// (their capacity: a part of a few columns has room for whole rows).
    held: Vec<Vec<u8>>,
    bytes: usize,
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
            bytes: 0,
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
    pub fn release(mut self) -> std::io::Result<()> {
        self.write_held()?;
        self.out.flush()
    }

    /// Writes the parts held, in order, straight from the parts and many per system call
    /// (`writev`): copied through the output's buffer one by one, they took 0.3 ms at the end
    /// of a run of 10⁴ meta-analyses, on the one thread still running.
    fn write_held(&mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        // Whatever the buffer holds was put before the parts.
        self.out.flush()?;
        let parts = held.iter().filter(|p| !p.is_empty());
        let mut slices: Vec<IoSlice<'_>> = parts.map(|p| IoSlice::new(p)).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            // (Linux refuses a call with more slices than 1024, its IOV_MAX.)
            let n = rest.len().min(1024);
            match self.out.write_vectored(&rest[..n]) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut rest, written),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Sink for Held<'_, '_> {
    fn put(&mut self, part: Vec<u8>) -> std::io::Result<()> {
        if self.stopped.is_some() {
            return Err(stop());
        }
        let Some(check) = self.check.as_mut() else {
            return self.out.write_all(&part);
        };
        if self.bytes + part.capacity() <= HELD {
            self.bytes += part.capacity();
            self.held.push(part);
            return Ok(());
        }
        match check() {
            Verdict::Streams => {
                self.check = None;
                self.write_held()?;
                self.out.write_all(&part)
            }
            verdict => {
                self.stopped = Some(verdict);
                Err(stop())
            }
        }
    }

    fn flush_all(&mut self) -> std::io::Result<()> {
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
        held.put(vec![b'a'; HELD - 1]).unwrap();
        held.flush_all().unwrap();
        assert!(held.unchecked());
        held.put(b"bc".to_vec()).unwrap();
        assert!(!held.unchecked());
        held.put(b"d".to_vec()).unwrap();
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
            held.put(b"header\n".to_vec()).unwrap();
            assert!(held.put(vec![b'x'; HELD]).is_err());
            assert!(held.put(b"more".to_vec()).is_err());
            assert_eq!(held.stopped(), Some(verdict));
            drop(held);
            assert!(out.is_empty());
        }
    }

    /// A writer that takes at most 5 bytes a call, and is interrupted every third call.
    struct Trickle {
        out: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(5);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn held_parts_are_written_whole_and_in_order_by_a_writer_that_takes_little() {
        let mut out = Trickle {
            out: Vec::new(),
            calls: 0,
        };
        let mut check = || Verdict::Streams;
        let mut held = Held::new(&mut out, Some(&mut check));
        let parts = [
            "",
            "header\n",
            "",
            "row 1,2.5\n",
            "row 2,",
            "",
            "3.25\n",
            "",
        ];
        for part in parts {
            held.put(part.as_bytes().to_vec()).unwrap();
        }
        held.release().unwrap();
        assert_eq!(out.out, parts.concat().as_bytes());
    }

    #[test]
    fn output_without_a_check_goes_straight_through() {
        let mut out = Vec::new();
        let mut held = Held::new(&mut out, None);
        held.put(b"row\n".to_vec()).unwrap();
        assert!(!held.unchecked());
        held.release().unwrap();
        assert_eq!(out, b"row\n");
    }
}
