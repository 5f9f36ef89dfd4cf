//! Configuration: `deploylint.toml`, `.deploylint.toml` or `[tool.deploylint]` in
//! `pyproject.toml`, found upward from each linted file as ruff does. Mistakes in it are
//! errors that point at the offending bytes of the file.

use crate::catalog;
use crate::diagnostic::Severity;
use crate::rulepack::PackRule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// File names searched in each directory, in order of precedence.
pub const CONFIG_FILES: &[&str] = &["deploylint.toml", ".deploylint.toml", "pyproject.toml"];

/// Options that tune what rules consider safe.
#[derive(Debug, Clone)]
pub struct RuleOptions {
    /// Accounts shared by many services, which do not isolate an app (the mod_wsgi hardening
    /// guide names the Apache accounts and `nobody`).
    pub shared_accounts: Vec<String>,
    /// Base images known to run as an unprivileged user by default (prefixes of image
    /// references, matched case-insensitively, beside the built-in `:nonroot` tags).
    pub nonroot_images: Vec<String>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            shared_accounts: [
                "www-data", "apache", "http", "httpd", "nobody", "daemon", "nogroup",
            ]
            .map(String::from)
            .to_vec(),
            nonroot_images: vec!["cgr.dev/chainguard/".to_string()],
        }
    }
}

/// A mistake in a configuration file, with the bytes it is about.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl ConfigError {
    fn at(file: &ConfigFile, span: Range<usize>, message: impl Into<String>) -> Self {
        ConfigError {
            path: file.path.clone(),
            text: file.text.clone(),
            span: Some(span),
            message: message.into(),
        }
    }

    /// Renders the error as an annotated snippet of the configuration file.
    pub fn render(&self, color: bool) -> String {
        use ariadne::{Config, IndexType, Label, Report, ReportKind};
        let id = self.path.display().to_string();
        let Some(span) = self.span.clone() else {
            return format!("{id}: {}\n", self.message);
        };
        let span = clamp(&self.text, span);
        let mut out = Vec::new();
        let report = Report::build(ReportKind::Error, (id.clone(), span.clone()))
            .with_config(
                Config::default()
                    .with_index_type(IndexType::Byte)
                    .with_color(color),
            )
            .with_message(format!("invalid configuration: {}", self.message))
            .with_label(Label::new((id.clone(), span)).with_message(&self.message))
            .finish();
        if report
            .write(
                ariadne::sources([(id.clone(), self.text.as_str())]),
                &mut out,
            )
            .is_err()
        {
            return format!("{id}: {}\n", self.message);
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    start..floor(span.end).max(start)
}

struct ConfigFile {
    path: PathBuf,
    text: String,
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
struct PyProject {
    tool: Option<PyProjectTool>,
}

#[derive(Deserialize)]
struct PyProjectTool {
    deploylint: Option<RawConfig>,
}

/// Which rules a selector (`USR001`, `runs-as-root`, a code prefix such as `DBG`, or `ALL`)
/// names; empty when it names none.
pub fn select(selector: &str) -> Vec<&'static str> {
    let s = selector.trim();
    catalog::all()
        .into_iter()
        .filter(|e| {
            s.eq_ignore_ascii_case("ALL")
                || e.name == s
                || (!s.is_empty()
                    && e.code.len() >= s.len()
                    && e.code[..s.len()].eq_ignore_ascii_case(s))
        })
        .map(|e| e.code.as_str())
        .collect()
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
    pub select: Option<Vec<&'static str>>,
    pub extend_select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub per_file_ignores: Vec<(PathPattern, Vec<&'static str>)>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub fail_on: Option<String>,
    pub exclude: Vec<PathPattern>,
    pub rule_packs: Vec<PathBuf>,
    /// The rules those packs define.
    pub packs: Vec<Arc<PackRule>>,
    pub options: RuleOptions,
}

/// A gitignore-style pattern and the directory it is relative to: that of the file that wrote
/// it, which differs from the config's own when it came through `extend`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    pub glob: String,
    pub base: PathBuf,
}

impl PathPattern {
    pub fn matches(&self, path: &Path) -> bool {
        matches_any(std::slice::from_ref(&self.glob), &self.base, path)
    }
}

/// The values `--fail-on` accepts, also valid for `fail-on` in the file.
pub const FAIL_ON_VALUES: &[&str] = &["error", "warning", "info", "never"];

impl Config {
    /// Loads a configuration file. `Ok(None)` for a `pyproject.toml` without
    /// `[tool.deploylint]`.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        Config::load_extending(path, &mut Vec::new())
    }

    /// `load`, for a file reached through the `extend` chain `chain` (outermost first).
    fn load_extending(
        path: &Path,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Option<Config>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            span: None,
            message: format!("cannot read: {}", crate::discover::io_reason(&e)),
        })?;
        Config::parse_extending(path, text, chain)
    }

    /// Parses configuration text as if read from `path` (a `pyproject.toml` by its name).
    /// Rule packs and extended files it names are still loaded from disk, relative to `path`.
    pub fn parse(path: &Path, text: String) -> Result<Option<Config>, ConfigError> {
        Config::parse_extending(path, text, &mut Vec::new())
    }

    fn parse_extending(
        path: &Path,
        text: String,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Option<Config>, ConfigError> {
        let file = ConfigFile {
            path: path.to_path_buf(),
            text,
        };
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let parse_error = |e: toml::de::Error| ConfigError {
            path: file.path.clone(),
            text: file.text.clone(),
            span: e.span(),
            message: e.message().trim().to_string(),
        };
        let raw = if is_pyproject {
            let project: PyProject = toml::from_str(&file.text).map_err(parse_error)?;
            match project.tool.and_then(|t| t.deploylint) {
                Some(raw) => raw,
                None => return Ok(None),
            }
        } else {
            toml::from_str::<RawConfig>(&file.text).map_err(parse_error)?
        };
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let inherited = match &raw.extend {
            Some(extend) => Config::extended(&file, extend, &base, chain)?,
            None => Config::default(),
        };
        Config::from_raw(&file, raw, base, inherited).map(Some)
    }

    /// Loads the file `extend` names (relative to `base`, the extending file's directory), as
    /// ruff does: its settings are the base that the extending file's keys override. A cycle
    /// is an error that shows the chain.
    fn extended(
        file: &ConfigFile,
        extend: &Spanned<String>,
        base: &Path,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let target = lexically_normal(&base.join(extend.get_ref()));
        // Only configuration files: a repository's config must not make deploylint read (and
        // quote in an error) some other file on the machine.
        if target.extension().is_none_or(|e| e != "toml") {
            return Err(ConfigError::at(
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
            return Err(ConfigError::at(
                file,
                extend.span(),
                format!("extended configuration `{}` not found", target.display()),
            ));
        };
        if !canonical.is_file() {
            return Err(ConfigError::at(
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
            return Err(ConfigError::at(
                file,
                extend.span(),
                format!("`extend` forms a cycle: {}", cycle.join(" -> ")),
            ));
        }
        let loaded = Config::load_extending(&target, chain)?;
        chain.pop();
        let Some(mut config) = loaded else {
            return Err(ConfigError::at(
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

    /// Applies a file's keys over `inherited` (the defaults, or what it extends): a key that is
    /// set replaces the inherited value; `extend-select`, `ignore` and `extend-exclude` add to
    /// it, and `[severity]` and `[options]` merge key by key.
    fn from_raw(
        file: &ConfigFile,
        raw: RawConfig,
        base: PathBuf,
        inherited: Config,
    ) -> Result<Config, ConfigError> {
        let codes = |items: &[Spanned<String>]| -> Result<Vec<&'static str>, ConfigError> {
            let mut out = Vec::new();
            for item in items {
                let found = select(item.get_ref());
                if found.is_empty() {
                    return Err(ConfigError::at(
                        file,
                        item.span(),
                        format!("unknown rule `{}` (see `deploylint rules`)", item.get_ref()),
                    ));
                }
                out.extend(found);
            }
            Ok(out)
        };
        let mut config = Config {
            path: Some(file.path.clone()),
            base: base.clone(),
            ..inherited
        };
        // Packs first: selectors below may name their rules.
        if raw.rules.is_some() {
            config.packs.clear();
            config.rule_packs.clear();
        }
        for pack in raw.rules.iter().flatten() {
            let path = base.join(pack.get_ref());
            if !path.is_file() {
                return Err(ConfigError::at(
                    file,
                    pack.span(),
                    format!("rule pack `{}` not found", path.display()),
                ));
            }
            config.packs.extend(crate::rulepack::load(&path)?);
            config.rule_packs.push(path);
        }
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
                return Err(ConfigError::at(
                    file,
                    pattern.span(),
                    format!("invalid glob: {e}"),
                ));
            }
            config.per_file_ignores.push((
                PathPattern {
                    glob: pattern.get_ref().clone(),
                    base: base.clone(),
                },
                codes(items)?,
            ));
        }
        for (rule, level) in raw.severity.iter().flatten() {
            let found = codes(std::slice::from_ref(rule))?;
            let Some(severity) = Severity::parse(level.get_ref()) else {
                return Err(ConfigError::at(
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
                return Err(ConfigError::at(
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
                return Err(ConfigError::at(
                    file,
                    pattern.span(),
                    format!("invalid glob: {e}"),
                ));
            }
            config.exclude.push(PathPattern {
                glob: pattern.get_ref().clone(),
                base: base.clone(),
            });
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
        for ancestor in dir.ancestors() {
            for name in CONFIG_FILES {
                let candidate = ancestor.join(name);
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
        }
        None
    }

    /// Whether `path` (relative to the config's directory when below it) matches one of the
    /// exclude patterns.
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclude.iter().any(|p| p.matches(path))
    }

    /// Codes ignored for `path` by `per-file-ignores`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static str> {
        self.per_file_ignores
            .iter()
            .filter(|(pattern, _)| pattern.matches(path))
            .flat_map(|(_, codes)| codes.iter().copied())
            .collect()
    }
}

/// `path` made absolute with `.` and `..` resolved by name, so that a directory reached as
/// `svc/..` is a prefix of the paths below it.
pub fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
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

/// gitignore-like matching: a pattern without `/` matches a file or directory name at any
/// depth; one with `/` matches the path relative to `base`.
fn matches_any(patterns: &[String], base: &Path, path: &Path) -> bool {
    if patterns.is_empty() {
        return false;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    let relative = absolute.strip_prefix(&base).unwrap_or(path);
    patterns.iter().any(|pattern| {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(pattern.contains('/'))
            .build()
        else {
            return false;
        };
        let matcher = glob.compile_matcher();
        if pattern.contains('/') {
            // The path itself or any of its parent directories.
            relative
                .ancestors()
                .any(|p| !p.as_os_str().is_empty() && matcher.is_match(p))
        } else {
            relative
                .components()
                .any(|c| matcher.is_match(c.as_os_str()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert_eq!(select("USR001"), ["USR001"]);
        assert_eq!(select("usr001"), ["USR001"]);
        assert_eq!(select("runs-as-root"), ["USR001"]);
        assert!(select("DBG").len() >= 4);
        assert_eq!(select("ALL").len(), catalog::catalog().len());
        assert!(select("XYZ").is_empty());
        assert!(select("").is_empty());
    }

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
            Config::parse(&dir.path().join("deploylint.toml"), text)
                .unwrap()
                .unwrap()
        };
        let c = layer(
            "select = [\"DBG\"]\nignore = [\"DBG002\"]\n",
            "ignore = [\"DBG001\"]\n",
        );
        assert!(c.select.as_ref().unwrap().contains(&"DBG003"));
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
        assert_eq!(c.select.as_deref(), Some(&["NET001", "NET002"][..]));
        assert!(
            c.extend_select.is_empty() && c.ignore.is_empty(),
            "select starts afresh"
        );
        assert_eq!(c.extends, [dir.path().join("base.toml")]);
    }

    #[test]
    fn extend_shared_accounts_adds_to_either_list() {
        let accounts = |text: &str| {
            Config::parse(Path::new("deploylint.toml"), text.to_string())
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
            matches_any(
                &pats.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                base,
                Path::new(path),
            )
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
