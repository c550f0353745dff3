# Calibrated prediction intervals (issue 9, point 3).
# PI = expected +- 1.96 sqrt(var_expected + residual variance), var_expected = x'V_b x + v_g + v_r
# (as src/model.rs). Residual variance: constant sigma^2 (today) versus a function of the
# youth count N: s0 + c * pi(1 - pi) * 1e4 / N, pi = expected / 100 (clamped to 0.001..0.999).
# s0 and c are estimated on the conditional residuals e_i of the wijken with a published
# perc_jhzv, with v_i = var_expected_i + s0 + c b_i, three ways:
#   gauss: maximum likelihood, e_i ~ N(0, v_i);
#   t:     maximum likelihood, e_i / sqrt(v_i (nu-2)/nu) ~ Student t(nu), nu estimated
#          (recommended: a few outlying large wijken do not inflate c);
#   calib: grid search making the coverage of each N quintile as close to 95 % as possible.
# The PI is expected +- 1.96 sqrt(v_i) in all three. Out-of-sample check: s0, c estimated on
# half of the gemeenten, coverage measured on the other half (10 random splits, both ways).
# Coverage of the published perc_jhzv by quintile of N among those 2632 wijken.
# Usage: Rscript tools/fidelity/intervals.R [DATA_DIR]
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "common.R"))
d <- load_data()
Z <- qnorm(0.975)
var_expected <- function(m, di) {
  X <- model.matrix(delete.response(terms(lme4::nobars(FORM))), di)
  vb <- rowSums((X %*% as.matrix(vcov(m))) * X)
  re <- ranef(m, condVar = TRUE)
  cv <- function(g, codes) { r <- re[[g]]; v <- attr(r, "postVar")[1, 1, ]; names(v) <- rownames(r); x <- unname(v[codes]); x[is.na(x)] <- VarCorr(m)[[g]][1]; x }
  vb + cv("gemeentecode", di$gemeentecode) + cv("jeugdzorgregiocode", di$jeugdzorgregiocode)
}
obs <- !d$sup
q <- cut(d$N, quantile(d$N[obs], 0:5/5), include.lowest = TRUE, labels = paste0("Q", 1:5))
cat("youth-count quintile bounds (published wijken):", paste(round(quantile(d$N[obs], 0:5/5)), collapse = " / "), "\n")
model <- function(rule, fill) {
  di <- impute(d, rule); f <- fit_lmm(di, fill_response(di, fill, bound = SPEC_BOUND))
  p <- f$pred; ve <- var_expected(f$m, di)
  pi_ <- pmin(pmax(p / 100, 0.001), 0.999); b <- pi_ * (1 - pi_) * 1e4 / d$N
  list(p = p, ve = ve, b = b, s2 = sigma(f$m)^2, e = d$perc_jhzv - p)
}
variance_fn <- function(M, how = "t", s = rep(TRUE, sum(obs))) {
  e <- M$e[obs][s]; ve <- M$ve[obs][s]; b <- M$b[obs][s]; qs <- q[obs][s]
  if (how == "gauss") {
    nll <- function(th) { v <- ve + exp(th[1]) + exp(th[2]) * b; 0.5 * sum(log(v) + e^2 / v) }
    op <- optim(c(0, 0), nll, control = list(reltol = 1e-12))
    op <- optim(op$par, nll, method = "BFGS", control = list(reltol = 1e-14))
    return(c(s0 = exp(op$par[1]), c = exp(op$par[2]), nu = Inf))
  }
  if (how == "t") {  # nu = 2 + exp(th[3]) keeps the variance finite
    nll <- function(th) { v <- ve + exp(th[1]) + exp(th[2]) * b; nu <- 2 + exp(th[3]); sc <- sqrt(v * (nu - 2) / nu)
      -sum(dt(e / sc, nu, log = TRUE) - log(sc)) }
    op <- optim(c(0, 0, log(4)), nll, control = list(reltol = 1e-12, maxit = 5000))
    op <- optim(op$par, nll, method = "BFGS", control = list(reltol = 1e-14))
    return(c(s0 = exp(op$par[1]), c = exp(op$par[2]), nu = 2 + exp(op$par[3])))
  }
  best <- NULL; bv <- Inf
  for (ls0 in seq(-3, 1.5, by = 0.05)) for (lc in seq(-1.5, 1.5, by = 0.05)) {
    v <- ve + exp(ls0) + exp(lc) * b; o <- sum((100 * tapply(abs(e) <= Z * sqrt(v), qs, mean) - 95)^2)
    if (o < bv) { bv <- o; best <- c(ls0, lc) } }
  c(s0 = exp(best[1]), c = exp(best[2]), nu = NA)
}
vfun <- function(M, th) M$ve + th[["s0"]] + th[["c"]] * M$b
verdict <- function(M, v) { lo <- M$p - Z * sqrt(v); hi <- M$p + Z * sqrt(v); y <- d$perc_jhzv
  ifelse(is.na(y), NA, ifelse(y > hi, "hoger", ifelse(y < lo, "lager", "binnen"))) }
cover_row <- function(label, M, v) {
  inside <- (verdict(M, v) == "binnen")[obs]
  cv <- 100 * tapply(inside, q[obs], mean); w <- tapply(2 * Z * sqrt(v[obs]), q[obs], median)
  cat(sprintf("| %s | %s | %.1f | %s |\n", label, paste(sprintf("%.1f", cv), collapse = " | "), 100 * mean(inside), paste(sprintf("%.1f", w), collapse = " / ")))
}
M0 <- model(list(), "none")          # today
M1 <- model(SPEC_RULE, SPEC_FILL)    # recommended
VF <- lapply(c(gauss = "gauss", t = "t", calib = "calib"), function(h) variance_fn(M1, h))
vf0 <- variance_fn(M0, "t"); vf1 <- VF$t
s0m <- function(M) max(0, mean((M$e^2 - M$ve - M$b)[obs]))
cat(sprintf("today's model: sigma^2 = %.3f; t-ML variance function s0 = %.3f, c = %.3f, nu = %.2f\n", M0$s2, vf0["s0"], vf0["c"], vf0["nu"]))
cat(sprintf("recommended model: sigma^2 = %.3f; binomial-only (c = 1) s0 by moment = %.3f\n", M1$s2, s0m(M1)))
for (h in names(VF)) cat(sprintf("  recommended model, %-5s: s0 = %.4f, c = %.4f, nu = %.3f\n", h, VF[[h]]["s0"], VF[[h]]["c"], VF[[h]]["nu"]))
cat("\n| model, residual variance | Q1 (smallest) | Q2 | Q3 | Q4 | Q5 (largest) | all | median PI width Q1..Q5 (pp) |\n|---|---|---|---|---|---|---|---|\n")
cover_row("today's model, constant sigma^2 (before)", M0, M0$ve + M0$s2)
cover_row("recommended model, constant sigma^2", M1, M1$ve + M1$s2)
cover_row("recommended model, s0 + pi(1-pi)1e4/N (c = 1, s0 by moment)", M1, M1$ve + s0m(M1) + M1$b)
cover_row("today's model, s0 + c pi(1-pi)1e4/N (t-ML)", M0, vfun(M0, vf0))
cover_row("recommended model, s0 + c pi(1-pi)1e4/N (Gaussian ML)", M1, vfun(M1, VF$gauss))
cover_row("recommended model, s0 + c pi(1-pi)1e4/N (coverage grid)", M1, vfun(M1, VF$calib))
cover_row("**recommended model, s0 + c pi(1-pi)1e4/N (t-ML) (after)**", M1, vfun(M1, VF$t))
set.seed(1); g <- d$gemeentecode[obs]; ug <- unique(g)
cat("\nOut of sample (s0, c from half of the gemeenten, coverage on the other half; 10 splits x 2):\n")
cat("| estimator | Q1 | Q2 | Q3 | Q4 | Q5 |\n|---|---|---|---|---|---|\n")
splits <- lapply(1:10, function(r) g %in% sample(ug, length(ug) %/% 2))
for (h in names(VF)) { acc <- NULL
  for (s in splits) for (side in list(s, !s)) { th <- variance_fn(M1, h, side); v <- vfun(M1, th)[obs]
    acc <- rbind(acc, tapply((abs(M1$e[obs]) <= Z * sqrt(v))[!side], q[obs][!side], mean)) }
  cat(sprintf("| %s | %s |\n", h, paste(sprintf("%.1f", 100 * colMeans(acc)), collapse = " | "))) }
v0 <- verdict(M0, M0$ve + M0$s2); v1c <- verdict(M1, M1$ve + M1$s2); v1 <- verdict(M1, vfun(M1, vf1))
ch <- function(a, b) sum(a != b, na.rm = TRUE)
cat(sprintf("\nverdict changes among %d published wijken: before -> after %d (model alone %d, interval alone %d)\n", sum(obs), ch(v0, v1), ch(v0, v1c), ch(v1c, v1)))
tb <- table(before = v0, after = v1); print(tb)
cat("verdicts before:", paste(names(table(v0)), table(v0), collapse = ", "), "; after:", paste(names(table(v1)), table(v1), collapse = ", "), "\n")
cat("changes by quintile (before -> after):", paste(tapply(v0 != v1, q, sum, na.rm = TRUE), collapse = " "), "\n")

# Did not help: a weighted REML fit, weights 1 / (1 + kappa * b) (b from the unweighted fit),
# so that the residual variance is sigma^2 (1 + kappa b); its own sigma^2/w as residual variance.
cat("\nWeighted REML instead of the two-stage variance function:\n| kappa | Q1 | Q2 | Q3 | Q4 | Q5 | RMSE vs perc_przv (all) |\n|---|---|---|---|---|---|---|\n")
di <- impute(d, SPEC_RULE); y <- fill_response(di, SPEC_FILL, bound = SPEC_BOUND)
for (kap in c(0.1, 0.3, 0.5, 0.8)) {
  w <- 1 / (1 + kap * M1$b); w <- w / mean(w)
  ff <- fit_lmm(di, y, w = w); vv <- var_expected(ff$m, di) + sigma(ff$m)^2 / w
  inside <- (abs(d$perc_jhzv - ff$pred) <= Z * sqrt(vv))[obs]
  cat(sprintf("| %.1f | %s | %.3f |\n", kap, paste(sprintf("%.1f", 100 * tapply(inside, q[obs], mean)), collapse = " | "), rmse_split(ff$pred, di)[1]))
}
cat(sprintf("\nnational median youth count of the published wijken: %.0f; wijken without aant_inw: %d\n", median(d$N[obs]), sum(is.na(d$aant_inw))))
