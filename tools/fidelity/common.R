# Shared helpers for the fidelity study (issue 9): load the data, impute determinants,
# fill the 286 suppressed wijken, fit the two-level LMM with lme4, score against perc_przv.
# Sourced by the other scripts in tools/fidelity/. Data: SCP, Jeugdhulp in de wijk (2020);
# CBS/Kadaster, Wijk- en buurtkaart 2017.
suppressMessages(library(lme4))

DETS <- c("perc_sbo_g","perc_vso_g","perc_praktijk_g","perc_hhmk","perc_jong04","perc_1ouder","perc_tienmam","perc_hhmkhgink","perc_kind_sch5","perc_ouderpsy","perc_hhverd","perc_hhbijs","perc_hhwan","groenedruk","grijzedruk","perc_ao","perc_laagopl","gem_gestink","polchrplus","perc_nwmig","perc_antsur","perc_1gez","huur_corp","woonwaarde","afstandhuisarts","samenw","kleinewijk")
GEMEENTE_LEVEL <- c("perc_sbo_g","perc_vso_g","perc_praktijk_g","perc_tienmam","polchrplus","samenw")

# Recommended imputation: these determinants are set to 0 when missing; all others take
# the gemeente mean weighted by the youth count N (over all wijken of the gemeente with a
# value), else the national N-weighted mean.
ZERO_DETS <- c("perc_hhmkhgink","perc_ouderpsy","perc_hhverd","perc_hhbijs","perc_hhwan","perc_laagopl","perc_sbo_g")
rule_zero <- function(dets) setNames(as.list(rep("zero", length(dets))), dets)
SPEC_RULE <- c(rule_zero(ZERO_DETS), list(.default = "gmean_w"))
SPEC_FILL <- "gem_pool_cap"; SPEC_BOUND <- 9

data_dir <- function() { a <- commandArgs(TRUE); if (length(a) >= 1) a[1] else "data" }

# Youth count N per wijk: aant_inw * (p_00_14_jr + F15 * p_15_24_jr) / 100.
# A wijk without age shares gets the median share of all wijken.
F15 <- 0.4
load_data <- function(dir = data_dir(), f15 = F15) {
  d <- read.csv(file.path(dir, "jeugdhulp_wijk_2017.csv"), stringsAsFactors = FALSE)
  k <- read.csv(file.path(dir, "cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv"), stringsAsFactors = FALSE)
  k <- k[match(d$wijkcode, k$wijkcode), ]
  share <- (k$p_00_14_jr + f15 * k$p_15_24_jr) / 100
  share[is.na(share)] <- median(share, na.rm = TRUE)
  d$N <- k$aant_inw * share
  d$aant_inw <- k$aant_inw
  d$complete <- complete.cases(d[, DETS])
  d$sup <- is.na(d$perc_jhzv)
  d
}

gmean_fill <- function(x, g) {
  gm <- ave(x, g, FUN = function(v) if (all(is.na(v))) NA_real_ else mean(v, na.rm = TRUE))
  y <- x; y[is.na(y)] <- gm[is.na(y)]; y[is.na(y)] <- mean(x, na.rm = TRUE); y
}
gstat_fill <- function(x, g, f, fallback) {
  gm <- ave(x, g, FUN = function(v) if (all(is.na(v))) NA_real_ else f(v[!is.na(v)]))
  y <- x; y[is.na(y)] <- gm[is.na(y)]; y[is.na(y)] <- fallback; y
}
# rule: list det -> "gmean" (default; or the list's ".default") | "zero" | "nmean" (national mean) | "gmedian" |
# "gmean_w" (gemeente mean weighted by the youth count N, else national N-weighted mean) |
# "gmean_inw" (the same weighted by inhabitants aant_inw) |
# "gmin" (gemeente minimum) | "gmean_pub" (gemeente mean over wijken with a published perc_jhzv)
impute <- function(d, rule = list()) {
  for (v in DETS) {
    r <- if (!is.null(rule[[v]])) rule[[v]] else if (!is.null(rule[[".default"]])) rule[[".default"]] else "gmean"
    x <- d[[v]]; g <- d$gemeentecode
    d[[v]] <- switch(r, gmean = gmean_fill(x, g), zero = ifelse(is.na(x), 0, x),
                     nmean = ifelse(is.na(x), mean(x, na.rm = TRUE), x),
                     gmedian = gstat_fill(x, g, median, median(x, na.rm = TRUE)),
                     gmin = gstat_fill(x, g, min, 0),
                     gmean_w = , gmean_inw = { w <- as.numeric(if (r == "gmean_w") d$N else d$aant_inw); ok <- !is.na(x) & !is.na(w)
                       num <- tapply(ifelse(ok, x * w, 0), g, sum); den <- tapply(ifelse(ok, w, 0), g, sum)
                       gm <- num / den; gm[!is.finite(gm)] <- NA; y <- x; fill <- unname(gm[g]); y[is.na(x)] <- fill[is.na(x)]
                       y[is.na(y)] <- sum((x * w)[ok]) / sum(w[ok]); y },
                     gmean_pub = { xp <- x; xp[d$sup] <- NA; y <- gstat_fill(xp, g, mean, mean(x, na.rm = TRUE)); y[!is.na(x)] <- x[!is.na(x)]; y },
                     stop("unknown rule ", r))
  }
  d
}

# Pooled observed rate of a group: 100 * sum(users) / sum(N) over wijken with a published perc_jhzv,
# users = perc_jhzv * N / 100. Groups without any get the national pooled rate.
pooled_rate <- function(d, grp) {
  obs <- !d$sup
  us <- tapply(ifelse(obs, d$perc_jhzv * d$N / 100, 0), grp, sum)
  ns <- tapply(ifelse(obs, d$N, 0), grp, sum)
  r <- 100 * us / ns; r[!is.finite(r)] <- NA
  v <- unname(r[grp]); v[is.na(v)] <- 100 * sum(us) / sum(ns); v
}

# Response with the suppressed wijken filled (NA = left out of the fit).
fill_response <- function(d, fill = "none", k = 5, bound = 9) {
  y <- d$perc_jhzv; s <- d$sup
  gmean_obs <- function(f) { g <- ave(d$perc_jhzv, d$gemeentecode, FUN = function(v) if (all(is.na(v))) NA_real_ else f(v[!is.na(v)])); g[is.na(g)] <- f(d$perc_jhzv[!s]); g }
  v <- switch(fill,
    none = y,
    fixed = 100 * k / d$N,
    przv = d$perc_przv,
    gem_mean = gmean_obs(mean),
    gem_median = gmean_obs(median),
    gem_mean_cap = pmin(gmean_obs(mean), 100 * bound / d$N),
    gem_pool = pooled_rate(d, d$gemeentecode),
    gem_pool_cap = pmin(pooled_rate(d, d$gemeentecode), 100 * bound / d$N),
    gem_pool_cap_sc = { # gemeente rate over all its wijken, suppressed ones with their own filled users, to a fixed point
      v <- pmin(pooled_rate(d, d$gemeentecode), 100 * bound / d$N); yy <- y
      for (it in 1:50) { yy[s] <- v[s]; R <- tapply(yy * d$N / 100, d$gemeentecode, sum) / tapply(d$N, d$gemeentecode, sum)
        v <- pmin(100 * unname(R[d$gemeentecode]), 100 * bound / d$N) }
      v },
    gem_pool_cap_floor = pmax(pmin(pooled_rate(d, d$gemeentecode), 100 * bound / d$N), 100 * k / d$N),
    gem_pool_round = 100 * pmax(1, round(pooled_rate(d, d$gemeentecode) * d$N / 100)) / d$N,
    reg_pool = pooled_rate(d, d$jeugdzorgregiocode),
    stop("unknown fill ", fill))
  y[s] <- v[s]; y
}

FORM <- as.formula(paste("y ~", paste(DETS, collapse = " + "), "+ (1 | jeugdzorgregiocode) + (1 | gemeentecode)"))
FORM_NOREGIO <- as.formula(paste("y ~", paste(DETS, collapse = " + "), "+ (1 | gemeentecode)"))

# Fit on the rows with a response; predict x'b + BLUPs for all rows.
fit_lmm <- function(d, y, form = FORM, REML = TRUE, w = NULL) {
  d$y <- y; rows <- !is.na(y); d$.w <- if (is.null(w)) 1 else w
  m <- suppressWarnings(lmer(form, data = d[rows, ], REML = REML, weights = .w))
  list(m = m, pred = unname(predict(m, newdata = d, allow.new.levels = TRUE)))
}

# Approximate EM for the suppressed wijken as left-censored at bound users:
# replace y by E[y | y < 100*bound/N] under the current fit, refit, until stable.
fit_censored_em <- function(d, bound = 9.5, iters = 50, form = FORM) {
  y <- d$perc_jhzv; s <- d$sup
  f <- fit_lmm(d, y, form)                         # start: fit without them
  for (it in 1:iters) {
    mu <- f$pred[s]; sg <- sigma(f$m); a <- (100 * bound / d$N[s] - mu) / sg
    ynew <- mu - sg * dnorm(a) / pmax(pnorm(a), 1e-12)
    done <- it > 1 && max(abs(ynew - y[s])) < 1e-4
    y[s] <- ynew; f <- fit_lmm(d, y, form)
    if (done) break
  }
  f$y <- y; f
}
# SCP-style two-step: predict the suppressed wijken from a fit without them, put the
# predictions in as responses, refit; iterated to a fixed point.
fit_twostep <- function(d, iters = 50, form = FORM) {
  y <- d$perc_jhzv; s <- d$sup
  f <- fit_lmm(d, y, form)
  for (it in 1:iters) {
    ynew <- f$pred[s]; done <- it > 1 && max(abs(ynew - y[s])) < 1e-4
    y[s] <- ynew; f <- fit_lmm(d, y, form)
    if (done) break
  }
  f$y <- y; f
}

rmse_split <- function(pred, d) {
  e <- pred - d$perc_przv
  r <- function(s) sqrt(mean(e[s]^2))
  c(all = r(TRUE), complete = r(d$complete), incomplete = r(!d$complete), suppressed = r(d$sup))
}
fmt_row <- function(label, r) sprintf("| %s | %.3f | %.3f | %.3f | %.3f |", label, r[1], r[2], r[3], r[4])
