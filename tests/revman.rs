//! The RevMan 5 reader on the synthetic review `tests/fixtures/revman/synthetic_review.rm5`
//! (a copy of `shared/data/revman/`; see the README next to it; override the path with
//! `ALKSTATS_RM5_FIXTURE`): its outcomes,
//! the BCG trials of metadat's `dat.bcg`, the stroke-unit trials of `dat.normand1999`, the
//! generic inverse-variance outcome, and malformed inputs that must give typed errors — never a
//! panic, including under random byte mutations.

use alkstats::data::revman::{
    describe_outcome, listing, outcome_table, read_rm5, OutcomeKind, Review, RevmanError, RowData,
};
use proptest::prelude::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/revman/synthetic_review.rm5"
);

fn bytes() -> Vec<u8> {
    let path = std::env::var("ALKSTATS_RM5_FIXTURE").unwrap_or_else(|_| FIXTURE.to_string());
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read the test review {path}: {e}"))
}

fn review() -> Review {
    read_rm5("synthetic_review.rm5", &bytes()).unwrap()
}

/// `bytes` with the first occurrence of `from` replaced by `to`.
fn replaced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let from = from.as_bytes();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("'{}' not in the fixture", String::from_utf8_lossy(from)));
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&bytes[at + from.len()..]);
    out
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn lists_comparisons_and_outcomes() {
    // Structure as described in tests/fixtures/revman/README.md.
    let r = review();
    assert_eq!(
        r.title,
        "Synthetic example review for alkstats tests (BCG vaccine; stroke units)"
    );
    let ids: Vec<&str> = r.outcomes().map(|(_, o)| o.id.as_str()).collect();
    assert_eq!(ids, ["1.1", "2.1", "2.2"]);
    let lines: Vec<String> = r.outcomes().map(|(_, o)| describe_outcome(o)).collect();
    assert_eq!(
        lines,
        [
            "1.1 Tuberculosis cases (dichotomous, RR, M-H, random)",
            "2.1 Length of hospital stay (continuous, MD, IV, fixed)",
            "2.2 Death or dependency (adjusted odds ratio) (generic inverse variance, OR, IV, random)",
        ]
    );
    let text = listing(&r);
    assert!(text.contains("1 BCG vaccine versus no vaccine\n"), "{text}");
    assert!(
        text.contains(
            "  1.1 Tuberculosis cases (dichotomous, RR, M-H, random): 13 studies, 3 subgroups\n"
        ),
        "{text}"
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn bcg_outcome_has_dat_bcg_counts_in_three_subgroups() {
    // metadat `dat.bcg` (Colditz et al. 1994): author, year, tpos, tneg, cpos, cneg, alloc.
    // events.e = tpos, n.e = tpos + tneg, events.c = cpos, n.c = cpos + cneg. The file names
    // trial 1 "Aronson Müller 1948" (a non-ASCII name on purpose, README).
    #[rustfmt::skip]
    let bcg: [(&str, &str, u32, u32, u32, u32, &str); 13] = [
        ("Aronson Müller 1948", "1948", 4, 119, 11, 128, "Random allocation"),
        ("Ferguson and Simes 1949", "1949", 6, 300, 29, 274, "Random allocation"),
        ("Rosenthal et al 1960", "1960", 3, 228, 11, 209, "Random allocation"),
        ("Hart and Sutherland 1977", "1977", 62, 13536, 248, 12619, "Random allocation"),
        ("Vandiviere et al 1973", "1973", 8, 2537, 10, 619, "Random allocation"),
        ("TPT Madras 1980", "1980", 505, 87886, 499, 87892, "Random allocation"),
        ("Coetzee and Berjak 1968", "1968", 29, 7470, 45, 7232, "Random allocation"),
        ("Frimodt-Moller et al 1973", "1973", 33, 5036, 47, 5761, "Alternate allocation"),
        ("Stein and Aronson 1953", "1953", 180, 1361, 372, 1079, "Alternate allocation"),
        ("Rosenthal et al 1961", "1961", 17, 1699, 65, 1600, "Systematic allocation"),
        ("Comstock et al 1974", "1974", 186, 50448, 141, 27197, "Systematic allocation"),
        ("Comstock and Webster 1969", "1969", 5, 2493, 3, 2338, "Systematic allocation"),
        ("Comstock et al 1976", "1976", 27, 16886, 29, 17825, "Systematic allocation"),
    ];
    let r = review();
    let o = r.outcome("1.1").unwrap();
    assert_eq!(o.kind, OutcomeKind::Dichotomous);
    assert_eq!((o.effect_measure.as_str(), o.method.as_str()), ("RR", "MH"));
    assert!(o.random_effects && o.has_subgroups);
    assert_eq!(o.group_labels, strings(&["BCG", "Control"]).as_slice());
    assert_eq!(
        o.graph_labels,
        strings(&["Favours BCG", "Favours control"]).as_slice()
    );
    assert_eq!(o.log_data, None);
    let names: Vec<_> = o.subgroups.iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("Random allocation"),
            Some("Alternate allocation"),
            Some("Systematic allocation")
        ]
    );
    assert_eq!(
        o.subgroups.iter().map(|s| s.rows.len()).collect::<Vec<_>>(),
        [7, 2, 4]
    );
    // CALCULATED_DATA="NO": every stored result is empty.
    assert!(o.stored.is_empty());
    assert!(o
        .rows()
        .all(|r| r.stored.ci_start.is_none() && r.stored.weight.is_none()));

    let (headers, rows) = outcome_table(o);
    assert_eq!(
        headers,
        strings(&["studlab", "subgroup", "year", "event.e", "n.e", "event.c", "n.c"])
    );
    assert_eq!(rows.len(), 13);
    for (row, (name, year, tpos, tneg, cpos, cneg, alloc)) in rows.iter().zip(bcg) {
        let expected = vec![
            name.to_string(),
            alloc.to_string(),
            year.to_string(),
            tpos.to_string(),
            (tpos + tneg).to_string(),
            cpos.to_string(),
            (cpos + cneg).to_string(),
        ];
        assert_eq!(row, &expected);
    }
    // First study, Aronson 1948: 4/123 vs 11/139 (dat.bcg trial 1).
    assert_eq!(rows[0][3..], strings(&["4", "123", "11", "139"]));
}

#[test]
fn non_ascii_names_and_escaped_ids() {
    // Ids and names as written in the fixture (ISO-8859-1 byte 0xFC is 'ü').
    let r = review();
    let rows: Vec<_> = r.outcome("1.1").unwrap().rows().cloned().collect();
    assert_eq!(rows[0].study_id, "STD-Aronson Müller 1948");
    assert_eq!(rows[0].name.as_deref(), Some("Aronson Müller 1948"));
    assert_eq!(rows[0].year.as_deref(), Some("1948"));
    let frimodt = rows
        .iter()
        .find(|r| r.study_id == "STD-Frimodt-Moller et al 1973")
        .unwrap();
    assert_eq!(frimodt.label(), "Frimodt-Moller et al 1973");
    let cont = r.outcome("2.1").unwrap();
    assert_eq!(
        cont.rows().next().unwrap().study_id,
        "STD-Edinburgh-1",
        "_x002d_ decodes to a hyphen"
    );
}

#[test]
fn continuous_outcome_is_dat_normand1999() {
    // metadat `dat.normand1999` (Normand 1999): n1i, m1i, sd1i, n2i, m2i, sd2i per study.
    #[rustfmt::skip]
    let normand: [(&str, u32, u32, u32, u32, u32, u32); 9] = [
        ("Edinburgh-1", 155, 55, 47, 156, 75, 64),
        ("Orpington-Mild-2", 31, 27, 7, 32, 29, 4),
        ("Orpington-Moderate-3", 75, 64, 17, 71, 119, 29),
        ("Orpington-Severe-4", 18, 66, 20, 18, 137, 48),
        ("Montreal-Home-5", 8, 14, 8, 13, 18, 11),
        ("Montreal-Transfer-6", 57, 19, 7, 52, 18, 4),
        ("Newcastle-7", 34, 52, 45, 33, 41, 34),
        ("Umea-8", 110, 21, 16, 183, 31, 27),
        ("Uppsala-9", 60, 30, 27, 52, 23, 20),
    ];
    let r = review();
    let o = r.outcome("2.1").unwrap();
    assert_eq!(o.kind, OutcomeKind::Continuous);
    assert_eq!(o.effect_measure, "MD");
    assert!(!o.random_effects && !o.has_subgroups);
    assert_eq!(o.subgroups.len(), 1);
    assert_eq!(o.subgroups[0].name, None);
    let (headers, rows) = outcome_table(o);
    assert_eq!(
        headers,
        strings(&["studlab", "year", "mean.e", "sd.e", "n.e", "mean.c", "sd.c", "n.c"])
    );
    assert_eq!(rows.len(), 9);
    for (row, (name, n1, m1, sd1, n2, m2, sd2)) in rows.iter().zip(normand) {
        let expected: Vec<String> = [name.to_string(), "1999".into()]
            .into_iter()
            .chain([m1, sd1, n1, m2, sd2, n2].map(|v| v.to_string()))
            .collect();
        assert_eq!(row, &expected);
    }
}

#[test]
fn generic_inverse_variance_outcome() {
    // Values as written in the fixture (README: made-up log odds ratios and SEs, six studies).
    let r = review();
    let o = r.outcome("2.2").unwrap();
    assert_eq!(o.kind, OutcomeKind::GenericInverseVariance);
    assert_eq!(o.effect_measure, "OR");
    assert_eq!(o.effect_measure_label, "Odds Ratio");
    assert_eq!(o.method, "IV");
    assert_eq!(o.log_data, Some(true));
    assert!(o.random_effects);
    let (headers, rows) = outcome_table(o);
    assert_eq!(headers, strings(&["studlab", "year", "TE", "seTE"]));
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0],
        strings(&["Edinburgh-1", "1999", "-0.5947", "0.3886"])
    );
    assert_eq!(
        rows[5],
        strings(&["Montreal-Transfer-6", "1999", "-0.426", "0.184"])
    );
    let first = o.rows().next().unwrap();
    match &first.data {
        RowData::GenericInverseVariance {
            effect_size, se, ..
        } => {
            assert_eq!(effect_size.as_ref().unwrap().value, -0.5947);
            assert_eq!(se.as_ref().unwrap().value, 0.3886);
        }
        other => panic!("expected IV data, got {other:?}"),
    }
}

#[test]
fn iv_totals_add_n_columns() {
    let b = replaced(
        &bytes(),
        "SE=\"0.3886\"",
        "SE=\"0.3886\" TOTAL_1=\"155\" TOTAL_2=\"156\"",
    );
    let r = read_rm5("t.rm5", &b).unwrap();
    let (headers, rows) = outcome_table(r.outcome("2.2").unwrap());
    assert_eq!(
        headers,
        strings(&["studlab", "year", "TE", "seTE", "n.e", "n.c"])
    );
    assert_eq!(rows[0][4..], strings(&["155", "156"]));
    assert_eq!(rows[1][4..], strings(&["", ""]));
}

#[test]
fn stored_results_are_read() {
    // Values invented for this test, in the attributes RevMan 5 writes when it has calculated.
    let b = replaced(
        &bytes(),
        "SUBGROUP_TEST=\"YES\" SWAP_EVENTS",
        "CHI2=\"152.23\" DF=\"12\" I2=\"92.12\" TAU2=\"0.3088\" EFFECT_SIZE=\"0.49\" P_Z=\"1.0E-4\" SUBGROUP_TEST=\"YES\" SWAP_EVENTS",
    );
    let b = replaced(
        &b,
        "CI_END=\"\" CI_START=\"\" EFFECT_SIZE=\"\" ESTIMABLE=\"YES\" EVENTS_1=\"4\"",
        "CI_END=\"0.98\" CI_START=\"0.1\" EFFECT_SIZE=\"0.41\" ESTIMABLE=\"YES\" EVENTS_1=\"4\"",
    );
    let r = read_rm5("t.rm5", &b).unwrap();
    let o = r.outcome("1.1").unwrap();
    assert_eq!(o.stored.chi2.as_ref().unwrap().value, 152.23);
    assert_eq!(o.stored.df.as_ref().unwrap().text, "12");
    assert_eq!(o.stored.p_z.as_ref().unwrap().value, 1.0e-4);
    assert_eq!(o.stored.effect_size.as_ref().unwrap().value, 0.49);
    let first = o.rows().next().unwrap();
    assert_eq!(first.stored.effect_size.as_ref().unwrap().value, 0.41);
    assert_eq!(first.stored.ci_end.as_ref().unwrap().text, "0.98");
    assert_eq!(first.stored.o_e.as_ref().unwrap().value, 0.0);
}

#[test]
fn utf8_copy_reads_the_same() {
    let b = bytes();
    let text: String = b.iter().map(|&c| c as char).collect(); // ISO-8859-1 → Unicode
    let utf8 = text.replacen("encoding=\"ISO-8859-1\"", "encoding=\"UTF-8\"", 1);
    let mut a = review();
    let mut u = read_rm5("synthetic_review.rm5", utf8.as_bytes()).unwrap();
    a.file.clear();
    u.file.clear();
    assert_eq!(a, u);
    // And the review survives a JSON round trip (plain serde structs).
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(serde_json::from_str::<Review>(&json).unwrap(), a);
}

#[test]
fn unmatched_study_is_kept_with_a_warning() {
    // meta::read.rm5 merges with all.x = TRUE: the row stays, studlab NA. alkstats keeps it,
    // labels it with the decoded id and warns.
    let b = replaced(
        &bytes(),
        "STUDY_ID=\"STD-Umea_x002d_8\"",
        "STUDY_ID=\"STD-Unknown_x0020_trial\"",
    );
    let r = read_rm5("t.rm5", &b).unwrap();
    let row = r
        .outcome("2.1")
        .unwrap()
        .rows()
        .find(|r| r.study_id == "STD-Unknown trial")
        .unwrap();
    assert_eq!(
        (row.name.as_deref(), row.label()),
        (None, "STD-Unknown trial")
    );
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].contains("STD-Unknown trial"),
        "{:?}",
        r.warnings
    );
    let (_, rows) = outcome_table(r.outcome("2.1").unwrap());
    assert_eq!(rows[7][..2], strings(&["STD-Unknown trial", ""]));
}

#[test]
fn truncated_file_is_malformed_with_a_line() {
    let b = bytes();
    // Cut at the end of a line half-way through: every tag is complete, elements stay open.
    let half = b[..b.len() / 2].iter().rposition(|&c| c == b'\n').unwrap() + 1;
    let err = read_rm5("t.rm5", &b[..half]).unwrap_err();
    match &err {
        RevmanError::Malformed {
            file, line, reason, ..
        } => {
            assert_eq!(file, "t.rm5");
            assert!(*line > 1);
            assert!(reason.contains("truncated"), "{err}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    // Cut inside a tag.
    let cut = b.windows(9).position(|w| w == b"<CONT_DAT").unwrap() + 5;
    let err = read_rm5("t.rm5", &b[..cut]).unwrap_err();
    assert!(matches!(err, RevmanError::Malformed { .. }), "{err}");
}

#[test]
fn bad_number_names_outcome_study_attribute_and_value() {
    let b = replaced(&bytes(), "EVENTS_1=\"4\"", "EVENTS_1=\"four\"");
    let err = read_rm5("t.rm5", &b).unwrap_err();
    let msg = err.to_string();
    match err {
        RevmanError::BadNumber {
            place,
            attribute,
            found,
            ..
        } => {
            assert_eq!(attribute, "EVENTS_1");
            assert_eq!(found, "four");
            assert_eq!(place.element, "DICH_DATA");
            assert_eq!(place.outcome.as_deref(), Some("1.1 Tuberculosis cases"));
            assert_eq!(place.study.as_deref(), Some("STD-Aronson Müller 1948"));
        }
        other => panic!("expected BadNumber, got {other:?}"),
    }
    assert!(msg.starts_with("t.rm5: line 33, <DICH_DATA>"), "{msg}");
    let b = replaced(&bytes(), "SD_1=\"47\"", "SD_1=\"4,7\"");
    let err = read_rm5("t.rm5", &b).unwrap_err();
    assert!(err.to_string().contains("SD_1 is '4,7'"), "{err}");
}

#[test]
fn unknown_outcome_lists_the_available_ones() {
    let r = review();
    let err = r.outcome("3.1").unwrap_err();
    assert_eq!(
        err,
        RevmanError::UnknownOutcome {
            file: "synthetic_review.rm5".into(),
            requested: "3.1".into(),
            available: "1.1, 2.1, 2.2".into(),
        }
    );
    assert_eq!(r.outcome(" 02.01 ").unwrap().id, "2.1");
}

#[test]
fn other_inputs_give_typed_errors() {
    let err = read_rm5("x.csv", b"Comparison Number,Outcome Number\n1,1\n").unwrap_err();
    assert!(matches!(err, RevmanError::NotXml { .. }), "{err}");
    let b = replaced(&bytes(), "ISO-8859-1", "EBCDIC-XYZ");
    let err = read_rm5("t.rm5", &b).unwrap_err();
    assert!(matches!(err, RevmanError::UnknownEncoding { ref found, .. } if found == "EBCDIC-XYZ"));
    let err = read_rm5("t.rm5", b"<?xml version=\"1.0\"?><html/>").unwrap_err();
    assert!(matches!(err, RevmanError::NotAReview { ref found, .. } if found == "html"));
    let b = replaced(&bytes(), "ID=\"CMP-002\" NO=\"2\"", "ID=\"CMP-002\"");
    let err = read_rm5("t.rm5", &b).unwrap_err();
    assert!(
        matches!(err, RevmanError::MissingAttribute { ref attribute, .. } if attribute == "NO"),
        "{err}"
    );
    let err = read_rm5("t.rm5", b"").unwrap_err();
    assert!(matches!(err, RevmanError::NotXml { .. }), "{err}");
}

/// Bytes that tend to break XML structure, mixed with arbitrary ones.
fn mutation_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        prop::sample::select(b"<>/\"'&=?!_x0;-. \n\xFC\xFF".to_vec()),
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Random overwrites, deletions, insertions and truncation never panic; the reader returns
    /// a review or a typed error.
    #[test]
    fn random_mutations_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, mutation_byte()), 1..12),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut b = bytes();
        for (at, op, byte) in edits {
            let i = at.index(b.len());
            match op {
                0 => b[i] = byte,
                1 => { b.remove(i); }
                _ => b.insert(i, byte),
            }
        }
        if let Some(cut) = cut {
            b.truncate(cut.index(b.len()));
        }
        if let Ok(review) = read_rm5("fuzz.rm5", &b) {
            let _ = listing(&review);
            for (_, o) in review.outcomes() {
                let (headers, rows) = outcome_table(o);
                prop_assert!(rows.iter().all(|r| r.len() == headers.len()));
            }
            let _ = review.outcome("9.9");
        }
    }
}
