//! JSON output: an array of findings with one-based, character-counted positions.

use crate::engine::Outcome;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<JsonDiagnostic<'_>> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let ((line, column), (end_line, end_column)) = match outcome.source(&d.path) {
                Some(s) => {
                    let span = s.clamp(d.span);
                    (s.line_col(span.start), s.line_col(span.end))
                }
                None => ((1, 1), (1, 1)),
            };
            JsonDiagnostic {
                path: d.path.display().to_string(),
                line,
                column,
                end_line,
                end_column,
                code: &d.code,
                name: &d.name,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
