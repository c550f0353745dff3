//! The local extension (issue 10) reproduces lme4 (`tests/fixtures/lme4/lme4_extension*.json`,
//! made by `lme4_extension.R`) within the reference's agreement: estimates within
//! 0.001·SE, SEs and variances within 0.1 %, REML criteria within 1e-4, BLUPs,
//! conditional SDs and predictions within 1e-4, the LR statistic within 1e-3.
//! And every kind of problem in an uploaded file is reported with its row,
//! column and value, in both Dutch CSV dialects.

mod common;
use common::*;
use jeugdhulp_wijk::data;
use jeugdhulp_wijk::extend::{self, Base, Choice, Extension, Problem, Severity};
use jeugdhulp_wijk::model::{Model, Predictor};
use serde_json::Value;
use std::collections::HashMap;

/// The national part of the extension from a model and the dataset.
fn base_for(model: &Model) -> Base {
    let p = Predictor::new(model.clone()).unwrap();
    let ds = dataset();
    let values: Vec<Vec<Option<f64>>> = ds
        .wijken
        .iter()
        .map(|w| p.model.profile_of(w).unwrap().values)
        .collect();
    Base::new(
        &p,
        ds.wijken.iter().zip(values.iter().map(|v| v.as_slice())),
    )
    .unwrap()
}

/// Today's specification (the reference's offset: gemeente-mean imputation).
fn base() -> &'static Base {
    static B: std::sync::OnceLock<Base> = std::sync::OnceLock::new();
    B.get_or_init(|| base_for(full_model()))
}

fn kerncijfers() -> Vec<u8> {
    std::fs::read(data_dir().join(data::YOUTH_FILE)).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_string()).collect(),
        _ => panic!("expected a string or a list: {v}"),
    }
}

fn close_rel(ours: f64, theirs: f64, tol: f64) -> bool {
    (ours / theirs - 1.0).abs() <= tol || (ours - theirs).abs() < 1e-8
}

/// Compare one extension with an lme4 reference file; returns the worst deviations.
fn compare(file: &str) -> (Extension, HashMap<&'static str, f64>) {
    let r = read_json(reference_dir().join(file));
    let choice = Choice {
        columns: strings(&r["covariates"]),
        regios: strings(&r["regios"]),
    };
    let ours =
        extend::run(&kerncijfers(), base(), &choice).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut worst: HashMap<&'static str, f64> = HashMap::new();
    let mut note = |k: &'static str, v: f64| {
        let e = worst.entry(k).or_insert(0.0);
        *e = e.max(v);
    };
    assert!(ours.converged, "{file}");
    assert_eq!(ours.n as u64, r["n"].as_u64().unwrap(), "{file}: n");
    assert_eq!(
        ours.n_gemeente as u64,
        r["n_gemeente"].as_u64().unwrap(),
        "{file}: n_gemeente"
    );
    for (k, o) in [
        ("reml_criterion", ours.reml_criterion),
        ("reml_criterion_null", ours.reml_criterion_null),
    ] {
        let d = (o - r[k].as_f64().unwrap()).abs();
        assert!(d <= 1e-4, "{file}: {k} {o} vs {}", r[k]);
        note("REML criterion", d);
    }
    let rf = r["fixed_effects"].as_array().unwrap();
    assert_eq!(rf.len(), ours.fixed_effects.len(), "{file}");
    for (o, f) in ours.fixed_effects.iter().zip(rf) {
        assert_eq!(o.term, f["term"].as_str().unwrap());
        let (est, se) = (
            f["estimate"].as_f64().unwrap(),
            f["std_error"].as_f64().unwrap(),
        );
        let db = (o.estimate - est).abs() / se;
        assert!(
            db <= 1e-3,
            "{file}: {} {} vs {est} ({db} SE)",
            o.term,
            o.estimate
        );
        assert!(
            close_rel(o.std_error, se, 1e-3),
            "{file}: SE {} {} vs {se}",
            o.term,
            o.std_error
        );
        note("beta (in SE)", db);
        note("SE (relative)", (o.std_error / se - 1.0).abs());
    }
    for (key, ours_v) in [
        ("variance", &ours.variance),
        ("variance_null", &ours.variance_null),
    ] {
        let rv = r[key].as_object().unwrap();
        let ov = serde_json::to_value(ours_v).unwrap();
        assert_eq!(
            rv.keys().collect::<std::collections::BTreeSet<_>>(),
            ov.as_object().unwrap().keys().collect(),
            "{file}: {key} groups"
        );
        for (g, v) in rv {
            let (o, t) = (ov[g].as_f64().unwrap(), v.as_f64().unwrap());
            assert!(close_rel(o, t, 1e-3), "{file}: {key}.{g} {o} vs {t}");
            note(
                "variance (relative)",
                if (o - t).abs() < 1e-8 {
                    0.0
                } else {
                    (o / t - 1.0).abs()
                },
            );
        }
    }
    let d = (ours.residual_variance_reduction - r["residual_variance_reduction"].as_f64().unwrap())
        .abs();
    assert!(
        d <= 1e-3,
        "{file}: reduction {} vs {}",
        ours.residual_variance_reduction,
        r["residual_variance_reduction"]
    );
    let lr = &r["lr_test"];
    let d = (ours.lr_test.statistic - lr["statistic"].as_f64().unwrap()).abs();
    assert!(
        d <= 1e-3,
        "{file}: LR {} vs {}",
        ours.lr_test.statistic,
        lr["statistic"]
    );
    note("LR statistic", d);
    assert_eq!(ours.lr_test.df as u64, lr["df"].as_u64().unwrap());
    assert!(
        close_rel(ours.lr_test.p_value, lr["p_value"].as_f64().unwrap(), 1e-2),
        "{file}: p {} vs {}",
        ours.lr_test.p_value,
        lr["p_value"]
    );
    let rg = r["random_effects"]["gemeente"].as_array().unwrap();
    assert_eq!(
        rg.len(),
        ours.random_effects.gemeente.len(),
        "{file}: gemeenten"
    );
    for (o, g) in ours.random_effects.gemeente.iter().zip(rg) {
        assert_eq!(o.code, g["code"].as_str().unwrap());
        let dv = (o.value - g["value"].as_f64().unwrap()).abs();
        let ds = (o.cond_sd - g["cond_sd"].as_f64().unwrap()).abs();
        assert!(
            dv <= 1e-4 && ds <= 1e-4,
            "{file}: {} {} / {} vs {g}",
            o.code,
            o.value,
            o.cond_sd
        );
        note("BLUP", dv);
        note("cond. SD", ds);
    }
    let rp = r["predictions"].as_array().unwrap();
    assert_eq!(rp.len(), ours.predictions.len(), "{file}: predictions");
    for (o, p) in ours.predictions.iter().zip(rp) {
        assert_eq!(o.wijkcode, p["wijkcode"].as_str().unwrap());
        let d = (o.expected - p["expected"].as_f64().unwrap()).abs();
        assert!(
            d <= 1e-4,
            "{file}: {} expected {} vs {}",
            o.wijkcode,
            o.expected,
            p["expected"]
        );
        note("prediction", d);
    }
    (ours, worst)
}

#[test]
fn haaglanden_population_density_matches_lme4() {
    let (ours, worst) = compare("lme4_extension_JZ24_bev_dichth.json");
    assert!(ours.variance.jeugdzorgregiocode.is_none());
    eprintln!("JZ24 bev_dichth: worst deviations {worst:?}");
}

#[test]
fn three_regios_two_columns_match_lme4() {
    let (ours, worst) = compare("lme4_extension_G3_p_eenp_hh_sted.json");
    assert!(ours.variance.jeugdzorgregiocode.is_some());
    eprintln!("G3 p_eenp_hh,sted: worst deviations {worst:?}");
}

#[test]
fn ijsselland_three_columns_match_lme4() {
    let (ours, worst) = compare("lme4_extension_JZ07_p_gescheid_bev_dichth_p_hh_m_k.json");
    assert_eq!(ours.columns.len(), 3);
    eprintln!("JZ07 three columns: worst deviations {worst:?}");
}

#[test]
fn three_northern_regios_match_lme4() {
    let (ours, worst) = compare("lme4_extension_N3_p_gescheid_p_65_eo_jr.json");
    assert_eq!(ours.regios.len(), 3);
    eprintln!("JZ01, JZ02, JZ04: worst deviations {worst:?}");
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extend"
    ))
    .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
use std::path::PathBuf;

fn haaglanden(columns: &[&str]) -> Choice {
    Choice {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        regios: vec!["JZ24".into()],
    }
}

/// The problem on `line` (exactly one).
fn at(problems: &[Problem], line: usize) -> &Problem {
    let found: Vec<&Problem> = problems.iter().filter(|p| p.row == Some(line)).collect();
    assert_eq!(found.len(), 1, "line {line}: {found:?}");
    found[0]
}

fn check_every_problem_kind(bytes: &[u8], label: &str) -> Extension {
    let ours = extend::run(bytes, base(), &haaglanden(&["gescheiden", "dichtheid"]))
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    let p = &ours.problems;
    let expect = |line: usize,
                  severity: Severity,
                  column: Option<&str>,
                  value: Option<&str>,
                  words: &str| {
        let q = at(p, line);
        assert_eq!(q.severity, severity, "{label} line {line}: {q:?}");
        assert_eq!(q.column.as_deref(), column, "{label} line {line}: {q:?}");
        assert_eq!(q.value.as_deref(), value, "{label} line {line}: {q:?}");
        assert!(
            q.message.contains(words),
            "{label} line {line}: {}",
            q.message
        );
        // The message as shown names line, column and value.
        let shown = q.to_string();
        assert!(shown.contains(&format!("regel {line}")), "{shown}");
        if let Some(c) = column {
            assert!(shown.contains(&format!("kolom {c}")), "{shown}");
        }
    };
    use Severity::*;
    expect(
        5,
        Fout,
        Some("wijkcode"),
        Some("WK999999"),
        "onbekende wijk",
    );
    expect(
        7,
        Fout,
        Some("wijkcode"),
        Some("WK12"),
        "ongeldige wijkcode",
    );
    expect(
        9,
        Fout,
        Some("wijkcode"),
        Some("WK050311"),
        "staat ook op regel 2",
    );
    expect(
        11,
        Fout,
        Some("gescheiden"),
        Some("n.v.t."),
        "geen geldig getal",
    );
    expect(
        13,
        Waarschuwing,
        Some("wijkcode"),
        Some("WK036300"),
        "buiten de gekozen regio",
    );
    expect(15, Waarschuwing, Some("dichtheid"), Some(""), "geen waarde");
    expect(
        16,
        Waarschuwing,
        Some("wijkcode"),
        Some("WK050329"),
        "niet gepubliceerd",
    );
    expect(17, Fout, None, None, "2 velden, de kopregel heeft er 6");
    expect(19, Fout, Some("wijkcode"), Some(""), "wijkcode ontbreekt");
    // The text columns are named, not silently skipped.
    for c in ["wijknaam", "opmerking"] {
        assert!(
            p.iter().any(|q| q.row.is_none()
                && q.column.as_deref() == Some(c)
                && q.message.contains("geen getallenkolom")),
            "{label}: {c}: {p:?}"
        );
    }
    // No row with a problem is used; every used wijk is a JZ24 wijk with a published use.
    let used: Vec<&str> = ours
        .predictions
        .iter()
        .map(|w| w.wijkcode.as_str())
        .collect();
    for code in ["WK050311", "WK050324", "WK036300", "WK050328", "WK050329"] {
        assert!(!used.contains(&code), "{label}: {code} used");
    }
    assert!(used.contains(&"WK050312") && used.contains(&"WK050327"));
    // Every data row is used or has a problem.
    let rows_with_problem: std::collections::BTreeSet<usize> =
        p.iter().filter_map(|q| q.row).collect();
    let text = String::from_utf8(fixture("haaglanden_utf8.csv")).unwrap();
    let unaccounted: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .skip(1)
        .map(|(i, l)| (i + 1, l.split(',').next().unwrap()))
        .filter(|(line, code)| !rows_with_problem.contains(line) && !used.contains(code))
        .collect();
    assert_eq!(
        ours.n + rows_with_problem.len(),
        109,
        "{label}: used + problem rows = data rows; {unaccounted:?} {} {rows_with_problem:?}",
        ours.n
    );
    assert_eq!(ours.columns, ["gescheiden", "dichtheid"]);
    ours
}

#[test]
fn excel_nl_and_plain_utf8_files_give_the_same_fit_and_the_same_problems() {
    let excel = fixture("haaglanden_excel_nl.csv");
    assert!(
        excel.windows(2).any(|w| w == b"\r\n") && excel.contains(&0xe9),
        "Windows-1252 with CRLF"
    );
    let a = check_every_problem_kind(&excel, "Excel-NL");
    let b = check_every_problem_kind(&fixture("haaglanden_utf8.csv"), "UTF-8");
    // Excel's "CSV UTF-8": the same text with a byte-order mark.
    let text: String = excel
        .iter()
        .map(|&b| if b == 0xe9 { 'é' } else { b as char })
        .collect();
    let bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    let c = check_every_problem_kind(&bom, "UTF-8 met BOM");
    // The same fit, bit for bit, and the same problems (the messages differ
    // only in which decimal mark they ask for).
    let places = |e: &Extension| -> Vec<_> {
        e.problems
            .iter()
            .map(|p| (p.row, p.column.clone(), p.value.clone(), p.severity))
            .collect()
    };
    assert_eq!(places(&a), places(&b));
    assert_eq!(places(&a), places(&c));
    let fit_only = |mut e: Extension| {
        e.problems.clear();
        e
    };
    let (a, b, c) = (fit_only(a), fit_only(b), fit_only(c));
    assert_eq!(a, b);
    assert_eq!(a, c);
    let i = extend::inspect(&excel, base()).unwrap();
    assert_eq!(
        (i.delimiter, i.decimal, i.encoding, i.rows),
        (";", "komma", "Windows-1252", 109)
    );
    let i = extend::inspect(&fixture("haaglanden_utf8.csv"), base()).unwrap();
    assert_eq!((i.delimiter, i.decimal, i.encoding), (",", "punt", "UTF-8"));
    let numeric: Vec<(&str, bool)> = i
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.numeric))
        .collect();
    assert_eq!(
        numeric,
        [
            ("wijknaam", false),
            ("gescheiden", true),
            ("dichtheid", true),
            ("huishoudgrootte", true),
            ("opmerking", false)
        ]
    );
    let g = &i.columns[1];
    assert_eq!((g.n_invalid, g.n_missing), (1, 0));
    // The regio's of the file's wijken: Haaglanden and Amsterdam-Amstelland (one wijk).
    let regios: Vec<(&str, usize)> = i
        .regios
        .iter()
        .map(|r| (r.code.as_str(), r.n_wijken))
        .collect();
    assert_eq!(regios.len(), 2, "{regios:?}");
    assert_eq!(regios[1].0, "JZ24");
    assert_eq!(regios[0], ("JZ13", 1));
}

#[test]
fn constant_collinear_and_too_few_are_refused_before_fitting() {
    let file = fixture("haaglanden_constant_collinear.csv");
    let e = extend::run(&file, base(), &haaglanden(&["constant"])).unwrap_err();
    assert_eq!(e.0.column.as_deref(), Some("constant"), "{e}");
    assert_eq!(e.0.value.as_deref(), Some("5"), "{e}");
    assert!(e.to_string().contains("dezelfde waarde"), "{e}");
    let e = extend::run(&file, base(), &haaglanden(&["a", "b", "c"])).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("collineair") && m.contains("'c'") && m.contains("'a'") && m.contains("'b'"),
        "{m}"
    );
    // Two of the three are fine.
    let ok = extend::run(&file, base(), &haaglanden(&["a", "b"])).unwrap();
    assert_eq!(ok.fixed_effects.len(), 3);
    // Too few wijken: the first six rows.
    let text = String::from_utf8(file).unwrap();
    let few: String = text.lines().take(7).map(|l| format!("{l}\n")).collect();
    let e = extend::run(few.as_bytes(), base(), &haaglanden(&["a"])).unwrap_err();
    assert!(e.to_string().contains("te weinig wijken"), "{e}");
    // And inspect reports it as a problem rather than failing.
    let i = extend::inspect(few.as_bytes(), base()).unwrap();
    assert!(
        i.problems
            .iter()
            .any(|p| p.message.contains("te weinig wijken")),
        "{:?}",
        i.problems
    );
    // Unknown column or regio, a text column, no wijkcode column: refused, named.
    let utf8 = fixture("haaglanden_utf8.csv");
    let e = extend::run(&utf8, base(), &haaglanden(&["scheiding"])).unwrap_err();
    assert_eq!(e.0.column.as_deref(), Some("scheiding"), "{e}");
    let e = extend::run(&utf8, base(), &haaglanden(&["opmerking"])).unwrap_err();
    assert!(e.to_string().contains("geen getallenkolom"), "{e}");
    let e = extend::run(
        &utf8,
        base(),
        &Choice {
            columns: vec![],
            regios: vec!["JZ99".into()],
        },
    )
    .unwrap_err();
    assert_eq!(e.0.value.as_deref(), Some("JZ99"), "{e}");
    let e = extend::run(b"code;x\nWK050311;1\n", base(), &Choice::default()).unwrap_err();
    assert!(
        e.to_string().contains("regel 1") && e.to_string().contains("wijkcode"),
        "{e}"
    );
}

#[test]
fn defaults_use_every_numeric_column_and_the_files_regios() {
    let ours = extend::run(&fixture("haaglanden_utf8.csv"), base(), &Choice::default()).unwrap();
    assert_eq!(ours.columns, ["gescheiden", "dichtheid", "huishoudgrootte"]);
    let regios: Vec<&str> = ours.regios.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(regios, ["JZ13", "JZ24"]);
    // Two regio's, so a regio level.
    assert!(ours.variance.jeugdzorgregiocode.is_some());
    assert!(ours
        .cautions
        .iter()
        .any(|c| c.contains("Samenhang is geen oorzaak")));
    assert!(ours.cautions.iter().any(|c| c.contains("3 kolommen")));
}

/// A calculator as the browser builds it: the browser model, the site data,
/// then the wijk values loaded (through their JSON files).
fn browser_calculator(model: &Model) -> jeugdhulp_wijk::site::Calculator {
    use jeugdhulp_wijk::site::{self, SiteData};
    let p = Predictor::new(model.clone()).unwrap();
    let s = SiteData::build(dataset(), &p).unwrap();
    let values = serde_json::to_string(&s.values_file(&p.model.determinant_names())).unwrap();
    let site_json = serde_json::to_string(&s).unwrap();
    let browser = serde_json::to_string(&site::browser_model(model)).unwrap();
    site::calculator_from_json(&browser, &site_json, Some(&values)).unwrap()
}

#[test]
fn national_refit_from_the_browser_data_is_the_cli_fit() {
    use jeugdhulp_wijk::model::{self, Spec};
    use jeugdhulp_wijk::refit::refit_national;
    let c = browser_calculator(scp_model());
    let all: Vec<String> = scp_model().determinant_names();
    let r = refit_national(&c, &all).unwrap();
    // Bit for bit the model fitted from the data files.
    assert_eq!(r.fixed_effects, scp_model().fixed_effects);
    assert_eq!(r.reml_criterion, scp_model().reml_criterion);
    assert_eq!((r.n, r.specification), (2918, "scp"));
    assert_eq!(r.verdict_changes.vs_default, 0);
    assert_eq!(r.verdicts.len(), 2918);
    assert_eq!(r.verdicts.iter().filter(|v| v.is_some()).count(), 2632);
    // A subset, in any order: the model's order, the CLI's fit.
    let subset = ["perc_1ouder", "perc_hhmk", "gem_gestink", "kleinewijk"];
    let r = refit_national(&c, &subset.map(String::from)).unwrap();
    let dets = jeugdhulp_wijk::determinants::select(&[
        "perc_hhmk",
        "perc_1ouder",
        "gem_gestink",
        "kleinewijk",
    ])
    .unwrap();
    let input = model::Input {
        file: data::WIJK_FILE,
        sha256: "test",
        youth_file: data::YOUTH_FILE,
        youth_sha256: "test",
    };
    let m = model::fit_model_with(dataset(), &dets, Spec::Scp, &input).unwrap();
    assert_eq!(
        r.determinants,
        ["perc_hhmk", "perc_1ouder", "gem_gestink", "kleinewijk"]
    );
    assert_eq!(r.fixed_effects, m.fixed_effects);
    assert_eq!(r.variance.residual, m.variance.residual);
    assert!(r.verdict_changes.vs_default > 0, "{:?}", r.verdict_changes);
    assert!(r.verdict_changes.vs_scp > 0, "{:?}", r.verdict_changes);
    // Refused, named: an unknown name, a repeat, an empty list.
    let e = refit_national(&c, &["perc_onzin".to_string()]).unwrap_err();
    assert!(e.contains("perc_onzin"), "{e}");
    let e = refit_national(&c, &["perc_hhmk".to_string(), "perc_hhmk".to_string()]).unwrap_err();
    assert!(e.contains("twee keer"), "{e}");
    assert!(refit_national(&c, &[]).unwrap_err().contains("leeg"));
}

#[test]
fn national_refit_in_todays_specification_matches_the_lme4_subsets() {
    use jeugdhulp_wijk::refit::refit_national;
    let c = browser_calculator(full_model());
    let fixtures = read_json(reference_dir().join("lme4_subsets.json"));
    for f in fixtures["fits"].as_array().unwrap().iter().take(3) {
        let names: Vec<String> = f["determinants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let r = refit_national(&c, &names).unwrap();
        let rf = f["fixed_effects"].as_array().unwrap();
        assert_eq!(r.fixed_effects.len(), rf.len());
        for t in rf {
            // The refit keeps the model's order; compare by term.
            let o = r
                .fixed_effects
                .iter()
                .find(|o| o.term == t["term"].as_str().unwrap())
                .unwrap();
            let se = t["std_error"].as_f64().unwrap();
            assert!(
                (o.estimate - t["estimate"].as_f64().unwrap()).abs() <= 1e-3 * se,
                "{names:?}: {o:?} vs {t}"
            );
        }
        let rc = f["reml_criterion"].as_f64().unwrap();
        assert!(
            (r.reml_criterion - rc).abs() <= 1e-4,
            "{names:?}: {} vs {rc}",
            r.reml_criterion
        );
    }
}

/// The extension on the browser's calculator is the CLI's (same model, same offset).
#[test]
fn extension_on_the_browser_data_is_the_cli_extension() {
    let c = browser_calculator(scp_model());
    let b = Base::new(
        &c.predictor,
        c.site.wijken.iter().map(|w| (w, w.values.as_slice())),
    )
    .unwrap();
    let choice = Choice {
        columns: vec!["bev_dichth".into()],
        regios: vec!["JZ24".into()],
    };
    let ours = extend::run(&kerncijfers(), &b, &choice).unwrap();
    let cli = extend::run(&kerncijfers(), &base_for(scp_model()), &choice).unwrap();
    assert_eq!(ours, cli);
    assert_eq!(ours.n, 98);
}

// ---- The CLI: `jeugdhulp-wijk extend`.

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_jeugdhulp-wijk"));
    c.env("JEUGDHULP_DATA", data_dir());
    c
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jeugdhulp-wijk-extend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A model file in today's specification (the reference's offset), fitted by the CLI once.
fn gemeente_model_file() -> &'static PathBuf {
    static P: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let out = tmp("gemeente.json");
        let o = bin()
            .args(["fit", "--impute", "gemeente", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    })
}

#[test]
fn cli_extend_writes_the_reference_fields_and_matches_lme4() {
    let out = tmp("jz24.json");
    let o = bin()
        .args(["extend", "--model"])
        .arg(gemeente_model_file())
        .arg("--covariates")
        .arg(data_dir().join(data::YOUTH_FILE))
        .args(["--columns", "bev_dichth", "--regio", "JZ24", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("98 wijken in 10 gemeenten"), "{stderr}");
    // The 152 kerncijfers wijken that SCP left out are named as unknown.
    assert!(stderr.contains("onbekende wijk"), "{stderr}");
    let ours = read_json(out);
    let r = read_json(reference_dir().join("lme4_extension_JZ24_bev_dichth.json"));
    for field in [
        "n",
        "n_gemeente",
        "reml_criterion",
        "reml_criterion_null",
        "fixed_effects",
        "variance",
        "variance_null",
        "residual_variance_reduction",
        "lr_test",
        "random_effects",
        "predictions",
    ] {
        assert!(!ours[field].is_null(), "{field}");
    }
    assert_eq!(ours["n"], r["n"]);
    let (a, b) = (&ours["fixed_effects"][1], &r["fixed_effects"][1]);
    assert_eq!(a["term"], b["term"]);
    let se = b["std_error"].as_f64().unwrap();
    assert!((a["estimate"].as_f64().unwrap() - b["estimate"].as_f64().unwrap()).abs() <= 1e-3 * se);
    let lr = (ours["lr_test"]["statistic"].as_f64().unwrap()
        - r["lr_test"]["statistic"].as_f64().unwrap())
    .abs();
    assert!(lr <= 1e-3, "{lr}");
    assert_eq!(
        ours["variance"].as_object().unwrap().len(),
        2,
        "gemeentecode and Residual"
    );
    assert!(ours["variance"]["Residual"].is_f64());
    let g = &ours["random_effects"]["gemeente"][0];
    assert!(g["code"].is_string() && g["value"].is_f64() && g["cond_sd"].is_f64());
    let p = &ours["predictions"][0];
    assert!(p["wijkcode"].is_string() && p["expected"].is_f64());
}

#[test]
fn cli_extend_defaults_to_the_files_regios_and_columns_and_writes_to_stdout() {
    let o = bin()
        .args(["extend", "--model"])
        .arg(gemeente_model_file())
        .arg("--covariates")
        .arg(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/extend/haaglanden_excel_nl.csv"
        )))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("Windows-1252") && stderr.contains("';'") && stderr.contains("komma"),
        "{stderr}"
    );
    // The errors in the file, with line, column and value.
    assert!(
        stderr.contains("regel 5, kolom wijkcode, waarde 'WK999999'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("regel 11, kolom gescheiden, waarde 'n.v.t.'"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["columns"],
        serde_json::json!(["gescheiden", "dichtheid", "huishoudgrootte"])
    );
    assert_eq!(v["regios"][0]["code"], "JZ13");
    assert_eq!(v["regios"][1]["code"], "JZ24");
    assert!(v["variance"]["jeugdzorgregiocode"].is_f64());
}

#[test]
fn cli_extend_refusals_name_the_problem() {
    let run = |args: &[&str]| {
        let o = bin()
            .args(["extend", "--model"])
            .arg(gemeente_model_file())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extend/haaglanden_utf8.csv"
    );
    let e = run(&["--covariates", file, "--columns", "gescheiden,scheiding"]);
    assert!(
        e.contains("kolom scheiding") && e.contains("niet in het bestand"),
        "{e}"
    );
    let e = run(&["--covariates", file, "--regio", "JZ24,JZ99"]);
    assert!(e.contains("JZ99"), "{e}");
    let e = run(&["--covariates", file, "--columns", "gescheiden,,dichtheid"]);
    assert!(e.contains("--columns"), "{e}");
    let e = run(&["--covariates", "/bestaat/niet.csv"]);
    assert!(e.contains("/bestaat/niet.csv"), "{e}");
    let e = run(&[]);
    assert!(e.contains("--covariates ontbreekt"), "{e}");
    let collinear = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extend/haaglanden_constant_collinear.csv"
    );
    let e = run(&[
        "--covariates",
        collinear,
        "--columns",
        "a,b,c",
        "--regio",
        "JZ24",
    ]);
    assert!(e.contains("collineair"), "{e}");
}

/// The page's example file: Excel-NL, the wijken of the model, and the same
/// fit as the kerncijfers file it comes from.
#[test]
fn example_file_is_excel_nl_and_gives_the_kerncijfers_fit() {
    let text = String::from_utf8(kerncijfers()).unwrap();
    let codes: Vec<&str> = dataset().wijken.iter().map(|w| w.code.as_str()).collect();
    let bytes = extend::example_file(&text, &codes).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbfwijkcode;pct_gescheiden;bevolkingsdichtheid;"));
    let body = std::str::from_utf8(&bytes).unwrap();
    assert_eq!(body.matches("\r\n").count(), 2919);
    assert!(body.contains(";2,1;"), "a decimal comma");
    let i = extend::inspect(&bytes, base()).unwrap();
    assert_eq!((i.delimiter, i.decimal, i.rows), (";", "komma", 2918));
    assert!(i.columns.iter().all(|c| c.numeric));
    assert!(
        i.problems
            .iter()
            .all(|p| p.severity == Severity::Waarschuwing),
        "{:?}",
        i.problems.iter().find(|p| p.severity == Severity::Fout)
    );
    let ours = extend::run(&bytes, base(), &haaglanden(&["bevolkingsdichtheid"])).unwrap();
    let kern = extend::run(&kerncijfers(), base(), &haaglanden(&["bev_dichth"])).unwrap();
    assert_eq!(ours.n, kern.n);
    assert_eq!(
        ours.fixed_effects[1].estimate,
        kern.fixed_effects[1].estimate
    );
    assert_eq!(ours.lr_test, kern.lr_test);
}

/// A text that reads as English: no Dutch function words, nor "wijken" or "gemeente(n)"
/// where the page's English says districts and municipalities (a place name, a column name
/// or a quoted value may still be Dutch; those are checked without the quoted parts).
fn reads_as_english(en: &str) -> bool {
    let unquoted: String = en.split('\'').step_by(2).collect::<Vec<_>>().join(" ");
    let words: Vec<String> = unquoted
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    let dutch = [
        "de",
        "het",
        "een",
        "niet",
        "van",
        "en",
        "wijken",
        "regel",
        "kolom",
        "waarde",
        "geen",
        "doet",
        "mee",
        "zijn",
        "is",
        "te",
        "wijken",
        "gemeente",
        "gemeenten",
    ];
    // "is" is English too: allowed; only the rest count.
    !words
        .iter()
        .any(|w| dutch.contains(&w.as_str()) && w != "is" && w != "te")
}

#[test]
fn every_problem_refusal_and_caution_comes_in_english_too() {
    let mut seen = 0;
    let mut check = |nl: &str, en: &str, what: &str| {
        seen += 1;
        assert!(!en.is_empty() && en != nl, "{what}: no English for '{nl}'");
        assert!(
            reads_as_english(en),
            "{what}: not English: '{en}' (Dutch: '{nl}')"
        );
    };
    // Every kind of problem in the two dialects, and a run's cautions.
    for name in ["haaglanden_excel_nl.csv", "haaglanden_utf8.csv"] {
        let ours = extend::run(
            &fixture(name),
            base(),
            &haaglanden(&["gescheiden", "dichtheid"]),
        )
        .unwrap();
        assert!(ours.problems.len() >= 8, "{name}: {:?}", ours.problems);
        for p in &ours.problems {
            check(&p.message, &p.message_en, name);
        }
        assert_eq!(ours.cautions.len(), ours.cautions_en.len());
        for (nl, en) in ours.cautions.iter().zip(&ours.cautions_en) {
            check(nl, en, "caution");
        }
        let i = extend::inspect(&fixture(name), base()).unwrap();
        for p in &i.problems {
            check(&p.message, &p.message_en, "inspect");
        }
    }
    // Refusals: constant, collinear, too few, unknown column or regio, text column, no
    // wijkcode column, an empty file, an ambiguous separator.
    let file = fixture("haaglanden_constant_collinear.csv");
    let text = String::from_utf8(file.clone()).unwrap();
    let few: String = text.lines().take(7).map(|l| format!("{l}\n")).collect();
    let utf8 = fixture("haaglanden_utf8.csv");
    let refusals = [
        extend::run(&file, base(), &haaglanden(&["constant"])),
        extend::run(&file, base(), &haaglanden(&["a", "b", "c"])),
        extend::run(few.as_bytes(), base(), &haaglanden(&["a"])),
        extend::run(&utf8, base(), &haaglanden(&["scheiding"])),
        extend::run(&utf8, base(), &haaglanden(&["opmerking"])),
        extend::run(
            &utf8,
            base(),
            &Choice {
                columns: vec![],
                regios: vec!["JZ99".into()],
            },
        ),
        extend::run(b"code;x\nWK050311;1\n", base(), &Choice::default()),
        extend::run(b"", base(), &Choice::default()),
        extend::run(b"wijkcode;a,b\nWK050311;1,2\n", base(), &Choice::default()),
    ];
    for r in refusals {
        let e = r.expect_err("a refusal");
        check(&e.0.message, &e.0.message_en, "refusal");
    }
    assert!(seen > 30, "{seen} messages checked");
}

/// SCP's coefficients of the 21 wijk-level determinants, as its expected use reveals them:
/// the figures `tools/fidelity/scp_coefficients.R` printed with R's `lm` (docs/fidelity.md
/// §1 and its table of six coefficients, three decimals).
#[test]
fn scp_coefficients_are_those_perc_przv_reveals() {
    use jeugdhulp_wijk::refit::scp_coefficients;
    let c = browser_calculator(scp_model());
    let s = scp_coefficients(&c).unwrap();
    assert_eq!((s.n, s.n_gemeente), (1618, 373));
    assert!((s.rmse - 0.075).abs() < 0.0005, "rmse {}", s.rmse);
    assert_eq!(s.fixed_effects.len(), 21);
    for (name, r) in [
        ("perc_hhmkhgink", -0.035),
        ("perc_hhverd", 0.301),
        ("perc_hhwan", 0.152),
        ("perc_hhbijs", 0.146),
        ("perc_kind_sch5", 0.083),
        ("perc_1ouder", 0.071),
    ] {
        let ours = s
            .fixed_effects
            .iter()
            .find(|f| f.term == name)
            .unwrap()
            .estimate;
        assert!((ours - r).abs() <= 0.0005, "{name}: {ours} against R's {r}");
    }
    // In every refit, the same (they are SCP's, not the refit's).
    let r = jeugdhulp_wijk::refit::refit_national(&c, &["perc_1ouder".to_string()]).unwrap();
    assert_eq!(r.scp, s);
}

/// The upload reader shares csvfile: the Excel-NL fixture saved as UTF-16LE with its BOM
/// ("Unicode-tekst") is inspected exactly as the Windows-1252 original, its encoding named
/// `UTF-16LE`; a 400-digit value is "getal te groot", its value cut to 20 characters.
#[test]
fn an_upload_in_utf16_reads_as_its_windows_1252_twin_and_long_numbers_stay_short() {
    let excel = fixture("haaglanden_excel_nl.csv");
    let text: String = excel
        .iter()
        .map(|&b| jeugdhulp_wijk::csvfile::windows_1252(b))
        .collect();
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let want = extend::inspect(&excel, base()).unwrap();
    let got = extend::inspect(&utf16, base()).unwrap();
    assert_eq!(got.encoding, "UTF-16LE");
    assert_eq!(
        extend::Inspection {
            encoding: want.encoding,
            ..got
        },
        want
    );

    let digits = "9".repeat(400);
    let plain = String::from_utf8(fixture("haaglanden_utf8.csv")).unwrap();
    let long = plain.replacen(
        "WK050312,Wijk 12 Vrijenban,9,",
        &format!("WK050312,Wijk 12 Vrijenban,{digits},"),
        1,
    );
    assert_ne!(long, plain);
    let i = extend::inspect(long.as_bytes(), base()).unwrap();
    let p = i
        .problems
        .iter()
        .find(|p| p.row == Some(3) && p.column.as_deref() == Some("gescheiden"))
        .expect("a problem on line 3");
    assert_eq!(
        p.value.as_deref(),
        Some(format!("{}…", &digits[..20]).as_str())
    );
    assert!(p.message.starts_with("getal te groot"), "{}", p.message);
}
