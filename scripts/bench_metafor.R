# Times in R metafor the work that alkstats' benchmarks measure, for the ratios in
# BENCHMARKS.md.
#
#   rustc -O --edition 2021 scripts/gen_batch_data.rs -o /tmp/gen_batch_data
#   /tmp/gen_batch_data 100000 10 > /tmp/big.csv
#   Rscript scripts/bench_metafor.R /tmp/big.csv 2000
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

for (m in c("REML", "DL", "PM")) {
  per_fit(sprintf("rma %s k=10", m), function(yi, vi) rma(yi, vi, method = m))
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
