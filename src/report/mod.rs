//! Renderers: the same diagnostics as pretty snippets, concise lines, JSON, SARIF, CI formats.

mod ci;
mod grouped;
mod json;
mod json_lines;
mod junit;
mod pretty;
mod sarif;

use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Annotated source snippets and a summary line.
    Pretty,
    /// `path:line:col: CODE message`, one finding per line.
    Concise,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// One JSON object per finding per line.
    JsonLines,
    /// JUnit XML: a test suite per file with findings, a failing test case per finding.
    Junit,
    /// Findings under a header per file.
    Grouped,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Only the findings: no summary line.
    pub quiet: bool,
}

pub fn render(
    outcome: &Outcome,
    format: OutputFormat,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Pretty => pretty::render(outcome, options, out),
        OutputFormat::Concise => concise(outcome, out),
        OutputFormat::Json => json::render(outcome, out),
        OutputFormat::Sarif => sarif::render(outcome, out),
        OutputFormat::Github => ci::github(outcome, out),
        OutputFormat::Gitlab => ci::gitlab(outcome, out),
        OutputFormat::JsonLines => json_lines::render(outcome, out),
        OutputFormat::Junit => junit::render(outcome, out),
        OutputFormat::Grouped => grouped::render(outcome, options, out),
    }
}

/// Where a built-in rule's documentation lives: its catalog entry in the repository. Rules
/// from users' packs have none here.
pub fn documentation_url(code: &str) -> Option<String> {
    crate::catalog::catalog()
        .iter()
        .any(|e| e.code == code)
        .then(|| {
            format!(
                "{}/blob/main/rules/{code}.yaml",
                env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
            )
        })
}

/// One line per finding: `path:line:col: CODE message`, columns counted in characters.
fn concise(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for d in &outcome.diagnostics {
        let (line, col) = position(outcome, d);
        writeln!(
            out,
            "{}:{line}:{col}: {} {}",
            d.path.display(),
            d.code,
            d.message
        )?;
    }
    Ok(())
}

/// Whether `--statistics` can be written in `format`: as text (`pretty`, `concise`) or as
/// JSON; the other formats describe findings, not counts.
pub fn statistics_supported(format: OutputFormat) -> bool {
    matches!(
        format,
        OutputFormat::Pretty | OutputFormat::Concise | OutputFormat::Json | OutputFormat::JsonLines
    )
}

#[derive(serde::Serialize)]
struct RuleCount<'a> {
    code: &'a str,
    name: &'a str,
    count: usize,
}

/// Findings per rule, most frequent first: `count  CODE  name` lines and the summary, or a
/// JSON array (one object per line for `json-lines`) of `{code, name, count}`.
pub fn statistics(
    outcome: &Outcome,
    format: OutputFormat,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut counts: Vec<RuleCount<'_>> = Vec::new();
    for d in &outcome.diagnostics {
        match counts.iter_mut().find(|c| c.code == d.code) {
            Some(entry) => entry.count += 1,
            None => counts.push(RuleCount {
                code: &d.code,
                name: &d.name,
                count: 1,
            }),
        }
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &counts)?;
            return writeln!(out);
        }
        OutputFormat::JsonLines => {
            for count in &counts {
                serde_json::to_writer(&mut *out, count)?;
                writeln!(out)?;
            }
            return Ok(());
        }
        _ => {}
    }
    let width = counts.first().map_or(1, |c| c.count.to_string().len());
    for RuleCount { code, name, count } in &counts {
        writeln!(out, "{count:>width$}  {code}  {name}")?;
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", summary(outcome))
}

/// One-based start line and character column of a diagnostic.
pub fn position(outcome: &Outcome, d: &Diagnostic) -> (usize, usize) {
    outcome
        .source(&d.path)
        .map_or((1, 1), |s| s.line_col(s.clamp(d.span).start))
}

/// `3 problems (1 error, 2 warnings) in 2 files`.
pub fn summary(outcome: &Outcome) -> String {
    let n = outcome.diagnostics.len();
    let files = outcome.sources.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if n == 0 {
        return format!("No problems found in {}.", plural(files, "file"));
    }
    let mut parts = Vec::new();
    for (severity, word) in [
        (crate::diagnostic::Severity::Error, "error"),
        (crate::diagnostic::Severity::Warning, "warning"),
        (crate::diagnostic::Severity::Info, "info"),
    ] {
        let count = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count();
        if count > 0 {
            parts.push(if word == "info" {
                format!("{count} info")
            } else {
                plural(count, word)
            });
        }
    }
    let with_findings = {
        let mut paths: Vec<_> = outcome.diagnostics.iter().map(|d| &d.path).collect();
        paths.dedup();
        paths.len()
    };
    format!(
        "{} ({}) in {}",
        plural(n, "problem"),
        parts.join(", "),
        plural(with_findings, "file")
    )
}
