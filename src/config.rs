//! Configuration: `deploylint.toml`, `.deploylint.toml` or `[tool.deploylint]` in
//! `pyproject.toml`, found upward from each linted file as ruff does. Mistakes in it are
//! errors that point at the offending bytes of the file.

use crate::catalog::{Catalog, Selection};
use crate::config_error::ConfigError;
use crate::diagnostic::Severity;
use crate::rulepack::{self, PackRule};
use crate::rules::RuleOptions;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// File names searched in each directory, in order of precedence.
pub const CONFIG_FILES: &[&str] = &["deploylint.toml", ".deploylint.toml", "pyproject.toml"];

/// An error about the bytes `span` of the configuration file.
fn error_at(file: &ConfigFile, span: Range<usize>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: file.path.clone(),
        text: file.text.clone(),
        span: Some(span),
        message: message.into(),
    }
}

struct ConfigFile {
    path: PathBuf,
    text: String,
}

impl ConfigFile {
    /// The directory paths in the file are relative to.
    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message: format!("cannot read: {}", crate::discover::io_reason(&e)),
    })
}

/// The deploylint table of a configuration file: the whole file, or `[tool.deploylint]` of
/// a `pyproject.toml` (None when it has none).
fn parse_raw<T: serde::de::DeserializeOwned>(file: &ConfigFile) -> Result<Option<T>, ConfigError> {
    let parse_error = |e: toml::de::Error| ConfigError {
        path: file.path.clone(),
        text: file.text.clone(),
        span: e.span(),
        message: e.message().trim().to_string(),
    };
    if file.path.file_name().is_some_and(|n| n == "pyproject.toml") {
        let project: PyProject<T> = toml::from_str(&file.text).map_err(parse_error)?;
        Ok(project.tool.and_then(|t| t.deploylint))
    } else {
        toml::from_str(&file.text).map(Some).map_err(parse_error)
    }
}

/// What a configuration file's `rules` key loads.
struct LoadedPacks {
    /// The catalog it was given, with the packs' rules.
    catalog: Arc<Catalog>,
    /// The pack files, resolved against the configuration's directory.
    files: Vec<PathBuf>,
    /// The rules of the packs the given catalog did not have yet.
    rules: Vec<Arc<PackRule>>,
}

fn load_packs(
    file: &ConfigFile,
    names: &[Spanned<String>],
    catalog: &Arc<Catalog>,
) -> Result<LoadedPacks, ConfigError> {
    let mut loaded = LoadedPacks {
        catalog: catalog.clone(),
        files: Vec::new(),
        rules: Vec::new(),
    };
    if names.is_empty() {
        return Ok(loaded);
    }
    let mut extended = Catalog::clone(catalog);
    for name in names {
        let path = file.dir().join(name.get_ref());
        if !path.is_file() {
            return Err(error_at(
                file,
                name.span(),
                format!("rule pack `{}` not found", path.display()),
            ));
        }
        let pack = rulepack::load(&path)?;
        let added = pack
            .add_to(&mut extended)
            .map_err(|message| error_at(file, name.span(), message))?;
        if added {
            loaded.rules.extend(pack.rules);
        }
        loaded.files.push(path);
    }
    loaded.catalog = Arc::new(extended);
    Ok(loaded)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    extend: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    fail_on: Option<Spanned<String>>,
    include_development: Option<bool>,
    exclude: Option<Vec<Spanned<String>>>,
    extend_exclude: Option<Vec<Spanned<String>>>,
    rules: Option<Vec<Spanned<String>>>,
    options: Option<RawOptions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOptions {
    shared_accounts: Option<Vec<String>>,
    /// Added to `shared-accounts` (or to the built-in list), as ruff's `extend-*` keys.
    extend_shared_accounts: Option<Vec<String>>,
    nonroot_images: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct PyProject<T> {
    tool: Option<PyProjectTool<T>>,
}

#[derive(Deserialize)]
struct PyProjectTool<T> {
    deploylint: Option<T>,
}

/// A loaded configuration, with paths resolved against the file's directory.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (None: built-in defaults).
    pub path: Option<PathBuf>,
    /// The files it extends (`extend = "..."`), nearest first.
    pub extends: Vec<PathBuf>,
    /// The directory of the file it came from.
    pub base: PathBuf,
    /// The rules its selectors name: those it was loaded with, plus its packs'.
    pub catalog: Arc<Catalog>,
    /// Codes, as resolved from its selectors.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub per_file_ignores: Vec<(PathPattern, Vec<String>)>,
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Option<String>,
    /// Report findings off the production path too, as `info` (`include-development`).
    pub include_development: bool,
    pub exclude: Vec<PathPattern>,
    pub rule_packs: Vec<PathBuf>,
    /// The rules its packs add to the catalog it was loaded with.
    pub packs: Vec<Arc<PackRule>>,
    pub options: RuleOptions,
}

/// A gitignore-style pattern and the directory it is relative to: that of the file that wrote
/// it, which differs from the config's own when it came through `extend`. The glob is compiled
/// and the base made absolute once: walks match every entry against every pattern.
#[derive(Debug, Clone)]
pub struct PathPattern {
    pub glob: String,
    pub base: PathBuf,
    absolute_base: PathBuf,
    /// None: the pattern does not compile, and matches nothing.
    matcher: Option<globset::GlobMatcher>,
    /// It has a `/`: it matches the path relative to `base`, not a name at any depth.
    anchored: bool,
}

impl PartialEq for PathPattern {
    fn eq(&self, other: &Self) -> bool {
        self.glob == other.glob && self.base == other.base
    }
}

impl Eq for PathPattern {}

impl PathPattern {
    pub fn new(glob: String, base: PathBuf) -> PathPattern {
        let pattern = glob.trim_start_matches("./").trim_end_matches('/');
        let anchored = pattern.contains('/');
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(anchored)
            .build()
            .ok()
            .map(|g| g.compile_matcher());
        PathPattern {
            absolute_base: crate::source::absolute(&base),
            glob,
            base,
            matcher,
            anchored,
        }
    }

    /// gitignore-like matching: a pattern without `/` matches a file or directory name at any
    /// depth; one with `/` matches the path relative to `base` or one of its parents.
    pub fn matches(&self, path: &Path) -> bool {
        let Some(matcher) = &self.matcher else {
            return false;
        };
        let absolute = crate::source::absolute(path);
        let relative = absolute.strip_prefix(&self.absolute_base).unwrap_or(path);
        if self.anchored {
            relative
                .ancestors()
                .any(|p| !p.as_os_str().is_empty() && matcher.is_match(p))
        } else {
            relative
                .components()
                .any(|c| matcher.is_match(c.as_os_str()))
        }
    }
}

/// The values `--fail-on` accepts, also valid for `fail-on` in the file.
pub const FAIL_ON_VALUES: &[&str] = &["error", "warning", "info", "never"];

impl Config {
    /// No configuration file: every rule of `catalog`, default options.
    pub fn defaults(catalog: Arc<Catalog>) -> Config {
        Config {
            catalog,
            ..Config::default()
        }
    }

    /// Which rules it selects.
    pub fn selection(&self) -> Selection {
        Selection {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
        }
    }

    /// Loads a configuration file; its selectors may name the rules of `catalog` and of the
    /// packs it (or what it extends) loads. `Ok(None)` for a `pyproject.toml` without
    /// `[tool.deploylint]`.
    pub fn load(path: &Path, catalog: &Arc<Catalog>) -> Result<Option<Config>, ConfigError> {
        Config::load_extending(path, catalog, &mut Vec::new())
    }

    /// `load`, for a file reached through the `extend` chain `chain` (outermost first).
    fn load_extending(
        path: &Path,
        catalog: &Arc<Catalog>,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Option<Config>, ConfigError> {
        let text = read(path)?;
        Config::parse_extending(path, text, catalog, chain)
    }

    /// `catalog` with the rules of the packs a configuration file names, the rest of the file
    /// unchecked (listing rules must not fail on a selector that names none).
    pub fn load_rule_packs(
        path: &Path,
        catalog: &Arc<Catalog>,
    ) -> Result<Arc<Catalog>, ConfigError> {
        /// Only the `rules` key; other keys are not looked at.
        #[derive(Deserialize)]
        struct RawPacks {
            rules: Option<Vec<Spanned<String>>>,
        }
        let file = ConfigFile {
            path: path.to_path_buf(),
            text: read(path)?,
        };
        match parse_raw::<RawPacks>(&file)? {
            Some(raw) => {
                let packs = load_packs(&file, raw.rules.as_deref().unwrap_or_default(), catalog)?;
                Ok(packs.catalog)
            }
            None => Ok(catalog.clone()),
        }
    }

    /// Parses configuration text as if read from `path` (a `pyproject.toml` by its name).
    /// Rule packs and extended files it names are still loaded from disk, relative to `path`.
    pub fn parse(
        path: &Path,
        text: String,
        catalog: &Arc<Catalog>,
    ) -> Result<Option<Config>, ConfigError> {
        Config::parse_extending(path, text, catalog, &mut Vec::new())
    }

    fn parse_extending(
        path: &Path,
        text: String,
        catalog: &Arc<Catalog>,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Option<Config>, ConfigError> {
        let file = ConfigFile {
            path: path.to_path_buf(),
            text,
        };
        let Some(raw) = parse_raw::<RawConfig>(&file)? else {
            return Ok(None);
        };
        let inherited = match &raw.extend {
            Some(extend) => Some(Config::extended(&file, extend, catalog, chain)?),
            None => None,
        };
        Config::from_raw(&file, raw, catalog, inherited).map(Some)
    }

    /// Loads the file `extend` names (relative to `base`, the extending file's directory), as
    /// ruff does: its settings are the base that the extending file's keys override. A cycle
    /// is an error that shows the chain.
    fn extended(
        file: &ConfigFile,
        extend: &Spanned<String>,
        catalog: &Arc<Catalog>,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let target = lexically_normal(&file.dir().join(extend.get_ref()));
        // Only configuration files: a repository's config must not make deploylint read (and
        // quote in an error) some other file on the machine.
        if target.extension().is_none_or(|e| e != "toml") {
            return Err(error_at(
                file,
                extend.span(),
                format!(
                    "`extend` must name a TOML configuration file, not `{}`",
                    extend.get_ref()
                ),
            ));
        }
        let here = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        let Ok(canonical) = std::fs::canonicalize(&target) else {
            return Err(error_at(
                file,
                extend.span(),
                format!("extended configuration `{}` not found", target.display()),
            ));
        };
        if !canonical.is_file() {
            return Err(error_at(
                file,
                extend.span(),
                format!(
                    "extended configuration `{}` is not a file",
                    target.display()
                ),
            ));
        }
        chain.push(here);
        if let Some(start) = chain.iter().position(|p| *p == canonical) {
            let cycle: Vec<String> = chain[start..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            return Err(error_at(
                file,
                extend.span(),
                format!("`extend` forms a cycle: {}", cycle.join(" -> ")),
            ));
        }
        let loaded = Config::load_extending(&target, catalog, chain)?;
        chain.pop();
        let Some(mut config) = loaded else {
            return Err(error_at(
                file,
                extend.span(),
                format!(
                    "extended configuration `{}` has no [tool.deploylint] table",
                    target.display()
                ),
            ));
        };
        config.extends.insert(0, target);
        Ok(config)
    }

    /// Applies a file's keys over `inherited` (what it extends; None: the defaults): a key
    /// that is set replaces the inherited value; `extend-select`, `ignore` and
    /// `extend-exclude` add to it, and `[severity]` and `[options]` merge key by key.
    fn from_raw(
        file: &ConfigFile,
        raw: RawConfig,
        catalog: &Arc<Catalog>,
        inherited: Option<Config>,
    ) -> Result<Config, ConfigError> {
        let mut config = inherited.unwrap_or_else(|| Config::defaults(catalog.clone()));
        config.path = Some(file.path.clone());
        config.base = file.dir();
        // Packs first: selectors below may name their rules. A `rules` key replaces the packs
        // it inherits.
        if let Some(names) = &raw.rules {
            let packs = load_packs(file, names, catalog)?;
            config.catalog = packs.catalog;
            config.rule_packs = packs.files;
            config.packs = packs.rules;
        }
        let known = &config.catalog;
        let codes = |items: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
            let mut out = Vec::new();
            for item in items {
                let found = known.select(item.get_ref());
                if found.is_empty() {
                    return Err(error_at(
                        file,
                        item.span(),
                        format!("unknown rule `{}` (see `deploylint rules`)", item.get_ref()),
                    ));
                }
                out.extend(found.into_iter().map(String::from));
            }
            Ok(out)
        };
        // Rules = (select, else all) + extend-select - ignore, one file after another as in
        // ruff: a `select` starts afresh, and a later `extend-select` revives an earlier ignore.
        if let Some(select) = &raw.select {
            config.select = Some(codes(select)?);
            config.extend_select.clear();
            config.ignore.clear();
        }
        if let Some(extend) = &raw.extend_select {
            let extend = codes(extend)?;
            config.ignore.retain(|code| !extend.contains(code));
            config.extend_select.extend(extend);
        }
        if let Some(ignore) = &raw.ignore {
            config.ignore.extend(codes(ignore)?);
        }
        if raw.per_file_ignores.is_some() {
            config.per_file_ignores.clear();
        }
        for (pattern, items) in raw.per_file_ignores.iter().flatten() {
            if let Err(e) = globset::Glob::new(pattern.get_ref()) {
                return Err(error_at(file, pattern.span(), format!("invalid glob: {e}")));
            }
            let codes = codes(items)?;
            config.per_file_ignores.push((
                PathPattern::new(pattern.get_ref().clone(), config.base.clone()),
                codes,
            ));
        }
        for (rule, level) in raw.severity.iter().flatten() {
            let found = codes(std::slice::from_ref(rule))?;
            let Some(severity) = Severity::parse(level.get_ref()) else {
                return Err(error_at(
                    file,
                    level.span(),
                    format!(
                        "unknown severity `{}` (expected error, warning or info)",
                        level.get_ref()
                    ),
                ));
            };
            for code in found {
                config.severity.insert(code, severity);
            }
        }
        if let Some(fail_on) = &raw.fail_on {
            if !FAIL_ON_VALUES.contains(&fail_on.get_ref().as_str()) {
                return Err(error_at(
                    file,
                    fail_on.span(),
                    format!(
                        "unknown fail-on `{}` (expected {})",
                        fail_on.get_ref(),
                        FAIL_ON_VALUES.join(", ")
                    ),
                ));
            }
            config.fail_on = Some(fail_on.get_ref().clone());
        }
        if let Some(include) = raw.include_development {
            config.include_development = include;
        }
        if raw.exclude.is_some() {
            config.exclude.clear();
        }
        for pattern in raw
            .exclude
            .iter()
            .chain(raw.extend_exclude.iter())
            .flatten()
        {
            if let Err(e) = globset::Glob::new(pattern.get_ref()) {
                return Err(error_at(file, pattern.span(), format!("invalid glob: {e}")));
            }
            config.exclude.push(PathPattern::new(
                pattern.get_ref().clone(),
                config.base.clone(),
            ));
        }
        if let Some(options) = raw.options {
            if let Some(accounts) = options.shared_accounts {
                config.options.shared_accounts = accounts;
            }
            for account in options.extend_shared_accounts.into_iter().flatten() {
                if !config.options.shared_accounts.contains(&account) {
                    config.options.shared_accounts.push(account);
                }
            }
            if let Some(images) = options.nonroot_images {
                config.options.nonroot_images = images;
            }
        }
        Ok(config)
    }

    /// The nearest configuration file at or above `dir`: the first of `CONFIG_FILES` present
    /// (a `pyproject.toml` counts only with a `[tool.deploylint]` table).
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().find_map(Config::find_in)
    }

    /// The configuration file in `dir` itself, if any (`find` looks in each ancestor).
    pub fn find_in(dir: &Path) -> Option<PathBuf> {
        for name in CONFIG_FILES {
            let candidate = dir.join(name);
            if !candidate.is_file() {
                continue;
            }
            if *name == "pyproject.toml" {
                let text = std::fs::read_to_string(&candidate).unwrap_or_default();
                if !text.contains("[tool.deploylint") {
                    continue;
                }
            }
            return Some(candidate);
        }
        None
    }

    /// Whether `path` (relative to the config's directory when below it) matches one of the
    /// exclude patterns.
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclude.iter().any(|p| p.matches(path))
    }

    /// Codes ignored for `path` by `per-file-ignores`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&str> {
        self.per_file_ignores
            .iter()
            .filter(|(pattern, _)| pattern.matches(path))
            .flat_map(|(_, codes)| codes.iter().map(String::as_str))
            .collect()
    }
}

/// `path` made absolute with `.` and `..` resolved by name, so that a directory reached as
/// `svc/..` is a prefix of the paths below it.
pub fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = crate::source::absolute(path);
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalisation_resolves_dots_by_name() {
        assert_eq!(
            lexically_normal(Path::new("/a/b/../c/./d")),
            Path::new("/a/c/d")
        );
        assert_eq!(lexically_normal(Path::new("/a/..")), Path::new("/"));
        assert_eq!(lexically_normal(Path::new("/..")), Path::new("/"));
        assert!(lexically_normal(Path::new("x/../y")).ends_with("y"));
        assert!(lexically_normal(Path::new("x/../y")).is_absolute());
    }

    /// Rule selection across an `extend` chain, as ruff layers it: each file applies its
    /// select (a reset), then extend-select, then ignore, over what it extends.
    #[test]
    fn selection_is_layered_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let layer = |base: &str, child: &str| -> Config {
            std::fs::write(dir.path().join("base.toml"), base).unwrap();
            let text = format!("extend = \"base.toml\"\n{child}");
            Config::parse(
                &dir.path().join("deploylint.toml"),
                text,
                &Arc::new(Catalog::builtin()),
            )
            .unwrap()
            .unwrap()
        };
        let c = layer(
            "select = [\"DBG\"]\nignore = [\"DBG002\"]\n",
            "ignore = [\"DBG001\"]\n",
        );
        assert!(c.select.as_ref().unwrap().iter().any(|c| c == "DBG003"));
        assert_eq!(c.ignore, ["DBG002", "DBG001"]);
        let c = layer(
            "extend-select = [\"USR001\"]\nignore = [\"DBG002\", \"NET001\"]\n",
            "extend-select = [\"DBG002\"]\n",
        );
        assert_eq!(c.select, None);
        assert_eq!(c.extend_select, ["USR001", "DBG002"]);
        assert_eq!(
            c.ignore,
            ["NET001"],
            "extend-select revives an ignored rule"
        );
        let c = layer(
            "extend-select = [\"USR001\"]\nignore = [\"NET001\"]\n",
            "select = [\"NET\"]\n",
        );
        assert_eq!(c.select.unwrap(), ["NET001", "NET002"]);
        assert!(
            c.extend_select.is_empty() && c.ignore.is_empty(),
            "select starts afresh"
        );
        assert_eq!(c.extends, [dir.path().join("base.toml")]);
    }

    #[test]
    fn extend_shared_accounts_adds_to_either_list() {
        let accounts = |text: &str| {
            Config::parse(
                Path::new("deploylint.toml"),
                text.to_string(),
                &Arc::new(Catalog::builtin()),
            )
            .unwrap()
            .unwrap()
            .options
            .shared_accounts
        };
        let builtin = RuleOptions::default().shared_accounts;
        let extended = accounts("[options]\nextend-shared-accounts = [\"appsvc\", \"nobody\"]\n");
        assert_eq!(extended[..builtin.len()], builtin[..]);
        assert_eq!(extended[builtin.len()..], ["appsvc"]);
        assert_eq!(
            accounts("[options]\nshared-accounts = [\"a\"]\nextend-shared-accounts = [\"b\"]\n"),
            ["a", "b"]
        );
    }

    #[test]
    fn patterns() {
        let base = Path::new("/p");
        let m = |pats: &[&str], path: &str| {
            pats.iter().any(|p| {
                PathPattern::new(p.to_string(), base.to_path_buf()).matches(Path::new(path))
            })
        };
        assert!(m(&["vendor"], "/p/vendor/x/Dockerfile"));
        assert!(m(&["*.py"], "/p/a/b.py"));
        assert!(m(&["tests/**"], "/p/tests/x/app.py"));
        assert!(m(&["docker/Dockerfile.dev"], "/p/docker/Dockerfile.dev"));
        assert!(!m(
            &["docker/Dockerfile.dev"],
            "/p/other/docker/Dockerfile.dev"
        ));
        assert!(!m(&["vendor"], "/p/src/app.py"));
    }
}
