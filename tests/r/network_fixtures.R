#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## Reference fixtures for `alkstats network`, produced with R metafor 3.8-1.
##
## Run from the repository root:
##     Rscript tests/r/network_fixtures.R
##
## Writes tests/fixtures/metafor_network.json with, for each case:
##   - the contrast rows (study, treatment, comparator, yi = ln HR or MD, vi);
##   - tau^2 by REML (metafor::rma.mv, random = ~ comp | study, rho = 1/2, polished by
##     solving the REML score equation) and by the generalised DerSimonian-Laird moment
##     estimator (closed form, below; rma.mv has no DL);
##   - every ordered pairwise effect (yi, se) of the common-effect and random-effects
##     models, from coef() and vcov() of rma.mv;
##   - P-scores (Ruecker & Schwarzer 2015) computed here from those estimates;
##   - the Q decomposition of Krahn, Binder & Koenig (2013): Q of the common-effect
##     consistency model (rma.mv QE), Q within designs (QE of rma.mv with one parameter
##     per design and contrast), and their difference;
##   - node-splitting by back-calculation (direct: inverse-variance mean with netmeta's
##     reduced weights at the model's tau^2; indirect = (network - w direct)/(1 - w)).
##
## Cases: the shipped ALK data (data/alk_nsclc_hr.csv: first-line PFS, all-settings PFS
## with its alectinib-crizotinib-chemotherapy loop, first-line OS) and the Senn et al.
## (2013) diabetes network (metadat::dat.senn2013, arm level, turned into all pairwise
## mean differences; Willms 1999 has three arms).
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run this script from the repository root: Rscript tests/r/network_fixtures.R")
}
if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("fixtures are meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}

## Shortest round-tripping number format (see tests/r/README.md, "Number format").
source("tests/r/json_numbers.R")  # fmt_num
num <- function(v) {
  if (is.null(v) || length(v) == 0) return(structure("null", class = "json"))
  stopifnot(length(v) == 1)
  structure(fmt_num(unname(v)), class = "json")
}

## Why rma.mv and not rma(yi, vi, mods = X, intercept = FALSE): in metafor 3.8-1,
## rma.uni computes QE and its tau^2 iterations from yi centred at their mean
## (`Ymc`), which is harmless when X spans an intercept but wrong for a treatment
## design matrix, which never does. For alk_pfs_all_settings rma() reports
## QE = 16.04 (df 5) where the weighted residual sum of squares is 6.715 (rma.mv's QE,
## lm(weights = 1/vi)), DL tau^2 = 0.0770 instead of 0.0120, and REML 0.0995 where the
## restricted likelihood peaks at 0.00782. rma.mv has no such centring.
## rma.mv: tight optimiser control so that its stopping rule does not limit agreement.
CTRL_MV <- list(rel.tol = 1e-12, eval.max = 10000, iter.max = 10000)

## ---------------------------------------------------------------------------
## Building the model: basic contrasts (every arm of a study against the study's
## baseline, the arm that comes first in the treatment order), within-study
## covariance, design matrix.
## ---------------------------------------------------------------------------

## rows: data.frame(study, treatment, comparator, yi, vi) with every pairwise contrast of
## a multi-arm study; arm_var: optional function(study, arm) giving the variance of an
## arm (used for multi-arm studies; the Rust side derives it from the contrasts).
build <- function(rows, trts, arm_var = NULL) {
  out <- list()
  for (s in unique(rows$study)) {
    r <- rows[rows$study == s, ]
    arms <- unique(c(r$treatment, r$comparator))
    arms <- arms[order(match(arms, trts))]
    b <- arms[1]
    design <- paste(sort(arms), collapse = ":")
    for (j in arms[-1]) {
      i1 <- which(r$treatment == j & r$comparator == b)
      i2 <- which(r$treatment == b & r$comparator == j)
      if (length(i1) == 1) {
        y <- r$yi[i1]; v <- r$vi[i1]
      } else {
        y <- -r$yi[i2]; v <- r$vi[i2]
      }
      out[[length(out) + 1]] <- data.frame(study = s, t = j, c = b, yi = y, vi = v,
                                           design = design, narms = length(arms),
                                           comp = paste0(j, "-", b))
    }
  }
  d <- do.call(rbind, out)
  n <- nrow(d)
  V <- diag(d$vi, n)
  for (s in unique(d$study)) {
    idx <- which(d$study == s)
    if (length(idx) > 1) {
      b <- d$c[idx[1]]
      for (a in idx) for (bb in idx) if (a != bb) V[a, bb] <- arm_var(s, b)
    }
  }
  X <- matrix(0, n, length(trts) - 1, dimnames = list(NULL, trts[-1]))
  for (i in seq_len(n)) {
    if (d$t[i] != trts[1]) X[i, d$t[i]] <- 1
    if (d$c[i] != trts[1]) X[i, d$c[i]] <- -1
  }
  ## between-study structure: 1 on the diagonal, 1/2 between contrasts of one study
  U <- diag(n)
  for (s in unique(d$study)) {
    idx <- which(d$study == s)
    for (a in idx) for (bb in idx) if (a != bb) U[a, bb] <- 0.5
  }
  list(d = d, V = V, X = X, U = U, trts = trts)
}

## Generalised DerSimonian-Laird (DerSimonian & Laird 1986; Jackson, White & Riley 2012;
## Ruecker 2012): E[Q] = df + tau^2 tr(P U), P = W - W X (X'WX)^-1 X'W, W = V^-1.
tau2_dl <- function(m) {
  W <- solve(m$V)
  A <- t(m$X) %*% W %*% m$X
  P <- W - W %*% m$X %*% solve(A) %*% t(m$X) %*% W
  Q <- as.numeric(t(m$d$yi) %*% P %*% m$d$yi)
  df <- nrow(m$X) - ncol(m$X)
  max(0, (Q - df) / sum(diag(P %*% m$U)))
}

fit_mv <- function(m, tau2 = NULL, method = "REML") {
  if (is.null(tau2)) {
    ## nlminb may report non-convergence at the tightest tolerance when the optimum is
    ## on the boundary (tau^2 = 0); the answer is then checked by optimize() below.
    fit <- tryCatch(
      rma.mv(m$d$yi, m$V, mods = m$X, intercept = FALSE, random = ~ comp | study,
             struct = "CS", rho = 1/2, data = m$d, method = method, control = CTRL_MV),
      error = function(e) NULL)
    if (is.null(fit)) {
      fit <- rma.mv(m$d$yi, m$V, mods = m$X, intercept = FALSE, random = ~ comp | study,
                    struct = "CS", rho = 1/2, data = m$d, method = method)
    }
    fit
  } else if (tau2 == 0) {
    rma.mv(m$d$yi, m$V, mods = m$X, intercept = FALSE, method = "FE")
  } else {
    rma.mv(m$d$yi, m$V, mods = m$X, intercept = FALSE, random = ~ comp | study,
           struct = "CS", rho = 1/2, tau2 = tau2, data = m$d, control = CTRL_MV)
  }
}

## Every ordered pair (treatment, comparator): yi = d_t - d_c and its SE.
pairs_of <- function(fit, trts) {
  d <- c(0, as.numeric(coef(fit)))
  Vb <- matrix(0, length(trts), length(trts))
  Vb[-1, -1] <- vcov(fit)
  out <- list()
  for (i in seq_along(trts)) for (j in seq_along(trts)) if (i != j) {
    out[[length(out) + 1]] <- list(
      treatment = trts[i], comparator = trts[j], yi = num(d[i] - d[j]),
      se = num(sqrt(Vb[i, i] + Vb[j, j] - 2 * Vb[i, j])))
  }
  list(d = d, Vb = Vb, pairs = out)
}

## P-scores (Ruecker & Schwarzer 2015): mean over j != i of Phi((d_j - d_i)/se_ij) when
## small values are good; Phi((d_i - d_j)/se_ij) when large values are good.
pscores <- function(p, trts, small_good = TRUE) {
  res <- list()
  for (i in seq_along(trts)) {
    s <- 0
    for (j in seq_along(trts)) if (i != j) {
      se <- sqrt(p$Vb[i, i] + p$Vb[j, j] - 2 * p$Vb[i, j])
      z <- (p$d[j] - p$d[i]) / se
      s <- s + pnorm(if (small_good) z else -z)
    }
    res[[trts[i]]] <- num(s / (length(trts) - 1))
  }
  res
}

## Krahn et al. (2013) decomposition, common-effect model.
decomp <- function(m) {
  fe <- fit_mv(m, tau2 = 0)
  key <- paste(m$d$design, m$d$comp)
  Xd <- model.matrix(~ 0 + factor(key))
  within <- rma.mv(m$d$yi, m$V, mods = Xd, intercept = FALSE, method = "FE")
  q <- fe$QE; df <- fe$k - fe$p
  qw <- within$QE; dfw <- within$k - within$p
  list(q = num(q), df = df, p = num(pchisq(q, df, lower.tail = FALSE)),
       q_within_designs = num(qw), df_within_designs = dfw,
       q_inconsistency = num(q - qw), df_inconsistency = df - dfw)
}

## netmeta's reduced weights of one study (Ruecker 2012): from the pairwise variances
## V_ij (+ tau^2), L^+ = -1/2 P Vmat P with P the centring matrix, w_ij = -L_ij.
reduced_weights <- function(arms, pv) {
  k <- length(arms)
  Vm <- matrix(0, k, k, dimnames = list(arms, arms))
  for (i in 1:k) for (j in 1:k) if (i != j) Vm[i, j] <- pv(arms[i], arms[j])
  C <- diag(k) - matrix(1 / k, k, k)
  Lp <- -0.5 * C %*% Vm %*% C
  L <- solve(Lp + matrix(1 / k, k, k)) - matrix(1 / k, k, k)
  dimnames(L) <- list(arms, arms)
  -L
}

## Node-splitting by back-calculation (Dias et al. 2010; Koenig et al. 2013; netmeta
## netsplit): direct = sum w y / sum w over the studies with the pair (reduced weights,
## tau^2 added); indirect from 1/v_ind = 1/v_net - 1/v_dir.
node_split <- function(m, rows, p, tau2, arm_var) {
  trts <- m$trts
  out <- list()
  for (i in seq_along(trts)) for (j in seq_along(trts)) if (i < j) {
    a <- trts[i]; b <- trts[j]
    sw <- 0; swy <- 0
    for (s in unique(rows$study)) {
      r <- rows[rows$study == s, ]
      arms <- unique(c(r$treatment, r$comparator))
      if (!(a %in% arms && b %in% arms)) next
      pv <- function(x, y) {
        k1 <- which(r$treatment == x & r$comparator == y)
        k2 <- which(r$treatment == y & r$comparator == x)
        (if (length(k1)) r$vi[k1] else r$vi[k2]) + tau2
      }
      w <- reduced_weights(arms, pv)[a, b]
      k1 <- which(r$treatment == a & r$comparator == b)
      k2 <- which(r$treatment == b & r$comparator == a)
      y <- if (length(k1)) r$yi[k1] else -r$yi[k2]
      sw <- sw + w; swy <- swy + w * y
    }
    if (sw == 0) next
    ydir <- swy / sw; vdir <- 1 / sw
    ynet <- p$d[i] - p$d[j]; vnet <- p$Vb[i, i] + p$Vb[j, j] - 2 * p$Vb[i, j]
    ## indirect evidence exists iff a and b stay connected without their direct edge
    e <- unique(t(apply(rows[, c("treatment", "comparator")], 1, sort)))
    e <- e[!(e[, 1] == min(a, b) & e[, 2] == max(a, b)), , drop = FALSE]
    reach <- a
    repeat {
      nxt <- unique(c(reach, e[e[, 1] %in% reach, 2], e[e[, 2] %in% reach, 1]))
      if (length(nxt) == length(reach)) break
      reach <- nxt
    }
    if (!(b %in% reach)) next
    vind <- 1 / (1 / vnet - 1 / vdir)
    yind <- vind * (ynet / vnet - ydir / vdir)
    out[[length(out) + 1]] <- list(
      treatment = a, comparator = b,
      direct_yi = num(ydir), direct_se = num(sqrt(vdir)),
      indirect_yi = num(yind), indirect_se = num(sqrt(vind)),
      network_yi = num(ynet), network_se = num(sqrt(vnet)),
      direct_proportion = num(vnet / vdir))
  }
  out
}

run_case <- function(name, rows, trts, description, arm_var = NULL) {
  m <- build(rows, trts, arm_var)
  message(name, ": ", nrow(m$d), " basic contrasts, ", length(trts), " treatments")
  common <- pairs_of(fit_mv(m, tau2 = 0), trts)
  models <- list()
  for (method in c("REML", "DL")) {
    if (method == "REML") {
      fit <- fit_mv(m, method = "REML")
      tau2_mv <- fit$tau2
      ## Polish rma.mv's nlminb optimum by solving the REML score equation
      ## (1/2)[y'PUPy - tr(PU)] = 0 with uniroot(); the two must agree to 1e-6.
      score <- function(t2) {
        W <- solve(m$V + t2 * m$U)
        A <- t(m$X) %*% W %*% m$X
        P <- W - W %*% m$X %*% solve(A) %*% t(m$X) %*% W
        as.numeric(t(m$d$yi) %*% P %*% m$U %*% P %*% m$d$yi) - sum(diag(P %*% m$U))
      }
      if (score(0) <= 0) {
        tau2 <- 0
      } else {
        hi <- max(1, 10 * tau2_mv)
        tau2 <- uniroot(score, c(0, hi), tol = 1e-15, maxiter = 10000)$root
      }
      if (abs(tau2 - tau2_mv) > 1e-6 * max(1e-4, tau2)) {
        stop(name, ": rma.mv REML tau^2 ", tau2_mv, " differs from the score root ", tau2)
      }
    } else {
      tau2 <- tau2_dl(m)
    }
    random <- pairs_of(fit_mv(m, tau2 = tau2), trts)
    models[[method]] <- list(
      tau2 = num(tau2),
      effects = random$pairs,
      p_scores = pscores(random, trts, TRUE),
      p_scores_large_good = pscores(random, trts, FALSE),
      node_split = node_split(m, rows, random, tau2, arm_var))
  }
  list(
    name = name, description = description, reference = trts[1], treatments = trts,
    rows = lapply(seq_len(nrow(rows)), function(i) list(
      study = rows$study[i], treatment = rows$treatment[i],
      comparator = rows$comparator[i], yi = num(rows$yi[i]), vi = num(rows$vi[i]))),
    common = list(effects = common$pairs, p_scores = pscores(common, trts, TRUE),
                  node_split = node_split(m, rows, common, 0, arm_var)),
    heterogeneity = decomp(m),
    REML = models$REML, DL = models$DL)
}

## ---------------------------------------------------------------------------
## Cases
## ---------------------------------------------------------------------------

## The shipped HR data: yi = ln HR, SE from the CI at its own level or from the
## two-sided p-value (Altman & Bland 2011), rows superseded by others left out.
hr <- read.csv("data/alk_nsclc_hr.csv", stringsAsFactors = FALSE, na.strings = "")
hr_rows <- function(endpoint, setting = NULL) {
  h <- hr[hr$endpoint == endpoint & is.na(hr$overlaps), ]
  if (!is.null(setting)) h <- h[h$setting == setting, ]
  lvl <- ifelse(is.na(h$ci_level), 0.95, h$ci_level)
  se <- ifelse(!is.na(h$hr_lower),
               (log(h$hr_upper) - log(h$hr_lower)) / (2 * qnorm(0.5 + lvl / 2)),
               abs(log(h$hr)) / qnorm(1 - h$p_value / 2))
  data.frame(study = ifelse(is.na(h$trial), h$study, h$trial), treatment = h$treatment,
             comparator = h$comparator, yi = log(h$hr), vi = se^2,
             stringsAsFactors = FALSE)
}
order_trts <- function(rows, ref) {
  t <- sort(unique(c(rows$treatment, rows$comparator)))
  c(ref, setdiff(t, ref))
}

cases <- list()
r <- hr_rows("pfs", "first-line")
cases[[length(cases) + 1]] <- run_case(
  "alk_pfs_first_line", r, order_trts(r, "chemotherapy"),
  "data/alk_nsclc_hr.csv, endpoint pfs, setting first-line (no closed loop)")
r <- hr_rows("pfs")
cases[[length(cases) + 1]] <- run_case(
  "alk_pfs_all_settings", r, order_trts(r, "chemotherapy"),
  "data/alk_nsclc_hr.csv, endpoint pfs, every setting (loop alectinib-crizotinib-chemotherapy)")
r <- hr_rows("os", "first-line")
cases[[length(cases) + 1]] <- run_case(
  "alk_os_first_line", r, order_trts(r, "chemotherapy"),
  "data/alk_nsclc_hr.csv, endpoint os, setting first-line")

## Senn et al. (2013): arm-level means and SDs -> every pairwise mean difference
## (arm listed first minus arm listed second), vi = sd1^2/n1 + sd2^2/n2.
sd <- dat.senn2013
sd$v <- sd$sdi^2 / sd$ni
srows <- list()
for (s in unique(sd$study)) {
  a <- sd[sd$study == s, ]
  for (i in 1:(nrow(a) - 1)) for (j in (i + 1):nrow(a)) {
    srows[[length(srows) + 1]] <- data.frame(
      study = s, treatment = a$treatment[i], comparator = a$treatment[j],
      yi = a$mi[i] - a$mi[j], vi = a$v[i] + a$v[j], stringsAsFactors = FALSE)
  }
}
srows <- do.call(rbind, srows)
## Multi-arm covariance from the arm level: Cov(y_jb, y_lb) = var of the shared arm b.
senn_arm_var <- function(study, arm) sd$v[sd$study == study & sd$treatment == arm]
cases[[length(cases) + 1]] <- run_case(
  "senn2013", srows, order_trts(srows, "placebo"),
  "metadat::dat.senn2013 as all pairwise mean differences; Willms (1999) has 3 arms",
  arm_var = senn_arm_var)

## Independent check of the multi-arm handling: the arm-based models of the metadat
## documentation of dat.senn2013 (Examples: "network meta-analysis using an arm-based
## fixed-effects model with fixed study effects", res.fe, and its random-effects version with
## rho = 1/2, res.re), fitted to the 53 arm means. They see the arms, not the contrasts, so
## they need no covariance derived from contrast variances; the contrast-based model must
## give the same treatment effects, Q and REML tau^2.
arm <- escalc(measure = "MN", mi = mi, sdi = sdi, ni = ni, data = dat.senn2013)
arm$treatment <- relevel(factor(arm$treatment), ref = "placebo")
res_fe <- rma.mv(yi, vi, mods = ~ study + treatment - 1, data = arm)
res_re <- rma.mv(yi, vi, mods = ~ study + treatment - 1, random = ~ treatment | study,
                 rho = 1/2, data = arm, control = CTRL_MV)
arm_effects <- function(fit) {
  b <- tail(coef(fit), 9); se <- sqrt(tail(diag(vcov(fit)), 9))
  lapply(seq_along(b), function(i) list(
    treatment = sub("^treatment", "", names(b)[i]), comparator = "placebo",
    yi = num(b[i]), se = num(se[i])))
}
senn_arm_based <- list(
  call = paste("escalc('MN', mi, sdi, ni, data = dat.senn2013);",
               "rma.mv(yi, vi, mods = ~ study + treatment - 1[, random = ~ treatment | study, rho = 1/2])"),
  common = list(q = num(res_fe$QE), df = res_fe$k - res_fe$p, effects = arm_effects(res_fe)),
  REML = list(tau2 = num(res_re$tau2), effects = arm_effects(res_re)))

fixture <- list(
  generated_by = "Rscript tests/r/network_fixtures.R",
  senn2013_arm_based = senn_arm_based,
  metafor = as.character(packageVersion("metafor")),
  R = R.version.string,
  cases = cases)
path <- file.path("tests", "fixtures", "metafor_network.json")
txt <- toJSON(fixture, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE,
              na = "null", null = "null")
writeLines(txt, path, useBytes = TRUE)
invisible(fromJSON(path, simplifyVector = FALSE))
message("wrote ", path)

## Printed for the record (tests/network_agreement.rs quotes the Senn values).
s <- cases[[4]]
message("senn2013: Q = ", s$heterogeneity$q, " df = ", s$heterogeneity$df,
        "; within ", s$heterogeneity$q_within_designs, " df ", s$heterogeneity$df_within_designs,
        "; between ", s$heterogeneity$q_inconsistency, " df ", s$heterogeneity$df_inconsistency,
        "; tau2 DL = ", s$DL$tau2, ", REML = ", s$REML$tau2)
