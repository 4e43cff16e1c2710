//! A small element tree built from decoded XML text with `quick-xml`: just what the RevMan
//! reader needs (names, attributes, text, children, and the line of each start tag for error
//! messages). Well-formedness is checked by `quick-xml` (matching end tags, attribute syntax)
//! and here (a single root, no element left open at the end of a truncated file, bounded
//! nesting so that hostile input cannot exhaust the stack).

use super::RevmanError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Deepest element nesting accepted. RevMan 5 reviews nest about 15 levels (rich text inside
/// sections); the limit only stops pathological input.
const MAX_DEPTH: usize = 256;

/// One XML element.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element {
    /// Tag name as written.
    pub name: String,
    /// Attributes, unescaped, in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Text directly inside this element (entity references resolved).
    pub text: String,
    /// 1-based line of the start tag.
    pub line: u64,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All text inside this element and its descendants, with surrounding white space trimmed.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out, 0);
        out.trim().to_string()
    }

    fn collect_text(&self, out: &mut String, depth: usize) {
        out.push_str(&self.text);
        if depth < MAX_DEPTH {
            for c in &self.children {
                c.collect_text(out, depth + 1);
            }
        }
    }

    /// The text of child `name` (trimmed), or an empty string when there is no such child.
    pub fn child_text(&self, name: &str) -> String {
        self.child(name)
            .map(Element::text_content)
            .unwrap_or_default()
    }

    /// The first descendant (depth-first, including `self`) called `name`.
    pub fn descendant(&self, name: &str) -> Option<&Element> {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if e.name == name {
                return Some(e);
            }
            stack.extend(e.children.iter().rev());
        }
        None
    }
}

/// Maps byte offsets of the decoded text to 1-based lines and columns.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// Line and column (1-based, column in characters) of byte `offset`.
    pub fn locate(&self, offset: usize) -> (u64, u64) {
        let offset = offset.min(self.text.len());
        let idx = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts.get(idx).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (idx as u64 + 1, col as u64 + 1)
    }
}

/// Parses decoded XML `text` into its root element.
///
/// # Errors
/// [`RevmanError::Malformed`] with the line, column and offset of the problem.
pub(crate) fn parse(file: &str, text: &str) -> Result<Element, RevmanError> {
    let lines = Lines::new(text);
    let malformed = |offset: u64, reason: String| {
        let (line, column) = lines.locate(usize::try_from(offset).unwrap_or(usize::MAX));
        RevmanError::Malformed {
            file: file.to_string(),
            line,
            column,
            offset,
            reason,
        }
    };
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => return Err(malformed(reader.error_position(), e.to_string())),
        };
        let line = || lines.locate(usize::try_from(at).unwrap_or(usize::MAX)).0;
        match event {
            Event::Start(tag) | Event::Empty(tag) if root.is_some() => {
                let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                return Err(malformed(
                    at,
                    format!("found <{name}> after the root element was closed; expected the end of the document"),
                ));
            }
            Event::Start(tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(
                        at,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let el = element(&tag, line()).map_err(|r| malformed(at, r))?;
                stack.push(el);
            }
            Event::Empty(tag) => {
                let el = element(&tag, line()).map_err(|r| malformed(at, r))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                // quick-xml has already checked that the name matches the open element.
                let Some(done) = stack.pop() else {
                    return Err(malformed(at, "an end tag without a start tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| malformed(at, e.to_string()))?;
                push_text(&mut stack, &root, &s).map_err(|r| malformed(at, r))?;
            }
            Event::CData(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| malformed(at, e.to_string()))?;
                push_text(&mut stack, &root, &s).map_err(|r| malformed(at, r))?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| malformed(at, e.to_string()))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(v) => v.to_string(),
                            None => {
                                return Err(malformed(
                                    at,
                                    format!("unknown entity '&{name};'; expected &amp; &lt; &gt; &apos; &quot; or a character reference"),
                                ))
                            }
                        }
                    }
                    Err(e) => return Err(malformed(at, e.to_string())),
                };
                push_text(&mut stack, &root, &resolved).map_err(|r| malformed(at, r))?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            text.len() as u64,
            format!(
                "the file ends inside <{}> (opened on line {}); expected </{}> (is the file truncated?)",
                open.name, open.line, open.name
            ),
        ));
    }
    root.ok_or_else(|| malformed(0, "no root element; expected <COCHRANE_REVIEW>".into()))
}

/// Builds an element (without children) from a start tag.
fn element(tag: &BytesStart<'_>, line: u64) -> Result<Element, String> {
    let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| format!("in <{name}>: {e}"))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("in <{name}>, attribute {key}: {e}"))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

/// Appends text to the open element; only white space may stand outside the root.
fn push_text(stack: &mut [Element], root: &Option<Element>, s: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(open) => {
            open.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => {
            let shown: String = s.trim().chars().take(20).collect();
            Err(if root.is_some() {
                format!(
                    "found text '{shown}' after the root element; expected the end of the document"
                )
            } else {
                format!("found text '{shown}' before the root element; expected '<'")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_lines_and_entities() {
        let root = parse(
            "t",
            "<?xml version=\"1.0\"?>\n<R A=\"x &amp; y\">\n<N>a &lt; b&#233;</N><E/></R>",
        )
        .unwrap();
        assert_eq!(root.name, "R");
        assert_eq!(root.attr("A"), Some("x & y"));
        assert_eq!(root.child_text("N"), "a < bé");
        assert_eq!(root.child("N").unwrap().line, 3);
        assert!(root.descendant("E").is_some());
    }

    #[test]
    fn truncation_and_mismatch_are_located() {
        let err = parse("t", "<R>\n<A>\n").unwrap_err();
        assert!(
            matches!(err, RevmanError::Malformed { line: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("<A>"), "{err}");
        let err = parse("t", "<R>\n<A></B></R>").unwrap_err();
        assert!(
            matches!(err, RevmanError::Malformed { line: 2, .. }),
            "{err}"
        );
        let err = parse("t", "<R/><S/>").unwrap_err();
        assert!(matches!(err, RevmanError::Malformed { .. }), "{err}");
        let deep = "<a>".repeat(MAX_DEPTH + 5);
        assert!(parse("t", &deep).is_err());
    }

    #[test]
    fn lines_locate() {
        let l = Lines::new("ab\ncd\n");
        assert_eq!(l.locate(0), (1, 1));
        assert_eq!(l.locate(4), (2, 2));
        assert_eq!(l.locate(99), (3, 1));
    }
}
