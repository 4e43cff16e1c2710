//! Seeded random damage to a workbook for the no-panic test of `tests/input_formats.rs`: byte
//! flips, cuts, deletions, duplications and inserted XML fragments that steer the spreadsheet
//! reader towards its edge cases (error cells, huge or zero cell references, bad numbers), plus
//! unzipping and re-zipping so that the damage can reach the XML inside.

use std::io::{Cursor, Read, Write};

/// xorshift64*: a fixed, seeded stream of pseudo-random numbers (no dependency needed).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that steer mutated XML towards the reader's edge cases.
const TOKENS: &[&str] = &[
    "<c r=\"XFD1048576\" t=\"e\"><v>#N/A</v></c>",
    "<c r=\"A0\"><v>1e999</v></c>",
    " t=\"s\"",
    " t=\"e\"",
    " t=\"b\"",
    " t=\"d\"",
    "<v>-1</v>",
    "<v>99999999999</v>",
    "<row r=\"4294967295\">",
    "</row>",
    "<dimension ref=\"A1:ZZZ9\"/>",
    "&#0;",
    "<is><t>x</t></is>",
    " s=\"99\"",
];

/// The workbook's zip entries as (name, bytes).
pub fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().to_string(), body)
        })
        .collect()
}

pub fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        if bytes.is_empty() {
            return;
        }
        let at = rng.below(bytes.len());
        match rng.below(5) {
            0 => {
                let bit = 1 << rng.below(8);
                bytes[at] ^= bit;
            }
            1 => bytes.truncate(at),
            2 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            _ => {
                let end = (at + rng.below(32)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
}
