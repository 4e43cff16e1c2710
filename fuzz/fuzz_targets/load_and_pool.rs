//! Arbitrary bytes as an arms file → `load_arms` → every pooling of arms (see
//! `alkstats_fuzz::load_and_pool`). Errors are fine; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| alkstats_fuzz::load_and_pool(data));
