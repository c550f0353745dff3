//! The one table of determinants: name (the data file's column), Dutch label, unit,
//! level and SCP group. Everything else (CLI, model file, wasm API, page) reads this.
//! Labels are shortened from SCP's variable dictionary (`scp/01_bronnen.csv`).

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

    /// Values a user may enter: shares stay in 0–100, yes/no in {0,1}, the rest ≥ 0.
    pub fn valid_range(self) -> (f64, f64) {
        match self {
            Unit::Percent => (0.0, 100.0),
            Unit::YesNo => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Determinant {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub level: Level,
    pub group: Group,
    /// Digits shown to users (the data's own precision, capped for readability).
    pub decimals: u8,
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
        unit,
        level,
        group,
        decimals,
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
    ),
    det(
        "perc_vso_g",
        "Leerlingen in het voortgezet speciaal onderwijs (gemeente)",
        Percent,
        G,
        Kind,
        1,
    ),
    det(
        "perc_praktijk_g",
        "Leerlingen in het praktijkonderwijs (gemeente)",
        Percent,
        G,
        Kind,
        1,
    ),
    det(
        "perc_hhmk",
        "Huishoudens met kinderen",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_jong04",
        "Gezinnen met jongste kind van 0–4 jaar",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_1ouder",
        "Eenouderhuishoudens",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_tienmam",
        "Tienermoeders (gemeente)",
        Percent,
        G,
        OudersGezin,
        2,
    ),
    det(
        "perc_hhmkhgink",
        "Huishoudens met kinderen en een hoog inkomen",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_kind_sch5",
        "Kinderen met een scheiding in de afgelopen 5 jaar",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_ouderpsy",
        "Huishoudens met psychische medicatie",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_hhverd",
        "Huishoudens met een verdachte",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_hhbijs",
        "Huishoudens met kinderen in de bijstand",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "perc_hhwan",
        "Huishoudens met een betalingsachterstand zorgverzekering",
        Percent,
        W,
        OudersGezin,
        1,
    ),
    det(
        "groenedruk",
        "Groene druk (jongeren tot 20 jaar)",
        PerHundred,
        W,
        Omgeving,
        1,
    ),
    det(
        "grijzedruk",
        "Grijze druk (65-plussers)",
        PerHundred,
        W,
        Omgeving,
        1,
    ),
    det(
        "perc_ao",
        "Inwoners met een arbeidsongeschiktheidsuitkering",
        Percent,
        W,
        Omgeving,
        1,
    ),
    det(
        "perc_laagopl",
        "Laagopgeleide inwoners",
        Percent,
        W,
        Omgeving,
        1,
    ),
    det(
        "gem_gestink",
        "Gemiddeld gestandaardiseerd huishoudensinkomen",
        Euro,
        W,
        Omgeving,
        0,
    ),
    det(
        "polchrplus",
        "Stemmen op christelijke partijen (gemeente)",
        Percent,
        G,
        Omgeving,
        1,
    ),
    det(
        "perc_nwmig",
        "Inwoners met een niet-westerse migratieachtergrond",
        Percent,
        W,
        Omgeving,
        1,
    ),
    det(
        "perc_antsur",
        "Inwoners met een Antilliaanse of Surinaamse achtergrond",
        Percent,
        W,
        Omgeving,
        1,
    ),
    det("perc_1gez", "Eengezinswoningen", Percent, W, Omgeving, 0),
    det(
        "huur_corp",
        "Huurwoningen van een corporatie",
        Percent,
        W,
        Omgeving,
        0,
    ),
    det(
        "woonwaarde",
        "Gemiddelde woningwaarde",
        ThousandEuro,
        W,
        Omgeving,
        0,
    ),
    det(
        "afstandhuisarts",
        "Afstand tot de huisartsenpraktijk",
        Km,
        W,
        Omgeving,
        1,
    ),
    det(
        "samenw",
        "Gemeente werkt in een samenwerkingsverband (gemeente)",
        YesNo,
        G,
        Omgeving,
        0,
    ),
    det(
        "kleinewijk",
        "Kleine wijk (minder dan 1000 inwoners)",
        YesNo,
        W,
        Omgeving,
        0,
    ),
];

/// Look a determinant up by its data-file name.
pub fn find(name: &str) -> Option<(usize, &'static Determinant)> {
    DETERMINANTS
        .iter()
        .enumerate()
        .find(|(_, d)| d.name == name)
}

/// Resolve a list of names (e.g. from `--determinants a,b,c`) to the table,
/// keeping the caller's order and refusing unknown or repeated names.
pub fn select(names: &[&str]) -> Result<Vec<&'static Determinant>, String> {
    let mut out: Vec<&'static Determinant> = Vec::new();
    for raw in names {
        let name = raw.trim();
        let (_, d) = find(name).ok_or_else(|| {
            format!(
                "onbekende determinant '{name}' (bekend: {})",
                DETERMINANTS
                    .iter()
                    .map(|d| d.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if out.iter().any(|o| o.name == d.name) {
            return Err(format!("determinant '{name}' staat twee keer in de lijst"));
        }
        out.push(d);
    }
    if out.is_empty() {
        return Err("de lijst met determinanten is leeg".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
