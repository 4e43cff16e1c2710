# Times in R metafor the work that alkstats' benchmarks measure, for the ratios in
# BENCHMARKS.md.
#
#   rustc -O --edition 2021 scripts/gen_batch_data.rs -o /tmp/gen_batch_data
#   /tmp/gen_batch_data 100000 10 > /tmp/big.csv
#   Rscript scripts/bench_metafor.R /tmp/big.csv 2000
#   Rscript scripts/bench_metafor.R /tmp/big.csv 2000 target/release/alkstats 5 /tmp/m1e4.csv
#
# Arguments: the CSV of scripts/gen_batch_data.rs (meta_id, study, drug, n, responders, source)
# and how many of its meta-analyses to time (the time per fit is extrapolated to all of them;
# 10^5 REML fits take minutes in R).
#
# For each meta-analysis: escalc(measure = "PLO", add = 1/2, to = "only0") as alkstats' PLOGIT
# with --incr 0.5, then rma(method = M) for M in REML, DL, PM; alkstats' fit also computes the
# Q-profile interval for tau^2, so rma() + confint() is timed too. The last part times single
# DL fits at larger k with effects drawn like scripts/gen_batch_data.rs's effects() (rma.uni
# builds k x k matrices, so k = 10^6 and 10^7 are out of its reach).

suppressPackageStartupMessages(library(metafor))

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) >= 1) args[1] else "/tmp/big.csv"
n_meta <- if (length(args) >= 2) as.integer(args[2]) else 2000L
k <- 10L

# Only the rows needed: the file is grouped by meta_id, k rows each.
d <- read.csv(path, nrows = n_meta * k, stringsAsFactors = FALSE)
es <- escalc(measure = "PLO", xi = responders, ni = n, data = d, add = 1/2, to = "only0")
groups <- split(seq_len(nrow(es)), es$meta_id)
cat(sprintf("metafor %s, %s\n", as.character(packageVersion("metafor")), R.version.string))
cat(sprintf("%d meta-analyses x %d studies from %s\n", length(groups), k, path))

per_fit <- function(label, f) {
  gc()
  t <- system.time(for (g in groups) f(es$yi[g], es$vi[g]))[["elapsed"]]
  ms <- 1000 * t / length(groups)
  cat(sprintf("%-28s %8.3f ms/fit  %10.0f fits/s  (10^5 fits: %6.1f s)\n",
              label, ms, 1000 / ms, ms * 1e5 / 1000))
  invisible(ms)
}

# Whole process, side by side (issue 18): with a third argument (the alkstats binary), time
# `alkstats pool --by meta_id --format csv` on the file (and on any further files, the last
# arguments) with one and with two rayon threads, best of RUNS (fourth argument) wall times,
# and compare the time per meta-analysis with rma REML's time per fit measured above.
whole_process <- function(bin, runs, files, rma_ms) {
  for (file in files) {
    m <- length(unique(read.csv(file, colClasses = c("character", rep("NULL", 5)))$meta_id))
    for (threads in c(1L, 2L)) {
      Sys.setenv(RAYON_NUM_THREADS = threads)
      times <- vapply(seq_len(runs), function(i) {
        t <- system.time(system2(bin, c("pool", "--by", "meta_id", "--format", "csv",
                                        "--data", file), stdout = FALSE))
        c(t[["elapsed"]], t[["user.child"]] + t[["sys.child"]])
      }, numeric(2))
      best <- which.min(times[1, ])
      us <- 1e6 * times[1, best] / m
      cat(sprintf("alkstats %d x %d, %d thread(s): %6.3f s wall (cpu %5.3f s), %5.2f us/analysis, %5.0fx rma REML\n",
                  m, k, threads, times[1, best], times[2, best], us, 1000 * rma_ms / us))
    }
  }
  Sys.unsetenv("RAYON_NUM_THREADS")
}

rma_ms <- c()
for (m in c("REML", "DL", "PM")) {
  rma_ms[m] <- per_fit(sprintf("rma %s k=10", m), function(yi, vi) rma(yi, vi, method = m))
}
if (length(args) >= 3) {
  runs <- if (length(args) >= 4) as.integer(args[4]) else 5L
  whole_process(args[3], runs, c(path, args[-(1:4)]), rma_ms[["REML"]])
}
per_fit("rma+confint REML k=10", function(yi, vi) {
  fit <- rma(yi, vi, method = "REML")
  confint(fit)
})

# Single DL fits at larger k.
effects <- function(k) {
  n <- sample(20:300, k, replace = TRUE)
  theta <- qlogis(0.45) + 0.4 * rnorm(k)
  p <- plogis(theta)
  vi <- 1 / (n * p * (1 - p))
  list(yi = theta + sqrt(vi) * rnorm(k), vi = vi)
}
set.seed(20240607)
for (kk in c(100L, 1000L, 5000L)) {
  e <- effects(kk)
  reps <- max(1L, as.integer(2000 / kk))
  t <- system.time(for (r in seq_len(reps)) rma(e$yi, e$vi, method = "DL"))[["elapsed"]]
  cat(sprintf("rma DL k=%-19d %8.3f ms/fit\n", kk, 1000 * t / reps))
}
