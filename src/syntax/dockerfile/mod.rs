//! Dockerfile parser that follows BuildKit's parsing rules and keeps the original byte span of every piece.
//!
//! The structure mirrors BuildKit's `frontend/dockerfile/parser` (line handling, directives,
//! `splitCommand`, the per-instruction line parsers, heredocs) and the parts of
//! `frontend/dockerfile/shell/lex.go` that later stages use for quotes, escapes and variables.
//! Where BuildKit would stop with an error, the error is recorded and parsing goes on.
//!
//! `parser` reads lines (`lines`) and builds instructions (`instructions`, `json`, `heredoc`);
//! `words`, `stages` and `scope` are what rules read; `lexer` and `pattern` are BuildKit's
//! shell lexer; `dump` prints the AST as BuildKit does, so tests compare it with BuildKit's.

mod dump;
mod heredoc;
mod instructions;
mod json;
mod lexer;
mod lines;
mod parser;
mod pattern;
mod scope;
mod stages;
#[cfg(test)]
mod tests;
mod text;
mod words;

pub use scope::Scope;
pub use stages::Stage;

use crate::source::{MappedText, Span};

use parser::Parser;

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

/// Parses a Dockerfile. Never fails: problems go to [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    Parser::new(text).run()
}
