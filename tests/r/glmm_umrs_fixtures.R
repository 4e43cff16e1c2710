#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Reference fixtures for the odds-ratio GLMM UM.RS (issue 16): the unconditional model
## with random study effects of metafor 3.8-1 rma.glmm(measure = "OR", model = "UM.RS"),
## which is lme4::glmer(cbind(x, n - x) ~ -1 + group1 + const + (group12 || study)):
##     logit p_i1 = b0 + mu + u_i + v_i / 2,   logit p_i2 = b0 + u_i - v_i / 2,
##     u_i ~ N(0, sigma2), v_i ~ N(0, tau2) independent; tau2 is reported as tau2,
##     sigma2 as sigma2; the common-effect (method = "EE") fit is the same with v_i = 0.
##
## Run from the repository root:  Rscript tests/r/glmm_umrs_fixtures.R
## Writes tests/fixtures/glmm_umrs.json.
##
## Two references per data set:
##  * "exact": the marginal likelihood computed here, independently of metafor, lme4 and the
##    Rust code: each study's 2-D integral over (z1, z2) ~ N(0, I) by a product Gauss-Hermite
##    rule of 50 x 50 nodes centred at the mode of the integrand and scaled by the Cholesky
##    factor of its curvature there; the rule is checked against nested integrate()
##    (rel.tol 1e-10) at the optimum and at other points ("check_integrate": the largest
##    difference of the total log likelihood). Maximised by nlminb (rel.tol 1e-15) over
##    (b0, mu, sigma >= 0, tau >= 0) from several starts; SEs from numDeriv::hessian of the
##    exact log likelihood (over the coordinates not at 0). The saturated model (one log
##    odds ratio per study, random intercept) for QE.LRT and QE.Wld likewise (1-D rule).
##  * "metafor": rma.glmm(..., model = "UM.RS"), which uses the Laplace approximation
##    (nAGQ = 1) for the random-effects fit (glmer cannot do more for two random effects)
##    and nAGQ = 7 for the common-effect fit.
## ---------------------------------------------------------------------------

source("tests/r/setup.R")
suppressPackageStartupMessages({
  library(numDeriv)
  library(lme4)
})

num <- function(v) if (is.null(v) || length(v) == 0 || is.na(v[1])) "null" else fmt_num(unname(v)[1])
arr <- function(v) paste0("[", paste(fmt_num(unname(v)), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  x <- x[!vapply(x, is.null, TRUE)]
  paste0("{", paste0('"', names(x), '":', unlist(x), collapse = ","), "}")
}

## Gauss-Hermite rule for exp(-t^2) by Golub-Welsch.
gh <- function(n) {
  J <- matrix(0, n, n)
  for (i in seq_len(n - 1)) J[i, i + 1] <- J[i + 1, i] <- sqrt(i / 2)
  e <- eigen(J, symmetric = TRUE)
  list(t = e$values, w = sqrt(pi) * e$vectors[1, ]^2)
}
GH <- gh(50)
GT <- expand.grid(i = seq_along(GH$t), j = seq_along(GH$t))
T1 <- GH$t[GT$i]; T2 <- GH$t[GT$j]
LW <- log(GH$w[GT$i]) + log(GH$w[GT$j]) + T1^2 + T2^2

## One study's log integrand h(z1, z2), including the N(0, I) density.
h2 <- function(a, n1, c, n2, b0, mu, s, t, z1, z2) {
  dbinom(a, n1, plogis(b0 + mu + s * z1 + t * z2 / 2), log = TRUE) +
    dbinom(c, n2, plogis(b0 + s * z1 - t * z2 / 2), log = TRUE) +
    dnorm(z1, log = TRUE) + dnorm(z2, log = TRUE)
}

## Mode of h by Newton's method (h is strictly concave) with its curvature.
mode2 <- function(a, n1, c, n2, b0, mu, s, t) {
  z <- c(0, 0)
  hz <- function(z) h2(a, n1, c, n2, b0, mu, s, t, z[1], z[2])
  for (it in 1:200) {
    p1 <- plogis(b0 + mu + s * z[1] + t * z[2] / 2)
    p2 <- plogis(b0 + s * z[1] - t * z[2] / 2)
    s1 <- a - n1 * p1; s2 <- c - n2 * p2
    c1 <- -n1 * p1 * (1 - p1); c2 <- -n2 * p2 * (1 - p2)
    g <- c(s * (s1 + s2) - z[1], t / 2 * (s1 - s2) - z[2])
    H <- matrix(c(s^2 * (c1 + c2) - 1, s * t / 2 * (c1 - c2),
                  s * t / 2 * (c1 - c2), t^2 / 4 * (c1 + c2) - 1), 2, 2)
    d <- -solve(H, g)
    step <- 1
    while (hz(z + step * d) < hz(z) - 1e-14 && step > 1e-10) step <- step / 2
    z <- z + step * d
    if (sqrt(sum((step * d)^2)) < 1e-13) break
  }
  list(z = z, H = H)
}

ll_study_gh <- function(a, n1, c, n2, b0, mu, s, t) {
  m <- mode2(a, n1, c, n2, b0, mu, s, t)
  R <- chol(-m$H)
  Ri <- backsolve(R, diag(2))
  z1 <- m$z[1] + sqrt(2) * (Ri[1, 1] * T1 + Ri[1, 2] * T2)
  z2 <- m$z[2] + sqrt(2) * (Ri[2, 1] * T1 + Ri[2, 2] * T2)
  v <- LW + h2(a, n1, c, n2, b0, mu, s, t, z1, z2)
  mx <- max(v)
  mx + log(sum(exp(v - mx))) + log(2) - sum(log(diag(R)))
}

## The same by nested integrate() over the mode +- 12 (the integrand beyond is below e^-72).
ll_study_integrate <- function(a, n1, c, n2, b0, mu, s, t) {
  m <- mode2(a, n1, c, n2, b0, mu, s, t)
  hh <- h2(a, n1, c, n2, b0, mu, s, t, m$z[1], m$z[2])
  inner <- function(z2) vapply(z2, function(zz) integrate(function(z1)
    exp(h2(a, n1, c, n2, b0, mu, s, t, z1, zz) - hh), m$z[1] - 12, m$z[1] + 12,
    rel.tol = 1e-10, abs.tol = 0, subdivisions = 2000L)$value, 0)
  hh + log(integrate(inner, m$z[2] - 12, m$z[2] + 12, rel.tol = 1e-10, abs.tol = 0,
                     subdivisions = 2000L)$value)
}

ll_rs <- function(p, d, f = ll_study_gh) {
  sum(vapply(seq_along(d$a), function(i)
    f(d$a[i], d$n1[i], d$c[i], d$n2[i], p[1], p[2], p[3], p[4]), 0))
}

## ML over (b0, mu, sigma >= 0, tau >= 0); `fix_tau` fits the common-effect model.
fit_ml <- function(d, fix_tau = FALSE) {
  ll <- if (fix_tau) function(p) ll_rs(c(p, 0), d) else function(p) ll_rs(p, d)
  np <- if (fix_tau) 3 else 4
  b0 <- qlogis((sum(d$c) + 0.5) / (sum(d$n2) + 1))
  mu <- qlogis((sum(d$a) + 0.5) / (sum(d$n1) + 1)) - b0
  starts <- list(c(b0, mu, 0.5, 0.3), c(b0, mu, 1.5, 0.05), c(b0, mu, 0.05, 1))
  fits <- lapply(starts, function(s0) nlminb(s0[seq_len(np)], function(p) -ll(p),
    lower = c(-Inf, -Inf, 0, 0)[seq_len(np)],
    control = list(rel.tol = 1e-15, x.tol = 1e-12, eval.max = 4000, iter.max = 2000)))
  best <- fits[[which.min(vapply(fits, function(r) r$objective, 0))]]
  p <- best$par
  obj <- best$objective
  free <- c(TRUE, TRUE, p[-(1:2)] > 1e-4)
  negll <- function(q) { pp <- p; pp[free] <- q; -ll(pp) }
  ## nlminb stops where the log likelihood no longer changes in its 11th digit, which on
  ## flat ridges leaves tau2 a few 1e-6 short: polish by Newton steps on numDeriv's
  ## (Richardson) gradient and Hessian, kept while they do not lower the likelihood.
  for (it in 1:3) {
    H <- hessian(negll, p[free])
    q <- p[free] - solve(H, grad(negll, p[free]))
    if (any(q[-(1:2)] < 0)) break
    o <- negll(q)
    if (o > obj + 1e-12) break
    p[free] <- q
    obj <- o
  }
  V <- solve(hessian(negll, p[free]))
  list(p = p, loglik = -obj, se = sqrt(V[2, 2]))
}

## Saturated model: a log odds ratio per study, random intercept (1-D rule at the mode).
GH1 <- gh(50)
ll_sat_study <- function(a, n1, c, n2, b0, th, s) {
  h <- function(z) dbinom(a, n1, plogis(b0 + th + s * z), log = TRUE) +
    dbinom(c, n2, plogis(b0 + s * z), log = TRUE) + dnorm(z, log = TRUE)
  if (s == 0) return(h(0) - dnorm(0, log = TRUE))
  zh <- optimize(function(z) -h(z), c(-40, 40), tol = 1e-12)$minimum
  e <- 1e-4
  sd <- 1 / sqrt(-(h(zh + e) - 2 * h(zh) + h(zh - e)) / e^2)
  z <- zh + sqrt(2) * sd * GH1$t
  v <- log(GH1$w) + GH1$t^2 + h(z)
  mx <- max(v)
  mx + log(sum(exp(v - mx))) + log(sqrt(2) * sd)
}
fit_saturated <- function(d) {
  k <- length(d$a)
  ll <- function(p) sum(vapply(seq_len(k), function(i)
    ll_sat_study(d$a[i], d$n1[i], d$c[i], d$n2[i], p[1], p[2 + i], p[2]), 0))
  th <- log((d$a + 0.5) * (d$n2 - d$c + 0.5) / ((d$n1 - d$a + 0.5) * (d$c + 0.5)))
  r <- nlminb(c(qlogis((sum(d$c) + 0.5) / (sum(d$n2) + 1)), 0.5, th), function(p) -ll(p),
              lower = c(-Inf, 0, rep(-Inf, k)),
              control = list(rel.tol = 1e-15, x.tol = 1e-12, eval.max = 20000, iter.max = 10000))
  q_wald <- NULL
  if (all(d$a > 0 & d$c > 0 & d$a < d$n1 & d$c < d$n2) && r$par[2] > 1e-4) {
    V <- solve(hessian(function(p) -ll(p), r$par))[-(1:2), -(1:2)]
    C <- cbind(diag(k - 1), -1)  # theta_i - theta_k, as metafor's study:group1 terms
    b <- C %*% r$par[-(1:2)]
    q_wald <- c(t(b) %*% solve(C %*% V %*% t(C), b))
  }
  list(loglik = -r$objective, q_wald = q_wald)
}

sets <- list(
  bcg = with(dat.bcg, list(a = tpos, n1 = tpos + tneg, c = cpos, n2 = cpos + cneg)),
  collins1985a = with(dat.collins1985a[!is.na(dat.collins1985a$b.xti), ],
                      list(a = b.xti, n1 = nti, c = b.xci, n2 = nci)),
  nielweise2007 = with(dat.nielweise2007, list(a = ai, n1 = n1i, c = ci, n2 = n2i)),
  bcg_k2 = with(dat.bcg[1:2, ], list(a = tpos, n1 = tpos + tneg, c = cpos, n2 = cpos + cneg)),
  homogeneous = list(a = c(10, 12, 15, 9, 11), n1 = c(100, 110, 120, 90, 100),
                     c = c(20, 22, 26, 19, 21), n2 = c(100, 105, 115, 95, 100))
)

out <- character(0)
timing <- list()
checks <- numeric(0)
for (nm in names(sets)) {
  d <- sets[[nm]]
  cat("UM.RS", nm, "\n")
  keep <- (d$a + d$c > 0) & (d$n1 - d$a + d$n2 - d$c > 0)
  k <- lapply(d, function(v) v[keep])
  re <- fit_ml(k)
  ce <- fit_ml(k, fix_tau = TRUE)
  sat <- fit_saturated(k)
  pts <- list(re$p, re$p + c(0.3, -0.2, 0.4, 0.5), c(re$p[1] - 0.5, re$p[2] + 0.5, 1.5, 1.2))
  pts[[2]][3:4] <- pmax(pts[[2]][3:4], 0.05)
  pts_json <- paste0("[", paste(vapply(pts, function(p) {
    g <- ll_rs(p, k)
    i <- ll_rs(p, k, ll_study_integrate)
    checks <<- c(checks, abs(g - i))
    obj(b0 = num(p[1]), mu = num(p[2]), sigma = num(p[3]), tau = num(p[4]), loglik = num(i))
  }, ""), collapse = ","), "]")
  t0 <- proc.time()[["elapsed"]]
  fit <- suppressWarnings(try(rma.glmm(measure = "OR", ai = d$a, n1i = d$n1, ci = d$c,
                                       n2i = d$n2, model = "UM.RS", method = "ML"), silent = TRUE))
  timing[[nm]] <- proc.time()[["elapsed"]] - t0
  fe <- suppressWarnings(try(rma.glmm(measure = "OR", ai = d$a, n1i = d$n1, ci = d$c,
                                      n2i = d$n2, model = "UM.RS", method = "EE"), silent = TRUE))
  mf <- if (inherits(fit, "try-error")) "null" else
    obj(mu = num(coef(fit)), se = num(fit$se), tau2 = num(fit$tau2), sigma2 = num(fit$sigma2),
        loglik = num(logLik(fit)), q_wald = num(fit$QE.Wld), q_lrt = num(fit$QE.LRT),
        mu_common = if (inherits(fe, "try-error")) "null" else num(coef(fe)),
        se_common = if (inherits(fe, "try-error")) "null" else num(fe$se),
        sigma2_common = if (inherits(fe, "try-error")) "null" else num(fe$sigma2),
        loglik_common = if (inherits(fe, "try-error")) "null" else num(logLik(fe)))
  ex <- obj(b0 = num(re$p[1]), mu = num(re$p[2]), sigma2 = num(re$p[3]^2),
            tau2 = num(re$p[4]^2), se = num(re$se), loglik = num(re$loglik),
            b0_common = num(ce$p[1]), mu_common = num(ce$p[2]), sigma2_common = num(ce$p[3]^2),
            se_common = num(ce$se), loglik_common = num(ce$loglik),
            loglik_saturated = num(sat$loglik), q_lrt = num(2 * (sat$loglik - ce$loglik)),
            q_wald = num(sat$q_wald), points = pts_json)
  out <- c(out, obj(name = paste0('"', nm, '"'), ai = arr(d$a), n1i = arr(d$n1),
                    ci = arr(d$c), n2i = arr(d$n2), exact = ex, metafor = mf))
}

## metafor's time per UM.RS fit on dat.bcg (k = 13), the median of 5.
d <- sets$bcg
bcg_times <- vapply(1:5, function(i) system.time(suppressWarnings(
  rma.glmm(measure = "OR", ai = d$a, n1i = d$n1, ci = d$c, n2i = d$n2, model = "UM.RS",
           method = "ML")))[["elapsed"]], 0)

json <- paste0("{\n",
  '"generated_by": "tests/r/glmm_umrs_fixtures.R (metafor ', packageVersion("metafor"),
  ", lme4 ", packageVersion("lme4"), ')",\n',
  '"check_integrate_max_abs_loglik": ', fmt_num(max(checks)), ",\n",
  '"sets": [\n', paste(out, collapse = ",\n"), "\n],\n",
  '"metafor_seconds_bcg_median": ', fmt_num(median(bcg_times)), "\n}\n")
writeLines(json, "tests/fixtures/glmm_umrs.json")
cat("wrote tests/fixtures/glmm_umrs.json; GH vs integrate max", max(checks), "\n")
