//! Ini files as two tools read them, with spans for every section, key and value. uWSGI's
//! reader (`core/ini.c`) knows only whole-line comments, `key = value` and `[section]`; a
//! value runs to the end of its line, `;` and all. supervisord's (Python's `RawConfigParser`
//! with `inline_comment_prefixes=(';', '#')`, `strict=False`) also takes `key: value`, strips
//! a `;` or `#` comment preceded by whitespace, lowercases keys, and continues a value on the
//! indented lines below it.

use crate::source::{MappedText, Span};

/// Which tool's ini rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Uwsgi,
    /// Python's configparser as supervisord configures it.
    Supervisor,
}

#[derive(Debug, Default)]
pub struct Ini {
    pub sections: Vec<Section>,
    /// Lines the tool rejects (only configparser rejects any): span and why.
    pub errors: Vec<(Span, String)>,
}

#[derive(Debug)]
pub struct Section {
    /// The name between the brackets (`uwsgi`, `program:web`); empty for entries above the
    /// first header, which uWSGI ignores.
    pub name: String,
    /// The name inside the brackets, or an empty span at the file's start.
    pub name_span: Span,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// As the tool stores it (lowercased for configparser).
    pub key: String,
    pub key_span: Span,
    /// The value, trimmed, without an inline comment; continuation lines joined with `\n`.
    /// Empty (at the key's end) for a uWSGI line without `=`.
    pub value: MappedText,
    /// Whether the line had a delimiter (uWSGI accepts a bare `master` line).
    pub has_value: bool,
    /// From the key to the end of the value.
    pub span: Span,
}

impl Ini {
    /// The sections named `name`, in order (uWSGI and configparser with `strict=False` both
    /// merge repeated sections).
    pub fn sections_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Section> {
        self.sections.iter().filter(move |s| s.name == name)
    }
}

fn trim_range(s: &str) -> std::ops::Range<usize> {
    let start = s.len() - s.trim_start().len();
    let end = s.trim_end().len().max(start);
    start..end
}

/// Where configparser's inline comment starts: a prefix preceded by whitespace.
fn inline_comment(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    (1..bytes.len())
        .find(|&i| matches!(bytes[i], b';' | b'#') && bytes[i - 1].is_ascii_whitespace())
}

pub fn parse(text: &str, dialect: Dialect) -> Ini {
    let mut ini = Ini::default();
    let mut offset = 0;
    // Whether the last line was an entry a continuation line may extend.
    let mut open_entry = false;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = trim_range(line);
        let content = &line[body.clone()];
        let at = start + body.start;
        if content.is_empty() {
            // configparser (empty_lines_in_values) keeps a value open across blank lines
            // only when more indented text follows; a blank line adds nothing here.
            continue;
        }
        if content.starts_with([';', '#']) {
            continue;
        }
        let indented = body.start > 0;
        if dialect == Dialect::Supervisor && indented && open_entry {
            let value_text = match inline_comment(content) {
                Some(c) => content[..c].trim_end(),
                None => content,
            };
            if let Some(entry) = ini.sections.last_mut().and_then(|s| s.entries.last_mut()) {
                let end = at + value_text.len();
                if !entry.value.is_empty() {
                    // The joining line break stands for the one ending the line above.
                    entry.value.push_char('\n', start - 1, start);
                }
                entry.value.push_str(value_text, at);
                entry.span = entry.span.cover(Span::new(at, end));
            }
            continue;
        }
        if let Some(inner) = content.strip_prefix('[') {
            let name = match (dialect, inner.find(']')) {
                (_, Some(close)) => &inner[..close],
                // uWSGI drops the last byte whatever it is; a name is cut at a character.
                (Dialect::Uwsgi, None) => {
                    &inner[..inner.char_indices().last().map_or(0, |(i, _)| i)]
                }
                (Dialect::Supervisor, None) => {
                    ini.errors.push((
                        Span::new(at, at + content.len()),
                        "a section header without `]`".into(),
                    ));
                    open_entry = false;
                    continue;
                }
            };
            let name_at = at + 1;
            ini.sections.push(Section {
                name: name.to_string(),
                name_span: Span::new(name_at, name_at + name.len()),
                entries: Vec::new(),
            });
            open_entry = false;
            continue;
        }
        let delimiter = match dialect {
            Dialect::Uwsgi => content.find('='),
            Dialect::Supervisor => content.find(['=', ':']),
        };
        let (key_part, value_part, value_at) = match delimiter {
            Some(d) => (&content[..d], &content[d + 1..], at + d + 1),
            None if dialect == Dialect::Uwsgi => (content, "", at + content.len()),
            None => {
                ini.errors.push((
                    Span::new(at, at + content.len()),
                    "neither `key = value`, a `[section]` nor a comment".into(),
                ));
                open_entry = false;
                continue;
            }
        };
        let key = key_part.trim_end();
        if key.is_empty() && dialect == Dialect::Supervisor {
            ini.errors.push((
                Span::new(at, at + content.len()),
                "an entry without a key".into(),
            ));
            open_entry = false;
            continue;
        }
        let value_text = match dialect {
            Dialect::Supervisor => match inline_comment(value_part) {
                Some(c) => &value_part[..c],
                None => value_part,
            },
            Dialect::Uwsgi => value_part,
        };
        let range = trim_range(value_text);
        let value_start = value_at + range.start;
        let value = if range.is_empty() {
            MappedText::new(value_at + value_text.trim_end().len())
        } else {
            MappedText::from_span(text, Span::new(value_start, value_at + range.end))
        };
        if ini.sections.is_empty() {
            if dialect == Dialect::Supervisor {
                ini.errors.push((
                    Span::new(at, at + content.len()),
                    "an entry above the first `[section]` header".into(),
                ));
                open_entry = false;
                continue;
            }
            ini.sections.push(Section {
                name: String::new(),
                name_span: Span::empty(0),
                entries: Vec::new(),
            });
        }
        let key = match dialect {
            Dialect::Supervisor => key.to_ascii_lowercase(),
            Dialect::Uwsgi => key.to_string(),
        };
        let end = value.span().end.max(at + key_part.trim_end().len());
        let section = ini.sections.last_mut().expect("a section");
        section.entries.push(Entry {
            key,
            key_span: Span::new(at, at + key_part.trim_end().len()),
            has_value: delimiter.is_some(),
            value,
            span: Span::new(at, end),
        });
        open_entry = true;
    }
    ini
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str, dialect: Dialect) -> Vec<(String, String, String, &str)> {
        let ini = parse(text, dialect);
        ini.sections
            .iter()
            .flat_map(|s| {
                s.entries.iter().map(|e| {
                    (
                        s.name.clone(),
                        e.key.clone(),
                        e.value.as_str().to_string(),
                        &text[e.key_span.range()],
                    )
                })
            })
            .collect()
    }

    #[test]
    fn uwsgi_values_run_to_the_end_of_the_line() {
        let text = "master\n[uwsgi]\n; c\n  # c\nsocket = :8000 ; not a comment\nmaster\nenv=A=b=c\n[uwsgi\nx = 1\n";
        let got = entries(text, Dialect::Uwsgi);
        let want = [
            ("", "master", "", "master"),
            ("uwsgi", "socket", ":8000 ; not a comment", "socket"),
            ("uwsgi", "master", "", "master"),
            ("uwsgi", "env", "A=b=c", "env"),
            ("uwsg", "x", "1", "x"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(s, k, v, t)| (s.to_string(), k.to_string(), v.to_string(), *t))
            .collect();
        assert_eq!(got, want);
        let ini = parse(text, Dialect::Uwsgi);
        assert!(ini.errors.is_empty());
        let socket = &ini.sections[1].entries[0];
        assert_eq!(&text[socket.value.span().range()], ":8000 ; not a comment");
    }

    #[test]
    fn supervisor_comments_continuations_and_errors() {
        let text = "[program:web]\nCommand = gunicorn app:app ; inline\nenvironment=A=\"1\",\n  B=\"2\" # c\nurl=http://x/#frag\nuser: app\nbad line\n";
        let got = entries(text, Dialect::Supervisor);
        let want = [
            ("program:web", "command", "gunicorn app:app", "Command"),
            (
                "program:web",
                "environment",
                "A=\"1\",\nB=\"2\"",
                "environment",
            ),
            ("program:web", "url", "http://x/#frag", "url"),
            ("program:web", "user", "app", "user"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(s, k, v, t)| (s.to_string(), k.to_string(), v.to_string(), *t))
            .collect();
        assert_eq!(got, want);
        let ini = parse(text, Dialect::Supervisor);
        assert_eq!(ini.errors.len(), 1);
        assert_eq!(&text[ini.errors[0].0.range()], "bad line");
        let env = &ini.sections[0].entries[1];
        // The continuation's text maps back to its own line.
        let b = env.value.as_str().find('B').unwrap();
        assert_eq!(&text[env.value.span_of(b..b + 1).range()], "B");
        let missing = parse("x = 1\n[a]\n", Dialect::Supervisor);
        // Found by the property test: a header without `]` ending in a multi-byte character.
        let cut = parse("[\u{c77}\nx=1\n", Dialect::Uwsgi);
        assert_eq!(cut.sections[0].name, "");
        // And a continuation starting with one: the joining break maps to a line break.
        let text = "[s]\na:b\n \u{e9}\n";
        let joined = &parse(text, Dialect::Supervisor).sections[0].entries[0].value;
        assert_eq!(joined.as_str(), "b\n\u{e9}");
        assert_eq!(&text[joined.span_of(1..2).range()], "\n");
        assert_eq!(missing.errors.len(), 1);
    }
}
