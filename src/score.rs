//! Scoring a user's table of wijk profiles (the CLI's `score`): which input
//! column is what, and for each row its prediction, error or warning. Works on
//! fields, not files: [`crate::csvfile::read_bytes`] feeds it, and its
//! [`Dialect`] says how the numbers are written.

use crate::csvfile::{self, parse_number, Dialect};
use crate::data;
use crate::determinants;
use crate::model::{self, EffectLevel, Prediction, Predictor, Profile};

/// The columns `score` adds after the input's own, in this order.
/// `n_jeugd_used` is the youth count the PI used (empty for a model with one
/// interval width).
pub const OUTPUT_COLUMNS: [&str; 10] = [
    "expected",
    "expected_fixed",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "n_jeugd_used",
    "level",
    "error",
    "warning",
];

/// Where the model's inputs are in a header.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Number of columns in the header.
    pub width: usize,
    /// Column of each model determinant, in model order.
    determinant_columns: Vec<Option<usize>>,
    gemeente_column: Option<usize>,
    /// `wijkcode`: a wijk of the model's data gives its youth count.
    wijk_column: Option<usize>,
    /// `n_jeugd`: the youth count of the row (overrides the wijk's).
    pub n_column: Option<usize>,
    /// Columns that are determinants, but not of this model (ignored).
    pub unused: Vec<String>,
    /// Model determinants without a column (imputed).
    pub missing: Vec<String>,
}

impl Layout {
    /// Read a header (names trimmed). Refuses a column named like one of
    /// [`OUTPUT_COLUMNS`] (the output would have two) and a column the model
    /// reads (a determinant, `gemeentecode`) given twice (which one is meant
    /// cannot be known).
    pub fn new(predictor: &Predictor, header: &[&str]) -> Result<Layout, String> {
        let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        let mut problems = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if OUTPUT_COLUMNS.contains(h) && !header[..i].contains(h) {
                problems.push(format!(
                    "kolom '{h}' heeft de naam van een kolom die score toevoegt ({}); geef die kolom een andere naam",
                    OUTPUT_COLUMNS.join(", ")
                ));
            }
        }
        let model = &predictor.model;
        let read = model.determinants.iter().map(|d| d.name.as_str()).chain([
            "gemeentecode",
            "wijkcode",
            "n_jeugd",
        ]);
        for name in read.clone() {
            if header.iter().filter(|h| **h == name).count() > 1 {
                problems.push(format!(
                    "kolom '{name}' staat meer dan één keer in de kopregel"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(format!("kopregel: {}", problems.join("; ")));
        }
        // Not one column the model reads: most likely a separator the reader
        // does not know, which makes the whole header one name. Scoring would
        // give every row the national means.
        if !header.iter().any(|h| read.clone().any(|name| name == *h)) {
            let mut shown: Vec<String> = header
                .iter()
                .take(5)
                .map(|h| match h.char_indices().nth(80) {
                    Some((cut, _)) => format!("{:?}…", &h[..cut]),
                    None => format!("{h:?}"),
                })
                .collect();
            if header.len() > 5 {
                shown.push("…".into());
            }
            let columns = match header.len() {
                1 => "1 kolom".to_string(),
                n => format!("{n} kolommen"),
            };
            return Err(format!(
                "kopregel: geen enkele kolom die het model leest (een determinant zoals {}, of gemeentecode, wijkcode, n_jeugd); gelezen als {columns}: {}. Verkeerd scheidingsteken? Gebruik ';', tab of ','",
                model.determinants.first().map_or("perc_1ouder", |d| d.name.as_str()),
                shown.join(", ")
            ));
        }
        let column = |name: &str| header.iter().position(|h| *h == name);
        let determinant_columns: Vec<Option<usize>> =
            model.determinants.iter().map(|d| column(&d.name)).collect();
        Ok(Layout {
            width: header.len(),
            gemeente_column: column("gemeentecode"),
            wijk_column: column("wijkcode"),
            n_column: column("n_jeugd"),
            unused: header
                .iter()
                .filter(|h| {
                    determinants::find(h).is_some()
                        && !model.determinants.iter().any(|d| d.name == **h)
                })
                .map(|h| h.to_string())
                .collect(),
            missing: model
                .determinants
                .iter()
                .zip(&determinant_columns)
                .filter(|(_, c)| c.is_none())
                .map(|(d, _)| d.name.clone())
                .collect(),
            determinant_columns,
        })
    }
}

/// The outcome for one row: a prediction or an error, and perhaps a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub prediction: Result<Prediction, String>,
    pub warning: Option<String>,
    /// The PI took the national median youth count: the row has no
    /// `n_jeugd` and no wijkcode of the model's data.
    pub default_n_jeugd: bool,
}

impl Scored {
    /// `n_jeugd_used`: the row's own or its wijk's count as the shortest text
    /// that reads back (a user's count is ≥ 1 and ≤ 1 000 000, checked); the
    /// national median, a mean of two counts, to the three decimals the counts
    /// have (851.33, not 851.3299999999999).
    fn n_jeugd_text(&self, n: f64) -> String {
        match self.default_n_jeugd {
            true => format!("{}", (n * 1e3).round() / 1e3),
            false => determinants::compact(n),
        }
    }

    /// The values of [`OUTPUT_COLUMNS`] for this row.
    pub fn output(&self) -> [String; 10] {
        let warning = self.warning.clone().unwrap_or_default();
        match &self.prediction {
            Ok(p) => {
                let level = match p.level {
                    EffectLevel::Gemeente => "gemeente",
                    EffectLevel::Regio => "regio",
                    EffectLevel::Geen => "geen",
                };
                let v = |v: f64| format!("{v}");
                [
                    v(p.expected),
                    v(p.expected_fixed),
                    v(p.ci_low),
                    v(p.ci_high),
                    v(p.pi_low),
                    v(p.pi_high),
                    p.n_jeugd.map(|n| self.n_jeugd_text(n)).unwrap_or_default(),
                    level.to_string(),
                    String::new(),
                    warning,
                ]
            }
            Err(e) => {
                let mut out: [String; 10] = Default::default();
                out[8] = e.clone();
                out[9] = warning;
                out
            }
        }
    }
}

/// Score one input row, found on line `line` of a file in `dialect`. A row
/// whose number of fields differs from the header's is an error that names
/// both counts and quotes every field beyond the header, so nothing is lost.
pub fn score_row(
    predictor: &Predictor,
    layout: &Layout,
    dialect: &Dialect,
    line: usize,
    fields: &[&str],
) -> Scored {
    let number = |raw: &str| parse_number(raw, dialect.decimal, dialect.decimal_certain);
    if fields.len() != layout.width {
        let extra = match fields.get(layout.width..) {
            Some(extra) if !extra.is_empty() => format!(
                "; de velden na de laatste kolom: {}",
                extra
                    .iter()
                    .map(|f| format!("{f:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        };
        return Scored {
            prediction: Err(format!(
                "regel {line}: {} velden, de kopregel heeft er {}{extra}",
                fields.len(),
                layout.width
            )),
            warning: None,
            default_n_jeugd: false,
        };
    }
    // Codes in any case: `gm0363` can only mean GM0363.
    let gemeente = layout
        .gemeente_column
        .map(|c| fields[c].trim().to_ascii_uppercase())
        .filter(|g| !g.is_empty());
    let wijk_given = layout
        .wijk_column
        .map(|c| fields[c].trim().to_ascii_uppercase())
        .filter(|w| !w.is_empty());
    // The wijkcode is read where the model uses youth counts (SCP's specification).
    let wijk = wijk_given.as_deref().filter(|_| predictor.uses_youth());
    // A well-formed code the model does not know is most likely a typo:
    // the row is scored, but says so.
    let mut warnings = Vec::new();
    // A wijk of the data names its gemeente (CBS: WK + the gemeente's four digits +
    // two): one that disagrees with the gemeentecode, or is not given with it, is
    // said. The row is scored with the gemeente as given (or none), as asked.
    let own_gemeente = wijk_given
        .as_deref()
        .filter(|w| data::is_wijkcode(w) && predictor.n_jeugd_of(w).is_some())
        .map(|w| (w, format!("GM{}", &w[2..6])))
        .filter(|(_, own)| predictor.model.gemeente_regio.contains_key(own.as_str()));
    if let Some((w, own)) = own_gemeente {
        match &gemeente {
            Some(g) if data::is_gemeentecode(g) && *g != own => warnings.push(format!(
                "regel {line}, kolom gemeentecode: wijk {w} ligt in {own}, niet in {g}; geschat met {g} zoals gegeven"
            )),
            None => warnings.push(format!(
                "regel {line}: wijk {w} ligt in {own}, maar er is geen gemeentecode gegeven; geschat zonder gemeente- en regio-effect (niveau geen)"
            )),
            _ => {}
        }
    }
    if let Some(g) = gemeente.as_ref().filter(|g| {
        data::is_gemeentecode(g) && !predictor.model.gemeente_regio.contains_key(g.as_str())
    }) {
        warnings.push(format!(
            "regel {line}, kolom gemeentecode: onbekende gemeente {g} (niet in de data van 2017); geschat zonder gemeente- en regio-effect (niveau geen)"
        ));
    }
    // The wijkcode only gives the youth count: a wijk the model does not know,
    // or a text that is no wijkcode at all, is scored without it, and says so.
    if let Some(w) = wijk.filter(|w| predictor.n_jeugd_of(w).is_none()) {
        let what = match data::is_wijkcode(w) {
            true => format!("onbekende wijk {w} (niet in de data van 2017)"),
            false => format!("{w:?} is geen wijkcode (verwacht WK + 6 cijfers)"),
        };
        let n_given = layout
            .n_column
            .is_some_and(|c| !fields[c].trim().is_empty());
        warnings.push(format!(
            "regel {line}, kolom wijkcode: {what}{}",
            if n_given {
                ""
            } else {
                "; het voorspellingsinterval gaat uit van de landelijke mediaan van het aantal jeugdigen"
            }
        ));
    }
    let prediction = (|| {
        if let Some(g) = &gemeente {
            if !data::is_gemeentecode(g) {
                return Err(format!(
                    "regel {line}, kolom gemeentecode: ongeldige code {g:?} (verwacht GM + 4 cijfers)"
                ));
            }
        }
        let mut values = Vec::with_capacity(layout.determinant_columns.len());
        for (d, c) in predictor
            .model
            .determinants
            .iter()
            .zip(&layout.determinant_columns)
        {
            values.push(match c {
                Some(c) => number(fields[*c]).map_err(|m| {
                    format!(
                        "regel {line}, kolom {}: waarde {:?}: {m}",
                        d.name,
                        csvfile::short(fields[*c].trim())
                    )
                })?,
                None => None,
            });
        }
        // The youth count (SCP's specification): the column n_jeugd, else the
        // wijk's own (from the model), else the national median.
        let mut n_jeugd = None;
        if let (Some(c), true) = (layout.n_column, predictor.uses_youth()) {
            let raw = fields[c].trim();
            n_jeugd = number(raw)
                .and_then(|n| match n {
                    Some(n) => model::check_n_jeugd(n)
                        .map(|()| Some(n))
                        .map_err(|e| e.message),
                    None => Ok(None),
                })
                .map_err(|m| {
                    let raw = csvfile::short(raw);
                    format!("regel {line}, kolom n_jeugd: waarde {raw:?}: {m}")
                })?;
        }
        if n_jeugd.is_none() && predictor.uses_youth() {
            n_jeugd = wijk.and_then(|w| predictor.n_jeugd_of(w));
        }
        predictor
            .expected_with(&Profile { gemeente, values }, n_jeugd)
            .map(|p| (p, n_jeugd.is_none() && predictor.uses_youth()))
            .map_err(|e| format!("regel {line}, kolom {}: {}", e.field, e.message))
    })();
    let default_n_jeugd = matches!(prediction, Ok((_, true)));
    // The core's caution (a value outside the range of 2017, an expected use
    // outside 0–100 %) joins the row's other warnings.
    if let Ok((p, _)) = &prediction {
        if let Some(c) = &p.caution {
            warnings.push(format!("regel {line}: {}", c.nl));
        }
    }
    let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
    Scored {
        prediction: prediction.map(|(p, _)| p),
        warning,
        default_n_jeugd,
    }
}
