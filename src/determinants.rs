//! The one table of determinants: name (the data file's column), Dutch label, unit,
//! level and SCP group. Everything else (CLI, model file, wasm API, page) reads this.
//! Labels are shortened from SCP's variable dictionary (`scp/01_bronnen.csv`).

use crate::text;
use crate::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Varies per wijk.
    Wijk,
    /// Constant within a gemeente (measured at gemeente level).
    Gemeente,
}

/// SCP's grouping of determinants in *Jeugdhulp in de wijk*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Kind,
    OudersGezin,
    Omgeving,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Kind => "Kenmerken van het kind",
            Group::OudersGezin => "Kenmerken van ouders en gezin",
            Group::Omgeving => "Kenmerken van de omgeving",
        }
    }

    /// English text for the group.
    pub fn label_en(self) -> &'static str {
        match self {
            Group::Kind => "Characteristics of the child",
            Group::OudersGezin => "Characteristics of parents and family",
            Group::Omgeving => "Characteristics of the neighbourhood",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A share in 0–100.
    Percent,
    Euro,
    ThousandEuro,
    Km,
    /// Groene/grijze druk: persons per 100 inhabitants aged 20–64.
    PerHundred,
    /// 0 or 1.
    YesNo,
}

impl Unit {
    /// Dutch display text for the unit.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Euro => "euro",
            Unit::ThousandEuro => "× 1000 euro",
            Unit::Km => "km",
            Unit::PerHundred => "per 100 inwoners van 20–64 jaar",
            Unit::YesNo => "ja/nee",
        }
    }

    /// English display text for the unit.
    pub fn label_en(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Euro => "euro",
            Unit::ThousandEuro => "× 1000 euro",
            Unit::Km => "km",
            Unit::PerHundred => "per 100 residents aged 20–64",
            Unit::YesNo => "yes/no",
        }
    }

    /// The range every value in this unit has by definition: shares 0–100,
    /// yes/no 0–1. The other units are bounded per determinant (`up_to`).
    const fn own_range(self) -> (f64, f64) {
        match self {
            Unit::Percent => PERCENT,
            Unit::YesNo => (0.0, 1.0),
            // No bound yet: the check below DETERMINANTS refuses to compile.
            _ => (0.0, f64::NAN),
        }
    }
}

/// The range of a share (also of the observed and expected use).
pub const PERCENT: (f64, f64) = (0.0, 100.0);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Determinant {
    pub name: &'static str,
    pub label: &'static str,
    /// The English label (the page's `?lang=en`), set by `.en(…)` on every entry.
    pub label_en: &'static str,
    pub unit: Unit,
    pub level: Level,
    pub group: Group,
    /// Digits shown to users (the data's own precision, capped for readability).
    pub decimals: u8,
    /// The values accepted anywhere: in the data file, in a profile (`score`,
    /// `expected()`), and (as its width) for a what-if change. Shares 0–100
    /// and yes/no 0–1 by definition. Euro, km and per-100 values have no
    /// natural maximum, so each gets a bound some 4–10 times the highest value
    /// of any wijk in 2017, rounded up: wide enough for every real wijk and
    /// every what-if a user means, and finite, so that every result is a
    /// finite, readable number. (Far outside the observed range a linear
    /// model says little anyway; the model file keeps the observed range.)
    pub range: (f64, f64),
}

const fn det(
    name: &'static str,
    label: &'static str,
    unit: Unit,
    level: Level,
    group: Group,
    decimals: u8,
) -> Determinant {
    Determinant {
        name,
        label,
        label_en: "",
        unit,
        level,
        group,
        decimals,
        range: unit.own_range(),
    }
}

impl Determinant {
    /// The English label.
    const fn en(self, label_en: &'static str) -> Determinant {
        Determinant { label_en, ..self }
    }

    /// The upper bound of a unit without a natural one (see `range`).
    const fn up_to(self, max: f64) -> Determinant {
        Determinant {
            range: (0.0, max),
            ..self
        }
    }

    /// Whether `v` is a value of this determinant (yes/no: exactly 0 or 1).
    pub fn accepts(&self, v: f64) -> bool {
        let (lo, hi) = self.range;
        v >= lo && v <= hi && (self.unit != Unit::YesNo || v == 0.0 || v == 1.0)
    }

    /// Check a value given for this determinant (a profile's value).
    pub fn check_value(&self, v: f64) -> Result<(), Text> {
        self.check(v, false)
    }

    /// Check a what-if change: the difference of two valid values, so at most
    /// the width of the range either way.
    pub fn check_change(&self, d: f64) -> Result<(), Text> {
        self.check(d, true)
    }

    /// The one check behind both: a finite number within the range (for a
    /// change: within ± its width). Numbers in the message are compact.
    fn check(&self, v: f64, change: bool) -> Result<(), Text> {
        if !v.is_finite() {
            return Err(match change {
                true => text!(
                    "wijziging is geen geldig getal",
                    "the change is not a valid number"
                ),
                false => text!(
                    "waarde is geen geldig getal",
                    "the value is not a valid number"
                ),
            });
        }
        let (unit, unit_en) = match self.unit {
            Unit::Percent => ("%".to_string(), "%".to_string()),
            Unit::YesNo => (String::new(), String::new()),
            u => (format!(" {}", u.label()), format!(" {}", u.label_en())),
        };
        let (lo, hi) = (compact(self.range.0), compact(self.range.1));
        if change {
            let width = self.range.1 - self.range.0;
            if v.abs() > width {
                let (d, w) = (compact(v), compact(width));
                return Err(text!(
                    "wijziging {d} is groter dan het bereik toelaat: waarden liggen in {lo}–{hi}{unit}, een wijziging dus tussen -{w} en {w}",
                    "a change of {d} is larger than the range allows: values lie in {lo}–{hi}{unit_en}, so a change lies between -{w} and {w}"
                ));
            }
            return Ok(());
        }
        let v_text = compact(v);
        match self.unit {
            Unit::Percent if !(self.range.0..=self.range.1).contains(&v) => Err(text!(
                "{v_text} ligt buiten {lo}–{hi} %",
                "{v_text} lies outside {lo}–{hi} %"
            )),
            // (A profile may hold a share between 0 and 1, such as a mean.)
            Unit::YesNo if !(self.range.0..=self.range.1).contains(&v) => Err(text!(
                "{v_text} moet 0 (nee) of 1 (ja) zijn",
                "{v_text} must be 0 (no) or 1 (yes)"
            )),
            _ if v < self.range.0 => Err(text!(
                "{v_text} mag niet negatief zijn",
                "{v_text} must not be negative"
            )),
            _ if v > self.range.1 => Err(text!(
                "{v_text} ligt boven het maximum van {hi}{unit}",
                "{v_text} is above the maximum of {hi}{unit_en}"
            )),
            _ => Ok(()),
        }
    }
}

/// A number as it appears in a message: the shortest text that reads back as
/// the same value, in scientific notation when very large or very small
/// (`1e308`, not 309 digits).
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) || !a.is_finite() {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

use Group::*;
use Level::{Gemeente as G, Wijk as W};
use Unit::*;

/// All 27 determinants of SCP's model, in the column order of the data file.
pub const DETERMINANTS: [Determinant; 27] = [
    det(
        "perc_sbo_g",
        "Leerlingen in het speciaal basisonderwijs (gemeente)",
        Percent,
        G,
        Kind,
        1,
    )
    .en("Pupils in special primary education (municipality)"),
    det(
        "perc_vso_g",
        "Leerlingen in het voortgezet speciaal onderwijs (gemeente)",
        Percent,
        G,
        Kind,
        1,
    )
    .en("Pupils in special secondary education (municipality)"),
    det(
        "perc_praktijk_g",
        "Leerlingen in het praktijkonderwijs (gemeente)",
        Percent,
        G,
        Kind,
        1,
    )
    .en("Pupils in practical education (municipality)"),
    det(
        "perc_hhmk",
        "Huishoudens met kinderen",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households with children"),
    det(
        "perc_jong04",
        "Gezinnen met jongste kind van 0–4 jaar",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Families whose youngest child is 0–4 years old"),
    det(
        "perc_1ouder",
        "Eenouderhuishoudens",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Single-parent households"),
    det(
        "perc_tienmam",
        "Tienermoeders (gemeente)",
        Percent,
        G,
        OudersGezin,
        2,
    )
    .en("Teenage mothers (municipality)"),
    det(
        "perc_hhmkhgink",
        "Huishoudens met kinderen en een hoog inkomen",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households with children and a high income"),
    det(
        "perc_kind_sch5",
        "Kinderen met een scheiding in de afgelopen 5 jaar",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Children whose parents separated in the past 5 years"),
    det(
        "perc_ouderpsy",
        "Huishoudens met psychische medicatie",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households using psychiatric medication"),
    det(
        "perc_hhverd",
        "Huishoudens met een verdachte",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households with a crime suspect"),
    det(
        "perc_hhbijs",
        "Huishoudens met kinderen in de bijstand",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households with children on social assistance"),
    det(
        "perc_hhwan",
        "Huishoudens met een betalingsachterstand zorgverzekering",
        Percent,
        W,
        OudersGezin,
        1,
    )
    .en("Households in arrears on health insurance"),
    det(
        "groenedruk",
        "Groene druk (jongeren tot 20 jaar)",
        PerHundred,
        W,
        Omgeving,
        1,
    )
    .en("Youth dependency ratio (under 20)")
    .up_to(500.0),
    det(
        "grijzedruk",
        "Grijze druk (65-plussers)",
        PerHundred,
        W,
        Omgeving,
        1,
    )
    .en("Old-age dependency ratio (65 and over)")
    .up_to(1000.0),
    det(
        "perc_ao",
        "Inwoners met een arbeidsongeschiktheidsuitkering",
        Percent,
        W,
        Omgeving,
        1,
    )
    .en("Residents on a disability benefit"),
    det(
        "perc_laagopl",
        "Laagopgeleide inwoners",
        Percent,
        W,
        Omgeving,
        1,
    )
    .en("Residents with a low level of education"),
    det(
        "gem_gestink",
        "Gemiddeld gestandaardiseerd huishoudensinkomen",
        Euro,
        W,
        Omgeving,
        0,
    )
    .en("Mean standardised household income")
    .up_to(500_000.0),
    det(
        "polchrplus",
        "Stemmen op christelijke partijen (gemeente)",
        Percent,
        G,
        Omgeving,
        1,
    )
    .en("Votes for Christian parties (municipality)"),
    det(
        "perc_nwmig",
        "Inwoners met een niet-westerse migratieachtergrond",
        Percent,
        W,
        Omgeving,
        1,
    )
    .en("Residents with a non-western migration background"),
    det(
        "perc_antsur",
        "Inwoners met een Antilliaanse of Surinaamse achtergrond",
        Percent,
        W,
        Omgeving,
        1,
    )
    .en("Residents with an Antillean or Surinamese background"),
    det("perc_1gez", "Eengezinswoningen", Percent, W, Omgeving, 0).en("Single-family houses"),
    det(
        "huur_corp",
        "Huurwoningen van een corporatie",
        Percent,
        W,
        Omgeving,
        0,
    )
    .en("Rented homes owned by a housing association"),
    det(
        "woonwaarde",
        "Gemiddelde woningwaarde",
        ThousandEuro,
        W,
        Omgeving,
        0,
    )
    .en("Mean property value")
    .up_to(10_000.0),
    det(
        "afstandhuisarts",
        "Afstand tot de huisartsenpraktijk",
        Km,
        W,
        Omgeving,
        1,
    )
    .en("Distance to the GP practice")
    .up_to(100.0),
    det(
        "samenw",
        "Gemeente werkt in een samenwerkingsverband (gemeente)",
        YesNo,
        G,
        Omgeving,
        0,
    )
    .en("Municipality works in a partnership (municipality)"),
    det(
        "kleinewijk",
        "Kleine wijk (minder dan 1000 inwoners)",
        YesNo,
        W,
        Omgeving,
        0,
    )
    .en("Small district (fewer than 1000 residents)"),
];

// Every determinant has a finite range (a missing `up_to` fails the build).
const _: () = {
    let mut i = 0;
    while i < DETERMINANTS.len() {
        let (lo, hi) = DETERMINANTS[i].range;
        assert!(lo < hi && hi < f64::INFINITY);
        // Every determinant has an English label (a missing `.en` fails the build).
        assert!(!DETERMINANTS[i].label_en.is_empty());
        i += 1;
    }
};

/// How a missing value of a determinant is filled in SCP's specification
/// (`fit --impute scp`, docs/fidelity.md §5). Today's specification
/// (`fit --impute gemeente`) fills every determinant with the gemeente mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// A missing value is 0: CBS shares suppressed because the count is tiny.
    Zero,
    /// The gemeente mean over all wijken with a value, else the national mean.
    Mean,
}

/// The determinants whose missing values SCP set to 0 (inferred from its
/// published expected use, docs/fidelity.md §1: each choice lowers the RMSE
/// against `perc_przv`; every other determinant is better with the mean).
/// The one place this rule is written down; see [`Determinant::scp_missing`].
pub const SCP_ZERO_WHEN_MISSING: [&str; 7] = [
    "perc_hhmkhgink",
    "perc_ouderpsy",
    "perc_hhverd",
    "perc_hhbijs",
    "perc_hhwan",
    "perc_laagopl",
    "perc_sbo_g",
];

impl Determinant {
    /// The rule for a missing value in SCP's specification.
    pub fn scp_missing(&self) -> Missing {
        if SCP_ZERO_WHEN_MISSING.contains(&self.name) {
            Missing::Zero
        } else {
            Missing::Mean
        }
    }
}

/// The English label of a determinant by its data-file name (a model file
/// stores only the Dutch one; the English lives in this table).
pub fn label_en(name: &str) -> Option<&'static str> {
    find(name).map(|(_, d)| d.label_en)
}

/// Look a determinant up by its data-file name.
pub fn find(name: &str) -> Option<(usize, &'static Determinant)> {
    DETERMINANTS
        .iter()
        .enumerate()
        .find(|(_, d)| d.name == name)
}

/// Resolve a list of names (e.g. from `--determinants a,b,c`) to the table,
/// keeping the caller's order and refusing unknown or repeated names.
pub fn select(names: &[&str]) -> Result<Vec<&'static Determinant>, Text> {
    let mut out: Vec<&'static Determinant> = Vec::new();
    for raw in names {
        let name = raw.trim();
        let (_, d) = find(name).ok_or_else(|| {
            let known = DETERMINANTS
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(", ");
            text!(
                "onbekende determinant '{name}' (bekend: {known})",
                "unknown determinant '{name}' (known: {known})"
            )
        })?;
        if out.iter().any(|o| o.name == d.name) {
            return Err(text!(
                "determinant '{name}' staat twee keer in de lijst",
                "determinant '{name}' is twice in the list"
            ));
        }
        out.push(d);
    }
    if out.is_empty() {
        return Err(Text::new(
            "de lijst met determinanten is leeg",
            "the list of determinants is empty",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_determinant_unit_and_group_has_an_english_label_of_its_own() {
        for d in &DETERMINANTS {
            assert!(
                !d.label_en.is_empty() && d.label_en != d.label,
                "{}",
                d.name
            );
            assert_eq!(label_en(d.name), Some(d.label_en));
        }
        let mut en: Vec<_> = DETERMINANTS.iter().map(|d| d.label_en).collect();
        en.sort();
        en.dedup();
        assert_eq!(en.len(), 27, "English labels are distinct");
        assert_eq!(label_en("perc_1ouder"), Some("Single-parent households"));
        assert_eq!(label_en("onbekend"), None);
        assert_eq!(Unit::PerHundred.label_en(), "per 100 residents aged 20–64");
        assert_eq!(Unit::YesNo.label_en(), "yes/no");
        for g in [Group::Kind, Group::OudersGezin, Group::Omgeving] {
            assert_ne!(g.label(), g.label_en());
        }
    }

    #[test]
    fn names_are_unique_and_six_are_gemeente_level() {
        let mut names: Vec<_> = DETERMINANTS.iter().map(|d| d.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 27);
        let g: Vec<_> = DETERMINANTS
            .iter()
            .filter(|d| d.level == Level::Gemeente)
            .map(|d| d.name)
            .collect();
        assert_eq!(
            g,
            [
                "perc_sbo_g",
                "perc_vso_g",
                "perc_praktijk_g",
                "perc_tienmam",
                "polchrplus",
                "samenw"
            ]
        );
    }

    #[test]
    fn compact_numbers_read_back_and_stay_short() {
        for (v, want) in [
            (1e308, "1e308"),
            (-1e300, "-1e300"),
            (f64::MAX, "1.7976931348623157e308"),
            (5e-324, "5e-324"),
            (0.0, "0"),
            (12.5, "12.5"),
            (100.0, "100"),
            (500_000.0, "500000"),
            (0.001, "0.001"),
            (1e-7, "1e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(compact(v), want);
            assert_eq!(compact(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn one_check_for_values_and_changes() {
        let (_, g) = find("grijzedruk").unwrap();
        assert!(g.check_value(227.273).is_ok());
        assert!(g.check_value(1000.0).is_ok());
        let e = g.check_value(1e308).unwrap_err();
        assert!(e.contains("1e308") && e.contains("maximum van 1000"), "{e}");
        assert!(g.check_value(-1.0).unwrap_err().contains("negatief"));
        assert!(g.check_value(f64::NAN).is_err());
        assert!(g.check_change(-1000.0).is_ok());
        assert!(g
            .check_change(1000.5)
            .unwrap_err()
            .contains("-1000 en 1000"));
        let (_, y) = find("samenw").unwrap();
        assert!(y
            .check_value(2.0)
            .unwrap_err()
            .contains("0 (nee) of 1 (ja)"));
        assert!(
            y.check_value(0.5).is_ok(),
            "a mean, as the national profile has"
        );
        assert!(y.check_change(-1.0).is_ok() && y.check_change(2.0).is_err());
        assert!(!y.accepts(0.5) && y.accepts(1.0));
    }

    #[test]
    fn seven_determinants_are_zero_when_missing_in_scps_specification() {
        let zero: Vec<_> = DETERMINANTS
            .iter()
            .filter(|d| d.scp_missing() == Missing::Zero)
            .map(|d| d.name)
            .collect();
        assert_eq!(
            zero.len(),
            7,
            "every listed name is a determinant: {zero:?}"
        );
        assert_eq!(find("perc_1ouder").unwrap().1.scp_missing(), Missing::Mean);
        assert_eq!(find("perc_hhbijs").unwrap().1.scp_missing(), Missing::Zero);
    }

    #[test]
    fn select_rejects_unknown_and_repeated() {
        assert!(select(&["perc_1ouder", "perc_hhbijs"]).is_ok());
        assert!(select(&["perc_1ouder", "nope"])
            .unwrap_err()
            .contains("nope"));
        assert!(select(&["perc_1ouder", "perc_1ouder"])
            .unwrap_err()
            .contains("twee keer"));
        assert!(select(&[]).is_err());
    }
}
