//! Variable scope and expansion of ARG and ENV values as BuildKit evaluates them.

use std::collections::HashMap;

use crate::source::MappedText;

use super::lexer::{Lexer, process_word};
use super::{Dockerfile, Instruction};

/// Variable scope as BuildKit tracks it: global ARGs before the first FROM are visible only in
/// FROM lines unless redeclared in the stage; ARG with default and ENV set values; ENV wins
/// over ARG. A value is `None` when it is not known (an ARG without default can come from
/// `--build-arg`; an ENV may depend on the base image).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    args: HashMap<String, Option<String>>,
    env: HashMap<String, Option<String>>,
    /// The global ARGs, which a bare `ARG NAME` in a stage brings in.
    globals: HashMap<String, Option<String>>,
}

impl Scope {
    /// The ARGs before the first FROM.
    pub fn global(df: &Dockerfile) -> Scope {
        let mut scope = Scope::default();
        for instr in df.instructions.iter().take_while(|i| i.keyword != "FROM") {
            scope.apply(instr, df.escape);
        }
        scope
    }

    /// An empty stage scope that knows the globals for ARG redeclaration.
    pub fn for_stage(_df: &Dockerfile, global: &Scope) -> Scope {
        Scope {
            globals: global.args.clone(),
            ..Scope::default()
        }
    }

    /// ARG and ENV update the scope; other instructions leave it alone.
    pub fn apply(&mut self, instr: &Instruction, escape: char) {
        match instr.keyword.as_str() {
            "ARG" => {
                for (key, value) in instr.raw_key_values(escape) {
                    let key = process_word(&key, escape).as_str().to_string();
                    let value = match value {
                        Some(v) => self.expand(v.as_str(), escape),
                        None => self.globals.get(&key).cloned().flatten(),
                    };
                    self.args.insert(key, value);
                }
            }
            "ENV" => {
                // All values of one ENV see the scope from before it.
                let updates: Vec<(String, Option<String>)> = instr
                    .raw_key_values(escape)
                    .into_iter()
                    .filter_map(|(key, value)| {
                        let value = value?;
                        let key = process_word(&key, escape).as_str().to_string();
                        Some((key, self.expand(value.as_str(), escape)))
                    })
                    .collect();
                self.env.extend(updates);
            }
            _ => {}
        }
    }

    /// The known value of a variable; `None` when unset or unknown.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.env.get(name) {
            Some(value) => value.as_deref(),
            None => self.args.get(name).and_then(|v| v.as_deref()),
        }
    }

    /// BuildKit shell-lexer expansion of `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`,
    /// `${VAR:+x}`, `${VAR+x}` (also `?`, `#`, `%`, `/` forms), with quotes and escapes
    /// processed. `text` is source text as written. Returns `None` when the result depends on
    /// a variable that is not known, or when BuildKit would fail.
    pub fn expand(&self, text: &str, escape: char) -> Option<String> {
        let mut src = MappedText::new(0);
        src.push_str(text, 0);
        let lookup = |name: &str| self.get(name).map(str::to_string);
        let mut lexer = Lexer::with_env(&src, escape, &lookup);
        let word = lexer.process_word().ok()?;
        (!lexer.unknown).then(|| word.as_str().to_string())
    }
}
