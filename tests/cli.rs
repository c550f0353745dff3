//! The command-line interface end to end: fit with a subset, predict, score in
//! batch (row order kept, errors in place, exit code), and clear failures.

mod common;
use common::cell;
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jeugdhulp-wijk"));
    c.env("JEUGDHULP_DATA", common::data_dir());
    c
}

/// The records of CSV text, each with the line it starts on, read by the
/// `csv` crate itself (not by the code under test).
fn read_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            let line = r.position().unwrap().line() as usize;
            (line, r.iter().map(String::from).collect())
        })
        .collect()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jeugdhulp-wijk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `fit --out OUT [--determinants D]`, which must succeed.
fn fit_to(out: &std::path::Path, dets: Option<&str>) {
    let mut c = bin();
    c.arg("fit").arg("--out").arg(out);
    if let Some(d) = dets {
        c.args(["--determinants", d]);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn fitted(dets: Option<&str>, name: &str) -> PathBuf {
    let out = tmp(name);
    fit_to(&out, dets);
    out
}

#[test]
fn fit_writes_a_versioned_model_with_provenance() {
    let path = fitted(Some("perc_1ouder,perc_hhbijs"), "small.json");
    let m = common::read_json(path);
    // The default is SCP's specification: version 2, all 2918 wijken, the
    // suppressed ones marked, the specification and the interval recorded.
    assert_eq!(m["schema_version"], 2);
    assert_eq!(m["fixed_effects"].as_array().unwrap().len(), 3);
    assert_eq!(m["determinants"][0]["name"], "perc_1ouder");
    assert_eq!(m["provenance"]["input_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["provenance"]["youth_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["n_fit"], 2918);
    assert_eq!(m["specification"]["name"], "scp");
    assert_eq!(m["specification"]["zero_when_missing"][0], "perc_hhbijs");
    assert_eq!(m["imputation"]["rules"][1], "zero");
    assert_eq!(m["filled_responses"].as_array().unwrap().len(), 286);
    assert_eq!(m["youth"]["n_jeugd"].as_object().unwrap().len(), 2918);
    assert!(m["interval"]["s0"].as_f64().unwrap() > 0.0);
    for key in ["specification", "youth", "filled_responses", "interval"] {
        assert!(!m[key].is_null(), "{key}");
    }
    // Today's specification stays as it was: version 1, none of SCP's sections.
    let out = tmp("small-gemeente.json");
    let o = bin()
        .args([
            "fit",
            "--impute",
            "gemeente",
            "--determinants",
            "perc_1ouder,perc_hhbijs",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let g = common::read_json(out);
    assert_eq!(g["schema_version"], 1);
    assert_eq!(g["n_fit"], 2632);
    for key in ["specification", "youth", "filled_responses", "interval"] {
        assert!(g[key].is_null(), "{key}");
    }
    assert!(g["provenance"]["youth_sha256"].is_null());
    let o = bin().args(["fit", "--impute", "anders"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kies scp of gemeente"));
    assert!(m["vcov"].as_array().unwrap().len() == 3);
    assert!(m["imputation"]["gemeente"].as_object().unwrap().len() == 388);
    for key in [
        "reml_criterion",
        "variance",
        "random_effects",
        "gemeente_regio",
        "fit",
    ] {
        assert!(!m[key].is_null(), "{key}");
    }
}

#[test]
fn fit_refuses_unknown_determinants_and_missing_data() {
    let o = bin()
        .args(["fit", "--determinants", "perc_1ouder,onzin"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("onbekende determinant 'onzin'"));
    let o = bin()
        .args(["fit", "--data", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/jeugdhulp_wijk_2017.csv"));
    let o = bin().args(["fit", "--bogus", "1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("onbekende optie --bogus"));
}

/// `predict --model MODEL --wijk WIJK`.
fn predict(model: &std::path::Path, wijk: &str) -> std::process::Output {
    bin()
        .args([
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--wijk",
            wijk,
        ])
        .output()
        .unwrap()
}

#[test]
fn predict_prints_observed_expected_intervals_and_scp() {
    let model = fitted(None, "full.json");
    let o = predict(&model, "WK036300");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for part in [
        "WK036300",
        "werkelijk gebruik",
        "verwacht gebruik",
        "betrouwbaarheidsinterval",
        "voorspellingsinterval",
        "verschil",
        "SCP",
        "jeugdigen (N)",
    ] {
        assert!(text.contains(part), "missing {part} in\n{text}");
    }
    // A suppressed wijk: the fit used a filled-in value, which is never shown
    // as an observation.
    let o = predict(&model, "WK002205");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        text.contains("werkelijk gebruik   niet gepubliceerd") && text.contains("geen waarneming"),
        "{text}"
    );
    let o = predict(&model, "WK999999");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("WK999999"));
}

#[test]
fn score_keeps_every_row_in_order_with_errors_in_place() {
    let model = fitted(Some("perc_1ouder,perc_hhbijs"), "score-model.json");
    let input = tmp("profiles.csv");
    std::fs::write(
        &input,
        "id,gemeentecode,perc_1ouder,perc_hhbijs,opmerking\n\
         a,GM0363,20,5,\"gewoon, met komma\"\n\
         b,GM0363,abc,5,fout getal\n\
         c,,20,,geen gemeente en bijstand ontbreekt\n\
         d,GM0363,120,5,buiten bereik\n\
         e,X0363,20,5,foute code\n\
         f,GM0363,25,5,hoger\n",
    )
    .unwrap();
    let output = tmp("scored.csv");
    let o = bin()
        .args([
            "score",
            "--model",
            model.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "errors give exit code 2: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&output).unwrap();
    let rows = read_csv(&text);
    assert_eq!(rows.len(), 7);
    let header = &rows[0].1;
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let ids: Vec<&str> = rows[1..].iter().map(|r| r.1[0].as_ref()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e", "f"]);
    let err = |i: usize| rows[i].1[col("error")].clone();
    assert_eq!(err(1), "");
    assert!(
        err(2).contains("perc_1ouder") && err(2).contains("abc"),
        "{}",
        err(2)
    );
    assert_eq!(err(3), "");
    assert_eq!(rows[3].1[col("level")], "geen");
    assert!(
        err(4).contains("perc_1ouder") && err(4).contains("0–100"),
        "{}",
        err(4)
    );
    assert!(err(5).contains("gemeentecode"), "{}", err(5));
    assert_eq!(rows[1].1[col("opmerking")], "gewoon, met komma");
    let e = |i: usize| rows[i].1[col("expected")].parse::<f64>().unwrap();
    let beta = common::read_json(model)["fixed_effects"][1]["estimate"]
        .as_f64()
        .unwrap();
    assert!((e(6) - e(1) - 5.0 * beta).abs() < 1e-9);
    assert!(rows[2].1[col("expected")].is_empty());
}

#[test]
fn fit_replaces_the_model_file_whole_and_hashes_the_input() {
    let dir = tmp("nieuw").join("modellen");
    let out = dir.join("model.json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&out, "{ half geschreven").unwrap();
    fit_to(&out, None);
    let m = common::read_json(out.clone());
    assert_eq!(m["n_fit"], 2918);
    // No temporary file left next to it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["model.json"]);
    // The provenance hash is the file's.
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(common::data_dir().join("jeugdhulp_wijk_2017.csv")).unwrap();
    let want: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(m["provenance"]["input_sha256"], want.as_str());
}

/// Run `command` with a reader that takes `bytes` bytes of its output and
/// then goes away; the command must end without error or panic.
fn stops_quietly_after(command: &str, bytes: usize) -> Vec<u8> {
    use std::io::Read;
    let mut child = bin()
        .arg(command)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut start = vec![0u8; bytes];
    child.stdout.take().unwrap().read_exact(&mut start).unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && !stderr.contains("panicked"),
        "{command}: {stderr}"
    );
    start
}

#[test]
fn fit_without_out_prints_the_model_and_lets_a_reader_stop_early() {
    let o = bin()
        .args(["fit", "--determinants", "samenw"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(m["n_fit"], 2918);

    // `fit | head`: the reader goes away after a few bytes (the model is far
    // larger than a pipe's buffer). No panic, no error.
    let start = stops_quietly_after("fit", 100);
    assert!(String::from_utf8_lossy(&start).contains("schema_version"));
    // A reader gone before anything is printed: the other commands that
    // print stop quietly too.
    stops_quietly_after("determinants", 0);
}

/// A link, a file with two names, its permissions: `fit --out` writes where
/// `>` would and keeps what the user set up.
#[cfg(unix)]
#[test]
fn fit_writes_through_a_link_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp("links");
    std::fs::create_dir_all(&dir).unwrap();

    let target = dir.join("model.json");
    let link = dir.join("link.json");
    std::fs::write(&target, "oud").unwrap();
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    fit_to(&link, Some("samenw"));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(common::read_json(target.clone())["n_fit"], 2918);

    let other_name = dir.join("hard.json");
    let _ = std::fs::remove_file(&other_name);
    std::fs::hard_link(&target, &other_name).unwrap();
    std::fs::write(&target, "oud").unwrap();
    fit_to(&target, Some("samenw"));
    assert_eq!(common::read_json(other_name.clone())["n_fit"], 2918);

    std::fs::remove_file(&other_name).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    fit_to(&target, Some("samenw"));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(common::read_json(target)["n_fit"], 2918);
}

/// A data directory whose wijk file has column `to` replaced by a copy of
/// column `from`.
fn data_with_copied_column(name: &str, from: &str, to: &str) -> PathBuf {
    let dir = tmp(name);
    std::fs::create_dir_all(&dir).unwrap();
    let records = read_csv(common::wijk_csv());
    let header = &records[0].1;
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (from, to) = (col(from), col(to));
    let quote = |s: &str| {
        if s.contains([',', '"']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut text = String::new();
    for (i, (_, fields)) in records.iter().enumerate() {
        let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        if i > 0 {
            fields[to] = fields[from].clone();
        }
        text.push_str(
            &fields
                .iter()
                .map(|f| quote(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        text.push('\n');
    }
    std::fs::write(dir.join("jeugdhulp_wijk_2017.csv"), text).unwrap();
    // The youth counts sit next to it, as in data/.
    let youth = dir.join(jeugdhulp_wijk::data::YOUTH_FILE);
    std::fs::create_dir_all(youth.parent().unwrap()).unwrap();
    std::fs::copy(
        common::data_dir().join(jeugdhulp_wijk::data::YOUTH_FILE),
        youth,
    )
    .unwrap();
    dir
}

/// Wait at most `secs` for a started command; kill it and fail if it hangs.
fn output_within(mut c: Command, secs: u64) -> std::process::Output {
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= secs {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("no answer within {secs} s: the command hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn fit_names_collinear_determinants_instead_of_hanging() {
    let data = data_with_copied_column("collineair", "perc_1ouder", "perc_hhbijs");
    let mut c = bin();
    // Today's specification: there both copies are filled with the same
    // gemeente mean, so they stay collinear (in SCP's, a missing perc_hhbijs
    // is 0 and a missing perc_1ouder the mean, which separates them).
    c.args(["fit", "--impute", "gemeente", "--data"])
        .arg(&data)
        .args(["--determinants", "perc_1ouder,perc_hhbijs,samenw", "--out"]);
    c.arg(tmp("collineair.json"));
    let o = output_within(c, 30);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("collineair")
            && stderr.contains("'perc_1ouder'")
            && stderr.contains("'perc_hhbijs'")
            && !stderr.contains("samenw"),
        "{stderr}"
    );
    assert!(!tmp("collineair.json").exists());
}

/// `score` with the model file `model` on a one-row input: the output of the run.
fn score_with_model(model: &std::path::Path, name: &str) -> std::process::Output {
    let input = tmp(&format!("{name}.csv"));
    std::fs::write(&input, "id,gemeentecode,perc_1ouder\na,GM0363,20\n").unwrap();
    bin()
        .args(["score", "--model"])
        .arg(model)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(tmp(&format!("{name}-out.csv")))
        .output()
        .unwrap()
}

#[test]
fn score_refuses_a_damaged_model_file_with_a_message_not_a_panic() {
    let good = fitted(Some("perc_1ouder,perc_hhbijs"), "damaged-base.json");
    let text = std::fs::read_to_string(&good).unwrap();
    let mut short: serde_json::Value = serde_json::from_str(&text).unwrap();
    for means in short["imputation"]["gemeente"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        means.as_array_mut().unwrap().pop();
    }
    let cases = [
        ("kort", short.to_string(), "imputation.gemeente"),
        (
            "afgebroken",
            text[..text.len() / 3].to_string(),
            "afgebroken",
        ),
        (
            "versie",
            r#"{"schema_version": 3, "anders": true}"#.to_string(),
            "schemaversie 3",
        ),
        (
            "schema",
            r#"{"naam": "iets anders"}"#.to_string(),
            "schema_version ontbreekt",
        ),
    ];
    for (name, content, want) in cases {
        let path = tmp(&format!("damaged-{name}.json"));
        std::fs::write(&path, content).unwrap();
        let o = score_with_model(&path, name);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(want) && stderr.contains(path.to_str().unwrap()),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn score_refuses_values_above_a_units_bound_instead_of_writing_inf() {
    let model = fitted(Some("perc_1ouder,grijzedruk"), "bounds.json");
    let input = tmp("bounds.csv");
    std::fs::write(
        &input,
        "id,gemeentecode,perc_1ouder,grijzedruk\n\
         a,GM0363,20,1e308\n\
         b,GM0363,20,30\n",
    )
    .unwrap();
    let output = tmp("bounds-out.csv");
    let o = bin()
        .args(["score", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
    let rows = read_csv(&text);
    let col = |n: &str| rows[0].1.iter().position(|h| h == n).unwrap();
    let error = &rows[1].1[col("error")];
    assert!(
        error.contains("regel 2")
            && error.contains("grijzedruk")
            && error.contains("1e308")
            && error.len() < 200,
        "{error}"
    );
    assert!(rows[1].1[col("expected")].is_empty());
    assert_eq!(rows[2].1[col("error")], "");
}

/// D4: a value outside the range of 2017 gives a caution in the row's warning
/// (naming the determinant, the value and the observed range), joined to the
/// row's other warnings; a row at observed values has none.
#[test]
fn score_cautions_on_values_outside_the_range_of_2017() {
    let model = fitted(Some("perc_1ouder,grijzedruk"), "caution.json");
    let m = common::read_json(model.clone());
    let g = m["determinants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "grijzedruk")
        .unwrap();
    let (lo, hi) = (g["min"].as_f64().unwrap(), g["max"].as_f64().unwrap());
    assert!(hi < 999.0);
    // Shown with the determinant's decimals and a decimal comma.
    let f = 10f64.powi(g["decimals"].as_i64().unwrap() as i32);
    let lo_shown = format!("{}", (lo * f).round() / f).replace('.', ",");
    let (code, stderr, rows) = score_csv_with(
        &model,
        "caution",
        &format!(
            "id,gemeentecode,perc_1ouder,grijzedruk\n\
             a,GM0363,20,999\n\
             b,GM0363,20,30\n\
             c,GM0363,20,{hi}\n\
             d,GM9999,20,999\n"
        ),
    );
    // Warnings, not errors: every row scored, the exit code unchanged.
    assert_eq!(code, Some(0), "{stderr}");
    let w = cell(&rows, 1, "warning");
    let expected: f64 = cell(&rows, 1, "expected").parse().unwrap();
    assert!(
        w.contains("regel 2")
            && w.contains("(grijzedruk) 999 per 100 inwoners")
            && w.contains(&format!("waargenomen {lo_shown}–"))
            && w.contains("rekent dan door buiten wat het heeft gezien"),
        "{w}"
    );
    // An expected use below 0 is kept as computed, and said.
    assert_eq!(
        w.contains("buiten 0–100 %"),
        expected < 0.0,
        "{expected}: {w}"
    );
    let (pi_low, pi_high): (f64, f64) = (
        cell(&rows, 1, "pi_low").parse().unwrap(),
        cell(&rows, 1, "pi_high").parse().unwrap(),
    );
    assert!(pi_low <= pi_high && (pi_low..=pi_high).contains(&expected.clamp(0.0, 100.0)));
    assert_eq!(cell(&rows, 2, "warning"), "");
    assert_eq!(cell(&rows, 3, "warning"), "", "the highest value of 2017");
    // Joined to the row's other warning.
    let w = cell(&rows, 4, "warning");
    assert!(
        w.contains("GM9999") && w.contains("; regel 5: Buiten het bereik"),
        "{w}"
    );
    assert!(stderr.contains("2 met een waarschuwing"), "{stderr}");
}

/// `score` with the small two-determinant model on `csv`: exit code, stderr,
/// and the output's records (empty if none was written).
fn score_csv(name: &str, csv: &str) -> (Option<i32>, String, Vec<Vec<String>>) {
    let model = tmp("score-small.json");
    if !model.exists() {
        fit_to(&model, Some("perc_1ouder,perc_hhbijs"));
    }
    score_csv_with(&model, name, csv)
}

/// `score` with `model` on `csv`, as [`score_csv`].
fn score_csv_with(
    model: &std::path::Path,
    name: &str,
    csv: &str,
) -> (Option<i32>, String, Vec<Vec<String>>) {
    let input = tmp(&format!("{name}.csv"));
    let output = tmp(&format!("{name}-out.csv"));
    let _ = std::fs::remove_file(&output);
    std::fs::write(&input, csv).unwrap();
    let o = bin()
        .args(["score", "--model"])
        .arg(model)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let rows = std::fs::read_to_string(&output)
        .map(|text| {
            read_csv(&text)
                .into_iter()
                .map(|(_, f)| f.into_iter().map(|s| s.to_string()).collect())
                .collect()
        })
        .unwrap_or_default();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
        rows,
    )
}

#[test]
fn score_warns_on_the_row_of_an_unknown_gemeente() {
    let (code, stderr, rows) = score_csv(
        "onbekend",
        "id,gemeentecode,perc_1ouder\na,GM9999,20\nb,GM0363,20\nc,,20\n",
    );
    // A warning, not an error: the row is scored, the exit code unchanged.
    assert_eq!(code, Some(0), "{stderr}");
    let warning = cell(&rows, 1, "warning");
    assert!(
        warning.contains("regel 2") && warning.contains("GM9999") && warning.contains("geen"),
        "{warning}"
    );
    assert_eq!(cell(&rows, 1, "error"), "");
    assert_eq!(cell(&rows, 1, "level"), "geen");
    assert!(!cell(&rows, 1, "expected").is_empty());
    assert_eq!(cell(&rows, 2, "warning"), "");
    assert_eq!(cell(&rows, 2, "level"), "gemeente");
    // No gemeente at all is a choice, not a typo.
    assert_eq!(cell(&rows, 3, "warning"), "");
    assert!(stderr.contains("1 met een waarschuwing"), "{stderr}");
}

/// A wijk of the data names its gemeente: a gemeentecode that disagrees, or none,
/// gets a warning on the row (the row is scored as given); codes in lower case
/// are read as the codes they can only be.
#[test]
fn score_says_when_a_wijk_and_its_gemeente_disagree_and_reads_codes_in_any_case() {
    let (code, stderr, rows) = score_csv(
        "gemeente-wijk",
        "id,gemeentecode,wijkcode,perc_1ouder\n\
         a,GM0014,WK036300,20\n\
         b,,WK036300,20\n\
         c,GM0363,WK036300,20\n\
         d,gm0363,wk036300,20\n\
         e,,,20\n",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let w = cell(&rows, 1, "warning");
    assert_eq!(
        w,
        "regel 2, kolom gemeentecode: wijk WK036300 ligt in GM0363, niet in GM0014; geschat met GM0014 zoals gegeven"
    );
    assert_eq!(cell(&rows, 1, "level"), "gemeente");
    let w = cell(&rows, 2, "warning");
    assert!(
        w.starts_with(
            "regel 3: wijk WK036300 ligt in GM0363, maar er is geen gemeentecode gegeven"
        ),
        "{w}"
    );
    assert_eq!(cell(&rows, 2, "level"), "geen");
    // As it should be, in either case: no warning, the same numbers.
    for i in [3, 4] {
        assert_eq!(cell(&rows, i, "warning"), "", "row {i}");
        assert_eq!(cell(&rows, i, "error"), "", "row {i}");
        assert_eq!(cell(&rows, i, "level"), "gemeente", "row {i}");
    }
    assert_eq!(cell(&rows, 3, "expected"), cell(&rows, 4, "expected"));
    assert_eq!(cell(&rows, 3, "pi_low"), cell(&rows, 4, "pi_low"));
    // No codes at all is a choice: no warning.
    assert_eq!(cell(&rows, 5, "warning"), "");
}

/// The user's header goes to the output as written: names with spaces around them
/// are read trimmed, but not rewritten.
#[test]
fn score_keeps_the_header_as_written() {
    let (code, stderr, rows) = score_csv("kop", "id, perc_1ouder ,naam \na,20,x\n");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(&rows[0][..3], ["id", " perc_1ouder ", "naam "]);
    assert_eq!(rows[0][3], "expected");
    assert!(!cell(&rows, 1, "expected").is_empty());
}

#[test]
fn score_reports_a_ragged_row_and_loses_none_of_its_fields() {
    let (code, stderr, rows) = score_csv(
        "rafelig",
        "id,gemeentecode,perc_1ouder\na,GM0363,20,extra een,extra twee\nb,GM0363\nc,GM0363,20\n",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{rows:?}");
    let e = cell(&rows, 1, "error");
    assert!(
        e.contains("regel 2")
            && e.contains("5 velden")
            && e.contains("kopregel heeft er 3")
            && e.contains("extra een")
            && e.contains("extra twee"),
        "{e}"
    );
    assert_eq!(cell(&rows, 1, "perc_1ouder"), "20");
    let e = cell(&rows, 2, "error");
    assert!(e.contains("regel 3") && e.contains("2 velden"), "{e}");
    assert_eq!(cell(&rows, 2, "gemeentecode"), "GM0363");
    assert_eq!(cell(&rows, 3, "error"), "");
}

#[test]
fn score_refuses_input_columns_named_like_its_output_or_given_twice() {
    for (name, header, want) in [
        ("uitvoernaam", "id,expected,perc_1ouder", "'expected'"),
        ("waarschuwing", "id,perc_1ouder,warning", "'warning'"),
        ("dubbel", "id,perc_1ouder,perc_1ouder", "'perc_1ouder'"),
        (
            "dubbelgemeente",
            "gemeentecode,perc_1ouder,gemeentecode",
            "'gemeentecode'",
        ),
    ] {
        let (code, stderr, rows) = score_csv(name, &format!("{header}\n1,2,3\n"));
        assert_eq!(code, Some(1), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(rows.is_empty(), "{name}: no output written");
    }
}

#[test]
fn a_repeated_flag_is_an_error_naming_it() {
    for args in [
        &[
            "fit",
            "--determinants",
            "samenw",
            "--determinants",
            "perc_1ouder",
        ][..],
        &["fit", "--out=a.json", "--out", "b.json"],
        &[
            "predict",
            "--wijk",
            "WK036300",
            "--wijk=WK036301",
            "--model",
            "m.json",
        ],
    ] {
        let o = bin().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        let flag = args[1].split('=').next().unwrap();
        assert!(
            stderr.contains(flag) && stderr.contains("meer dan één keer"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn determinants_refuses_unknown_flags_and_arguments() {
    for args in [
        &["determinants", "--bogus", "1"][..],
        &["determinants", "extra"],
    ] {
        let o = bin().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(args[1]), "{args:?}: {stderr}");
        assert!(o.stdout.is_empty(), "{args:?}: nothing printed");
    }
    let o = bin().arg("determinants").output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 27);
}

/// `score` with SCP's specification: the PI width follows the youth count, from
/// the column n_jeugd, else from the row's wijkcode, else the national median
/// (said on stderr); a bad n_jeugd is an error in its row that names the column.
#[test]
fn score_uses_the_youth_count_of_the_row_or_its_wijk() {
    let model = fitted(Some("perc_1ouder,perc_hhbijs"), "score-youth.json");
    let m = common::read_json(model.clone());
    let n_wijk = m["youth"]["n_jeugd"]["WK036328"].as_f64().unwrap();
    let median = m["youth"]["median_published"].as_f64().unwrap();
    let input = tmp("profiles-youth.csv");
    std::fs::write(
        &input,
        "id,wijkcode,gemeentecode,perc_1ouder,perc_hhbijs,n_jeugd\n\
         klein,,GM0363,20,5,100\n\
         groot,,GM0363,20,5,10000\n\
         wijk,WK036328,GM0363,20,5,\n\
         eigen,WK036328,GM0363,20,5,100\n\
         geen,,GM0363,20,5,\n\
         nul,,GM0363,20,5,0\n\
         tekst,,GM0363,20,5,veel\n",
    )
    .unwrap();
    let output = tmp("scored-youth.csv");
    let o = bin()
        .args(["score", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("1 rijen zonder n_jeugd"), "{stderr}");
    let text = std::fs::read_to_string(&output).unwrap();
    let rows = read_csv(&text);
    let header = &rows[0].1;
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let num = |i: usize, c: &str| rows[i].1[col(c)].parse::<f64>().unwrap();
    let width = |i: usize| num(i, "pi_high") - num(i, "pi_low");
    assert!(width(1) > 2.0 * width(2), "{} vs {}", width(1), width(2));
    assert_eq!(num(1, "n_jeugd_used"), 100.0);
    assert_eq!(num(3, "n_jeugd_used"), n_wijk);
    assert_eq!(
        num(4, "n_jeugd_used"),
        100.0,
        "the column overrides the wijk"
    );
    // The median (a mean of two counts) without float noise: 851.33, not
    // 851.3299999999999; a count given or of the wijk as it is.
    let used = &rows[5].1[col("n_jeugd_used")];
    assert!((num(5, "n_jeugd_used") - median).abs() < 5e-4, "{used}");
    assert!(
        used.split('.').nth(1).is_none_or(|d| d.len() <= 3),
        "{used}"
    );
    assert_eq!(rows[3].1[col("n_jeugd_used")], format!("{n_wijk}"));
    // The same profile: the same expected value, only the PI differs.
    assert_eq!(num(1, "expected"), num(2, "expected"));
    for (i, value) in [(6, "\"0\""), (7, "\"veel\"")] {
        let e = &rows[i].1[col("error")];
        assert!(e.contains("kolom n_jeugd") && e.contains(value), "{e}");
    }
}

/// `score` on bytes (not text: the encodings are the point); exit code,
/// stderr and the output's records.
fn score_bytes(
    name: &str,
    bytes: &[u8],
    model: &std::path::Path,
) -> (Option<i32>, String, Vec<Vec<String>>) {
    let input = tmp(&format!("{name}.csv"));
    let output = tmp(&format!("{name}-out.csv"));
    let _ = std::fs::remove_file(&output);
    std::fs::write(&input, bytes).unwrap();
    let o = bin()
        .args(["score", "--model"])
        .arg(model)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let rows = std::fs::read_to_string(&output)
        .map(|text| read_csv(&text).into_iter().map(|(_, f)| f).collect())
        .unwrap_or_default();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
        rows,
    )
}

/// The committed Excel-NL export (Windows-1252, ';', decimal comma with
/// thousands points, CRLF, an exponent, a quoted ';') scores exactly as the
/// same profiles written plainly (UTF-8, ',', decimal point, LF), and as the
/// same file saved as UTF-8 with a BOM.
#[test]
fn score_reads_an_excel_nl_file_as_its_plain_twin() {
    let model = fitted(None, "excel-nl.json");
    let excel = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/score_excel_nl.csv"
    ))
    .unwrap();
    assert!(
        std::str::from_utf8(&excel).is_err(),
        "the fixture is Windows-1252"
    );
    assert!(excel.windows(2).any(|w| w == b"\r\n"));
    let plain = "wijkcode,naam,gemeente,gemeentecode,perc_1ouder,perc_hhbijs,gem_gestink,grijzedruk,woonwaarde,kleinewijk,n_jeugd\n\
                 WK190001,Wijk 01 Sneek,Súdwest-Fryslân,GM1900,21.33,9.661,27086.5,36.446,176,0,\n\
                 WK190002,Wijk 02 Nijefurd,Súdwest-Fryslân,GM1900,19.376,5.446,27171,47.744,176,0,1234.5\n\
                 WK036300,\"Burgwallen-Oude Zijde; centrum\",Amsterdam,GM0363,31.844,4.366,28868,9.97,341,0,\n\
                 WK003401,Wijk 01 Almere Haven,Almere,GM0034,33.03,10.333,28113.25,30.272,184,0,812\n\
                 eigen,Eigen profiel (geen gemeente),,,25,,30000.5,15,,1,\n";
    let (code, stderr, want) = score_bytes("plain", plain.as_bytes(), &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("UTF-8, scheidingsteken ','"), "{stderr}");
    let (code, stderr, got) = score_bytes("excel-nl", &excel, &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Windows-1252, scheidingsteken ';', decimaalteken komma, regeleinden CRLF"),
        "{stderr}"
    );
    assert_eq!(got.len(), 6);
    assert_eq!(got[0], want[0], "the same header");
    let first_result = want[0].iter().position(|h| h == "expected").unwrap();
    for (g, w) in got.iter().zip(&want).skip(1) {
        // Every result the same, to the last bit of its decimal text.
        assert_eq!(g[first_result..], w[first_result..], "{g:?}");
        assert!(!g[first_result].is_empty(), "scored: {g:?}");
        // Names decoded: é, â and ú as in the plain file.
        assert_eq!(g[..4], w[..4]);
    }
    assert_eq!(got[1][2], "Súdwest-Fryslân");
    assert_eq!(got[3][1], "Burgwallen-Oude Zijde; centrum");

    // The same file as Excel's "CSV UTF-8": a BOM, the same results.
    let text: String = excel.iter().map(|&b| windows_1252(b)).collect();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    let (code, stderr, with_bom) = score_bytes("excel-nl-bom", &bom, &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("UTF-8 met BOM"), "{stderr}");
    assert_eq!(with_bom, got);
}

/// The committed Excel "Unicode-tekst" export (UTF-16LE with BOM FF FE, tab, decimal
/// comma with thousands points, CRLF) of the same profiles as the Excel-NL fixture:
/// read as UTF-16, said so, and scored to exactly the same rows.
#[test]
fn score_reads_an_excel_unicode_text_file_as_its_windows_1252_twin() {
    let model = fitted(None, "excel-unicode.json");
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let unicode = fixture("score_excel_unicode.txt");
    assert_eq!(unicode[..4], [0xff, 0xfe, b'w', 0], "UTF-16LE with its BOM");
    assert!(unicode.windows(4).any(|w| w == b"\r\0\n\0"), "CRLF");
    let (code, stderr, got) = score_bytes("excel-unicode", &unicode, &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "gelezen als UTF-16LE, scheidingsteken tab, decimaalteken komma, regeleinden CRLF"
        ),
        "{stderr}"
    );
    let (code, stderr, want) =
        score_bytes("excel-unicode-twin", &fixture("score_excel_nl.csv"), &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(got.len(), 6);
    assert_eq!(got, want, "every field and result the same");
    assert_eq!(got[1][2], "Súdwest-Fryslân");
    let expected = want[0].iter().position(|h| h == "expected").unwrap();
    assert!(
        got[1..].iter().all(|r| !r[expected].is_empty()),
        "all scored"
    );
}

/// The fixture's non-ASCII letters, decoded by hand (independent of the
/// decoder under test).
fn windows_1252(b: u8) -> char {
    match b {
        0x00..=0x7f => b as char,
        0xe2 => 'â',
        0xfa => 'ú',
        0xe9 => 'é',
        _ => panic!("byte {b:#x} not expected in the fixture"),
    }
}

/// Numbers a Dutch file may hold: the ambiguous ones and NaN/inf are errors
/// that name line, column and value; -0 is 0; a separator that cannot be
/// decided refuses the file.
#[test]
fn score_names_ambiguous_and_non_finite_numbers() {
    let model = fitted(Some("perc_1ouder,gem_gestink"), "getallen.json");
    let text = "id;gemeentecode;perc_1ouder;gem_gestink\r\n\
                a;GM0363;12,5;27.171\r\n\
                b;GM0363;12.5;27.171,0\r\n\
                c;GM0363;NaN;27171\r\n\
                d;GM0363;-0;inf\r\n\
                e;GM0363;0;1e308\r\n\
                f;GM0363;0;27171\r\n";
    let (code, stderr, rows) = score_bytes("getallen", text.as_bytes(), &model);
    assert_eq!(code, Some(2), "{stderr}");
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let error = |i: usize| rows[i][col("error")].clone();
    for (i, want) in [
        (1, ["regel 2", "gem_gestink", "\"27.171\"", "duizendtal"]),
        (
            2,
            [
                "regel 3",
                "perc_1ouder",
                "\"12.5\"",
                "komma het decimaalteken",
            ],
        ),
        (3, ["regel 4", "perc_1ouder", "\"NaN\"", "NaN of oneindig"]),
        (4, ["regel 5", "gem_gestink", "\"inf\"", "NaN of oneindig"]),
        (5, ["regel 6", "gem_gestink", "1e308", "maximum"]),
    ] {
        for part in want {
            assert!(error(i).contains(part), "row {i}: {part} in {}", error(i));
        }
        assert!(rows[i][col("expected")].is_empty());
    }
    // -0 is 0: the same expected value as 0.
    let d_only_zero = "id;gemeentecode;perc_1ouder;gem_gestink\n\
                       d;GM0363;-0;27171\nf;GM0363;0;27171\n";
    let (code, stderr, z) = score_bytes("minnul", d_only_zero.as_bytes(), &model);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(z[1][col("expected")], z[2][col("expected")]);
    assert_eq!(error(6), "");

    // ';' and ',' as often in the header: which one is meant cannot be known.
    let (code, stderr, rows) = score_bytes("scheiding", b"a;b,c\n1;2,3\n", &model);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(":1: kan het scheidingsteken niet bepalen"),
        "{stderr}"
    );
    assert!(rows.is_empty());
}

/// Every command has Dutch help on standard output (exit 0), naming its
/// options; `--version` and `help` answer too; a missing option is named.
#[test]
fn every_command_has_dutch_help_and_the_tool_a_version() {
    for (command, options) in [
        (
            "fit",
            &["--data", "--determinants", "--impute", "--out"][..],
        ),
        ("predict", &["--model", "--wijk", "--data"]),
        ("score", &["--model", "--input", "--output"]),
        ("site", &["--model", "--data", "--out"]),
        ("bench", &["--data", "--runs"]),
        ("determinants", &[]),
    ] {
        let o = bin().args([command, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{command}");
        assert!(
            text.contains("Gebruik:") && text.contains("Toon deze hulp"),
            "{command}: {text}"
        );
        for option in options {
            assert!(text.contains(option), "{command}: {option} in {text}");
        }
    }
    let o = bin().arg("--version").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains(env!("CARGO_PKG_VERSION")));
    let o = bin().arg("help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Commando's"));
    let o = bin().args(["score", "--model", "m.json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--input en --output ontbreken"), "{stderr}");
}
