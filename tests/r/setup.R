## The common start of the fixture scripts: the packages, the check that the script runs from
## the repository root with metafor 3.8-1, the convergence control metafor's iterative
## estimators are run with (its defaults stop near 1e-5), and the JSON number writer.
## Sourced first thing as source("tests/r/setup.R"), which itself fails outside the root.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

if (!file.exists("Cargo.toml") || !dir.exists("tests")) {
  stop("run the fixture scripts from the repository root: Rscript tests/r/NAME.R")
}
if (as.character(packageVersion("metafor")) != "3.8.1") {
  warning("fixtures are meant to be generated with metafor 3.8-1, found ",
          as.character(packageVersion("metafor")))
}

CTRL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
source("tests/r/json_numbers.R")  # fmt_num
