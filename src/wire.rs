//! The page's data in a compact binary form (issue 11, the first view on a phone): the
//! model compiled into the wasm, and the site data and wijk values it fetches. The same
//! serde types as the JSON files, written with `postcard`, so the page's wasm needs no
//! JSON parser (serde_json was about a quarter of its code) and nothing is parsed from
//! text. Columns of numbers are written as decimal integers where that is lossless
//! ([`Column`]), which gzip packs about as well as the JSON text and which reads back bit
//! for bit.
//!
//! A file starts with `JHW`, a kind byte and a format version, so a wrong or stale file is
//! named as such rather than misread.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;

/// What a binary file holds (its fourth byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The browser's model ([`crate::model::Model`], `model.browser.bin`).
    Model,
    /// The wijken, gemeenten and regio's ([`crate::site::SiteData`], `site.bin`).
    Site,
    /// The per-wijk determinant values ([`crate::site::ValuesFile`], `wijkwaarden.bin`).
    Values,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::Model => b'M',
            Kind::Site => b'S',
            Kind::Values => b'V',
        }
    }

    /// The file's name on the site, for messages.
    pub fn file(self) -> &'static str {
        match self {
            Kind::Model => "model.browser.bin",
            Kind::Site => "site.bin",
            Kind::Values => "wijkwaarden.bin",
        }
    }
}

const MAGIC: &[u8; 3] = b"JHW";
/// Raised whenever a type written here changes shape: postcard writes fields by position.
pub const FORMAT_VERSION: u8 = 1;

thread_local! {
    // Set while `encode` runs (native, at build time); see `skip_none`.
    static ENCODING: Cell<bool> = const { Cell::new(false) };
}

fn encoding() -> bool {
    ENCODING.with(Cell::get)
}

// `skip_serializing_if` predicates for fields the JSON files leave out when empty (older
// files lack them). postcard writes fields by position and cannot skip one, so while
// `encode` runs nothing is skipped.
pub fn skip_none<T>(v: &Option<T>) -> bool {
    v.is_none() && !encoding()
}

pub fn skip_empty<T>(v: &[T]) -> bool {
    v.is_empty() && !encoding()
}

pub fn skip_false(v: &bool) -> bool {
    !*v && !encoding()
}

/// `value` as a binary file of `kind`.
pub fn encode<T: Serialize>(kind: Kind, value: &T) -> Result<Vec<u8>, String> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            ENCODING.with(|e| e.set(false));
        }
    }
    ENCODING.with(|e| e.set(true));
    let _reset = Reset;
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(MAGIC);
    out.push(kind.byte());
    out.push(FORMAT_VERSION);
    postcard::to_extend(value, out).map_err(|e| format!("{}: {e}", kind.file()))
}

/// Read a binary file of `kind`; the message names the file and what is wrong with it.
pub fn decode<T: DeserializeOwned>(kind: Kind, bytes: &[u8]) -> Result<T, String> {
    let name = kind.file();
    if bytes.len() < 5 || &bytes[..3] != MAGIC {
        return Err(format!(
            "{name}: geen gegevensbestand van jeugdhulp-wijk ({} bytes)",
            bytes.len()
        ));
    }
    if bytes[3] != kind.byte() {
        let other = [Kind::Model, Kind::Site, Kind::Values]
            .into_iter()
            .find(|k| k.byte() == bytes[3])
            .map_or("onbekend bestand", Kind::file);
        return Err(format!("{name}: dit is {other}"));
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(format!(
            "{name}: formaatversie {}, dit programma leest versie {FORMAT_VERSION}",
            bytes[4]
        ));
    }
    match postcard::take_from_bytes::<T>(&bytes[5..]) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(format!(
            "{name}: {} bytes over na het einde van de gegevens",
            rest.len()
        )),
        Err(e) => Err(format!("{name}: onleesbaar of afgebroken ({e})")),
    }
}

/// A column of optional numbers. Published figures have few decimals: as integers
/// m / 10^decimals they are short varints, where an f64 takes 8 bytes that gzip cannot
/// shrink. `Decimal` is chosen only when every value reads back with the same bits;
/// otherwise the column is written as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Column {
    Decimal {
        decimals: u8,
        values: Vec<Option<i64>>,
    },
    Raw(Vec<Option<f64>>),
}

/// 10^k for the decimals tried; exact in f64, so m / 10^k is correctly rounded: the f64
/// nearest the decimal number, the same one a JSON or CSV reader gives.
const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/// Integers up to 2^53 are exact in f64.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Column {
    pub fn encode(values: &[Option<f64>]) -> Column {
        for (decimals, &scale) in POW10.iter().enumerate() {
            let ints: Option<Vec<Option<i64>>> = values
                .iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(x) => {
                        let m = (x * scale).round();
                        // Checked as decode reads it: from the integer (-0.0 becomes 0).
                        let back = (m as i64) as f64 / scale;
                        (m.abs() < EXACT && back.to_bits() == x.to_bits()).then_some(Some(m as i64))
                    }
                })
                .collect();
            if let Some(values) = ints {
                return Column::Decimal {
                    decimals: decimals as u8,
                    values,
                };
            }
        }
        Column::Raw(values.to_vec())
    }

    pub fn decode(self) -> Result<Vec<Option<f64>>, String> {
        match self {
            Column::Raw(v) => Ok(v),
            Column::Decimal { decimals, values } => {
                let scale = *POW10
                    .get(decimals as usize)
                    .ok_or_else(|| format!("kolom met {decimals} decimalen"))?;
                Ok(values
                    .into_iter()
                    .map(|m| m.map(|m| m as f64 / scale))
                    .collect())
            }
        }
    }
}

/// `#[serde(with = "crate::wire::column")]` for a `Vec<Option<f64>>`: a plain array in
/// JSON, a [`Column`] in the binary form.
pub mod column {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[Option<f64>], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            Column::encode(v).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<f64>>, D::Error> {
        if d.is_human_readable() {
            Vec::deserialize(d)
        } else {
            Column::deserialize(d)?
                .decode()
                .map_err(serde::de::Error::custom)
        }
    }
}

/// The same for a list of columns (`Vec<Vec<Option<f64>>>`).
pub mod columns {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[Vec<Option<f64>>], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            let c: Vec<Column> = v.iter().map(|c| Column::encode(c)).collect();
            c.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<Option<f64>>>, D::Error> {
        if d.is_human_readable() {
            Vec::deserialize(d)
        } else {
            Vec::<Column>::deserialize(d)?
                .into_iter()
                .map(Column::decode)
                .collect::<Result<_, _>>()
                .map_err(serde::de::Error::custom)
        }
    }
}

/// The same for a column without gaps (`Vec<f64>`).
pub mod dense_column {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.serialize(s)
        } else {
            let o: Vec<Option<f64>> = v.iter().copied().map(Some).collect();
            Column::encode(&o).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        if d.is_human_readable() {
            Vec::deserialize(d)
        } else {
            let v = Column::deserialize(d)?
                .decode()
                .map_err(serde::de::Error::custom)?;
            v.into_iter()
                .map(|x| {
                    x.ok_or_else(|| serde::de::Error::custom("lege waarde in een volle kolom"))
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_columns_read_back_bit_for_bit() {
        let v = vec![Some(12.3), None, Some(-0.001), Some(1e6), Some(0.1 + 0.2)];
        let c = Column::encode(&v[..4]);
        assert!(matches!(c, Column::Decimal { decimals: 3, .. }), "{c:?}");
        let back = c.decode().unwrap();
        for (a, b) in v[..4].iter().zip(&back) {
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
        }
        // 0.30000000000000004 has no short decimal form, and -0 is not +0: both stay raw.
        assert!(matches!(Column::encode(&v), Column::Raw(_)));
        assert!(matches!(Column::encode(&[Some(-0.0)]), Column::Raw(_)));
    }

    #[test]
    fn a_wrong_file_is_named() {
        let bytes = encode(Kind::Site, &vec![1u32, 2, 3]).unwrap();
        assert_eq!(
            decode::<Vec<u32>>(Kind::Site, &bytes).unwrap(),
            vec![1, 2, 3]
        );
        let e = decode::<Vec<u32>>(Kind::Values, &bytes).unwrap_err();
        assert!(e.contains("wijkwaarden.bin: dit is site.bin"), "{e}");
        let e = decode::<Vec<u32>>(Kind::Site, b"{\"a\": 1}").unwrap_err();
        assert!(e.contains("geen gegevensbestand"), "{e}");
        let mut newer = bytes.clone();
        newer[4] = FORMAT_VERSION + 1;
        let e = decode::<Vec<u32>>(Kind::Site, &newer).unwrap_err();
        assert!(e.contains("formaatversie"), "{e}");
        let e = decode::<Vec<u32>>(Kind::Site, &bytes[..bytes.len() - 1]).unwrap_err();
        assert!(e.contains("afgebroken"), "{e}");
        let mut longer = bytes.clone();
        longer.push(0);
        let e = decode::<Vec<u32>>(Kind::Site, &longer).unwrap_err();
        assert!(e.contains("1 bytes over"), "{e}");
    }
}
