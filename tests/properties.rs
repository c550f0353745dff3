//! Property tests (proptest): the loaders and `score` never panic, whatever they are
//! given; `score` writes exactly one output row per input row; `expected()` never fails
//! on anything but a clear input error and is linear in each determinant within its
//! range. A failing case is shrunk and printed by proptest, with the seed to replay it.

mod common;
use jeugdhulp_wijk::data::fs::read_text;
use jeugdhulp_wijk::data::Dataset;
use jeugdhulp_wijk::geo::decode_topology;
use jeugdhulp_wijk::model::{Model, Predictor, Profile};
use jeugdhulp_wijk::site::{calculator_from_bin, BrowserFiles, SiteData};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn predictor() -> &'static Predictor {
    static P: OnceLock<Predictor> = OnceLock::new();
    P.get_or_init(|| Predictor::new(common::full_model().clone()).unwrap())
}

/// The model in SCP's specification, the one the page uses.
fn scp_predictor() -> &'static Predictor {
    static P: OnceLock<Predictor> = OnceLock::new();
    P.get_or_init(|| Predictor::new(common::scp_model().clone()).unwrap())
}

/// The invariants of every prediction `expected()` returns for `values`.
fn check_prediction(
    p: &Predictor,
    values: &[Option<f64>],
    r: &jeugdhulp_wijk::model::Prediction,
) -> Result<(), TestCaseError> {
    for v in [
        r.expected,
        r.expected_fixed,
        r.se,
        r.ci_low,
        r.ci_high,
        r.pi_low,
        r.pi_high,
    ] {
        prop_assert!(v.is_finite(), "{r:?}");
    }
    prop_assert!(r.ci_low <= r.expected && r.expected <= r.ci_high, "{r:?}");
    prop_assert!(r.pi_low <= r.pi_high, "{r:?}");
    if p.uses_youth() {
        // SCP's specification: the PI clipped to 0–100, around the clipped expected use.
        prop_assert!(0.0 <= r.pi_low && r.pi_high <= 100.0, "{r:?}");
        let e = r.expected.clamp(0.0, 100.0);
        prop_assert!(r.pi_low <= e && e <= r.pi_high, "{r:?}");
    } else {
        prop_assert!(r.pi_low <= r.ci_low && r.ci_high <= r.pi_high, "{r:?}");
    }
    // The caution: exactly the given values outside the range of 2017, and an
    // expected use outside 0–100 %.
    let outside: Vec<String> = p
        .model
        .determinants
        .iter()
        .zip(values)
        .filter(|(d, v)| v.is_some_and(|v| v < d.min || v > d.max))
        .map(|(d, _)| d.name.clone())
        .collect();
    prop_assert_eq!(&r.extrapolated, &outside);
    prop_assert_eq!(r.outside_percent, !(0.0..=100.0).contains(&r.expected));
    prop_assert_eq!(
        r.caution.is_some(),
        r.outside_percent || !r.extrapolated.is_empty()
    );
    if let Some(c) = &r.caution {
        for name in &r.extrapolated {
            prop_assert!(
                c.nl.contains(name.as_str()) && c.en.contains(name.as_str()),
                "{c:?}"
            );
        }
    }
    Ok(())
}

/// A value the core accepts for each determinant (mostly inside its range, some
/// at its ends, a yes/no mostly 0 or 1), or missing (imputed).
fn accepted_values() -> impl Strategy<Value = Vec<Option<f64>>> {
    let ranges: Vec<(f64, f64, bool)> = common::full_model()
        .determinants
        .iter()
        .map(|d| {
            let (_, t) = jeugdhulp_wijk::determinants::find(&d.name).unwrap();
            let yes_no = t.unit == jeugdhulp_wijk::determinants::Unit::YesNo;
            (t.range.0, t.range.1, yes_no)
        })
        .collect();
    proptest::collection::vec((0u8..12, 0.0f64..=1.0), ranges.len()).prop_map(move |draws| {
        draws
            .iter()
            .zip(&ranges)
            .map(|(&(how, u), &(lo, hi, yes_no))| match how {
                0 => None,
                1 => Some(lo),
                2 => Some(hi),
                _ if yes_no && how < 10 => Some(u.round()),
                // Mostly within the observed part of a wide range too: u² leans low.
                _ => Some(lo + u * u * (hi - lo)),
            })
            .collect()
    })
}

/// `expected()` on values the core accepts (the Ok branch, which arbitrary numbers
/// practically never reach), on both models, with and without a gemeente and a youth
/// count: every case gives a prediction that keeps the invariants.
#[test]
fn expected_never_traps() {
    use proptest::test_runner::TestRunner;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Both models have the same 27 determinants in the same order.
    assert_eq!(
        common::full_model().determinant_names(),
        common::scp_model().determinant_names()
    );
    let (ok, cases) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let strategy = (
        accepted_values(),
        proptest::option::of(prop_oneof![
            Just("GM0363".to_string()),
            Just("GM0014".to_string()),
            "GM[0-9]{4}"
        ]),
        // A youth count from 1 to a million, log-uniform.
        proptest::option::of((0.0f64..=6.0).prop_map(|e| 10f64.powf(e))),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    runner
        .run(&strategy, |(values, gemeente, n_jeugd, scp)| {
            let p = if scp { scp_predictor() } else { predictor() };
            cases.fetch_add(1, Ordering::Relaxed);
            let r = p
                .expected_with(
                    &Profile {
                        gemeente,
                        values: values.clone(),
                    },
                    n_jeugd,
                )
                .map_err(|e| TestCaseError::fail(format!("{e} for {values:?}")))?;
            check_prediction(p, &values, &r)?;
            ok.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    // Every case reached the Ok branch and its checks.
    let (ok, cases) = (ok.into_inner(), cases.into_inner());
    assert!(cases >= 512 && ok == cases, "{ok} of {cases}");
}

/// The page's three binary files for the SCP model (src/wire.rs), made once.
fn browser_files() -> &'static BrowserFiles {
    static F: OnceLock<BrowserFiles> = OnceLock::new();
    F.get_or_init(|| {
        let p = Predictor::new(common::scp_model().clone()).unwrap();
        let site = SiteData::build(common::dataset(), &p).unwrap();
        let values = site.values_file(&p.model.determinant_names());
        BrowserFiles::new(&p.model, &site, &values).unwrap()
    })
}

/// `bytes` with some bytes after the 5-byte header replaced, then cut at `cut` if given
/// (as a damaged download would be).
fn damaged(bytes: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for &(at, v) in edits {
        let i = 5 + at % (b.len() - 5);
        b[i] = v;
    }
    if let Some(cut) = cut {
        b.truncate(cut % (b.len() + 1));
    }
    b
}

fn model_json() -> &'static str {
    static J: OnceLock<String> = OnceLock::new();
    J.get_or_init(|| serde_json::to_string(common::full_model()).unwrap())
}

/// A model file for the CLI, written once per test binary.
fn model_file() -> &'static PathBuf {
    static F: OnceLock<PathBuf> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jeugdhulp-wijk-prop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.json");
        std::fs::write(&path, model_json()).unwrap();
        path
    })
}

/// Fields a person's CSV may hold: numbers in every spelling, codes, junk, quotes.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0f64..100.0).prop_map(|v| format!("{v}")),
        any::<f64>().prop_map(|v| format!("{v}")),
        Just(String::new()),
        Just("12,5".to_string()),
        Just("1.234,5".to_string()),
        Just("1e308".to_string()),
        Just("-0".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("GM0363".to_string()),
        Just("GM9999".to_string()),
        Just("WK036300".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        "[a-z0-9 ;,.\"é€-]{0,12}",
    ]
}

/// Header names: the model's columns, pass-through columns, output names, junk.
fn column() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(common::full_model().determinant_names()),
        Just("gemeentecode".to_string()),
        Just("wijkcode".to_string()),
        Just("naam".to_string()),
        Just("expected".to_string()),
        "[a-z_]{1,10}",
    ]
}

/// Write one CSV field as a CSV writer would (quoted when it must be).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Run `score` on the input bytes; (exit code, output file bytes if written, stderr).
fn score(input: &[u8]) -> (Option<i32>, Option<Vec<u8>>, String) {
    let dir = tempdir();
    let inp = dir.join("in.csv");
    let out = dir.join("out.csv");
    std::fs::write(&inp, input).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_jeugdhulp-wijk"))
        .env("JEUGDHULP_DATA", common::data_dir())
        .arg("score")
        .arg("--model")
        .arg(model_file())
        .arg("--input")
        .arg(&inp)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    let written = std::fs::read(&out).ok();
    let _ = std::fs::remove_dir_all(&dir);
    (
        o.status.code(),
        written,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "jeugdhulp-wijk-prop-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `bytes` written to a file and read back as the CLI reads its data and model files
/// (`data::fs::read_text`): the text, or `None` after checking that the error names the
/// line and byte of the first bytes that are not UTF-8.
fn read_bytes_as_a_file(name: &str, bytes: &[u8]) -> Result<Option<String>, TestCaseError> {
    let dir = std::env::temp_dir().join(format!("jeugdhulp-wijk-prop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.bytes"));
    std::fs::write(&path, bytes).unwrap();
    match read_text(&path) {
        Ok(text) => {
            prop_assert_eq!(text.as_bytes(), bytes);
            Ok(Some(text))
        }
        Err(e) => {
            let at = std::str::from_utf8(bytes).unwrap_err().valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            let want = format!("geen UTF-8 (regel {line}, byte 0x{:02x})", bytes[at]);
            prop_assert!(e.starts_with(&want), "{e} (want {want})");
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: 48, ..Config::default() })]

    /// Any bytes at all: an answer (exit 0, 1 or 2), never a panic (101) or a signal.
    #[test]
    fn score_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let (code, _, stderr) = score(&bytes);
        prop_assert!(matches!(code, Some(0..=2)), "exit {code:?}: {stderr}");
    }

    /// A well-formed CSV (any columns, any values): when `score` writes output, it has
    /// the header plus exactly one row per input row, each as wide as the header.
    #[test]
    fn score_writes_one_row_per_input_row(
        header in proptest::collection::vec(column(), 1..6),
        rows in proptest::collection::vec(proptest::collection::vec(field(), 1..7), 0..12),
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",") + eol;
        for r in &rows {
            let line = r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
            // A blank line is no record in CSV: one empty field is written quoted.
            text += &(if line.is_empty() { "\"\"".to_string() } else { line } + eol);
        }
        let (code, written, stderr) = score(text.as_bytes());
        prop_assert!(matches!(code, Some(0..=2)), "exit {code:?}: {stderr}");
        if code == Some(0) || code == Some(2) {
            let out = written.expect("an output file when rows were scored");
            let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(&out[..]);
            let width = rdr.headers().unwrap().len();
            let records: Vec<_> = rdr.records().collect::<Result<_, _>>().unwrap();
            prop_assert_eq!(records.len(), rows.len(), "{}", stderr);
            for r in &records {
                prop_assert_eq!(r.len(), width);
            }
        } else {
            prop_assert!(!stderr.trim().is_empty(), "a refusal says why");
        }
    }

    /// The wijk-file loader: any text gives data or errors, never a panic; any bytes in a
    /// file, read as the CLI reads it (`data::fs::read_text`), give text or an error that
    /// names the line of the first byte that is not UTF-8, never a panic.
    #[test]
    fn wijk_loader_never_panics(text in ".{0,600}", bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Dataset::from_csv("x.csv", &text);
        if let Some(text) = read_bytes_as_a_file("wijk", &bytes)? {
            let _ = Dataset::from_csv("x.csv", &text);
        }
        // The reader of uploads (`csvfile::read_bytes`), on the same bytes as they are and
        // behind each UTF-16 byte-order mark: a table or an error at a line, never a panic.
        for bom in [&b""[..], b"\xff\xfe", b"\xfe\xff"] {
            let file = [bom, &bytes[..]].concat();
            if let Err(e) = jeugdhulp_wijk::csvfile::read_bytes(&file) {
                prop_assert!(e.line >= 1 && !e.message.nl.is_empty() && !e.message.en.is_empty());
            }
        }
    }

    /// The real file with one line replaced by junk: still no panic, and an error names it.
    #[test]
    fn wijk_loader_names_a_damaged_line(line in 1usize..2918, junk in "[a-zA-Z0-9,.\" ]{0,80}") {
        // A blank line is no record (CSV): the damage must leave something on the line.
        prop_assume!(!junk.trim().is_empty());
        let text = common::wijk_csv();
        let mut lines: Vec<&str> = text.lines().collect();
        let original = lines[line];
        lines[line] = &junk;
        let damaged = lines.join("\n");
        if let Err(e) = Dataset::from_csv("x.csv", &damaged) {
            // `x.csv:LINE, kolom …` or `x.csv:LINE: …`, LINE 1-based (the header is 1).
            let msg = e.to_string();
            let at = format!("x.csv:{}", line + 1);
            prop_assert!(
                msg.contains(&format!("{at},")) || msg.contains(&format!("{at}:")),
                "line {} not named: {msg}", line + 1
            );
        } else {
            // Only a line that still reads as a valid wijk can pass.
            prop_assert!(junk.split(',').count() == original.split(',').count(), "accepted: {junk:?}");
        }
    }

    /// Model files: any text, or the real model cut short anywhere, gives a model or an
    /// error, never a panic; a model that loads also gives a predictor or an error.
    #[test]
    fn model_loader_never_panics(
        cut in 0usize..1_000_000,
        text in ".{0,200}",
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        flip in any::<(usize, u8)>(),
    ) {
        let json = model_json();
        // Bytes through the file reader: arbitrary ones, and the real model with one byte
        // changed (so that most cases get past the UTF-8 check to the JSON reader).
        let mut changed = json.as_bytes().to_vec();
        let at = flip.0 % changed.len();
        changed[at] = flip.1;
        for b in [&bytes, &changed] {
            if let Some(t) = read_bytes_as_a_file("model", b)? {
                if let Ok(m) = Model::from_json(&t) {
                    let _ = Predictor::new(m);
                }
            }
        }
        let mut cut = cut % json.len();
        while !json.is_char_boundary(cut) {
            cut -= 1;
        }
        for t in [&json[..cut], text.as_str()] {
            if let Ok(m) = Model::from_json(t) {
                let _ = Predictor::new(m);
            }
        }
    }

    /// The page's binary files (model, wijken, values), damaged past their header and
    /// perhaps cut short: loaded into a calculator, they give one or an error message,
    /// never a panic; undamaged, they load and every wijk's expected use is finite.
    #[test]
    fn binary_loaders_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let f = browser_files();
        let mut files = [f.model.clone(), f.site.clone(), f.values.clone()];
        files[which] = damaged(&files[which], &edits, cut);
        match calculator_from_bin(&files[0], Some(&files[1]), Some(&files[2])) {
            Ok(c) => {
                let mut out = vec![0.0; c.len()];
                let q = c.predictor.n_determinants();
                let all = c.expected_all(&vec![0.0; q], jeugdhulp_wijk::site::Scope::Land, &mut out);
                if edits.is_empty() && cut.is_none() {
                    prop_assert!(all.is_ok() && out.iter().all(|v| v.is_finite()));
                }
            }
            Err(e) => {
                prop_assert!(!(edits.is_empty() && cut.is_none()), "undamaged files refused: {}", e);
                prop_assert!(!e.is_empty());
            }
        }
    }

    /// Geometry: any text gives features or an error.
    #[test]
    fn topology_decoder_never_panics(text in ".{0,300}") {
        let _ = decode_topology(&text, "x.topojson");
    }

    /// `expected()` with any values (NaN, ±inf, huge, missing), any gemeente and any
    /// youth count, on both models: never a panic; a result whose numbers are all
    /// finite and keep the invariants ([`check_prediction`]), or an error naming
    /// the determinant, `n_jeugd` or `values`.
    #[test]
    fn expected_never_panics_on_any_number(
        values in proptest::collection::vec(proptest::option::of(any::<f64>()), 27),
        gemeente in proptest::option::of(prop_oneof![Just("GM0363".to_string()), "[A-Z]{2}[0-9]{0,6}"]),
        n_jeugd in proptest::option::of(any::<f64>()),
        scp in any::<bool>(),
    ) {
        let p = if scp { scp_predictor() } else { predictor() };
        prop_assert_eq!(values.len(), p.n_determinants());
        match p.expected_with(&Profile { gemeente, values: values.clone() }, n_jeugd) {
            Ok(r) => check_prediction(p, &values, &r)?,
            Err(e) => {
                let names = p.model.determinant_names();
                prop_assert!(names.contains(&e.field) || e.field == "n_jeugd", "{e}");
                prop_assert!(!e.message.is_empty() && !e.message.en.is_empty());
            }
        }
    }

    /// Within the observed range, moving one determinant by h moves the expected value by
    /// exactly β·h (the model is linear in each determinant).
    #[test]
    fn expected_is_linear_in_each_determinant(
        u in proptest::collection::vec(0.0f64..=1.0, 27),
        k in 0usize..27,
        t in 0.0f64..=1.0,
        gemeente in proptest::option::of(Just("GM0363".to_string())),
    ) {
        let m = common::full_model();
        let p = predictor();
        let at = |d: &jeugdhulp_wijk::model::DeterminantInfo, f: f64| d.min + f * (d.max - d.min);
        let x: Vec<f64> = m.determinants.iter().zip(&u).map(|(d, &f)| at(d, f)).collect();
        let mut y = x.clone();
        y[k] = at(&m.determinants[k], t);
        let e = |v: &[f64]| p.expected(&Profile { gemeente: gemeente.clone(), values: v.iter().map(|&a| Some(a)).collect() }).unwrap().expected;
        let (ex, ey) = (e(&x), e(&y));
        let want = p.beta()[k + 1] * (y[k] - x[k]); // beta()[0] is the intercept
        prop_assert!(((ey - ex) - want).abs() <= 1e-9 * (1.0 + ex.abs() + ey.abs()),
            "{}: Δ {} vs β·h {}", m.determinants[k].name, ey - ex, want);
    }
}
