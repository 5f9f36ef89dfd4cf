//! The AST printed as BuildKit's `Node.Dump()` prints it, so tests can compare the two parsers.

use std::fmt::Write as _;
use std::ops::Range;

use super::instructions::{healthcheck_parts, name_values, parse_words, whitespace_words};
use super::json::{Json, parse_json_array};
use super::text::go_quote;
use super::{Args, Dockerfile, Instruction};

impl Instruction {
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

impl Dockerfile {
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
