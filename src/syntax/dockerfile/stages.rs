//! Build stages: each FROM and the instructions up to the next one.

use crate::source::MappedText;

use super::{Dockerfile, Instruction};

/// A build stage: FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    pub index: usize,
    pub from: &'a Instruction,
    /// The image reference with quotes removed; variables are left as written.
    pub image: MappedText,
    /// The name after `AS`, as written (BuildKit compares stage names case-insensitively).
    pub name: Option<MappedText>,
    pub body: &'a [Instruction],
}

impl Dockerfile {
    /// The build stages: every FROM with the instructions up to the next FROM.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let froms: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .map(|(n, _)| n)
            .collect();
        froms
            .iter()
            .enumerate()
            .map(|(index, &at)| {
                let end = froms
                    .get(index + 1)
                    .copied()
                    .unwrap_or(self.instructions.len());
                let from = &self.instructions[at];
                let mut words = from.words(self.escape).into_iter();
                let image = words
                    .next()
                    .unwrap_or_else(|| MappedText::new(from.keyword_span.end));
                let rest: Vec<MappedText> = words.collect();
                let name = match rest.as_slice() {
                    [as_word, name] if as_word.as_str().eq_ignore_ascii_case("as") => {
                        Some(name.clone())
                    }
                    _ => None,
                };
                Stage {
                    index,
                    from,
                    image,
                    name,
                    body: &self.instructions[at + 1..end],
                }
            })
            .collect()
    }
}
