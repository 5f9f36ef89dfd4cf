//! The statements of each format that span several lines: a Dockerfile instruction with its
//! continuation lines and heredocs, a systemd assignment or Apache directive continued with
//! backslashes, a multi-line Python string, a YAML block or multi-line scalar. A suppression
//! that covers a statement's first line covers all of it, so the comment can stay outside
//! what it must not break (a continuation, a heredoc, a string).

use crate::catalog::Format;
use crate::source::{SourceFile, Span};
use crate::syntax::{apache, dockerfile, nginx, python_tokens, systemd, yaml};

/// Zero-based first and last line of a statement that spans more than one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    pub first: usize,
    pub last: usize,
    /// A comment may end the first line (a YAML block scalar's `|` header); otherwise the
    /// first line's end is inside the statement (a string, a continuation).
    pub comment_after_first: bool,
}

fn lines_of(source: &SourceFile, span: Span, comment_after_first: bool) -> Option<Statement> {
    let span = source.clamp(span);
    let first = source.line_index(span.start);
    // A span that ends with its line break ends on the line before.
    let end = if span.end > span.start && source.text().as_bytes()[span.end - 1] == b'\n' {
        span.end - 1
    } else {
        span.end
    };
    let last = source.line_index(end.max(span.start));
    (last > first).then_some(Statement {
        first,
        last,
        comment_after_first,
    })
}

/// The multi-line statements of `source` read as `format`, in order of their first line.
pub fn multi_line(source: &SourceFile, format: Format) -> Vec<Statement> {
    let text = source.text();
    let mut out: Vec<Statement> = match format {
        Format::Dockerfile => dockerfile::parse(text)
            .instructions
            .iter()
            .filter_map(|i| lines_of(source, i.span, false))
            .collect(),
        Format::Systemd => systemd::parse(text, 0)
            .sections
            .iter()
            .flat_map(|s| &s.entries)
            .filter_map(|e| lines_of(source, e.span, false))
            .collect(),
        Format::Apache => apache::parse(text)
            .nodes
            .iter()
            .filter_map(|n| lines_of(source, n.span, false))
            .collect(),
        // Multi-line string literals: no comment can go inside them.
        Format::Python | Format::Gunicorn => python_tokens::string_spans(text)
            .into_iter()
            .filter(|span| text[span.start..span.end].contains('\n'))
            .filter_map(|span| lines_of(source, span, false))
            .collect(),
        Format::Compose | Format::Kubernetes => {
            // A manifest holds several documents; compose reads only the first.
            let doc = if format == Format::Kubernetes {
                yaml::parse_stream(text)
            } else {
                yaml::parse(text)
            };
            doc.nodes()
                .iter()
                .filter_map(|node| match &node.kind {
                    // A block scalar's span is its content: the statement starts at the
                    // header line above it (`key: |`), where a comment may follow the `|`.
                    yaml::Kind::Scalar {
                        style: yaml::Style::Literal | yaml::Style::Folded,
                        ..
                    } => {
                        let span = source.clamp(node.span);
                        let content = source.slice(span).trim_end();
                        if content.is_empty() {
                            return None;
                        }
                        // The header is the first line above the content that is not blank.
                        let mut first = source.line_index(span.start).checked_sub(1)?;
                        while first > 0 && source.slice(source.line_span(first)).trim().is_empty() {
                            first -= 1;
                        }
                        let last = source.line_index(span.start + content.len());
                        Some(Statement {
                            first,
                            last,
                            comment_after_first: true,
                        })
                    }
                    yaml::Kind::Scalar { .. } => lines_of(source, node.span, false),
                    _ => None,
                })
                .collect()
        }
        // A start script read for a launcher is suppressed as a Procfile (see
        // `engine::suppress_in_other_files`): a line ending in `\` goes on.
        Format::Procfile => continued_lines(source),
        // A directive's words up to its `;` or `{`: a `#` between words is a comment, so one
        // may end the first line unless a quoted word runs on past it.
        Format::Nginx => {
            let conf = nginx::parse(text);
            conf.nodes
                .iter()
                .filter(|d| !d.raw_block)
                .filter_map(|d| {
                    let end = d.args.last().map_or(d.name.span.end, |a| a.span.end);
                    let first_line = source.line_index(d.span.start);
                    let open_quote = d.args.iter().any(|a| {
                        a.quoted
                            && source.line_index(a.span.start) == first_line
                            && source.line_index(a.span.end) > first_line
                    });
                    lines_of(source, Span::new(d.span.start, end), !open_quote)
                })
                .collect()
        }
        Format::Uwsgi | Format::Supervisord => Vec::new(),
    };
    out.sort_by_key(|s| (s.first, s.last));
    out
}

/// Lines joined by a trailing backslash, as a shell joins them.
fn continued_lines(source: &SourceFile) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut first = None;
    for line in 0..source.line_count() {
        let continues = source
            .slice(source.line_span(line))
            .trim_end()
            .ends_with('\\');
        match (first, continues) {
            (None, true) => first = Some(line),
            (Some(start), false) => {
                out.push(Statement {
                    first: start,
                    last: line,
                    comment_after_first: false,
                });
                first = None;
            }
            _ => {}
        }
    }
    out
}

/// The statement whose lines hold `line`, if it spans several.
pub fn containing(statements: &[Statement], line: usize) -> Option<Statement> {
    statements
        .iter()
        .filter(|s| s.first <= line && line <= s.last)
        // The outermost: a statement inside another (a string in a string) starts later.
        .min_by_key(|s| s.first)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extents(name: &str, format: Format, text: &str) -> Vec<(usize, usize)> {
        multi_line(&SourceFile::new(name, text), format)
            .iter()
            .map(|s| (s.first, s.last))
            .collect()
    }

    #[test]
    fn each_format_reports_its_multi_line_statements() {
        assert_eq!(
            extents(
                "Dockerfile",
                Format::Dockerfile,
                "FROM a\nRUN x \\\n  # c\n  y\nRUN <<EOF\nchmod 777 /x\nEOF\nUSER a\n"
            ),
            [(1, 3), (4, 6)]
        );
        assert_eq!(
            extents(
                "a.service",
                Format::Systemd,
                "[Service]\nExecStart=/a \\\n  b\nUser=x\n"
            ),
            [(1, 2)]
        );
        assert_eq!(
            extents(
                "httpd.conf",
                Format::Apache,
                "WSGIDaemonProcess a \\\n   user=b\nServerTokens OS\n"
            ),
            [(0, 1)]
        );
        assert_eq!(
            extents("a.py", Format::Python, "x = 1\ny = '''a\nb'''\nz = 'c'\n"),
            [(1, 2)]
        );
        let compose = "services:\n  web:\n    command: |\n      gunicorn -b 0.0.0.0:80 a\n    ports:\n      - \"80:80\"\n";
        let statements = multi_line(&SourceFile::new("compose.yaml", compose), Format::Compose);
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert_eq!((statements[0].first, statements[0].last), (2, 3));
        assert!(statements[0].comment_after_first);
        // Blank lines between the header and the content.
        let blank = "a: |\n\n  \n  x\n  y\nb: 1\n";
        let statements = multi_line(&SourceFile::new("compose.yaml", blank), Format::Compose);
        assert_eq!((statements[0].first, statements[0].last), (0, 4));
    }
}
