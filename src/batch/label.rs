//! A study label as the batch engine keeps it: only for messages (a study whose effect size
//! cannot be computed is named), so a million rows should not cost a million allocations.

/// Bytes of a label kept inline.
const INLINE: usize = 22;

/// A study label: up to 22 bytes inline (labels such as `Shaw 2014` or `m000001-s01`), longer
/// ones on the heap.
#[derive(Debug, Clone)]
pub enum Label {
    /// A short label: its bytes and length.
    Inline([u8; INLINE], u8),
    /// A longer label.
    Heap(Box<str>),
}

impl Label {
    /// Keeps `label`.
    pub fn new(label: &str) -> Self {
        match u8::try_from(label.len()) {
            Ok(len) if label.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..label.len()].copy_from_slice(label.as_bytes());
                Label::Inline(bytes, len)
            }
            _ => Label::Heap(label.into()),
        }
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        match self {
            // The bytes of a `&str`, cut at its end: always UTF-8.
            Label::Inline(bytes, len) => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Label::Heap(label) => label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Label;

    #[test]
    fn labels_read_back_as_kept() {
        let long = "x".repeat(23);
        for label in [
            "",
            "Shaw 2014",
            "m000001-s01",
            "Müller 2019 (Ø)",
            &long[1..],
            &long,
        ] {
            assert_eq!(Label::new(label).as_str(), label);
        }
        assert!(matches!(Label::new(&long[1..]), Label::Inline(..)));
        assert!(matches!(Label::new(&long), Label::Heap(_)));
        assert_eq!(std::mem::size_of::<Label>(), 24);
    }
}
