//! Prediction from the model: intervals, fallbacks, contributions, input
//! errors, and the all-wijken calculator the page and maps use.

mod common;
use common::*;
use jeugdhulp_wijk::model::{EffectLevel, Model, Predictor, Profile, Z95};
use jeugdhulp_wijk::site::{self, Calculator, Scope, SiteData};
use jeugdhulp_wijk::wire;

fn predictor() -> Predictor {
    Predictor::new(full_model().clone()).unwrap()
}

fn calculator() -> Calculator {
    let p = predictor();
    let site = SiteData::build(dataset(), &p).unwrap();
    Calculator::new(p, site).unwrap()
}

fn idx(m: &Model, name: &str) -> usize {
    m.determinants.iter().position(|d| d.name == name).unwrap()
}

/// Groningen's Oosterparkwijk area is a gemeente with many wijken; any wijk will do.
fn some_wijk_profile(c: &Calculator, i: usize) -> Profile {
    let w = &c.site.wijken[i];
    Profile {
        gemeente: Some(w.gemeente_code.to_string()),
        values: w.values.clone(),
    }
}

#[test]
fn pi_contains_ci_and_intervals_widen_without_gemeente() {
    let c = calculator();
    for i in (0..c.len()).step_by(97) {
        let prof = some_wijk_profile(&c, i);
        let with = c.predictor.expected(&prof).unwrap();
        assert_eq!(with.level, EffectLevel::Gemeente);
        assert!(
            with.pi_low < with.ci_low && with.ci_high < with.pi_high,
            "{with:?}"
        );
        assert!((with.ci_high - with.expected - Z95 * with.se).abs() < 1e-12);

        // No gemeente: the same values (already filled, so imputation is equal).
        let filled: Vec<Option<f64>> = with.imputed.iter().map(|v| Some(*v)).collect();
        let without = c
            .predictor
            .expected(&Profile {
                gemeente: None,
                values: filled.clone(),
            })
            .unwrap();
        assert_eq!(without.level, EffectLevel::Geen);
        assert_eq!(without.expected, with.expected_fixed);
        assert!(without.ci_high - without.ci_low > with.ci_high - with.ci_low);
        assert!(without.pi_high - without.pi_low > with.pi_high - with.pi_low);

        // A well-formed but unknown gemeente falls back to the fixed part.
        let unknown = c
            .predictor
            .expected(&Profile {
                gemeente: Some("GM9999".into()),
                values: filled,
            })
            .unwrap();
        assert_eq!(unknown.level, EffectLevel::Geen);
        assert_eq!(unknown.se, without.se);
    }
}

#[test]
fn a_gemeente_without_blup_falls_back_to_its_regio() {
    let mut m = full_model().clone();
    let dropped = m.random_effects.gemeente.remove(0);
    let regio = m.gemeente_regio[&dropped.code].clone();
    let u_r = m
        .random_effects
        .regio
        .iter()
        .find(|r| r.code == regio)
        .unwrap()
        .clone();
    let p = Predictor::new(m.clone()).unwrap();
    let values: Vec<Option<f64>> = m.imputation.national.iter().map(|v| Some(*v)).collect();
    let pred = p
        .expected(&Profile {
            gemeente: Some(dropped.code.clone()),
            values: values.clone(),
        })
        .unwrap();
    assert_eq!(pred.level, EffectLevel::Regio);
    assert_eq!(pred.u_gemeente, 0.0);
    assert_eq!(pred.u_regio, u_r.value);
    let fixed_var = p.fixed_variance(&pred.imputed);
    let want = (fixed_var + m.variance.gemeente + u_r.cond_sd.powi(2)).sqrt();
    assert!((pred.se - want).abs() < 1e-12);
    let none = p
        .expected(&Profile {
            gemeente: None,
            values,
        })
        .unwrap();
    assert!(
        none.se > pred.se,
        "without a regio the interval is wider still"
    );
}

#[test]
fn contributions_explain_the_fixed_part() {
    let c = calculator();
    let m = &c.predictor.model;
    let national: Vec<Option<f64>> = m.imputation.national.iter().map(|v| Some(*v)).collect();
    let at_mean = c
        .predictor
        .expected(&Profile {
            gemeente: None,
            values: national,
        })
        .unwrap();
    assert!(at_mean.contributions.iter().all(|v| v.abs() < 1e-12));
    for i in [0, 500, 1500, 2900] {
        let p = c.predictor.expected(&some_wijk_profile(&c, i)).unwrap();
        let sum: f64 = p.contributions.iter().sum();
        assert!((at_mean.expected_fixed + sum - p.expected_fixed).abs() < 1e-9);
    }
}

#[test]
fn missing_values_are_imputed_from_the_gemeente_then_nationally() {
    let c = calculator();
    let m = &c.predictor.model;
    let k = idx(m, "perc_hhverd");
    let (i, w) = c
        .site
        .wijken
        .iter()
        .enumerate()
        .find(|(_, w)| {
            w.values[k].is_none() && m.imputation.gemeente[&*w.gemeente_code][k].is_some()
        })
        .unwrap();
    let p = c.predictor.expected(&some_wijk_profile(&c, i)).unwrap();
    assert_eq!(
        p.imputed[k],
        m.imputation.gemeente[&*w.gemeente_code][k].unwrap()
    );
    assert_eq!(
        m.imputation.source(Some(&w.gemeente_code), &w.values)[k],
        jeugdhulp_wijk::impute::ValueSource::GemeenteMean
    );
    let without = c
        .predictor
        .expected(&Profile {
            gemeente: None,
            values: w.values.clone(),
        })
        .unwrap();
    assert_eq!(without.imputed[k], m.imputation.national[k]);
}

#[test]
fn bad_values_name_the_field() {
    let p = predictor();
    let m = &p.model;
    let mut values: Vec<Option<f64>> = m.imputation.national.iter().map(|v| Some(*v)).collect();
    values[idx(m, "perc_1ouder")] = Some(120.0);
    let e = p
        .expected(&Profile {
            gemeente: None,
            values: values.clone(),
        })
        .unwrap_err();
    assert_eq!(e.field, "perc_1ouder");
    assert!(e.message.contains("0–100"));
    values[idx(m, "perc_1ouder")] = Some(f64::NAN);
    assert_eq!(
        p.expected(&Profile {
            gemeente: None,
            values: values.clone()
        })
        .unwrap_err()
        .field,
        "perc_1ouder"
    );
    values[idx(m, "perc_1ouder")] = None;
    values[idx(m, "kleinewijk")] = Some(3.0);
    assert_eq!(
        p.expected(&Profile {
            gemeente: None,
            values: values.clone()
        })
        .unwrap_err()
        .field,
        "kleinewijk"
    );
    values[idx(m, "kleinewijk")] = None;
    values[idx(m, "gem_gestink")] = Some(-5.0);
    assert_eq!(
        p.expected(&Profile {
            gemeente: None,
            values
        })
        .unwrap_err()
        .field,
        "gem_gestink"
    );
    assert_eq!(
        p.expected(&Profile {
            gemeente: None,
            values: vec![None; 3]
        })
        .unwrap_err()
        .field,
        "values"
    );
}

#[test]
fn all_wijken_calls_agree_with_single_predictions() {
    let c = calculator();
    let q = c.predictor.n_determinants();
    let mut out = vec![0.0; c.len()];
    c.expected_all(&vec![0.0; q], Scope::Land, &mut out)
        .unwrap();
    let bounds = c.intervals_all(&vec![0.0; q], Scope::Land).unwrap();
    let n = c.len();
    for i in (0..n).step_by(53) {
        let p = c.predictor.expected(&some_wijk_profile(&c, i)).unwrap();
        assert!((out[i] - p.expected).abs() < 1e-10);
        assert!((bounds[i] - p.ci_low).abs() < 1e-10 && (bounds[n + i] - p.ci_high).abs() < 1e-10);
        assert!(
            (bounds[2 * n + i] - p.pi_low).abs() < 1e-10
                && (bounds[3 * n + i] - p.pi_high).abs() < 1e-10
        );
    }

    // Bijstand −2 procentpunt in one gemeente moves exactly its wijken by −2β
    // (by −β·x where a wijk has x < 2: a share does not go below 0).
    let k = idx(&c.predictor.model, "perc_hhbijs");
    let beta = c.predictor.beta()[k + 1];
    let g = c.site.wijken[100].gemeente_code.clone();
    let mut deltas = vec![0.0; q];
    deltas[k] = -2.0;
    let mut shifted = vec![0.0; n];
    c.expected_all(&deltas, Scope::Gemeente(&g), &mut shifted)
        .unwrap();
    for i in 0..n {
        let want = if c.site.wijken[i].gemeente_code == g {
            let x = c.filled(i).unwrap()[k];
            out[i] - x.min(2.0) * beta
        } else {
            out[i]
        };
        assert!((shifted[i] - want).abs() < 1e-10);
    }
    let moved_bounds = c.intervals_all(&deltas, Scope::Gemeente(&g)).unwrap();
    let i = c
        .site
        .wijken
        .iter()
        .position(|w| w.gemeente_code == g)
        .unwrap();
    assert!((moved_bounds[3 * n + i] - moved_bounds[2 * n + i]) > 0.0);

    // Errors name the field.
    assert_eq!(
        c.expected_all(&[0.0; 3], Scope::Land, &mut out)
            .unwrap_err()
            .field,
        "deltas"
    );
    assert_eq!(
        c.expected_all(&vec![0.0; q], Scope::Gemeente("GM9999"), &mut out)
            .unwrap_err()
            .field,
        "gemeente"
    );
    let mut nan = vec![0.0; q];
    nan[k] = f64::NAN;
    assert_eq!(
        c.expected_all(&nan, Scope::Land, &mut out)
            .unwrap_err()
            .field,
        "perc_hhbijs"
    );
    assert_eq!(Scope::parse("provincie", None).unwrap_err().field, "scope");
    assert_eq!(Scope::parse("gemeente", None).unwrap_err().field, "code");
}

/// D3: a what-if change for many wijken is clamped per wijk into the range
/// `expected()` accepts, and the all-wijken calls then give for every wijk
/// exactly what `expected_for()` gives for its profile with the clamped values.
fn check_scenarios_agree_with_single_predictions(c: &Calculator) {
    let q = c.predictor.n_determinants();
    let n = c.len();
    let k = idx(&c.predictor.model, "perc_1ouder");
    let filled = |i: usize| c.filled(i).unwrap()[k];
    let at = |code: &str| c.wijk_index(code).unwrap();
    // WK036300 (31.844 %), the wijken with the lowest and the highest share.
    let low = (0..n)
        .min_by(|&a, &b| filled(a).total_cmp(&filled(b)))
        .unwrap();
    // (3.774 %: −5 takes it to 0, not below.)
    assert!(filled(low) < 5.0, "{}", filled(low));
    let top = (0..n)
        .max_by(|&a, &b| filled(a).total_cmp(&filled(b)))
        .unwrap();
    let wijken = [at("WK036300"), low, top, 7, n / 2];
    for d in [90.0, -90.0, 100.0, -100.0, -5.0, 3.0] {
        let mut deltas = vec![0.0; q];
        deltas[k] = d;
        for (scope, code) in [("land", None), ("wijk", Some("WK036300"))] {
            let scope = Scope::parse(scope, code).unwrap();
            let mask = c.in_scope(scope).unwrap();
            let mut expected = vec![0.0; n];
            c.expected_all(&deltas, scope, &mut expected).unwrap();
            let iv = c.intervals_all(&deltas, scope).unwrap();
            let verdicts = c.verdicts_all(&deltas, scope).unwrap();
            for &i in &wijken {
                let mut x = c.filled(i).unwrap().to_vec();
                if mask[i] {
                    x[k] = (x[k] + d).clamp(0.0, 100.0);
                }
                assert!((0.0..=100.0).contains(&x[k]));
                let profile = Profile {
                    gemeente: Some(c.site.wijken[i].gemeente_code.to_string()),
                    values: x.iter().map(|&v| Some(v)).collect(),
                };
                let (p, verdict) = c.expected_for(&profile, Some(i), None).unwrap();
                let w = &c.site.wijken[i].code;
                assert_eq!(expected[i].to_bits(), p.expected.to_bits(), "{w} {d}");
                assert_eq!(iv[i].to_bits(), p.ci_low.to_bits(), "{w} {d}");
                assert_eq!(iv[n + i].to_bits(), p.ci_high.to_bits(), "{w} {d}");
                assert_eq!(iv[2 * n + i].to_bits(), p.pi_low.to_bits(), "{w} {d}");
                assert_eq!(iv[3 * n + i].to_bits(), p.pi_high.to_bits(), "{w} {d}");
                assert_eq!(verdicts[i], verdict, "{w} {d}");
            }
        }
    }
    // The review's case: +90 on WK036300 (31.844 %) is 100 %, not 121.844 %,
    // which expected() refuses.
    let i = at("WK036300");
    assert_eq!(filled(i), 31.844);
    let mut values: Vec<Option<f64>> = c.filled(i).unwrap().iter().map(|&v| Some(v)).collect();
    values[k] = Some(121.844);
    let profile = Profile {
        gemeente: Some(c.site.wijken[i].gemeente_code.to_string()),
        values,
    };
    assert_eq!(c.expected(&profile).unwrap_err().field, "perc_1ouder");
}

#[test]
fn what_if_changes_are_clamped_per_wijk_and_agree_with_expected() {
    check_scenarios_agree_with_single_predictions(&calculator());
    let p = Predictor::new(scp_model().clone()).unwrap();
    let site = SiteData::build(dataset(), &p).unwrap();
    check_scenarios_agree_with_single_predictions(&Calculator::new(p, site).unwrap());
}

#[test]
fn browser_split_gives_the_same_numbers() {
    // The wasm gets the model without gemeente means and the site without values;
    // after loading the values it must predict exactly as the full model does.
    let full = calculator();
    let names = full.predictor.model.determinant_names();
    let model_json = serde_json::to_string(&site::browser_model(&full.predictor.model)).unwrap();
    let site_json = serde_json::to_string(&full.site).unwrap();
    let values_json = serde_json::to_string(&full.site.values_file(&names)).unwrap();

    let mut browser = site::calculator_from_json(&model_json, &site_json, None).unwrap();
    assert!(!browser.has_values());
    let q = names.len();
    let mut out = vec![0.0; browser.len()];
    assert_eq!(
        browser
            .expected_all(&vec![0.0; q], Scope::Land, &mut out)
            .unwrap_err()
            .field,
        "wijkwaarden"
    );
    // A wijk with a missing value: its gemeente's mean is not known yet.
    let (i, _) = full
        .site
        .wijken
        .iter()
        .enumerate()
        .find(|(_, w)| w.values.iter().any(Option::is_none))
        .expect("some wijk has a missing value");
    let prof = some_wijk_profile(&full, i);
    assert_eq!(browser.expected(&prof).unwrap_err().field, "wijkwaarden");
    // Without a gemeente, or with every value given, nothing waits for them.
    let national = Profile {
        gemeente: None,
        values: prof.values.clone(),
    };
    assert!(browser.expected(&national).is_ok());
    browser
        .load_values(&site::parse_values(&values_json).unwrap())
        .unwrap();
    assert_eq!(
        browser.predictor.model.imputation,
        full.predictor.model.imputation
    );
    for i in (0..full.len()).step_by(101) {
        let a = full.expected(&some_wijk_profile(&full, i)).unwrap();
        let b = browser.expected(&some_wijk_profile(&full, i)).unwrap();
        assert_eq!(a, b);
    }
    let mut wrong = full.site.values_file(&names);
    wrong.values.pop();
    wrong.determinants.pop();
    assert!(site::calculator_from_json(&model_json, &site_json, None)
        .unwrap()
        .load_values(&wrong)
        .is_err());
}

#[test]
fn agreement_with_scp_is_reported() {
    let c = calculator();
    let a = c.site.agreement;
    assert_eq!(a.n, 2918);
    assert!(a.correlation > 0.95 && a.correlation <= 1.0, "{a:?}");
    assert!(a.rmse > 0.0 && a.rmse < 1.0 && a.max_abs >= a.rmse);
}

#[test]
fn binary_browser_files_give_the_same_numbers_and_first_need_only_the_model() {
    // What the page reads (src/wire.rs): the model compiled into the wasm, then the wijken
    // (site.bin), then their values (wijkwaarden.bin). Each reads back to exactly what was
    // written, and the calculator made from them predicts exactly as the full one.
    let full = calculator();
    let names = full.predictor.model.determinant_names();
    let values = full.site.values_file(&names);
    let mut site_only = full.site.clone();
    for w in &mut site_only.wijken {
        w.values.clear();
        w.n_jeugd = None;
    }
    let files = site::BrowserFiles::new(&full.predictor.model, &site_only, &values).unwrap();
    assert_eq!(site::site_from_bin(&files.site).unwrap(), site_only);
    assert_eq!(site::values_from_bin(&files.values).unwrap(), values);
    let model: jeugdhulp_wijk::model::Model =
        wire::decode(wire::Kind::Model, &files.model).unwrap();
    assert_eq!(model, site::browser_model(&full.predictor.model));

    // The first result: the model alone.
    let mut browser = site::calculator_from_bin(&files.model, None, None).unwrap();
    assert!(!browser.has_site() && !browser.has_values());
    let (i, _) = full
        .site
        .wijken
        .iter()
        .enumerate()
        .find(|(_, w)| w.values.iter().all(Option::is_some))
        .expect("a wijk with every value");
    let national = Profile {
        gemeente: None,
        ..some_wijk_profile(&full, i)
    };
    assert_eq!(
        browser.expected(&national).unwrap(),
        full.expected(&national).unwrap()
    );
    // Values before the wijken: refused, saying why.
    let e = browser.load_values(&values).unwrap_err();
    assert!(e.contains("sitegegevens"), "{e}");
    browser
        .set_site(site::site_from_bin(&files.site).unwrap())
        .unwrap();
    assert!(browser.has_site() && !browser.has_values());
    assert_eq!(browser.len(), full.len());
    // The wijken once; none at all is no site.
    let again = browser.set_site(site::site_from_bin(&files.site).unwrap());
    assert!(again.unwrap_err().contains("al geladen"));
    let mut empty = site_only.clone();
    empty.wijken.clear();
    let e = site::calculator_from_bin(&files.model, None, None)
        .unwrap()
        .set_site(empty)
        .unwrap_err();
    assert!(e.contains("geen enkele wijk"), "{e}");
    browser
        .load_values(&site::values_from_bin(&files.values).unwrap())
        .unwrap();
    assert_eq!(
        browser.predictor.model.imputation,
        full.predictor.model.imputation
    );
    for i in (0..full.len()).step_by(97) {
        let p = some_wijk_profile(&full, i);
        assert_eq!(full.expected(&p).unwrap(), browser.expected(&p).unwrap());
    }
    let q = names.len();
    let (mut a, mut b) = (vec![0.0; full.len()], vec![0.0; full.len()]);
    full.expected_all(&vec![0.0; q], Scope::Land, &mut a)
        .unwrap();
    browser
        .expected_all(&vec![0.0; q], Scope::Land, &mut b)
        .unwrap();
    assert_eq!(a, b);
    // A file of the wrong kind is named.
    let e = site::site_from_bin(&files.values).unwrap_err();
    assert!(e.contains("site.bin: dit is wijkwaarden.bin"), "{e}");
}

/// D4: a value outside the range of 2017 and an expected use outside 0–100 %
/// come with a caution that names them; the expected use stays as the model
/// computes it, the PI clipped but still around clamp(expected, 0, 100).
#[test]
fn predictions_outside_the_range_of_2017_carry_a_caution() {
    for model in [scp_model(), full_model()] {
        let c = Calculator::new(
            Predictor::new(model.clone()).unwrap(),
            SiteData::build(dataset(), &Predictor::new(model.clone()).unwrap()).unwrap(),
        )
        .unwrap();
        let m = &c.predictor.model;
        let k = idx(m, "grijzedruk");
        let mut values = vec![None; m.determinants.len()];
        values[k] = Some(999.0);
        let p = c
            .expected(&Profile {
                gemeente: Some("GM0363".into()),
                values,
            })
            .unwrap();
        assert_eq!(p.extrapolated, vec!["grijzedruk".to_string()]);
        let caution = p.caution.clone().expect("a caution");
        assert!(
            caution
                .nl
                .contains("Grijze druk (65-plussers) (grijzedruk) 999 per 100 inwoners")
                && caution.nl.contains("waargenomen")
                && caution.en.contains("(grijzedruk) 999 per 100 residents")
                && caution.en.contains("observed"),
            "{caution:?}"
        );
        // The review's case: far below 0 %, kept, and said.
        assert!(p.expected < 0.0, "{}", p.expected);
        assert!(p.outside_percent);
        assert!(caution.nl.contains("buiten 0–100 %") && caution.en.contains("outside 0–100 %"));
        assert!(p.pi_low <= p.pi_high);
        if c.predictor.uses_youth() {
            assert!(p.pi_low >= 0.0 && p.pi_high <= 100.0);
            assert!((p.pi_low..=p.pi_high).contains(&p.expected.clamp(0.0, 100.0)));
        }
        // Every wijk at its own values (inside the range of 2017) has none.
        for i in 0..c.len() {
            let (p, _) = c
                .expected_for(&some_wijk_profile(&c, i), Some(i), None)
                .unwrap();
            assert!(p.extrapolated.is_empty(), "{}", c.site.wijken[i].code);
            assert_eq!(p.caution.is_some(), p.outside_percent);
            assert_eq!(p.outside_percent, !(0.0..=100.0).contains(&p.expected));
        }
    }
}
