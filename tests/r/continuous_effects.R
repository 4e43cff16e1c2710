#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Reference fixture for alkstats' continuous-outcome effect sizes, produced
## with R metafor 3.8-1 (Debian bookworm: R 4.2.2, metadat 1.2-0).
##
## Run from the repository root:
##     Rscript tests/r/continuous_effects.R
##
## Writes tests/fixtures/continuous_effects.json with
##   effects: escalc(measure = MD / SMD / ROM) with its defaults (vtype = "LS")
##            on dat.normand1999 (9 studies) and dat.curtis1998 (102 studies);
##   median_to_mean: means and SDs from median summaries. metafor 3.8 has no
##            such function (conv.fivenum arrived in metafor 4.0) and R `meta`
##            is not packaged for Debian, so these are an independent
##            re-computation in R of the published formulas (Luo et al. 2018;
##            Wan et al. 2014 with the qnorm forms of xi(n) and eta(n); Shi et
##            al. 2020), written here from the papers, not from alkstats.
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/continuous_effects.R")
}
if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("the fixture is meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}

## JSON helpers (identical to tests/r/metafor_fixtures.R).
source("tests/r/json_numbers.R")  # fmt_num
num <- function(v) structure(fmt_num(unname(v)), class = "json")
arr <- function(v) {
  structure(paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]"),
            class = "json")
}

## --- escalc ---------------------------------------------------------------
effects <- list()
for (ds in c("dat.normand1999", "dat.curtis1998")) {
  d <- get(ds)
  for (measure in c("MD", "SMD", "ROM")) {
    es <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i,
                 m2i = m2i, sd2i = sd2i, n2i = n2i, data = d)
    ## Cross-check the documented formulas against escalc itself.
    with(d, {
      if (measure == "MD") {
        y <- m1i - m2i; v <- sd1i^2 / n1i + sd2i^2 / n2i
      } else if (measure == "SMD") {
        m <- n1i + n2i - 2
        J <- exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))
        y <- J * (m1i - m2i) / sqrt(((n1i - 1) * sd1i^2 + (n2i - 1) * sd2i^2) / m)
        v <- 1 / n1i + 1 / n2i + y^2 / (2 * (n1i + n2i))
      } else {
        y <- log(m1i / m2i); v <- sd1i^2 / (n1i * m1i^2) + sd2i^2 / (n2i * m2i^2)
      }
      stopifnot(max(abs(y - es$yi) / abs(es$yi)) < 1e-13,
                max(abs(v - es$vi) / es$vi) < 1e-13)
    })
    effects[[length(effects) + 1]] <- list(
      dataset = ds, measure = measure,
      call = sprintf("escalc(measure = \"%s\", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = %s)", measure, ds),
      n1i = arr(d$n1i), m1i = arr(d$m1i), sd1i = arr(d$sd1i),
      n2i = arr(d$n2i), m2i = arr(d$m2i), sd2i = arr(d$sd2i),
      yi = arr(es$yi), vi = arr(es$vi))
  }
}

## --- median summaries -----------------------------------------------------
xi  <- function(n) 2 * qnorm((n - 0.375) / (n + 0.25))          # Wan eq. (9)
eta <- function(n) 2 * qnorm((0.75 * n - 0.125) / (n + 0.25))   # Wan eq. (16)
luo <- function(a, q1, m, q3, b, n) {
  if (is.na(q1)) {                                 # S1
    w <- 4 / (4 + n^0.75); w * (a + b) / 2 + (1 - w) * m
  } else if (is.na(a)) {                           # S2
    w <- 0.7 + 0.39 / n; w * (q1 + q3) / 2 + (1 - w) * m
  } else {                                         # S3
    w1 <- 2.2 / (2.2 + n^0.75); w2 <- 0.7 - 0.72 / n^0.55
    w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * m
  }
}
wan <- function(a, q1, m, q3, b, n) {
  if (is.na(q1)) (b - a) / xi(n)
  else if (is.na(a)) (q3 - q1) / eta(n)
  else ((b - a) / xi(n) + (q3 - q1) / eta(n)) / 2
}
shi <- function(a, q1, m, q3, b, n) {
  if (is.na(a) || is.na(q1)) return(NA_real_)
  w <- 1 / (1 + 0.07 * n^0.6)   # Shi 2020: the optimal-weight approximation
  w * (b - a) / xi(n) + (1 - w) * (q3 - q1) / eta(n)
}
## A right-skewed summary (length of stay-like) and a symmetric one.
summaries <- list(
  list(min = 2, q1 = 5, median = 8, q3 = 14, max = 41),
  list(min = -3.1, q1 = 0.4, median = 1.2, q3 = 2.0, max = 5.5))
medians <- list()
for (s in summaries) for (sc in c("S1", "S2", "S3")) for (n in c(5, 12, 27, 50, 120, 400, 3000)) {
  a <- if (sc == "S2") NA else s$min
  b <- if (sc == "S2") NA else s$max
  q1 <- if (sc == "S1") NA else s$q1
  q3 <- if (sc == "S1") NA else s$q3
  medians[[length(medians) + 1]] <- list(
    scenario = sc, n = n, min = num(a), q1 = num(q1), median = num(s$median),
    q3 = num(q3), max = num(b),
    mean = num(luo(a, q1, s$median, q3, b, n)),
    sd_wan = num(wan(a, q1, s$median, q3, b, n)),
    sd_shi = num(shi(a, q1, s$median, q3, b, n)))
}

out <- list(
  generated_by = "tests/r/continuous_effects.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  effects = effects,
  median_to_mean = medians)
path <- file.path("tests", "fixtures", "continuous_effects.json")
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE,
                  na = "null", null = "null"), path, useBytes = TRUE)
invisible(fromJSON(path, simplifyVector = FALSE))
message("wrote ", path)
