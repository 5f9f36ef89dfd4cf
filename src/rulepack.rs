//! Declarative rules: YAML with the catalog's schema and a `match` (which format, which
//! directive, instruction, key or call, a regex on its text, and regexes that must not
//! match). Users load packs of them with `--rules FILE` or the `rules` config key; built-in
//! rules whose logic is that simple are catalog entries with a `match` and no Rust code.
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
//!       key: FROM            # see `MatchSpec::key` for each format
//!       regex: '^\S+$'
//!       not: ['@sha256:', '^scratch$']
//! ```

use crate::catalog::{self, Catalog, Format, MatchSpec, RuleEntry};
use crate::config_error::ConfigError;
use crate::frontend::{FRONT_ENDS, Lowered, front_end};
use crate::rules::{FileContext, Sink};
use crate::source::MappedText;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Compiled-size bound for users' regexes, so a pathological pattern fails to load instead
/// of slowing every run (the regex crate never backtracks, so matching stays linear).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Formats whose files a `match` can look into (their front end supports it), and what its
/// `key` names there, in the catalog's order of formats.
fn matchable() -> Vec<(Format, &'static str)> {
    let mut out: Vec<(Format, &'static str)> = FRONT_ENDS
        .iter()
        .filter_map(|f| f.pack.as_ref().map(|p| (f.format, p.key)))
        .collect();
    out.sort_by_key(|(format, _)| *format);
    out
}

/// A loaded rule: its catalog entry and what it matches.
#[derive(Debug)]
pub struct PackRule {
    pub entry: Arc<RuleEntry>,
    matches: Vec<Matcher>,
}

/// A loaded pack file and its rules.
#[derive(Debug)]
pub struct RulePack {
    /// The file as it was named.
    pub file: PathBuf,
    /// Its canonical path: the same pack named twice is one pack.
    pub key: PathBuf,
    pub rules: Vec<Arc<PackRule>>,
}

impl RulePack {
    /// Adds the pack's rules to `catalog`; false when the catalog has the pack already.
    pub fn add_to(&self, catalog: &mut Catalog) -> Result<bool, String> {
        catalog.add_pack(
            &self.file,
            &self.key,
            self.rules.iter().map(|r| r.entry.clone()),
        )
    }
}

/// Loads the packs named on the command line into `catalog`, returning the rules they add.
pub fn load_into(
    files: &[PathBuf],
    catalog: &mut Catalog,
) -> Result<Vec<Arc<PackRule>>, ConfigError> {
    let mut rules = Vec::new();
    for file in files {
        let pack = load(file)?;
        let added = pack.add_to(catalog).map_err(|message| ConfigError {
            path: file.clone(),
            text: String::new(),
            span: None,
            message,
        })?;
        if added {
            rules.extend(pack.rules);
        }
    }
    Ok(rules)
}

#[derive(Debug)]
struct Matcher {
    format: Format,
    key: Option<String>,
    regex: Pattern,
    not: Vec<Pattern>,
}

/// A pattern compiled when first needed. A pack's patterns are compiled when it is loaded, to
/// report a bad one; the built-in rules' only when a file of their format is checked (the
/// catalog's tests compile them), since compiling them costs more than a small file's lint.
#[derive(Debug)]
struct Pattern {
    source: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    fn compile(pattern: &str) -> Result<Regex, regex::Error> {
        RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    }

    fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Pattern::compile(&self.source).expect("a built-in rule's pattern compiles")
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    rules: Vec<RuleEntry>,
}

/// The built-in rules written as a `match` in their catalog entry.
pub fn builtin() -> &'static [Arc<PackRule>] {
    static BUILTIN: OnceLock<Vec<Arc<PackRule>>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        catalog::catalog()
            .iter()
            .filter(|e| e.matcher.is_some())
            .map(|entry| {
                // The catalog is tested; a bad built-in match is a build defect.
                let matches = compile_all(entry, false, &|pattern, e| {
                    PackError(format!("invalid regex {pattern:?}: {e}"))
                })
                .unwrap_or_else(|PackError(message)| {
                    panic!("catalog rule {}: {message}", entry.code)
                });
                Arc::new(PackRule {
                    entry: Arc::new(entry.clone()),
                    matches,
                })
            })
            .collect()
    })
}

/// Compiles an entry's `match` (now when `eager`, else on first use); `regex_error` turns a
/// bad pattern into the caller's error.
fn compile_all<E>(
    entry: &RuleEntry,
    eager: bool,
    regex_error: &dyn Fn(&str, regex::Error) -> E,
) -> Result<Vec<Matcher>, E>
where
    E: From<String>,
{
    if entry.autofix.is_some() {
        return Err(E::from(format!(
            "{}: a rule with a `match` has no edits to apply, so it cannot declare an `autofix`",
            entry.code
        )));
    }
    let Some(matcher) = &entry.matcher else {
        return Err(E::from(format!(
            "{}: a rule in a pack needs a `match`",
            entry.code
        )));
    };
    let compile = |pattern: &str| {
        let compiled = OnceLock::new();
        if eager {
            let regex = Pattern::compile(pattern).map_err(|e| regex_error(pattern, e))?;
            compiled.get_or_init(|| regex);
        }
        Ok::<_, E>(Pattern {
            source: pattern.to_string(),
            compiled,
        })
    };
    let mut out = Vec::new();
    for spec in matcher.specs() {
        check_spec(entry, spec).map_err(E::from)?;
        out.push(Matcher {
            format: spec.format,
            key: spec.key.clone(),
            regex: compile(&spec.regex)?,
            not: spec
                .not
                .iter()
                .map(|p| compile(p))
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(out)
}

fn check_spec(entry: &RuleEntry, spec: &MatchSpec) -> Result<(), String> {
    if !entry.formats.contains(&spec.format) {
        return Err(format!(
            "{}: match format {} is not in its formats",
            entry.code,
            spec.format.as_str()
        ));
    }
    let matchable = matchable();
    if !matchable.iter().any(|(f, _)| *f == spec.format) {
        let known: Vec<String> = matchable
            .iter()
            .map(|(f, key)| format!("{} (key: {key})", f.as_str()))
            .collect();
        return Err(format!(
            "{}: a match can look into {}; not {}",
            entry.code,
            known.join(", "),
            spec.format.as_str()
        ));
    }
    Ok(())
}

/// Loads a pack file.
pub fn load(path: &Path) -> Result<RulePack, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message: format!("cannot read rule pack: {}", crate::discover::io_reason(&e)),
    })?;
    let rules = parse_text(path, text)?;
    Ok(RulePack {
        file: path.to_path_buf(),
        key: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        rules,
    })
}

/// An error message that may later get a position in the pack file.
struct PackError(String);

impl From<String> for PackError {
    fn from(message: String) -> Self {
        PackError(message)
    }
}

/// Parses rule-pack text as if read from `path`. Its rules may not clash with built-in ones
/// nor with each other; clashes with other packs are found when packs join a catalog.
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
    let mut out: Vec<Arc<PackRule>> = Vec::new();
    for entry in pack.rules {
        let at = locate(&entry.code);
        let valid_code = entry
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let valid_name = entry
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if entry.code.is_empty() || entry.name.is_empty() || !valid_code || !valid_name {
            return Err(error(
                at,
                format!(
                    "{}: codes must be non-empty letters, digits, `-` or `_`, and names kebab-case",
                    entry.code
                ),
            ));
        }
        // `ALL` selects every rule, so a rule cannot be called that.
        if entry.code.eq_ignore_ascii_case("ALL") || entry.name.eq_ignore_ascii_case("all") {
            return Err(error(
                at,
                format!("{}: `ALL` is reserved for every rule", entry.code),
            ));
        }
        if let Some(url) = &entry.url
            && !is_absolute_uri(url)
        {
            return Err(error(
                locate(url),
                format!(
                    "{}: url `{url}` is not an absolute URL (such as https://...)",
                    entry.code
                ),
            ));
        }
        let others = catalog::catalog()
            .iter()
            .chain(out.iter().map(|r| &*r.entry));
        if let Some(clash) = catalog::clash(&entry, others) {
            return Err(error(at, clash));
        }
        let matches = compile_all(&entry, true, &|pattern, e| {
            PackError(format!("invalid regex {pattern:?}: {e}"))
        })
        .map_err(|PackError(message)| error(at.clone(), message))?;
        out.push(Arc::new(PackRule {
            entry: Arc::new(entry),
            matches,
        }));
    }
    Ok(out)
}

/// `scheme:rest` with a scheme as RFC 3986 spells it and no whitespace, so code-scanning
/// services can link to it.
fn is_absolute_uri(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !url.chars().any(char::is_whitespace)
}

impl PackRule {
    /// Whether the rule can fire on files of `format`.
    pub fn applies_to(&self, format: Format) -> bool {
        self.matches.iter().any(|m| m.format == format)
    }

    /// Reports each match of the rule in the file, looked for by the file's front end.
    pub fn check(&self, ctx: &FileContext<'_>, lowered: &Lowered<'_>, sink: &mut Sink<'_>) {
        let Some(pack) = &front_end(ctx.format).pack else {
            return;
        };
        for m in self.matches.iter().filter(|m| m.format == ctx.format) {
            (pack.find)(lowered, ctx.source, m.key.as_deref(), &mut |text| {
                m.report(text, &self.entry.summary, sink)
            });
        }
    }
}

impl Matcher {
    fn report(&self, text: &MappedText, message: &str, sink: &mut Sink<'_>) {
        let value = text.as_str();
        if self.not.iter().any(|n| n.regex().is_match(value)) {
            return;
        }
        let Some(caps) = self.regex.regex().captures(value) else {
            return;
        };
        let found = caps.get(1).or_else(|| caps.get(0)).expect("a match");
        let span = if found.range().is_empty() {
            text.span()
        } else {
            text.span_of(found.range())
        };
        sink.report(span, message.trim().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules' patterns are compiled on first use, so a bad one must fail here.
    #[test]
    fn every_builtin_pattern_compiles() {
        let rules = builtin();
        assert!(!rules.is_empty());
        for rule in rules {
            for m in &rule.matches {
                m.regex.regex();
                m.not.iter().for_each(|n| {
                    n.regex();
                });
            }
        }
    }
}
