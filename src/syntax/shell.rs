//! POSIX-shell word splitting with spans: finds the simple commands a `/bin/sh -c` line runs.
//!
//! Span convention for words: each byte of a word's text maps to the original byte it came
//! from, except that the first byte of a quoted segment maps to its opening quote, and the
//! word's end maps past its closing quote. So `word.span()` covers the whole original word,
//! quotes included, and a sub-range that starts a quoted segment includes the quote too.
//! Escaped characters map to their backslash.

use crate::source::MappedText;
use std::cell::Cell;

/// One simple command of a shell line: leading VAR=value assignments, then words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `(name, value)`; the value has its quotes removed.
    pub assignments: Vec<(MappedText, MappedText)>,
    pub words: Vec<MappedText>,
}

/// Splits a shell command line (as `/bin/sh -c` would see it) into simple commands.
///
/// Breaks at `;`, `&&`, `||`, `|`, `&`, newlines and `;;`; removes quotes and escapes;
/// drops redirections (`> f`, `2>&1`, here-documents and their bodies) and `#` comments;
/// keeps `$(…)`, `` `…` `` and `${…}` verbatim inside their word; looks inside `( … )`,
/// `{ …; }`, `if`/`while`/`until`/`for`/`case` so the commands there are found, while
/// skipping `for` headers, `case` patterns and `(( … ))` arithmetic.
pub fn split_commands(line: &MappedText) -> Vec<SimpleCommand> {
    Parser::new(line).run()
}

/// One step of a script as the shell reads it, for callers that follow its control flow
/// (`model::script`): the simple commands `split_commands` finds, with the separators
/// between them and the reserved words, case patterns and function names around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptEvent {
    Command(SimpleCommand),
    /// What ended a command: `;` (a newline too), `&&`, `||`, `|`, `|&`, `&`, or `;;` (and
    /// `;&`, `;;&`) ending a case item.
    Sep(&'static str),
    /// A reserved word where a command starts (`if`, `then`, `fi`, `case`, `esac`, `{`, `!`,
    /// …), or `(`/`)` around a subshell.
    Keyword(&'static str),
    /// The word a `case` examines.
    CaseSubject(MappedText),
    /// One alternative of a case pattern (`web` and `w` in `web|w)`).
    Pattern(MappedText),
    /// The `)` ending a case pattern.
    PatternEnd,
    /// A function definition's name (`name()` or `function name`); its body follows.
    Function(MappedText),
}

/// The reserved words `ScriptEvent::Keyword` reports.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
    "for", "select", "case", "function",
];

/// A script split as `split_commands` splits it, with its structure kept as events.
pub fn script_events(script: &MappedText) -> Vec<ScriptEvent> {
    let mut parser = Parser::new(script);
    parser.events = Some(Vec::new());
    while let Some(tok) = parser.lx.next_token() {
        match tok {
            Tok::Word(w) => parser.word(w),
            Tok::Op(op) => parser.op(op),
        }
    }
    parser.finish();
    parser.events.unwrap_or_default()
}

/// Words of an already-split argument vector (exec form) as a command. Assignments are not
/// recognised here: in `["FOO=1", "x"]` the program is `FOO=1`.
pub fn exec_command(words: &[MappedText]) -> SimpleCommand {
    SimpleCommand {
        assignments: Vec::new(),
        words: words.to_vec(),
    }
}

/// Plain word splitting of one command: whitespace (newlines included) separates words,
/// quotes and backslashes work as in sh, and nothing else is special (no operators,
/// comments or redirections).
pub fn words(line: &MappedText) -> Vec<MappedText> {
    let mut lx = Lexer::new(line, true);
    let mut out = Vec::new();
    while let Some(tok) = lx.next_token() {
        if let Tok::Word(w) = tok {
            out.push(w.text);
        }
    }
    out
}

/// A word's text prepared for re-splitting as a script (`sh -c WORD`): the same text, with
/// the first byte mapped to itself rather than to the word's opening quote, so words found
/// inside do not start at that quote.
pub fn script_text(word: &MappedText) -> MappedText {
    let s = word.as_str();
    let mut out = MappedText::new(word.origin(0));
    for (i, c) in s.char_indices() {
        let len = c.len_utf8();
        let mut origin = word.origin(i);
        if i == 0 && len > 1 {
            // A multi-byte character: only its first byte can map onto an opening quote (see
            // `MappedText::with_span`); the next byte still maps into the character itself.
            origin = (word.origin(1).saturating_sub(1)).max(origin);
        } else if i == 0 {
            // A one-byte gap before the next byte (or two before the end, for a one-char
            // word) is the opening quote this byte was mapped onto.
            let next = word.origin(len);
            let gap = if len < s.len() { 1 } else { 2 };
            if next == origin + len + gap {
                origin += 1;
            }
        }
        // The character ends where its last byte maps (past a whole escaped `\é`).
        let end = (word.origin(i + len - 1) + 1).max(origin + len);
        out.push_char(c, origin, end);
    }
    out.push_str("", word.origin(s.len()));
    out
}

/// `NAME=value` split into name and value, judged on the text alone (as `env` does).
pub fn assignment(word: &MappedText) -> Option<(MappedText, MappedText)> {
    let eq = word.as_str().find('=')?;
    is_name(&word.as_str()[..eq]).then(|| (word.sub(0..eq), word.sub(eq + 1..word.as_str().len())))
}

/// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `;`
    Semi,
    /// `;;`, `;&`, `;;&`: end of a case item.
    CaseEnd,
    /// `&&`, `||`, `|`, `|&`, `&`
    Join,
    LParen,
    RParen,
    Newline,
    /// A redirection operator; `heredoc` is `Some(strip_tabs)` for `<<` and `<<-`.
    Redir {
        heredoc: Option<bool>,
    },
}

#[derive(Debug)]
struct Word {
    text: MappedText,
    /// Whether any part of the word was quoted or escaped (keywords and assignment names
    /// must be entirely unquoted).
    quoted_at: Option<usize>,
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    Op(Op),
}

struct Lexer<'a> {
    src: &'a MappedText,
    s: &'a str,
    pos: usize,
    /// Plain mode: only whitespace separates; no operators or comments.
    plain: bool,
    /// Here-documents whose bodies start after the next newline: (delimiter, strip tabs).
    heredocs: Vec<(String, bool)>,
    /// The text of the last `Op::Join` read.
    join: &'static str,
    /// The mapping run last looked up, as (byte, its origin, end of the run): the lexer reads
    /// forward, so most lookups fall in it and need no search of the runs.
    run: Cell<(usize, usize, usize)>,
}

/// A word being assembled.
struct Builder {
    text: MappedText,
    end: usize,
    quoted_at: Option<usize>,
    /// Origin to give the next pushed byte: the opening quote of the segment it starts.
    quote_origin: Option<usize>,
}

impl Builder {
    fn push(&mut self, c: char, origin: usize, end: usize) {
        let origin = self.quote_origin.take().unwrap_or(origin);
        self.text.push_char(c, origin, end);
        self.end = end;
    }

    fn open_quote(&mut self, origin: usize) {
        self.quoted_at.get_or_insert(self.text.as_str().len());
        self.quote_origin.get_or_insert(origin);
    }
}

const REDIRS: [(&str, Option<bool>); 12] = [
    ("&>>", None),
    ("&>", None),
    ("<<<", None),
    ("<<-", Some(true)),
    ("<<", Some(false)),
    ("<&", None),
    ("<>", None),
    (">>", None),
    (">&", None),
    (">|", None),
    ("<", None),
    (">", None),
];

impl<'a> Lexer<'a> {
    fn new(src: &'a MappedText, plain: bool) -> Self {
        Lexer {
            src,
            s: src.as_str(),
            pos: 0,
            plain,
            heredocs: Vec::new(),
            join: "",
            run: Cell::new((0, 0, 0)),
        }
    }

    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        let mut it = self.rest().chars();
        it.next();
        it.next()
    }

    /// `self.src.origin(i)`, from the cached run when `i` is in it.
    fn orig(&self, i: usize) -> usize {
        let (at, origin, end) = self.run.get();
        if at <= i && i < end {
            return origin + (i - at);
        }
        match self.src.run_at(i) {
            Some((origin, end)) => {
                self.run.set((i, origin, end));
                origin
            }
            None => self.src.origin(i),
        }
    }

    /// Original end of the char `c` at byte `i`. A one-byte gap before the next byte means
    /// `c` stood for a two-byte escape in the original, so the gap belongs to it.
    fn char_end(&self, i: usize, c: char) -> usize {
        let len = c.len_utf8();
        // A multi-byte character that stood for an escape maps its last byte to the end of
        // that escape (see `MappedText::push_char`): never end inside it.
        let end = (self.orig(i + len - 1) + 1).max(self.orig(i) + len);
        if i + len < self.s.len() && self.orig(i + len) == end + 1 {
            end + 1
        } else {
            end
        }
    }

    /// Length of a backslash-newline at the cursor, or 0.
    fn continuation_len(&self) -> usize {
        let r = self.rest();
        if r.starts_with("\\\n") {
            2
        } else if r.starts_with("\\\r\n") {
            3
        } else {
            0
        }
    }

    fn is_break(&self, c: char) -> bool {
        matches!(c, ' ' | '\t' | '\r' | '\n')
            || (!self.plain && matches!(c, ';' | '&' | '|' | '(' | ')' | '<' | '>'))
    }

    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\n') if self.plain => self.pos += 1,
                Some('\\') if self.continuation_len() > 0 => self.pos += self.continuation_len(),
                _ => break,
            }
        }
    }

    fn next_token(&mut self) -> Option<Tok> {
        loop {
            self.skip_blanks();
            let c = self.peek()?;
            if self.plain {
                return Some(Tok::Word(self.read_word()));
            }
            let r = self.rest();
            let op = match c {
                '#' => {
                    self.pos += r.find('\n').unwrap_or(r.len());
                    continue;
                }
                '\n' => {
                    self.pos += 1;
                    self.read_heredoc_bodies();
                    Op::Newline
                }
                ';' => {
                    let n = [";;&", ";;", ";&"]
                        .iter()
                        .find(|p| r.starts_with(**p))
                        .map_or(0, |p| p.len());
                    self.pos += n.max(1);
                    if n > 0 { Op::CaseEnd } else { Op::Semi }
                }
                '&' if r.starts_with("&>") => self.redir_op(),
                '&' | '|' => {
                    self.join = ["&&", "||", "|&", "|", "&"]
                        .into_iter()
                        .find(|j| r.starts_with(j))
                        .unwrap_or("&");
                    self.pos += self.join.len();
                    Op::Join
                }
                '(' => {
                    self.pos += 1;
                    Op::LParen
                }
                ')' => {
                    self.pos += 1;
                    Op::RParen
                }
                '<' | '>' => self.redir_op(),
                _ => {
                    let w = self.read_word();
                    // `2>file`: an all-digit word glued to a redirection is its fd number.
                    let fd = w.quoted_at.is_none()
                        && !w.text.is_empty()
                        && w.text.as_str().bytes().all(|b| b.is_ascii_digit())
                        && matches!(self.peek(), Some('<' | '>'));
                    if fd {
                        self.redir_op()
                    } else {
                        return Some(Tok::Word(w));
                    }
                }
            };
            return Some(Tok::Op(op));
        }
    }

    fn redir_op(&mut self) -> Op {
        let r = self.rest();
        let (len, heredoc) = REDIRS
            .iter()
            .find(|(p, _)| r.starts_with(p))
            .map_or((1, None), |&(p, h)| (p.len(), h));
        self.pos += len;
        Op::Redir { heredoc }
    }

    /// Skips the bodies of pending here-documents, each up to its delimiter line.
    fn read_heredoc_bodies(&mut self) {
        for (delim, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.pos < self.s.len() {
                let r = self.rest();
                let (line, advance) = match r.find('\n') {
                    Some(k) => (&r[..k], k + 1),
                    None => (r, r.len()),
                };
                self.pos += advance;
                let mut line = line.strip_suffix('\r').unwrap_or(line);
                if strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line == delim {
                    break;
                }
            }
        }
    }

    /// Pushes the char at the cursor verbatim and advances.
    fn copy_char(&mut self, b: &mut Builder, c: char) {
        b.push(c, self.orig(self.pos), self.char_end(self.pos, c));
        self.pos += c.len_utf8();
    }

    fn read_word(&mut self) -> Word {
        let start = self.orig(self.pos);
        let mut b = Builder {
            text: MappedText::new(start),
            end: start,
            quoted_at: None,
            quote_origin: None,
        };
        while let Some(c) = self.peek() {
            if self.is_break(c) {
                break;
            }
            match c {
                '\\' => {
                    let cont = self.continuation_len();
                    if cont > 0 {
                        self.pos += cont;
                        continue;
                    }
                    let bs = self.pos;
                    match self.peek_second() {
                        Some(n) => {
                            b.quoted_at.get_or_insert(b.text.as_str().len());
                            b.push(n, self.orig(bs), self.char_end(bs + 1, n));
                            self.pos = bs + 1 + n.len_utf8();
                        }
                        // A lone trailing backslash stays literal.
                        None => self.copy_char(&mut b, c),
                    }
                }
                '\'' => self.single_quoted(&mut b),
                '"' => self.double_quoted(&mut b),
                '$' if matches!(self.peek_second(), Some('(' | '{')) => self.copy_expansion(&mut b),
                '`' => self.copy_backquoted(&mut b),
                _ => self.copy_char(&mut b, c),
            }
        }
        b.text.push_str("", b.end);
        Word {
            text: b.text,
            quoted_at: b.quoted_at,
        }
    }

    fn single_quoted(&mut self, b: &mut Builder) {
        let q = self.pos;
        b.open_quote(self.orig(q));
        b.end = self.char_end(q, '\'');
        self.pos += 1;
        while let Some(c) = self.peek() {
            if c == '\'' {
                b.end = self.char_end(self.pos, c);
                self.pos += 1;
                return;
            }
            self.copy_char(b, c);
        }
    }

    fn double_quoted(&mut self, b: &mut Builder) {
        let q = self.pos;
        b.open_quote(self.orig(q));
        b.end = self.char_end(q, '"');
        self.pos += 1;
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    b.end = self.char_end(self.pos, c);
                    self.pos += 1;
                    return;
                }
                '\\' => {
                    let cont = self.continuation_len();
                    if cont > 0 {
                        self.pos += cont;
                        continue;
                    }
                    let bs = self.pos;
                    match self.peek_second() {
                        // Inside "…" a backslash only escapes these; otherwise it is literal.
                        Some(n @ ('$' | '`' | '"' | '\\')) => {
                            b.push(n, self.orig(bs), self.char_end(bs + 1, n));
                            self.pos = bs + 2;
                        }
                        _ => self.copy_char(b, c),
                    }
                }
                '$' if matches!(self.peek_second(), Some('(' | '{')) => self.copy_expansion(b),
                '`' => self.copy_backquoted(b),
                _ => self.copy_char(b, c),
            }
        }
    }

    /// Copies `$(…)`, `$((…))` or `${…}` verbatim, up to its balancing close.
    fn copy_expansion(&mut self, b: &mut Builder) {
        self.copy_char(b, '$');
        let (open, close) = if self.peek() == Some('{') {
            ('{', '}')
        } else {
            ('(', ')')
        };
        self.copy_char(b, open);
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            match c {
                '\\' => {
                    self.copy_char(b, c);
                    if let Some(n) = self.peek() {
                        self.copy_char(b, n);
                    }
                    continue;
                }
                '\'' | '"' | '`' => {
                    self.copy_raw_quoted(b, c);
                    continue;
                }
                _ if c == open => depth += 1,
                _ if c == close => depth -= 1,
                _ => {}
            }
            self.copy_char(b, c);
            if depth == 0 {
                return;
            }
        }
    }

    fn copy_backquoted(&mut self, b: &mut Builder) {
        self.copy_raw_quoted(b, '`');
    }

    /// Copies a quoted stretch verbatim, quotes included (inside an expansion).
    fn copy_raw_quoted(&mut self, b: &mut Builder, quote: char) {
        self.copy_char(b, quote);
        while let Some(c) = self.peek() {
            if c == '\\' && quote != '\'' {
                self.copy_char(b, c);
                if let Some(n) = self.peek() {
                    self.copy_char(b, n);
                }
                continue;
            }
            self.copy_char(b, c);
            if c == quote {
                return;
            }
        }
    }

    /// Skips raw text up to the `)` that closes `depth` open parentheses (for `(( … ))`).
    fn skip_parens(&mut self, mut depth: usize) {
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                '\\' => {
                    if let Some(n) = self.peek() {
                        self.pos += n.len_utf8();
                    }
                }
                '\'' | '"' => {
                    let r = self.rest();
                    self.pos += r.find(c).map_or(r.len(), |k| k + 1);
                }
                _ => {}
            }
        }
    }

    /// Whether the next non-blank char is `c` (without consuming anything).
    fn next_nonblank_is(&self, c: char) -> bool {
        self.rest().trim_start_matches([' ', '\t']).starts_with(c)
    }

    fn consume_through(&mut self, c: char) {
        let r = self.rest();
        if let Some(k) = r.find(c) {
            self.pos += k + c.len_utf8();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parser

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// After `for`/`select`: skip up to the `;` or newline before `do`.
    ForHeader {
        depth: usize,
    },
    /// After `case`: skip the subject up to `in`.
    CaseHeader,
    /// Skip a case pattern up to its `)`.
    CasePattern,
    /// Inside `[[ … ]]`, where `&&`, `<` and friends are operands.
    DBracket,
    /// After `function`: skip the name.
    FunctionName,
}

struct Parser<'a> {
    lx: Lexer<'a>,
    out: Vec<SimpleCommand>,
    cur: SimpleCommand,
    mode: Mode,
    case_depth: usize,
    /// A redirection is waiting for its target word.
    redir: Option<Option<bool>>,
    /// The structure, when asked for (`script_events`).
    events: Option<Vec<ScriptEvent>>,
}

impl<'a> Parser<'a> {
    fn new(line: &'a MappedText) -> Self {
        Parser {
            lx: Lexer::new(line, false),
            out: Vec::new(),
            cur: SimpleCommand::default(),
            mode: Mode::Normal,
            case_depth: 0,
            redir: None,
            events: None,
        }
    }

    fn run(mut self) -> Vec<SimpleCommand> {
        while let Some(tok) = self.lx.next_token() {
            match tok {
                Tok::Word(w) => self.word(w),
                Tok::Op(op) => self.op(op),
            }
        }
        self.finish();
        self.out
    }

    fn at_start(&self) -> bool {
        self.cur.words.is_empty() && self.cur.assignments.is_empty()
    }

    fn finish(&mut self) {
        self.redir = None;
        if !self.at_start() {
            if let Some(events) = &mut self.events {
                events.push(ScriptEvent::Command(self.cur.clone()));
            }
            self.out.push(std::mem::take(&mut self.cur));
        }
    }

    fn event(&mut self, event: ScriptEvent) {
        if let Some(events) = &mut self.events {
            events.push(event);
        }
    }

    fn keyword_paren(&mut self, paren: &'static str) {
        self.event(ScriptEvent::Keyword(paren));
    }

    fn keyword(&mut self, kw: &str) {
        if let Some(k) = KEYWORDS.iter().find(|k| **k == kw) {
            self.event(ScriptEvent::Keyword(k));
        }
    }

    fn close_case(&mut self) {
        self.case_depth = self.case_depth.saturating_sub(1);
        self.mode = Mode::Normal;
    }

    fn word(&mut self, w: Word) {
        if let Some(heredoc) = self.redir.take() {
            if let Some(strip_tabs) = heredoc {
                self.lx
                    .heredocs
                    .push((w.text.as_str().to_string(), strip_tabs));
            }
            return;
        }
        // Reserved words only count when entirely unquoted.
        let kw = if w.quoted_at.is_none() {
            w.text.as_str()
        } else {
            ""
        };
        match self.mode {
            Mode::ForHeader { .. } => {
                // `for x do …` has no separator before `do`.
                if kw == "do" {
                    self.mode = Mode::Normal;
                    self.keyword("do");
                }
                return;
            }
            Mode::FunctionName => {
                self.mode = Mode::Normal;
                self.event(ScriptEvent::Function(w.text));
                return;
            }
            Mode::CaseHeader => {
                if kw == "in" {
                    self.mode = Mode::CasePattern;
                } else {
                    self.event(ScriptEvent::CaseSubject(w.text));
                }
                return;
            }
            Mode::CasePattern => {
                if kw == "esac" {
                    self.close_case();
                    self.keyword("esac");
                } else {
                    self.event(ScriptEvent::Pattern(w.text));
                }
                return;
            }
            Mode::DBracket => {
                if kw == "]]" {
                    self.mode = Mode::Normal;
                }
                self.cur.words.push(w.text);
                return;
            }
            Mode::Normal => {}
        }
        if self.at_start() {
            self.keyword(kw);
            match kw {
                "if" | "then" | "else" | "elif" | "fi" | "do" | "done" | "while" | "until"
                | "!" | "{" | "}" => return,
                "esac" => {
                    self.close_case();
                    return;
                }
                "for" | "select" => {
                    self.mode = Mode::ForHeader { depth: 0 };
                    return;
                }
                "case" => {
                    self.mode = Mode::CaseHeader;
                    self.case_depth += 1;
                    return;
                }
                "function" => {
                    self.mode = Mode::FunctionName;
                    return;
                }
                "[[" => {
                    self.mode = Mode::DBracket;
                    self.cur.words.push(w.text);
                    return;
                }
                _ => {}
            }
        }
        if self.cur.words.is_empty()
            && let Some(eq) = w.text.as_str().find('=')
            && w.quoted_at.is_none_or(|q| q > eq)
            && is_name(&w.text.as_str()[..eq])
        {
            let len = w.text.as_str().len();
            let pair = (w.text.sub(0..eq), w.text.sub(eq + 1..len));
            self.cur.assignments.push(pair);
            return;
        }
        self.cur.words.push(w.text);
    }

    fn op(&mut self, op: Op) {
        match self.mode {
            Mode::ForHeader { depth } => {
                self.mode = match op {
                    Op::LParen => Mode::ForHeader { depth: depth + 1 },
                    Op::RParen => Mode::ForHeader {
                        depth: depth.saturating_sub(1),
                    },
                    Op::Semi | Op::Newline if depth == 0 => Mode::Normal,
                    _ => Mode::ForHeader { depth },
                };
                return;
            }
            Mode::CaseHeader => return,
            Mode::CasePattern => {
                if op == Op::RParen {
                    self.mode = Mode::Normal;
                    self.event(ScriptEvent::PatternEnd);
                }
                return;
            }
            Mode::DBracket => {
                // An unterminated `[[` ends with its line.
                if !matches!(op, Op::Semi | Op::Newline) {
                    return;
                }
                self.mode = Mode::Normal;
            }
            Mode::FunctionName => self.mode = Mode::Normal,
            Mode::Normal => {}
        }
        match op {
            Op::Redir { heredoc } => self.redir = Some(heredoc),
            Op::LParen => {
                if self.cur.words.len() == 1
                    && self.cur.assignments.is_empty()
                    && self.lx.next_nonblank_is(')')
                {
                    // `name() { …; }`: a function definition, not a command.
                    self.lx.consume_through(')');
                    let cur = std::mem::take(&mut self.cur);
                    self.event(ScriptEvent::Function(
                        cur.words.into_iter().next().unwrap_or_default(),
                    ));
                    self.redir = None;
                } else if self.at_start() && self.lx.peek() == Some('(') {
                    // `(( … ))` arithmetic.
                    self.lx.skip_parens(1);
                } else {
                    self.finish();
                    self.keyword_paren("(");
                }
            }
            Op::CaseEnd => {
                self.finish();
                self.event(ScriptEvent::Sep(";;"));
                if self.case_depth > 0 {
                    self.mode = Mode::CasePattern;
                }
            }
            Op::RParen => {
                self.finish();
                self.keyword_paren(")");
            }
            Op::Join => {
                self.finish();
                let join = self.lx.join;
                self.event(ScriptEvent::Sep(join));
            }
            Op::Semi | Op::Newline => {
                self.finish();
                self.event(ScriptEvent::Sep(";"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn mt(s: &str) -> MappedText {
        MappedText::from_span(s, Span::new(0, s.len()))
    }

    /// Commands as lists of word texts, with assignments rendered `NAME=value` in front.
    fn texts(s: &str) -> Vec<Vec<String>> {
        split_commands(&mt(s))
            .into_iter()
            .map(|c| {
                c.assignments
                    .iter()
                    .map(|(n, v)| format!("{}={}", n.as_str(), v.as_str()))
                    .chain(c.words.iter().map(|w| w.as_str().to_string()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn splitting_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&[&str]])] = &[
            ("gunicorn app:app", &[&["gunicorn", "app:app"]]),
            ("  a   b\tc  ", &[&["a", "b", "c"]]),
            ("a; b && c || d | e & f", &[&["a"], &["b"], &["c"], &["d"], &["e"], &["f"]]),
            ("a\nb\n\nc", &[&["a"], &["b"], &["c"]]),
            ("echo 'a b' \"c d\"", &[&["echo", "a b", "c d"]]),
            ("echo \"a \\\"b\\\" \\$x \\\\ \\n\"", &[&["echo", "a \"b\" $x \\ \\n"]]),
            ("echo 'it''s' a\\ b", &[&["echo", "its", "a b"]]),
            ("gunicorn \\\n  --bind x \\\n  app", &[&["gunicorn", "--bind", "x", "app"]]),
            ("ab\\\ncd", &[&["abcd"]]),
            ("# flask run", &[]),
            ("echo hi # flask run", &[&["echo", "hi"]]),
            ("echo a#b", &[&["echo", "a#b"]]),
            ("echo \"flask run\"", &[&["echo", "flask run"]]),
            ("echo $(date +%s; echo x) done", &[&["echo", "$(date +%s; echo x)", "done"]]),
            ("echo \"$(cat \"f g\")\"", &[&["echo", "$(cat \"f g\")"]]),
            ("echo `ls; pwd` ${A:-x y}", &[&["echo", "`ls; pwd`", "${A:-x y}"]]),
            ("echo $((1 + (2)))", &[&["echo", "$((1 + (2)))"]]),
            ("FOO=1 BAR='x y' flask run", &[&["FOO=1", "BAR=x y", "flask", "run"]]),
            ("FOO=1", &[&["FOO=1"]]),
            ("cmd FOO=1", &[&["cmd", "FOO=1"]]),
            ("\"FOO=1\" cmd", &[&["FOO=1", "cmd"]]),
            ("gunicorn app > /var/log/x 2>&1 &", &[&["gunicorn", "app"]]),
            ("cmd 2>/dev/null <in >>out &>all x", &[&["cmd", "x"]]),
            ("echo 2 > f", &[&["echo", "2"]]),
            ("(cd /app && exec gunicorn app)", &[&["cd", "/app"], &["exec", "gunicorn", "app"]]),
            ("{ migrate; gunicorn app; }", &[&["migrate"], &["gunicorn", "app"]]),
            ("if [ -f x ]; then gunicorn a; else uvicorn b; fi", &[&["[", "-f", "x", "]"], &["gunicorn", "a"], &["uvicorn", "b"]]),
            ("while true; do gunicorn a; done", &[&["true"], &["gunicorn", "a"]]),
            ("for i in 1 2 3; do echo $i; done", &[&["echo", "$i"]]),
            ("for ((i=0; i<3; i++)); do x; done", &[&["x"]]),
            ("for i\ndo x; done", &[&["x"]]),
            ("case \"$1\" in\n web) exec gunicorn app ;;\n worker|w) celery ;;\n *) exec \"$@\" ;;\nesac", &[&["exec", "gunicorn", "app"], &["celery"], &["exec", "$@"]]),
            ("case x in (a) y;; esac; z", &[&["y"], &["z"]]),
            ("f() { gunicorn app; }; f", &[&["gunicorn", "app"], &["f"]]),
            ("function f { x; }", &[&["x"]]),
            ("(( n++ )); echo", &[&["echo"]]),
            ("[[ -f a && -f b ]] && go", &[&["[[", "-f", "a", "-f", "b", "]]"], &["go"]]),
            ("! grep x f", &[&["grep", "x", "f"]]),
            ("echo if then", &[&["echo", "if", "then"]]),
            ("cat <<EOF > f\nflask run\nEOF\ngunicorn app", &[&["cat"], &["gunicorn", "app"]]),
            ("cat <<-'END'\n\tflask run\n\tEND\nx", &[&["cat"], &["x"]]),
            ("a;;b", &[&["a"], &["b"]]),
            ("x='' y", &[&["x=", "y"]]),
            ("echo '' \"\"", &[&["echo", "", ""]]),
            ("echo é'ü'", &[&["echo", "éü"]]),
        ];
        for (input, want) in cases {
            let want: Vec<Vec<String>> = want
                .iter()
                .map(|c| c.iter().map(|s| s.to_string()).collect())
                .collect();
            assert_eq!(texts(input), want, "input: {input:?}");
        }
    }

    /// Slices `src` with each word's span.
    fn word_spans(src: &str) -> Vec<String> {
        split_commands(&mt(src))
            .iter()
            .flat_map(|c| c.words.iter())
            .map(|w| src[w.span().range()].to_string())
            .collect()
    }

    #[test]
    fn cached_runs_give_the_origins_of_a_search() {
        let mut gaps = MappedText::new(3);
        gaps.push_str("RUN a", 3);
        gaps.push_str(" b\\", 12);
        gaps.push_char('$', 20, 22);
        gaps.push_char('é', 30, 33);
        gaps.push_str("cd ef", 40);
        let texts = [
            mt("gunicorn --bind 0.0.0.0:80"),
            gaps,
            MappedText::standing_for("/bin/sh -c", Span::new(5, 9)),
            MappedText::new(7),
        ];
        for text in &texts {
            let len = text.as_str().len();
            let lexer = Lexer::new(text, false);
            // Forward, backward and jumping about, so the cached run is both hit and missed.
            let order = (0..=len + 1)
                .chain((0..=len + 1).rev())
                .chain((0..=len + 1).map(|i| (i * 7) % (len + 2)));
            for i in order {
                assert_eq!(lexer.orig(i), text.origin(i), "{:?} at {i}", text.as_str());
            }
        }
    }

    #[test]
    fn spans_cover_whole_original_words() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("gunicorn  app:app", &["gunicorn", "app:app"]),
            ("x \"0.0.0.0:8000\" 'a b'", &["x", "\"0.0.0.0:8000\"", "'a b'"]),
            ("x --bind=\"h:1\"", &["x", "--bind=\"h:1\""]),
            ("x a\\ b \\$y", &["x", "a\\ b", "\\$y"]),
            ("x \"a \\\"q\\\"\"", &["x", "\"a \\\"q\\\"\""]),
            ("x ab\\\ncd y", &["x", "ab\\\ncd", "y"]),
            ("x ab\\\n  cd", &["x", "ab", "cd"]),
            ("a \\\n  b", &["a", "b"]),
            ("x $(a b)c", &["x", "$(a b)c"]),
            ("é 'ü'x", &["é", "'ü'x"]),
            ("x 'unterminated", &["x", "'unterminated"]),
        ];
        for (input, want) in cases {
            assert_eq!(word_spans(input), *want, "input: {input:?}");
        }
    }

    #[test]
    fn sub_spans_point_into_the_original() {
        let src = "gunicorn --bind=\"0.0.0.0:80\" -b0.0.0.0:81";
        let cmds = split_commands(&mt(src));
        let w = &cmds[0].words[1];
        assert_eq!(w.as_str(), "--bind=0.0.0.0:80");
        // The value begins a quoted segment, so its span includes the quotes.
        assert_eq!(
            &src[w.sub(7..w.as_str().len()).span().range()],
            "\"0.0.0.0:80\""
        );
        let w = &cmds[0].words[2];
        assert_eq!(
            &src[w.sub(2..w.as_str().len()).span().range()],
            "0.0.0.0:81"
        );
    }

    #[test]
    fn assignment_spans() {
        let src = "A=1 B=\"x y\" C= run";
        let cmds = split_commands(&mt(src));
        let a = &cmds[0].assignments;
        let got: Vec<(&str, &str, &str)> = a
            .iter()
            .map(|(n, v)| (&src[n.span().range()], v.as_str(), &src[v.span().range()]))
            .collect();
        assert_eq!(
            got,
            [("A", "1", "1"), ("B", "x y", "\"x y\""), ("C", "", "")]
        );
        assert_eq!(a[2].1.span(), Span::empty(14));
    }

    #[test]
    fn resplitting_a_quoted_word_maps_into_the_quotes() {
        let src = "sh -c \"exec gunicorn --bind \\\"0.0.0.0:80\\\" app:app\"";
        let outer = split_commands(&mt(src));
        let script = &outer[0].words[2];
        assert_eq!(
            script.as_str(),
            "exec gunicorn --bind \"0.0.0.0:80\" app:app"
        );
        let inner = split_commands(&script_text(script));
        let got: Vec<&str> = inner[0]
            .words
            .iter()
            .map(|w| &src[w.span().range()])
            .collect();
        assert_eq!(
            got,
            [
                "exec",
                "gunicorn",
                "--bind",
                "\\\"0.0.0.0:80\\\"",
                "app:app"
            ]
        );
        assert_eq!(inner[0].words[3].as_str(), "0.0.0.0:80");

        let src = "sh -c 'x'";
        let w = &split_commands(&mt(src))[0].words[2];
        let inner = split_commands(&script_text(w));
        assert_eq!(&src[inner[0].words[0].span().range()], "x");
    }

    #[test]
    fn plain_words_and_exec_command() {
        let src = "/usr/bin/gunicorn -b \"a b\" ; x&&y\n  z # c";
        let got: Vec<String> = words(&mt(src))
            .iter()
            .map(|w| w.as_str().to_string())
            .collect();
        assert_eq!(
            got,
            ["/usr/bin/gunicorn", "-b", "a b", ";", "x&&y", "z", "#", "c"]
        );
        let ws = vec![mt("FOO=1"), mt("x")];
        let c = exec_command(&ws);
        assert!(c.assignments.is_empty());
        assert_eq!(c.words.len(), 2);
    }

    #[test]
    fn helpers() {
        assert!(is_name("_A1") && !is_name("1A") && !is_name("") && !is_name("A-B"));
        let (n, v) = assignment(&mt("FOO=a=b")).unwrap();
        assert_eq!((n.as_str(), v.as_str()), ("FOO", "a=b"));
        assert!(assignment(&mt("--x=1")).is_none());
    }

    #[test]
    fn malformed_input_never_panics() {
        let inputs = [
            "",
            "\\",
            "'",
            "\"",
            "\"\\",
            "$(",
            "${",
            "`",
            "$((",
            "(",
            ")",
            "((",
            "))",
            "<<",
            "<<EOF",
            "a <<EOF\nbody",
            "case",
            "case x in",
            "case x in a)",
            "for",
            "for ((",
            "[[",
            "function",
            "f(",
            "f()",
            "2>",
            "&>",
            ";;",
            "|",
            "&&&",
            "é\\",
            "'é",
            "\"é\\é",
            "$(é",
            "\\\r\n",
            "a\\\r",
            "}",
            "{",
            "if",
            "esac esac",
            "\u{0}",
            ")))(((",
        ];
        for s in inputs {
            let m = mt(s);
            for c in split_commands(&m) {
                for w in c.words.iter().chain(c.assignments.iter().map(|(_, v)| v)) {
                    let sp = w.span();
                    assert!(sp.start <= sp.end && sp.end <= s.len(), "{s:?}");
                    assert!(
                        s.is_char_boundary(sp.start) && s.is_char_boundary(sp.end),
                        "{s:?}"
                    );
                }
            }
            let _ = words(&m);
            let _ = script_text(&m);
        }
        // Every prefix of a nasty line.
        let nasty = "A=\"é$(x \"y)\" 'z'\\\n` b` ${c} <<E; case é in (a|b) f;; esac\nE\n";
        for (i, _) in nasty.char_indices() {
            let _ = split_commands(&mt(&nasty[..i]));
        }
        // Huge inputs stay linear and do not overflow the stack.
        let big = "(".repeat(100_000) + &"$(".repeat(10_000) + &"'".repeat(3);
        let _ = split_commands(&mt(&big));
    }
}
