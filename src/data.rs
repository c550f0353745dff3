//! Loading and validating the per-wijk data file (`jeugdhulp_wijk_2017.csv`).
//!
//! Parsing works on text, not files, so the same code can later run in the
//! browser on a user's own file. Every problem is reported with file, line,
//! column and value, and all problems are collected rather than stopping at the
//! first: a bad row never silently disappears.

use crate::determinants::{Determinant, Unit, DETERMINANTS, PERCENT};
use std::borrow::Cow;
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
/// fields all at once. Blank lines are skipped.
pub fn records(text: &str) -> impl Iterator<Item = Result<Record<'_>, (usize, String)>> {
    let mut reader = RecordReader::new(text);
    std::iter::from_fn(move || {
        Some(match reader.next()? {
            Ok((line, fields)) => Ok((line, fields.to_vec())),
            Err(e) => Err(e),
        })
    })
}

/// A record as [`RecordReader::next`] lends it: its line and its fields.
pub type BorrowedRecord<'r, 'a> = (usize, &'r [Cow<'a, str>]);

/// A line as [`RecordReader::next_line`] gives it.
enum Line<'a> {
    /// A line without quotes, not yet split.
    Plain(usize, &'a str),
    /// A record with quoted fields, split into [`RecordReader::fields`].
    Quoted(usize),
}

/// Reads records into one reused buffer (no allocation per record on the fast
/// path). Lines without quotes are split in place, their fields borrowing from
/// the text; a quoted field may span lines. Blank lines are skipped.
pub struct RecordReader<'a> {
    text: &'a str,
    /// Byte offset of the next physical line; past the end when done.
    pos: usize,
    /// 1-based number of the next physical line.
    line: usize,
    fields: Vec<Cow<'a, str>>,
}

impl<'a> RecordReader<'a> {
    pub fn new(text: &'a str) -> RecordReader<'a> {
        RecordReader::starting_at(text.strip_prefix('\u{feff}').unwrap_or(text), 1)
    }

    /// A reader for text that starts at line `line` of its file.
    fn starting_at(text: &'a str, line: usize) -> RecordReader<'a> {
        RecordReader {
            text,
            pos: 0,
            line,
            fields: Vec::with_capacity(64),
        }
    }

    /// The text not read yet, and the number of its first line.
    fn rest(&self) -> (&'a str, usize) {
        (self.text.get(self.pos..).unwrap_or(""), self.line)
    }

    /// The next record: the 1-based line on which it starts, and its fields.
    #[allow(clippy::should_implement_trait)] // lends its buffer, so not an Iterator
    pub fn next(&mut self) -> Option<Result<BorrowedRecord<'_, 'a>, (usize, String)>> {
        Some(match self.next_line()? {
            Ok(Line::Plain(line, text)) => Ok((line, self.split(text))),
            Ok(Line::Quoted(line)) => Ok((line, &self.fields)),
            Err(e) => Err(e),
        })
    }

    /// The fields of the last quoted record.
    fn fields(&self) -> &[Cow<'a, str>] {
        &self.fields
    }

    /// Split a line without quotes at its commas.
    fn split(&mut self, line: &'a str) -> &[Cow<'a, str>] {
        self.fields.clear();
        self.fields.extend(line.split(',').map(Cow::Borrowed));
        &self.fields
    }

    /// The next physical line, without its line ending.
    fn physical_line(&mut self) -> Option<(usize, &'a str)> {
        let rest = self.text.get(self.pos..)?;
        let (line, len) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len() + 1),
        };
        self.pos += len;
        self.line += 1;
        Some((self.line - 1, line.strip_suffix('\r').unwrap_or(line)))
    }

    fn next_line(&mut self) -> Option<Result<Line<'a>, (usize, String)>> {
        loop {
            let (start_line, line) = self.physical_line()?;
            if !line.as_bytes().contains(&b'"') {
                if line.trim_ascii().is_empty() {
                    continue;
                }
                return Some(Ok(Line::Plain(start_line, line)));
            }
            // Join physical lines until the quotes balance.
            let mut record = line.to_string();
            while record.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
                match self.physical_line() {
                    Some((_, more)) => {
                        record.push('\n');
                        record.push_str(more);
                    }
                    None => {
                        return Some(Err((
                            start_line,
                            "aanhalingsteken wordt niet afgesloten".into(),
                        )))
                    }
                }
            }
            self.fields.clear();
            self.fields
                .extend(split_quoted(&record).into_iter().map(Cow::Owned));
            return Some(Ok(Line::Quoted(start_line)));
        }
    }
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

/// Fast path for the data's plain decimals (`-12.345`); anything else returns
/// `None` and goes to the general parser.
fn parse_plain_decimal(s: &str) -> Option<f64> {
    match fast_number(s.as_bytes()) {
        (Ok(v), end) if end == s.len() => v,
        _ => None,
    }
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

/// The text columns the loader keeps, in the order of [`Row::text`].
const TEXT_COLUMNS: [&str; 6] = [
    "wijkcode",
    "wijknaam_cbs2017",
    "gemeentecode",
    "gemeentenaam",
    "jeugdzorgregiocode",
    "jeugdzorgregionaam",
];

/// What the loader does with one column of the file.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Text(usize),
    Observed,
    ScpExpected,
    Determinant(usize),
    Ignored,
}

/// Where things are in the file, from its header.
struct Layout {
    roles: Vec<Role>,
    text_cols: [usize; 6],
    observed_col: usize,
    expected_col: usize,
    det_cols: Vec<usize>,
}

/// One row's values, before its codes are checked.
struct Row<'t> {
    line: usize,
    text: [&'t str; 6],
    observed: Option<f64>,
    scp_expected: Option<f64>,
    values: Vec<Option<f64>>,
    /// False once a field error has been reported for this row.
    ok: bool,
}

/// What the checks have found so far, and the wijken that passed.
struct Checks<'f> {
    file: &'f str,
    errors: Vec<DataError>,
    wijken: Vec<Wijk>,
    /// Wijken seen so far. Codes are checked as their digits, never hashed
    /// or copied as strings: valid codes are WK + 6 digits, so one bit each.
    seen: Bits,
    /// (wijk digits, line) of each valid code, for the message on a duplicate.
    seen_lines: Vec<(u32, usize)>,
    /// First line of each wijk, built from `seen_lines` on the first
    /// duplicate (files without one never pay for a hash map).
    first_lines: Option<HashMap<u32, usize>>,
    /// Per gemeente number (GM + 4 digits): its regio number + 1 (0: none
    /// yet) and the line that placed it there, to catch a gemeente in two
    /// regio's.
    gemeente_regio: Vec<(u8, usize)>,
    /// Gemeente code and name, regio code and name of the last kept wijk,
    /// shared with the next when they are the same (rows come by gemeente).
    last: Option<[Shared; 4]>,
}

/// A set of small numbers, one bit each.
struct Bits(Vec<u64>);

impl Bits {
    fn new(max: usize) -> Bits {
        Bits(vec![0; max / 64 + 1])
    }
    /// Add `n`; whether it was there already.
    fn insert(&mut self, n: u32) -> bool {
        let (word, bit) = ((n / 64) as usize, 1u64 << (n % 64));
        let had = self.0[word] & bit != 0;
        self.0[word] |= bit;
        had
    }
}

fn code_digits(code: &str) -> u32 {
    code.bytes()
        .skip(2)
        .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// The plain decimal at the start of `bytes`, up to the next comma or the end:
/// `Ok(None)` for an empty field or `.`, `Err(())` for anything the general
/// parser must look at. Also returns the field's length.
///
/// With m < 2⁵³ digits and d ≤ 22 decimals, the one division m / 10^d gives
/// exactly the correctly rounded value (both operands are exact in f64;
/// Clinger's fast path).
fn fast_number(bytes: &[u8]) -> (Result<Option<f64>, ()>, usize) {
    let (mut mantissa, mut decimals, mut seen_dot, mut n_digits) = (0u64, 0usize, false, 0usize);
    let negative = bytes.first() == Some(&b'-');
    let mut clean = true;
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate().skip(usize::from(negative)) {
        match b {
            b'0'..=b'9' => {
                // Past 15 digits the value goes to the general parser anyway.
                if n_digits < 15 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                }
                n_digits += 1;
                decimals += usize::from(seen_dot);
            }
            b'.' if !seen_dot => seen_dot = true,
            b',' => {
                end = i;
                break;
            }
            _ => clean = false,
        }
    }
    let value = if !clean || negative && n_digits == 0 {
        Err(())
    } else if n_digits == 0 {
        // Empty, or SCP's "." marker: missing.
        Ok(None)
    } else if n_digits > 15 || decimals > 22 || (seen_dot && decimals == 0) {
        Err(())
    } else {
        let v = mantissa as f64 / POW10[decimals];
        Ok(Some(if negative { -v } else { v }))
    };
    (value, end)
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Whether `v` is a valid value of `column` (None: a share, the observed and
/// expected use); the general path says why not.
fn accepts(v: f64, column: Option<&Determinant>) -> bool {
    match column {
        Some(d) => d.accepts(v),
        None => (PERCENT.0..=PERCENT.1).contains(&v),
    }
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

impl Layout {
    /// Read the header of `text`. Returns the layout and the text after the
    /// header with the number of its first line.
    fn read_header<'t>(file: &str, text: &'t str) -> Result<(Layout, &'t str, usize), DataErrors> {
        let fail = |line, column: Option<&str>, message: &str| {
            data_error(file, line, column, None, message.to_string())
        };
        let mut reader = RecordReader::new(text);
        let (header_line, header): (usize, Vec<String>) = match reader.next() {
            Some(Ok((at, header))) => (at, header.iter().map(|h| h.trim().to_string()).collect()),
            Some(Err((line, m))) => return Err(DataErrors(vec![fail(line, None, &m)])),
            None => return Err(DataErrors(vec![fail(1, None, "het bestand is leeg")])),
        };
        let col = |name: &str| header.iter().position(|h| h == name);
        let problems: Vec<DataError> = TEXT_COLUMNS
            .iter()
            .copied()
            .chain(["perc_jhzv", "perc_przv"])
            .chain(DETERMINANTS.iter().map(|d| d.name))
            .filter_map(|c| {
                let message = match header.iter().filter(|h| *h == c).count() {
                    0 => "verplichte kolom ontbreekt in de kopregel",
                    1 => return None,
                    // Which of the two is meant cannot be known.
                    _ => "kolom staat meer dan één keer in de kopregel",
                };
                Some(fail(header_line, Some(c), message))
            })
            .collect();
        if !problems.is_empty() {
            return Err(DataErrors(problems));
        }
        let text_cols = TEXT_COLUMNS.map(|c| col(c).unwrap_or_default());
        let det_cols: Vec<usize> = DETERMINANTS
            .iter()
            .map(|d| col(d.name).unwrap_or_default())
            .collect();
        let observed_col = col("perc_jhzv").unwrap_or_default();
        let expected_col = col("perc_przv").unwrap_or_default();
        let mut roles = vec![Role::Ignored; header.len()];
        for (j, &c) in det_cols.iter().enumerate().rev() {
            roles[c] = Role::Determinant(j);
        }
        roles[expected_col] = Role::ScpExpected;
        roles[observed_col] = Role::Observed;
        for (k, &c) in text_cols.iter().enumerate().rev() {
            roles[c] = Role::Text(k);
        }
        let (rest, first_line) = reader.rest();
        let layout = Layout {
            roles,
            text_cols,
            observed_col,
            expected_col,
            det_cols,
        };
        Ok((layout, rest, first_line))
    }

    /// Check every row of `text` (whole lines, starting at line `first_line`).
    fn check_rows(&self, file: &str, text: &str, first_line: usize) -> Result<Dataset, DataErrors> {
        let lines = text.matches('\n').count() + 1;
        let mut checks = Checks {
            file,
            errors: Vec::new(),
            wijken: Vec::with_capacity(lines),
            seen: Bits::new(999_999),
            seen_lines: Vec::with_capacity(lines),
            first_lines: None,
            gemeente_regio: vec![(0, 0); 10_000],
            last: None,
        };
        let mut reader = RecordReader::starting_at(text, first_line);
        while let Some(next) = reader.next_line() {
            match next {
                Ok(Line::Plain(line, text)) => match self.fast_row(line, text) {
                    Some(row) => checks.row(row),
                    None => {
                        let fields: Vec<Cow<str>> = text.split(',').map(Cow::Borrowed).collect();
                        if let Some(row) = self.general_row(file, line, &fields, &mut checks.errors)
                        {
                            checks.row(row);
                        }
                    }
                },
                Ok(Line::Quoted(line)) => {
                    if let Some(row) =
                        self.general_row(file, line, reader.fields(), &mut checks.errors)
                    {
                        checks.row(row);
                    }
                }
                Err((line, m)) => {
                    checks.errors.push(data_error(file, line, None, None, m));
                    break;
                }
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

    /// One clean line without quotes in a single pass: fields are split and
    /// numbers parsed together. `None` if anything is irregular (wrong field
    /// count, a number that is not a plain decimal, a value out of range);
    /// the general path then handles the line and reports what is wrong.
    fn fast_row<'t>(&self, line: usize, text: &'t str) -> Option<Row<'t>> {
        let bytes = text.as_bytes();
        let mut row = Row {
            line,
            text: [""; 6],
            observed: None,
            scp_expected: None,
            values: vec![None; DETERMINANTS.len()],
            ok: true,
        };
        // Start of the next field; `None` once the last field has been read.
        let mut next = Some(0);
        for role in &self.roles {
            let pos = next?; // fewer fields than the header
            let rest = &bytes[pos..];
            let len = match *role {
                Role::Text(_) | Role::Ignored => {
                    let len = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
                    if let Role::Text(k) = *role {
                        row.text[k] = text[pos..pos + len].trim();
                    }
                    len
                }
                Role::Observed | Role::ScpExpected | Role::Determinant(_) => {
                    let (value, len) = fast_number(rest);
                    let value = value.ok()?;
                    let (slot, column) = match *role {
                        Role::Observed => (&mut row.observed, None),
                        Role::ScpExpected => (&mut row.scp_expected, None),
                        Role::Determinant(j) => (&mut row.values[j], Some(&DETERMINANTS[j])),
                        _ => return None,
                    };
                    if value.is_some_and(|v| !accepts(v, column)) {
                        return None;
                    }
                    *slot = value;
                    len
                }
            };
            next = (len < rest.len()).then_some(pos + len + 1);
        }
        match next {
            Some(_) => None, // more fields than the header
            None => Some(row),
        }
    }

    /// The general path: any record, every problem reported.
    fn general_row<'t>(
        &self,
        file: &str,
        line: usize,
        fields: &'t [Cow<'_, str>],
        errors: &mut Vec<DataError>,
    ) -> Option<Row<'t>> {
        if fields.len() != self.roles.len() {
            let m = format!(
                "{} velden, de kopregel heeft er {}",
                fields.len(),
                self.roles.len()
            );
            errors.push(data_error(file, line, None, None, m));
            return None;
        }
        let mut ok = true;
        let mut number = |name: &str, raw: &str, column: Option<&Determinant>| -> Option<f64> {
            let problem = match parse_optional_number(raw) {
                Ok(Some(v)) if accepts(v, column) => return Some(v),
                Ok(None) => return None,
                Ok(Some(_)) => match column.map(|d| (d.unit, d.range)) {
                    None | Some((Unit::Percent, _)) => "percentage buiten 0–100".to_string(),
                    Some((Unit::YesNo, _)) => "verwacht 0 of 1".to_string(),
                    Some((_, (lo, hi))) => format!("waarde buiten {lo}–{hi}"),
                },
                Err(m) => m,
            };
            errors.push(data_error(
                file,
                line,
                Some(name),
                Some(raw.trim()),
                problem,
            ));
            ok = false;
            None
        };
        let observed = number("perc_jhzv", &fields[self.observed_col], None);
        let scp_expected = number("perc_przv", &fields[self.expected_col], None);
        let values = DETERMINANTS
            .iter()
            .zip(&self.det_cols)
            .map(|(d, &c)| number(d.name, &fields[c], Some(d)))
            .collect();
        Some(Row {
            line,
            text: std::array::from_fn(|k| fields[self.text_cols[k]].trim()),
            observed,
            scp_expected,
            values,
            ok,
        })
    }
}

impl Checks<'_> {
    /// Check a row's codes, also against earlier rows; keep it if all is well.
    fn row(&mut self, row: Row<'_>) {
        let file = self.file;
        let Row {
            line,
            text,
            observed,
            scp_expected,
            values,
            mut ok,
        } = row;
        let [code, name, gemeente_code, gemeente_name, regio_code, regio_name] = text;
        let mut errors = Vec::new();
        let mut check_code = |column: &str, v: &str, valid: fn(&str) -> bool, what: &str| {
            if v.is_empty() {
                errors.push(data_error(
                    file,
                    line,
                    Some(column),
                    Some(v),
                    format!("{what} ontbreekt"),
                ));
            } else if !valid(v) {
                errors.push(data_error(
                    file,
                    line,
                    Some(column),
                    Some(v),
                    format!("ongeldige {what}"),
                ));
            }
            valid(v)
        };
        let code_valid = check_code(
            "wijkcode",
            code,
            is_wijkcode,
            "wijkcode (verwacht WK + 6 cijfers)",
        );
        let gemeente_valid = check_code(
            "gemeentecode",
            gemeente_code,
            is_gemeentecode,
            "gemeentecode (verwacht GM + 4 cijfers)",
        );
        let regio_valid = if regio_code.is_empty() {
            let m = format!("gemeente {gemeente_code} heeft geen jeugdzorgregio");
            errors.push(data_error(
                file,
                line,
                Some("jeugdzorgregiocode"),
                Some(""),
                m,
            ));
            false
        } else {
            check_code(
                "jeugdzorgregiocode",
                regio_code,
                is_regiocode,
                "jeugdzorgregiocode (verwacht JZ + 2 cijfers)",
            )
        };
        ok &= code_valid && gemeente_valid && regio_valid;
        // Code errors come first: those columns come first in the file.
        let field_errors = self.errors.len()
            - self
                .errors
                .iter()
                .rev()
                .take_while(|e| e.line == line)
                .count();
        self.errors.splice(field_errors..field_errors, errors);
        if code_valid {
            let key = code_digits(code);
            let again = self.seen.insert(key);
            if again && self.first_lines.is_none() {
                let mut first = HashMap::with_capacity(self.seen_lines.len());
                for &(k, at) in &self.seen_lines {
                    first.entry(k).or_insert(at);
                }
                self.first_lines = Some(first);
            }
            match &mut self.first_lines {
                Some(first_lines) => {
                    let first = *first_lines.entry(key).or_insert(line);
                    if again {
                        let m = format!("dubbele wijk: staat ook op regel {first}");
                        let e = data_error(file, line, Some("wijkcode"), Some(code), m);
                        self.errors.push(e);
                        ok = false;
                    }
                }
                None => self.seen_lines.push((key, line)),
            }
        }
        if gemeente_valid && regio_valid {
            let (g, r) = (code_digits(gemeente_code), code_digits(regio_code) as u8);
            match self.gemeente_regio[g as usize] {
                (0, _) => self.gemeente_regio[g as usize] = (r + 1, line),
                (first_r, first) if first_r != r + 1 => {
                    let m = format!(
                        "gemeente {gemeente_code} staat op regel {first} in regio JZ{:02}",
                        first_r - 1
                    );
                    let column = Some("jeugdzorgregiocode");
                    self.errors
                        .push(data_error(file, line, column, Some(regio_code), m));
                    ok = false;
                }
                _ => {}
            }
        }
        if ok {
            let texts = [gemeente_code, gemeente_name, regio_code, regio_name];
            // (Only the four references the wijk keeps are counted: each
            // count is an atomic operation.)
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
        let (layout, body, first_line) = Layout::read_header(file, text)?;
        layout.check_rows(file, body, first_line)
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
/// through `wijkwaarden.json`).
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
        let mut reader = RecordReader::new(text);
        let (header_line, header): (usize, Vec<String>) = match reader.next() {
            Some(Ok((at, h))) => (at, h.iter().map(|h| h.trim().to_string()).collect()),
            Some(Err((line, m))) => return Err(DataErrors(vec![fail(line, None, None, m)])),
            None => {
                let m = "het bestand is leeg".to_string();
                return Err(DataErrors(vec![fail(1, None, None, m)]));
            }
        };
        const COLUMNS: [&str; 4] = ["wijkcode", "aant_inw", "p_00_14_jr", "p_15_24_jr"];
        let mut cols = [0usize; 4];
        for (k, c) in COLUMNS.iter().enumerate() {
            match header.iter().filter(|h| h == c).count() {
                1 => cols[k] = header.iter().position(|h| h == c).unwrap_or_default(),
                0 => errors.push(fail(
                    header_line,
                    Some(c),
                    None,
                    "verplichte kolom ontbreekt in de kopregel".into(),
                )),
                _ => errors.push(fail(
                    header_line,
                    Some(c),
                    None,
                    "kolom staat meer dan één keer in de kopregel".into(),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(DataErrors(errors));
        }
        let mut rows: HashMap<String, YouthRow> = HashMap::with_capacity(self.wijken.len() + 200);
        while let Some(record) = reader.next() {
            let (line, fields) = match record {
                Ok(r) => r,
                Err((line, m)) => {
                    errors.push(fail(line, None, None, m));
                    break;
                }
            };
            if fields.len() != header.len() {
                let m = format!(
                    "{} velden, de kopregel heeft er {}",
                    fields.len(),
                    header.len()
                );
                errors.push(fail(line, None, None, m));
                continue;
            }
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
        let youth = std::fs::read_to_string(&youth_path).map_err(|e| {
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
        // Too many digits for the fast path: the general parser, no overflow.
        assert_eq!(
            parse_optional_number("123456789012345678901234"),
            Ok(Some(123456789012345678901234.0))
        );
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
