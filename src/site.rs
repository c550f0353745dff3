//! Per-wijk data for the page and the wasm calculator, generated at build time
//! from the dataset and the fitted model, plus the all-wijken what-if
//! calculation that the maps use.

use crate::data::Dataset;
use crate::determinants;
use crate::model::{InputError, Model, Predictor, Z95};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteWijk {
    pub code: String,
    pub name: String,
    pub gemeente_code: String,
    pub gemeente_name: String,
    pub regio_code: String,
    pub regio_name: String,
    pub observed: Option<f64>,
    pub scp_expected: Option<f64>,
    /// Raw determinant values in model order (`None` = missing in the data).
    pub values: Vec<Option<f64>>,
}

/// How our expected use compares with SCP's published `perc_przv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub n: usize,
    pub correlation: f64,
    pub rmse: f64,
    pub max_abs: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteData {
    pub wijken: Vec<SiteWijk>,
    pub agreement: Agreement,
}

impl SiteData {
    pub fn build(ds: &Dataset, predictor: &Predictor) -> Result<SiteData, String> {
        let columns: Vec<usize> = predictor
            .model
            .determinants
            .iter()
            .map(|d| determinants::find(&d.name).map(|(j, _)| j).ok_or_else(|| format!("onbekende determinant {} in het model", d.name)))
            .collect::<Result<_, _>>()?;
        let wijken: Vec<SiteWijk> = ds
            .wijken
            .iter()
            .map(|w| SiteWijk {
                code: w.code.clone(),
                name: w.name.clone(),
                gemeente_code: w.gemeente_code.clone(),
                gemeente_name: w.gemeente_name.clone(),
                regio_code: w.regio_code.clone(),
                regio_name: w.regio_name.clone(),
                observed: w.observed,
                scp_expected: w.scp_expected,
                values: columns.iter().map(|&j| w.values[j]).collect(),
            })
            .collect();
        let mut pairs = Vec::new();
        for w in &wijken {
            let ours = predictor.expected(&crate::model::Profile { gemeente: Some(w.gemeente_code.clone()), values: w.values.clone() }).map_err(|e| format!("{}: {e}", w.code))?;
            if let Some(scp) = w.scp_expected {
                pairs.push((ours.expected, scp));
            }
        }
        Ok(SiteData { wijken, agreement: agreement(&pairs) })
    }
}

/// Pearson correlation, RMSE and largest absolute difference of (a, b) pairs.
pub fn agreement(pairs: &[(f64, f64)]) -> Agreement {
    let n = pairs.len() as f64;
    let (ma, mb) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb, mut sse, mut max_abs) = (0.0, 0.0, 0.0, 0.0, 0.0f64);
    for &(a, b) in pairs {
        sab += (a - ma) * (b - mb);
        saa += (a - ma).powi(2);
        sbb += (b - mb).powi(2);
        sse += (a - b).powi(2);
        max_abs = max_abs.max((a - b).abs());
    }
    Agreement { n: pairs.len(), correlation: sab / (saa * sbb).sqrt(), rmse: (sse / n).sqrt(), max_abs }
}

/// Where a what-if change applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope<'a> {
    Land,
    Regio(&'a str),
    Gemeente(&'a str),
    Wijk(&'a str),
}

impl<'a> Scope<'a> {
    pub fn parse(kind: &str, code: Option<&'a str>) -> Result<Scope<'a>, InputError> {
        let need = |what: &str| {
            code.filter(|c| !c.is_empty()).ok_or_else(|| InputError { field: "code".into(), message: format!("een {what} is nodig voor dit bereik") })
        };
        Ok(match kind {
            "land" => Scope::Land,
            "regio" => Scope::Regio(need("regiocode")?),
            "gemeente" => Scope::Gemeente(need("gemeentecode")?),
            "wijk" => Scope::Wijk(need("wijkcode")?),
            other => return Err(InputError { field: "scope".into(), message: format!("onbekend bereik '{other}' (kies land, regio, gemeente of wijk)") }),
        })
    }
}

/// The model plus every wijk's filled profile, for repeated all-wijken calls.
#[derive(Debug, Clone)]
pub struct Calculator {
    pub predictor: Predictor,
    pub site: SiteData,
    /// Filled profiles, row-major n × q.
    filled: Vec<f64>,
    base_fixed: Vec<f64>,
    random: Vec<f64>,
    random_var: Vec<f64>,
    by_code: HashMap<String, usize>,
}

impl Calculator {
    pub fn new(predictor: Predictor, site: SiteData) -> Result<Calculator, String> {
        let q = predictor.n_determinants();
        let mut filled = Vec::with_capacity(site.wijken.len() * q);
        let (mut base_fixed, mut random, mut random_var) = (Vec::new(), Vec::new(), Vec::new());
        let mut by_code = HashMap::new();
        for (i, w) in site.wijken.iter().enumerate() {
            if w.values.len() != q {
                return Err(format!("wijk {}: {} waarden, het model heeft {} determinanten", w.code, w.values.len(), q));
            }
            let x = predictor.model.imputation.fill(Some(&w.gemeente_code), &w.values);
            base_fixed.push(predictor.fixed_part(&x));
            let (ug, vg, ur, vr, _) = predictor.random_part(Some(&w.gemeente_code));
            random.push(ug + ur);
            random_var.push(vg + vr);
            filled.extend_from_slice(&x);
            by_code.insert(w.code.clone(), i);
        }
        Ok(Calculator { predictor, site, filled, base_fixed, random, random_var, by_code })
    }

    pub fn len(&self) -> usize {
        self.site.wijken.len()
    }

    pub fn is_empty(&self) -> bool {
        self.site.wijken.is_empty()
    }

    pub fn wijk_index(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The filled (imputed) profile of wijk i.
    pub fn filled(&self, i: usize) -> &[f64] {
        let q = self.predictor.n_determinants();
        &self.filled[i * q..(i + 1) * q]
    }

    fn in_scope(&self, scope: Scope) -> Result<Vec<bool>, InputError> {
        let known = |ok: bool, field: &str, code: &str| {
            if ok {
                Ok(())
            } else {
                Err(InputError { field: field.into(), message: format!("onbekende code '{code}'") })
            }
        };
        match scope {
            Scope::Regio(c) => known(self.site.wijken.iter().any(|w| w.regio_code == c), "regio", c)?,
            Scope::Gemeente(c) => known(self.site.wijken.iter().any(|w| w.gemeente_code == c), "gemeente", c)?,
            Scope::Wijk(c) => known(self.by_code.contains_key(c), "wijk", c)?,
            Scope::Land => {}
        }
        Ok(self
            .site
            .wijken
            .iter()
            .map(|w| match scope {
                Scope::Land => true,
                Scope::Regio(c) => w.regio_code == c,
                Scope::Gemeente(c) => w.gemeente_code == c,
                Scope::Wijk(c) => w.code == c,
            })
            .collect())
    }

    fn check_deltas(&self, deltas: &[f64]) -> Result<(), InputError> {
        let q = self.predictor.n_determinants();
        if deltas.len() != q {
            return Err(InputError { field: "deltas".into(), message: format!("{} waarden gegeven, verwacht {q}", deltas.len()) });
        }
        if let Some(k) = deltas.iter().position(|d| !d.is_finite()) {
            return Err(InputError { field: self.predictor.model.determinants[k].name.clone(), message: "wijziging is geen geldig getal".into() });
        }
        Ok(())
    }

    /// Expected use of every wijk after adding `deltas` to the wijken in scope.
    /// Linear in x, so a scope shift is one dot product for all wijken.
    pub fn expected_all(&self, deltas: &[f64], scope: Scope, out: &mut [f64]) -> Result<(), InputError> {
        self.check_deltas(deltas)?;
        let mask = self.in_scope(scope)?;
        let shift: f64 = self.predictor.beta()[1..].iter().zip(deltas).map(|(b, d)| b * d).sum();
        for (i, o) in out.iter_mut().enumerate().take(self.len()) {
            *o = self.base_fixed[i] + self.random[i] + if mask[i] { shift } else { 0.0 };
        }
        Ok(())
    }

    /// `[ci_low × n, ci_high × n, pi_low × n, pi_high × n]` for the same scenario.
    pub fn intervals_all(&self, deltas: &[f64], scope: Scope) -> Result<Vec<f64>, InputError> {
        let n = self.len();
        let mut expected = vec![0.0; n];
        self.expected_all(deltas, scope, &mut expected)?;
        let mask = self.in_scope(scope)?;
        let q = self.predictor.n_determinants();
        let residual = self.predictor.model.variance.residual;
        let mut out = vec![0.0; 4 * n];
        let mut x = vec![0.0; q];
        for i in 0..n {
            x.copy_from_slice(self.filled(i));
            if mask[i] {
                x.iter_mut().zip(deltas).for_each(|(v, d)| *v += d);
            }
            let var = self.predictor.fixed_variance(&x) + self.random_var[i];
            let (half_ci, half_pi) = (Z95 * var.sqrt(), Z95 * (var + residual).sqrt());
            out[i] = expected[i] - half_ci;
            out[n + i] = expected[i] + half_ci;
            out[2 * n + i] = expected[i] - half_pi;
            out[3 * n + i] = expected[i] + half_pi;
        }
        Ok(out)
    }
}

/// Parse the model and site JSON compiled into the wasm (or read by tests).
pub fn calculator_from_json(model_json: &str, site_json: &str) -> Result<Calculator, String> {
    let model: Model = serde_json::from_str(model_json).map_err(|e| format!("modelbestand: {e}"))?;
    let site: SiteData = serde_json::from_str(site_json).map_err(|e| format!("sitegegevens: {e}"))?;
    Calculator::new(Predictor::new(model)?, site)
}
