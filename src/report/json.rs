//! JSON output: an array of findings with one-based, character-counted positions, their
//! secondary locations and the rule's documentation address.

use crate::engine::Outcome;
use crate::source::Span;
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

#[derive(Serialize)]
pub(super) struct JsonDiagnostic<'a> {
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
    /// Secondary locations that explain the finding, possibly in other files.
    labels: Vec<JsonLabel<'a>>,
    /// The rule's documentation (None for rules from users' packs).
    url: Option<String>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    message: &'a str,
    edits: Vec<crate::edit::PositionedEdit>,
}

/// A secondary location. Positions are None when the file it points into was not read (an
/// editor's buffer linted alone can point at files that are not).
#[derive(Serialize)]
struct JsonLabel<'a> {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
}

type Position = ((usize, usize), (usize, usize));

fn position(outcome: &Outcome, path: &Path, span: Span) -> Option<Position> {
    outcome.source(path).map(|s| {
        let span = s.clamp(span);
        (s.line_col(span.start), s.line_col(span.end))
    })
}

/// Each finding as the object JSON and JSON Lines output write.
pub(super) fn items(outcome: &Outcome) -> Vec<JsonDiagnostic<'_>> {
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let ((line, column), (end_line, end_column)) =
                position(outcome, &d.path, d.span).unwrap_or(((1, 1), (1, 1)));
            let labels = d
                .labels
                .iter()
                .map(|label| {
                    let path = label.path.as_deref().unwrap_or(&d.path);
                    let at = position(outcome, path, label.span);
                    JsonLabel {
                        path: path.display().to_string(),
                        line: at.map(|p| p.0.0),
                        column: at.map(|p| p.0.1),
                        end_line: at.map(|p| p.1.0),
                        end_column: at.map(|p| p.1.1),
                        message: &label.message,
                    }
                })
                .collect();
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
                labels,
                url: outcome.catalog.documentation_url(&d.code),
                fix: d.fix.as_ref().and_then(|fix| {
                    Some(JsonFix {
                        applicability: fix.applicability.as_str(),
                        message: &fix.title,
                        edits: crate::edit::positioned(outcome.source(&d.path)?, fix)?,
                    })
                }),
            }
        })
        .collect()
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &items(outcome))?;
    writeln!(out)
}
