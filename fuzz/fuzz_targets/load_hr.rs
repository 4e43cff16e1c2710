//! Arbitrary bytes as a comparative file → `load_hr` → `pool_hazard_ratios` (see
//! `alkstats_fuzz::load_hr_and_pool`). Errors are fine; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| alkstats_fuzz::load_hr_and_pool(data));
