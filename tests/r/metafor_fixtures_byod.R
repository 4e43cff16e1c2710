#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## "Bring your own data" reference fixtures for alkstats, produced with
## R metafor 3.8-1 (metadat 1.2-0).
##
## Run from the repository root:
##     Rscript tests/r/metafor_fixtures_byod.R
##
## Writes
##     tests/inputs/byod/*.csv|*.tsv   user-style input files (own column names,
##                                     ',', ';' and TAB delimiters, one UTF-8 BOM)
##     tests/fixtures/metafor_byod.json
##
## Every analysis is computed from the data as *read back from the written
## file* (read.table with the file's delimiter/encoding), and the script asserts
## that the read-back values equal the source data (metadat or the made-up
## tables below) exactly.  Numbers in the input files are written with the
## shortest of %.15g/%.16g/%.17g that round-trips the double, so a Rust parser
## reads bit-identical inputs.
##
## See "Bring your own data (metafor_fixtures_byod.R)" in tests/r/README.md.
## The JSON number writer is the one of tests/r/metafor_fixtures.R.
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
  library(xml2)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/metafor_fixtures_byod.R")
}
INPUT_DIR <- file.path("tests", "inputs", "byod")
dir.create(INPUT_DIR, showWarnings = FALSE, recursive = TRUE)
dir.create(file.path("tests", "fixtures"), showWarnings = FALSE, recursive = TRUE)
REVMAN_FILE <- "/work/shared/data/revman/synthetic_review.rm5"

if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("fixtures are meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}

LEVEL <- 0.95
## Same tight control settings as tests/r/metafor_fixtures.R.
CTRL_FIT <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
CTRL_CI <- list(tol = 1e-12, maxiter = 10000)

## ---------------------------------------------------------------------------
## JSON helpers (identical to tests/r/metafor_fixtures.R)
## ---------------------------------------------------------------------------
source("tests/r/json_numbers.R")  # fmt_num
num <- function(v) {
  if (is.null(v) || length(v) == 0) return(structure("null", class = "json"))
  stopifnot(length(v) == 1)
  structure(fmt_num(unname(v)), class = "json")
}
arr <- function(v) {
  structure(paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]"), class = "json")
}
write_fixture <- function(x, path) {
  txt <- toJSON(x, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE,
                na = "null", null = "null")
  writeLines(enc2utf8(txt), path, useBytes = TRUE)
  invisible(fromJSON(path, simplifyVector = FALSE))
  message("wrote ", path)
}
scalar_or_na <- function(x) {
  if (is.null(x) || length(x) == 0) return(NA_real_)
  x <- as.numeric(x[1])
  if (!is.finite(x)) NA_real_ else x
}
capture <- function(expr, env) {
  withCallingHandlers(expr,
    warning = function(w) {
      env$warnings <- c(env$warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
}
rel_equal <- function(a, b, tol = 1e-12) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (length(a) != length(b) || !identical(is.na(a), is.na(b))) return(FALSE)
  ok <- !is.na(a)
  isTRUE(all(abs(a[ok] - b[ok]) <= tol * pmax(1, abs(a[ok]), abs(b[ok]))))
}
check <- function(cond, msg) if (!isTRUE(cond)) stop("cross-check failed: ", msg)

## ---------------------------------------------------------------------------
## Input files as a user would write them
## ---------------------------------------------------------------------------
csv_field <- function(x, sep) {
  if (is.numeric(x)) return(fmt_num(x))
  x <- as.character(x)
  needs <- grepl(sep, x, fixed = TRUE) | grepl("\"", x, fixed = TRUE) | grepl("\n", x, fixed = TRUE)
  ifelse(needs, paste0("\"", gsub("\"", "\"\"", x, fixed = TRUE), "\""), x)
}
## df: data.frame with the user's column names; sep: ",", ";" or "\t"
write_user_file <- function(df, file, sep = ",", bom = FALSE) {
  path <- file.path(INPUT_DIR, file)
  cols <- lapply(df, csv_field, sep = sep)
  lines <- c(paste(csv_field(names(df), sep), collapse = sep),
             do.call(paste, c(cols, sep = sep)))
  txt <- enc2utf8(paste0(paste(lines, collapse = "\n"), "\n"))
  bytes <- c(if (bom) as.raw(c(0xEF, 0xBB, 0xBF)), charToRaw(txt))
  con <- file(path, "wb"); writeBin(bytes, con); close(con)
  back <- read.table(path, header = TRUE, sep = sep, quote = "\"", comment.char = "",
                     check.names = FALSE, stringsAsFactors = FALSE, na.strings = character(0),
                     fileEncoding = if (bom) "UTF-8-BOM" else "UTF-8", encoding = "UTF-8")
  check(identical(names(back), names(df)), paste("header of", path))
  for (nm in names(df)) {
    if (is.numeric(df[[nm]])) check(identical(as.numeric(back[[nm]]), as.numeric(df[[nm]])),
                                    paste("column", nm, "of", path))
    else check(identical(enc2utf8(back[[nm]]), enc2utf8(as.character(df[[nm]]))),
               paste("column", nm, "of", path))
  }
  list(path = path, data = back,
       format = list(delimiter = sep, encoding = "UTF-8", bom = bom, decimal = ".",
                     header = TRUE, line_ending = "\n", quote = "\""))
}

## ---------------------------------------------------------------------------
## Output blocks
## ---------------------------------------------------------------------------
## full-length vector with NA at omitted positions
expand <- function(v, mask) { out <- rep(NA_real_, length(mask)); out[mask] <- v; out }

bt_triplet <- function(est, lb, ub, tf, targs) {
  if (is.null(tf)) return(NULL)
  f <- function(z) if (is.na(z)) NA_real_ else if (is.null(targs)) tf(z) else tf(z, targs)
  list(estimate = num(f(est)), ci_lb = num(f(lb)), ci_ub = num(f(ub)))
}
common_block <- function(fe, tf, targs) {
  list(estimate = num(fe$beta[1]), se = num(fe$se), ci_lb = num(fe$ci.lb), ci_ub = num(fe$ci.ub),
       zval = num(fe$zval), pval = num(fe$pval),
       bt = bt_triplet(fe$beta[1], fe$ci.lb, fe$ci.ub, tf, targs))
}
random_block <- function(re, tf, targs) {
  isT <- re$test %in% c("knha", "t", "adhoc")
  out <- list(estimate = num(re$beta[1]), se = num(re$se), ci_lb = num(re$ci.lb),
              ci_ub = num(re$ci.ub), stat = num(re$zval), stat_dist = if (isT) "t" else "z",
              df = if (isT) re$ddf[[1]] else NA, pval = num(re$pval))
  if (identical(re$test, "knha")) out$s2w <- num(re$s2w)
  out$bt <- bt_triplet(re$beta[1], re$ci.lb, re$ci.ub, tf, targs)
  out
}
prediction_block <- function(re, tf, targs) {
  pr <- predict(re)
  isT <- re$test %in% c("knha", "t", "adhoc")
  crit <- if (isT) qt(1 - (1 - LEVEL) / 2, re$k - 1) else qnorm(1 - (1 - LEVEL) / 2)
  half <- crit * sqrt(re$se^2 + re$tau2)
  check(rel_equal(c(pr$pi.lb, pr$pi.ub), c(re$beta[1] - half, re$beta[1] + half)), "PI formula")
  out <- list(pi_lb = num(pr$pi.lb), pi_ub = num(pr$pi.ub), dist = if (isT) "t" else "z",
              df = if (isT) re$k - 1 else NA)
  if (!is.null(tf)) {
    prb <- if (is.null(targs)) predict(re, transf = tf) else predict(re, transf = tf, targs = targs)
    out$bt <- list(pi_lb = num(prb$pi.lb), pi_ub = num(prb$pi.ub))
  }
  out
}
heterogeneity_block <- function(re, env) {
  q <- re$QE; df <- re$k - 1
  ci <- capture(confint(re, control = CTRL_CI), env)
  r <- ci$random
  list(q = num(q), df = df, q_pval = num(re$QEp),
       tau2 = num(re$tau2), tau2_ci_lb = num(r["tau^2", "ci.lb"]), tau2_ci_ub = num(r["tau^2", "ci.ub"]),
       tau2_ci_lb_sign = ci$lb.sign, tau2_ci_ub_sign = ci$ub.sign, se_tau2 = num(re$se.tau2),
       tau = num(sqrt(re$tau2)), tau_ci_lb = num(r["tau", "ci.lb"]), tau_ci_ub = num(r["tau", "ci.ub"]),
       i2_tau = num(re$I2), i2_tau_ci_lb = num(r["I^2(%)", "ci.lb"]), i2_tau_ci_ub = num(r["I^2(%)", "ci.ub"]),
       h2_tau = num(re$H2), h2_tau_ci_lb = num(r["H^2", "ci.lb"]), h2_tau_ci_ub = num(r["H^2", "ci.ub"]),
       i2 = num(if (df > 0) max(0, (q - df) / q) * 100 else NA),
       h2 = num(if (df > 0) q / df else NA))
}

## ---------------------------------------------------------------------------
## Inverse-variance cases.  `call` builds the rma() call from method/test; the
## same call with method = "EE" gives the common-effect block.
## ---------------------------------------------------------------------------
cases <- list()
add_case <- function(x) cases[[length(cases) + 1]] <<- x

iv_case <- function(ds, kind, settings, fit_fun, call_txt, tf = NULL, tf_name = "none",
                    targs = NULL, extra = list()) {
  env <- new.env(); env$warnings <- character(0)
  fe <- capture(fit_fun("EE", "z"), env)
  re <- capture(fit_fun(settings$method_tau, settings$test), env)
  check(isTRUE(all.equal(fe$not.na, re$not.na)), "same studies in EE and RE fits")
  mask <- re$not.na
  k_all <- length(mask)
  id <- paste(ds$name, settings$measure, paste0("IV-", settings$method_tau), settings$test, sep = "_")
  c(list(id = id, kind = kind, dataset = ds$name, source = ds$source, input_file = ds$path,
         file_format = ds$format, columns = ds$columns,
         settings = c(list(method = "IV"), settings, list(level = LEVEL)),
         r_call = call_txt, backtransform = tf_name,
         studlab = I(ds$studlab), k_all = k_all, k = re$k,
         dropped = I(ds$studlab[!mask]),
         yi = arr(re$yi.f), vi = arr(re$vi.f)),
    extra,
    list(weights_common = arr(expand(weights(fe), mask)),
         weights_random = arr(expand(weights(re), mask)),
         common = common_block(fe, tf, targs),
         random = random_block(re, tf, targs),
         heterogeneity = heterogeneity_block(re, env),
         prediction = prediction_block(re, tf, targs),
         warnings = I(unique(env$warnings))))
}

col_str <- function(columns) paste(sprintf("%s = `%s`", names(columns), unlist(columns)), collapse = ", ")

## ===========================================================================
## 1. Binary, wide format
## ===========================================================================
bcg <- dat.bcg
bcg_label <- paste(bcg$author, bcg$year)
bin_sources <- list()

f <- write_user_file(data.frame(Trial = bcg_label, Year = bcg$year, Allocation = bcg$alloc,
                                Events_T = bcg$tpos, N_T = bcg$tpos + bcg$tneg,
                                Events_C = bcg$cpos, N_C = bcg$cpos + bcg$cneg, check.names = FALSE),
                     "bcg_vaccine.csv")
bin_sources$bcg <- list(name = "bcg", source = "metadat::dat.bcg (ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg)",
                        file = f, columns = list(studlab = "Trial", event.e = "Events_T", n.e = "N_T",
                                                 event.c = "Events_C", n.c = "N_C"))

eg <- dat.egger2001
f <- write_user_file(data.frame(study = paste(eg$study, eg$year), ai = eg$ai, n1i = eg$n1i,
                                ci = eg$ci, n2i = eg$n2i),
                     "magnesium_mi.csv", sep = ";")
bin_sources$egger2001 <- list(name = "egger2001", source = "metadat::dat.egger2001 (magnesium after myocardial infarction)",
                              file = f, columns = list(studlab = "study", event.e = "ai", n.e = "n1i",
                                                       event.c = "ci", n.c = "n2i"))

yu <- dat.yusuf1985[dat.yusuf1985$table == "6", ]
yu <- yu[!is.na(yu$ai), ]                      # "Snow 1" has no data in table 6
yu_lab <- yu$trial
yu_lab[yu_lab == "Barber"] <- c("Barber (a)", "Barber (b)")
f <- write_user_file(data.frame(studlab = yu_lab, event.e = yu$ai, n.e = yu$n1i,
                                event.c = yu$ci, n.c = yu$n2i, check.names = FALSE),
                     "betablockers_yusuf1985.csv")
bin_sources$yusuf1985 <- list(name = "yusuf1985",
                              source = paste("metadat::dat.yusuf1985, table 6 (beta blockers, short-term mortality),",
                                             "row 'Snow 1' (no data) removed; the two 'Barber' trials labelled (a)/(b);",
                                             "contains 3 double-zero trials (Pitt, Hutton, Yusuf)"),
                              file = f, columns = list(studlab = "studlab", event.e = "event.e", n.e = "n.e",
                                                       event.c = "event.c", n.c = "n.c"))

nw <- dat.nielweise2007
nw_lab <- paste(sub("^Yucel$", "Y\u00fccel", nw$author), nw$year)
f <- write_user_file(data.frame(`Trial name` = nw_lab,
                                `Infections (anti-infective catheter)` = nw$ai,
                                `Patients (anti-infective catheter)` = nw$n1i,
                                `Infections (standard catheter)` = nw$ci,
                                `Patients (standard catheter)` = nw$n2i, check.names = FALSE),
                     "catheter_infections.csv", bom = TRUE)
bin_sources$nielweise2007 <- list(name = "nielweise2007",
                                  source = paste("metadat::dat.nielweise2007 (author 'Yucel' written 'Y\u00fccel');",
                                                 "zero cells in 6 trials, one double zero (Y\u00fccel 2004: 0/118 vs 0/105)"),
                                  file = f, columns = list(studlab = "Trial name",
                                                           event.e = "Infections (anti-infective catheter)",
                                                           n.e = "Patients (anti-infective catheter)",
                                                           event.c = "Infections (standard catheter)",
                                                           n.c = "Patients (standard catheter)"))

ds_from <- function(s) {
  d <- s$file$data
  list(name = s$name, source = s$source, path = s$file$path, format = s$file$format,
       columns = s$columns, studlab = d[[s$columns$studlab]], data = d)
}
get_col <- function(ds, role) as.numeric(ds$data[[ds$columns[[role]]]])

for (s in bin_sources) {
  ds <- ds_from(s)
  ai <- get_col(ds, "event.e"); n1i <- get_col(ds, "n.e")
  ci <- get_col(ds, "event.c"); n2i <- get_col(ds, "n.c")
  for (measure in c("OR", "RR", "RD")) {
    tf <- if (measure == "RD") NULL else exp
    tfn <- if (measure == "RD") "none" else "exp"
    for (m in c("REML", "DL")) for (test in c("z", "knha")) {
      fit_fun <- function(method, test) {
        rma(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = TRUE,
            method = method, test = test, control = CTRL_FIT)
      }
      call_txt <- sprintf(paste0("rma(measure = \"%s\", ai = event.e, n1i = n.e, ci = event.c, n2i = n.c, ",
                                 "add = 1/2, to = \"only0\", drop00 = TRUE, method = \"%s\", test = \"%s\", ",
                                 "control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)); ",
                                 "common: same with method = \"EE\", test = \"z\"; confint(res, control = list(tol = 1e-12, maxiter = 10000)); ",
                                 "predict(res%s)"),
                          measure, m, test, if (is.null(tf)) "" else ", transf = exp")
      add_case(iv_case(ds, "binary", list(measure = measure, method_tau = m, test = test),
                       fit_fun, call_txt, tf, tfn))
    }
    ## Mantel-Haenszel with metafor's defaults
    env <- new.env(); env$warnings <- character(0)
    mh <- capture(rma.mh(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i), env)
    mask <- !is.na(mh$yi.f)
    add_case(list(
      id = paste(ds$name, measure, "MH", sep = "_"), kind = "binary", dataset = ds$name,
      source = ds$source, input_file = ds$path, file_format = ds$format, columns = ds$columns,
      settings = list(method = "MH", measure = measure, level = LEVEL),
      r_call = sprintf(paste0("rma.mh(measure = \"%s\", ai = event.e, n1i = n.e, ci = event.c, n2i = n.c) ",
                              "(defaults: add = c(1/2, 0), to = c(\"only0\", \"none\"), drop00 = c(TRUE, FALSE), ",
                              "correct = TRUE); weights(res)"), measure),
      backtransform = tfn, studlab = I(ds$studlab), k_all = length(ai), k = mh$k, k_yi = mh$k.yi,
      dropped = I(ds$studlab[!mask]),
      yi = arr(mh$yi.f), vi = arr(mh$vi.f),
      weights_mh = arr(weights(mh)),
      pooled = list(estimate = num(mh$beta[1]), se = num(mh$se), ci_lb = num(mh$ci.lb),
                    ci_ub = num(mh$ci.ub), zval = num(mh$zval), pval = num(mh$pval),
                    bt = bt_triplet(mh$beta[1], mh$ci.lb, mh$ci.ub, tf, NULL)),
      heterogeneity = list(q = num(mh$QE), df = mh$k.yi - 1, q_pval = num(mh$QEp),
                           i2 = num(mh$I2), h2 = num(mh$H2)),
      warnings = I(unique(env$warnings))))
  }
  ## Peto (OR only)
  env <- new.env(); env$warnings <- character(0)
  pt <- capture(rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i), env)
  mask <- !is.na(pt$yi.f)
  add_case(list(
    id = paste(ds$name, "OR", "Peto", sep = "_"), kind = "binary", dataset = ds$name,
    source = ds$source, input_file = ds$path, file_format = ds$format, columns = ds$columns,
    settings = list(method = "Peto", measure = "OR", level = LEVEL),
    r_call = paste0("rma.peto(ai = event.e, n1i = n.e, ci = event.c, n2i = n.c) (defaults: add = c(1/2, 0), ",
                    "to = c(\"only0\", \"none\"), drop00 = c(TRUE, FALSE)); weights(res)"),
    backtransform = "exp", studlab = I(ds$studlab), k_all = length(ai), k = pt$k, k_yi = pt$k.yi,
    dropped = I(ds$studlab[!mask]),
    yi = arr(pt$yi.f), vi = arr(pt$vi.f),
    weights_peto = arr(weights(pt)),
    pooled = list(estimate = num(pt$beta[1]), se = num(pt$se), ci_lb = num(pt$ci.lb),
                  ci_ub = num(pt$ci.ub), zval = num(pt$zval), pval = num(pt$pval),
                  bt = bt_triplet(pt$beta[1], pt$ci.lb, pt$ci.ub, exp, NULL)),
    heterogeneity = list(q = num(pt$QE), df = pt$k.yi - 1, q_pval = num(pt$QEp),
                         i2 = num(pt$I2), h2 = num(pt$H2)),
    warnings = I(unique(env$warnings))))
}

## ===========================================================================
## 2. Continuous
## ===========================================================================
nm <- dat.normand1999
f <- write_user_file(data.frame(Study = paste0(nm$source, " (", nm$study, ")"),
                                Mean_T = nm$m1i, SD_T = nm$sd1i, N_T = nm$n1i,
                                Mean_C = nm$m2i, SD_C = nm$sd2i, N_C = nm$n2i),
                     "stroke_units_los.tsv", sep = "\t")
cont_sources <- list(list(name = "normand1999", measures = c("MD", "SMD"),
  source = "metadat::dat.normand1999 (length of hospital stay, days; specialist stroke unit vs general ward)",
  file = f, columns = list(studlab = "Study", mean.e = "Mean_T", sd.e = "SD_T", n.e = "N_T",
                           mean.c = "Mean_C", sd.c = "SD_C", n.c = "N_C")))

cu <- dat.curtis1998
## some metadat doubles carry binary noise (6.8168999999999995 for 6.8169): write what a
## user's spreadsheet would hold, 10 significant digits
for (v in c("m1i", "sd1i", "m2i", "sd2i")) cu[[v]] <- signif(cu[[v]], 10)
cap1 <- function(x) paste0(toupper(substr(x, 1, 1)), tolower(substring(x, 2)))
cu_lab <- sprintf("%s %s #%d", cap1(cu$genus), tolower(cu$species), cu$id)
f <- write_user_file(data.frame(studlab = cu_lab, paper = cu$paper, genus = cap1(cu$genus),
                                n.e = cu$n1i, mean.e = cu$m1i, sd.e = cu$sd1i,
                                n.c = cu$n2i, mean.c = cu$m2i, sd.c = cu$sd2i, check.names = FALSE),
                     "co2_plant_biomass.csv")
cont_sources[[2]] <- list(name = "curtis1998", measures = "ROM",
  source = "metadat::dat.curtis1998 (woody plant biomass, elevated vs ambient CO2), means/SDs rounded to 10 significant digits; label = Genus species #id",
  file = f, columns = list(studlab = "studlab", mean.e = "mean.e", sd.e = "sd.e", n.e = "n.e",
                           mean.c = "mean.c", sd.c = "sd.c", n.c = "n.c"))

for (s in cont_sources) {
  ds <- ds_from(s)
  m1i <- get_col(ds, "mean.e"); sd1i <- get_col(ds, "sd.e"); n1i <- get_col(ds, "n.e")
  m2i <- get_col(ds, "mean.c"); sd2i <- get_col(ds, "sd.c"); n2i <- get_col(ds, "n.c")
  for (measure in s$measures) {
    tf <- if (measure == "ROM") exp else NULL
    tfn <- if (measure == "ROM") "exp" else "none"
    es <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                 n2i = n2i, vtype = "LS")
    for (m in c("REML", "DL")) for (test in c("z", "knha")) {
      fit_fun <- function(method, test) {
        rma(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
            method = method, test = test, control = CTRL_FIT)
      }
      call_txt <- sprintf(paste0("rma(measure = \"%s\", m1i = mean.e, sd1i = sd.e, n1i = n.e, m2i = mean.c, ",
                                 "sd2i = sd.c, n2i = n.c, method = \"%s\", test = \"%s\", ",
                                 "control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)) ",
                                 "(vtype = \"LS\" default%s); common: method = \"EE\", test = \"z\"; ",
                                 "confint(res, control = list(tol = 1e-12, maxiter = 10000)); predict(res%s)"),
                          measure, m, test,
                          if (measure == "SMD") "; SMD = Hedges' g with the exact bias correction J(m) = gamma(m/2)/(sqrt(m/2)*gamma((m-1)/2)), m = n1i+n2i-2" else "",
                          if (is.null(tf)) "" else ", transf = exp")
      case <- iv_case(ds, "continuous", list(measure = measure, method_tau = m, test = test),
                      fit_fun, call_txt, tf, tfn)
      check(rel_equal(fromJSON(unclass(case$yi)), es$yi, 0) && rel_equal(fromJSON(unclass(case$vi)), es$vi, 0),
            "rma(measure=...) yi/vi equal escalc(vtype = 'LS')")
      add_case(case)
    }
  }
}

## ===========================================================================
## 3. Generic inverse variance
## ===========================================================================
es_bcg <- escalc(measure = "RR", ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg)
f <- write_user_file(data.frame(Trial = bcg_label, logRR = as.numeric(es_bcg$yi),
                                SE = sqrt(as.numeric(es_bcg$vi))),
                     "bcg_logrr_generic.csv")
gen_sources <- list(list(name = "bcg_logrr", input = "te_se",
  source = "metadat::dat.bcg, TE = escalc('RR')$yi, seTE = sqrt(vi), written with round-trip precision",
  file = f, columns = list(studlab = "Trial", TE = "logRR", seTE = "SE")))

## Made-up hazard ratios with 95 % CIs, rounded to two decimals as in publications.
hr <- data.frame(Study = c("Tanaka, Sato 2012", "Lindqvist 2014", "\u00d8stergaard 2015", "Moreau 2016",
                           "O'Brien 2017", "Kowalski 2019", "Nguyen 2021"),
                 HR = c(0.72, 0.85, 0.61, 1.04, 0.77, 0.58, 0.91),
                 lo = c(0.55, 0.70, 0.41, 0.80, 0.62, 0.39, 0.74),
                 hi = c(0.94, 1.03, 0.91, 1.35, 0.96, 0.86, 1.12))
names(hr) <- c("Study", "HR", "Lower 95% CI", "Upper 95% CI")
f <- write_user_file(hr, "hazard_ratios_ci.csv")
gen_sources[[2]] <- list(name = "hr_ci", input = "ratio_ci",
  source = "made up (illustrative): hazard ratios with 95 % CIs, two decimals; one label contains a comma (quoted field)",
  file = f, columns = list(studlab = "Study", TE = "HR", lower = "Lower 95% CI", upper = "Upper 95% CI"))

for (s in gen_sources) {
  ds <- ds_from(s)
  extra <- list()
  if (s$input == "te_se") {
    yi <- get_col(ds, "TE"); sei <- get_col(ds, "seTE")
    conv <- "TE and seTE used as given"
    tf <- exp; tfn <- "exp"
  } else {
    est <- get_col(ds, "TE"); lo <- get_col(ds, "lower"); hi <- get_col(ds, "upper")
    zc <- qnorm(1 - (1 - LEVEL) / 2)
    yi <- log(est); sei <- (log(hi) - log(lo)) / (2 * zc)
    conv <- paste("ratio scale input: TE = log(HR), seTE = (log(upper) - log(lower)) / (2 * qnorm(0.975))",
                  "(R meta: metagen(TE = log(HR), lower = log(lower), upper = log(upper)), level.ci = 0.95)")
    tf <- exp; tfn <- "exp"
    extra <- list(sei = arr(sei), z_crit = num(zc), ci_level_of_input = LEVEL)
  }
  for (m in c("REML", "DL")) for (test in c("z", "knha")) {
    fit_fun <- function(method, test) rma(yi = yi, sei = sei, method = method, test = test, control = CTRL_FIT)
    call_txt <- sprintf(paste0("rma(yi = TE, sei = seTE, method = \"%s\", test = \"%s\", ",
                               "control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)); %s; ",
                               "common: method = \"EE\", test = \"z\"; confint(res, control = list(tol = 1e-12, maxiter = 10000)); ",
                               "predict(res, transf = exp)"), m, test, conv)
    add_case(iv_case(ds, "generic", list(measure = if (s$input == "te_se") "RR" else "HR",
                                         input = s$input, method_tau = m, test = test),
                     fit_fun, call_txt, tf, tfn, extra = extra))
  }
}

## ===========================================================================
## 4. Single proportions
## ===========================================================================
pr <- dat.pritz1997
f <- write_user_file(data.frame(Authors = pr$authors, Responders = pr$xi, Patients = pr$ni),
                     "prop_pritz1997.csv")
ds <- ds_from(list(name = "pritz1997",
                   source = "metadat::dat.pritz1997 (contains studies with x = n)",
                   file = f, columns = list(studlab = "Authors", event = "Responders", n = "Patients")))
xi <- get_col(ds, "event"); ni <- get_col(ds, "n")
for (measure in c("PLO", "PFT")) for (test in c("z", "knha")) {
  fit_fun <- function(method, test) rma(measure = measure, xi = xi, ni = ni, method = method, test = test,
                                        control = CTRL_FIT)
  if (measure == "PLO") {
    tf <- transf.ilogit; targs <- NULL; tfn <- "transf.ilogit"
    note <- "escalc default add = 1/2, to = \"only0\" (x = 0 or x = n: x + 0.5, n + 1)"
  } else {
    tf <- transf.ipft.hm; targs <- list(ni = ni); tfn <- "transf.ipft.hm(targs = list(ni = all ni))"
    note <- "no continuity correction for PFT (metafor sets add = 0)"
  }
  call_txt <- sprintf(paste0("rma(measure = \"%s\", xi = event, ni = n, method = \"REML\", test = \"%s\", ",
                             "control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)) (%s); ",
                             "common: method = \"EE\", test = \"z\"; confint(res, control = list(tol = 1e-12, maxiter = 10000)); ",
                             "predict(res, transf = %s)"), measure, test, note, tfn)
  add_case(iv_case(ds, "proportion", list(measure = measure, method_tau = "REML", test = test),
                   fit_fun, call_txt, tf, tfn, targs,
                   extra = if (measure == "PFT") list(n_harmonic = num(1 / mean(1 / ni))) else list()))
}

## ---------------------------------------------------------------------------
## Sanity checks against well-known values
## ---------------------------------------------------------------------------
getc <- function(id) { for (c in cases) if (c$id == id) return(c); stop("no case ", id) }
jn <- function(x) fromJSON(unclass(x))
c1 <- getc("bcg_RR_IV-REML_z")
check(abs(jn(c1$random$estimate) - (-0.7145323)) < 1e-6, "dat.bcg REML log RR -0.7145")
check(abs(jn(c1$heterogeneity$tau2) - 0.3132433) < 1e-6, "dat.bcg REML tau2 0.3132")
c2 <- getc("bcg_logrr_RR_IV-REML_z")
check(rel_equal(jn(c1$random$estimate), jn(c2$random$estimate), 1e-9), "generic bcg = binary bcg (REML)")
c3 <- getc("normand1999_MD_IV-DL_z")
local({  # hand-computed DL on the LS mean differences (m1 - m2, sd1^2/n1 + sd2^2/n2)
  y <- nm$m1i - nm$m2i; v <- nm$sd1i^2 / nm$n1i + nm$sd2i^2 / nm$n2i; w <- 1 / v
  q <- sum(w * (y - sum(w * y) / sum(w))^2)
  t2 <- max(0, (q - (length(y) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  wr <- 1 / (v + t2)
  check(rel_equal(jn(c3$random$estimate), sum(wr * y) / sum(wr), 1e-10) &&
        rel_equal(jn(c3$heterogeneity$tau2), t2, 1e-10), "normand DL MD by hand")
})
check(abs(jn(getc("bcg_RR_MH")$pooled$estimate) - (-0.4537)) < 1e-4, "bcg MH RR (metan -0.4537)")
check(abs(jn(getc("bcg_OR_Peto")$pooled$estimate) - (-0.4744)) < 1e-4, "bcg Peto OR (metan -0.4744)")

## ===========================================================================
## 5. RevMan example (synthetic_review.rm5), everything read from the XML
## ===========================================================================
doc <- read_xml(REVMAN_FILE)
st <- xml_find_all(doc, "//INCLUDED_STUDIES/STUDY")
study_name <- setNames(xml_attr(st, "NAME"), xml_attr(st, "ID"))
attr_num <- function(nodes, a) as.numeric(xml_attr(nodes, a))

rv_fe_block <- function(fit, tf) {
  c(list(estimate = num(fit$beta[1]), se = num(fit$se), ci_lb = num(fit$ci.lb), ci_ub = num(fit$ci.ub),
         zval = num(fit$zval), pval = num(fit$pval)),
    if (!is.null(tf)) list(bt = bt_triplet(fit$beta[1], fit$ci.lb, fit$ci.ub, tf, NULL)))
}
rv_het <- function(q, df, qp) list(chi2 = num(q), df = df, pval = num(qp),
                                   i2 = num(if (df > 0) max(0, (q - df) / q) * 100 else NA))
rv_dl <- function(fit, tf) {
  c(rv_fe_block(fit, tf), list(tau2 = num(fit$tau2)))
}

## Outcome 1.1: dichotomous, RR, MH, random effects, three subgroups
o11 <- xml_find_first(doc, "//COMPARISON[@NO='1']/DICH_OUTCOME[@NO='1']")
sgs <- xml_find_all(o11, "DICH_SUBGROUP")
rows11 <- do.call(rbind, lapply(sgs, function(sg) {
  d <- xml_find_all(sg, "DICH_DATA")
  data.frame(subgroup = xml_text(xml_find_first(sg, "NAME")),
             study = unname(study_name[xml_attr(d, "STUDY_ID")]),
             ai = attr_num(d, "EVENTS_1"), n1i = attr_num(d, "TOTAL_1"),
             ci = attr_num(d, "EVENTS_2"), n2i = attr_num(d, "TOTAL_2"), stringsAsFactors = FALSE)
}))
## the file is built from dat.bcg: assert
mt <- match(rows11$ai * 1e7 + rows11$n1i, bcg$tpos * 1e7 + bcg$tpos + bcg$tneg)
check(!anyNA(mt) && all(rows11$ci == bcg$cpos[mt]) && all(rows11$n2i == bcg$cpos[mt] + bcg$cneg[mt]),
      "RevMan outcome 1.1 equals dat.bcg")
check(all(tolower(substr(rows11$subgroup, 1, 5)) == substr(bcg$alloc[mt], 1, 5)), "subgroups = dat.bcg$alloc")

analyse_11 <- function(d) {
  mh <- rma.mh(measure = "RR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)
  dl <- rma(measure = "RR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i, method = "DL")
  ## RevMan 5 (and R meta with Q.Cochrane = TRUE): DL tau^2 from Q around the MH estimate
  es <- escalc(measure = "RR", ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)
  w <- 1 / es$vi
  q_mh <- sum(w * (es$yi - mh$beta[1])^2)
  check(rel_equal(q_mh, mh$QE), "rma.mh QE = sum w (yi - MH)^2")
  tau2_rm <- max(0, (q_mh - (length(w) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  rm <- rma(es$yi, es$vi, tau2 = tau2_rm, method = "DL")
  list(studies = I(d$study), k = nrow(d),
       events_e = sum(d$ai), total_e = sum(d$n1i), events_c = sum(d$ci), total_c = sum(d$n2i),
       yi = arr(es$yi), vi = arr(es$vi),
       weights_mh = arr(weights(mh)), weights_random_dl = arr(weights(dl)),
       weights_random_revman = arr(weights(rm)),
       mh = rv_fe_block(mh, exp), heterogeneity = rv_het(mh$QE, mh$k.yi - 1, mh$QEp),
       random_dl = c(rv_dl(dl, exp), list(q_iv = num(dl$QE), i2_tau = num(dl$I2))),
       random_dl_revman = c(rv_dl(rm, exp), list(q_mh = num(q_mh))))
}
sub_names <- unique(rows11$subgroup)
res11 <- list(overall = analyse_11(rows11))
res11$subgroups <- lapply(sub_names, function(g) c(list(name = g), analyse_11(rows11[rows11$subgroup == g, ])))
## test for subgroup differences (RevMan 5: chi^2 of the subgroup estimates with
## their SEs, i.e. rma(yi = subgroup estimates, sei = subgroup SEs, method = "FE")$QE)
sg_test <- function(field) {
  yi <- sapply(res11$subgroups, function(g) jn(g[[field]]$estimate))
  se <- sapply(res11$subgroups, function(g) jn(g[[field]]$se))
  t <- rma(yi = yi, sei = se, method = "FE")
  rv_het(t$QE, t$k - 1, t$QEp)
}
res11$subgroup_differences <- list(mh = sg_test("mh"), random_dl = sg_test("random_dl"),
                                   random_dl_revman = sg_test("random_dl_revman"))
o11_attr <- as.list(xml_attrs(o11))

## Outcome 2.1: continuous, MD, fixed effect (inverse variance)
o21 <- xml_find_first(doc, "//COMPARISON[@NO='2']/CONT_OUTCOME[@NO='1']")
d21 <- xml_find_all(o21, "CONT_DATA")
rows21 <- data.frame(study = unname(study_name[xml_attr(d21, "STUDY_ID")]),
                     m1i = attr_num(d21, "MEAN_1"), sd1i = attr_num(d21, "SD_1"), n1i = attr_num(d21, "TOTAL_1"),
                     m2i = attr_num(d21, "MEAN_2"), sd2i = attr_num(d21, "SD_2"), n2i = attr_num(d21, "TOTAL_2"),
                     stringsAsFactors = FALSE)
check(all(as.matrix(rows21[, -1]) == as.matrix(nm[, c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")])),
      "RevMan outcome 2.1 equals dat.normand1999")
fe21 <- rma(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
            data = rows21, method = "FE")
res21 <- list(studies = I(rows21$study), k = nrow(rows21), yi = arr(fe21$yi), vi = arr(fe21$vi),
              weights_common = arr(weights(fe21)), common = rv_fe_block(fe21, NULL),
              heterogeneity = rv_het(fe21$QE, fe21$k - 1, fe21$QEp))

## Outcome 2.2: generic inverse variance, log OR + SE read from the file
o22 <- xml_find_first(doc, "//COMPARISON[@NO='2']/IV_OUTCOME[@NO='2']")
d22 <- xml_find_all(o22, "IV_DATA")
check(identical(xml_attr(o22, "LOG_DATA"), "YES"), "outcome 2.2 has LOG_DATA = YES")
rows22 <- data.frame(study = unname(study_name[xml_attr(d22, "STUDY_ID")]),
                     yi = attr_num(d22, "EFFECT_SIZE"), sei = attr_num(d22, "SE"), stringsAsFactors = FALSE)
check(nrow(rows22) == 6 && !anyNA(rows22$yi) && !anyNA(rows22$sei), "six log ORs with SEs")
fe22 <- rma(yi = rows22$yi, sei = rows22$sei, method = "FE")
dl22 <- rma(yi = rows22$yi, sei = rows22$sei, method = "DL")
res22 <- list(studies = I(rows22$study), k = nrow(rows22), yi = arr(rows22$yi), sei = arr(rows22$sei),
              weights_common = arr(weights(fe22)), weights_random = arr(weights(dl22)),
              common = rv_fe_block(fe22, exp), random_dl = rv_dl(dl22, exp),
              heterogeneity = rv_het(fe22$QE, fe22$k - 1, fe22$QEp))

revman <- list(
  file = "/work/shared/data/revman/synthetic_review.rm5 (ISO-8859-1 XML; not in the repository)",
  parsed_with = paste0("xml2 ", as.character(packageVersion("xml2")),
                       "; study names from INCLUDED_STUDIES/STUDY/@NAME via STUDY_ID"),
  notes = paste(
    "RevMan-style results computed with metafor from the data read out of the .rm5 file.",
    "Outcome 1.1: `mh` = rma.mh(measure = 'RR') (Greenland-Robins variance); `heterogeneity` = Chi2 of",
    "rma.mh (sum of IV weights times squared deviations from the MH estimate), I2 = max(0, (Q - df)/Q)*100;",
    "`random_dl` = rma(measure = 'RR', method = 'DL') (tau^2 from the IV-based Q);",
    "`random_dl_revman` = RevMan 5's documented random-effects for MH outcomes (also R meta's Q.Cochrane = TRUE):",
    "tau^2_DL computed from the MH-based Q, then rma(yi, vi, tau2 = that value).",
    "`subgroup_differences`: Chi2 of the subgroup estimates with their SEs, rma(yi, sei, method = 'FE')$QE,",
    "df = number of subgroups - 1. Outcome 2.1: rma(measure = 'MD', method = 'FE') (vtype 'LS').",
    "Outcome 2.2: rma(yi = EFFECT_SIZE, sei = SE, method = 'FE') and method = 'DL'; exp() gives ORs.",
    "All z-based CIs at 95 %. weights are percent."),
  outcomes = list(
    list(id = "1.1", element = "DICH_OUTCOME", name = xml_text(xml_find_first(o11, "NAME")),
         effect_measure = o11_attr$EFFECT_MEASURE, method = o11_attr$METHOD,
         random = o11_attr$RANDOM, source = "metadat::dat.bcg, subgroups = alloc",
         overall = res11$overall, subgroups = res11$subgroups,
         subgroup_differences = res11$subgroup_differences),
    c(list(id = "2.1", element = "CONT_OUTCOME", name = xml_text(xml_find_first(o21, "NAME")),
           effect_measure = xml_attr(o21, "EFFECT_MEASURE"), method = "IV",
           random = xml_attr(o21, "RANDOM"), source = "metadat::dat.normand1999"), res21),
    c(list(id = "2.2", element = "IV_OUTCOME", name = xml_text(xml_find_first(o22, "NAME")),
           effect_measure = xml_text(xml_find_first(o22, "EFFECT_MEASURE")), method = "IV",
           random = xml_attr(o22, "RANDOM"), log_data = xml_attr(o22, "LOG_DATA"),
           source = "made-up log odds ratios read from the file"), res22)))

## ===========================================================================
## Write
## ===========================================================================
kinds <- table(vapply(cases, function(c) c$kind, ""))
write_fixture(list(
  generator = "tests/r/metafor_fixtures_byod.R",
  r_version = R.version$version.string,
  metafor_version = as.character(packageVersion("metafor")),
  metadat_version = as.character(packageVersion("metadat")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  level = LEVEL,
  control_fit = CTRL_FIT, control_confint = CTRL_CI,
  conventions = list(
    columns = paste("`columns` maps R meta argument names (roles) to the user's column names: studlab,",
                    "event.e, n.e, event.c, n.c (binary); mean.e, sd.e, n.e, mean.c, sd.c, n.c (continuous);",
                    "TE, seTE or TE, lower, upper (generic; ratio-scale TE/lower/upper for hr_ci); event, n (proportions)."),
    input_files = paste("UTF-8, header row, '\"' quoting only where needed, '.' decimal point, LF line ends;",
                        "`file_format` gives delimiter and BOM. Numbers round-trip the R doubles exactly."),
    binary_iv = paste("rma(measure, ai, n1i, ci, n2i, add = 1/2, to = 'only0', drop00 = TRUE): +1/2 to all four",
                      "cells of a table with a zero cell; double-zero tables (ai = ci = 0 or bi = di = 0) get",
                      "yi = vi = null, are listed in `dropped` and are not in k (metafor's rma() default would be",
                      "drop00 = FALSE). weights_* are null for dropped studies."),
    binary_mh_peto = paste("rma.mh / rma.peto with metafor defaults: estimate from the raw counts, double zeros kept",
                           "in the estimate (they matter for MH RD), yi/vi (+1/2 if a zero cell, double zeros",
                           "dropped) only for Q; `pooled` on the log scale for OR/RR (bt = exp), raw for RD;",
                           "weights_mh / weights_peto = weights(res) in percent (MH: OR Si = bi*ci/Ni,",
                           "RR ci*n1i/Ni, RD n1i*n2i/Ni; Peto Vi); i2 = max(0, (Q - df)/Q)*100, df = k_yi - 1."),
    iv_blocks = paste("common = method 'EE' (z); random = the case's method_tau/test (stat_dist 'z' or 't' with",
                      "df = k - 1 for knha; s2w = KH scaling factor); weights in percent;",
                      "heterogeneity: q/df/q_pval = QE/QEp, tau2 with Q-profile CI (confint), i2_tau/h2_tau =",
                      "metafor I2/H2 (tau^2-based), i2 = max(0, (Q - df)/Q)*100, h2 = Q/df;",
                      "prediction = predict(res): z quantile for test 'z', t(k - 1) for 'knha' (`dist`, `df`).",
                      "`bt` = back-transformed (exp, ilogit, ipft.hm with all ni); absent for MD/SMD/RD."),
    smd = "Hedges' g, escalc(measure = 'SMD', vtype = 'LS') (metafor's default; exact gamma-function bias correction)",
    case_counts = as.list(setNames(as.integer(kinds), names(kinds)))),
  cases = cases,
  revman = revman), file.path("tests", "fixtures", "metafor_byod.json"))
print(kinds)
