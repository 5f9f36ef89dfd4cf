//! `check --show-files` and `check --show-settings`: which files a check reads, as which kind,
//! and with which settings, without linting anything.

use crate::catalog::Format;
use crate::config_error::ConfigError;
use crate::discover::Candidate;
use crate::engine::{self, Classified, Resolver};
use crate::report::OutputFormat;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The files a check of `paths` would lint, with the kind each is read as.
#[derive(Default)]
pub struct FileList {
    pub files: Vec<(PathBuf, Format)>,
    /// Files left out that the check would mention (binary, too large, unknown kind).
    pub notes: Vec<String>,
    /// Paths that cannot be read (exit 2).
    pub errors: Vec<String>,
    pub config_errors: Vec<ConfigError>,
}

/// Discovers and classifies exactly as `engine::run` does, reading each candidate once.
pub fn list_files(paths: &[PathBuf], resolver: &Resolver) -> FileList {
    let found = engine::discover_files(paths, resolver);
    let mut list = FileList {
        errors: found.errors,
        ..FileList::default()
    };
    for path in paths {
        if let Err(error) = resolver.settings_for(path) {
            list.config_errors.push(error);
        }
    }
    let classified: Vec<(&Candidate, Result<Classified, ConfigError>)> = found
        .candidates
        .par_iter()
        .map(|c| {
            (
                c,
                resolver.settings_for(&c.path).map(|_| engine::classify(c)),
            )
        })
        .collect();
    for (candidate, result) in classified {
        match result {
            Ok(Classified::Lint { format, note, .. }) => {
                list.files.push((candidate.path.clone(), format));
                list.notes.extend(note);
            }
            Ok(Classified::Skipped(note)) => list.notes.extend(note),
            Ok(Classified::Failed(error)) => list.errors.push(error),
            Err(error) => {
                if !list.config_errors.iter().any(|e| e.path == error.path) {
                    list.config_errors.push(error);
                }
            }
        }
    }
    list
}

#[derive(Serialize)]
struct ListedFile<'a> {
    path: String,
    kind: &'a str,
}

/// `path  kind` lines (paths aligned), or JSON / JSON Lines objects `{path, kind}`.
pub fn write_files(list: &FileList, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<ListedFile<'_>> = list
        .files
        .iter()
        .map(|(path, kind)| ListedFile {
            path: path.display().to_string(),
            kind: kind.as_str(),
        })
        .collect();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &items)?;
            writeln!(out)
        }
        OutputFormat::JsonLines => {
            for item in &items {
                serde_json::to_writer(&mut *out, item)?;
                writeln!(out)?;
            }
            Ok(())
        }
        _ => {
            let width = items.iter().map(|i| i.path.chars().count()).max();
            for item in &items {
                let width = width.unwrap_or(0);
                writeln!(out, "{:<width$}  {}", item.path, item.kind)?;
            }
            Ok(())
        }
    }
}

/// The settings that govern one path, resolved: configuration chain, rules and options.
#[derive(Serialize)]
pub struct SettingsReport {
    path: String,
    /// The kind a file is read as (None for a directory or a file deploylint does not read).
    kind: Option<&'static str>,
    config_file: Option<String>,
    /// Files the configuration extends, nearest first.
    extends: Vec<String>,
    /// Whether `exclude` leaves this path out of directory walks.
    excluded: bool,
    fail_on: String,
    exclude: Vec<PatternReport>,
    per_file_ignores: Vec<PerFileIgnore>,
    rule_packs: Vec<String>,
    /// The rules that run on this path, with their severity there.
    rules: Vec<RuleReport>,
    options: OptionsReport,
}

#[derive(Serialize)]
struct PatternReport {
    glob: String,
    /// The directory the pattern is relative to.
    base: String,
}

#[derive(Serialize)]
struct PerFileIgnore {
    glob: String,
    base: String,
    rules: Vec<String>,
    applies: bool,
}

#[derive(Serialize)]
struct RuleReport {
    code: String,
    name: String,
    severity: &'static str,
}

#[derive(Serialize)]
struct OptionsReport {
    shared_accounts: Vec<String>,
    nonroot_images: Vec<String>,
}

/// `path` as the user would type it: relative to the current directory (with `..` for
/// directories above it), absolute when it shares no more than the root with it.
fn shown(path: &Path) -> String {
    let cwd = crate::config::lexically_normal(&std::env::current_dir().unwrap_or_default());
    let path = crate::config::lexically_normal(path);
    let common = cwd
        .components()
        .zip(path.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return path.display().to_string();
    }
    let mut relative = PathBuf::new();
    for _ in common..cwd.components().count() {
        relative.push("..");
    }
    relative.extend(path.components().skip(common));
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        relative.display().to_string()
    }
}

/// Resolves the settings for `path`. `fail_on` is the command line's `--fail-on`, if given.
pub fn settings_report(
    path: &Path,
    resolver: &Resolver,
    fail_on: Option<&str>,
) -> Result<SettingsReport, ConfigError> {
    let settings = resolver.settings_for(path)?;
    let config = &settings.config;
    let kind = path.is_file().then(|| {
        let candidate = Candidate {
            path: path.to_path_buf(),
            explicit: true,
            skip_unknown: resolver.overrides.skip_unknown,
            named_as: None,
        };
        match engine::classify(&candidate) {
            Classified::Lint { format, .. } => Some(format.as_str()),
            _ => None,
        }
    });
    let ignored_here = config.ignored_for(path);
    let mut rules: Vec<RuleReport> = settings
        .rules
        .iter()
        .map(|r| settings.catalog().entry(r.code))
        .chain(settings.custom.iter().map(|p| &*p.entry))
        .filter(|e| !ignored_here.contains(&e.code.as_str()))
        .map(|e| RuleReport {
            code: e.code.clone(),
            name: e.name.clone(),
            severity: config
                .severity
                .get(e.code.as_str())
                .copied()
                .unwrap_or(e.severity)
                .as_str(),
        })
        .collect();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    rules.dedup_by(|a, b| a.code == b.code);
    Ok(SettingsReport {
        path: path.display().to_string(),
        kind: kind.flatten(),
        config_file: config.path.as_deref().map(shown),
        extends: config.extends.iter().map(|p| shown(p)).collect(),
        excluded: config.excludes(path),
        fail_on: fail_on
            .map(str::to_string)
            .or_else(|| config.fail_on.clone())
            .unwrap_or_else(|| "warning".to_string()),
        exclude: config
            .exclude
            .iter()
            .map(|p| PatternReport {
                glob: p.glob.clone(),
                base: shown(&p.base),
            })
            .collect(),
        per_file_ignores: config
            .per_file_ignores
            .iter()
            .map(|(p, codes)| PerFileIgnore {
                glob: p.glob.clone(),
                base: shown(&p.base),
                rules: codes.clone(),
                applies: p.matches(path),
            })
            .collect(),
        rule_packs: config.rule_packs.iter().map(|p| shown(p)).collect(),
        rules,
        options: OptionsReport {
            shared_accounts: settings.options.shared_accounts.clone(),
            nonroot_images: settings.options.nonroot_images.clone(),
        },
    })
}

/// A TOML string (JSON's escapes are valid TOML basic-string escapes).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| quote(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// Reports as TOML-like text (one block per path, as ruff prints its resolved settings), or
/// as a JSON array / JSON Lines.
pub fn write_settings(
    reports: &[SettingsReport],
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, reports)?;
            return writeln!(out);
        }
        OutputFormat::JsonLines => {
            for report in reports {
                serde_json::to_writer(&mut *out, report)?;
                writeln!(out)?;
            }
            return Ok(());
        }
        _ => {}
    }
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        match r.kind {
            Some(kind) => writeln!(out, "# Settings for {} (read as {kind})", r.path)?,
            None => writeln!(out, "# Settings for {}", r.path)?,
        }
        match &r.config_file {
            Some(file) => writeln!(out, "config-file = {}", quote(file))?,
            None => writeln!(out, "# no configuration file: built-in defaults")?,
        }
        if !r.extends.is_empty() {
            writeln!(out, "extends = {}", quote_list(&r.extends))?;
        }
        writeln!(out, "excluded = {}", r.excluded)?;
        writeln!(out, "fail-on = {}", quote(&r.fail_on))?;
        let exclude: Vec<String> = r
            .exclude
            .iter()
            .map(|p| format!("{{ glob = {}, base = {} }}", quote(&p.glob), quote(&p.base)))
            .collect();
        writeln!(out, "exclude = [{}]", exclude.join(", "))?;
        writeln!(out, "rule-packs = {}", quote_list(&r.rule_packs))?;
        if !r.per_file_ignores.is_empty() {
            writeln!(out, "\n[per-file-ignores]")?;
            for p in &r.per_file_ignores {
                writeln!(
                    out,
                    "{} = {}  # relative to {}; {}",
                    quote(&p.glob),
                    quote_list(&p.rules),
                    p.base,
                    if p.applies {
                        "applies here"
                    } else {
                        "does not apply here"
                    }
                )?;
            }
        }
        writeln!(out, "\n[options]")?;
        writeln!(
            out,
            "shared-accounts = {}",
            quote_list(&r.options.shared_accounts)
        )?;
        writeln!(
            out,
            "nonroot-images = {}",
            quote_list(&r.options.nonroot_images)
        )?;
        writeln!(
            out,
            "\n[rules]  # {} run here, with their severity",
            r.rules.len()
        )?;
        for rule in &r.rules {
            writeln!(
                out,
                "{} = {}  # {}",
                rule.code,
                quote(rule.severity),
                rule.name
            )?;
        }
    }
    Ok(())
}
