//! Every validation error, with malformed data built from real rows: each names
//! file, line, column and value, and a bad row is reported, never dropped.

mod common;
use jeugdhulp_wijk::data::{DataError, Dataset};

/// Header plus the first `n` data lines of the real file.
fn sample(n: usize) -> Vec<String> {
    common::wijk_csv()
        .lines()
        .take(n + 1)
        .map(String::from)
        .collect()
}

fn column(lines: &[String], name: &str) -> usize {
    lines[0]
        .split(',')
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

/// Replace field `name` on data line `row` (1-based, so file line row+1).
fn set(lines: &mut [String], row: usize, name: &str, value: &str) {
    let c = column(lines, name);
    let mut fields: Vec<String> = lines[row].split(',').map(String::from).collect();
    fields[c] = value.to_string();
    lines[row] = fields.join(",");
}

fn errors(lines: &[String]) -> Vec<DataError> {
    Dataset::from_csv("test.csv", &(lines.join("\n") + "\n"))
        .expect_err("the data must be refused")
        .0
}

fn assert_one(errs: &[DataError], line: usize, column: &str, value: &str, message_part: &str) {
    let e = errs
        .iter()
        .find(|e| e.line == line && e.column.as_deref() == Some(column))
        .unwrap_or_else(|| panic!("no error for line {line}, column {column} in {errs:#?}"));
    assert_eq!(e.file, "test.csv");
    assert_eq!(e.value.as_deref(), Some(value), "{e}");
    assert!(e.message.contains(message_part), "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("test.csv:")
            && shown.contains(column)
            && shown.contains(&format!("{value:?}")),
        "{shown}"
    );
}

#[test]
fn the_sample_itself_is_valid() {
    let ds = Dataset::from_csv("test.csv", &(sample(5).join("\n") + "\n")).unwrap();
    assert_eq!(ds.wijken.len(), 5);
}

#[test]
fn malformed_codes() {
    let mut l = sample(4);
    set(&mut l, 1, "wijkcode", "WK12345");
    set(&mut l, 2, "gemeentecode", "G0005");
    set(&mut l, 3, "jeugdzorgregiocode", "JZ1");
    let e = errors(&l);
    assert_one(&e, 2, "wijkcode", "WK12345", "ongeldige wijkcode");
    assert_one(&e, 3, "gemeentecode", "G0005", "ongeldige gemeentecode");
    assert_one(
        &e,
        4,
        "jeugdzorgregiocode",
        "JZ1",
        "ongeldige jeugdzorgregiocode",
    );
}

#[test]
fn unparseable_numbers() {
    let mut l = sample(3);
    set(&mut l, 1, "perc_1ouder", "\"12,5\"");
    set(&mut l, 2, "gem_gestink", "veel");
    set(&mut l, 3, "perc_jhzv", "NaN");
    let e = errors(&l);
    assert_one(&e, 2, "perc_1ouder", "12,5", "geen geldig getal");
    assert_one(&e, 3, "gem_gestink", "veel", "geen geldig getal");
    assert_one(&e, 4, "perc_jhzv", "NaN", "geen geldig getal");
}

#[test]
fn percentages_outside_0_100_and_bad_yes_no() {
    let mut l = sample(4);
    set(&mut l, 1, "perc_hhbijs", "100.5");
    set(&mut l, 2, "perc_jhzv", "-1");
    set(&mut l, 3, "kleinewijk", "2");
    set(&mut l, 4, "samenw", "0.5");
    let e = errors(&l);
    assert_one(&e, 2, "perc_hhbijs", "100.5", "buiten 0–100");
    assert_one(&e, 3, "perc_jhzv", "-1", "buiten 0–100");
    assert_one(&e, 4, "kleinewijk", "2", "0 of 1");
    assert_one(&e, 5, "samenw", "0.5", "0 of 1");
}

#[test]
fn euro_km_and_per_100_have_an_upper_bound() {
    let mut l = sample(5);
    set(&mut l, 1, "grijzedruk", "1e308");
    set(&mut l, 2, "gem_gestink", "5000000");
    set(&mut l, 3, "afstandhuisarts", "250");
    set(&mut l, 4, "woonwaarde", "-1");
    set(&mut l, 5, "groenedruk", "1000");
    let e = errors(&l);
    assert_one(&e, 2, "grijzedruk", "1e308", "waarde buiten 0–1000");
    assert_one(&e, 3, "gem_gestink", "5000000", "waarde buiten 0–500000");
    assert_one(&e, 4, "afstandhuisarts", "250", "waarde buiten 0–100");
    assert_one(&e, 5, "woonwaarde", "-1", "waarde buiten 0–10000");
    assert_one(&e, 6, "groenedruk", "1000", "waarde buiten 0–500");
}

#[test]
fn duplicate_wijk() {
    let mut l = sample(3);
    let first = l[1].split(',').next().unwrap().to_string();
    set(&mut l, 3, "wijkcode", &first);
    let e = errors(&l);
    assert_one(
        &e,
        4,
        "wijkcode",
        &first,
        "dubbele wijk: staat ook op regel 2",
    );

    // A third time: each repeat names the first line.
    let mut l = sample(5);
    set(&mut l, 3, "wijkcode", &first);
    set(&mut l, 5, "wijkcode", &first);
    let e = errors(&l);
    assert_one(&e, 4, "wijkcode", &first, "staat ook op regel 2");
    assert_one(&e, 6, "wijkcode", &first, "staat ook op regel 2");
}

#[test]
fn a_required_column_twice_in_the_header() {
    // perc_jhzv copied to the end of every line, header included.
    let mut l = sample(2);
    let c = column(&l, "perc_jhzv");
    for line in l.iter_mut() {
        let observed = line.split(',').nth(c).unwrap().to_string();
        *line = format!("{line},{observed}");
    }
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].line, 1);
    assert_eq!(e[0].column.as_deref(), Some("perc_jhzv"));
    assert!(e[0].message.contains("meer dan één keer"), "{}", e[0]);
}

#[test]
fn gemeente_without_regio_or_in_two_regios() {
    let mut l = sample(6);
    set(&mut l, 2, "jeugdzorgregiocode", "");
    let e = errors(&l);
    assert_one(&e, 3, "jeugdzorgregiocode", "", "heeft geen jeugdzorgregio");

    // Same gemeente as line 2, placed in another regio.
    let mut l = sample(3);
    let g = l[1]
        .split(',')
        .nth(column(&l, "gemeentecode"))
        .unwrap()
        .to_string();
    set(&mut l, 3, "gemeentecode", &g);
    set(&mut l, 3, "jeugdzorgregiocode", "JZ42");
    let e = errors(&l);
    assert_one(
        &e,
        4,
        "jeugdzorgregiocode",
        "JZ42",
        &format!("gemeente {g} staat op regel 2"),
    );
}

#[test]
fn structural_problems() {
    let mut l = sample(2);
    l[2].push_str(",extra");
    let e = errors(&l);
    assert!(
        e.iter()
            .any(|e| e.line == 3 && e.message.contains("velden")),
        "{e:?}"
    );

    let mut l = sample(2);
    l[0] = l[0].replace("perc_hhbijs", "perc_bijstand");
    let e = errors(&l);
    assert!(
        e.iter().any(|e| e.line == 1
            && e.column.as_deref() == Some("perc_hhbijs")
            && e.message.contains("ontbreekt")),
        "{e:?}"
    );

    let e = Dataset::from_csv("test.csv", "").unwrap_err().0;
    assert!(e[0].message.contains("leeg"));
    let e = Dataset::from_csv("test.csv", &format!("{}\n\"WK000300,oops\n", sample(0)[0]))
        .unwrap_err()
        .0;
    assert!(e[0].message.contains("aanhalingsteken"), "{e:?}");
}

#[test]
fn all_bad_rows_are_reported_and_missing_values_stay_missing() {
    let mut l = sample(5);
    set(&mut l, 2, "perc_ao", "abc");
    set(&mut l, 4, "perc_ao", "101");
    let e = errors(&l);
    let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 5], "{e:?}");

    // An empty cell is missing, not zero; observed use may be suppressed.
    let mut l = sample(2);
    set(&mut l, 1, "perc_1ouder", "");
    set(&mut l, 1, "perc_jhzv", "");
    let ds = Dataset::from_csv("test.csv", &l.join("\n")).unwrap();
    let k = jeugdhulp_wijk::determinants::find("perc_1ouder").unwrap().0;
    assert_eq!(ds.wijken[0].values[k], None);
    assert_eq!(ds.wijken[0].observed, None);
}

#[test]
fn the_real_file_loads_completely() {
    let ds = common::dataset();
    assert_eq!(ds.wijken.len(), 2918);
    assert_eq!(
        ds.wijken.iter().filter(|w| w.observed.is_none()).count(),
        286
    );
    let k = jeugdhulp_wijk::determinants::find("perc_hhverd").unwrap().0;
    assert_eq!(
        ds.wijken.iter().filter(|w| w.values[k].is_none()).count(),
        1042
    );
}

/// Many problems at once: all reported, in line order; on one line the codes
/// first, then the row's fields, then its clash with earlier rows.
#[test]
fn errors_come_in_line_order() {
    let mut l = sample(200);
    let code_of = |l: &[String], row: usize, name: &str| {
        l[row].split(',').nth(column(l, name)).unwrap().to_string()
    };
    let first = code_of(&l, 1, "wijkcode");
    let gemeente = code_of(&l, 5, "gemeentecode");
    set(&mut l, 20, "gemeentecode", "GM12");
    set(&mut l, 150, "perc_1ouder", "abc");
    set(&mut l, 190, "wijkcode", &first);
    set(&mut l, 190, "perc_hhbijs", "120");
    set(&mut l, 180, "gemeentecode", &gemeente);
    set(&mut l, 180, "jeugdzorgregiocode", "JZ42");
    set(&mut l, 170, "wijkcode", "WK1");
    set(&mut l, 170, "groenedruk", "-3");
    let e = errors(&l);
    let found: Vec<(usize, &str)> = e
        .iter()
        .map(|e| (e.line, e.column.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (21, "gemeentecode"),
            (151, "perc_1ouder"),
            (171, "wijkcode"),
            (171, "groenedruk"),
            (181, "jeugdzorgregiocode"),
            (191, "perc_hhbijs"),
            (191, "wijkcode"),
        ]
    );
}

/// Quoted names may hold commas, doubled quotes and line breaks; the lines
/// of later rows are still counted right.
#[test]
fn quoted_names_over_several_lines() {
    let mut l = sample(200);
    let c = column(&l, "wijknaam_cbs2017");
    for line in &mut l[90..160] {
        let mut fields: Vec<String> = line.split(',').map(String::from).collect();
        fields[c] = format!("\"{},\nmet \"\"komma\"\"\n\"", fields[c]);
        *line = fields.join(",");
    }
    let text = l.join("\n") + "\n";
    let ds = Dataset::from_csv("w.csv", &text).unwrap();
    assert_eq!(ds.wijken.len(), 200);
    let name = &ds.wijken[120].name;
    assert!(name.ends_with(",\nmet \"komma\""), "{name:?}");
    // Two extra physical lines per quoted row: row 170 is on line 171 + 2·70.
    set(&mut l, 170, "perc_1ouder", "x");
    let e = errors(&l);
    assert_eq!(e[0].line, 171 + 2 * 70, "{}", e[0]);
}

/// The kerncijfers file (youth count N): every problem names file, line,
/// column and value; a wijk of the data without a row, or with 0 youths, is an
/// error; a wijk without age shares takes the median share.
#[test]
fn youth_counts_are_validated_and_computed_as_specified() {
    let wijken = sample(3).join("\n");
    let ds = Dataset::from_csv("w.csv", &wijken).unwrap();
    let codes: Vec<&str> = ds.wijken.iter().map(|w| w.code.as_str()).collect();
    let header = "wijkcode,wijknaam,aant_inw,p_00_14_jr,p_15_24_jr";
    // Good: N = inhabitants × (p_00_14 + 0.4 p_15_24) / 100; the third has no
    // shares and takes the median of the others' (0.19 and 0.204 → 0.197).
    let good = format!(
        "{header}\n{},\"Wijk, één\",11970,15,10\n{},Twee,1000,16,11\n{},Drie,40,,\n",
        codes[0], codes[1], codes[2]
    );
    let mut d = ds.clone();
    d.attach_youth("k.csv", &good).unwrap();
    let n: Vec<f64> = d.wijken.iter().map(|w| w.n_jeugd.unwrap()).collect();
    assert_eq!(n, [2274.3, 204.0, 7.88]);

    let bad = format!(
        "{header}\n{},Een,veel,15,10\n{},Twee,1000,160,11\nWK12,Drie,5,1,1\n",
        codes[0], codes[1]
    );
    let mut d = ds.clone();
    let e = d.attach_youth("k.csv", &bad).unwrap_err();
    let text = e.to_string();
    for want in [
        "k.csv:2, kolom aant_inw, waarde \"veel\"",
        "k.csv:3, kolom p_00_14_jr, waarde \"160\": percentage buiten 0–100",
        "k.csv:4, kolom wijkcode, waarde \"WK12\"",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // The third wijk of the data has no row at all: named.
    assert!(text.contains(&format!("wijk {}", codes[2])), "{text}");

    let zero = format!(
        "{header}\n{},Een,0,15,10\n{},Twee,1000,16,11\n{},Drie,40,10,10\n",
        codes[0], codes[1], codes[2]
    );
    let e = ds
        .clone()
        .attach_youth("k.csv", &zero)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("k.csv:2, kolom aant_inw") && e.contains("0 jeugdigen"),
        "{e}"
    );
    let e = ds
        .clone()
        .attach_youth("k.csv", "wijkcode,aant_inw\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("kolom p_00_14_jr: verplichte kolom ontbreekt"),
        "{e}"
    );
}

/// A value of hundreds of digits is named, but cut short in the message.
#[test]
fn a_very_long_value_is_quoted_short() {
    let mut lines = sample(3);
    let digits = "9".repeat(400);
    set(&mut lines, 2, "perc_1ouder", &digits);
    let errs = errors(&lines);
    let e = errs
        .iter()
        .find(|e| e.line == 3 && e.column.as_deref() == Some("perc_1ouder"))
        .expect("the row's error");
    assert_eq!(
        e.value.as_deref(),
        Some(digits.as_str()),
        "the value itself is kept"
    );
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("waarde \"{}…\"", &digits[..20])),
        "{shown}"
    );
    assert!(shown.len() < 200, "{shown}");
}
