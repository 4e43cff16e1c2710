//! Arbitrary numbers into every estimator and transformation (see
//! `alkstats_fuzz::estimators`). `cargo fuzz fmt estimators <file>` prints an input as the
//! `Numbers` value a regression test writes out.
#![no_main]

use alkstats_fuzz::{Counts, Numbers, MAX_STUDIES};
use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// A number drawn so that the edges come up often: raw bit patterns (NaN payloads,
/// subnormals, ±∞, 1e308) as well as values on the scale of real effect sizes and variances.
#[derive(Debug, Clone, Copy)]
struct Num(f64);

const SPECIAL: [f64; 16] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
    1e-300,
    1e300,
    5e-324,
    0.95,
];

impl<'a> Arbitrary<'a> for Num {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Num(match u.int_in_range(0u8..=3)? {
            0 => f64::from_bits(u64::arbitrary(u)?),
            1 => *u.choose(&SPECIAL)?,
            // Effect sizes and variances of real studies: ±32.767 in steps of 0.001.
            2 => f64::from(i16::arbitrary(u)?) / 1000.0,
            _ => f64::from(u16::arbitrary(u)?) / 65536.0,
        }))
    }
}

/// A count: mostly small (real trials), sometimes anywhere in u64 (the overflow edges).
#[derive(Debug, Clone, Copy)]
struct Count(u64);

impl<'a> Arbitrary<'a> for Count {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Count(if bool::arbitrary(u)? {
            u64::from(u16::arbitrary(u)?)
        } else {
            u64::arbitrary(u)?
        }))
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    studies: Vec<(Num, Num)>,
    level: Num,
    counts: Vec<(Count, Count)>,
    incr: Num,
    values: Vec<Num>,
    tables: Vec<(Count, Count, Count, Count)>,
    weights: Vec<Count>,
}

fuzz_target!(|input: Input| {
    let numbers = Numbers {
        studies: input
            .studies
            .iter()
            .take(MAX_STUDIES)
            .map(|(y, v)| (y.0, v.0))
            .collect(),
        level: input.level.0,
        counts: input.counts.iter().map(|(x, n)| (x.0, n.0)).collect(),
        incr: input.incr.0,
        values: input.values.iter().map(|v| v.0).collect(),
        tables: input
            .tables
            .iter()
            .map(|t| Counts {
                a: t.0 .0,
                n1: t.1 .0,
                c: t.2 .0,
                n2: t.3 .0,
            })
            .collect(),
        weights: input.weights.iter().map(|w| w.0).collect(),
    };
    alkstats_fuzz::estimators(&numbers);
});
