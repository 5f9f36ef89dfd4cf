//! Inline suppressions in every format's comment syntax: `# deploylint: ignore[CODE, name]` at
//! the end of the offending line or alone on the line above, `# deploylint: ignore-file[CODE]`
//! anywhere, and a bare `ignore` for every rule. Suppressions nothing needed are reported (SUP001).

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use regex::Regex;
use std::sync::OnceLock;

pub const UNUSED_CODE: &str = "SUP001";

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

fn parse<'c>(source: &SourceFile, catalog: &'c Catalog) -> Vec<Suppression<'c>> {
    let text = source.text();
    // Cheap test before looking at every line.
    if !text.contains("deploylint:") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in 0..source.line_count() {
        let line_span = source.line_span(line);
        let line_text = source.slice(line_span);
        let Some(m) = directive().captures(line_text) else {
            continue;
        };
        let whole = m.get(0).expect("match");
        let start = line_span.start + whole.start() + whole.as_str().find(['#', ';']).unwrap_or(0);
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
            own_line: source.text()[line_span.start..start].trim().is_empty(),
            file_wide: &m[1] == "ignore-file",
            all: m.get(2).is_none(),
            all_used: false,
            items,
            span: Span::new(start, line_span.start + whole.end()),
        });
    }
    out
}

/// Removes suppressed diagnostics from `diagnostics` and returns the suppressions that were
/// not needed (as `(span, message)`), judged only for rules in `enabled`. Suppressions name
/// rules of `catalog`.
pub fn apply(
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &[&str],
    catalog: &Catalog,
) -> Vec<(Span, String)> {
    let mut suppressions = parse(source, catalog);
    if suppressions.is_empty() {
        return Vec::new();
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
    let mut unused = Vec::new();
    for s in &suppressions {
        if s.all && !s.all_used {
            unused.push((s.span, "this suppression matches no finding".to_string()));
        }
        for item in &s.items {
            if item.codes.is_empty() {
                unused.push((
                    item.span,
                    format!("unknown rule `{}` in suppression", item.text),
                ));
            } else if !item.used && item.codes.iter().all(|c| enabled.contains(c)) {
                unused.push((
                    item.span,
                    format!("suppression of `{}` matches no finding", item.text),
                ));
            }
        }
    }
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
        let found = parse(&src, &catalog);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].items.len(), 2);
        assert_eq!(src.slice(found[0].items[1].span), "runs-as-root");
        assert_eq!(found[0].items[1].codes, ["USR001"]);
        assert!(found[1].file_wide);
        assert!(found[2].all);
    }
}
