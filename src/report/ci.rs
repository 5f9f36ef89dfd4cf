//! Formats for CI services: GitHub Actions workflow commands and GitLab Code Quality JSON.

use crate::baseline;
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use serde_json::json;
use std::io::{self, Write};

/// Workflow commands need `%`, CR and LF escaped in messages, and also `:` and `,` in
/// properties.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE::message`
pub fn github(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for d in &outcome.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (start, end) = match outcome.source(&d.path) {
            Some(s) => {
                let span = s.clamp(d.span);
                (s.line_col(span.start), s.line_col(span.end))
            }
            None => ((1, 1), (1, 1)),
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.path.display().to_string()),
            start.0,
            start.1,
            end.0,
            end.1,
            escape_property(&format!("{} {}", d.code, d.name)),
            escape_data(&d.message),
        )?;
    }
    Ok(())
}

/// GitLab Code Quality report: an array of issues with a fingerprint each.
pub fn gitlab(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let fingerprints =
        baseline::fingerprints(&std::env::current_dir().unwrap_or_default(), outcome);
    let issues: Vec<_> = outcome
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let (begin, end) = match outcome.source(&d.path) {
                Some(s) => {
                    let span = s.clamp(d.span);
                    (s.line_col(span.start).0, s.line_col(span.end).0)
                }
                None => (1, 1),
            };
            json!({
                "type": "issue",
                "check_name": d.code,
                "description": format!("{} {}: {}", d.code, d.name, d.message),
                "categories": ["Security"],
                "severity": match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "info",
                },
                "fingerprint": fingerprint,
                "location": {
                    "path": baseline::relative(&std::env::current_dir().unwrap_or_default(), &d.path),
                    "lines": { "begin": begin, "end": end },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
