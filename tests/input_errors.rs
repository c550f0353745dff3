//! Bad input and the answer it gets (docs/input-errors.md): the rows of that
//! table the other test files do not already prove, and a check that the
//! table itself stays true: every row names a test, and every named test
//! exists in the repository.

mod common;
use common::cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jeugdhulp-wijk"));
    c.env("JEUGDHULP_DATA", common::data_dir());
    c
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jeugdhulp-wijk-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A small model in SCP's specification (it reads wijkcode and n_jeugd).
fn model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let out = tmp("model.json");
        let o = bin()
            .args(["fit", "--determinants", "perc_1ouder,perc_hhbijs", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `score` on `bytes`: the process output and the records written (empty if none).
fn score(name: &str, bytes: &[u8]) -> (Output, Vec<Vec<String>>) {
    let input = tmp(&format!("{name}.csv"));
    let output = tmp(&format!("{name}-out.csv"));
    let _ = std::fs::remove_file(&output);
    std::fs::write(&input, bytes).unwrap();
    let o = bin()
        .args(["score", "--model"])
        .arg(model())
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let rows = std::fs::read(&output)
        .map(|out| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&out[..])
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect()
        })
        .unwrap_or_default();
    (o, rows)
}

/// A wijkcode gives the row its youth count. One the model does not know (a
/// typo), or a text that is no wijkcode, is scored with the national median
/// youth count, and its row says so.
#[test]
fn score_checks_the_wijkcode_of_each_row() {
    let (o, rows) = score(
        "wijkcode",
        b"id,wijkcode,perc_1ouder,n_jeugd\n\
          a,WK036300,20,\n\
          b,WK999999,20,\n\
          c,WK36300,20,\n\
          d,,20,\n\
          e,WK999999,20,300\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 6);
    // A wijk of the data without its gemeentecode: said (the gemeente effect is left out).
    assert!(
        cell(&rows, 1, "warning")
            .starts_with("regel 2: wijk WK036300 ligt in GM0363, maar er is geen gemeentecode"),
        "{}",
        cell(&rows, 1, "warning")
    );
    let w = cell(&rows, 2, "warning");
    assert!(
        w.contains("regel 3")
            && w.contains("kolom wijkcode")
            && w.contains("onbekende wijk WK999999")
            && w.contains("landelijke mediaan"),
        "{w}"
    );
    assert_eq!(cell(&rows, 2, "error"), "");
    assert_eq!(
        cell(&rows, 2, "n_jeugd_used"),
        cell(&rows, 4, "n_jeugd_used")
    );
    assert_ne!(
        cell(&rows, 1, "n_jeugd_used"),
        cell(&rows, 2, "n_jeugd_used")
    );
    let w = cell(&rows, 3, "warning");
    assert!(
        w.contains("regel 4")
            && w.contains("\"WK36300\" is geen wijkcode")
            && w.contains("WK + 6 cijfers"),
        "{w}"
    );
    assert!(!cell(&rows, 3, "expected").is_empty());
    // No wijkcode at all is a choice, not a typo.
    assert_eq!(cell(&rows, 4, "warning"), "");
    // With its own n_jeugd the row does not need the wijk's, but the typo is named.
    let w = cell(&rows, 5, "warning");
    assert!(
        w.contains("onbekende wijk WK999999") && !w.contains("mediaan"),
        "{w}"
    );
    assert_eq!(cell(&rows, 5, "n_jeugd_used"), "300");
    assert!(
        stderr(&o).contains("4 met een waarschuwing"),
        "{}",
        stderr(&o)
    );
}

/// A file in a separator the reader does not know (`|`) has one column, which
/// the model does not read: refused, naming what was read, not scored as
/// national means for every row.
#[test]
fn score_refuses_a_header_without_any_column_it_reads() {
    let (o, rows) = score("pijp", b"gemeentecode|perc_1ouder\nGM0363|12\n");
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(rows.is_empty(), "nothing written");
    assert!(
        e.contains("geen enkele kolom")
            && e.contains("\"gemeentecode|perc_1ouder\"")
            && e.contains("scheidingsteken"),
        "{e}"
    );
    // One known column is enough: the rest is imputed (and said).
    let (o, rows) = score("een-kolom", b"naam,perc_hhbijs\nx,5\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 2);
    assert!(
        stderr(&o)
            .contains("let op: kolommen perc_1ouder ontbreken; die waarden worden geïmputeerd"),
        "{}",
        stderr(&o)
    );
}

/// `--output` naming the input file would replace the person's file.
#[test]
fn score_refuses_to_write_over_its_input() {
    let input = tmp("zelfde.csv");
    let text = "id,perc_1ouder\na,20\n";
    std::fs::write(&input, text).unwrap();
    let other_spelling = input.parent().unwrap().join(".").join("zelfde.csv");
    let o = bin()
        .args(["score", "--model"])
        .arg(model())
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&other_spelling)
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("--output") && e.contains("--input"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        text,
        "input untouched"
    );
}

/// An empty file is refused; a header without rows is read, and the answer
/// is an output with only the header and "0 rijen".
#[test]
fn score_on_an_empty_file_and_on_a_header_only() {
    let (o, rows) = score("leeg", b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(":1: het bestand is leeg"),
        "{}",
        stderr(&o)
    );
    assert!(rows.is_empty());
    let (o, rows) = score("kop", b"\xef\xbb\xbfid;perc_1ouder\r\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][..2],
        ["id", "perc_1ouder"],
        "the BOM is not in the name"
    );
    assert!(stderr(&o).contains("0 rijen gescoord"), "{}", stderr(&o));
}

/// The same wijk on two rows is two profiles (two scenarios), each scored.
#[test]
fn score_scores_a_wijk_given_twice_as_two_profiles() {
    let (o, rows) = score(
        "dubbel",
        b"wijkcode,gemeentecode,perc_1ouder\nWK036300,GM0363,10\nWK036300,GM0363,30\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 3);
    let e = |i| cell(&rows, i, "expected").parse::<f64>().unwrap();
    assert!(e(2) > e(1), "{} vs {}", e(1), e(2));
    assert_eq!(
        cell(&rows, 1, "n_jeugd_used"),
        cell(&rows, 2, "n_jeugd_used")
    );
}

/// A youth count that is huge, infinite or not positive: an error on its row
/// naming the column, with the number written short.
#[test]
fn score_names_a_bad_youth_count_briefly() {
    let (o, rows) = score(
        "jeugd",
        b"id,perc_1ouder,n_jeugd\na,20,1e308\nb,20,inf\nc,20,-0\nd,20,2000000\ne,20,800\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for (i, want) in [
        (1, "1e308 jeugdigen is meer dan in enige wijk kan wonen"),
        (2, "NaN of oneindig"),
        (3, "0 is geen geldig aantal jeugdigen"),
        (4, "2000000 jeugdigen is meer dan"),
    ] {
        let e = cell(&rows, i, "error");
        assert!(
            e.contains(&format!("regel {}, kolom n_jeugd", i + 1))
                && e.contains(want)
                && e.len() < 200,
            "{e}"
        );
    }
    assert_eq!(cell(&rows, 5, "error"), "");
}

/// A number of 400 digits (beyond a double): in a determinant and in n_jeugd the same
/// short answer, "getal te groot", with the value cut short, never all 400 digits (nor
/// "inf is geen geldig aantal").
#[test]
fn score_calls_a_400_digit_number_too_large_and_quotes_it_short() {
    let digits = "9".repeat(400);
    let text = format!("id,perc_1ouder,n_jeugd\na,{digits},800\nb,20,{digits}\nc,20,800\n");
    let (o, rows) = score("lang", text.as_bytes());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let short = format!(
        "waarde \"{}…\": getal te groot (buiten het bereik van een getal)",
        &digits[..20]
    );
    for (i, column) in [(1, "perc_1ouder"), (2, "n_jeugd")] {
        let e = cell(&rows, i, "error");
        assert_eq!(e, format!("regel {}, kolom {column}: {short}", i + 1));
    }
    assert_eq!(cell(&rows, 3, "error"), "");
}

/// `1.234` in a `;` file where no value showed the decimal mark: the comma is only
/// assumed, so the answer is "dubbelzinnig getal", not "the comma is the decimal mark";
/// once a value shows the comma, `1.234` is the misused thousands mark.
#[test]
fn score_calls_1_234_ambiguous_where_the_decimal_comma_is_only_assumed() {
    let (o, rows) = score("dubbelzinnig", b"id;perc_1ouder\na;1.234\nb;20\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("decimaalteken komma (aangenomen)"),
        "{}",
        stderr(&o)
    );
    let e = cell(&rows, 1, "error");
    assert!(
        e.starts_with("regel 2, kolom perc_1ouder: waarde \"1.234\": dubbelzinnig getal"),
        "{e}"
    );
    let (o, rows) = score("komma-gezien", b"id;perc_1ouder\na;1.234\nb;20,5\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(cell(&rows, 1, "error").contains("in dit bestand is de komma het decimaalteken"));
}

/// UTF-16 without its byte-order mark (many NUL bytes): said so, not blamed on the
/// separator; a UTF-16 file cut at an odd byte: its line named.
#[test]
fn score_names_utf16_without_a_bom_and_a_cut_utf16_file() {
    let utf16 =
        |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let (o, rows) = score("zonder-bom", &utf16("id\tperc_1ouder\r\na\t20\r\n"));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(":1: het bestand bevat NUL-bytes")
            && err.contains("waarschijnlijk UTF-16 zonder byte-order mark"),
        "{err}"
    );
    assert!(!err.contains("scheidingsteken"), "{err}");
    assert!(rows.is_empty());
    let mut cut = vec![0xff, 0xfe];
    cut.extend(utf16("id\tperc_1ouder\r\na\t20\r\nb\t3"));
    cut.pop();
    let (o, _) = score("afgebroken", &cut);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(":3: ongeldige UTF-16: een oneven aantal bytes"),
        "{err}"
    );
}

/// D5: a youth count below 1 is refused (1e-310 gave "no finite number", 1e-300
/// a 301-character n_jeugd_used, 0.5 went through), the value written short;
/// 1 (the least) and a non-whole count are accepted and written as given.
#[test]
fn score_refuses_a_youth_count_below_one() {
    let (o, rows) = score(
        "jeugd-klein",
        b"id,perc_1ouder,n_jeugd\na,20,1e-310\nb,20,1e-300\nc,20,0.5\nd,20,1\ne,20,1234.5\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for (i, value) in [(1, "1e-310"), (2, "1e-300"), (3, "0.5")] {
        let e = cell(&rows, i, "error");
        assert!(
            e.contains(&format!("regel {}, kolom n_jeugd", i + 1))
                && e.contains(&format!("{value} is geen geldig aantal jeugdigen"))
                && e.contains("minstens 1")
                && e.len() < 200,
            "{e}"
        );
        assert_eq!(cell(&rows, i, "n_jeugd_used"), "");
        assert_eq!(cell(&rows, i, "expected"), "");
    }
    for (i, n) in [(4, "1"), (5, "1234.5")] {
        assert_eq!(cell(&rows, i, "error"), "");
        assert_eq!(cell(&rows, i, "n_jeugd_used"), n);
        assert!(cell(&rows, i, "pi_high").parse::<f64>().unwrap() <= 100.0);
    }
    // The core says the same to the page (expected() with an n_jeugd).
    let p = jeugdhulp_wijk::model::Predictor::new(
        jeugdhulp_wijk::model::Model::from_json(&std::fs::read_to_string(model()).unwrap())
            .unwrap(),
    )
    .unwrap();
    let profile = jeugdhulp_wijk::model::Profile {
        gemeente: None,
        values: vec![None; p.n_determinants()],
    };
    for n in [1e-310, 1e-300, 0.5, 0.999, 0.0, -1.0, f64::NAN, 2e6] {
        let e = p.expected_with(&profile, Some(n)).unwrap_err();
        assert_eq!(e.field, "n_jeugd", "{n}");
        assert!(e.message.len() < 120 && e.message.en.len() < 120, "{e}");
    }
    assert!(p.expected_with(&profile, Some(1.0)).is_ok());
    assert!(p.expected_with(&profile, Some(1e6)).is_ok());
}

/// A file that is not there: every command names it, exit code 1.
#[test]
fn missing_files_are_named() {
    let nowhere = tmp("bestaat-niet");
    let input = tmp("bestaand.csv");
    std::fs::write(&input, "perc_1ouder\n1\n").unwrap();
    let m = model().to_str().unwrap().to_string();
    let n = nowhere.to_str().unwrap().to_string();
    let out = tmp("uit.csv").to_str().unwrap().to_string();
    let cases: [(Vec<&str>, String); 5] = [
        (
            vec![
                "score",
                "--model",
                &n,
                "--input",
                input.to_str().unwrap(),
                "--output",
                &out,
            ],
            format!("kan model {n} niet lezen"),
        ),
        (
            vec!["score", "--model", &m, "--input", &n, "--output", &out],
            format!("kan {n} niet lezen"),
        ),
        (
            vec!["predict", "--model", &n, "--wijk", "WK036300"],
            format!("kan model {n} niet lezen"),
        ),
        (
            vec!["fit", "--data", &n, "--out", &out],
            format!("kan {n}/jeugdhulp_wijk_2017.csv niet lezen"),
        ),
        (
            vec!["site", "--model", &m, "--data", &n, "--out", &out],
            "--data DIR of JEUGDHULP_DATA".to_string(),
        ),
    ];
    for (args, want) in cases {
        let o = bin().args(&args).output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(e.contains(&want), "{args:?}: want {want:?} in {e}");
    }
}

/// A data directory whose wijk file holds `bytes` (the kerncijfers file is
/// not needed: the wijk file is read first).
fn data_dir_with(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = tmp(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("jeugdhulp_wijk_2017.csv"), bytes).unwrap();
    dir
}

/// The data file in another encoding or with another separator: one clear
/// message, in Dutch, naming file and line (not the system's English, not
/// one error per missing column).
#[test]
fn a_data_file_in_another_encoding_or_separator_says_so() {
    let text = std::fs::read_to_string(common::data_dir().join("jeugdhulp_wijk_2017.csv")).unwrap();
    // Windows-1252: "Súdwest-Fryslân" with its single-byte letters.
    let at = text
        .find(['ú', 'â'])
        .expect("a name with ú or â in the data");
    let line = 1 + text[..at].matches('\n').count();
    let byte = if text[at..].starts_with('ú') {
        "0xfa"
    } else {
        "0xe2"
    };
    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'ú' => 0xfa,
            'â' => 0xe2,
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect();
    let e = jeugdhulp_wijk::data::fs::load(&data_dir_with("cp1252", &cp1252))
        .err()
        .expect("refused");
    assert!(
        e.contains("jeugdhulp_wijk_2017.csv niet lezen: geen UTF-8")
            && e.contains(&format!("regel {line}"))
            && e.contains(byte)
            && e.contains("sla het bestand op als UTF-8"),
        "{e}"
    );
    // With a BOM it is still the same data.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    let e = jeugdhulp_wijk::data::fs::load(&data_dir_with("bom", &bom))
        .err()
        .expect("no kerncijfers in this folder");
    assert!(
        e.contains("wijk_kerncijfers_2017.csv"),
        "past the wijk file: {e}"
    );

    // ';' as Excel-NL writes: one error about the separator.
    let semicolons = text.replace(',', ";");
    let e = jeugdhulp_wijk::data::Dataset::from_csv("w.csv", &semicolons)
        .unwrap_err()
        .0;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].line, 1);
    assert!(
        e[0].to_string().contains("w.csv:1") && e[0].message.contains("';' als scheidingsteken"),
        "{}",
        e[0]
    );
    // A header only: no wijken.
    let header = text.lines().next().unwrap();
    let e = jeugdhulp_wijk::data::Dataset::from_csv("w.csv", &format!("{header}\n"))
        .unwrap_err()
        .0;
    assert!(e[0].message.contains("geen wijken"), "{}", e[0]);
}

/// A file that is not there is said in Dutch, not in the system's English.
#[test]
fn a_missing_file_is_said_in_dutch() {
    let o = bin()
        .args(["score", "--model"])
        .arg(model())
        .args(["--input", "/bestaat/niet.csv", "--output"])
        .arg(tmp("x.csv"))
        .output()
        .unwrap();
    let e = stderr(&o);
    assert!(
        e.contains("kan /bestaat/niet.csv niet lezen: bestand of map bestaat niet")
            && !e.contains("os error"),
        "{e}"
    );
    // A refusal: exit code 1, and no output written.
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(!tmp("x.csv").exists());
    let o = bin()
        .args(["fit", "--data", "/bestaat/niet"])
        .output()
        .unwrap();
    let e = stderr(&o);
    assert!(e.contains("bestaat niet") && !e.contains("os error"), "{e}");
    assert_eq!(o.status.code(), Some(1), "{e}");
}

/// Arguments the CLI cannot use: each named in Dutch, exit code 1, nothing run.
#[test]
fn cli_arguments_that_cannot_be_used_are_named() {
    for (args, want) in [
        (&["frobnicate"][..], "onbekend commando 'frobnicate'"),
        (&["fit", "extra"], "onverwacht argument 'extra'"),
        (
            &["fit", "--impute", "lijst"],
            "--impute: onbekende specificatie 'lijst' (kies scp of gemeente)",
        ),
        (
            &["fit", "--determinants", "perc_1ouder,perc_1ouder"],
            "determinant 'perc_1ouder' staat twee keer in de lijst",
        ),
        (&["fit", "--determinants", ""], "onbekende determinant ''"),
        (
            &["bench", "--runs", "0"],
            "ongeldige waarde '0' voor --runs: moet een positief geheel getal zijn",
        ),
        (
            &["bench", "--runs", "veel"],
            "ongeldige waarde 'veel' voor --runs",
        ),
        (&["predict", "--wijk"], "--wijk"),
    ] {
        let o = bin().args(args).output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(e.contains(want), "{args:?}: want {want:?} in {e}");
        assert!(o.stdout.is_empty(), "{args:?}: nothing on standard output");
    }
}

/// A model file that is not text: named, with line and byte, not a panic.
#[test]
fn a_model_file_that_is_not_utf8_is_named() {
    let path = tmp("binair.json");
    std::fs::write(&path, b"\xff\xfe{\"schema_version\": 2}").unwrap();
    let o = bin()
        .args(["predict", "--wijk", "WK036300", "--model"])
        .arg(&path)
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains(&format!(
            "kan model {} niet lezen: geen UTF-8 (regel 1, byte 0xff)",
            path.display()
        )),
        "{e}"
    );
}

/// `predict` names an unknown or malformed wijkcode.
#[test]
fn predict_names_an_unknown_wijk() {
    for wijk in ["WK999999", "rommel"] {
        let o = bin()
            .args(["predict", "--model"])
            .arg(model())
            .args(["--wijk", wijk])
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{wijk}: {e}");
        assert!(e.contains(wijk) && e.contains("wijk"), "{wijk}: {e}");
    }
}

// ------------------------------------------------------------ the table itself

/// The test references in one table row: `path::name` in backticks.
fn references(row: &str) -> Vec<(String, String)> {
    row.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|r| {
            let (path, name) = r.split_once("::")?;
            (path.starts_with("tests/") || path.starts_with("src/"))
                .then(|| (path.to_string(), name.to_string()))
        })
        .collect()
}

/// Whether `name` is a test in the file's text: a Rust `fn name(` right after
/// a test attribute (plain, wasm or in `proptest!`), or a JS `test('name'`.
fn is_test(text: &str, path: &str, name: &str) -> bool {
    if path.ends_with(".rs") {
        let lines: Vec<&str> = text.lines().collect();
        lines.iter().enumerate().any(|(i, l)| {
            let l = l.trim_start();
            (l.starts_with(&format!("fn {name}(")) || l.starts_with(&format!("async fn {name}(")))
                && lines[..i]
                    .iter()
                    .rev()
                    .map(|p| p.trim())
                    .take_while(|p| p.starts_with("#[") || p.starts_with("///"))
                    .any(|p| p == "#[test]" || p == "#[wasm_bindgen_test]")
        })
    } else {
        // The title as written in the source: an apostrophe inside '…' is escaped.
        ["'", "\"", "`"].iter().any(|q| {
            let written = name.replace(q, &format!("\\{q}"));
            text.contains(&format!("test({q}{written}{q}"))
        })
    }
}

#[test]
fn every_row_of_the_input_errors_table_names_tests_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/input-errors.md")).unwrap();
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("|--") && !l.starts_with("| --") && !l.starts_with("| Invoer"))
        .collect();
    assert!(rows.len() >= 40, "the table has {} rows", rows.len());
    let mut missing = Vec::new();
    let mut named = 0;
    for row in &rows {
        let cells = row.trim().trim_matches('|').split('|').count();
        assert_eq!(cells, 3, "three cells (input, answer, test): {row}");
        let refs = references(row);
        assert!(!refs.is_empty(), "a row without a test: {row}");
        for (path, name) in refs {
            named += 1;
            match std::fs::read_to_string(root.join(&path)) {
                Ok(text) if is_test(&text, &path, &name) => {}
                Ok(_) => missing.push(format!("{path}: no test {name:?}")),
                Err(_) => missing.push(format!("{path}: no such file")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "named in docs/input-errors.md but not found:\n{}",
        missing.join("\n")
    );
    assert!(named >= rows.len());
}

/// The checker above finds what it should and refuses what it should.
#[test]
fn the_table_check_tells_a_test_from_a_name() {
    let rs = "/// doc\n#[test]\nfn real_test() {}\nfn helper() {}\n#[wasm_bindgen_test]\nfn in_browser() {}\n";
    assert!(is_test(rs, "tests/x.rs", "real_test"));
    assert!(is_test(rs, "tests/x.rs", "in_browser"));
    assert!(!is_test(rs, "tests/x.rs", "helper"));
    assert!(!is_test(rs, "tests/x.rs", "real"));
    let js = "test('a title: with ?wijk=', async () => {});\ntest('the file\\'s title', () => {});";
    assert!(is_test(js, "tests/e2e/x.test.mjs", "a title: with ?wijk="));
    assert!(is_test(js, "tests/e2e/x.test.mjs", "the file's title"));
    assert!(!is_test(js, "tests/e2e/x.test.mjs", "a title"));
    assert_eq!(
        references("| a | b | `tests/cli.rs::x`, `src/csvfile.rs::y` and `not a ref` |"),
        [
            ("tests/cli.rs".to_string(), "x".to_string()),
            ("src/csvfile.rs".to_string(), "y".to_string())
        ]
    );
}
