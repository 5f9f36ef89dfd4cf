//! Inline suppressions in every format's comment syntax: `# deploylint: ignore[CODE, name]` at
//! the end of the offending line or alone on the line above, `# deploylint: ignore-file[CODE]`
//! anywhere, and a bare `ignore` for every rule. Suppressions nothing needed are reported (SUP001),
//! and so is one written after a value in a format that has no trailing comments.

use crate::catalog::{Catalog, Format};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use regex::Regex;
use std::sync::OnceLock;

pub const UNUSED_CODE: &str = "SUP001";

/// A suppression comment that suppresses nothing, as SUP001 reports it.
#[derive(Debug)]
pub struct Unused {
    pub span: Span,
    pub message: String,
    /// Written after other text where the format has no trailing comments: it is not a
    /// comment at all but part of the line's value, so the line does not do what its author
    /// meant either.
    pub misplaced: bool,
}

/// Whether a comment may follow other text on a line. systemd (systemd.syntax(7)), httpd and
/// Dockerfiles read such text as part of the value or the arguments.
fn trailing_comments(format: Format) -> bool {
    !matches!(
        format,
        Format::Systemd | Format::Apache | Format::Dockerfile
    )
}

/// Says what the format makes of a directive written after `before` on its line.
fn misplaced_message(format: Format, before: &str, directive: &str, rest: &str) -> String {
    match format {
        Format::Systemd => match before.split_once('=') {
            Some((key, value)) => format!(
                "systemd has no trailing comments: `{directive}` is part of the value of `{}=`, \
                 which systemd reads as `{} {directive}{rest}`; it is not a suppression",
                key.trim(),
                value.trim(),
            ),
            None => format!(
                "systemd has no trailing comments: `{directive}` is part of this line; it is \
                 not a suppression"
            ),
        },
        Format::Apache => format!(
            "httpd has no trailing comments: `{directive}` is read as more arguments to `{}`; \
             it is not a suppression",
            before.split_whitespace().next().unwrap_or_default()
        ),
        _ => format!(
            "a Dockerfile has no trailing comments: `{directive}` is part of the instruction's \
             arguments; it is not a suppression"
        ),
    }
}

#[derive(Debug)]
struct Suppression<'c> {
    /// Zero-based line of the comment.
    line: usize,
    /// Alone on its line, so it also covers the next line.
    own_line: bool,
    file_wide: bool,
    /// Each listed selector as written, its span, the codes it names, and whether it was used.
    items: Vec<Item<'c>>,
    /// Span of the whole directive, for a bare `ignore`.
    span: Span,
    /// A bare `ignore` without a list suppresses every rule on its lines.
    all: bool,
    all_used: bool,
}

#[derive(Debug)]
struct Item<'c> {
    text: String,
    span: Span,
    codes: Vec<&'c str>,
    used: bool,
}

fn directive() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[\s#;])[#;]\s*deploylint:\s*(ignore-file|ignore)\b(?:\[([^\]\n]*)\])?")
            .expect("valid regex")
    })
}

/// The suppressions of a file, and the directives that only look like suppressions (written
/// after a value where the format has no trailing comments). Suppressions name rules of
/// `catalog`.
fn parse<'c>(
    source: &SourceFile,
    format: Format,
    catalog: &'c Catalog,
) -> (Vec<Suppression<'c>>, Vec<Unused>) {
    let text = source.text();
    // Cheap test before looking at every line.
    if !text.contains("deploylint:") {
        return (Vec::new(), Vec::new());
    }
    let mut out = Vec::new();
    let mut misplaced = Vec::new();
    for line in 0..source.line_count() {
        let line_span = source.line_span(line);
        let line_text = source.slice(line_span);
        let Some(m) = directive().captures(line_text) else {
            continue;
        };
        let whole = m.get(0).expect("match");
        let start = line_span.start + whole.start() + whole.as_str().find(['#', ';']).unwrap_or(0);
        let end = line_span.start + whole.end();
        let before = &text[line_span.start..start];
        if !before.trim().is_empty() && !trailing_comments(format) {
            misplaced.push(Unused {
                span: Span::new(start, end),
                message: misplaced_message(
                    format,
                    before,
                    &text[start..end],
                    text[end..line_span.end].trim_end(),
                ),
                misplaced: true,
            });
            continue;
        }
        let mut items = Vec::new();
        if let Some(list) = m.get(2) {
            let mut offset = list.start();
            for part in list.as_str().split(',') {
                let trimmed = part.trim();
                let lead = part.len() - part.trim_start().len();
                if !trimmed.is_empty() {
                    let at = line_span.start + offset + lead;
                    items.push(Item {
                        text: trimmed.to_string(),
                        span: Span::new(at, at + trimmed.len()),
                        codes: catalog.select(trimmed),
                        used: false,
                    });
                }
                offset += part.len() + 1;
            }
        }
        out.push(Suppression {
            line,
            own_line: before.trim().is_empty(),
            file_wide: &m[1] == "ignore-file",
            all: m.get(2).is_none(),
            all_used: false,
            items,
            span: Span::new(start, end),
        });
    }
    (out, misplaced)
}

/// Removes suppressed diagnostics from `diagnostics` and returns the suppressions that were
/// not needed, judged only for rules in `enabled`, and those that are no suppressions.
/// Suppressions name rules of `catalog`.
pub fn apply(
    source: &SourceFile,
    format: Format,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &[&str],
    catalog: &Catalog,
) -> Vec<Unused> {
    let (mut suppressions, mut unused) = parse(source, format, catalog);
    if suppressions.is_empty() {
        return unused;
    }
    diagnostics.retain(|d| {
        // A finding placed in another file (a unit's drop-in) answers to that file's comments.
        if d.path != source.path() {
            return true;
        }
        let line = source.line_index(source.clamp(d.span).start);
        let mut suppressed = false;
        for s in suppressions.iter_mut() {
            let applies = s.file_wide || s.line == line || (s.own_line && s.line + 1 == line);
            if !applies {
                continue;
            }
            if s.all {
                s.all_used = true;
                suppressed = true;
            }
            for item in s.items.iter_mut() {
                if item.codes.contains(&d.code.as_str()) {
                    item.used = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    let mut report = |span: Span, message: String| {
        unused.push(Unused {
            span,
            message,
            misplaced: false,
        })
    };
    for s in &suppressions {
        if s.all && !s.all_used {
            report(s.span, "this suppression matches no finding".to_string());
        }
        for item in &s.items {
            if item.codes.is_empty() {
                report(
                    item.span,
                    format!("unknown rule `{}` in suppression", item.text),
                );
            } else if !item.used && item.codes.iter().all(|c| enabled.contains(c)) {
                report(
                    item.span,
                    format!("suppression of `{}` matches no finding", item.text),
                );
            }
        }
    }
    unused.sort_by_key(|u| u.span);
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_with_spans() {
        let src = SourceFile::new(
            "x",
            "a = 1  # deploylint: ignore[DBG001, runs-as-root]\n# deploylint: ignore-file[NET001]\n; deploylint: ignore\nurl = 'http://x/#deploylint:ignore'\n",
        );
        let catalog = Catalog::builtin();
        let (found, misplaced) = parse(&src, Format::Python, &catalog);
        assert!(misplaced.is_empty());
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].items.len(), 2);
        assert_eq!(src.slice(found[0].items[1].span), "runs-as-root");
        assert_eq!(found[0].items[1].codes, ["USR001"]);
        assert!(found[1].file_wide);
        assert!(found[2].all);
    }

    /// systemd, httpd and Dockerfiles have no trailing comments: text after a value is part
    /// of it, so a directive there suppresses nothing and says so. Alone on a line (also
    /// inside a continuation) it is a suppression.
    #[test]
    fn no_trailing_suppressions_where_the_format_has_no_trailing_comments() {
        let unit = SourceFile::new(
            "app.service",
            "[Service]\nUser=www-data ; deploylint: ignore[USR002]\n; deploylint: ignore[USR001]\nExecStart=/bin/a \\\n  # deploylint: ignore[NET001]\n  --b\n",
        );
        let catalog = Catalog::builtin();
        let (found, misplaced) = parse(&unit, Format::Systemd, &catalog);
        assert_eq!(found.iter().map(|s| s.line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(misplaced.len(), 1);
        assert_eq!(
            unit.slice(misplaced[0].span),
            "; deploylint: ignore[USR002]"
        );
        assert!(
            misplaced[0].message.contains(
                "part of the value of `User=`, which systemd reads as `www-data ; deploylint: ignore[USR002]`"
            ),
            "{}",
            misplaced[0].message
        );
        for (format, text) in [
            (
                Format::Apache,
                "ServerTokens OS # deploylint: ignore[DIS001]\n",
            ),
            (
                Format::Dockerfile,
                "USER root # deploylint: ignore[USR001]\n",
            ),
        ] {
            let (found, misplaced) = parse(&SourceFile::new("x", text), format, &catalog);
            assert!(found.is_empty(), "{text}");
            assert!(misplaced[0].message.contains("not a suppression"), "{text}");
        }
        // Where trailing comments exist, the same text is a suppression.
        for format in [
            Format::Python,
            Format::Compose,
            Format::Procfile,
            Format::Gunicorn,
        ] {
            let (found, misplaced) = parse(
                &SourceFile::new("x", "x = 1  # deploylint: ignore[DBG001]\n"),
                format,
                &catalog,
            );
            assert_eq!((found.len(), misplaced.len()), (1, 0));
        }
    }
}
