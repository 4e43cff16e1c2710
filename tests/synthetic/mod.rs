//! Seeded synthetic trial arms for plot tests and the forest benchmark: `k` single-arm
//! response studies in the schema of `data/alk_nsclc_arms.csv`, with a few deliberately long
//! labels. Deterministic for a given seed (a 64-bit LCG, no external RNG).
#![allow(dead_code)]

/// Knuth's MMIX linear congruential generator, uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

const DRUGS: [&str; 4] = ["crizotinib", "ceritinib", "alectinib", "brigatinib"];

/// CSV text of `k` synthetic arms.
pub fn arms_csv(k: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from("study,drug,n,responders,year,source\n");
    for i in 1..=k {
        let drug = DRUGS[(rng.next() * DRUGS.len() as f64) as usize % DRUGS.len()];
        let n = 20 + (rng.next() * 380.0) as u64;
        // True response rate between 0.25 and 0.9; observed count within ±2 SE of it.
        let p = 0.25 + 0.65 * rng.next();
        let se = (p * (1.0 - p) * n as f64).sqrt();
        let events =
            ((p * n as f64 + (rng.next() - 0.5) * 4.0 * se).round()).clamp(0.0, n as f64) as u64;
        let year = 2005 + (rng.next() * 20.0) as u32;
        let label = if i % 37 == 0 {
            format!("Synthetic trial {i:03}: an unusually long cohort description that a forest plot must shorten")
        } else {
            format!("Synthetic trial {i:03}")
        };
        out.push_str(&format!(
            "{label},{drug},{n},{events},{year},synthetic (seed {seed})\n"
        ));
    }
    out
}
