//! Instruction accessors: words and key/value pairs with quotes and escapes processed.

use std::ops::Range;

use crate::source::MappedText;

use super::instructions::{healthcheck_parts, name_values, parse_words, whitespace_words};
use super::json::{Json, parse_json_array};
use super::lexer::{Lexer, process_word};
use super::{Args, Instruction, KeyValue};

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
    /// Variables are left as written; see [`Scope::expand`](super::Scope::expand).
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
    pub(super) fn raw_key_values(&self, escape: char) -> Vec<(MappedText, Option<MappedText>)> {
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
