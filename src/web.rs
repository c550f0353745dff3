//! The wasm boundary: converts JS values, delegates to the core, and maps every
//! error to a JS `Error` with a Dutch message naming the field. Nothing else
//! lives here. The fitted model and the per-wijk data are compiled in by
//! `build.sh` (env `JEUGDHULP_MODEL_JSON`, `JEUGDHULP_SITE_JSON`).

use crate::determinants::Group;
use crate::model::{Prediction, Profile};
use crate::site::{calculator_from_json, Calculator, Scope};
use js_sys::{Float64Array, Object, Reflect};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

const MODEL_JSON: &str = include_str!(env!("JEUGDHULP_MODEL_JSON"));
const SITE_JSON: &str = include_str!(env!("JEUGDHULP_SITE_JSON"));

thread_local! {
    // wasm32-unknown-unknown runs one thread; the calculator lives for the page.
    static CALCULATOR: RefCell<Option<Result<Calculator, String>>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Run `f` on the calculator, building it from the compiled-in JSON on first use.
fn with_calculator<T>(f: impl FnOnce(&mut Calculator) -> Result<T, JsError>) -> Result<T, JsError> {
    CALCULATOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let calc = slot.get_or_insert_with(|| calculator_from_json(MODEL_JSON, SITE_JSON, None));
        match calc {
            Ok(c) => f(c),
            Err(e) => Err(JsError::new(&format!(
                "het ingebouwde model kon niet worden geladen: {e}"
            ))),
        }
    })
}

/// Load the per-wijk determinant values (`wijkwaarden.json`, fetched by the
/// page after its first result). Needed by `wijkProfile`, `expectedAll`,
/// `intervalsAll`, and by `expected` where it imputes from a gemeente mean.
#[wasm_bindgen(js_name = loadWijkValues)]
pub fn load_wijk_values(json: &str) -> Result<(), JsError> {
    with_calculator(|c| {
        let file = crate::site::parse_values(json).map_err(|e| JsError::new(&e))?;
        c.load_values(&file).map_err(|e| JsError::new(&e))
    })
}

/// Whether `loadWijkValues` has succeeded.
#[wasm_bindgen(js_name = hasWijkValues)]
pub fn has_wijk_values() -> Result<bool, JsError> {
    with_calculator(|c| Ok(c.has_values()))
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value
        .serialize(&ser)
        .map_err(|e| JsError::new(&format!("interne fout bij omzetten: {e}")))
}

fn field_error(field: &str, message: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{field}: {message}"))
}

#[derive(Serialize)]
struct DeterminantOut<'a> {
    name: &'a str,
    label: &'a str,
    unit: &'a str,
    level: crate::determinants::Level,
    group: Group,
    group_label: &'static str,
    min: f64,
    max: f64,
    mean: f64,
    decimals: u8,
    step: f64,
    beta: f64,
    beta_se: f64,
}

/// Determinant metadata in model order, with the fitted coefficient.
#[wasm_bindgen]
pub fn determinants() -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let m = &c.predictor.model;
        let out: Vec<DeterminantOut> = m
            .determinants
            .iter()
            .zip(&m.fixed_effects[1..])
            .map(|(d, f)| DeterminantOut {
                name: &d.name,
                label: &d.label,
                unit: &d.unit_label,
                level: d.level,
                group: d.group,
                group_label: d.group.label(),
                min: d.min,
                max: d.max,
                mean: d.mean,
                decimals: d.decimals,
                step: 10f64.powi(-(d.decimals as i32)),
                beta: f.estimate,
                beta_se: f.std_error,
            })
            .collect();
        to_js(&out)
    })
}

#[derive(Serialize)]
struct WijkOut<'a> {
    code: &'a str,
    name: &'a str,
    gemeente_code: &'a str,
    gemeente_name: &'a str,
    regio_code: &'a str,
    regio_name: &'a str,
    observed: Option<f64>,
    scp_expected: Option<f64>,
}

/// All wijken; index i here is index i in every per-wijk array.
#[wasm_bindgen]
pub fn wijken() -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let out: Vec<WijkOut> = c
            .site
            .wijken
            .iter()
            .map(|w| WijkOut {
                code: &w.code,
                name: &w.name,
                gemeente_code: &w.gemeente_code,
                gemeente_name: &w.gemeente_name,
                regio_code: &w.regio_code,
                regio_name: &w.regio_name,
                observed: w.observed,
                scp_expected: w.scp_expected,
            })
            .collect();
        to_js(&out)
    })
}

#[derive(Serialize)]
struct GemeenteOut<'a> {
    code: &'a str,
    name: &'a str,
    regio_code: &'a str,
    regio_name: &'a str,
    u_gemeente: Option<f64>,
    u_regio: Option<f64>,
    effect: Option<f64>,
}

/// Gemeenten with their BLUPs (percentage points); `effect` = gemeente + regio.
#[wasm_bindgen]
pub fn gemeenten() -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let m = &c.predictor.model;
        let find = |v: &[crate::model::RandomEffect], code: &str| {
            v.iter().find(|e| e.code == code).map(|e| e.value)
        };
        let mut seen = BTreeMap::new();
        for w in &c.site.wijken {
            seen.entry(w.gemeente_code.as_str()).or_insert(w);
        }
        let out: Vec<GemeenteOut> = seen
            .values()
            .map(|w| {
                let ug = find(&m.random_effects.gemeente, &w.gemeente_code);
                let ur = find(&m.random_effects.regio, &w.regio_code);
                GemeenteOut {
                    code: &w.gemeente_code,
                    name: &w.gemeente_name,
                    regio_code: &w.regio_code,
                    regio_name: &w.regio_name,
                    u_gemeente: ug,
                    u_regio: ur,
                    effect: ug.zip(ur).map(|(a, b)| a + b),
                }
            })
            .collect();
        to_js(&out)
    })
}

#[derive(Serialize)]
struct ProfileOut<'a> {
    wijk: Option<&'a str>,
    gemeente: Option<&'a str>,
    values: BTreeMap<&'a str, Option<f64>>,
    imputed: BTreeMap<&'a str, f64>,
}

/// A wijk's raw values (null = missing) and its imputed values.
#[wasm_bindgen(js_name = wijkProfile)]
pub fn wijk_profile(code: &str) -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let i = c
            .wijk_index(code)
            .ok_or_else(|| field_error("wijk", format!("onbekende wijkcode '{code}'")))?;
        let w = &c.site.wijken[i];
        let names = c
            .predictor
            .model
            .determinants
            .iter()
            .map(|d| d.name.as_str());
        to_js(&ProfileOut {
            wijk: Some(&w.code),
            gemeente: Some(&w.gemeente_code),
            values: names.clone().zip(w.values.iter().copied()).collect(),
            imputed: names
                .zip(
                    c.filled(i)
                        .map_err(|e| field_error(&e.field, e.message))?
                        .iter()
                        .copied(),
                )
                .collect(),
        })
    })
}

/// The national mean profile (no gemeente).
#[wasm_bindgen(js_name = nationalProfile)]
pub fn national_profile() -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let m = &c.predictor.model;
        let names = m.determinants.iter().map(|d| d.name.as_str());
        to_js(&ProfileOut {
            wijk: None,
            gemeente: None,
            values: names
                .clone()
                .zip(m.imputation.national.iter().map(|v| Some(*v)))
                .collect(),
            imputed: names.zip(m.imputation.national.iter().copied()).collect(),
        })
    })
}

/// Read `{gemeente?, values: {name: number|null}}` into a core profile.
fn read_profile(c: &Calculator, profile: &JsValue) -> Result<Profile, JsError> {
    if !profile.is_object() {
        return Err(field_error(
            "profiel",
            "verwacht een object {gemeente, values}",
        ));
    }
    let model = &c.predictor.model;
    let gemeente = Reflect::get(profile, &JsValue::from_str("gemeente"))
        .map_err(|_| field_error("gemeente", "niet te lezen"))?;
    let gemeente = if gemeente.is_undefined() || gemeente.is_null() {
        None
    } else {
        let code = gemeente.as_string().ok_or_else(|| {
            field_error(
                "gemeente",
                "verwacht een gemeentecode als tekst, bijvoorbeeld \"GM0363\"",
            )
        })?;
        if !model.gemeente_regio.contains_key(&code) {
            return Err(field_error(
                "gemeente",
                format!("onbekende gemeentecode '{code}'"),
            ));
        }
        Some(code)
    };
    let mut values = vec![None; model.determinants.len()];
    let raw = Reflect::get(profile, &JsValue::from_str("values"))
        .map_err(|_| field_error("values", "niet te lezen"))?;
    if !raw.is_undefined() && !raw.is_null() {
        if !raw.is_object() {
            return Err(field_error(
                "values",
                "verwacht een object met per determinant een getal",
            ));
        }
        let obj: &Object = raw.unchecked_ref();
        for key in Object::keys(obj).iter() {
            let name = key.as_string().unwrap_or_default();
            let k = model
                .determinants
                .iter()
                .position(|d| d.name == name)
                .ok_or_else(|| field_error(&name, "onbekende determinant voor dit model"))?;
            let v = Reflect::get(obj, &key).map_err(|_| field_error(&name, "niet te lezen"))?;
            values[k] = if v.is_undefined() || v.is_null() {
                None
            } else {
                let x = v.as_f64().ok_or_else(|| {
                    field_error(
                        &name,
                        format!(
                            "verwacht een getal, kreeg {}",
                            v.js_typeof().as_string().unwrap_or_default()
                        ),
                    )
                })?;
                if x.is_nan() {
                    return Err(field_error(&name, "waarde is geen getal (NaN)"));
                }
                Some(x)
            };
        }
    }
    Ok(Profile { gemeente, values })
}

#[derive(Serialize)]
struct Contribution<'a> {
    name: &'a str,
    value: f64,
}

#[derive(Serialize)]
struct PredictionOut<'a> {
    expected: f64,
    expected_fixed: f64,
    u_gemeente: f64,
    u_regio: f64,
    level: crate::model::EffectLevel,
    se: f64,
    ci_low: f64,
    ci_high: f64,
    pi_low: f64,
    pi_high: f64,
    contributions: Vec<Contribution<'a>>,
    imputed: BTreeMap<&'a str, f64>,
}

/// Expected use for a profile, with 95 % intervals and contributions.
#[wasm_bindgen]
pub fn expected(profile: JsValue) -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let p: Prediction = c
            .expected(&read_profile(c, &profile)?)
            .map_err(|e| field_error(&e.field, e.message))?;
        let names = c
            .predictor
            .model
            .determinants
            .iter()
            .map(|d| d.name.as_str());
        to_js(&PredictionOut {
            expected: p.expected,
            expected_fixed: p.expected_fixed,
            u_gemeente: p.u_gemeente,
            u_regio: p.u_regio,
            level: p.level,
            se: p.se,
            ci_low: p.ci_low,
            ci_high: p.ci_high,
            pi_low: p.pi_low,
            pi_high: p.pi_high,
            contributions: names
                .clone()
                .zip(&p.contributions)
                .map(|(name, &value)| Contribution { name, value })
                .collect(),
            imputed: names.zip(p.imputed.iter().copied()).collect(),
        })
    })
}

fn scenario<'a>(
    c: &Calculator,
    deltas: &Float64Array,
    scope: &str,
    code: &'a Option<String>,
) -> Result<(Vec<f64>, Scope<'a>), JsError> {
    let deltas = deltas.to_vec();
    let scope =
        Scope::parse(scope, code.as_deref()).map_err(|e| field_error(&e.field, e.message))?;
    if deltas.len() != c.predictor.n_determinants() {
        return Err(field_error(
            "deltas",
            format!(
                "{} waarden, verwacht {}",
                deltas.len(),
                c.predictor.n_determinants()
            ),
        ));
    }
    Ok((deltas, scope))
}

/// Expected use of every wijk under a what-if change, in `wijken()` order.
#[wasm_bindgen(js_name = expectedAll)]
pub fn expected_all(
    deltas: &Float64Array,
    scope: &str,
    code: Option<String>,
) -> Result<Float64Array, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let (deltas, scope) = scenario(c, deltas, scope, &code)?;
        let mut out = vec![0.0; c.len()];
        c.expected_all(&deltas, scope, &mut out)
            .map_err(|e| field_error(&e.field, e.message))?;
        Ok(Float64Array::from(out.as_slice()))
    })
}

/// `[ci_low × n, ci_high × n, pi_low × n, pi_high × n]` under a what-if change.
#[wasm_bindgen(js_name = intervalsAll)]
pub fn intervals_all(
    deltas: &Float64Array,
    scope: &str,
    code: Option<String>,
) -> Result<Float64Array, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let (deltas, scope) = scenario(c, deltas, scope, &code)?;
        let out = c
            .intervals_all(&deltas, scope)
            .map_err(|e| field_error(&e.field, e.message))?;
        Ok(Float64Array::from(out.as_slice()))
    })
}

#[derive(Serialize)]
struct ModelInfo<'a> {
    schema_version: u32,
    software: &'a str,
    formula: &'a str,
    n_fit: usize,
    n_gemeente: usize,
    n_regio: usize,
    reml_criterion: f64,
    variance: crate::model::Variance,
    fixed_effects: &'a [crate::model::FixedEffect],
    agreement: crate::site::Agreement,
    data_sha256: &'a str,
    converged: bool,
}

/// The model's fit statistics and its agreement with SCP's published expectations.
#[wasm_bindgen(js_name = modelInfo)]
pub fn model_info() -> Result<JsValue, JsError> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let m = &c.predictor.model;
        to_js(&ModelInfo {
            schema_version: m.schema_version,
            software: &m.provenance.fitted_by,
            formula: &m.formula,
            n_fit: m.n_fit,
            n_gemeente: m.n_gemeente,
            n_regio: m.n_regio,
            reml_criterion: m.reml_criterion,
            variance: m.variance,
            fixed_effects: &m.fixed_effects,
            agreement: c.site.agreement,
            data_sha256: &m.provenance.input_sha256,
            converged: m.fit.converged,
        })
    })
}
