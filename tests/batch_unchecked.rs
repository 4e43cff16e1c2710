//! `alkstats pool` streams a file before checking it (issue 18): its output is held until the
//! file is found to stream (contiguous groups, unless `--stream`; plain text, for the lines
//! reader), which a small run finds by reading it and a long one by checking the file once 16 MiB
//! of output are held. Whatever the file turns out to be, the output is the in-memory path's
//! (`--no-stream`), byte for byte, or its error; nothing is written before the file is known to
//! stream.

mod support;

use support::workdir::Workdir;

/// Output held before the file is checked (`batch::held::HELD`).
const HELD: usize = 16 << 20;

/// A single-arm file of `groups` meta-analyses of two or three studies.
fn orr_file(groups: u32) -> String {
    let mut s = String::from("meta_id,study,drug,n,responders,source\n");
    for g in 0..groups {
        for j in 0..(2 + g % 2) {
            let n = 20 + (g * 37 + j * 53) % 250;
            let r = (n * (10 + (g * 13 + j * 29) % 80)) / 100;
            s.push_str(&format!(
                "m{g:05},m{g:05}-s{j},crizotinib,{n},{r},synthetic\n"
            ));
        }
    }
    s
}

/// `pool --format csv` of `file` by `meta_id`, with `extra` arguments.
fn pool(wd: &Workdir, file: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["pool", "--data", file, "--by", "meta_id", "--format", "csv"];
    args.extend_from_slice(extra);
    wd.outcome(&args)
}

/// The file's output loaded, which streaming unasked gives too, and `--stream` (when `forced`).
fn compare(wd: &Workdir, file: &str, forced: bool) -> (i32, String, String) {
    let loaded = pool(wd, file, &["--no-stream"]);
    let mut ways = vec![("automatic", pool(wd, file, &[]))];
    if forced {
        ways.push(("--stream", pool(wd, file, &["--stream"])));
    }
    for (way, got) in ways {
        // (Not assert_eq: the outputs are megabytes.)
        assert!(
            got == loaded,
            "{file}, {way}: exit {} ({} bytes) against {} ({} bytes): {}",
            got.0,
            got.1.len(),
            loaded.0,
            loaded.1.len(),
            got.2
        );
    }
    loaded
}

#[test]
fn small_files_that_are_not_plain_text_or_not_grouped_give_the_in_memory_output() {
    let wd = Workdir::new();
    let text = orr_file(300);
    // A quote in the last line, a quoted header (as R's write.csv writes), a carriage return
    // that ends a record in the middle of the file: the CSV parser's rows.
    let last = text.rfind("m00299-s").unwrap();
    let quote_late = format!("{}\"{}\"{}", &text[..last], "m00299-s9", &text[last + 9..]);
    let header = text.replacen("meta_id,study", "\"meta_id\",\"study\"", 1);
    let middle = text.find("\nm00150,").unwrap();
    let carriage = format!("{}\r{}", &text[..middle], &text[middle + 1..]);
    for (name, file) in [
        ("late.csv", &quote_late),
        ("header.csv", &header),
        ("cr.csv", &carriage),
    ] {
        wd.create(name, file);
        let (code, out, err) = compare(&wd, name, true);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(out.lines().count(), 301, "{name}");
    }
    // A group that starts again after a bad count: loaded whole, so the in-memory path's error.
    let apart = format!("{}m00000,again,crizotinib,10,5,synthetic\n", text).replacen(
        "m00003-s1,crizotinib,",
        "m00003-s1,crizotinib,x",
        1,
    );
    wd.create("apart.csv", &apart);
    let (code, _, err) = compare(&wd, "apart.csv", false);
    assert_eq!(code, 2, "{err}");
    let forced = pool(&wd, "apart.csv", &["--stream"]);
    assert_eq!(
        forced.2, err,
        "the streamed error is the first in the file too"
    );
}

#[test]
fn long_runs_check_the_file_once_their_held_output_is_full() {
    let wd = Workdir::new();
    // Some 24 MB of output: the file is checked before the last chunk of rows is read.
    let groups = 60_000;
    let text = orr_file(groups);
    let plain = wd.create("plain.csv", &text);
    let (code, out, err) = compare(&wd, "plain.csv", true);
    assert_eq!(code, 0, "{err}");
    assert!(out.len() > HELD, "{} bytes of output", out.len());
    assert_eq!(out.lines().count(), groups as usize + 1);

    // A quote in the last row: the check finds the file not plain; it is read again by the CSV
    // parser, and nothing read as plain text was written.
    let last = text.rfind("-s1,").unwrap();
    let quoted = format!("{}-\"s1\",{}", &text[..last], &text[last + 4..]);
    wd.create("quoted.csv", &quoted);
    let (code, quoted_out, err) = compare(&wd, "quoted.csv", true);
    assert_eq!(code, 0, "{err}");
    assert_eq!(quoted_out.lines().count(), groups as usize + 1);

    // A group that starts again at the end: loaded whole, unless --stream, which refuses it
    // after the first 16 MiB are written.
    wd.create(
        "apart.csv",
        format!("{text}m00000,again,crizotinib,10,5,synthetic\n"),
    );
    let (code, apart_out, err) = compare(&wd, "apart.csv", false);
    assert_eq!(code, 0, "{err}");
    assert_eq!(apart_out.lines().count(), groups as usize + 1);
    let (code, _, err) = pool(&wd, "apart.csv", &["--stream"]);
    assert_eq!(code, 2);
    assert!(err.contains("group 'm00000' started on line 2"), "{err}");

    // A bad row at the end of a file that streams: the streaming error, no output file.
    let cut = text[..text.len() - 1].rfind('\n').unwrap() + 1;
    let bad = format!("{}m{groups},s,crizotinib,10,9999,synthetic\n", &text[..cut]);
    wd.create("bad.csv", &bad);
    let output = wd.path("out.csv");
    let output = output.to_str().unwrap();
    let (code, _, err) = pool(&wd, "bad.csv", &["--output", output]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("line {}", bad.lines().count())),
        "{err}"
    );
    assert!(!wd.path("out.csv").exists());
    assert!(plain.exists());
}
