//! The wasm boundary: converts JS values, delegates to the core, and maps every
//! error to a JS `Error` with a Dutch message naming the field. Nothing else
//! lives here. The fitted model is compiled in by `build.sh` (env
//! `JEUGDHULP_MODEL_BIN`, src/wire.rs); the page's first result needs nothing else.
//! The wijken (`site.bin`, `loadSite`) and their values (`wijkwaarden.bin`,
//! `loadWijkValues`) arrive after it.

use crate::determinants::Group;
use crate::model::InputError;
use crate::model::{EffectLevel, Prediction, Profile, Verdict};
use crate::site::{calculator_from_bin, Calculator, Scope};
use crate::text;
use crate::text::Text;
use js_sys::{Float64Array, Uint8Array};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

const MODEL_BIN: &[u8] = include_bytes!(env!("JEUGDHULP_MODEL_BIN"));

thread_local! {
    // wasm32-unknown-unknown runs one thread; the calculator lives for the page.
    static CALCULATOR: RefCell<Option<Result<Calculator, String>>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Run `f` on the calculator, building it from the compiled-in model on first use.
fn with_calculator<T>(f: impl FnOnce(&mut Calculator) -> Result<T, JsValue>) -> Result<T, JsValue> {
    CALCULATOR.with(|cell| {
        // Taken while a profile is read from JS: a getter that calls back in gets an
        // error, not a panic.
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return Err(js_error(&Text::new(
                "de rekenhulp is al bezig met een berekening (een aanroep vanuit een andere aanroep)",
                "the calculator is already busy with a calculation (a call from within a call)",
            )));
        };
        let calc = slot.get_or_insert_with(|| calculator_from_bin(MODEL_BIN, None, None));
        match calc {
            Ok(c) => f(c),
            Err(e) => Err(js_error(&text!(
                "het ingebouwde model kon niet worden geladen: {e}",
                "the built-in model could not be loaded: {e}"
            ))),
        }
    })
}

/// As [`with_calculator`], for the functions about the wijken: they say the wijken are
/// not there until `loadSite` has run, rather than answer for none.
fn with_site<T>(f: impl FnOnce(&mut Calculator) -> Result<T, JsValue>) -> Result<T, JsValue> {
    with_calculator(|c| {
        if !c.has_site() {
            return Err(no_site());
        }
        f(c)
    })
}

fn no_site() -> JsValue {
    field_error(
        "sitegegevens",
        Text::new(
            "de wijken zijn nog niet geladen (eerst loadSite)",
            "the districts have not been loaded yet (call loadSite first)",
        ),
    )
}

/// Load the wijken, gemeenten and regio's (`site.bin`, fetched by the page after its
/// first result). Needed by every function about wijken, and before `loadWijkValues`.
#[wasm_bindgen(js_name = loadSite)]
pub fn load_site(bytes: JsValue) -> Result<(), JsValue> {
    let bytes = bytes_arg("bytes", &bytes)?;
    with_calculator(|c| {
        let site = crate::site::site_from_bin(&bytes).map_err(|e| internal(&e))?;
        c.set_site(site).map_err(|e| internal(&e))?;
        Ok(())
    })
}

/// Whether `loadSite` has succeeded.
#[wasm_bindgen(js_name = hasSite)]
pub fn has_site() -> Result<bool, JsValue> {
    with_calculator(|c| Ok(c.has_site()))
}

/// Load the per-wijk determinant values (`wijkwaarden.bin`, after `loadSite`).
/// Needed by `wijkProfile`, `expectedAll`, `intervalsAll`, and by `expected` where
/// it imputes from a gemeente mean.
#[wasm_bindgen(js_name = loadWijkValues)]
pub fn load_wijk_values(bytes: JsValue) -> Result<(), JsValue> {
    let bytes = bytes_arg("bytes", &bytes)?;
    with_site(|c| {
        let file = crate::site::values_from_bin(&bytes).map_err(|e| internal(&e))?;
        c.load_values(&file).map_err(|e| internal(&e))
    })
}

/// Whether `loadWijkValues` has succeeded.
#[wasm_bindgen(js_name = hasWijkValues)]
pub fn has_wijk_values() -> Result<bool, JsValue> {
    with_calculator(|c| Ok(c.has_values()))
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value.serialize(&ser).map_err(|e| {
        js_error(&text!(
            "interne fout bij omzetten: {e}",
            "internal error while converting: {e}"
        ))
    })
}

// Errors are thrown as JS `Error`s whose `message` is Dutch and whose `message_en` is the
// same in English (issue 12; the page shows `tr(e, 'message')`). Hence `JsValue` rather
// than wasm-bindgen's `JsError`, which holds one text only. Core `InputError`s convert
// through `From`; their text is "field: message", as `field_error` writes it.
fn js_error(t: &Text) -> JsValue {
    let e = js_sys::Error::new(&t.nl);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(
        &e,
        &JsValue::from_str("message_en"),
        &JsValue::from_str(&t.en),
    );
    e.into()
}

fn field_error(field: &str, message: Text) -> JsValue {
    js_error(&message.map(|m| format!("{field}: {m}")))
}

/// An error in the page's own data files (not the user's input): Dutch, with the same
/// text in English after "internal error" (the detail is for a developer).
fn internal(detail: &str) -> JsValue {
    js_error(&text!("interne fout: {detail}", "internal error: {detail}"))
}

// ---- Arguments from JS. Every export takes `JsValue` for what the caller passes
// and converts it here, before the calculator is borrowed: wasm-bindgen's own
// conversions (`&str`, `&[u8]`, `&Float64Array`, `Vec<String>`) trap or throw a raw
// TypeError on a wrong type, and an exception thrown while the borrow is held
// unwinds past its drop and leaves the calculator "busy" for good. Only catching
// imports (`Reflect`, `instanceof` checks) and value intrinsics are used.

/// What a caller gave, for an error message: `null`, `het getal 5`, `een object`, ….
fn describe(v: &JsValue) -> Text {
    if v.is_null() {
        return Text::new("null", "null");
    }
    if v.is_undefined() {
        return Text::new("niets (undefined)", "nothing (undefined)");
    }
    if let Some(s) = v.as_string() {
        let s: String = s.chars().take(40).collect();
        return text!("de tekst \"{s}\"", "the text \"{s}\"");
    }
    if let Some(x) = v.as_f64() {
        let x = crate::determinants::compact(x);
        return text!("het getal {x}", "the number {x}");
    }
    if let Some(b) = v.as_bool() {
        return text!("{b}", "{b}");
    }
    // `instanceof` checks, which wasm-bindgen wraps in try/catch (a Proxy's trap may throw).
    if v.dyn_ref::<Float64Array>().is_some() {
        return Text::new("een Float64Array", "a Float64Array");
    }
    if v.dyn_ref::<Uint8Array>().is_some() {
        return Text::new("een Uint8Array", "a Uint8Array");
    }
    if js_sys::ArrayBuffer::is_view(v) {
        return Text::new("een ander soort typed array", "another kind of typed array");
    }
    if v.dyn_ref::<js_sys::ArrayBuffer>().is_some() {
        return Text::new("een ArrayBuffer", "an ArrayBuffer");
    }
    if v.dyn_ref::<js_sys::Array>().is_some() {
        return Text::new("een lijst (Array)", "an array");
    }
    match v.js_typeof().as_string().as_deref() {
        Some("function") => Text::new("een functie", "a function"),
        Some("object") => Text::new("een object", "an object"),
        Some(t) => text!("een waarde van type {t}", "a value of type {t}"),
        None => Text::new("een onbekende waarde", "an unknown value"),
    }
}

/// "`name`: verwacht `want`, kreeg `got`" in both languages.
fn wrong_type(name: &str, want: Text, got: &JsValue) -> JsValue {
    let g = describe(got);
    field_error(
        name,
        Text::new(
            format!("verwacht {}, kreeg {}", want.nl, g.nl),
            format!("expected {}, got {}", want.en, g.en),
        ),
    )
}

/// A text argument (a code, a scope).
fn text_arg(name: &str, v: &JsValue) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| wrong_type(name, Text::new("tekst", "text"), v))
}

/// A text argument that may be left out (null or undefined).
fn opt_text_arg(name: &str, v: &JsValue) -> Result<Option<String>, JsValue> {
    if v.is_null() || v.is_undefined() {
        return Ok(None);
    }
    text_arg(name, v).map(Some)
}

/// A `Float64Array` argument, copied into wasm memory.
fn f64_array_arg(name: &str, v: &JsValue) -> Result<Vec<f64>, JsValue> {
    v.dyn_ref::<Float64Array>()
        .map(Float64Array::to_vec)
        .ok_or_else(|| wrong_type(name, Text::new("een Float64Array", "a Float64Array"), v))
}

/// A `Uint8Array` argument (a file's bytes), copied into wasm memory.
fn bytes_arg(name: &str, v: &JsValue) -> Result<Vec<u8>, JsValue> {
    v.dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| wrong_type(name, Text::new("een Uint8Array", "a Uint8Array"), v))
}

/// A list of texts (`["GM0363", …]`); an element of another type is named by its place.
fn text_list_arg(name: &str, v: &JsValue) -> Result<Vec<String>, JsValue> {
    let want = || Text::new("een lijst met teksten", "an array of texts");
    if v.dyn_ref::<js_sys::Array>().is_none() {
        return Err(wrong_type(name, want(), v));
    }
    let unreadable = || {
        field_error(
            name,
            Text::new(
                "de lijst kon niet worden gelezen",
                "the array could not be read",
            ),
        )
    };
    // Reflect, not Array's own methods: a Proxy's or getter's throw comes back here.
    let len = field(v, "length")
        .map_err(|_| unreadable())?
        .as_f64()
        .filter(|n| *n >= 0.0 && *n <= u32::MAX as f64)
        .ok_or_else(unreadable)? as u32;
    (0..len)
        .map(|i| {
            let item = js_sys::Reflect::get_u32(v, i).map_err(|_| unreadable())?;
            text_arg(&format!("{name}[{i}]"), &item)
        })
        .collect()
}

impl From<InputError> for JsValue {
    fn from(e: InputError) -> JsValue {
        field_error(&e.field, e.message)
    }
}

#[derive(Serialize)]
struct DeterminantOut<'a> {
    name: &'a str,
    label: &'a str,
    /// English label (from the determinant table; the Dutch one if the name is not in it).
    label_en: &'a str,
    /// Dutch display text of the unit ("%", "km", "ja/nee", …).
    unit: &'a str,
    /// English display text of the unit.
    unit_en: &'static str,
    /// What the unit is (`percent`, `euro`, `thousand_euro`, `km`, `per_hundred`,
    /// `yes_no`): the page branches on this, never on the display text.
    unit_kind: crate::determinants::Unit,
    level: crate::determinants::Level,
    group: Group,
    group_label: &'static str,
    group_label_en: &'static str,
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
pub fn determinants() -> Result<JsValue, JsValue> {
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
                label_en: crate::determinants::label_en(&d.name).unwrap_or(&d.label),
                unit: &d.unit_label,
                unit_en: d.unit.label_en(),
                unit_kind: d.unit,
                level: d.level,
                group: d.group,
                group_label: d.group.label(),
                group_label_en: d.group.label_en(),
                min: d.min,
                max: d.max,
                mean: d.mean,
                decimals: d.decimals,
                step: d.step(),
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
pub fn wijken() -> Result<JsValue, JsValue> {
    with_site(|c| {
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
pub fn gemeenten() -> Result<JsValue, JsValue> {
    with_site(|c| {
        let c: &Calculator = c;
        let m = &c.predictor.model;
        let find = |v: &[crate::model::RandomEffect], code: &str| {
            v.iter().find(|e| e.code == code).map(|e| e.value)
        };
        let mut seen = BTreeMap::new();
        for w in &c.site.wijken {
            seen.entry(&*w.gemeente_code).or_insert(w);
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
    /// Where each missing value came from (the core's rule, see `impute`):
    /// `zero`, `gemeente_mean` or `national_mean`; given values are absent.
    sources: BTreeMap<&'a str, crate::impute::ValueSource>,
    /// The wijk's youth count (null: none or not used by the model).
    n_jeugd: Option<f64>,
}

/// A wijk's raw values (null = missing) and its imputed values.
#[wasm_bindgen(js_name = wijkProfile)]
pub fn wijk_profile(code: JsValue) -> Result<JsValue, JsValue> {
    let code = text_arg("code", &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        let i = c
            .wijk_index(&code)
            .ok_or_else(|| field_error("wijk", text::unknown_wijk(&code)))?;
        let w = &c.site.wijken[i];
        let names = c
            .predictor
            .model
            .determinants
            .iter()
            .map(|d| d.name.as_str());
        let sources = c
            .predictor
            .model
            .imputation
            .source(Some(&w.gemeente_code), &w.values);
        to_js(&ProfileOut {
            wijk: Some(&w.code),
            gemeente: Some(&w.gemeente_code),
            values: names.clone().zip(w.values.iter().copied()).collect(),
            imputed: names.clone().zip(c.filled(i)?.iter().copied()).collect(),
            sources: names
                .zip(sources)
                .filter(|(_, s)| *s != crate::impute::ValueSource::Given)
                .collect(),
            n_jeugd: w.n_jeugd.filter(|_| c.predictor.uses_youth()),
        })
    })
}

/// The national mean profile (no gemeente).
#[wasm_bindgen(js_name = nationalProfile)]
pub fn national_profile() -> Result<JsValue, JsValue> {
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
            sources: BTreeMap::new(),
            n_jeugd: c.predictor.default_n_jeugd(),
        })
    })
}

// A profile is read field by field from its JS object and the result goes back as a
// plain object (serde-wasm-bindgen): about 40 µs a call, against 12 µs through the scratch
// buffer and inline JS this replaced; one call per slider move does not need more (issue
// 11 dropped the 5 µs budget), and every field's check is here, in Rust.

/// The verdicts in the order of their codes (0, 1, 2) at the boundary.
const VERDICTS: [Verdict; 3] = [Verdict::Binnen, Verdict::Hoger, Verdict::Lager];

fn verdict_code(v: Option<Verdict>) -> i8 {
    v.and_then(|v| VERDICTS.iter().position(|w| *w == v))
        .map_or(-1, |i| i as i8)
}

/// A verdict as the page reads it: its value and its Dutch text (both from
/// the core; the page writes no rule of its own).
#[derive(Serialize)]
struct VerdictOut {
    value: &'static str,
    label: &'static str,
    label_en: &'static str,
}

impl From<Verdict> for VerdictOut {
    fn from(v: Verdict) -> VerdictOut {
        VerdictOut {
            value: v.code(),
            label: v.label(),
            label_en: v.label_en(),
        }
    }
}

/// A profile as read from JS, with the wijk it is (an index) and its youth count.
struct JsProfile {
    profile: Profile,
    wijk: Option<usize>,
    n_jeugd: Option<f64>,
}

/// `obj[key]`, through a catching import: a getter or Proxy trap that throws gives `Err`.
fn field(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
}

/// `obj[key]` of a profile; a getter or Proxy trap that throws is an error naming `key`,
/// not a missing value to impute.
fn profile_field(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    field(obj, key).map_err(|_| {
        field_error(
            key,
            Text::new(
                "de waarde kon niet worden gelezen (de getter of Proxy gaf een fout)",
                "the value could not be read (its getter or Proxy threw an error)",
            ),
        )
    })
}

/// A number given for `name`: an error naming it for any other type, and for NaN.
fn number(name: &str, v: &JsValue) -> Result<f64, JsValue> {
    match v.as_f64() {
        Some(x) if x.is_nan() => Err(field_error(
            name,
            Text::new(
                "waarde is geen getal (NaN)",
                "the value is not a number (NaN)",
            ),
        )),
        Some(x) => Ok(x),
        None => {
            let got = v.js_typeof().as_string().unwrap_or_default();
            Err(field_error(
                name,
                text!(
                    "verwacht een getal, kreeg {got}",
                    "expected a number, got {got}"
                ),
            ))
        }
    }
}

/// A code given for `name`, as text; `what` says what was expected.
fn code(name: &str, v: &JsValue, what: Text) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| field_error(name, what))
}

/// Read `{gemeente?, wijk?, n_jeugd?, values: {name: number|null}}` into a core profile.
fn read_profile_from_js(c: &Calculator, profile: &JsValue) -> Result<JsProfile, JsValue> {
    if !profile.is_object() {
        return Err(field_error(
            "profiel",
            Text::new(
                "verwacht een object {gemeente, values}",
                "expected an object {gemeente, values}",
            ),
        ));
    }
    let given = |key: &str| -> Result<Option<JsValue>, JsValue> {
        Ok(Some(profile_field(profile, key)?).filter(|v| !v.is_null() && !v.is_undefined()))
    };
    let n_jeugd = given("n_jeugd")?
        .map(|v| number("n_jeugd", &v))
        .transpose()?;
    let wijk = match given("wijk")? {
        None => None,
        Some(v) => {
            let w = code(
                "wijk",
                &v,
                Text::new(
                    "verwacht een wijkcode als tekst, bijvoorbeeld \"WK036328\"",
                    "expected a district code as text, for example \"WK036328\"",
                ),
            )?;
            if !c.has_site() {
                return Err(no_site());
            }
            Some(
                c.wijk_index(&w)
                    .ok_or_else(|| field_error("wijk", text::unknown_wijk(&w)))?,
            )
        }
    };
    let gemeente = match given("gemeente")? {
        None => None,
        Some(v) => {
            let g = code(
                "gemeente",
                &v,
                Text::new(
                    "verwacht een gemeentecode als tekst, bijvoorbeeld \"GM0363\"",
                    "expected a municipality code as text, for example \"GM0363\"",
                ),
            )?;
            if !c.predictor.model.gemeente_regio.contains_key(&g) {
                return Err(field_error("gemeente", text::unknown_gemeente(&g)));
            }
            Some(g)
        }
    };
    let determinants = &c.predictor.model.determinants;
    let mut values = vec![None; determinants.len()];
    if let Some(given) = given("values")? {
        if !given.is_object() {
            return Err(field_error(
                "values",
                Text::new(
                    "verwacht een object met per determinant een getal",
                    "expected an object with a number per determinant",
                ),
            ));
        }
        // Reflect (a catching import) rather than Object.keys: a Proxy's trap may throw,
        // and that must come back as an error, not unwind through the wasm.
        let keys = js_sys::Reflect::own_keys(&given).map_err(|_| {
            field_error(
                "values",
                Text::new(
                    "de namen van de waarden konden niet worden gelezen",
                    "the names of the values could not be read",
                ),
            )
        })?;
        // Symbol keys are no determinant names; the rest are strings.
        for name in keys.iter().filter_map(|k| k.as_string()) {
            let i = determinants
                .iter()
                .position(|d| d.name == name)
                .ok_or_else(|| {
                    field_error(
                        &name,
                        Text::new(
                            "onbekende determinant voor dit model",
                            "unknown determinant for this model",
                        ),
                    )
                })?;
            let v = profile_field(&given, &name)?;
            if !v.is_null() && !v.is_undefined() {
                values[i] = Some(number(&name, &v)?);
            }
        }
    }
    Ok(JsProfile {
        profile: Profile { gemeente, values },
        wijk,
        n_jeugd,
    })
}

#[derive(Serialize)]
struct ContributionOut<'a> {
    name: &'a str,
    value: f64,
}

#[derive(Serialize)]
struct PredictionOut<'a> {
    expected: f64,
    expected_fixed: f64,
    u_gemeente: f64,
    u_regio: f64,
    level: EffectLevel,
    se: f64,
    ci_low: f64,
    ci_high: f64,
    pi_low: f64,
    pi_high: f64,
    n_jeugd: Option<f64>,
    var_residual: f64,
    verdict: Option<VerdictOut>,
    contributions: Vec<ContributionOut<'a>>,
    /// The values used, after imputation, in model order.
    imputed: &'a [f64],
    /// A caution `{message, message_en}` where a given value lies outside the
    /// range of 2017 or the expected use outside 0–100 % (else null).
    caution: Option<crate::text::MessageOut<'a>>,
}

/// Expected use for a profile, with 95 % intervals and contributions.
#[wasm_bindgen]
pub fn expected(profile: JsValue) -> Result<JsValue, JsValue> {
    with_calculator(|c| {
        let c: &Calculator = c;
        let js = read_profile_from_js(c, &profile)?;
        let (p, verdict): (Prediction, _) = c.expected_for(&js.profile, js.wijk, js.n_jeugd)?;
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
            n_jeugd: p.n_jeugd,
            var_residual: p.var_residual,
            verdict: verdict.map(VerdictOut::from),
            contributions: c
                .predictor
                .model
                .determinants
                .iter()
                .zip(&p.contributions)
                .map(|(d, &value)| ContributionOut {
                    name: &d.name,
                    value,
                })
                .collect(),
            imputed: &p.imputed,
            caution: p.caution.as_ref().map(|t| t.out()),
        })
    })
}

/// A what-if's arguments, converted before the calculator is borrowed: the deltas'
/// length and ranges are checked by the core (with the check `expected()` uses for
/// values), the scope's codes by `Scope::parse` and the calculator.
struct Scenario {
    deltas: Vec<f64>,
    scope: String,
    code: Option<String>,
}

impl Scenario {
    fn read(
        deltas: Option<&JsValue>,
        scope: &JsValue,
        code: &JsValue,
    ) -> Result<Scenario, JsValue> {
        Ok(Scenario {
            deltas: deltas.map_or(Ok(Vec::new()), |d| f64_array_arg("deltas", d))?,
            scope: text_arg("scope", scope)?,
            code: opt_text_arg("code", code)?,
        })
    }

    fn scope(&self) -> Result<Scope<'_>, JsValue> {
        Ok(Scope::parse(&self.scope, self.code.as_deref())?)
    }
}

/// Expected use of every wijk under a what-if change, in `wijken()` order.
#[wasm_bindgen(js_name = expectedAll)]
pub fn expected_all(
    deltas: JsValue,
    scope: JsValue,
    code: JsValue,
) -> Result<Float64Array, JsValue> {
    let s = Scenario::read(Some(&deltas), &scope, &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        let (deltas, scope) = (&s.deltas, s.scope()?);
        let mut out = vec![0.0; c.len()];
        c.expected_all(deltas, scope, &mut out)?;
        Ok(Float64Array::from(out.as_slice()))
    })
}

/// `[ci_low × n, ci_high × n, pi_low × n, pi_high × n]` under a what-if change.
#[wasm_bindgen(js_name = intervalsAll)]
pub fn intervals_all(
    deltas: JsValue,
    scope: JsValue,
    code: JsValue,
) -> Result<Float64Array, JsValue> {
    let s = Scenario::read(Some(&deltas), &scope, &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        let (deltas, scope) = (&s.deltas, s.scope()?);
        let out = c.intervals_all(deltas, scope)?;
        Ok(Float64Array::from(out.as_slice()))
    })
}

/// The verdict of every wijk under a what-if change, in `wijken()` order:
/// `Int8Array(n)` with -1 (use not published), 0, 1, 2 = the entries of `verdicts()`.
#[wasm_bindgen(js_name = verdictsAll)]
pub fn verdicts_all(
    deltas: JsValue,
    scope: JsValue,
    code: JsValue,
) -> Result<js_sys::Int8Array, JsValue> {
    let s = Scenario::read(Some(&deltas), &scope, &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        let (deltas, scope) = (&s.deltas, s.scope()?);
        let out: Vec<i8> = c
            .verdicts_all(deltas, scope)?
            .into_iter()
            .map(verdict_code)
            .collect();
        Ok(js_sys::Int8Array::from(out.as_slice()))
    })
}

/// Which wijken a what-if scope covers, in `wijken()` order: `Uint8Array(n)` of 0/1.
/// The page reads this rather than matching codes itself.
#[wasm_bindgen(js_name = scopeMembers)]
pub fn scope_members(scope: JsValue, code: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
    let s = Scenario::read(None, &scope, &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        let members: Vec<u8> = c.in_scope(s.scope()?)?.into_iter().map(u8::from).collect();
        Ok(js_sys::Uint8Array::from(members.as_slice()))
    })
}

/// The verdicts `verdictsAll` codes as 0, 1, 2: `[{value, label}]`.
#[wasm_bindgen]
pub fn verdicts() -> Result<JsValue, JsValue> {
    let out: Vec<VerdictOut> = VERDICTS.iter().map(|v| VerdictOut::from(*v)).collect();
    to_js(&out)
}

#[derive(Serialize)]
struct IntervalOut {
    s0: f64,
    c: f64,
    nu: f64,
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
    /// Null until `loadSite`.
    agreement: Option<crate::site::Agreement>,
    data_sha256: &'a str,
    converged: bool,
    /// `scp` or `gemeente`.
    specification: &'static str,
    /// The youth-dependent residual variance (null: one width for all).
    interval: Option<IntervalOut>,
    /// The youth count of an eigen wijk without one (null: not used).
    default_n_jeugd: Option<f64>,
    zero_when_missing: Vec<&'a str>,
    fidelity: Option<&'a crate::site::Fidelity>,
}

/// The model's fit statistics and its agreement with SCP's published expectations.
#[wasm_bindgen(js_name = modelInfo)]
pub fn model_info() -> Result<JsValue, JsValue> {
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
            agreement: c.has_site().then_some(c.site.agreement),
            data_sha256: &m.provenance.input_sha256,
            converged: m.fit.converged,
            specification: m.spec().name(),
            interval: m.interval.as_ref().map(|i| IntervalOut {
                s0: i.s0,
                c: i.c,
                nu: i.nu,
            }),
            default_n_jeugd: c.predictor.default_n_jeugd(),
            zero_when_missing: m
                .specification
                .iter()
                .flat_map(|s| s.zero_when_missing.iter().map(String::as_str))
                .collect(),
            fidelity: c.site.fidelity.as_ref(),
        })
    })
}

// ---------------------------------------------------------------------------
// Issue 12: the gemeenterapport, the comparison of gemeenten and the income
// classes (src/report.rs). Kept together at the end of this file.

/// The effects of the gemeenten named in `codes` (`["GM0363", …]`), in that
/// order: `[{code, name, regio_code, regio_name, gemeente, regio, total}]`,
/// each effect `{value, sd, low, high}` (percentage points, 95 % interval).
#[wasm_bindgen(js_name = gemeenteEffects)]
pub fn gemeente_effects(codes: JsValue) -> Result<JsValue, JsValue> {
    let codes = text_list_arg("codes", &codes)?;
    with_site(|c| {
        let c: &Calculator = c;
        to_js(&crate::report::gemeente_effects(c, &codes)?)
    })
}

/// Everything the gemeenterapport shows of one gemeente (see docs/wasm-api.md).
#[wasm_bindgen(js_name = gemeenteReport)]
pub fn gemeente_report(code: JsValue) -> Result<JsValue, JsValue> {
    let code = text_arg("code", &code)?;
    with_site(|c| {
        let c: &Calculator = c;
        to_js(&crate::report::gemeente_report(c, &code)?)
    })
}

fn set(o: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    js_sys::Reflect::set(o, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| internal("omzetten / converting"))
}

/// The funnel plot: limits on `points` youth counts, and every wijk's youth
/// count and difference as `Float64Array`s (NaN: unknown / not published).
#[wasm_bindgen]
pub fn funnel(points: JsValue) -> Result<JsValue, JsValue> {
    let points = funnel_points(&points)?;
    with_site(|c| {
        let c: &Calculator = c;
        let f = crate::report::funnel(c, points)?;
        let o = js_sys::Object::new();
        set(&o, "expected_ref", &JsValue::from_f64(f.expected_ref))?;
        for (key, v) in [
            ("grid", &f.grid),
            ("low95", &f.low95),
            ("high95", &f.high95),
            ("low998", &f.low998),
            ("high998", &f.high998),
            ("n_jeugd", &f.n_jeugd),
            ("difference", &f.difference),
        ] {
            set(&o, key, &Float64Array::from(v.as_slice()).into())?;
        }
        Ok(o.into())
    })
}

/// The funnel's number of grid points: a whole number in 2–1000 (docs/wasm-api.md);
/// anything else is refused by name rather than clamped.
fn funnel_points(v: &JsValue) -> Result<usize, JsValue> {
    let want = || {
        Text::new(
            "een geheel getal van 2 tot en met 1000",
            "a whole number from 2 to 1000",
        )
    };
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && (2.0..=1000.0).contains(&x) => Ok(x as usize),
        Some(x) => {
            let x = crate::determinants::compact(x);
            Err(field_error(
                "points",
                text!(
                    "{x} ligt niet in 2–1000 of is geen geheel getal",
                    "{x} is not in 2–1000 or not a whole number"
                ),
            ))
        }
        None => Err(wrong_type("points", want(), v)),
    }
}

#[derive(Serialize)]
struct IncomeOut<'a> {
    #[serde(flatten)]
    summary: &'a crate::report::IncomeSummary,
    labels: [&'static str; 3],
    labels_en: [&'static str; 3],
}

/// The national income classes (tertiles of `gem_gestink`): the summary,
/// and `class`, an `Int8Array(n)` with 0, 1, 2 (low … high) or -1 (no income).
#[wasm_bindgen(js_name = incomeClasses)]
pub fn income_classes() -> Result<JsValue, JsValue> {
    with_site(|c| {
        let c: &Calculator = c;
        let k = crate::report::income_classes(c)?;
        let o = to_js(&IncomeOut {
            summary: &k.summary,
            labels: crate::report::INCOME_CLASS_LABELS,
            labels_en: crate::report::INCOME_CLASS_LABELS_EN,
        })?;
        let class: Vec<i8> = k.class.iter().map(|c| c.map_or(-1, |c| c as i8)).collect();
        set(
            o.unchecked_ref(),
            "class",
            &js_sys::Int8Array::from(class.as_slice()).into(),
        )?;
        Ok(o)
    })
}

// ---- Local extension and "eigen model" (issue 10): thin wrappers; the
// logic is in `crate::extend` and `crate::refit`.
//
// Only in the Worker's build (`--features worker`, `pkg-worker/`): the fitter,
// the upload reader and the refit add about 100 KB gzip, which the page's
// first view does not need (see docs/wasm-api.md).
#[cfg(feature = "worker")]
pub use worker::*;

#[cfg(feature = "worker")]
mod worker {
    use super::*;

    /// The national model's part of an extension, from the calculator (its
    /// per-wijk values must be loaded).
    fn extension_base(c: &Calculator) -> Result<crate::extend::Base, JsValue> {
        c.need_values()?;
        crate::extend::Base::new(
            &c.predictor,
            c.site.wijken.iter().map(|w| (w, w.values.as_slice())),
        )
        .map_err(|e| internal(&e))
    }

    /// "regel 3, kolom x, waarde 'y': …" in both languages.
    fn extend_error(e: crate::extend::ExtendError) -> JsValue {
        js_error(&e.0.placed())
    }

    /// Read an uploaded covariate file (bytes as the browser has them) and say
    /// what is in it: `{delimiter, decimal, encoding, rows, columns: [{name,
    /// numeric, n_values, n_missing, n_invalid}], regios: [{code, name,
    /// n_wijken}], problems: [{row, column, value, message, severity}]}`.
    #[wasm_bindgen(js_name = extendInspect)]
    pub fn extend_inspect(bytes: JsValue) -> Result<JsValue, JsValue> {
        let bytes = bytes_arg("bytes", &bytes)?;
        with_calculator(|c| {
            let c: &Calculator = c;
            let base = extension_base(c)?;
            let out = crate::extend::inspect(&bytes, &base).map_err(extend_error)?;
            to_js(&out)
        })
    }

    /// `extendRun`'s options, read before the calculator is borrowed.
    #[derive(Default)]
    struct ExtendOptions {
        columns: Option<Vec<String>>,
        regios: Option<Vec<String>>,
    }

    impl ExtendOptions {
        /// `{columns?: string[], regios?: string[]}`, or null/undefined for the defaults;
        /// any other key is refused by name (a misspelt `colums` must not silently
        /// fall back to every column).
        fn read(v: &JsValue) -> Result<ExtendOptions, JsValue> {
            if v.is_undefined() || v.is_null() {
                return Ok(ExtendOptions::default());
            }
            if !v.is_object() || v.dyn_ref::<js_sys::Array>().is_some() {
                return Err(wrong_type(
                    "options",
                    Text::new(
                        "{columns?: [tekst], regios?: [tekst]}",
                        "{columns?: [text], regios?: [text]}",
                    ),
                    v,
                ));
            }
            let unreadable = || {
                field_error(
                    "options",
                    Text::new(
                        "de opties konden niet worden gelezen",
                        "the options could not be read",
                    ),
                )
            };
            let keys = js_sys::Reflect::own_keys(v).map_err(|_| unreadable())?;
            for key in keys.iter().filter_map(|k| k.as_string()) {
                if key != "columns" && key != "regios" {
                    return Err(field_error(
                        &format!("options.{key}"),
                        Text::new(
                            "onbekende optie (alleen columns en regios)",
                            "unknown option (only columns and regios)",
                        ),
                    ));
                }
            }
            let list = |key: &str| -> Result<Option<Vec<String>>, JsValue> {
                let item = field(v, key).map_err(|_| unreadable())?;
                if item.is_undefined() || item.is_null() {
                    return Ok(None);
                }
                text_list_arg(&format!("options.{key}"), &item).map(Some)
            };
            Ok(ExtendOptions {
                columns: list("columns")?,
                regios: list("regios")?,
            })
        }
    }

    /// Fit the local extension on an uploaded file: `options` = `{columns?:
    /// string[], regios?: string[]}` (default: every numeric column, the regio's
    /// of the file's wijken). See docs/wasm-api.md for the result.
    #[wasm_bindgen(js_name = extendRun)]
    pub fn extend_run(bytes: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let bytes = bytes_arg("bytes", &bytes)?;
        let options = ExtendOptions::read(&options)?;
        with_calculator(|c| {
            let c: &Calculator = c;
            let base = extension_base(c)?;
            let choice = crate::extend::Choice {
                columns: options.columns.unwrap_or_default(),
                regios: options.regios.unwrap_or_default(),
            };
            let out = crate::extend::run(&bytes, &base, &choice).map_err(extend_error)?;
            to_js(&out)
        })
    }

    /// Refit the national model with a subset of its determinants (same
    /// specification and imputation): `{determinants, specification, n,
    /// n_gemeente, n_regio, reml_criterion, fixed_effects, variance:
    /// {gemeentecode, jeugdzorgregiocode, Residual}, converged, verdict_changes:
    /// {vs_default, vs_scp}, verdicts: Int8Array}` (verdicts coded as `verdictsAll`).
    #[wasm_bindgen(js_name = refitNational)]
    pub fn refit_national(determinants: JsValue) -> Result<JsValue, JsValue> {
        let names = text_list_arg("determinants", &determinants)?;
        with_calculator(|c| {
            let c: &Calculator = c;
            let refit = crate::refit::refit_national(c, &names)
                .map_err(|e| field_error("determinants", e))?;
            let out = to_js(&refit)?;
            let codes: Vec<i8> = refit.verdicts.iter().copied().map(verdict_code).collect();
            js_sys::Reflect::set(
                &out,
                &JsValue::from_str("verdicts"),
                &js_sys::Int8Array::from(codes.as_slice()),
            )
            .map_err(|_| internal("oordelen / verdicts"))?;
            Ok(out)
        })
    }
}
