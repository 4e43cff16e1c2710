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

/// Fingerprints → a line number: an open-addressing table with linear probing, in two arrays.
///
/// The hot array holds one word per slot, the fingerprint's first word (with its lowest bit set,
/// so that 0 marks an empty slot; fingerprints then differ in 127 bits, which leaves the chance
/// of a collision at about n²/2¹²⁸); the cold array holds the second word and the line, read
/// only when the first words agree. A file of 10⁶ labels fills 2²¹ slots: 16 MB of hot array
/// that a new label touches once. The slot of a label is given by the top bits of its first word.
///
/// It replaced a `HashMap` of fingerprints (24 bytes a slot, in 16 shards filled in parallel):
/// at 10⁶ labels, tables larger than the caches, an insertion waited on a miss in 48 MB of
/// slots. 10⁶ insertions took 96 ms on one thread (an eighth of a batch run); they take 50 ms
/// here, where the search reads 8 bytes a slot. (A single array of 24-byte slots took 68 ms;
/// loading the slots of 16 labels before inserting them gained nothing measurable.)
#[derive(Default)]
pub struct FingerprintMap {
    /// The first word of each slot's fingerprint, lowest bit set; 0 when the slot is empty.
    tags: Vec<u64>,
    /// The second word of each slot's fingerprint, and its line.
    rest: Vec<(u64, u64)>,
    len: usize,
}

/// Slots of a table's first allocation.
const FIRST_SLOTS: usize = 16;

impl FingerprintMap {
    /// The slot where the search for `tag` starts.
    fn home(&self, tag: u64) -> usize {
        // Slots are a power of two, at least FIRST_SLOTS: the top bits index them.
        (tag >> (64 - self.tags.len().trailing_zeros())) as usize
    }

    fn tag(key: &Fingerprint) -> u64 {
        key.0[0] | 1
    }

    /// The slot of `key`, and whether it holds `key` (else it is the empty slot for it).
    fn find(&self, key: &Fingerprint) -> Option<(usize, bool)> {
        if self.tags.is_empty() {
            return None;
        }
        let tag = Self::tag(key);
        let mask = self.tags.len() - 1;
        let mut i = self.home(tag);
        loop {
            match self.tags[i] {
                0 => return Some((i, false)),
                t if t == tag && self.rest[i].0 == key.0[1] => return Some((i, true)),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Records `key` at `line`; returns the line recorded before, if any (and keeps it).
    pub fn insert(&mut self, key: Fingerprint, line: u64) -> Option<u64> {
        if (self.len + 1) * 4 > self.tags.len() * 3 {
            self.reserve(1);
        }
        match self.find(&key) {
            Some((i, true)) => Some(self.rest[i].1),
            Some((i, false)) => {
                self.tags[i] = Self::tag(&key);
                self.rest[i] = (key.0[1], line);
                self.len += 1;
                None
            }
            // `reserve` allocated slots.
            None => None,
        }
    }

    /// Records the `(key, line)` entries in order (skipping `None`). Returns the first entry,
    /// by index, whose key was recorded before (by this call or an earlier one), with the line
    /// recorded first; the entries after it are not recorded (the caller stops at that entry).
    pub fn insert_all(&mut self, entries: &[Option<(Fingerprint, u64)>]) -> Option<(usize, u64)> {
        self.reserve(entries.len());
        entries.iter().enumerate().find_map(|(i, e)| {
            let (key, line) = (*e)?;
            self.insert(key, line).map(|first| (i, first))
        })
    }

    /// The line recorded for `key`.
    pub fn get(&self, key: &Fingerprint) -> Option<u64> {
        match self.find(key) {
            Some((i, true)) => Some(self.rest[i].1),
            _ => None,
        }
    }

    /// Whether `key` is recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        self.get(key).is_some()
    }

    /// Makes room for `more` keys: the table is kept at most three quarters full, where a
    /// search for a new label probes 2.5 slots on average (Knuth 1998, §6.4), and is doubled
    /// (its labels placed again) once it would not be; a file's tables are sized from its length
    /// up front, so that a table of millions of labels is not doubled twenty times on the way.
    pub fn reserve(&mut self, more: usize) {
        let needed = self.len + more;
        let mut slots = self.tags.len().max(FIRST_SLOTS);
        while needed * 4 > slots * 3 {
            slots *= 2;
        }
        if slots == self.tags.len() {
            return;
        }
        let old = std::mem::replace(
            self,
            FingerprintMap {
                tags: vec![0; slots],
                rest: vec![(0, 0); slots],
                len: 0,
            },
        );
        for (tag, (second, line)) in old.tags.into_iter().zip(old.rest) {
            if tag != 0 {
                if let Some((i, false)) = self.find(&Fingerprint([tag, second])) {
                    self.tags[i] = tag;
                    self.rest[i] = (second, line);
                    self.len += 1;
                }
            }
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
    fn the_map_finds_the_first_repeat_in_order() {
        let key = |i: u64| Some((Fingerprint::of(&format!("s{i}")), i + 2));
        let mut m = FingerprintMap::default();
        let first: Vec<_> = (0..100).map(key).collect();
        assert_eq!(m.insert_all(&first), None);
        assert!(m.contains(&Fingerprint::of("s42")));
        assert!(!m.contains(&Fingerprint::of("s100")));
        // Entry 3 repeats s7 (line 9); entry 5 repeats one of entry 1 of this call.
        let second = [key(100), key(101), None, key(7), key(102), key(101)];
        assert_eq!(m.insert_all(&second), Some((3, 9)));
        let mut fresh = FingerprintMap::default();
        assert_eq!(fresh.insert_all(&second[..3]), None);
        assert_eq!(fresh.insert_all(&second[4..]), Some((1, 103)));
    }

    #[test]
    fn the_map_keeps_every_label_and_line_as_it_grows() {
        let mut m = FingerprintMap::default();
        let key = |i: u64| Fingerprint::of(&format!("m{:06}-s{:02}", i / 10, i % 10));
        for i in 0..50_000 {
            assert_eq!(m.insert(key(i), i + 2), None, "{i}");
        }
        assert!(m.tags.len() >= 50_000 * 4 / 3 && m.tags.len().is_power_of_two());
        for i in 0..50_000 {
            assert_eq!(m.get(&key(i)), Some(i + 2), "{i}");
            assert_eq!(m.insert(key(i), 0), Some(i + 2), "{i}");
        }
        assert!(!m.contains(&key(50_000)));
        assert_eq!(m.len, 50_000);
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
