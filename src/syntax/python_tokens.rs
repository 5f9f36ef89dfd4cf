//! Python's tokens, reduced to what is asked of a file before (or instead of) a parse: its
//! names and its string literals with their values, comments skipped. A scan of the bytes,
//! no tree: a rule's trigger can ask "does any literal spell an address" of every file, and
//! "is this offset inside a string" costs no parse.

use crate::source::Span;
use std::borrow::Cow;

/// A token, as far as these questions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// An identifier or keyword.
    Name(&'a str),
    /// A string literal (two in a row are one concatenated value).
    Str(StringLiteral<'a>),
    /// Anything else that separates two literals: an operator, a number, the end of a logical
    /// line.
    Other,
    /// Before the tokens of an f-string's replacement fields, which follow the f-string: a
    /// literal after them may still be adjacent to the f-string.
    FieldsStart,
    FieldsEnd,
}

/// One string literal as written: `rb'…'`, `"""…"""`, `f"{x}"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringLiteral<'a> {
    /// From the prefix to the closing quote (to the end of the line or file when unclosed).
    pub span: Span,
    prefix: &'a str,
    /// Between the quotes.
    body: &'a str,
    /// An f- or t-string with at least one replacement field.
    interpolated: bool,
}

impl<'a> StringLiteral<'a> {
    /// The literal's text value, as the parser's `string_value` gives it: None for byte strings
    /// and interpolated f-strings, else `decode`d.
    pub fn value(&self) -> Option<Cow<'a, str>> {
        if self.interpolated {
            return None;
        }
        decode(self.prefix, self.body)
    }
}

/// The value of a literal's body given its prefix: None for a byte string; in other than raw
/// strings the escapes `\n`, `\t`, `\\`, `\'` and `\"` decoded and the rest kept as written
/// (rules compare values with words and addresses, which need no other).
pub fn decode<'a>(prefix: &str, body: &'a str) -> Option<Cow<'a, str>> {
    let has = |c: u8| prefix.bytes().any(|p| p.eq_ignore_ascii_case(&c));
    if has(b'b') {
        return None;
    }
    if has(b'r') || !body.contains('\\') {
        return Some(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(e @ ('\\' | '\'' | '"')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some(Cow::Owned(out))
}

/// Calls `each` with the tokens of `text` in order. The tokens of an f-string's replacement
/// fields come after the f-string itself, between `FieldsStart` and `FieldsEnd`.
pub fn scan<'a>(text: &'a str, each: &mut impl FnMut(Token<'a>)) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        fields: 0,
    };
    lexer.tokens(each, None);
}

/// The spans of a text's string literals, an f-string's nested literals included.
pub fn string_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    scan(text, &mut |token| {
        if let Token::Str(literal) = token {
            spans.push(literal.span);
        }
    });
    spans.sort_by_key(|s| s.start);
    spans
}

/// The string values of a text: each literal's, and each run of adjacent literals' concatenation
/// (`"0.0.0." "0"`), as the parser would give them (`StringLiteral::value`).
pub fn string_values(text: &str, each: &mut impl FnMut(&str)) {
    /// A run of adjacent literals: how many, and their joined value (None once one has none).
    #[derive(Default)]
    struct Run<'a> {
        literals: usize,
        joined: Option<Cow<'a, str>>,
    }
    impl Run<'_> {
        fn end(&mut self, each: &mut impl FnMut(&str)) {
            if self.literals > 1
                && let Some(joined) = &self.joined
            {
                each(joined);
            }
            *self = Run::default();
        }
    }
    // The runs of the f-strings whose fields are being read, outermost first.
    let mut outer: Vec<Run> = Vec::new();
    let mut run = Run::default();
    scan(text, &mut |token| match token {
        Token::Str(literal) => {
            let value = literal.value();
            if let Some(value) = &value {
                each(value);
            }
            run.joined = match (run.literals, run.joined.take(), value) {
                (0, _, Some(value)) => Some(value),
                (_, Some(joined), Some(value)) => Some(Cow::Owned(joined.into_owned() + &value)),
                _ => None,
            };
            run.literals += 1;
        }
        Token::FieldsStart => outer.push(std::mem::take(&mut run)),
        Token::FieldsEnd => {
            run.end(each);
            run = outer.pop().unwrap_or_default();
        }
        Token::Name(_) | Token::Other => run.end(each),
    });
    run.end(each);
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// How many replacement fields enclose `pos`.
    fields: usize,
}

/// Replacement fields nested deeper than this are read as text: the scan recurses once per
/// level, and a hostile file must not exhaust the stack (CPython itself stops at 150).
const MAX_FIELD_NESTING: usize = 64;

/// Where a nested scan stops: an f-string replacement field ends at its `}` (or at a `:`
/// opening its format spec, or a `!` its conversion), with brackets balanced.
struct Field;

impl<'a> Lexer<'a> {
    fn peek(&self, at: usize) -> Option<u8> {
        self.bytes.get(self.pos + at).copied()
    }

    /// Moves past the bytes that `keep` accepts.
    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        self.pos += self.bytes[self.pos..]
            .iter()
            .position(|&b| !keep(b))
            .unwrap_or(self.bytes.len() - self.pos);
    }

    /// Scans tokens to the end of the text or, inside a replacement field, to its end.
    fn tokens(&mut self, each: &mut impl FnMut(Token<'a>), field: Option<Field>) {
        let mut depth = 0usize;
        let mut separated = true;
        while let Some(b) = self.peek(0) {
            match b {
                b' ' | b'\t' | b'\x0c' | b'\r' => {
                    self.pos += 1;
                    self.skip_while(|b| b == b' ');
                }
                b'\n' => {
                    self.pos += 1;
                    // A line ends a statement outside brackets (and adjacency of literals).
                    if depth == 0 && field.is_none() && !separated {
                        each(Token::Other);
                        separated = true;
                    }
                }
                // A backslash joins the next line to this one.
                b'\\' if matches!(self.peek(1), Some(b'\n' | b'\r')) => {
                    self.pos += if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') {
                        3
                    } else {
                        2
                    };
                }
                b'#' => {
                    self.pos = self.text[self.pos..]
                        .find('\n')
                        .map_or(self.bytes.len(), |i| self.pos + i);
                }
                b'\'' | b'"' => {
                    let start = self.pos;
                    self.emit_string(start, start, each);
                    separated = false;
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.pos += 1;
                    each(Token::Other);
                    separated = false;
                }
                b')' | b']' | b'}' => {
                    if depth == 0 && field.is_some() {
                        return;
                    }
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                    each(Token::Other);
                    separated = false;
                }
                b':' | b'!' if depth == 0 && field.is_some() => {
                    // `!=` is an operator, `!r` a conversion; `:` opens the format spec.
                    if b == b'!' && self.peek(1) == Some(b'=') {
                        self.pos += 2;
                        continue;
                    }
                    return;
                }
                b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                    let start = self.pos;
                    self.skip_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80);
                    let word = &self.text[start..self.pos];
                    if matches!(self.peek(0), Some(b'\'' | b'"')) && is_string_prefix(word) {
                        self.emit_string(start, self.pos, each);
                    } else {
                        each(Token::Name(word));
                    }
                    separated = false;
                }
                b if b.is_ascii_digit() => {
                    // A number, with its letters (`0x1F`, `1e5`, `2j`) and dots.
                    self.skip_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
                    each(Token::Other);
                    separated = false;
                }
                _ => {
                    self.pos += 1;
                    each(Token::Other);
                    separated = false;
                }
            }
        }
    }

    /// The string literal at `start`, then its replacement fields' tokens.
    fn emit_string(&mut self, start: usize, quote: usize, each: &mut impl FnMut(Token<'a>)) {
        let mut fields = Vec::new();
        each(Token::Str(self.string(start, quote, &mut fields)));
        if !fields.is_empty() {
            each(Token::FieldsStart);
            fields.into_iter().for_each(&mut *each);
            each(Token::FieldsEnd);
        }
    }

    /// The string literal whose prefix starts at `start` and whose opening quote is at `quote`,
    /// the tokens of its replacement fields pushed to `fields`; leaves `pos` after it.
    fn string(
        &mut self,
        start: usize,
        quote: usize,
        fields: &mut Vec<Token<'a>>,
    ) -> StringLiteral<'a> {
        let prefix = &self.text[start..quote];
        let formatted = prefix
            .bytes()
            .any(|p| matches!(p.to_ascii_lowercase(), b'f' | b't'));
        let raw = prefix.bytes().any(|p| p.eq_ignore_ascii_case(&b'r'));
        let q = self.bytes[quote];
        let triple = self.bytes.get(quote + 1) == Some(&q) && self.bytes.get(quote + 2) == Some(&q);
        let open = if triple { 3 } else { 1 };
        self.pos = quote + open;
        let body_start = self.pos;
        let mut interpolated = false;
        let body_end = loop {
            let Some(b) = self.peek(0) else {
                break self.pos;
            };
            match b {
                // A backslash escapes no brace: `f"\{x}"` has a field.
                b'\\' if formatted && self.peek(1) == Some(b'{') => self.pos += 1,
                b'\\' => {
                    // `\N{NAME}` names a character; its braces are no replacement field.
                    if formatted && !raw && self.peek(1) == Some(b'N') && self.peek(2) == Some(b'{')
                    {
                        self.pos = self.text[self.pos..]
                            .find('}')
                            .map_or(self.bytes.len(), |i| self.pos + i + 1);
                    } else {
                        // Also in a raw string, a backslash keeps the next quote from closing.
                        self.pos = (self.pos + 2).min(self.bytes.len());
                    }
                }
                b'\n' if !triple => break self.pos,
                b'{' if formatted && self.fields < MAX_FIELD_NESTING => {
                    if self.peek(1) == Some(b'{') {
                        self.pos += 2;
                    } else {
                        interpolated = true;
                        self.pos += 1;
                        self.replacement_field(fields);
                    }
                }
                b if b == q => {
                    if !triple {
                        let end = self.pos;
                        self.pos += 1;
                        break end;
                    }
                    if self.peek(1) == Some(q) && self.peek(2) == Some(q) {
                        let end = self.pos;
                        self.pos += 3;
                        break end;
                    }
                    self.pos += 1;
                }
                _ => {
                    self.pos += 1;
                    self.skip_while(|b| b != q && b != b'\\' && b != b'\n' && b != b'{');
                }
            }
        };
        StringLiteral {
            span: Span::new(start, self.pos),
            prefix,
            body: &self.text[body_start..body_end],
            interpolated,
        }
    }

    /// An f-string's `{expression!r:spec}`, after its `{`; leaves `pos` after its `}`. The
    /// format spec may hold replacement fields of its own (`{x:{width}}`).
    fn replacement_field(&mut self, fields: &mut Vec<Token<'a>>) {
        self.fields += 1;
        self.tokens(&mut |token| fields.push(token), Some(Field));
        fields.push(Token::Other);
        if self.peek(0) == Some(b'!') {
            self.pos += 1;
            while self.peek(0).is_some_and(|b| b.is_ascii_alphabetic()) {
                self.pos += 1;
            }
        }
        if self.peek(0) == Some(b':') {
            self.pos += 1;
            while let Some(b) = self.peek(0) {
                match b {
                    b'{' if self.fields < MAX_FIELD_NESTING => {
                        self.pos += 1;
                        self.replacement_field(fields);
                    }
                    b'}' => break,
                    _ => self.pos += 1,
                }
            }
        }
        if self.peek(0) == Some(b'}') {
            self.pos += 1;
        }
        self.fields -= 1;
    }
}

/// Whether a word before a quote is a string prefix (`rb`, `F`, `u`, `Rt`), not a name.
fn is_string_prefix(word: &str) -> bool {
    word.len() <= 2
        && word
            .bytes()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'))
        && !matches!(
            word.to_ascii_lowercase().as_str(),
            "uu" | "bb" | "ff" | "rr" | "tt"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        string_values(text, &mut |v| out.push(v.to_string()));
        out
    }

    fn names(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut |t| {
            if let Token::Name(n) = t {
                out.push(n);
            }
        });
        out
    }

    #[test]
    fn adjacent_literals_are_one_value() {
        assert_eq!(
            values("app.run(host='0.0.0.' '0')\n"),
            ["0.0.0.", "0", "0.0.0.0"]
        );
        // Across lines inside brackets, and past a comment; not across a statement's end.
        assert_eq!(
            values("x = ('0.0.' # a comment\n  \"0.0\")\ny = 'a'\n'b'\n"),
            ["0.0.", "0.0", "0.0.0.0", "a", "b"]
        );
        assert_eq!(values("x = 'a' \\\n 'b'\n"), ["a", "b", "ab"]);
        // A byte string has no text value, and so neither has a run holding one.
        assert_eq!(values("x = b'a' 'b'\n"), ["b"]);
    }

    #[test]
    fn prefixes_quotes_and_escapes() {
        assert_eq!(
            values(r#"a = r'\n' + u"\n" + '\'' + "\x41" + """x"y""" + '''a''' + Rb"c""#),
            ["\\n", "\n", "'", "\\x41", "x\"y", "a"]
        );
        // A raw string's backslash keeps its quote from closing it.
        assert_eq!(values(r#"a = r"\"" + 'b'"#), ["\\\"", "b"]);
        // An unclosed single-quoted string ends at its line.
        assert_eq!(values("a = 'abc\nb = 'd'\n"), ["abc", "d"]);
        assert_eq!(names("rb = ur + fr('x')\n"), ["rb", "ur", "fr"]);
    }

    #[test]
    fn comments_hide_quotes_and_strings_hide_hashes() {
        assert_eq!(values("# it's 'x'\na = '#' # \"y\"\n"), ["#"]);
        assert_eq!(names("# run(x)\nserve  # bind\n"), ["serve"]);
    }

    #[test]
    fn f_strings_scan_their_fields() {
        let text = "s = f\"{host!r:>{width}} {d['k']} {{x}} \\N{DASH} {a if b else c}\" + 'z'\n";
        assert_eq!(values(text), ["k", "z"]);
        assert_eq!(
            names(text),
            ["s", "host", "width", "d", "a", "if", "b", "else", "c"]
        );
        // The same quote inside a field (Python 3.12), nested f-strings, and `!=`.
        assert_eq!(values("f\"{x[\"a\"]}{f'{y}'}{a != b}\" 'q'"), ["a", "q"]);
        // Without a field an f-string has a value, and joins its neighbours.
        assert_eq!(values("f'0.0.' '0.0'"), ["0.0.", "0.0", "0.0.0.0"]);
        assert_eq!(
            string_spans("a = f'{b}' 'c'"),
            [Span::new(4, 10), Span::new(11, 14)]
        );
    }

    /// Fields nest as deep as a file writes them, but the scan's recursion stops at
    /// `MAX_FIELD_NESTING`: past it, braces are text.
    #[test]
    fn deeply_nested_f_strings_end() {
        let mut nested = String::from("1");
        for _ in 0..10_000 {
            nested = format!("f'{{{nested}}}'");
        }
        let text = format!("x = {nested}\ny = 'after'\n");
        assert!(values(&text).contains(&"after".to_string()));
        let unclosed = format!("x = {}\n", "f'{".repeat(10_000));
        values(&unclosed);
    }

    #[test]
    fn string_spans_cover_prefix_and_quotes() {
        let text = "x = rb'''a\n#b''' # 'c'\ny = \"d\"\n";
        let spans = string_spans(text);
        let written: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(written, ["rb'''a\n#b'''", "\"d\""]);
    }
}
