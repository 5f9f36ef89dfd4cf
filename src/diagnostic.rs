//! Diagnostics as plain data: what a rule found and where. Rendering lives in `report`.

use crate::source::Span;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains the finding; `path: None` means the diagnostic's own file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub path: Option<PathBuf>,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub path: PathBuf,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Edits that resolve the finding, when the rule knows them (see `crate::fix`).
    pub fix: Option<crate::edit::Fix>,
}

impl Diagnostic {
    /// Deterministic order: path, then position, then code.
    pub fn sort_key(&self) -> (&PathBuf, usize, usize, &str) {
        (&self.path, self.span.start, self.span.end, &self.code)
    }
}
