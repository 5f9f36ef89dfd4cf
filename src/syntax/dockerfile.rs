//! Dockerfile parser that follows BuildKit's parsing rules and keeps the original byte span of every piece.
//!
//! The structure mirrors BuildKit's `frontend/dockerfile/parser` (line handling, directives,
//! `splitCommand`, the per-instruction line parsers, heredocs) and the parts of
//! `frontend/dockerfile/shell/lex.go` that later stages use for quotes, escapes and variables.
//! Where BuildKit would stop with an error, the error is recorded and parsing goes on.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;

use crate::source::{MappedText, Span};

/// BuildKit reads lines with a `bufio.Scanner`, which refuses longer ones.
const MAX_LINE_LEN: usize = 65535;
/// Go's `encoding/json` nesting limit.
const MAX_JSON_DEPTH: usize = 10000;
/// Guards recursion on `ONBUILD ONBUILD ...` chains (BuildKit rejects any chaining anyway).
const MAX_ONBUILD_DEPTH: usize = 8;
/// Shell-pattern operations on values bigger than this are not evaluated (they return unknown).
const MAX_PATTERN_WORK: usize = 1 << 20;

const ERR_NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// The instructions BuildKit knows, lowercase.
const KNOWN_INSTRUCTIONS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// Parser directives at the top: `# syntax=`, `# escape=`, `# check=`.
    pub directives: Vec<Directive>,
    /// The escape token in force: `\` or a backtick.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Errors BuildKit raises while parsing (the parser's own, plus the instruction checks that
    /// need no build context: unknown instruction, SHELL not in JSON form, bad ONBUILD trigger).
    /// They are not fatal here: parsing goes on and returns what it could.
    pub errors: Vec<SyntaxError>,
}

/// A parser directive such as `# escape=\``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    /// The whole directive line from `#` to the end of its value.
    pub span: Span,
    pub value_span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// One instruction (a logical line, plus its heredoc bodies).
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Uppercased, e.g. `RUN`.
    pub keyword: String,
    pub keyword_span: Span,
    /// The whole instruction including continuation lines and heredoc bodies.
    pub span: Span,
    /// Leading `--flags`, quotes and backslash escapes processed as BuildKit does.
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Heredocs of RUN/COPY/ADD; for `ONBUILD RUN <<EOF` they sit on the ONBUILD instruction,
    /// where BuildKit keeps them.
    pub heredocs: Vec<Heredoc>,
    /// The trigger of `ONBUILD <instruction>`.
    pub onbuild: Option<Box<Instruction>>,
}

/// A builder flag such as `--mount=type=cache,target=/root/.cache`.
#[derive(Debug, Clone)]
pub struct Flag {
    /// The name without the leading `--`, as written (`mount`).
    pub name: String,
    /// What follows the first `=`; `None` for a bare `--link`.
    pub value: Option<MappedText>,
    /// The flag as written, from `--` to its end.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Args {
    /// JSON array form; each element decoded (JSON escapes processed) and mapped to its original bytes.
    Exec(Vec<MappedText>),
    /// The rest of the logical line after the flags, joined across continuations, with
    /// comment lines inside the continuation removed, exactly as BuildKit hands it to `/bin/sh -c`.
    Shell(MappedText),
}

impl Args {
    pub fn is_exec(&self) -> bool {
        matches!(self, Args::Exec(_))
    }

    /// The span of the arguments in the file.
    pub fn span(&self) -> Span {
        match self {
            Args::Shell(text) => text.span(),
            Args::Exec(items) => items
                .iter()
                .map(MappedText::span)
                .reduce(Span::cover)
                .unwrap_or_default(),
        }
    }
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone)]
pub struct Heredoc {
    /// The terminator word with quotes removed (`EOF` for `<<'EOF'`).
    pub name: String,
    /// The content as the instruction receives it: every line with its line ending, and with
    /// leading tabs removed for `<<-`.
    pub body: MappedText,
    /// From the first body line to the end of the terminator line.
    pub span: Span,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp_tabs: bool,
    /// Some part of the word was quoted, so BuildKit does not expand variables in the body.
    pub quoted: bool,
    /// The `<<EOF` word on the instruction line.
    pub marker: Span,
}

/// A key and value of ENV, ARG or LABEL.
#[derive(Debug, Clone)]
pub struct KeyValue {
    pub key: MappedText,
    /// `None` for `ARG NAME` without a default (and for malformed ENV/LABEL pairs).
    pub value: Option<MappedText>,
}

/// A build stage: FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    pub index: usize,
    pub from: &'a Instruction,
    /// The image reference with quotes removed; variables are left as written.
    pub image: MappedText,
    /// The name after `AS`, as written (BuildKit compares stage names case-insensitively).
    pub name: Option<MappedText>,
    pub body: &'a [Instruction],
}

/// Parses a Dockerfile. Never fails: problems go to [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    Parser::new(text).run()
}

// ---------------------------------------------------------------------------------------------
// Lines and directives

/// A physical line: `start..content_end` is its text without the line ending, `end` is past it.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
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

/// The characters of Go's `reWhitespace` (`[\t\v\f\r ]`), used to split commands and words.
fn is_re_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Go regexp `\s`: `[\t\n\f\r ]`.
fn is_re_s(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// Matches `#\s*name\s*=\s*value` the way BuildKit's directive parser does; returns the name
/// and value ranges within `token`.
fn match_directive(token: &str) -> Option<(Range<usize>, Range<usize>)> {
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
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(before) if !before.ends_with(escape) => (before, true),
        _ => (line, false),
    }
}

// ---------------------------------------------------------------------------------------------
// The parser

struct Parser<'t> {
    text: &'t str,
    lines: Vec<Line>,
    next: usize,
    escape: char,
    errors: Vec<SyntaxError>,
    reported_long_line: bool,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        let mut lines = split_lines(text);
        // The byte-order mark is not part of the first line.
        if text.starts_with('\u{feff}')
            && let Some(first) = lines.first_mut()
        {
            first.start += '\u{feff}'.len_utf8();
        }
        Parser {
            text,
            lines,
            next: 0,
            escape: '\\',
            errors: Vec::new(),
            reported_long_line: false,
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(syntax_error(message, span));
    }

    fn content(&self, line: Line) -> &'t str {
        &self.text[line.start..line.content_end]
    }

    fn take_line(&mut self) -> Option<Line> {
        let line = *self.lines.get(self.next)?;
        self.next += 1;
        if line.end - line.start > MAX_LINE_LEN + 1 && !self.reported_long_line {
            self.reported_long_line = true;
            self.error(
                format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
                Span::new(line.start, line.content_end),
            );
        }
        Some(line)
    }

    /// Directives are comment lines at the very top; the first other line ends them.
    fn parse_directives(&mut self) -> Vec<Directive> {
        let mut directives = Vec::new();
        let mut seen = HashSet::new();
        for index in 0..self.lines.len() {
            let line = self.lines[index];
            let raw = self.content(line);
            let lead = raw.len() - raw.trim_start().len();
            let token = &raw[lead..];
            let Some((name_range, value_range)) = match_directive(token) else {
                break;
            };
            let name = token[name_range].to_ascii_lowercase();
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            let base = line.start + lead;
            let span = Span::new(base, line.content_end);
            let value = token[value_range.clone()].to_string();
            if !seen.insert(name.clone()) {
                self.error(
                    format!("only one {name} parser directive can be used"),
                    span,
                );
                continue;
            }
            if name == "escape" {
                match value.as_str() {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    _ => self.error(
                        format!("invalid escape token '{value}' does not match ` or \\"),
                        span,
                    ),
                }
            }
            directives.push(Directive {
                name,
                value,
                span,
                value_span: Span::new(base + value_range.start, base + value_range.end),
            });
        }
        directives
    }

    fn run(mut self) -> Dockerfile {
        let directives = self.parse_directives();
        let mut instructions = Vec::new();
        while let Some(first) = self.take_line() {
            let raw = self.content(first);
            let lead = raw.len() - raw.trim_start().len();
            let start = first.start + lead;
            let token = &raw[lead..];
            if token.starts_with('#') {
                continue;
            }
            let (kept, mut continues) = trim_continuation(token, self.escape);
            if !continues && kept.is_empty() {
                continue;
            }
            let mut logical = MappedText::new(start);
            logical.push_str(kept, start);
            let mut end = first.content_end;
            while continues {
                let Some(line) = self.take_line() else {
                    break;
                };
                end = line.content_end;
                let raw = self.content(line);
                let trimmed = raw.trim_start();
                // Comment lines and empty lines inside a continuation are dropped.
                if trimmed.starts_with('#') || trimmed.is_empty() {
                    continue;
                }
                let (kept, more) = trim_continuation(raw, self.escape);
                continues = more;
                logical.push_str(kept, line.start);
            }
            let mut instr = build_instruction(&logical, self.escape, &mut self.errors, 0);
            instr.span = Span::new(start, end);
            if can_contain_heredoc(&instr) && logical.as_str().contains("<<") {
                self.read_heredocs(&logical, &mut instr);
            }
            instructions.push(instr);
        }
        if instructions.is_empty() {
            let end = self.text.len();
            self.error("file with no instructions", Span::empty(end));
        }
        Dockerfile {
            directives,
            escape: self.escape,
            instructions,
            errors: self.errors,
        }
    }

    /// Reads the bodies of the heredocs named on the instruction line, one after another.
    fn read_heredocs(&mut self, line: &MappedText, instr: &mut Instruction) {
        let specs = match heredocs_from_line(line) {
            Ok(specs) => specs,
            Err(message) => {
                self.error(message, instr.span);
                return;
            }
        };
        for spec in specs {
            let body_start = self
                .lines
                .get(self.next)
                .map_or(self.text.len(), |l| l.start);
            let mut body = MappedText::new(body_start);
            let mut end = body_start;
            let mut terminated = false;
            while let Some(l) = self.take_line() {
                let content = self.content(l);
                let unindented = content.trim_start_matches('\t');
                let candidate = if spec.chomp { unindented } else { content };
                if candidate == spec.name {
                    end = l.content_end;
                    terminated = true;
                    break;
                }
                let from = if spec.chomp {
                    l.start + content.len() - unindented.len()
                } else {
                    l.start
                };
                body.push_str(&self.text[from..l.end], from);
                end = l.end;
            }
            instr.span.end = end;
            if !terminated {
                self.error(
                    "unterminated heredoc",
                    Span::new(instr.span.start, self.text.len()),
                );
            }
            instr.heredocs.push(Heredoc {
                name: spec.name,
                body,
                span: Span::new(body_start, end),
                chomp_tabs: spec.chomp,
                quoted: spec.quoted,
                marker: spec.marker,
            });
            if !terminated {
                break;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Instructions: splitCommand, flags and the per-instruction line parsers

/// Appends `src[range]` to `out`, keeping the original offsets of every character.
fn push_mapped(out: &mut MappedText, src: &MappedText, range: Range<usize>) {
    let text = src.as_str();
    let Some(slice) = text.get(range.clone()) else {
        return;
    };
    // Runs of bytes that are contiguous in the file are pushed in one go.
    let mut run: Option<(usize, usize, usize)> = None;
    let flush = |out: &mut MappedText, run: Option<(usize, usize, usize)>| {
        if let Some((from, to, origin)) = run {
            out.push_str(&text[from..to], origin);
        }
    };
    for (offset, c) in slice.char_indices() {
        let i = range.start + offset;
        let len = c.len_utf8();
        let origin = src.origin(i);
        if src.origin(i + len - 1) == origin + len - 1 {
            match run {
                Some((from, to, o)) if to == i && o + (to - from) == origin => {
                    run = Some((from, i + len, o));
                }
                _ => {
                    flush(out, run);
                    run = Some((i, i + len, origin));
                }
            }
        } else {
            flush(out, run.take());
            let span = src.span_of(i..i + len);
            out.push_char(c, span.start, span.end);
        }
    }
    flush(out, run);
}

fn append(out: &mut MappedText, src: &MappedText) {
    push_mapped(out, src, 0..src.as_str().len());
}

/// Go's `strings.TrimSpace` applied to `text[range]`.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

/// Go's `reWhitespace.Split(s, n)`: ranges between runs of `[\t\v\f\r ]`.
fn split_re_ws(text: &str, limit: Option<usize>) -> Vec<Range<usize>> {
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

/// The whitespace-delimited arguments of FROM, EXPOSE and the shell form of ADD/COPY/VOLUME.
fn whitespace_words(args: &MappedText) -> Vec<Range<usize>> {
    if args.is_empty() {
        return Vec::new();
    }
    split_re_ws(args.as_str(), None)
}

/// The canonical uppercase keyword: a known instruction in any case (as BuildKit matches it,
/// via Unicode lowercasing), otherwise the word ASCII-uppercased.
fn canonical_keyword(raw: &str) -> String {
    let lower = raw.to_lowercase();
    if KNOWN_INSTRUCTIONS.contains(&lower.as_str()) {
        lower.to_ascii_uppercase()
    } else {
        raw.to_ascii_uppercase()
    }
}

/// `splitCommand` plus the dispatch to the instruction's line parser.
fn build_instruction(
    line: &MappedText,
    escape: char,
    errors: &mut Vec<SyntaxError>,
    depth: usize,
) -> Instruction {
    let text = line.as_str();
    let body = trim_range(text, 0..text.len());
    let keyword_end = text[body.clone()]
        .find(is_re_ws)
        .map_or(body.end, |p| body.start + p);
    let keyword_text = line.sub(body.start..keyword_end);
    let mut flags = Vec::new();
    let mut args_range = body.end..body.end;
    if keyword_end < body.end {
        let rest = keyword_end
            + (text[keyword_end..].len() - text[keyword_end..].trim_start_matches(is_re_ws).len());
        let args_start = extract_flags(line, rest..body.end, &mut flags);
        args_range = trim_range(text, args_start..body.end);
    }
    let args = line.sub(args_range);
    let keyword = canonical_keyword(keyword_text.as_str());
    let mut instr = Instruction {
        keyword,
        keyword_span: keyword_text.span(),
        span: line.span_of(body),
        flags,
        args: Args::Shell(args.clone()),
        heredocs: Vec::new(),
        onbuild: None,
    };
    match instr.keyword.as_str() {
        "ADD" | "COPY" | "VOLUME" | "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" => {
            match parse_json_array(&args) {
                Json::Array(items) => {
                    if items.is_empty() && instr.keyword == "SHELL" {
                        errors.push(syntax_error(
                            "SHELL requires at least one argument",
                            instr.span,
                        ));
                    }
                    instr.args = Args::Exec(items);
                }
                Json::NotStringArray => {
                    errors.push(syntax_error(ERR_NOT_STRING_ARRAY, args.span()))
                }
                Json::Invalid if instr.keyword == "SHELL" => {
                    let message = if args.is_empty() {
                        "SHELL requires at least one argument"
                    } else {
                        "SHELL requires the arguments to be in JSON form"
                    };
                    errors.push(syntax_error(message, instr.span));
                }
                Json::Invalid => {}
            }
        }
        "ENV" | "LABEL" => {
            if let (_, Some((message, span))) = name_values(&args, escape, &instr.keyword) {
                errors.push(syntax_error(message, span));
            }
        }
        "HEALTHCHECK" => {
            if let Some((_, rest)) = healthcheck_parts(&args)
                && let Json::NotStringArray = parse_json_array(&rest)
            {
                errors.push(syntax_error(ERR_NOT_STRING_ARRAY, rest.span()));
            }
        }
        "ONBUILD" if !args.is_empty() && depth < MAX_ONBUILD_DEPTH => {
            let trigger = build_instruction(&args, escape, errors, depth + 1);
            match trigger.keyword.as_str() {
                "ONBUILD" => errors.push(syntax_error(
                    "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    trigger.keyword_span,
                )),
                "FROM" | "MAINTAINER" => errors.push(syntax_error(
                    format!("{} isn't allowed as an ONBUILD trigger", trigger.keyword),
                    trigger.keyword_span,
                )),
                _ => {}
            }
            instr.onbuild = Some(Box::new(trigger));
        }
        kw if !KNOWN_INSTRUCTIONS.contains(&kw.to_ascii_lowercase().as_str()) => {
            errors.push(syntax_error(
                format!("unknown instruction: {}", keyword_text.as_str()),
                instr.keyword_span,
            ));
        }
        _ => {}
    }
    instr
}

/// BuildKit's `extractBuilderFlags`: leading `--name[=value]` words (quotes and backslash
/// escapes processed, always with `\`), up to the first word not starting with `--` or a bare
/// `--`. Returns where the arguments start.
fn extract_flags(line: &MappedText, range: Range<usize>, flags: &mut Vec<Flag>) -> usize {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let text = &line.as_str()[..range.end];
    let end = range.end;
    let mut phase = Phase::Spaces;
    let mut blank_ok = false;
    let mut word = MappedText::new(line.origin(range.start));
    let mut word_start = range.start;
    let mut pos = range.start;
    let finish = |word: MappedText, from: usize, to: usize, flags: &mut Vec<Flag>| {
        flags.push(flag_from_word(word, line.span_of(from..to)));
    };
    loop {
        let ch = text[pos..].chars().next();
        if phase == Phase::Spaces {
            match ch {
                None => return end,
                Some(c) if c.is_whitespace() => {
                    pos += c.len_utf8();
                    continue;
                }
                Some(c) => {
                    if c != '-' || !text[pos + 1..].starts_with('-') {
                        return pos;
                    }
                    phase = Phase::Word;
                    word_start = pos;
                    word = MappedText::new(line.origin(pos));
                }
            }
        }
        let Some(c) = ch else {
            if word.as_str() != "--" && (blank_ok || !word.is_empty()) {
                finish(word, word_start, end, flags);
            }
            return end;
        };
        let len = c.len_utf8();
        match phase {
            Phase::Word if c.is_whitespace() => {
                if word.as_str() == "--" {
                    return pos;
                }
                let done = std::mem::replace(&mut word, MappedText::new(line.origin(pos)));
                if blank_ok || !done.is_empty() {
                    finish(done, word_start, pos, flags);
                }
                blank_ok = false;
                phase = Phase::Spaces;
                pos += len;
            }
            Phase::Word if c == '\'' || c == '"' => {
                blank_ok = true;
                phase = Phase::Quote(c);
                pos += len;
            }
            Phase::Quote(q) if c == q => {
                phase = Phase::Word;
                pos += len;
            }
            _ if c == '\\' => {
                pos += len;
                match text[pos..].chars().next() {
                    Some(next) => {
                        push_mapped(&mut word, line, pos..pos + next.len_utf8());
                        pos += next.len_utf8();
                    }
                    // A backslash at the very end is dropped (and closes a quote).
                    None => phase = Phase::Word,
                }
            }
            _ => {
                push_mapped(&mut word, line, pos..pos + len);
                pos += len;
            }
        }
    }
}

fn flag_from_word(word: MappedText, span: Span) -> Flag {
    let text = word.as_str();
    let body_start = if text.starts_with("--") { 2 } else { 0 };
    match text[body_start..].find('=') {
        Some(eq) => Flag {
            name: text[body_start..body_start + eq].to_string(),
            value: Some(word.sub(body_start + eq + 1..text.len())),
            span,
        },
        None => Flag {
            name: text[body_start..].to_string(),
            value: None,
            span,
        },
    }
}

/// BuildKit's `parseWords`: words split on whitespace, keeping quotes and escapes as written.
/// Every word is a contiguous range of the input.
fn parse_words(text: &str, escape: char) -> Vec<Range<usize>> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut blank_ok = false;
    let (mut start, mut end) = (0, 0);
    let mut pos = 0;
    loop {
        let ch = text[pos..].chars().next();
        if phase == Phase::Spaces {
            match ch {
                None => break,
                Some(c) if c.is_whitespace() => {
                    pos += c.len_utf8();
                    continue;
                }
                Some(_) => {
                    phase = Phase::Word;
                    start = pos;
                    end = pos;
                }
            }
        }
        let Some(c) = ch else {
            if blank_ok || end > start {
                words.push(start..end);
            }
            break;
        };
        let len = c.len_utf8();
        match phase {
            Phase::Word if c.is_whitespace() => {
                if blank_ok || end > start {
                    words.push(start..end);
                }
                blank_ok = false;
                phase = Phase::Spaces;
                pos += len;
                continue;
            }
            Phase::Word if c == '\'' || c == '"' => {
                blank_ok = true;
                phase = Phase::Quote(c);
            }
            Phase::Quote(q) if c == q => phase = Phase::Word,
            _ => {}
        }
        let escapes = c == escape && phase != Phase::Quote('\'');
        if escapes {
            if pos + len == text.len() {
                // An escape token at the very end is dropped (and closes a quote).
                phase = Phase::Word;
                pos += len;
                continue;
            }
            pos += len;
            let next = text[pos..].chars().next().map_or(0, char::len_utf8);
            pos += next;
        } else {
            pos += len;
        }
        end = pos;
    }
    words
}

/// One pair of ENV/LABEL as BuildKit's `parseNameVal` splits it (ranges into the arguments).
struct NameValue {
    key: Range<usize>,
    value: Option<Range<usize>>,
    /// The old `KEY name value` form.
    legacy: bool,
}

/// BuildKit's `parseNameVal` for ENV and LABEL, with the first error it would raise.
fn name_values(
    args: &MappedText,
    escape: char,
    keyword: &str,
) -> (Vec<NameValue>, Option<(String, Span)>) {
    let text = args.as_str();
    let words = parse_words(text, escape);
    let Some(first) = words.first() else {
        return (Vec::new(), None);
    };
    if !text[first.clone()].contains('=') {
        let parts = split_re_ws(text, Some(2));
        return match parts.as_slice() {
            [key, value] => (
                vec![NameValue {
                    key: key.clone(),
                    value: Some(value.clone()),
                    legacy: true,
                }],
                None,
            ),
            _ => (
                vec![NameValue {
                    key: 0..text.len(),
                    value: None,
                    legacy: true,
                }],
                Some((format!("{keyword} must have two arguments"), args.span())),
            ),
        };
    }
    let mut error = None;
    let pairs = words
        .into_iter()
        .map(|word| match text[word.clone()].find('=') {
            Some(eq) => NameValue {
                key: word.start..word.start + eq,
                value: Some(word.start + eq + 1..word.end),
                legacy: false,
            },
            None => {
                error.get_or_insert_with(|| {
                    (
                        format!(
                            "Syntax error - can't find = in {}. Must be of the form: name=value",
                            go_quote(&text[word.clone()])
                        ),
                        args.span_of(word.clone()),
                    )
                });
                NameValue {
                    key: word,
                    value: None,
                    legacy: false,
                }
            }
        })
        .collect();
    (pairs, error)
}

/// HEALTHCHECK's type word and the rest (BuildKit's `parseHealthConfig`).
fn healthcheck_parts(args: &MappedText) -> Option<(MappedText, MappedText)> {
    let text = args.as_str();
    let sep = text.find(char::is_whitespace).unwrap_or(text.len());
    if sep == 0 {
        return None;
    }
    let next = text.len() - text[sep..].trim_start().len();
    Some((args.sub(0..sep), args.sub(next..text.len())))
}

fn syntax_error(message: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        span,
    }
}

fn can_contain_heredoc(instr: &Instruction) -> bool {
    let target = match (&instr.onbuild, instr.keyword.as_str()) {
        (Some(trigger), "ONBUILD") => trigger,
        _ => instr,
    };
    matches!(target.keyword.as_str(), "ADD" | "COPY" | "RUN") && !target.args.is_exec()
}

// ---------------------------------------------------------------------------------------------
// JSON exec form, mirroring Go's encoding/json decoding into []interface{}

enum Json {
    Array(Vec<MappedText>),
    /// Valid JSON array with a non-string element: BuildKit rejects the instruction.
    NotStringArray,
    /// Not a JSON array at all: BuildKit falls back to the shell form.
    Invalid,
}

fn parse_json_array(args: &MappedText) -> Json {
    let text = args.as_str();
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with('[') {
        return Json::Invalid;
    }
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut all_strings = true;
    let mut bad_number = false;
    let mut i = skip_json_ws(bytes, start + 1);
    if bytes.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            i = skip_json_ws(bytes, i);
            if bytes.get(i) == Some(&b'"') {
                let Some((item, next)) = decode_json_string(args, i) else {
                    return Json::Invalid;
                };
                items.push(item);
                i = next;
            } else {
                let Some(next) = skip_json_value(bytes, i, 1, &mut bad_number) else {
                    return Json::Invalid;
                };
                all_strings = false;
                i = next;
            }
            i = skip_json_ws(bytes, i);
            match bytes.get(i) {
                Some(b',') => i += 1,
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return Json::Invalid,
            }
        }
    }
    if skip_json_ws(bytes, i) != bytes.len() || bad_number {
        return Json::Invalid;
    }
    if all_strings {
        Json::Array(items)
    } else {
        Json::NotStringArray
    }
}

fn skip_json_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Skips one JSON value (iteratively, so deep nesting cannot overflow the stack).
fn skip_json_value(
    bytes: &[u8],
    start: usize,
    depth: usize,
    bad_number: &mut bool,
) -> Option<usize> {
    let mut closers: Vec<u8> = Vec::new();
    let mut i = start;
    loop {
        i = skip_json_ws(bytes, i);
        match *bytes.get(i)? {
            b'{' | b'[' => {
                let close = if bytes[i] == b'{' { b'}' } else { b']' };
                if depth + closers.len() + 1 > MAX_JSON_DEPTH {
                    return None;
                }
                i = skip_json_ws(bytes, i + 1);
                if bytes.get(i) == Some(&close) {
                    i += 1;
                } else {
                    closers.push(close);
                    if close == b'}' {
                        i = skip_json_key(bytes, i)?;
                    }
                    continue;
                }
            }
            b'"' => i = skip_json_string(bytes, i)?,
            b't' => i = skip_literal(bytes, i, b"true")?,
            b'f' => i = skip_literal(bytes, i, b"false")?,
            b'n' => i = skip_literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = skip_json_number(bytes, i, bad_number)?,
            _ => return None,
        }
        // A value is complete: close containers until one wants another element.
        loop {
            let Some(&close) = closers.last() else {
                return Some(i);
            };
            i = skip_json_ws(bytes, i);
            match *bytes.get(i)? {
                b',' => {
                    i += 1;
                    if close == b'}' {
                        i = skip_json_key(bytes, skip_json_ws(bytes, i))?;
                    }
                    break;
                }
                c if c == close => {
                    closers.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// Skips `"key" :` inside an object.
fn skip_json_key(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let i = skip_json_ws(bytes, skip_json_string(bytes, i)?);
    (bytes.get(i) == Some(&b':')).then_some(i + 1)
}

fn skip_literal(bytes: &[u8], i: usize, literal: &[u8]) -> Option<usize> {
    bytes[i..].starts_with(literal).then_some(i + literal.len())
}

fn skip_json_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    hex4(bytes, i + 2)?;
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

fn skip_json_number(bytes: &[u8], start: usize, bad_number: &mut bool) -> Option<usize> {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if bytes[i] == b'-' {
        i += 1;
    }
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let after = digits(i + 1);
        if after == i + 1 {
            return None;
        }
        i = after;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let after = digits(i);
        if after == i {
            return None;
        }
        i = after;
    }
    // Go decodes numbers into float64 and fails on overflow.
    let text = std::str::from_utf8(&bytes[start..i]).ok()?;
    if !matches!(text.parse::<f64>(), Ok(v) if v.is_finite()) {
        *bad_number = true;
    }
    Some(i)
}

fn hex4(bytes: &[u8], i: usize) -> Option<u32> {
    let digits = bytes.get(i..i + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Decodes the JSON string starting at `start` (the opening quote), as Go does: a lone
/// surrogate becomes U+FFFD.
fn decode_json_string(src: &MappedText, start: usize) -> Option<(MappedText, usize)> {
    let text = src.as_str();
    let bytes = text.as_bytes();
    let mut out = MappedText::new(src.origin(start + 1));
    let mut i = start + 1;
    loop {
        let c = text[i..].chars().next()?;
        match c {
            '"' => {
                // The element points at the whole string literal, quotes included.
                let literal = Span::new(src.origin(start), src.origin(i) + 1);
                return Some((out.with_span(literal), i + 1));
            }
            '\\' => {
                let (decoded, len) = match *bytes.get(i + 1)? {
                    b'"' => ('"', 2),
                    b'\\' => ('\\', 2),
                    b'/' => ('/', 2),
                    b'b' => ('\u{8}', 2),
                    b'f' => ('\u{c}', 2),
                    b'n' => ('\n', 2),
                    b'r' => ('\r', 2),
                    b't' => ('\t', 2),
                    b'u' => {
                        let first = hex4(bytes, i + 2)?;
                        if (0xD800..0xE000).contains(&first) {
                            let second = (bytes.get(i + 6..i + 8) == Some(&b"\\u"[..]))
                                .then(|| hex4(bytes, i + 8))
                                .flatten();
                            match second {
                                Some(low)
                                    if (0xD800..0xDC00).contains(&first)
                                        && (0xDC00..0xE000).contains(&low) =>
                                {
                                    let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                                    (char::from_u32(code).unwrap_or('\u{fffd}'), 12)
                                }
                                _ => ('\u{fffd}', 6),
                            }
                        } else {
                            (char::from_u32(first).unwrap_or('\u{fffd}'), 6)
                        }
                    }
                    _ => return None,
                };
                let span = src.span_of(i..i + len);
                out.push_char(decoded, span.start, span.end);
                i += len;
            }
            c if (c as u32) < 0x20 => return None,
            c => {
                push_mapped(&mut out, src, i..i + c.len_utf8());
                i += c.len_utf8();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Heredocs

struct HeredocSpec {
    name: String,
    chomp: bool,
    quoted: bool,
    marker: Span,
}

/// BuildKit's `heredocsFromLine`: lex the whole line keeping quotes and escapes, and take
/// every word of the form `[n]<<[-]WORD`.
fn heredocs_from_line(line: &MappedText) -> Result<Vec<HeredocSpec>, String> {
    let words = Lexer::literal(line, '\\', true, true)
        .process_words()
        .unwrap_or_default();
    let mut specs = Vec::new();
    for word in words {
        let text = word.as_str();
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let Some(after) = text[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match after.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let rest = word.sub(text.len() - rest.len()..text.len());
        let plain = Lexer::literal(&rest, '\\', false, false).process_words()?;
        let [name] = plain.as_slice() else {
            continue;
        };
        let raw = Lexer::literal(&rest, '\\', true, false).process_words()?;
        let [raw_name] = raw.as_slice() else {
            return Err(format!(
                "internal lexing of heredoc produced inconsistent results: {}",
                rest.as_str()
            ));
        };
        let quotes = |s: &str| s.matches(['\'', '"']).count();
        specs.push(HeredocSpec {
            name: name.as_str().to_string(),
            chomp,
            quoted: quotes(name.as_str()) != quotes(raw_name.as_str()),
            marker: word.span(),
        });
    }
    Ok(specs)
}

// ---------------------------------------------------------------------------------------------
// The shell lexer (BuildKit's shell.Lex): quotes, escapes and variable references

/// A variable lookup: `Some(value)` when known.
type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Lexer<'a> {
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
    unknown: bool,
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
    fn literal(src: &'a MappedText, escape: char, raw_quotes: bool, raw_escapes: bool) -> Self {
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

    fn with_env(src: &'a MappedText, escape: char, env: EnvLookup<'a>) -> Self {
        Lexer {
            env: Some(env),
            ..Lexer::literal(src, escape, false, false)
        }
    }

    /// ProcessWord: the whole input as one word.
    fn process_word(&mut self) -> Result<MappedText, String> {
        self.process_stop_on(None, self.raw_escapes)
            .map(|(word, _)| word)
    }

    /// ProcessWords: the input split into words after quote removal.
    fn process_words(&mut self) -> Result<Vec<MappedText>, String> {
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

/// A shell pattern as `${var#pattern}` and `${var/pattern/x}` use it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Glob {
    Any,
    One,
    Lit(char),
}

fn compile_glob(pattern: &str) -> Result<Vec<Glob>, String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push(Glob::Any),
            '?' => out.push(Glob::One),
            // `\}` and `\/` are escapes for `${}` itself, not part of the pattern.
            '\\' if matches!(chars.peek(), Some('}' | '/')) => {}
            '\\' => match chars.next() {
                Some(next @ ('*' | '?' | '\\')) => out.push(Glob::Lit(next)),
                other => {
                    return Err(format!(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\{}'",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            },
            c => out.push(Glob::Lit(c)),
        }
    }
    Ok(out)
}

/// For each `end` in `0..=text.len()`, whether `glob` matches `text[..end]` exactly.
fn glob_prefix_matches(glob: &[Glob], text: &[char]) -> Result<Vec<bool>, String> {
    if (glob.len() + 1).saturating_mul(text.len() + 1) > MAX_PATTERN_WORK {
        return Err("pattern too large to evaluate".to_string());
    }
    // row[j]: glob[..j] matches the text consumed so far.
    let mut row = vec![false; glob.len() + 1];
    row[0] = true;
    for j in 0..glob.len() {
        row[j + 1] = row[j] && glob[j] == Glob::Any;
    }
    let mut ends = vec![row[glob.len()]];
    for &c in text {
        let mut next = vec![false; glob.len() + 1];
        for j in 0..glob.len() {
            next[j + 1] = match glob[j] {
                Glob::Any => next[j] || row[j + 1],
                Glob::One => row[j],
                Glob::Lit(l) => row[j] && l == c,
            };
        }
        row = next;
        ends.push(row[glob.len()]);
    }
    Ok(ends)
}

/// `${var#pat}`/`${var##pat}` (prefix) and `${var%pat}`/`${var%%pat}` (suffix).
fn trim_pattern(pattern: &str, value: &str, greedy: bool, prefix: bool) -> Result<String, String> {
    let mut glob = compile_glob(pattern)?;
    let mut chars: Vec<char> = value.chars().collect();
    if !prefix {
        glob.reverse();
        chars.reverse();
    }
    let ends = glob_prefix_matches(&glob, &chars)?;
    let mut matching = ends.iter().enumerate().filter(|&(_, &m)| m).map(|(i, _)| i);
    let cut = if greedy {
        matching.next_back()
    } else {
        matching.next()
    };
    let Some(cut) = cut else {
        return Ok(value.to_string());
    };
    let mut rest: Vec<char> = chars[cut..].to_vec();
    if !prefix {
        rest.reverse();
    }
    Ok(rest.into_iter().collect())
}

/// `${var/pat/rep}` and `${var//pat/rep}` with a leftmost, longest match.
fn replace_pattern(
    pattern: &str,
    value: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let glob = compile_glob(pattern)?;
    // Empty matches and `$` in the replacement (Go template syntax) are not modelled.
    if glob.iter().all(|g| *g == Glob::Any) || replacement.contains('$') {
        return Err("pattern substitution not evaluated".to_string());
    }
    let chars: Vec<char> = value.chars().collect();
    // Each start position runs its own match, so bound the total work.
    if (glob.len() + 1).saturating_mul((chars.len() + 1).pow(2)) > MAX_PATTERN_WORK {
        return Err("pattern too large to evaluate".to_string());
    }
    let mut out = String::new();
    let mut pos = 0;
    let mut replaced = false;
    while (all || !replaced) && pos <= chars.len() {
        let found = (pos..=chars.len()).find_map(|start| {
            let ends = glob_prefix_matches(&glob, &chars[start..]).ok()?;
            ends.iter()
                .rposition(|&m| m)
                .map(|len| (start, start + len))
        });
        let Some((start, end)) = found else {
            break;
        };
        if end == start {
            return Err("pattern substitution not evaluated".to_string());
        }
        out.extend(&chars[pos..start]);
        out.push_str(replacement);
        pos = end;
        replaced = true;
    }
    out.extend(chars.get(pos..).unwrap_or_default());
    Ok(out)
}

/// ProcessWord with nothing set; falls back to the text as written when it does not lex.
fn process_word(text: &MappedText, escape: char) -> MappedText {
    // The word points at what was written, quotes included.
    Lexer::literal(text, escape, false, false)
        .process_word()
        .map(|word| word.with_span(text.span()))
        .unwrap_or_else(|_| text.clone())
}

// ---------------------------------------------------------------------------------------------
// Instruction accessors

impl Instruction {
    /// Whitespace-delimited words with quotes and escapes processed as BuildKit does for the
    /// instruction: FROM, EXPOSE and the shell form of ADD/COPY/VOLUME split on blanks first;
    /// USER, WORKDIR, MAINTAINER and STOPSIGNAL are one word; ENV/ARG/LABEL use their
    /// name=value words; RUN/CMD/ENTRYPOINT and others are split like a shell would after
    /// quote removal. The exec form gives its elements. Variables are left as written.
    pub fn words(&self, escape: char) -> Vec<MappedText> {
        let text = match &self.args {
            Args::Exec(items) => return items.clone(),
            Args::Shell(text) => text,
        };
        let each = |ranges: Vec<Range<usize>>| {
            ranges
                .into_iter()
                .map(|r| process_word(&text.sub(r), escape))
                .collect()
        };
        match self.keyword.as_str() {
            "FROM" | "EXPOSE" | "VOLUME" | "ADD" | "COPY" => each(whitespace_words(text)),
            "ENV" | "LABEL" | "ARG" => each(parse_words(text.as_str(), escape)),
            "USER" | "WORKDIR" | "MAINTAINER" | "STOPSIGNAL" if !text.is_empty() => {
                vec![process_word(text, escape)]
            }
            "HEALTHCHECK" => {
                let Some((kind, rest)) = healthcheck_parts(text) else {
                    return Vec::new();
                };
                let mut words = vec![kind];
                match parse_json_array(&rest) {
                    Json::Array(items) => words.extend(items),
                    _ => words.extend(shell_words(&rest, escape)),
                }
                words
            }
            _ => shell_words(text, escape),
        }
    }

    /// ENV / ARG / LABEL pairs: key and value with quotes removed and escapes processed,
    /// value `None` for `ARG NAME` without a default. Handles legacy `ENV name value`.
    /// Variables are left as written; see [`Scope::expand`].
    pub fn key_values(&self, escape: char) -> Vec<KeyValue> {
        self.raw_key_values(escape)
            .into_iter()
            .map(|(key, value)| KeyValue {
                key: process_word(&key, escape),
                value: value.map(|v| process_word(&v, escape)),
            })
            .collect()
    }

    /// The pairs as written, before quote removal.
    fn raw_key_values(&self, escape: char) -> Vec<(MappedText, Option<MappedText>)> {
        let Args::Shell(text) = &self.args else {
            return Vec::new();
        };
        match self.keyword.as_str() {
            "ENV" | "LABEL" => name_values(text, escape, &self.keyword)
                .0
                .into_iter()
                .map(|nv| (text.sub(nv.key), nv.value.map(|v| text.sub(v))))
                .collect(),
            "ARG" => parse_words(text.as_str(), escape)
                .into_iter()
                .map(|word| match text.as_str()[word.clone()].find('=') {
                    Some(eq) => (
                        text.sub(word.start..word.start + eq),
                        Some(text.sub(word.start + eq + 1..word.end)),
                    ),
                    None => (text.sub(word), None),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The values of BuildKit's AST nodes after the instruction name, for [`Dockerfile::dump`].
    fn node_values(&self, escape: char) -> Vec<String> {
        let text = match &self.args {
            Args::Exec(items) => return items.iter().map(|i| i.as_str().to_string()).collect(),
            Args::Shell(text) => text,
        };
        let slices = |ranges: Vec<Range<usize>>| {
            ranges
                .into_iter()
                .map(|r| text.as_str()[r].to_string())
                .collect()
        };
        let whole = || {
            if text.is_empty() {
                Vec::new()
            } else {
                vec![text.as_str().to_string()]
            }
        };
        match self.keyword.as_str() {
            "ADD" | "COPY" | "VOLUME" | "EXPOSE" | "FROM" => slices(whitespace_words(text)),
            "ARG" => slices(parse_words(text.as_str(), escape)),
            "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" | "MAINTAINER" | "STOPSIGNAL" | "USER"
            | "WORKDIR" => whole(),
            "ENV" | "LABEL" => {
                let mut values = Vec::new();
                for nv in name_values(text, escape, &self.keyword).0 {
                    values.push(text.as_str()[nv.key].to_string());
                    let value = nv.value.map(|v| text.as_str()[v].to_string());
                    values.push(value.unwrap_or_default());
                    values.push(if nv.legacy { "" } else { "=" }.to_string());
                }
                values
            }
            "HEALTHCHECK" => {
                let Some((kind, rest)) = healthcheck_parts(text) else {
                    return Vec::new();
                };
                let mut values = vec![kind.as_str().to_string()];
                match parse_json_array(&rest) {
                    Json::Array(items) => {
                        values.extend(items.iter().map(|i| i.as_str().to_string()))
                    }
                    _ if rest.is_empty() => {}
                    _ => values.push(rest.as_str().to_string()),
                }
                values
            }
            "ONBUILD" => Vec::new(),
            // BuildKit keeps one empty node for instructions it does not know.
            _ => vec![String::new()],
        }
    }

    fn dump(&self, escape: char) -> String {
        let mut out = self.keyword.to_lowercase();
        if !self.flags.is_empty() {
            let flags: Vec<String> = self
                .flags
                .iter()
                .map(|f| {
                    let mut flag = format!("--{}", f.name);
                    if let Some(value) = &f.value {
                        flag.push('=');
                        flag.push_str(value.as_str());
                    }
                    go_quote(&flag)
                })
                .collect();
            let _ = write!(out, " [{}]", flags.join(" "));
        }
        if let Some(trigger) = &self.onbuild {
            let _ = write!(out, " ({})", trigger.dump(escape));
        }
        for value in self.node_values(escape) {
            out.push(' ');
            out.push_str(&go_quote(&value));
        }
        out.trim().to_string()
    }
}

/// ProcessWords with nothing set; on a lexing error, the blank-separated words as written.
fn shell_words(text: &MappedText, escape: char) -> Vec<MappedText> {
    Lexer::literal(text, escape, false, false)
        .process_words()
        .unwrap_or_else(|_| {
            whitespace_words(text)
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| text.sub(r))
                .collect()
        })
}

impl Dockerfile {
    /// The build stages: every FROM with the instructions up to the next FROM.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let froms: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .map(|(n, _)| n)
            .collect();
        froms
            .iter()
            .enumerate()
            .map(|(index, &at)| {
                let end = froms
                    .get(index + 1)
                    .copied()
                    .unwrap_or(self.instructions.len());
                let from = &self.instructions[at];
                let mut words = from.words(self.escape).into_iter();
                let image = words
                    .next()
                    .unwrap_or_else(|| MappedText::new(from.keyword_span.end));
                let rest: Vec<MappedText> = words.collect();
                let name = match rest.as_slice() {
                    [as_word, name] if as_word.as_str().eq_ignore_ascii_case("as") => {
                        Some(name.clone())
                    }
                    _ => None,
                };
                Stage {
                    index,
                    from,
                    image,
                    name,
                    body: &self.instructions[at + 1..end],
                }
            })
            .collect()
    }

    /// The AST printed exactly as BuildKit's `Node.Dump()` prints it.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for instr in &self.instructions {
            out.push('(');
            out.push_str(&instr.dump(self.escape));
            out.push_str(")\n");
        }
        out.trim().to_string()
    }
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// Variable scope

/// Variable scope as BuildKit tracks it: global ARGs before the first FROM are visible only in
/// FROM lines unless redeclared in the stage; ARG with default and ENV set values; ENV wins
/// over ARG. A value is `None` when it is not known (an ARG without default can come from
/// `--build-arg`; an ENV may depend on the base image).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    args: HashMap<String, Option<String>>,
    env: HashMap<String, Option<String>>,
    /// The global ARGs, which a bare `ARG NAME` in a stage brings in.
    globals: HashMap<String, Option<String>>,
}

impl Scope {
    /// The ARGs before the first FROM.
    pub fn global(df: &Dockerfile) -> Scope {
        let mut scope = Scope::default();
        for instr in df.instructions.iter().take_while(|i| i.keyword != "FROM") {
            scope.apply(instr, df.escape);
        }
        scope
    }

    /// An empty stage scope that knows the globals for ARG redeclaration.
    pub fn for_stage(_df: &Dockerfile, global: &Scope) -> Scope {
        Scope {
            globals: global.args.clone(),
            ..Scope::default()
        }
    }

    /// ARG and ENV update the scope; other instructions leave it alone.
    pub fn apply(&mut self, instr: &Instruction, escape: char) {
        match instr.keyword.as_str() {
            "ARG" => {
                for (key, value) in instr.raw_key_values(escape) {
                    let key = process_word(&key, escape).as_str().to_string();
                    let value = match value {
                        Some(v) => self.expand(v.as_str(), escape),
                        None => self.globals.get(&key).cloned().flatten(),
                    };
                    self.args.insert(key, value);
                }
            }
            "ENV" => {
                // All values of one ENV see the scope from before it.
                let updates: Vec<(String, Option<String>)> = instr
                    .raw_key_values(escape)
                    .into_iter()
                    .filter_map(|(key, value)| {
                        let value = value?;
                        let key = process_word(&key, escape).as_str().to_string();
                        Some((key, self.expand(value.as_str(), escape)))
                    })
                    .collect();
                self.env.extend(updates);
            }
            _ => {}
        }
    }

    /// The known value of a variable; `None` when unset or unknown.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.env.get(name) {
            Some(value) => value.as_deref(),
            None => self.args.get(name).and_then(|v| v.as_deref()),
        }
    }

    /// BuildKit shell-lexer expansion of `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`,
    /// `${VAR:+x}`, `${VAR+x}` (also `?`, `#`, `%`, `/` forms), with quotes and escapes
    /// processed. `text` is source text as written. Returns `None` when the result depends on
    /// a variable that is not known, or when BuildKit would fail.
    pub fn expand(&self, text: &str, escape: char) -> Option<String> {
        let mut src = MappedText::new(0);
        src.push_str(text, 0);
        let lookup = |name: &str| self.get(name).map(str::to_string);
        let mut lexer = Lexer::with_env(&src, escape, &lookup);
        let word = lexer.process_word().ok()?;
        (!lexer.unknown).then(|| word.as_str().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(instr: &Instruction) -> &str {
        match &instr.args {
            Args::Shell(text) => text.as_str(),
            Args::Exec(_) => panic!("expected shell form"),
        }
    }

    fn exec(instr: &Instruction) -> Vec<&str> {
        match &instr.args {
            Args::Exec(items) => items.iter().map(MappedText::as_str).collect(),
            Args::Shell(_) => panic!("expected exec form"),
        }
    }

    fn strs(words: &[MappedText]) -> Vec<&str> {
        words.iter().map(MappedText::as_str).collect()
    }

    /// Every span the parser hands out lies inside the text, on character boundaries.
    fn check_spans(text: &str, df: &Dockerfile) {
        let check = |span: Span, what: &str| {
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "bad {what} span {span:?} in {text:?}"
            );
        };
        let check_mapped = |m: &MappedText, what: &str| {
            check(m.span(), what);
            for (i, c) in m.as_str().char_indices() {
                check(m.span_of(i..i + c.len_utf8()), what);
            }
        };
        for d in &df.directives {
            check(d.span, "directive");
            check(d.value_span, "directive value");
        }
        for e in &df.errors {
            check(e.span, "error");
        }
        let mut stack: Vec<&Instruction> = df.instructions.iter().collect();
        while let Some(instr) = stack.pop() {
            check(instr.span, "instruction");
            check(instr.keyword_span, "keyword");
            for f in &instr.flags {
                check(f.span, "flag");
                if let Some(v) = &f.value {
                    check_mapped(v, "flag value");
                }
            }
            match &instr.args {
                Args::Shell(t) => check_mapped(t, "args"),
                Args::Exec(items) => items.iter().for_each(|i| check_mapped(i, "exec item")),
            }
            for h in &instr.heredocs {
                check(h.span, "heredoc");
                check(h.marker, "heredoc marker");
                check_mapped(&h.body, "heredoc body");
            }
            for w in instr.words(df.escape) {
                check_mapped(&w, "word");
            }
            for kv in instr.key_values(df.escape) {
                check_mapped(&kv.key, "key");
                if let Some(v) = &kv.value {
                    check_mapped(v, "value");
                }
            }
            if let Some(trigger) = &instr.onbuild {
                stack.push(trigger);
            }
        }
    }

    #[test]
    fn spans_point_at_original_bytes() {
        let text = "FROM alpine\nRUN apk add \\\n    # a comment\n    curl   \\\n  jq\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        check_spans(text, &df);
        let run = &df.instructions[1];
        assert_eq!(&text[run.keyword_span.range()], "RUN");
        assert_eq!(shell(run), "apk add     curl     jq");
        assert_eq!(&text[run.span.range()], &text[12..text.len() - 1]);
        let words = run.words(df.escape);
        assert_eq!(strs(&words), ["apk", "add", "curl", "jq"]);
        assert_eq!(&text[words[2].span().range()], "curl");
        assert_eq!(&text[words[3].span().range()], "jq");
        // A span across the continuation covers the original bytes in between.
        let args = match &run.args {
            Args::Shell(t) => t,
            Args::Exec(_) => unreachable!(),
        };
        let from = args.as_str().find("add").unwrap();
        let to = args.as_str().find("jq").unwrap() + 2;
        assert_eq!(
            &text[args.span_of(from..to).range()],
            "add \\\n    # a comment\n    curl   \\\n  jq"
        );
    }

    #[test]
    fn flags_are_split_off() {
        let text = "FROM python:3.12 AS build\nCOPY --chown=app:app --from=build \"/a b\" /dst\nRUN --mount=type=cache,target=/root/.cache pip install -r req.txt\n";
        let df = parse(text);
        check_spans(text, &df);
        let copy = &df.instructions[1];
        let names: Vec<&str> = copy.flags.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["chown", "from"]);
        assert_eq!(copy.flags[1].value.as_ref().unwrap().as_str(), "build");
        assert_eq!(&text[copy.flags[0].span.range()], "--chown=app:app");
        assert_eq!(shell(copy), "\"/a b\" /dst");
        let run = &df.instructions[2];
        let mount = run.flags[0].value.as_ref().unwrap();
        assert_eq!(mount.as_str(), "type=cache,target=/root/.cache");
        assert_eq!(
            &text[mount.span().range()],
            "type=cache,target=/root/.cache"
        );
        assert_eq!(shell(run), "pip install -r req.txt");
    }

    #[test]
    fn heredoc_bodies() {
        let text = "FROM alpine\nRUN <<EOF\necho hi\necho there\nEOF\nRUN <<-'END' sh\n\tindented $X\n\tEND\nCOPY <<A <<\"B\" /dst/\na\nA\nb\nB\nRUN echo done\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        check_spans(text, &df);
        let run = &df.instructions[1];
        assert_eq!(run.heredocs.len(), 1);
        let doc = &run.heredocs[0];
        assert_eq!(doc.name, "EOF");
        assert_eq!(doc.body.as_str(), "echo hi\necho there\n");
        assert!(!doc.quoted && !doc.chomp_tabs);
        assert_eq!(&text[doc.marker.range()], "<<EOF");
        assert!(text[run.span.range()].ends_with("echo there\nEOF"));

        let chomped = &df.instructions[2].heredocs[0];
        assert_eq!(chomped.name, "END");
        assert!(chomped.quoted && chomped.chomp_tabs);
        assert_eq!(chomped.body.as_str(), "indented $X\n");
        assert_eq!(&text[chomped.body.span().range()], "indented $X\n");

        let copy = &df.instructions[3];
        let docs: Vec<(&str, &str, bool)> = copy
            .heredocs
            .iter()
            .map(|h| (h.name.as_str(), h.body.as_str(), h.quoted))
            .collect();
        assert_eq!(docs, [("A", "a\n", false), ("B", "b\n", true)]);
        assert_eq!(shell(&df.instructions[4]), "echo done");

        // JSON form, quoted markers and other instructions have no heredocs.
        let df = parse("FROM a\nRUN [\"<<EOF\"]\nRUN echo '<<EOF'\nUSER <<EOF\nRUN x\n");
        assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
        assert_eq!(df.instructions.len(), 5);

        // Unterminated: an error, and the body runs to the end.
        let text = "FROM a\nRUN <<EOF\necho hi\n";
        let df = parse(text);
        assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
        assert_eq!(df.errors[0].message, "unterminated heredoc");
        assert_eq!(df.instructions[1].heredocs[0].body.as_str(), "echo hi\n");
        check_spans(text, &df);
    }

    /// BuildKit's TestParseExtractsHeredoc, with bodies chomped for `<<-` as instructions see them.
    #[test]
    fn buildkit_heredoc_cases() {
        let text = "\nFROM alpine:3.6\n\nENV NAME=me\n\nRUN ls\n\nUSER <<INVALID\nINVALID\n\n\
            RUN <<EMPTY\nEMPTY\n\nRUN 3<<EMPTY2\nEMPTY2\n\nRUN \"<<NOHEREDOC\"\n\n\
            RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n\nRUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n\n\
            RUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n\nRUN <<-EXPAND\n\texpand $NAME\nEXPAND\n\n\
            RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n\n\
            RUN <<COPY\necho hello world\necho foo bar\nCOPY\n\n\
            RUN <<COMMENT\n# internal comment\necho hello world\necho foo bar # trailing comment\nCOMMENT\n\n\
            RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n\n\
            COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n\n\
            COPY <<X <<Y /dest\nY\nX\nX\nY\n\t";
        let df = parse(text);
        check_spans(text, &df);
        // The parser keeps `INVALID` as an instruction; BuildKit rejects it later.
        let messages: Vec<&str> = df.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["unknown instruction: INVALID"]);
        let expected: &[&[(&str, &str, bool)]] = &[
            &[],
            &[],
            &[],
            &[],
            &[("EMPTY", "", false)],
            &[("EMPTY2", "", false)],
            &[],
            &[("INDENT", "\tfoo\n\tbar\n", false)],
            &[("UNINDENT", "baz\nquux\n", false)],
            &[("UNINDENT2", "baz\nquux\n", false)],
            &[("EXPAND", "expand $NAME\n", false)],
            &[("NOEXPAND", "don't expand $NAME\n", true)],
            &[("COPY", "echo hello world\necho foo bar\n", false)],
            &[(
                "COMMENT",
                "# internal comment\necho hello world\necho foo bar # trailing comment\n",
                false,
            )],
            &[("MOUNT", "echo hello\n", false)],
            &[
                ("FILE1", "content 1\n", false),
                ("FILE2", "content 2\n", false),
            ],
            &[("X", "Y\n", false), ("Y", "X\n", false)],
        ];
        assert_eq!(df.instructions.len(), expected.len() + 1);
        for (instr, want) in df.instructions[1..].iter().zip(expected) {
            let got: Vec<(&str, &str, bool)> = instr
                .heredocs
                .iter()
                .map(|h| (h.name.as_str(), h.body.as_str(), h.quoted))
                .collect();
            assert_eq!(&got, want, "{}", &text[instr.span.range()]);
        }
        assert!(df.instructions[9].heredocs[0].chomp_tabs);
    }

    /// BuildKit's TestParseWords.
    #[test]
    fn parse_words_keeps_quotes() {
        let cases: &[(&str, &[&str])] = &[
            ("foo", &["foo"]),
            ("foo bar", &["foo", "bar"]),
            ("foo\\ bar", &["foo\\ bar"]),
            ("foo=bar", &["foo=bar"]),
            ("foo bar 'abc xyz'", &["foo", "bar", "'abc xyz'"]),
            ("foo bar \"abc xyz\"", &["foo", "bar", "\"abc xyz\""]),
            ("àöû", &["àöû"]),
            ("föo bàr \"âbc xÿz\"", &["föo", "bàr", "\"âbc xÿz\""]),
        ];
        for (input, expected) in cases {
            let words: Vec<&str> = parse_words(input, '\\')
                .into_iter()
                .map(|r| &input[r])
                .collect();
            assert_eq!(&words, expected);
        }
    }

    #[test]
    fn comments_and_continuations() {
        let text = "FROM a\n  # indented comment\nRUN echo hi # not a comment\nRUN echo \\\\\nRUN echo \\  \t\n\n  done\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let args: Vec<&str> = df.instructions.iter().map(shell).collect();
        // An escaped escape token does not continue the line; blank lines are skipped.
        assert_eq!(
            args,
            ["a", "echo hi # not a comment", "echo \\\\", "echo   done"]
        );
        check_spans(text, &df);
    }

    #[test]
    fn onbuild_heredoc_attaches_to_onbuild() {
        let df = parse("FROM a\nONBUILD RUN <<EOF\nls\nEOF\n");
        let onbuild = &df.instructions[1];
        assert_eq!(onbuild.onbuild.as_ref().unwrap().keyword, "RUN");
        assert_eq!(onbuild.heredocs[0].body.as_str(), "ls\n");
        assert_eq!(df.dump(), "(from \"a\")\n(onbuild (run \"<<EOF\"))");
    }

    #[test]
    fn backtick_escape() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n    && echo `\"hi`\"\nWORKDIR C:\\app\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert_eq!(df.escape, '`');
        assert_eq!(df.directives[0].name, "escape");
        assert_eq!(df.directives[0].value, "`");
        assert_eq!(shell(&df.instructions[1]), "dir C:\\     && echo `\"hi`\"");
        let words = df.instructions[2].words(df.escape);
        assert_eq!(strs(&words), ["C:\\app"]);
        check_spans(text, &df);
    }

    #[test]
    fn directives_only_at_top() {
        let df = parse("# syntax=docker/dockerfile:1\n# CHECK = skip=all\n\n# escape=`\nFROM a\n");
        let names: Vec<&str> = df.directives.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["syntax", "check"]);
        assert_eq!(df.directives[1].value, "skip=all");
        assert_eq!(df.escape, '\\');

        let df = parse("# escape=x\n# escape=`\nFROM a\n");
        assert_eq!(df.errors.len(), 2, "{:?}", df.errors);
    }

    #[test]
    fn exec_form_and_shell_fallback() {
        let text = "FROM a\nCMD [\"python\", \"-m\", \"app\"]\nENTRYPOINT [\"a\\u00e9\\\"b\"]\nCMD ['single']\nCMD [\"unterminated\"\nRUN [\"ok\"] trailing\nCOPY [\"a b\", \"/c\"]\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        check_spans(text, &df);
        let i = &df.instructions;
        assert_eq!(exec(&i[1]), ["python", "-m", "app"]);
        assert_eq!(
            &text[match &i[1].args {
                Args::Exec(items) => items[1].span(),
                Args::Shell(_) => unreachable!(),
            }
            .range()],
            "\"-m\"",
            "an exec element's span covers its quotes"
        );
        assert_eq!(exec(&i[2]), ["a\u{e9}\"b"]);
        assert_eq!(shell(&i[3]), "['single']");
        assert_eq!(shell(&i[4]), "[\"unterminated\"");
        assert_eq!(shell(&i[5]), "[\"ok\"] trailing");
        assert_eq!(exec(&i[6]), ["a b", "/c"]);

        // A valid array of something else is an error, as in BuildKit.
        let df = parse("FROM a\nCMD [\"echo\", [\"nested\"]]\n");
        assert_eq!(df.errors[0].message, ERR_NOT_STRING_ARRAY);
        let df = parse("FROM a\nSHELL /bin/bash -c\n");
        assert_eq!(df.errors.len(), 1);
    }

    #[test]
    fn env_label_arg_pairs() {
        let text = "ARG A B=\"two words\"\nFROM x\nENV PATH=/usr/bin:$PATH LANG=\"C.UTF-8\" X=a\\ b\nENV LEGACY some value here\nLABEL \"org.key\"='v'\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        check_spans(text, &df);
        let pairs = |n: usize| -> Vec<(String, Option<String>)> {
            df.instructions[n]
                .key_values(df.escape)
                .into_iter()
                .map(|kv| {
                    (
                        kv.key.as_str().to_string(),
                        kv.value.map(|v| v.as_str().to_string()),
                    )
                })
                .collect()
        };
        let owned = |k: &str, v: Option<&str>| (k.to_string(), v.map(str::to_string));
        assert_eq!(pairs(0), [owned("A", None), owned("B", Some("two words"))]);
        assert_eq!(
            pairs(2),
            [
                owned("PATH", Some("/usr/bin:$PATH")),
                owned("LANG", Some("C.UTF-8")),
                owned("X", Some("a b"))
            ]
        );
        assert_eq!(pairs(3), [owned("LEGACY", Some("some value here"))]);
        assert_eq!(pairs(4), [owned("org.key", Some("v"))]);
        let lang = &df.instructions[2].key_values(df.escape)[1];
        assert_eq!(
            &text[lang.value.as_ref().unwrap().span().range()],
            "\"C.UTF-8\"",
            "a quoted value's span covers its quotes"
        );

        let df = parse("FROM a\nENV PATH\n");
        assert_eq!(df.errors[0].message, "ENV must have two arguments");
        let df = parse("FROM a\nENV a=b c\n");
        assert!(df.errors[0].message.contains("can't find = in \"c\""));
    }

    #[test]
    fn scope_expansion() {
        let text = "ARG BASE=python:3.12\nARG TAG\nARG GLOBAL_ONLY=g\nFROM ${BASE}-slim AS builder\nARG TAG\nARG BASE\nARG V=1\nENV V=2 W=$V\nENV HOME=/home/$USER\nRUN echo\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        let global = Scope::global(&df);
        assert_eq!(global.get("BASE"), Some("python:3.12"));
        assert_eq!(global.get("TAG"), None);
        assert_eq!(
            global.expand("${BASE}-slim", '\\').as_deref(),
            Some("python:3.12-slim")
        );
        assert_eq!(global.expand("img:$TAG", '\\'), None);
        assert_eq!(global.expand("${TAG:-latest}", '\\'), None);

        let mut scope = Scope::for_stage(&df, &global);
        // Global ARGs are not visible in the stage until redeclared.
        assert_eq!(scope.expand("$BASE", '\\'), None);
        for instr in &df.instructions[4..] {
            scope.apply(instr, df.escape);
        }
        assert_eq!(scope.get("BASE"), Some("python:3.12"));
        assert_eq!(scope.get("GLOBAL_ONLY"), None);
        assert_eq!(scope.get("TAG"), None);
        // ENV wins over ARG; values of one ENV see the scope before it.
        assert_eq!(scope.get("V"), Some("2"));
        assert_eq!(scope.get("W"), Some("1"));
        assert_eq!(scope.get("HOME"), None);
        let e = |s: &str| scope.expand(s, '\\');
        assert_eq!(e("${V:-x}").as_deref(), Some("2"));
        assert_eq!(e("${V:+set}").as_deref(), Some("set"));
        assert_eq!(e("${V-x}${V+y}").as_deref(), Some("2y"));
        assert_eq!(e("'$V' \"$V\" \\$V").as_deref(), Some("$V 2 $V"));
        assert_eq!(e("${MISSING:-x}"), None);
        assert_eq!(e("${V:-$MISSING}").as_deref(), Some("2"));
        assert_eq!(e("${BASE%%:*} ${BASE#*:}").as_deref(), Some("python 3.12"));
        assert_eq!(e("${BASE/3/4}").as_deref(), Some("python:4.12"));
        assert_eq!(e("${V"), None);

        let mut empty = Scope::default();
        empty.apply(&parse("FROM a\nARG E=\n").instructions[1], '\\');
        assert_eq!(
            empty
                .expand("${E:-d}|${E-d}|${E:+p}|${E+p}", '\\')
                .as_deref(),
            Some("d|||p")
        );
    }

    #[test]
    fn stages_with_names() {
        let df = parse(
            "ARG V=1\nFROM python:3.12 as Builder\nRUN a\nFROM builder AS final\nFROM --platform=$BUILDPLATFORM \"scratch\"\nCOPY . .\n",
        );
        let stages = df.stages();
        assert_eq!(stages.len(), 3);
        assert_eq!(stages[0].image.as_str(), "python:3.12");
        assert_eq!(stages[0].name.as_ref().unwrap().as_str(), "Builder");
        assert_eq!(stages[0].body.len(), 1);
        assert_eq!(stages[1].name.as_ref().unwrap().as_str(), "final");
        assert!(stages[1].body.is_empty());
        assert_eq!(stages[2].image.as_str(), "scratch");
        assert_eq!(stages[2].index, 2);
        assert!(stages[2].name.is_none());
        assert_eq!(stages[2].from.flags[0].name, "platform");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}FROM alpine\r\nRUN echo a \\\r\n  b\r\nRUN <<EOF\r\nls\r\nEOF\r\n";
        let df = parse(text);
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        check_spans(text, &df);
        let from = &df.instructions[0];
        assert_eq!(from.span.start, 3);
        assert_eq!(&text[from.span.range()], "FROM alpine");
        assert_eq!(&text[from.keyword_span.range()], "FROM");
        assert_eq!(shell(&df.instructions[1]), "echo a   b");
        assert_eq!(df.instructions[2].heredocs[0].body.as_str(), "ls\r\n");
        assert_eq!(
            df.dump(),
            "(from \"alpine\")\n(run \"echo a   b\")\n(run \"<<EOF\")"
        );

        let df = parse("\u{feff}# escape=`\nFROM a\n");
        assert_eq!(df.escape, '`');
    }

    #[test]
    fn dump_matches_buildkit_quoting() {
        let df = parse(
            "FROM a\nCMD [\"\\u0000\\t\\u00a0\\u00e9\"]\nRUN --x=\"a b\" echo\nFOO bar\nENV a=b c=d\nONBUILD\n",
        );
        assert_eq!(
            df.dump(),
            "(from \"a\")\n(cmd \"\\x00\\t\\u00a0\u{e9}\")\n(run [\"--x=a b\"] \"echo\")\n(foo \"\")\n(env \"a\" \"b\" \"=\" \"c\" \"d\" \"=\")\n(onbuild)"
        );
        assert_eq!(df.errors.len(), 1);
        assert!(df.errors[0].message.starts_with("unknown instruction"));
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in ["", "\n\n", "# just a comment\n", "\u{feff}", "   \t\n"] {
            let df = parse(text);
            assert_eq!(df.errors.len(), 1, "{text:?}");
            assert_eq!(df.errors[0].message, "file with no instructions");
        }
    }

    #[test]
    fn no_panic_on_malformed_input() {
        // Keywords and the characters that steer the parser, glued at random.
        let mut pieces: Vec<&str> =
            "FROM RUN ENV ARG LABEL COPY ONBUILD HEALTHCHECK CMD SHELL USER AS EOF x null 1e999"
                .split(' ')
                .collect();
        pieces.extend([
            " ",
            "\t",
            "\n",
            "\r\n",
            "\\",
            "`",
            "#",
            "# escape=`\n",
            "=",
            "\"",
            "'",
            "[",
            "]",
            ",",
            "{",
            "}",
            "$",
            "${",
            ":-",
            "/",
            "%",
            "<<",
            "<<-",
            "--",
            "--a=",
            "\\u",
            "\\ud800",
            "é",
            "日本",
            "\u{feff}",
            "\u{a0}",
        ]);
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..4000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let df = parse(&text);
            check_spans(&text, &df);
            let _ = df.dump();
            let global = Scope::global(&df);
            for stage in df.stages() {
                let mut scope = Scope::for_stage(&df, &global);
                for instr in stage.body {
                    scope.apply(instr, df.escape);
                    let _ = scope.expand(&text, df.escape);
                }
            }
        }
        for text in [
            "\\",
            "`",
            "# escape=`\n`",
            "RUN <<",
            "RUN <<EOF",
            "ONBUILD ONBUILD ONBUILD RUN x",
        ] {
            check_spans(text, &parse(text));
        }
        let deep = format!("FROM a\nCMD {}\n", "[".repeat(20000));
        assert!(parse(&deep).errors.is_empty());
        let chain = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(5000));
        assert!(!parse(&chain).errors.is_empty());
        let long = format!("FROM a\nRUN {}\n", "x".repeat(70000));
        assert_eq!(parse(&long).errors.len(), 1);
    }
}
