#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Sensitivity-analysis reference fixtures for alkstats (issue 13), produced with
## R metafor 3.8-1 (metadat 1.2-0): leave1out(), influence(), cumul() and
## baujat() on users' files of every outcome.
##
## Run from the repository root (after tests/r/metafor_fixtures_byod.R, which
## writes the input files):
##     Rscript tests/r/metafor_fixtures_sensitivity.R
##
## Reads   tests/inputs/byod/*.csv|*.tsv   (metadat datasets written as a user
##                                          would; see metafor_fixtures_byod.R)
## Writes  tests/fixtures/metafor_sensitivity.json
##
## Every model is fitted with control = list(threshold = 1e-12, tol = 1e-12,
## maxiter = 10000): leave1out(), influence() and cumul() refit with the model's
## own control, so their refits are converged as tightly as the model (at the
## default threshold of 1e-5 REML refits would differ from alkstats' by ~1e-6).
## Binary data: rma() with drop00 = TRUE (as alkstats and R meta), rma.mh() and
## rma.peto() with their defaults; rma(method = "EE") is alkstats'
## --model common with --method IV.
##
## tests/sensitivity_agreement.rs runs the alkstats binary on each case's file
## with each case's flags and compares the JSON with these values.
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/metafor_fixtures_sensitivity.R")
}
if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("fixtures are meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}
INPUT_DIR <- file.path("tests", "inputs", "byod")
OUT <- file.path("tests", "fixtures", "metafor_sensitivity.json")
CTRL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

## JSON numbers that round-trip a double (as tests/r/metafor_fixtures.R writes them).
source("tests/r/json_numbers.R")  # fmt_num
arr <- function(v) structure(paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]"),
                             class = "json")
check <- function(cond, msg) if (!isTRUE(cond)) stop("cross-check failed: ", msg)

## ---------------------------------------------------------------------------
## The input files and their column roles (as alkstats' --map names them)
## ---------------------------------------------------------------------------
read_user <- function(file, sep = ",", bom = FALSE) {
  read.table(file.path(INPUT_DIR, file), header = TRUE, sep = sep, quote = "\"",
             comment.char = "", check.names = FALSE, stringsAsFactors = FALSE,
             na.strings = character(0), fileEncoding = if (bom) "UTF-8-BOM" else "UTF-8",
             encoding = "UTF-8")
}
two_by_two <- function(studlab, ee, ne, ec, nc) {
  list(studlab = studlab, event.e = ee, n.e = ne, event.c = ec, n.c = nc)
}
continuous <- function(studlab, me, se, ne, mc, sc, nc) {
  list(studlab = studlab, mean.e = me, sd.e = se, n.e = ne, mean.c = mc, sd.c = sc, n.c = nc)
}
files <- list(
  bcg = list(file = "bcg_vaccine.csv", kind = "binary",
             columns = two_by_two("Trial", "Events_T", "N_T", "Events_C", "N_C"),
             source = "metadat::dat.bcg"),
  catheter = list(file = "catheter_infections.csv", kind = "binary", bom = TRUE,
                  columns = two_by_two("Trial name", "Infections (anti-infective catheter)",
                                       "Patients (anti-infective catheter)",
                                       "Infections (standard catheter)",
                                       "Patients (standard catheter)"),
                  source = "metadat::dat.nielweise2007 (zero cells, one double-zero trial)"),
  magnesium = list(file = "magnesium_mi.csv", kind = "binary", sep = ";",
                   columns = two_by_two("study", "ai", "n1i", "ci", "n2i"),
                   source = "metadat::dat.egger2001"),
  yusuf = list(file = "betablockers_yusuf1985.csv", kind = "binary",
               columns = two_by_two("studlab", "event.e", "n.e", "event.c", "n.c"),
               source = "metadat::dat.yusuf1985, table 6 (three double-zero trials)"),
  normand = list(file = "stroke_units_los.tsv", kind = "continuous", sep = "\t",
                 columns = continuous("Study", "Mean_T", "SD_T", "N_T", "Mean_C", "SD_C", "N_C"),
                 source = "metadat::dat.normand1999"),
  curtis = list(file = "co2_plant_biomass.csv", kind = "continuous",
                columns = continuous("studlab", "mean.e", "sd.e", "n.e", "mean.c", "sd.c", "n.c"),
                source = "metadat::dat.curtis1998 (k = 102)"),
  bcg_logrr = list(file = "bcg_logrr_generic.csv", kind = "generic",
                   columns = list(studlab = "Trial", TE = "logRR", seTE = "SE"),
                   source = "metadat::dat.bcg as log risk ratios with standard errors"),
  hr_ci = list(file = "hazard_ratios_ci.csv", kind = "generic",
               columns = list(studlab = "Study", TE = "HR", lower = "Lower 95% CI",
                              upper = "Upper 95% CI"),
               source = "hazard ratios with 95% CIs (made up, see metafor_fixtures_byod.R)"),
  pritz = list(file = "prop_pritz1997.csv", kind = "proportion",
               columns = list(studlab = "Authors", event = "Responders", n = "Patients"),
               source = "metadat::dat.pritz1997 (studies with x = n)")
)
for (nm in names(files)) {
  f <- files[[nm]]
  files[[nm]]$data <- read_user(f$file, if (is.null(f$sep)) "," else f$sep, isTRUE(f$bom))
}
col <- function(f, role) f$data[[f$columns[[role]]]]

## ---------------------------------------------------------------------------
## Fits: method is "IV" (rma), "MH" (rma.mh) or "Peto" (rma.peto); model
## "common" with IV is rma(method = "EE").
## ---------------------------------------------------------------------------
fit <- function(f, s, ctrl = CTRL) {
  slab <- col(f, "studlab")
  tau <- if (s$model == "common") "EE" else s$method_tau
  if (f$kind == "binary") {
    ai <- col(f, "event.e"); n1i <- col(f, "n.e"); ci <- col(f, "event.c"); n2i <- col(f, "n.c")
    return(switch(s$method,
      IV = rma(measure = s$measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, drop00 = TRUE,
               slab = slab, method = tau, test = s$test, control = ctrl),
      MH = rma.mh(measure = s$measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, slab = slab),
      Peto = rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, slab = slab)))
  }
  if (f$kind == "continuous") {
    return(rma(measure = s$measure, m1i = col(f, "mean.e"), sd1i = col(f, "sd.e"),
               n1i = col(f, "n.e"), m2i = col(f, "mean.c"), sd2i = col(f, "sd.c"),
               n2i = col(f, "n.c"), slab = slab, method = tau, test = s$test, control = ctrl))
  }
  if (f$kind == "proportion") {
    return(rma(measure = s$measure, xi = col(f, "event"), ni = col(f, "n"), slab = slab,
               method = tau, test = s$test, control = ctrl))
  }
  if (is.null(f$columns$seTE)) {
    ## Ratios with limits: log scale, SE from the 95% limits (as R meta's metagen).
    yi <- log(col(f, "TE"))
    sei <- (log(col(f, "upper")) - log(col(f, "lower"))) / (2 * qnorm(0.975))
  } else {
    yi <- col(f, "TE"); sei <- col(f, "seTE")
  }
  rma(yi = yi, sei = sei, slab = slab, method = tau, test = s$test, control = ctrl)
}

## leave1out() and cumul() rows; metafor leaves out tau2 for EE, MH and Peto fits.
refit_rows <- function(x) {
  list(study = I(as.character(x$slab)), estimate = arr(x$estimate), se = arr(x$se),
       stat = arr(if (is.null(x$zval)) x$tval else x$zval),
       pval = arr(if (is.null(x$pval)) x$pvals else x$pval),
       ci_lb = arr(x$ci.lb), ci_ub = arr(x$ci.ub), q = arr(x$Q), q_p = arr(x$Qp),
       tau2 = if (is.null(x$tau2)) NULL else arr(x$tau2), i2 = arr(x$I2))
}
influence_rows <- function(res) {
  inf <- influence(res)
  list(study = I(as.character(inf$inf$slab)), rstudent = arr(inf$inf$rstudent),
       dffits = arr(inf$inf$dffits), cook_d = arr(inf$inf$cook.d), cov_r = arr(inf$inf$cov.r),
       tau2_del = arr(inf$inf$tau2.del), q_del = arr(inf$inf$QE.del), hat = arr(inf$inf$hat),
       weight = arr(inf$inf$weight), dfbetas = arr(inf$dfbs$intrcpt),
       influential = I(inf$is.infl))
}
baujat_points <- function(res) {
  pdf(NULL)
  b <- baujat(res, symbol = "slab")
  dev.off()
  keep <- is.finite(b$x) & is.finite(b$y)
  list(study = I(as.character(b$slab[keep])), x = arr(b$x[keep]), y = arr(b$y[keep]))
}

## The R calls of a case, spelled out with its columns and settings.
r_call <- function(f, s, order, decreasing) {
  roles <- switch(f$kind,
    binary = "ai = event.e, n1i = n.e, ci = event.c, n2i = n.c",
    continuous = "m1i = mean.e, sd1i = sd.e, n1i = n.e, m2i = mean.c, sd2i = sd.c, n2i = n.c",
    proportion = "xi = event, ni = n",
    generic = if (is.null(f$columns$seTE)) {
      "yi = log(TE), sei = (log(upper) - log(lower)) / (2 * qnorm(0.975))"
    } else "yi = TE, sei = seTE")
  measure <- if (f$kind == "generic") "" else sprintf("measure = \"%s\", ", s$measure)
  model <- switch(s$method,
    IV = sprintf("rma(%s%s%s, method = \"%s\", test = \"%s\", control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000))",
                 measure, roles, if (f$kind == "binary") ", drop00 = TRUE" else "",
                 if (s$model == "common") "EE" else s$method_tau, s$test),
    MH = sprintf("rma.mh(%s%s)", measure, roles),
    Peto = sprintf("rma.peto(%s)", roles))
  cm <- if (is.null(order)) "cumul(res)" else
    sprintf("cumul(res, order = %s%s)", order, if (decreasing) ", decreasing = TRUE" else "")
  paste0("res <- ", model, " (slab = studlab); leave1out(res); ",
         if (s$method == "IV") "influence(res); " else "", cm, "; baujat(res)")
}

cases <- list()
add <- function(data, measure, method = "IV", method_tau = "REML", test = "z", model = "random",
                order = NULL, decreasing = FALSE) {
  f <- files[[data]]
  s <- list(measure = measure, method = method, method_tau = method_tau, test = test,
            model = model)
  res <- fit(f, s)
  ## cumul() looks its `order` up in the model's data or the global environment, not in
  ## this function's frame: the values go there.
  cumul_order <<- if (is.null(order)) seq_len(nrow(f$data)) else f$data[[order]]
  cm <- cumul(res, order = cumul_order, decreasing = decreasing)
  ## metafor's Fisher scoring can fail to converge at the tight threshold (cumul() then gives
  ## NA): such a refit is repeated with half steps (control stepadj = 0.5, metafor's own
  ## remedy), which reaches the maximum, and the row filled in from it.
  remedied <- character(0)
  for (i in which(is.na(cm$estimate) & method == "IV")) {
    f_i <- f
    f_i$data <- f$data[order(cumul_order, decreasing = decreasing)[seq_len(i)], , drop = FALSE]
    r <- fit(f_i, s, c(CTRL, list(stepadj = 0.5)))
    cm$estimate[i] <- r$beta[1]; cm$se[i] <- r$se; cm$zval[i] <- r$zval; cm$pvals[i] <- r$pval
    cm$ci.lb[i] <- r$ci.lb; cm$ci.ub[i] <- r$ci.ub; cm$Q[i] <- r$QE; cm$Qp[i] <- r$QEp
    cm$tau2[i] <- r$tau2; cm$I2[i] <- r$I2
    remedied <- c(remedied, as.character(cm$slab[i]))
  }
  l1o <- leave1out(res)
  check(!anyNA(l1o$estimate), paste(data, "leave1out refits all converge"))
  iv <- method == "IV"
  id <- paste(data, measure, method, if (iv) paste(method_tau, test, model, sep = "-") else model,
              if (is.null(order)) "file" else paste0(order, if (decreasing) "-dec" else ""),
              sep = "_")
  cases[[length(cases) + 1]] <<- list(
    id = id, kind = f$kind, source = f$source, input_file = file.path(INPUT_DIR, f$file),
    columns = f$columns, settings = s,
    order = if (is.null(order)) NULL else list(column = order, decreasing = decreasing),
    r_call = r_call(f, s, order, decreasing),
    k = res$k,
    leave1out = refit_rows(l1o),
    influence = if (iv) influence_rows(res) else NULL,
    cumul = refit_rows(cm),
    cumul_refitted_with_stepadj = I(remedied),
    baujat = baujat_points(res))
}

## Binary: IV (REML and DL, z and Knapp-Hartung, ad hoc), EE, Mantel-Haenszel, Peto.
for (tau in c("REML", "DL")) for (test in c("z", "knha")) add("bcg", "RR", "IV", tau, test)
add("bcg", "RR", "IV", "REML", "adhoc")
add("bcg", "OR", "IV", "DL", "z", "common")
add("bcg", "RR", "IV", "REML", "z", order = "Year")
add("bcg", "RR", "IV", "DL", "knha", order = "Year", decreasing = TRUE)
add("bcg", "RR", "MH", model = "common", order = "Year")
add("bcg", "OR", "MH", model = "common")
add("bcg", "OR", "Peto", model = "common")
add("catheter", "RR", "IV", "REML", "z")
add("catheter", "RR", "MH", model = "common")
add("catheter", "OR", "Peto", model = "common")
add("magnesium", "OR", "IV", "DL", "z")
add("magnesium", "OR", "IV", "REML", "knha")
add("magnesium", "RD", "MH", model = "common")
add("yusuf", "OR", "IV", "REML", "z")
add("yusuf", "OR", "Peto", model = "common")
## Continuous.
for (test in c("z", "knha")) add("normand", "MD", "IV", "REML", test)
add("normand", "SMD", "IV", "DL", "z")
add("normand", "MD", "IV", "HE", "z")
add("normand", "MD", "IV", "REML", "z", "common")
add("curtis", "ROM", "IV", "REML", "z")
add("curtis", "ROM", "IV", "DL", "knha")
add("curtis", "ROM", "IV", "PM", "z")
## Generic.
add("bcg_logrr", "RR", "IV", "REML", "knha")
add("bcg_logrr", "RR", "IV", "DL", "z")
add("hr_ci", "HR", "IV", "REML", "z")
add("hr_ci", "HR", "IV", "DL", "knha")
add("hr_ci", "HR", "IV", "REML", "z", "common")
## Proportions.
for (test in c("z", "knha")) add("pritz", "PLO", "IV", "REML", test)
add("pritz", "PFT", "IV", "DL", "z")

## Cross-checks against hand computation (closed forms) on dat.bcg, DL, z.
local({
  c1 <- cases[[which(sapply(cases, `[[`, "id") == "bcg_RR_IV_DL-z-random_file")]]
  f <- files$bcg
  es <- escalc("RR", ai = col(f, "event.e"), n1i = col(f, "n.e"), ci = col(f, "event.c"),
               n2i = col(f, "n.c"))
  dl <- function(y, v) {
    w <- 1 / v; q <- sum(w * (y - sum(w * y) / sum(w))^2)
    t2 <- max(0, (q - (length(y) - 1)) / (sum(w) - sum(w^2) / sum(w)))
    wr <- 1 / (v + t2)
    c(mu = sum(wr * y) / sum(wr), tau2 = t2)
  }
  by_hand <- sapply(seq_along(es$yi), function(i) dl(es$yi[-i], es$vi[-i]))
  got <- fromJSON(unclass(c1$leave1out$estimate))
  check(isTRUE(all.equal(got, unname(by_hand["mu", ]), tolerance = 1e-12)), "bcg DL leave-one-out by hand")
  full <- dl(es$yi, es$vi); wr <- 1 / (es$vi + full["tau2"])
  check(isTRUE(all.equal(fromJSON(unclass(c1$influence$hat)), unname(wr / sum(wr)), tolerance = 1e-12)),
        "bcg DL hat values = w / sum(w)")
})
## R's order() keeps ties (two 1973 trials in dat.bcg) in file order, decreasing too.
check(identical(order(c(2, 1, 2), decreasing = TRUE), c(1L, 3L, 2L)), "stable decreasing order")

fixture <- list(
  generated_by = "tests/r/metafor_fixtures_sensitivity.R",
  metafor = as.character(packageVersion("metafor")),
  control = "control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000) on every rma()",
  cases = cases)
txt <- toJSON(fixture, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE, na = "null",
              null = "null")
writeLines(enc2utf8(txt), OUT, useBytes = TRUE)
invisible(fromJSON(OUT, simplifyVector = FALSE))
message("wrote ", OUT, " (", length(cases), " cases)")
