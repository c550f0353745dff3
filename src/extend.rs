//! The local extension ("aanvullen met eigen wijkkenmerken", the Haaglanden
//! workflow): a region adds its own wijk characteristics to the national model.
//!
//! On the wijken of the chosen jeugdzorgregio('s) with a published use and a
//! value in every chosen column (rows in wijkcode order):
//!
//! ```text
//! y − x'β̂ = α + Σ_k γ_k z_k + u_gemeente (+ u_regio when the rows span > 1 regio) + e
//! ```
//!
//! with x'β̂ the national model's fixed part as an offset, fitted by REML with
//! the one fitter ([`crate::fit`]); the null model is the same without the
//! z's. `residual_variance_reduction` = 1 − σ²/σ²_null; the likelihood-ratio
//! test refits both by ML (χ², one df per column); the expected use after the
//! extension is x'β̂ + α̂ + γ̂'z + û_g (+ û_r). The specification and the lme4
//! reference are in `tests/fixtures/lme4/` (`lme4_extension.R`).
//!
//! Pure: the covariate file comes in as bytes, read by [`crate::csvfile`]
//! (`;`/`,`/tab, decimal comma, BOM, Windows-1252). Every problem is reported
//! with its line, column and value; a row that is left out says why.

use crate::csvfile::{self, Decimal, Encoding, Separator, Table};
use crate::data::{is_wijkcode, Wijk};
use crate::fit::{self, Criterion, Design, Fit, Options};
use crate::model::{Predictor, Z95};
use crate::text;
use crate::text::Text;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// Fewer wijken than this is refused: too few for a gemeente variance and a
/// coefficient per column.
pub const MIN_WIJKEN: usize = 10;
/// Below this many wijken the result carries a caution about its uncertainty.
pub const FEW_WIJKEN: usize = 50;

/// One wijk of the national model, as the extension needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseWijk {
    pub code: String,
    pub name: String,
    pub gemeente_code: String,
    pub gemeente_name: String,
    pub regio_code: String,
    pub regio_name: String,
    /// Published use (%); `None` where CBS suppressed it.
    pub observed: Option<f64>,
    /// The national fixed part x'β̂ (x imputed by the model's rule).
    pub fixed: f64,
    /// The national gemeente + regio BLUP.
    pub random: f64,
}

/// The national model's part of the extension: every wijk's offset and
/// effects, by code.
#[derive(Debug, Clone)]
pub struct Base {
    pub wijken: Vec<BaseWijk>,
    index: HashMap<String, usize>,
}

impl Base {
    /// From a model and its wijken, each with its determinant values in the
    /// model's order (`None` = missing, imputed by the model's rule).
    pub fn new<'a>(
        predictor: &Predictor,
        wijken: impl Iterator<Item = (&'a Wijk, &'a [Option<f64>])>,
    ) -> Result<Base, String> {
        let q = predictor.n_determinants();
        let mut out = Vec::new();
        for (w, values) in wijken {
            if values.len() != q {
                return Err(format!(
                    "wijk {}: {} waarden, het model heeft {q} determinanten",
                    w.code,
                    values.len()
                ));
            }
            let x = predictor
                .model
                .imputation
                .fill(Some(&w.gemeente_code), values);
            let (ug, _, ur, _, _) = predictor.random_part(Some(&w.gemeente_code));
            out.push(BaseWijk {
                code: w.code.clone(),
                name: w.name.clone(),
                gemeente_code: w.gemeente_code.to_string(),
                gemeente_name: w.gemeente_name.to_string(),
                regio_code: w.regio_code.to_string(),
                regio_name: w.regio_name.to_string(),
                observed: w.observed,
                fixed: predictor.fixed_part(&x),
                random: ug + ur,
            });
        }
        let index = out
            .iter()
            .enumerate()
            .map(|(i, w)| (w.code.clone(), i))
            .collect();
        Ok(Base { wijken: out, index })
    }

    fn find(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    fn regio_name(&self, code: &str) -> Option<&str> {
        self.wijken
            .iter()
            .find(|w| w.regio_code == code)
            .map(|w| w.regio_name.as_str())
    }
}

/// How bad a problem is: a `fout` is something in the file to correct (the
/// row or column cannot be used as it is); a `waarschuwing` says why a sound
/// row is left out (another regio, no published use, an empty value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Fout,
    Waarschuwing,
}

/// One problem, pinned to the file: `row` is the 1-based line (the header is
/// line 1), `None` when it concerns a column or the file as a whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub row: Option<usize>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
    /// The same in English (issue 12; the page shows the one of its language).
    pub message_en: String,
    pub severity: Severity,
}

impl Problem {
    /// "regel 3, kolom x, waarde 'y': …", and the same in English ("line 3, column x, …").
    pub fn placed(&self) -> Text {
        let placed = |[row, column, value]: [&str; 3], message: &str| {
            let mut place = Vec::new();
            if let Some(r) = self.row {
                place.push(format!("{row} {r}"));
            }
            if let Some(c) = &self.column {
                place.push(format!("{column} {c}"));
            }
            if let Some(v) = &self.value {
                place.push(format!("{value} '{v}'"));
            }
            match place.is_empty() {
                true => message.to_string(),
                false => format!("{}: {message}", place.join(", ")),
            }
        };
        Text::new(
            placed(["regel", "kolom", "waarde"], &self.message),
            placed(["line", "column", "value"], &self.message_en),
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.placed().nl)
    }
}

/// A refusal: the file or the choice cannot give a fit. The message is Dutch
/// and names the row, column and value where there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendError(pub Problem);

impl ExtendError {
    fn new(row: Option<usize>, column: Option<&str>, value: Option<&str>, message: Text) -> Self {
        ExtendError(problem(Severity::Fout, row, column, value, message))
    }
}

impl fmt::Display for ExtendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl std::error::Error for ExtendError {}

/// A column of the file (other than `wijkcode`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    /// Most of its filled-in values are numbers (it can be chosen).
    pub numeric: bool,
    /// Values that are numbers.
    pub n_values: usize,
    /// Empty (or `NA`, `.`) values.
    pub n_missing: usize,
    /// Values that are not numbers.
    pub n_invalid: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Value(f64),
    Missing,
    /// Not a number (reported once, when the file is read).
    Invalid,
}

#[derive(Debug, Clone, PartialEq)]
struct Record {
    line: usize,
    code: String,
    /// The wijk in [`Base`]; `None` for a row that cannot be used at all
    /// (reported when read).
    wijk: Option<usize>,
    cells: Vec<Cell>,
}

/// A covariate file as read: its dialect, columns, rows and the problems of
/// its rows.
#[derive(Debug, Clone)]
pub struct Upload {
    pub dialect: csvfile::Dialect,
    /// Data rows (lines after the header that are not blank).
    pub rows: usize,
    pub columns: Vec<ColumnInfo>,
    records: Vec<Record>,
    pub problems: Vec<Problem>,
}

fn problem(
    severity: Severity,
    row: Option<usize>,
    column: Option<&str>,
    value: Option<&str>,
    message: Text,
) -> Problem {
    Problem {
        row,
        column: column.map(str::to_string),
        value: value.map(str::to_string),
        message: message.nl,
        message_en: message.en,
        severity,
    }
}

/// The dialect in words for the page: `;`, `,` or `tab`.
pub fn separator_name(s: Separator) -> &'static str {
    match s {
        Separator::Comma => ",",
        Separator::Semicolon => ";",
        Separator::Tab => "tab",
    }
}

pub fn decimal_name(d: Decimal) -> &'static str {
    match d {
        Decimal::Point => "punt",
        Decimal::Comma => "komma",
    }
}

pub fn encoding_name(e: Encoding) -> &'static str {
    e.name()
}

impl Upload {
    /// Read a covariate file: a `wijkcode` column and numeric columns. Row
    /// problems (a malformed, unknown or duplicate wijkcode, a wrong number of
    /// fields, a value that is no number) are collected; only a file that
    /// cannot be read as a table at all is refused.
    pub fn read(bytes: &[u8], base: &Base) -> Result<Upload, ExtendError> {
        let table: Table = csvfile::read_bytes(bytes)
            .map_err(|e| ExtendError::new(Some(e.line), None, None, e.message))?;
        let header_line = table.header.line;
        let names: Vec<String> = table
            .header
            .fields
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let key = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("wijkcode"))
            .ok_or_else(|| {
                ExtendError::new(
                    Some(header_line),
                    Some("wijkcode"),
                    None,
                    {
                        let found = names.join(", ");
                        text!(
                            "de kopregel heeft geen kolom wijkcode (gevonden: {found}); zet de wijkcodes (zoals WK051800) in een kolom met die naam",
                            "the header line has no column wijkcode (found: {found}); put the district codes (such as WK051800) in a column with that name"
                        )
                    },
                )
            })?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (j, n) in names.iter().enumerate() {
            if n.is_empty() {
                return Err(ExtendError::new(Some(header_line), None, None, {
                    let k = j + 1;
                    text!(
                        "kolom {k} heeft geen naam in de kopregel",
                        "column {k} has no name in the header line"
                    )
                }));
            }
            if let Some(first) = seen.insert(n.as_str(), j) {
                return Err(ExtendError::new(Some(header_line), Some(n), None, {
                    let (a, b) = (first + 1, j + 1);
                    text!(
                            "kolomnaam staat twee keer in de kopregel (kolom {a} en {b}); welke bedoeld is, is niet te zeggen",
                            "the column name appears twice in the header line (columns {a} and {b}); which one is meant cannot be told"
                        )
                }));
            }
        }
        let value_columns: Vec<usize> = (0..names.len()).filter(|&j| j != key).collect();
        if value_columns.is_empty() {
            return Err(ExtendError::new(
                Some(header_line),
                None,
                None,
                Text::new(
                    "het bestand heeft naast wijkcode geen kolommen met kenmerken",
                    "besides wijkcode the file has no columns with characteristics",
                ),
            ));
        }
        if table.rows.is_empty() {
            return Err(ExtendError::new(
                Some(header_line),
                None,
                None,
                Text::new(
                    "het bestand heeft een kopregel maar geen wijken",
                    "the file has a header line but no districts",
                ),
            ));
        }
        let width = names.len();
        let mut problems = Vec::new();
        let mut records: Vec<Record> = Vec::with_capacity(table.rows.len());
        // Per value column: parsed cells, and the invalid ones (line, raw, message).
        let mut invalid: Vec<Vec<(usize, String, Text)>> = vec![Vec::new(); value_columns.len()];
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut duplicated: BTreeSet<String> = BTreeSet::new();
        for row in &table.rows {
            let line = row.line;
            if row.fields.len() != width {
                problems.push(problem(Severity::Fout, Some(line), None, None, {
                    let n = row.fields.len();
                    text!(
                        "{n} velden, de kopregel heeft er {width}; deze regel doet niet mee",
                        "{n} fields, the header line has {width}; this line is left out"
                    )
                }));
                continue;
            }
            let raw_code = row.fields[key].trim();
            let code = raw_code.to_ascii_uppercase();
            let mut wijk = None;
            if code.is_empty() {
                problems.push(problem(
                    Severity::Fout,
                    Some(line),
                    Some(&names[key]),
                    Some(""),
                    Text::new(
                        "wijkcode ontbreekt; deze regel doet niet mee",
                        "wijkcode is missing; this line is left out",
                    ),
                ));
            } else if !is_wijkcode(&code) {
                problems.push(problem(
                    Severity::Fout,
                    Some(line),
                    Some(&names[key]),
                    Some(raw_code),
                    Text::new(
                        "ongeldige wijkcode (verwacht WK + 6 cijfers, zoals WK051800); deze regel doet niet mee",
                        "invalid wijkcode (expected WK + 6 digits, such as WK051800); this line is left out",
                    ),
                ));
            } else if let Some(first) = first_line.get(&code) {
                problems.push(problem(
                    Severity::Fout,
                    Some(line),
                    Some(&names[key]),
                    Some(raw_code),
                    text!(
                        "dubbele wijk: staat ook op regel {first}; welke regel geldt is niet te zeggen, dus doet deze wijk niet mee",
                        "duplicate district: also on line {first}; which line holds cannot be told, so this district is left out"
                    ),
                ));
                duplicated.insert(code.clone());
            } else {
                first_line.insert(code.clone(), line);
                match base.find(&code) {
                    Some(i) => wijk = Some(i),
                    None => problems.push(problem(
                        Severity::Fout,
                        Some(line),
                        Some(&names[key]),
                        Some(raw_code),
                        {
                            let n = base.wijken.len();
                            text!(
                                "onbekende wijk: {code} hoort niet bij de {n} wijken van 2017 in het model; deze regel doet niet mee",
                                "unknown district: {code} is not one of the model's {n} districts of 2017; this line is left out"
                            )
                        },
                    )),
                }
            }
            let cells = value_columns
                .iter()
                .enumerate()
                .map(|(k, &j)| {
                    let raw = &row.fields[j];
                    match table.number(raw) {
                        Ok(Some(v)) => Cell::Value(v),
                        Ok(None) => Cell::Missing,
                        Err(m) => {
                            invalid[k].push((line, csvfile::short(raw.trim()), m));
                            Cell::Invalid
                        }
                    }
                })
                .collect();
            records.push(Record {
                line,
                code,
                wijk,
                cells,
            });
        }
        // A duplicated wijk is used in none of its rows; its first row says so too.
        for r in records.iter_mut() {
            if duplicated.contains(&r.code) && r.wijk.take().is_some() {
                let later: Vec<String> = problems
                    .iter()
                    .filter(|p| {
                        p.value.as_deref().map(str::to_ascii_uppercase).as_ref() == Some(&r.code)
                            && p.message.starts_with("dubbele wijk")
                    })
                    .filter_map(|p| p.row.map(|l| l.to_string()))
                    .collect();
                problems.push(problem(
                    Severity::Fout,
                    Some(r.line),
                    Some(&names[key]),
                    Some(&r.code),
                    {
                        let later = later.join(", ");
                        text!(
                            "dubbele wijk: staat ook op regel {later}; welke regel geldt is niet te zeggen, dus doet deze wijk niet mee",
                            "duplicate district: also on line {later}; which line holds cannot be told, so this district is left out"
                        )
                    },
                ));
            }
        }
        let mut columns = Vec::with_capacity(value_columns.len());
        for (k, &j) in value_columns.iter().enumerate() {
            let count = |f: fn(&Cell) -> bool| records.iter().filter(|r| f(&r.cells[k])).count();
            let n_values = count(|c| matches!(c, Cell::Value(_)));
            let n_missing = count(|c| matches!(c, Cell::Missing));
            let n_invalid = invalid[k].len();
            let numeric = n_values > 0 && n_values >= n_invalid;
            let name = &names[j];
            if numeric {
                for (line, raw, m) in &invalid[k] {
                    problems.push(problem(
                        Severity::Fout,
                        Some(*line),
                        Some(name),
                        Some(raw),
                        {
                            let Text { nl, en } = m;
                            text!(
                                "{nl}; deze wijk doet niet mee zolang deze kolom gekozen is",
                                "{en}; this district is left out while this column is chosen"
                            )
                        },
                    ));
                }
            } else {
                let example = invalid[k]
                    .first()
                    .map(|(line, raw, _)| format!(", zoals '{raw}' op regel {line}"))
                    .unwrap_or_default();
                let example_en = invalid[k]
                    .first()
                    .map(|(line, raw, _)| format!(", such as '{raw}' on line {line}"))
                    .unwrap_or_default();
                problems.push(problem(
                    Severity::Waarschuwing,
                    None,
                    Some(name),
                    None,
                    match n_values + n_invalid {
                        0 => Text::new(
                            "de kolom is leeg; hij kan niet gekozen worden",
                            "the column is empty; it cannot be chosen",
                        ),
                        filled => text!(
                            "geen getallenkolom: {n_invalid} van de {filled} ingevulde waarden zijn geen getal{example}; de kolom kan niet gekozen worden",
                            "not a number column: {n_invalid} of the {filled} values filled in are not numbers{example_en}; the column cannot be chosen"
                        ),
                    },
                ));
            }
            columns.push(ColumnInfo {
                name: name.clone(),
                numeric,
                n_values,
                n_missing,
                n_invalid,
            });
        }
        problems.sort_by_key(|p| p.row.unwrap_or(0));
        Ok(Upload {
            dialect: table.dialect,
            rows: table.rows.len(),
            columns,
            records,
            problems,
        })
    }

    /// The regio's of the file's usable wijken, sorted by code, with the
    /// number of the file's wijken in each.
    pub fn regios(&self, base: &Base) -> Vec<RegioInfo> {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.records {
            if let Some(i) = r.wijk {
                *count.entry(&base.wijken[i].regio_code).or_default() += 1;
            }
        }
        count
            .into_iter()
            .map(|(code, n)| RegioInfo {
                code: code.to_string(),
                name: base.regio_name(code).unwrap_or_default().to_string(),
                n_wijken: n,
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegioInfo {
    pub code: String,
    pub name: String,
    /// The file's wijken in this regio (inspection), or those used (a run).
    pub n_wijken: usize,
}

/// What `extendInspect` shows before a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    /// `;`, `,` or `tab`.
    pub delimiter: &'static str,
    /// `komma` or `punt`.
    pub decimal: &'static str,
    pub encoding: &'static str,
    pub rows: usize,
    pub columns: Vec<ColumnInfo>,
    pub regios: Vec<RegioInfo>,
    /// The file's problems, and those a run with the defaults would report
    /// (every row left out and why; a constant or collinear column; too few
    /// wijken).
    pub problems: Vec<Problem>,
}

/// Which columns and regio's to use; empty: the defaults (every numeric
/// column, the regio's of the file's wijken).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub columns: Vec<String>,
    pub regios: Vec<String>,
}

/// The rows of one extension, ready for the fitter.
struct Prepared {
    columns: Vec<String>,
    regios: Vec<String>,
    /// Base index and z values of each row used, in wijkcode order.
    rows: Vec<(usize, Vec<f64>)>,
    problems: Vec<Problem>,
}

fn prepare(upload: &Upload, base: &Base, choice: &Choice) -> Result<Prepared, ExtendError> {
    // Columns: the chosen ones must exist and be numeric.
    let column_index: Vec<usize> = if choice.columns.is_empty() {
        let all: Vec<usize> = (0..upload.columns.len())
            .filter(|&k| upload.columns[k].numeric)
            .collect();
        if all.is_empty() {
            return Err(ExtendError::new(
                None,
                None,
                None,
                Text::new(
                    "het bestand heeft geen kolom met getallen om toe te voegen",
                    "the file has no column of numbers to add",
                ),
            ));
        }
        all
    } else {
        let mut out = Vec::new();
        for name in &choice.columns {
            let k = upload
                .columns
                .iter()
                .position(|c| c.name == *name)
                .ok_or_else(|| {
                    let known: Vec<&str> = upload.columns.iter().map(|c| c.name.as_str()).collect();
                    ExtendError::new(None, Some(name), None, {
                        let known = known.join(", ");
                        text!(
                            "deze kolom staat niet in het bestand (wel: {known})",
                            "this column is not in the file (these are: {known})"
                        )
                    })
                })?;
            if !upload.columns[k].numeric {
                return Err(ExtendError::new(
                    None,
                    Some(name),
                    None,
                    Text::new(
                        "geen getallenkolom; kies een kolom met getallen",
                        "not a number column; choose a column of numbers",
                    ),
                ));
            }
            if out.contains(&k) {
                return Err(ExtendError::new(
                    None,
                    Some(name),
                    None,
                    Text::new("kolom twee keer gekozen", "column chosen twice"),
                ));
            }
            out.push(k);
        }
        out
    };
    let columns: Vec<String> = column_index
        .iter()
        .map(|&k| upload.columns[k].name.clone())
        .collect();
    // Regio's: the chosen ones must exist; default those of the file's wijken.
    let regios: Vec<String> = if choice.regios.is_empty() {
        upload.regios(base).into_iter().map(|r| r.code).collect()
    } else {
        let mut out: Vec<String> = Vec::new();
        for code in &choice.regios {
            let code = code.trim().to_ascii_uppercase();
            if base.regio_name(&code).is_none() {
                return Err(ExtendError::new(
                    None,
                    Some("regio"),
                    Some(&code),
                    Text::new(
                        "onbekende jeugdzorgregio (verwacht een code als JZ24)",
                        "unknown youth care region (expected a code such as JZ24)",
                    ),
                ));
            }
            if !out.contains(&code) {
                out.push(code);
            }
        }
        out.sort();
        out
    };
    if regios.is_empty() {
        return Err(ExtendError::new(
            None,
            Some("wijkcode"),
            None,
            Text::new(
                "geen enkele regel van het bestand is een bruikbare wijk van 2017; zie de problemen per regel",
                "no line of the file is a usable district of 2017; see the problems per line",
            ),
        ));
    }
    let mut problems = upload.problems.clone();
    let mut rows: Vec<(usize, Vec<f64>, &str)> = Vec::new();
    let mut in_file: BTreeSet<usize> = BTreeSet::new();
    for r in &upload.records {
        // A duplicated wijk is in the file (reported as such), though not used.
        if let Some(i) = base.find(&r.code) {
            in_file.insert(i);
        }
        let Some(i) = r.wijk else { continue };
        let w = &base.wijken[i];
        if !regios.contains(&w.regio_code) {
            problems.push(problem(
                Severity::Waarschuwing,
                Some(r.line),
                Some("wijkcode"),
                Some(&r.code),
                {
                    let (code, name) = (&w.regio_code, &w.regio_name);
                    text!(
                        "de wijk ligt buiten de gekozen regio('s), in {code} {name}; doet niet mee",
                        "the district lies outside the chosen region(s), in {code} {name}; left out"
                    )
                },
            ));
            continue;
        }
        if w.observed.is_none() {
            problems.push(problem(
                Severity::Waarschuwing,
                Some(r.line),
                Some("wijkcode"),
                Some(&r.code),
                {
                    let (code, name) = (&w.code, &w.name);
                    text!(
                        "het gebruik van {code} ({name}) is niet gepubliceerd (minder dan 10 jongeren met jeugdhulp); doet niet mee",
                        "the use of {code} ({name}) was not published (fewer than 10 youths in care); left out"
                    )
                },
            ));
            continue;
        }
        let mut z = Vec::with_capacity(column_index.len());
        let mut usable = true;
        for (&k, name) in column_index.iter().zip(&columns) {
            match r.cells[k] {
                Cell::Value(v) => z.push(v),
                Cell::Missing => {
                    problems.push(problem(
                        Severity::Waarschuwing,
                        Some(r.line),
                        Some(name),
                        Some(""),
                        Text::new(
                            "geen waarde; de wijk doet niet mee",
                            "no value; the district is left out",
                        ),
                    ));
                    usable = false;
                }
                // Reported when read.
                Cell::Invalid => usable = false,
            }
        }
        if usable {
            rows.push((i, z, &w.code));
        }
    }
    // The region's wijken with a published use that the file lacks.
    let absent: Vec<&str> = base
        .wijken
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            regios.contains(&w.regio_code) && w.observed.is_some() && !in_file.contains(i)
        })
        .map(|(_, w)| w.code.as_str())
        .collect();
    if !absent.is_empty() {
        let shown: Vec<&str> = absent.iter().take(10).copied().collect();
        let (more, more_en) = match absent.len() > 10 {
            true => (
                format!(" en nog {}", absent.len() - 10),
                format!(" and {} more", absent.len() - 10),
            ),
            false => (String::new(), String::new()),
        };
        let (n, shown) = (absent.len(), shown.join(", "));
        problems.push(problem(
            Severity::Waarschuwing,
            None,
            Some("wijkcode"),
            None,
            text!(
                "{n} wijken van de gekozen regio('s) met gepubliceerd gebruik staan niet in het bestand ({shown}{more}); ze doen niet mee",
                "{n} districts of the chosen region(s) with a published use are not in the file ({shown}{more_en}); they are left out"
            ),
        ));
    }
    rows.sort_by(|a, b| a.2.cmp(b.2));
    problems.sort_by_key(|p| p.row.unwrap_or(0));
    Ok(Prepared {
        columns,
        regios,
        rows: rows.into_iter().map(|(i, z, _)| (i, z)).collect(),
        problems,
    })
}

/// Distinct codes in sorted order and each row's index among them.
fn groups<'a>(codes: impl Iterator<Item = &'a str> + Clone) -> (Vec<&'a str>, Vec<usize>) {
    let sorted: Vec<&str> = codes.clone().collect::<BTreeSet<_>>().into_iter().collect();
    let index: Vec<usize> = codes
        .map(|c| sorted.binary_search(&c).unwrap_or_default())
        .collect();
    (sorted, index)
}

/// The designs of the extension and its null model.
struct Designs<'a> {
    gemeenten: Vec<&'a str>,
    regio_codes: Vec<&'a str>,
    row_gemeente: Vec<usize>,
    regio_of_gemeente: Vec<usize>,
    regio_level: bool,
}

impl<'a> Designs<'a> {
    fn new(prep: &Prepared, base: &'a Base) -> Designs<'a> {
        let gem = prep
            .rows
            .iter()
            .map(|(i, _)| base.wijken[*i].gemeente_code.as_str());
        let (gemeenten, row_gemeente) = groups(gem);
        let reg = prep
            .rows
            .iter()
            .map(|(i, _)| base.wijken[*i].regio_code.as_str());
        let (regio_codes, row_regio) = groups(reg);
        let mut regio_of_gemeente = vec![0; gemeenten.len()];
        for (&g, &r) in row_gemeente.iter().zip(&row_regio) {
            regio_of_gemeente[g] = r;
        }
        Designs {
            regio_level: regio_codes.len() > 1,
            gemeenten,
            regio_codes,
            row_gemeente,
            regio_of_gemeente,
        }
    }

    /// The design with the first `q` columns of z (0: the null model).
    fn design(&self, prep: &Prepared, base: &Base, q: usize) -> Design {
        let mut d = Design::new(
            q,
            self.row_gemeente.clone(),
            self.regio_of_gemeente.clone(),
            self.regio_codes.len(),
        );
        for (r, (i, z)) in prep.rows.iter().enumerate() {
            let w = &base.wijken[*i];
            for (k, v) in z.iter().take(q).enumerate() {
                d.data[(r, k + 1)] = *v;
            }
            d.data[(r, q + 1)] = w.observed.unwrap_or(f64::NAN) - w.fixed;
        }
        d
    }

    fn options(&self, criterion: Criterion) -> Options {
        Options {
            regio: self.regio_level,
            criterion,
            noun: fit::Noun {
                one: "kolom",
                many: "kolommen",
                one_en: "column",
                many_en: "columns",
            },
        }
    }
}

/// The checks a run makes before it fits: enough wijken and gemeenten, and
/// no column constant or collinear with others in the rows used.
fn check_rows(prep: &Prepared, base: &Base) -> Result<(), ExtendError> {
    let n = prep.rows.len();
    let where_ = prep.regios.join(", ");
    let p = prep.columns.len() + 1;
    let needed = MIN_WIJKEN.max(p + 3);
    if n < needed {
        return Err(ExtendError::new(None, None, None, {
            let q = prep.columns.len();
            text!(
                    "te weinig wijken: {n} wijken in {where_} hebben een gepubliceerd gebruik en een waarde in elke gekozen kolom; er zijn er minstens {needed} nodig voor {q} kolom(men)",
                    "too few districts: {n} districts in {where_} have a published use and a value in every chosen column; at least {needed} are needed for {q} column(s)"
                )
        }));
    }
    let d = Designs::new(prep, base);
    if d.gemeenten.len() < 2 {
        return Err(ExtendError::new(None, None, None, {
            let g = d.gemeenten.first().copied().unwrap_or_default();
            text!(
                    "de {n} bruikbare wijken liggen alle in één gemeente ({g}); het verschil tussen gemeenten is dan niet te schatten: kies een regio met meer gemeenten",
                    "the {n} usable districts all lie in one municipality ({g}); the difference between municipalities cannot then be estimated: choose a region with more municipalities"
                )
        }));
    }
    // Constant and collinear columns, named (before any iteration).
    for (k, name) in prep.columns.iter().enumerate() {
        let first = prep.rows[0].1[k];
        if prep.rows.iter().all(|(_, z)| z[k] == first) {
            return Err(ExtendError::new(
                None,
                Some(name),
                Some(&fmt_number(first)),
                text!(
                    "de kolom heeft in alle {n} gebruikte wijken dezelfde waarde; een constante kolom verklaart niets en is niet te schatten: laat hem weg",
                    "the column has the same value in all {n} districts used; a constant column explains nothing and cannot be estimated: leave it out"
                ),
            ));
        }
    }
    let names: Vec<&str> = prep.columns.iter().map(String::as_str).collect();
    let q = prep.columns.len();
    fit::check(d.design(prep, base, q), &names, &d.options(Criterion::Reml)).map_err(|e| {
        let column = (q == 1).then(|| names[0]);
        ExtendError::new(None, column, None, e.0)
    })
}

fn fmt_number(v: f64) -> String {
    let s = format!("{v}");
    s.replace('.', ",")
}

/// Inspect a file: its dialect, columns, the regio's of its wijken, and every
/// problem a run with the defaults would report.
pub fn inspect(bytes: &[u8], base: &Base) -> Result<Inspection, ExtendError> {
    let upload = Upload::read(bytes, base)?;
    let mut problems = upload.problems.clone();
    match prepare(&upload, base, &Choice::default()) {
        Ok(prep) => {
            problems = prep.problems.clone();
            if let Err(e) = check_rows(&prep, base) {
                problems.push(e.0);
            }
        }
        Err(e) => problems.push(e.0),
    }
    Ok(Inspection {
        delimiter: separator_name(upload.dialect.separator),
        decimal: decimal_name(upload.dialect.decimal),
        encoding: encoding_name(upload.dialect.encoding),
        rows: upload.rows,
        regios: upload.regios(base),
        columns: upload.columns,
        problems,
    })
}

/// The variance components as lme4 names the groups (no `jeugdzorgregiocode`
/// without a regio level).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    pub gemeentecode: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jeugdzorgregiocode: Option<f64>,
    #[serde(rename = "Residual")]
    pub residual: f64,
}

impl Components {
    fn of(f: &Fit, regio: bool) -> Components {
        Components {
            gemeentecode: f.var_gemeente,
            jeugdzorgregiocode: regio.then_some(f.var_regio),
            residual: f.var_residual,
        }
    }
}

/// A coefficient with its Wald 95 % interval and p-value (normal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    pub term: String,
    pub estimate: f64,
    pub std_error: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
}

impl Coefficient {
    pub fn new(term: &str, estimate: f64, std_error: f64) -> Coefficient {
        Coefficient {
            term: term.to_string(),
            estimate,
            std_error,
            ci_low: estimate - Z95 * std_error,
            ci_high: estimate + Z95 * std_error,
            p_value: normal_two_sided(estimate / std_error),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrTest {
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GemeenteEffect {
    pub code: String,
    pub naam: String,
    pub regio_code: String,
    /// The extension's gemeente BLUP (lme4's `ranef(m)$gemeentecode`).
    pub value: f64,
    pub cond_sd: f64,
    /// The null model's gemeente BLUP.
    pub value_null: f64,
    /// The extension's gemeente + regio BLUP (= `value` with one regio).
    pub effect: f64,
    /// Before: the national model's gemeente + regio BLUP.
    pub value_national: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegioEffect {
    pub code: String,
    pub naam: String,
    pub value: f64,
    pub cond_sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RandomEffectsOut {
    pub gemeente: Vec<GemeenteEffect>,
    /// Empty without a regio level.
    pub regio: Vec<RegioEffect>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionOut {
    pub wijkcode: String,
    pub naam: String,
    pub gemeentecode: String,
    pub observed: f64,
    /// After the extension: x'β̂ + α̂ + γ̂'z + û_g (+ û_r).
    pub expected: f64,
    /// The national model's expected use: x'β̂ + its gemeente + regio BLUPs.
    pub expected_national: f64,
    /// observed − expected_national.
    pub residual_national: f64,
    /// observed − expected.
    pub residual: f64,
    /// The national fixed part x'β̂ (the offset).
    pub fixed_national: f64,
    /// The wijk's values of the chosen columns, in the order of `columns`.
    pub z: Vec<f64>,
}

/// The result of an extension: the lme4 reference's fields, and what the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub columns: Vec<String>,
    pub regios: Vec<RegioInfo>,
    pub formula: String,
    pub n: usize,
    pub n_gemeente: usize,
    pub reml_criterion: f64,
    pub reml_criterion_null: f64,
    pub fixed_effects: Vec<Coefficient>,
    pub variance: Components,
    pub variance_null: Components,
    pub residual_variance_reduction: f64,
    pub lr_test: LrTest,
    pub random_effects: RandomEffectsOut,
    pub predictions: Vec<PredictionOut>,
    pub converged: bool,
    pub problems: Vec<Problem>,
    pub cautions: Vec<String>,
    /// The same sentences in English (issue 12).
    pub cautions_en: Vec<String>,
}

/// Fit the extension and its null model (REML), and both by ML for the LR test.
pub fn run(bytes: &[u8], base: &Base, choice: &Choice) -> Result<Extension, ExtendError> {
    let upload = Upload::read(bytes, base)?;
    run_upload(&upload, base, choice)
}

/// [`run`] on a file already read.
pub fn run_upload(upload: &Upload, base: &Base, choice: &Choice) -> Result<Extension, ExtendError> {
    let prep = prepare(upload, base, choice)?;
    check_rows(&prep, base)?;
    let d = Designs::new(&prep, base);
    let q = prep.columns.len();
    let names: Vec<&str> = prep.columns.iter().map(String::as_str).collect();
    let refuse = |e: fit::FitError| ExtendError::new(None, None, None, e.0);
    let m1 = fit::fit_with(
        d.design(&prep, base, q),
        &names,
        &d.options(Criterion::Reml),
    )
    .map_err(refuse)?;
    let m0 = fit::fit_with(d.design(&prep, base, 0), &[], &d.options(Criterion::Reml))
        .map_err(refuse)?;
    let l1 = fit::fit_with(d.design(&prep, base, q), &names, &d.options(Criterion::Ml))
        .map_err(refuse)?;
    let l0 =
        fit::fit_with(d.design(&prep, base, 0), &[], &d.options(Criterion::Ml)).map_err(refuse)?;
    let statistic = l0.reml_criterion - l1.reml_criterion;
    let terms = std::iter::once("(Intercept)").chain(names.iter().copied());
    let fixed_effects: Vec<Coefficient> = terms
        .zip(m1.beta.iter().zip(&m1.std_error))
        .map(|(t, (&b, &se))| Coefficient::new(t, b, se))
        .collect();
    let first_of_gemeente = |g: usize| {
        let r = d.row_gemeente.iter().position(|&h| h == g).unwrap_or(0);
        &base.wijken[prep.rows[r].0]
    };
    let gemeente = d
        .gemeenten
        .iter()
        .enumerate()
        .map(|(g, code)| {
            let w = first_of_gemeente(g);
            let r = d.regio_of_gemeente[g];
            GemeenteEffect {
                code: code.to_string(),
                naam: w.gemeente_name.clone(),
                regio_code: w.regio_code.clone(),
                value: m1.u_gemeente[g],
                cond_sd: m1.sd_gemeente[g],
                value_null: m0.u_gemeente[g],
                effect: m1.u_gemeente[g] + if d.regio_level { m1.u_regio[r] } else { 0.0 },
                value_national: w.random,
            }
        })
        .collect();
    let regio = match d.regio_level {
        false => Vec::new(),
        true => d
            .regio_codes
            .iter()
            .enumerate()
            .map(|(r, code)| RegioEffect {
                code: code.to_string(),
                naam: base.regio_name(code).unwrap_or_default().to_string(),
                value: m1.u_regio[r],
                cond_sd: m1.sd_regio[r],
            })
            .collect(),
    };
    let predictions = prep
        .rows
        .iter()
        .zip(&d.row_gemeente)
        .map(|((i, z), &g)| {
            let w = &base.wijken[*i];
            let ur = if d.regio_level {
                m1.u_regio[d.regio_of_gemeente[g]]
            } else {
                0.0
            };
            let fixed = m1.beta[0] + m1.beta[1..].iter().zip(z).map(|(b, v)| b * v).sum::<f64>();
            let observed = w.observed.unwrap_or(f64::NAN);
            let expected = w.fixed + fixed + m1.u_gemeente[g] + ur;
            let expected_national = w.fixed + w.random;
            PredictionOut {
                wijkcode: w.code.clone(),
                naam: w.name.clone(),
                gemeentecode: w.gemeente_code.clone(),
                observed,
                expected,
                expected_national,
                residual_national: observed - expected_national,
                residual: observed - expected,
                fixed_national: w.fixed,
                z: z.clone(),
            }
        })
        .collect();
    let n = prep.rows.len();
    let mut regios = Vec::new();
    for code in &prep.regios {
        let used = prep
            .rows
            .iter()
            .filter(|(i, _)| base.wijken[*i].regio_code == *code)
            .count();
        regios.push(RegioInfo {
            code: code.clone(),
            name: base.regio_name(code).unwrap_or_default().to_string(),
            n_wijken: used,
        });
    }
    let random = match d.regio_level {
        true => "(1 | jeugdzorgregiocode) + (1 | gemeentecode)",
        false => "(1 | gemeentecode)",
    };
    let warnings = cautions(n, d.gemeenten.len(), q);
    let result = Extension {
        formula: format!(
            "perc_jhzv - landelijk_vast_deel ~ {} + {random}",
            names.join(" + ")
        ),
        columns: prep.columns.clone(),
        regios,
        n,
        n_gemeente: d.gemeenten.len(),
        reml_criterion: m1.reml_criterion,
        reml_criterion_null: m0.reml_criterion,
        fixed_effects,
        variance: Components::of(&m1, d.regio_level),
        variance_null: Components::of(&m0, d.regio_level),
        residual_variance_reduction: 1.0 - m1.var_residual / m0.var_residual,
        lr_test: LrTest {
            statistic,
            df: q,
            p_value: chi_square_upper(statistic.max(0.0), q as f64),
        },
        random_effects: RandomEffectsOut { gemeente, regio },
        predictions,
        converged: [&m1, &m0, &l1, &l0].iter().all(|f| f.convergence.converged),
        cautions: warnings.iter().map(|c| c.nl.clone()).collect(),
        cautions_en: warnings.into_iter().map(|c| c.en).collect(),
        problems: prep.problems,
    };
    Ok(result)
}

/// The example file the page offers ("probeer met CBS-kerncijfers 2017"):
/// its name, and per column the name in the file, the kerncijfers column it
/// comes from, and what it means.
pub const EXAMPLE_FILE: &str = "voorbeeld-kerncijfers-2017.csv";
pub const EXAMPLE_COLUMNS: [(&str, &str, &str); 6] = [
    ("pct_gescheiden", "p_gescheid", "gescheiden inwoners, % van alle inwoners"),
    ("bevolkingsdichtheid", "bev_dichth", "inwoners per km² land"),
    ("pct_eenpersoonshuishoudens", "p_eenp_hh", "eenpersoonshuishoudens, % van alle huishoudens"),
    ("pct_65_plus", "p_65_eo_jr", "inwoners van 65 jaar en ouder, % van alle inwoners"),
    ("huishoudgrootte", "gem_hh_gr", "gemiddelde huishoudgrootte (personen)"),
    ("stedelijkheid", "sted", "stedelijkheid van de wijk: 1 zeer sterk stedelijk … 5 niet stedelijk (omgevingsadressendichtheid)"),
];

/// Write the example file from the kerncijfers file's text (CBS/Kadaster,
/// Wijk- en buurtkaart 2017): `wijkcode` and the columns of
/// [`EXAMPLE_COLUMNS`] for the given wijken (in code order), in the
/// Excel-NL dialect: UTF-8 with a byte-order mark (Excel's "CSV UTF-8"),
/// `;`, decimal comma, CRLF; an empty field where CBS published nothing.
pub fn example_file(kerncijfers: &str, wijkcodes: &[&str]) -> Result<Vec<u8>, String> {
    let table = csvfile::read_text(kerncijfers, Separator::Comma)
        .map_err(|e| format!("kerncijfers: {e}"))?;
    let header: Vec<&str> = table.header.fields.iter().map(str::trim).collect();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("kerncijfers: kolom {name} ontbreekt"))
    };
    let key = find("wijkcode")?;
    let columns: Vec<usize> = EXAMPLE_COLUMNS
        .iter()
        .map(|(_, source, _)| find(source))
        .collect::<Result<_, _>>()?;
    let mut by_code: HashMap<&str, &csvfile::Row> = HashMap::new();
    for row in &table.rows {
        if let Some(code) = row.fields.get(key) {
            by_code.insert(code.trim(), row);
        }
    }
    let mut codes: Vec<&str> = wijkcodes.to_vec();
    codes.sort_unstable();
    let mut out = String::from("\u{feff}wijkcode");
    for (name, _, _) in EXAMPLE_COLUMNS {
        out.push(';');
        out.push_str(name);
    }
    out.push_str("\r\n");
    for code in codes {
        let row = by_code
            .get(code)
            .ok_or_else(|| format!("kerncijfers: wijk {code} ontbreekt"))?;
        out.push_str(code);
        for &j in &columns {
            out.push(';');
            let raw = row.fields.get(j).unwrap_or("");
            let value = table
                .number(raw)
                .map_err(|e| format!("kerncijfers regel {}: {e}", row.line))?;
            if let Some(v) = value {
                out.push_str(&format!("{v}").replace('.', ","));
            }
        }
        out.push_str("\r\n");
    }
    Ok(out.into_bytes())
}

/// The sentences that guard against misreading, where they apply.
fn cautions(n: usize, n_gemeente: usize, q: usize) -> Vec<Text> {
    let mut out = Vec::new();
    if n < FEW_WIJKEN {
        out.push(text!(
            "Met {n} wijken is de schatting onzeker: kijk naar het betrouwbaarheidsinterval, niet alleen naar de schatting. Eén wijk meer of minder kan de uitkomst zichtbaar veranderen.",
            "With {n} districts the estimate is uncertain: look at the confidence interval, not only at the estimate. One district more or less can change the outcome visibly."
        ));
    }
    if n_gemeente < 5 {
        out.push(text!(
            "De wijken liggen in {n_gemeente} gemeenten; het verschil tussen gemeenten is dan nauwelijks te schatten.",
            "The districts lie in {n_gemeente} municipalities; the difference between municipalities can then hardly be estimated."
        ));
    }
    if q > 1 {
        out.push(text!(
            "U toetst {q} kolommen tegelijk. Hoe meer kolommen u probeert, hoe groter de kans dat er één toevallig 'significant' lijkt: bij 20 kolommen zonder enig verband gemiddeld één met p < 0,05. Kies kolommen vooraf, op grond van wat u van de wijken weet.",
            "You are testing {q} columns at once. The more columns you try, the greater the chance that one looks 'significant' by chance: with 20 columns without any relation, on average one has p < 0.05. Choose columns beforehand, from what you know of the districts."
        ));
    } else {
        out.push(Text::new(
            "Probeert u na deze kolom nog andere, bedenk dan: hoe meer kolommen u probeert, hoe groter de kans dat er één toevallig 'significant' lijkt (bij 20 pogingen zonder enig verband gemiddeld één met p < 0,05).",
            "If you try other columns after this one, bear in mind: the more columns you try, the greater the chance that one looks 'significant' by chance (with 20 tries without any relation, on average one has p < 0.05).",
        ));
    }
    out.push(Text::new(
        "Samenhang is geen oorzaak: een kenmerk dat verschillen tussen wijken helpt verklaren, zegt niet waarom het gebruik daar hoger of lager is, en het veranderen van dat kenmerk verandert het gebruik niet vanzelf.",
        "Association is not causation: a characteristic that helps explain differences between districts does not say why use is higher or lower there, and changing that characteristic does not by itself change the use.",
    ));
    out
}

/// The upper regularised incomplete gamma function Q(a, x): a series below
/// x = a + 1, a continued fraction (modified Lentz) above.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - crate::interval::ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        return (1.0 - sum * front).max(0.0);
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..1000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-17 {
            break;
        }
    }
    front * h
}

/// P(χ²_df > x).
pub fn chi_square_upper(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

/// Two-sided normal p-value of a z statistic: P(|Z| > |z|) = erfc(|z|/√2).
pub fn normal_two_sided(z: f64) -> f64 {
    if !z.is_finite() {
        return if z.is_nan() { f64::NAN } else { 0.0 };
    }
    gamma_q(0.5, z * z / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_functions_match_known_values() {
        // R: pchisq(3.84145882069412, 1, lower.tail = FALSE) = 0.05.
        assert!((chi_square_upper(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        // pchisq(10, 3, lower.tail = FALSE) = 0.01856613546304325.
        assert!((chi_square_upper(10.0, 3.0) - 0.018_566_135_463_043_25).abs() < 1e-14);
        // 2 * pnorm(-1.959963984540054) = 0.05; 2 * pnorm(-5) = 5.733031437583878e-07.
        assert!((normal_two_sided(Z95) - 0.05).abs() < 1e-13);
        assert!((normal_two_sided(-5.0) / 5.733_031_437_583_878e-7 - 1.0).abs() < 1e-10);
        assert_eq!(normal_two_sided(0.0), 1.0);
        assert_eq!(chi_square_upper(0.0, 2.0), 1.0);
    }
}
