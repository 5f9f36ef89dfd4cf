//! The text edits a finding proposes (a fix) and their positions for reports and editors:
//! plain data that diagnostics, the catalog and suppressions carry; `crate::fix` applies them.

use crate::source::{SourceFile, Span};
use serde::{Deserialize, Serialize};

/// Whether a fix may be applied without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the intent of the configuration: `--fix` applies it.
    Safe,
    /// May change what the deployment does (a debug switch, a published address, a
    /// sandbox): applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes `span` of the diagnostic's file with `content` (an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), content)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// A machine-applicable fix: edits in the diagnostic's own file, sorted and non-overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in a few words (`Set ServerTokens Prod`).
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix from edits in any order; `None` when there is nothing to change or two edits
    /// overlap (a rule defect, which is better dropped than applied).
    pub fn new(
        applicability: Applicability,
        title: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Option<Fix> {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        edits.dedup();
        let overlapping = edits.windows(2).any(|w| {
            w[0].span.end > w[1].span.start
                || (w[0].span.start == w[1].span.start
                    && w[0].span.is_empty()
                    && w[1].span.is_empty())
        });
        if edits.is_empty() || overlapping {
            return None;
        }
        Some(Fix {
            applicability,
            title: title.into(),
            edits,
        })
    }

    /// The bytes the fix touches, from its first edit to its last.
    pub fn range(&self) -> Span {
        let first = self.edits.first().map_or(Span::default(), |e| e.span);
        let last = self.edits.last().map_or(first, |e| e.span);
        first.cover(last)
    }

    /// Whether every edit lies inside `text` on character boundaries.
    pub fn fits(&self, text: &str) -> bool {
        self.edits.iter().all(|e| {
            e.span.start <= e.span.end
                && e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        })
    }

    pub fn is_applicable(&self, unsafe_fixes: bool) -> bool {
        self.applicability == Applicability::Safe || unsafe_fixes
    }
}

/// A position for editors: zero-based line and zero-based column in UTF-16 code units, as
/// the Language Server Protocol counts by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LspPosition {
    pub line: usize,
    pub character: usize,
}

/// One edit of a fix in editor coordinates (LSP `TextEdit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LspEdit {
    pub start: LspPosition,
    pub end: LspPosition,
    pub new_text: String,
}

/// An edit with one-based lines and one-based columns counted in characters (end exclusive),
/// as the JSON and SARIF outputs give positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionedEdit {
    pub content: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A fix's edits positioned in `source` (the diagnostic's file); `None` when they do not fit.
pub fn positioned(source: &SourceFile, fix: &Fix) -> Option<Vec<PositionedEdit>> {
    if !fix.fits(source.text()) {
        return None;
    }
    Some(
        fix.edits
            .iter()
            .map(|e| {
                let (line, column) = source.line_col(e.span.start);
                let (end_line, end_column) = source.line_col(e.span.end);
                PositionedEdit {
                    content: e.content.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                }
            })
            .collect(),
    )
}

/// The line terminator the file uses (`\r\n` when its first line ends so), for inserted lines.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The white space that starts the line holding `offset`.
pub fn indentation_at(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// `canonical` written in the letter case of `original` when that case is a deliberate
/// convention (all lower or all upper case, or capitalised); otherwise as `canonical`. A value
/// already spelt as its directive's documentation spells it (`OS`, `EMail`) keeps the
/// documented spelling of the replacement.
pub fn match_case(original: &str, canonical: &str, documented: &[&str]) -> String {
    let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() || documented.contains(&original) {
        return canonical.to_string();
    }
    if letters.iter().all(|c| c.is_lowercase()) {
        return canonical.to_lowercase();
    }
    if letters.iter().all(|c| c.is_uppercase()) && letters.len() > 1 {
        return canonical.to_uppercase();
    }
    let mut rest = original.chars().skip(1);
    if original.chars().next().is_some_and(char::is_uppercase)
        && rest.all(|c| !c.is_alphabetic() || c.is_lowercase())
    {
        let lower = canonical.to_lowercase();
        let mut chars = lower.chars();
        return chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    canonical.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::lsp_edits;

    #[test]
    fn overlapping_edits_make_no_fix() {
        let e = |a, b, s: &str| Edit::replace(Span::new(a, b), s);
        assert!(Fix::new(Applicability::Safe, "t", vec![e(0, 3, "x"), e(2, 4, "y")]).is_none());
        assert!(Fix::new(Applicability::Safe, "t", vec![e(1, 1, "x"), e(1, 1, "y")]).is_none());
        assert!(Fix::new(Applicability::Safe, "t", vec![]).is_none());
        let fix = Fix::new(Applicability::Safe, "t", vec![e(3, 4, "y"), e(0, 3, "x")]).unwrap();
        assert_eq!(fix.edits[0].span, Span::new(0, 3));
        assert_eq!(fix.range(), Span::new(0, 4));
    }

    #[test]
    fn case_follows_the_file() {
        assert_eq!(match_case("os", "Prod", &["OS"]), "prod");
        assert_eq!(match_case("OS", "Prod", &["OS"]), "Prod");
        assert_eq!(match_case("FULL", "Prod", &["Full"]), "PROD");
        assert_eq!(match_case("Full", "Prod", &["Full"]), "Prod");
        assert_eq!(match_case("Debug", "warn", &[]), "Warn");
        assert_eq!(match_case("dEbUg", "warn", &[]), "warn");
        assert_eq!(match_case("EMail", "Off", &["EMail"]), "Off");
    }

    #[test]
    fn lsp_positions_count_utf16() {
        let source = SourceFile::new("a.py", "x = 'é😀'; app.run(debug=True)\n");
        let at = source.text().find("True").unwrap();
        let mut d = crate::diagnostic::Diagnostic {
            code: "DBG001".into(),
            name: "debug-mode-enabled".into(),
            severity: crate::diagnostic::Severity::Error,
            path: "a.py".into(),
            span: Span::new(at, at + 4),
            message: String::new(),
            labels: Vec::new(),
            help: None,
            fix: None,
        };
        assert!(lsp_edits(&source, &d).is_none());
        d.fix = Fix::new(
            Applicability::Unsafe,
            "t",
            vec![Edit::replace(Span::new(at, at + 4), "False")],
        );
        let edits = lsp_edits(&source, &d).unwrap();
        // `x = '` is 5 units, `é` 1, `😀` 2 (a surrogate pair), `'; app.run(debug=` 17.
        assert_eq!(
            edits[0].start,
            LspPosition {
                line: 0,
                character: 25
            }
        );
        assert_eq!(edits[0].end.character, 29);
        assert_eq!(edits[0].new_text, "False");
    }
}
