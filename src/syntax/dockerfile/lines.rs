//! Physical lines, parser directives and line continuations.

use std::ops::Range;

use super::text::is_re_s;

/// A physical line: `start..content_end` is its text without the line ending, `end` is past it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub(super) start: usize,
    pub(super) content_end: usize,
    pub(super) end: usize,
}

pub(super) fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| start + p + 1);
        // BuildKit trims every trailing CR and LF (`bytes.TrimRight(src, "\r\n")`).
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\r' | b'\n') {
            content_end -= 1;
        }
        lines.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

/// Matches `#\s*name\s*=\s*value` the way BuildKit's directive parser does; returns the name
/// and value ranges within `token`.
pub(super) fn match_directive(token: &str) -> Option<(Range<usize>, Range<usize>)> {
    let after_hash = token.strip_prefix('#')?;
    let name_start = token.len() - after_hash.trim_start().len();
    let s = &token[name_start..];
    let bytes = s.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let eq = name_len + s[name_len..].len() - s[name_len..].trim_start_matches(is_re_s).len();
    if bytes.get(eq) != Some(&b'=') {
        return None;
    }
    let after = &s[eq + 1..];
    let lead = after.len() - after.trim_start_matches(is_re_s).len();
    let (value_start, value_end) = if lead < after.len() {
        (lead, after.trim_end_matches(is_re_s).len())
    } else if !after.is_empty() {
        // `(.+?)` needs one character, so the regex gives back the last blank.
        (after.len() - 1, after.len())
    } else {
        return None;
    };
    let base = name_start + eq + 1;
    Some((
        name_start..name_start + name_len,
        base + value_start..base + value_end,
    ))
}

/// Removes a trailing line-continuation token as BuildKit's regex
/// `([^\\])\\[ \t]*$|^\\[ \t]*$` does: an escape token preceded by another one does not count.
pub(super) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(before) if !before.ends_with(escape) => (before, true),
        _ => (line, false),
    }
}
