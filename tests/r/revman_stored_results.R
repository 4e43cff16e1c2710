# Writes tests/fixtures/revman/stored_results.rm5: a RevMan 5 review whose one outcome (BCG
# vaccine trials, metadat::dat.bcg, odds ratio, Mantel-Haenszel, fixed effect) carries the
# results RevMan stores when it has calculated (CALCULATED_DATA="YES"): per study EFFECT_SIZE,
# CI_START, CI_END, WEIGHT; per outcome EFFECT_SIZE, CI_START, CI_END, Z, P_Z, CHI2, DF,
# P_CHI2, I2. The values are metafor 3.8's, computed with RevMan's formulas (Deeks & Higgins
# 2010, "Statistical algorithms in Review Manager 5": per-study OR with a Woolf CI; MH pooled
# OR with the Robins-Breslow-Greenland variance; Q about the MH estimate with inverse-variance
# weights; I^2 = (Q - df) / Q; MH weights in percent), written with 15 significant digits as
# RevMan writes its doubles.
#
# Run from the repository root: Rscript tests/r/revman_stored_results.R
suppressPackageStartupMessages({ library(metafor); library(metadat) })
stopifnot(packageVersion("metafor") >= "3.8")
d <- dat.bcg
names <- paste(d$author, d$year)
# RevMan's escapes in IDs (space, hyphen, ampersand); XML's in names.
ids <- paste0("STD-", gsub("&", "_x0026_", gsub("-", "_x002d_", gsub(" ", "_x0020_", names))))
xml_names <- gsub("&", "&amp;", names)
es <- escalc(measure = "OR", ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg, data = d)
mh <- rma.mh(measure = "OR", ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg,
             data = d, level = 95)
w <- weights(mh)                              # MH weights, percent
z <- qnorm(0.975)
num <- function(x) sprintf("%.15g", x)
q <- mh$QE; df <- mh$k - 1
i2 <- max(0, (q - df) / q) * 100
study <- sprintf('<STUDY DATA_SOURCE="PUB" ID="%s" NAME="%s" YEAR="%d"><IDENTIFIERS/></STUDY>',
                 ids, xml_names, d$year)
rows <- sprintf(paste0('<DICH_DATA CI_END="%s" CI_START="%s" EFFECT_SIZE="%s" ESTIMABLE="YES" ',
                       'EVENTS_1="%d" EVENTS_2="%d" ORDER="%d" O_E="0.0" SE="%s" STUDY_ID="%s" ',
                       'TOTAL_1="%d" TOTAL_2="%d" VAR="%s" WEIGHT="%s"/>'),
                num(exp(es$yi + z * sqrt(es$vi))), num(exp(es$yi - z * sqrt(es$vi))),
                num(exp(es$yi)), d$tpos, d$cpos, seq_len(nrow(d)), num(sqrt(es$vi)), ids,
                d$tpos + d$tneg, d$cpos + d$cneg, num(es$vi), num(w))
outcome <- sprintf(paste0(
  '<DICH_OUTCOME CHI2="%s" CI_END="%s" CI_START="%s" CI_STUDY="95" CI_TOTAL="95" DF="%d" ',
  'EFFECT_MEASURE="OR" EFFECT_SIZE="%s" ESTIMABLE="YES" EVENTS_1="%d" EVENTS_2="%d" I2="%s" ',
  'ID="CMP-001.01" METHOD="MH" NO="1" P_CHI2="%s" P_Z="%s" RANDOM="NO" SCALE="100.0" ',
  'SORT_BY="STUDY" STUDIES="%d" SUBGROUPS="NO" SUBGROUP_TEST="NO" SWAP_EVENTS="NO" ',
  'TOTAL_1="%d" TOTAL_2="%d" TOTALS="YES" WEIGHT="100.0" Z="%s">'),
  num(q), num(exp(mh$ci.ub)), num(exp(mh$ci.lb)), df, num(exp(mh$beta)), sum(d$tpos),
  sum(d$cpos), num(i2), num(mh$QEp), num(mh$pval), mh$k, sum(d$tpos + d$tneg),
  sum(d$cpos + d$cneg), num(abs(mh$zval)))
xml <- c(
  '<?xml version="1.0" encoding="ISO-8859-1" standalone="no"?>',
  paste0('<COCHRANE_REVIEW DESCRIPTION="" ID="1000000000000000002" REVMAN_SUB_VERSION="5.4.1" ',
         'REVMAN_VERSION="5" STAGE="R" STATUS="A" TYPE="INTERVENTION" VERSION_NO="0.1">'),
  '<COVER_SHEET><TITLE>BCG vaccine trials with the results RevMan stores (alkstats tests)</TITLE></COVER_SHEET>',
  '<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>', study,
  '</INCLUDED_STUDIES><EXCLUDED_STUDIES/></STUDIES></STUDIES_AND_REFERENCES>',
  '<ANALYSES_AND_DATA CALCULATED_DATA="YES">',
  '<COMPARISON ID="CMP-001" NO="1"><NAME>BCG vaccine versus no vaccine</NAME>', outcome,
  '<NAME>Tuberculosis cases</NAME><GROUP_LABEL_1>BCG</GROUP_LABEL_1><GROUP_LABEL_2>Control</GROUP_LABEL_2>',
  '<GRAPH_LABEL_1>Favours BCG</GRAPH_LABEL_1><GRAPH_LABEL_2>Favours control</GRAPH_LABEL_2>',
  rows, '</DICH_OUTCOME></COMPARISON>', '</ANALYSES_AND_DATA>', '</COCHRANE_REVIEW>')
con <- file("tests/fixtures/revman/stored_results.rm5", open = "w", encoding = "latin1")
writeLines(xml, con)
close(con)
cat(sprintf("MH OR %.6f [%.6f, %.6f], Q = %.4f, I2 = %.2f%%\n", exp(mh$beta), exp(mh$ci.lb),
            exp(mh$ci.ub), q, i2))
