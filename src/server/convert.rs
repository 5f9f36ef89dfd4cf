//! Between the engine's terms and the protocol's: byte offsets and UTF-16 positions, paths and
//! `file:` URIs, findings and LSP diagnostics.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::edit::Edit;
use crate::source::SourceFile;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, TextEdit, Uri,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The name every diagnostic gives as its source.
pub const SOURCE: &str = "deploylint";

/// The LSP position of byte `offset` of `source`: zero-based line, UTF-16 code units into it.
pub fn position(source: &SourceFile, offset: usize) -> Position {
    let text = source.text();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = source.line_index(offset);
    let start = source.line_span(line).start.min(offset);
    let character = text[start..offset].encode_utf16().count();
    Position::new(line as u32, character as u32)
}

pub fn range(source: &SourceFile, span: crate::source::Span) -> Range {
    let span = source.clamp(span);
    Range::new(position(source, span.start), position(source, span.end))
}

/// Whether `at` lies in `range` (its end included: a cursor just after a word is on it).
pub fn contains(range: &Range, at: Position) -> bool {
    range.start <= at && at <= range.end
}

pub fn overlaps(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The local path a `file:` URI names; `None` for other schemes (an unsaved `untitled:`
/// buffer) and for a URI naming another host.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `file:///C:/x` names `C:/x`.
        let text = String::from_utf8(bytes).ok()?;
        let text = text
            .strip_prefix('/')
            .filter(|t| t.get(1..2) == Some(":"))
            .map_or(text.as_str(), |t| t);
        Some(PathBuf::from(text))
    }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path, escaped as editors escape it.
pub fn path_uri(path: &Path) -> Option<Uri> {
    let absolute = std::path::absolute(path).ok()?;
    let text = absolute.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Finds the text a finding or label in another file points into.
pub trait Sources {
    fn source(&self, path: &Path) -> Option<&SourceFile>;
}

impl Sources for crate::engine::Outcome {
    fn source(&self, path: &Path) -> Option<&SourceFile> {
        crate::engine::Outcome::source(self, path)
    }
}

/// A finding in `source` (the document at `uri`) as an LSP diagnostic; labels, also those in
/// other files, become related information.
pub fn diagnostic(
    d: &Diagnostic,
    source: &SourceFile,
    uri: &Uri,
    others: &dyn Sources,
    catalog: &Catalog,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|label| {
            let location = match &label.path {
                Some(path) if path != source.path() => {
                    let other = others.source(path)?;
                    Location::new(path_uri(path)?, range(other, label.span))
                }
                _ => Location::new(uri.clone(), range(source, label.span)),
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: if label.message.is_empty() {
                    d.code.clone()
                } else {
                    label.message.clone()
                },
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(source, d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: catalog
            .documentation_url(&d.code)
            .and_then(|url| Uri::from_str(&url).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Byte-offset edits of `source` as LSP text edits.
pub fn text_edits(source: &SourceFile, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(range(source, e.span), e.content.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let source = SourceFile::new("x", "ab\nxé𝄞y = 1\n");
        let y = source.text().find('y').unwrap();
        assert_eq!(position(&source, y), Position::new(1, 4));
        assert_eq!(position(&source, 0), Position::new(0, 0));
        // Inside a character: its start.
        assert_eq!(position(&source, y - 1), Position::new(1, 2));
        assert_eq!(
            position(&source, 10_000),
            position(&source, source.text().len())
        );
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a dir/ünï/Dockerfile");
        let uri = path_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%BCn%C3%AF/Dockerfile");
        assert_eq!(uri_path(&uri).as_deref(), Some(path));
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_path(&untitled), None);
        let remote = Uri::from_str("file://server/share/x").unwrap();
        assert_eq!(uri_path(&remote), None);
    }
}
