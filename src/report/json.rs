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
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    message: &'a str,
    edits: Vec<crate::fix::PositionedEdit>,
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
                fix: d.fix.as_ref().and_then(|fix| {
                    Some(JsonFix {
                        applicability: fix.applicability.as_str(),
                        message: &fix.title,
                        edits: crate::fix::positioned(outcome.source(&d.path)?, fix)?,
                    })
                }),
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
