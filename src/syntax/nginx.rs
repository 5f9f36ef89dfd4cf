//! nginx configuration, tokenised as nginx's own `ngx_conf_read_token` does: directives are
//! words ended by `;` or followed by a `{ … }` block; `"…"` and `'…'` quote with backslash
//! escapes; `#` starts a comment only where a word could start; `${var}` keeps its braces
//! inside a word; a `}` inside a word is part of it. The bodies of `*_by_lua_block` directives
//! are Lua, skipped as one raw block. Every directive and argument keeps its byte span.

use crate::source::Span;

/// One word of a directive, unquoted and unescaped, with the span it was written at (quotes
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub span: Span,
    pub quoted: bool,
}

#[derive(Debug, Clone)]
pub struct Directive {
    pub name: Word,
    pub args: Vec<Word>,
    /// From the name to the `;` or the block's `}`.
    pub span: Span,
    /// The directives of its `{ … }` block, when it has one (none for a raw Lua block).
    pub children: Option<Vec<usize>>,
    /// A `*_by_lua_block { … }`: its body is Lua, not directives.
    pub raw_block: bool,
}

#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct Conf {
    pub nodes: Vec<Directive>,
    /// The file's top-level directives, in order.
    pub top: Vec<usize>,
    pub errors: Vec<SyntaxError>,
}

impl Conf {
    /// Every directive, depth first in file order, with its parent.
    pub fn walk(&self) -> Vec<(usize, Option<usize>)> {
        let mut out = Vec::new();
        let mut stack: Vec<(usize, Option<usize>)> =
            self.top.iter().rev().map(|&n| (n, None)).collect();
        while let Some((n, parent)) = stack.pop() {
            out.push((n, parent));
            if let Some(children) = &self.nodes[n].children {
                stack.extend(children.iter().rev().map(|&c| (c, Some(n))));
            }
        }
        out
    }
}

enum Token {
    Word(Word),
    Semicolon(usize),
    Open(usize),
    Close(usize),
    Eof,
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<SyntaxError>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// nginx's escapes: `\t`, `\r`, `\n`, and a backslash before a quote or a backslash; any other
/// backslash is kept as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl<'a> Lexer<'a> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            span,
            message: message.into(),
        });
    }

    fn next(&mut self) -> Token {
        let bytes = self.bytes;
        loop {
            while self.pos < bytes.len() && is_space(bytes[self.pos]) {
                self.pos += 1;
            }
            if self.pos < bytes.len() && bytes[self.pos] == b'#' {
                while self.pos < bytes.len() && bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
                continue;
            }
            break;
        }
        let Some(&b) = bytes.get(self.pos) else {
            return Token::Eof;
        };
        let start = self.pos;
        match b {
            b';' => {
                self.pos += 1;
                Token::Semicolon(start)
            }
            b'{' if placeholder_len(bytes, start).is_none() => {
                self.pos += 1;
                Token::Open(start)
            }
            b'}' => {
                self.pos += 1;
                Token::Close(start)
            }
            b'"' | b'\'' => self.quoted(b),
            _ => self.bare(),
        }
    }

    fn quoted(&mut self, quote: u8) -> Token {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start + 1;
        while i < bytes.len() && bytes[i] != quote {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if i >= bytes.len() {
            let end = bytes.len();
            self.pos = end;
            self.error(
                Span::new(start, end),
                "unterminated quoted string: the file ends before its closing quote",
            );
            return Token::Word(Word {
                value: unescape(&self.text[start + 1..end]),
                span: Span::new(start, end),
                quoted: true,
            });
        }
        let value = unescape(&self.text[start + 1..i]);
        self.pos = i + 1;
        // After a quoted word nginx wants a space, `;`, `{` or the `)` of an `if`.
        if let Some(&next) = bytes.get(self.pos)
            && !is_space(next)
            && !matches!(next, b';' | b'{' | b')')
        {
            let at = self.pos;
            let ch = self.text[at..].chars().next().unwrap_or(' ');
            self.error(
                Span::new(at, at + ch.len_utf8()),
                format!("unexpected `{ch}` right after a quoted string"),
            );
        }
        Token::Word(Word {
            value,
            span: Span::new(start, i + 1),
            quoted: true,
        })
    }

    fn bare(&mut self) -> Token {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start;
        let mut variable = false;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'{' && variable {
                i += 1;
                variable = false;
                continue;
            }
            if b == b'{'
                && let Some(len) = placeholder_len(bytes, i)
            {
                i += len;
                variable = false;
                continue;
            }
            variable = false;
            match b {
                b'\\' => {
                    i += 2;
                    continue;
                }
                b'$' => variable = true,
                b';' | b'{' => break,
                _ if is_space(b) => break,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(bytes.len());
        self.pos = end;
        Token::Word(Word {
            value: unescape(&self.text[start..end]),
            span: Span::new(start, end),
            quoted: false,
        })
    }

    /// Skips the Lua body of a `*_by_lua_block` after its `{`, as the Lua module reads it:
    /// braces balance outside strings and comments. Returns the end of the closing `}`.
    fn lua_block(&mut self, open: usize) -> Option<usize> {
        let bytes = self.bytes;
        let mut depth = 1usize;
        let mut i = self.pos;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Some(i + 1);
                    }
                }
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    i += 2;
                    if let Some(end) = long_bracket(bytes, i) {
                        i = end;
                        continue;
                    }
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'[' => {
                    if let Some(end) = long_bracket(bytes, i) {
                        i = end;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = bytes.len();
        self.error(
            Span::new(open, open + 1),
            "unclosed Lua block: the file ends before its closing `}`",
        );
        None
    }
}

/// A `{NAME}` placeholder at `i` (as deployment scripts substitute with `sed` before nginx
/// starts: `root {ROOT}/UI;`), its length. nginx itself never accepts one: it would be a
/// block holding a directive with no `;`.
fn placeholder_len(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = bytes.get(i + 1..)?;
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (len > 0 && rest.get(len) == Some(&b'}') && rest[0].is_ascii_alphabetic()).then_some(len + 2)
}

/// A Lua long bracket (`[[ … ]]`, `[==[ … ]==]`) starting at `i`: the index after its end.
fn long_bracket(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'=') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'[') {
        return None;
    }
    let level = j - i - 1;
    let mut close = Vec::with_capacity(level + 2);
    close.push(b']');
    close.extend(std::iter::repeat_n(b'=', level));
    close.push(b']');
    let body = &bytes[j + 1..];
    let at = body
        .windows(close.len())
        .position(|w| w == close.as_slice());
    Some(at.map_or(bytes.len(), |p| j + 1 + p + close.len()))
}

/// Whether a directive's block holds Lua code (ngx_lua's `content_by_lua_block`, …).
fn is_lua_block(name: &str) -> bool {
    name.ends_with("_by_lua_block") || name == "lua_block"
}

/// Parses a whole file. Never fails: what nginx would reject is in `errors`, and the
/// directives around it are still read.
pub fn parse(text: &str) -> Conf {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        errors: Vec::new(),
    };
    let mut conf = Conf::default();
    // Open blocks: the directive owning each.
    let mut open: Vec<usize> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let add = |conf: &mut Conf, open: &[usize], directive: Directive| -> usize {
        let id = conf.nodes.len();
        conf.nodes.push(directive);
        match open.last() {
            Some(&parent) => {
                if let Some(children) = conf.nodes[parent].children.as_mut() {
                    children.push(id);
                }
            }
            None => conf.top.push(id),
        }
        id
    };
    let directive = |words: &mut Vec<Word>, end: usize| -> Directive {
        let mut all = std::mem::take(words).into_iter();
        let name = all.next().expect("a directive has a name");
        let start = name.span.start;
        Directive {
            name,
            args: all.collect(),
            span: Span::new(start, end),
            children: None,
            raw_block: false,
        }
    };
    loop {
        match lexer.next() {
            Token::Word(w) => words.push(w),
            Token::Semicolon(at) => {
                if words.is_empty() {
                    lexer.error(
                        Span::new(at, at + 1),
                        "unexpected `;`: no directive before it",
                    );
                } else {
                    let d = directive(&mut words, at + 1);
                    add(&mut conf, &open, d);
                }
            }
            Token::Open(at) => {
                if words.is_empty() {
                    lexer.error(
                        Span::new(at, at + 1),
                        "unexpected `{`: no directive before it",
                    );
                    // Read what it holds as an anonymous block, so its `}` balances.
                    words.push(Word {
                        value: String::new(),
                        span: Span::new(at, at),
                        quoted: false,
                    });
                }
                let mut d = directive(&mut words, at + 1);
                if is_lua_block(&d.name.value) {
                    d.raw_block = true;
                    if let Some(end) = lexer.lua_block(at) {
                        d.span.end = end;
                    } else {
                        d.span.end = text.len();
                    }
                    add(&mut conf, &open, d);
                } else {
                    d.children = Some(Vec::new());
                    let id = add(&mut conf, &open, d);
                    open.push(id);
                }
            }
            Token::Close(at) => {
                if !words.is_empty() {
                    let name = words[0].value.clone();
                    let last = words.last().map_or(at, |w| w.span.end);
                    lexer.error(
                        Span::new(words[0].span.start, last),
                        format!("directive `{name}` is not ended by `;` before the `}}`"),
                    );
                    let d = directive(&mut words, last);
                    add(&mut conf, &open, d);
                }
                match open.pop() {
                    Some(block) => conf.nodes[block].span.end = at + 1,
                    None => lexer.error(
                        Span::new(at, at + 1),
                        "unexpected `}`: no block is open here",
                    ),
                }
            }
            Token::Eof => {
                if !words.is_empty() {
                    let name = words[0].value.clone();
                    let last = words.last().map_or(text.len(), |w| w.span.end);
                    lexer.error(
                        Span::new(words[0].span.start, last),
                        format!("directive `{name}` is not ended by `;`: the file ends first"),
                    );
                    let d = directive(&mut words, last);
                    add(&mut conf, &open, d);
                }
                for &block in open.iter().rev() {
                    let name = &conf.nodes[block].name;
                    let span = name.span;
                    let message = format!(
                        "block `{}` is not closed: the file ends before its `}}`",
                        name.value
                    );
                    conf.nodes[block].span.end = text.len();
                    lexer.error(span, message);
                }
                break;
            }
        }
    }
    conf.errors = lexer.errors;
    conf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(conf: &Conf) -> Vec<String> {
        conf.walk()
            .iter()
            .map(|(n, _)| conf.nodes[*n].name.value.clone())
            .collect()
    }

    #[test]
    fn blocks_words_and_spans() {
        let text = "http {\n  server {\n    listen 80; # c\n    location /x/ { alias \"/a b/\"; }\n  }\n}\n";
        let conf = parse(text);
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        assert_eq!(
            names(&conf),
            ["http", "server", "listen", "location", "alias"]
        );
        let alias = conf.nodes.iter().find(|d| d.name.value == "alias").unwrap();
        assert_eq!(alias.args[0].value, "/a b/");
        assert_eq!(&text[alias.args[0].span.range()], "\"/a b/\"");
        assert_eq!(&text[alias.span.range()], "alias \"/a b/\";");
        let http = &conf.nodes[conf.top[0]];
        assert_eq!(&text[http.span.range()], text.trim_end());
    }

    #[test]
    fn escapes_variables_and_comments() {
        let conf = parse(
            "set $a \"x\\\"y\";\nset $b 'it\\'s';\nreturn 200 ${a}b#c;\nlog_format m '$remote_addr \\t';\n",
        );
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        let args: Vec<Vec<String>> = conf
            .nodes
            .iter()
            .map(|d| d.args.iter().map(|a| a.value.clone()).collect())
            .collect();
        assert_eq!(args[0], ["$a", "x\"y"]);
        assert_eq!(args[1], ["$b", "it's"]);
        assert_eq!(args[2], ["200", "${a}b#c"]);
        assert_eq!(args[3], ["m", "$remote_addr \t"]);
    }

    #[test]
    fn if_map_and_lua() {
        let text = r#"
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
server {
  if ($http_user_agent ~* "MSIE (\d+)") { return 403; }
  location /lua {
    content_by_lua_block {
      local t = { a = "}", b = '{' } -- a } in a comment
      ngx.say([[ } ]])
    }
  }
  location ~* \.(png|jpg)$ { expires 30d; }
}
"#;
        let conf = parse(text);
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        let names = names(&conf);
        assert!(names.contains(&"content_by_lua_block".to_string()));
        assert!(names.contains(&"expires".to_string()));
        assert!(!names.contains(&"local".to_string()));
        let cond = conf.nodes.iter().find(|d| d.name.value == "if").unwrap();
        let args: Vec<&str> = cond.args.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(args, ["($http_user_agent", "~*", "MSIE (\\d+)", ")"]);
    }

    #[test]
    fn real_syntax_errors() {
        for (text, expected) in [
            ("server { listen 80 }\n", "not ended by `;`"),
            ("server { listen 80;\n", "not closed"),
            ("listen 80;\n}\n", "unexpected `}`"),
            ("listen 80\n", "not ended by `;`"),
            ("root \"/a\n", "unterminated"),
            ("; listen 80;", "unexpected `;`"),
            ("root \"/a\"b;", "right after a quoted string"),
        ] {
            let conf = parse(text);
            assert!(
                conf.errors.iter().any(|e| e.message.contains(expected)),
                "{text:?}: {:?}",
                conf.errors
            );
            for e in &conf.errors {
                assert!(text.get(e.span.range()).is_some());
            }
        }
        for fine in [
            "",
            "# only a comment\n",
            "a b;c d;",
            "location /{}",
            "x \"\";",
            "root {ROOT}/UI;\nindex {INDEX};",
        ] {
            assert!(parse(fine).errors.is_empty(), "{fine:?}");
        }
    }
}
