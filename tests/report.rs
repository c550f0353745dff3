//! The per-gemeente figures (src/report.rs): the report's rows are the
//! calculator's, the effects are the model file's BLUPs, the income classes
//! are tertiles, the SES means and the funnel limits follow their formulas.

mod common;
use common::*;
use jeugdhulp_wijk::model::{Predictor, Profile, Z95};
use jeugdhulp_wijk::report::{self, Z998};
use jeugdhulp_wijk::site::{Calculator, Scope, SiteData};
use std::sync::OnceLock;

/// The page's model (SCP's specification) with every wijk's values.
fn calculator() -> &'static Calculator {
    static C: OnceLock<Calculator> = OnceLock::new();
    C.get_or_init(|| {
        let p = Predictor::new(scp_model().clone()).unwrap();
        let site = SiteData::build(dataset(), &p).unwrap();
        Calculator::new(p, site).unwrap()
    })
}

#[test]
fn effects_are_the_model_files_blups_and_their_sd_adds_variances() {
    let c = calculator();
    let m = &c.predictor.model;
    let out = report::gemeente_effects(c, &["GM0363", "GM0599", "GM0518", "GM0344"]).unwrap();
    assert_eq!(out.len(), 4);
    for e in &out {
        let g = m
            .random_effects
            .gemeente
            .iter()
            .find(|x| x.code == e.code)
            .unwrap();
        let regio = &m.gemeente_regio[&e.code];
        assert_eq!(&e.regio_code, regio);
        let r = m
            .random_effects
            .regio
            .iter()
            .find(|x| &x.code == regio)
            .unwrap();
        assert_eq!((e.gemeente.value, e.gemeente.sd), (g.value, g.cond_sd));
        assert_eq!((e.regio.value, e.regio.sd), (r.value, r.cond_sd));
        assert_eq!(e.total.value, g.value + r.value);
        let sd = (g.cond_sd.powi(2) + r.cond_sd.powi(2)).sqrt();
        assert_eq!(e.total.sd, sd);
        assert!((e.total.low - (e.total.value - Z95 * sd)).abs() < 1e-12);
        assert!((e.total.high - (e.total.value + Z95 * sd)).abs() < 1e-12);
    }
    assert_eq!(out[3].name, "Utrecht (gemeente)");
    let err = report::gemeente_effects(c, &["GM0363", "GM9999"]).unwrap_err();
    assert_eq!(err.field, "gemeente");
    assert!(err.message.contains("GM9999"), "{}", err.message);
}

#[test]
fn report_rows_are_the_calculators_figures() {
    let c = calculator();
    let n = c.len();
    let zeros = vec![0.0; c.predictor.n_determinants()];
    let iv = c.intervals_all(&zeros, Scope::Land).unwrap();
    let verdicts = c.verdicts_all(&zeros, Scope::Land).unwrap();
    for code in ["GM0344", "GM0150", "GM0119"] {
        let r = report::gemeente_report(c, code).unwrap();
        let members: Vec<usize> = (0..n)
            .filter(|&i| &*c.site.wijken[i].gemeente_code == code)
            .collect();
        assert_eq!(r.n_wijken, members.len());
        assert_eq!(
            r.wijken.iter().map(|w| w.index).collect::<Vec<_>>(),
            members
        );
        let mut youth = 0.0;
        for w in &r.wijken {
            let cw = &c.site.wijken[w.index];
            let (p, v) = c
                .expected_for(
                    &Profile {
                        gemeente: Some(code.into()),
                        values: cw.values.clone(),
                    },
                    Some(w.index),
                    None,
                )
                .unwrap();
            assert_eq!(w.expected, p.expected, "{}", w.code);
            assert_eq!((w.pi_low, w.pi_high), (p.pi_low, p.pi_high), "{}", w.code);
            assert_eq!((w.ci_low, w.ci_high), (p.ci_low, p.ci_high), "{}", w.code);
            assert_eq!(w.verdict, v, "{}", w.code);
            // The map's all-wijken call agrees (to rounding).
            assert!((w.pi_low - iv[2 * n + w.index]).abs() < 1e-9);
            assert!((w.pi_high - iv[3 * n + w.index]).abs() < 1e-9);
            assert_eq!(w.verdict, verdicts[w.index]);
            assert_eq!(w.observed, cw.observed);
            assert_eq!(w.difference, cw.observed.map(|o| o - p.expected));
            youth += w.n_jeugd.unwrap();
        }
        assert_eq!(r.youth_total, Some(youth));
        assert_eq!(
            r.n_published,
            r.wijken.iter().filter(|w| w.observed.is_some()).count()
        );
    }
    // Meppel has wijken whose use was not published: no difference, no verdict.
    let meppel = report::gemeente_report(c, "GM0119").unwrap();
    let hidden: Vec<_> = meppel
        .wijken
        .iter()
        .filter(|w| w.observed.is_none())
        .collect();
    assert_eq!(hidden.len(), 3);
    assert!(hidden
        .iter()
        .all(|w| w.difference.is_none() && w.verdict.is_none()));
    assert_eq!(meppel.n_published, meppel.n_wijken - 3);
    assert_eq!(
        report::gemeente_report(c, "GM0000").unwrap_err().field,
        "gemeente"
    );
}

#[test]
fn income_classes_are_tertiles_of_the_mean_income() {
    let c = calculator();
    let k = c
        .predictor
        .model
        .determinants
        .iter()
        .position(|d| d.name == "gem_gestink")
        .unwrap();
    let classes = report::income_classes(c).unwrap();
    assert_eq!(classes.summary.determinant, "gem_gestink");
    assert_eq!(
        classes.summary.label_en,
        "Mean standardised household income"
    );
    assert_eq!(classes.summary.unknown, 26);
    let known = c.len() - 26;
    for count in classes.summary.counts {
        assert!((count as f64 - known as f64 / 3.0).abs() <= 2.0, "{count}");
    }
    assert!(classes.summary.bounds[0] < classes.summary.bounds[1]);
    for (w, class) in c.site.wijken.iter().zip(&classes.class) {
        match (w.values[k], class) {
            (None, None) => {}
            (Some(v), Some(0)) => assert!(v <= classes.summary.bounds[0]),
            (Some(v), Some(1)) => {
                assert!(v > classes.summary.bounds[0] && v <= classes.summary.bounds[1])
            }
            (Some(v), Some(2)) => assert!(v > classes.summary.bounds[1]),
            other => panic!("{}: {other:?}", w.code),
        }
    }
}

#[test]
fn ses_means_are_the_means_of_the_rows() {
    let c = calculator();
    let r = report::gemeente_report(c, "GM0363").unwrap();
    assert_eq!(r.ses.len(), 3);
    let mut land_n = 0;
    for s in &r.ses {
        let rows: Vec<_> = r
            .wijken
            .iter()
            .filter(|w| w.income_class == Some(s.class))
            .collect();
        let published: Vec<_> = rows.iter().filter(|w| w.difference.is_some()).collect();
        assert_eq!(s.gemeente.n, published.len());
        assert_eq!(s.gemeente.n_unpublished, rows.len() - published.len());
        if !published.is_empty() {
            let mean = published.iter().map(|w| w.difference.unwrap()).sum::<f64>()
                / published.len() as f64;
            assert!((s.gemeente.mean.unwrap() - mean).abs() < 1e-9);
            let se = published.iter().map(|w| w.var_residual).sum::<f64>().sqrt()
                / published.len() as f64;
            assert!((s.gemeente.high.unwrap() - (mean + Z95 * se)).abs() < 1e-9);
        }
        // The country's interval is narrower than the gemeente's.
        let (lw, gw) = (
            s.land.high.unwrap() - s.land.low.unwrap(),
            s.gemeente.high.unwrap() - s.gemeente.low.unwrap(),
        );
        assert!(lw < gw, "{lw} {gw}");
        land_n += s.land.n + s.land.n_unpublished;
    }
    assert_eq!(land_n, c.len() - 26);
    // Amsterdam has wijken in each class.
    assert!(r.ses.iter().all(|s| s.gemeente.n > 0));
}

#[test]
fn funnel_limits_follow_the_residual_variance() {
    let c = calculator();
    let f = report::funnel(c, 50).unwrap();
    assert_eq!(f.grid.len(), 50);
    assert_eq!(f.n_jeugd.len(), c.len());
    let iv = c.predictor.model.interval.clone().unwrap();
    let pi = (f.expected_ref / 100.0).clamp(0.001, 0.999);
    for k in 0..f.grid.len() {
        let v = iv.s0 + iv.c * pi * (1.0 - pi) * 1e4 / f.grid[k];
        assert!((f.high95[k] - Z95 * v.sqrt()).abs() < 1e-9);
        assert!((f.low998[k] + Z998 * v.sqrt()).abs() < 1e-9);
        if k > 0 {
            assert!(f.grid[k] > f.grid[k - 1]);
            assert!(f.high95[k] < f.high95[k - 1], "narrower for more youths");
        }
    }
    // Each dot is the calculator's difference for the wijk (to rounding).
    for i in (0..c.len()).step_by(37) {
        let w = &c.site.wijken[i];
        let (p, _) = c
            .expected_for(
                &Profile {
                    gemeente: Some(w.gemeente_code.to_string()),
                    values: w.values.clone(),
                },
                Some(i),
                None,
            )
            .unwrap();
        assert_eq!(f.n_jeugd[i], w.n_jeugd.unwrap());
        match w.observed {
            Some(o) => assert!(
                (f.difference[i] - (o - p.expected)).abs() < 1e-9,
                "{}",
                w.code
            ),
            None => assert!(f.difference[i].is_nan()),
        }
    }
    // The reference use is a plausible national mean, and few wijken lie
    // outside the 99.8 % funnel.
    assert!(
        f.expected_ref > 8.0 && f.expected_ref < 14.0,
        "{}",
        f.expected_ref
    );
    let published = f.difference.iter().filter(|d| d.is_finite()).count();
    assert_eq!(
        published,
        c.site
            .wijken
            .iter()
            .filter(|w| w.observed.is_some())
            .count()
    );
    let outside = (0..c.len())
        .filter(|&i| f.difference[i].is_finite())
        .filter(|&i| {
            let pi = (f.expected_ref / 100.0).clamp(0.001, 0.999);
            let v = iv.s0 + iv.c * pi * (1.0 - pi) * 1e4 / f.n_jeugd[i];
            f.difference[i].abs() > Z998 * v.sqrt()
        })
        .count();
    assert!(outside * 100 < published * 5, "{outside} of {published}");
}
