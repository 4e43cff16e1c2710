#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Meta-regression reference fixtures for alkstats (issue 15), produced with
## R metafor 3.8-1 (metadat 1.2-0).
##
## Run from the repository root:
##     Rscript tests/r/metareg_fixtures.R
##
## Writes
##     tests/fixtures/metafor_metareg.json
##     tests/inputs/metareg/bcg.csv        (dat.bcg log risk ratios, TE/seTE, moderators)
##
## For each case (a metadat dataset with continuous and/or categorical
## moderators, always with an intercept) and each tau^2 estimator (REML, ML,
## DL, HE, SJ, PM, EB, and FE for the fixed-effects model), with Wald
## (test = "z") and Knapp-Hartung (test = "knha") tests:
##   rma(yi, vi, mods = ~ ..., method, test, control = CTRL)
##     coefficients (beta, se, zval, pval, ci.lb, ci.ub), tau2, I2, H2, R2,
##     QM (QMdf, QMp), QE (QEp), fitted(res), resid(res)
##   confint(res, control = list(tol = 1e-12))$random["tau^2", ]
##     Q-profile interval of the residual tau^2 (not for FE)
##   permutest(res, iter = 10000) for two models (seeded): p-values compared
##     with alkstats' within their Monte-Carlo error.
## Categorical moderators enter as factor(col) (treatment contrasts against the
## first level in sorted order) or relevel(factor(col), ref = ...).
## Every iterative fit is converged tightly: threshold = tol = 1e-12.
## Numbers are written with the shortest %.15g/%.16g/%.17g that round-trips.
## ---------------------------------------------------------------------------

source("tests/r/setup.R")  # packages, root and version checks, CTRL, fmt_num
num <- function(v) structure(fmt_num(unname(v)), class = "json")
nums <- function(v) structure(paste0("[", paste(fmt_num(unname(v)), collapse = ", "), "]"),
                              class = "json")
check <- function(cond, msg) if (!isTRUE(cond)) stop("cross-check failed: ", msg)

## A moderator value as the text alkstats reads from a file ("" for NA).
as_text <- function(v) {
  if (is.numeric(v)) ifelse(is.na(v), "", fmt_num(v)) else ifelse(is.na(v), "", as.character(v))
}

## The design of `mods` (column names) with treatment contrasts, `refs` a
## named list of reference levels; returns the formula and alkstats' terms.
design <- function(dat, mods, cat, refs) {
  terms <- "intercept"
  parts <- character(0)
  for (m in mods) {
    if (m %in% cat) {
      lev <- sort(unique(as.character(dat[[m]][!is.na(dat[[m]])])))
      ref <- if (!is.null(refs[[m]])) refs[[m]] else lev[1]
      lev <- c(ref, setdiff(lev, ref))
      parts <- c(parts, sprintf("relevel(factor(%s), ref = \"%s\")", m, ref))
      terms <- c(terms, paste0(m, "=", lev[-1]))
    } else {
      parts <- c(parts, m)
      terms <- c(terms, m)
    }
  }
  list(formula = as.formula(paste("~", paste(parts, collapse = " + "))), terms = terms)
}

fit_values <- function(res, terms) {
  p <- length(terms)
  coefs <- lapply(seq_len(p), function(j) list(
    term = terms[j], estimate = num(res$beta[j]), se = num(res$se[j]),
    stat = num(res$zval[j]), p = num(res$pval[j]), lower = num(res$ci.lb[j]),
    upper = num(res$ci.ub[j])))
  ci <- if (res$method == "FE") c(NA, NA) else {
    r <- try(confint(res, control = list(tol = 1e-12)), silent = TRUE)
    if (inherits(r, "try-error")) c(NA, NA) else r$random["tau^2", c("ci.lb", "ci.ub")]
  }
  list(method = res$method, test = res$test, k = res$k, coefficients = coefs,
       tau2 = num(res$tau2), tau2_lower = num(ci[1]), tau2_upper = num(ci[2]),
       i2 = num(res$I2), h2 = num(res$H2), r2 = num(if (is.null(res$R2)) NA else res$R2),
       qm = num(res$QM), qm_df = num(res$QMdf[1]), qm_df2 = num(res$QMdf[2]),
       qm_p = num(res$QMp), qe = num(res$QE), qe_df = num(res$k - res$p), qe_p = num(res$QEp),
       fitted = nums(fitted(res)), residual = nums(resid(res)))
}

case <- function(name, dat, mods, cat = character(0), refs = list(), label) {
  d <- design(dat, mods, cat, refs)
  keep <- complete.cases(dat[, mods, drop = FALSE])
  studies <- lapply(seq_len(nrow(dat)), function(i) {
    fields <- lapply(mods, function(m) as_text(dat[[m]][i]))
    names(fields) <- mods
    list(study = as.character(dat[[label]][i]), yi = num(dat$yi[i]), vi = num(dat$vi[i]),
         fields = fields)
  })
  fits <- list()
  for (method in c("REML", "ML", "DL", "HE", "SJ", "PM", "EB", "FE")) {
    for (test in c("z", "knha")) {
      res <- suppressWarnings(rma(yi, vi, mods = d$formula, data = dat, method = method,
                                  test = test, control = CTRL))
      check(res$k == sum(keep), paste(name, "k"))
      check(ncol(res$X) == length(d$terms), paste(name, "terms"))
      fits[[length(fits) + 1]] <- fit_values(res, d$terms)
    }
  }
  if (length(refs) == 0) refs <- setNames(list(), character(0))
  list(name = name, moderators = I(mods), references = refs, studies = studies, fits = fits)
}

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg$study <- paste0(bcg$author, ", ", bcg$year)
bd <- dat.bangertdrowns2004
bd$study <- paste0(bd$author, " (", bd$id, ")")
rb <- dat.raudenbush1985
rb$study <- paste0(rb$author, ", ", rb$year)
mo <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014)
mo$study <- paste0(mo$authors, ", ", mo$year)

cases <- list(
  case("bcg_ablat", bcg, "ablat", label = "study"),
  case("bcg_alloc", bcg, "alloc", cat = "alloc", label = "study"),
  case("bcg_alloc_ref_random", bcg, "alloc", cat = "alloc", refs = list(alloc = "random"),
       label = "study"),
  case("bcg_ablat_year_alloc", bcg, c("ablat", "year", "alloc"), cat = "alloc",
       label = "study"),
  case("bangertdrowns_length_imag", bd, c("length", "imag"), label = "study"),
  case("raudenbush_setting_tester", rb, c("setting", "tester"), cat = c("setting", "tester"),
       label = "study"),
  case("molloy_meanage_quality", mo, c("meanage", "quality"), label = "study")
)

## Permutation tests (Monte-Carlo p-values; alkstats draws other permutations).
perm <- function(name, dat, mods, cat, method, test, seed) {
  d <- design(dat, mods, cat, list())
  res <- rma(yi, vi, mods = d$formula, data = dat, method = method, test = test,
             control = CTRL)
  set.seed(seed)
  pt <- permutest(res, iter = 10000, progbar = FALSE)
  list(case = name, method = method, test = test, iterations = 10000,
       p = nums(pt$pval), qm_p = num(pt$QMp))
}
perms <- list(
  perm("bcg_ablat", bcg, "ablat", character(0), "REML", "z", 20240611),
  perm("bcg_ablat_year_alloc", bcg, c("ablat", "year", "alloc"), "alloc", "REML", "knha",
       20240612)
)

out <- list(generator = paste("metafor", packageVersion("metafor"), "/ metadat",
                              packageVersion("metadat")),
            cases = cases, permutations = perms)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE, null = "null"),
           "tests/fixtures/metafor_metareg.json")

dir.create("tests/inputs/metareg", showWarnings = FALSE, recursive = TRUE)
csv <- data.frame(study = bcg$study, TE = fmt_num(bcg$yi), seTE = fmt_num(sqrt(bcg$vi)),
                  ablat = bcg$ablat, year = bcg$year, alloc = bcg$alloc)
write.csv(csv, "tests/inputs/metareg/bcg.csv", row.names = FALSE, quote = TRUE)
cat("wrote tests/fixtures/metafor_metareg.json and tests/inputs/metareg/bcg.csv\n")
