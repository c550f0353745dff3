//! Loading and validating the per-wijk data file (`jeugdhulp_wijk_2017.csv`).
//!
//! Parsing works on text, not files, so the same code can later run in the
//! browser on a user's own file. Every problem is reported with file, line,
//! column and value, and all problems are collected rather than stopping at the
//! first: a bad row never silently disappears.

use crate::determinants::{Unit, DETERMINANTS};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The main input file, relative to the data directory.
pub const WIJK_FILE: &str = "jeugdhulp_wijk_2017.csv";

#[derive(Debug, Clone, PartialEq)]
pub struct Wijk {
    pub code: String,
    pub name: String,
    pub gemeente_code: String,
    pub gemeente_name: String,
    pub regio_code: String,
    pub regio_name: String,
    /// Observed share of youth with jeugdhulp zonder verblijf (%); `None` where CBS suppressed it.
    pub observed: Option<f64>,
    /// SCP's published expected use (%).
    pub scp_expected: Option<f64>,
    /// Determinant values in the order of [`DETERMINANTS`]; `None` = missing.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub wijken: Vec<Wijk>,
}

/// One validation problem, pinned to a place in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    pub file: String,
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// Column name, where the problem is in one field.
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", kolom {c}")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", waarde {v:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataErrors(pub Vec<DataError>);

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 50;
        writeln!(f, "{} fout(en) in de invoer:", self.0.len())?;
        for e in self.0.iter().take(SHOWN) {
            writeln!(f, "  {e}")?;
        }
        if self.0.len() > SHOWN {
            writeln!(f, "  … en nog {} meer", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for DataErrors {}

/// A record: the 1-based line on which it starts, and its fields.
pub type Record<'a> = (usize, Vec<Cow<'a, str>>);

/// Split CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into records.
pub fn parse_csv(text: &str) -> Result<Vec<Record<'_>>, (usize, String)> {
    records(text).collect()
}

/// The records of CSV text one at a time, so a large file is never held as
/// fields all at once. Lines without quotes take a fast path (fields borrow
/// from the text); a quoted field may span lines. Blank lines are skipped.
pub fn records(text: &str) -> impl Iterator<Item = Result<Record<'_>, (usize, String)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').enumerate();
    std::iter::from_fn(move || loop {
        let (i, line) = lines.next()?;
        let start_line = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.as_bytes().contains(&b'"') {
            if line.trim_ascii().is_empty() {
                continue;
            }
            let mut fields = Vec::with_capacity(48);
            let mut start = 0;
            for (i, &b) in line.as_bytes().iter().enumerate() {
                if b == b',' {
                    fields.push(Cow::Borrowed(&line[start..i]));
                    start = i + 1;
                }
            }
            fields.push(Cow::Borrowed(&line[start..]));
            return Some(Ok((start_line, fields)));
        }
        // Join physical lines until the quotes balance.
        let mut record = line.to_string();
        while record.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
            match lines.next() {
                Some((_, more)) => {
                    record.push('\n');
                    record.push_str(more.strip_suffix('\r').unwrap_or(more));
                }
                None => {
                    return Some(Err((
                        start_line,
                        "aanhalingsteken wordt niet afgesloten".into(),
                    )))
                }
            }
        }
        return Some(Ok((
            start_line,
            split_quoted(&record).into_iter().map(Cow::Owned).collect(),
        )));
    })
}

/// Split one record with balanced quotes into fields.
fn split_quoted(record: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Parse an optional number: empty (or `.`, SCP's own missing marker) is missing, never zero.
pub fn parse_optional_number(raw: &str) -> Result<Option<f64>, String> {
    let s = raw.trim_ascii();
    if s.is_empty() || s == "." || s.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    if let Some(v) = parse_plain_decimal(s) {
        return Ok(Some(v));
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err("geen geldig getal (gebruik een punt als decimaalteken)".into()),
    }
}

/// Fast path for the data's plain decimals (`-12.345`): digits m and d decimals
/// with m < 2⁵³ and d ≤ 22 give exactly the correctly rounded value as the one
/// division m / 10^d (both operands exact in f64; Clinger's fast path). Anything
/// else returns `None` and goes to the general parser.
fn parse_plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let bytes = s.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let (mut mantissa, mut decimals, mut seen_dot, mut n_digits) = (0u64, 0usize, false, 0usize);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                n_digits += 1;
                decimals += usize::from(seen_dot);
                if n_digits > 15 {
                    return None;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if n_digits == 0 || decimals > 22 || (seen_dot && decimals == 0) {
        return None;
    }
    let v = mantissa as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

fn code_ok(code: &str, prefix: &str, digits: usize) -> bool {
    code.len() == prefix.len() + digits
        && code.starts_with(prefix)
        && code[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
}

pub fn is_wijkcode(code: &str) -> bool {
    code_ok(code, "WK", 6)
}
pub fn is_gemeentecode(code: &str) -> bool {
    code_ok(code, "GM", 4)
}
pub fn is_regiocode(code: &str) -> bool {
    code_ok(code, "JZ", 2)
}

impl Dataset {
    /// Parse and validate the wijk file. `file` names it in error messages.
    pub fn from_csv(file: &str, text: &str) -> Result<Dataset, DataErrors> {
        let err =
            |line: usize, column: Option<&str>, value: Option<&str>, message: String| DataError {
                file: file.to_string(),
                line,
                column: column.map(str::to_string),
                value: value.map(str::to_string),
                message,
            };
        let mut records = records(text);
        let header = match records.next() {
            Some(Ok((_, header))) => header,
            Some(Err((line, m))) => return Err(DataErrors(vec![err(line, None, None, m)])),
            None => {
                return Err(DataErrors(vec![err(
                    1,
                    None,
                    None,
                    "het bestand is leeg".into(),
                )]));
            }
        };
        let index: HashMap<&str, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim(), i))
            .collect();
        let required = [
            "wijkcode",
            "wijknaam_cbs2017",
            "gemeentecode",
            "gemeentenaam",
            "jeugdzorgregiocode",
            "jeugdzorgregionaam",
            "perc_jhzv",
            "perc_przv",
        ];
        let missing: Vec<DataError> = required
            .iter()
            .copied()
            .chain(DETERMINANTS.iter().map(|d| d.name))
            .filter(|c| !index.contains_key(c))
            .map(|c| {
                err(
                    1,
                    Some(c),
                    None,
                    "verplichte kolom ontbreekt in de kopregel".into(),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(DataErrors(missing));
        }
        // Column positions, looked up once rather than per field.
        let positions: HashMap<&str, usize> = required
            .iter()
            .copied()
            .chain(DETERMINANTS.iter().map(|d| d.name))
            .map(|c| (c, index[c]))
            .collect();
        let col = |name: &str| positions[name];
        let det_cols: Vec<usize> = DETERMINANTS.iter().map(|d| col(d.name)).collect();
        let (c_observed, c_expected) = (col("perc_jhzv"), col("perc_przv"));
        let text_names = &required[..6];
        let text_cols: Vec<usize> = text_names.iter().map(|n| col(n)).collect();

        let mut errors = Vec::new();
        // Capacity for one wijk per line of text.
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        let mut wijken = Vec::with_capacity(lines);
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(lines);
        // gemeente → (regio, first line), to catch a gemeente placed in two regio's.
        let mut gemeente_regio: BTreeMap<String, (String, usize)> = BTreeMap::new();

        for record in records {
            let (line, fields) = match record {
                Ok(r) => r,
                Err((line, m)) => {
                    errors.push(err(line, None, None, m));
                    break;
                }
            };
            if fields.len() != header.len() {
                errors.push(err(
                    line,
                    None,
                    None,
                    format!(
                        "{} velden, de kopregel heeft er {}",
                        fields.len(),
                        header.len()
                    ),
                ));
                continue;
            }
            let text = |name: &str| {
                fields[text_cols[text_names.iter().position(|n| *n == name).unwrap()]]
                    .trim()
                    .to_string()
            };
            let mut row_ok = true;
            let mut check_code = |name: &str, ok: fn(&str) -> bool, what: &str| {
                let v = text(name);
                if v.is_empty() {
                    errors.push(err(line, Some(name), Some(&v), format!("{what} ontbreekt")));
                    row_ok = false;
                } else if !ok(&v) {
                    errors.push(err(line, Some(name), Some(&v), format!("ongeldige {what}")));
                    row_ok = false;
                }
                v
            };
            let code = check_code(
                "wijkcode",
                is_wijkcode,
                "wijkcode (verwacht WK + 6 cijfers)",
            );
            let gemeente_code = check_code(
                "gemeentecode",
                is_gemeentecode,
                "gemeentecode (verwacht GM + 4 cijfers)",
            );
            let regio_raw = text("jeugdzorgregiocode");
            let regio_code = if regio_raw.is_empty() {
                errors.push(err(
                    line,
                    Some("jeugdzorgregiocode"),
                    Some(""),
                    format!("gemeente {gemeente_code} heeft geen jeugdzorgregio"),
                ));
                row_ok = false;
                regio_raw
            } else {
                check_code(
                    "jeugdzorgregiocode",
                    is_regiocode,
                    "jeugdzorgregiocode (verwacht JZ + 2 cijfers)",
                )
            };

            let mut number = |name: &str, c: usize, unit: Option<Unit>| -> Option<f64> {
                let raw = &fields[c];
                match parse_optional_number(raw) {
                    Ok(Some(v)) => {
                        if let Some(unit) = unit {
                            let (lo, hi) = unit.valid_range();
                            if v < lo || v > hi {
                                let what = match unit {
                                    Unit::Percent => "percentage buiten 0–100".to_string(),
                                    Unit::YesNo => "verwacht 0 of 1".to_string(),
                                    _ => format!("waarde buiten {lo}–{hi}"),
                                };
                                errors.push(err(line, Some(name), Some(raw.trim()), what));
                                row_ok = false;
                            } else if unit == Unit::YesNo && v != 0.0 && v != 1.0 {
                                errors.push(err(
                                    line,
                                    Some(name),
                                    Some(raw.trim()),
                                    "verwacht 0 of 1".into(),
                                ));
                                row_ok = false;
                            }
                        }
                        Some(v)
                    }
                    Ok(None) => None,
                    Err(m) => {
                        errors.push(err(line, Some(name), Some(raw.trim()), m));
                        row_ok = false;
                        None
                    }
                }
            };
            let observed = number("perc_jhzv", c_observed, Some(Unit::Percent));
            let scp_expected = number("perc_przv", c_expected, Some(Unit::Percent));
            let values: Vec<Option<f64>> = DETERMINANTS
                .iter()
                .zip(&det_cols)
                .map(|(d, &c)| number(d.name, c, Some(d.unit)))
                .collect();

            if !code.is_empty() {
                if let Some(first) = seen.insert(code.clone(), line) {
                    errors.push(err(
                        line,
                        Some("wijkcode"),
                        Some(&code),
                        format!("dubbele wijk: staat ook op regel {first}"),
                    ));
                    row_ok = false;
                }
            }
            if !gemeente_code.is_empty() && !regio_code.is_empty() {
                match gemeente_regio.get(&gemeente_code) {
                    Some((r, first)) if *r != regio_code => {
                        errors.push(err(
                            line,
                            Some("jeugdzorgregiocode"),
                            Some(&regio_code),
                            format!("gemeente {gemeente_code} staat op regel {first} in regio {r}"),
                        ));
                        row_ok = false;
                    }
                    Some(_) => {}
                    None => {
                        gemeente_regio.insert(gemeente_code.clone(), (regio_code.clone(), line));
                    }
                }
            }
            if row_ok {
                wijken.push(Wijk {
                    code,
                    name: text("wijknaam_cbs2017"),
                    gemeente_code,
                    gemeente_name: text("gemeentenaam"),
                    regio_code,
                    regio_name: text("jeugdzorgregionaam"),
                    observed,
                    scp_expected,
                    values,
                });
            }
        }
        if wijken.is_empty() && errors.is_empty() {
            errors.push(err(1, None, None, "het bestand bevat geen wijken".into()));
        }
        if errors.is_empty() {
            Ok(Dataset { wijken })
        } else {
            Err(DataErrors(errors))
        }
    }

    /// Column `j` of [`DETERMINANTS`] over all wijken.
    pub fn column(&self, j: usize) -> impl Iterator<Item = Option<f64>> + '_ {
        self.wijken.iter().map(move |w| w.values[j])
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod fs {
    //! File access for the CLI and tests (kept out of the parser and fitter).
    use super::*;
    use std::path::{Path, PathBuf};

    /// Data directory: explicit `--data`, else `JEUGDHULP_DATA`, else `../shared/data`.
    pub fn data_dir(explicit: Option<&str>) -> PathBuf {
        explicit
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("JEUGDHULP_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("../shared/data"))
    }

    /// Read the wijk file with its bytes (for provenance hashing).
    pub fn read_wijk_file(dir: &Path) -> Result<(PathBuf, String), String> {
        let path = dir.join(WIJK_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "kan {} niet lezen: {e} (stel de datamap in met --data DIR of JEUGDHULP_DATA)",
                path.display()
            )
        })?;
        Ok((path, text))
    }

    pub fn load(dir: &Path) -> Result<(Dataset, String), String> {
        let (path, text) = read_wijk_file(dir)?;
        let ds =
            Dataset::from_csv(&path.display().to_string(), &text).map_err(|e| e.to_string())?;
        Ok((ds, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_handles_quotes_crlf_and_blank_lines() {
        let recs = parse_csv("a,b\r\n\"x, y\",\"he said \"\"hi\"\"\"\r\n\r\n1,2").unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].1, vec!["x, y", "he said \"hi\""]);
        assert_eq!(recs[2].0, 4);
        assert_eq!(recs[2].1, vec!["1", "2"]);
        assert!(parse_csv("a\n\"open").is_err());
    }

    #[test]
    fn missing_is_not_zero() {
        assert_eq!(parse_optional_number(""), Ok(None));
        assert_eq!(parse_optional_number("."), Ok(None));
        assert_eq!(parse_optional_number("0"), Ok(Some(0.0)));
        assert!(parse_optional_number("1,5").is_err());
        assert!(parse_optional_number("inf").is_err());
        assert!(parse_optional_number("1.2.3").is_err());
        assert!(parse_optional_number("-").is_err());
    }

    #[test]
    fn fast_decimal_path_equals_the_standard_parser() {
        for s in [
            "0",
            "12.489",
            "-8.494",
            "0.7",
            "25353",
            "227.273",
            "0.001",
            "-0.0",
            "99999.999",
            "1.000000000000001",
            "123456789012345",
            "0.30000000000000004",
            "5.",
            "1e3",
            "+3",
        ] {
            assert_eq!(
                parse_optional_number(s).ok().flatten().map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        // Every value with three decimals up to 100 (the data's own form).
        for i in 0..=100_000u32 {
            let s = format!("{}.{:03}", i / 1000, i % 1000);
            assert_eq!(
                parse_plain_decimal(&s).unwrap().to_bits(),
                s.parse::<f64>().unwrap().to_bits(),
                "{s}"
            );
        }
    }
}
