//! The rule catalog: one YAML entry per rule in `rules/`, embedded at build time, and the
//! `Catalog` value that adds the rules of users' packs to them. It is the single source for
//! `deploylint rules`, `deploylint explain`, the README table, SARIF rule metadata and
//! diagnostics' names, severities and help, and it resolves rule selectors.

use crate::diagnostic::Severity;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    Uwsgi,
    Supervisord,
    Kubernetes,
    Nginx,
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
            Format::Uwsgi => "uwsgi",
            Format::Supervisord => "supervisord",
            Format::Kubernetes => "kubernetes",
            Format::Nginx => "nginx",
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
            Format::Uwsgi => "uwsgi.ini",
            Format::Supervisord => "supervisord.conf",
            Format::Kubernetes => "k8s/deployment.yaml",
            Format::Nginx => "nginx/sites-available/app",
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
    /// The fix in one format's terms, where `fix` (written for every format) would not read
    /// right there.
    #[serde(
        default,
        rename = "fix-by-format",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub fix_by_format: BTreeMap<Format, String>,
    /// Codes and names of rules merged into this one: accepted wherever a code is (select,
    /// ignore, suppressions, explain) and meaning this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Where the rule is documented (a pack rule's own page; built-in rules link to their
    /// entry in deploylint's repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The machine-applicable fix the rule's findings carry, if any (see `crate::fix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autofix: Option<Autofix>,
    /// A declarative check (see `crate::rulepack`): rules that only look for a pattern in one
    /// directive or instruction are written this way, built-in and user rules alike.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Matches>,
}

/// A rule's machine-applicable fix: how safe it is and what it does, in a few words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autofix {
    pub applicability: crate::edit::Applicability,
    pub title: String,
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

/// A YAML value of the catalog as the build script wrote it: a Rust constant, so start-up
/// builds the entries from it without scanning or unescaping any text (reading the catalog
/// as JSON was most of a one-file run).
// Today's entries hold only strings, lists and maps; the other kinds are there so that any
// YAML value an entry may hold is written as itself.
#[allow(dead_code)]
enum Built {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'static str),
    Seq(&'static [Built]),
    Map(&'static [(&'static str, Built)]),
}

/// The entries the build script wrote, in file order.
static BUILT: &[Built] = include!(concat!(env!("OUT_DIR"), "/catalog_values.rs"));

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for &'de Built {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for &'de Built {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        match self {
            Built::Null => v.visit_unit(),
            Built::Bool(b) => v.visit_bool(*b),
            Built::Int(i) => v.visit_i64(*i),
            Built::Float(x) => v.visit_f64(*x),
            Built::Str(s) => v.visit_borrowed_str(s),
            Built::Seq(items) => v.visit_seq(SeqDeserializer::new(items.iter())),
            Built::Map(fields) => v.visit_map(MapDeserializer::new(
                fields.iter().map(|(key, value)| (*key, value)),
            )),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Built::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::IntoDeserializer;
        match self {
            Built::Str(s) => v.visit_enum(s.into_deserializer()),
            _ => self.deserialize_any(v),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The built-in entries from the build's constants, sorted by code.
fn load_built() -> Result<Vec<RuleEntry>, String> {
    let mut entries = BUILT
        .iter()
        .map(RuleEntry::deserialize)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(entries)
}

/// The built-in entries, parsed once. Their validity is proven by tests (`load` checks the
/// YAML, and the built constants are checked to read the same), so a broken entry is a build defect.
pub fn catalog() -> &'static [RuleEntry] {
    static CATALOG: OnceLock<Vec<RuleEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        load_built().unwrap_or_else(|e| panic!("embedded rule catalog is invalid: {e}"))
    })
}

/// Why `entry` cannot join `others`: a code (in any letter case) or name already taken.
pub fn clash<'a>(
    entry: &RuleEntry,
    mut others: impl Iterator<Item = &'a RuleEntry>,
) -> Option<String> {
    others
        .find(|e| e.is_called(&entry.code) || e.is_called(&entry.name))
        .map(|other| {
            format!(
                "rule `{} {}` clashes with `{} {}`",
                entry.code, entry.name, other.code, other.name
            )
        })
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

/// One rule the catalog knows, and where it comes from.
#[derive(Debug, Clone)]
enum Listed {
    BuiltIn(&'static RuleEntry),
    Pack {
        entry: Arc<RuleEntry>,
        /// The pack file, as it was named.
        file: Arc<Path>,
    },
}

impl Listed {
    fn entry(&self) -> &RuleEntry {
        match self {
            Listed::BuiltIn(entry) => entry,
            Listed::Pack { entry, .. } => entry,
        }
    }
}

/// Every rule a run knows: the built-in entries and those of the rule packs it loaded. It is
/// a value, built before linting and handed to whatever needs rule metadata, so a pack's rules
/// are known exactly where the pack was loaded, whatever the order things happen in.
#[derive(Debug, Clone)]
pub struct Catalog {
    listed: Vec<Listed>,
    /// `listed` by exact code, for the lookups made for every file.
    by_code: HashMap<String, usize>,
    /// Canonical paths of the packs included, so a pack named twice is added once.
    packs: Vec<PathBuf>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::builtin()
    }
}

impl Catalog {
    /// The built-in rules only.
    pub fn builtin() -> Catalog {
        let listed: Vec<Listed> = catalog().iter().map(Listed::BuiltIn).collect();
        let by_code = listed
            .iter()
            .enumerate()
            .map(|(i, l)| (l.entry().code.clone(), i))
            .collect();
        Catalog {
            listed,
            by_code,
            packs: Vec::new(),
        }
    }

    /// Adds the rules of the pack `file` (`key`: its canonical path). A pack already included
    /// adds nothing and returns false. A code or name that clashes with another rule is an
    /// error, and then nothing is added.
    pub fn add_pack(
        &mut self,
        file: &Path,
        key: &Path,
        entries: impl IntoIterator<Item = Arc<RuleEntry>>,
    ) -> Result<bool, String> {
        if self.packs.iter().any(|p| p == key) {
            return Ok(false);
        }
        let entries: Vec<Arc<RuleEntry>> = entries.into_iter().collect();
        for (i, entry) in entries.iter().enumerate() {
            let others = self.iter().chain(entries[..i].iter().map(|e| &**e));
            if let Some(clash) = clash(entry, others) {
                let origin = self
                    .with_origin()
                    .find(|(e, _)| e.is_called(&entry.code) || e.is_called(&entry.name))
                    .and_then(|(_, pack)| pack)
                    .map(|pack| format!(" (from {})", pack.display()))
                    .unwrap_or_default();
                return Err(format!("{clash}{origin}"));
            }
        }
        let file: Arc<Path> = Arc::from(file);
        for entry in entries {
            self.by_code.insert(entry.code.clone(), self.listed.len());
            self.listed.push(Listed::Pack {
                entry,
                file: file.clone(),
            });
        }
        self.packs.push(key.to_path_buf());
        Ok(true)
    }

    fn pack_file<'a>(&self, listed: &'a Listed) -> Option<&'a Path> {
        match listed {
            Listed::BuiltIn(_) => None,
            Listed::Pack { file, .. } => Some(file),
        }
    }

    /// Adds the pack rules of `other` whose codes this catalog lacks (a run's rules, gathered
    /// from the catalogs of its configuration files, for reports).
    pub fn absorb(&mut self, other: &Catalog) {
        for listed in &other.listed {
            let code = &listed.entry().code;
            if matches!(listed, Listed::Pack { .. }) && !self.by_code.contains_key(code) {
                self.by_code.insert(code.clone(), self.listed.len());
                self.listed.push(listed.clone());
            }
        }
        for pack in &other.packs {
            if !self.packs.contains(pack) {
                self.packs.push(pack.clone());
            }
        }
    }

    /// Every rule: the built-in ones by code, then pack rules in the order they were loaded.
    pub fn iter(&self) -> impl Iterator<Item = &RuleEntry> {
        self.listed.iter().map(Listed::entry)
    }

    /// Every rule with the pack file it comes from (None: built in).
    pub fn with_origin(&self) -> impl Iterator<Item = (&RuleEntry, Option<&Path>)> {
        self.listed.iter().map(|l| (l.entry(), self.pack_file(l)))
    }

    pub fn len(&self) -> usize {
        self.listed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The entry with exactly this code.
    pub fn get(&self, code: &str) -> Option<&RuleEntry> {
        self.by_code.get(code).map(|&i| self.listed[i].entry())
    }

    /// The entry of a code that the rule registry guarantees exists.
    pub fn entry(&self, code: &str) -> &RuleEntry {
        self.get(code)
            .unwrap_or_else(|| panic!("rule {code} has no catalog entry"))
    }

    /// Finds an entry by code (case-insensitive), kebab name, or an alias of either.
    pub fn lookup(&self, code_or_name: &str) -> Option<&RuleEntry> {
        self.get(code_or_name)
            .or_else(|| self.iter().find(|e| e.is_called(code_or_name)))
    }

    /// The pack file a rule comes from; None for a built-in rule (or an unknown code).
    pub fn pack_of(&self, code: &str) -> Option<&Path> {
        self.by_code
            .get(code)
            .and_then(|&i| self.pack_file(&self.listed[i]))
    }

    /// Where a rule is documented: its `url`, else, for a built-in rule, its catalog entry in
    /// deploylint's repository. A pack rule without a `url` has none.
    pub fn documentation_url(&self, code: &str) -> Option<String> {
        let i = *self.by_code.get(code)?;
        match &self.listed[i] {
            Listed::BuiltIn(entry) => Some(entry.url.clone().unwrap_or_else(|| {
                format!(
                    "{}/blob/main/rules/{}.yaml",
                    env!("CARGO_PKG_REPOSITORY").trim_end_matches('/'),
                    entry.code
                )
            })),
            Listed::Pack { entry, .. } => entry.url.clone(),
        }
    }

    /// The codes a selector names: a code or name (`USR001`, `runs-as-root`), a code prefix
    /// (`DBG`), or `ALL`; empty when it names none.
    pub fn select(&self, selector: &str) -> Vec<&str> {
        let s = selector.trim();
        self.iter()
            .filter(|e| {
                let prefix_of = |code: &str| {
                    !s.is_empty()
                        && code.len() >= s.len()
                        && code.is_char_boundary(s.len())
                        && code[..s.len()].eq_ignore_ascii_case(s)
                };
                s.eq_ignore_ascii_case("ALL")
                    || e.is_called(s)
                    || prefix_of(&e.code)
                    // A rule merged into another keeps answering to its old code's prefix.
                    || e.aliases.iter().any(|a| !a.contains('-') && prefix_of(a))
            })
            .map(|e| e.code.as_str())
            .collect()
    }

    /// The codes all of `selectors` name, or the first selector that names none.
    pub fn resolve<'s>(&self, selectors: &'s [String]) -> Result<Vec<String>, &'s str> {
        let mut out = Vec::new();
        for selector in selectors {
            let found = self.select(selector);
            if found.is_empty() {
                return Err(selector);
            }
            out.extend(found.into_iter().map(String::from));
        }
        Ok(out)
    }
}

/// Which rules run, as codes: those of `select` (every rule when None), plus `extend_select`,
/// minus `ignore`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn enables(&self, code: &str) -> bool {
        let named = |codes: &[String]| codes.iter().any(|c| c == code);
        (self.select.as_deref().is_none_or(named) || named(&self.extend_select))
            && !named(&self.ignore)
    }

    /// This selection with `over` applied on top (the command line over a configuration
    /// file): its `select` replaces this one's, its extensions and ignores add to them.
    pub fn overridden_by(&self, over: &Selection) -> Selection {
        Selection {
            select: over.select.clone().or_else(|| self.select.clone()),
            extend_select: [self.extend_select.as_slice(), &over.extend_select].concat(),
            ignore: [self.ignore.as_slice(), &over.ignore].concat(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_constants_read_as_the_yaml_does() {
        let from_yaml = load().expect("the YAML catalog parses");
        let built = load_built().expect("the built catalog reads");
        assert_eq!(built.len(), CATALOG_FILES.len());
        assert_eq!(format!("{built:#?}"), format!("{from_yaml:#?}"));
    }

    fn pack_entry(code: &str, name: &str) -> Arc<RuleEntry> {
        Arc::new(RuleEntry {
            code: code.into(),
            name: name.into(),
            family: Family::User,
            severity: Severity::Warning,
            formats: vec![Format::Dockerfile],
            summary: "s".into(),
            rationale: "r".into(),
            fix: "f".into(),
            fix_by_format: BTreeMap::new(),
            aliases: Vec::new(),
            references: Vec::new(),
            examples: Vec::new(),
            url: None,
            autofix: None,
            matcher: None,
        })
    }

    #[test]
    fn selectors() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.select("USR001"), ["USR001"]);
        assert_eq!(catalog.select("usr001"), ["USR001"]);
        assert_eq!(catalog.select(" runs-as-root "), ["USR001"]);
        assert!(catalog.select("DBG").len() >= 4);
        assert_eq!(catalog.select("all").len(), catalog.len());
        assert!(catalog.select("XYZ").is_empty());
        assert!(catalog.select("").is_empty());
        // The name must be whole; prefixes are of codes only.
        assert!(catalog.select("runs-as").is_empty());
        assert_eq!(
            catalog.resolve(&["DBG001".into(), "nope".into()]),
            Err("nope")
        );
    }

    #[test]
    fn packs_join_once_and_never_clash() {
        let mut catalog = Catalog::builtin();
        let builtin = catalog.len();
        let pack = Path::new("org.yaml");
        assert_eq!(
            catalog.add_pack(pack, pack, [pack_entry("ORG001", "org-one")]),
            Ok(true)
        );
        // The same file again (another configuration names it): nothing added, no clash.
        assert_eq!(
            catalog.add_pack(
                Path::new("./org.yaml"),
                pack,
                [pack_entry("ORG001", "org-one")]
            ),
            Ok(false)
        );
        assert_eq!(catalog.len(), builtin + 1);
        assert_eq!(catalog.select("ORG"), ["ORG001"]);
        assert_eq!(catalog.lookup("org-one").unwrap().code, "ORG001");
        assert_eq!(catalog.pack_of("ORG001"), Some(pack));
        assert_eq!(catalog.pack_of("USR001"), None);

        // Another file: a clash in code (any case) or name is refused, and nothing is added.
        let other = Path::new("other.yaml");
        let refused = catalog.add_pack(
            other,
            other,
            [
                pack_entry("ORG002", "org-two"),
                pack_entry("org001", "org-x"),
            ],
        );
        assert_eq!(
            refused,
            Err("rule `org001 org-x` clashes with `ORG001 org-one` (from org.yaml)".into())
        );
        assert!(catalog.get("ORG002").is_none());
        let refused = catalog.add_pack(other, other, [pack_entry("ORG002", "runs-as-root")]);
        assert_eq!(
            refused,
            Err("rule `ORG002 runs-as-root` clashes with `USR001 runs-as-root`".into())
        );
        let refused = catalog.add_pack(
            other,
            other,
            [pack_entry("ORG002", "a"), pack_entry("ORG002", "b")],
        );
        assert!(refused.is_err());
        assert_eq!(catalog.len(), builtin + 1);
    }

    #[test]
    fn a_run_catalog_gathers_the_packs_of_every_configuration() {
        let mut a = Catalog::builtin();
        let mut b = Catalog::builtin();
        a.add_pack(
            Path::new("a.yaml"),
            Path::new("/a.yaml"),
            [pack_entry("ORG001", "one")],
        )
        .unwrap();
        b.add_pack(
            Path::new("b.yaml"),
            Path::new("/b.yaml"),
            [pack_entry("ORG001", "one")],
        )
        .unwrap();
        b.add_pack(
            Path::new("c.yaml"),
            Path::new("/c.yaml"),
            [pack_entry("ORG002", "two")],
        )
        .unwrap();
        let mut run = Catalog::builtin();
        run.absorb(&a);
        run.absorb(&b);
        assert_eq!(run.len(), Catalog::builtin().len() + 2);
        // A code defined by two packs keeps the first.
        assert_eq!(run.pack_of("ORG001"), Some(Path::new("a.yaml")));
        assert_eq!(run.pack_of("ORG002"), Some(Path::new("c.yaml")));
    }

    #[test]
    fn documentation_urls() {
        let mut catalog = Catalog::builtin();
        let mut linked = (*pack_entry("ORG001", "one")).clone();
        linked.url = Some("https://example.com/ORG001".into());
        let pack = Path::new("p.yaml");
        catalog
            .add_pack(pack, pack, [Arc::new(linked), pack_entry("ORG002", "two")])
            .unwrap();
        assert_eq!(
            catalog.documentation_url("ORG001").as_deref(),
            Some("https://example.com/ORG001")
        );
        assert_eq!(catalog.documentation_url("ORG002"), None);
        assert_eq!(
            catalog.documentation_url("USR001").as_deref(),
            Some("https://github.com/deploylint/deploylint/blob/main/rules/USR001.yaml")
        );
        assert_eq!(catalog.documentation_url("NOPE"), None);
    }

    /// A selector that ends inside a multi-byte character of a code is no prefix of it
    /// (slicing there used to panic; packs now refuse such codes, the catalog does not rely
    /// on it).
    #[test]
    fn prefixes_of_non_ascii_codes() {
        let mut catalog = Catalog::builtin();
        let pack = Path::new("p.yaml");
        catalog
            .add_pack(pack, pack, [pack_entry("ÄB1", "umlaut")])
            .unwrap();
        assert!(catalog.select("A").iter().all(|c| *c != "ÄB1"));
        assert_eq!(catalog.select("ÄB"), ["ÄB1"]);
    }

    #[test]
    fn selections() {
        let config = Selection {
            select: Some(vec!["A".into(), "B".into()]),
            extend_select: vec!["C".into()],
            ignore: vec!["B".into()],
        };
        assert!(config.enables("A") && config.enables("C"));
        assert!(!config.enables("B") && !config.enables("D"));
        let cli = Selection {
            select: Some(vec!["D".into()]),
            extend_select: Vec::new(),
            ignore: vec!["C".into()],
        };
        let both = config.overridden_by(&cli);
        assert!(both.enables("D"));
        assert!(!both.enables("A") && !both.enables("C"));
        assert!(Selection::default().enables("ANY"));
    }
}
