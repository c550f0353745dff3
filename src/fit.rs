//! REML fit of the linear mixed model
//!
//! ```text
//! y = Xβ + Z_r u_r + Z_g u_g + e,   u_r ~ N(0, σ²θ_r I), u_g ~ N(0, σ²θ_g I), e ~ N(0, σ² I)
//! ```
//!
//! with random intercepts for jeugdzorgregio (r) and for gemeente (g), gemeenten
//! nested in regio's. With V* = V/σ², a regio block is
//! `V*_r = H + θ_r 11'`, where H is block-diagonal with one block
//! `I + θ_g 11'` per gemeente. Sherman–Morrison twice gives, with
//! `w_g = 1/(1 + n_g θ_g)` and `m_r = Σ_{g∈r} n_g w_g`:
//!
//! ```text
//! a'V*⁻¹b = Σ_g [ a_g'b_g − θ_g w_g (1'a_g)(1'b_g) ] − Σ_r θ_r/(1+θ_r m_r) · (Σ_{g∈r} w_g 1'a_g)(Σ_{g∈r} w_g 1'b_g)
//! log|V*| = Σ_g log(1 + n_g θ_g) + Σ_r log(1 + θ_r m_r)
//! ```
//!
//! so one evaluation of the REML criterion needs only per-gemeente sufficient
//! statistics of the augmented matrix A = [X y] (cross products and column sums),
//! never an n×n matrix. β and σ² are profiled out; the two standard-deviation
//! ratios ρ = √θ are optimised by a safeguarded Newton method. The criterion is
//! even in each ρ, so the boundary θ = 0 needs no constraint.
//!
//! Columns of X are centred and scaled internally (income is ~10⁴, shares ~10¹)
//! for conditioning; estimates, vcov and the REML criterion are reported for X in
//! its own units, as lme4 does.

use crate::text;
use crate::text::Text;
use nalgebra::{DMatrix, DVector};

/// The data of one fit, without any file or wasm types.
#[derive(Debug, Clone)]
pub struct Design {
    /// The augmented matrix A = [1 X y], n × (q + 2), one row per wijk: a
    /// column of ones, the q covariates, the response. One allocation, which
    /// the fit standardises in place.
    pub data: DMatrix<f64>,
    /// Gemeente index (0..n_gemeente) of each row.
    pub gemeente: Vec<usize>,
    /// Regio index (0..n_regio) of each gemeente.
    pub regio_of_gemeente: Vec<usize>,
    pub n_regio: usize,
}

impl Design {
    /// A design with one row per entry of `gemeente` and `q` covariates: the
    /// intercept column is set, covariates and response are to be filled in.
    pub fn new(
        q: usize,
        gemeente: Vec<usize>,
        regio_of_gemeente: Vec<usize>,
        n_regio: usize,
    ) -> Design {
        let mut data = DMatrix::zeros(gemeente.len(), q + 2);
        data.column_mut(0).fill(1.0);
        Design {
            data,
            gemeente,
            regio_of_gemeente,
            n_regio,
        }
    }
}

/// How the optimisation went; stored as the model file's `fit` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Convergence {
    pub method: String,
    pub converged: bool,
    pub iterations: usize,
    pub evaluations: usize,
    /// Optimal standard-deviation ratios (σ_gemeente/σ, σ_regio/σ).
    pub theta: [f64; 2],
    /// Gradient of the REML criterion with respect to θ at the optimum.
    pub gradient: [f64; 2],
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// Intercept first, then the determinants in the order given.
    pub beta: Vec<f64>,
    pub std_error: Vec<f64>,
    pub vcov: DMatrix<f64>,
    pub var_residual: f64,
    pub var_gemeente: f64,
    pub var_regio: f64,
    pub reml_criterion: f64,
    pub u_gemeente: Vec<f64>,
    pub sd_gemeente: Vec<f64>,
    pub u_regio: Vec<f64>,
    pub sd_regio: Vec<f64>,
    pub n: usize,
    pub convergence: Convergence,
}

/// Which criterion the fit minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// −2 × the restricted log-likelihood (lme4's REMLcrit): the default.
    Reml,
    /// −2 × the log-likelihood (lme4's deviance of a fit with `REML = FALSE`),
    /// for likelihood-ratio tests between models with different fixed parts.
    Ml,
}

/// How to fit: which random intercepts, which criterion, and what the
/// covariates are called in messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Whether the model has a regio random intercept (else only gemeente:
    /// θ_regio is held at 0, as a formula without `(1 | jeugdzorgregiocode)`).
    pub regio: bool,
    pub criterion: Criterion,
    /// The covariates' noun in messages.
    pub noun: Noun,
}

/// What the covariates are called in messages: singular and plural, Dutch and English.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noun {
    pub one: &'static str,
    pub many: &'static str,
    pub one_en: &'static str,
    pub many_en: &'static str,
}

impl Noun {
    pub const DETERMINANT: Noun = Noun {
        one: "determinant",
        many: "determinanten",
        one_en: "determinant",
        many_en: "determinants",
    };
}

impl Default for Options {
    /// The national model: both random intercepts, REML, "determinant".
    fn default() -> Options {
        Options {
            regio: true,
            criterion: Criterion::Reml,
            noun: Noun::DETERMINANT,
        }
    }
}

/// Sufficient statistics: everything the criterion needs, O(gemeenten · p²).
struct Stats {
    n: usize,
    ml: bool,
    /// Columns of the augmented matrix: intercept, scaled covariates, y.
    k: usize,
    /// Σ a a' over all rows.
    cross: DMatrix<f64>,
    /// Column sums per gemeente: column g is gemeente g.
    sums: DMatrix<f64>,
    sizes: Vec<usize>,
    /// Σ s_g s_g' per distinct gemeente size (w_g depends only on the size).
    by_size: Vec<(usize, DMatrix<f64>)>,
    /// (size, number of gemeenten of that size).
    size_counts: Vec<(usize, usize)>,
    /// Gemeenten of each regio.
    members: Vec<Vec<usize>>,
    centre: Vec<f64>,
    scale: Vec<f64>,
    /// Back to X in its own units: |X'V⁻¹X| = |X_s'V⁻¹X_s| · Π s_j⁻², so the
    /// criterion gains 2 Σ log s_j.
    log_scale: f64,
}

/// What one evaluation of the criterion yields, enough for all final quantities.
struct Eval {
    crit: f64,
    beta_scaled: DVector<f64>,
    chol: nalgebra::Cholesky<f64, nalgebra::Dyn>,
    sigma2: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitError(pub Text);

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.nl)
    }
}
impl std::error::Error for FitError {}

const LN_2PI: f64 = 1.837_877_066_409_345_3;

impl Stats {
    fn new(d: Design, names: &[&str], options: &Options) -> Result<Stats, FitError> {
        let noun = options.noun;
        let Design {
            data: mut a,
            gemeente,
            regio_of_gemeente,
            n_regio,
        } = d;
        let (n, k) = a.shape();
        if k < 2 || gemeente.len() != n {
            return Err(FitError(Text::new(
                "ongelijke lengtes van respons, covariaten en groepen",
                "response, covariates and groups differ in length",
            )));
        }
        let p = k - 1;
        let q = p - 1;
        if n <= p {
            return Err(FitError(text!(
                "te weinig rijen ({n}) voor {p} vaste effecten",
                "too few rows ({n}) for {p} fixed effects"
            )));
        }
        let n_gemeente = regio_of_gemeente.len();
        if let Some(&g) = gemeente.iter().find(|&&g| g >= n_gemeente) {
            return Err(FitError(text!(
                "gemeente-index {g} buiten bereik",
                "municipality index {g} out of range"
            )));
        }
        if let Some(&r) = regio_of_gemeente.iter().find(|&&r| r >= n_regio) {
            return Err(FitError(text!(
                "regio-index {r} buiten bereik",
                "region index {r} out of range"
            )));
        }
        // Standardise the covariate columns in place.
        let mut centre = vec![0.0; q];
        let mut scale = vec![1.0; q];
        for j in 0..q {
            let mut col = a.column_mut(j + 1);
            let mean = col.sum() / n as f64;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            if !(var.is_finite() && var > 0.0) {
                let name = names.get(j).copied().unwrap_or("?");
                let (one, one_en) = (noun.one, noun.one_en);
                return Err(FitError(text!(
                    "{one} {name} is constant in de fitrijen; het model is dan niet te schatten",
                    "{one_en} {name} is constant in the rows fitted; the model cannot then be estimated"
                )));
            }
            let sd = var.sqrt();
            col.apply(|v| *v = (*v - mean) / sd);
            centre[j] = mean;
            scale[j] = sd;
        }
        // A'A (the bulk of the fit's arithmetic): the lower triangle only, one
        // dot product of two contiguous columns per entry. (A blocked gemm is
        // a little faster warm, but allocates packing buffers on every call,
        // and first-touch page faults cost more than it saves in a short run.)
        let mut cross = DMatrix::zeros(k, k);
        for j in 0..k {
            for l in j..k {
                cross[(l, j)] = a.column(l).dot(&a.column(j));
            }
        }
        cross.fill_upper_triangle_with_lower_triangle();
        check_rank(&cross, p, names, noun)?;
        check_response(&cross, p, noun)?;
        // Column sums per gemeente (column g of `sums`), over runs of rows of
        // one gemeente (rows in wijkcode order come grouped by gemeente).
        let mut sums = DMatrix::zeros(k, n_gemeente);
        let mut start = 0;
        while start < n {
            let g = gemeente[start];
            let len = gemeente[start..].iter().take_while(|&&h| h == g).count();
            for j in 0..k {
                sums[(j, g)] += a.view((start, j), (len, 1)).sum();
            }
            start += len;
        }
        let mut sizes = vec![0usize; n_gemeente];
        for &g in &gemeente {
            sizes[g] += 1;
        }
        if let Some(g) = sizes.iter().position(|&s| s == 0) {
            return Err(FitError(text!(
                "gemeente-index {g} heeft geen rijen",
                "municipality index {g} has no rows"
            )));
        }
        let mut by_size: Vec<(usize, DMatrix<f64>)> = Vec::new();
        for (g, s) in sums.column_iter().enumerate() {
            let pos = match by_size.iter().position(|(size, _)| *size == sizes[g]) {
                Some(pos) => pos,
                None => {
                    by_size.push((sizes[g], DMatrix::zeros(k, k)));
                    by_size.len() - 1
                }
            };
            by_size[pos].1.syger(1.0, &s, &s, 1.0);
        }
        let mut members = vec![Vec::new(); n_regio];
        for (g, &r) in regio_of_gemeente.iter().enumerate() {
            members[r].push(g);
        }
        let size_counts = by_size
            .iter()
            .map(|(size, _)| (*size, sizes.iter().filter(|&&s| s == *size).count()))
            .collect();
        Ok(Stats {
            n,
            ml: options.criterion == Criterion::Ml,
            k,
            cross,
            sums,
            sizes,
            by_size,
            size_counts,
            members,
            centre,
            log_scale: 2.0 * scale.iter().map(|s| s.ln()).sum::<f64>(),
            scale,
        })
    }

    /// REML criterion (−2 log restricted likelihood, lme4's REMLcrit) at
    /// variance ratios θ_g, θ_r, with β and σ² profiled out.
    fn eval(&self, theta_g: f64, theta_r: f64) -> Option<Eval> {
        let (k, p) = (self.k, self.k - 1);
        let w = |size: usize| 1.0 / (1.0 + size as f64 * theta_g);
        let mut m = self.cross.clone();
        for (size, q) in &self.by_size {
            // The lower triangle only, column by column as plain slices (so
            // the compiler vectorises the update).
            let c = theta_g * w(*size);
            for j in 0..k {
                let (to, from) = (
                    &mut m.as_mut_slice()[j * k + j..(j + 1) * k],
                    &q.as_slice()[j * k + j..(j + 1) * k],
                );
                for (a, b) in to.iter_mut().zip(from) {
                    *a -= c * b;
                }
            }
        }
        // Σ_g log(1 + n_g θ_g), one logarithm per distinct gemeente size.
        let mut log_det_v: f64 = self
            .size_counts
            .iter()
            .map(|&(size, count)| count as f64 * (size as f64 * theta_g).ln_1p())
            .sum();
        let mut t = DVector::zeros(k);
        for group in &self.members {
            t.fill(0.0);
            let mut m_r = 0.0;
            for &g in group {
                let wg = w(self.sizes[g]);
                t.axpy(wg, &self.sums.column(g), 1.0);
                m_r += self.sizes[g] as f64 * wg;
            }
            let c = theta_r / (1.0 + theta_r * m_r);
            m.syger(-c, &t, &t, 1.0);
            log_det_v += (theta_r * m_r).ln_1p();
        }
        // Only the lower triangle is up to date; the Cholesky factorisation
        // reads only that, and X'V⁻¹y is its last row.
        let xtvy: DVector<f64> = m.view((p, 0), (1, p)).transpose().column(0).into_owned();
        let chol = m.view((0, 0), (p, p)).into_owned().cholesky()?;
        let beta = chol.solve(&xtvy);
        let rss = m[(p, p)] - xtvy.dot(&beta);
        if self.ml {
            // The profiled deviance: σ̂² = rss/n, no |X'V⁻¹X| term.
            let n = self.n as f64;
            let sigma2 = rss / n;
            if sigma2.is_nan() || sigma2 <= 0.0 {
                return None;
            }
            let crit = n * (LN_2PI + sigma2.ln() + 1.0) + log_det_v;
            return Some(Eval {
                crit,
                beta_scaled: beta,
                chol,
                sigma2,
            });
        }
        let df = (self.n - p) as f64;
        let sigma2 = rss / df;
        if sigma2.is_nan() || sigma2 <= 0.0 {
            return None;
        }
        let log_det_xtvx: f64 = 2.0
            * chol
                .l_dirty()
                .diagonal()
                .iter()
                .map(|d| d.ln())
                .sum::<f64>();
        let crit = df * (LN_2PI + sigma2.ln() + 1.0) + log_det_v + log_det_xtvx + self.log_scale;
        Some(Eval {
            crit,
            beta_scaled: beta,
            chol,
            sigma2,
        })
    }

    fn crit_at(&self, rho: [f64; 2]) -> f64 {
        self.eval(rho[0] * rho[0], rho[1] * rho[1])
            .map_or(f64::INFINITY, |e| e.crit)
    }
}

/// Largest 1 − R² at which a covariate counts as a linear combination of the
/// columns before it (the intercept and earlier determinants), measured on the
/// standardised design. Exact collinearity leaves 1 − R² at rounding level
/// (about 1e-16); at 1e-10 a coefficient would have lost some ten of its
/// sixteen digits to rounding, so nothing meaningful is refused. (R's `qr()`,
/// which lme4 uses to drop columns, has 1e-7 on the norm, i.e. 1e-14 here.)
const COLLINEAR_TOL: f64 = 1e-10;

/// Refuse a rank-deficient design before the fit iterates, naming the
/// determinants of each linear dependency. A Cholesky factorisation of the
/// standardised X'X in column order: a column whose pivot falls to
/// `COLLINEAR_TOL` of its diagonal is (nearly) a linear combination of the
/// columns accepted before it; their coefficients say which are involved.
fn check_rank(cross: &DMatrix<f64>, p: usize, names: &[&str], noun: Noun) -> Result<(), FitError> {
    let name = |j: usize| format!("'{}'", names.get(j - 1).copied().unwrap_or("?"));
    let mut l = DMatrix::<f64>::zeros(p, p);
    let mut accepted: Vec<usize> = Vec::with_capacity(p);
    let mut problems = Vec::new();
    for j in 0..p {
        // Row j of L against the accepted columns: L_A⁻¹ X_A'x_j.
        for (a, &i) in accepted.iter().enumerate() {
            let s: f64 = accepted[..a].iter().map(|&k| l[(j, k)] * l[(i, k)]).sum();
            l[(j, i)] = (cross[(j, i)] - s) / l[(i, i)];
        }
        let d = cross[(j, j)] - accepted.iter().map(|&k| l[(j, k)].powi(2)).sum::<f64>();
        if d > COLLINEAR_TOL * cross[(j, j)] {
            l[(j, j)] = d.sqrt();
            accepted.push(j);
            continue;
        }
        // x_j ≈ X_A c with L_A' c = L_A⁻¹ X_A'x_j (back substitution).
        let mut c = vec![0.0; accepted.len()];
        for a in (0..accepted.len()).rev() {
            let i = accepted[a];
            let s: f64 = (a + 1..accepted.len())
                .map(|b| l[(accepted[b], i)] * c[b])
                .sum();
            c[a] = (l[(j, i)] - s) / l[(i, i)];
        }
        let largest = c.iter().skip(1).fold(0.0f64, |m, v| m.max(v.abs()));
        let involved: Vec<String> = accepted
            .iter()
            .zip(&c)
            .filter(|&(&i, v)| i > 0 && v.abs() > 1e-6 * largest)
            .map(|(&i, _)| name(i))
            .collect();
        let (one, one_en, this) = (noun.one, noun.one_en, name(j));
        if involved.is_empty() {
            problems.push(text!(
                "{one} {this} is (vrijwel) constant in de fitrijen",
                "{one_en} {this} is (nearly) constant in the rows fitted"
            ));
            continue;
        }
        let all: Vec<String> = involved.iter().cloned().chain([name(j)]).collect();
        let (many, many_en) = (noun.many, noun.many_en);
        let (all_nl, all_en) = (list(&all, "en"), list(&all, "and"));
        let (inv_nl, inv_en) = (list(&involved, "en"), list(&involved, "and"));
        problems.push(text!(
            "{many} {all_nl} zijn collineair: {this} is (vrijwel) een lineaire combinatie van {inv_nl}",
            "{many_en} {all_en} are collinear: {this} is (nearly) a linear combination of {inv_en}"
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let join = |f: fn(&Text) -> &str| problems.iter().map(f).collect::<Vec<_>>().join("; ");
    let (nl, en) = (join(|t| &t.nl), join(|t| &t.en));
    Err(FitError(text!(
        "{nl}; het model is dan niet te schatten: laat er een weg",
        "{en}; the model cannot then be estimated: leave one out"
    )))
}

/// Refuse a response that the intercept and determinants explain exactly
/// (for instance a constant one): the residual variance is then zero and the
/// criterion infinite at every θ. The same Cholesky step as [`check_rank`],
/// for the last column of A'A.
fn check_response(cross: &DMatrix<f64>, p: usize, noun: Noun) -> Result<(), FitError> {
    let x = cross.view((0, 0), (p, p)).into_owned();
    let explained = x
        .cholesky()
        .map(|c| {
            let xty = cross.view((0, p), (p, 1)).into_owned();
            let b = c.solve(&xty);
            xty.dot(&b)
        })
        .unwrap_or(0.0);
    if cross[(p, p)] - explained <= COLLINEAR_TOL * cross[(p, p)] {
        let (many, many_en) = (noun.many, noun.many_en);
        return Err(FitError(text!(
            "de respons heeft geen spreiding buiten wat de {many} verklaren (bijvoorbeeld overal dezelfde waarde); het model is dan niet te schatten",
            "the response has no spread beyond what the {many_en} explain (for instance the same value everywhere); the model cannot then be estimated"
        )));
    }
    Ok(())
}

/// "a", "a en b", "a, b en c" (with `and`: "a, b and c").
fn list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// Minimise the criterion over ρ = (ρ_g, ρ_r): a coarse grid, then Newton steps
/// on finite-difference derivatives with backtracking. Every loop is bounded.
fn optimise(stats: &Stats, regio: bool) -> Result<Convergence, FitError> {
    let mut evaluations = 0;
    let mut f = |rho: [f64; 2]| {
        evaluations += 1;
        stats.crit_at(rho)
    };
    // A coarse grid guards against starting in a poor basin; Newton does the rest.
    // Without a regio level ρ_regio stays 0 throughout.
    let grid = [0.1, 0.5, 1.5];
    let grid_regio: &[f64] = if regio { &grid } else { &[0.0] };
    let mut x = [1.0, if regio { 1.0 } else { 0.0 }];
    let mut fx = f(x);
    for &a in &grid {
        for &b in grid_regio {
            let v = f([a, b]);
            if v < fx {
                fx = v;
                x = [a, b];
            }
        }
    }
    if !fx.is_finite() {
        return Err(FitError(Text::new(
            "het REML-criterium is nergens te berekenen (X'V⁻¹X singulier of geen spreiding in de respons); het model is niet te schatten",
            "the REML criterion cannot be computed anywhere (X'V⁻¹X singular or no spread in the response); the model cannot be estimated",
        )));
    }
    let mut converged = false;
    let mut iterations = 0;
    let mut grad = [0.0; 2];
    let mut message = String::from("maximum aantal iteraties bereikt");
    while iterations < 200 {
        iterations += 1;
        let h = [1e-4 * (1.0 + x[0].abs()), 1e-4 * (1.0 + x[1].abs())];
        let at = |dx: f64, dy: f64| [x[0] + dx, x[1] + dy];
        let (fp0, fm0) = (f(at(h[0], 0.0)), f(at(-h[0], 0.0)));
        let h00 = (fp0 - 2.0 * fx + fm0) / (h[0] * h[0]);
        // Without a regio level: no slope along ρ_regio and a unit curvature,
        // so the Newton step leaves it at 0.
        let (g, h11, h01) = if regio {
            let (f0p, f0m) = (f(at(0.0, h[1])), f(at(0.0, -h[1])));
            let (fpp, fmm) = (f(at(h[0], h[1])), f(at(-h[0], -h[1])));
            (
                [(fp0 - fm0) / (2.0 * h[0]), (f0p - f0m) / (2.0 * h[1])],
                (f0p - 2.0 * fx + f0m) / (h[1] * h[1]),
                (fpp - fp0 - f0p + 2.0 * fx - fm0 - f0m + fmm) / (2.0 * h[0] * h[1]),
            )
        } else {
            ([(fp0 - fm0) / (2.0 * h[0]), 0.0], 1.0, 0.0)
        };
        grad = g;
        // Newton direction where the Hessian is positive definite, else a
        // Levenberg-damped one.
        // (Bounded: with finite derivatives λ makes the matrix positive
        // definite long before 60 tries; with non-finite ones it never would.)
        let mut lambda = 0.0;
        let mut dir = None;
        for _ in 0..60 {
            let (a, b, c) = (h00 + lambda, h01, h11 + lambda);
            let det = a * c - b * b;
            if a > 0.0 && det > 0.0 {
                dir = Some([-(c * g[0] - b * g[1]) / det, -(a * g[1] - b * g[0]) / det]);
                break;
            }
            lambda = if lambda == 0.0 {
                1e-3 * (1.0 + h00.abs().max(h11.abs()))
            } else {
                lambda * 10.0
            };
        }
        let Some(dir) = dir else {
            message = "geen zoekrichting: de afgeleiden van het criterium zijn niet eindig".into();
            break;
        };
        let slope = g[0] * dir[0] + g[1] * dir[1];
        let mut step = 1.0;
        let mut moved = false;
        while step > 1e-12 {
            let cand = [x[0] + step * dir[0], x[1] + step * dir[1]];
            let fc = f(cand);
            if fc <= fx + 1e-4 * step * slope {
                let size = (step * dir[0]).abs().max((step * dir[1]).abs());
                let gain = fx - fc;
                x = cand;
                fx = fc;
                moved = true;
                if size < 1e-9 * (1.0 + x[0].abs().max(x[1].abs()))
                    || gain < 1e-13 * (1.0 + fx.abs())
                {
                    converged = true;
                }
                break;
            }
            step *= 0.5;
        }
        if !moved {
            // No decrease along a descent direction: we are at the optimum to
            // the precision of the finite differences.
            converged = g[0].abs().max(g[1].abs()) < 1e-4;
            message = if converged {
                "geconvergeerd".into()
            } else {
                "geen verbetering meer mogelijk; gradiënt niet klein".into()
            };
            break;
        }
        if converged {
            message = "geconvergeerd".into();
            break;
        }
    }
    Ok(Convergence {
        method: "REML; profiled β en σ², Newton op σ-verhoudingen".into(),
        converged,
        iterations,
        evaluations,
        theta: [x[0].abs(), x[1].abs()],
        gradient: grad,
        message,
    })
}

/// Fit by REML. `names` are the determinant names (for error messages only).
pub fn fit(design: Design, names: &[&str]) -> Result<Fit, FitError> {
    fit_with(design, names, &Options::default())
}

/// Check a design as [`fit_with`] does before it iterates (lengths, constant
/// and collinear covariates, a response without spread), without fitting.
pub fn check(design: Design, names: &[&str], options: &Options) -> Result<(), FitError> {
    Stats::new(design, names, options).map(|_| ())
}

/// Fit with the given options: with or without the regio level, by REML or ML.
pub fn fit_with(design: Design, names: &[&str], options: &Options) -> Result<Fit, FitError> {
    let stats = Stats::new(design, names, options)?;
    let mut convergence = optimise(&stats, options.regio)?;
    if options.criterion == Criterion::Ml {
        convergence.method = "ML; profiled β en σ², Newton op σ-verhoudingen".into();
    }
    let [rho_g, rho_r] = convergence.theta;
    let (theta_g, theta_r) = (rho_g * rho_g, rho_r * rho_r);
    let e = stats.eval(theta_g, theta_r).ok_or_else(|| {
        FitError(Text::new(
            "het model is niet te schatten: X'V⁻¹X is singulier (collineaire determinanten?)",
            "the model cannot be estimated: X'V⁻¹X is singular (collinear determinants?)",
        ))
    })?;
    let p = stats.k - 1;
    let q = p - 1;

    // β and vcov in original units: β = T β_s, vcov = T vcov_s T'.
    let mut t = DMatrix::<f64>::identity(p, p);
    for j in 0..q {
        t[(j + 1, j + 1)] = 1.0 / stats.scale[j];
        t[(0, j + 1)] = -stats.centre[j] / stats.scale[j];
    }
    let beta = &t * &e.beta_scaled;
    let vcov = &t * (e.chol.inverse() * e.sigma2) * t.transpose();
    let std_error = (0..p).map(|j| vcov[(j, j)].sqrt()).collect();

    // BLUPs from the residual sums per gemeente: u = D Z' V⁻¹ (y − Xβ).
    let n_g = stats.sums.ncols();
    let resid: Vec<f64> = stats
        .sums
        .column_iter()
        .map(|s| s[p] - s.rows(0, p).dot(&e.beta_scaled))
        .collect();
    let w: Vec<f64> = stats
        .sizes
        .iter()
        .map(|&s| 1.0 / (1.0 + s as f64 * theta_g))
        .collect();
    let mut u_gemeente = vec![0.0; n_g];
    let mut sd_gemeente = vec![0.0; n_g];
    let mut u_regio = vec![0.0; stats.members.len()];
    let mut sd_regio = vec![0.0; stats.members.len()];
    for (r, group) in stats.members.iter().enumerate() {
        let m_r: f64 = group.iter().map(|&g| stats.sizes[g] as f64 * w[g]).sum();
        let t_r: f64 = group.iter().map(|&g| w[g] * resid[g]).sum();
        let c_r = theta_r / (1.0 + theta_r * m_r);
        u_regio[r] = theta_r * t_r / (1.0 + theta_r * m_r);
        for &g in group {
            u_gemeente[g] = theta_g * (w[g] * resid[g] - c_r * stats.sizes[g] as f64 * w[g] * t_r);
        }
        // Conditional variances as lme4's condVar: the diagonal of
        // σ² (Z'Z + Λ⁻²)⁻¹ within the regio block, by a Schur complement.
        let d = |g: usize| stats.sizes[g] as f64 + 1.0 / theta_g;
        if theta_g == 0.0 {
            sd_regio[r] = if theta_r == 0.0 {
                0.0
            } else {
                (e.sigma2 / (m_r + 1.0 / theta_r)).sqrt()
            };
            // sizes weighted by w_g = 1 when θ_g = 0, so m_r = Σ n_g here.
            continue;
        }
        let n_r: f64 = group.iter().map(|&g| stats.sizes[g] as f64).sum();
        let schur = if theta_r == 0.0 {
            f64::INFINITY
        } else {
            n_r + 1.0 / theta_r
                - group
                    .iter()
                    .map(|&g| (stats.sizes[g] as f64).powi(2) / d(g))
                    .sum::<f64>()
        };
        sd_regio[r] = (e.sigma2 / schur).sqrt();
        for &g in group {
            let ratio = stats.sizes[g] as f64 / d(g);
            sd_gemeente[g] = (e.sigma2 * (1.0 / d(g) + ratio * ratio / schur)).sqrt();
        }
    }

    Ok(Fit {
        beta: beta.iter().copied().collect(),
        std_error,
        vcov,
        var_residual: e.sigma2,
        var_gemeente: theta_g * e.sigma2,
        var_regio: theta_r * e.sigma2,
        reml_criterion: e.crit,
        u_gemeente,
        sd_gemeente,
        u_regio,
        sd_regio,
        n: stats.n,
        convergence,
    })
}
