//! SCP's specification on the page's side: the browser split gives the same
//! numbers with the youth-dependent interval, the verdict comes from the core,
//! and the Verantwoording's figures (computed at build time) say what the
//! issue asks for.

mod common;
use common::*;
use jeugdhulp_wijk::model::{Predictor, Profile, Verdict};
use jeugdhulp_wijk::site::{self, Calculator, Fidelity, Scope, SiteData};

fn calculator() -> Calculator {
    let p = Predictor::new(scp_model().clone()).unwrap();
    let site = SiteData::build(dataset(), &p).unwrap();
    Calculator::new(p, site).unwrap()
}

fn profile(c: &Calculator, i: usize) -> Profile {
    let w = &c.site.wijken[i];
    Profile {
        gemeente: Some(w.gemeente_code.to_string()),
        values: w.values.clone(),
    }
}

#[test]
fn the_browser_split_gives_the_same_intervals_and_verdicts() {
    let full = calculator();
    let names = full.predictor.model.determinant_names();
    let model_json = serde_json::to_string(&site::browser_model(&full.predictor.model)).unwrap();
    let site_json = serde_json::to_string(&full.site).unwrap();
    let values = full.site.values_file(&names);
    assert_eq!(values.n_jeugd.len(), full.len());
    let values_json = serde_json::to_string(&values).unwrap();
    let mut browser = site::calculator_from_json(&model_json, &site_json, None).unwrap();
    // A wijk's own youth count arrives with the values.
    assert_eq!(
        browser
            .expected_for(&profile(&full, 0), Some(0), None)
            .unwrap_err()
            .field,
        "wijkwaarden"
    );
    browser
        .load_values(&site::parse_values(&values_json).unwrap())
        .unwrap();
    assert_eq!(
        browser.predictor.model.imputation,
        full.predictor.model.imputation
    );
    let q = names.len();
    let a = full.intervals_all(&vec![0.0; q], Scope::Land).unwrap();
    let b = browser.intervals_all(&vec![0.0; q], Scope::Land).unwrap();
    assert_eq!(a, b);
    // A share's PI stays within 0–100 %: the smallest wijken's reach past 0
    // and are clipped there.
    let n = full.len();
    assert!(a[2 * n..].iter().all(|v| (0.0..=100.0).contains(v)));
    assert!(
        a[2 * n..3 * n].contains(&0.0),
        "some small wijk's PI starts at 0"
    );
    let va = full.verdicts_all(&vec![0.0; q], Scope::Land).unwrap();
    assert_eq!(
        va,
        browser.verdicts_all(&vec![0.0; q], Scope::Land).unwrap()
    );
    for i in (0..n).step_by(37) {
        let w = &full.site.wijken[i];
        let (p, v) = browser
            .expected_for(&profile(&full, i), Some(i), None)
            .unwrap();
        // One wijk, one answer: the single call and the all-wijken call agree.
        assert!(
            (p.pi_low - a[2 * n + i]).abs() < 1e-12 && (p.pi_high - a[3 * n + i]).abs() < 1e-12
        );
        assert_eq!(v, va[i]);
        assert_eq!(p.n_jeugd, w.n_jeugd);
        // Never a verdict for a wijk whose use was not published.
        assert_eq!(v.is_none(), w.observed.is_none());
    }
    // An eigen wijk: the user's youth count, else the national median; a
    // smaller count gives a wider PI; a bad count names the field.
    let p = profile(&full, 5);
    let median = full.predictor.default_n_jeugd().unwrap();
    let (d, v) = browser.expected_for(&p, None, None).unwrap();
    assert_eq!((d.n_jeugd, v), (Some(median), None));
    let (small, _) = browser.expected_for(&p, None, Some(100.0)).unwrap();
    let (large, _) = browser.expected_for(&p, None, Some(5000.0)).unwrap();
    assert_eq!(small.expected, large.expected);
    assert!(small.pi_high - small.pi_low > 1.5 * (large.pi_high - large.pi_low));
    for bad in [0.0, -3.0, f64::INFINITY, 2e6] {
        let e = browser.expected_for(&p, None, Some(bad)).unwrap_err();
        assert_eq!(e.field, "n_jeugd", "{bad}");
    }
}

#[test]
fn the_verdict_rule_is_the_pi() {
    assert_eq!(Verdict::of(Some(5.0), 1.0, 4.0), Some(Verdict::Hoger));
    assert_eq!(Verdict::of(Some(0.5), 1.0, 4.0), Some(Verdict::Lager));
    assert_eq!(Verdict::of(Some(4.0), 1.0, 4.0), Some(Verdict::Binnen));
    assert_eq!(Verdict::of(None, 1.0, 4.0), None);
}

/// The figures for the Verantwoording: RMSE against perc_przv within the
/// issue's bound, coverage in every youth quintile within 93–97 % after (and
/// outside it before), and the verdict changes counted over published wijken.
#[test]
fn fidelity_figures_meet_the_issue() {
    let after = Predictor::new(scp_model().clone()).unwrap();
    let before = Predictor::new(full_model().clone()).unwrap();
    let f = Fidelity::compute(dataset(), &after, &before).unwrap();
    assert_eq!(f.spec, "scp");
    assert_eq!(f.rmse_all.n, 2918);
    assert_eq!(f.rmse_suppressed.n, 286);
    assert_eq!(f.rmse_complete.n + f.rmse_incomplete.n, 2918);
    assert!(f.rmse_all.rmse <= 0.25, "{f:?}");
    assert!(f.rmse_complete.rmse < f.rmse_incomplete.rmse);
    assert_eq!(f.n_published, 2632);
    assert_eq!(f.quintile_n.iter().sum::<usize>(), 2632);
    for (q, c) in f.coverage_after.iter().enumerate() {
        assert!((93.0..=97.0).contains(c), "after, quintile {}: {c}", q + 1);
    }
    assert!(
        f.coverage_before.iter().any(|c| !(93.0..=97.0).contains(c)),
        "{f:?}"
    );
    let count = |v: &site::VerdictCounts| v.binnen + v.hoger + v.lager;
    assert_eq!(count(&f.verdicts_before), 2632);
    assert_eq!(count(&f.verdicts_after), 2632);
    // At least the net change in each count must have changed verdict.
    let net = f.verdicts_before.binnen.abs_diff(f.verdicts_after.binnen);
    assert!(f.verdict_changes >= net && f.verdict_changes > 0, "{f:?}");
    assert!(f.default_n_jeugd.unwrap() > 0.0);
    // Today's model against itself: nothing changes.
    let same = Fidelity::compute(dataset(), &before, &before).unwrap();
    assert_eq!(same.verdict_changes, 0);
    assert_eq!(same.coverage_before, same.coverage_after);
    assert_eq!(same.spec, "gemeente");
}
