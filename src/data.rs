//! Loading and validating the per-wijk data file (`jeugdhulp_wijk_2017.csv`)
//! and the CBS kerncijfers (the youth count N).
//!
//! Parsing works on text, not files ([`crate::csvfile`] splits it). Every
//! problem is reported with file, line, column and value, and all problems
//! are collected rather than stopping at the first: a bad row never silently
//! disappears.

use crate::csvfile::{self, Decimal, Rows, Separator};
use crate::determinants::{Determinant, Unit, DETERMINANTS, PERCENT};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The main input file, relative to the data directory.
pub const WIJK_FILE: &str = "jeugdhulp_wijk_2017.csv";

/// Text shared by all wijken of one gemeente or regio: one allocation per
/// gemeente rather than four per wijk.
pub type Shared = Arc<str>;

#[derive(Debug, Clone, PartialEq)]
pub struct Wijk {
    pub code: String,
    pub name: String,
    pub gemeente_code: Shared,
    pub gemeente_name: Shared,
    pub regio_code: Shared,
    pub regio_name: Shared,
    /// Observed share of youth with jeugdhulp zonder verblijf (%); `None` where CBS suppressed it.
    pub observed: Option<f64>,
    /// SCP's published expected use (%).
    pub scp_expected: Option<f64>,
    /// Youth count N (docs/fidelity.md §3), from the CBS kerncijfers file
    /// ([`Dataset::attach_youth`]); `None` until that file is read.
    pub n_jeugd: Option<f64>,
    /// Determinant values in the order of [`DETERMINANTS`]; `None` = missing.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub wijken: Vec<Wijk>,
}

/// Wijken in wijkcode order, so that no result depends on the order of the
/// rows in the file. The file is normally sorted already; that costs one pass.
pub(crate) fn in_code_order<'a>(wijken: impl Iterator<Item = &'a Wijk>) -> Vec<&'a Wijk> {
    let mut rows: Vec<&Wijk> = wijken.collect();
    if !rows.is_sorted_by(|a, b| a.code <= b.code) {
        rows.sort_by(|a, b| a.code.cmp(&b.code));
    }
    rows
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
            // (cut short: a 400-digit number is not worth 400 digits of message)
            write!(f, ", waarde {:?}", crate::csvfile::short(v))?;
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

/// Read a number in the data files' own form (decimal point): empty, `.`
/// (SCP's own missing marker) and `NA` are missing, never zero. The rules are
/// [`csvfile::parse_number`]'s.
pub fn parse_optional_number(raw: &str) -> Result<Option<f64>, String> {
    csvfile::parse_number(raw, Decimal::Point, true).map_err(String::from)
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

fn data_error(
    file: &str,
    line: usize,
    column: Option<&str>,
    value: Option<&str>,
    message: String,
) -> DataError {
    DataError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        value: value.map(str::to_string),
        message,
    }
}

/// A data file (comma, decimal point) read row by row: the reader, past its
/// header, and the header. An empty file is an error.
fn open<'t>(file: &str, text: &'t str) -> Result<(Rows<'t>, csvfile::Row), DataErrors> {
    let mut rows = Rows::new(
        text.strip_prefix('\u{feff}').unwrap_or(text),
        Separator::Comma,
    );
    let fail = |line, message| DataErrors(vec![data_error(file, line, None, None, message)]);
    match rows.next() {
        Some(Ok(header)) => {
            let header = header.clone();
            Ok((rows, header))
        }
        Some(Err(e)) => Err(fail(e.line, e.message.nl)),
        None => Err(fail(1, "het bestand is leeg".into())),
    }
}

/// A [`Rows`] error as a data error: it ends the reading.
fn unreadable(file: &str, e: csvfile::CsvError) -> DataError {
    data_error(file, e.line, None, None, e.message.nl)
}

/// The position of each of `required` in the header (names trimmed), or an
/// error for each one that is missing or there twice (which of two is meant
/// cannot be known).
fn find_columns(
    file: &str,
    header: &csvfile::Row,
    required: &[&str],
) -> Result<HashMap<String, usize>, DataErrors> {
    let names: Vec<&str> = header.fields.iter().map(|h| h.trim()).collect();
    let mut errors = Vec::new();
    let mut columns = HashMap::new();
    for &c in required {
        let message = match names.iter().filter(|h| **h == c).count() {
            0 => "verplichte kolom ontbreekt in de kopregel",
            1 => {
                let at = names.iter().position(|h| *h == c).unwrap_or_default();
                columns.insert(c.to_string(), at);
                continue;
            }
            _ => "kolom staat meer dan één keer in de kopregel",
        };
        errors.push(data_error(file, header.line, Some(c), None, message.into()));
    }
    // One column holding ';' or tabs: the file has another separator. One
    // error that says so, rather than one per column.
    if let [only] = &names[..] {
        let found = [(';', "';'"), ('\t', "tab")]
            .into_iter()
            .find(|(c, _)| only.contains(*c));
        if let (Some((_, shown)), true) = (found, errors.len() > 1) {
            let message = format!(
                "de kopregel is één kolom: dit bestand gebruikt {shown} als scheidingsteken, een databestand ','"
            );
            return Err(DataErrors(vec![data_error(
                file,
                header.line,
                None,
                None,
                message,
            )]));
        }
    }
    match errors.is_empty() {
        true => Ok(columns),
        false => Err(DataErrors(errors)),
    }
}

/// A row whose number of fields differs from the header's: the error, else `None`.
fn ragged(file: &str, row: &csvfile::Row, width: usize) -> Option<DataError> {
    (row.fields.len() != width).then(|| {
        let m = format!("{} velden, de kopregel heeft er {width}", row.fields.len());
        data_error(file, row.line, None, None, m)
    })
}

/// The message for a value outside its column's range (`None`: a share).
fn out_of_range(column: Option<&Determinant>) -> String {
    match column.map(|d| (d.unit, d.range)) {
        None | Some((Unit::Percent, _)) => "percentage buiten 0–100".to_string(),
        Some((Unit::YesNo, _)) => "verwacht 0 of 1".to_string(),
        Some((_, (lo, hi))) => format!("waarde buiten {lo}–{hi}"),
    }
}

/// The wijk file's text columns.
const TEXT_COLUMNS: [&str; 6] = [
    "wijkcode",
    "wijknaam_cbs2017",
    "gemeentecode",
    "gemeentenaam",
    "jeugdzorgregiocode",
    "jeugdzorgregionaam",
];

/// Where the wijk file's columns are.
struct Columns {
    text: [usize; 6],
    observed: usize,
    expected: usize,
    /// In the order of [`DETERMINANTS`].
    determinants: Vec<usize>,
}

/// What the checks of the wijk file have found so far, and the wijken that passed.
struct Checks<'f> {
    file: &'f str,
    errors: Vec<DataError>,
    wijken: Vec<Wijk>,
    /// The first line of each wijk code.
    first_line: HashMap<String, usize>,
    /// Each gemeente's regio, and the line that placed it there.
    gemeente_regio: HashMap<String, (String, usize)>,
    /// Gemeente code and name, regio code and name of the last kept wijk,
    /// shared with the next when they are the same (rows come by gemeente).
    last: Option<[Shared; 4]>,
}

impl Checks<'_> {
    fn error(&mut self, line: usize, column: &str, value: &str, message: String) {
        let e = data_error(self.file, line, Some(column), Some(value), message);
        self.errors.push(e);
    }

    /// A code column: empty or malformed is an error; whether it is valid.
    fn code(
        &mut self,
        line: usize,
        column: &str,
        value: &str,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> bool {
        if value.is_empty() {
            self.error(line, column, value, format!("{what} ontbreekt"));
        } else if !valid(value) {
            self.error(line, column, value, format!("ongeldige {what}"));
        }
        valid(value)
    }

    /// A number column, checked against its range (`None`: a share).
    fn number(
        &mut self,
        line: usize,
        column: &str,
        raw: &str,
        d: Option<&Determinant>,
    ) -> (Option<f64>, bool) {
        let accepts = |v: f64| match d {
            Some(d) => d.accepts(v),
            None => (PERCENT.0..=PERCENT.1).contains(&v),
        };
        let problem = match parse_optional_number(raw) {
            Ok(Some(v)) if accepts(v) => return (Some(v), true),
            Ok(None) => return (None, true),
            Ok(Some(_)) => out_of_range(d),
            Err(m) => m,
        };
        self.error(line, column, raw.trim_ascii(), problem);
        (None, false)
    }

    /// Check one row of the wijk file: its codes, then its numbers, then its
    /// clashes with earlier rows (errors in that order); keep it if all is well.
    fn row(&mut self, columns: &Columns, row: &csvfile::Row) {
        let line = row.line;
        let field = |c: usize| row.fields[c].trim_ascii();
        let [code, name, gemeente_code, gemeente_name, regio_code, regio_name] =
            columns.text.map(field);
        let code_valid = self.code(
            line,
            "wijkcode",
            code,
            is_wijkcode,
            "wijkcode (verwacht WK + 6 cijfers)",
        );
        let gemeente_valid = self.code(
            line,
            "gemeentecode",
            gemeente_code,
            is_gemeentecode,
            "gemeentecode (verwacht GM + 4 cijfers)",
        );
        let regio_valid = if regio_code.is_empty() {
            let m = format!("gemeente {gemeente_code} heeft geen jeugdzorgregio");
            self.error(line, "jeugdzorgregiocode", "", m);
            false
        } else {
            self.code(
                line,
                "jeugdzorgregiocode",
                regio_code,
                is_regiocode,
                "jeugdzorgregiocode (verwacht JZ + 2 cijfers)",
            )
        };
        let mut ok = code_valid && gemeente_valid && regio_valid;
        let (observed, ok_observed) = self.number(line, "perc_jhzv", field(columns.observed), None);
        let (scp_expected, ok_expected) =
            self.number(line, "perc_przv", field(columns.expected), None);
        ok &= ok_observed && ok_expected;
        let mut values = Vec::with_capacity(DETERMINANTS.len());
        for (d, &c) in DETERMINANTS.iter().zip(&columns.determinants) {
            let (v, fine) = self.number(line, d.name, field(c), Some(d));
            values.push(v);
            ok &= fine;
        }
        if code_valid {
            let first = *self.first_line.entry(code.to_string()).or_insert(line);
            if first != line {
                self.error(
                    line,
                    "wijkcode",
                    code,
                    format!("dubbele wijk: staat ook op regel {first}"),
                );
                ok = false;
            }
        }
        if gemeente_valid && regio_valid {
            match self.gemeente_regio.get(gemeente_code) {
                None => {
                    let placed = (regio_code.to_string(), line);
                    self.gemeente_regio
                        .insert(gemeente_code.to_string(), placed);
                }
                Some((first_regio, first)) if first_regio != regio_code => {
                    let m = format!(
                        "gemeente {gemeente_code} staat op regel {first} in regio {first_regio}"
                    );
                    self.error(line, "jeugdzorgregiocode", regio_code, m);
                    ok = false;
                }
                Some(_) => {}
            }
        }
        if ok {
            let texts = [gemeente_code, gemeente_name, regio_code, regio_name];
            let last = match self.last.take() {
                Some(last) if last.iter().zip(texts).all(|(a, b)| **a == *b) => last,
                _ => texts.map(Shared::from),
            };
            let [gemeente_code, gemeente_name, regio_code, regio_name] =
                self.last.insert(last).clone();
            self.wijken.push(Wijk {
                code: code.to_string(),
                name: name.to_string(),
                gemeente_code,
                gemeente_name,
                regio_code,
                regio_name,
                observed,
                scp_expected,
                n_jeugd: None,
                values,
            });
        }
    }
}

impl Dataset {
    /// Parse and validate the wijk file. `file` names it in error messages.
    pub fn from_csv(file: &str, text: &str) -> Result<Dataset, DataErrors> {
        let (mut rows, header) = open(file, text)?;
        let required: Vec<&str> = TEXT_COLUMNS
            .iter()
            .copied()
            .chain(["perc_jhzv", "perc_przv"])
            .chain(DETERMINANTS.iter().map(|d| d.name))
            .collect();
        let found = find_columns(file, &header, &required)?;
        let columns = Columns {
            text: TEXT_COLUMNS.map(|c| found[c]),
            observed: found["perc_jhzv"],
            expected: found["perc_przv"],
            determinants: DETERMINANTS.iter().map(|d| found[d.name]).collect(),
        };
        let mut checks = Checks {
            file,
            errors: Vec::new(),
            wijken: Vec::with_capacity(3000),
            first_line: HashMap::with_capacity(3000),
            gemeente_regio: HashMap::new(),
            last: None,
        };
        while let Some(row) = rows.next() {
            match row {
                Ok(row) => match ragged(file, row, header.fields.len()) {
                    Some(e) => checks.errors.push(e),
                    None => checks.row(&columns, row),
                },
                Err(e) => checks.errors.push(unreadable(file, e)),
            }
        }
        if checks.errors.is_empty() && checks.wijken.is_empty() {
            let m = "het bestand bevat geen wijken".to_string();
            checks.errors.push(data_error(file, 1, None, None, m));
        }
        match checks.errors.is_empty() {
            true => Ok(Dataset {
                wijken: checks.wijken,
            }),
            false => Err(DataErrors(checks.errors)),
        }
    }
}

/// The CBS kerncijfers file with inhabitants and age shares per wijk,
/// relative to the data directory (CBS/Kadaster, Wijk- en buurtkaart 2017).
pub const YOUTH_FILE: &str = "cbs/wijkbuurtkaart_2017/wijk_kerncijfers_2017.csv";

/// The share of the 15–24 age group counted as youth in N (docs/fidelity.md §3:
/// the value that matches the whole-number structure of `perc_jhzv`).
pub const YOUTH_SHARE_15_24: f64 = 0.4;

/// N = inhabitants × (p_00_14_jr + 0.4 × p_15_24_jr) / 100, rounded to a
/// thousandth of a youth. With the file's whole percents and inhabitants
/// rounded to 5 that rounding is exact (N is a multiple of 0.001), so N is
/// written and read back as a short decimal, bit for bit (the page gets it
/// through `wijkwaarden.bin`, as an integer of thousandths: `wire::Column`).
pub fn youth_count(inhabitants: f64, share: f64) -> f64 {
    (inhabitants * share * 1000.0).round() / 1000.0
}

/// The youth share of a wijk: (p_00_14_jr + 0.4 × p_15_24_jr) / 100.
pub fn youth_share(p_00_14: f64, p_15_24: f64) -> f64 {
    (p_00_14 + YOUTH_SHARE_15_24 * p_15_24) / 100.0
}

/// One row of the kerncijfers file, as far as N needs it.
struct YouthRow {
    line: usize,
    inhabitants: Option<f64>,
    share: Option<f64>,
}

impl Dataset {
    /// Read the youth count N of every wijk from the kerncijfers file's text
    /// (`file` names it in messages): N = aant_inw × (p_00_14_jr + 0.4 ×
    /// p_15_24_jr) / 100. A wijk without age shares takes the median share over
    /// the dataset's wijken that have both. Every problem is reported with
    /// file, line, column and value: a malformed row, a number that is not one
    /// or out of range, a wijk of the dataset that is missing from the file or
    /// has no inhabitants, a youth count of 0.
    pub fn attach_youth(&mut self, file: &str, text: &str) -> Result<(), DataErrors> {
        let mut errors = Vec::new();
        let fail = |line, column: Option<&str>, value: Option<&str>, m: String| {
            data_error(file, line, column, value, m)
        };
        let (mut reader, header) = open(file, text)?;
        const COLUMNS: [&str; 4] = ["wijkcode", "aant_inw", "p_00_14_jr", "p_15_24_jr"];
        let columns = find_columns(file, &header, &COLUMNS)?;
        let cols = COLUMNS.map(|c| columns[c]);
        let header_line = header.line;
        let mut rows: HashMap<String, YouthRow> = HashMap::with_capacity(self.wijken.len() + 200);
        while let Some(row) = reader.next() {
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    errors.push(unreadable(file, e));
                    continue;
                }
            };
            if let Some(e) = ragged(file, row, header.fields.len()) {
                errors.push(e);
                continue;
            }
            let (line, fields) = (row.line, &row.fields);
            let code = fields[cols[0]].trim();
            if !is_wijkcode(code) {
                let m = "ongeldige wijkcode (verwacht WK + 6 cijfers)".to_string();
                errors.push(fail(line, Some("wijkcode"), Some(code), m));
                continue;
            }
            let mut number = |k: usize, (lo, hi): (f64, f64), what: &str| -> Option<f64> {
                let raw = fields[cols[k]].trim();
                let problem = match parse_optional_number(raw) {
                    Ok(Some(v)) if v >= lo && v <= hi => return Some(v),
                    Ok(None) => return None,
                    Ok(Some(_)) => what.to_string(),
                    Err(m) => m,
                };
                errors.push(fail(line, Some(COLUMNS[k]), Some(raw), problem));
                None
            };
            let inhabitants = number(1, (0.0, 1e7), "aantal inwoners buiten 0–10 000 000");
            let p014 = number(2, PERCENT, "percentage buiten 0–100");
            let p1524 = number(3, PERCENT, "percentage buiten 0–100");
            let share = p014.zip(p1524).map(|(a, b)| youth_share(a, b));
            let row = YouthRow {
                line,
                inhabitants,
                share,
            };
            if let Some(first) = rows.insert(code.to_string(), row) {
                let m = format!("dubbele wijk: staat ook op regel {}", first.line);
                errors.push(fail(line, Some("wijkcode"), Some(code), m));
            }
        }
        // The median share over the dataset's wijken that have both shares.
        let mut shares: Vec<f64> = self
            .wijken
            .iter()
            .filter_map(|w| rows.get(&w.code).and_then(|r| r.share))
            .collect();
        shares.sort_by(f64::total_cmp);
        let median = match shares.len() {
            0 => None,
            n if n % 2 == 1 => Some(shares[n / 2]),
            n => Some((shares[n / 2 - 1] + shares[n / 2]) / 2.0),
        };
        for w in &mut self.wijken {
            let Some(row) = rows.get(&w.code) else {
                let m = format!("wijk {} ({}) staat niet in dit bestand", w.code, w.name);
                errors.push(fail(1, Some("wijkcode"), Some(&w.code), m));
                continue;
            };
            let Some(inhabitants) = row.inhabitants else {
                let m = format!(
                    "wijk {} heeft geen aantal inwoners; het aantal jeugdigen is dan onbekend",
                    w.code
                );
                errors.push(fail(row.line, Some("aant_inw"), Some(""), m));
                continue;
            };
            let Some(share) = row.share.or(median) else {
                continue; // no wijk has age shares: reported below
            };
            let n = youth_count(inhabitants, share);
            if n > 0.0 {
                w.n_jeugd = Some(n);
            } else {
                let m = format!("wijk {} heeft 0 jeugdigen volgens deze cijfers; het model heeft minstens een paar nodig", w.code);
                errors.push(fail(
                    row.line,
                    Some("aant_inw"),
                    Some(&format!("{inhabitants}")),
                    m,
                ));
            }
        }
        if median.is_none() && errors.is_empty() {
            let m = "geen enkele wijk heeft p_00_14_jr en p_15_24_jr".to_string();
            errors.push(fail(header_line, None, None, m));
        }
        match errors.is_empty() {
            true => Ok(()),
            false => Err(DataErrors(errors)),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod fs {
    //! File access for the CLI and tests (kept out of the parser and fitter).
    use super::*;
    use std::path::{Path, PathBuf};

    /// Data directory: explicit `--data`, else `JEUGDHULP_DATA`, else `data` (the frozen copy in the repository).
    pub fn data_dir(explicit: Option<&str>) -> PathBuf {
        explicit
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("JEUGDHULP_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    /// A file's text, or why it cannot be read, in Dutch: the reason
    /// ("bestaat niet", "is een map", "geen UTF-8 op regel 3, byte 0xe9"),
    /// for the caller to put after the file's name.
    pub fn read_text(path: &Path) -> Result<String, String> {
        let bytes = std::fs::read(path).map_err(|e| io_reason(&e))?;
        String::from_utf8(bytes).map_err(|e| {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            format!(
                "geen UTF-8 (regel {line}, byte 0x{:02x}); sla het bestand op als UTF-8",
                bytes[at]
            )
        })
    }

    /// Why a file could not be read or written, in Dutch where the reason is
    /// a common one (else the system's text).
    pub fn io_reason(e: &std::io::Error) -> String {
        use std::io::ErrorKind;
        match e.kind() {
            ErrorKind::NotFound => "bestand of map bestaat niet".to_string(),
            ErrorKind::PermissionDenied => "geen toestemming".to_string(),
            ErrorKind::IsADirectory => "is een map, geen bestand".to_string(),
            _ => e.to_string(),
        }
    }

    /// Read the wijk file with its bytes (for provenance hashing).
    pub fn read_wijk_file(dir: &Path) -> Result<(PathBuf, String), String> {
        let path = dir.join(WIJK_FILE);
        let text = read_text(&path).map_err(|e| {
            format!(
                "kan {} niet lezen: {e} (stel de datamap in met --data DIR of JEUGDHULP_DATA)",
                path.display()
            )
        })?;
        Ok((path, text))
    }

    /// The wijk file read, validated and hashed.
    pub struct Loaded {
        pub dataset: Dataset,
        /// sha256 of the file's bytes, lowercase hex (the model's provenance).
        pub sha256: String,
        /// sha256 of the kerncijfers file ([`YOUTH_FILE`]), for the provenance
        /// of a model that uses the youth count.
        pub youth_sha256: String,
    }

    /// Read the wijk file, validate it and hash it. (A second thread for the
    /// hash or for half of the rows was measured slower: thread start and a
    /// second malloc arena cost more than the 0.4 ms they would save.)
    pub fn load(dir: &Path) -> Result<Loaded, String> {
        let (path, text) = read_wijk_file(dir)?;
        let mut dataset =
            Dataset::from_csv(&path.display().to_string(), &text).map_err(|e| e.to_string())?;
        let youth_path = dir.join(YOUTH_FILE);
        let youth = read_text(&youth_path).map_err(|e| {
            format!(
                "kan {} niet lezen: {e} (het aantal jeugdigen per wijk komt uit dit bestand, naast {WIJK_FILE} in de datamap)",
                youth_path.display()
            )
        })?;
        dataset
            .attach_youth(&youth_path.display().to_string(), &youth)
            .map_err(|e| e.to_string())?;
        Ok(Loaded {
            dataset,
            sha256: sha256_hex(&text),
            youth_sha256: sha256_hex(&youth),
        })
    }

    pub fn sha256_hex(text: &str) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_not_zero() {
        assert_eq!(parse_optional_number(""), Ok(None));
        assert_eq!(parse_optional_number("."), Ok(None));
        assert_eq!(parse_optional_number("0"), Ok(Some(0.0)));
        assert!(parse_optional_number("1,5").is_err());
        assert!(parse_optional_number("inf").is_err());
        assert!(parse_optional_number("1.2.3").is_err());
        assert!(parse_optional_number("-").is_err());
        assert_eq!(
            parse_optional_number("123456789012345678901234"),
            Ok(Some(123456789012345678901234.0))
        );
    }

    #[test]
    fn decimals_read_as_the_standard_parser_reads_them() {
        for s in [
            "0",
            "12.489",
            "-8.494",
            "0.7",
            "25353",
            "227.273",
            "0.001",
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
    }
}
