//! 128-bit fingerprints of labels, so that the checks across a file of millions of rows
//! (labels unique, groups contiguous) hold 24 bytes per label instead of the label itself.
//!
//! Two labels with the same fingerprint are taken to be equal. Fingerprints are two SipHash-1-3
//! values under different fixed keys: for a file of n labels the chance that two different
//! labels share one is about n²/2¹²⁹ (3·10⁻²⁶ for 10⁷ labels), far below that of a memory error.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// The fingerprint of a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u64; 2]);

impl Fingerprint {
    /// Fingerprints `label`.
    pub fn of(label: &str) -> Self {
        // `DefaultHasher::new()` is SipHash-1-3 with fixed keys; a different first word gives
        // the second, independent value.
        let mut a = std::hash::DefaultHasher::new();
        label.hash(&mut a);
        let mut b = std::hash::DefaultHasher::new();
        0x9E37_79B9_7F4A_7C15_u64.hash(&mut b);
        label.hash(&mut b);
        Fingerprint([a.finish(), b.finish()])
    }
}

impl Fingerprint {
    /// Fingerprints `label` ignoring case, as groups are matched: `Drug A` and `drug a` have
    /// one fingerprint (that of the lower-case label). ASCII labels are folded on the stack,
    /// without allocating: SipHash is fed the same bytes in chunks.
    pub fn of_caseless(label: &str) -> Self {
        if !label.is_ascii() {
            return Fingerprint::of(&label.to_lowercase());
        }
        let feed = |h: &mut std::hash::DefaultHasher| {
            let mut buf = [0u8; 64];
            for chunk in label.as_bytes().chunks(buf.len()) {
                for (d, s) in buf.iter_mut().zip(chunk) {
                    *d = s.to_ascii_lowercase();
                }
                h.write(&buf[..chunk.len()]);
            }
            // What `str::hash` appends, so that the result equals `of(&label.to_lowercase())`.
            h.write_u8(0xff);
        };
        let mut a = std::hash::DefaultHasher::new();
        feed(&mut a);
        let mut b = std::hash::DefaultHasher::new();
        0x9E37_79B9_7F4A_7C15_u64.hash(&mut b);
        feed(&mut b);
        Fingerprint([a.finish(), b.finish()])
    }
}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already uniformly distributed: one word is a perfect table hash.
        state.write_u64(self.0[0]);
    }
}

/// Passes a fingerprint's first word through as the table hash.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `Fingerprint`; fold anything else in for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Fingerprints → a line number.
#[derive(Default)]
pub struct FingerprintMap(HashMap<Fingerprint, u64, BuildHasherDefault<PassThrough>>);

impl FingerprintMap {
    /// Records `key` at `line`; returns the line recorded before, if any (and keeps it).
    pub fn insert(&mut self, key: Fingerprint, line: u64) -> Option<u64> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(line);
                None
            }
        }
    }

    /// The line recorded for `key`.
    pub fn get(&self, key: &Fingerprint) -> Option<u64> {
        self.0.get(key).copied()
    }

    /// Whether `key` is recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        self.0.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_labels_share_a_fingerprint_and_others_do_not() {
        assert_eq!(Fingerprint::of("m000001"), Fingerprint::of("m000001"));
        assert_ne!(Fingerprint::of("m000001"), Fingerprint::of("m000002"));
        assert_ne!(Fingerprint::of(""), Fingerprint::of(" "));
        let long = "Group With A Label Longer Than Sixty-Four Bytes, Folded In Two Chunks";
        for label in ["Drug A", "drug a", long, "Müller"] {
            assert_eq!(
                Fingerprint::of_caseless(label),
                Fingerprint::of(&label.to_lowercase())
            );
        }
    }

    #[test]
    fn the_map_keeps_the_first_line() {
        let mut m = FingerprintMap::default();
        assert_eq!(m.insert(Fingerprint::of("a"), 2), None);
        assert_eq!(m.insert(Fingerprint::of("a"), 9), Some(2));
        assert_eq!(m.get(&Fingerprint::of("a")), Some(2));
        assert!(!m.contains(&Fingerprint::of("b")));
    }
}
