//! The commands that change files: `check --fix` (and `--diff`, which only shows the change)
//! and `check --add-suppressions`. Each works from a finished lint run, re-reads the file it
//! changes, checks the new text by linting it again, and writes only files it changed.

use super::apply::{FileFix, apply_edits, fix_text, syntax_errors};
use super::{diff, suppressions, write};
use crate::catalog::Format;
use crate::diagnostic::Diagnostic;
use crate::engine::{Outcome, Resolver, Settings, lint_source_with};
use crate::rules::PROJECT_RULES;
use crate::source::SourceFile;
use crate::suppress::UNUSED_CODE;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const BOM: &str = "\u{feff}";

/// What a run that changes files did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Findings fixed (or, with `--add-suppressions`, suppressed).
    pub findings: usize,
    /// Suppression comments written or extended (`--add-suppressions`).
    pub comments: usize,
    /// Files changed (or, with `--diff`, that would change).
    pub files: usize,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
}

/// A file's text as it is linted (without a byte-order mark, which is kept aside), or why
/// it cannot be rewritten.
fn read_text(path: &Path) -> Result<(Vec<u8>, bool, String), String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::discover::io_reason(&e)))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| {
        format!(
            "{}: not valid UTF-8; not rewritten (its invalid bytes would be lost)",
            path.display()
        )
    })?;
    match text.strip_prefix(BOM) {
        Some(rest) => Ok((bytes, true, rest.to_string())),
        None => Ok((bytes, false, text)),
    }
}

fn with_bom(bom: bool, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if bom {
        out.extend_from_slice(BOM.as_bytes());
    }
    out.extend_from_slice(text.as_bytes());
    out
}

/// The files whose findings have a fix that may be applied, with the format each was read as.
fn files_to_fix(outcome: &Outcome, unsafe_fixes: bool) -> Vec<(PathBuf, Format)> {
    let mut out: Vec<(PathBuf, Format)> = outcome
        .diagnostics
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.is_applicable(unsafe_fixes))
        })
        .filter_map(|d| Some((d.path.clone(), *outcome.formats.get(&d.path)?)))
        .collect();
    out.sort();
    out.dedup();
    out
}

struct Changed {
    path: PathBuf,
    original: Vec<u8>,
    bom: bool,
    old: String,
    fix: FileFix,
}

/// `--fix`, or with `diff` set `--diff`: applies the fixes of `outcome`'s findings to their
/// files (safe ones, and unsafe ones with `unsafe_fixes`) and writes the files that changed,
/// or prints their diff to `diff` instead.
pub fn fix_files(
    outcome: &Outcome,
    resolver: &Resolver,
    unsafe_fixes: bool,
    diff: Option<&mut dyn Write>,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let results: Vec<Result<Changed, String>> = files_to_fix(outcome, unsafe_fixes)
        .par_iter()
        .map(|(path, format)| {
            let settings = resolver
                .settings_for(path)
                .map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
            let (original, bom, old) = read_text(path)?;
            let fix = fix_text(path, old.clone(), *format, &settings, unsafe_fixes);
            Ok(Changed {
                path: path.clone(),
                original,
                bom,
                old,
                fix,
            })
        })
        .collect();
    let mut diff = diff;
    for result in results {
        let changed = match result {
            Ok(changed) => changed,
            Err(error) => {
                summary.errors.push(error);
                continue;
            }
        };
        summary.notes.extend(changed.fix.notes.iter().cloned());
        if changed.fix.fixed.is_empty() || changed.fix.text == changed.old {
            continue;
        }
        match diff.as_deref_mut() {
            Some(out) => {
                let shown = changed.path.display().to_string();
                out.write_all(diff::unified(&shown, &changed.old, &changed.fix.text).as_bytes())?;
            }
            None => {
                let new = with_bom(changed.bom, &changed.fix.text);
                if let Err(reason) = write::replace_file(&changed.path, &changed.original, &new) {
                    summary
                        .errors
                        .push(format!("{}: {reason}", changed.path.display()));
                    continue;
                }
            }
        }
        summary.files += 1;
        summary.findings += changed.fix.fixed.len();
    }
    Ok(summary)
}

/// `--fix` or `--diff` on standard input: the fixed text (or its diff), and what was fixed.
/// Text that was not valid UTF-8 is returned unchanged.
pub fn fix_stdin(
    name: &Path,
    bytes: &[u8],
    format: Format,
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<u8>, FileFix) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        let note = format!(
            "{}: standard input is not valid UTF-8; not fixed",
            name.display()
        );
        return (
            bytes.to_vec(),
            FileFix {
                notes: vec![note],
                ..FileFix::default()
            },
        );
    };
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let fix = fix_text(name, body.to_string(), format, settings, unsafe_fixes);
    (with_bom(bom, &fix.text), fix)
}

/// `--diff` for standard input.
pub fn stdin_diff(name: &Path, old: &[u8], new: &[u8]) -> String {
    diff::unified(
        &name.display().to_string(),
        &String::from_utf8_lossy(old),
        &String::from_utf8_lossy(new),
    )
}

fn is_project_rule(code: &str) -> bool {
    PROJECT_RULES.iter().any(|r| r.code == code)
}

/// `--add-suppressions`: a suppression comment for every finding of `outcome` (but unused
/// suppressions and syntax errors, which are not silenced), written into the files. A file
/// is written only when linting the new text shows each suppressed finding gone, no new
/// unused suppression and no new syntax error.
pub fn add_suppressions(outcome: &Outcome, resolver: &Resolver) -> Summary {
    let mut by_file: BTreeMap<&Path, Vec<&Diagnostic>> = BTreeMap::new();
    let mut summary = Summary::default();
    for d in &outcome.diagnostics {
        if d.code == UNUSED_CODE || d.code == "SYN001" {
            continue;
        }
        by_file.entry(d.path.as_path()).or_default().push(d);
    }
    let results: Vec<Result<FileSuppressions, String>> = by_file
        .par_iter()
        .map(|(path, findings)| suppress_file(outcome, resolver, path, findings))
        .collect();
    for result in results {
        match result {
            Ok(done) => {
                summary.notes.extend(done.notes);
                if done.comments > 0 {
                    summary.files += 1;
                    summary.comments += done.comments;
                    summary.findings += done.findings;
                }
            }
            Err(error) => summary.errors.push(error),
        }
    }
    summary
}

#[derive(Default)]
struct FileSuppressions {
    comments: usize,
    findings: usize,
    notes: Vec<String>,
}

fn suppress_file(
    outcome: &Outcome,
    resolver: &Resolver,
    path: &Path,
    findings: &[&Diagnostic],
) -> Result<FileSuppressions, String> {
    let mut done = FileSuppressions::default();
    let shown = path.display();
    let Some(&format) = outcome.formats.get(path) else {
        done.notes.push(format!(
            "{shown}: {} finding(s) here come from linting another file and cannot be suppressed in this one",
            findings.len()
        ));
        return Ok(done);
    };
    let settings = resolver
        .settings_for(path)
        .map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
    let (original, bom, text) = read_text(path)?;
    let source = SourceFile::new(path, text.clone());
    // Findings of rules that connect files are not found by linting this file alone.
    let extra: Vec<Diagnostic> = findings
        .iter()
        .filter(|d| is_project_rule(&d.code))
        .map(|d| (*d).clone())
        .collect();
    let before = lint_source_with(&source, format, &settings, extra.clone());
    // Only what linting this file finds can be suppressed in it (a finding placed here by
    // another file's lint answers to that file).
    let (targets, foreign): (Vec<&Diagnostic>, Vec<&Diagnostic>) = findings
        .iter()
        .partition(|d| before.iter().any(|b| b.code == d.code && b.span == d.span));
    for d in &foreign {
        let (line, _) = source.line_col(d.span.start);
        done.notes.push(format!(
            "{shown}:{line}: {} comes from linting another file; not suppressed here",
            d.code
        ));
    }
    let placed = suppressions::place_all(&source, format, settings.catalog(), &targets);
    for (code, line, why) in &placed.unplaced {
        done.notes.push(format!(
            "{shown}:{}: {code}: no place for a suppression comment ({why})",
            line + 1
        ));
    }
    if placed.edits.is_empty() {
        return Ok(done);
    }
    let new = apply_edits(&text, &placed.edits);
    let moved: Vec<Diagnostic> = extra
        .into_iter()
        .map(|mut d| {
            d.span.start = suppressions::shift(&placed.edits, d.span.start);
            d.span.end = suppressions::shift(&placed.edits, d.span.end);
            d
        })
        .collect();
    let after = lint_source_with(
        &SourceFile::new(path, new.clone()),
        format,
        &settings,
        moved,
    );
    let count = |list: &[Diagnostic], code: &str| list.iter().filter(|d| d.code == code).count();
    let mut placed_codes: BTreeMap<&str, usize> = BTreeMap::new();
    let unplaced: Vec<&str> = placed.unplaced.iter().map(|(c, ..)| c.as_str()).collect();
    for d in &targets {
        *placed_codes.entry(d.code.as_str()).or_default() += 1;
    }
    for code in &unplaced {
        if let Some(n) = placed_codes.get_mut(code) {
            *n -= 1;
        }
    }
    let still_reported = placed_codes
        .iter()
        .any(|(code, n)| count(&after, code) + n > count(&before, code));
    let new_unused = count(&after, UNUSED_CODE) > count(&before, UNUSED_CODE);
    let broken = syntax_errors(path, &new, format, &settings)
        > syntax_errors(path, &text, format, &settings);
    if still_reported || new_unused || broken {
        let why = if broken {
            "they would make the file unparseable"
        } else if new_unused {
            "linting again reports some of them as unused"
        } else {
            "linting again still reports some of the findings"
        };
        done.notes.push(format!(
            "{shown}: suppressions not added: {why} (please report this)"
        ));
        return Ok(done);
    }
    write::replace_file(path, &original, &with_bom(bom, &new))
        .map_err(|reason| format!("{shown}: {reason}"))?;
    done.comments = placed.comments;
    done.findings = placed.findings;
    Ok(done)
}

/// The line the pretty summary ends with when findings have fixes:
/// `3 fixable with --fix (2 more with --fix --unsafe-fixes).`
pub fn fixable_hint(outcome: &Outcome, unsafe_fixes: bool) -> Option<String> {
    let count = |applicability: super::Applicability| {
        outcome
            .diagnostics
            .iter()
            .filter(|d| outcome.formats.contains_key(&d.path))
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == applicability)
            })
            .count()
    };
    let (safe, risky) = (
        count(super::Applicability::Safe),
        count(super::Applicability::Unsafe),
    );
    match (safe, risky) {
        (0, 0) => None,
        (n, m) if unsafe_fixes => Some(format!("{} fixable with `--fix --unsafe-fixes`.", n + m)),
        (0, m) => Some(format!("{m} fixable with `--fix --unsafe-fixes`.")),
        (n, 0) => Some(format!("{n} fixable with `--fix`.")),
        (n, m) => Some(format!(
            "{n} fixable with `--fix` ({m} more with `--fix --unsafe-fixes`)."
        )),
    }
}
