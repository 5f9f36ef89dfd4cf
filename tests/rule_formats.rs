//! Every format a rule's catalog entry lists (`formats:` in `rules/CODE.yaml`) is shown to work
//! in that format: a catalog example or a fixture where the rule fires in a file of that
//! format, and one in that format where it stays quiet. And a rule reports only in formats it
//! lists. A listed format with no case is either untested or wrongly listed.

mod common;

use deploylint::catalog::{self, Format};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The files of `dir` (relative to the repository) where `code` reports, as the binary runs.
fn files_reported(dir: &str, code: &str) -> BTreeSet<PathBuf> {
    let out = common::run(
        &["check", "--output-format", "json", "--isolated", dir],
        &common::manifest_dir(),
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{dir}: {}",
        common::stderr(&out)
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    items
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| common::manifest_dir().join(d["path"].as_str().unwrap()))
        .collect()
}

#[test]
fn every_listed_format_has_a_bad_and_a_good_case() {
    let mut failures = Vec::new();
    for entry in catalog::catalog() {
        let code = entry.code.as_str();
        let root = common::manifest_dir().join("fixtures").join(code);
        // Where each side is covered, and by what (for the failure message).
        let mut bad: BTreeMap<Format, String> = BTreeMap::new();
        let mut good: BTreeMap<Format, String> = BTreeMap::new();
        for (i, ex) in entry.examples.iter().enumerate() {
            let name = format!("catalog example {}", i + 1);
            if ex.bad.is_some() {
                bad.entry(ex.format).or_insert_with(|| name.clone());
            }
            if ex.good.is_some() {
                good.entry(ex.format).or_insert(name);
            }
        }
        for path in files_reported(&format!("fixtures/{code}/bad"), code) {
            match common::format_of(&path) {
                Some(format) => {
                    if !entry.formats.contains(&format) {
                        failures.push(format!(
                            "{code} reports in {}, a {} file, but `formats:` does not list {}",
                            path.display(),
                            format.as_str(),
                            format.as_str()
                        ));
                    }
                    bad.entry(format)
                        .or_insert_with(|| path.display().to_string());
                }
                // A file read through another (an env file, an included config): its
                // format is the reader's, which its own finding does not say.
                None => continue,
            }
        }
        for path in common::files_under(&root.join("good")) {
            if let Some(format) = common::format_of(&path) {
                good.entry(format)
                    .or_insert_with(|| path.display().to_string());
            }
        }
        for format in &entry.formats {
            let name = format.as_str();
            if !bad.contains_key(format) {
                failures.push(format!(
                    "{code} lists {name} but no catalog example or fixture shows it firing in a file of that format"
                ));
            }
            if !good.contains_key(format) {
                failures.push(format!(
                    "{code} lists {name} but no catalog example or good fixture is a file of that format"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
