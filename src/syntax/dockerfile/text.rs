//! Go's string helpers as BuildKit uses them (whitespace classes, `TrimSpace`, regexp split,
//! `strconv.Quote`), and copying mapped text without losing original offsets.

use std::fmt::Write as _;
use std::ops::Range;

use crate::source::MappedText;

/// The characters of Go's `reWhitespace` (`[\t\v\f\r ]`), used to split commands and words.
pub(super) fn is_re_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Go regexp `\s`: `[\t\n\f\r ]`.
pub(super) fn is_re_s(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// Appends `src[range]` to `out`, keeping the original offsets of every character.
pub(super) fn push_mapped(out: &mut MappedText, src: &MappedText, range: Range<usize>) {
    let text = src.as_str();
    if text.get(range.clone()).is_none() {
        return;
    }
    let mut i = range.start;
    while i < range.end {
        // The whole characters of one contiguous run go in one piece.
        if let Some((origin, run_end)) = src.run_at(i) {
            let mut end = run_end.min(range.end);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            if end > i {
                out.push_str(&text[i..end], origin);
                i = end;
                continue;
            }
        }
        // A character across runs (an escape pushed as one character) or of a text that
        // stands for its span as a whole.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        push_one_char(out, src, i, c);
        i += c.len_utf8();
    }
}

/// Copies the character `c` at `i` of `src`: as text when its bytes map one to one, else as
/// one character standing for its whole span.
fn push_one_char(out: &mut MappedText, src: &MappedText, i: usize, c: char) {
    let len = c.len_utf8();
    let origin = src.origin(i);
    if src.origin(i + len - 1) == origin + len - 1 {
        out.push_str(&src.as_str()[i..i + len], origin);
    } else {
        let span = src.span_of(i..i + len);
        out.push_char(c, span.start, span.end);
    }
}

pub(super) fn append(out: &mut MappedText, src: &MappedText) {
    push_mapped(out, src, 0..src.as_str().len());
}

/// Go's `strings.TrimSpace` applied to `text[range]`.
pub(super) fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

/// Go's `reWhitespace.Split(s, n)`: ranges between runs of `[\t\v\f\r ]`.
pub(super) fn split_re_ws(text: &str, limit: Option<usize>) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut piece_start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !is_re_ws(c) {
            continue;
        }
        if limit.is_some_and(|n| parts.len() + 1 >= n) {
            break;
        }
        let mut run_end = i + c.len_utf8();
        while let Some(&(j, d)) = iter.peek() {
            if !is_re_ws(d) {
                break;
            }
            run_end = j + d.len_utf8();
            iter.next();
        }
        parts.push(piece_start..i);
        piece_start = run_end;
    }
    parts.push(piece_start..text.len());
    parts
}

/// Go's `strconv.Quote`.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_go_print(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`, approximated: everything but controls, blanks other than space,
/// format characters, private use and noncharacters. (Unassigned code points are not known here.)
fn is_go_print(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let format = matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let nonchar = (0xFDD0..=0xFDEF).contains(&u) || u & 0xFFFE == 0xFFFE;
    !(format || private || nonchar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    /// The character-by-character copy `push_mapped` replaced: its result is the reference.
    fn push_mapped_per_char(out: &mut MappedText, src: &MappedText, range: Range<usize>) {
        let text = src.as_str();
        let Some(slice) = text.get(range.clone()) else {
            return;
        };
        for (offset, c) in slice.char_indices() {
            push_one_char(out, src, range.start + offset, c);
        }
    }

    #[test]
    fn copying_by_runs_maps_as_copying_by_characters() {
        let file = "RUN é\\ébc \"q\" $X x";
        let mut mixed = MappedText::new(4);
        mixed.push_str("é", 4);
        mixed.push_char('é', 6, 9); // an escaped `\é`
        mixed.push_str("bc ", 9);
        mixed.push_char('q', 13, 14);
        mixed.push_str("x", 17);
        mixed.push_str(" ", 20);
        let sources = [
            MappedText::from_span(file, Span::new(0, file.len())),
            MappedText::standing_for("vålue x", Span::new(15, 17)),
            MappedText::standing_for("", Span::new(15, 17)),
            mixed.clone().with_span(Span::new(3, 21)),
            mixed,
        ];
        for src in &sources {
            let len = src.as_str().len();
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    let mut fast = MappedText::standing_for("ab", Span::new(0, 2));
                    let mut slow = fast.clone();
                    push_mapped(&mut fast, src, start..end);
                    push_mapped_per_char(&mut slow, src, start..end);
                    assert_eq!(fast, slow, "{src:?} {start}..{end}");
                    let mut fast = MappedText::new(30);
                    let mut slow = MappedText::new(30);
                    push_mapped(&mut fast, src, start..end);
                    push_mapped_per_char(&mut slow, src, start..end);
                    assert_eq!(fast, slow, "{src:?} {start}..{end}");
                }
            }
        }
    }
}
