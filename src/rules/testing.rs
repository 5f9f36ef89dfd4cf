//! Helpers for the inline pass/fail vectors in rule modules.

use crate::catalog::Format;
use crate::engine::{Settings, lint_source};
use crate::kinds::{self, Detection};
use crate::source::SourceFile;
use std::path::Path;

/// One-based lines on which rule `code` fires when `text` is linted as file `name`.
pub fn lines(code: &str, name: &str, text: &str) -> Vec<usize> {
    findings(code, name, text)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// The findings of rule `code` when `text` is linted as file `name`, with every rule running
/// as in real use (suppressions are judged against all of them).
pub fn diagnostics(code: &str, name: &str, text: &str) -> Vec<crate::diagnostic::Diagnostic> {
    let format = match kinds::detect_by_name(Path::new(name)) {
        Detection::Known(f) => f,
        // A name that leaves the kind to the content (`deployment.yaml`).
        Detection::NeedsContent => {
            kinds::detect_by_content(Path::new(name), text, false).unwrap_or(Format::Python)
        }
        Detection::Unknown => Format::Python,
    };
    let source = SourceFile::new(name, text);
    lint_source(&source, format, &Settings::default())
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

/// (line, underlined text) of each finding of rule `code`.
pub fn findings(code: &str, name: &str, text: &str) -> Vec<(usize, String)> {
    let source = SourceFile::new(name, text);
    diagnostics(code, name, text)
        .into_iter()
        .map(|d| {
            (
                source.line_col(d.span.start).0,
                source.slice(d.span).to_string(),
            )
        })
        .collect()
}

/// The text once rule `code`'s fixes (safe and unsafe) are applied until none is left, as
/// `--fix --unsafe-fixes` would with only that rule selected.
pub fn fixed(code: &str, name: &str, text: &str) -> String {
    let format = match kinds::detect_by_name(Path::new(name)) {
        Detection::Known(f) => f,
        _ => Format::Python,
    };
    let settings = Settings::default();
    let path = Path::new(name);
    let result = crate::fix::apply::fix_with(
        path,
        text.to_string(),
        true,
        &|t| {
            lint_source(&SourceFile::new(name, t), format, &settings)
                .into_iter()
                .filter(|d| d.code == code)
                .collect()
        },
        &|t| crate::fix::apply::syntax_errors(path, t, format, &settings),
    );
    assert!(result.notes.is_empty(), "{code}: {:?}", result.notes);
    result.text
}

/// Each `(source, underlined)` raises rule `code` exactly once, on exactly that text, when
/// linted as file `name`.
pub fn fires_once(code: &str, name: &str, cases: &[(&str, &str)]) {
    for (src, underlined) in cases {
        let found = findings(code, name, src);
        assert_eq!(found.len(), 1, "{code} on {src:?}: {found:?}");
        assert_eq!(found[0].1, *underlined, "{code} on {src:?}");
    }
}

/// Like `fires_once`, with a file name per case: `(name, source, underlined)`.
pub fn fires_once_in(code: &str, cases: &[(&str, &str, &str)]) {
    for (name, src, underlined) in cases {
        fires_once(code, name, &[(src, underlined)]);
    }
}

/// None of the sources raises rule `code` when linted as file `name`.
pub fn quiet(code: &str, name: &str, cases: &[&str]) {
    for src in cases {
        let found = findings(code, name, src);
        assert!(found.is_empty(), "{code} fired on {src:?}: {found:?}");
    }
}

/// Like `quiet`, with a file name per case: `(name, source)`.
pub fn quiet_in(code: &str, cases: &[(&str, &str)]) {
    for (name, src) in cases {
        quiet(code, name, &[src]);
    }
}
