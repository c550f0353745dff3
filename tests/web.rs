//! The wasm API in headless Chromium (wasm-bindgen-test): every export, and
//! every error path throwing a JS `Error` with a Dutch message naming the field.
#![cfg(target_arch = "wasm32")]

use jeugdhulp_wijk::web;
use js_sys::{Array, Error, Float64Array, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The wijken and their values, compiled into the test (the page fetches them).
const SITE_BIN: &[u8] = include_bytes!(env!("JEUGDHULP_SITE_BIN"));
const VALUES_BIN: &[u8] = include_bytes!(env!("JEUGDHULP_VALUES_BIN"));

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn message<T>(r: Result<T, JsValue>) -> String {
    let e: JsValue = r.err().expect("an error");
    assert!(e.is_instance_of::<Error>(), "a JS Error");
    e.unchecked_into::<Error>().message().as_string().unwrap()
}

/// The English text beside an error's Dutch `message` (issue 12).
fn message_en<T>(r: Result<T, JsValue>) -> String {
    let e: JsValue = r.err().expect("an error");
    Reflect::get(&e, &JsValue::from_str("message_en"))
        .unwrap()
        .as_string()
        .expect("an Error with message_en")
}

fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

/// A file's bytes as the page passes them.
fn u8a(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).into()
}

fn ensure_site() {
    if !web::has_site().unwrap() {
        web::load_site(u8a(SITE_BIN)).unwrap();
    }
}

fn ensure_values() {
    ensure_site();
    if !web::has_wijk_values().unwrap() {
        web::load_wijk_values(u8a(VALUES_BIN)).unwrap();
    }
}

#[wasm_bindgen_test]
fn lists_determinants_wijken_and_gemeenten() {
    ensure_site();
    let dets = Array::from(&web::determinants().unwrap());
    assert_eq!(dets.length(), 27);
    let first = dets.get(0);
    assert_eq!(get(&first, "name").as_string().unwrap(), "perc_sbo_g");
    assert_eq!(get(&first, "group").as_string().unwrap(), "kind");
    // The page branches on the unit's kind, not on its Dutch text.
    assert_eq!(get(&first, "unit_kind").as_string().unwrap(), "percent");
    let kinds: Vec<String> = dets
        .iter()
        .map(|d| get(&d, "unit_kind").as_string().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "yes_no").count(),
        2,
        "samenw and kleinewijk"
    );
    assert!(num(&first, "min") <= num(&first, "mean") && num(&first, "mean") <= num(&first, "max"));
    assert!(
        get(&first, "beta").as_f64().is_some()
            && get(&first, "label")
                .as_string()
                .unwrap()
                .contains("speciaal")
    );
    // English next to the Dutch (the page's ?lang=en), from the same table.
    assert_eq!(
        get(&first, "label_en").as_string().unwrap(),
        "Pupils in special primary education (municipality)"
    );
    assert_eq!(get(&first, "unit_en").as_string().unwrap(), "%");
    assert_eq!(
        get(&first, "group_label_en").as_string().unwrap(),
        "Characteristics of the child"
    );

    let wijken = Array::from(&web::wijken().unwrap());
    assert_eq!(wijken.length(), 2918);
    let suppressed = wijken
        .iter()
        .filter(|w| get(w, "observed").is_null())
        .count();
    assert_eq!(suppressed, 286);
    assert!(get(&wijken.get(0), "scp_expected").as_f64().is_some());

    let gemeenten = Array::from(&web::gemeenten().unwrap());
    assert_eq!(gemeenten.length(), 388);
    let g = gemeenten.get(0);
    assert!((num(&g, "effect") - num(&g, "u_gemeente") - num(&g, "u_regio")).abs() < 1e-12);

    // Which wijken a what-if scope covers comes from the core, by code.
    let amsterdam = web::scope_members(JsValue::from_str("gemeente"), JsValue::from_str("GM0363"))
        .unwrap()
        .to_vec();
    assert_eq!(amsterdam.len(), 2918);
    let want: Vec<u8> = wijken
        .iter()
        .map(|w| u8::from(get(&w, "gemeente_code").as_string().unwrap() == "GM0363"))
        .collect();
    assert_eq!(amsterdam, want);
    assert!(amsterdam.iter().filter(|&&m| m == 1).count() > 50);
    let land = web::scope_members(JsValue::from_str("land"), JsValue::NULL)
        .unwrap()
        .to_vec();
    assert!(land.iter().all(|&m| m == 1));
    let one = web::scope_members(JsValue::from_str("wijk"), JsValue::from_str("WK036300"))
        .unwrap()
        .to_vec();
    assert_eq!(one.iter().filter(|&&m| m == 1).count(), 1);
    assert!(message(web::scope_members(
        JsValue::from_str("gemeente"),
        JsValue::from_str("GM9999")
    ))
    .contains("gemeente"));

    let info = web::model_info().unwrap();
    // SCP's specification: all wijken in the fit (the 286 suppressed with a
    // filled value, which wijken() still shows as not published, above).
    assert_eq!(num(&info, "n_fit"), 2918.0);
    assert_eq!(get(&info, "specification").as_string().unwrap(), "scp");
    assert!(num(&get(&info, "agreement"), "correlation") > 0.95);
    assert!(num(&info, "default_n_jeugd") > 0.0);
    let fidelity = get(&info, "fidelity");
    assert!(num(&get(&fidelity, "rmse_all"), "rmse") <= 0.25);
}

#[wasm_bindgen_test]
fn expected_for_national_profile_and_a_wijk() {
    ensure_site();
    let national = web::national_profile().unwrap();
    let p = web::expected(obj(&[
        ("gemeente", JsValue::NULL),
        ("values", get(&national, "values")),
    ]))
    .unwrap();
    assert_eq!(get(&p, "level").as_string().unwrap(), "geen");
    assert!(num(&p, "pi_low") < num(&p, "ci_low") && num(&p, "ci_high") < num(&p, "pi_high"));
    let contributions = Array::from(&get(&p, "contributions"));
    assert_eq!(contributions.length(), 27);
    assert!(contributions.iter().all(|c| num(&c, "value").abs() < 1e-9));

    ensure_values();
    let prof = web::wijk_profile(JsValue::from_str("WK036300")).unwrap();
    let gemeente = get(&prof, "gemeente");
    assert_eq!(gemeente.as_string().unwrap(), "GM0363");
    // As a wijk of the data: its own youth count, and its verdict.
    let p = web::expected(obj(&[
        ("gemeente", gemeente.clone()),
        ("wijk", JsValue::from_str("WK036300")),
        ("values", get(&prof, "values")),
    ]))
    .unwrap();
    assert_eq!(get(&p, "level").as_string().unwrap(), "gemeente");
    assert_eq!(num(&p, "n_jeugd"), num(&prof, "n_jeugd"));
    // The all-wijken call agrees with the single call.
    let wijken = Array::from(&web::wijken().unwrap());
    let i = wijken
        .iter()
        .position(|w| get(&w, "code").as_string().unwrap() == "WK036300")
        .unwrap();
    let all = web::expected_all(
        Float64Array::new_with_length(27).into(),
        JsValue::from_str("land"),
        JsValue::NULL,
    )
    .unwrap();
    assert_eq!(all.length(), 2918);
    assert!((all.get_index(i as u32) - num(&p, "expected")).abs() < 1e-10);
    let bounds = web::intervals_all(
        Float64Array::new_with_length(27).into(),
        JsValue::from_str("land"),
        JsValue::NULL,
    )
    .unwrap();
    assert_eq!(bounds.length(), 4 * 2918);
    assert!((bounds.get_index(3 * 2918 + i as u32) - num(&p, "pi_high")).abs() < 1e-10);
    // The verdict: the core's, the same in the single and the all-wijken call.
    let verdicts = web::verdicts_all(
        Float64Array::new_with_length(27).into(),
        JsValue::from_str("land"),
        JsValue::NULL,
    )
    .unwrap();
    assert_eq!(verdicts.length(), 2918);
    let listed = Array::from(&web::verdicts().unwrap());
    let labels: Vec<(String, String)> = listed
        .iter()
        .map(|v| {
            (
                get(&v, "label").as_string().unwrap(),
                get(&v, "label_en").as_string().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels[0],
        (
            "binnen de verwachting".to_string(),
            "as expected".to_string()
        )
    );
    let v = listed.get(verdicts.get_index(i as u32) as u32);
    assert_eq!(
        get(&get(&p, "verdict"), "value").as_string(),
        get(&v, "value").as_string()
    );
    // An eigen wijk (no wijk code): no verdict; fewer youths, a wider PI.
    let eigen = |n: f64| {
        web::expected(obj(&[
            ("gemeente", gemeente.clone()),
            ("n_jeugd", JsValue::from_f64(n)),
            ("values", get(&prof, "values")),
        ]))
        .unwrap()
    };
    let (small, large) = (eigen(100.0), eigen(5000.0));
    assert!(get(&small, "verdict").is_null());
    assert!(
        num(&small, "pi_high") - num(&small, "pi_low")
            > num(&large, "pi_high") - num(&large, "pi_low")
    );

    // +10 on eenouderhuishoudens moves the expected value by 10·β.
    let dets = Array::from(&web::determinants().unwrap());
    let k = dets
        .iter()
        .position(|d| get(&d, "name").as_string().unwrap() == "perc_1ouder")
        .unwrap();
    let beta = num(&dets.get(k as u32), "beta");
    let values = get(&prof, "imputed");
    let base = web::expected(obj(&[
        ("gemeente", gemeente.clone()),
        ("values", values.clone()),
    ]))
    .unwrap();
    let x = num(&values, "perc_1ouder");
    Reflect::set(
        &values,
        &JsValue::from_str("perc_1ouder"),
        &JsValue::from_f64(x + 10.0),
    )
    .unwrap();
    let moved = web::expected(obj(&[("gemeente", gemeente), ("values", values)])).unwrap();
    assert!((num(&moved, "expected") - num(&base, "expected") - 10.0 * beta).abs() < 1e-10);
}

#[wasm_bindgen_test]
fn bad_input_throws_errors_that_name_the_field() {
    ensure_site();
    ensure_values();
    let values = |k: &str, v: JsValue| obj(&[("values", obj(&[(k, v)]))]);
    let m = message(web::expected(values(
        "perc_1ouder",
        JsValue::from_f64(f64::NAN),
    )));
    assert!(m.contains("perc_1ouder") && m.contains("NaN"), "{m}");
    let m = message(web::expected(values(
        "perc_1ouder",
        JsValue::from_f64(150.0),
    )));
    assert!(m.contains("perc_1ouder") && m.contains("0–100"), "{m}");
    let m = message(web::expected(values(
        "perc_1ouder",
        JsValue::from_str("veel"),
    )));
    assert!(
        m.contains("perc_1ouder") && m.contains("verwacht een getal"),
        "{m}"
    );
    let m = message(web::expected(values("onzin", JsValue::from_f64(1.0))));
    assert!(
        m.contains("onzin") && m.contains("onbekende determinant"),
        "{m}"
    );
    let m = message(web::expected(obj(&[(
        "gemeente",
        JsValue::from_str("GM9999"),
    )])));
    assert!(m.contains("gemeente") && m.contains("GM9999"), "{m}");
    let m = message(web::expected(obj(&[(
        "gemeente",
        JsValue::from_f64(363.0),
    )])));
    assert!(m.contains("gemeente"), "{m}");
    let m = message(web::expected(JsValue::from_str("WK036300")));
    assert!(m.contains("profiel"), "{m}");
    let m = message(web::wijk_profile(JsValue::from_str("WK999999")));
    assert!(m.contains("wijk") && m.contains("WK999999"), "{m}");
    let m = message(web::expected_all(
        Float64Array::new_with_length(3).into(),
        JsValue::from_str("land"),
        JsValue::NULL,
    ));
    assert!(m.contains("deltas"), "{m}");
    let m = message(web::expected_all(
        Float64Array::new_with_length(27).into(),
        JsValue::from_str("provincie"),
        JsValue::NULL,
    ));
    assert!(m.contains("scope"), "{m}");
    let m = message(web::intervals_all(
        Float64Array::new_with_length(27).into(),
        JsValue::from_str("gemeente"),
        JsValue::from_str("GM9999"),
    ));
    assert!(m.contains("GM9999"), "{m}");
    let m = message(web::expected(obj(&[("n_jeugd", JsValue::from_f64(-4.0))])));
    assert!(m.contains("n_jeugd") && m.contains("minstens 1"), "{m}");
    // The same error in English beside it (issue 12).
    let en = message_en(web::expected(obj(&[("n_jeugd", JsValue::from_f64(-4.0))])));
    assert_eq!(
        en,
        "n_jeugd: -4 is not a valid number of youths: expected a number of at least 1 (at most 1,000,000)"
    );
    let m = message(web::expected(obj(&[(
        "n_jeugd",
        JsValue::from_str("veel"),
    )])));
    assert!(
        m.contains("n_jeugd") && m.contains("verwacht een getal"),
        "{m}"
    );
    let m = message(web::expected(obj(&[(
        "wijk",
        JsValue::from_str("WK999999"),
    )])));
    assert!(m.contains("wijk") && m.contains("WK999999"), "{m}");
    let m = message(web::load_wijk_values(u8a(b"{\"kapot\":")));
    assert!(
        m.contains("wijkwaarden.bin") && m.contains("geen gegevensbestand"),
        "{m}"
    );
    let m = message(web::load_wijk_values(u8a(SITE_BIN)));
    assert!(m.contains("wijkwaarden.bin: dit is site.bin"), "{m}");
    let m = message(web::load_site(u8a(&VALUES_BIN[..VALUES_BIN.len() / 2])));
    assert!(m.contains("site.bin: dit is wijkwaarden.bin"), "{m}");
    let m = message(web::load_site(u8a(&SITE_BIN[..SITE_BIN.len() / 2])));
    assert!(m.contains("site.bin: onleesbaar of afgebroken"), "{m}");
    // A failed load leaves what was loaded; a second load of the wijken is refused.
    assert!(web::has_site().unwrap() && web::has_wijk_values().unwrap());
    let m = message(web::load_site(u8a(SITE_BIN)));
    assert!(m.contains("al geladen"), "{m}");
    assert!(web::has_site().unwrap() && web::has_wijk_values().unwrap());
}

/// Numbers at the edges, values of the wrong type and missing fields
/// (docs/input-errors.md): each gets an Error naming the field, with short
/// numbers; a missing field is imputed; nothing traps.
#[wasm_bindgen_test]
fn edge_numbers_wrong_types_and_missing_fields_get_an_answer() {
    ensure_site();
    ensure_values();
    let values = |k: &str, v: JsValue| obj(&[("values", obj(&[(k, v)]))]);
    let expected_of = |p: JsValue| num(&web::expected(p).unwrap(), "expected");

    // A getter that calls the calculator again gets an error, not a panic; a Proxy whose
    // key trap throws is an error naming `values`; the calculator works on after both.
    let inner: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let seen = inner.clone();
    let getter = Closure::<dyn FnMut() -> JsValue>::new(move || {
        *seen.borrow_mut() = Some(message(web::determinants()));
        JsValue::NULL
    });
    let p = Object::new();
    Object::define_property(
        &p,
        &JsValue::from_str("gemeente"),
        obj(&[("get", getter.as_ref().clone())]).unchecked_ref(),
    );
    assert!(web::expected(p.into()).is_ok());
    let m = inner.borrow().clone().expect("the getter ran");
    assert!(m.contains("al bezig"), "{m}");
    let handler = Object::new();
    Reflect::set(
        &handler,
        &JsValue::from_str("ownKeys"),
        &js_sys::Function::new_no_args("throw new Error('nee')"),
    )
    .unwrap();
    let proxy = js_sys::Proxy::new(&Object::new(), &handler);
    let m = message(web::expected(obj(&[("values", proxy.into())])));
    assert!(
        m.contains("values") && m.contains("niet worden gelezen"),
        "{m}"
    );
    assert!(web::expected(obj(&[])).is_ok());
    assert!(web::determinants().is_ok());

    // ±inf and huge values: refused by name, the number written short.
    for v in [f64::INFINITY, f64::NEG_INFINITY] {
        let m = message(web::expected(values("perc_1ouder", JsValue::from_f64(v))));
        assert!(
            m.contains("perc_1ouder") && m.contains("geen geldig getal"),
            "{m}"
        );
    }
    for (name, v, want) in [
        ("grijzedruk", 1e308, "1e308 ligt boven het maximum"),
        ("gem_gestink", 1e300, "1e300 ligt boven het maximum"),
        ("perc_1ouder", -1e308, "-1e308 ligt buiten 0–100 %"),
        ("woonwaarde", -5.0, "-5 mag niet negatief zijn"),
        ("samenw", 2.0, "2 moet 0 (nee) of 1 (ja) zijn"),
    ] {
        let m = message(web::expected(values(name, JsValue::from_f64(v))));
        assert!(m.contains(name) && m.contains(want) && m.len() < 200, "{m}");
    }
    // The edges of a range are values; -0 is 0.
    let at = |v: f64| expected_of(values("perc_1ouder", JsValue::from_f64(v)));
    assert!(at(0.0).is_finite() && at(100.0).is_finite() && at(5e-324).is_finite());
    assert_eq!(at(-0.0), at(0.0));

    // The youth count: NaN, ±inf, zero and huge are refused by name.
    for (n, want) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "minstens 1"),
        (f64::NEG_INFINITY, "minstens 1"),
        (0.0, "minstens 1"),
        (
            0.5,
            "0.5 is geen geldig aantal jeugdigen: verwacht een getal van minstens 1",
        ),
        (1e-310, "1e-310 is geen geldig aantal jeugdigen"),
        (1e308, "1e308 jeugdigen is meer dan in enige wijk"),
    ] {
        let m = message(web::expected(obj(&[("n_jeugd", JsValue::from_f64(n))])));
        assert!(
            m.contains("n_jeugd") && m.contains(want) && m.len() < 200,
            "{n}: {m}"
        );
    }

    // Wrong types: each names the field and what it expected.
    let some_array = || -> JsValue { Array::of1(&JsValue::from_f64(5.0)).into() };
    for (profile, field, want) in [
        (
            values("perc_1ouder", JsValue::TRUE),
            "perc_1ouder",
            "verwacht een getal, kreeg boolean",
        ),
        (
            values("perc_1ouder", obj(&[])),
            "perc_1ouder",
            "verwacht een getal, kreeg object",
        ),
        (
            values("perc_1ouder", JsValue::from_str("12,5")),
            "perc_1ouder",
            "verwacht een getal, kreeg string",
        ),
        (
            obj(&[("values", some_array())]),
            "0",
            "onbekende determinant",
        ),
        (
            obj(&[("values", JsValue::from_str("perc_1ouder=5"))]),
            "values",
            "verwacht een object",
        ),
        (
            obj(&[("gemeente", JsValue::TRUE)]),
            "gemeente",
            "gemeentecode als tekst",
        ),
        (
            obj(&[("wijk", JsValue::from_f64(36300.0))]),
            "wijk",
            "wijkcode als tekst",
        ),
        (
            obj(&[("n_jeugd", JsValue::from_str("800"))]),
            "n_jeugd",
            "verwacht een getal, kreeg string",
        ),
        (JsValue::NULL, "profiel", "verwacht een object"),
        (JsValue::UNDEFINED, "profiel", "verwacht een object"),
        (JsValue::from_f64(1.0), "profiel", "verwacht een object"),
    ] {
        let m = message(web::expected(profile));
        assert!(
            m.starts_with(&format!("{field}: ")) && m.contains(want),
            "{field}: {m}"
        );
    }

    // Missing fields are imputed by the model's rule, not errors: {}, empty
    // values, and a null or undefined value are the same profile, whose gaps
    // hold the national mean (or 0, for SCP's seven).
    let national = web::national_profile().unwrap();
    let empty = web::expected(obj(&[])).unwrap();
    let e = num(&empty, "expected");
    assert!(e.is_finite());
    assert_eq!(expected_of(obj(&[("values", obj(&[]))])), e);
    assert_eq!(expected_of(values("perc_1ouder", JsValue::NULL)), e);
    assert_eq!(expected_of(values("perc_1ouder", JsValue::UNDEFINED)), e);
    let dets = Array::from(&web::determinants().unwrap());
    let k = dets
        .iter()
        .position(|d| get(&d, "name").as_string().unwrap() == "perc_1ouder")
        .unwrap() as u32;
    let imputed = Array::from(&get(&empty, "imputed"));
    assert_eq!(
        imputed.get(k).as_f64(),
        get(&get(&national, "values"), "perc_1ouder").as_f64()
    );

    // The all-wijken calls: NaN, ±inf and huge changes, by determinant name.
    let k = dets
        .iter()
        .position(|d| get(&d, "name").as_string().unwrap() == "grijzedruk")
        .unwrap() as u32;
    for (d, want) in [
        (f64::NAN, "wijziging is geen geldig getal"),
        (f64::INFINITY, "wijziging is geen geldig getal"),
        (f64::NEG_INFINITY, "wijziging is geen geldig getal"),
        (1e308, "wijziging 1e308 is groter dan het bereik toelaat"),
    ] {
        let deltas = Float64Array::new_with_length(27);
        deltas.set_index(k, d);
        for m in [
            message(web::expected_all(
                deltas.clone().into(),
                JsValue::from_str("land"),
                JsValue::NULL,
            )),
            message(web::intervals_all(
                deltas.clone().into(),
                JsValue::from_str("land"),
                JsValue::NULL,
            )),
            message(web::verdicts_all(
                deltas.clone().into(),
                JsValue::from_str("land"),
                JsValue::NULL,
            )),
        ] {
            assert!(
                m.starts_with("grijzedruk: ") && m.contains(want) && m.len() < 250,
                "{d}: {m}"
            );
        }
    }
    // A scope without its code, or with an unknown one.
    let zero = Float64Array::new_with_length(27);
    let m = message(web::expected_all(
        zero.clone().into(),
        JsValue::from_str("gemeente"),
        JsValue::NULL,
    ));
    assert!(
        m.starts_with("code: ") && m.contains("gemeentecode is nodig"),
        "{m}"
    );
    let m = message(web::expected_all(
        zero.clone().into(),
        JsValue::from_str("wijk"),
        JsValue::from_str(""),
    ));
    assert!(m.contains("wijkcode is nodig"), "{m}");
    let m = message(web::scope_members(
        JsValue::from_str("regio"),
        JsValue::from_str("JZ99"),
    ));
    assert!(m.contains("JZ99"), "{m}");
    let m = message(web::wijk_profile(JsValue::from_str("")));
    assert!(
        m.starts_with("wijk: ") && m.contains("onbekende wijkcode ''"),
        "{m}"
    );
}

/// An error with the usual shape: a JS `Error` whose Dutch `message` and English
/// `message_en` both start with `field: `. Returns the Dutch message.
fn named_error<T>(r: Result<T, JsValue>, field: &str) -> String {
    let e: JsValue = r.err().expect("an error");
    assert!(e.is_instance_of::<Error>(), "a JS Error");
    let nl = e.unchecked_ref::<Error>().message().as_string().unwrap();
    let en = get(&e, "message_en").as_string().expect("message_en");
    let prefix = format!("{field}: ");
    assert!(
        nl.starts_with(&prefix) && en.starts_with(&prefix),
        "{nl} / {en}"
    );
    nl
}

/// The calculator still answers after a bad call (it is not left "busy").
fn still_works() {
    assert!(web::wijken().is_ok(), "wijken() after a bad call");
    let p = web::expected(obj(&[("values", Object::new().into())]))
        .unwrap_or_else(|e| panic!("expected() after a bad call: {e:?}"));
    assert!(num(&p, "expected").is_finite());
}

/// Review D1: null, undefined or another kind of array where a typed array belongs is
/// an error naming the argument and what was given (before: a raw TypeError thrown
/// while the calculator was borrowed, after which every call said "al bezig").
#[wasm_bindgen_test]
fn null_or_wrong_arrays_are_named_and_the_calculator_works_on() {
    ensure_values();
    let land = || JsValue::from_str("land");
    let empty = || JsValue::from_str("");
    let m = named_error(web::expected_all(JsValue::NULL, land(), empty()), "deltas");
    assert!(m.contains("verwacht een Float64Array, kreeg null"), "{m}");
    let en = message_en(web::expected_all(JsValue::NULL, land(), empty()));
    assert!(en.contains("expected a Float64Array, got null"), "{en}");
    still_works();
    let m = named_error(
        web::intervals_all(JsValue::UNDEFINED, land(), empty()),
        "deltas",
    );
    assert!(m.contains("kreeg niets (undefined)"), "{m}");
    still_works();
    let plain: JsValue = (0..27)
        .map(|_| JsValue::from_f64(0.0))
        .collect::<Array>()
        .into();
    let m = named_error(web::verdicts_all(plain, land(), empty()), "deltas");
    assert!(m.contains("kreeg een lijst (Array)"), "{m}");
    still_works();
    let m = named_error(
        web::expected_all(
            js_sys::Float32Array::new_with_length(27).into(),
            land(),
            empty(),
        ),
        "deltas",
    );
    assert!(m.contains("een ander soort typed array"), "{m}");
    still_works();
    // The files: a Uint8Array, nothing else.
    for bad in [
        JsValue::NULL,
        Float64Array::new_with_length(3).into(),
        js_sys::ArrayBuffer::new(8).into(),
        JsValue::from_str("site.bin"),
    ] {
        let m = named_error(web::load_site(bad.clone()), "bytes");
        assert!(m.contains("verwacht een Uint8Array"), "{m}");
        named_error(web::load_wijk_values(bad), "bytes");
        still_works();
    }
}

/// Review D2: every export, called from JS with null, undefined, a number, a string or
/// an object in each argument, answers with a value or an `Error` naming the argument;
/// nothing traps (before: "memory access out of bounds" for a number where a code
/// belongs, raw TypeErrors for null), and the calculator works on after each call.
#[wasm_bindgen_test]
fn every_export_answers_any_argument_and_the_calculator_works_on() {
    ensure_values();
    type Export = Box<dyn Fn(&[JsValue]) -> Result<JsValue, JsValue>>;
    #[allow(unused_mut)] // extended only with the Worker's functions
    let mut exports: Vec<(&str, usize, Export)> = vec![
        (
            "loadSite",
            1,
            Box::new(|a| web::load_site(a[0].clone()).map(|_| JsValue::UNDEFINED)),
        ),
        (
            "hasSite",
            0,
            Box::new(|_| web::has_site().map(JsValue::from)),
        ),
        (
            "loadWijkValues",
            1,
            Box::new(|a| web::load_wijk_values(a[0].clone()).map(|_| JsValue::UNDEFINED)),
        ),
        (
            "hasWijkValues",
            0,
            Box::new(|_| web::has_wijk_values().map(JsValue::from)),
        ),
        ("determinants", 0, Box::new(|_| web::determinants())),
        ("wijken", 0, Box::new(|_| web::wijken())),
        ("gemeenten", 0, Box::new(|_| web::gemeenten())),
        (
            "wijkProfile",
            1,
            Box::new(|a| web::wijk_profile(a[0].clone())),
        ),
        ("nationalProfile", 0, Box::new(|_| web::national_profile())),
        ("expected", 1, Box::new(|a| web::expected(a[0].clone()))),
        (
            "expectedAll",
            3,
            Box::new(|a| {
                web::expected_all(a[0].clone(), a[1].clone(), a[2].clone()).map(Into::into)
            }),
        ),
        (
            "intervalsAll",
            3,
            Box::new(|a| {
                web::intervals_all(a[0].clone(), a[1].clone(), a[2].clone()).map(Into::into)
            }),
        ),
        (
            "verdictsAll",
            3,
            Box::new(|a| {
                web::verdicts_all(a[0].clone(), a[1].clone(), a[2].clone()).map(Into::into)
            }),
        ),
        (
            "scopeMembers",
            2,
            Box::new(|a| web::scope_members(a[0].clone(), a[1].clone()).map(Into::into)),
        ),
        ("verdicts", 0, Box::new(|_| web::verdicts())),
        ("modelInfo", 0, Box::new(|_| web::model_info())),
        (
            "gemeenteEffects",
            1,
            Box::new(|a| web::gemeente_effects(a[0].clone())),
        ),
        (
            "gemeenteReport",
            1,
            Box::new(|a| web::gemeente_report(a[0].clone())),
        ),
        ("funnel", 1, Box::new(|a| web::funnel(a[0].clone()))),
        ("incomeClasses", 0, Box::new(|_| web::income_classes())),
    ];
    #[cfg(feature = "worker")]
    exports.extend([
        (
            "extendInspect",
            1,
            Box::new(|a: &[JsValue]| web::extend_inspect(a[0].clone())) as Export,
        ),
        (
            "extendRun",
            2,
            Box::new(|a: &[JsValue]| web::extend_run(a[0].clone(), a[1].clone())) as Export,
        ),
        (
            "refitNational",
            1,
            Box::new(|a: &[JsValue]| web::refit_national(a[0].clone())) as Export,
        ),
    ]);
    // Good arguments for the multi-argument functions, to vary one at a time.
    let good = |name: &str| -> Vec<JsValue> {
        match name {
            "expectedAll" | "intervalsAll" | "verdictsAll" => vec![
                Float64Array::new_with_length(27).into(),
                JsValue::from_str("gemeente"),
                JsValue::from_str("GM0363"),
            ],
            "scopeMembers" => vec![JsValue::from_str("gemeente"), JsValue::from_str("GM0363")],
            "extendRun" => vec![u8a(b"wijkcode;x\r\n"), JsValue::UNDEFINED],
            _ => vec![JsValue::UNDEFINED; 1],
        }
    };
    let bad = || {
        [
            JsValue::NULL,
            JsValue::UNDEFINED,
            JsValue::from_f64(5.0),
            JsValue::from_str("abc"),
            Object::new().into(),
        ]
    };
    let mut calls = 0;
    for (name, arity, f) in &exports {
        let mut cases: Vec<Vec<JsValue>> = bad()
            .into_iter()
            .map(|b| vec![b; (*arity).max(1)])
            .collect();
        if *arity > 1 {
            for k in 0..*arity {
                for b in bad() {
                    let mut args = good(name);
                    args[k] = b;
                    cases.push(args);
                }
            }
        }
        for args in cases {
            calls += 1;
            match f(&args) {
                Ok(_) => {}
                Err(e) => {
                    assert!(
                        e.is_instance_of::<Error>(),
                        "{name}({args:?}): not an Error: {e:?}"
                    );
                    let nl = e.unchecked_ref::<Error>().message().as_string().unwrap();
                    let en = get(&e, "message_en").as_string();
                    assert!(
                        en.is_some_and(|en| !en.is_empty()) && nl.contains(": "),
                        "{name}({args:?}): {nl}"
                    );
                    assert!(
                        !nl.contains("RuntimeError") && !nl.contains("reading"),
                        "{name}: {nl}"
                    );
                }
            }
            still_works();
        }
    }
    assert!(calls > 100, "{calls}");

    // The named cases of the review.
    let n5 = || JsValue::from_f64(5.0);
    let m = named_error(web::wijk_profile(n5()), "code");
    assert!(m.contains("verwacht tekst, kreeg het getal 5"), "{m}");
    named_error(web::wijk_profile(JsValue::NULL), "code");
    let m = named_error(web::gemeente_report(n5()), "code");
    assert!(m.contains("het getal 5"), "{m}");
    let zero = || JsValue::from(Float64Array::new_with_length(27));
    named_error(
        web::expected_all(zero(), n5(), JsValue::from_str("")),
        "scope",
    );
    let m = named_error(
        web::expected_all(zero(), JsValue::from_str("gemeente"), n5()),
        "code",
    );
    assert!(m.contains("het getal 5"), "{m}");
    named_error(web::scope_members(JsValue::NULL, JsValue::NULL), "scope");
    named_error(web::gemeente_effects(JsValue::NULL), "codes");
    let m = named_error(web::gemeente_effects(JsValue::from_str("GM0363")), "codes");
    assert!(
        m.contains("verwacht een lijst met teksten, kreeg de tekst \"GM0363\""),
        "{m}"
    );
    let five: JsValue = std::iter::once(n5()).collect::<Array>().into();
    let m = named_error(web::gemeente_effects(five), "codes[0]");
    assert!(m.contains("het getal 5"), "{m}");
    let en = message_en(web::gemeente_effects(JsValue::from_str("GM0363")));
    assert!(
        en.starts_with("codes: expected an array of texts, got the text"),
        "{en}"
    );
    named_error(web::load_site(JsValue::NULL), "bytes");
    #[cfg(feature = "worker")]
    named_error(web::extend_inspect(JsValue::NULL), "bytes");
    still_works();
}

/// A `values` getter, a Proxy `get` trap or a value's getter that throws is an error
/// naming what could not be read, not a missing value imputed silently.
#[wasm_bindgen_test]
fn a_throwing_getter_in_a_profile_is_an_error_naming_it() {
    ensure_values();
    let thrower = || {
        obj(&[(
            "get",
            js_sys::Function::new_no_args("throw new Error('nee')").into(),
        )])
    };
    let p = Object::new();
    Object::define_property(&p, &JsValue::from_str("values"), thrower().unchecked_ref());
    let m = named_error(web::expected(p.into()), "values");
    assert!(m.contains("kon niet worden gelezen"), "{m}");
    let values = Object::new();
    Object::define_property(&values, &JsValue::from_str("perc_1ouder"), &{
        let d: Object = thrower().unchecked_into();
        Reflect::set(&d, &JsValue::from_str("enumerable"), &JsValue::TRUE).unwrap();
        d
    });
    let m = named_error(
        web::expected(obj(&[("values", values.into())])),
        "perc_1ouder",
    );
    assert!(m.contains("kon niet worden gelezen"), "{m}");
    // A Proxy whose `get` trap throws: as the profile, and as its values.
    let handler = obj(&[(
        "get",
        js_sys::Function::new_no_args("throw new Error('nee')").into(),
    )]);
    let proxy: JsValue = js_sys::Proxy::new(&Object::new(), handler.unchecked_ref()).into();
    named_error(web::expected(proxy.clone()), "n_jeugd");
    let target = obj(&[("perc_1ouder", JsValue::from_f64(10.0))]);
    let proxy: JsValue = js_sys::Proxy::new(target.unchecked_ref(), handler.unchecked_ref()).into();
    named_error(web::expected(obj(&[("values", proxy)])), "perc_1ouder");
    still_works();
}

/// funnel(points) refuses what is not a whole number in its documented 2–1000 (before:
/// -1 gave 1000 points, NaN or "abc" gave 2), by name; the edges are values.
#[wasm_bindgen_test]
fn funnel_refuses_points_outside_2_to_1000() {
    ensure_values();
    for bad in [-1.0, 0.0, 1.0, 1001.0, 2.5, f64::NAN, f64::INFINITY, 1e300] {
        let m = named_error(web::funnel(JsValue::from_f64(bad)), "points");
        assert!(m.contains("2–1000") && m.len() < 100, "{bad}: {m}");
    }
    let m = named_error(web::funnel(JsValue::from_f64(-1.0)), "points");
    assert!(m.starts_with("points: -1 ligt niet in 2–1000"), "{m}");
    let m = named_error(web::funnel(JsValue::from_str("abc")), "points");
    assert!(m.contains("kreeg de tekst \"abc\""), "{m}");
    named_error(web::funnel(JsValue::UNDEFINED), "points");
    for (ok, n) in [(2.0, 2), (60.0, 60), (1000.0, 1000)] {
        let f = web::funnel(JsValue::from_f64(ok)).unwrap();
        assert_eq!(get(&f, "grid").unchecked_into::<Float64Array>().length(), n);
    }
}

/// Issue 12: the per-gemeente functions cross the boundary as documented.
#[wasm_bindgen_test]
fn report_functions_cross_the_boundary() {
    ensure_site();
    ensure_values();
    let effects = Array::from(&web::gemeente_effects(strings(&["GM0363", "GM0344"])).unwrap());
    assert_eq!(effects.length(), 2);
    let a = effects.get(0);
    assert_eq!(get(&a, "code").as_string().unwrap(), "GM0363");
    let (g, r, t) = (get(&a, "gemeente"), get(&a, "regio"), get(&a, "total"));
    assert_eq!(num(&t, "value"), num(&g, "value") + num(&r, "value"));
    let sd = (num(&g, "sd").powi(2) + num(&r, "sd").powi(2)).sqrt();
    assert_eq!(num(&t, "sd"), sd);
    // The same sum as gemeenten().effect, the map's gemeente-effect.
    let list = Array::from(&web::gemeenten().unwrap());
    let ams = list
        .iter()
        .find(|x| get(x, "code").as_string().unwrap() == "GM0363")
        .unwrap();
    assert_eq!(num(&ams, "effect"), num(&t, "value"));
    let m = message(web::gemeente_effects(strings(&["GM9999"])));
    assert!(m.contains("gemeente") && m.contains("GM9999"), "{m}");

    let report = web::gemeente_report(JsValue::from_str("GM0119")).unwrap();
    let rows = Array::from(&get(&report, "wijken"));
    assert_eq!(rows.length() as f64, num(&report, "n_wijken"));
    let hidden: Vec<JsValue> = rows
        .iter()
        .filter(|w| get(w, "observed").is_null())
        .collect();
    assert_eq!(hidden.len(), 3);
    assert!(hidden
        .iter()
        .all(|w| get(w, "verdict").is_null() && get(w, "difference").is_null()));
    assert!(message(web::gemeente_report(JsValue::from_str("GM9999"))).contains("GM9999"));

    let f = web::funnel(JsValue::from_f64(40.0)).unwrap();
    let grid = Float64Array::from(get(&f, "grid"));
    assert_eq!(grid.length(), 40);
    let diff = Float64Array::from(get(&f, "difference"));
    let n = Array::from(&web::wijken().unwrap()).length();
    assert_eq!(diff.length(), n);

    let k = web::income_classes().unwrap();
    assert_eq!(get(&k, "determinant").as_string().unwrap(), "gem_gestink");
    let class = js_sys::Int8Array::from(get(&k, "class"));
    assert_eq!(class.length(), n);
    let unknown = class.to_vec().iter().filter(|c| **c == -1).count();
    assert_eq!(unknown as f64, num(&k, "unknown"));
}

// ---- Local extension and "eigen model" (issue 10): in the Worker's build
// (`--features worker`, as build.sh runs these tests).
#[cfg(feature = "worker")]
mod worker {
    use super::*;

    const EXCEL_NL: &[u8] = include_bytes!("fixtures/extend/haaglanden_excel_nl.csv");
    const KERNCIJFERS: &[u8] =
        include_bytes!("../data/cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv");

    fn text(v: &JsValue, key: &str) -> String {
        get(v, key)
            .as_string()
            .unwrap_or_else(|| panic!("{key} is not a string"))
    }

    #[wasm_bindgen_test]
    fn extend_inspect_reads_an_excel_nl_file_and_names_its_problems() {
        ensure_values();
        let i = web::extend_inspect(u8a(EXCEL_NL)).unwrap();
        assert_eq!(text(&i, "delimiter"), ";");
        assert_eq!(text(&i, "decimal"), "komma");
        assert_eq!(text(&i, "encoding"), "Windows-1252");
        assert_eq!(num(&i, "rows"), 109.0);
        let columns = Array::from(&get(&i, "columns"));
        let names: Vec<(String, bool)> = columns
            .iter()
            .map(|c| (text(&c, "name"), get(&c, "numeric").as_bool().unwrap()))
            .collect();
        assert_eq!(names[1], ("gescheiden".to_string(), true));
        assert_eq!(names[0], ("wijknaam".to_string(), false));
        // 109 rows: one with too few fields, one with `n.v.t.`.
        assert_eq!(num(&columns.get(1), "n_values"), 107.0);
        assert_eq!(num(&columns.get(1), "n_invalid"), 1.0);
        let regios = Array::from(&get(&i, "regios"));
        assert_eq!(regios.length(), 2);
        assert_eq!(text(&regios.get(1), "code"), "JZ24");
        assert_eq!(text(&regios.get(1), "name"), "Haaglanden");
        let problems = Array::from(&get(&i, "problems"));
        let unknown = problems
            .iter()
            .find(|p| get(p, "row").as_f64() == Some(5.0))
            .expect("line 5");
        assert_eq!(text(&unknown, "column"), "wijkcode");
        assert_eq!(text(&unknown, "value"), "WK999999");
        assert_eq!(text(&unknown, "severity"), "fout");
        // A column-level problem has row null.
        let column = problems
            .iter()
            .find(|p| get(p, "column").as_string().as_deref() == Some("opmerking"))
            .expect("the text column");
        assert!(get(&column, "row").is_null());
        assert_eq!(text(&column, "severity"), "waarschuwing");
    }

    #[wasm_bindgen_test]
    fn extend_run_fits_haaglanden_with_the_page_model() {
        ensure_values();
        let options = obj(&[
            ("columns", strings(&["bev_dichth"])),
            ("regios", strings(&["JZ24"])),
        ]);
        let r = web::extend_run(u8a(KERNCIJFERS), options).unwrap();
        assert_eq!(num(&r, "n"), 98.0);
        assert_eq!(num(&r, "n_gemeente"), 10.0);
        let fe = Array::from(&get(&r, "fixed_effects"));
        let g = fe.get(1);
        assert_eq!(text(&g, "term"), "bev_dichth");
        let (est, lo, hi, p) = (
            num(&g, "estimate"),
            num(&g, "ci_low"),
            num(&g, "ci_high"),
            num(&g, "p_value"),
        );
        assert!(lo < est && est < hi && est < 0.0, "{lo} {est} {hi}");
        assert!(p > 0.0 && p < 0.05, "{p}");
        let lr = get(&r, "lr_test");
        assert_eq!(num(&lr, "df"), 1.0);
        assert!(num(&lr, "statistic") > 0.0);
        let variance = get(&r, "variance");
        assert!(num(&variance, "Residual") > 0.0);
        assert!(get(&variance, "jeugdzorgregiocode").is_undefined());
        let red = num(&r, "residual_variance_reduction");
        assert!(red > 0.0 && red < 1.0, "{red}");
        let gemeenten = Array::from(&get(&get(&r, "random_effects"), "gemeente"));
        assert_eq!(gemeenten.length(), 10);
        let den_haag = gemeenten
            .iter()
            .find(|g| text(g, "code") == "GM0518")
            .unwrap();
        assert!(text(&den_haag, "naam").contains("Gravenhage"));
        for key in ["value", "cond_sd", "value_null", "value_national"] {
            assert!(num(&den_haag, key).is_finite(), "{key}");
        }
        let predictions = Array::from(&get(&r, "predictions"));
        assert_eq!(predictions.length(), 98);
        let w = predictions.get(0);
        let (o, e) = (num(&w, "observed"), num(&w, "expected_national"));
        assert!((num(&w, "residual_national") - (o - e)).abs() < 1e-12);
        assert_eq!(Array::from(&get(&w, "z")).length(), 1);
        assert!(text(&w, "gemeentecode").starts_with("GM"));
        let cautions = Array::from(&get(&r, "cautions"));
        assert!(cautions
            .iter()
            .any(|c| c.as_string().unwrap().contains("Samenhang is geen oorzaak")));
        // Every row left out says why: all wijken of the other 41 regio's, among others.
        assert!(Array::from(&get(&r, "problems")).length() > 2000);
    }

    #[wasm_bindgen_test]
    fn extend_run_defaults_and_errors() {
        ensure_values();
        // Defaults: every numeric column, the regio's of the file's wijken.
        let r = web::extend_run(u8a(EXCEL_NL), JsValue::UNDEFINED).unwrap();
        let columns: Vec<String> = Array::from(&get(&r, "columns"))
            .iter()
            .map(|c| c.as_string().unwrap())
            .collect();
        assert_eq!(columns, ["gescheiden", "dichtheid", "huishoudgrootte"]);
        assert_eq!(Array::from(&get(&r, "regios")).length(), 2);
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("columns", strings(&["scheiding"]))]),
        ));
        assert!(
            m.contains("kolom scheiding") && m.contains("niet in het bestand"),
            "{m}"
        );
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("columns", strings(&["opmerking"]))]),
        ));
        assert!(
            m.contains("opmerking") && m.contains("geen getallenkolom"),
            "{m}"
        );
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("regios", strings(&["JZ99"]))]),
        ));
        assert!(m.contains("JZ99"), "{m}");
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("columns", JsValue::from_f64(5.0))]),
        ));
        assert!(m.contains("options"), "{m}");
        // An unknown (misspelt) option is refused by name, not ignored.
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("colums", strings(&["gescheiden"]))]),
        ));
        assert!(m.starts_with("options.colums: onbekende optie"), "{m}");
        let en = message_en(web::extend_run(
            u8a(EXCEL_NL),
            obj(&[("colums", strings(&["gescheiden"]))]),
        ));
        assert!(en.starts_with("options.colums: unknown option"), "{en}");
        let m = message(web::extend_run(
            u8a(EXCEL_NL),
            JsValue::from_str("gescheiden"),
        ));
        assert!(m.starts_with("options: verwacht"), "{m}");
        let m = message(web::extend_run(u8a(b""), JsValue::UNDEFINED));
        assert!(m.contains("leeg"), "{m}");
        let m = message(web::extend_inspect(u8a(b"code;x\r\nWK050311;1\r\n")));
        assert!(m.contains("regel 1") && m.contains("wijkcode"), "{m}");
        let en = message_en(web::extend_inspect(u8a(b"code;x\r\nWK050311;1\r\n")));
        assert!(
            en.starts_with("line 1, column wijkcode: the header line has no column wijkcode"),
            "{en}"
        );
        let m = message(web::extend_run(
            u8a(b"wijkcode;x\r\nWK050311;1\r\nWK050312;2\r\n"),
            JsValue::UNDEFINED,
        ));
        assert!(m.contains("te weinig wijken"), "{m}");
    }

    #[wasm_bindgen_test]
    fn refit_national_with_a_subset_and_all_determinants() {
        ensure_values();
        let r = web::refit_national(strings(&["perc_1ouder", "perc_hhmk"])).unwrap();
        let dets: Vec<String> = Array::from(&get(&r, "determinants"))
            .iter()
            .map(|d| d.as_string().unwrap())
            .collect();
        assert_eq!(dets, ["perc_hhmk", "perc_1ouder"]);
        assert_eq!(Array::from(&get(&r, "fixed_effects")).length(), 3);
        let v = get(&r, "variance");
        for key in ["gemeentecode", "jeugdzorgregiocode", "Residual"] {
            assert!(num(&v, key) >= 0.0, "{key}");
        }
        let verdicts: js_sys::Int8Array = get(&r, "verdicts").dyn_into().unwrap();
        assert_eq!(verdicts.length(), 2918);
        let changes = get(&r, "verdict_changes");
        assert!(num(&changes, "vs_default") > 0.0);
        assert!(num(&changes, "vs_scp") >= 0.0);
        // All of the model's determinants: the page's model again.
        let names: Vec<String> = Array::from(&web::determinants().unwrap())
            .iter()
            .map(|d| text(&d, "name"))
            .collect();
        let all: Array = names.iter().map(|n| JsValue::from_str(n)).collect();
        let r = web::refit_national(all.into()).unwrap();
        assert_eq!(num(&get(&r, "verdict_changes"), "vs_default"), 0.0);
        let info = web::model_info().unwrap();
        // The same fit as the native one compiled in, to rounding (wasm's
        // logarithms are not the platform's).
        let (a, b) = (num(&r, "reml_criterion"), num(&info, "reml_criterion"));
        assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        let ours = Array::from(&get(&r, "fixed_effects"));
        let model = Array::from(&get(&info, "fixed_effects"));
        for i in 0..28 {
            let (a, b) = (
                num(&ours.get(i), "estimate"),
                num(&model.get(i), "estimate"),
            );
            assert!(
                (a - b).abs() <= 1e-7 * num(&model.get(i), "std_error"),
                "{i}: {a} vs {b}"
            );
        }
        let m = message(web::refit_national(strings(&["onzin"])));
        assert!(m.contains("determinants") && m.contains("onzin"), "{m}");
        let m = message(web::refit_national(JsValue::from_str("perc_hhmk")));
        assert!(m.contains("determinants"), "{m}");
        let m = message(web::refit_national(strings(&[])));
        assert!(m.contains("leeg"), "{m}");
    }
}

/// D4: `expected()` gives a `caution` {message, message_en} for a value outside the
/// range of 2017 (and an expected use below 0), and null for a wijk's own values.
#[wasm_bindgen_test]
fn expected_gives_a_caution_outside_the_range_of_2017() {
    let values = |k: &str, v: JsValue| obj(&[("values", obj(&[(k, v)]))]);
    let r = web::expected(values("grijzedruk", JsValue::from_f64(999.0))).unwrap();
    let caution = get(&r, "caution");
    let (nl, en) = (
        get(&caution, "message").as_string().unwrap(),
        get(&caution, "message_en").as_string().unwrap(),
    );
    assert!(
        nl.contains("(grijzedruk) 999 per 100 inwoners") && nl.contains("waargenomen"),
        "{nl}"
    );
    assert!(en.contains("(grijzedruk) 999 per 100 residents"), "{en}");
    if num(&r, "expected") < 0.0 {
        assert!(nl.contains("buiten 0–100 %") && en.contains("outside 0–100 %"));
    }
    let r = web::expected(values("grijzedruk", JsValue::from_f64(30.0))).unwrap();
    assert!(get(&r, "caution").is_null(), "{:?}", get(&r, "caution"));
}
