//! Shared helpers for integration tests that run the real binary.
#![allow(dead_code)]

use deploylint::catalog::Format;
use deploylint::kinds::{self, Detection};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deploylint"));
    cmd.env_remove("NO_COLOR");
    cmd
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run deploylint")
}

/// A temporary project holding `files` (`(relative path, content)`), directories created.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `../shared/corpus/realworld` beside the clone, or `$DEPLOYLINT_CORPUS`. Users' fresh clones
/// do not have it, so tests skip with a message, unless `DEPLOYLINT_REQUIRE_CORPUS=1` (CI),
/// where a missing corpus fails.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DEPLOYLINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/corpus/realworld"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("DEPLOYLINT_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!(
            "corpus not found at {} and DEPLOYLINT_REQUIRE_CORPUS=1",
            dir.display()
        );
    }
    eprintln!("skipping: corpus not found at {}", dir.display());
    None
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The format discovery gives the file at `path`: by name, else by content.
pub fn format_of(path: &Path) -> Option<Format> {
    match kinds::detect_by_name(path) {
        Detection::Known(format) => Some(format),
        Detection::NeedsContent => {
            let text = String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned();
            kinds::detect_by_content(path, &text, false)
        }
        Detection::Unknown => None,
    }
}

/// The first `at` bytes of `text`, shortened to end on a character boundary: a file cut
/// mid-way, for tests that truncated input never panics.
pub fn prefix(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}
