//! Runs the rules: reads each discovered file, parses it by kind, applies the selected rules,
//! and gathers results in a deterministic order. Files are linted independently, in parallel.

use crate::catalog::{Catalog, Format, Selection};
use crate::config::Config;
use crate::config_error::ConfigError;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Candidate};
use crate::files::FileSet;
use crate::frontend::{self, Input, Linted, Lowered};
use crate::graph::Graph;
use crate::kinds::{self, Detection};
use crate::model::deployment::says_development;
use crate::model::project::{self, Facts, FileFacts, Project};
use crate::rulepack::{self, PackRule};
use crate::rules::{FileContext, PROJECT_RULES, RULES, Rule, RuleOptions, Sink};
use crate::source::SourceFile;
use crate::suppress;
use crate::template;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The longest `#!` line read (Linux reads 256 bytes of it since 5.1).
const SHEBANG_LEN: usize = 256;

/// Which rules run.
#[derive(Clone)]
pub struct Settings {
    pub rules: Vec<&'static Rule>,
    pub options: RuleOptions,
    /// The trees being linted (canonical paths). Parsers that follow references to other
    /// files (includes, drop-ins) never read outside them.
    pub roots: Vec<PathBuf>,
    /// The files read besides the linted ones, confined to `roots` (shared by every
    /// configuration of a run, so each is read once).
    pub files: Arc<FileSet>,
    /// The configuration these settings came from: per-file ignores, severity overrides.
    pub config: Arc<Config>,
    /// Selected rules from users' rule packs.
    pub custom: Vec<Arc<PackRule>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rules: RULES.iter().collect(),
            options: RuleOptions::default(),
            roots: Vec::new(),
            files: Arc::default(),
            config: Arc::new(Config::default()),
            custom: rulepack::builtin().to_vec(),
        }
    }
}

/// Rule selection given on the command line, which overrides the configuration files.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Selectors as given (codes, names, prefixes, `ALL`): each configuration resolves them
    /// against its own catalog, which may have more pack rules.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--config FILE`: used for every file instead of the nearest one.
    pub config_file: Option<PathBuf>,
    /// `--isolated`: no configuration file at all.
    pub isolated: bool,
    /// The built-in rules and those of `--rules FILE` packs; configurations add theirs.
    pub catalog: Arc<Catalog>,
    /// Rules from `--rules FILE` packs.
    pub packs: Vec<Arc<PackRule>>,
    /// `--force-exclude`: `exclude` applies to paths named on the command line too.
    pub force_exclude: bool,
    /// `--skip-unknown`: a named file is linted only when a directory walk would lint it (or
    /// its shebang names Python); others are skipped without a note.
    pub skip_unknown: bool,
    /// `--include-development`: report findings off the production path as `info`.
    pub include_development: bool,
}

impl Overrides {
    /// The command line's selectors, as codes of `catalog` (selectors that name none of its
    /// rules name nothing here).
    fn selection(&self, catalog: &Catalog) -> Selection {
        let codes = |selectors: &[String]| -> Vec<String> {
            selectors
                .iter()
                .flat_map(|s| catalog.select(s))
                .map(String::from)
                .collect()
        };
        Selection {
            select: self.select.as_deref().map(codes),
            extend_select: codes(&self.extend_select),
            ignore: codes(&self.ignore),
        }
    }

    fn selectors(&self) -> impl Iterator<Item = &String> {
        self.select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
    }
}

impl Settings {
    /// Settings from a configuration, with command-line overrides applied on top.
    pub fn from_config(config: Config, overrides: &Overrides, roots: Vec<PathBuf>) -> Settings {
        let selection = config
            .selection()
            .overridden_by(&overrides.selection(&config.catalog));
        let rules = RULES.iter().filter(|r| selection.enables(r.code)).collect();
        let custom = rulepack::builtin()
            .iter()
            .chain(&config.packs)
            .chain(&overrides.packs)
            .filter(|p| selection.enables(&p.entry.code))
            .cloned()
            .collect();
        Settings {
            rules,
            options: config.options.clone(),
            files: Arc::new(FileSet::new(roots.clone())),
            roots,
            config: Arc::new(config),
            custom,
        }
    }

    /// The rules this run's files may name: the built-in ones and the packs' loaded with the
    /// configuration and on the command line.
    pub fn catalog(&self) -> &Catalog {
        &self.config.catalog
    }

    fn enabled(&self, code: &str) -> bool {
        self.rules.iter().any(|r| r.code == code)
            || self.custom.iter().any(|p| p.entry.code == code)
    }
}

type SettingsResult = Result<Arc<Settings>, ConfigError>;

/// Finds the settings for each file: the nearest configuration file above it (cached per
/// directory), or `--config`, or none with `--isolated`.
pub struct Resolver {
    pub(crate) overrides: Overrides,
    roots: Vec<PathBuf>,
    /// The project roots above the named paths (none with `--isolated`): their other
    /// deployment files are read for context.
    project_roots: Vec<PathBuf>,
    /// Where each named path's files are judged from: its project root, else the path itself.
    judging_roots: Vec<PathBuf>,
    files: Arc<FileSet>,
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    by_config: Mutex<HashMap<Option<PathBuf>, SettingsResult>>,
}

impl Resolver {
    pub fn new(paths: &[PathBuf], overrides: Overrides) -> Self {
        let roots: Vec<PathBuf> = paths
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .map(|p| {
                if p.is_file() {
                    p.parent().map_or(p.clone(), Path::to_path_buf)
                } else {
                    p
                }
            })
            .collect();
        let mut project_roots: Vec<PathBuf> = if overrides.isolated {
            Vec::new()
        } else {
            paths
                .iter()
                .filter_map(|p| crate::graph::context::project_root(p))
                .collect()
        };
        project_roots.sort();
        project_roots.dedup();
        let judging_roots = paths
            .iter()
            .map(|p| {
                project_roots
                    .iter()
                    .find(|r| crate::graph::context::canonical(p).starts_with(r))
                    .cloned()
                    .unwrap_or_else(|| crate::graph::context::named_root(p))
            })
            .collect();
        // Front ends may follow references anywhere in the project, as a whole-project run
        // would.
        let mut roots = roots;
        roots.extend(project_roots.iter().cloned());
        Resolver {
            overrides,
            files: Arc::new(FileSet::new(roots.clone())),
            project_roots,
            judging_roots,
            roots,
            by_dir: Mutex::default(),
            by_config: Mutex::default(),
        }
    }

    /// The configuration file that governs `path`, if any.
    pub fn config_path(&self, path: &Path) -> Option<PathBuf> {
        if self.overrides.isolated {
            return None;
        }
        if let Some(explicit) = &self.overrides.config_file {
            return Some(explicit.clone());
        }
        let absolute = crate::source::absolute(path);
        let is_dir = absolute.is_dir();
        self.config_of(&absolute, is_dir)
    }

    /// `config_path` of an absolute path whose type the caller knows (a walk's entry).
    fn config_of(&self, absolute: &Path, is_dir: bool) -> Option<PathBuf> {
        let dir = if is_dir {
            absolute
        } else {
            absolute.parent().unwrap_or(Path::new(""))
        };
        self.config_in(dir)
    }

    /// The configuration nearest above files in `dir` (absolute): each directory is looked in
    /// once per run, its parents' answers coming from the cache.
    fn config_in(&self, dir: &Path) -> Option<PathBuf> {
        let cached = self
            .by_dir
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
            .cloned();
        if let Some(found) = cached {
            return found;
        }
        let found = Config::find_in(dir).or_else(|| dir.parent().and_then(|p| self.config_in(p)));
        self.by_dir
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Whether the configuration of `path` (a directory when `is_dir`) excludes it: a walk's
    /// test of each entry, without a `stat` or `getcwd` of its own.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let config_path = if self.overrides.isolated || self.overrides.config_file.is_some() {
            self.config_path(path)
        } else {
            self.config_of(&crate::source::absolute(path), is_dir)
        };
        self.settings_of(config_path)
            .is_ok_and(|settings| settings.config.excludes(path))
    }

    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        self.settings_of(self.config_path(path))
    }

    /// The settings from the configuration file `config_path` (None: the defaults).
    fn settings_of(&self, config_path: Option<PathBuf>) -> Result<Arc<Settings>, ConfigError> {
        let mut cache = self.by_config.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(config_path.clone())
            .or_insert_with(|| {
                let base = &self.overrides.catalog;
                let config = match &config_path {
                    Some(file) => {
                        Config::load(file, base)?.unwrap_or_else(|| Config::defaults(base.clone()))
                    }
                    None => Config::defaults(base.clone()),
                };
                Ok(Arc::new(Settings {
                    files: self.files.clone(),
                    ..Settings::from_config(config, &self.overrides, self.roots.clone())
                }))
            })
            .clone()
    }

    /// Every rule the run has known so far: the built-in ones, the command line's packs and
    /// those of each configuration loaded (a code defined by two packs: the first in path
    /// order).
    pub fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::clone(&self.overrides.catalog);
        let cache = self.by_config.lock().unwrap_or_else(|e| e.into_inner());
        let mut loaded: Vec<_> = cache.iter().collect();
        loaded.sort_by(|a, b| a.0.cmp(b.0));
        for (_, settings) in loaded {
            if let Ok(settings) = settings {
                catalog.absorb(settings.catalog());
            }
        }
        catalog
    }

    /// The first command-line selector that names no rule in any catalog the run has used
    /// (the built-in rules, `--rules` packs, and the packs of every configuration loaded).
    pub fn unknown_selector(&self) -> Option<String> {
        let known = self.catalog();
        self.overrides
            .selectors()
            .find(|s| known.select(s).is_empty())
            .cloned()
    }
}

#[derive(Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    /// Files that were linted, keyed by path, for rendering snippets.
    pub sources: Vec<Arc<SourceFile>>,
    /// Problems that make the run exit 2 (missing or unreadable paths).
    pub errors: Vec<String>,
    /// Things the user should know that do not fail the run (a binary file skipped).
    pub notes: Vec<String>,
    /// Broken configuration files (each once); they make the run exit 2.
    pub config_errors: Vec<ConfigError>,
    /// Every rule the run knew, for rule metadata in reports.
    pub catalog: Arc<Catalog>,
    /// The format each linted file was read as (for fixing and re-linting it).
    pub formats: std::collections::BTreeMap<PathBuf, Format>,
    /// The project's deployment graph, from the linted files and the context read beside them.
    pub graph: Arc<Graph>,
}

impl Outcome {
    pub fn source(&self, path: &Path) -> Option<&SourceFile> {
        self.sources
            .binary_search_by(|s| s.path().cmp(path))
            .ok()
            .map(|i| &*self.sources[i])
    }
}

/// Lints every file under `paths`.
pub fn run(paths: &[PathBuf], resolver: &Resolver) -> Outcome {
    let found = discover_files(paths, resolver);
    let results: Vec<FileOutcome> = found
        .candidates
        .par_iter()
        .map(|candidate| match resolver.settings_for(&candidate.path) {
            Ok(settings) => lint_candidate(candidate, settings, false),
            Err(error) => FileOutcome {
                config_error: Some(error),
                ..FileOutcome::default()
            },
        })
        .collect();
    let named: Vec<&Path> = found.candidates.iter().map(|c| c.path.as_path()).collect();
    let context = read_context(resolver, &named);
    let mut outcome = Outcome {
        errors: found.errors,
        notes: context.notes,
        ..Outcome::default()
    };
    // The configuration of each named path is checked even when nothing below it is linted.
    for path in paths {
        if let Err(error) = resolver.settings_for(path) {
            outcome.config_errors.push(error);
        }
    }
    let mut facts = Vec::new();
    let mut per_file = Vec::new();
    let mut dropped = HashSet::new();
    for result in results {
        outcome.errors.extend(result.error);
        outcome.notes.extend(result.note);
        if let Some(error) = result.config_error
            && !outcome.config_errors.iter().any(|e| e.path == error.path)
        {
            outcome.config_errors.push(error);
        }
        if let (Some(source), Some(settings), Some(format)) = (
            result.source,
            result.settings,
            result.facts.as_ref().map(|f| f.format),
        ) {
            if result.dropped {
                dropped.insert(source.path().to_path_buf());
            }
            outcome.formats.insert(source.path().to_path_buf(), format);
            per_file.push((source, format, settings, result.diagnostics));
        }
        facts.extend(result.facts);
    }
    per_file.sort_by(|a, b| a.0.path().cmp(b.0.path()));
    outcome.sources = per_file.iter().map(|(s, ..)| s.clone()).collect();
    for dir in paths.iter().filter(|p| p.is_dir()) {
        if resolver.overrides.force_exclude
            && resolver
                .settings_for(dir)
                .is_ok_and(|settings| settings.config.excludes(dir))
        {
            continue;
        }
        let dir = crate::source::normalize_path(dir);
        let linted = |s: &Arc<SourceFile>| dir.as_os_str() == "." || s.path().starts_with(&dir);
        if !outcome.sources.iter().any(linted) {
            outcome.notes.push(nothing_to_lint(&dir));
        }
    }
    facts.extend(context.facts);
    let mut all_sources: Vec<Arc<SourceFile>> = outcome
        .sources
        .iter()
        .cloned()
        .chain(context.sources)
        .collect();
    all_sources.sort_by(|a, b| a.path().cmp(b.path()));
    all_sources.dedup_by(|a, b| a.path() == b.path());
    let project = Project::new(&facts, &all_sources, &resolver.files);
    // Project rules run if any file's settings enable them; each finding is then judged by
    // the settings of the file it is in.
    let mut project_diagnostics = Vec::new();
    if let Some((_, _, settings, _)) = per_file.first() {
        let all_enabled = Settings {
            rules: RULES.iter().collect(),
            ..(**settings).clone()
        };
        project_diagnostics = check_project(&project, &all_enabled);
    }
    // Only these findings are judged below.
    let judges_settings = per_file
        .iter()
        .flat_map(|(.., diagnostics)| diagnostics)
        .chain(&project_diagnostics)
        .any(Graph::judges_settings);
    let mut graph = Graph::build_judging(&project, &resolver.judging_roots, judges_settings);
    graph.knows_project = !resolver.project_roots.is_empty();
    // Echoes are found before suppressions apply: suppressing the finding that connects the
    // files silences the echo too, and a suppression of the echo itself still counts as used.
    let shown = shown_elsewhere(
        per_file
            .iter()
            .flat_map(|(.., diagnostics)| diagnostics)
            .chain(&project_diagnostics),
    );
    // By file, in order: each file takes its own, not a scan of every project finding.
    let mut project_by_file: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
    for d in project_diagnostics {
        project_by_file.entry(d.path.clone()).or_default().push(d);
    }
    for (source, format, settings, mut diagnostics) in per_file {
        if let Some(found) = project_by_file.get_mut(source.path()) {
            diagnostics.extend(found.extract_if(.., |d| settings.enabled(&d.code)));
        }
        finish_file(&source, format, &settings, &mut diagnostics);
        graph.apply(&mut diagnostics, resolver.include_development(&settings));
        outcome.diagnostics.extend(diagnostics);
    }
    outcome.graph = Arc::new(graph);
    unify_paths(&mut outcome);
    drop_echoes(&mut outcome.diagnostics, &shown);
    outcome.catalog = Arc::new(resolver.catalog());
    reload_dropped(&mut outcome, &dropped, &resolver.files);
    // Findings may point into files that were read but not linted themselves (a unit's
    // drop-ins): load those for rendering.
    load_referenced_sources(&mut outcome, &resolver.files);
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
}

/// The files under `paths` that `run` would read, with the configuration's excludes applied.
pub fn discover_files(paths: &[PathBuf], resolver: &Resolver) -> discover::Discovery {
    let excluded = |path: &Path, is_dir: bool| resolver.excludes(path, is_dir);
    let mut found = discover::discover(
        paths,
        &excluded,
        &discover::Options {
            force_exclude: resolver.overrides.force_exclude,
            skip_unknown: resolver.overrides.skip_unknown,
        },
    );
    let paths: Vec<(&Path, bool)> = found
        .candidates
        .iter()
        .map(|c| (c.path.as_path(), c.explicit))
        .collect();
    let kinds = frontend::named_kinds(&paths, &resolver.files);
    for (candidate, kind) in found.candidates.iter_mut().zip(kinds) {
        candidate.named_as = kind;
    }
    found
}

/// The project's other deployment files, read for context: their facts and kept texts, never
/// their findings.
#[derive(Default)]
struct Context {
    facts: Vec<FileFacts>,
    sources: Vec<Arc<SourceFile>>,
    notes: Vec<String>,
}

/// Reads the deployment files of each project root besides `named` (the files being linted),
/// within the budget of `graph::context`. Nothing with `--isolated` or outside a project.
fn read_context(resolver: &Resolver, named: &[&Path]) -> Context {
    let mut context = Context::default();
    // Without a project there is nothing to read, and no named file to canonicalize.
    if resolver.project_roots.is_empty() {
        return context;
    }
    let named: HashSet<PathBuf> = named
        .iter()
        .map(|p| crate::graph::context::canonical(p))
        .collect();
    let excluded = |path: &Path, is_dir: bool| resolver.excludes(path, is_dir);
    let mut candidates = Vec::new();
    for root in &resolver.project_roots {
        let shown = crate::graph::context::display_root(root);
        let listing = crate::graph::context::list(&shown, &excluded);
        if listing.truncated {
            context.notes.push(format!(
                "{}: read only the first {} deployment files of the project for context \
                 (the budget is {} files and {} MiB)",
                shown.display(),
                listing.files.len(),
                crate::graph::context::MAX_CONTEXT_FILES,
                crate::graph::context::MAX_CONTEXT_BYTES >> 20
            ));
        }
        candidates.extend(
            listing
                .files
                .into_iter()
                .filter(|p| {
                    !named.contains(&crate::graph::context::listed_canonical(root, &shown, p))
                })
                .map(|path| Candidate {
                    path,
                    explicit: false,
                    skip_unknown: false,
                    named_as: None,
                }),
        );
    }
    candidates.sort_by(|a, b| a.path.cmp(&b.path));
    candidates.dedup_by(|a, b| a.path == b.path);
    let results: Vec<FileOutcome> = candidates
        .par_iter()
        .filter_map(|candidate| {
            let settings = resolver.settings_for(&candidate.path).ok()?;
            Some(lint_candidate(candidate, settings, true))
        })
        .collect();
    for result in results {
        if let Some(source) = result.source
            && !source.text().is_empty()
        {
            context.sources.push(source);
        }
        context.facts.extend(result.facts);
    }
    context
}

impl Resolver {
    /// Whether findings off the production path are shown (as `info`) for a file with
    /// `settings`.
    fn include_development(&self, settings: &Settings) -> bool {
        self.overrides.include_development || settings.config.include_development
    }
}

/// Says what was looked for in a directory where nothing was linted, so an empty run is not
/// mistaken for a clean one.
fn nothing_to_lint(dir: &Path) -> String {
    let kinds: Vec<&str> = frontend::FRONT_ENDS
        .iter()
        .map(|f| f.format.as_str())
        .collect();
    format!(
        "{}: found no file deploylint reads (kinds: {}); hidden files, files ignored by \
         .gitignore or .ignore and excluded paths are skipped",
        dir.display(),
        kinds.join(", ")
    )
}

/// One fact, one finding: a finding whose location another finding of the same rule already
/// shows as a label in another file (a compose service that runs as root because of its
/// Dockerfile's `USER`, when the Dockerfile is linted too) is dropped; the one that connects
/// both files stays. A finding that labels another file itself is kept, so two findings that
/// point at each other both stay.
fn drop_echoes(diagnostics: &mut Vec<Diagnostic>, shown: &HashSet<Shown>) {
    if shown.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        !shown.contains(&(d.code.clone(), d.path.clone(), d.span)) || !cross_file(d).is_empty()
    });
}

/// A rule's code, a file and a span in it.
type Shown = (String, PathBuf, crate::source::Span);

/// The places a finding shows as labels in files other than its own.
fn cross_file(d: &Diagnostic) -> Vec<Shown> {
    let own = crate::source::normalize_path(&d.path);
    d.labels
        .iter()
        .filter_map(|l| {
            let path = crate::source::normalize_path(l.path.as_ref()?);
            (path != own).then(|| (d.code.clone(), path, l.span))
        })
        .collect()
}

fn shown_elsewhere<'d>(diagnostics: impl Iterator<Item = &'d Diagnostic>) -> HashSet<Shown> {
    diagnostics.flat_map(cross_file).collect()
}

/// Names every finding's and label's file the way the linted file is named: without `.`
/// components, and a path through `..` (`build: ../app`) as the linted file it leads to, so
/// one file is loaded, rendered and reported under one name.
fn unify_paths(outcome: &mut Outcome) {
    let sources = &outcome.sources;
    let mut canonical: Option<HashMap<PathBuf, PathBuf>> = None;
    let mut unify = |path: &mut PathBuf| {
        *path = crate::source::normalize_path(path);
        let known = |p: &Path| sources.binary_search_by(|s| s.path().cmp(p)).is_ok();
        if known(path)
            || !path
                .components()
                .any(|c| c == std::path::Component::ParentDir)
        {
            return;
        }
        let by_canonical = canonical.get_or_insert_with(|| {
            sources
                .iter()
                .filter_map(|s| Some((std::fs::canonicalize(s.path()).ok()?, s.path().into())))
                .collect()
        });
        if let Some(linted) = std::fs::canonicalize(&*path)
            .ok()
            .and_then(|c| by_canonical.get(&c))
        {
            *path = linted.clone();
        }
    };
    for d in &mut outcome.diagnostics {
        unify(&mut d.path);
        for label in &mut d.labels {
            if let Some(path) = &mut label.path {
                unify(path);
            }
        }
    }
}

/// Reads again the texts `lint_candidate` dropped that a finding or label points into after
/// all (the keep test there is only an economy; rendering must never lack a text).
fn reload_dropped(outcome: &mut Outcome, dropped: &HashSet<PathBuf>, files: &FileSet) {
    let wanted: HashSet<&PathBuf> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(&d.path).chain(d.labels.iter().filter_map(|l| l.path.as_ref()))
        })
        .filter(|p| dropped.contains(*p))
        .collect();
    for path in wanted {
        let Ok(i) = outcome.sources.binary_search_by(|s| s.path().cmp(path)) else {
            continue;
        };
        if let Ok(file) = files.read(path) {
            outcome.sources[i] = Arc::new(SourceFile::new(path.clone(), file.text.clone()));
        }
    }
}

/// Lints text that is not on disk (an editor's buffer on stdin) as if it were `path`. With
/// `unnamed` (plain `-`), nothing but the content tells the kind, and content that tells none
/// is an error.
pub fn run_text(path: &Path, text: String, resolver: &Resolver, unnamed: bool) -> Outcome {
    let mut outcome = Outcome::default();
    let settings = match resolver.settings_for(path) {
        Ok(settings) => settings,
        Err(error) => {
            outcome.config_errors.push(error);
            return outcome;
        }
    };
    outcome.catalog = Arc::new(resolver.catalog());
    let format = match kinds::detect_by_name(path) {
        Detection::Known(format) => Some(format),
        _ => kinds::detect_by_content(path, &text, true),
    };
    let Some(format) = format else {
        if unnamed {
            outcome.errors.push(
                "standard input: cannot tell which kind of file this is; name it with \
                 --stdin-filename and the file's path"
                    .into(),
            );
        } else {
            outcome.notes.push(format!(
                "{}: skipped: not a file kind deploylint reads",
                path.display()
            ));
        }
        return outcome;
    };
    let source = Arc::new(SourceFile::new(path, text));
    let (mut diagnostics, facts) = lint_file(&source, format, &settings);
    // The buffer is judged in its project, as the file on disk would be: the project's other
    // files are read for context (the buffer replaces its own file on disk).
    // Plain `-` has no place in a project.
    let context = if unnamed {
        Context::default()
    } else {
        read_context(resolver, &[path])
    };
    outcome.notes.extend(context.notes);
    let mut all_facts = context.facts;
    all_facts.push(FileFacts {
        path: path.to_path_buf(),
        format,
        facts,
    });
    let mut all_sources = context.sources;
    all_sources.push(source.clone());
    all_sources.sort_by(|a, b| a.path().cmp(b.path()));
    let project = Project::new(&all_facts, &all_sources, &resolver.files);
    let mut graph = Graph::build(&project, &resolver.judging_roots);
    graph.knows_project = !resolver.project_roots.is_empty();
    let from_project = check_project(&project, &settings);
    diagnostics.extend(
        from_project
            .into_iter()
            .filter(|d| d.path == path && settings.enabled(&d.code)),
    );
    finish_file(&source, format, &settings, &mut diagnostics);
    graph.apply(&mut diagnostics, resolver.include_development(&settings));
    outcome.graph = Arc::new(graph);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome.diagnostics = diagnostics;
    outcome.formats.insert(path.to_path_buf(), format);
    outcome.sources.push(source);
    unify_paths(&mut outcome);
    // A label into a file on disk (the Dockerfile a compose buffer builds) is drawn from it.
    load_referenced_sources(&mut outcome, &resolver.files);
    outcome
}

/// What the configuration and the file's own comments say about its findings:
/// per-file ignores, inline suppressions (and the unused ones), severity overrides.
fn finish_file(
    source: &SourceFile,
    format: Format,
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ignored = settings.config.ignored_for(source.path());
    diagnostics.retain(|d| !ignored.contains(&d.code.as_str()));
    let enabled: Vec<&str> = settings
        .rules
        .iter()
        .map(|r| r.code)
        .chain(settings.custom.iter().map(|p| p.entry.code.as_str()))
        .filter(|c| !ignored.contains(c))
        .collect();
    let unused = suppress::apply(source, format, diagnostics, &enabled, settings.catalog());
    suppress_in_other_files(source, diagnostics, &enabled, settings);
    if enabled.contains(&suppress::UNUSED_CODE) {
        let entry = settings.catalog().entry(suppress::UNUSED_CODE);
        let mut sink = Sink::new(entry, source.path(), diagnostics).for_format(format);
        for unused in unused {
            let fix = sink.fix(unused.removal);
            let d = sink.report(unused.span, unused.message);
            d.set_fix(fix);
            // Not merely unused: the line itself is not what its author meant.
            if unused.misplaced {
                d.severity = crate::diagnostic::Severity::Warning;
                d.help(
                    "Put the suppression on its own line just above the line it is for (a \
                     comment line), and remove this text from the value.",
                );
            }
        }
    }
    for d in diagnostics.iter_mut() {
        if let Some(severity) = settings.config.severity.get(d.code.as_str()) {
            d.severity = *severity;
        }
    }
}

/// Findings a file's lint places in a file that is not linted itself (the entrypoint script
/// a Dockerfile runs, a unit's drop-in) answer to that file's own suppression comments. What
/// those comments leave unused is not judged from here: another launcher may run the same
/// script.
fn suppress_in_other_files(
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &[&str],
    settings: &Settings,
) {
    let mut others: Vec<PathBuf> = diagnostics
        .iter()
        .filter(|d| d.path != source.path())
        .map(|d| d.path.clone())
        .collect();
    others.sort();
    others.dedup();
    for path in others {
        let Ok(file) = settings.files.read(&path) else {
            continue;
        };
        if !file.text.contains("deploylint:") {
            continue;
        }
        let format = match kinds::detect_by_name(&path) {
            Detection::Known(format) => Some(format),
            _ => None,
        };
        let other = SourceFile::new(path, file.text.as_str());
        suppress::apply_elsewhere(&other, format, diagnostics, enabled, settings.catalog());
    }
}

#[derive(Default)]
struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    settings: Option<Arc<Settings>>,
    config_error: Option<ConfigError>,
    facts: Option<FileFacts>,
    source: Option<Arc<SourceFile>>,
    error: Option<String>,
    note: Option<String>,
    /// The source's text was dropped after linting (see `lint_candidate`).
    dropped: bool,
}

/// A discovered file read and classified: what `run` lints, and what `--show-files` lists.
pub enum Classified {
    /// Linted as `format`; `note` says if invalid UTF-8 was replaced.
    Lint {
        text: String,
        format: Format,
        note: Option<String>,
    },
    /// Not linted, with the note to print, if any.
    Skipped(Option<String>),
    /// Could not be read (exit 2).
    Failed(String),
}

pub fn classify(candidate: &Candidate) -> Classified {
    classify_in(candidate, None)
}

/// As `classify`; a file named on the command line is read through `files`, where the
/// named-config pre-pass may have read it and its project's files look for it (a compose
/// file building a named Dockerfile): it is read once.
fn classify_in(candidate: &Candidate, files: Option<&FileSet>) -> Classified {
    let path = &candidate.path;
    let by_name = kinds::detect_by_name(path);
    // Under --skip-unknown, only a shebang can make a file of an unknown name one to lint, so
    // its first line is all that is read.
    let quiet = candidate.explicit && candidate.skip_unknown;
    if quiet
        && matches!(by_name, Detection::Unknown)
        && !discover::read_head(path, SHEBANG_LEN)
            .is_ok_and(|head| kinds::shebang_kind(&head).is_some_and(|kind| kind.is_some()))
    {
        return Classified::Skipped(None);
    }
    let kept = files
        .filter(|_| candidate.explicit)
        .and_then(|files| files.read(path).ok());
    // A file the set does not give (binary, too large, unreadable) is read as before, for
    // the reason.
    let (text, lossy) = match kept {
        Some(file) => (file.text.clone(), file.lossy),
        None => {
            let bytes = match discover::read_file(path) {
                Ok(bytes) => bytes,
                Err(discover::Unread::Failed(reason)) => {
                    return Classified::Failed(format!("{}: {reason}", path.display()));
                }
                Err(discover::Unread::Skipped(reason)) => {
                    return Classified::Skipped(Some(format!(
                        "{}: skipped: {reason}",
                        path.display()
                    )));
                }
            };
            let Some(decoded) = decode(bytes) else {
                return Classified::Skipped(Some(format!(
                    "{}: skipped: binary file",
                    path.display()
                )));
            };
            decoded
        }
    };
    let note = lossy.then(|| {
        format!(
            "{}: not valid UTF-8; invalid bytes were replaced before linting",
            path.display()
        )
    });
    let format = match by_name {
        // What another file names it as (a launcher's `gunicorn -c`), unless its content is
        // plainly another format's (an Apache `.conf` of the same name elsewhere).
        _ if candidate.named_as.is_some_and(|named| {
            kinds::detect_by_content(path, &text, false).is_none_or(|sniffed| sniffed == named)
        }) =>
        {
            candidate.named_as
        }
        Detection::Known(format) => Some(format),
        Detection::NeedsContent => {
            kinds::detect_by_content(path, &text, candidate.explicit && !quiet)
        }
        Detection::Unknown if candidate.explicit => kinds::detect_by_content(path, &text, true),
        Detection::Unknown => None,
    };
    match format {
        Some(format) => Classified::Lint { text, format, note },
        None => Classified::Skipped((candidate.explicit && !quiet).then(|| {
            format!(
                "{}: skipped: not a file kind deploylint reads",
                path.display()
            )
        })),
    }
}

/// Lints one discovered file; as `context`, only its facts are gathered (no rule runs).
fn lint_candidate(candidate: &Candidate, settings: Arc<Settings>, context: bool) -> FileOutcome {
    let path = &candidate.path;
    let (text, format, note) = match classify_in(candidate, Some(&settings.files)) {
        Classified::Lint { text, format, note } => (text, format, note),
        Classified::Skipped(note) => {
            return FileOutcome {
                note,
                ..FileOutcome::default()
            };
        }
        Classified::Failed(error) => {
            return FileOutcome {
                error: Some(error),
                ..FileOutcome::default()
            };
        }
    };
    let source = SourceFile::new(path.clone(), text);
    let (diagnostics, mut facts) = if context {
        let facts_only = Settings {
            rules: Vec::new(),
            custom: Vec::new(),
            ..(*settings).clone()
        };
        (Vec::new(), lint_file(&source, format, &facts_only).1)
    } else {
        lint_file(&source, format, &settings)
    };
    // Notes from the parse (an include left unread) join the file's own note.
    let note = note
        .into_iter()
        .chain(facts.notes.drain(..))
        .reduce(|a, b| format!("{a}\ndeploylint: note: {b}"));
    // Keep the text only where it is read again: to render findings, to find suppressions,
    // and for project rules (a Dockerfile starting a script; a Python file whose `.run()`
    // might be what it starts). A big tree's other files are dropped once linted; the path
    // stays so the file is counted.
    let keep = !diagnostics.is_empty()
        || !facts.script_launches.is_empty()
        || source.text().contains("deploylint")
        || (frontend::front_end(format).keep_text)(source.text());
    let source = if keep {
        source
    } else {
        SourceFile::new(path.clone(), String::new())
    };
    let dropped = !keep;
    FileOutcome {
        diagnostics,
        settings: Some(settings),
        config_error: None,
        facts: Some(FileFacts {
            path: path.clone(),
            format,
            facts,
        }),
        source: Some(Arc::new(source)),
        error: None,
        note,
        dropped,
    }
}

pub use crate::files::decode;

/// Lints one file of a known format, with its suppressions applied. The text is never
/// executed or written.
pub fn lint_source(source: &SourceFile, format: Format, settings: &Settings) -> Vec<Diagnostic> {
    lint_source_with(source, format, settings, Vec::new())
}

/// `lint_source` with findings from elsewhere added before suppressions are judged: the
/// project rules' findings in this file, which one file's lint cannot produce.
pub fn lint_source_with(
    source: &SourceFile,
    format: Format,
    settings: &Settings,
    extra: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut diagnostics = lint_file(source, format, settings).0;
    diagnostics.extend(extra);
    finish_file(source, format, settings, &mut diagnostics);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// Lints one file and returns, with its findings, the facts it contributes to the project.
/// The file's front end parses and lowers it; every selected rule then reads the result.
pub fn lint_file(
    source: &SourceFile,
    format: Format,
    settings: &Settings,
) -> (Vec<Diagnostic>, Facts) {
    let front_end = frontend::front_end(format);
    let rules: Vec<&Rule> = settings
        .rules
        .iter()
        .copied()
        .filter(|rule| {
            settings
                .catalog()
                .entry(rule.code)
                .formats
                .contains(&format)
        })
        .filter(|rule| {
            rule.prefilter
                .is_none_or(|may_fire| may_fire(format, source.text()))
        })
        .collect();
    let custom: Vec<&PackRule> = settings
        .custom
        .iter()
        .map(Arc::as_ref)
        .filter(|p| p.applies_to(format))
        .collect();
    // A template is linted as the file it renders to, its markup masked in place.
    let template = source.path();
    let rendered = template::lint_as(source);
    let structure_renders = rendered.is_some() && template::has_control_blocks(source.text());
    let source = rendered.as_ref().map_or(source, |r| &r.source);
    // The file is lowered even when no rule applies: the project graph reads its launchers
    // (a front end whose lowering has none may skip it: `Input::rules_apply`).
    let mut launchers = Vec::new();
    let mut references = Vec::new();
    let mut starts_nothing = false;
    let mut check = |lowered: &Lowered<'_>| {
        // Settings servers read from their environment, as the options they stand for.
        let deployment = crate::model::server_env::with_server_env(lowered.deployment);
        let deployment = deployment.as_ref();
        let (found, read, nothing) = project::launcher_facts(source, deployment);
        launchers.extend(found);
        references.extend(read);
        starts_nothing |= nothing;
        let mut diagnostics = Vec::new();
        let ctx = FileContext {
            source,
            format,
            view: lowered.view,
            deployment,
            errors: if structure_renders {
                &[]
            } else {
                lowered.errors
            },
            options: &settings.options,
        };
        for rule in &rules {
            let entry = settings.catalog().entry(rule.code);
            let mut sink = Sink::new(entry, source.path(), &mut diagnostics).for_format(format);
            (rule.check)(&ctx, &mut sink);
        }
        for pack_rule in &custom {
            let mut sink = Sink::new(&pack_rule.entry, source.path(), &mut diagnostics);
            pack_rule.check(&ctx, lowered, &mut sink);
        }
        diagnostics
    };
    let input = Input {
        source,
        files: &settings.files,
        rules_apply: !rules.is_empty() || !custom.is_empty(),
    };
    let Linted {
        mut diagnostics,
        mut facts,
    } = (front_end.lint)(&input, &mut check);
    if let Some(rendered) = &rendered {
        rendered.restore(&mut diagnostics, template);
    }
    facts.launchers = launchers;
    facts.references = references;
    facts.starts_nothing = starts_nothing;
    facts.says_development = says_development(source.text());
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (diagnostics, facts)
}

/// Loads the text of files that findings point into but that were not linted themselves (a
/// systemd drop-in linted through its unit, an environment file), so they can be rendered.
/// They were read through the file set while linting, so this is a lookup, not a new read.
fn load_referenced_sources(outcome: &mut Outcome, files: &FileSet) {
    outcome.sources.sort_by(|a, b| a.path().cmp(b.path()));
    let mut missing: Vec<PathBuf> = outcome
        .diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(d.path.clone()).chain(d.labels.iter().filter_map(|l| l.path.clone()))
        })
        .filter(|p| outcome.source(p).is_none())
        .collect();
    missing.sort();
    missing.dedup();
    for path in missing {
        if let Ok(file) = files.read(&path) {
            outcome
                .sources
                .push(Arc::new(SourceFile::new(path, file.text.clone())));
        }
    }
    outcome.sources.sort_by(|a, b| a.path().cmp(b.path()));
}

/// Runs the rules that connect files (a launcher in one, the code it starts in another).
fn check_project(project: &Project<'_>, settings: &Settings) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in PROJECT_RULES {
        if settings.rules.iter().any(|r| r.code == rule.code) {
            (rule.check)(project, settings.catalog().entry(rule.code), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding that lands in a file whose text was dropped gets the text back for rendering.
    #[test]
    fn dropped_text_is_read_again_for_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM python\n").unwrap();
        let mut outcome = Outcome {
            sources: vec![Arc::new(SourceFile::new(path.clone(), String::new()))],
            diagnostics: vec![Diagnostic {
                code: "USR001".into(),
                name: "runs-as-root".into(),
                severity: crate::diagnostic::Severity::Error,
                path: path.clone(),
                span: crate::source::Span::new(5, 11),
                message: String::new(),
                labels: Vec::new(),
                help: None,
                fix: None,
            }],
            ..Outcome::default()
        };
        let files = FileSet::new(vec![std::fs::canonicalize(dir.path()).unwrap()]);
        reload_dropped(&mut outcome, &HashSet::from([path.clone()]), &files);
        assert_eq!(outcome.source(&path).unwrap().text(), "FROM python\n");
    }
}
