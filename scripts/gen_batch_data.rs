//! Seeded synthetic data for the batch benchmarks: `M` meta-analyses × `K` single-arm studies of
//! response proportions, written as an arms CSV grouped (contiguous) by `meta_id`:
//!
//! ```text
//! meta_id,study,drug,n,responders,source
//! m000001,m000001-s01,crizotinib,173,81,synthetic
//! ```
//!
//! Model: each meta-analysis m has a true logit response μₘ = logit(0.2 + 0.6·u) and a
//! between-study SD τₘ = 0.1 + 0.6·u (u ~ U(0, 1)); study j has nⱼ ~ U{20, …, 300} patients and
//! rⱼ ~ Binomial(nⱼ, expit(μₘ + τₘ·zⱼ)), zⱼ ~ N(0, 1). The generator is xorshift64* with a fixed
//! seed, so a given (M, K, seed) always gives the same bytes.
//!
//! Standalone (no dependencies), for the whole-process timings in BENCHMARKS.md:
//!
//! ```text
//! rustc -O --edition 2021 scripts/gen_batch_data.rs -o /tmp/gen_batch_data
//! /tmp/gen_batch_data 100000 10 > /tmp/big.csv      # M K [seed]
//! ```
//!
//! The criterion benches include this file as a module (`#[path = …]`), so the in-process
//! benches and the command-line timings measure the same data.
#![allow(dead_code)]

use std::io::{self, Write};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20_240_607;

/// xorshift64* (Vigna 2016): fast, seedable, good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform on [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform(); // (0, 1]
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// Binomial(n, p) by counting Bernoulli trials (n is at most a few hundred here).
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        (0..n).filter(|_| self.uniform() < p).count() as u64
    }
}

/// One synthetic study (one CSV row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Study {
    /// Meta-analysis number, from 1.
    pub meta: usize,
    /// Study number within its meta-analysis, from 1.
    pub index: usize,
    /// Patients.
    pub n: u64,
    /// Responders.
    pub responders: u64,
}

/// The `metas` × `k` studies, meta-analysis by meta-analysis.
pub fn studies(metas: usize, k: usize, seed: u64) -> impl Iterator<Item = Study> {
    let mut rng = Rng::new(seed);
    (1..=metas).flat_map(move |meta| {
        let p = 0.2 + 0.6 * rng.uniform();
        let mu = (p / (1.0 - p)).ln();
        let tau = 0.1 + 0.6 * rng.uniform();
        let rows: Vec<Study> = (1..=k)
            .map(|index| {
                let n = rng.range(20, 300);
                let p = 1.0 / (1.0 + (-(mu + tau * rng.normal())).exp());
                Study {
                    meta,
                    index,
                    n,
                    responders: rng.binomial(n, p),
                }
            })
            .collect();
        rows
    })
}

/// Effect sizes (yᵢ, vᵢ) of one meta-analysis of `k` studies on the logit scale, drawn
/// directly (no binomial counts, so 10⁷ studies take a second): nᵢ ~ U{20, …, 300},
/// θᵢ = μ + τ·zᵢ, vᵢ = 1/(nᵢ pᵢ (1 − pᵢ)) with pᵢ = expit(θᵢ), yᵢ = θᵢ + √vᵢ·z'ᵢ; μ and τ as in
/// [`studies`].
pub fn effects(k: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let p = 0.2 + 0.6 * rng.uniform();
    let mu = (p / (1.0 - p)).ln();
    let tau = 0.1 + 0.6 * rng.uniform();
    let (mut yi, mut vi) = (Vec::with_capacity(k), Vec::with_capacity(k));
    for _ in 0..k {
        let n = rng.range(20, 300) as f64;
        let theta = mu + tau * rng.normal();
        let p = 1.0 / (1.0 + (-theta).exp());
        let v = 1.0 / (n * p * (1.0 - p));
        vi.push(v);
        yi.push(theta + v.sqrt() * rng.normal());
    }
    (yi, vi)
}

/// The header line of [`write_csv`].
pub const HEADER: &str = "meta_id,study,drug,n,responders,source\n";

/// Writes the CSV of [`studies`].
///
/// # Errors
/// Any error of `out`.
pub fn write_csv(out: &mut impl Write, metas: usize, k: usize, seed: u64) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    for s in studies(metas, k, seed) {
        writeln!(
            out,
            "m{:06},m{:06}-s{:02},crizotinib,{},{},synthetic",
            s.meta, s.meta, s.index, s.n, s.responders
        )?;
    }
    Ok(())
}

/// The CSV of [`write_csv`] in memory.
pub fn csv_bytes(metas: usize, k: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(metas * k * 48 + HEADER.len());
    write_csv(&mut out, metas, k, seed).expect("writing to a Vec cannot fail");
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("usage: gen_batch_data [METAS [K [SEED]]]; '{a}' is not a whole number");
                std::process::exit(2)
            })
        })
    };
    let (metas, k, seed) = (
        parse(0, 100_000) as usize,
        parse(1, 10) as usize,
        parse(2, DEFAULT_SEED),
    );
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    if let Err(e) = write_csv(&mut out, metas, k, seed).and_then(|()| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("gen_batch_data: {e}");
            std::process::exit(1);
        }
    }
}
