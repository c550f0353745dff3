//! Shared test plumbing: where the data and the lme4 reference fixtures live.
#![allow(dead_code)]

use jeugdhulp_wijk::data::{self, Dataset};
use jeugdhulp_wijk::model::{self, Model};
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn data_dir() -> PathBuf {
    std::env::var_os("JEUGDHULP_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data")))
}

/// The lme4 fits the fitter must reproduce (committed test fixtures, see its README).
pub fn reference_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lme4"))
}

pub fn wijk_csv() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(data_dir().join(data::WIJK_FILE))
            .expect("the wijk file in the data directory")
    })
}

pub fn dataset() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| {
        let mut ds =
            Dataset::from_csv(data::WIJK_FILE, wijk_csv()).expect("the real data validates");
        let youth = std::fs::read_to_string(data_dir().join(data::YOUTH_FILE))
            .expect("the kerncijfers file in the data directory");
        ds.attach_youth(data::YOUTH_FILE, &youth)
            .expect("the kerncijfers validate");
        ds
    })
}

/// The default model (all 27 determinants), fitted once per test binary.
pub fn full_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        model::fit_model(
            dataset(),
            &model::default_determinants(),
            data::WIJK_FILE,
            "test",
        )
        .expect("the default fit")
    })
}

/// The model in SCP's specification (the CLI's default), fitted once per test binary.
pub fn scp_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let input = model::Input {
            file: data::WIJK_FILE,
            sha256: "test",
            youth_file: data::YOUTH_FILE,
            youth_sha256: "test",
        };
        model::fit_model_with(
            dataset(),
            &model::default_determinants(),
            model::Spec::Scp,
            &input,
        )
        .expect("the SCP-specification fit")
    })
}

/// A JSON file, gunzipped first when its name ends in `.gz`.
pub fn read_json(path: PathBuf) -> serde_json::Value {
    use std::io::Read;
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parse a path written by `geo` back into absolute rings (map units), to check what
/// the site's geometry holds. Each ring is returned closed (first point
/// repeated at the end).
pub fn parse_path(d: &str) -> Result<Vec<Vec<[i64; 2]>>, String> {
    let mut rings = Vec::new();
    let mut cur: Vec<[i64; 2]> = Vec::new();
    let mut nums: Vec<i64> = Vec::new();
    let mut cmd = ' ';
    let flush = |cmd: char, nums: &mut Vec<i64>, cur: &mut Vec<[i64; 2]>| -> Result<(), String> {
        if !nums.len().is_multiple_of(2) {
            return Err(format!("odd number of coordinates after {cmd}"));
        }
        for pair in nums.chunks_exact(2) {
            match cmd {
                'M' => cur.push([pair[0], pair[1]]),
                'l' => {
                    let last = *cur.last().ok_or("l before M")?;
                    cur.push([last[0] + pair[0], last[1] + pair[1]]);
                }
                _ => return Err(format!("unexpected command {cmd:?}")),
            }
        }
        nums.clear();
        Ok(())
    };
    let bytes = d.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match c {
            'M' | 'l' | 'z' => {
                flush(cmd, &mut nums, &mut cur)?;
                if c == 'z' {
                    if cur.is_empty() {
                        return Err("z without a ring".into());
                    }
                    let first = cur[0];
                    cur.push(first);
                    rings.push(std::mem::take(&mut cur));
                    cmd = ' ';
                } else {
                    if c == 'M' && !cur.is_empty() {
                        return Err("M inside an unclosed ring".into());
                    }
                    cmd = c;
                }
                i += 1;
            }
            ' ' => i += 1,
            '-' | '0'..='9' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                nums.push(
                    d[start..i]
                        .parse()
                        .map_err(|e| format!("bad number: {e}"))?,
                );
            }
            _ => return Err(format!("unexpected character {c:?}")),
        }
    }
    if !nums.is_empty() || !cur.is_empty() {
        return Err("path ends inside an unclosed ring".into());
    }
    Ok(rings)
}

/// A CSV output's field: row `row` (0 is the header) of the column named `name`.
pub fn cell<'a>(rows: &'a [Vec<String>], row: usize, name: &str) -> &'a str {
    let c = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    &rows[row][c]
}
