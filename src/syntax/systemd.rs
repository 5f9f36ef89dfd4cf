//! systemd unit files as systemd.syntax(7) defines them: `[Section]` headers, `key=value`
//! assignments, `#`/`;` comments, backslash continuation lines (a comment line inside a
//! continuation is skipped and never continues itself, as in systemd's own parser), and the value syntaxes that
//! matter to deploylint: command lines (`ExecStart=` prefixes and systemd's quoting, which is
//! not sh's), quoted `Environment=` assignments, specifiers and environment files.
//!
//! Every token keeps its span. A file can be parsed at a `base` offset so that the spans of
//! several files (a unit and its drop-ins) never overlap; see `model::systemd`.

use crate::source::{MappedText, Span};

/// One parsed unit file or drop-in.
#[derive(Debug, Clone, Default)]
pub struct UnitFile {
    pub sections: Vec<Section>,
    pub errors: Vec<SyntaxError>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    /// The `[Name]` header.
    pub header: Span,
    pub entries: Vec<Entry>,
}

/// A `key=value` assignment. Keys and section names are case-sensitive, as in systemd.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    /// The value with surrounding whitespace removed and continuation lines joined (each
    /// backslash-newline becomes a space that maps to the backslash).
    pub value: MappedText,
    /// The whole assignment, key to end of value.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// systemd's WHITESPACE.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_comment_start(c: Option<char>) -> bool {
    matches!(c, Some('#' | ';'))
}

/// Parses a unit file whose first byte is at offset `base` of the span space.
pub fn parse(text: &str, base: usize) -> UnitFile {
    let mut file = UnitFile::default();
    let mut continuation: Option<MappedText> = None;
    let mut start = 0;
    while start <= text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let mut line = &text[start..end];
        if let Some(stripped) = line.strip_suffix('\r') {
            line = stripped;
        }
        let origin = base + start;
        let next = end + 1;
        // Comment lines are dropped before continuations are looked at: a comment never
        // continues onto the next line, and one inside a continuation does not end it (a
        // blank line does).
        let lead = line.trim_start_matches(is_ws);
        if is_comment_start(lead.chars().next()) {
            start = next;
            continue;
        }
        let mut logical = continuation
            .take()
            .unwrap_or_else(|| MappedText::new(origin));
        if ends_with_unescaped_backslash(line) {
            let cut = line.len() - 1;
            logical.push_str(&line[..cut], origin);
            logical.push_char(' ', origin + cut, origin + cut + 1);
            continuation = Some(logical);
        } else {
            logical.push_str(line, origin);
            parse_line(&logical, &mut file);
        }
        start = next;
    }
    if let Some(logical) = continuation {
        parse_line(&logical, &mut file);
    }
    file
}

/// Whether the line ends in a backslash that is not itself escaped (`\\` at the end is a
/// literal backslash).
fn ends_with_unescaped_backslash(line: &str) -> bool {
    let trailing = line.bytes().rev().take_while(|&b| b == b'\\').count();
    trailing % 2 == 1
}

fn trim_range(s: &str) -> std::ops::Range<usize> {
    let start = s.len() - s.trim_start_matches(is_ws).len();
    let end = s.trim_end_matches(is_ws).len().max(start);
    start..end
}

fn parse_line(logical: &MappedText, file: &mut UnitFile) {
    let range = trim_range(logical.as_str());
    if range.is_empty() {
        return;
    }
    let line = logical.sub(range);
    let text = line.as_str();
    if is_comment_start(text.chars().next()) {
        return;
    }
    if text.starts_with('[') {
        if text.len() >= 2 && text.ends_with(']') {
            file.sections.push(Section {
                name: text[1..text.len() - 1].to_string(),
                header: line.span(),
                entries: Vec::new(),
            });
        } else {
            file.errors.push(SyntaxError {
                span: line.span(),
                message: "invalid section header: a `[Section]` line must end with `]`".to_string(),
            });
            // What follows belongs to no section deploylint knows (systemd rejects the file);
            // it is not reported again as outside a section.
            file.sections.push(Section {
                name: String::new(),
                header: line.span(),
                entries: Vec::new(),
            });
        }
        return;
    }
    if text.starts_with(".include") {
        file.errors.push(SyntaxError {
            span: line.span(),
            message: "`.include` is no longer supported by systemd; use a drop-in instead"
                .to_string(),
        });
        return;
    }
    let Some(eq) = text.find('=') else {
        file.errors.push(SyntaxError {
            span: line.span(),
            message: "missing `=`: a line must be a `[Section]` header, a `key=value` \
                      assignment or a comment"
                .to_string(),
        });
        return;
    };
    let Some(section) = file.sections.last_mut() else {
        file.errors.push(SyntaxError {
            span: line.span(),
            message: "assignment outside of a section (systemd ignores it)".to_string(),
        });
        return;
    };
    let key_range = trim_range(&text[..eq]);
    let key = line.sub(key_range);
    let value_part = line.sub(eq + 1..text.len());
    let value_range = trim_range(value_part.as_str());
    let value = value_part.sub(value_range);
    let span = if key.is_empty() {
        line.span()
    } else {
        key.span().cover(value.span())
    };
    section.entries.push(Entry {
        key: key.as_str().to_string(),
        key_span: key.span(),
        value,
        span,
    });
}

/// What specifiers (`%n`, `%i`, …) expand to for one unit. Unknown ones are kept verbatim.
#[derive(Debug, Clone, Default)]
pub struct Specifiers {
    /// Full unit name (`app@web.service`).
    pub name: String,
    /// `%p`: the prefix before `@` (or the name without its type suffix).
    pub prefix: String,
    /// `%i`: the instance, for an instance unit (not a template).
    pub instance: Option<String>,
}

impl Specifiers {
    pub fn for_unit(name: &str) -> Self {
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        let (prefix, instance) = match stem.split_once('@') {
            Some((prefix, instance)) => (
                prefix.to_string(),
                (!instance.is_empty()).then(|| instance.to_string()),
            ),
            None => (stem.to_string(), None),
        };
        Specifiers {
            name: name.to_string(),
            prefix,
            instance,
        }
    }

    fn lookup(&self, c: char) -> Option<String> {
        let stem = self
            .name
            .rsplit_once('.')
            .map_or(self.name.as_str(), |(s, _)| s);
        match c {
            '%' => Some("%".to_string()),
            'n' => Some(self.name.clone()),
            'N' => Some(stem.to_string()),
            'p' => Some(self.prefix.clone()),
            'i' => self.instance.clone(),
            _ => None,
        }
    }

    /// Expands the known specifiers of `text`; the expansion maps onto the `%x` it replaces.
    pub fn expand(&self, text: &MappedText) -> MappedText {
        let s = text.as_str();
        if !s.contains('%') {
            return text.clone();
        }
        let mut out = MappedText::new(text.origin(0));
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let origin = text.origin(i);
            if c == '%'
                && let Some(&(j, spec)) = chars.peek()
                && let Some(value) = self.lookup(spec)
            {
                chars.next();
                let end = text.origin(j) + spec.len_utf8();
                push_onto(&mut out, &value, origin, end);
                continue;
            }
            out.push_char(c, origin, origin + c.len_utf8());
        }
        out.push_str("", text.origin(s.len()));
        out
    }
}

/// How systemd splits a value into words (`extract_first_word` with unquoting and C
/// escapes): whitespace separates, `"…"` and `'…'` quote (also in the middle of a word),
/// backslash escapes (`\n`, `\t`, `\\`, `\"`, `\xNN`, `\NNN` octal, `\ `) are decoded
/// inside and outside quotes. Each word's span covers its quotes.
pub fn split_words(value: &MappedText) -> Vec<MappedText> {
    let s = value.as_str();
    let b = s.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < s.len() {
        while i < s.len() && is_ws(b[i] as char) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let word_start = i;
        let mut word = MappedText::new(value.origin(i));
        let mut quote: Option<u8> = None;
        while i < s.len() {
            let c = b[i];
            if quote.is_none() && is_ws(c as char) {
                break;
            }
            match (quote, c) {
                (None, b'"' | b'\'') => {
                    quote = Some(c);
                    i += 1;
                }
                (Some(q), _) if c == q => {
                    quote = None;
                    i += 1;
                }
                (_, b'\\') => {
                    let (ch, len) = unescape(&s[i + 1..]);
                    let end = i + 1 + len;
                    match ch {
                        Some(ch) => word.push_char(ch, value.origin(i), value.origin(end)),
                        None => {
                            // An unknown escape is kept as written.
                            word.push_str(&s[i..end], value.origin(i));
                        }
                    }
                    i = end;
                }
                _ => {
                    let ch_len = s[i..].chars().next().map_or(1, char::len_utf8);
                    word.push_str(&s[i..i + ch_len], value.origin(i));
                    i += ch_len;
                }
            }
        }
        let span = value.span_of(word_start..i);
        words.push(word.with_span(span));
    }
    words
}

/// Decodes the escape after a backslash: the character (None if unknown) and the bytes used.
fn unescape(rest: &str) -> (Option<char>, usize) {
    let Some(c) = rest.chars().next() else {
        return (None, 0);
    };
    let simple = match c {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        's' | ' ' => Some(' '),
        '\\' | '"' | '\'' | ';' => Some(c),
        _ => None,
    };
    if simple.is_some() {
        return (simple, 1);
    }
    let hex = |digits: &str| {
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
    };
    let take = |n: usize, radix: u32| -> Option<&str> {
        let d = rest.get(1..1 + n)?;
        d.chars().all(|ch| ch.is_digit(radix)).then_some(d)
    };
    match c {
        'x' => match take(2, 16) {
            Some(d) => (hex(d), 3),
            None => (None, 1),
        },
        'u' => match take(4, 16) {
            Some(d) => (hex(d), 5),
            None => (None, 1),
        },
        'U' => match take(8, 16) {
            Some(d) => (hex(d), 9),
            None => (None, 1),
        },
        '0'..='7' => match rest
            .get(0..3)
            .filter(|d| d.chars().all(|ch| ch.is_digit(8)))
        {
            Some(d) => (u32::from_str_radix(d, 8).ok().and_then(char::from_u32), 3),
            None => (None, c.len_utf8()),
        },
        _ => (None, c.len_utf8()),
    }
}

/// How an `ExecStart=` command is run, from its prefixes (systemd.service(5)).
#[derive(Debug, Clone, Default)]
pub struct ExecCommand {
    /// `-`: a failure exit status is ignored.
    pub ignore_failure: bool,
    /// `:`: no environment variable substitution.
    pub no_env: bool,
    /// `+` (full privileges: User=, sandboxing and capabilities are not applied) or `!`
    /// (User=/Group= are not applied): the command runs as root whatever `User=` says.
    pub privileged: Option<Span>,
    /// The argv the command runs: with `@`, the second word (argv[0]) is dropped so the first
    /// word (the executable) names the program.
    pub argv: Vec<MappedText>,
}

/// Parses one command line of an `Exec*=` value. A leading `@NAME@` is a build-time
/// placeholder (`@bindir@/podman` in a `.service.in` template), not the `@` prefix.
/// Several commands separated by a lone `;` word are returned in order.
pub fn exec_commands(value: &MappedText) -> Vec<ExecCommand> {
    let s = value.as_str();
    let mut cmd = ExecCommand::default();
    let mut at_prefix = false;
    let mut i = 0;
    let b = s.as_bytes();
    while i < s.len() {
        match b[i] {
            b'-' => cmd.ignore_failure = true,
            b':' => cmd.no_env = true,
            b'+' => cmd.privileged = Some(value.span_of(i..i + 1)),
            b'!' => {
                if b.get(i + 1) == Some(&b'!') {
                    // `!!` only takes effect on systems without ambient capabilities.
                    i += 1;
                } else {
                    cmd.privileged = Some(value.span_of(i..i + 1));
                }
            }
            b'@' if !is_placeholder_at(s, i) => at_prefix = true,
            _ => break,
        }
        i += 1;
    }
    let rest = value.sub(i..s.len());
    let mut out = Vec::new();
    let mut argv = Vec::new();
    for word in split_words(&rest) {
        // A lone `;` separates commands; `\;` is a literal semicolon.
        if word.as_str() == ";" && word.span().len() == 1 {
            out.push(std::mem::take(&mut argv));
            continue;
        }
        argv.push(word);
    }
    out.push(argv);
    out.into_iter()
        .filter(|argv| !argv.is_empty())
        .enumerate()
        .map(|(n, mut argv)| {
            if n == 0 && at_prefix && argv.len() >= 2 {
                argv.remove(1);
            }
            ExecCommand {
                argv,
                ..cmd.clone()
            }
        })
        .collect()
}

/// Whether `s[i..]` starts with a `@NAME@` build-time placeholder.
pub fn is_placeholder_at(s: &str, i: usize) -> bool {
    let rest = &s[i..];
    let Some(inner) = rest.strip_prefix('@') else {
        return false;
    };
    match inner.find('@') {
        Some(end) if end > 0 => inner[..end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    }
}

/// Whether a value contains a `@NAME@` placeholder anywhere.
pub fn has_placeholder(s: &str) -> bool {
    s.char_indices()
        .any(|(i, c)| c == '@' && is_placeholder_at(s, i))
}

/// Substitutes `${NAME}` (inside a word) and a whole-word `$NAME` (split into words at
/// whitespace) with the values `lookup` knows, as systemd does for `Exec*=` lines. `$$` is a
/// literal `$`. References `lookup` does not know are kept verbatim: their value comes from
/// somewhere deploylint cannot see. The substituted text maps onto the reference.
pub fn substitute_env(
    argv: &[MappedText],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<MappedText> {
    let mut out = Vec::with_capacity(argv.len());
    for word in argv {
        let s = word.as_str();
        if let Some(name) = s.strip_prefix('$')
            && crate::syntax::shell::is_name(name)
        {
            match lookup(name) {
                Some(value) => {
                    let span = word.span();
                    for part in value.split(|c: char| is_ws(c)).filter(|p| !p.is_empty()) {
                        out.push(mapped_onto(part, span));
                    }
                }
                None => out.push(word.clone()),
            }
            continue;
        }
        if !s.contains('$') {
            out.push(word.clone());
            continue;
        }
        let mut m = MappedText::new(word.origin(0));
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            if rest.starts_with("$$") {
                m.push_char('$', word.origin(i), word.origin(i + 2));
                i += 2;
                continue;
            }
            if let Some(inner) = rest.strip_prefix("${")
                && let Some(close) = inner.find('}')
                && crate::syntax::shell::is_name(&inner[..close])
                && let Some(value) = lookup(&inner[..close])
            {
                let end = i + 2 + close + 1;
                push_onto(&mut m, &value, word.origin(i), word.origin(end));
                i = end;
                continue;
            }
            let c_len = rest.chars().next().map_or(1, char::len_utf8);
            m.push_str(&s[i..i + c_len], word.origin(i));
            i += c_len;
        }
        m.push_str("", word.origin(s.len()));
        out.push(m.with_span(word.span()));
    }
    out
}

/// Text that stands for `span` as a whole (a value substituted for a reference).
fn mapped_onto(text: &str, span: Span) -> MappedText {
    let mut m = MappedText::new(span.start);
    push_onto(&mut m, text, span.start, span.end);
    m
}

/// Appends `text` as a stand-in for the original bytes `from..to`: its first byte maps to
/// `from` and its last character to the end of the range, so any sub-range that includes
/// both ends covers the whole reference.
fn push_onto(m: &mut MappedText, text: &str, from: usize, to: usize) {
    let last = text.char_indices().last().map(|(i, _)| i);
    for (i, c) in text.char_indices() {
        let origin = if i > 0 && Some(i) == last {
            to.saturating_sub(c.len_utf8()).max(from)
        } else {
            from
        };
        m.push_char(c, origin, to);
    }
    m.push_str("", to);
}

pub use crate::syntax::dotenv::EnvLine;

/// Parses an environment file as systemd reads one (`crate::syntax::dotenv`): `NAME=value`
/// lines with a shell name, one pair of quotes around the value stripped.
pub fn parse_env_file(text: &str, base: usize) -> Vec<EnvLine> {
    crate::syntax::dotenv::lines(text, base)
        .into_iter()
        .filter(|line| crate::syntax::shell::is_name(line.name.as_str()))
        .map(|line| EnvLine {
            value: crate::syntax::dotenv::unquoted(&line.value),
            ..line
        })
        .collect()
}

/// Parses a boolean as systemd's `parse_boolean` does.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, String)> {
        parse(text, 0)
            .sections
            .iter()
            .flat_map(|s| {
                s.entries
                    .iter()
                    .map(|e| (s.name.clone(), e.key.clone(), e.value.as_str().to_string()))
            })
            .collect()
    }

    #[test]
    fn sections_comments_and_continuations() {
        let text = "# c\n; c\n[Unit]\nDescription = A \\\n  unit\n[Service]\nExecStart=/bin/a \\\n# comment inside\n  ; another\n  --flag\nUser=app\n";
        let got = entries(text);
        assert_eq!(
            got,
            [
                ("Unit".into(), "Description".into(), "A    unit".into()),
                (
                    "Service".into(),
                    "ExecStart".into(),
                    "/bin/a    --flag".into()
                ),
                ("Service".into(), "User".into(), "app".into()),
            ]
        );
        let file = parse(text, 0);
        assert!(file.errors.is_empty());
        let exec = &file.sections[1].entries[0];
        assert_eq!(&text[exec.key_span.range()], "ExecStart");
        assert_eq!(
            &text[exec.span.range()],
            "ExecStart=/bin/a \\\n# comment inside\n  ; another\n  --flag"
        );
    }

    #[test]
    fn comments_never_continue_and_blank_lines_end_a_continuation() {
        // Checked against systemd 252 (`systemd-analyze security --offline`).
        assert_eq!(
            entries("[Service]\n# note \\\nUser=root\n"),
            [("Service".into(), "User".into(), "root".into())]
        );
        assert_eq!(
            entries("[Service]\nEnvironment=A=1 \\\n\nUser=nobody\n"),
            [
                ("Service".into(), "Environment".into(), "A=1".into()),
                ("Service".into(), "User".into(), "nobody".into())
            ]
        );
        // An escaped backslash does not continue.
        assert_eq!(
            entries("[Service]\nA=x\\\\\nB=y\n"),
            [
                ("Service".into(), "A".into(), "x\\\\".into()),
                ("Service".into(), "B".into(), "y".into())
            ]
        );
    }

    #[test]
    fn errors_have_spans() {
        let text = "User=x\n[Service]\nnot an assignment\n[Broken\n";
        let file = parse(text, 0);
        let got: Vec<&str> = file.errors.iter().map(|e| &text[e.span.range()]).collect();
        assert_eq!(got, ["User=x", "not an assignment", "[Broken"]);
        // Base offsets shift every span.
        let shifted = parse(text, 100);
        assert_eq!(shifted.errors[0].span, Span::new(100, 106));
    }

    #[test]
    fn crlf_and_no_trailing_newline() {
        assert_eq!(
            entries("[Service]\r\nUser=app\r\nGroup=g"),
            [
                ("Service".into(), "User".into(), "app".into()),
                ("Service".into(), "Group".into(), "g".into())
            ]
        );
        assert!(parse("", 0).sections.is_empty());
        assert!(parse("\\", 0).errors.is_empty());
    }

    fn words_of(text: &str) -> Vec<(String, String)> {
        let m = MappedText::from_span(text, Span::new(0, text.len()));
        split_words(&m)
            .into_iter()
            .map(|w| (w.as_str().to_string(), text[w.span().range()].to_string()))
            .collect()
    }

    #[test]
    fn systemd_quoting() {
        assert_eq!(
            words_of(r#"a "b c" 'd e' f\x41 "g\"h" --x="1 2" \;"#),
            [
                ("a".into(), "a".into()),
                ("b c".into(), "\"b c\"".into()),
                ("d e".into(), "'d e'".into()),
                ("fA".into(), "f\\x41".into()),
                ("g\"h".into(), "\"g\\\"h\"".into()),
                ("--x=1 2".into(), "--x=\"1 2\"".into()),
                (";".into(), "\\;".into()),
            ]
        );
        // Unknown escapes are kept; a trailing backslash does not panic.
        assert_eq!(
            words_of("a\\qb c\\"),
            [
                ("a\\qb".into(), "a\\qb".into()),
                ("c\\".into(), "c\\".into())
            ]
        );
        assert_eq!(
            words_of("\"unterminated"),
            [("unterminated".into(), "\"unterminated".into())]
        );
        assert_eq!(
            words_of("é \"ü\""),
            [("é".into(), "é".into()), ("ü".into(), "\"ü\"".into())]
        );
    }

    fn exec(text: &str) -> Vec<(Vec<String>, bool)> {
        let m = MappedText::from_span(text, Span::new(0, text.len()));
        exec_commands(&m)
            .into_iter()
            .map(|c| {
                (
                    c.argv.iter().map(|w| w.as_str().to_string()).collect(),
                    c.privileged.is_some(),
                )
            })
            .collect()
    }

    #[test]
    fn exec_prefixes() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(exec("-/bin/a b"), [(v(&["/bin/a", "b"]), false)]);
        assert_eq!(exec("@/bin/a argv0 b"), [(v(&["/bin/a", "b"]), false)]);
        assert_eq!(exec("+/bin/a"), [(v(&["/bin/a"]), true)]);
        assert_eq!(exec("!/bin/a"), [(v(&["/bin/a"]), true)]);
        assert_eq!(exec("!!/bin/a"), [(v(&["/bin/a"]), false)]);
        assert_eq!(exec("-:@/bin/a x y"), [(v(&["/bin/a", "y"]), false)]);
        assert_eq!(
            exec("@bindir@/podman run"),
            [(v(&["@bindir@/podman", "run"]), false)]
        );
        assert_eq!(
            exec("/bin/a ; /bin/b x"),
            [(v(&["/bin/a"]), false), (v(&["/bin/b", "x"]), false)]
        );
        assert_eq!(exec("/bin/a \\; b"), [(v(&["/bin/a", ";", "b"]), false)]);
        assert!(exec("").is_empty());
        assert!(exec("-").is_empty());
    }

    #[test]
    fn specifiers() {
        let spec = Specifiers::for_unit("web@blue.service");
        let text = "/srv/%i/%p/%n/%h/100%%";
        let m = MappedText::from_span(text, Span::new(0, text.len()));
        let out = spec.expand(&m);
        assert_eq!(out.as_str(), "/srv/blue/web/web@blue.service/%h/100%");
        // The instance maps onto `%i`.
        assert_eq!(&text[out.span_of(5..9).range()], "%i");
        let template = Specifiers::for_unit("web@.service");
        assert_eq!(
            template.expand(&m).as_str(),
            "/srv/%i/web/web@.service/%h/100%"
        );
    }

    #[test]
    fn env_substitution() {
        let text = "gunicorn -b ${BIND} $OPTS ${UNSET} $$HOME x${BIND}y";
        let m = MappedText::from_span(text, Span::new(0, text.len()));
        let words = split_words(&m);
        let lookup = |n: &str| match n {
            "BIND" => Some("0.0.0.0:80".to_string()),
            "OPTS" => Some("--workers 2".to_string()),
            _ => None,
        };
        let out = substitute_env(&words, &lookup);
        let got: Vec<(&str, &str)> = out
            .iter()
            .map(|w| (w.as_str(), &text[w.span().range()]))
            .collect();
        assert_eq!(
            got,
            [
                ("gunicorn", "gunicorn"),
                ("-b", "-b"),
                ("0.0.0.0:80", "${BIND}"),
                ("--workers", "$OPTS"),
                ("2", "$OPTS"),
                ("${UNSET}", "${UNSET}"),
                ("$HOME", "$$HOME"),
                ("x0.0.0.0:80y", "x${BIND}y"),
            ]
        );
    }

    #[test]
    fn env_files() {
        let text = "# c\nA=1\nexport B=\"two words\"\n  C = '3'\nbad line\n1X=2\n";
        let got: Vec<(String, String, String)> = parse_env_file(text, 0)
            .into_iter()
            .map(|l| {
                (
                    l.name.as_str().to_string(),
                    l.value.as_str().to_string(),
                    text[l.name.span().cover(l.value.span()).range()].to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A".into(), "1".into(), "A=1".into()),
                ("B".into(), "two words".into(), "B=\"two words\"".into()),
                ("C".into(), "3".into(), "C = '3'".into()),
            ]
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(if i % 3 == 0 {
                "[\\\n"
            } else {
                "é=\"\\x\\u12\\\n"
            });
        }
        let file = parse(&text, 0);
        for s in &file.sections {
            for e in &s.entries {
                let _ = split_words(&e.value);
                let _ = exec_commands(&e.value);
            }
        }
        let _ = parse_env_file(&text, 0);
    }
}
