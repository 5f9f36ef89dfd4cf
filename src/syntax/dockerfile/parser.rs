//! The line-level parser: directives, logical lines across continuations, and instructions.

use std::collections::HashSet;

use crate::source::{MappedText, Span};

use super::instructions::{build_instruction, can_contain_heredoc, syntax_error};
use super::lines::{Line, match_directive, split_lines, trim_continuation};
use super::{Directive, Dockerfile, SyntaxError};

/// BuildKit reads lines with a `bufio.Scanner`, which refuses longer ones.
const MAX_LINE_LEN: usize = 65535;

pub(super) struct Parser<'t> {
    pub(super) text: &'t str,
    pub(super) lines: Vec<Line>,
    pub(super) next: usize,
    pub(super) escape: char,
    pub(super) errors: Vec<SyntaxError>,
    pub(super) reported_long_line: bool,
}

impl<'t> Parser<'t> {
    pub(super) fn new(text: &'t str) -> Self {
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

    pub(super) fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(syntax_error(message, span));
    }

    pub(super) fn content(&self, line: Line) -> &'t str {
        &self.text[line.start..line.content_end]
    }

    pub(super) fn take_line(&mut self) -> Option<Line> {
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

    pub(super) fn run(mut self) -> Dockerfile {
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
}
