#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Reference fixtures for alkstats' comparative outcomes, produced with
## R metafor 3.8-1.
##
## Run from the repository root:
##     Rscript tests/r/metafor_fixtures_comparative.R
##
## Writes
##     tests/fixtures/metafor_hr.json       (log hazard ratio pooling from
##                                           published HR + CI or HR + p)
##     tests/fixtures/metafor_two_arm.json  (2x2 tables: RR, OR, RD with
##                                           inverse variance, Mantel-Haenszel
##                                           and Peto)
##
## See the section "Comparative outcomes (metafor_fixtures_comparative.R)" in
## tests/r/README.md for the conventions and the exact formulas.  The JSON
## writer and the pooled-result blocks follow tests/r/metafor_fixtures.R.
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/metafor_fixtures_comparative.R")
}
dir.create(file.path("tests", "fixtures"), showWarnings = FALSE, recursive = TRUE)

if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("fixtures are meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}

LEVEL <- 0.95
ALPHA <- 1 - LEVEL
## Same tight control settings as tests/r/metafor_fixtures.R.
CTRL_FIT <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
CTRL_CI <- list(tol = 1e-12, maxiter = 10000)
METHODS <- c("REML", "DL", "ML", "PM", "HE", "SJ", "EB", "HS")

## ---------------------------------------------------------------------------
## JSON helpers (identical to tests/r/metafor_fixtures.R): every number is
## written with the shortest of %.15g/%.16g/%.17g that parses back to the
## identical double; NA, NaN and +-Inf become null.
## ---------------------------------------------------------------------------
source("tests/r/json_numbers.R")  # fmt_num
num <- function(v) {
  if (is.null(v) || length(v) == 0) return(structure("null", class = "json"))
  stopifnot(length(v) == 1)
  structure(fmt_num(unname(v)), class = "json")
}
arr <- function(v) {
  structure(paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]"),
            class = "json")
}
write_fixture <- function(x, path) {
  txt <- toJSON(x, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE,
                na = "null", null = "null")
  writeLines(txt, path, useBytes = TRUE)
  invisible(fromJSON(path, simplifyVector = FALSE))
  message("wrote ", path)
}
scalar_or_na <- function(x) {
  if (is.null(x) || length(x) == 0) return(NA_real_)
  x <- as.numeric(x[1])
  if (!is.finite(x)) NA_real_ else x
}
capture <- function(expr, env) {
  withCallingHandlers(
    tryCatch(expr, error = function(e) e),
    warning = function(w) {
      env$warnings <- c(env$warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
}
## NA-aware: NAs must sit at the same positions
rel_equal <- function(a, b, tol = 1e-12) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (length(a) != length(b) || !identical(is.na(a), is.na(b))) return(FALSE)
  ok <- !is.na(a)
  isTRUE(all(abs(a[ok] - b[ok]) <= tol * pmax(1, abs(a[ok]), abs(b[ok]))))
}

transf.identity <- function(xi, ...) xi

## ---------------------------------------------------------------------------
## Inverse-variance pooling blocks: same keys as metafor_pool.json.
## tf = exp (log HR / log RR / log OR) or identity (RD).
## ---------------------------------------------------------------------------
bt <- function(v, tf) vapply(v, function(z) if (is.na(z)) NA_real_ else tf(z), 0.0)

summ_fit <- function(fit, tf, stat_name) {
  pr <- predict(fit, transf = tf)
  out <- list(yi = num(fit$beta[1]), se = num(fit$se), stat = num(fit$zval),
              p = num(scalar_or_na(fit$pval)), lower_t = num(scalar_or_na(fit$ci.lb)),
              upper_t = num(scalar_or_na(fit$ci.ub)),
              estimate = num(scalar_or_na(pr$pred)), lower = num(scalar_or_na(pr$ci.lb)),
              upper = num(scalar_or_na(pr$ci.ub)))
  names(out)[names(out) == "stat"] <- stat_name
  out
}

## Higgins & Thompson (2002) test-based CI for H and I^2 (as R meta's calcH()),
## identical to tests/r/metafor_fixtures.R.
ht_interval <- function(Q, k, level) {
  na <- list(h = NA_real_, h_lower = NA_real_, h_upper = NA_real_,
             i2_lower = NA_real_, i2_upper = NA_real_)
  if (k < 2) return(na)
  z <- qnorm(1 - (1 - level) / 2)
  H <- sqrt(Q / (k - 1))
  if (Q > k) {
    se_logH <- 0.5 * (log(Q) - log(k - 1)) / (sqrt(2 * Q) - sqrt(2 * k - 3))
  } else if (k > 2) {
    se_logH <- sqrt(1 / (2 * (k - 2)) * (1 - 1 / (3 * (k - 2)^2)))
  } else {
    return(modifyList(na, list(h = max(H, 1))))
  }
  Hc <- max(H, 1)
  lo <- max(1, exp(log(H) - z * se_logH))
  hi <- max(1, exp(log(H) + z * se_logH))
  list(h = Hc, h_lower = lo, h_upper = hi,
       i2_lower = (lo^2 - 1) / lo^2 * 100, i2_upper = (hi^2 - 1) / hi^2 * 100)
}

pi_block <- function(mu, se, tau2, crit, tf) {
  if (is.na(crit)) return(NULL)
  half <- crit * sqrt(se^2 + tau2)
  lo <- mu - half; hi <- mu + half
  b <- bt(c(lo, hi), tf)
  list(lower_t = num(lo), upper_t = num(hi), lower = num(b[1]), upper = num(b[2]))
}

## Returns the pooled blocks for (yi, vi) with tau^2 estimator `method`.
pool_iv <- function(yi, vi, method, tf) {
  env <- new.env(); env$warnings <- character(0)
  notes <- character(0)
  k <- length(yi)
  out <- list()
  fe <- capture(rma(yi, vi, method = "EE", test = "z"), env)
  re <- capture(rma(yi, vi, method = method, test = "z", control = CTRL_FIT), env)
  if (inherits(re, "error")) {
    out$converged <- FALSE
    out$note <- paste("rma() failed:", conditionMessage(re))
    if (!inherits(fe, "error")) {
      out$weights_common <- arr(weights(fe))
      out$common <- summ_fit(fe, tf, "z")
    }
    out$warnings <- I(unique(env$warnings))
    return(out)
  }
  hk <- capture(rma(yi, vi, method = method, test = "knha", control = CTRL_FIT), env)
  adhoc <- capture(rma(yi, vi, method = method, test = "adhoc", control = CTRL_FIT), env)
  tfit <- capture(rma(yi, vi, method = method, test = "t", control = CTRL_FIT), env)
  for (f in list(hk, adhoc, tfit)) {
    if (inherits(f, "error")) stop("unexpected failure of a test variant: ", conditionMessage(f))
    stopifnot(identical(f$tau2, re$tau2))
  }
  out$weights_common <- arr(weights(fe))
  out$weights_random <- arr(weights(re))
  out$common <- summ_fit(fe, tf, "z")
  out$random <- list(classic = summ_fit(re, tf, "stat"),
                     hk = summ_fit(hk, tf, "stat"),
                     hk_adhoc = summ_fit(adhoc, tf, "stat"))
  out$random$hk$s2w <- num(hk$s2w)
  out$random$hk_adhoc$s2w <- num(adhoc$s2w)
  if (k == 1) {
    notes <- c(notes, paste("k = 1: metafor sets tau^2 = 0 and, with a warning, replaces",
                            "test='knha'/'adhoc'/'t' by 'z' (hk and hk_adhoc equal classic);",
                            "Q = 0, QEp = 1; confint() stops; prediction t/hts null, z = classic CI."))
  }
  mu <- as.numeric(re$beta[1]); se <- re$se; tau2 <- re$tau2
  crit_t <- if (k >= 2) qt(1 - ALPHA / 2, k - 1) else NA_real_
  crit_hts <- if (k >= 3) qt(1 - ALPHA / 2, k - 2) else NA_real_
  crit_z <- qnorm(1 - ALPHA / 2)
  pred <- list(t = pi_block(mu, se, tau2, crit_t, tf),
               hts = pi_block(mu, se, tau2, crit_hts, tf),
               z = pi_block(mu, se, tau2, crit_z, tf))
  if (k >= 2) {
    ## cross-check "t" against predict() of the test = "t" fit
    pt_ <- predict(tfit, transf = tf)
    ref <- bt(c(mu - crit_t * sqrt(se^2 + tau2), mu + crit_t * sqrt(se^2 + tau2)), tf)
    stopifnot(rel_equal(c(pt_$pi.lb, pt_$pi.ub), ref))
    pred$t$lower <- num(scalar_or_na(pt_$pi.lb))
    pred$t$upper <- num(scalar_or_na(pt_$pi.ub))
  } else {
    stopifnot(identical(tfit$test, "z"))
  }
  out$prediction <- pred

  q <- re$QE; df <- k - 1
  ci <- capture(confint(re, control = CTRL_CI), env)
  ci_ok <- !inherits(ci, "error")
  if (!ci_ok) notes <- c(notes, paste("confint():", conditionMessage(ci)))
  ht <- ht_interval(q, k, LEVEL)
  rnd <- if (ci_ok) ci$random else NULL
  getci <- function(row, col) if (ci_ok) scalar_or_na(rnd[row, col]) else NA_real_
  out$heterogeneity <- list(
    q = num(q), df = df, p = num(re$QEp),
    tau2 = num(re$tau2), tau2_lower = num(getci("tau^2", "ci.lb")),
    tau2_upper = num(getci("tau^2", "ci.ub")),
    tau = num(sqrt(re$tau2)), tau_lower = num(getci("tau", "ci.lb")),
    tau_upper = num(getci("tau", "ci.ub")),
    i2 = num(if (df > 0) max(0, (q - df) / q) * 100 else NA),
    i2_lower = num(ht$i2_lower), i2_upper = num(ht$i2_upper),
    h = num(ht$h), h_lower = num(ht$h_lower), h_upper = num(ht$h_upper),
    h2 = num(if (df > 0) q / df else NA),
    i2_tau = num(re$I2), h2_tau = num(re$H2),
    i2_tau_lower = num(getci("I^2(%)", "ci.lb")), i2_tau_upper = num(getci("I^2(%)", "ci.ub")),
    h2_tau_lower = num(getci("H^2", "ci.lb")), h2_tau_upper = num(getci("H^2", "ci.ub")),
    tau2_lower_sign = if (ci_ok) ci$lb.sign else NA,
    tau2_upper_sign = if (ci_ok) ci$ub.sign else NA,
    ci_null = if (ci_ok) ci$ci.null else NA,
    s2_typical = num(re$vt), se_tau2 = num(re$se.tau2)
  )
  if (ci_ok && ci$ub.sign == ">") {
    notes <- c(notes, sprintf("Q-profile upper bound hit tau2.max = %s; metafor reports tau2.max.",
                              format(rnd["tau^2", "ci.ub"])))
  }
  out$converged <- TRUE
  if (length(notes)) out$note <- paste(notes, collapse = " ")
  out$warnings <- I(unique(env$warnings))
  out
}

## ===========================================================================
## Part 1: log hazard ratios (metafor_hr.json)
## ===========================================================================
## One input row: (hr, lower, upper, ci_level) or (hr, p_value).
hr_row <- function(study, hr, lower = NA_real_, upper = NA_real_, ci_level = NA_real_,
                   p_value = NA_real_) {
  list(study = study, hr = hr, lower = lower, upper = upper, ci_level = ci_level,
       p_value = p_value)
}
## Conversions (see README).
convert_hr <- function(r) {
  yi <- log(r$hr)
  if (!is.na(r$lower)) {
    stopifnot(!is.na(r$upper), !is.na(r$ci_level), is.na(r$p_value))
    zc <- qnorm(1 - (1 - r$ci_level) / 2)
    sei <- (log(r$upper) - log(r$lower)) / (2 * zc)
    list(input = "ci", yi = yi, sei = sei, z_crit = zc, z_altman_bland = NA_real_,
         sei_altman_bland = NA_real_, z_exact_normal = NA_real_, sei_exact_normal = NA_real_)
  } else {
    stopifnot(!is.na(r$p_value), r$p_value > 0, r$p_value < 1, r$hr != 1)
    z_ab <- -0.862 + sqrt(0.743 - 2.404 * log(r$p_value))
    z_ex <- qnorm(1 - r$p_value / 2)
    list(input = "p", yi = yi, sei = NA_real_, z_crit = NA_real_,
         z_altman_bland = z_ab, sei_altman_bland = abs(yi) / z_ab,
         z_exact_normal = z_ex, sei_exact_normal = abs(yi) / z_ex)
  }
}

## k = 12 synthetic heterogeneous set (values rounded to 2 decimals as in
## publications; the rounded numbers are the input and are written to the JSON).
set.seed(20240612)
k_syn <- 12
theta_syn <- rnorm(k_syn, mean = log(0.6), sd = 0.35)
se_syn <- runif(k_syn, 0.08, 0.35)
y_syn <- rnorm(k_syn, theta_syn, se_syn)
syn_rows <- lapply(seq_len(k_syn), function(i) {
  hr_row(sprintf("SYN-%02d", i), round(exp(y_syn[i]), 2),
         round(exp(y_syn[i] - qnorm(0.975) * se_syn[i]), 2),
         round(exp(y_syn[i] + qnorm(0.975) * se_syn[i]), 2), 0.95)
})

hr_datasets <- list(
  list(dataset = "crizotinib_vs_chemo_pfs",
       description = "PFS HR crizotinib vs chemotherapy, published 95% CIs",
       rows = list(hr_row("PROFILE 1007", 0.49, 0.37, 0.64, 0.95),
                   hr_row("PROFILE 1014", 0.45, 0.35, 0.60, 0.95),
                   hr_row("PROFILE 1029", 0.402, 0.286, 0.565, 0.95))),
  list(dataset = "alectinib_vs_crizotinib_pfs",
       description = "PFS HR alectinib vs crizotinib; J-ALEX reports a 99.7% CI",
       rows = list(hr_row("J-ALEX", 0.34, 0.17, 0.71, 0.997),
                   hr_row("ALEX", 0.47, 0.34, 0.65, 0.95),
                   hr_row("ALESIA", 0.22, 0.13, 0.38, 0.95))),
  list(dataset = "mixed_with_p",
       description = paste("illustrative: rows with 95% CIs, one p-value-only row (0.821, p = 0.180)",
                           "and one row with a 90% CI"),
       rows = list(hr_row("CI95-A", 0.49, 0.37, 0.64, 0.95),
                   hr_row("CI95-B", 0.66, 0.51, 0.86, 0.95),
                   hr_row("P-ONLY", 0.821, p_value = 0.180),
                   hr_row("CI90", 0.71, 0.56, 0.90, 0.90))),
  list(dataset = "k1", description = "single study",
       rows = list(hr_row("PROFILE 1007", 0.49, 0.37, 0.64, 0.95))),
  list(dataset = "homogeneous",
       description = "three identical rows: Q = 0, tau^2 = 0 for every estimator (incl. SJ), hk s2w = 0",
       rows = list(hr_row("ID-1", 0.60, 0.45, 0.80, 0.95),
                   hr_row("ID-2", 0.60, 0.45, 0.80, 0.95),
                   hr_row("ID-3", 0.60, 0.45, 0.80, 0.95))),
  list(dataset = "synthetic_k12_hetero",
       description = paste("k = 12 simulated: set.seed(20240612); theta ~ N(log 0.6, 0.35^2);",
                           "se ~ U(0.08, 0.35); y ~ N(theta, se^2); hr = round(exp(y), 2),",
                           "95% CI = round(exp(y -/+ qnorm(.975) se), 2)"),
       rows = syn_rows)
)

hr_cases <- list()
for (ds in hr_datasets) {
  conv <- lapply(ds$rows, convert_hr)
  has_p <- any(vapply(conv, function(cv) cv$input == "p", TRUE))
  variants <- if (has_p) c("altman_bland", "exact_normal") else "none"
  for (pc in variants) {
    sei <- vapply(conv, function(cv) {
      if (cv$input == "ci") cv$sei
      else if (pc == "altman_bland") cv$sei_altman_bland else cv$sei_exact_normal
    }, 0.0)
    yi <- vapply(conv, function(cv) cv$yi, 0.0)
    vi <- sei^2
    rows <- lapply(seq_along(ds$rows), function(i) {
      r <- ds$rows[[i]]; cv <- conv[[i]]
      list(study = r$study, hr = num(r$hr), lower = num(r$lower), upper = num(r$upper),
           ci_level = num(r$ci_level), p_value = num(r$p_value), input = cv$input,
           yi = num(yi[i]), sei = num(sei[i]), vi = num(vi[i]),
           z_crit = num(cv$z_crit),
           z_altman_bland = num(cv$z_altman_bland), sei_altman_bland = num(cv$sei_altman_bland),
           z_exact_normal = num(cv$z_exact_normal), sei_exact_normal = num(cv$sei_exact_normal))
    })
    for (m in METHODS) {
      case <- list(dataset = ds$dataset, p_conversion = pc, method_tau = m,
                   k = length(yi), rows = rows, yi = arr(yi), sei = arr(sei), vi = arr(vi))
      hr_cases[[length(hr_cases) + 1]] <- c(case, pool_iv(yi, vi, m, exp))
    }
  }
}
## sanity checks on the edge-case datasets
for (c in hr_cases) {
  t2 <- as.numeric(unclass(c$heterogeneity$tau2))
  if (c$dataset %in% c("k1", "homogeneous")) stopifnot(t2 == 0)
  stopifnot(isTRUE(c$converged))
}

write_fixture(list(
  generator = "tests/r/metafor_fixtures_comparative.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  level = num(LEVEL),
  control_fit = CTRL_FIT,
  control_confint = CTRL_CI,
  conventions = list(
    yi = "log(hr)",
    sei_from_ci = "(log(upper) - log(lower)) / (2 * qnorm(1 - (1 - ci_level)/2))",
    sei_from_p_altman_bland = paste("z = -0.862 + sqrt(0.743 - 2.404 * log(p)); sei = |log(hr)| / z",
                                    "(Altman & Bland 2011, BMJ 343:d2090; natural log, two-sided p)"),
    sei_from_p_exact_normal = "sei = |log(hr)| / qnorm(1 - p/2)",
    p_conversion = paste("'none': no p-only rows; 'altman_bland' / 'exact_normal': which sei the",
                         "p-only rows use in the pooled analysis (both are given per row)"),
    vi = "sei^2",
    scale = "*_t, yi, se and stat are on the log-HR scale; estimate/lower/upper are exp() of them",
    prediction = "from the classic (test='z') fit: mu -/+ crit*sqrt(se^2+tau2); t: qt(.975,k-1); hts: qt(.975,k-2) (k>=3); z: qnorm(.975)",
    i2 = "Q-based max(0,(Q-df)/Q)*100 with Higgins-Thompson CI (R meta calcH); i2_tau/h2_tau are metafor's I2/H2"),
  datasets = lapply(hr_datasets, function(d) list(
    dataset = d$dataset, description = d$description,
    rows = lapply(d$rows, function(r) list(study = r$study, hr = num(r$hr), lower = num(r$lower),
                                           upper = num(r$upper), ci_level = num(r$ci_level),
                                           p_value = num(r$p_value))))),
  cases = hr_cases), file.path("tests", "fixtures", "metafor_hr.json"))
message(length(hr_cases), " HR cases")

## ===========================================================================
## Part 2: two-arm 2x2 tables (metafor_two_arm.json)
## ===========================================================================
tab <- function(study, ai, n1i, ci, n2i) list(study = study, ai = ai, n1i = n1i, ci = ci, n2i = n2i)
bcg <- dat.bcg
two_datasets <- list(
  list(dataset = "crizotinib_vs_chemo",
       description = "objective response, crizotinib vs chemotherapy",
       studies = list(tab("PROFILE 1007", 112, 173, 35, 174),
                      tab("PROFILE 1014", 127, 172, 77, 171),
                      tab("PROFILE 1029", 91, 104, 47, 103))),
  list(dataset = "second_gen_vs_crizotinib",
       description = "objective response, second-generation ALK inhibitor vs crizotinib",
       studies = list(tab("J-ALEX", 95, 103, 82, 104),
                      tab("ALEX", 126, 152, 114, 151),
                      tab("ALTA-1L", 97, 137, 83, 138),
                      tab("eXalt3", 106, 143, 98, 147),
                      tab("CROWN", 113, 149, 85, 147))),
  list(dataset = "sparse",
       description = paste("illustrative sparse tables: S2 zero cell (all events in the treatment arm, ci = 0);",
                           "S3 double zero (ai = ci = 0); S4 all patients in the treatment arm respond (bi = 0);",
                           "S6 everybody responds in both arms (bi = di = 0, also a 'double zero' for metafor)"),
       studies = list(tab("S1", 12, 40, 5, 38),
                      tab("S2", 4, 25, 0, 24),
                      tab("S3", 0, 20, 0, 22),
                      tab("S4", 30, 30, 21, 29),
                      tab("S5", 8, 35, 3, 36),
                      tab("S6", 15, 15, 14, 14))),
  list(dataset = "k1", description = "single study",
       studies = list(tab("PROFILE 1014", 127, 172, 77, 171))),
  list(dataset = "bcg",
       description = paste("metadat::dat.bcg (Colditz et al. 1994): ai = tpos, n1i = tpos + tneg,",
                           "ci = cpos, n2i = cpos + cneg; event = tuberculosis"),
       studies = lapply(seq_len(nrow(bcg)), function(i)
         tab(paste0(bcg$author[i], " ", bcg$year[i]), bcg$tpos[i], bcg$tpos[i] + bcg$tneg[i],
             bcg$cpos[i], bcg$cpos[i] + bcg$cneg[i])))
)

## Published/independent reference values for dat.bcg: Stata metan results as
## transcribed in metafor's own test suite (not re-checked by us).
bcg_reference <- list(
  RR = list(printed = list(yi = -0.4537, lower_t = -0.5308, upper_t = -0.3766, z = -11.5338,
                           q = 152.5676, estimate = 0.6353, lower = 0.5881, upper = 0.6862),
            decimals = 4),
  OR = list(printed = list(yi = -0.4734, lower_t = -0.5538, upper_t = -0.3930, z = -11.5444,
                           q = 163.9426, estimate = 0.6229, lower = 0.5748, upper = 0.6750),
            decimals = 4),
  RD = list(printed = list(yi = -0.0033, lower_t = -0.0039, upper_t = -0.0027, z = -11.4708,
                           q = 386.7759),
            decimals = 4,
            stata_z = -11.56,
            note = paste("Stata metan prints z = 11.56 because it uses the Greenland & Robins (1985)",
                         "RD variance; metafor uses Sato, Greenland & Robins (1989). se_greenland_robins_1985",
                         "in this case reproduces Stata's |z| = 11.56.")),
  PETO = list(printed = list(yi = -0.4744, lower_t = -0.5541, upper_t = -0.3948, z = -11.6689,
                             q = 167.7302, estimate = 0.6222, lower = 0.5746, upper = 0.6738),
              decimals = 4))
bcg_provenance <- paste("Values asserted in metafor's own test suite (wviechtb/metafor tests/testthat/",
                        "test_misc_metan_vs_rma.mh_with_dat.bcg.r and test_misc_metan_vs_rma.peto_with_dat.bcg.r),",
                        "which compares rma.mh()/rma.peto() with Stata 'metan tpos tneg cpos cneg, fixed|peto nograph",
                        "rr|or|rd'. The 4-decimal z values there are metafor's; the test comments give Stata's |z| to",
                        "2 decimals (RR 11.53, OR 11.54, RD 11.56, Peto 11.67). Not re-checked against Stata by us.")
reference_block <- function(key, actual) {
  ref <- bcg_reference[[key]]
  ok <- vapply(names(ref$printed), function(nm) {
    abs(round(actual[[nm]], ref$decimals) - ref$printed[[nm]]) < 1e-9
  }, TRUE)
  out <- list(source = bcg_provenance, printed = lapply(ref$printed, num), decimals = ref$decimals,
              agrees_when_rounded = all(ok))
  if (!all(ok)) out$mismatch <- I(names(ref$printed)[!ok])
  if (!is.null(ref$note)) out$note <- ref$note
  if (!is.null(ref$stata_z)) out$stata_z <- num(ref$stata_z)
  out
}

MEASURES <- c("RR", "OR", "RD")
tf_of <- function(measure) if (measure == "RD") transf.identity else exp

## Hand-written MH estimators (README formulas), used as cross-checks.
mh_manual <- function(measure, a, b, c, d) {
  n1 <- a + b; n2 <- c + d; N <- n1 + n2
  if (measure == "OR") {
    R <- a * d / N; S <- b * c / N; P <- (a + d) / N; Q <- (b + c) / N
    est <- log(sum(R) / sum(S))
    v <- sum(P * R) / (2 * sum(R)^2) + sum(P * S + Q * R) / (2 * sum(R) * sum(S)) +
      sum(Q * S) / (2 * sum(S)^2)
  } else if (measure == "RR") {
    R <- a * n2 / N; S <- c * n1 / N
    est <- log(sum(R) / sum(S))
    v <- sum(n1 * n2 * (a + c) / N^2 - a * c / N) / (sum(R) * sum(S))
  } else {
    W <- n1 * n2 / N
    est <- sum(a * n2 / N - c * n1 / N) / sum(W)
    P <- (n1^2 * c - n2^2 * a + n1 * n2 * (n2 - n1) / 2) / N^2
    Q <- (a * (n2 - c) + c * (n1 - a)) / (2 * N)
    v <- (est * sum(P) + sum(Q)) / sum(W)^2
  }
  c(est = est, se = sqrt(v))
}
## Greenland & Robins (1985) variance of the MH risk difference (for reference).
rd_var_gr1985 <- function(a, b, c, d) {
  n1 <- a + b; n2 <- c + d; N <- n1 + n2
  sum((a * b * n2^3 + c * d * n1^3) / (n1 * n2 * N^2)) / sum(n1 * n2 / N)^2
}
mh_weights <- function(measure, a, b, c, d) {
  n1 <- a + b; n2 <- c + d; N <- n1 + n2
  switch(measure, OR = b * c / N, RR = c * n1 / N, RD = n1 * n2 / N)
}

mh_common <- function(res, tf) {
  pr <- predict(res, transf = tf)
  list(yi = num(res$beta[1]), se = num(res$se), z = num(res$zval), p = num(scalar_or_na(res$pval)),
       lower_t = num(scalar_or_na(res$ci.lb)), upper_t = num(scalar_or_na(res$ci.ub)),
       estimate = num(scalar_or_na(pr$pred)), lower = num(scalar_or_na(pr$ci.lb)),
       upper = num(scalar_or_na(pr$ci.ub)))
}
mh_het <- function(res) {
  list(q = num(res$QE), df = res$k.yi - 1, p = num(res$QEp), i2 = num(res$I2), h2 = num(res$H2))
}

two_cases <- list()
add_case <- function(x) two_cases[[length(two_cases) + 1]] <<- x

for (ds in two_datasets) {
  st <- ds$studies
  lab <- vapply(st, function(s) s$study, "")
  ai <- vapply(st, function(s) s$ai, 0); n1i <- vapply(st, function(s) s$n1i, 0)
  ci <- vapply(st, function(s) s$ci, 0); n2i <- vapply(st, function(s) s$n2i, 0)
  bi <- n1i - ai; di <- n2i - ci
  k <- length(ai)
  studies_json <- lapply(st, function(s) list(study = s$study, ai = s$ai, n1i = s$n1i,
                                               ci = s$ci, n2i = s$n2i))
  dbl0 <- (ai == 0 & ci == 0) | (bi == 0 & di == 0)
  any0 <- ai == 0 | bi == 0 | ci == 0 | di == 0

  for (measure in MEASURES) {
    tf <- tf_of(measure)
    esc <- escalc(measure = measure, ai = ai, bi = bi, ci = ci, di = di,
                  add = 1/2, to = "only0", drop00 = TRUE)
    yi <- as.numeric(esc$yi); vi <- as.numeric(esc$vi)
    dropped <- lab[is.na(yi)]
    stopifnot(identical(is.na(yi), dbl0))
    ## hand formula check of escalc: +1/2 to all four cells of tables with a zero cell
    a2 <- ai + 0.5 * any0; b2 <- bi + 0.5 * any0; c2 <- ci + 0.5 * any0; d2 <- di + 0.5 * any0
    p1 <- a2 / (a2 + b2); p2 <- c2 / (c2 + d2)
    yi_man <- switch(measure, RR = log(p1 / p2), OR = log(a2 * d2 / (b2 * c2)), RD = p1 - p2)
    vi_man <- switch(measure, RR = 1 / a2 - 1 / (a2 + b2) + 1 / c2 - 1 / (c2 + d2),
                     OR = 1 / a2 + 1 / b2 + 1 / c2 + 1 / d2,
                     RD = p1 * (1 - p1) / (a2 + b2) + p2 * (1 - p2) / (c2 + d2))
    stopifnot(rel_equal(yi[!dbl0], yi_man[!dbl0], 1e-13), rel_equal(vi[!dbl0], vi_man[!dbl0], 1e-13))
    base <- list(dataset = ds$dataset, measure = measure, studies = studies_json,
                 yi = arr(yi), vi = arr(vi), dropped = I(dropped))
    if (measure == "RD") {
      ## metafor's escalc default for RD: add = 1/2, to = "only0", drop00 = FALSE
      escd <- escalc(measure = "RD", ai = ai, bi = bi, ci = ci, di = di)
      base$yi_escalc_default <- arr(escd$yi)
      base$vi_escalc_default <- arr(escd$vi)
    }
    keep <- !is.na(yi)

    ## --- inverse variance ---
    for (m in c("REML", "DL")) {
      blocks <- pool_iv(yi[keep], vi[keep], m, tf)
      add_case(c(base, list(method = paste0("IV-", m), method_tau = m, k = sum(keep)), blocks))
    }

    ## --- Mantel-Haenszel, no correction (metafor defaults) ---
    env <- new.env(); env$warnings <- character(0)
    res <- capture(rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = measure), env)
    stopifnot(!inherits(res, "error"))
    stopifnot(rel_equal(res$yi.f, yi), rel_equal(res$vi.f, vi))
    man <- mh_manual(measure, ai, bi, ci, di)
    stopifnot(rel_equal(as.numeric(res$beta), man[["est"]]), rel_equal(res$se, man[["se"]]))
    case <- c(base, list(method = "MH", k = k, k_yi = res$k.yi,
                         dropped_from_estimate = I(character(0)),
                         weights_mh = arr(mh_weights(measure, ai, bi, ci, di)),
                         common = mh_common(res, tf), heterogeneity = mh_het(res)))
    if (measure == "OR") {
      res_nc <- suppressWarnings(rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = "OR",
                                        correct = FALSE))
      case$cmh <- list(statistic = num(res$MH), p = num(res$MHp), correct = TRUE,
                       statistic_uncorrected = num(res_nc$MH), p_uncorrected = num(res_nc$MHp),
                       cochran = num(res$CO), cochran_p = num(res$COp),
                       cochran_uncorrected = num(res_nc$CO), cochran_p_uncorrected = num(res_nc$COp))
      case$breslow_day <- list(statistic = num(res$BD), p = num(res$BDp), df = res$k.pos - 1)
      case$tarone <- list(statistic = num(res$TA), p = num(res$TAp), df = res$k.pos - 1,
                          k_pos = res$k.pos)
    }
    if (measure == "RD") {
      case$se_greenland_robins_1985 <- num(sqrt(rd_var_gr1985(ai, bi, ci, di)))
    }
    notes <- character(0)
    if (any(dbl0)) {
      ## metafor keeps double-zero tables in the MH estimate (drop00 = c(TRUE, FALSE));
      ## the same fit with them removed from the estimate as well:
      r2 <- suppressWarnings(rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = measure,
                                    drop00 = c(TRUE, TRUE)))
      man2 <- mh_manual(measure, ai[!dbl0], bi[!dbl0], ci[!dbl0], di[!dbl0])
      stopifnot(rel_equal(as.numeric(r2$beta), man2[["est"]]), rel_equal(r2$se, man2[["se"]]))
      case$common_double_zeros_dropped <- mh_common(r2, tf)
      changed <- !rel_equal(as.numeric(r2$beta), as.numeric(res$beta)) || !rel_equal(r2$se, res$se)
      notes <- c(notes, paste0(
        "Double-zero tables (", paste(lab[dbl0], collapse = ", "), ") are excluded from yi/vi and Q ",
        "(drop00[1] = TRUE) but kept in the MH estimate (metafor default drop00[2] = FALSE); ",
        if (changed) "here they CHANGE the MH estimate/se (see common_double_zeros_dropped)."
        else "here they do not change the MH estimate/se."))
    }
    if (length(notes)) case$note <- paste(notes, collapse = " ")
    if (ds$dataset == "bcg") {
      act <- list(yi = as.numeric(res$beta), lower_t = res$ci.lb, upper_t = res$ci.ub, z = res$zval,
                  q = res$QE, estimate = tf(as.numeric(res$beta)), lower = tf(res$ci.lb),
                  upper = tf(res$ci.ub))
      case$reference <- reference_block(measure, act)
      if (measure == "RD") {
        z_gr <- as.numeric(res$beta) / sqrt(rd_var_gr1985(ai, bi, ci, di))
        stopifnot(abs(round(z_gr, 2) - bcg_reference$RD$stata_z) < 1e-9)
      }
    }
    case$warnings <- I(unique(env$warnings))
    add_case(case)

    ## --- Mantel-Haenszel with continuity correction ---
    ## double-zero tables dropped, +1/2 to all four cells of the remaining
    ## tables with a zero cell; corrected counts passed with add = 0.
    env <- new.env(); env$warnings <- character(0)
    kp <- !dbl0
    cc <- any0 & kp
    ac <- (ai + 0.5 * cc)[kp]; bc <- (bi + 0.5 * cc)[kp]
    cc_ <- (ci + 0.5 * cc)[kp]; dc <- (di + 0.5 * cc)[kp]
    resc <- capture(rma.mh(ai = ac, bi = bc, ci = cc_, di = dc, measure = measure, add = 0), env)
    stopifnot(!inherits(resc, "error"))
    ## same as metafor's own two-element add/to/drop00 on the raw counts
    resb <- suppressWarnings(rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = measure,
                                    add = c(1/2, 1/2), to = c("only0", "only0"),
                                    drop00 = c(TRUE, TRUE)))
    stopifnot(rel_equal(as.numeric(resc$beta), as.numeric(resb$beta)), rel_equal(resc$se, resb$se),
              rel_equal(resc$QE, resb$QE))
    man <- mh_manual(measure, ac, bc, cc_, dc)
    stopifnot(rel_equal(as.numeric(resc$beta), man[["est"]]), rel_equal(resc$se, man[["se"]]))
    ## the escalc values of the corrected tables equal the IV yi/vi
    stopifnot(rel_equal(resc$yi, yi[keep]), rel_equal(resc$vi, vi[keep]))
    case <- c(base, list(method = "MH-cc", k = sum(kp), k_yi = resc$k.yi,
                         dropped_from_estimate = I(lab[dbl0]),
                         corrected = I(lab[cc]),
                         counts_used = lapply(seq_len(sum(kp)), function(j)
                           list(study = lab[kp][j], ai = num(ac[j]), bi = num(bc[j]),
                                ci = num(cc_[j]), di = num(dc[j]))),
                         weights_mh = arr(mh_weights(measure, ac, bc, cc_, dc)),
                         common = mh_common(resc, tf), heterogeneity = mh_het(resc)))
    if (measure == "OR") {
      resc_nc <- suppressWarnings(rma.mh(ai = ac, bi = bc, ci = cc_, di = dc, measure = "OR",
                                         add = 0, correct = FALSE))
      case$cmh <- list(statistic = num(resc$MH), p = num(resc$MHp), correct = TRUE,
                       statistic_uncorrected = num(resc_nc$MH), p_uncorrected = num(resc_nc$MHp),
                       cochran = num(resc$CO), cochran_p = num(resc$COp),
                       cochran_uncorrected = num(resc_nc$CO), cochran_p_uncorrected = num(resc_nc$COp))
      case$breslow_day <- list(statistic = num(resc$BD), p = num(resc$BDp), df = resc$k.pos - 1)
      case$tarone <- list(statistic = num(resc$TA), p = num(resc$TAp), df = resc$k.pos - 1,
                          k_pos = resc$k.pos)
    }
    if (measure == "RD") {
      case$se_greenland_robins_1985 <- num(sqrt(rd_var_gr1985(ac, bc, cc_, dc)))
    }
    if (!any(dbl0) && !any(any0)) case$note <- "no zero cells: identical to MH"
    case$warnings <- I(unique(env$warnings))
    add_case(case)
  }

  ## --- Peto (log OR) ---
  env <- new.env(); env$warnings <- character(0)
  res <- capture(rma.peto(ai = ai, bi = bi, ci = ci, di = di), env)
  stopifnot(!inherits(res, "error"))
  n1 <- ai + bi; n2 <- ci + di; N <- n1 + n2
  E <- (ai + ci) * n1 / N
  V <- (ai + ci) * (bi + di) * n1 * n2 / (N^2 * (N - 1))
  est <- sum(ai - E) / sum(V)
  Qp <- sum(((ai - E)^2 / V)[V > 0]) - sum(ai - E)^2 / sum(V)
  stopifnot(rel_equal(as.numeric(res$beta), est), rel_equal(res$se, 1 / sqrt(sum(V))),
            rel_equal(res$QE, max(0, Qp)))
  escp <- escalc(measure = "PETO", ai = ai, bi = bi, ci = ci, di = di,
                 add = 1/2, to = "only0", drop00 = TRUE)
  stopifnot(rel_equal(res$yi.f, escp$yi), rel_equal(res$vi.f, escp$vi))
  case <- list(dataset = ds$dataset, measure = "OR", method = "Peto", studies = studies_json,
               yi = arr(escp$yi), vi = arr(escp$vi), dropped = I(lab[is.na(escp$yi)]),
               k = k, k_yi = res$k.yi, dropped_from_estimate = I(character(0)),
               o_minus_e = arr(ai - E), expected = arr(E), v_hypergeometric = arr(V),
               common = mh_common(res, exp), heterogeneity = mh_het(res))
  if (any(dbl0)) {
    case$note <- paste0("Double-zero tables (", paste(lab[dbl0], collapse = ", "),
                        ") have O - E = 0 and V = 0: they do not contribute to the estimate or Q;",
                        " Q's df = k_yi - 1 counts only tables with a non-NA escalc('PETO') yi.")
  }
  if (ds$dataset == "bcg") {
    case$reference <- reference_block("PETO", list(
      yi = as.numeric(res$beta), lower_t = res$ci.lb, upper_t = res$ci.ub, z = res$zval,
      q = res$QE, estimate = exp(as.numeric(res$beta)), lower = exp(res$ci.lb), upper = exp(res$ci.ub)))
  }
  case$warnings <- I(unique(env$warnings))
  add_case(case)
}
for (c in two_cases) {
  if (!is.null(c$reference)) stopifnot(isTRUE(c$reference$agrees_when_rounded))
  if (!is.null(c$converged)) stopifnot(isTRUE(c$converged))
}

write_fixture(list(
  generator = "tests/r/metafor_fixtures_comparative.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  level = num(LEVEL),
  control_fit = CTRL_FIT,
  control_confint = CTRL_CI,
  conventions = list(
    table = "ai = responders treatment, bi = n1i - ai, ci = responders comparator, di = n2i - ci",
    yi_vi = paste("escalc(measure, ai, bi, ci, di, add = 1/2, to = 'only0', drop00 = TRUE) for RR, OR and RD:",
                  "tables with any zero cell get +1/2 in all four cells (yi and vi); tables with ai = ci = 0",
                  "or bi = di = 0 are dropped (yi = vi = null, listed in 'dropped').",
                  "RD also gives yi/vi_escalc_default = metafor's escalc default (drop00 = FALSE)."),
    iv = "rma(yi, vi) on the non-dropped tables; same blocks/keys as metafor_pool.json",
    mh = paste("rma.mh(ai, bi, ci, di, measure) with metafor defaults: the MH estimate uses the raw counts",
               "(no correction, double-zero tables kept: add/to/drop00 = c(1/2, 0) / c('only0','none') / c(TRUE, FALSE));",
               "Q uses the escalc yi/vi above; RR/OR on the log scale, RD raw"),
    mh_cc = paste("double-zero tables removed, then +1/2 to all four cells of every remaining table with a zero cell;",
                  "rma.mh(corrected counts, add = 0); equals rma.mh(raw, add = c(1/2, 1/2),",
                  "to = c('only0', 'only0'), drop00 = c(TRUE, TRUE))"),
    peto = "rma.peto(ai, bi, ci, di) with defaults (raw counts); yi/vi = escalc('PETO', add = 1/2, to = 'only0', drop00 = TRUE)",
    scale = "*_t, yi, se, z/stat on the log scale for RR/OR (raw for RD); estimate/lower/upper = exp() for RR/OR, identity for RD"),
  datasets = lapply(two_datasets, function(d) list(
    dataset = d$dataset, description = d$description,
    studies = lapply(d$studies, function(s) list(study = s$study, ai = s$ai, n1i = s$n1i,
                                                 ci = s$ci, n2i = s$n2i)))),
  cases = two_cases), file.path("tests", "fixtures", "metafor_two_arm.json"))
message(length(two_cases), " two-arm cases")
