//! The project's deployment graph: every launcher the project's files start, the code each
//! runs, and whether each launcher, file and module is on the production path, with the
//! evidence. Built from the deployment model's facts (it names no format), so every front end's
//! launchers join it; the engine reads it to demote findings off the production path.

pub mod context;
pub mod proxy;
pub mod render;
pub mod settings;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::deployment::{DEVELOPMENT_WORDS, is_development_word};
use crate::model::launcher::Entry;
use crate::model::project::{self, LauncherFact, Project, ScriptLaunch};
use crate::source::Span;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Whether something runs in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Production,
    Development,
    Unknown,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Production => "production",
            Class::Development => "development",
            Class::Unknown => "unknown",
        }
    }
}

/// One launcher of the project, classified.
#[derive(Debug, Clone)]
pub struct Launcher {
    /// The file it is in, as the run names it.
    pub file: PathBuf,
    pub fact: LauncherFact,
    /// The project file its entry resolves to, when one does.
    pub entry_file: Option<PathBuf>,
    pub class: Class,
    pub evidence: Vec<String>,
}

impl Launcher {
    /// `Dockerfile:12 `gunicorn app:app``, for messages.
    pub fn cite(&self) -> String {
        format!(
            "{}:{} `{}`",
            self.file.display(),
            self.fact.line,
            self.fact.command
        )
    }
}

/// What the graph knows of one file.
#[derive(Debug, Clone, Default)]
struct FileInfo {
    /// As the run names it.
    display: PathBuf,
    class: Option<Class>,
    evidence: Vec<String>,
    /// Launchers (indices) in this file.
    launchers: Vec<usize>,
    /// Launchers (indices) whose entry is this file.
    started_by: Vec<usize>,
    starts_nothing: bool,
    /// Another file's service is built from or reads it.
    referenced: bool,
}

/// What the post-pass does with a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// On the production path through a launcher elsewhere: say how it is reached.
    Reached {
        launcher: usize,
    },
    /// Not on the production path, for this reason.
    Demote(String),
    /// On the production path through a module that inherits it (a Django settings module
    /// that production selects): say so, with a label there.
    Inherited {
        note: String,
        label: Label,
    },
    /// The rule does not judge this file (a base image for USR001).
    Drop,
}

/// Rules that judge only images that start something: a base or tool image (no start command,
/// not used by a service) leaves the account to whatever is built from it.
const NOT_FOR_BASE_IMAGES: &[&str] = &["USR001"];

/// Rules whose concern is reach over the host's network: code that only containers or pods
/// run binds inside their own network namespace, where every interface is how the app is
/// reached at all (a launcher on a host, or with the host's network, keeps the finding).
const OWN_NETWORK_RULES: &[&str] = &["NET001"];

/// The project graph.
#[derive(Debug, Default)]
pub struct Graph {
    pub launchers: Vec<Launcher>,
    /// Keyed by canonical path; hashed, since every finding looks its file up (a tree's
    /// worth of path comparisons in an ordered map).
    files: HashMap<PathBuf, FileInfo>,
    /// Canonical roots, longest first.
    roots: Vec<PathBuf>,
    /// `if __name__ == "__main__":` blocks of code files with findings, by canonical path.
    main_blocks: HashMap<PathBuf, Vec<Span>>,
    /// The whole project was read (a root was found), so a file no other file uses is known
    /// to be unused; without it, a compose file elsewhere may build an image that starts
    /// nothing itself.
    pub knows_project: bool,
    /// The Django settings modules the launchers select, and what they inherit.
    pub settings: settings::Chains,
    /// The project's reverse proxies and the launchers they reach.
    pub proxies: proxy::Proxies,
    /// The canonical paths of the files it has named.
    canonical: context::Canonicals,
}

/// Rules that judge a Django settings module's `DEBUG`, which the settings chains decide.
const SETTINGS_DEBUG_RULES: &[&str] = &["DBG002"];

impl Graph {
    /// Builds the graph of `project` (the linted files and the context read beside them),
    /// judged from `roots` (canonical project roots, or the named paths when none was found).
    pub fn build(project: &Project<'_>, roots: &[PathBuf]) -> Graph {
        Graph::build_judging(project, roots, true)
    }

    /// Whether judging `diagnostic` consults the settings chains (see `build_judging`).
    pub fn judges_settings(diagnostic: &Diagnostic) -> bool {
        SETTINGS_DEBUG_RULES.contains(&diagnostic.code.as_str())
    }

    /// `build`, reading the Django settings chains only when `settings` says a finding to be
    /// judged needs them (`judges_settings`): they are only consulted for those, and reading
    /// them compiles their patterns and reads the settings modules.
    pub fn build_judging(project: &Project<'_>, roots: &[PathBuf], settings: bool) -> Graph {
        let mut graph = Graph {
            roots: {
                let mut r = roots.to_vec();
                r.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
                r.dedup();
                r
            },
            ..Graph::default()
        };
        let code_files = project.python_files();
        for file in project.files {
            let canonical = graph.canonical.of(&file.path);
            let info = graph.files.entry(canonical.clone()).or_default();
            info.display = file.path.clone();
            info.starts_nothing = file.facts.starts_nothing;
            let mut evidence = graph.path_evidence(&canonical);
            if file.facts.says_development {
                evidence.push(format!(
                    "{}: its opening comment says it is for development",
                    file.path.display()
                ));
            }
            let info = graph.files.get_mut(&canonical).expect("inserted above");
            if !evidence.is_empty() {
                info.class = Some(Class::Development);
                info.evidence = evidence.clone();
            }
            for reference in &file.facts.references {
                let reference = graph.canonical.of(reference);
                graph.files.entry(reference).or_default().referenced = true;
            }
            for fact in &file.facts.launchers {
                let mut launcher = Launcher {
                    file: file.path.clone(),
                    fact: fact.clone(),
                    entry_file: None,
                    class: Class::Unknown,
                    evidence: evidence.clone(),
                };
                classify_launcher(&mut launcher);
                launcher.entry_file = launcher
                    .fact
                    .runs
                    .as_ref()
                    .and_then(|runs| resolve_entry(&file.path, fact, &runs.entry, &code_files))
                    .map(Path::to_path_buf);
                let index = graph.launchers.len();
                graph.launchers.push(launcher);
                graph
                    .files
                    .get_mut(&canonical)
                    .expect("inserted above")
                    .launchers
                    .push(index);
            }
        }
        graph.built_only_for_development(project);
        graph.run_with_host_network(project);
        for (index, launcher) in graph.launchers.iter().enumerate() {
            if let Some(entry) = &launcher.entry_file {
                let entry_canonical = graph.canonical.of(entry);
                let info = graph.files.entry(entry_canonical).or_default();
                if info.display.as_os_str().is_empty() {
                    info.display = entry.clone();
                }
                info.started_by.push(index);
            }
        }
        let any_production = graph.launchers.iter().any(|l| l.class == Class::Production);
        let launchers = &graph.launchers;
        for info in graph.files.values_mut() {
            if info.class.is_some() {
                continue;
            }
            let own: Vec<&Launcher> = info.launchers.iter().map(|i| &launchers[*i]).collect();
            let starters: Vec<&Launcher> = info.started_by.iter().map(|i| &launchers[*i]).collect();
            let production = own
                .iter()
                .chain(&starters)
                .find(|l| l.class == Class::Production);
            if let Some(l) = production {
                info.class = Some(Class::Production);
                info.evidence = vec![if starters.iter().any(|s| std::ptr::eq(*s, *l)) {
                    format!("started by {}", l.cite())
                } else {
                    format!("starts {}", l.cite())
                }];
            } else if !own.is_empty() && own.iter().all(|l| l.class == Class::Development) {
                info.class = Some(Class::Development);
                info.evidence = own.iter().flat_map(|l| l.evidence.clone()).collect();
                info.evidence.dedup();
            } else if own.is_empty()
                && any_production
                && !starters.is_empty()
                && starters.iter().all(|l| l.class == Class::Development)
            {
                info.class = Some(Class::Development);
                info.evidence = starters
                    .iter()
                    .map(|l| format!("only started by {}", l.cite()))
                    .collect();
            }
        }
        let class_of = |path: &Path| {
            graph
                .files
                .get(&graph.canonical.of(path))
                .and_then(|f| f.class)
                .unwrap_or(Class::Unknown)
        };
        if settings {
            let mut chains =
                settings::Chains::build(project, &graph.launchers, &class_of, &graph.canonical);
            chains.roots = graph.roots.clone();
            graph.settings = chains;
        }
        let roots = graph.roots.clone();
        // The project's joins (its rules use them too), one launcher per fact as here.
        debug_assert_eq!(
            graph.launchers.len(),
            project
                .files
                .iter()
                .map(|f| f.facts.launchers.len())
                .sum::<usize>()
        );
        graph.proxies = proxy::Proxies::of(project)
            .within(&|file| roots.iter().find(|r| file.starts_with(r)).cloned());
        for source in project.sources {
            let canonical = graph.canonical.of(source.path());
            if graph
                .files
                .get(&canonical)
                .is_some_and(|f| !f.started_by.is_empty())
                && source.text().contains("__main__")
            {
                graph
                    .main_blocks
                    .insert(canonical, project::main_blocks(source.text()));
            }
        }
        graph
    }

    /// An image's start command that a compose service runs with the host's network binds on
    /// the host, whatever the Dockerfile alone suggests.
    fn run_with_host_network(&mut self, project: &Project<'_>) {
        for build in project
            .files
            .iter()
            .flat_map(|f| &f.facts.builds)
            .filter(|b| b.host_network)
        {
            if let Some(info) = self.files.get(&self.canonical.of(&build.built_from)) {
                for i in info.launchers.clone() {
                    self.launchers[i].fact.on_host = true;
                }
            }
        }
    }

    /// A Dockerfile that only development services build (a development compose file's, one
    /// built with a development build argument or target) is a development image, with its
    /// launchers, when the project runs something in production elsewhere; a Dockerfile built
    /// by one production service too, or by nothing, is judged as before.
    fn built_only_for_development(&mut self, project: &Project<'_>) {
        let mut builds: BTreeMap<PathBuf, Vec<(String, Option<String>)>> = BTreeMap::new();
        for file in project.files {
            let canonical = self.canonical.of(&file.path);
            let mut file_evidence = self.path_evidence(&canonical);
            if file.facts.says_development {
                file_evidence.push("its opening comment says it is for development".into());
            }
            for build in &file.facts.builds {
                let why = build
                    .development
                    .clone()
                    .or_else(|| file_evidence.first().cloned());
                builds
                    .entry(self.canonical.of(&build.built_from))
                    .or_default()
                    .push((
                        format!("{}'s service `{}`", file.path.display(), build.service),
                        why,
                    ));
            }
        }
        for (image_file, builders) in builds {
            if builders.iter().any(|(_, why)| why.is_none()) {
                continue;
            }
            let Some(info) = self.files.get(&image_file) else {
                continue;
            };
            if info.class.is_some() {
                continue;
            }
            let own = info.launchers.clone();
            let production_elsewhere = self
                .launchers
                .iter()
                .enumerate()
                .any(|(i, l)| l.class == Class::Production && !own.contains(&i));
            if !production_elsewhere {
                continue;
            }
            let evidence: Vec<String> = builders
                .iter()
                .map(|(by, why)| {
                    format!(
                        "only development builds it: {by} ({})",
                        why.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            for i in &own {
                self.launchers[*i].class = Class::Development;
                self.launchers[*i].evidence = evidence.clone();
            }
            let info = self.files.get_mut(&image_file).expect("found above");
            info.class = Some(Class::Development);
            info.evidence = evidence;
        }
    }

    /// The class of a file and its evidence.
    pub fn file_class(&self, path: &Path) -> (Class, &[String]) {
        match self.files.get(&self.canonical.of(path)) {
            Some(info) => (info.class.unwrap_or(Class::Unknown), &info.evidence),
            None => (Class::Unknown, &[]),
        }
    }

    /// The files the graph classified, as the run names them, with their class and evidence.
    pub fn files(&self) -> impl Iterator<Item = (&Path, Class, &[String])> {
        let mut files: Vec<(&PathBuf, &FileInfo)> = self.files.iter().collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        files
            .into_iter()
            .map(|(_, f)| f)
            .filter(|f| !f.display.as_os_str().is_empty())
            .map(|f| {
                (
                    f.display.as_path(),
                    f.class.unwrap_or(Class::Unknown),
                    f.evidence.as_slice(),
                )
            })
    }

    /// Development evidence in a file's path below its root: a directory or the file's own name
    /// made of development words (`tests/`, `Procfile.dev`, `compose.override.yaml`).
    fn path_evidence(&self, canonical: &Path) -> Vec<String> {
        let Some(root) = self.roots.iter().find(|r| canonical.starts_with(r)) else {
            return Vec::new();
        };
        let Ok(relative) = canonical.strip_prefix(root) else {
            return Vec::new();
        };
        let parts: Vec<&str> = relative
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .collect();
        let Some((name, dirs)) = parts.split_last() else {
            return Vec::new();
        };
        let mut evidence = Vec::new();
        if let Some(dir) = dirs.iter().find(|d| is_development_part(d)) {
            evidence.push(format!(
                "it is under `{dir}/`, a development or test directory"
            ));
        }
        if is_development_part(name) {
            evidence.push(format!("its name `{name}` says development or tests"));
        }
        evidence
    }

    /// What to do with a finding: keep it, say how production reaches it, demote it, or drop
    /// it.
    pub fn judge(&self, diagnostic: &Diagnostic) -> Verdict {
        let canonical = self.canonical.of(&diagnostic.path);
        let Some(info) = self.files.get(&canonical) else {
            return Verdict::Keep;
        };
        if info.class == Some(Class::Development) {
            return Verdict::Demote(info.evidence.join("; "));
        }
        if Graph::judges_settings(diagnostic) {
            match self.settings.judge(diagnostic) {
                Some(settings::Judgement::NotProduction(reason)) => {
                    return Verdict::Demote(reason);
                }
                Some(settings::Judgement::Inherited { note, label }) => {
                    return Verdict::Inherited { note, label };
                }
                None => {}
            }
        }
        let span = diagnostic.span;
        let inside = |outer: Span| outer.start <= span.start && span.end <= outer.end;
        if OWN_NETWORK_RULES.contains(&diagnostic.code.as_str()) {
            // Code under `__main__` runs only where the file is run as a script.
            let in_main = self
                .main_blocks
                .get(&canonical)
                .is_some_and(|blocks| blocks.iter().any(|b| inside(*b)));
            let deployed: Vec<&Launcher> = info
                .started_by
                .iter()
                .map(|i| &self.launchers[*i])
                .filter(|l| l.class != Class::Development)
                .filter(|l| !in_main || l.fact.runs.as_ref().is_some_and(|r| r.as_main))
                .collect();
            if !deployed.is_empty() && deployed.iter().all(|l| !l.fact.on_host) {
                return Verdict::Drop;
            }
        }
        if let Some(l) = info
            .launchers
            .iter()
            .map(|i| &self.launchers[*i])
            .find(|l| l.class == Class::Development && inside(l.fact.span))
        {
            return Verdict::Demote(format!(
                "{} is development: {}",
                l.cite(),
                l.evidence.join("; ")
            ));
        }
        if let Some(blocks) = self.main_blocks.get(&canonical)
            && blocks.iter().any(|b| inside(*b))
        {
            let starters: Vec<(usize, &Launcher)> = info
                .started_by
                .iter()
                .map(|i| (*i, &self.launchers[*i]))
                .collect();
            let as_main = |l: &Launcher| l.fact.runs.as_ref().is_some_and(|r| r.as_main);
            // A host's launcher first: the one that decides a bind's reach.
            if let Some((i, _)) = starters
                .iter()
                .filter(|(_, l)| l.class == Class::Production && as_main(l))
                .max_by_key(|(i, l)| (l.fact.on_host, std::cmp::Reverse(*i)))
            {
                return Verdict::Reached { launcher: *i };
            }
            if let Some((_, l)) = starters
                .iter()
                .find(|(_, l)| l.class == Class::Production && !as_main(l))
            {
                return Verdict::Demote(format!(
                    "it runs only under `if __name__ == \"__main__\":`, and {} imports the \
                     module for its app object, which never runs that block",
                    l.cite()
                ));
            }
            if !starters.is_empty() && starters.iter().all(|(_, l)| l.class == Class::Development) {
                let cites: Vec<String> = starters.iter().map(|(_, l)| l.cite()).collect();
                return Verdict::Demote(format!(
                    "its `__main__` block is run only by development launchers: {}",
                    cites.join(", ")
                ));
            }
        }
        if NOT_FOR_BASE_IMAGES.contains(&diagnostic.code.as_str())
            && self.knows_project
            && info.starts_nothing
            && info.launchers.is_empty()
            && !info.referenced
        {
            return Verdict::Drop;
        }
        Verdict::Keep
    }

    /// Applies the verdicts to a file's findings: demoted ones are dropped, or kept as `info`
    /// with the reason when `include_development`.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>, include_development: bool) {
        let mut kept = Vec::with_capacity(diagnostics.len());
        for mut d in diagnostics.drain(..) {
            match self.judge(&d) {
                Verdict::Keep => {
                    self.proxies.explain_exposed(&self.launchers, &mut d);
                    kept.push(d);
                }
                Verdict::Drop => {}
                Verdict::Demote(reason) => {
                    if include_development {
                        d.severity = Severity::Info;
                        d.message = format!("{} (not on the production path: {reason})", d.message);
                        kept.push(d);
                    }
                }
                Verdict::Inherited { note, label } => {
                    d.message = format!("{} ({note})", d.message);
                    d.labels.push(label);
                    kept.push(d);
                }
                Verdict::Reached { launcher } => {
                    let l = &self.launchers[launcher];
                    d.message = format!("{} (started by {})", d.message, l.cite());
                    d.labels.push(Label {
                        path: Some(l.file.clone()),
                        span: l.fact.span,
                        message: "production runs the file as a script here".into(),
                    });
                    kept.push(d);
                }
            }
        }
        *diagnostics = kept;
    }
}

/// Whether a path component names development or test setup. Narrower than the model's
/// `is_development_word`: `override.conf` is systemd's name for an admin's production edit, and
/// `50-debug.conf` a drop-in whose debug settings are exactly what should be reported; only a
/// compose-style `.override.` name counts.
fn is_development_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains(".override.")
        || lower.split(['-', '_', '.']).any(|part| {
            part != "debug" && DEVELOPMENT_WORDS.contains(&part) || is_test_compound(part)
        })
}

/// A word that joins `test` or `tests` to another (`ipatests`, `unittest`, `testdata`,
/// `testsuite`). Only the joins tests are named by: a word merely starting with `test`
/// (`testdrivenio`, `testimonials`) or ending in it (`latest`, `contest`) is no evidence.
fn is_test_compound(part: &str) -> bool {
    const AFTER_TEST: &[&str] = &[
        "s", "data", "files", "suite", "suites", "app", "apps", "project", "projects", "site",
        "server", "env", "envs", "utils", "cases", "bed", "harness", "ing",
    ];
    const BEFORE_TEST: &[&str] = &[
        "unit",
        "smoke",
        "load",
        "perf",
        "stress",
        "func",
        "functional",
        "system",
        "acceptance",
        "api",
        "ui",
        "self",
    ];
    if let Some(rest) = part.strip_prefix("tests") {
        return !rest.is_empty();
    }
    if let Some(rest) = part.strip_prefix("test")
        && AFTER_TEST.contains(&rest)
    {
        return true;
    }
    if let Some(head) = part.strip_suffix("tests") {
        return !head.is_empty() && !matches!(head, "con" | "pro" | "at" | "de");
    }
    part.strip_suffix("test")
        .is_some_and(|head| BEFORE_TEST.contains(&head))
}

/// Classifies a launcher from its own evidence (its file's path evidence is given).
fn classify_launcher(launcher: &mut Launcher) {
    let fact = &launcher.fact;
    let mut evidence = std::mem::take(&mut launcher.evidence);
    if let Some(service) = fact.service.as_deref().filter(|s| is_development_word(s)) {
        evidence.push(format!("its service is named `{service}`"));
    }
    if fact.user.as_deref() == Some("vagrant") {
        evidence.push("it runs as `vagrant`, a development box's account".into());
    }
    if fact.source_mount && (fact.reloads || fact.dev_server) {
        evidence.push(format!(
            "it runs {}{} with the project's source mounted from the host",
            fact.program,
            if fact.reloads { " with reloading" } else { "" }
        ));
    }
    launcher.class = if !evidence.is_empty() {
        Class::Development
    } else if fact.serves_app {
        evidence.push(format!("{} starts it", fact.origin));
        Class::Production
    } else {
        Class::Unknown
    };
    launcher.evidence = evidence;
}

/// The project file a launcher's entry names: a script path, or a module's file
/// (`pkg.wsgi` → `pkg/wsgi.py` or `pkg/wsgi/__init__.py`; run as `__main__`, also
/// `pkg/__main__.py`), found beside the launcher's file as a container's start command finds
/// it (see `project::resolve_script`).
fn resolve_entry<'a>(
    launcher_file: &Path,
    fact: &LauncherFact,
    entry: &Entry,
    code_files: &[&'a Path],
) -> Option<&'a Path> {
    let candidates: Vec<String> = match entry {
        Entry::File(script) => vec![script.clone()],
        Entry::Module(module) => {
            let base = module.replace('.', "/");
            let mut c = vec![format!("{base}.py"), format!("{base}/__init__.py")];
            if fact.runs.as_ref().is_some_and(|r| r.as_main) {
                c.insert(0, format!("{base}/__main__.py"));
            }
            c
        }
    };
    candidates.into_iter().find_map(|script| {
        project::resolve_script(
            launcher_file,
            &ScriptLaunch {
                script,
                workdir: fact.workdir.clone(),
                span: fact.span,
            },
            code_files,
        )
    })
}

/// A whole judgement of the project, for messages: whether any launcher is production.
pub fn has_production(graph: &Graph) -> bool {
    graph.launchers.iter().any(|l| l.class == Class::Production)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_compounds_are_development_and_lookalikes_are_not() {
        for yes in [
            "ipatests",
            "unittests",
            "testdata",
            "testsuite",
            "test_app",
            "smoketest",
            "testing",
            "tests-integration",
            "Dockerfile.unittest",
            "nginx-travis.conf",
            "docker-compose.circleci.yml",
        ] {
            assert!(is_development_part(yes), "{yes}");
        }
        for no in [
            "testdrivenio",
            "testimonials",
            "latest",
            "contests",
            "protests",
            "contest",
            "attestation",
            "Dockerfile",
            "devops",
        ] {
            assert!(!is_development_part(no), "{no}");
        }
    }
}
