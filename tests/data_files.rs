//! The frozen inputs in data/ are exactly the files listed in data/SHA256SUMS, each with
//! its checksum, and each is described in data/README.md. This checks the repository's
//! own copy, whatever JEUGDHULP_DATA says.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
/// Files in data/ that document the others rather than being inputs.
const ABOUT: [&str; 2] = ["README.md", "SHA256SUMS"];

/// (path relative to data/, sha256 hex) from SHA256SUMS (`sha256sum` format).
fn listed() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(DATA).join("SHA256SUMS")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let (sum, file) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("SHA256SUMS line {}: not `sum  file`: {line:?}", i + 1));
            assert_eq!(sum.len(), 64, "SHA256SUMS line {}: {sum:?}", i + 1);
            (file.to_string(), sum.to_string())
        })
        .collect()
}

fn files_under(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, base, out);
        } else {
            out.insert(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

#[test]
fn every_file_matches_its_checksum() {
    let listed = listed();
    assert!(listed.len() >= 8, "SHA256SUMS lists {} files", listed.len());
    let mut wrong = Vec::new();
    for (file, sum) in &listed {
        let bytes = std::fs::read(Path::new(DATA).join(file)).unwrap_or_else(|e| {
            panic!("data/{file} is listed in SHA256SUMS but cannot be read: {e}")
        });
        let got = format!("{:x}", Sha256::digest(&bytes));
        if &got != sum {
            wrong.push(format!("data/{file}: sha256 {got}, SHA256SUMS says {sum}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_file_is_listed_and_described() {
    let mut present = BTreeSet::new();
    files_under(Path::new(DATA), Path::new(DATA), &mut present);
    for about in ABOUT {
        assert!(present.remove(about), "data/{about} is missing");
    }
    let listed: BTreeSet<String> = listed().into_iter().map(|(f, _)| f).collect();
    let unlisted: Vec<_> = present.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "in data/ but not in SHA256SUMS: {unlisted:?}"
    );
    let missing: Vec<_> = listed.difference(&present).collect();
    assert!(
        missing.is_empty(),
        "in SHA256SUMS but not in data/: {missing:?}"
    );

    let readme = std::fs::read_to_string(Path::new(DATA).join("README.md")).unwrap();
    let undescribed: Vec<_> = listed
        .iter()
        .filter(|f| !readme.contains(&format!("`{f}`")))
        .collect();
    assert!(
        undescribed.is_empty(),
        "not described in data/README.md: {undescribed:?}"
    );
    for credit in [
        "Bron: SCP, Jeugdhulp in de wijk (2020)",
        "Bron: CBS",
        "Bron: CBS, Kadaster",
    ] {
        assert!(
            readme.contains(credit),
            "data/README.md lacks the credit line {credit:?}"
        );
    }
}
