//! Users' own rules: YAML packs with the catalog's schema and a declarative `match` (which
//! format, which instruction or call, a regex on its text, and regexes that must not match).
//!
//! ```yaml
//! rules:
//!   - code: ORG001
//!     name: unpinned-base-image
//!     family: user          # any catalog family
//!     severity: warning
//!     formats: [dockerfile]
//!     summary: Base images are pinned by digest.
//!     rationale: Tags move; a digest does not.
//!     fix: Use `image@sha256:…`.
//!     match:
//!       format: dockerfile
//!       key: FROM            # Dockerfile instruction, or Python call (`subprocess.run`)
//!       regex: '^\S+$'       # on the instruction's arguments / the call's text
//!       not: ['@sha256:', '^scratch$']
//! ```

use crate::catalog::{self, Example, Family, Format, RuleEntry};
use crate::config::ConfigError;
use crate::diagnostic::Severity;
use crate::rules::{FileContext, Sink, Syntax};
use crate::source::{MappedText, Span};
use crate::syntax::dockerfile::Instruction;
use crate::syntax::python::PyIndex;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Compiled-size bound for users' regexes, so a pathological pattern fails to load instead
/// of slowing every run (the regex crate never backtracks, so matching stays linear).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A loaded rule: its catalog entry and what it matches.
#[derive(Debug)]
pub struct PackRule {
    pub entry: &'static RuleEntry,
    pub format: Format,
    pub key: Option<String>,
    pub regex: Regex,
    pub not: Vec<Regex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    code: String,
    name: String,
    family: Family,
    severity: Severity,
    formats: Vec<Format>,
    summary: String,
    rationale: String,
    fix: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(rename = "match")]
    matcher: RawMatch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    format: Format,
    key: Option<String>,
    regex: String,
    #[serde(default)]
    not: Vec<String>,
}

/// Loads a pack (once per process, however many configurations name it).
pub fn load(path: &Path) -> Result<Vec<Arc<PackRule>>, ConfigError> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Vec<Arc<PackRule>>>>> = OnceLock::new();
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let loaded = LOADED.get_or_init(Mutex::default);
    if let Some(rules) = loaded.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(rules.clone());
    }
    let rules = parse(path)?;
    loaded
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, rules.clone());
    Ok(rules)
}

fn parse(path: &Path) -> Result<Vec<Arc<PackRule>>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message: format!("cannot read rule pack: {}", crate::discover::io_reason(&e)),
    })?;
    parse_text(path, text)
}

/// Parses rule-pack text as if read from `path`, registering its rules in the catalog.
pub fn parse_text(path: &Path, text: String) -> Result<Vec<Arc<PackRule>>, ConfigError> {
    let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
        path: path.to_path_buf(),
        text: text.clone(),
        span,
        message,
    };
    let pack: PackFile = serde_yaml::from_str(&text).map_err(|e| {
        let at = e.location().map(|l| l.index()..l.index() + 1);
        error(at, e.to_string())
    })?;
    // serde_yaml keeps no spans for values: point at the first occurrence of the text.
    let locate = |needle: &str| text.find(needle).map(|i| i..i + needle.len());
    let compile = |pattern: &str| {
        RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| error(locate(pattern), format!("invalid regex: {e}")))
    };
    let mut out = Vec::new();
    for raw in pack.rules {
        let m = raw.matcher;
        if !raw.formats.contains(&m.format) {
            return Err(error(
                locate(&raw.code),
                format!(
                    "{}: match.format {} is not in its formats",
                    raw.code,
                    m.format.as_str()
                ),
            ));
        }
        if !matches!(m.format, Format::Dockerfile | Format::Python) {
            return Err(error(
                locate(&raw.code),
                format!(
                    "{}: rule packs can match dockerfile and python files so far, not {}",
                    raw.code,
                    m.format.as_str()
                ),
            ));
        }
        let regex = compile(&m.regex)?;
        let not = m.not.iter().map(|p| compile(p)).collect::<Result<_, _>>()?;
        let entry = RuleEntry {
            code: raw.code.clone(),
            name: raw.name,
            family: raw.family,
            severity: raw.severity,
            formats: raw.formats,
            summary: raw.summary,
            rationale: raw.rationale,
            fix: raw.fix,
            references: raw.references,
            examples: raw.examples,
        };
        if entry.code.is_empty()
            || !entry
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(error(
                locate(&raw.code),
                format!("{}: codes must be non-empty and names kebab-case", raw.code),
            ));
        }
        let entry = catalog::register_custom(entry).map_err(|e| error(locate(&raw.code), e))?;
        out.push(Arc::new(PackRule {
            entry,
            format: m.format,
            key: m.key,
            regex,
            not,
        }));
    }
    Ok(out)
}

impl PackRule {
    /// Reports each match of the rule in the file.
    pub fn check(&self, ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
        if ctx.format != self.format {
            return;
        }
        match ctx.syntax {
            Syntax::Dockerfile { file, .. } => {
                let mut visit = |instr: &Instruction| {
                    if self
                        .key
                        .as_ref()
                        .is_some_and(|k| !k.eq_ignore_ascii_case(&instr.keyword))
                    {
                        return;
                    }
                    let args = Span::new(instr.keyword_span.end, instr.span.end);
                    let text = MappedText::from_span(ctx.source.text(), args);
                    self.report(&text, sink);
                };
                for instr in &file.instructions {
                    visit(instr);
                    if let Some(inner) = &instr.onbuild {
                        visit(inner);
                    }
                }
            }
            Syntax::Python(ix) => {
                for &call in &ix.calls {
                    let named = PyIndex::callee(call)
                        .and_then(|c| ix.qualified_name(c))
                        .is_some_and(|q| self.key.as_ref().is_none_or(|k| *k == q));
                    if named {
                        let text = MappedText::from_span(ctx.source.text(), PyIndex::span(call));
                        self.report(&text, sink);
                    }
                }
            }
            _ => {}
        }
    }

    fn report(&self, text: &MappedText, sink: &mut Sink<'_>) {
        let value = text.as_str();
        if self.not.iter().any(|n| n.is_match(value)) {
            return;
        }
        if let Some(m) = self.regex.find(value) {
            let span = if m.range().is_empty() {
                text.span()
            } else {
                text.span_of(m.range())
            };
            sink.report(span, self.entry.summary.trim().to_string());
        }
    }
}
