# lme4 reference fit of the recommended specification (docs/fidelity.md), the oracle for
# the Rust fitter's new default. Self-contained: this file is the specification.
# Usage: Rscript tools/fidelity/lme4_scp_spec.R [DATA_DIR] [OUT.json]
#        (defaults: data, lme4_scp_spec.json; gzip -9n it into tests/fixtures/lme4/)
# Data: SCP, Jeugdhulp in de wijk (2020); CBS/Kadaster, Wijk- en buurtkaart 2017.
suppressMessages({ library(lme4); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "data"
out_path <- if (length(args) >= 2) args[2] else "lme4_scp_spec.json"
d <- read.csv(file.path(dir, "jeugdhulp_wijk_2017.csv"), stringsAsFactors = FALSE)
k <- read.csv(file.path(dir, "cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv"), stringsAsFactors = FALSE)
dets <- c("perc_sbo_g","perc_vso_g","perc_praktijk_g","perc_hhmk","perc_jong04","perc_1ouder","perc_tienmam","perc_hhmkhgink","perc_kind_sch5","perc_ouderpsy","perc_hhverd","perc_hhbijs","perc_hhwan","groenedruk","grijzedruk","perc_ao","perc_laagopl","gem_gestink","polchrplus","perc_nwmig","perc_antsur","perc_1gez","huur_corp","woonwaarde","afstandhuisarts","samenw","kleinewijk")
zero_dets <- c("perc_hhmkhgink","perc_ouderpsy","perc_hhverd","perc_hhbijs","perc_hhwan","perc_laagopl","perc_sbo_g")
bound_users <- 9

# 1. Youth count N: aant_inw * (p_00_14_jr + 0.4 * p_15_24_jr) / 100; a wijk without age
#    shares takes the median of that share over the wijken that have both.
k <- k[match(d$wijkcode, k$wijkcode), ]
share <- (k$p_00_14_jr + 0.4 * k$p_15_24_jr) / 100
share[is.na(share)] <- median(share, na.rm = TRUE)
N <- k$aant_inw * share

# 2. Imputation: 0 for zero_dets; otherwise the N-weighted mean sum(N x) / sum(N) over all
#    wijken (all 2918, published perc_jhzv or not) of the same gemeente that have a value,
#    else the N-weighted mean over all wijken that have a value.
imp <- d
for (v in dets) {
  x <- d[[v]]; ok <- !is.na(x)
  if (v %in% zero_dets) { x[!ok] <- 0 } else {
    num <- tapply(ifelse(ok, x * N, 0), d$gemeentecode, sum); den <- tapply(ifelse(ok, N, 0), d$gemeentecode, sum)
    gm <- num / den; gm[!is.finite(gm)] <- NA; fill <- unname(gm[d$gemeentecode])
    x[!ok] <- fill[!ok]; x[is.na(x)] <- sum((d[[v]] * N)[ok]) / sum(N[ok])
  }
  imp[[v]] <- x
}

# 3. Response: perc_jhzv where published. A suppressed wijk gets its gemeente's pooled
#    observed rate 100 * sum(perc_jhzv * N / 100) / sum(N) over the gemeente's published
#    wijken (national pooled rate if none), capped at 100 * 9 / N (fewer than 10 users).
sup <- is.na(d$perc_jhzv); obs <- !sup
us <- tapply(ifelse(obs, d$perc_jhzv * N / 100, 0), d$gemeentecode, sum)
ns <- tapply(ifelse(obs, N, 0), d$gemeentecode, sum)
rate <- 100 * us / ns; rate[!is.finite(rate)] <- NA
rate_w <- unname(rate[d$gemeentecode]); rate_w[is.na(rate_w)] <- 100 * sum(us) / sum(ns)
y <- d$perc_jhzv; y[sup] <- pmin(rate_w[sup], 100 * bound_users / N[sup])
imp$y <- y

# 4. Model: all 2918 wijken, REML, intercept per jeugdzorgregio and per gemeente.
f <- as.formula(paste("y ~", paste(dets, collapse = " + "), "+ (1 | jeugdzorgregiocode) + (1 | gemeentecode)"))
times <- numeric(0)
for (i in 1:3) { t0 <- proc.time()[["elapsed"]]; m <- lmer(f, data = imp, REML = TRUE); times <- c(times, proc.time()[["elapsed"]] - t0) }
for (o in c("bobyqa", "Nelder_Mead")) { mo <- suppressWarnings(lmer(f, data = imp, REML = TRUE, control = lmerControl(optimizer = o)))
  cat(sprintf("optimizer %-11s REML %.8f, variances %s\n", o, REMLcrit(mo), paste(sprintf("%.6f", as.data.frame(VarCorr(mo))$vcov), collapse = " "))) }
cf <- summary(m)$coefficients
vc <- as.data.frame(VarCorr(m))
re <- ranef(m, condVar = TRUE)
blup <- function(g) { r <- re[[g]]; pv <- attr(r, "postVar"); data.frame(code = rownames(r), value = r[[1]], cond_sd = sqrt(pv[1, 1, ])) }
pred <- unname(predict(m, newdata = imp))
pred_fixed <- unname(predict(m, newdata = imp, re.form = NA))

# 5. Interval variance: v_i = var_expected_i + s0 + c * b_i, b_i = pi(1-pi) 1e4 / N_i,
#    pi = expected/100 clamped to [0.001, 0.999], var_expected = x'V_b x + cond_sd_g^2 + cond_sd_r^2;
#    (s0, c, nu) by Student-t maximum likelihood over the published wijken's residuals
#    y - expected, scale sqrt(v (nu-2)/nu). PI = expected +- 1.959964 sqrt(v).
X <- model.matrix(delete.response(terms(lme4::nobars(f))), imp)
cs <- function(g, codes) { r <- blup(g); unname(setNames(r$cond_sd^2, r$code)[codes]) }
ve <- rowSums((X %*% as.matrix(vcov(m))) * X) + cs("gemeentecode", d$gemeentecode) + cs("jeugdzorgregiocode", d$jeugdzorgregiocode)
pc <- pmin(pmax(pred / 100, 0.001), 0.999); b <- pc * (1 - pc) * 1e4 / N
e <- (d$perc_jhzv - pred)[obs]
nll <- function(th) { v <- ve[obs] + exp(th[1]) + exp(th[2]) * b[obs]; nu <- 2 + exp(th[3]); sc <- sqrt(v * (nu - 2) / nu)
  -sum(dt(e / sc, nu, log = TRUE) - log(sc)) }
op <- optim(c(0, 0, log(4)), nll, control = list(reltol = 1e-12, maxit = 5000))
op <- optim(op$par, nll, method = "BFGS", control = list(reltol = 1e-14))
s0 <- exp(op$par[1]); cc <- exp(op$par[2]); nu <- 2 + exp(op$par[3])
v <- ve + s0 + cc * b; z <- qnorm(0.975)
inside <- abs(d$perc_jhzv - pred) <= z * sqrt(v)
q <- cut(N, quantile(N[obs], 0:5/5), include.lowest = TRUE, labels = FALSE)

r <- function(s) sqrt(mean((pred - d$perc_przv)[s]^2))
complete <- complete.cases(d[, dets])
out <- list(
  provenance = "Produced with tools/fidelity/lme4_scp_spec.R (Debian r-cran-lme4) on jeugdhulp_wijk_2017.csv and cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv; specification in docs/fidelity.md. Test oracle only: no product code reads it.",
  software = paste("R", getRversion(), "lme4", as.character(packageVersion("lme4"))),
  formula = deparse(f, width.cutoff = 500L),
  spec = list(
    youth_count = "N = aant_inw * (p_00_14_jr + 0.4 * p_15_24_jr) / 100 from cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv; missing age shares: median share",
    imputation = "0 for zero_determinants; otherwise the youth-count (N) weighted gemeente mean over all 2918 wijken with a value, else the N-weighted national mean",
    zero_determinants = zero_dets,
    suppressed = "y = min(gemeente pooled observed rate 100*sum(perc_jhzv*N/100)/sum(N) over published wijken of the gemeente (national pooled rate if none), 100*9/N)",
    bound_users = bound_users,
    estimation = "REML, all 2918 wijken"),
  n_fit = nrow(imp), n_gemeente = length(unique(imp$gemeentecode)), n_regio = length(unique(imp$jeugdzorgregiocode)),
  reml_criterion = unname(REMLcrit(m)),
  fixed_effects = data.frame(term = rownames(cf), estimate = cf[, 1], std_error = cf[, 2]),
  variance = list(regio = vc$vcov[vc$grp == "jeugdzorgregiocode"], gemeente = vc$vcov[vc$grp == "gemeentecode"], residual = vc$vcov[vc$grp == "Residual"]),
  random_effects = list(regio = blup("jeugdzorgregiocode"), gemeente = blup("gemeentecode")),
  response = data.frame(wijkcode = d$wijkcode, n_jeugd = N, y = y, suppressed = sup),
  imputed_inputs = imp[!complete, c("wijkcode", dets)],
  predictions = data.frame(wijkcode = d$wijkcode, expected = pred, expected_fixed = pred_fixed, var_expected = ve),
  interval_variance = list(method = "Student-t ML on published wijken' residuals; v = var_expected + s0 + c*pi(1-pi)*1e4/N",
                           s0 = s0, c = cc, nu = nu,
                           coverage_by_quintile = unname(100 * tapply(inside[obs], q[obs], mean))),
  agreement_with_scp = list(rmse_all = r(TRUE), rmse_complete = r(complete), rmse_incomplete = r(!complete), rmse_suppressed = r(sup)),
  lmer_seconds = times
)
write_json(out, out_path, digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat(sprintf("written %s: REML %.6f, RMSE vs perc_przv all %.4f complete %.4f incomplete %.4f suppressed %.4f\n", out_path, REMLcrit(m), r(TRUE), r(complete), r(!complete), r(sup)))
cat(sprintf("interval variance: s0 %.4f c %.4f nu %.3f; coverage by N quintile %s\n", s0, cc, nu, paste(round(out$interval_variance$coverage_by_quintile, 1), collapse = " ")))
