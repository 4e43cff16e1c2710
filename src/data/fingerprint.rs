//! 128-bit fingerprints of labels, so that the checks across a file of millions of rows
//! (labels unique, groups contiguous) hold 24 bytes per label instead of the label itself.
//!
//! Two labels with the same fingerprint are taken to be equal. A fingerprint is two 64-bit
//! hashes of the label's bytes by independent multiply–fold lanes (the 64 × 64 → 128-bit
//! "mum" step of wyhash, Wang Yi 2019, with different secrets per lane), finished with the
//! length. Each lane behaves as a random function on ordinary labels; for a file of n labels
//! the chance that two different labels share both words is then about n²/2¹²⁹ (3·10⁻²⁶ for
//! 10⁷ labels). It is not a cryptographic hash: labels built on purpose to collide could make
//! two studies look like one (the file is then refused as a duplicate, never misread). It
//! replaced two SipHash-1-3 passes, a tenth of the batch's time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// The fingerprint of a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u64; 2]);

/// Secrets of the two lanes (odd constants with about half their bits set, from wyhash).
const SECRETS: [[u64; 2]; 2] = [
    [0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db],
    [0x8ebc_6af0_9c88_c6e3, 0x5899_65cc_7537_4cc3],
];

/// 64 × 64 → 128-bit product, folded to 64 bits.
#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Labels this long or shorter are folded to lower case on the stack.
const STACK_LABEL: usize = 128;

impl Fingerprint {
    /// Fingerprints `label`.
    pub fn of(label: &str) -> Self {
        Fingerprint::of_bytes(label.as_bytes())
    }

    fn of_bytes(bytes: &[u8]) -> Self {
        let mut lanes = [SECRETS[0][0], SECRETS[1][0]];
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            for (lane, s) in lanes.iter_mut().zip(&SECRETS) {
                *lane = mum(*lane ^ w, s[1]);
            }
        }
        let mut last = [0u8; 8];
        last[..words.remainder().len()].copy_from_slice(words.remainder());
        // The length ends the input, so that trailing zero bytes are not ignored.
        let w = u64::from_le_bytes(last);
        let len = bytes.len() as u64;
        for (lane, s) in lanes.iter_mut().zip(&SECRETS) {
            *lane = mum(mum(*lane ^ w, s[1]) ^ len, s[0] ^ s[1]);
        }
        Fingerprint(lanes)
    }

    /// Fingerprints `label` ignoring case, as groups are matched: `Drug A` and `drug a` have
    /// one fingerprint (that of the lower-case label). Short ASCII labels are folded on the
    /// stack, without allocating.
    pub fn of_caseless(label: &str) -> Self {
        if label.is_ascii() && label.len() <= STACK_LABEL {
            let mut buf = [0u8; STACK_LABEL];
            let folded = &mut buf[..label.len()];
            folded.copy_from_slice(label.as_bytes());
            folded.make_ascii_lowercase();
            return Fingerprint::of_bytes(folded);
        }
        Fingerprint::of(&label.to_lowercase())
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

    /// Makes room for `more` keys, so that a table grown to millions of keys is not rehashed
    /// again and again on the way.
    pub fn reserve(&mut self, more: usize) {
        self.0.reserve(more);
    }
}

/// Shards of a [`ShardedMap`]: enough to keep two to a few dozen threads busy.
const SHARDS: usize = 16;

/// Fingerprints → a line number, in shards (by the fingerprint's second word) that are filled in
/// parallel: the study labels of a 10⁶-row file are a table larger than the caches, and the
/// serial reader spent a tenth of its time waiting on it.
pub struct ShardedMap(Vec<FingerprintMap>);

impl Default for ShardedMap {
    fn default() -> Self {
        ShardedMap((0..SHARDS).map(|_| FingerprintMap::default()).collect())
    }
}

impl ShardedMap {
    fn shard(key: &Fingerprint) -> usize {
        (key.0[1] >> 60) as usize % SHARDS
    }

    /// Records the `(key, line)` entries in order (skipping `None`), each shard on its own
    /// thread. Returns the first entry, by index, whose key was recorded before (by this call
    /// or an earlier one), with the line recorded first; later entries of that shard may then
    /// be left unrecorded (the caller stops at that entry).
    pub fn insert_all(&mut self, entries: &[Option<(Fingerprint, u64)>]) -> Option<(usize, u64)> {
        use rayon::prelude::*;
        self.0
            .par_iter_mut()
            .enumerate()
            .filter_map(|(s, map)| {
                entries.iter().enumerate().find_map(|(i, e)| {
                    let (key, line) = (*e)?;
                    if Self::shard(&key) != s {
                        return None;
                    }
                    map.insert(key, line).map(|first| (i, first))
                })
            })
            .min_by_key(|&(i, _)| i)
    }

    /// Whether `key` is recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        self.0[Self::shard(key)].contains(key)
    }

    /// Makes room for about `more` keys in all.
    pub fn reserve(&mut self, more: usize) {
        for map in &mut self.0 {
            map.reserve(more / SHARDS + 1);
        }
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
        assert_ne!(Fingerprint::of(""), Fingerprint::of("\0"));
        assert_ne!(Fingerprint::of("abcdefgh"), Fingerprint::of("abcdefgh\0"));
        let long = "Group With A Label Longer Than A Hundred And Twenty-Eight Bytes, Which Is \
                    Folded On The Heap Rather Than On The Stack, As Any Longer Label Is";
        for label in ["Drug A", "drug a", long, "Müller"] {
            assert_eq!(
                Fingerprint::of_caseless(label),
                Fingerprint::of(&label.to_lowercase())
            );
        }
    }

    #[test]
    fn labels_of_a_batch_do_not_collide() {
        // Labels as batches name them: long shared prefixes, a few changing digits.
        let mut seen = std::collections::HashSet::new();
        for m in 0..20_000 {
            for s in 0..10 {
                let label = format!("m{m:06}-s{s:02}");
                assert!(seen.insert(Fingerprint::of(&label).0), "{label}");
            }
        }
    }

    #[test]
    fn the_sharded_map_finds_the_first_repeat_in_order() {
        let key = |i: u64| Some((Fingerprint::of(&format!("s{i}")), i + 2));
        let mut m = ShardedMap::default();
        let first: Vec<_> = (0..100).map(key).collect();
        assert_eq!(m.insert_all(&first), None);
        assert!(m.contains(&Fingerprint::of("s42")));
        assert!(!m.contains(&Fingerprint::of("s100")));
        // Entry 3 repeats s7 (line 9); entry 5 repeats one of entry 1 of this call.
        let second = [key(100), key(101), None, key(7), key(102), key(101)];
        assert_eq!(m.insert_all(&second), Some((3, 9)));
        let mut fresh = ShardedMap::default();
        assert_eq!(fresh.insert_all(&second[..3]), None);
        assert_eq!(fresh.insert_all(&second[4..]), Some((1, 103)));
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
