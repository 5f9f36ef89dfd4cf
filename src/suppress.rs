//! Inline suppressions in every format's comment syntax: `# deploylint: ignore[CODE, name]` at
//! the end of the offending line or alone on the line above, `# deploylint: ignore-file[CODE]`
//! anywhere, and a bare `ignore` for every rule. A suppression that covers the first line of a
//! multi-line statement (`crate::statements`) covers the whole statement. Suppressions nothing
//! needed are reported (SUP001), with a fix that removes them, and so is one written after a
//! value in a format that has no trailing comments.

use crate::catalog::{Catalog, Format};
use crate::diagnostic::Diagnostic;
use crate::edit::Edit;
use crate::source::{SourceFile, Span};
use crate::statements::{self, Statement};
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
    /// The edits that remove it (none where removing could change a string's text).
    pub removal: Vec<Edit>,
}

/// Whether a comment may follow other text on a line. systemd (systemd.syntax(7)), httpd,
/// Dockerfiles and uWSGI's ini reader read such text as part of the value or the arguments
/// (uWSGI's YAML has YAML's comments).
fn trailing_comments(format: Format, path: &std::path::Path) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    match format {
        Format::Systemd | Format::Apache | Format::Dockerfile => false,
        Format::Uwsgi => yaml,
        _ => true,
    }
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
        Format::Uwsgi => format!(
            "uWSGI's ini files have no trailing comments: `{directive}` is part of the value of \
             `{} =`, which uWSGI reads as `{}{rest}`; it is not a suppression",
            before.split('=').next().unwrap_or_default().trim(),
            format!(
                "{} {directive}",
                before.split_once('=').map_or("", |(_, v)| v.trim())
            )
            .trim(),
        ),
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
    /// Where the `]` closing the list is, when there is a list.
    list_end: Option<usize>,
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
        if !before.trim().is_empty() && !trailing_comments(format, source.path()) {
            misplaced.push(Unused {
                span: Span::new(start, end),
                message: misplaced_message(
                    format,
                    before,
                    &text[start..end],
                    text[end..line_span.end].trim_end(),
                ),
                misplaced: true,
                removal: Vec::new(),
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
            list_end: m.get(2).map(|list| line_span.start + list.end()),
        });
    }
    (out, misplaced)
}

/// A suppression comment as `--add-suppressions` sees it.
#[derive(Debug, Clone)]
pub struct Directive {
    /// Zero-based line of the comment.
    pub line: usize,
    /// Alone on its line.
    pub own_line: bool,
    pub file_wide: bool,
    /// A bare `ignore`: every rule.
    pub all: bool,
    /// The offset of the `]` that closes its list, if it has one.
    pub list_end: Option<usize>,
    /// Whether the list names anything yet.
    pub has_items: bool,
}

/// The suppression comments of a file, in order (not those misplaced after a value).
pub fn directives(source: &SourceFile, format: Format, catalog: &Catalog) -> Vec<Directive> {
    parse(source, format, catalog)
        .0
        .into_iter()
        .map(|s| Directive {
            line: s.line,
            own_line: s.own_line,
            file_wide: s.file_wide,
            all: s.all,
            list_end: s.list_end,
            has_items: !s.items.is_empty(),
        })
        .collect()
}

/// Whether a suppression on `line` (alone on it: `own_line`) covers a finding on
/// `finding_line`: the same line, the line after an own-line comment, or any line of a
/// multi-line statement whose first line it covers.
pub fn covers(statements: &[Statement], line: usize, own_line: bool, finding_line: usize) -> bool {
    let hits = |target: usize| line == target || (own_line && line + 1 == target);
    hits(finding_line)
        || statements::containing(statements, finding_line).is_some_and(|s| hits(s.first))
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
    let statements = statements::multi_line(source, format);
    diagnostics.retain(|d| {
        // A finding placed in another file (a unit's drop-in) answers to that file's comments.
        if d.path != source.path() {
            return true;
        }
        let line = source.line_index(source.clamp(d.span).start);
        let mut suppressed = false;
        for s in suppressions.iter_mut() {
            let applies = s.file_wide || covers(&statements, s.line, s.own_line, line);
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
    // Inside a string the comment is text, which a fix must not change. Parsed only when a
    // suppression is unused.
    let in_literal = std::cell::OnceCell::new();
    let removable = |s: &Suppression| {
        !in_literal
            .get_or_init(|| literal_spans(source, format))
            .iter()
            .any(|l: &Span| l.start < s.span.start && s.span.start < l.end)
    };
    for s in &suppressions {
        if s.all && !s.all_used {
            unused.push(Unused {
                span: s.span,
                message: "this suppression matches no finding".to_string(),
                misplaced: false,
                removal: if removable(s) {
                    remove_directive(source, s)
                } else {
                    Vec::new()
                },
            });
        }
        let is_unused = |item: &Item| {
            item.codes.is_empty() || (!item.used && item.codes.iter().all(|c| enabled.contains(c)))
        };
        let all_unused = s.items.iter().all(is_unused);
        for (i, item) in s.items.iter().enumerate() {
            if !is_unused(item) {
                continue;
            }
            let message = if item.codes.is_empty() {
                format!("unknown rule `{}` in suppression", item.text)
            } else {
                format!("suppression of `{}` matches no finding", item.text)
            };
            let removal = if !removable(s) {
                Vec::new()
            } else if all_unused {
                remove_directive(source, s)
            } else {
                // The item and the comma that joins it to its neighbour.
                let span = match (s.items.get(i + 1), i.checked_sub(1).map(|p| &s.items[p])) {
                    (Some(next), _) => Span::new(item.span.start, next.span.start),
                    (None, Some(prev)) => Span::new(prev.span.end, item.span.end),
                    (None, None) => item.span,
                };
                vec![Edit::delete(span)]
            };
            unused.push(Unused {
                span: item.span,
                message,
                misplaced: false,
                removal,
            });
        }
    }
    unused.sort_by_key(|u| u.span);
    unused
}

/// `apply` for findings that another file's lint placed in `source`, a file of `format` or,
/// when no front end reads it, a start script: `#` comments, after other text too, and `\`
/// continuing a line, as in a Procfile's command. Its unused suppressions are not returned.
pub fn apply_elsewhere(
    source: &SourceFile,
    format: Option<Format>,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &[&str],
    catalog: &Catalog,
) {
    apply(
        source,
        format.unwrap_or(Format::Procfile),
        diagnostics,
        enabled,
        catalog,
    );
}

/// String literals and quoted scalars, where a `# deploylint:` is text and not a comment.
fn literal_spans(source: &SourceFile, format: Format) -> Vec<Span> {
    match format {
        Format::Python | Format::Gunicorn => {
            crate::syntax::python_tokens::string_spans(source.text())
        }
        Format::Compose => crate::syntax::yaml::parse(source.text())
            .nodes()
            .iter()
            .filter(|n| matches!(n.kind, crate::syntax::yaml::Kind::Scalar { .. }))
            .map(|n| n.span)
            .collect(),
        // A quoted word, and a `#` inside a bare word (`${a}#b`), is no comment.
        Format::Nginx => crate::syntax::nginx::parse(source.text())
            .nodes
            .iter()
            .flat_map(|d| std::iter::once(&d.name).chain(&d.args))
            .filter(|w| w.quoted || source.slice(w.span).contains('#'))
            .map(|w| w.span)
            .collect(),
        Format::Kubernetes => crate::syntax::yaml::parse_stream(source.text())
            .nodes()
            .iter()
            .filter(|n| matches!(n.kind, crate::syntax::yaml::Kind::Scalar { .. }))
            .map(|n| n.span)
            .collect(),
        _ => Vec::new(),
    }
}

/// The edit that removes a whole directive: its line when it is alone there, else the
/// directive and the space before it. Text after it on the line stays a comment.
fn remove_directive(source: &SourceFile, s: &Suppression) -> Vec<Edit> {
    let text = source.text();
    let line = source.line_span(s.line);
    let after = &text[s.span.end..line.end];
    let before = &text[line.start..s.span.start];
    if !after.trim().is_empty() {
        // `# deploylint: ignore[X] because …` keeps `# because …`.
        let marker_end = s.span.start + 1;
        let body =
            text[marker_end..s.span.end].len() - text[marker_end..s.span.end].trim_start().len();
        let trailing = after.len() - after.trim_start().len();
        return vec![Edit::delete(Span::new(
            marker_end + body,
            s.span.end + trailing,
        ))];
    }
    if before.trim().is_empty() {
        // The whole line with its line break.
        let end = text[line.end..]
            .find('\n')
            .map_or(text.len(), |i| line.end + i + 1);
        return vec![Edit::delete(Span::new(line.start, end))];
    }
    let kept = before.trim_end().len();
    vec![Edit::delete(Span::new(line.start + kept, line.end))]
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

    #[test]
    fn a_suppression_above_a_statement_covers_all_its_lines() {
        use crate::engine::{Settings, lint_source};
        let lint = |name: &str, format: Format, text: &str| -> Vec<String> {
            lint_source(&SourceFile::new(name, text), format, &Settings::default())
                .into_iter()
                .map(|d| d.code)
                .collect()
        };
        let run =
            "FROM a\nUSER app\n# deploylint: ignore[FS001]\nRUN mkdir /d \\\n  && chmod 777 /d\n";
        assert!(lint("Dockerfile", Format::Dockerfile, run).is_empty());
        let heredoc =
            "FROM a\nUSER app\n# deploylint: ignore[FS001]\nRUN <<EOF\nchmod 777 /d\nEOF\n";
        assert!(lint("Dockerfile", Format::Dockerfile, heredoc).is_empty());
        // Two lines above is too far, as before.
        let far =
            "FROM a\nUSER app\n# deploylint: ignore[FS001]\n\nRUN mkdir /d \\\n  && chmod 777 /d\n";
        assert_eq!(
            lint("Dockerfile", Format::Dockerfile, far),
            ["SUP001", "FS001"]
        );
        let unit = "[Service]\nUser=app\nWorkingDirectory=/srv\n# deploylint: ignore[NET001]\nExecStart=/usr/bin/gunicorn \\\n  --bind 0.0.0.0:80 app:app\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\n";
        assert!(lint("app.service", Format::Systemd, unit).is_empty());
    }
}
