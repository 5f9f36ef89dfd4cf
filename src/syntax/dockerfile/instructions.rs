//! Instructions: BuildKit's `splitCommand`, builder flags and the per-instruction line parsers.

use std::ops::Range;

use crate::source::{MappedText, Span};

use super::json::{Json, parse_json_array};
use super::text::{go_quote, is_re_ws, push_mapped, split_re_ws, trim_range};
use super::{Args, Flag, Instruction, SyntaxError};

/// Guards recursion on `ONBUILD ONBUILD ...` chains (BuildKit rejects any chaining anyway).
const MAX_ONBUILD_DEPTH: usize = 8;

pub(super) const ERR_NOT_STRING_ARRAY: &str =
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

/// The whitespace-delimited arguments of FROM, EXPOSE and the shell form of ADD/COPY/VOLUME.
pub(super) fn whitespace_words(args: &MappedText) -> Vec<Range<usize>> {
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
pub(super) fn build_instruction(
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
        "FROM" => {
            if let Some((message, span)) = from_arguments_error(&instr, escape) {
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
pub(super) fn parse_words(text: &str, escape: char) -> Vec<Range<usize>> {
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
pub(super) struct NameValue {
    pub(super) key: Range<usize>,
    pub(super) value: Option<Range<usize>>,
    /// The old `KEY name value` form.
    pub(super) legacy: bool,
}

/// BuildKit's `parseNameVal` for ENV and LABEL, with the first error it would raise.
pub(super) fn name_values(
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
pub(super) fn healthcheck_parts(args: &MappedText) -> Option<(MappedText, MappedText)> {
    let text = args.as_str();
    let sep = text.find(char::is_whitespace).unwrap_or(text.len());
    if sep == 0 {
        return None;
    }
    let next = text.len() - text[sep..].trim_start().len();
    Some((args.sub(0..sep), args.sub(next..text.len())))
}

/// BuildKit's `parseBuildStageName`: an image, optionally `AS name`, where the name starts
/// with a letter and has only letters, digits, `-`, `_` and `.` (it is not expanded).
fn from_arguments_error(from: &Instruction, escape: char) -> Option<(String, Span)> {
    // `FROM postgres:{{ version }}` in a project template: the placeholder's spaces are not
    // argument separators once it is rendered.
    if let Args::Shell(text) = &from.args
        && (text.as_str().contains("{{") || text.as_str().contains("{%"))
    {
        return None;
    }
    let words = from.words(escape);
    match words.as_slice() {
        [_] => None,
        [_, as_word, name] if as_word.as_str().eq_ignore_ascii_case("as") => {
            let mut chars = name.as_str().chars();
            let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            (!valid).then(|| {
                (
                    format!(
                        "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                        name.as_str()
                    ),
                    name.span(),
                )
            })
        }
        [] => Some((
            "FROM requires either one or three arguments".to_string(),
            from.span,
        )),
        [_, rest @ ..] => Some((
            "FROM requires either one or three arguments (an image, optionally `AS name`)"
                .to_string(),
            rest[0].span().cover(rest[rest.len() - 1].span()),
        )),
    }
}

pub(super) fn syntax_error(message: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        span,
    }
}

pub(super) fn can_contain_heredoc(instr: &Instruction) -> bool {
    let target = match (&instr.onbuild, instr.keyword.as_str()) {
        (Some(trigger), "ONBUILD") => trigger,
        _ => instr,
    };
    matches!(target.keyword.as_str(), "ADD" | "COPY" | "RUN") && !target.args.is_exec()
}
