//! One reader for CSV files, on bytes or text (no file access, so the browser
//! upload can share it): the `csv` crate splits records; this module decides
//! the dialect, gives every record its line, and reads numbers.
//!
//! For a user's file ([`read_bytes`]) it detects, and reports in [`Dialect`]:
//!
//! - **encoding**: a UTF-8 byte-order mark is dropped; a UTF-16 one (LE or
//!   BE: Excel's "Unicode-tekst", tab separated) decodes the rest as UTF-16,
//!   where an odd byte count or a lone surrogate is an error at its line;
//!   bytes that are not valid UTF-8 are decoded as Windows-1252 (what
//!   Excel-NL writes as "CSV"), unless many are NUL: that is UTF-16 without
//!   a byte-order mark (or no text at all), refused as such;
//! - **separator**: the one of `;`, tab and `,` that occurs most often outside
//!   quotes in the header line (none: one column). Two of them equally often is
//!   an error, not a guess;
//! - **decimal mark**: with `,` as separator the point (a comma could not
//!   appear unquoted). With `;` or tab the comma as soon as one value has a
//!   decimal comma (`12,5`, `1.234,5`), else the point as soon as one has a
//!   decimal point that cannot be a thousands mark (`0.7`, `12.5`, `1.2345`),
//!   else the comma (Excel-NL's);
//! - **line endings**: CRLF, LF or CR (the `csv` crate reads all three).
//!
//! Numbers ([`parse_number`]): empty, `.` and `NA` are missing (never zero).
//! With a decimal comma, `.` is a thousands mark only in the pattern
//! `1.234,5` / `1.234.567,8` (groups of three, and a decimal comma after
//! them); `12.5` or `1.234` there is an error that names the value (where
//! the comma is only assumed, `1.234` is called ambiguous: 1234 or 1.234). With a
//! decimal point, a `,` is an error, and in a `;` or tab file a value such
//! as `1.234` (one to three digits, not starting with 0, then groups of
//! three) is an error too unless another value has shown the point as the
//! file's decimal mark: it may mean 1234. Exponents are read (`1e308`, `1,5E+3`); the ranges of
//! the columns then decide. `NaN` and `inf` are refused by name, a number
//! beyond a double (`1e999`, 400 digits) as too large; `-0` is 0.

use crate::text;
use crate::text::Text;
use std::fmt;

/// How the bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark (dropped).
    Utf8Bom,
    /// Not valid UTF-8, so decoded as Windows-1252.
    Windows1252,
    /// UTF-16 little-endian, after its byte-order mark FF FE (Excel's "Unicode-tekst").
    Utf16Le,
    /// UTF-16 big-endian, after its byte-order mark FE FF.
    Utf16Be,
}

impl Encoding {
    /// The name messages and the page show ("UTF-16LE").
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 met BOM",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// The field separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Comma,
    Semicolon,
    Tab,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
            Separator::Tab => b'\t',
        }
    }
}

/// The decimal mark of the file's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `12.5`.
    Point,
    /// `12,5`, with `.` as thousands mark in `1.234,5`.
    Comma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    Crlf,
    Cr,
    /// A file of one line without an ending.
    None,
}

/// What the reader found out about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub encoding: Encoding,
    pub separator: Separator,
    pub decimal: Decimal,
    /// Whether the decimal mark is certain: the separator is `,`, or a value
    /// in the file decided it. Else it is assumed (the comma), and a value
    /// such as `1.234` is refused as ambiguous.
    pub decimal_certain: bool,
    pub line_ending: LineEnding,
}

impl Dialect {
    /// The project's own data files: UTF-8, comma, decimal point.
    pub const DATA: Dialect = Dialect {
        encoding: Encoding::Utf8,
        separator: Separator::Comma,
        decimal: Decimal::Point,
        decimal_certain: true,
        line_ending: LineEnding::Lf,
    };
}

impl fmt::Display for Dialect {
    /// In Dutch, for messages: "Windows-1252, scheidingsteken ';', decimaalteken komma, regeleinden CRLF".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let encoding = self.encoding.name();
        let separator = match self.separator {
            Separator::Comma => "','",
            Separator::Semicolon => "';'",
            Separator::Tab => "tab",
        };
        let decimal = match self.decimal {
            Decimal::Point => "punt",
            Decimal::Comma => "komma",
        };
        let assumed = if self.decimal_certain {
            ""
        } else {
            " (aangenomen)"
        };
        let ending = match self.line_ending {
            LineEnding::Lf => "LF",
            LineEnding::Crlf => "CRLF",
            LineEnding::Cr => "CR",
            LineEnding::None => "geen",
        };
        write!(f, "{encoding}, scheidingsteken {separator}, decimaalteken {decimal}{assumed}, regeleinden {ending}")
    }
}

/// One record: the 1-based line on which it starts, and its fields (as
/// written, not trimmed; `fields[i]` is a `&str`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub fields: csv::StringRecord,
}

/// A whole file: its dialect, its header and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub dialect: Dialect,
    pub header: Row,
    pub rows: Vec<Row>,
}

/// A problem with the file as a whole, at a line.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvError {
    pub line: usize,
    /// Dutch and English (the upload panel shows either).
    pub message: Text,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regel {}: {}", self.line, self.message)
    }
}

impl Table {
    /// A field read as a number in this file's decimal mark.
    pub fn number(&self, raw: &str) -> Result<Option<f64>, Text> {
        parse_number(raw, self.dialect.decimal, self.dialect.decimal_certain)
    }
}

/// Read a user's file: detect encoding, separator, decimal mark and line
/// endings (see the module text), then split it.
pub fn read_bytes(bytes: &[u8]) -> Result<Table, CsvError> {
    let (text, encoding) = decode(bytes)?;
    let separator = detect_separator(&text)?;
    let mut table = split(&text, separator)?;
    table.dialect.encoding = encoding;
    if separator != Separator::Comma {
        let (decimal, seen) = detect_decimal(&table.rows);
        table.dialect.decimal = decimal;
        table.dialect.decimal_certain = seen;
    }
    Ok(table)
}

/// Read text with a known separator and the decimal point (the project's own
/// data files). A leading byte-order mark is dropped.
pub fn read_text(text: &str, separator: Separator) -> Result<Table, CsvError> {
    split(text.strip_prefix('\u{feff}').unwrap_or(text), separator)
}

/// UTF-16 after its BOM; UTF-8 (a BOM dropped); else Windows-1252, which
/// decodes every byte, so nothing is lost. The table is the WHATWG one
/// (tested against `encoding_rs`, which is not linked in: its tables of every
/// other encoding would double the page's wasm; std decodes UTF-16).
fn decode(bytes: &[u8]) -> Result<(String, Encoding), CsvError> {
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return Ok((decode_utf16(rest, u16::from_le_bytes)?, Encoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return Ok((decode_utf16(rest, u16::from_be_bytes)?, Encoding::Utf16Be));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        if let Ok(text) = std::str::from_utf8(rest) {
            return Ok((text.to_string(), Encoding::Utf8Bom));
        }
    }
    // Text has no NUL bytes; UTF-16 of Latin text is half NUL. Decoded as
    // Windows-1252 it would be split wrongly and blamed on the separator.
    let head = &bytes[..bytes.len().min(4096)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls >= 2 && nuls * 4 >= head.len() {
        let first = head.iter().position(|&b| b == 0).unwrap_or(0);
        let line = 1 + head[..first].iter().filter(|&&b| b == b'\n').count();
        let m = head.len();
        return Err(CsvError {
            line,
            message: text!(
                "het bestand bevat NUL-bytes ({nuls} van de eerste {m} bytes): waarschijnlijk UTF-16 zonder byte-order mark, of geen tekstbestand; sla het op als 'CSV UTF-8' of als 'Unicode-tekst' van Excel",
                "the file holds NUL bytes ({nuls} of the first {m} bytes): probably UTF-16 without a byte-order mark, or not a text file; save it as 'CSV UTF-8' or as Excel's 'Unicode Text'"
            ),
        });
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8),
        Err(_) => (
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            Encoding::Windows1252,
        ),
    })
}

/// UTF-16 (after its BOM) in the byte order of `unit`. A lone surrogate or
/// an odd last byte is an error at the line where it is (CRLF, LF or CR
/// each end a line).
fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, CsvError> {
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    let (mut line, mut previous) = (1, '\0');
    for c in char::decode_utf16(units) {
        let c = c.map_err(|e| {
            let unit = e.unpaired_surrogate();
            CsvError {
                line,
                message: text!(
                    "ongeldige UTF-16: een los half teken (surrogaat 0x{unit:04X}); het bestand is beschadigd, sla het opnieuw op (bij voorkeur als 'CSV UTF-8')",
                    "invalid UTF-16: a lone half character (surrogate 0x{unit:04X}); the file is damaged, save it again (preferably as 'CSV UTF-8')"
                ),
            }
        })?;
        if c == '\r' || (c == '\n' && previous != '\r') {
            line += 1;
        }
        previous = c;
        text.push(c);
    }
    if bytes.len() % 2 == 1 {
        // The error is on the last line: a break just read does not count.
        let line = line - usize::from(matches!(previous, '\r' | '\n'));
        return Err(CsvError {
            line,
            message: text!(
                "ongeldige UTF-16: een oneven aantal bytes, de laatste byte is een half teken; het bestand is afgebroken of beschadigd, sla het opnieuw op (bij voorkeur als 'CSV UTF-8')",
                "invalid UTF-16: an odd number of bytes, the last byte is half a character; the file is cut short or damaged, save it again (preferably as 'CSV UTF-8')"
            ),
        });
    }
    Ok(text)
}

/// Windows-1252 → Unicode (WHATWG): 0x80–0x9F from the table, every other
/// byte is the code point of the same number.
pub fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}',
        '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator that occurs most often outside quotes on the first
/// non-blank line.
fn detect_separator(text: &str) -> Result<Separator, CsvError> {
    let (line_no, header) = text
        .split('\n')
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .unwrap_or((1, ""));
    let mut counts = [
        (Separator::Semicolon, 0),
        (Separator::Tab, 0),
        (Separator::Comma, 0),
    ];
    let mut in_quotes = false;
    for c in header.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            _ if in_quotes => {}
            ';' => counts[0].1 += 1,
            '\t' => counts[1].1 += 1,
            ',' => counts[2].1 += 1,
            _ => {}
        }
    }
    let most = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let best: Vec<Separator> = counts
        .iter()
        .filter(|c| c.1 == most && most > 0)
        .map(|c| c.0)
        .collect();
    match best[..] {
        [] => Ok(Separator::Comma), // one column
        [one] => Ok(one),
        _ => Err(CsvError {
            line: line_no,
            message: text!(
                "kan het scheidingsteken niet bepalen: de kopregel heeft {most} keer ';', tab of ',' naast elkaar; gebruik één scheidingsteken (bij voorkeur ';' of ',')",
                "cannot tell the separator: the header line has ';', tab or ',' {most} times each; use one separator (preferably ';' or ',')"
            ),
        }),
    }
}

/// The decimal mark of a `;` or tab file, from its values: the comma if any
/// value has a decimal comma, else the point if any has a point that cannot
/// be a thousands mark, else the comma (not seen).
fn detect_decimal(rows: &[Row]) -> (Decimal, bool) {
    let mut point = false;
    for f in rows.iter().flat_map(|r| r.fields.iter()) {
        let s = f.trim();
        let s = s.strip_prefix(['-', '+']).unwrap_or(s);
        if is_comma_decimal(s) {
            return (Decimal::Comma, true);
        }
        point |= is_point_decimal(s) && !is_thousands(s);
    }
    match point {
        true => (Decimal::Point, true),
        false => (Decimal::Comma, false),
    }
}

/// `-12.489`, `7`, `0.5`: an optional minus, digits, at most one point with
/// digits on both sides.
fn plain_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    match unsigned.split_once('.') {
        Some((whole, frac)) => digits(whole) && digits(frac),
        None => digits(unsigned),
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `12,5`, `1.234,5`, `1.234.567,89` (no sign).
fn is_comma_decimal(s: &str) -> bool {
    match s.split_once(',') {
        Some((whole, frac)) => digits(frac) && (digits(whole) || is_thousands(whole)),
        None => false,
    }
}

/// `12.5`, `.5` (no sign, no exponent).
fn is_point_decimal(s: &str) -> bool {
    match s.split_once('.') {
        Some((whole, frac)) => (whole.is_empty() || digits(whole)) && digits(frac),
        None => false,
    }
}

/// `1.234`, `12.345.678`: one to three digits (not starting with 0), then
/// groups of three, each after a point.
fn is_thousands(s: &str) -> bool {
    match s.split_once('.') {
        Some((first, rest)) => {
            (1..=3).contains(&first.len())
                && digits(first)
                && !first.starts_with('0')
                && rest.split('.').all(|g| g.len() == 3 && digits(g))
        }
        None => false,
    }
}

/// Records one at a time in one reused buffer, each with its line: what
/// [`read_text`] collects, for a reader that checks rows as they come (the
/// project's data files). Blank lines are no records; an unclosed quote is an
/// error at the end.
pub struct Rows<'t> {
    reader: csv::Reader<&'t [u8]>,
    text: &'t str,
    separator: Separator,
    /// The byte that ends a line (CR in a file of CR endings, else LF).
    line_break: u8,
    /// Lines are counted here up to this byte offset.
    counted_to: usize,
    row: Row,
    done: bool,
}

impl<'t> Rows<'t> {
    pub fn new(text: &'t str, separator: Separator) -> Rows<'t> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(separator.byte())
            .from_reader(text.as_bytes());
        Rows {
            reader,
            text,
            separator,
            line_break: match line_ending(text) {
                LineEnding::Cr => b'\r',
                _ => b'\n',
            },
            counted_to: 0,
            row: Row {
                line: 1,
                fields: csv::StringRecord::new(),
            },
            done: false,
        }
    }

    /// The next record, or an error that ends the reading.
    #[allow(clippy::should_implement_trait)] // lends its buffer, so not an Iterator
    pub fn next(&mut self) -> Option<Result<&Row, CsvError>> {
        let bytes = self.text.as_bytes();
        loop {
            if self.done {
                return None;
            }
            match self.reader.read_record(&mut self.row.fields) {
                Err(e) => {
                    self.done = true;
                    let message = text!("onleesbaar: {e}", "unreadable: {e}");
                    return Some(Err(CsvError {
                        line: self.row.line,
                        message,
                    }));
                }
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {}
            }
            // Lines are counted here, from the record's byte offset: the
            // crate's own line numbers lag behind, and its offset of a record
            // may point at the line ending before it.
            let position = self.row.fields.position().map(|p| p.byte() as usize);
            let mut start = position.unwrap_or(self.counted_to);
            while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            self.row.line += bytes[self.counted_to..start]
                .iter()
                .filter(|&&b| b == self.line_break)
                .count();
            self.counted_to = start;
            // The crate reads an unclosed quote up to the end of the file, so
            // only a record that reaches the end can have one: that is the
            // error, not a record.
            let at_end = self.reader.position().byte() as usize >= bytes.len();
            if at_end && ends_in_quotes(&self.text[start..], self.separator.byte()) {
                self.done = true;
                let message = Text::new(
                    "aanhalingsteken wordt niet afgesloten",
                    "a quotation mark is never closed",
                );
                return Some(Err(CsvError {
                    line: self.row.line,
                    message,
                }));
            }
            // A line of only spaces is blank too (but `""` is one empty field).
            let fields = &self.row.fields;
            if fields.len() == 1 && fields[0].trim().is_empty() && bytes.get(start) != Some(&b'"') {
                continue;
            }
            return Some(Ok(&self.row));
        }
    }
}

fn line_ending(text: &str) -> LineEnding {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => LineEnding::Crlf,
        Some(_) => LineEnding::Lf,
        None if text.contains('\r') => LineEnding::Cr,
        None => LineEnding::None,
    }
}

/// Split decoded text into records with the `csv` crate ([`Rows`]).
fn split(text: &str, separator: Separator) -> Result<Table, CsvError> {
    let mut reader = Rows::new(text, separator);
    let mut rows = Vec::new();
    while let Some(row) = reader.next() {
        rows.push(row?.clone());
    }
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(CsvError {
            line: 1,
            message: Text::new("het bestand is leeg", "the file is empty"),
        });
    };
    Ok(Table {
        dialect: Dialect {
            separator,
            line_ending: line_ending(text),
            ..Dialect::DATA
        },
        header,
        rows: rows.collect(),
    })
}

/// Whether the text of one record ends inside a quoted field (RFC 4180: a
/// quote opens a field only at its start; `""` inside is one quote).
fn ends_in_quotes(record: &str, separator: u8) -> bool {
    let (mut in_quotes, mut at_start) = (false, true);
    let mut bytes = record.bytes().peekable();
    while let Some(b) = bytes.next() {
        match (in_quotes, b) {
            (true, b'"') if bytes.peek() == Some(&b'"') => {
                bytes.next();
            }
            (true, b'"') => in_quotes = false,
            (true, _) => {}
            (false, b'"') if at_start => in_quotes = true,
            (false, b'\n' | b'\r') => return false, // the record ended
            (false, _) => {}
        }
        at_start = !in_quotes && (b == separator);
    }
    in_quotes
}

fn not_a_number() -> Text {
    Text::new("geen geldig getal", "not a valid number")
}

/// `1.234` where the decimal mark is not certain.
fn ambiguous() -> Text {
    Text::new(
        "dubbelzinnig getal: een punt tussen groepen van drie cijfers kan een duizendtalteken zijn; schrijf het getal zonder duizendtalteken",
        "ambiguous number: a point between groups of three digits may be a thousands separator; write the number without one",
    )
}

/// Beyond an f64 (`1e999`, or 400 digits, which the standard parser reads as
/// infinity): one answer, whichever path read it.
fn too_large() -> Text {
    Text::new(
        "getal te groot (buiten het bereik van een getal)",
        "number too large (outside the range of a number)",
    )
}

/// A field's value for a message, cut after 20 characters (`12345678901234567890…`):
/// a 400-digit number must not fill the message.
pub fn short(raw: &str) -> String {
    match raw.char_indices().nth(20) {
        Some((cut, _)) => format!("{}…", &raw[..cut]),
        None => raw.to_string(),
    }
}

/// Read a number written with `decimal` as decimal mark (see the module
/// text). `certain`: the file's decimal mark is known for sure (see
/// [`Dialect::decimal_certain`]), so `1.234` is 1.234 with a point.
/// `Ok(None)`: missing.
pub fn parse_number(raw: &str, decimal: Decimal, certain: bool) -> Result<Option<f64>, Text> {
    let s = raw.trim_ascii();
    if s.is_empty() || s == "." || s.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    // The common case first, in one pass: a plain decimal such as `-12.489`
    // where the point is certainly the decimal mark (what the rules below
    // would accept, read by the same standard parser).
    if decimal == Decimal::Point && certain && plain_decimal(s) {
        return match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v + 0.0)),
            Ok(_) => Err(too_large()),
            Err(_) => Err(not_a_number()),
        };
    }
    let (negative, bare) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if ["nan", "inf", "infinity", "oneindig"]
        .iter()
        .any(|w| bare.eq_ignore_ascii_case(w))
    {
        return Err(Text::new(
            "geen geldig getal (NaN of oneindig; geef een eindig getal)",
            "not a valid number (NaN or infinity; give a finite number)",
        ));
    }
    let (mantissa, exponent) = match bare.find(['e', 'E']) {
        Some(i) => (&bare[..i], Some(&bare[i + 1..])),
        None => (bare, None),
    };
    // The mantissa as whole and fraction digits, whatever the decimal mark.
    let (whole, frac): (std::borrow::Cow<str>, &str) = match decimal {
        Decimal::Point => {
            if mantissa.contains(',') {
                return Err(Text::new(
                    "geen geldig getal (in dit bestand is de punt het decimaalteken)",
                    "not a valid number (in this file the point is the decimal mark)",
                ));
            }
            if !certain && is_thousands(mantissa) {
                return Err(ambiguous());
            }
            let (w, f) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            (w.into(), f)
        }
        // The comma only assumed (no value showed either mark): `1.234` may
        // be 1234 or 1.234, and "the comma is the decimal mark" would claim
        // more than is known.
        Decimal::Comma if !certain && is_thousands(mantissa) => return Err(ambiguous()),
        Decimal::Comma => {
            let (w, f) = mantissa.split_once(',').unwrap_or((mantissa, ""));
            if !w.contains('.') {
                (w.into(), f)
            } else if mantissa.contains(',') && is_thousands(w) {
                (w.replace('.', "").into(), f)
            } else {
                return Err(Text::new(
                    "geen geldig getal (in dit bestand is de komma het decimaalteken; een punt mag alleen als duizendtalteken, zoals in 1.234,5)",
                    "not a valid number (in this file the comma is the decimal mark; a point may only separate thousands, as in 1.234,5)",
                ));
            }
        }
    };
    let has_mark = mantissa.contains(match decimal {
        Decimal::Point => '.',
        Decimal::Comma => ',',
    });
    let shape_ok = (digits(&whole) || whole.is_empty() && digits(frac))
        && (frac.is_empty() || digits(frac))
        && !(has_mark && frac.is_empty() && exponent.is_some());
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if !shape_ok || !exponent_ok {
        return Err(match decimal {
            Decimal::Point => Text::new(
                "geen geldig getal (gebruik een punt als decimaalteken)",
                "not a valid number (use a point as the decimal mark)",
            ),
            Decimal::Comma => Text::new(
                "geen geldig getal (gebruik een komma als decimaalteken)",
                "not a valid number (use a comma as the decimal mark)",
            ),
        });
    }
    // Checked above: digits, at most one point, an exponent of digits. The
    // standard parser reads that exactly (the text is only rebuilt for a
    // decimal comma or thousands marks).
    let v: f64 = if decimal == Decimal::Point {
        bare.parse()
    } else {
        let mut text = format!("{whole}.{frac}");
        if let Some(e) = exponent {
            text = format!("{text}e{e}");
        }
        text.parse()
    }
    .map_err(|_| not_a_number())?;
    if !v.is_finite() {
        return Err(too_large());
    }
    // -0 is 0 (no "-0" in any output).
    Ok(Some(if negative { -v } else { v } + 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number where the decimal mark was assumed, not seen.
    fn num(s: &str, d: Decimal) -> Result<Option<f64>, String> {
        parse_number(s, d, false).map_err(String::from)
    }

    #[test]
    fn numbers_in_either_decimal_mark() {
        use Decimal::*;
        assert_eq!(num("12.5", Point), Ok(Some(12.5)));
        assert_eq!(num("12,5", Comma), Ok(Some(12.5)));
        assert_eq!(num("1.234,5", Comma), Ok(Some(1234.5)));
        assert_eq!(num("-1.234.567,25", Comma), Ok(Some(-1234567.25)));
        assert_eq!(num("1,5E+3", Comma), Ok(Some(1500.0)));
        assert_eq!(num("1e308", Point), Ok(Some(1e308)));
        assert_eq!(num("+3", Point), Ok(Some(3.0)));
        assert_eq!(num(".5", Point), Ok(Some(0.5)));
        assert_eq!(num("5.", Point), Ok(Some(5.0)));
        // -0 is 0, bit for bit.
        assert_eq!(num("-0", Point).unwrap().unwrap().to_bits(), 0f64.to_bits());
        assert_eq!(
            num("-0,0", Comma).unwrap().unwrap().to_bits(),
            0f64.to_bits()
        );
        for missing in ["", " ", ".", "NA", "na"] {
            assert_eq!(num(missing, Point), Ok(None), "{missing:?}");
            assert_eq!(num(missing, Comma), Ok(None), "{missing:?}");
        }
        // The point is a thousands mark with a decimal comma only.
        assert!(num("12.5", Comma)
            .unwrap_err()
            .contains("komma het decimaalteken"));
        assert!(num("1.234", Comma).unwrap_err().contains("duizendtal"));
        assert!(num("12.34,5", Comma).is_err());
        assert!(num("12,5", Point).unwrap_err().contains("punt"));
        // 1.234 where the decimal mark is not certain: refused.
        assert!(num("1.234", Point).unwrap_err().contains("dubbelzinnig"));
        assert_eq!(parse_number("1.234", Point, true), Ok(Some(1.234)));
        assert_eq!(num("0.125", Point), Ok(Some(0.125)));
        for bad in [
            "NaN", "nan", "inf", "-inf", "Infinity", "1e999", "1.2.3", "-", "1e", "e5", "0x10",
            "1_000", "12 5",
        ] {
            assert!(num(bad, Point).is_err(), "{bad}");
            assert!(num(bad, Comma).is_err(), "{bad}");
        }
        assert!(num("NaN", Point).unwrap_err().contains("NaN"));
        assert!(num("1e999", Point).unwrap_err().contains("te groot"));
    }

    /// `text` as UTF-16 with its byte-order mark, little- or big-endian.
    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in text.encode_utf16() {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_and_named() {
        // Excel's "Unicode-tekst": UTF-16LE, tab, CRLF, decimal comma.
        let text = "naam\tperc\r\nSúdwest-Fryslân\t12,5\r\nCafé 😀\t1.234,5\r\n";
        let plain = read_bytes(text.as_bytes()).unwrap();
        for big_endian in [false, true] {
            let t = read_bytes(&utf16(text, big_endian)).unwrap();
            let want = if big_endian {
                Encoding::Utf16Be
            } else {
                Encoding::Utf16Le
            };
            assert_eq!(
                t.dialect,
                Dialect {
                    encoding: want,
                    ..plain.dialect
                }
            );
            assert_eq!(
                (t.header.clone(), t.rows.clone()),
                (plain.header.clone(), plain.rows.clone())
            );
            assert_eq!(t.number(&t.rows[1].fields[1]), Ok(Some(1234.5)));
            let shown = t.dialect.to_string();
            assert!(
                shown.starts_with("UTF-16") && shown.contains("tab"),
                "{shown}"
            );
        }
        assert_eq!(
            read_bytes(&utf16("", false)).unwrap_err().message.nl,
            "het bestand is leeg"
        );
    }

    #[test]
    fn broken_utf16_is_an_error_at_its_line() {
        // An odd byte count: the last byte is half a character, on line 3.
        let mut bytes = utf16("a\tb\r\n1\t2\r\n3\t4", false);
        bytes.push(b'5');
        let e = read_bytes(&bytes).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.nl.contains("oneven aantal bytes"), "{e}");
        assert!(e.message.en.contains("odd number of bytes"), "{e}");
        // Cut after a line break: still the last line with text.
        let mut bytes = utf16("a\tb\n1\t2\n", false);
        bytes.push(0);
        assert_eq!(read_bytes(&bytes).unwrap_err().line, 2);
        // A lone high surrogate on line 2 (CR line endings), big-endian.
        let mut bytes = utf16("a\tb\r1\t", true);
        bytes.extend([0xd8, 0x3d]);
        bytes.extend(utf16("x\r", true)[2..].iter());
        let e = read_bytes(&bytes).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(
            e.message.nl.contains("0xD83D") && e.message.en.contains("surrogate"),
            "{e}"
        );
    }

    #[test]
    fn nul_bytes_without_a_bom_are_called_utf16_not_a_separator() {
        // UTF-16LE without its BOM: not read as Windows-1252.
        let bytes = utf16("perc_1ouder\tn_jeugd\r\n12,5\t100\r\n", false);
        let e = read_bytes(&bytes[2..]).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(
            e.message.nl.contains("UTF-16 zonder byte-order mark"),
            "{e}"
        );
        assert!(
            e.message.en.contains("UTF-16 without a byte-order mark"),
            "{e}"
        );
        assert!(!e.message.nl.contains("scheidingsteken"), "{e}");
        // One stray NUL in a text file is no reason to refuse it.
        assert!(read_bytes(b"a;b\n1;x\0y\n").is_ok());
    }

    #[test]
    fn a_number_beyond_a_double_is_too_large_on_every_path() {
        let digits = "9".repeat(400);
        for (decimal, certain) in [
            (Decimal::Point, true),
            (Decimal::Point, false),
            (Decimal::Comma, true),
            (Decimal::Comma, false),
        ] {
            for raw in [
                digits.as_str(),
                &format!("-{digits}"),
                "1e999",
                &format!("{digits}.5"),
            ] {
                if decimal == Decimal::Comma && raw.contains('.') {
                    continue;
                }
                let e = parse_number(raw, decimal, certain).unwrap_err();
                assert_eq!(
                    e.nl, "getal te groot (buiten het bereik van een getal)",
                    "{raw} {decimal:?} {certain}"
                );
                assert!(e.en.starts_with("number too large"));
            }
        }
        assert_eq!(short(&digits), format!("{}…", &digits[..20]));
        assert_eq!(short("12,5"), "12,5");
        assert_eq!(short("ééééééééééééééééééééé"), "éééééééééééééééééééé…");
    }

    #[test]
    fn a_thousands_like_value_where_the_comma_is_only_assumed_is_ambiguous() {
        // A ';' file in which no value shows the decimal mark.
        let t = read_bytes(b"a;b\n1;1.234\n").unwrap();
        assert!(!t.dialect.decimal_certain);
        let e = t.number("1.234").unwrap_err();
        assert!(e.nl.starts_with("dubbelzinnig getal"), "{e}");
        assert!(!e.nl.contains("komma het decimaalteken"), "{e}");
        // Where a value showed the comma, 1.234 is the thousands mark misused.
        let t = read_bytes(b"a;b\n1,5;1.234\n").unwrap();
        assert!(t
            .number("1.234")
            .unwrap_err()
            .contains("komma het decimaalteken"));
        assert_eq!(t.number("1.234,5"), Ok(Some(1234.5)));
    }

    #[test]
    fn windows_1252_is_the_whatwg_table() {
        for b in 0..=255u8 {
            let byte = [b];
            let (theirs, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
            assert_eq!(windows_1252(b).to_string(), theirs, "byte {b:#04x}");
        }
    }

    #[test]
    fn excel_nl_bytes_are_detected() {
        // Windows-1252 é (0xE9), a BOM-less file with ';', decimal comma, CRLF.
        let bytes = b"naam;perc\r\nCaf\xe9;12,5\r\n\"a;b\";1.234,5\r\n";
        let t = read_bytes(bytes).unwrap();
        assert_eq!(
            t.dialect,
            Dialect {
                encoding: Encoding::Windows1252,
                separator: Separator::Semicolon,
                decimal: Decimal::Comma,
                decimal_certain: true,
                line_ending: LineEnding::Crlf,
            }
        );
        assert_eq!(t.rows[0].fields, vec!["Café", "12,5"]);
        assert_eq!(t.rows[1].fields, vec!["a;b", "1.234,5"]);
        assert_eq!(t.rows[1].line, 3);
        assert_eq!(t.number(&t.rows[1].fields[1]), Ok(Some(1234.5)));
        let shown = t.dialect.to_string();
        assert!(
            shown.contains("Windows-1252") && shown.contains("komma"),
            "{shown}"
        );

        let t = read_bytes("\u{feff}a\tb\n1\t0.7\n".as_bytes()).unwrap();
        assert_eq!(t.dialect.encoding, Encoding::Utf8Bom);
        assert_eq!(t.dialect.separator, Separator::Tab);
        assert_eq!(
            (t.dialect.decimal, t.dialect.decimal_certain),
            (Decimal::Point, true)
        );
        assert_eq!(t.header.fields, vec!["a", "b"]);
        // A semicolon file without decimals: the comma is assumed, 1.234 refused.
        let t = read_bytes(b"a;b\n1;1.234\n").unwrap();
        assert_eq!(
            (t.dialect.decimal, t.dialect.decimal_certain),
            (Decimal::Comma, false)
        );
        assert!(t.number("1.234").is_err());
        // Comma files keep the point.
        let t = read_bytes(b"a,b\n\"12,5\",1.5\n").unwrap();
        assert_eq!(t.dialect.decimal, Decimal::Point);
        assert!(t.number("12,5").is_err());
        assert_eq!(t.dialect.line_ending, LineEnding::Lf);
    }

    #[test]
    fn ambiguous_or_broken_files_are_errors() {
        let e = read_bytes(b"a;b,c\n1;2,3\n").unwrap_err();
        assert!(e.message.contains("scheidingsteken"), "{e}");
        assert_eq!(e.line, 1);
        assert!(read_bytes(b"").unwrap_err().message.contains("leeg"));
        assert!(read_bytes(b"\n \n").unwrap_err().message.contains("leeg"));
        let e = read_text("a,b\n1,\"open\n2,3\n", Separator::Comma).unwrap_err();
        assert_eq!(
            (e.line, e.message.nl.as_str()),
            (2, "aanhalingsteken wordt niet afgesloten")
        );
        // Quoted fields over lines, blank lines: lines still counted right.
        let t = read_text(
            "a,b\r\n\"x,\ny\",\"he said \"\"hi\"\"\"\r\n\r\n1,2",
            Separator::Comma,
        )
        .unwrap();
        assert_eq!(t.rows[0].fields, vec!["x,\ny", "he said \"hi\""]);
        assert_eq!(t.rows[1].line, 5);
        // A quoted empty field is a record; a line of spaces is not.
        let t = read_text("a\n  \n\"\"\n", Separator::Comma).unwrap();
        assert_eq!(
            t.rows,
            [Row {
                line: 3,
                fields: csv::StringRecord::from(vec![""])
            }]
        );
        // A header only: no rows, no error.
        assert!(read_bytes(b"a;b\r\n").unwrap().rows.is_empty());
    }
}
