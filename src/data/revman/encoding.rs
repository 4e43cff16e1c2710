//! Turning the bytes of a `.rm5` file into text. RevMan 5 writes its reviews as XML in
//! ISO-8859-1 (`<?xml version="1.0" encoding="ISO-8859-1" standalone="no"?>`, see the example in
//! `/work/shared/data/revman/README.md`); other tools re-save them as UTF-8. The encoding is
//! taken, in this order, from a byte-order mark, from the `encoding` of the XML declaration, or
//! defaults to UTF-8 as XML 1.0 §4.3.3 prescribes for a document without either.
//!
//! Labels are resolved with the WHATWG Encoding Standard (`encoding_rs`), which maps
//! `ISO-8859-1` and `latin1` to Windows-1252: identical for every byte except 0x80–0x9F, where
//! ISO-8859-1 has invisible C1 control codes and Windows-1252 has the characters (`€`, `‘`, `’`,
//! `–`…) that Windows users actually type. Only UTF-8, UTF-16 with a byte-order mark, and
//! single-byte encodings are accepted: decoding them can never fail in the middle of a file.

use super::RevmanError;
use encoding_rs::{Encoding, UTF_8};

/// How far into the file the XML declaration may end (it is short; RevMan's is 58 bytes).
const DECLARATION_LIMIT: usize = 512;

/// Decodes the whole file to a string, by its byte-order mark or XML declaration.
///
/// # Errors
/// [`RevmanError::UnknownEncoding`] for an unsupported label, [`RevmanError::InvalidText`] when
/// a UTF-8 file holds invalid bytes, [`RevmanError::NotXml`] when the text does not start with
/// `<` (after white space).
pub(crate) fn decode(file: &str, bytes: &[u8]) -> Result<String, RevmanError> {
    let text = if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        decode_with(file, encoding, body, bom_len)?
    } else {
        let encoding = match declared_encoding(bytes) {
            None => UTF_8,
            Some(label) => resolve_label(file, &label)?,
        };
        decode_with(file, encoding, bytes, 0)?
    };
    let start = text.trim_start();
    if !start.starts_with('<') {
        let found: String = start.chars().take(20).collect();
        return Err(RevmanError::NotXml {
            file: file.to_string(),
            found: found.escape_debug().to_string(),
        });
    }
    Ok(text)
}

/// Maps an `encoding="…"` label to a supported encoding.
fn resolve_label(file: &str, label: &str) -> Result<&'static Encoding, RevmanError> {
    match Encoding::for_label(label.trim().as_bytes()) {
        Some(enc) if enc == UTF_8 || enc.is_single_byte() => Ok(enc),
        _ => Err(RevmanError::UnknownEncoding {
            file: file.to_string(),
            found: label.to_string(),
        }),
    }
}

/// Decodes `body` (which starts `skipped` bytes into the file) with `encoding`.
fn decode_with(
    file: &str,
    encoding: &'static Encoding,
    body: &[u8],
    skipped: usize,
) -> Result<String, RevmanError> {
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(RevmanError::InvalidText {
                file: file.to_string(),
                encoding: "UTF-8".into(),
                offset: skipped + e.valid_up_to(),
            }),
        };
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        // Only UTF-16 (via a byte-order mark) can get here: single-byte decoders never fail.
        let offset = text.find('\u{FFFD}').unwrap_or(0);
        return Err(RevmanError::InvalidText {
            file: file.to_string(),
            encoding: encoding.name().to_string(),
            offset: skipped + offset * 2,
        });
    }
    Ok(text.into_owned())
}

/// The `encoding` pseudo-attribute of the XML declaration at the very start of `bytes`, if any.
/// Reads bytes only (the declaration is ASCII in every ASCII-compatible encoding).
pub(crate) fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(DECLARATION_LIMIT))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find(head, b"?>")?;
    let decl = head.get(..end)?;
    let at = find(decl, b"encoding")?;
    let rest = decl.get(at + b"encoding".len()..)?;
    let rest = trim_ascii_start(rest);
    let rest = trim_ascii_start(rest.strip_prefix(b"=")?);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = rest.get(1..)?;
    let close = value.iter().position(|&b| b == quote)?;
    Some(String::from_utf8_lossy(value.get(..close)?).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_declaration_decodes_umlaut() {
        // 0xFC is 'ü' in ISO-8859-1 (and Windows-1252).
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><A N=\"M\xFCller\"/>";
        let text = decode("t", bytes).unwrap();
        assert!(text.contains("Müller"));
    }

    #[test]
    fn utf8_default_and_bad_bytes() {
        assert_eq!(decode("t", "<A>ü</A>".as_bytes()).unwrap(), "<A>ü</A>");
        let err = decode("t", b"<A>\xFF</A>").unwrap_err();
        assert!(
            matches!(err, RevmanError::InvalidText { offset: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn unknown_label_and_not_xml() {
        let err = decode("t", b"<?xml version='1.0' encoding='klingon'?><A/>").unwrap_err();
        assert!(
            matches!(err, RevmanError::UnknownEncoding { ref found, .. } if found == "klingon")
        );
        let err = decode("t", b"Comparison,Outcome\n1,1\n").unwrap_err();
        assert!(matches!(err, RevmanError::NotXml { .. }), "{err}");
    }

    #[test]
    fn declaration_forms() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding = 'UTF-8' ?>").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?>"), None);
        assert_eq!(declared_encoding(b"<?xml encoding=\"x"), None);
    }
}
