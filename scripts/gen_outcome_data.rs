//! Seeded synthetic files of `M` meta-analyses × `K` studies for every outcome of
//! `alkstats pool`, grouped (contiguous) by `meta_id`, for the whole-process timings against
//! metafor (`scripts/bench_metafor_outcomes.R`, BENCHMARKS.md):
//!
//! ```text
//! orr         meta_id,study,drug,n,responders,source          (scripts/gen_batch_data.rs)
//! binary      meta_id,study,event.e,n.e,event.c,n.c
//! continuous  meta_id,study,n.e,mean.e,sd.e,n.c,mean.c,sd.c
//! generic     meta_id,study,TE,seTE
//! hr          meta_id,study,treatment,comparator,hr,hr_lower,hr_upper
//! ```
//!
//! Models (u ~ U(0, 1), z ~ N(0, 1), fresh draws each time; meta-analysis m has a true effect
//! μₘ and a between-study SD τₘ, study j the true effect θⱼ = μₘ + τₘ·zⱼ):
//! - binary: control risk pₘ = 0.05 + 0.45·u, study control risk expit(logit pₘ + 0.3·z),
//!   μₘ = ln RR ~ N(−0.2, 0.3²), τₘ = 0.05 + 0.45·u, experimental risk pᶜ·e^θ (at most 0.95);
//!   nₑ, n_c ~ U{20, …, 300}, events binomial (zero cells occur, as in real files);
//! - continuous: control mean 10 + 90·u, SD σₘ = 5 + 25·u (each arm's SD σₘ·e^(0.15 z)),
//!   μₘ ~ N(0, (0.3 σₘ)²), τₘ = (0.05 + 0.45·u)·σₘ; arm means are the true means plus
//!   N(0, SD²/n); n ~ U{20, …, 300}; two decimals;
//! - generic: an SMD-like scale, μₘ ~ N(0, 0.5²), τₘ = 0.05 + 0.45·u, n ~ U{40, …, 600},
//!   seTE = 2/√n, TE = θⱼ + seTE·z; six decimals;
//! - hr: μₘ = ln HR ~ N(−0.3, 0.25²), τₘ = 0.05 + 0.35·u, events d ~ U{30, …, 400},
//!   SE = 2/√d (Schoenfeld), ln HR = θⱼ + SE·z, 95% limits exp(ln HR ∓ 1.959964·SE); three
//!   decimals, alectinib against crizotinib (so no row is inverted).
//!
//! The generator is `gen_batch_data.rs`'s xorshift64* with a fixed seed, so a given
//! (outcome, M, K, seed) always gives the same bytes; `orr` is exactly `gen_batch_data`'s file.
//! Standalone (no dependencies):
//!
//! ```text
//! rustc -O --edition 2021 scripts/gen_outcome_data.rs -o /tmp/gen_outcome_data
//! /tmp/gen_outcome_data binary 100000 10 > /tmp/binary-1e5.csv    # OUTCOME M K [seed]
//! ```
#![allow(dead_code)]

#[path = "gen_batch_data.rs"]
mod gen;

use gen::Rng;
use std::io::{self, Write};

/// The outcomes this generator writes, as `alkstats pool --outcome` names them.
pub const OUTCOMES: &[&str] = &["orr", "binary", "continuous", "generic", "hr"];

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Per meta-analysis true effect and between-study SD; each outcome draws its own.
struct Meta {
    mu: f64,
    tau: f64,
}

fn binary(out: &mut impl Write, rng: &mut Rng, m: usize, k: usize) -> io::Result<()> {
    let pc = 0.05 + 0.45 * rng.uniform();
    let meta = Meta {
        mu: -0.2 + 0.3 * rng.normal(),
        tau: 0.05 + 0.45 * rng.uniform(),
    };
    let base = (pc / (1.0 - pc)).ln();
    for j in 1..=k {
        let p_c = expit(base + 0.3 * rng.normal());
        let p_e = (p_c * (meta.mu + meta.tau * rng.normal()).exp()).min(0.95);
        let (n_e, n_c) = (rng.range(20, 300), rng.range(20, 300));
        let (x_e, x_c) = (rng.binomial(n_e, p_e), rng.binomial(n_c, p_c));
        writeln!(out, "m{m:06},m{m:06}-s{j:02},{x_e},{n_e},{x_c},{n_c}")?;
    }
    Ok(())
}

fn continuous(out: &mut impl Write, rng: &mut Rng, m: usize, k: usize) -> io::Result<()> {
    let mean_c = 10.0 + 90.0 * rng.uniform();
    let sigma = 5.0 + 25.0 * rng.uniform();
    let meta = Meta {
        mu: 0.3 * sigma * rng.normal(),
        tau: (0.05 + 0.45 * rng.uniform()) * sigma,
    };
    for j in 1..=k {
        let theta = meta.mu + meta.tau * rng.normal();
        let (n_e, n_c) = (rng.range(20, 300), rng.range(20, 300));
        let (sd_e, sd_c) = (
            sigma * (0.15 * rng.normal()).exp(),
            sigma * (0.15 * rng.normal()).exp(),
        );
        let m_c = mean_c + sd_c / (n_c as f64).sqrt() * rng.normal();
        let m_e = mean_c + theta + sd_e / (n_e as f64).sqrt() * rng.normal();
        writeln!(
            out,
            "m{m:06},m{m:06}-s{j:02},{n_e},{m_e:.2},{sd_e:.2},{n_c},{m_c:.2},{sd_c:.2}"
        )?;
    }
    Ok(())
}

fn generic(out: &mut impl Write, rng: &mut Rng, m: usize, k: usize) -> io::Result<()> {
    let meta = Meta {
        mu: 0.5 * rng.normal(),
        tau: 0.05 + 0.45 * rng.uniform(),
    };
    for j in 1..=k {
        let theta = meta.mu + meta.tau * rng.normal();
        let se = 2.0 / (rng.range(40, 600) as f64).sqrt();
        let te = theta + se * rng.normal();
        writeln!(out, "m{m:06},m{m:06}-s{j:02},{te:.6},{se:.6}")?;
    }
    Ok(())
}

fn hr(out: &mut impl Write, rng: &mut Rng, m: usize, k: usize) -> io::Result<()> {
    let meta = Meta {
        mu: -0.3 + 0.25 * rng.normal(),
        tau: 0.05 + 0.35 * rng.uniform(),
    };
    for j in 1..=k {
        let theta = meta.mu + meta.tau * rng.normal();
        let se = 2.0 / (rng.range(30, 400) as f64).sqrt();
        let y = theta + se * rng.normal();
        let (hr, lo, hi) = (
            y.exp(),
            (y - 1.959964 * se).exp(),
            (y + 1.959964 * se).exp(),
        );
        writeln!(
            out,
            "m{m:06},m{m:06}-s{j:02},alectinib,crizotinib,{hr:.3},{lo:.3},{hi:.3}"
        )?;
    }
    Ok(())
}

/// Writes the file of `outcome` (one of [`OUTCOMES`]): `metas` meta-analyses of `k` studies.
///
/// # Errors
/// An unknown outcome (`InvalidInput`), or any error of `out`.
pub fn write_outcome_csv(
    out: &mut impl Write,
    outcome: &str,
    metas: usize,
    k: usize,
    seed: u64,
) -> io::Result<()> {
    type Rows<W> = fn(&mut W, &mut Rng, usize, usize) -> io::Result<()>;
    let (header, rows): (&str, Rows<_>) = match outcome {
        "orr" => return gen::write_csv(out, metas, k, seed),
        "binary" => ("meta_id,study,event.e,n.e,event.c,n.c", binary),
        "continuous" => ("meta_id,study,n.e,mean.e,sd.e,n.c,mean.c,sd.c", continuous),
        "generic" => ("meta_id,study,TE,seTE", generic),
        "hr" => (
            "meta_id,study,treatment,comparator,hr,hr_lower,hr_upper",
            hr,
        ),
        other => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "unknown outcome '{other}': use one of {}",
                    OUTCOMES.join(", ")
                ),
            ))
        }
    };
    writeln!(out, "{header}")?;
    let mut rng = Rng::new(seed);
    for m in 1..=metas {
        rows(out, &mut rng, m, k)?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = format!(
        "usage: gen_outcome_data OUTCOME [METAS [K [SEED]]], OUTCOME one of {}",
        OUTCOMES.join(", ")
    );
    let Some(outcome) = args.first().filter(|o| OUTCOMES.contains(&o.as_str())) else {
        eprintln!("{usage}");
        std::process::exit(2)
    };
    let parse = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("{usage}; '{a}' is not a whole number");
                std::process::exit(2)
            })
        })
    };
    let (metas, k, seed) = (
        parse(1, 100_000) as usize,
        parse(2, 10) as usize,
        parse(3, gen::DEFAULT_SEED),
    );
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    if let Err(e) = write_outcome_csv(&mut out, outcome, metas, k, seed).and_then(|()| out.flush())
    {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("gen_outcome_data: {e}");
            std::process::exit(1);
        }
    }
}
