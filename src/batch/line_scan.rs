//! The line scan of [`super::contiguity`]: whether a plain-text file's `--by` groups are
//! contiguous, read in parts on several threads. See [`scan_lines`].

use super::contiguity::{field, Keys, RowKeys, BLOCK};
use super::runs::GroupRuns;
use crate::data::fingerprint::Fingerprint;
use std::io::Read;
use std::path::Path;

/// Bytes of a file per part of the line scan, at least: smaller files are one part.
const PART: u64 = 4 << 20;

/// The line scan of a file without quotes: `None` as soon as a quote or a lone carriage return
/// is found (the CSV scan must decide), else whether the groups are contiguous. Blank lines are
/// skipped, as the CSV reader skips them; a line with fewer fields than the column's position
/// is ragged (`false`: the in-memory path names it).
///
/// The file is cut into parts (four per thread, of at least [`PART`] bytes), scanned in
/// parallel: each part gives the keys of its runs of rows, in order, and the runs of all parts
/// are then followed in file order by one [`GroupRuns`], the rule of the streaming engines.
pub(super) fn scan_lines(path: &Path, index: usize, delimiter: u8, keys: Keys<'_>) -> Option<bool> {
    let size = std::fs::metadata(path).ok()?.len();
    let parts = (size / PART).clamp(1, 4 * rayon::current_num_threads() as u64);
    scan_lines_in(path, size, parts, index, delimiter, keys)
}

/// [`scan_lines`] in `parts` parts of a file of `size` bytes.
fn scan_lines_in(
    path: &Path,
    size: u64,
    parts: u64,
    index: usize,
    delimiter: u8,
    keys: Keys<'_>,
) -> Option<bool> {
    use rayon::prelude::*;
    let part = |p: u64| {
        let cut = Cut {
            from: size * p / parts,
            to: size * (p + 1) / parts,
            index,
            delimiter,
        };
        scan_part(path, cut, keys)
    };
    let found: Vec<Part> = (0..parts).into_par_iter().map(part).collect();
    let mut runs = GroupRuns::default();
    let all = found.iter().map(|p| match p {
        Part::Runs(keys) => keys.len(),
        _ => 0,
    });
    runs.reserve(all.sum());
    let mut last = None;
    for part in found {
        let keys = match part {
            Part::NotPlain => return None,
            Part::Apart => return Some(false),
            Part::Runs(keys) => keys,
        };
        for key in keys {
            // A run may go on from one part into the next.
            if last != Some(key) && runs.enter(key, 0).is_err() {
                return Some(false);
            }
            last = Some(key);
        }
    }
    Some(true)
}

/// What a part of the line scan found.
enum Part {
    /// A quote or a lone carriage return.
    NotPlain,
    /// A ragged or non-UTF-8 row.
    Apart,
    /// The keys of the part's runs of rows, in order.
    Runs(Vec<Fingerprint>),
}

/// A part of the line scan: the lines that start at bytes `from..to` (the header's, for the
/// part at 0, is skipped).
#[derive(Clone, Copy)]
struct Cut {
    from: u64,
    to: u64,
    index: usize,
    delimiter: u8,
}

/// Scans one part of the file (see [`scan_lines`]).
fn scan_part(path: &Path, cut: Cut, keys: Keys<'_>) -> Part {
    use std::io::{Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return Part::Apart;
    };
    // A part after the first starts after the first line feed at or after its byte `from − 1`:
    // the line there is the previous part's.
    let start = cut.from.saturating_sub(1);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Part::Apart;
    }
    let mut buf = vec![0u8; BLOCK];
    let mut runs = PartRuns {
        rows: RowKeys::new(keys),
        found: Vec::new(),
    };
    // Bytes of an unfinished line carried to the next block; the file position of buf[0].
    let (mut filled, mut at) = (0, start);
    // Until the first line feed (a part after the first) or the header line (the first).
    let mut skip = true;
    loop {
        if filled == buf.len() {
            // A line longer than a block: let the CSV scan read it.
            return Part::NotPlain;
        }
        let n = match file.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Part::Apart,
        };
        let end = filled + n;
        let block = &buf[..end];
        // At the end of the file the last line needs no line break.
        let complete = if n == 0 {
            end
        } else {
            memchr::memchr_iter(b'\n', block)
                .next_back()
                .map_or(0, |i| i + 1)
        };
        let mut start = 0;
        if skip && cut.from > 0 {
            // The bytes before this part's first line are checked by the part before.
            match memchr::memchr(b'\n', &block[..complete]) {
                Some(i) => (start, skip) = (i + 1, false),
                None if n == 0 => return Part::Runs(runs.found),
                None => {}
            }
        }
        let lines = &block[start..complete];
        if memchr::memchr(b'"', lines).is_some() {
            return Part::NotPlain;
        }
        let carriages = memchr::memchr(b'\r', lines).is_some();
        let ends = memchr::memchr_iter(b'\n', lines).chain([lines.len()]);
        let mut from = 0;
        for line_end in ends {
            if from > lines.len() || (from == lines.len() && n > 0) {
                break;
            }
            let line_start = at + (start + from) as u64;
            if line_start >= cut.to && !skip {
                // The rest is the next part's.
                return Part::Runs(runs.found);
            }
            let line = &lines[from..line_end];
            from = line_end + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if carriages && line.contains(&b'\r') {
                // A record may end at a lone carriage return: not plain text.
                return Part::NotPlain;
            }
            if std::mem::take(&mut skip) {
                // The header line.
                continue;
            }
            // The CSV reader skips empty lines (a line of spaces is a row of one field).
            if line.is_empty() {
                continue;
            }
            if !runs.next(line, cut.index, cut.delimiter) {
                return Part::Apart;
            }
        }
        if n == 0 {
            return Part::Runs(runs.found);
        }
        buf.copy_within(complete..end, 0);
        filled = end - complete;
        at += complete as u64;
    }
}

/// The runs of rows of one part of the line scan.
struct PartRuns<'c> {
    rows: RowKeys<'c>,
    /// The key of each run, in order.
    found: Vec<Fingerprint>,
}

impl PartRuns<'_> {
    /// Takes the next row; `false` when it is ragged or not UTF-8.
    fn next(&mut self, line: &[u8], index: usize, delimiter: u8) -> bool {
        // Rows of a group usually repeat its value byte for byte, and most files are grouped by
        // their first column: then the line only needs to start with the last value.
        let same_first = index == 0
            && self.rows.last().is_some_and(|last| {
                line.starts_with(last) && line.get(last.len()).is_none_or(|&b| b == delimiter)
            });
        if same_first {
            return true;
        }
        let Some(raw) = field(line, index, delimiter) else {
            return false;
        };
        match self.rows.next(raw) {
            Ok(None) => true,
            Ok(Some(key)) => {
                // Another spelling of the same group (case, spaces) goes on with its run.
                if self.found.last() != Some(&key) {
                    self.found.push(key);
                }
                true
            }
            Err(()) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed xorshift stream.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// A random arms-like file grouped by its `meta_id` column, at `index`: groups in runs
    /// (sometimes reopened, sometimes in another case or with spaces), blank lines, CR LF, and
    /// now and then a quote, a lone carriage return, a ragged line or a byte that is not UTF-8.
    fn random_file(rng: &mut Rng, index: usize) -> Vec<u8> {
        let row = |group: String, rest: [String; 3]| {
            let mut cells = rest.to_vec();
            cells.insert(index, group);
            cells.join(",").into_bytes()
        };
        let mut text = row(
            "meta_id".into(),
            ["study".into(), "drug".into(), "n".into()],
        );
        text.push(b'\n');
        let groups = 1 + rng.below(12);
        for g in 0..groups {
            // Reopen an earlier group one time in eight.
            let id = if g > 0 && rng.below(8) == 0 {
                rng.below(g)
            } else {
                g
            };
            for s in 0..1 + rng.below(5) {
                let label = match rng.below(10) {
                    0 => format!("M{id}"),
                    1 => format!(" m{id} "),
                    _ => format!("m{id}"),
                };
                let mut line = row(
                    label,
                    [format!("s{g}-{s}"), "crizotinib".into(), "40".into()],
                );
                match rng.below(60) {
                    0 => line.push(b'"'),
                    1 => line.insert(2, b'\r'),
                    2 => line.truncate(2),
                    3 => line.push(0xff),
                    _ => {}
                }
                text.extend_from_slice(&line);
                text.extend_from_slice(if rng.below(5) == 0 { b"\r\n" } else { b"\n" });
                if rng.below(15) == 0 {
                    text.push(b'\n');
                }
            }
        }
        if rng.below(3) == 0 {
            text.pop();
        }
        text
    }

    /// Whether the groups of a plain-text file are contiguous, by the `csv` crate and a set of
    /// the keys seen (lower case, trimmed): false for a row without the column or not UTF-8
    /// (the scan reads the column, it does not validate rows).
    fn reference(text: &[u8], index: usize) -> bool {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
        let mut seen = std::collections::HashSet::new();
        let mut last = None;
        for record in reader.byte_records() {
            let Ok(record) = record else { return false };
            let Some(Ok(value)) = record.get(index).map(std::str::from_utf8) else {
                return false;
            };
            let key = value.trim().to_lowercase();
            if last.as_ref() != Some(&key) && !seen.insert(key.clone()) {
                return false;
            }
            last = Some(key);
        }
        true
    }

    #[test]
    fn every_cut_of_a_file_gives_the_same_answer() {
        let dir = std::env::temp_dir().join(format!("alkstats-line-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("arms.csv");
        let keys = Keys {
            column: "meta_id",
            drug_columns: &[],
        };
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        // Files not plain, plain with groups apart, plain with groups together.
        let mut kinds = [0; 3];
        for case in 0..600 {
            let index = case % 4;
            let text = random_file(&mut rng, index);
            std::fs::write(&path, &text).unwrap();
            let lone_carriage = text
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'\r' && text.get(i + 1).is_some_and(|&n| n != b'\n'));
            let plain = !text.contains(&b'"') && !lone_carriage;
            let together = plain && reference(&text, index);
            let size = text.len() as u64;
            // One part; a few; and as many parts as bytes (most hold no line start).
            for parts in [1, 2, 3, 7, size] {
                let got = scan_lines_in(&path, size, parts, index, b',', keys);
                // A file that is not plain is left to the CSV scan, unless a problem before
                // its quote decided first.
                let expected = match plain {
                    true => [Some(together), Some(together)],
                    false => [None, Some(false)],
                };
                assert!(
                    expected.contains(&got),
                    "case {case}, {parts} parts: {got:?}\n{}",
                    String::from_utf8_lossy(&text)
                );
            }
            kinds[usize::from(plain) + usize::from(together)] += 1;
        }
        assert!(kinds.iter().all(|&n| n > 50), "{kinds:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
