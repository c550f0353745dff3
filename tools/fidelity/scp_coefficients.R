# What perc_przv itself reveals about SCP's specification.
# 1. On the complete wijken (all 27 determinants), perc_przv is linear in the determinants
#    plus one offset per gemeente (= intercept + gemeente-level terms + both BLUPs); the
#    lm with gemeente dummies recovers SCP's coefficients of the 21 wijk-level determinants.
# 2. With those coefficients and offsets, the value SCP must have used for a missing
#    determinant can be solved from perc_przv (wijken with exactly one missing), or
#    estimated per determinant as a + b * gemeente mean (all incomplete wijken).
# 3. The final error of the recommended refit is split into an imputation part (SCP's
#    coefficients and offsets, our imputed X) and a model part (our fit vs that).
# Usage: Rscript tools/fidelity/scp_coefficients.R [DATA_DIR]
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "common.R"))
d <- load_data()
WD <- setdiff(DETS, GEMEENTE_LEVEL)
cc <- d[d$complete, ]
rhs <- paste(paste(WD, collapse = "+"), "+ factor(gemeentecode)")
l <- lm(as.formula(paste("perc_przv ~ 0 +", rhs)), cc)
cat(sprintf("complete wijken: %d in %d gemeenten; lm perc_przv ~ 21 wijk-level determinants + gemeente dummies: residual SD %.3f pp (RMSE %.3f), max |resid| %.2f\n",
            nrow(cc), length(unique(cc$gemeentecode)), sigma(l), sqrt(mean(resid(l)^2)), max(abs(resid(l)))))
for (tr in c("log", "logit")) {
  yy <- if (tr == "log") log(cc$perc_przv) else qlogis(cc$perc_przv / 100); cc$yy <- yy
  lt <- lm(as.formula(paste("yy ~ 0 +", rhs)), cc)
  back <- if (tr == "log") exp(fitted(lt)) else 100 * plogis(fitted(lt))
  cat(sprintf("  same on the %s scale, back-transformed: RMSE %.3f pp (identity link fits best)\n", tr, sqrt(mean((back - cc$perc_przv)^2))))
}
rs <- resid(l); ng <- as.numeric(table(d$gemeentecode)[cc$gemeentecode])
cat("  residual SD by gemeente size (wijken): <=3", round(sd(rs[ng <= 3]), 3), " 4-10", round(sd(rs[ng > 3 & ng <= 10]), 3), " >10", round(sd(rs[ng > 10]), 3), "\n")
kc <- read.csv(file.path(data_dir(), "cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv"))
kc <- kc[match(cc$wijkcode, kc$wijkcode), ]
kv <- c("aant_inw","aantal_hh","p_00_14_jr","p_15_24_jr","p_25_44_jr","p_45_64_jr","p_65_eo_jr","p_ongehuwd","p_gehuwd","p_gescheid","p_verweduw","p_eenp_hh","p_hh_z_k","p_hh_m_k","gem_hh_gr","bev_dichth","oad","sted","opp_land")
ok <- complete.cases(kc[, kv]); cx <- cbind(cc, kc[, kv])[ok, ]
s_base <- sigma(lm(as.formula(paste("perc_przv ~ 0 +", rhs)), cx))
s_kc <- sapply(kv, function(v) sigma(lm(as.formula(paste("perc_przv ~ 0 +", rhs, "+", v)), cx)))
cont <- setdiff(WD, "kleinewijk")
s_sq <- sigma(lm(as.formula(paste("perc_przv ~ 0 +", rhs, "+", paste0("I(", cont, "^2)", collapse = "+"))), cc))
cat(sprintf("  adding one kerncijfers column: best residual SD %.4f (%s) vs %.4f; adding all squares: %.4f vs %.4f\n",
            min(s_kc), names(which.min(s_kc)), s_base, s_sq, sigma(l)))
b <- coef(l); bw <- b[WD]
fe <- b[grep("factor", names(b))]; names(fe) <- sub("factor\\(gemeentecode\\)", "", names(fe))
X <- as.matrix(d[, WD]); M <- is.na(X); X0 <- X; X0[M] <- 0
r0 <- d$perc_przv - fe[d$gemeentecode] - as.vector(X0 %*% bw)   # = sum over missing j of b_j * value_j
one <- which(rowSums(M) == 1 & !is.na(r0) & rowSums(is.na(d[, GEMEENTE_LEVEL])) == 0)
cat("\nWijken with exactly one missing (wijk-level) determinant, value implied by perc_przv:\n")
cat("| determinant | wijken | SCP coefficient | noise of implied value (0.075/|b|) | median implied | median gemeente mean | share closer to 0 than to gemeente mean |\n|---|---|---|---|---|---|---|\n")
gmv <- sapply(WD, function(v) gmean_fill(d[[v]], d$gemeentecode))
for (v in WD) {
  i <- one[M[one, v]]; if (!length(i)) next
  imp <- r0[i] / bw[v]; gm <- gmv[i, v]
  cat(sprintf("| %s | %d | %.4f | %.2f | %.2f | %.2f | %.2f |\n", v, length(i), bw[v], 0.075 / abs(bw[v]), median(imp), median(gm), mean(abs(imp) < abs(imp - gm))))
}
inc <- which(!d$complete & !is.na(r0))
mv <- WD[colSums(M[inc, ]) > 3]
A <- sapply(mv, function(v) M[inc, v] * bw[v]); B <- sapply(mv, function(v) M[inc, v] * bw[v] * gmv[inc, v])
lb <- lm(r0[inc] ~ 0 + A + B); cf <- coef(lb)
cat("\nAll", length(inc), "incomplete wijken with a SCP offset: value used = a + b * gemeente mean, by least squares\n")
cat("| determinant | missing | a | b | reading |\n|---|---|---|---|---|\n")
for (j in seq_along(mv)) {
  a <- cf[j]; bb <- cf[length(mv) + j]
  cat(sprintf("| %s | %d | %.3g | %.2f | %s |\n", mv[j], sum(M[inc, mv[j]]), a, bb, if (mv[j] %in% ZERO_DETS) "zero" else "gemeente mean"))
}
cat(sprintf("residual RMSE of that free fit: %.3f pp (the rules of the recommended spec: see below)\n", sqrt(mean(resid(lb)^2))))

# Decomposition of the recommended refit's error.
di <- impute(d, SPEC_RULE)
f <- fit_lmm(di, fill_response(di, SPEC_FILL, bound = SPEC_BOUND))
pl <- as.vector(as.matrix(di[, WD]) %*% bw) + fe[d$gemeentecode]
ok <- !is.na(pl)
cat("\nRecommended spec, error split (", sum(ok), "wijken in gemeenten with a complete wijk):\n", sep = "")
cat("| split | imputation only: SCP coefficients+offsets with our X | model only: our refit vs that, same X | total |\n|---|---|---|---|\n")
for (nm in c("all", "complete", "incomplete", "suppressed")) {
  s <- ok & switch(nm, all = TRUE, complete = di$complete, incomplete = !di$complete, suppressed = di$sup)
  cat(sprintf("| %s | %.3f | %.3f | %.3f |\n", nm, sqrt(mean((pl - d$perc_przv)[s]^2)), sqrt(mean((f$pred - pl)[s]^2)), sqrt(mean((f$pred - d$perc_przv)[s]^2))))
}
nm <- pmin(rowSums(is.na(d[, DETS])), 6)
cat("imputation-only error by number of missing determinants (0..6+):", paste(round(tapply((pl - d$perc_przv)[ok], nm[ok], function(x) sqrt(mean(x^2))), 3), collapse = " "), "\n")
se <- summary(f$m)$coefficients[WD, 2]
z <- (fixef(f$m)[WD] - bw) / se
cat(sprintf("coefficients, recommended refit vs SCP's (complete-wijk lm): max |diff|/SE = %.2f (%s)\n", max(abs(z)), names(which.max(abs(z)))))
d0 <- impute(d, list()); f0 <- fit_lmm(d0, d0$perc_jhzv)
z0 <- (fixef(f0$m)[WD] - bw) / summary(f0$m)$coefficients[WD, 2]
cat(sprintf("coefficients, today's fit vs SCP's: %d of 21 differ by more than 2 SE: %s\n", sum(abs(z0) > 2), paste(sprintf("%s %.1f", names(z0)[abs(z0) > 2], z0[abs(z0) > 2]), collapse = ", ")))
