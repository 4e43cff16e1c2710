# Whole-process timings of `alkstats pool --outcome X --by meta_id --format csv` beside R
# metafor, for every outcome (issue 18): for each outcome, metafor's time per meta-analysis on a
# sample, then the alkstats binary on files of M meta-analyses x 10 studies with one and with two
# rayon threads (best wall of RUNS), printed as markdown table rows.
#
#   rustc -O --edition 2021 scripts/gen_outcome_data.rs -o /tmp/gen_outcome_data
#   cargo build --release
#   Rscript scripts/bench_metafor_outcomes.R --bin target/release/alkstats \
#     --gen /tmp/gen_outcome_data --sizes 10000,100000 --fits 2000 --runs 5 [--stream]
#
# Options (all optional):
#   --outcomes orr,binary,continuous,generic,hr   which outcomes (default: all five)
#   --sizes 10000,100000   meta-analyses per file (10 studies each)
#   --fits 2000            meta-analyses timed in metafor (from the start of the largest file)
#   --runs 5               alkstats runs per (file, threads); the best wall time is reported
#   --bin PATH             the alkstats binary; without it only metafor is timed
#   --gen PATH             scripts/gen_outcome_data.rs compiled; writes DIR/OUTCOME-M.csv when
#                          missing (without it the files must exist)
#   --dir /tmp             where the files are
#   --stream               pass --stream to alkstats (refused or ignored by outcomes that do
#                          not stream yet; a refusal is printed as such)
#   --check 20             compare alkstats' numbers with metafor's on this many meta-analyses
#                          (0: no check)
#   --timer PATH           scripts/time_runs.rs compiled: alkstats is spawned directly and timed
#                          from spawn to exit to the microsecond. Without it, R's system.time()
#                          of system2(): to the millisecond, and counting R's fork and /bin/sh
#                          (about 1 ms a run, BENCHMARKS.md)
#
# What metafor does per meta-analysis, mirroring alkstats' defaults (src/cli/pool/settings.rs:
# REML, classic CI, t prediction interval, level 0.95; every fit also gives the Q-profile CI of
# tau^2, src/fit/heterogeneity.rs):
#   orr         escalc("PLO", add = 1/2, to = "only0") (--sm PLOGIT, --incr 0.5); common effect
#               by inverse variance
#   binary      escalc("RR", add = 1/2, to = "only0", drop00 = TRUE) (--measure RR); common effect
#               by Mantel-Haenszel on the raw counts (--method MH): rma.mh(measure = "RR")
#   continuous  escalc("MD") (--measure MD, vtype "LS"); common effect by inverse variance
#   generic     yi = TE, vi = seTE^2 (--sm GEN); common effect by inverse variance
#   hr          yi = ln hr, sei = (ln hr_upper - ln hr_lower) / (2 qnorm(0.975)); inverse variance
# Two figures per outcome:
#   "rma"   one rma(yi, vi, method = "REML") per meta-analysis, the effect sizes computed once
#           beforehand (the comparison of scripts/bench_metafor.R and of the ORR table);
#   "full"  every call that the numbers of alkstats' default CSV row need: the common effect
#           (rma(method = "EE"), or rma.mh for binary), rma REML, confint() (Q-profile CI of
#           tau^2) and predict() (prediction interval), plus the effect sizes' share of one
#           vectorised escalc over the sample.
# I^2's Higgins-Thompson interval (R meta) has no metafor call and is left out of "full".

suppressPackageStartupMessages(library(metafor))

opts <- list(outcomes = "orr,binary,continuous,generic,hr", sizes = "10000,100000",
             fits = "2000", runs = "5", bin = "", gen = "", dir = "/tmp", stream = "FALSE",
             check = "20", timer = "")
args <- commandArgs(trailingOnly = TRUE)
i <- 1
while (i <= length(args)) {
  key <- sub("^--", "", args[i])
  if (!key %in% names(opts) || key == args[i]) stop(sprintf("unknown argument '%s'", args[i]))
  if (key == "stream") {
    opts$stream <- "TRUE"
    i <- i + 1
  } else {
    if (i == length(args)) stop(sprintf("--%s needs a value", key))
    opts[[key]] <- args[i + 1]
    i <- i + 2
  }
}
outcomes <- strsplit(opts$outcomes, ",")[[1]]
sizes <- as.integer(strsplit(opts$sizes, ",")[[1]])
n_fit <- as.integer(opts$fits)
runs <- as.integer(opts$runs)
stream <- as.logical(opts$stream)
n_check <- as.integer(opts$check)
k <- 10L

file_of <- function(outcome, m) file.path(opts$dir, sprintf("%s-%d.csv", outcome, m))
ensure_file <- function(outcome, m) {
  f <- file_of(outcome, m)
  if (!file.exists(f)) {
    if (opts$gen == "") stop(sprintf("%s is missing: give --gen to write it", f))
    status <- system2(opts$gen, c(outcome, m, k), stdout = f)
    if (status != 0) stop(sprintf("%s %s %d %d failed (exit %d)", opts$gen, outcome, m, k, status))
  }
  f
}

# The effect sizes of the first n meta-analyses of a file: data frame with meta_id, yi, vi (and
# the counts for binary), plus the elapsed time of computing them.
effect_sizes <- function(outcome, d) {
  t <- system.time(es <- switch(outcome,
    orr = escalc(measure = "PLO", xi = responders, ni = n, data = d, add = 1/2, to = "only0"),
    binary = escalc(measure = "RR", ai = event.e, n1i = n.e, ci = event.c, n2i = n.c, data = d,
                    add = 1/2, to = "only0", drop00 = TRUE),
    continuous = escalc(measure = "MD", m1i = mean.e, sd1i = sd.e, n1i = n.e,
                        m2i = mean.c, sd2i = sd.c, n2i = n.c, data = d),
    generic = escalc(measure = "GEN", yi = TE, sei = seTE, data = d),
    hr = escalc(measure = "GEN", yi = log(hr),
                sei = (log(hr_upper) - log(hr_lower)) / (2 * qnorm(0.975)), data = d),
    stop(sprintf("unknown outcome '%s'", outcome))))[["elapsed"]]
  list(es = es, seconds = t)
}

# The common effect of alkstats' default for each outcome.
common_fit <- function(outcome, es, g) {
  if (outcome == "binary") {
    rma.mh(ai = es$event.e[g], n1i = es$n.e[g], ci = es$event.c[g], n2i = es$n.c[g],
           measure = "RR")
  } else {
    rma(es$yi[g], es$vi[g], method = "EE")
  }
}

# `tight`: metafor's iterations to 1e-12 (the agreement check; the timings use the defaults,
# as scripts/bench_metafor.R does).
full_fit <- function(outcome, es, g, tight = FALSE) {
  common <- common_fit(outcome, es, g)
  ctrl <- if (tight) list(threshold = 1e-12, maxiter = 10000) else list()
  fit <- rma(es$yi[g], es$vi[g], method = "REML", control = ctrl)
  ci <- if (tight) confint(fit, control = list(tol = 1e-12)) else confint(fit)
  list(common = common, fit = fit, ci = ci, pred = predict(fit))
}

ms_per <- function(groups, f) {
  gc()
  1000 * system.time(for (g in groups) f(g))[["elapsed"]] / length(groups)
}

metafor_times <- function(outcome, path) {
  d <- read.csv(path, nrows = n_fit * k, stringsAsFactors = FALSE, check.names = FALSE)
  names(d) <- make.names(names(d))
  e <- effect_sizes(outcome, d)
  es <- e$es
  groups <- split(seq_len(nrow(es)), es$meta_id)
  rma_ms <- ms_per(groups, function(g) rma(es$yi[g], es$vi[g], method = "REML"))
  full_ms <- ms_per(groups, function(g) full_fit(outcome, es, g)) +
    1000 * e$seconds / length(groups)
  list(rma = rma_ms, full = full_ms, n = length(groups), es = es, groups = groups)
}

# alkstats' CSV analysis rows beside metafor's numbers for the first n_check meta-analyses:
# the largest relative difference per quantity (a check that the timed calls mirror alkstats).
check_agreement <- function(outcome, mf, path) {
  head_file <- tempfile(fileext = ".csv")
  out <- tempfile(fileext = ".csv")
  on.exit(unlink(c(head_file, out)))
  # The file's first n_check meta-analyses (its rows are grouped by meta_id, k each).
  writeLines(readLines(path, n = n_check * k + 1), head_file)
  status <- system2(opts$bin, c("pool", "--outcome", outcome, "--by", "meta_id", "--format",
                                "csv", "--data", head_file, "--output", out), stderr = FALSE)
  if (status != 0) return(sprintf("alkstats failed (exit %d)", status))
  a <- read.csv(out, stringsAsFactors = FALSE)
  a <- a[a$row == "analysis", ]
  back <- if (outcome %in% c("binary", "hr")) exp else if (outcome == "orr") plogis else identity
  ids <- head(names(mf$groups), n_check)
  # tau^2 at the boundary: metafor stops at ~1e-12 where alkstats gives 0; both below 1e-8
  # count as agreeing.
  rel <- function(x, y) ifelse(abs(x) < 1e-8 & abs(y) < 1e-8, 0, abs(x - y) / abs(y))
  diffs <- sapply(ids, function(id) {
    r <- full_fit(outcome, mf$es, mf$groups[[id]], tight = TRUE)
    row <- a[a$group == id, ]
    c(common = rel(row$common_estimate, back(as.numeric(r$common$beta[1]))),
      random = rel(row$random_estimate, back(as.numeric(r$fit$beta[1]))),
      tau2 = rel(row$tau2, r$fit$tau2),
      tau2_upper = rel(row$tau2_upper, r$ci$random["tau^2", "ci.ub"]),
      q = rel(row$q, r$common$QE))
  })
  paste(sprintf("%s %.1e", rownames(diffs), apply(diffs, 1, max)), collapse = ", ")
}

# Best of `runs` wall times of the whole process; NULL and a message when alkstats fails.
alkstats_run <- function(outcome, path, threads) {
  Sys.setenv(RAYON_NUM_THREADS = threads)
  on.exit(Sys.unsetenv("RAYON_NUM_THREADS"))
  err <- tempfile()
  on.exit(unlink(err), add = TRUE)
  argv <- c("pool", "--outcome", outcome, "--by", "meta_id", "--format", "csv", "--data", path,
            if (stream) "--stream")
  if (opts$timer != "") {
    out <- suppressWarnings(system2(opts$timer, c(runs, opts$bin, argv), stdout = TRUE,
                                    stderr = err))
    status <- attr(out, "status")
    if (!is.null(status) && status != 0) {
      msg <- tail(readLines(err, warn = FALSE), 1)
      return(list(error = sprintf("exit %d: %s", status, paste(msg, collapse = ""))))
    }
    times <- matrix(as.numeric(unlist(strsplit(out, " "))), nrow = 2)
    best <- which.min(times[1, ])
    return(list(wall = times[1, best], cpu = times[2, best]))
  }
  times <- matrix(NA_real_, 2, runs)
  for (r in seq_len(runs)) {
    t <- system.time(status <- system2(opts$bin, argv, stdout = FALSE, stderr = err))
    if (status != 0) {
      msg <- tail(readLines(err, warn = FALSE), 1)
      return(list(error = sprintf("exit %d: %s", status, paste(msg, collapse = ""))))
    }
    times[, r] <- c(t[["elapsed"]], t[["user.child"]] + t[["sys.child"]])
  }
  best <- which.min(times[1, ])
  list(wall = times[1, best], cpu = times[2, best])
}

cat(sprintf("metafor %s, %s; %s\n", as.character(packageVersion("metafor")),
            R.version.string,
            if (opts$bin == "") "alkstats not run" else system2(opts$bin, "--version", stdout = TRUE)[1]))
cat(sprintf("load average: %s\n", paste(readLines("/proc/loadavg", warn = FALSE), collapse = "")))
cat(sprintf("alkstats timed by %s\n\n",
            if (opts$timer != "") "scripts/time_runs.rs (spawned directly, spawn to exit)"
            else "R system.time(system2()) (through /bin/sh, to the millisecond)"))

mf <- list()
cat("| outcome | metafor fits | rma REML (ms) | full (ms) | agreement with alkstats (max rel. diff) |\n")
cat("|---|---|---|---|---|\n")
for (o in outcomes) {
  path <- ensure_file(o, max(sizes))
  mf[[o]] <- metafor_times(o, path)
  agree <- if (opts$bin != "" && n_check > 0) check_agreement(o, mf[[o]], path) else "not checked"
  cat(sprintf("| %s | %d | %.3f | %.3f | %s |\n", o, mf[[o]]$n, mf[[o]]$rma, mf[[o]]$full,
              agree))
}

if (opts$bin != "") {
  cat(sprintf("\n| outcome | M x 10 | threads | `--stream` | wall (s) | cpu (s) | us per analysis | x rma REML | x full |\n"))
  cat("|---|---|---|---|---|---|---|---|---|\n")
  for (o in outcomes) {
    for (m in sizes) {
      path <- ensure_file(o, m)
      for (threads in c(1L, 2L)) {
        r <- alkstats_run(o, path, threads)
        if (!is.null(r$error)) {
          cat(sprintf("| %s | %d | %d | %s | failed: %s | | | | |\n", o, m, threads,
                      if (stream) "yes" else "no", r$error))
          next
        }
        us <- 1e6 * r$wall / m
        cat(sprintf("| %s | %d | %d | %s | %.3f | %.3f | %.2f | %.0f | %.0f |\n", o, m, threads,
                    if (stream) "yes" else "no", r$wall, r$cpu, us,
                    1000 * mf[[o]]$rma / us, 1000 * mf[[o]]$full / us))
      }
    }
  }
}
