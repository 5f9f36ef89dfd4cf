//! Baselines let an existing repository adopt deploylint and fail only on new findings. A
//! finding is recorded by rule, file and the whitespace-normalised text of the lines it
//! points at, so it still matches after lines move; each recorded finding absorbs one finding
//! only, so a second identical one in the same file is new.

use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Entry {
    path: String,
    code: String,
    /// The offending lines, whitespace collapsed.
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

pub struct Baseline {
    dir: PathBuf,
    counts: HashMap<Entry, usize>,
}

/// The lines a finding points at, whitespace collapsed: stable when lines move or are
/// re-indented, different when the offending text changes.
pub fn normalized_text(source: &SourceFile, d: &Diagnostic) -> String {
    let span = source.clamp(d.span);
    let first = source.line_index(span.start);
    let last = if span.is_empty() {
        first
    } else {
        source.line_index(span.end - 1)
    };
    let start = source.line_span(first).start;
    let end = source.line_span(last).end;
    source.text()[start..end.max(start)]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `path` relative to `dir` with `/` separators, so a baseline works from any directory and
/// on any machine.
pub fn relative(dir: &Path, path: &Path) -> String {
    let absolute = canonical(path);
    let rel = absolute.strip_prefix(dir).unwrap_or(&absolute);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A stable identifier for each finding, for tools that track findings across runs (SARIF
/// `partialFingerprints`, GitLab `fingerprint`): rule, path relative to `dir`, offending text,
/// and which occurrence of that triple it is.
pub fn fingerprints(dir: &Path, outcome: &Outcome) -> Vec<String> {
    let mut seen: HashMap<Entry, usize> = HashMap::new();
    let mut out = vec![String::new(); outcome.diagnostics.len()];
    for (i, entry) in entries(dir, outcome) {
        let n = seen.entry(entry.clone()).or_insert(0);
        *n += 1;
        let key = format!("{}\0{}\0{}\0{}", entry.code, entry.path, entry.text, n);
        out[i] = format!("{:016x}", fnv1a(key.as_bytes()));
    }
    out
}

/// FNV-1a, 64-bit: a fixed, documented hash, so fingerprints never change between builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn entries(dir: &Path, outcome: &Outcome) -> Vec<(usize, Entry)> {
    outcome
        .diagnostics
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let source = outcome.source(&d.path)?;
            Some((
                i,
                Entry {
                    path: relative(dir, &d.path),
                    code: d.code.clone(),
                    text: normalized_text(source, d),
                },
            ))
        })
        .collect()
}

/// The canonical form of a path (`..` and symlinks resolved), or its absolute form when it
/// does not exist.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn dir_of(file: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    canonical(absolute.parent().unwrap_or(Path::new("/")))
}

/// Records every finding of `outcome` in `file` (the one file deploylint writes).
pub fn write(file: &Path, outcome: &Outcome) -> io::Result<()> {
    let dir = dir_of(file);
    let mut findings: Vec<Entry> = entries(&dir, outcome).into_iter().map(|(_, e)| e).collect();
    findings.sort_by(|a, b| (&a.path, &a.code, &a.text).cmp(&(&b.path, &b.code, &b.text)));
    let json = serde_json::to_string_pretty(&BaselineFile {
        version: VERSION,
        findings,
    })
    .map_err(io::Error::other)?;
    std::fs::write(file, json + "\n")
}

impl Baseline {
    pub fn load(file: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            format!(
                "{}: cannot read baseline: {}",
                file.display(),
                crate::discover::io_reason(&e)
            )
        })?;
        let parsed: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a deploylint baseline: {e}", file.display()))?;
        if parsed.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {VERSION})",
                file.display(),
                parsed.version
            ));
        }
        let mut counts = HashMap::new();
        let builtin = crate::catalog::Catalog::builtin();
        for mut entry in parsed.findings {
            // A rule merged into another is recorded under its old code (an alias).
            if let Some(rule) = builtin.lookup(&entry.code) {
                entry.code = rule.code.clone();
            }
            *counts.entry(entry).or_insert(0) += 1;
        }
        Ok(Baseline {
            dir: dir_of(file),
            counts,
        })
    }

    /// Drops the findings the baseline records, each record absorbing one finding.
    pub fn filter(mut self, outcome: &mut Outcome) {
        let mut known = vec![false; outcome.diagnostics.len()];
        for (i, entry) in entries(&self.dir, outcome) {
            if let Some(count) = self.counts.get_mut(&entry)
                && *count > 0
            {
                *count -= 1;
                known[i] = true;
            }
        }
        let mut index = 0;
        outcome.diagnostics.retain(|_| {
            index += 1;
            !known[index - 1]
        });
    }
}
