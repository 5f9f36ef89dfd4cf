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
            let prefix_of = |code: &str| {
                !s.is_empty() && code.len() >= s.len() && code[..s.len()].eq_ignore_ascii_case(s)
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

/// A loaded configuration, with paths resolved against the file's directory.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (None: built-in defaults).
    pub path: Option<PathBuf>,
    /// The directory patterns and per-file ignores are relative to.
    pub base: PathBuf,
    pub select: Option<Vec<&'static str>>,
    pub extend_select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub fail_on: Option<String>,
    pub exclude: Vec<String>,
    pub rule_packs: Vec<PathBuf>,
    /// The rules those packs define.
    pub packs: Vec<Arc<PackRule>>,
    pub options: RuleOptions,
}

/// The values `--fail-on` accepts, also valid for `fail-on` in the file.
pub const FAIL_ON_VALUES: &[&str] = &["error", "warning", "info", "never"];

impl Config {
    /// Loads a configuration file. `Ok(None)` for a `pyproject.toml` without
    /// `[tool.deploylint]`.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            span: None,
            message: format!("cannot read: {}", crate::discover::io_reason(&e)),
        })?;
        Config::parse(path, text)
    }

    /// Parses configuration text as if read from `path` (a `pyproject.toml` by its name).
    /// Rule packs it names are still loaded from disk, relative to `path`.
    pub fn parse(path: &Path, text: String) -> Result<Option<Config>, ConfigError> {
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
        Config::from_raw(&file, raw, base).map(Some)
    }

    fn from_raw(file: &ConfigFile, raw: RawConfig, base: PathBuf) -> Result<Config, ConfigError> {
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
            ..Config::default()
        };
        // Packs first: selectors below may name their rules.
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
        if let Some(select) = &raw.select {
            config.select = Some(codes(select)?);
        }
        if let Some(extend) = &raw.extend_select {
            config.extend_select = codes(extend)?;
        }
        if let Some(ignore) = &raw.ignore {
            config.ignore = codes(ignore)?;
        }
        for (pattern, items) in raw.per_file_ignores.iter().flatten() {
            if let Err(e) = globset::Glob::new(pattern.get_ref()) {
                return Err(ConfigError::at(
                    file,
                    pattern.span(),
                    format!("invalid glob: {e}"),
                ));
            }
            config
                .per_file_ignores
                .push((pattern.get_ref().clone(), codes(items)?));
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
            config.exclude.push(pattern.get_ref().clone());
        }
        if let Some(options) = raw.options {
            if let Some(accounts) = options.shared_accounts {
                config.options.shared_accounts = accounts;
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
        matches_any(&self.exclude, &self.base, path)
    }

    /// Codes ignored for `path` by `per-file-ignores`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static str> {
        self.per_file_ignores
            .iter()
            .filter(|(pattern, _)| matches_any(std::slice::from_ref(pattern), &self.base, path))
            .flat_map(|(_, codes)| codes.iter().copied())
            .collect()
    }
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
        // SBX002 was merged into WSG008: its code, name and prefix still select it.
        assert_eq!(select("SBX002"), ["WSG008"]);
        assert_eq!(select("sbx002"), ["WSG008"]);
        assert_eq!(select("service-without-working-directory"), ["WSG008"]);
        assert!(select("SBX").contains(&"WSG008"));
        assert!(!select("se").contains(&"WSG008"));
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
