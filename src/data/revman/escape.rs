//! RevMan's escapes in identifiers. RevMan 5 derives a study's `ID` (and the `STUDY_ID` of its
//! data rows) from the study name, writing each character that may not appear in an XML name
//! as `_xHHHH_`: four hex digits of the Unicode code point, the convention of .NET's
//! `XmlConvert.EncodeName` (`_x0020_` a space, `_x002d_` a hyphen; `_xHHHHHHHH_` with eight
//! digits for characters beyond the Basic Multilingual Plane). See the study ids of
//! `/work/shared/data/revman/synthetic_review.rm5`, e.g. `STD-Frimodt_x002d_Moller_x0020_et_x0020_al_x0020_1973`.

/// Replaces every `_xHHHH_` / `_xHHHHHHHH_` escape by its character. Sequences that are not a
/// valid escape (wrong length, not hex, a surrogate or out-of-range code point) stay as written.
pub fn decode_revman_escapes(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut rest = id;
    while let Some(at) = rest.find("_x") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        match escape_at(from) {
            Some((c, len)) => {
                out.push(c);
                rest = from.get(len..).unwrap_or_default();
            }
            None => {
                out.push('_');
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// If `s` starts with a valid escape, its character and the escape's length in bytes.
fn escape_at(s: &str) -> Option<(char, usize)> {
    let digits = s.get(2..)?;
    for width in [4usize, 8] {
        let hex = digits.get(..width);
        let closed = digits.get(width..width + 1) == Some("_");
        if let (Some(hex), true) = (hex, closed) {
            if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                let code = u32::from_str_radix(hex, 16).ok()?;
                return char::from_u32(code).map(|c| (c, 2 + width + 1));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::decode_revman_escapes as d;

    #[test]
    fn decodes_revman_study_ids() {
        // Ids as written in /work/shared/data/revman/synthetic_review.rm5.
        assert_eq!(
            d("STD-Frimodt_x002d_Moller_x0020_et_x0020_al_x0020_1973"),
            "STD-Frimodt-Moller et al 1973"
        );
        assert_eq!(
            d("STD-Aronson_x0020_Müller_x0020_1948"),
            "STD-Aronson Müller 1948"
        );
        assert_eq!(d("_x00fc_"), "ü");
        assert_eq!(d("_x0001F600_"), "\u{1F600}");
    }

    #[test]
    fn leaves_non_escapes_alone() {
        for s in [
            "_x",
            "_x12_",
            "_xZZZZ_",
            "a_x0020",
            "_xD800_",
            "__x0020_",
            "_x_x0041_",
        ] {
            let out = d(s);
            assert!(!out.is_empty(), "{s}");
        }
        assert_eq!(d("__x0020_"), "_ ");
        assert_eq!(d("_x_x0041_"), "_xA");
        assert_eq!(d("_xD800_"), "_xD800_");
        assert_eq!(d("ü_xé"), "ü_xé");
    }
}
