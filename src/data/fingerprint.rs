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

/// Fingerprints → a line number: an open-addressing table with linear probing over one array
/// of words, and the entries themselves in a second array, in the order they were recorded.
///
/// A slot's word holds the top [`TAG_BITS`] bits of the fingerprint's second word (the tag) and,
/// below them, the entry's index plus one (so that 0 marks an empty slot). A search compares
/// tags and reads an entry only when they agree: for a new label that is once in 2²⁴ probes.
/// The slot of a label is given by the top bits of its first word, independent of the tag.
///
/// A new label costs one cache miss, in the array of slots (a file of 10⁶ labels fills 2²¹ of
/// them: 16 MB); its entry is appended where the last one ended, which writes memory in order.
/// It replaced, in turn: a `HashMap` of fingerprints (24 bytes a slot, in 16 shards filled in
/// parallel; 10⁶ insertions in 96 ms on one thread), then a table whose second array held
/// each slot's rest (50 ms, and a second miss per new label, where that slot's rest was
/// written).
#[derive(Default)]
pub struct FingerprintMap {
    /// Per slot: the tag and the entry's index plus one; 0 when the slot is empty.
    slots: Vec<u64>,
    /// The fingerprints recorded and their lines, in order.
    entries: Vec<(Fingerprint, u64)>,
}

/// Labels whose slots [`FingerprintMap::insert_all`] reads together.
const BATCH: usize = 64;

/// Slots of a table's first allocation.
const FIRST_SLOTS: usize = 16;

/// Bits of a slot's word that hold its tag; the others hold the entry's index plus one, which
/// leaves room for 2⁴⁰ − 1 entries.
const TAG_BITS: u32 = 24;

/// The bits of a slot's word below its tag.
const INDEX_MASK: u64 = (1 << (64 - TAG_BITS)) - 1;

impl FingerprintMap {
    /// The slot where the search for `key` starts.
    fn home(&self, key: &Fingerprint) -> usize {
        // Slots are a power of two, at least FIRST_SLOTS: the top bits index them.
        (key.0[0] >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// `key`'s tag, in place in a slot's word.
    fn tag(key: &Fingerprint) -> u64 {
        key.0[1] & !INDEX_MASK
    }

    /// The slot of `key`, and the index of its entry when it is recorded (else the slot is the
    /// empty one where it would go).
    fn find(&self, key: &Fingerprint) -> Option<(usize, Option<usize>)> {
        if self.slots.is_empty() {
            return None;
        }
        let tag = Self::tag(key);
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let word = self.slots[i];
            if word == 0 {
                return Some((i, None));
            }
            if word & !INDEX_MASK == tag {
                let entry = (word & INDEX_MASK) as usize - 1;
                if self.entries[entry].0 == *key {
                    return Some((i, Some(entry)));
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Records `key` at `line`; returns the line recorded before, if any (and keeps it).
    pub fn insert(&mut self, key: Fingerprint, line: u64) -> Option<u64> {
        if (self.entries.len() + 1) * 4 > self.slots.len() * 3 {
            self.reserve(1);
        }
        match self.find(&key) {
            Some((_, Some(entry))) => Some(self.entries[entry].1),
            Some((i, None)) => {
                self.slots[i] = Self::tag(&key) | (self.entries.len() as u64 + 1);
                self.entries.push((key, line));
                None
            }
            // `reserve` allocated slots.
            None => None,
        }
    }

    /// Records the `(key, line)` entries in order (skipping `None`). Returns the first entry,
    /// by index, whose key was recorded before (by this call or an earlier one), with the line
    /// recorded first; the entries after it are not recorded (the caller stops at that entry).
    ///
    /// A new label's slot is a cache miss. The slots of [`BATCH`] labels are read first, all
    /// at once, so that their misses overlap (the processor runs independent loads side by
    /// side), and then searched in order: 10⁶ labels took 22 ms instead of 26 ms
    /// (`cargo bench --bench batch -- labels`).
    pub fn insert_all(&mut self, entries: &[Option<(Fingerprint, u64)>]) -> Option<(usize, u64)> {
        self.reserve(entries.len());
        for (b, batch) in entries.chunks(BATCH).enumerate() {
            let warm = batch
                .iter()
                .flatten()
                .fold(0, |warm, (key, _)| warm ^ self.slots[self.home(key)]);
            std::hint::black_box(warm);
            for (j, e) in batch.iter().enumerate() {
                let Some((key, line)) = *e else { continue };
                if let Some(first) = self.insert(key, line) {
                    return Some((b * BATCH + j, first));
                }
            }
        }
        None
    }

    /// The line recorded for `key`.
    pub fn get(&self, key: &Fingerprint) -> Option<u64> {
        match self.find(key) {
            Some((_, Some(entry))) => Some(self.entries[entry].1),
            _ => None,
        }
    }

    /// Whether `key` is recorded.
    pub fn contains(&self, key: &Fingerprint) -> bool {
        self.get(key).is_some()
    }

    /// Makes room for `more` keys: the table is kept at most three quarters full, where a
    /// search for a new label probes 2.5 slots on average (Knuth 1998, §6.4), and is doubled
    /// (its entries placed again, read in order) once it would not be; a file's tables are
    /// sized from its length up front, so that a table of millions of labels is not doubled
    /// twenty times on the way.
    pub fn reserve(&mut self, more: usize) {
        // (2⁴⁰ entries, the most a slot can index, would take 24 TB: memory runs out first.)
        let needed = self.entries.len() + more;
        let mut slots = self.slots.len().max(FIRST_SLOTS);
        while needed * 4 > slots * 3 {
            slots *= 2;
        }
        self.entries.reserve(more);
        if slots == self.slots.len() {
            return;
        }
        self.slots = vec![0; slots];
        let mask = slots - 1;
        for (index, (key, _)) in self.entries.iter().enumerate() {
            let mut i = self.home(key);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = Self::tag(key) | (index as u64 + 1);
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
        assert!(m.slots.len() >= 50_000 * 4 / 3 && m.slots.len().is_power_of_two());
        for i in 0..50_000 {
            assert_eq!(m.get(&key(i)), Some(i + 2), "{i}");
            assert_eq!(m.insert(key(i), 0), Some(i + 2), "{i}");
        }
        assert!(!m.contains(&key(50_000)));
        assert_eq!(m.entries.len(), 50_000);
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
