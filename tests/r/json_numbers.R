# JSON numbers that read back as the same double: the shortest of 15, 16 or 17 significant
# digits that round-trips (jsonlite's digits = NA / I(17) still round some values to 15).
# Sourced by every fixture script in tests/r; non-finite values are written as null.
fmt_num <- function(v) {
  v <- as.numeric(v)
  vapply(v, function(z) {
    if (is.na(z) || !is.finite(z)) return("null")
    if (z == 0) return("0")
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), z)
      if (as.numeric(s) == z) return(s)
    }
    sprintf("%.17g", z)
  }, "")
}
