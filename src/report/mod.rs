//! Renderers: the same diagnostics as pretty snippets, concise lines or JSON.

mod ci;
mod json;
mod pretty;
mod sarif;

use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Pretty,
    Concise,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

pub struct RenderOptions {
    pub color: bool,
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
    }
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

/// Findings per rule, most frequent first: `count  CODE  name`.
pub fn statistics(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: Vec<(usize, &str, &str)> = Vec::new();
    for d in &outcome.diagnostics {
        match counts.iter_mut().find(|(_, code, _)| *code == d.code) {
            Some(entry) => entry.0 += 1,
            None => counts.push((1, &d.code, &d.name)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let width = counts.first().map_or(1, |c| c.0.to_string().len());
    for (count, code, name) in &counts {
        writeln!(out, "{count:>width$}  {code}  {name}")?;
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
