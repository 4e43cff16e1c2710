//! Times a command as a whole process: spawned directly (no shell), its output discarded, RUNS
//! times in a row. Prints one line per run, "WALL CPU" in seconds: the wall time from spawn to
//! exit (to the nanosecond), and the user + system time of the child (from the `cutime` and
//! `cstime` of /proc/self/stat, in clock ticks of 10 ms, as R's `system.time` reports it).
//!
//! `scripts/bench_metafor_outcomes.R --timer` uses it: R's `system.time(system2(...))` counts,
//! besides the command, R forking itself and `/bin/sh` starting (about 1 ms of a run of 30 ms),
//! and reads the clock to the millisecond.
//!
//!   rustc -O --edition 2021 scripts/time_runs.rs -o /tmp/time_runs
//!   /tmp/time_runs 5 target/release/alkstats pool --outcome orr --by meta_id --data f.csv
//!
//! A run that fails stops the timing: its standard error is passed on and its exit code
//! returned.

use std::process::{Command, Stdio};
use std::time::Instant;

/// Clock ticks per second of /proc/self/stat (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
const TICKS: f64 = 100.0;

/// The user + system clock ticks of the children waited for so far.
fn children_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) start after its last ')':
    // field 3 of stat(5) first, so cutime (16) and cstime (17) are the 14th and 15th.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let tick = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(tick(13)? + tick(14)?)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: time_runs RUNS COMMAND [ARGS...]";
    let (Some(runs), Some(command)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(runs) = runs.parse::<usize>() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    for _ in 0..runs {
        let ticks = children_ticks().unwrap_or(0);
        let start = Instant::now();
        let status = Command::new(command)
            .args(&args[2..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status();
        let wall = start.elapsed().as_secs_f64();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => std::process::exit(s.code().unwrap_or(1)),
            Err(e) => {
                eprintln!("{command}: {e}");
                std::process::exit(1);
            }
        }
        let cpu = children_ticks().unwrap_or(0).saturating_sub(ticks) as f64 / TICKS;
        println!("{wall:.6} {cpu:.2}");
    }
}
