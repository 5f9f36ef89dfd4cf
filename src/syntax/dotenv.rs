//! Environment files (`NAME=value` lines), as both systemd's `EnvironmentFile=` and Compose's
//! `env_file:` write them: blank lines and `#`/`;` comments skipped, an optional `export `,
//! whitespace around the name and the value trimmed. Each reader then interprets the value
//! as its tool does (systemd strips one pair of quotes; Compose also drops an inline ` #`
//! comment and leaves interpolated values unknown).

use crate::source::{MappedText, Span};

/// One `NAME=value` line, with spans into the text.
#[derive(Debug, Clone)]
pub struct EnvLine {
    /// The name as written (not checked: systemd wants a shell name, Compose takes any).
    pub name: MappedText,
    /// The value after `=`, trimmed, quotes and all.
    pub value: MappedText,
    /// From the name to the end of the value.
    pub span: Span,
}

/// systemd's whitespace.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim_range(s: &str) -> std::ops::Range<usize> {
    let start = s.len() - s.trim_start_matches(is_ws).len();
    let end = s.trim_end_matches(is_ws).len().max(start);
    start..end
}

/// The `NAME=value` lines of an environment file whose first byte is at `base` of the span
/// space (lines without `=` are skipped).
pub fn lines(text: &str, base: usize) -> Vec<EnvLine> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let origin = base + offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let mut m = MappedText::new(origin);
        m.push_str(line, origin);
        let body = m.sub(trim_range(line));
        let text = body.as_str();
        if text.is_empty() || text.starts_with(['#', ';']) {
            continue;
        }
        let body = match text.strip_prefix("export ") {
            Some(rest) => body.sub(text.len() - rest.len()..text.len()),
            None => body,
        };
        let text = body.as_str();
        let Some(eq) = text.find('=') else {
            continue;
        };
        let name = body.sub(trim_range(&text[..eq]));
        let value_part = body.sub(eq + 1..text.len());
        let value = value_part.sub(trim_range(value_part.as_str()));
        out.push(EnvLine {
            span: body.span(),
            name,
            value,
        });
    }
    out
}

/// The value without one pair of matching quotes around it, as systemd reads it.
pub fn unquoted(value: &MappedText) -> MappedText {
    let v = value.as_str();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        value.sub(1..v.len() - 1).with_span(value.span())
    } else {
        value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_spans() {
        let text = "# c\n; c\nA=1\nexport B=\"two words\"\n  C = '3'\nbad line\nE=2 # note\n";
        let got: Vec<(&str, &str, &str)> = lines(text, 0)
            .iter()
            .map(|l| {
                (
                    &text[l.name.span().range()],
                    &text[l.value.span().range()],
                    &text[l.span.range()],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A", "1", "A=1"),
                ("B", "\"two words\"", "B=\"two words\""),
                ("C", "'3'", "C = '3'"),
                ("E", "2 # note", "E=2 # note"),
            ]
        );
        let at = lines("x\nA='q'\n", 100);
        assert_eq!(at[0].span, Span::new(102, 107));
        assert_eq!(unquoted(&at[0].value).as_str(), "q");
    }
}
