//! The residual variance of the prediction interval as a function of a wijk's
//! youth count N (docs/fidelity.md §6):
//!
//! ```text
//! v_res(π, N) = s₀ + c · π(1−π) · 10⁴ / N,   π = expected / 100, clamped to [0.001, 0.999]
//! 95 % PI     = expected ± 1.96 √(var_expected + v_res)
//! ```
//!
//! s₀, c and the degrees of freedom ν are estimated after the REML fit, by
//! Student-t maximum likelihood on the conditional residuals e = y − expected of
//! the wijken with a published `perc_jhzv`: e ~ t_ν with scale
//! √(v (ν−2)/ν), v = var_expected + v_res, so that var(e) = v. The t rather
//! than the normal keeps a few outlying large wijken from inflating c.
//!
//! The optimiser is hand-rolled: three parameters, a smooth criterion with an
//! analytic gradient, and the fit must stay a matter of milliseconds (the
//! whole `fit` process is about 10 ms). Nelder–Mead, as in the R reference,
//! needs some 300–500 evaluations over all residuals; a quasi-Newton method on
//! θ = (log s₀, log c, log(ν−2)) with the exact gradient, a Hessian from
//! differences of that gradient at the start and BFGS updates after, needs
//! about 20. No optimisation
//! crate is a dependency, and none is needed for this.

use serde::{Deserialize, Serialize};

/// π is clamped to this range in the binomial term.
pub const PI_CLAMP: (f64, f64) = (0.001, 0.999);

/// The binomial-like term π(1−π)·10⁴/N of a wijk with this expected use (%)
/// and youth count.
pub fn binomial_term(expected: f64, n_jeugd: f64) -> f64 {
    let p = (expected / 100.0).clamp(PI_CLAMP.0, PI_CLAMP.1);
    p * (1.0 - p) * 1e4 / n_jeugd
}

/// The estimated variance function, as stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidualVariance {
    pub method: String,
    pub s0: f64,
    pub c: f64,
    /// Degrees of freedom of the t distribution the estimate assumed (the
    /// interval itself uses the normal 1.96, as the calibration did).
    pub nu: f64,
    /// Published wijken the estimate used.
    pub n: usize,
    /// −log-likelihood at the optimum.
    pub neg_log_likelihood: f64,
    pub iterations: usize,
    pub converged: bool,
}

impl ResidualVariance {
    /// v_res for a wijk with this expected use (%) and youth count.
    pub fn at(&self, expected: f64, n_jeugd: f64) -> f64 {
        self.s0 + self.c * binomial_term(expected, n_jeugd)
    }
}

/// One published wijk: residual e, var_expected a, binomial term b.
#[derive(Debug, Clone, Copy)]
pub struct Residual {
    pub e: f64,
    pub var_expected: f64,
    pub b: f64,
}

/// log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ψ(x) = d/dx log Γ(x) for x > 0 (recurrence to x ≥ 10, then the asymptotic series).
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// −log-likelihood and its gradient in θ = (log s₀, log c, log(ν−2)).
fn neg_log_lik(theta: [f64; 3], data: &[Residual]) -> (f64, [f64; 3]) {
    let (s0, c, m) = (theta[0].exp(), theta[1].exp(), theta[2].exp());
    let nu = m + 2.0;
    let n = data.len() as f64;
    let half = 0.5 * (nu + 1.0);
    // Per wijk: ℓ = lgΓ((ν+1)/2) − lgΓ(ν/2) − ½ log π − ½ log m − ½ log v − (ν+1)/2 · log(1 + r), r = e²/(v m).
    let mut f =
        n * (ln_gamma(half) - ln_gamma(0.5 * nu) - 0.5 * std::f64::consts::PI.ln() - 0.5 * m.ln());
    let (mut dv_s0, mut dv_c, mut dm) = (0.0, 0.0, 0.0);
    for d in data {
        let v = d.var_expected + s0 + c * d.b;
        let r = d.e * d.e / (v * m);
        let l = r.ln_1p();
        f -= 0.5 * v.ln() + half * l;
        // ∂ℓ/∂v = ((ν+1) r/(1+r) − 1) / (2v)
        let q = r / (1.0 + r);
        let dl_dv = ((nu + 1.0) * q - 1.0) / (2.0 * v);
        dv_s0 += dl_dv;
        dv_c += dl_dv * d.b;
        // ∂ℓ/∂m without the terms common to all wijken: −½ log(1+r) + (ν+1)/2 · r/(m(1+r))
        dm += -0.5 * l + half * q / m;
    }
    dm += n * (0.5 * digamma(half) - 0.5 * digamma(0.5 * nu) - 0.5 / m);
    (-f, [-dv_s0 * s0, -dv_c * c, -dm * m])
}

/// Estimate s₀, c and ν by Student-t maximum likelihood (see the module docs).
pub fn estimate(data: &[Residual]) -> Result<ResidualVariance, String> {
    if data.len() < 10 {
        return Err(format!(
            "te weinig wijken met gepubliceerd gebruik ({}) om de residuele variantie te schatten",
            data.len()
        ));
    }
    if data
        .iter()
        .any(|d| !(d.e.is_finite() && d.var_expected.is_finite() && d.b.is_finite() && d.b > 0.0))
    {
        return Err(
            "residuen of jeugdaantallen zijn niet eindig; de intervallen zijn niet te schatten"
                .into(),
        );
    }
    // R's starting point: s₀ = c = 1, ν = 6.
    let mut x = [0.0, 0.0, 4f64.ln()];
    let (mut fx, mut g) = neg_log_lik(x, data);
    let mut converged = false;
    let mut iterations = 0;
    let scale = data.len() as f64;
    // The Hessian: from central differences of the exact gradient at the
    // start and wherever a BFGS update would lose positive definiteness;
    // otherwise BFGS-updated from the gradients (one evaluation per step).
    let mut hess = [[0.0; 3]; 3];
    let mut fresh = true;
    while iterations < 100 {
        iterations += 1;
        if fresh {
            let h = 1e-5;
            for j in 0..3 {
                let (mut up, mut down) = (x, x);
                up[j] += h;
                down[j] -= h;
                let (gu, gd) = (neg_log_lik(up, data).1, neg_log_lik(down, data).1);
                for (i, row) in hess.iter_mut().enumerate() {
                    row[j] = (gu[i] - gd[i]) / (2.0 * h);
                }
            }
            fresh = false;
        }
        let sym = |i: usize, j: usize| 0.5 * (hess[i][j] + hess[j][i]);
        // Newton direction; Levenberg-damped where the Hessian is not positive definite.
        let mut lambda = 0.0;
        let mut dir = None;
        for _ in 0..60 {
            let a =
                nalgebra::Matrix3::from_fn(|i, j| sym(i, j) + if i == j { lambda } else { 0.0 });
            if let Some(ch) = a.cholesky() {
                let d = ch.solve(&nalgebra::Vector3::new(-g[0], -g[1], -g[2]));
                dir = Some([d[0], d[1], d[2]]);
                break;
            }
            lambda = if lambda == 0.0 {
                1e-3 * scale.max(1.0)
            } else {
                lambda * 10.0
            };
        }
        let Some(mut dir) = dir else { break };
        // Keep a step within e² in each parameter.
        let longest = dir.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if longest > 2.0 {
            dir.iter_mut().for_each(|v| *v *= 2.0 / longest);
        }
        let slope: f64 = (0..3).map(|i| g[i] * dir[i]).sum();
        let mut step = 1.0;
        let mut moved = false;
        while step > 1e-10 {
            let cand = [
                x[0] + step * dir[0],
                x[1] + step * dir[1],
                x[2] + step * dir[2],
            ];
            let (fc, gc) = neg_log_lik(cand, data);
            if fc.is_finite() && fc <= fx + 1e-4 * step * slope {
                let gain = fx - fc;
                // BFGS: H ← H + yy'/y's − Hss'H/s'Hs.
                let sv = [cand[0] - x[0], cand[1] - x[1], cand[2] - x[2]];
                let yv = [gc[0] - g[0], gc[1] - g[1], gc[2] - g[2]];
                let ys: f64 = (0..3).map(|i| yv[i] * sv[i]).sum();
                let hs: [f64; 3] = std::array::from_fn(|i| (0..3).map(|j| sym(i, j) * sv[j]).sum());
                let shs: f64 = (0..3).map(|i| sv[i] * hs[i]).sum();
                if ys > 1e-12 * shs.abs().max(1e-300) && shs > 0.0 {
                    let old = hess;
                    for i in 0..3 {
                        for j in 0..3 {
                            hess[i][j] = 0.5 * (old[i][j] + old[j][i]) + yv[i] * yv[j] / ys
                                - hs[i] * hs[j] / shs;
                        }
                    }
                } else {
                    fresh = true;
                }
                x = cand;
                fx = fc;
                g = gc;
                moved = true;
                let size = (step * dir.iter().fold(0.0f64, |m, v| m.max(v.abs()))).abs();
                if size < 1e-10 || gain < 1e-14 * (1.0 + fx.abs()) {
                    converged = true;
                }
                break;
            }
            step *= 0.5;
        }
        let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if gmax < 1e-9 * scale {
            converged = true;
        }
        if !moved {
            converged = gmax < 1e-6 * scale;
            break;
        }
        if converged {
            break;
        }
        // Keep ν finite and positive: log(ν−2) in a range that makes sense.
        x[2] = x[2].clamp(-20.0, 20.0);
    }
    Ok(ResidualVariance {
        method: "Student-t maximum likelihood op de voorwaardelijke residuen van de wijken met gepubliceerd gebruik; v_res = s0 + c·π(1−π)·10⁴/N, π = verwacht/100 begrensd tot 0,001–0,999; PI = verwacht ± 1,96·√(var_verwacht + v_res)".into(),
        s0: x[0].exp(),
        c: x[1].exp(),
        nu: 2.0 + x[2].exp(),
        n: data.len(),
        neg_log_likelihood: fx,
        iterations,
        converged,
    })
}

/// R's `quantile(x, 0:5/5)` (type 7) of the youth counts: the bounds of the
/// five youth quintiles.
pub fn quintile_bounds(n_jeugd: &[f64]) -> [f64; 6] {
    let mut s: Vec<f64> = n_jeugd.iter().copied().filter(|v| v.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    std::array::from_fn(|k| {
        if s.is_empty() {
            return f64::NAN;
        }
        let h = (s.len() - 1) as f64 * k as f64 / 5.0;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        let hi = (lo + 1).min(s.len() - 1);
        s[lo] + frac * (s[hi] - s[lo])
    })
}

/// The quintile (0–4) of a youth count, as R's `cut(…, include.lowest = TRUE)`:
/// [b0, b1], (b1, b2], …, (b4, b5]; values outside go to the nearest end.
pub fn quintile(bounds: &[f64; 6], n: f64) -> usize {
    (1..5).find(|&k| n <= bounds[k]).map_or(4, |k| k - 1)
}

/// Share (%) of wijken whose observed value lies inside its PI, per youth
/// quintile. `rows`: (youth count, inside).
pub fn coverage_by_quintile(bounds: &[f64; 6], rows: &[(f64, bool)]) -> [f64; 5] {
    let mut inside = [0usize; 5];
    let mut all = [0usize; 5];
    for &(n, ok) in rows {
        let q = quintile(bounds, n);
        all[q] += 1;
        inside[q] += usize::from(ok);
    }
    std::array::from_fn(|q| 100.0 * inside[q] as f64 / all[q].max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_follow_r() {
        // quantile(1:11, 0:5/5) = 1 3 5 7 9 11; cut puts 3 in the first.
        let n: Vec<f64> = (1..=11).map(f64::from).collect();
        let b = quintile_bounds(&n);
        assert_eq!(b, [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]);
        assert_eq!(quintile(&b, 1.0), 0);
        assert_eq!(quintile(&b, 3.0), 0);
        assert_eq!(quintile(&b, 3.5), 1);
        assert_eq!(quintile(&b, 11.0), 4);
        // quantile(c(1, 2, 4, 8), 0.2) = 1.6 (type 7).
        assert!((quintile_bounds(&[8.0, 1.0, 4.0, 2.0])[1] - 1.6).abs() < 1e-12);
        let cov = coverage_by_quintile(&b, &[(1.0, true), (2.0, false), (10.0, true)]);
        assert_eq!(cov, [50.0, 0.0, 0.0, 0.0, 100.0]);
    }

    #[test]
    fn special_functions_match_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
        // Γ(7/2) = 15√π/8.
        assert!(
            (ln_gamma(3.5) - ((15.0f64 / 8.0).ln() + 0.5 * std::f64::consts::PI.ln())).abs()
                < 1e-13
        );
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 log 2.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-13);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-13);
        assert!((digamma(7.3) - (ln_gamma(7.3 + 1e-6) - ln_gamma(7.3 - 1e-6)) / 2e-6).abs() < 1e-7);
    }

    #[test]
    fn gradient_matches_differences() {
        let data: Vec<Residual> = (0..200)
            .map(|i| {
                let t = i as f64;
                Residual {
                    e: (t * 0.37).sin() * (1.0 + (t * 0.11).cos()),
                    var_expected: 0.05 + 0.01 * (t * 0.05).cos().abs(),
                    b: 0.5 + 3.0 * (t * 0.23).sin().abs(),
                }
            })
            .collect();
        let x = [-0.3, 0.2, 1.1];
        let (_, g) = neg_log_lik(x, &data);
        for j in 0..3 {
            let (mut up, mut down) = (x, x);
            up[j] += 1e-6;
            down[j] -= 1e-6;
            let fd = (neg_log_lik(up, &data).0 - neg_log_lik(down, &data).0) / 2e-6;
            assert!(
                (fd - g[j]).abs() < 1e-5 * (1.0 + fd.abs()),
                "{j}: {fd} vs {}",
                g[j]
            );
        }
    }

    #[test]
    fn recovers_known_parameters_from_simulated_residuals() {
        // t residuals with s0 = 0.5, c = 1.5, ν = 6, from a fixed generator.
        let (s0, c, nu) = (0.5, 1.5, 6.0);
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let mut normal = || {
            let (u1, u2) = (uniform(), uniform());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        };
        let data: Vec<Residual> = (0..20_000)
            .map(|i| {
                let b = 0.05 + 2.0 * ((i % 97) as f64 / 97.0);
                let v = 0.02 + s0 + c * b;
                // t_ν = z / √(χ²_ν/ν), χ²_6 as a sum of six squared normals.
                let z = normal();
                let chi: f64 = (0..6).map(|_| normal().powi(2)).sum();
                let t = z / (chi / nu).sqrt();
                Residual {
                    e: t * (v * (nu - 2.0) / nu).sqrt(),
                    var_expected: 0.02,
                    b,
                }
            })
            .collect();
        let r = estimate(&data).unwrap();
        assert!(r.converged, "{r:?}");
        assert!((r.s0 / s0 - 1.0).abs() < 0.15, "{r:?}");
        assert!((r.c / c - 1.0).abs() < 0.1, "{r:?}");
        assert!((r.nu - nu).abs() < 1.5, "{r:?}");
    }
}
