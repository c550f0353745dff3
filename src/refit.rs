//! "Eigen model": the national model refitted on a chosen subset of its
//! determinants, from the data the calculator holds (the per-wijk values with
//! their gaps, the published use, the youth counts), in the model's own
//! specification: the same imputation rules, the same fitter, the same
//! intervals. Pure; the page calls it through `refitNational`.

use crate::data::{Dataset, Wijk, WIJK_FILE, YOUTH_FILE};
use crate::determinants::{self, Level, DETERMINANTS};
use crate::model::{self, FixedEffect, Predictor, Verdict};
use crate::site::{Calculator, Scope, SiteData};
use crate::text;
use crate::text::Text;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::collections::BTreeMap;

/// The variance components as lme4 names the groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Variances {
    pub gemeentecode: f64,
    pub jeugdzorgregiocode: f64,
    #[serde(rename = "Residual")]
    pub residual: f64,
}

/// Published wijken whose verdict differs from another model's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VerdictChanges {
    /// Against the page's (default) model.
    pub vs_default: usize,
    /// Against SCP's published expected use (`perc_przv`) with the page
    /// model's prediction interval around it.
    pub vs_scp: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refit {
    pub determinants: Vec<String>,
    pub specification: &'static str,
    pub n: usize,
    pub n_gemeente: usize,
    pub n_regio: usize,
    pub reml_criterion: f64,
    pub fixed_effects: Vec<FixedEffect>,
    pub variance: Variances,
    pub converged: bool,
    pub verdict_changes: VerdictChanges,
    /// The verdict of every wijk in the calculator's order (`None`: use not published).
    #[serde(skip)]
    pub verdicts: Vec<Option<Verdict>>,
    /// SCP's own coefficients, as far as its published expected use reveals them.
    pub scp: ScpCoefficients,
}

/// SCP published no coefficients, but its expected use (`perc_przv`) reveals those of the
/// wijk-level determinants (docs/fidelity.md §1): on the wijken with every determinant,
/// `perc_przv` is linear in them plus one offset per gemeente (the intercept, the
/// gemeente-level terms and both random effects), so a regression within gemeenten
/// recovers them (`tools/fidelity/scp_coefficients.R` does the same with R's `lm`). The
/// gemeente-level coefficients and SCP's variances are absorbed by the offsets: unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScpCoefficients {
    /// The model's wijk-level determinants, in model order.
    pub fixed_effects: Vec<ScpCoefficient>,
    /// Wijken and gemeenten of the regression.
    pub n: usize,
    pub n_gemeente: usize,
    /// Root mean square of its residuals (percentage points): how closely it reproduces
    /// `perc_przv` (0.075 in docs/fidelity.md).
    pub rmse: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScpCoefficient {
    pub term: String,
    pub estimate: f64,
}

/// [`ScpCoefficients`] from the calculator's data: least squares on the values and
/// `perc_przv` centred within each gemeente (the same coefficients as with one dummy per
/// gemeente).
pub fn scp_coefficients(c: &Calculator) -> Result<ScpCoefficients, String> {
    let dets = &c.predictor.model.determinants;
    let wijk_level: Vec<usize> = (0..dets.len())
        .filter(|&k| dets[k].level == Level::Wijk)
        .collect();
    let rows: Vec<&Wijk> = c
        .site
        .wijken
        .iter()
        .filter(|w| w.scp_expected.is_some() && w.values.iter().all(Option::is_some))
        .collect();
    let p = wijk_level.len();
    let mut by_gemeente: BTreeMap<&str, Vec<&Wijk>> = BTreeMap::new();
    for w in &rows {
        by_gemeente.entry(&w.gemeente_code).or_default().push(w);
    }
    let n = rows.len();
    let mut x = DMatrix::<f64>::zeros(n, p);
    let mut y = DVector::<f64>::zeros(n);
    let mut i = 0;
    for group in by_gemeente.values() {
        let m = group.len() as f64;
        let y_mean = group
            .iter()
            .map(|w| w.scp_expected.unwrap_or(0.0))
            .sum::<f64>()
            / m;
        let x_mean: Vec<f64> = wijk_level
            .iter()
            .map(|&k| {
                group
                    .iter()
                    .map(|w| w.values[k].unwrap_or(0.0))
                    .sum::<f64>()
                    / m
            })
            .collect();
        for w in group {
            y[i] = w.scp_expected.unwrap_or(0.0) - y_mean;
            for (j, &k) in wijk_level.iter().enumerate() {
                x[(i, j)] = w.values[k].unwrap_or(0.0) - x_mean[j];
            }
            i += 1;
        }
    }
    // The normal equations are well conditioned here (21 columns, 1618 rows); a singular
    // X'X (a model whose wijk-level determinants are collinear within gemeenten) says so.
    let xtx = x.transpose() * &x;
    let beta = xtx
        .cholesky()
        .ok_or("SCP's coefficients: the wijk-level determinants are collinear within gemeenten")?
        .solve(&(x.transpose() * &y));
    let residual = &y - &x * &beta;
    Ok(ScpCoefficients {
        fixed_effects: wijk_level
            .iter()
            .zip(beta.iter())
            .map(|(&k, &estimate)| ScpCoefficient {
                term: dets[k].name.clone(),
                estimate,
            })
            .collect(),
        n,
        n_gemeente: by_gemeente.len(),
        rmse: (residual.norm_squared() / n as f64).sqrt(),
    })
}

/// SCP's verdict of every wijk: its observed use against SCP's published
/// expected use with the page model's PI around it (the page model's PI
/// shifted by perc_przv − our expected use).
pub fn scp_verdicts(c: &Calculator) -> Result<Vec<Option<Verdict>>, String> {
    let q = c.predictor.n_determinants();
    let zero = vec![0.0; q];
    let n = c.len();
    let mut expected = vec![0.0; n];
    c.expected_all(&zero, Scope::Land, &mut expected)
        .map_err(|e| e.to_string())?;
    let iv = c
        .intervals_all(&zero, Scope::Land)
        .map_err(|e| e.to_string())?;
    Ok(c.site
        .wijken
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let scp = w.scp_expected?;
            Verdict::of(
                w.observed,
                scp + iv[2 * n + i] - expected[i],
                scp + iv[3 * n + i] - expected[i],
            )
        })
        .collect())
}

/// Refit the calculator's model with the determinants `names` (a subset of
/// the model's, in any order; they are used in the model's order).
pub fn refit_national(c: &Calculator, names: &[String]) -> Result<Refit, Text> {
    c.need_values()
        .map_err(|e| e.message.map(|m| format!("{}: {m}", e.field)))?;
    refit_loaded(c, names).map_err(|e| match e {
        Refused::Choice(t) => t,
        // The page's own data and model: a failure here is not the user's choice.
        Refused::Internal(e) => text!(
            "interne fout bij het opnieuw schatten: {e}",
            "internal error while refitting: {e}"
        ),
    })
}

/// Why a refit could not be made: the choice of determinants, or (never with the page's
/// own model and data) something inside.
enum Refused {
    Choice(Text),
    Internal(String),
}

impl From<Text> for Refused {
    fn from(t: Text) -> Refused {
        Refused::Choice(t)
    }
}

impl From<String> for Refused {
    fn from(e: String) -> Refused {
        Refused::Internal(e)
    }
}

fn refit_loaded(c: &Calculator, names: &[String]) -> Result<Refit, Refused> {
    let model = &c.predictor.model;
    let own = model.determinant_names();
    let trimmed: Vec<&str> = names.iter().map(|n| n.trim()).collect();
    determinants::select(&trimmed)?;
    if let Some(n) = trimmed.iter().find(|n| !own.iter().any(|o| o == *n)) {
        let own = own.join(", ");
        return Err(Refused::Choice(text!(
            "determinant '{n}' zit niet in het model van de pagina (kies uit: {own})",
            "determinant '{n}' is not in the page's model (choose from: {own})"
        )));
    }
    let chosen: Vec<&str> = own
        .iter()
        .map(String::as_str)
        .filter(|o| trimmed.contains(o))
        .collect();
    let dets = determinants::select(&chosen)?;
    // The dataset as `fit` reads it: values in the table's order.
    let columns = model.data_columns()?;
    let wijken: Vec<Wijk> = c
        .site
        .wijken
        .iter()
        .map(|w| {
            let mut values = vec![None; DETERMINANTS.len()];
            for (k, &j) in columns.iter().enumerate() {
                values[j] = w.values[k];
            }
            Wijk {
                values,
                ..w.clone()
            }
        })
        .collect();
    let ds = Dataset { wijken };
    let input = model::Input {
        file: WIJK_FILE,
        sha256: &model.provenance.input_sha256,
        youth_file: YOUTH_FILE,
        youth_sha256: model.provenance.youth_sha256.as_deref().unwrap_or(""),
    };
    let refitted = model::fit_model_with(&ds, &dets, model.spec(), &input)?;
    let new_columns = refitted.data_columns()?;
    let site = SiteData {
        wijken: ds
            .wijken
            .iter()
            .map(|w| Wijk {
                values: new_columns.iter().map(|&j| w.values[j]).collect(),
                ..w.clone()
            })
            .collect(),
        agreement: c.site.agreement,
        fidelity: None,
    };
    let theirs = Calculator::new(Predictor::new(refitted)?, site)?;
    let q = theirs.predictor.n_determinants();
    let verdicts = theirs
        .verdicts_all(&vec![0.0; q], Scope::Land)
        .map_err(|e| e.to_string())?;
    let default = c
        .verdicts_all(&vec![0.0; c.predictor.n_determinants()], Scope::Land)
        .map_err(|e| e.to_string())?;
    let scp = scp_verdicts(c)?;
    let differ = |other: &[Option<Verdict>]| {
        verdicts
            .iter()
            .zip(other)
            .filter(|(a, b)| a.is_some() && b.is_some() && a != b)
            .count()
    };
    let m = &theirs.predictor.model;
    Ok(Refit {
        determinants: m.determinant_names(),
        specification: m.spec().name(),
        n: m.n_fit,
        n_gemeente: m.n_gemeente,
        n_regio: m.n_regio,
        reml_criterion: m.reml_criterion,
        fixed_effects: m.fixed_effects.clone(),
        variance: Variances {
            gemeentecode: m.variance.gemeente,
            jeugdzorgregiocode: m.variance.regio,
            residual: m.variance.residual,
        },
        converged: m.fit.converged,
        verdict_changes: VerdictChanges {
            vs_default: differ(&default),
            vs_scp: differ(&scp),
        },
        verdicts,
        scp: scp_coefficients(c)?,
    })
}
