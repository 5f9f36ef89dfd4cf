//! JUnit XML for CI services that show test reports: a test suite per file with findings and a
//! failing test case per finding. A run without findings writes one passing test case, since
//! some report publishers fail on a report that has no tests.

use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use std::io::{self, Write};

/// Text as XML 1.0 character data or an attribute value. Characters XML 1.0 cannot carry at
/// all, even as references (most C0 controls, U+FFFE, U+FFFF), become U+FFFD; tab, newline and
/// carriage return are written as references so that attribute values keep them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let total = outcome.diagnostics.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="deploylint" tests="{}" failures="{total}" errors="0">"#,
        total.max(1)
    )?;
    if total == 0 {
        writeln!(
            out,
            r#"  <testsuite name="deploylint" tests="1" failures="0" errors="0" skipped="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="{}" classname="deploylint"/>"#,
            escape(&super::summary(outcome))
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    // Diagnostics are sorted by path, so each file's findings are adjacent.
    for group in outcome.diagnostics.chunk_by(|a, b| a.path == b.path) {
        let path = escape(&group[0].path.display().to_string());
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{n}" failures="{n}" errors="0" skipped="0">"#,
            n = group.len()
        )?;
        for d in group {
            test_case(outcome, d, &path, out)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn test_case(outcome: &Outcome, d: &Diagnostic, path: &str, out: &mut dyn Write) -> io::Result<()> {
    let (line, column) = super::position(outcome, d);
    writeln!(
        out,
        r#"    <testcase name="{} {} at {line}:{column}" classname="{path}" file="{path}" line="{line}">"#,
        escape(&d.code),
        escape(&d.name),
    )?;
    // The body repeats the finding as a concise line, then its help and secondary locations.
    let mut body = format!(
        "{}:{line}:{column}: {} {}",
        d.path.display(),
        d.code,
        d.message
    );
    if let Some(help) = &d.help {
        body.push_str(&format!("\nhelp: {help}"));
    }
    for label in &d.labels {
        let label_path = label.path.as_deref().unwrap_or(&d.path);
        match outcome.source(label_path) {
            Some(s) => {
                let (l, c) = s.line_col(s.clamp(label.span).start);
                body.push_str(&format!(
                    "\n{}:{l}:{c}: {}",
                    label_path.display(),
                    label.message
                ));
            }
            None => body.push_str(&format!("\n{}: {}", label_path.display(), label.message)),
        }
    }
    writeln!(
        out,
        r#"      <failure message="{}" type="{}">{}</failure>"#,
        escape(&d.message),
        d.severity,
        escape(&body)
    )?;
    writeln!(out, "    </testcase>")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_unrepresentable_characters() {
        assert_eq!(
            escape("a<b>&\"c\" 'd'"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("x\ty\nz\r"), "x&#9;y&#10;z&#13;");
        assert_eq!(escape("\u{0}\u{1b}\u{fffe}é"), "\u{fffd}\u{fffd}\u{fffd}é");
        assert_eq!(escape("]]>"), "]]&gt;");
    }
}
