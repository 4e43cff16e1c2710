#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## GLMM reference fixtures for alkstats (issue 16), produced with R metafor 3.8-1,
## metadat, lme4 and BiasedUrn.
##
## Run from the repository root:
##     Rscript tests/r/glmm_fixtures.R
## Writes tests/fixtures/glmm.json.
##
## Two references for every model:
##  * "exact": the marginal likelihood computed here independently of metafor
##    and lme4 -- each study's integral by integrate() (rel.tol 1e-10) over the
##    random effect z ~ N(0, 1) over the mode +- 12, split at +- 8 curvature SDs -- and
##    maximised by nlminb (rel.tol 1e-15) over (mu, tau >= 0), UM.FS with its
##    study intercepts profiled out by optimize(). SEs from numDeriv::hessian
##    of the exact log likelihood in (mu, tau). The log likelihood is also
##    recorded at fixed points, to check the quadrature directly.
##  * "metafor": rma.glmm(measure = "PLO" | "OR", model = ...), nAGQ = 7 (the
##    default; CM.EL integrates exactly with integrate()).
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(numDeriv)
})
if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/glmm_fixtures.R")
}
source("tests/r/json_numbers.R")  # fmt_num

num <- function(v) if (is.null(v) || length(v) == 0) "null" else fmt_num(unname(v)[1])
arr <- function(v) paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  x <- x[!vapply(x, is.null, TRUE)]
  paste0("{", paste0('"', names(x), '":', unlist(x), collapse = ","), "}")
}
str_json <- function(s) paste0('"', s, '"')

## ---- the exact marginal likelihood ----------------------------------------
## log of the integral over z of exp(h(z)), h = log likelihood + log dnorm(z).
log_integral <- function(h) {
  ## h is concave with h'' <= -1: its mode lies within the wide bracket below, and the
  ## integrand beyond the mode +- 12 is below exp(-72) of its peak.
  zh <- optimize(function(z) -h(z), c(-100, 100), tol = 1e-12)$minimum
  hh <- h(zh)
  e <- 1e-4
  curv <- -(h(zh + e) - 2 * hh + h(zh - e)) / e^2
  s <- if (is.finite(curv) && curv > 0) 1 / sqrt(curv) else 1
  f <- function(z) exp(h(z) - hh)
  w <- min(8 * s, 12)
  cuts <- c(zh - 12, zh - w, zh + w, zh + 12)
  tot <- 0
  for (j in seq_len(length(cuts) - 1)) {
    tot <- tot + integrate(f, cuts[j], cuts[j + 1], rel.tol = 1e-10, abs.tol = 0,
                           subdivisions = 2000L, stop.on.error = FALSE)$value
  }
  hh + log(tot)
}

## one binomial study x of n, log odds mu + off + tau z
ll_binom <- function(x, n, mu, tau, off = 0) {
  if (tau == 0) return(dbinom(x, n, plogis(mu + off), log = TRUE))
  log_integral(function(z) dbinom(x, n, plogis(mu + off + tau * z), log = TRUE) +
                 dnorm(z, log = TRUE))
}
ll_plo <- function(p, x, n, off = 0) sum(mapply(ll_binom, x, n, MoreArgs = list(mu = p[1], tau = p[2]), off = off))

## Fisher's non-central hypergeometric log pmf of a (of n1) given m events
ll_nchg1 <- function(a, n1, n2, m, eta) {
  y <- max(0, m - n2):min(n1, m)
  lc <- lchoose(n1, y) + lchoose(n2, m - y) + y * eta
  mx <- max(lc)
  lchoose(n1, a) + lchoose(n2, m - a) + a * eta - (mx + log(sum(exp(lc - mx))))
}
ll_nchg <- function(a, n1, c, n2, mu, tau) {
  m <- a + c
  if (tau == 0) return(ll_nchg1(a, n1, n2, m, mu))
  log_integral(function(z) vapply(z, function(zz) ll_nchg1(a, n1, n2, m, mu + tau * zz), 0) +
                 dnorm(z, log = TRUE))
}

## UM.FS: one study's log likelihood at its intercept alpha
ll_pair <- function(a, n1, c, n2, alpha, theta, tau) {
  h <- function(z) dbinom(a, n1, plogis(alpha + (theta + tau * z) / 2), log = TRUE) +
    dbinom(c, n2, plogis(alpha - (theta + tau * z) / 2), log = TRUE)
  if (tau == 0) return(h(0))
  log_integral(function(z) h(z) + dnorm(z, log = TRUE))
}
ll_umfs_profile <- function(p, a, n1, c, n2) {
  sum(vapply(seq_along(a), function(i) {
    -optimize(function(al) -ll_pair(a[i], n1[i], c[i], n2[i], al, p[1], p[2]),
              c(-30, 30), tol = 1e-11)$objective
  }, 0))
}

## ML over (mu, tau >= 0) of the log likelihood ll(p); SE from the Hessian
exact_fit <- function(ll, start, se = TRUE) {
  f <- function(p) -ll(p)
  fits <- lapply(c(0.05, start[2], 1.5), function(t0)
    nlminb(c(start[1], t0), f, lower = c(-Inf, 0),
           control = list(rel.tol = 1e-15, x.tol = 1e-12, eval.max = 2000, iter.max = 1000)))
  best <- fits[[which.min(vapply(fits, function(r) r$objective, 0))]]
  p <- best$par
  common <- optimize(function(m) -ll(c(m, 0)), start[1] + c(-10, 10), tol = 1e-12)
  se_mu <- NULL
  se_common <- NULL
  if (se) {
    se_common <- sqrt(1 / hessian(function(m) -ll(c(m, 0)), common$minimum)[1, 1])
    if (p[2] > 1e-4) {
      H <- hessian(f, p)
      se_mu <- sqrt(solve(H)[1, 1])
    } else {
      se_mu <- sqrt(1 / hessian(function(m) f(c(m, 0)), p[1])[1, 1])
    }
  }
  list(mu = p[1], tau2 = p[2]^2, loglik = -best$objective, se = se_mu,
       mu_common = common$minimum, loglik_common = -common$objective, se_common = se_common)
}
exact_json <- function(e, ll) {
  pts <- list(c(e$mu, sqrt(e$tau2)), c(e$mu + 0.5, 2 * sqrt(e$tau2) + 0.1), c(e$mu - 1, 2.5), c(e$mu + 0.3, 0.05))
  pts_json <- paste0("[", paste(vapply(pts, function(p)
    obj(mu = num(p[1]), tau = num(p[2]), loglik = num(ll(p))), ""), collapse = ","), "]")
  obj(mu = num(e$mu), tau2 = num(e$tau2), se = num(e$se), loglik = num(e$loglik),
      mu_common = num(e$mu_common), se_common = num(e$se_common),
      loglik_common = num(e$loglik_common), points = pts_json)
}

metafor_json <- function(fit, fe) {
  if (inherits(fit, "try-error")) return("null")
  obj(mu = num(coef(fit)), se = num(fit$se), tau2 = num(fit$tau2),
      ci_lb = num(fit$ci.lb), ci_ub = num(fit$ci.ub),
      loglik = num(logLik(fit)), q_wald = num(fit$QE.Wld), q_lrt = num(fit$QE.LRT),
      i2 = num(fit$I2), h2 = num(fit$H2), vt = num(fit$vt),
      mu_common = if (inherits(fe, "try-error")) "null" else num(coef(fe)),
      se_common = if (inherits(fe, "try-error")) "null" else num(fe$se),
      loglik_common = if (inherits(fe, "try-error")) "null" else num(logLik(fe)))
}

## ---- proportions ----------------------------------------------------------
ax <- dat.axfors2021[!is.na(dat.axfors2021$hcq_arm_event), ]
plo_sets <- list(
  pritz1997 = list(x = dat.pritz1997$xi, n = dat.pritz1997$ni),
  debruin2009 = list(x = dat.debruin2009$xi, n = dat.debruin2009$ni),
  nielweise2007_arm1 = list(x = dat.nielweise2007$ai, n = dat.nielweise2007$n1i),
  axfors2021_hcq_rare = list(x = ax$hcq_arm_event, n = ax$hcq_arm_total),
  pritz1997_k2 = list(x = dat.pritz1997$xi[1:2], n = dat.pritz1997$ni[1:2]),
  homogeneous_boundary = list(x = c(10, 11, 9, 10, 12), n = c(50, 50, 50, 50, 50))
)
plo_json <- character(0)
timings <- list()
for (nm in names(plo_sets)) {
  d <- plo_sets[[nm]]
  cat("PLO", nm, "k =", length(d$x), "\n")
  ll <- function(p) ll_plo(p, d$x, d$n)
  e <- exact_fit(ll, c(qlogis(sum(d$x) / sum(d$n)), 0.5))
  t0 <- proc.time()[["elapsed"]]
  fit <- try(rma.glmm(measure = "PLO", xi = d$x, ni = d$n, method = "ML"), silent = TRUE)
  timings[[paste0("PLO_", nm)]] <- proc.time()[["elapsed"]] - t0
  fe <- try(rma.glmm(measure = "PLO", xi = d$x, ni = d$n, method = "EE"), silent = TRUE)
  plo_json <- c(plo_json, obj(name = str_json(nm), xi = arr(d$x), ni = arr(d$n),
                              exact = exact_json(e, ll), metafor = metafor_json(fit, fe)))
}

## ---- odds ratios ----------------------------------------------------------
or_sets <- list(
  hine1989 = with(dat.hine1989, list(a = ai, n1 = n1i, c = ci, n2 = n2i)),
  lee2004 = with(dat.lee2004, list(a = ai, n1 = n1i, c = ci, n2 = n2i)),
  nielweise2007 = with(dat.nielweise2007, list(a = ai, n1 = n1i, c = ci, n2 = n2i))
)
or_json <- character(0)
for (nm in names(or_sets)) {
  d <- or_sets[[nm]]
  keep <- (d$a + d$c > 0) & (d$n1 - d$a + d$n2 - d$c > 0)
  k <- lapply(d, function(v) v[keep])
  models <- character(0)
  for (model in c("CM.EL", "CM.AL", "UM.FS")) {
    cat("OR", nm, model, "\n")
    t0 <- proc.time()[["elapsed"]]
    fit <- try(rma.glmm(measure = "OR", ai = d$a, n1i = d$n1, ci = d$c, n2i = d$n2,
                        model = model, method = "ML"), silent = TRUE)
    timings[[paste0(model, "_", nm)]] <- proc.time()[["elapsed"]] - t0
    fe <- try(rma.glmm(measure = "OR", ai = d$a, n1i = d$n1, ci = d$c, n2i = d$n2,
                       model = model, method = "EE"), silent = TRUE)
    exact <- NULL
    start <- c(log((sum(k$a) + 0.5) * (sum(k$n2 - k$c) + 0.5) /
                     ((sum(k$n1 - k$a) + 0.5) * (sum(k$c) + 0.5))), 0.5)
    if (model == "CM.AL") {
      ll <- function(p) ll_plo(p, k$a, k$a + k$c, off = log(k$n1 / k$n2))
      exact <- exact_json(exact_fit(ll, start), ll)
    }
    if (model == "CM.EL") {
      ll <- function(p) sum(mapply(ll_nchg, k$a, k$n1, k$c, k$n2,
                                   MoreArgs = list(mu = p[1], tau = p[2])))
      exact <- exact_json(exact_fit(ll, start, se = nm != "nielweise2007"), ll)
    }
    if (model == "UM.FS" && nm == "hine1989") {
      ll <- function(p) ll_umfs_profile(p, k$a, k$n1, k$c, k$n2)
      exact <- exact_json(exact_fit(ll, start, se = FALSE), ll)
    }
    models <- c(models, paste0('"', model, '":',
                               obj(exact = exact, metafor = metafor_json(fit, fe))))
  }
  or_json <- c(or_json, obj(name = str_json(nm), ai = arr(d$a), n1i = arr(d$n1),
                            ci = arr(d$c), n2i = arr(d$n2),
                            models = paste0("{", paste(models, collapse = ","), "}")))
}

timing_json <- paste0("{", paste0('"', names(timings), '":', fmt_num(unlist(timings)),
                                   collapse = ","), "}")
out <- paste0("{\n",
              '"generated_by": "tests/r/glmm_fixtures.R (metafor ', packageVersion("metafor"),
              ', lme4 ', packageVersion("lme4"), ')",\n',
              '"plo": [\n', paste(plo_json, collapse = ",\n"), "\n],\n",
              '"or": [\n', paste(or_json, collapse = ",\n"), "\n],\n",
              '"metafor_seconds": ', timing_json, "\n}\n")
writeLines(out, "tests/fixtures/glmm.json")
cat("wrote tests/fixtures/glmm.json\n")
