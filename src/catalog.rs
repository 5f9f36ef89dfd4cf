//! The rule catalog: one YAML entry per rule in `rules/`, embedded at build time. It is the
//! single source for `deploylint rules`, `deploylint explain`, the README table and diagnostics'
//! names, severities and help.

use crate::diagnostic::Severity;
use serde::{Deserialize, Serialize};
use std::sync::{OnceLock, RwLock};

/// The file formats deploylint understands (a rule lists those it applies to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Dockerfile,
    Python,
    Apache,
    Systemd,
    Compose,
    Procfile,
    Gunicorn,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dockerfile => "dockerfile",
            Format::Python => "python",
            Format::Apache => "apache",
            Format::Systemd => "systemd",
            Format::Compose => "compose",
            Format::Procfile => "procfile",
            Format::Gunicorn => "gunicorn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Syntax,
    Debug,
    DevServer,
    Bind,
    User,
    Fs,
    Docroot,
    Wsgi,
    Disclosure,
    Limits,
    Sandbox,
    Meta,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Syntax => "syntax",
            Family::Debug => "debug",
            Family::DevServer => "dev-server",
            Family::Bind => "bind",
            Family::User => "user",
            Family::Fs => "fs",
            Family::Docroot => "docroot",
            Family::Wsgi => "wsgi",
            Family::Disclosure => "disclosure",
            Family::Limits => "limits",
            Family::Sandbox => "sandbox",
            Family::Meta => "meta",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub format: Format,
    /// File name the example is linted as (defaults to the format's usual name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<String>,
}

impl Example {
    pub fn file_name(&self) -> &str {
        self.path.as_deref().unwrap_or(match self.format {
            Format::Dockerfile => "Dockerfile",
            Format::Python => "app.py",
            Format::Apache => "apache2/site.conf",
            Format::Systemd => "app.service",
            Format::Compose => "compose.yaml",
            Format::Procfile => "Procfile",
            Format::Gunicorn => "gunicorn.conf.py",
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleEntry {
    pub code: String,
    pub name: String,
    pub family: Family,
    pub severity: Severity,
    pub formats: Vec<Format>,
    pub summary: String,
    pub rationale: String,
    pub fix: String,
    /// Codes and names of rules merged into this one: accepted wherever a code is (select,
    /// ignore, suppressions, explain) and meaning this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    /// A declarative check (see `crate::rulepack`): rules that only look for a pattern in one
    /// directive or instruction are written this way, built-in and user rules alike.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Matches>,
}

/// What a declarative rule looks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    pub format: Format,
    /// The directive, instruction, `Section.Key`/key, process name or call to look in; any
    /// when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// A regex on its text; a first capture group, when present, is what gets underlined.
    pub regex: String,
    /// No finding when any of these regexes match the same text.
    #[serde(default)]
    pub not: Vec<String>,
}

/// One match, or several of which any may fire.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Matches {
    One(MatchSpec),
    Any(Vec<MatchSpec>),
}

// By hand rather than `untagged`, so a mistake inside a match is reported as itself
// (`unknown variant apache2`) and not as "did not match any variant".
impl<'de> Deserialize<'de> for Matches {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_yaml::Value::deserialize(d)?;
        let parsed = if value.is_sequence() {
            serde_yaml::from_value(value).map(Matches::Any)
        } else {
            serde_yaml::from_value(value).map(Matches::One)
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

impl Matches {
    pub fn specs(&self) -> &[MatchSpec] {
        match self {
            Matches::One(one) => std::slice::from_ref(one),
            Matches::Any(many) => many,
        }
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Severity::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown severity `{s}` (expected error, warning or info)"
            ))
        })
    }
}

const CATALOG_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));

/// Parses the embedded catalog, reporting the first broken entry by file name.
pub fn load() -> Result<Vec<RuleEntry>, String> {
    let mut entries = Vec::with_capacity(CATALOG_FILES.len());
    for (file, text) in CATALOG_FILES {
        let entry: RuleEntry =
            serde_yaml::from_str(text).map_err(|e| format!("rules/{file}: {e}"))?;
        if !file.starts_with(&entry.code) {
            return Err(format!(
                "rules/{file}: file name must start with its code {}",
                entry.code
            ));
        }
        entries.push(entry);
    }
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(entries)
}

/// The embedded catalog. Its validity is proven by tests, so a broken entry is a build defect.
pub fn catalog() -> &'static [RuleEntry] {
    static CATALOG: OnceLock<Vec<RuleEntry>> = OnceLock::new();
    CATALOG
        .get_or_init(|| load().unwrap_or_else(|e| panic!("embedded rule catalog is invalid: {e}")))
}

/// Rules from users' rule packs, added while configuration is loaded. Entries live for the
/// rest of the process, like the built-in ones.
static CUSTOM: RwLock<Vec<&'static RuleEntry>> = RwLock::new(Vec::new());

/// Adds a rule pack's entry. Its code and name must not clash with another rule; loading the
/// same entry twice (one pack named by several configs) returns the first.
pub fn register_custom(entry: RuleEntry) -> Result<&'static RuleEntry, String> {
    let mut custom = CUSTOM.write().unwrap_or_else(|e| e.into_inner());
    if let Some(existing) = custom.iter().find(|e| e.code == entry.code) {
        return if existing.name == entry.name && existing.summary == entry.summary {
            Ok(existing)
        } else {
            Err(format!("rule code `{}` is defined twice", entry.code))
        };
    }
    let clash = catalog()
        .iter()
        .chain(custom.iter().copied())
        .find(|e| e.is_called(&entry.code) || e.is_called(&entry.name));
    if let Some(clash) = clash {
        return Err(format!(
            "rule `{} {}` clashes with `{} {}`",
            entry.code, entry.name, clash.code, clash.name
        ));
    }
    let leaked: &'static RuleEntry = Box::leak(Box::new(entry));
    custom.push(leaked);
    Ok(leaked)
}

/// Every rule: the built-in catalog, then rule-pack rules.
pub fn all() -> Vec<&'static RuleEntry> {
    let custom = CUSTOM.read().unwrap_or_else(|e| e.into_inner());
    catalog().iter().chain(custom.iter().copied()).collect()
}

/// Finds an entry by code (case-insensitive), kebab name, or an alias of either.
pub fn lookup(code_or_name: &str) -> Option<&'static RuleEntry> {
    all().into_iter().find(|e| e.is_called(code_or_name))
}

impl RuleEntry {
    /// Whether `code_or_name` names this rule: its code (in any case), its name, or an alias.
    pub fn is_called(&self, code_or_name: &str) -> bool {
        self.code.eq_ignore_ascii_case(code_or_name)
            || self.name == code_or_name
            || self
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(code_or_name))
    }
}

/// Entry for a code that the registry guarantees exists.
pub fn entry(code: &str) -> &'static RuleEntry {
    lookup(code).unwrap_or_else(|| panic!("rule {code} has no catalog entry"))
}
