//! The fitted model as a versioned file, and prediction from it.
//!
//! ## Prediction formulas
//!
//! For a profile with determinant values x (missing values imputed: gemeente
//! mean, else national mean; intercept prepended) and gemeente g in regio r:
//!
//! ```text
//! expected       = x'β + u_g + u_r                      (BLUPs; lme4's predict())
//! var(expected)  ≈ x'V_β x + v_g + v_r                  (v = cond_sd², the BLUPs' conditional variances)
//! 95 % CI        = expected ± 1.96 √var(expected)
//! 95 % PI        = expected ± 1.96 √(var(expected) + σ²_residual)
//! contribution_j = β_j (x_j − mean_j)                   (relative to the national mean profile)
//! ```
//!
//! The covariance between β̂ and the BLUPs is ignored (lme4's conditional
//! variances are given β̂); this slightly understates the CI.
//! Without a known gemeente, u_g = 0 and the gemeente variance σ²_g replaces
//! v_g; without a known regio as well, u_r = 0 and σ²_r replaces v_r.

use crate::data::{Dataset, Wijk};
use crate::determinants::{self, Determinant, Group, Level, Unit, DETERMINANTS};
use crate::fit::{self, Design, Fit};
use crate::impute::Imputation;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub const SCHEMA_VERSION: u32 = 1;
/// Two-sided 95 % normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedEffect {
    pub term: String,
    pub estimate: f64,
    pub std_error: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Variance {
    pub regio: f64,
    pub gemeente: f64,
    pub residual: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomEffect {
    pub code: String,
    pub value: f64,
    pub cond_sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomEffects {
    pub regio: Vec<RandomEffect>,
    pub gemeente: Vec<RandomEffect>,
}

/// Determinant metadata as stored in the model: the table's fields plus the
/// observed range over all wijken with a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeterminantInfo {
    pub name: String,
    pub label: String,
    pub unit: Unit,
    pub unit_label: String,
    pub level: Level,
    pub group: Group,
    pub decimals: u8,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// Wijken with a value, out of all wijken.
    pub n_observed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub input_file: String,
    pub input_sha256: String,
    pub fitted_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub schema_version: u32,
    pub formula: String,
    pub provenance: Provenance,
    pub n_fit: usize,
    pub n_gemeente: usize,
    pub n_regio: usize,
    pub reml_criterion: f64,
    pub fixed_effects: Vec<FixedEffect>,
    /// Covariance matrix of the fixed effects, in the order of `fixed_effects`.
    pub vcov: Vec<Vec<f64>>,
    pub variance: Variance,
    pub random_effects: RandomEffects,
    /// Regio of every gemeente in the data (also those without fit rows).
    pub gemeente_regio: BTreeMap<String, String>,
    pub determinants: Vec<DeterminantInfo>,
    pub imputation: Imputation,
    pub fit: fit::Convergence,
}

impl DeterminantInfo {
    /// Slider step matching the shown precision.
    pub fn step(&self) -> f64 {
        10f64.powi(-(self.decimals as i32))
    }
}

impl Model {
    /// Read a model file. The schema version is checked first, so a file of
    /// another version or another kind says so rather than which field it
    /// lacks; then the whole model is read, and [`Predictor::new`] checks that
    /// its parts fit together.
    pub fn from_json(text: &str) -> Result<Model, String> {
        /// Only the version; every other field is skipped unread.
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<serde_json::Value>,
        }
        let unreadable = |e: serde_json::Error| {
            match e.classify() {
            serde_json::error::Category::Eof => format!(
                "het modelbestand houdt halverwege op (afgebroken?), regel {} kolom {}",
                e.line(),
                e.column()
            ),
            serde_json::error::Category::Syntax => format!("geen geldige JSON: {e}"),
            _ => format!(
                "geen modelbestand van jeugdhulp-wijk: verwacht een JSON-object met schema_version ({e})"
            ),
        }
        };
        match text.trim_start().chars().next() {
            None => return Err("het modelbestand is leeg".into()),
            Some('{') => {}
            Some(_) => return Err(
                "geen modelbestand van jeugdhulp-wijk: verwacht een JSON-object met schema_version"
                    .into(),
            ),
        }
        let version: Version = serde_json::from_str(text).map_err(unreadable)?;
        match version.schema_version {
            None => {
                return Err(
                    "geen modelbestand van jeugdhulp-wijk: schema_version ontbreekt".to_string(),
                )
            }
            Some(v) if v.as_u64() != Some(u64::from(SCHEMA_VERSION)) => {
                return Err(format!(
                "modelbestand heeft schemaversie {v}, dit programma leest versie {SCHEMA_VERSION}"
            ))
            }
            Some(_) => {}
        }
        serde_json::from_str(text).map_err(|e| {
            format!(
                "modelbestand (schemaversie {SCHEMA_VERSION}) is niet compleet of klopt niet: {e}"
            )
        })
    }

    /// The determinants' names, in model order.
    pub fn determinant_names(&self) -> Vec<String> {
        self.determinants.iter().map(|d| d.name.clone()).collect()
    }

    /// Column of each model determinant in [`DETERMINANTS`] (and so in
    /// [`crate::data::Wijk::values`] of a loaded dataset).
    pub fn data_columns(&self) -> Result<Vec<usize>, String> {
        self.determinants
            .iter()
            .map(|d| {
                determinants::find(&d.name)
                    .map(|(j, _)| j)
                    .ok_or_else(|| format!("onbekende determinant {} in het model", d.name))
            })
            .collect()
    }

    /// A dataset wijk as a profile for this model.
    pub fn profile_of(&self, w: &Wijk) -> Result<Profile, String> {
        Ok(Profile {
            gemeente: Some(w.gemeente_code.to_string()),
            values: self.data_columns()?.iter().map(|&j| w.values[j]).collect(),
        })
    }
}

/// The default: all 27 determinants in the data file's order.
pub fn default_determinants() -> Vec<&'static Determinant> {
    DETERMINANTS.iter().collect()
}

fn column_index(d: &Determinant) -> usize {
    determinants::find(d.name)
        .expect("determinant from the table")
        .0
}

/// Distinct codes in sorted order, and each code's position: the grouping
/// indices of the fit (sorted, so output order never depends on row order).
struct Codes<'a> {
    sorted: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Codes<'a> {
    fn new(codes: impl Iterator<Item = &'a str>) -> Codes<'a> {
        let mut sorted: Vec<&str> = codes.collect();
        // Runs of one code first (rows come grouped by gemeente): a few
        // hundred codes to sort rather than thousands.
        sorted.dedup();
        sorted.sort_unstable();
        sorted.dedup();
        let index = sorted.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        Codes { sorted, index }
    }

    /// The index of each code in turn; runs of one code (rows in wijkcode
    /// order come grouped by gemeente) are looked up once.
    fn indices(&self, codes: impl Iterator<Item = &'a str>) -> Vec<usize> {
        let mut last: Option<(&str, usize)> = None;
        codes
            .map(|c| match last {
                Some((l, i)) if l == c => i,
                _ => {
                    let i = self.index[c];
                    last = Some((c, i));
                    i
                }
            })
            .collect()
    }
}

/// Wijken in wijkcode order, so that no result depends on the order of the
/// rows in the file. The file is normally sorted already; that costs one pass.
pub(crate) fn in_code_order<'a>(wijken: impl Iterator<Item = &'a Wijk>) -> Vec<&'a Wijk> {
    let mut rows: Vec<&Wijk> = wijken.collect();
    if !rows.is_sorted_by(|a, b| a.code <= b.code) {
        rows.sort_by(|a, b| a.code.cmp(&b.code));
    }
    rows
}

/// Fit the model on a dataset. Pure: the caller supplies the input's provenance.
pub fn fit_model(
    ds: &Dataset,
    dets: &[&'static Determinant],
    input_file: &str,
    input_sha256: &str,
) -> Result<Model, String> {
    let columns: Vec<usize> = dets.iter().map(|d| column_index(d)).collect();
    let (imputation, observed) = Imputation::from_dataset(ds, &columns)?;

    let rows = in_code_order(ds.wijken.iter().filter(|w| w.observed.is_some()));
    let gemeenten = Codes::new(rows.iter().map(|w| &*w.gemeente_code));
    let regios = Codes::new(rows.iter().map(|w| &*w.regio_code));
    let row_gemeente = gemeenten.indices(rows.iter().map(|w| &*w.gemeente_code));
    let row_regio = regios.indices(rows.iter().map(|w| &*w.regio_code));
    // Gaps are filled from the gemeente's means, looked up once per gemeente.
    let means: Vec<Vec<f64>> = gemeenten
        .sorted
        .iter()
        .map(|g| imputation.fill(Some(g), &vec![None; dets.len()]))
        .collect();
    let mut regio_of_gemeente = vec![0; gemeenten.sorted.len()];
    for (&g, &r) in row_gemeente.iter().zip(&row_regio) {
        regio_of_gemeente[g] = r;
    }
    let mut design = Design::new(
        dets.len(),
        row_gemeente,
        regio_of_gemeente,
        regios.sorted.len(),
    );
    let response = dets.len() + 1;
    for (i, (w, &g)) in rows.iter().zip(&design.gemeente).enumerate() {
        for (k, &j) in columns.iter().enumerate() {
            design.data[(i, k + 1)] = w.values[j].unwrap_or(means[g][k]);
        }
        design.data[(i, response)] = w.observed.unwrap_or(f64::NAN);
    }
    let names: Vec<&str> = dets.iter().map(|d| d.name).collect();
    let f: Fit = fit::fit(design, &names).map_err(|e| e.to_string())?;

    let terms = std::iter::once("(Intercept)").chain(names.iter().copied());
    let fixed_effects = terms
        .zip(f.beta.iter().zip(&f.std_error))
        .map(|(term, (&estimate, &std_error))| FixedEffect {
            term: term.to_string(),
            estimate,
            std_error,
        })
        .collect();
    let blups = |codes: &Codes, u: &[f64], sd: &[f64]| {
        codes
            .sorted
            .iter()
            .enumerate()
            .map(|(i, code)| RandomEffect {
                code: code.to_string(),
                value: u[i],
                cond_sd: sd[i],
            })
            .collect()
    };
    let determinants = dets
        .iter()
        .zip(&observed)
        .zip(&imputation.national)
        .map(|((d, o), &mean)| DeterminantInfo {
            name: d.name.into(),
            label: d.label.into(),
            unit: d.unit,
            unit_label: d.unit.label().into(),
            level: d.level,
            group: d.group,
            decimals: d.decimals,
            min: o.min,
            max: o.max,
            mean,
            n_observed: o.n,
        })
        .collect();
    Ok(Model {
        schema_version: SCHEMA_VERSION,
        formula: format!(
            "perc_jhzv ~ {} + (1 | jeugdzorgregiocode) + (1 | gemeentecode)",
            names.join(" + ")
        ),
        provenance: Provenance {
            input_file: input_file.into(),
            input_sha256: input_sha256.into(),
            fitted_by: format!("jeugdhulp-wijk {} (REML)", env!("CARGO_PKG_VERSION")),
        },
        n_fit: f.n,
        n_gemeente: gemeenten.sorted.len(),
        n_regio: regios.sorted.len(),
        reml_criterion: f.reml_criterion,
        fixed_effects,
        vcov: (0..f.vcov.nrows())
            .map(|i| f.vcov.row(i).iter().copied().collect())
            .collect(),
        variance: Variance {
            regio: f.var_regio,
            gemeente: f.var_gemeente,
            residual: f.var_residual,
        },
        random_effects: RandomEffects {
            regio: blups(&regios, &f.u_regio, &f.sd_regio),
            gemeente: blups(&gemeenten, &f.u_gemeente, &f.sd_gemeente),
        },
        gemeente_regio: {
            let mut map = BTreeMap::new();
            let mut last = "";
            for w in &ds.wijken {
                // Consecutive wijken mostly share their gemeente.
                if *w.gemeente_code != *last && !map.contains_key(&*w.gemeente_code) {
                    map.insert(w.gemeente_code.to_string(), w.regio_code.to_string());
                }
                last = &w.gemeente_code;
            }
            map
        },
        determinants,
        imputation,
        fit: f.convergence,
    })
}

/// A wijk profile to predict for. `values` follows the model's determinant
/// order; `None` is imputed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub gemeente: Option<String>,
    pub values: Vec<Option<f64>>,
}

/// Which random effects a prediction could use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectLevel {
    /// Gemeente and regio BLUPs.
    Gemeente,
    /// Only the regio BLUP (gemeente unknown to the fit).
    Regio,
    /// Fixed part only.
    Geen,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub expected: f64,
    pub expected_fixed: f64,
    pub u_gemeente: f64,
    pub u_regio: f64,
    pub level: EffectLevel,
    /// Standard error of the expected value.
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub pi_low: f64,
    pub pi_high: f64,
    pub contributions: Vec<f64>,
    pub imputed: Vec<f64>,
}

/// A prediction input that cannot be used, naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
impl std::error::Error for InputError {}

/// A model prepared for fast, repeated prediction.
#[derive(Debug, Clone)]
pub struct Predictor {
    pub model: Model,
    beta: Vec<f64>,
    /// Lower Cholesky factor of vcov (row-major p×p), so x'V_βx = ‖L'x‖².
    chol: Vec<f64>,
    gemeente: HashMap<String, (f64, f64)>,
    regio: HashMap<String, (f64, f64)>,
    means: Vec<f64>,
    /// The table's entry of each model determinant (its valid range).
    table: Vec<&'static Determinant>,
}

impl Predictor {
    /// Check that the model's parts fit together (version first, then every
    /// vector's length against the determinant list), so that no later call
    /// can index past one.
    pub fn new(model: Model) -> Result<Predictor, String> {
        if model.schema_version != SCHEMA_VERSION {
            return Err(format!(
                "modelbestand heeft schemaversie {}, dit programma leest versie {SCHEMA_VERSION}",
                model.schema_version
            ));
        }
        let q = model.determinants.len();
        let p = q + 1;
        if q == 0 {
            return Err("modelbestand: de lijst determinants is leeg".into());
        }
        let length = |what: &str, len: usize, want: usize| {
            if len == want {
                Ok(())
            } else {
                Err(format!(
                    "modelbestand: {what} heeft {len} waarden, verwacht {want} (het model heeft {q} determinanten)"
                ))
            }
        };
        length("fixed_effects", model.fixed_effects.len(), p)?;
        length("vcov", model.vcov.len(), p)?;
        for (i, row) in model.vcov.iter().enumerate() {
            length(&format!("vcov[{i}]"), row.len(), p)?;
        }
        length("imputation.national", model.imputation.national.len(), q)?;
        for (code, means) in &model.imputation.gemeente {
            length(&format!("imputation.gemeente[\"{code}\"]"), means.len(), q)?;
        }
        let mut table = Vec::with_capacity(q);
        for d in &model.determinants {
            let (_, det) = determinants::find(&d.name)
                .ok_or_else(|| format!("modelbestand: onbekende determinant '{}'", d.name))?;
            if table.iter().any(|t: &&Determinant| t.name == det.name) {
                return Err(format!(
                    "modelbestand: determinant '{}' staat twee keer in de lijst",
                    d.name
                ));
            }
            table.push(det);
        }
        let v = DMatrix::from_fn(p, p, |i, j| model.vcov[i][j]);
        let l = v
            .cholesky()
            .ok_or("modelbestand: vcov is niet positief definiet")?
            .l();
        let chol = (0..p)
            .flat_map(|i| (0..p).map(move |j| (i, j)))
            .map(|(i, j)| l[(i, j)])
            .collect();
        let index = |v: &[RandomEffect]| {
            v.iter()
                .map(|e| (e.code.clone(), (e.value, e.cond_sd * e.cond_sd)))
                .collect()
        };
        Ok(Predictor {
            beta: model.fixed_effects.iter().map(|f| f.estimate).collect(),
            chol,
            gemeente: index(&model.random_effects.gemeente),
            regio: index(&model.random_effects.regio),
            means: model.imputation.national.clone(),
            table,
            model,
        })
    }

    pub fn n_determinants(&self) -> usize {
        self.means.len()
    }

    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// Check one user value against its determinant's range (the table's).
    pub fn check_value(&self, k: usize, v: f64) -> Result<(), InputError> {
        self.table[k].check_value(v).map_err(|message| InputError {
            field: self.table[k].name.to_string(),
            message,
        })
    }

    /// Check a what-if change of determinant `k` with the same check: the
    /// difference of two values `check_value` accepts.
    pub fn check_change(&self, k: usize, d: f64) -> Result<(), InputError> {
        self.table[k].check_change(d).map_err(|message| InputError {
            field: self.table[k].name.to_string(),
            message,
        })
    }

    /// Random effects and their variances for a gemeente code (see module docs).
    pub fn random_part(&self, gemeente: Option<&str>) -> (f64, f64, f64, f64, EffectLevel) {
        let var = &self.model.variance;
        let regio_code = gemeente.and_then(|g| self.model.gemeente_regio.get(g));
        match (
            gemeente.and_then(|g| self.gemeente.get(g)),
            regio_code.and_then(|r| self.regio.get(r)),
        ) {
            (Some(&(ug, vg)), Some(&(ur, vr))) => (ug, vg, ur, vr, EffectLevel::Gemeente),
            (None, Some(&(ur, vr))) => (0.0, var.gemeente, ur, vr, EffectLevel::Regio),
            _ => (0.0, var.gemeente, 0.0, var.regio, EffectLevel::Geen),
        }
    }

    /// x'V_βx for a filled profile (without the intercept).
    pub fn fixed_variance(&self, x: &[f64]) -> f64 {
        let p = self.beta.len();
        let mut total = 0.0;
        // (L'x)_j = Σ_{i ≥ j} L_ij x_i, with x_0 = 1 for the intercept.
        for j in 0..p {
            let mut s = 0.0;
            for i in j..p {
                let xi = if i == 0 { 1.0 } else { x[i - 1] };
                s += self.chol[i * p + j] * xi;
            }
            total += s * s;
        }
        total
    }

    pub fn fixed_part(&self, x: &[f64]) -> f64 {
        self.beta[0]
            + self.beta[1..]
                .iter()
                .zip(x)
                .map(|(b, v)| b * v)
                .sum::<f64>()
    }

    /// Expected use with intervals and contributions for one profile.
    pub fn expected(&self, profile: &Profile) -> Result<Prediction, InputError> {
        if profile.values.len() != self.means.len() {
            return Err(InputError {
                field: "values".into(),
                message: format!(
                    "{} waarden gegeven, het model heeft {} determinanten",
                    profile.values.len(),
                    self.means.len()
                ),
            });
        }
        for (k, v) in profile.values.iter().enumerate() {
            if let Some(v) = v {
                self.check_value(k, *v)?;
            }
        }
        let g = profile.gemeente.as_deref();
        let x = self.model.imputation.fill(g, &profile.values);
        let expected_fixed = self.fixed_part(&x);
        let (ug, vg, ur, vr, level) = self.random_part(g);
        let var_mean = self.fixed_variance(&x) + vg + vr;
        let se = var_mean.sqrt();
        let se_pred = (var_mean + self.model.variance.residual).sqrt();
        let expected = expected_fixed + ug + ur;
        let contributions = self.beta[1..]
            .iter()
            .zip(&x)
            .zip(&self.means)
            .map(|((b, v), m)| b * (v - m))
            .collect();
        crate::site::finite(&[expected, expected_fixed, se, se_pred])?;
        Ok(Prediction {
            expected,
            expected_fixed,
            u_gemeente: ug,
            u_regio: ur,
            level,
            se,
            ci_low: expected - Z95 * se,
            ci_high: expected + Z95 * se,
            pi_low: expected - Z95 * se_pred,
            pi_high: expected + Z95 * se_pred,
            contributions,
            imputed: x,
        })
    }
}
