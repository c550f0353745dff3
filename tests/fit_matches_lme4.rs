//! The fit reproduces R lme4 (tests/fixtures/lme4) within the agreement stated there:
//! β within 0.001 SE, SEs and variance components within 0.1 %, REML criterion
//! within 1e-4, BLUPs, conditional SDs and predictions within 1e-4.

mod common;
use common::*;
use jeugdhulp_wijk::determinants;
use jeugdhulp_wijk::model::{self, Model, Predictor};
use serde_json::Value;
use std::collections::HashMap;

/// Compare a fit with an lme4 result (the reference JSON's layout) and return
/// the largest deviation per quantity, failing on any outside tolerance.
fn compare(ours: &Model, reference: &Value, label: &str) -> HashMap<&'static str, f64> {
    let mut worst: HashMap<&'static str, f64> = HashMap::new();
    let mut note = |k: &'static str, v: f64| {
        let e = worst.entry(k).or_insert(0.0);
        *e = e.max(v);
    };
    let rf = reference["fixed_effects"].as_array().unwrap();
    assert_eq!(
        rf.len(),
        ours.fixed_effects.len(),
        "{label}: number of fixed effects"
    );
    for (o, r) in ours.fixed_effects.iter().zip(rf) {
        assert_eq!(o.term, r["term"].as_str().unwrap(), "{label}: term order");
        let (est, se) = (
            r["estimate"].as_f64().unwrap(),
            r["std_error"].as_f64().unwrap(),
        );
        let d_beta = (o.estimate - est).abs() / se;
        let d_se = (o.std_error / se - 1.0).abs();
        assert!(
            d_beta <= 1e-3,
            "{label}: {} estimate {} vs lme4 {est}: {d_beta} SE apart",
            o.term,
            o.estimate
        );
        assert!(
            d_se <= 1e-3,
            "{label}: {} SE {} vs lme4 {se}",
            o.term,
            o.std_error
        );
        note("beta (in SE)", d_beta);
        note("SE (relative)", d_se);
    }
    for (k, ours_v) in [
        ("regio", ours.variance.regio),
        ("gemeente", ours.variance.gemeente),
        ("residual", ours.variance.residual),
    ] {
        let r = reference["variance"][k].as_f64().unwrap();
        let d = if r == 0.0 {
            ours_v.abs()
        } else {
            (ours_v / r - 1.0).abs()
        };
        assert!(
            d <= 1e-3 || (ours_v - r).abs() < 1e-6,
            "{label}: variance {k} {ours_v} vs lme4 {r}"
        );
        note(
            "variance (relative)",
            if (ours_v - r).abs() < 1e-6 { 0.0 } else { d },
        );
    }
    let d_reml = (ours.reml_criterion - reference["reml_criterion"].as_f64().unwrap()).abs();
    assert!(
        d_reml <= 1e-4,
        "{label}: REML criterion {} vs lme4 {}",
        ours.reml_criterion,
        reference["reml_criterion"]
    );
    note("REML criterion", d_reml);
    for (level, list) in [
        ("regio", &ours.random_effects.regio),
        ("gemeente", &ours.random_effects.gemeente),
    ] {
        let refs = reference["random_effects"][level].as_array().unwrap();
        assert_eq!(refs.len(), list.len(), "{label}: number of {level} BLUPs");
        let by_code: HashMap<&str, _> = list.iter().map(|e| (e.code.as_str(), e)).collect();
        for r in refs {
            let code = r["code"].as_str().unwrap();
            let o = by_code
                .get(code)
                .unwrap_or_else(|| panic!("{label}: no BLUP for {code}"));
            let dv = (o.value - r["value"].as_f64().unwrap()).abs();
            let ds = (o.cond_sd - r["cond_sd"].as_f64().unwrap()).abs();
            assert!(
                dv <= 1e-4,
                "{label}: {level} BLUP {code}: {} vs {}",
                o.value,
                r["value"]
            );
            assert!(
                ds <= 1e-4,
                "{label}: {level} cond_sd {code}: {} vs {}",
                o.cond_sd,
                r["cond_sd"]
            );
            note("BLUP", dv);
            note("cond. SD", ds);
        }
    }
    worst
}

#[test]
fn full_model_matches_lme4() {
    let reference = read_json(reference_dir().join("lme4_all_determinants.json.gz"));
    let m = full_model();
    assert!(m.fit.converged, "{:?}", m.fit);
    assert_eq!((m.n_fit, m.n_gemeente, m.n_regio), (2632, 388, 42));
    let worst = compare(m, &reference, "all determinants");

    // All 2918 predictions, with and without random effects.
    let ds = dataset();
    let p = Predictor::new(m.clone()).unwrap();
    let preds = reference["predictions"].as_array().unwrap();
    assert_eq!(preds.len(), 2918);
    let (mut d_exp, mut d_fix) = (0.0f64, 0.0f64);
    for (i, r) in preds.iter().enumerate() {
        assert_eq!(ds.wijken[i].code, r["wijkcode"].as_str().unwrap());
        let ours = p.expected(&m.profile_of(&ds.wijken[i]).unwrap()).unwrap();
        d_exp = d_exp.max((ours.expected - r["expected"].as_f64().unwrap()).abs());
        d_fix = d_fix.max((ours.expected_fixed - r["expected_fixed"].as_f64().unwrap()).abs());
    }
    assert!(
        d_exp <= 1e-4 && d_fix <= 1e-4,
        "largest prediction deviation {d_exp}, fixed part {d_fix}"
    );
    let mut rows: Vec<_> = worst.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    eprintln!("largest deviations from lme4: {rows:?}, prediction {d_exp:.3e}, fixed-part prediction {d_fix:.3e}");
}

#[test]
fn imputed_inputs_equal_the_reference() {
    let reference = read_json(reference_dir().join("lme4_all_determinants.json.gz"));
    let ds = dataset();
    let m = full_model();
    let rows = reference["imputed_inputs"].as_array().unwrap();
    assert_eq!(rows.len(), ds.wijken.len());
    let mut worst = 0.0f64;
    let mut imputed_cells = 0;
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(ds.wijken[i].code, r["wijkcode"].as_str().unwrap());
        let prof = m.profile_of(&ds.wijken[i]).unwrap();
        imputed_cells += prof.values.iter().filter(|v| v.is_none()).count();
        let filled = m.imputation.fill(prof.gemeente.as_deref(), &prof.values);
        for (d, v) in m.determinants.iter().zip(&filled) {
            let want = r[&d.name]
                .as_f64()
                .unwrap_or_else(|| panic!("{} {}", r["wijkcode"], d.name));
            worst = worst.max((v - want).abs() / want.abs().max(1.0));
        }
    }
    assert!(
        imputed_cells > 4000,
        "the test must cover imputed cells, saw {imputed_cells}"
    );
    assert!(
        worst <= 1e-12,
        "largest relative deviation of an imputed input: {worst}"
    );
}

#[test]
fn fit_does_not_depend_on_row_order() {
    let ds = dataset();
    let mut shuffled = ds.clone();
    // A fixed pseudo-random permutation (xorshift), no extra crates.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..shuffled.wijken.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        shuffled.wijken.swap(i, (state % (i as u64 + 1)) as usize);
    }
    assert_ne!(shuffled.wijken[0].code, ds.wijken[0].code);
    let a = full_model();
    let b = model::fit_model(&shuffled, &model::default_determinants(), "x", "test").unwrap();
    assert_eq!(a.fixed_effects, b.fixed_effects);
    assert_eq!(a.variance, b.variance);
    assert_eq!(a.reml_criterion, b.reml_criterion);
    assert_eq!(a.random_effects, b.random_effects);
}

/// Subsets fitted by the same lme4 script (tests/fixtures/lme4/lme4_subsets.json, see
/// its `provenance`): other designs, including a small one and gemeente-level only.
#[test]
fn subsets_match_lme4() {
    let fixtures = read_json(reference_dir().join("lme4_subsets.json"));
    let fits = fixtures["fits"].as_array().unwrap();
    assert!(fits.len() >= 3);
    for f in fits {
        let names: Vec<&str> = f["determinants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let dets = determinants::select(&names).unwrap();
        let m = model::fit_model(dataset(), &dets, "x", "test").unwrap();
        assert!(m.fit.converged, "{names:?}: {:?}", m.fit);
        let worst = compare(&m, f, &names.join(","));
        eprintln!("{names:?}: {worst:?}");
    }
}
