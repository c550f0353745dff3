//! The fitted model as a versioned file, and prediction from it.
//!
//! ## Prediction formulas
//!
//! For a profile with determinant values x (missing values imputed by the
//! model's specification, see [`crate::impute`]; intercept prepended) and
//! gemeente g in regio r:
//!
//! ```text
//! expected       = x'β + u_g + u_r                      (BLUPs; lme4's predict())
//! var(expected)  ≈ x'V_β x + v_g + v_r                  (v = cond_sd², the BLUPs' conditional variances)
//! 95 % CI        = expected ± 1.96 √var(expected)
//! 95 % PI        = expected ± 1.96 √(var(expected) + v_res)   (with v_res(N): clipped to 0–100 %)
//! v_res          = s₀ + c·π(1−π)·10⁴/N                  (SCP's specification, N = youth count; crate::interval)
//!                = σ²_residual                          (today's specification: one width for every wijk)
//! contribution_j = β_j (x_j − mean_j)                   (relative to the national mean profile)
//! ```
//!
//! A wijk's verdict ([`Verdict`]) compares its observed use with the PI.
//!
//! The covariance between β̂ and the BLUPs is ignored (lme4's conditional
//! variances are given β̂); this slightly understates the CI.
//! Without a known gemeente, u_g = 0 and the gemeente variance σ²_g replaces
//! v_g; without a known regio as well, u_r = 0 and σ²_r replaces v_r.

use crate::data::{in_code_order, Dataset, Wijk};
use crate::determinants::Missing;
use crate::determinants::{self, Determinant, Group, Level, Unit, DETERMINANTS};
use crate::fit::{self, Design, Fit};
use crate::impute::{Imputation, Rules};
use crate::interval::{self, Residual, ResidualVariance};
use crate::text;
use crate::text::Text;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The version of a model file in SCP's specification (with `specification`,
/// `youth`, `filled_responses` and `interval`). A model in today's
/// specification (`fit --impute gemeente`) is written as version 1, exactly
/// as before; this program reads both.
pub const SCHEMA_VERSION: u32 = 2;
/// Model files this program reads.
pub const SCHEMA_VERSIONS_READ: [u32; 2] = [1, 2];
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
    /// The kerncijfers file the youth counts came from (SCP's specification).
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub youth_file: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub youth_sha256: Option<String>,
}

/// Which specification a model is fitted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spec {
    /// SCP's, as inferred in docs/fidelity.md §5 (the default): seven
    /// determinants 0 when missing, youth-weighted means for the rest, the
    /// suppressed wijken filled in, REML on all wijken, and an interval whose
    /// width depends on the youth count.
    Scp,
    /// Today's (the lme4 reference v1): gemeente means, suppressed wijken left
    /// out, one interval width for every wijk.
    Gemeente,
}

impl Spec {
    /// The CLI's `--impute` value.
    pub fn parse(s: &str) -> Result<Spec, String> {
        match s {
            "scp" => Ok(Spec::Scp),
            "gemeente" => Ok(Spec::Gemeente),
            other => Err(format!(
                "--impute: onbekende specificatie '{other}' (kies scp of gemeente)"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Spec::Scp => "scp",
            Spec::Gemeente => "gemeente",
        }
    }
}

/// The most users a suppressed wijk can have: CBS does not publish fewer than 10.
pub const SUPPRESSED_BOUND_USERS: f64 = 9.0;

/// SCP's specification as written into the model file (docs/fidelity.md §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Specification {
    pub name: Spec,
    pub youth_count: String,
    pub imputation: String,
    /// Model determinants that are 0 when missing (the rest: weighted mean).
    pub zero_when_missing: Vec<String>,
    pub suppressed: String,
    pub bound_users: f64,
    pub estimation: String,
}

/// The youth count of every wijk the model was fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Youth {
    pub formula: String,
    /// Median N over the wijken with a published `perc_jhzv`: the default for
    /// a profile without a youth count (an "eigen wijk", a `score` row).
    pub median_published: f64,
    pub n_jeugd: BTreeMap<String, f64>,
}

/// A wijk whose `perc_jhzv` CBS suppressed (fewer than 10 users), with the
/// value the fit used in its place. Never an observed value: the page, `predict`
/// and `score` show such a wijk as "niet gepubliceerd".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilledResponse {
    pub wijkcode: String,
    pub n_jeugd: f64,
    /// min(R_g, 100 × 9 / N) in %, R_g the gemeente's pooled published rate.
    pub filled: f64,
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
    /// SCP's specification (schema version 2); absent: today's.
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub specification: Option<Specification>,
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub youth: Option<Youth>,
    /// The suppressed wijken and what the fit used for them (SCP's specification).
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub filled_responses: Option<Vec<FilledResponse>>,
    /// The youth-dependent residual variance of the PI; absent: σ²_residual.
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    pub interval: Option<ResidualVariance>,
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
            Some(v)
                if !SCHEMA_VERSIONS_READ
                    .iter()
                    .any(|&r| v.as_u64() == Some(u64::from(r))) =>
            {
                return Err(format!(
                "modelbestand heeft schemaversie {v}, dit programma leest versie 1 en {SCHEMA_VERSION}"
            ))
            }
            Some(_) => {}
        }
        serde_json::from_str(text).map_err(|e| {
            format!("modelbestand (schemaversie 1 of {SCHEMA_VERSION}) is niet compleet of klopt niet: {e}")
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

    /// The specification the model was fitted in.
    pub fn spec(&self) -> Spec {
        match &self.specification {
            Some(s) => s.name,
            None => Spec::Gemeente,
        }
    }

    /// Whether the CBS suppressed this wijk's `perc_jhzv` and the fit used a
    /// filled-in value for it.
    pub fn was_filled(&self, wijkcode: &str) -> bool {
        self.filled_responses
            .as_ref()
            .is_some_and(|f| f.iter().any(|r| r.wijkcode == wijkcode))
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

/// Fit the model in today's specification ([`Spec::Gemeente`], the lme4
/// reference v1). Pure: the caller supplies the input's provenance. The CLI's
/// default is [`Spec::Scp`], through [`fit_model_with`].
pub fn fit_model(
    ds: &Dataset,
    dets: &[&'static Determinant],
    input_file: &str,
    input_sha256: &str,
) -> Result<Model, String> {
    let input = Input {
        file: input_file,
        sha256: input_sha256,
        youth_file: "",
        youth_sha256: "",
    };
    fit_model_with(ds, dets, Spec::Gemeente, &input)
}

/// Where the data came from, for the model's provenance.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub file: &'a str,
    pub sha256: &'a str,
    /// The kerncijfers file (youth counts); used by SCP's specification only.
    pub youth_file: &'a str,
    pub youth_sha256: &'a str,
}

/// The response of a suppressed wijk in SCP's specification: its gemeente's
/// pooled published rate R_g = 100·Σ(perc_jhzv·N/100)/ΣN (the national pooled
/// rate where the gemeente has no published wijk), capped at 9 users:
/// min(R_g, 100·9/N). Returns the filled value of every suppressed wijk, in
/// the order of `rows`.
fn filled_responses(rows: &[&Wijk]) -> Vec<Option<f64>> {
    let mut pooled: HashMap<&str, (f64, f64)> = HashMap::new();
    let (mut users, mut youth) = (0.0, 0.0);
    for w in rows {
        if let (Some(y), Some(n)) = (w.observed, w.n_jeugd) {
            let e = pooled.entry(&*w.gemeente_code).or_insert((0.0, 0.0));
            e.0 += y * n / 100.0;
            e.1 += n;
            users += y * n / 100.0;
            youth += n;
        }
    }
    let national = 100.0 * users / youth;
    rows.iter()
        .map(|w| match (w.observed, w.n_jeugd) {
            (Some(_), _) => None,
            (None, Some(n)) => {
                let rate = match pooled.get(&*w.gemeente_code) {
                    Some(&(u, m)) if m > 0.0 => 100.0 * u / m,
                    _ => national,
                };
                Some(rate.min(100.0 * SUPPRESSED_BOUND_USERS / n))
            }
            (None, None) => None,
        })
        .collect()
}

/// Fit the model on a dataset in either specification. Pure: the caller
/// supplies the input's provenance. SCP's specification needs every wijk's
/// youth count ([`Dataset::attach_youth`]).
pub fn fit_model_with(
    ds: &Dataset,
    dets: &[&'static Determinant],
    spec: Spec,
    input: &Input,
) -> Result<Model, String> {
    let columns: Vec<usize> = dets.iter().map(|d| column_index(d)).collect();
    let rules: Vec<Missing> = dets.iter().map(|d| d.scp_missing()).collect();
    let (imputation, observed) = match spec {
        Spec::Gemeente => Imputation::from_dataset(ds, &columns)?,
        Spec::Scp => Imputation::from_dataset_with(ds, &columns, Rules::Scp(&rules))?,
    };

    let rows = match spec {
        Spec::Gemeente => in_code_order(ds.wijken.iter().filter(|w| w.observed.is_some())),
        Spec::Scp => in_code_order(ds.wijken.iter()),
    };
    let filled: Vec<Option<f64>> = match spec {
        Spec::Gemeente => vec![None; rows.len()],
        Spec::Scp => filled_responses(&rows),
    };
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
        design.data[(i, response)] = w.observed.or(filled[i]).unwrap_or(f64::NAN);
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
    let model = Model {
        schema_version: 1,
        formula: format!(
            "perc_jhzv ~ {} + (1 | jeugdzorgregiocode) + (1 | gemeentecode)",
            names.join(" + ")
        ),
        provenance: Provenance {
            input_file: input.file.into(),
            input_sha256: input.sha256.into(),
            fitted_by: format!("jeugdhulp-wijk {} (REML)", env!("CARGO_PKG_VERSION")),
            youth_file: (spec == Spec::Scp).then(|| input.youth_file.to_string()),
            youth_sha256: (spec == Spec::Scp).then(|| input.youth_sha256.to_string()),
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
        specification: None,
        youth: None,
        filled_responses: None,
        interval: None,
    };
    if spec == Spec::Gemeente {
        return Ok(model);
    }
    let specification = Some(Specification {
        name: Spec::Scp,
        youth_count: format!(
            "N = aant_inw × (p_00_14_jr + {} × p_15_24_jr) / 100 uit {}, afgerond op 0,001; zonder leeftijdsaandelen de mediaan van dat aandeel",
            crate::data::YOUTH_SHARE_15_24,
            crate::data::YOUTH_FILE
        ),
        imputation: "0 voor de determinanten in zero_when_missing; anders het gemiddelde over de wijken van de gemeente met een waarde, gewogen met N, anders het landelijk gewogen gemiddelde".into(),
        zero_when_missing: dets
            .iter()
            .filter(|d| d.scp_missing() == Missing::Zero)
            .map(|d| d.name.to_string())
            .collect(),
        suppressed: "wijken zonder gepubliceerd perc_jhzv krijgen min(R_g, 100 × 9 / N), R_g = 100 × Σ(perc_jhzv × N / 100) / Σ N over de gepubliceerde wijken van de gemeente (landelijk als die er geen heeft)".into(),
        bound_users: SUPPRESSED_BOUND_USERS,
        estimation: format!("REML op alle {} wijken", rows.len()),
    });
    let mut published: Vec<f64> = rows
        .iter()
        .filter(|w| w.observed.is_some())
        .filter_map(|w| w.n_jeugd)
        .collect();
    published.sort_by(f64::total_cmp);
    let median_published = match published.len() {
        0 => return Err("geen wijk met gepubliceerd gebruik".into()),
        n if n % 2 == 1 => published[n / 2],
        n => (published[n / 2 - 1] + published[n / 2]) / 2.0,
    };
    let youth = Some(Youth {
        formula: format!(
            "aant_inw × (p_00_14_jr + {} × p_15_24_jr) / 100",
            crate::data::YOUTH_SHARE_15_24
        ),
        median_published,
        n_jeugd: rows
            .iter()
            .map(|w| (w.code.clone(), w.n_jeugd.unwrap_or(f64::NAN)))
            .collect(),
    });
    let filled_responses = Some(
        rows.iter()
            .zip(&filled)
            .filter_map(|(w, f)| {
                f.map(|filled| FilledResponse {
                    wijkcode: w.code.clone(),
                    n_jeugd: w.n_jeugd.unwrap_or(f64::NAN),
                    filled,
                })
            })
            .collect(),
    );
    // The residual variance function, on the published wijken's conditional
    // residuals (docs/fidelity.md §6). (The predictor sees the model before
    // SCP's sections are added: it needs only the fit and the imputation.)
    let predictor = Predictor::new(model)?;
    let mut residuals = Vec::with_capacity(rows.len());
    for w in rows.iter().filter(|w| w.observed.is_some()) {
        let values: Vec<Option<f64>> = columns.iter().map(|&j| w.values[j]).collect();
        let x = predictor
            .model
            .imputation
            .fill(Some(&w.gemeente_code), &values);
        let (ug, vg, ur, vr, _) = predictor.random_part(Some(&w.gemeente_code));
        let expected = predictor.fixed_part(&x) + ug + ur;
        let n = w.n_jeugd.unwrap_or(f64::NAN);
        residuals.push(Residual {
            e: w.observed.unwrap_or(f64::NAN) - expected,
            var_expected: predictor.fixed_variance(&x) + vg + vr,
            b: interval::binomial_term(expected, n),
        });
    }
    let mut model = predictor.model;
    model.schema_version = SCHEMA_VERSION;
    model.specification = specification;
    model.youth = youth;
    model.filled_responses = filled_responses;
    model.interval = Some(interval::estimate(&residuals)?);
    Ok(model)
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
    /// The youth count the PI used (None: a model with one width for all).
    pub n_jeugd: Option<f64>,
    /// The residual variance in the PI: v_res(π, N), or σ²_residual.
    pub var_residual: f64,
    /// Determinants (names, model order) whose given value lies outside the
    /// range observed over the wijken in 2017 (the model file's min–max): the
    /// linear model extrapolates there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extrapolated: Vec<String>,
    /// `expected` lies outside 0–100 %: kept as the model computes it (the PI is
    /// clipped), but it is no possible share.
    pub outside_percent: bool,
    /// One caution for people about both (None: nothing to say); `score`
    /// writes it in its warning column, the page shows it with the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Text>,
}

/// A number for a caution: rounded to `decimals`, shortest form, decimal comma
/// in Dutch (`-24,0` stays `-24`; very large or small values short, as in messages).
fn caution_number(v: f64, decimals: u8) -> (String, String) {
    let f = 10f64.powi(i32::from(decimals.min(6)));
    let r = (v * f).round() / f;
    let en = match r.is_finite() && r.abs() < 1e15 {
        true => format!("{}", r + 0.0),
        false => determinants::compact(v),
    };
    (en.replace('.', ","), en)
}

/// The caution of a prediction (see [`Prediction::caution`]): which given
/// values lie outside what the model saw, with their observed range, and
/// whether the expected use is no possible share.
fn caution(
    infos: &[DeterminantInfo],
    extrapolated: &[usize],
    values: &[Option<f64>],
    expected: f64,
) -> Option<Text> {
    let outside = !(PERCENT_RANGE.0..=PERCENT_RANGE.1).contains(&expected);
    if extrapolated.is_empty() && !outside {
        return None;
    }
    let mut nl = Vec::new();
    let mut en = Vec::new();
    if !extrapolated.is_empty() {
        let (mut items_nl, mut items_en) = (Vec::new(), Vec::new());
        for &k in extrapolated {
            let d = &infos[k];
            let dec = d.decimals;
            let (v_nl, v_en) = caution_number(values[k].unwrap_or(f64::NAN), dec);
            let (lo_nl, lo_en) = caution_number(d.min, dec);
            let (hi_nl, hi_en) = caution_number(d.max, dec);
            let (unit_nl, unit_en) = match d.unit {
                Unit::Percent => (" %".to_string(), " %".to_string()),
                Unit::YesNo => (String::new(), String::new()),
                u => (format!(" {}", u.label()), format!(" {}", u.label_en())),
            };
            let label_en = determinants::label_en(&d.name).unwrap_or(&d.label);
            let (label, name) = (&d.label, &d.name);
            items_nl.push(format!(
                "{label} ({name}) {v_nl}{unit_nl}, waargenomen {lo_nl}–{hi_nl}{unit_nl}"
            ));
            items_en.push(format!(
                "{label_en} ({name}) {v_en}{unit_en}, observed {lo_en}–{hi_en}{unit_en}"
            ));
        }
        nl.push(format!(
            "Buiten het bereik van de wijken in 2017: {}. Het model rekent dan door buiten wat het heeft gezien; de uitkomst is onzekerder dan de intervallen zeggen.",
            items_nl.join("; ")
        ));
        en.push(format!(
            "Outside the range of the districts in 2017: {}. The model then extrapolates beyond what it has seen; the result is less certain than the intervals say.",
            items_en.join("; ")
        ));
    }
    if outside {
        let (e_nl, e_en) = caution_number(expected, 1);
        nl.push(format!(
            "Een verwacht gebruik van {e_nl} % ligt buiten 0–100 %: geen mogelijke uitkomst, maar een teken van extrapolatie (het voorspellingsinterval is afgekapt op 0–100 %)."
        ));
        en.push(format!(
            "An expected use of {e_en} % lies outside 0–100 %: not a possible outcome but a sign of extrapolation (the prediction interval is clipped to 0–100 %)."
        ));
    }
    Some(Text::new(nl.join(" "), en.join(" ")))
}

/// The range of a share, for the expected use.
const PERCENT_RANGE: (f64, f64) = determinants::PERCENT;

/// How a wijk's observed use compares with its 95 % prediction interval.
/// The one place this rule is written: the CLI, `score`, the page and the map
/// all read it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Above the PI.
    Hoger,
    /// Below the PI.
    Lager,
    /// Inside the PI (its ends included).
    Binnen,
}

impl Verdict {
    /// The verdict for an observed value; `None` where there is none (not
    /// published, or an eigen wijk).
    pub fn of(observed: Option<f64>, pi_low: f64, pi_high: f64) -> Option<Verdict> {
        let o = observed.filter(|o| o.is_finite())?;
        Some(if o > pi_high {
            Verdict::Hoger
        } else if o < pi_low {
            Verdict::Lager
        } else {
            Verdict::Binnen
        })
    }

    /// The value as the page and `score` write it.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Hoger => "hoger",
            Verdict::Lager => "lager",
            Verdict::Binnen => "binnen",
        }
    }

    /// Dutch text for users.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Hoger => "hoger dan verwacht",
            Verdict::Lager => "lager dan verwacht",
            Verdict::Binnen => "binnen de verwachting",
        }
    }

    /// English text for users (the page's `?lang=en`).
    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Hoger => "higher than expected",
            Verdict::Lager => "lower than expected",
            Verdict::Binnen => "as expected",
        }
    }
}

/// A version-2 model has all of SCP's sections, each with usable numbers; a
/// version-1 model has none of them.
fn check_specification(model: &Model) -> Result<(), String> {
    let present = [
        model.specification.is_some(),
        model.youth.is_some(),
        model.filled_responses.is_some(),
        model.interval.is_some(),
    ];
    match model.schema_version {
        1 if present.iter().any(|&p| p) => {
            return Err("modelbestand: schemaversie 1 heeft geen specification, youth, filled_responses of interval; zet schema_version op 2 of laat ze weg".into())
        }
        1 => return Ok(()),
        _ => {}
    }
    let names = ["specification", "youth", "filled_responses", "interval"];
    if let Some(k) = present.iter().position(|&p| !p) {
        return Err(format!(
            "modelbestand (schemaversie {}): het onderdeel {} ontbreekt",
            model.schema_version, names[k]
        ));
    }
    if let Some(y) = &model.youth {
        if let Some((code, n)) = y
            .n_jeugd
            .iter()
            .find(|(_, n)| !(n.is_finite() && **n > 0.0))
        {
            return Err(format!(
                "modelbestand: youth.n_jeugd[\"{code}\"] = {n}, verwacht een positief getal"
            ));
        }
        if !(y.median_published.is_finite() && y.median_published > 0.0) {
            return Err("modelbestand: youth.median_published moet een positief getal zijn".into());
        }
    }
    if let Some(i) = &model.interval {
        for (name, v) in [("s0", i.s0), ("c", i.c)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!(
                    "modelbestand: interval.{name} = {v}, verwacht een getal ≥ 0"
                ));
            }
        }
        if !(i.nu.is_finite() && i.nu > 2.0) {
            return Err(format!(
                "modelbestand: interval.nu = {}, verwacht een getal groter dan 2",
                i.nu
            ));
        }
    }
    Ok(())
}

/// The fewest youths a count may give: a wijk with fewer than one youth has no
/// share to speak of (and a tiny N makes the PI's binomial term overflow).
/// Not necessarily a whole number (an average, say).
pub const N_JEUGD_MIN: f64 = 1.0;
/// The most: more than any wijk can hold.
pub const N_JEUGD_MAX: f64 = 1e6;

/// Check a youth count given by a user (`n_jeugd`): a finite number of at
/// least [`N_JEUGD_MIN`] and at most [`N_JEUGD_MAX`].
pub fn check_n_jeugd(n: f64) -> Result<(), InputError> {
    if n.is_finite() && (N_JEUGD_MIN..=N_JEUGD_MAX).contains(&n) {
        return Ok(());
    }
    let big = n > N_JEUGD_MAX;
    // The number written short: 1e308 or 1e-300, not 300 digits.
    let n = determinants::compact(n);
    Err(InputError {
        field: "n_jeugd".into(),
        message: if big && n != "inf" {
            text!(
                "{n} jeugdigen is meer dan in enige wijk kan wonen (hoogstens 1 000 000)",
                "{n} youths is more than any district can hold (at most 1,000,000)"
            )
        } else {
            text!(
                "{n} is geen geldig aantal jeugdigen: verwacht een getal van minstens 1 (hoogstens 1 000 000)",
                "{n} is not a valid number of youths: expected a number of at least 1 (at most 1,000,000)"
            )
        },
    })
}

/// A prediction input that cannot be used, naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub field: String,
    /// Dutch and English (`Display` shows the Dutch).
    pub message: Text,
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
        if !SCHEMA_VERSIONS_READ.contains(&model.schema_version) {
            return Err(format!(
                "modelbestand heeft schemaversie {}, dit programma leest versie 1 en {SCHEMA_VERSION}",
                model.schema_version
            ));
        }
        check_specification(&model)?;
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

    /// The values determinant `k` accepts (the table's range): a what-if
    /// change applied to many wijken is clamped into it per wijk.
    pub fn range(&self, k: usize) -> (f64, f64) {
        self.table[k].range
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

    /// Whether the PI depends on the youth count (SCP's specification).
    pub fn uses_youth(&self) -> bool {
        self.model.interval.is_some()
    }

    /// The youth count of a wijk the model was fitted on.
    pub fn n_jeugd_of(&self, wijkcode: &str) -> Option<f64> {
        self.model.youth.as_ref()?.n_jeugd.get(wijkcode).copied()
    }

    /// The youth count for a profile without one: the national median over
    /// the published wijken (None: a model with one width for all).
    pub fn default_n_jeugd(&self) -> Option<f64> {
        self.model.youth.as_ref().map(|y| y.median_published)
    }

    /// The residual variance of the PI for a wijk with this expected use and
    /// youth count, and the youth count used (the default where none is given).
    pub fn residual_variance(&self, expected: f64, n_jeugd: Option<f64>) -> (f64, Option<f64>) {
        match &self.model.interval {
            Some(iv) => {
                let n = n_jeugd.or(self.default_n_jeugd()).unwrap_or(f64::NAN);
                (iv.at(expected, n), Some(n))
            }
            None => (self.model.variance.residual, None),
        }
    }

    /// An end of the PI. With the youth-dependent variance a small wijk's PI
    /// can reach past 0 or 100 %; it is clipped to that range (a share cannot
    /// lie outside it, so coverage and verdicts are the same). Today's
    /// specification keeps its PI as it was.
    pub fn pi_bound(&self, v: f64) -> f64 {
        match self.uses_youth() {
            true => v.clamp(0.0, 100.0),
            false => v,
        }
    }

    /// Expected use with intervals and contributions for one profile, with
    /// the PI for the model's default youth count (see [`Predictor::expected_with`]).
    pub fn expected(&self, profile: &Profile) -> Result<Prediction, InputError> {
        self.expected_with(profile, None)
    }

    /// Expected use with intervals and contributions for one profile. In
    /// SCP's specification the PI depends on the youth count `n_jeugd`
    /// (checked: a positive number); without one it takes the national
    /// median of the published wijken.
    pub fn expected_with(
        &self,
        profile: &Profile,
        n_jeugd: Option<f64>,
    ) -> Result<Prediction, InputError> {
        if let Some(n) = n_jeugd {
            check_n_jeugd(n)?;
        }
        if profile.values.len() != self.means.len() {
            return Err(InputError {
                field: "values".into(),
                message: {
                    let (given, needed) = (profile.values.len(), self.means.len());
                    text!(
                        "{given} waarden gegeven, het model heeft {needed} determinanten",
                        "{given} values given, the model has {needed} determinants"
                    )
                },
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
        let expected = expected_fixed + ug + ur;
        let (var_residual, n_used) = self.residual_variance(expected, n_jeugd);
        let se_pred = (var_mean + var_residual).sqrt();
        let contributions = self.beta[1..]
            .iter()
            .zip(&x)
            .zip(&self.means)
            .map(|((b, v), m)| b * (v - m))
            .collect();
        finite(&[expected, expected_fixed, se, se_pred])?;
        // Only the user's own values: an imputed value (a mean, or 0 where
        // SCP's specification fills in 0) is not theirs to be cautioned about.
        let extrapolated: Vec<usize> = profile
            .values
            .iter()
            .zip(&self.model.determinants)
            .enumerate()
            .filter(|(_, (v, d))| v.is_some_and(|v| v < d.min || v > d.max))
            .map(|(k, _)| k)
            .collect();
        let caution = caution(
            &self.model.determinants,
            &extrapolated,
            &profile.values,
            expected,
        );
        Ok(Prediction {
            expected,
            expected_fixed,
            u_gemeente: ug,
            u_regio: ur,
            level,
            se,
            ci_low: expected - Z95 * se,
            ci_high: expected + Z95 * se,
            pi_low: self.pi_bound(expected - Z95 * se_pred),
            pi_high: self.pi_bound(expected + Z95 * se_pred),
            contributions,
            imputed: x,
            n_jeugd: n_used,
            var_residual,
            extrapolated: extrapolated
                .iter()
                .map(|&k| self.model.determinants[k].name.clone())
                .collect(),
            outside_percent: !(PERCENT_RANGE.0..=PERCENT_RANGE.1).contains(&expected),
            caution,
        })
    }
}

/// Refuse a result that is not a finite number (checked inputs and a checked
/// model never give one; this keeps it so whatever the model file holds).
pub(crate) fn finite(values: &[f64]) -> Result<(), InputError> {
    match values.iter().all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(InputError {
            field: "resultaat".into(),
            message: Text::new(
                "de berekening geeft geen eindig getal; controleer het modelbestand",
                "the calculation gives no finite number; check the model file",
            ),
        }),
    }
}
