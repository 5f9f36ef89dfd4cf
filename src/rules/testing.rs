//! Helpers for the inline pass/fail vectors in rule modules.

use crate::catalog::Format;
use crate::engine::{Settings, lint_source};
use crate::kinds::{self, Detection};
use crate::rules::RULES;
use crate::source::SourceFile;
use std::path::Path;

/// One-based lines on which rule `code` fires when `text` is linted as file `name`.
pub fn lines(code: &str, name: &str, text: &str) -> Vec<usize> {
    findings(code, name, text)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// (line, underlined text) of each finding of rule `code`.
pub fn findings(code: &str, name: &str, text: &str) -> Vec<(usize, String)> {
    let format = match kinds::detect_by_name(Path::new(name)) {
        Detection::Known(f) => f,
        _ => Format::Python,
    };
    let source = SourceFile::new(name, text);
    let settings = Settings {
        rules: RULES.iter().filter(|r| r.code == code).collect(),
    };
    lint_source(&source, format, &settings)
        .into_iter()
        .map(|d| {
            (
                source.line_col(d.span.start).0,
                source.slice(d.span).to_string(),
            )
        })
        .collect()
}
