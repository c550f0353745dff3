# Which youth count is behind CBS's perc_jhzv? perc_jhzv is published to 3 decimals and is
# 100 * users / youths with whole numbers, so for a small wijk only a few youth counts N are
# consistent with it. For each candidate share f of the 15-24 age group, the approximation
# N_f = aant_inw * (p_00_14_jr + f * p_15_24_jr) / 100 is scored by the number of wijken
# where a consistent N lies within the rounding tolerance of N_f (aant_inw is rounded to 5,
# age shares to whole percents). Chance hits are estimated from the density of consistent N.
# Usage: Rscript tools/fidelity/youth_n.R [DATA_DIR]
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "common.R"))
d <- load_data()
k <- read.csv(file.path(data_dir(), "cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv"))
k <- k[match(d$wijkcode, k$wijkcode), ]
use <- which(!d$sup & !is.na(k$p_00_14_jr) & k$aant_inw <= 4000)
sols <- lapply(use, function(i) {
  p <- d$perc_jhzv[i]; N <- 10:ceiling(0.6 * k$aant_inw[i] + 5)
  u <- round(p * N / 100); N[u >= 1 & abs(100 * u / N - p) < 0.00051]
})
cat("wijken used (published perc_jhzv, <= 4000 inhabitants):", length(use), "\n")
cat("| share f of p_15_24_jr | hits | expected by chance |\n|---|---|---|\n")
for (f in c(0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.8, 1)) {
  hit <- 0; ch <- 0
  for (j in seq_along(use)) {
    i <- use[j]; Nf <- k$aant_inw[i] * (k$p_00_14_jr[i] + f * k$p_15_24_jr[i]) / 100
    tol <- k$aant_inw[i] * (0.5 + 0.5 * f) / 100 + 3
    s <- sols[[j]]; hit <- hit + any(abs(s - Nf) <= tol)
    ch <- ch + min(1, length(s) / (0.58 * k$aant_inw[i]) * 2 * tol)
  }
  cat(sprintf("| %.2f | %d | %.0f |\n", f, hit, ch))
}
cat("\nsuppressed wijken: approximated N (f = 0.4):", paste(names(summary(d$N[d$sup])), round(summary(d$N[d$sup])), collapse = ", "), "\n")
u <- d$perc_jhzv * d$N / 100
cat("published wijken: implied users (perc_jhzv * N / 100) quantiles 0/1/5%:", paste(round(quantile(u[!d$sup], c(0, .01, .05)), 1), collapse = " / "), "\n")
cat("wijken without age shares (N from the median share):", sum(is.na(k$p_00_14_jr)), "\n")
