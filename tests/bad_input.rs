//! Bad input of every kind gets a clear Dutch answer, never a hang, a panic or
//! a non-finite number: collinear determinants, damaged model files, values
//! out of range, very long numbers.

mod common;
use jeugdhulp_wijk::fit::{self, Design};
use jeugdhulp_wijk::model;
use std::sync::mpsc;
use std::time::Duration;

/// Run `f` on its own thread and fail if it has not finished within `secs`
/// (a hang must fail the test, not stall the suite).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("no answer within {secs} s: the call hangs"))
}

/// A small synthetic design: 8 gemeenten in 3 regio's, 10 wijken each, with
/// covariates from `columns(row)` and a response that depends on the first.
fn synthetic(q: usize, columns: impl Fn(usize, f64, f64) -> Vec<f64>) -> Design {
    let n = 80;
    let gemeente: Vec<usize> = (0..n).map(|i| i / 10).collect();
    let mut d = Design::new(q, gemeente, vec![0, 0, 0, 1, 1, 2, 2, 2], 3);
    // A fixed pseudo-random sequence (no dependency, same numbers every run).
    let mut state = 12345u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let (u, v) = (next(), next());
        let x = columns(i, u, v);
        assert_eq!(x.len(), q);
        for (k, value) in x.iter().enumerate() {
            d.data[(i, k + 1)] = *value;
        }
        d.data[(i, q + 1)] = 10.0 + 3.0 * x[0] + next() + (i / 10) as f64 * 0.3;
    }
    d
}

#[test]
fn collinear_determinants_are_named_before_the_fit_iterates() {
    // c = a + 2b exactly; d is independent and not part of the problem.
    let design = synthetic(4, |i, u, v| {
        let (a, b) = (u * 10.0, v * 5.0);
        vec![a, b, a + 2.0 * b, ((i * 7) % 11) as f64]
    });
    let err = within(10, move || fit::fit(design, &["a", "b", "c", "d"]))
        .expect_err("a collinear design must be refused");
    let m = err.to_string();
    assert!(m.contains("collineair"), "{m}");
    for name in ["a", "b", "c"] {
        assert!(m.contains(&format!("'{name}'")), "{name} in {m}");
    }
    assert!(!m.contains("'d'"), "{m}");

    // A plain duplicate.
    let design = synthetic(2, |_, u, _| vec![u, u]);
    let m = within(10, move || fit::fit(design, &["x", "x_kopie"]))
        .unwrap_err()
        .to_string();
    assert!(m.contains("'x'") && m.contains("'x_kopie'"), "{m}");

    // Nearly but not exactly collinear is a valid (if poorly determined) fit.
    let design = synthetic(2, |i, u, _| vec![u, u + 1e-3 * ((i % 3) as f64)]);
    within(10, move || fit::fit(design, &["x", "y"])).expect("not collinear");
}

#[test]
fn a_response_without_spread_is_refused_not_iterated() {
    // A response without spread: σ² is 0 at every θ, the criterion infinite.
    let mut design = synthetic(1, |_, u, _| vec![u]);
    let q = 1;
    design.data.column_mut(q + 1).fill(7.0);
    let m = within(10, move || fit::fit(design, &["x"]))
        .unwrap_err()
        .to_string();
    assert!(m.contains("respons heeft geen spreiding"), "{m}");
}

#[test]
fn collinear_determinants_in_the_data_are_refused_quickly() {
    // perc_hhbijs made a copy of perc_1ouder (missing values alike, so the
    // imputed design columns are equal too).
    let mut ds = common::dataset().clone();
    let (a, _) = jeugdhulp_wijk::determinants::find("perc_1ouder").unwrap();
    let (b, _) = jeugdhulp_wijk::determinants::find("perc_hhbijs").unwrap();
    for w in &mut ds.wijken {
        w.values[b] = w.values[a];
    }
    let dets =
        jeugdhulp_wijk::determinants::select(&["perc_1ouder", "samenw", "perc_hhbijs"]).unwrap();
    let m = within(20, move || {
        model::fit_model(&ds, &dets, "test.csv", "").expect_err("collinear")
    });
    assert!(
        m.contains("'perc_1ouder'") && m.contains("'perc_hhbijs'") && !m.contains("samenw"),
        "{m}"
    );
}

/// The full model as JSON text.
fn model_json() -> String {
    serde_json::to_string_pretty(common::full_model()).unwrap()
}

#[test]
fn a_model_with_short_vectors_is_refused_when_loaded_not_when_used() {
    use jeugdhulp_wijk::model::{Predictor, Profile};
    // One gemeente's imputation means one short.
    let mut m = common::full_model().clone();
    let (code, means) = m.imputation.gemeente.iter_mut().next().unwrap();
    let code = code.clone();
    means.pop();
    let e = Predictor::new(m).expect_err("short imputation vector");
    assert!(
        e.contains("imputation.gemeente") && e.contains(&code),
        "{e}"
    );

    // The national means, the vcov rows, the determinants.
    let mut m = common::full_model().clone();
    m.imputation.national.pop();
    assert!(Predictor::new(m)
        .unwrap_err()
        .contains("imputation.national"));
    let mut m = common::full_model().clone();
    m.vcov[3].pop();
    assert!(Predictor::new(m).unwrap_err().contains("vcov"));
    let mut m = common::full_model().clone();
    m.determinants[2].name = "onzin".into();
    assert!(Predictor::new(m).unwrap_err().contains("onzin"));

    // A whole model still predicts.
    let p = Predictor::new(common::full_model().clone()).unwrap();
    let q = p.n_determinants();
    let code = p.model.imputation.gemeente.keys().next().unwrap().clone();
    p.expected(&Profile {
        gemeente: Some(code),
        values: vec![None; q],
    })
    .unwrap();
}

#[test]
fn a_model_file_of_another_version_says_so_before_anything_else() {
    use jeugdhulp_wijk::site::calculator_from_json;
    let site = "{}"; // never reached
                     // Another version in another shape: the version is what is wrong.
    let e = calculator_from_json(r#"{"schema_version": 3, "model": {}}"#, site, None)
        .err()
        .unwrap();
    assert!(e.contains("schemaversie 3") && e.contains("1 en 2"), "{e}");
    // The right shape with another version.
    let other = model_json().replacen("\"schema_version\": 1", "\"schema_version\": 7", 1);
    let e = calculator_from_json(&other, site, None).err().unwrap();
    assert!(e.contains("schemaversie 7"), "{e}");
    // No version at all: not one of our model files.
    let e = calculator_from_json(r#"{"formula": "y ~ x"}"#, site, None)
        .err()
        .unwrap();
    assert!(e.contains("schema_version ontbreekt"), "{e}");
    let e = calculator_from_json("[1, 2, 3]", site, None).err().unwrap();
    assert!(e.contains("geen modelbestand"), "{e}");
    // Version 1 but a field missing: named.
    let mut v: serde_json::Value = serde_json::from_str(&model_json()).unwrap();
    v.as_object_mut().unwrap().remove("vcov");
    let e = calculator_from_json(&v.to_string(), site, None)
        .err()
        .unwrap();
    assert!(e.contains("vcov"), "{e}");
    // Truncated.
    let text = model_json();
    let e = calculator_from_json(&text[..text.len() / 2], site, None)
        .err()
        .unwrap();
    assert!(e.contains("afgebroken"), "{e}");
}

fn calculator() -> jeugdhulp_wijk::site::Calculator {
    use jeugdhulp_wijk::model::Predictor;
    use jeugdhulp_wijk::site::{Calculator, SiteData};
    let p = Predictor::new(common::full_model().clone()).unwrap();
    let site = SiteData::build(common::dataset(), &p).unwrap();
    Calculator::new(p, site).unwrap()
}

fn at(c: &jeugdhulp_wijk::site::Calculator, name: &str) -> usize {
    c.predictor
        .model
        .determinants
        .iter()
        .position(|d| d.name == name)
        .unwrap()
}

/// The national mean profile with `name` set to `v`.
fn with_value(
    c: &jeugdhulp_wijk::site::Calculator,
    name: &str,
    v: f64,
) -> jeugdhulp_wijk::model::Profile {
    let mut values: Vec<Option<f64>> = c
        .predictor
        .model
        .imputation
        .national
        .iter()
        .map(|v| Some(*v))
        .collect();
    values[at(c, name)] = Some(v);
    jeugdhulp_wijk::model::Profile {
        gemeente: None,
        values,
    }
}

#[test]
fn every_unit_has_an_upper_bound_and_long_numbers_stay_short() {
    let c = calculator();
    for (name, too_big, fine) in [
        ("grijzedruk", 1e308, 227.0),
        ("groenedruk", 501.0, 84.0),
        ("gem_gestink", 1e7, 101_370.0),
        ("woonwaarde", 20_000.0, 1198.0),
        ("afstandhuisarts", 1e4, 11.9),
    ] {
        let e = c
            .predictor
            .expected(&with_value(&c, name, too_big))
            .expect_err(name);
        assert_eq!(e.field, name);
        assert!(e.message.contains("maximum"), "{e}");
        // The same in English, side by side (issue 12): the unit in English too.
        assert!(
            e.message.en.contains("is above the maximum of")
                && !e.message.en.contains("maximum van"),
            "{}",
            e.message.en
        );
        assert!(e.to_string().len() < 160, "a short message: {e}");
        let p = c.predictor.expected(&with_value(&c, name, fine)).unwrap();
        assert!(p.pi_low.is_finite() && p.pi_high.is_finite());
    }
    // 1e308 is shown as 1e308, not as 309 digits.
    let e = c
        .predictor
        .expected(&with_value(&c, "grijzedruk", 1e308))
        .unwrap_err();
    assert!(e.message.contains("1e308"), "{e}");
    let e = c
        .predictor
        .expected(&with_value(&c, "perc_1ouder", -1e300))
        .unwrap_err();
    assert!(e.message.contains("-1e300") && e.message.len() < 80, "{e}");
    assert_eq!(e.message.en, "-1e300 lies outside 0–100 %");
    // A youth count: both languages.
    let e = model::check_n_jeugd(-3.0).unwrap_err();
    assert_eq!(e.field, "n_jeugd");
    assert!(e.message.contains("geen geldig aantal jeugdigen"), "{e}");
    assert_eq!(
        e.message.en,
        "-3 is not a valid number of youths: expected a number of at least 1 (at most 1,000,000)"
    );
}

#[test]
fn what_if_deltas_are_checked_against_the_same_ranges_as_expected() {
    use jeugdhulp_wijk::site::Scope;
    let c = calculator();
    let q = c.predictor.n_determinants();
    let mut out = vec![0.0; c.len()];
    for (name, width) in [("grijzedruk", 1000.0), ("perc_1ouder", 100.0)] {
        let k = at(&c, name);
        for (delta, ok) in [
            (1e308, false),
            (-1e308, false),
            (width + 0.5, false),
            (-width - 0.5, false),
            // The difference of two valid values: the largest change a user
            // can make by moving one value within its range.
            (width, true),
            (-width, true),
        ] {
            let mut deltas = vec![0.0; q];
            deltas[k] = delta;
            let all = c.expected_all(&deltas, Scope::Land, &mut out);
            let intervals = c.intervals_all(&deltas, Scope::Land);
            if ok {
                all.unwrap();
                assert!(out.iter().all(|v| v.is_finite()), "{name} {delta}");
                assert!(intervals.unwrap().iter().all(|v| v.is_finite()));
            } else {
                let e = all.expect_err(&format!("{name} {delta}"));
                assert_eq!(e.field, name);
                assert!(e.to_string().len() < 200, "{e}");
                assert_eq!(intervals.unwrap_err(), e);
            }
        }
    }
}
