//! Apache httpd configuration parser that reads a file the way httpd's `ap_build_config` does,
//! keeping the original byte span of every directive name and argument.
//!
//! What httpd does, and so what this does:
//! - a line ending in a backslash (right before the newline, not itself escaped by another
//!   backslash) continues on the next line; the backslash and newline are dropped;
//! - leading and trailing white space is dropped; a line whose first character is then `#` is
//!   a comment (also when it continues: a commented line ending in `\` swallows the next);
//! - words are split like `ap_getword_conf`: a word starting with `"` or `'` runs to the
//!   matching quote, in which `\"` (or `\'`) and `\\` are escapes; elsewhere `\\` is one
//!   backslash; a quote inside a word is an ordinary character;
//! - directive names are case-insensitive; `<Name args>` opens a section whose arguments end
//!   at the last `>` on the line (text after it is ignored, as httpd ignores it), `</Name>`
//!   closes it; mismatched and unclosed sections are errors.
//!
//! The tree is an arena (`nodes` with parent and child indices), so hostile nesting never
//! recurses; sections nested deeper than `MAX_DEPTH` stop the parse with an error.

use crate::source::{MappedText, Span};

/// Deeper nesting than any real configuration uses; beyond it the parse stops with an error.
pub const MAX_DEPTH: usize = 256;

/// One argument as httpd sees it (quotes removed, escapes applied), mapped to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: MappedText,
    pub quoted: bool,
}

impl Word {
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// The word in the file, quotes included.
    pub fn span(&self) -> Span {
        self.text.span()
    }
}

/// A directive or a section.
#[derive(Debug, Clone)]
pub struct Node {
    /// The name as written, without `<` for sections (`VirtualHost`, `WSGIDaemonProcess`).
    pub name: String,
    /// The name in the file (`<VirtualHost` for a section).
    pub name_span: Span,
    pub args: Vec<Word>,
    /// The whole logical line (the opening tag for a section).
    pub span: Span,
    pub section: bool,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
    /// The closing tag of a section, once seen.
    pub close_span: Option<Span>,
}

impl Node {
    /// Whether the directive is `name` (case-insensitively, as httpd compares).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// A parsed configuration file.
#[derive(Debug, Clone, Default)]
pub struct ConfFile {
    pub nodes: Vec<Node>,
    /// Top-level nodes in order.
    pub top: Vec<usize>,
    pub errors: Vec<SyntaxError>,
}

impl ConfFile {
    /// Every node in file order, with its depth, without recursion.
    pub fn walk(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, usize)> = self.top.iter().rev().map(|&n| (n, 0)).collect();
        while let Some((n, depth)) = stack.pop() {
            out.push((n, depth));
            stack.extend(self.nodes[n].children.iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }
}

/// Parses httpd configuration text. Never fails: errors are collected and parsing goes on
/// where httpd would stop.
pub fn parse(text: &str) -> ConfFile {
    let mut file = ConfFile::default();
    let mut stack: Vec<usize> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let (line, next) = logical_line(text, pos);
        pos = next;
        let line = trim(&line);
        if line.is_empty() || line.as_str().starts_with('#') {
            continue;
        }
        let (words, first_end) = split_words(&line, true);
        let Some(name_word) = words.first() else {
            continue;
        };
        let span = line.span();
        let name = name_word.as_str();
        if let Some(close) = name.strip_prefix("</") {
            let Some(close) = close.strip_suffix('>') else {
                file.errors.push(SyntaxError {
                    message: format!("</{close} directive missing closing '>'"),
                    span: name_word.span(),
                });
                continue;
            };
            close_section(&mut file, &mut stack, close, span);
            continue;
        }
        if let Some(open) = name.strip_prefix('<') {
            let (open, args) = match open.strip_suffix('>') {
                Some(bare) => (bare.to_string(), Vec::new()),
                None => {
                    // The arguments run to the last `>` of the line; httpd ignores the rest.
                    let rest = line.sub(first_end..line.as_str().len());
                    match rest.as_str().rfind('>') {
                        Some(gt) => (open.to_string(), split_words(&rest.sub(0..gt), false).0),
                        None => {
                            file.errors.push(SyntaxError {
                                message: format!("<{open} directive missing closing '>'"),
                                span,
                            });
                            (open.to_string(), split_words(&rest, false).0)
                        }
                    }
                }
            };
            if open.is_empty() {
                file.errors.push(SyntaxError {
                    message: "section without a name".to_string(),
                    span,
                });
                continue;
            }
            if stack.len() >= MAX_DEPTH {
                file.errors.push(SyntaxError {
                    message: format!(
                        "sections nested deeper than {MAX_DEPTH} levels; the rest of the file is not read"
                    ),
                    span,
                });
                stack.clear();
                break;
            }
            let index = push(
                &mut file,
                &stack,
                Node {
                    name: open,
                    name_span: name_word.span(),
                    args,
                    span,
                    section: true,
                    children: Vec::new(),
                    parent: stack.last().copied(),
                    close_span: None,
                },
            );
            stack.push(index);
            continue;
        }
        let mut words = words;
        let name_word = words.remove(0);
        push(
            &mut file,
            &stack,
            Node {
                name: name_word.as_str().to_string(),
                name_span: name_word.span(),
                args: words,
                span,
                section: false,
                children: Vec::new(),
                parent: stack.last().copied(),
                close_span: None,
            },
        );
    }
    for &open in stack.iter().rev() {
        let node = &file.nodes[open];
        file.errors.push(SyntaxError {
            message: format!("<{}> was not closed", node.name),
            span: node.name_span,
        });
    }
    file
}

fn push(file: &mut ConfFile, stack: &[usize], node: Node) -> usize {
    let index = file.nodes.len();
    file.nodes.push(node);
    match stack.last() {
        Some(&parent) => file.nodes[parent].children.push(index),
        None => file.top.push(index),
    }
    index
}

fn close_section(file: &mut ConfFile, stack: &mut Vec<usize>, name: &str, span: Span) {
    let Some(&top) = stack.last() else {
        file.errors.push(SyntaxError {
            message: format!("</{name}> without matching <{name}> section"),
            span,
        });
        return;
    };
    if file.nodes[top].name.eq_ignore_ascii_case(name) {
        file.nodes[top].close_span = Some(span);
        stack.pop();
        return;
    }
    file.errors.push(SyntaxError {
        message: format!("expected </{}> but saw </{name}>", file.nodes[top].name),
        span,
    });
    // Recover: a close tag that matches an enclosing section closes the ones inside it too.
    if let Some(depth) = stack
        .iter()
        .rposition(|&n| file.nodes[n].name.eq_ignore_ascii_case(name))
    {
        file.nodes[stack[depth]].close_span = Some(span);
        stack.truncate(depth);
    }
}

/// One logical line starting at `pos`, joined across backslash continuations, and where the
/// next one starts.
fn logical_line(text: &str, mut pos: usize) -> (MappedText, usize) {
    let bytes = text.as_bytes();
    let mut line = MappedText::new(pos);
    loop {
        let end = memchr(b'\n', &bytes[pos..]).map_or(text.len(), |i| pos + i);
        let next = (end + 1).min(text.len()).max(end);
        let mut content_end = end;
        if content_end > pos && bytes[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let has_newline = end < text.len();
        let continues = has_newline
            && content_end > pos
            && bytes[content_end - 1] == b'\\'
            && !(content_end - 1 > pos && bytes[content_end - 2] == b'\\');
        if continues {
            line.push_str(&text[pos..content_end - 1], pos);
            pos = next;
            if pos >= text.len() {
                return (line, pos);
            }
        } else {
            line.push_str(&text[pos..content_end], pos);
            return (line, if has_newline { end + 1 } else { end });
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn trim(line: &MappedText) -> MappedText {
    let s = line.as_str();
    let start = s.len() - s.trim_start().len();
    let end = s.trim_end().len().max(start);
    line.sub(start..end)
}

/// Splits like `ap_getword_conf`, repeatedly. With `first_only_name`, stops after the first
/// word when it opens a section (its arguments need the `>` handling). Returns the words and
/// the byte offset just past the first word.
fn split_words(line: &MappedText, first_only_name: bool) -> (Vec<Word>, usize) {
    let s = line.as_str();
    let b = s.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    let mut first_end = s.len();
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let quote = b[i];
        let mut text = MappedText::new(line.origin(i));
        let quoted = quote == b'"' || quote == b'\'';
        if quoted {
            i += 1;
            while i < b.len() && b[i] != quote {
                if b[i] == b'\\' && i + 1 < b.len() && (b[i + 1] == quote || b[i + 1] == b'\\') {
                    let c = b[i + 1] as char;
                    text.push_char(c, line.origin(i), line.origin(i + 1) + 1);
                    i += 2;
                } else {
                    i = push_char_at(line, s, i, &mut text);
                }
            }
            if i < b.len() {
                i += 1; // the closing quote
            }
            let span = line.span_of(start..i);
            text = text.with_span(span);
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'\\' {
                    text.push_char('\\', line.origin(i), line.origin(i + 1) + 1);
                    i += 2;
                } else {
                    i = push_char_at(line, s, i, &mut text);
                }
            }
        }
        if text.is_empty() {
            // `""`: an empty argument still counts; keep its position.
            text = MappedText::new(line.origin(start)).with_span(line.span_of(start..i));
        }
        words.push(Word { text, quoted });
        if words.len() == 1 {
            first_end = i;
            if first_only_name && s.starts_with('<') && !s.starts_with("</") {
                break;
            }
        }
    }
    (words, first_end)
}

/// Appends the character at byte `i` of `s` with its origin; returns the next index.
fn push_char_at(line: &MappedText, s: &str, i: usize, text: &mut MappedText) -> usize {
    let c = s[i..].chars().next().unwrap_or(' ');
    let len = c.len_utf8();
    text.push_char(c, line.origin(i), line.origin(i + len - 1) + 1);
    i + len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &ConfFile) -> Vec<(usize, String, Vec<String>)> {
        f.walk()
            .into_iter()
            .map(|(n, d)| {
                let node = &f.nodes[n];
                (
                    d,
                    node.name.clone(),
                    node.args.iter().map(|a| a.as_str().to_string()).collect(),
                )
            })
            .collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn directives_sections_and_spans() {
        let text = "# comment\nServerName example.com\n<VirtualHost *:80>\n  DocumentRoot \"/var/www/my site\"\n  <Directory /srv>\n    Require all granted\n  </directory>\n</VirtualHost>\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let got = names(&f);
        assert_eq!(got[0], (0, "ServerName".into(), vec!["example.com".into()]));
        assert_eq!(got[1], (0, "VirtualHost".into(), vec!["*:80".into()]));
        assert_eq!(
            got[2],
            (1, "DocumentRoot".into(), vec!["/var/www/my site".into()])
        );
        assert_eq!(got[3], (1, "Directory".into(), vec!["/srv".into()]));
        assert_eq!(got[4].0, 2);
        let doc = &f.nodes[2];
        assert_eq!(slice(text, doc.args[0].span()), "\"/var/www/my site\"");
        assert_eq!(slice(text, doc.name_span), "DocumentRoot");
        assert_eq!(slice(text, f.nodes[1].name_span), "<VirtualHost");
        assert_eq!(slice(text, f.nodes[1].args[0].span()), "*:80");
    }

    #[test]
    fn continuation_quotes_and_escapes() {
        let text = "WSGIDaemonProcess app \\\n    user=app \\\n\tgroup=app\nA \"x \\\" y\" 'q\\'s' a\\\\b c\\d e\"f g\"\n";
        let f = parse(text);
        let got = names(&f);
        assert_eq!(got[0].2, ["app", "user=app", "group=app"]);
        assert_eq!(slice(text, f.nodes[0].args[2].span()), "group=app");
        assert_eq!(got[1].2, ["x \" y", "q's", "a\\b", "c\\d", "e\"f", "g\""]);
        // A double backslash before the newline is not a continuation.
        let f = parse("A b\\\\\nB c\n");
        assert_eq!(names(&f).len(), 2);
        // A commented line that continues swallows the next line, as in httpd.
        let f = parse("# note \\\nServerTokens Full\nServerTokens Prod\n");
        assert_eq!(names(&f), [(0, "ServerTokens".into(), vec!["Prod".into()])]);
        // `#` after the start of a line is an argument.
        let f = parse("LogLevel warn # quiet\n");
        assert_eq!(names(&f)[0].2, ["warn", "#", "quiet"]);
    }

    #[test]
    fn section_forms() {
        let f = parse(
            "<IfModule !mod_wsgi.c>\n</IfModule>\n<IfModule mod_authz_core.c>  # Apache 2.4\n</IfModule>\n<Else>\n</Else>\n<Location \"/a b\">\n</Location>\n",
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let got = names(&f);
        assert_eq!(got[0].2, ["!mod_wsgi.c"]);
        assert_eq!(got[1].2, ["mod_authz_core.c"]);
        assert_eq!(got[2], (0, "Else".into(), vec![]));
        assert_eq!(got[3].2, ["/a b"]);
    }

    #[test]
    fn section_errors() {
        let err = |t: &str| {
            parse(t)
                .errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            err("<VirtualHost *:80>\n"),
            ["<VirtualHost> was not closed"]
        );
        assert_eq!(
            err("</Directory>\n"),
            ["</Directory> without matching <Directory> section"]
        );
        assert_eq!(
            err("<VirtualHost *>\n<Directory />\n</VirtualHost>\n"),
            ["expected </Directory> but saw </VirtualHost>"]
        );
        assert_eq!(
            err("<Directory /x\n</Directory>\n"),
            ["<Directory directive missing closing '>'"]
        );
    }

    #[test]
    fn deep_nesting_and_odd_input_do_not_panic() {
        let deep = "<IfModule x>\n".repeat(10_000) + &"</IfModule>\n".repeat(10_000);
        let f = parse(&deep);
        assert_eq!(f.errors.len(), 1);
        assert!(f.errors[0].message.contains("nested deeper"));
        for t in [
            "\\",
            "\\\n",
            "<",
            "<>",
            "</>",
            "\"",
            "'\\",
            "A \"unterminated\n",
            "é \"ü\\\"\"",
            "<A\\\n",
            "\r\n\r\n",
            "A\\\r\nB\n",
            "<a>\n</b>\n</a>\n",
        ] {
            let f = parse(t);
            for (n, _) in f.walk() {
                let node = &f.nodes[n];
                assert!(t.get(node.span.range()).is_some(), "{t:?}");
                for a in &node.args {
                    assert!(t.get(a.span().range()).is_some(), "{t:?}");
                }
            }
        }
    }
}
