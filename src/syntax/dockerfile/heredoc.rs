//! Heredocs: the `<<WORD` markers on an instruction line and the bodies that follow it.

use crate::source::{MappedText, Span};

use super::lexer::Lexer;
use super::parser::Parser;
use super::{Heredoc, Instruction};

struct HeredocSpec {
    name: String,
    chomp: bool,
    quoted: bool,
    marker: Span,
}

/// BuildKit's `heredocsFromLine`: lex the whole line keeping quotes and escapes, and take
/// every word of the form `[n]<<[-]WORD`.
fn heredocs_from_line(line: &MappedText) -> Result<Vec<HeredocSpec>, String> {
    let words = Lexer::literal(line, '\\', true, true)
        .process_words()
        .unwrap_or_default();
    let mut specs = Vec::new();
    for word in words {
        let text = word.as_str();
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let Some(after) = text[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match after.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let rest = word.sub(text.len() - rest.len()..text.len());
        let plain = Lexer::literal(&rest, '\\', false, false).process_words()?;
        let [name] = plain.as_slice() else {
            continue;
        };
        let raw = Lexer::literal(&rest, '\\', true, false).process_words()?;
        let [raw_name] = raw.as_slice() else {
            return Err(format!(
                "internal lexing of heredoc produced inconsistent results: {}",
                rest.as_str()
            ));
        };
        let quotes = |s: &str| s.matches(['\'', '"']).count();
        specs.push(HeredocSpec {
            name: name.as_str().to_string(),
            chomp,
            quoted: quotes(name.as_str()) != quotes(raw_name.as_str()),
            marker: word.span(),
        });
    }
    Ok(specs)
}

impl Parser<'_> {
    /// Reads the bodies of the heredocs named on the instruction line, one after another.
    pub(super) fn read_heredocs(&mut self, line: &MappedText, instr: &mut Instruction) {
        let specs = match heredocs_from_line(line) {
            Ok(specs) => specs,
            Err(message) => {
                self.error(message, instr.span);
                return;
            }
        };
        for spec in specs {
            let body_start = self
                .lines
                .get(self.next)
                .map_or(self.text.len(), |l| l.start);
            let mut body = MappedText::new(body_start);
            let mut end = body_start;
            let mut terminated = false;
            while let Some(l) = self.take_line() {
                let content = self.content(l);
                let unindented = content.trim_start_matches('\t');
                let candidate = if spec.chomp { unindented } else { content };
                if candidate == spec.name {
                    end = l.content_end;
                    terminated = true;
                    break;
                }
                let from = if spec.chomp {
                    l.start + content.len() - unindented.len()
                } else {
                    l.start
                };
                body.push_str(&self.text[from..l.end], from);
                end = l.end;
            }
            instr.span.end = end;
            if !terminated {
                self.error(
                    "unterminated heredoc",
                    Span::new(instr.span.start, self.text.len()),
                );
            }
            instr.heredocs.push(Heredoc {
                name: spec.name,
                body,
                span: Span::new(body_start, end),
                chomp_tabs: spec.chomp,
                quoted: spec.quoted,
                marker: spec.marker,
            });
            if !terminated {
                break;
            }
        }
    }
}
