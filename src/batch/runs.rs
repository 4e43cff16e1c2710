//! The one rule of streaming: a `--by` group's rows come together. [`GroupRuns`] follows the
//! groups of a file row by row, by key, and finds a group that starts again after it ended;
//! the proportions reader, the piece reader and the contiguity scan all use it.

use crate::data::fingerprint::{Fingerprint, FingerprintMap};

/// The groups seen so far: the open one and those that have ended, each with its first line.
#[derive(Default)]
pub struct GroupRuns {
    open: Option<(Fingerprint, u64)>,
    finished: FingerprintMap,
}

/// What a row's key did to the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// The row continues the open group.
    Same,
    /// The row starts a new group; the group it closes, if any, with its first line.
    Starts(Option<(Fingerprint, u64)>),
}

impl GroupRuns {
    /// The row on `line` whose group has `key`.
    ///
    /// # Errors
    /// The first line of its group, which ended before this row (the groups are not together).
    pub fn enter(&mut self, key: Fingerprint, line: u64) -> Result<Run, u64> {
        match self.open {
            Some((open, _)) if open == key => return Ok(Run::Same),
            _ => {}
        }
        if let Some(first) = self.finished.get(&key) {
            return Err(first);
        }
        let closed = self.open.replace((key, line));
        if let Some((done, first)) = closed {
            self.finished.insert(done, first);
        }
        Ok(Run::Starts(closed))
    }

    /// Makes room for about `groups` more groups.
    pub fn reserve(&mut self, groups: usize) {
        self.finished.reserve(groups);
    }
}
