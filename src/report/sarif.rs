//! SARIF 2.1.0 for code-scanning services, with rule metadata from the catalog.

use crate::baseline;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use serde_json::{Value, json};
use std::io::{self, Write};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(outcome: &Outcome, d_path: &std::path::Path, span: crate::source::Span) -> Value {
    match outcome.source(d_path) {
        Some(source) => {
            let span = source.clamp(span);
            let (start_line, start_column) = source.line_col(span.start);
            let (end_line, end_column) = source.line_col(span.end);
            json!({
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            })
        }
        None => json!({ "startLine": 1 }),
    }
}

fn uri(path: &std::path::Path) -> String {
    baseline::relative(&std::env::current_dir().unwrap_or_default(), path)
}

fn result(
    outcome: &Outcome,
    d: &Diagnostic,
    rule_index: Option<usize>,
    fingerprint: &str,
) -> Value {
    let related: Vec<Value> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let path = label.path.as_deref().unwrap_or(&d.path);
            json!({
                "id": i,
                "message": { "text": label.message },
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
                    "region": region(outcome, path, label.span),
                },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&d.path), "uriBaseId": "%SRCROOT%" },
                "region": region(outcome, &d.path, d.span),
            }
        }],
        "partialFingerprints": { "deploylint/v1": fingerprint },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    if let Some(fix) = sarif_fix(outcome, d) {
        result["fixes"] = json!([fix]);
    }
    result
}

/// A fix as SARIF's `fix` object: its edits as replacements of regions of the one file.
fn sarif_fix(outcome: &Outcome, d: &Diagnostic) -> Option<Value> {
    let fix = d.fix.as_ref()?;
    let edits = crate::edit::positioned(outcome.source(&d.path)?, fix)?;
    let replacements: Vec<Value> = edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": {
                    "startLine": e.line,
                    "startColumn": e.column,
                    "endLine": e.end_line,
                    "endColumn": e.end_column,
                },
                "insertedContent": { "text": e.content },
            })
        })
        .collect();
    Some(json!({
        "description": { "text": fix.title },
        "artifactChanges": [{
            "artifactLocation": { "uri": uri(&d.path), "uriBaseId": "%SRCROOT%" },
            "replacements": replacements,
        }],
        "properties": { "applicability": fix.applicability.as_str() },
    }))
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let catalog = &outcome.catalog;
    let entries: Vec<_> = catalog.iter().collect();
    let rules: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut rule = json!({
                "id": e.code,
                "name": e.name,
                "shortDescription": { "text": e.summary.trim() },
                "fullDescription": { "text": e.rationale.trim() },
                "help": { "text": e.fix.trim() },
                "defaultConfiguration": { "level": level(e.severity) },
                "properties": { "tags": [e.family.as_str()] },
            });
            // A pack rule without its own `url` has no page: better none than a made-up one.
            if let Some(url) = catalog.documentation_url(&e.code) {
                rule["helpUri"] = json!(url);
            }
            rule
        })
        .collect();
    let fingerprints =
        baseline::fingerprints(&std::env::current_dir().unwrap_or_default(), outcome);
    let results: Vec<Value> = outcome
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            result(
                outcome,
                d,
                entries.iter().position(|e| e.code == d.code),
                fp,
            )
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "deploylint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
