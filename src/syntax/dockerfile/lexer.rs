//! The shell lexer (BuildKit's `shell.Lex`): quotes, escapes and variable references.

use std::ops::Range;

use crate::source::MappedText;

use super::pattern::{replace_pattern, trim_pattern};
use super::text::{append, push_mapped};

/// A variable lookup: `Some(value)` when known.
type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) struct Lexer<'a> {
    src: &'a MappedText,
    /// Byte offset in `src` and character, for every character.
    chars: Vec<(usize, char)>,
    pos: usize,
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    /// `None`: nothing is set and references are kept as written (BuildKit's `SkipUnsetEnv`).
    /// `Some`: references are looked up; a miss is kept as written and marks the result unknown.
    env: Option<EnvLookup<'a>>,
    /// The result so far depends on a variable whose value is not known.
    pub(super) unknown: bool,
}

/// How a `${...}` reference resolved.
enum Lookup {
    Set(String),
    /// Unset or unknown: the reference is kept as written.
    Literal,
}

/// Accumulates words the way BuildKit's `wordsStruct` does.
struct Words {
    buf: MappedText,
    words: Vec<MappedText>,
    in_word: bool,
}

impl Words {
    fn new(at: usize) -> Self {
        Words {
            buf: MappedText::new(at),
            words: Vec::new(),
            in_word: false,
        }
    }

    fn add_char(&mut self, src: &MappedText, range: Range<usize>) {
        let blank = src.as_str()[range.clone()]
            .chars()
            .next()
            .is_some_and(char::is_whitespace);
        if !blank {
            self.add_raw(src, range);
        } else if self.in_word && !self.buf.is_empty() {
            let word = std::mem::replace(&mut self.buf, MappedText::new(src.origin(range.end)));
            self.words.push(word);
            self.in_word = false;
        }
    }

    fn add_raw(&mut self, src: &MappedText, range: Range<usize>) {
        push_mapped(&mut self.buf, src, range);
        self.in_word = true;
    }

    fn add_string(&mut self, src: &MappedText) {
        for (i, c) in src.as_str().char_indices() {
            self.add_char(src, i..i + c.len_utf8());
        }
    }

    fn add_raw_string(&mut self, src: &MappedText) {
        append(&mut self.buf, src);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<MappedText> {
        if !self.buf.is_empty() {
            self.words.push(self.buf);
        }
        self.words
    }
}

type Processed = (MappedText, Vec<MappedText>);

impl<'a> Lexer<'a> {
    /// A lexer with nothing set, which keeps variable references as written.
    pub(super) fn literal(
        src: &'a MappedText,
        escape: char,
        raw_quotes: bool,
        raw_escapes: bool,
    ) -> Self {
        Lexer {
            src,
            chars: src.as_str().char_indices().collect(),
            pos: 0,
            escape,
            raw_quotes,
            raw_escapes,
            env: None,
            unknown: false,
        }
    }

    pub(super) fn with_env(src: &'a MappedText, escape: char, env: EnvLookup<'a>) -> Self {
        Lexer {
            env: Some(env),
            ..Lexer::literal(src, escape, false, false)
        }
    }

    /// ProcessWord: the whole input as one word.
    pub(super) fn process_word(&mut self) -> Result<MappedText, String> {
        self.process_stop_on(None, self.raw_escapes)
            .map(|(word, _)| word)
    }

    /// ProcessWords: the input split into words after quote removal.
    pub(super) fn process_words(&mut self) -> Result<Vec<MappedText>, String> {
        self.process_stop_on(None, self.raw_escapes)
            .map(|(_, words)| words)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// Byte offset in `src` of character `index`.
    fn byte(&self, index: usize) -> usize {
        self.chars
            .get(index)
            .map_or(self.src.as_str().len(), |&(b, _)| b)
    }

    fn empty(&self) -> MappedText {
        MappedText::new(self.src.origin(self.byte(self.pos)))
    }

    /// Appends source characters `from..to` (character indices).
    fn push_src(&self, out: &mut MappedText, from: usize, to: usize) {
        push_mapped(out, self.src, self.byte(from)..self.byte(to));
    }

    /// Text that replaces the reference at characters `from..to`; every character points at
    /// the whole reference.
    fn synthetic(&self, text: &str, from: usize, to: usize) -> MappedText {
        let span = self.src.span_of(self.byte(from)..self.byte(to));
        let mut out = MappedText::new(span.start);
        for c in text.chars() {
            out.push_char(c, span.start, span.end);
        }
        out
    }

    fn lookup(&mut self, name: &str) -> Lookup {
        match self.env.map(|env| env(name)) {
            Some(Some(value)) => Lookup::Set(value),
            Some(None) => {
                self.unknown = true;
                Lookup::Literal
            }
            None => Lookup::Literal,
        }
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<Processed, String> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.stop_on(stop);
        self.raw_escapes = saved;
        result
    }

    fn stop_on(&mut self, stop: Option<char>) -> Result<Processed, String> {
        let mut result = self.empty();
        let mut words = Words::new(result.origin(0));
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok((result, words.finish()));
            }
            match c {
                '$' => {
                    let value = self.process_dollar()?;
                    append(&mut result, &value);
                    words.add_string(&value);
                }
                '\'' | '"' => {
                    let value = if c == '\'' {
                        self.single_quote()?
                    } else {
                        self.double_quote()?
                    };
                    append(&mut result, &value);
                    words.add_raw_string(&value);
                }
                _ => {
                    let at = self.pos;
                    self.pos += 1;
                    let range = self.byte(at)..self.byte(at + 1);
                    if c != self.escape {
                        words.add_char(self.src, range.clone());
                        push_mapped(&mut result, self.src, range);
                        continue;
                    }
                    if self.raw_escapes {
                        words.add_raw(self.src, range.clone());
                        push_mapped(&mut result, self.src, range);
                    }
                    // The escape token escapes the next character, except at the end.
                    if self.next().is_none() {
                        break;
                    }
                    let escaped = self.byte(at + 1)..self.byte(at + 2);
                    words.add_raw(self.src, escaped.clone());
                    push_mapped(&mut result, self.src, escaped);
                }
            }
        }
        match stop {
            Some(c) => Err(format!(
                "unexpected end of statement while looking for matching {c}"
            )),
            None => Ok((result, words.finish())),
        }
    }

    fn single_quote(&mut self) -> Result<MappedText, String> {
        let mut out = self.empty();
        let open = self.pos;
        self.pos += 1;
        if self.raw_quotes {
            self.push_src(&mut out, open, open + 1);
        }
        loop {
            let at = self.pos;
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    );
                }
                Some('\'') if !self.raw_quotes => return Ok(out),
                Some(c) => {
                    self.push_src(&mut out, at, at + 1);
                    if c == '\'' {
                        return Ok(out);
                    }
                }
            }
        }
    }

    fn double_quote(&mut self) -> Result<MappedText, String> {
        let mut out = self.empty();
        let open = self.pos;
        self.pos += 1;
        if self.raw_quotes {
            self.push_src(&mut out, open, open + 1);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    );
                }
                Some('"') => {
                    if self.raw_quotes {
                        self.push_src(&mut out, self.pos, self.pos + 1);
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    append(&mut out, &value);
                }
                Some(c) => {
                    let at = self.pos;
                    self.pos += 1;
                    let mut emit = at;
                    if c == self.escape {
                        if self.raw_escapes {
                            self.push_src(&mut out, at, at + 1);
                        }
                        match self.peek() {
                            // An escape at the end is dropped; the missing quote errors next.
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                emit = self.pos;
                                self.pos += 1;
                            }
                            Some(_) => {}
                        }
                    }
                    self.push_src(&mut out, emit, emit + 1);
                }
            }
        }
    }

    fn process_name(&mut self) -> Range<usize> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if self.pos == start && is_go_digit(c) {
                while self.peek().is_some_and(is_go_digit) {
                    self.pos += 1;
                }
                break;
            }
            if self.pos == start && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                break;
            }
            if !(c.is_alphabetic() || is_go_digit(c) || c == '_') {
                break;
            }
            self.pos += 1;
        }
        start..self.pos
    }

    fn text(&self, range: Range<usize>) -> String {
        self.chars[range].iter().map(|&(_, c)| c).collect()
    }

    fn process_dollar(&mut self) -> Result<MappedText, String> {
        let dollar = self.pos;
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.process_name();
            let mut out = self.empty();
            if name.is_empty() {
                self.push_src(&mut out, dollar, dollar + 1);
                return Ok(out);
            }
            return Ok(match self.lookup(&self.text(name)) {
                Lookup::Set(value) => self.synthetic(&value, dollar, self.pos),
                Lookup::Literal => {
                    self.push_src(&mut out, dollar, self.pos);
                    out
                }
            });
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            Some(_) => {}
        }
        let name_range = self.process_name();
        let name = self.text(name_range.clone());
        let op_at = self.pos;
        let unsupported = |lexer: &Self| {
            let modifier = lexer.text(op_at..lexer.pos.min(lexer.chars.len()));
            format!("unsupported modifier ({modifier}) in substitution")
        };
        match self.next() {
            Some('}') => Ok(match self.lookup(&name) {
                Lookup::Set(value) => self.synthetic(&value, dollar, self.pos),
                Lookup::Literal => {
                    let mut out = self.empty();
                    self.push_src(&mut out, dollar, self.pos);
                    out
                }
            }),
            Some(first @ (':' | '+' | '-' | '?' | '#' | '%')) => {
                let null_is_unset = first == ':';
                let op = if null_is_unset {
                    self.next()
                } else {
                    Some(first)
                };
                let op_end = self.pos;
                let raw = matches!(op, Some('#' | '%'));
                if null_is_unset && raw {
                    return Err(unsupported(&*self));
                }
                let before = std::mem::replace(&mut self.unknown, false);
                let word = self.process_stop_on(Some('}'), raw);
                let word_unknown = std::mem::replace(&mut self.unknown, before);
                let word = match word {
                    Ok((word, _)) => word,
                    Err(_) if self.peek().is_none() => {
                        return Err("syntax error: missing '}'".to_string());
                    }
                    Err(e) => return Err(e),
                };
                let close = self.pos - 1;
                let value = match self.lookup(&name) {
                    Lookup::Set(value) => value,
                    Lookup::Literal => {
                        self.unknown |= word_unknown;
                        let mut out = self.empty();
                        self.push_src(&mut out, dollar, name_range.end);
                        self.push_src(&mut out, op_at, op_end);
                        append(&mut out, &word);
                        self.push_src(&mut out, close, close + 1);
                        return Ok(out);
                    }
                };
                let empty = null_is_unset && value.is_empty();
                match op {
                    Some('-') if empty => {
                        self.unknown |= word_unknown;
                        Ok(word)
                    }
                    Some('-' | '?') if !empty => Ok(self.synthetic(&value, dollar, self.pos)),
                    Some('+') if empty => Ok(self.empty()),
                    Some('+') => {
                        self.unknown |= word_unknown;
                        Ok(word)
                    }
                    Some('?') => {
                        let message = if word.is_empty() {
                            "is not allowed to be empty"
                        } else {
                            word.as_str()
                        };
                        Err(format!("{name}: {message}"))
                    }
                    Some(op @ ('%' | '#')) => {
                        self.unknown |= word_unknown;
                        let pattern = word.as_str();
                        let (greedy, pattern) = match pattern.strip_prefix(op) {
                            Some(rest) => (true, rest),
                            None => (false, pattern),
                        };
                        let trimmed = trim_pattern(pattern, &value, greedy, op == '#')?;
                        Ok(self.synthetic(&trimmed, dollar, self.pos))
                    }
                    _ => Err(unsupported(&*self)),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.pos += 1;
                }
                let before = std::mem::replace(&mut self.unknown, false);
                let pattern = self.process_stop_on(Some('/'), true);
                let pattern = match pattern {
                    Ok((p, _)) => p,
                    Err(_) if self.peek().is_none() => {
                        self.unknown = before;
                        return Err("syntax error: missing '/' in ${}".to_string());
                    }
                    Err(e) => {
                        self.unknown = before;
                        return Err(e);
                    }
                };
                let separator = self.pos - 1;
                let replacement = self.process_stop_on(Some('}'), true);
                let parts_unknown = std::mem::replace(&mut self.unknown, before);
                let replacement = match replacement {
                    Ok((r, _)) => r,
                    Err(_) if self.peek().is_none() => {
                        return Err("syntax error: missing '}'".to_string());
                    }
                    Err(e) => return Err(e),
                };
                let close = self.pos - 1;
                self.unknown |= parts_unknown;
                match self.lookup(&name) {
                    Lookup::Set(value) => {
                        let replaced = replace_pattern(
                            pattern.as_str(),
                            &value,
                            replacement.as_str(),
                            replace_all,
                        )?;
                        Ok(self.synthetic(&replaced, dollar, self.pos))
                    }
                    Lookup::Literal => {
                        let mut out = self.empty();
                        self.push_src(&mut out, dollar, name_range.end);
                        self.push_src(&mut out, op_at, op_at + 1);
                        append(&mut out, &pattern);
                        self.push_src(&mut out, separator, separator + 1);
                        append(&mut out, &replacement);
                        self.push_src(&mut out, close, close + 1);
                        Ok(out)
                    }
                }
            }
            _ => Err(unsupported(&*self)),
        }
    }
}

/// Go's `unicode.IsDigit` (decimal digits), approximated with Rust's numeric property.
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// ProcessWord with nothing set; falls back to the text as written when it does not lex.
pub(super) fn process_word(text: &MappedText, escape: char) -> MappedText {
    // The word points at what was written, quotes included.
    Lexer::literal(text, escape, false, false)
        .process_word()
        .map(|word| word.with_span(text.span()))
        .unwrap_or_else(|_| text.clone())
}
