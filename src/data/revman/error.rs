//! Typed errors of the RevMan 5 reader. Every variant names the file, the place (line and XML
//! element), the value found and what was expected, so that a person can fix the file or the
//! command line without reading the source.

use thiserror::Error;

/// A problem reading a RevMan 5 review file (`.rm5`).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RevmanError {
    /// The file could not be read from disk.
    #[error("{file}: cannot read the file: {reason}")]
    Io {
        /// File name as given.
        file: String,
        /// Why (from the operating system).
        reason: String,
    },
    /// The XML declaration names an encoding this reader does not know.
    #[error("{file}: line 1 (XML declaration): the encoding '{found}' is not supported; expected ISO-8859-1, Windows-1252 or UTF-8 (RevMan 5 writes ISO-8859-1)")]
    UnknownEncoding {
        /// File name.
        file: String,
        /// The `encoding="…"` value as written.
        found: String,
    },
    /// The bytes are not valid in the encoding the file declares (only possible for UTF-8).
    #[error("{file}: byte offset {offset}: found bytes that are not valid {encoding}; expected text in the encoding named by the XML declaration")]
    InvalidText {
        /// File name.
        file: String,
        /// The encoding used to decode the file.
        encoding: String,
        /// 0-based byte offset of the first invalid byte in the file.
        offset: usize,
    },
    /// The file does not start like an XML document at all.
    #[error("{file}: line 1: found '{found}'; expected an XML document starting with '<?xml' or '<COCHRANE_REVIEW' (is this really a RevMan 5 .rm5 file?)")]
    NotXml {
        /// File name.
        file: String,
        /// The first characters of the file.
        found: String,
    },
    /// The XML is malformed: a syntax error, a mismatched or missing end tag, a truncated file.
    #[error("{file}: line {line}, column {column} (byte offset {offset} of the decoded text): malformed XML: {reason}")]
    Malformed {
        /// File name.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (in characters).
        column: u64,
        /// 0-based byte offset in the decoded (UTF-8) text.
        offset: u64,
        /// What the XML parser found wrong.
        reason: String,
    },
    /// The XML is well formed but its root is not a RevMan review.
    #[error("{file}: line {line}: the root element is <{found}>; expected <COCHRANE_REVIEW> (a RevMan 5 review)")]
    NotAReview {
        /// File name.
        file: String,
        /// 1-based line of the root element.
        line: u64,
        /// Name of the root element found.
        found: String,
    },
    /// An element lacks an attribute RevMan always writes.
    #[error("{file}: {place}: the attribute {attribute} is missing; expected {expected}")]
    MissingAttribute {
        /// File name.
        file: String,
        /// Line, element, outcome and study.
        place: Box<Place>,
        /// The missing attribute.
        attribute: String,
        /// What the attribute should hold.
        expected: String,
    },
    /// An attribute that must hold a number holds something else.
    #[error("{file}: {place}: attribute {attribute} is '{found}'; expected {expected}")]
    BadNumber {
        /// File name.
        file: String,
        /// Line, element, outcome and study.
        place: Box<Place>,
        /// Attribute name.
        attribute: String,
        /// The value as written.
        found: String,
        /// What was expected.
        expected: String,
    },
    /// The outcome asked for is not in the review.
    #[error("{file}: outcome '{requested}' does not exist; available outcomes: {available}")]
    UnknownOutcome {
        /// File name.
        file: String,
        /// The id asked for (e.g. `3.2`).
        requested: String,
        /// The ids present, comma-separated (`none` when the review has no analyses).
        available: String,
    },
}

/// Where in a review a value sits: the element (and its line) and, when inside one, the outcome
/// and the study row.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// 1-based line of the element's start tag.
    pub line: u64,
    /// Element name (`DICH_DATA`, `COMPARISON`, …).
    pub element: String,
    /// Outcome as `1.1 Name`, when inside one.
    pub outcome: Option<String>,
    /// Study id (escapes decoded), when on a data row.
    pub study: Option<String>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, <{}>", self.line, self.element)?;
        match (&self.outcome, &self.study) {
            (Some(o), Some(s)) => write!(f, " (outcome {o}, study '{s}')"),
            (Some(o), None) => write!(f, " (outcome {o})"),
            (None, Some(s)) => write!(f, " (study '{s}')"),
            (None, None) => Ok(()),
        }
    }
}
