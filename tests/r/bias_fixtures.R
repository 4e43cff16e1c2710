#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Small-study effects reference fixtures for alkstats (issue 14), produced with
## R metafor 3.8-1 (metadat 1.2-0).
##
## Run from the repository root:
##     Rscript tests/r/bias_fixtures.R
##
## Writes
##     tests/fixtures/metafor_bias.json
##     tests/inputs/byod/passive_smoking_hackshaw1998.csv   (generic TE/seTE input)
##
## For each case (a metadat dataset, an effect measure, a tau^2 estimator) the
## fixture holds the studies (yi, vi and, where there are any, the 2x2 table or
## the events and n) and the values of
##   egger           regtest(res, model = "lm", predictor = "sei")
##   begg            ranktest(res)                      (exact p where no ties)
##   peters          meta::metabias(method.bias = "Peters") as documented:
##                   lm(yi ~ I(1/n), weights = 1/(1/d + 1/h)), d events and
##                   h non-events of the study (raw counts)
##   harbord         meta::metabias(method.bias = "Harbord") as documented:
##                   lm(Z/V ~ I(1/sqrt(V)), weights = V) with the efficient
##                   score Z and its variance V (Harbord et al. 2006 for OR,
##                   Harbord et al. 2009 p. 200 for RR)
##   thompson_sharp  meta::metabias(method.bias = "Thompson") as documented:
##                   regtest(rma(yi, vi, method = <tau2>, test = "t"),
##                           model = "rma", predictor = "sei")
##   trimfill        trimfill(res, estimator = "L0" / "R0")
##   selection       selmodel(res, type = "stepfun", steps = 0.025)
##   pet, peese      regtest(res, model = "lm", predictor = "sei" / "vi")
## R package meta is not installable here (not packaged for Debian), so the
## three meta tests are written out with lm()/metafor from meta's documented
## formulas (R/metabias.meta.R of meta 6/7; see the Rust doc comments).
##
## Every iterative fit is converged tightly: rma(..., control = CTRL) with
## threshold = tol = 1e-12 (also passed through trimfill() to its refits), and
## selmodel's optim() with reltol = 1e-15 and numerical-gradient steps 1e-6.
## Numbers are written with the shortest %.15g/%.16g/%.17g that round-trips.
## ---------------------------------------------------------------------------

source("tests/r/setup.R")  # packages, root and version checks, CTRL, fmt_num
SEL_CTRL <- list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, 4))

## JSON number writer (identical to tests/r/metafor_fixtures.R)
num <- function(v) {
  if (is.null(v) || length(v) == 0) return(structure("null", class = "json"))
  stopifnot(length(v) == 1)
  structure(fmt_num(unname(v)), class = "json")
}
check <- function(cond, msg) if (!isTRUE(cond)) stop("cross-check failed: ", msg)

## A regression test from an lm() fit: slope = asymmetry, intercept = limit.
lm_test <- function(fit, level = 0.95) {
  co <- coef(summary(fit))
  df <- fit$df.residual
  crit <- qt(1 - (1 - level) / 2, df)
  list(bias = num(co[2, 1]), se = num(co[2, 2]), stat = num(co[2, 3]), df = num(df),
       p = num(co[2, 4]),
       limit = list(yi = num(co[1, 1]), se = num(co[1, 2]),
                    lower_yi = num(co[1, 1] - crit * co[1, 2]),
                    upper_yi = num(co[1, 1] + crit * co[1, 2]), p = num(co[1, 4])))
}

egger_values <- function(res) {
  reg <- regtest(res, model = "lm", predictor = "sei")
  out <- lm_test(reg$fit)
  check(abs(reg$zval - coef(summary(reg$fit))[2, 3]) < 1e-12, "regtest t")
  check(abs(reg$est - coef(summary(reg$fit))[1, 1]) < 1e-12, "regtest limit")
  check(abs(reg$ci.lb - fmt_back(out$limit$lower_yi)) < 1e-10, "regtest ci.lb")
  out
}
fmt_back <- function(j) as.numeric(unclass(j))

## lm(yi ~ x, weights = w) for the documented meta tests.
peters_values <- function(yi, d, h) {
  x <- 1 / (d + h)
  lm_test(lm(yi ~ x, weights = 1 / (1 / d + 1 / h)))
}
harbord_values <- function(a, b, c, d, measure) {
  a <- as.numeric(a); b <- as.numeric(b); c <- as.numeric(c); d <- as.numeric(d)
  n1 <- a + b; n2 <- c + d; n <- n1 + n2
  if (measure == "RR") {
    z <- (a * n - (a + c) * n1) / (b + d)
    v <- n1 * n2 * (a + c) / (n * (b + d))
  } else {
    z <- a - (a + c) * n1 / n
    v <- n1 * n2 * (a + c) * (b + d) / (n^2 * (n - 1))
  }
  x <- 1 / sqrt(v)
  ## Same fit as Z/sqrt(V) ~ sqrt(V) (Harbord 2006, eq. 4), weighted form as in meta.
  y <- z / v
  fit <- lm(y ~ x, weights = v)
  alt <- lm(I(z / sqrt(v)) ~ sqrt(v))
  check(abs(coef(fit)[2] - coef(alt)[1]) < 1e-9 * max(1, abs(coef(fit)[2])), "Harbord forms")
  lm_test(fit)
}
thompson_values <- function(yi, vi, method) {
  r1 <- rma(yi, vi, method = method, test = "t", control = CTRL)
  reg <- regtest(r1, model = "rma", predictor = "sei")
  f <- reg$fit
  list(bias = num(f$beta[2]), se = num(f$se[2]), stat = num(f$zval[2]), df = num(f$ddf),
       p = num(f$pval[2]), tau2 = num(f$tau2),
       limit = list(yi = num(f$beta[1]), se = num(f$se[1]), lower_yi = num(f$ci.lb[1]),
                    upper_yi = num(f$ci.ub[1]), p = num(f$pval[1])))
}
begg_values <- function(res) {
  rt <- suppressWarnings(ranktest(res))
  ## The standardised effects of ranktest(), to see whether cor.test() could be exact.
  ystar <- (res$yi - sum(res$yi / res$vi) / sum(1 / res$vi)) / sqrt(res$vi - 1 / sum(1 / res$vi))
  ties <- min(length(unique(ystar)), length(unique(res$vi))) < length(res$vi)
  list(tau = num(rt$tau), p = num(rt$pval), exact = !ties)
}
trimfill_values <- function(res, estimator) {
  tf <- trimfill(res, estimator = estimator, control = CTRL)
  fill <- tf$fill
  list(k0 = tf$k0, se_k0 = num(tf$se.k0), side = tf$side,
       p_k0 = num(if (estimator == "R0") tf$p.k0 else NA),
       k = tf$k, yi = num(tf$beta[1]), se = num(tf$se), lower_yi = num(tf$ci.lb),
       upper_yi = num(tf$ci.ub), p = num(tf$pval), tau2 = num(tf$tau2),
       filled = lapply(which(fill), function(i) list(yi = num(tf$yi[i]), vi = num(tf$vi[i]))))
}
selection_values <- function(res, alternative) {
  s <- selmodel(res, type = "stepfun", steps = 0.025, alternative = alternative,
                control = SEL_CTRL)
  list(alternative = alternative, yi = num(s$beta[1]), se = num(s$se), lower_yi = num(s$ci.lb),
       upper_yi = num(s$ci.ub), p = num(s$pval), tau2 = num(s$tau2), se_tau2 = num(s$se.tau2),
       delta = num(s$delta[2]), se_delta = num(s$se.delta[2]),
       lower_delta = num(s$ci.lb.delta[2]), upper_delta = num(s$ci.ub.delta[2]),
       lrt = num(s$LRT), lrt_p = num(s$LRTp), ll = num(s$ll),
       k_per_interval = as.integer(table(factor(s$pgrp, levels = 1:2))))
}
limit_values <- function(res, predictor) {
  reg <- regtest(res, model = "lm", predictor = predictor)
  co <- coef(summary(reg$fit))
  list(yi = num(reg$est), se = num(co[1, 2]), lower_yi = num(reg$ci.lb),
       upper_yi = num(reg$ci.ub), p = num(co[1, 4]))
}

cases <- list()
add_case <- function(id, dataset, source, measure, method_tau, es, counts = NULL,
                     alternative = NULL, common = "IV", input = NULL, notes = NULL) {
  res <- rma(es$yi, es$vi, method = method_tau, control = CTRL)
  k <- length(es$yi)
  studies <- lapply(seq_len(k), function(i) {
    s <- list(label = as.character(es$label[i]), yi = num(es$yi[i]), vi = num(es$vi[i]))
    if (!is.null(counts$table)) s$table <- as.list(as.numeric(counts$table[i, ]))
    if (!is.null(counts$events)) { s$events <- counts$events[i]; s$n <- counts$n[i] }
    s
  })
  expected <- list(
    egger = egger_values(res), begg = begg_values(res),
    thompson_sharp = thompson_values(es$yi, es$vi, method_tau),
    trimfill = list(L0 = trimfill_values(res, "L0"), R0 = trimfill_values(res, "R0")),
    pet = limit_values(res, "sei"), peese = limit_values(res, "vi"))
  if (!is.null(counts$table)) {
    t <- counts$table
    expected$peters <- peters_values(es$yi, t[, 1] + t[, 3], t[, 2] + t[, 4])
    expected$harbord <- harbord_values(t[, 1], t[, 2], t[, 3], t[, 4], measure)
  }
  if (!is.null(counts$events)) {
    d <- counts$events; h <- counts$n - counts$events
    ## A study with no events or no non-events has an infinite Peters SE: meta's
    ## rma.uni() call then stops with an error, alkstats reports null with a warning.
    if (all(d > 0 & h > 0)) expected$peters <- peters_values(es$yi, d, h)
  }
  if (!is.null(alternative)) expected$selection <- selection_values(res, alternative)
  cases[[length(cases) + 1]] <<- list(
    id = id, dataset = dataset, source = source, measure = measure, common = common,
    method_tau = method_tau, level = 0.95, k = k, studies = studies, expected = expected,
    input = input, notes = notes)
}

## --- magnesium after myocardial infarction: clear asymmetry (2x2 tables, OR) ---
eg <- dat.egger2001
mg <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = eg)
mg_tab <- 1.0 * cbind(eg$ai, eg$n1i - eg$ai, eg$ci, eg$n2i - eg$ci)
mg_input <- list(file = "tests/inputs/byod/magnesium_mi.csv", outcome = "binary",
                 map = c("studlab=study", "event.e=ai", "n.e=n1i", "event.c=ci", "n.c=n2i"),
                 args = c("--measure", "OR", "--method", "IV"))
for (m in c("REML", "DL")) {
  add_case(paste0("magnesium_or_", tolower(m)), "dat.egger2001",
           "metadat::dat.egger2001 (Egger, Davey Smith & Altman 2001, Table 18.2)", "OR", m,
           list(label = eg$study, yi = mg$yi, vi = mg$vi), list(table = mg_tab),
           alternative = "less", input = mg_input)
}
## Peto's method: the tests use the inverse-variance log odds ratios (as meta::metabias).
add_case("magnesium_peto", "dat.egger2001", "metadat::dat.egger2001", "OR", "REML",
         list(label = eg$study, yi = mg$yi, vi = mg$vi), list(table = mg_tab), common = "Peto",
         input = list(file = mg_input$file, outcome = "binary", map = mg_input$map,
                      args = c("--measure", "OR", "--method", "Peto")))

## --- BCG vaccine: no clear asymmetry (2x2 tables, RR) ---
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg_tab <- 1.0 * cbind(dat.bcg$tpos, dat.bcg$tneg, dat.bcg$cpos, dat.bcg$cneg)
bcg_label <- paste(dat.bcg$author, dat.bcg$year)
add_case("bcg_rr_reml", "dat.bcg", "metadat::dat.bcg (Colditz et al. 1994)", "RR", "REML",
         list(label = bcg_label, yi = bcg$yi, vi = bcg$vi), list(table = bcg_tab),
         alternative = "less",
         input = list(file = "tests/inputs/byod/bcg_vaccine.csv", outcome = "binary",
                      map = c("studlab=Trial", "event.e=Events_T", "n.e=N_T",
                              "event.c=Events_C", "n.c=N_C"),
                      args = c("--measure", "RR", "--method", "IV")))
add_case("bcg_rd_dl", "dat.bcg", "metadat::dat.bcg", "RD", "DL",
         {e <- escalc("RD", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
          list(label = bcg_label, yi = e$yi, vi = e$vi)}, list(table = bcg_tab))

## --- passive smoking and lung cancer: asymmetric, generic log odds ratios ---
hk <- dat.hackshaw1998
hk_label <- paste(hk$author, hk$year)
hk_file <- "tests/inputs/byod/passive_smoking_hackshaw1998.csv"
hk_df <- data.frame(Study = hk_label, logOR = hk$yi, SE = sqrt(hk$vi), check.names = FALSE)
writeLines(enc2utf8(c("Study,logOR,SE", paste(hk_df$Study, fmt_num(hk_df$logOR),
                                               fmt_num(hk_df$SE), sep = ","))), hk_file)
back <- read.csv(hk_file, check.names = FALSE)
check(identical(back$logOR, as.numeric(hk$yi)) && identical(back$SE, sqrt(hk$vi)), "hackshaw file")
## The file gives SE; alkstats squares it, as does rma(yi, sei = SE).
hk_vi <- back$SE^2
for (m in c("DL", "REML")) {
  add_case(paste0("passive_smoking_", tolower(m)), "dat.hackshaw1998",
           "metadat::dat.hackshaw1998 (Hackshaw et al. 1997)", "GEN", m,
           list(label = hk_label, yi = hk$yi, vi = hk_vi), alternative = "greater",
           input = list(file = hk_file, outcome = "generic",
                        map = c("studlab=Study", "TE=logOR", "seTE=SE"),
                        args = c("--sm", "OR")))
}

## --- single proportions (logit): Peters' test for metaprop ---
pr <- dat.pritz1997
pe <- escalc("PLO", xi = xi, ni = ni, data = pr)
add_case("pritz_plogit_reml", "dat.pritz1997", "metadat::dat.pritz1997", "PLO", "REML",
         list(label = pr$study, yi = pe$yi, vi = pe$vi), list(events = pr$xi, n = pr$ni))
## (No command-line case: alkstats reads users' proportion files by role in a later step of
## "bring your own data"; the shipped crizotinib arms below run through the binary.)

## --- the shipped ALK data: crizotinib response rates (k = 10), as alkstats pools them ---
arms <- read.csv("data/alk_nsclc_arms.csv", stringsAsFactors = FALSE, na.strings = "")
cz <- arms[arms$drug == "crizotinib" & is.na(arms$overlaps) & !is.na(arms$responders), ]
check(nrow(cz) == 10, "crizotinib arms")
ce <- escalc("PLO", xi = responders, ni = n, data = cz)
add_case("alk_crizotinib_plogit_reml", "data/alk_nsclc_arms.csv", "shipped ALK arms (drug = crizotinib)",
         "PLO", "REML", list(label = cz$study, yi = ce$yi, vi = ce$vi),
         list(events = cz$responders, n = cz$n),
         input = list(file = NULL, outcome = "orr", group = "crizotinib", map = character(0),
                      args = c("--sm", "PLOGIT")))

## --- standardised mean differences: asymmetry (Baskerville et al. 2012) ---
bk <- dat.baskerville2012
for (m in c("DL", "PM", "ML", "EB", "SJ", "HE", "HS")) {
  add_case(paste0("baskerville_smd_", tolower(m)), "dat.baskerville2012",
           "metadat::dat.baskerville2012", "GEN", m,
           list(label = paste(bk$author, bk$year), yi = bk$smd, vi = bk$se^2),
           alternative = if (m == "DL") "greater" else NULL)
}

## --- log ratio of means, k = 102 (exact Kendall distribution for a large k) ---
cu <- escalc("ROM", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
             data = dat.curtis1998)
add_case("curtis_rom_reml", "dat.curtis1998", "metadat::dat.curtis1998", "GEN", "REML",
         list(label = paste(cu$paper, cu$id), yi = cu$yi, vi = cu$vi), alternative = "greater")

## --- published example: trim-and-fill of the passive smoking data ---
## Lung Cancer 2006;51(2):245-246 (doi:10.1016/j.lungcan.2005.11.004), abstract: 37
## studies, 7 filled, adjusted RR 1.19 (95% CI 1.08-1.31, p = 0.0004); the unadjusted
## DerSimonian-Laird RR 1.24 (1.13-1.36) is Hackshaw et al.'s (Copas & Shi, BMJ
## 2000;320:417, abstract: excess risk 24%, 95% CI 13% to 36%).
pub_res <- rma(hk$yi, hk_vi, method = "DL")
pub_tf <- trimfill(pub_res)
check(pub_tf$k0 == 7, "published k0")
check(all(round(exp(c(pub_tf$beta, pub_tf$ci.lb, pub_tf$ci.ub)), 2) == c(1.19, 1.08, 1.31)),
      "published adjusted RR")
check(round(pub_tf$pval, 4) == 4e-04, "published p")
check(all(round(exp(c(pub_res$beta, pub_res$ci.lb, pub_res$ci.ub)), 2) == c(1.24, 1.13, 1.36)),
      "published unadjusted RR")

fixture <- list(
  generated_by = "tests/r/bias_fixtures.R",
  metafor = as.character(packageVersion("metafor")),
  metadat = as.character(packageVersion("metadat")),
  r = paste(R.version$major, R.version$minor, sep = "."),
  control = list(rma = "threshold = tol = 1e-12, maxiter = 10000",
                 selmodel = "optim BFGS, reltol = 1e-15, ndeps = 1e-6"),
  cases = cases)
path <- file.path("tests", "fixtures", "metafor_bias.json")
txt <- toJSON(fixture, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE,
              na = "null", null = "null")
writeLines(enc2utf8(txt), path, useBytes = TRUE)
invisible(fromJSON(path, simplifyVector = FALSE))
message("wrote ", path, " (", length(cases), " cases)")
