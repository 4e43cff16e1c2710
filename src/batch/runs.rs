//! The one rule of streaming: a `--by` group's rows come together. [`GroupRuns`] follows the
//! groups of a file row by row, by key, and finds a group that starts again after it ended;
//! the proportions reader, the piece reader and the contiguity scan all use it.

use crate::data::fingerprint::{Fingerprint, FingerprintMap};

/// The groups seen so far: the open one, and every group opened (the open one too), each with
/// its first line.
#[derive(Default)]
pub struct GroupRuns {
    open: Option<(Fingerprint, u64)>,
    opened: FingerprintMap,
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
        // A key other than the open group's that was opened before belongs to a group that
        // has ended. (One search of the table per group.)
        if let Some(first) = self.opened.insert(key, line) {
            return Err(first);
        }
        Ok(Run::Starts(self.open.replace((key, line))))
    }

    /// Makes room for about `groups` more groups.
    pub fn reserve(&mut self, groups: usize) {
        self.opened.reserve(groups);
    }
}
