//! The field delimiter of a text table (CSV, semicolon-separated CSV from a European-locale
//! spreadsheet, or TSV), decided from the header line: the one of comma, semicolon and tab that
//! splits the header, outside double quotes, into the most fields; a tie goes to the comma, and
//! a `.tsv` file is tab-separated whatever its header. [`read_header`] takes the header line
//! off the front of a stream (dropping a UTF-8 byte-order mark) so that a streaming reader can
//! sniff before it parses.

use std::fmt;
use std::io::Read;

/// The UTF-8 byte-order mark some spreadsheets write at the start of a text file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes read ahead for the header line at most: a header longer than this is sniffed from its
/// first mebibyte.
const HEADER_LIMIT: usize = 1 << 20;

/// What separates the fields of a text table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    /// `,` (CSV).
    #[default]
    Comma,
    /// `;` (CSV as written where the comma is the decimal mark).
    Semicolon,
    /// A tab (TSV).
    Tab,
}

impl Delimiter {
    /// Every delimiter, in tie-breaking order.
    const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    /// The byte that separates fields.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// The delimiter of the file `file` whose header line is `header` (a `.tsv` name means tab;
    /// otherwise the delimiter that splits the header, outside quotes, into the most fields,
    /// ties going to the comma, then the semicolon).
    pub fn sniff(file: &str, header: &[u8]) -> Delimiter {
        if is_tsv(file) {
            return Delimiter::Tab;
        }
        let mut counts = [0usize; 3];
        let mut in_quotes = false;
        for &b in header_line(header) {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                for (count, d) in counts.iter_mut().zip(Delimiter::ALL) {
                    *count += usize::from(b == d.byte());
                }
            }
        }
        let mut best = Delimiter::Comma;
        let mut most = counts[0];
        for (&count, d) in counts.iter().zip(Delimiter::ALL) {
            if count > most {
                best = d;
                most = count;
            }
        }
        best
    }
}

impl fmt::Display for Delimiter {
    /// The name used in messages: `comma`, `semicolon` or `tab`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
        })
    }
}

/// Whether `file` is named as tab-separated (`.tsv`, any case).
fn is_tsv(file: &str) -> bool {
    std::path::Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
}

/// The first line of `bytes`: up to the first line break outside double quotes.
fn header_line(bytes: &[u8]) -> &[u8] {
    let mut scan = HeaderScan::default();
    let end = scan.feed(bytes).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Finds the end of the header line across chunks of a stream.
#[derive(Debug, Default)]
struct HeaderScan {
    in_quotes: bool,
    seen: usize,
}

impl HeaderScan {
    /// Feeds the bytes after those already seen; the offset (from the start of everything fed)
    /// of the line break that ends the header, once found.
    fn feed(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' | b'\r' if !self.in_quotes => return Some(self.seen + i),
                _ => {}
            }
        }
        self.seen += bytes.len();
        None
    }
}

/// Reads the start of `input` up to the end of its header line (a line break outside quotes,
/// the end of the input, or [`HEADER_LIMIT`] bytes), with a leading byte-order mark dropped.
/// The bytes returned may run past the header; the caller reads them again before the rest of
/// `input`.
///
/// # Errors
/// A failure to read `input`.
pub fn read_header<R: Read>(input: &mut R) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut scan = HeaderScan::default();
    let mut scanned = 0;
    let mut bom_checked = false;
    loop {
        let n = match input.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
        if !bom_checked {
            if head.len() < BOM.len() && BOM.starts_with(&head) {
                continue; // perhaps a BOM split across reads
            }
            if head.starts_with(BOM) {
                head.drain(..BOM.len());
            }
            bom_checked = true;
        }
        if scan.feed(&head[scanned..]).is_some() || head.len() >= HEADER_LIMIT {
            break;
        }
        scanned = head.len();
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected delimiters follow the rule in the module paragraph, counted by hand.
    #[test]
    fn the_delimiter_splitting_the_header_most_wins() {
        assert_eq!(Delimiter::sniff("a.csv", b"a,b,c\n1;2;3"), Delimiter::Comma);
        assert_eq!(Delimiter::sniff("a.csv", b"a;b;c\n"), Delimiter::Semicolon);
        assert_eq!(Delimiter::sniff("a.txt", b"a\tb\tc"), Delimiter::Tab);
        assert_eq!(Delimiter::sniff("a.csv", b"\"a;b\",c\n"), Delimiter::Comma);
        assert_eq!(Delimiter::sniff("a.csv", b"a;b,c\n"), Delimiter::Comma);
        assert_eq!(Delimiter::sniff("a.csv", b"study\n"), Delimiter::Comma);
        assert_eq!(Delimiter::sniff("a.TSV", b"a,b,c\n"), Delimiter::Tab);
    }

    #[test]
    fn the_header_is_read_without_its_bom_in_one_byte_reads() {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((&b, rest)), Some(slot)) => {
                        *slot = b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut input = OneByte(b"\xEF\xBB\xBFa;b\n1;2\n");
        assert_eq!(read_header(&mut input).ok(), Some(b"a;b\n".to_vec()));
        assert_eq!(
            read_header(&mut OneByte(b"\xEF\xBB")).ok(),
            Some(b"\xEF\xBB".to_vec())
        );
        assert_eq!(
            read_header(&mut OneByte(b"\xEF\xBB\xBF")).ok(),
            Some(Vec::new())
        );
    }
}
