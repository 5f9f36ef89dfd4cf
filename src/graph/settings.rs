//! Django settings chains: which settings module each launcher selects (its environment's
//! `DJANGO_SETTINGS_MODULE`, `--settings=`, or the `os.environ.setdefault(...)` in the
//! `wsgi.py`/`asgi.py`/`manage.py` it loads), what each settings module star-imports, and
//! where its final `DEBUG` comes from. A `DEBUG = True` in a base module is production's only
//! when a module production selects inherits it without setting `DEBUG` again.

use super::{Class, Launcher};
use crate::diagnostic::{Diagnostic, Label};
use crate::files::FileSet;
use crate::model::project::{self, Project};
use crate::source::Span;
use regex::Regex;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// How deep star imports are followed (`production` → `base` → `components/...`).
const MAX_CHAIN_DEPTH: usize = 8;

/// The environment variable that names the settings module.
const SETTINGS_VARIABLE: &str = "DJANGO_SETTINGS_MODULE";

/// The Python files that select settings for whatever loads them.
const SELECTING_FILES: &[&str] = &["wsgi.py", "asgi.py", "manage.py"];

/// One selection of a settings module.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The dotted module as written (`myproj.settings.production`).
    pub module: String,
    /// The settings file it resolves to, canonical: found once here, not for every selection
    /// each time a `DEBUG` finding is judged (quadratic in a big tree).
    file: PathBuf,
    /// Where it is selected, for messages (`wsgi.py:6`, "Dockerfile:4 `gunicorn ...`").
    pub by: String,
    pub class: Class,
    /// Why the class is a guess, when it is one.
    guess: Option<String>,
}

/// Where a module's final `DEBUG` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Debug {
    /// The module and what it star-imports never set it.
    Unset,
    /// This line of this file (canonical path, byte range and 1-based number of the line).
    At(PathBuf, usize, usize, usize),
    /// A conditional assignment or import decides it.
    Unknown,
}

/// One settings module, read.
#[derive(Debug, Default)]
struct Module {
    display: PathBuf,
    /// Top-level statements that matter, in order.
    statements: Vec<Statement>,
}

#[derive(Debug)]
enum Statement {
    /// `DEBUG = …` (line byte range); `conditional` under a top-level `if`/`try`.
    Debug {
        start: usize,
        end: usize,
        line: usize,
        conditional: bool,
    },
    /// `from X import *`, resolved to a project file (canonical), with its span and line.
    StarImport {
        target: PathBuf,
        span: Span,
        conditional: bool,
    },
}

/// The project's settings selections and the settings modules they reach.
#[derive(Debug, Default)]
pub struct Chains {
    pub selections: Vec<Selection>,
    /// Keyed by canonical path.
    modules: BTreeMap<PathBuf, Module>,
    /// The selections (indices, in order) whose chain reaches each file, by canonical path:
    /// made once when the chains are built, not by following every selection's chain for
    /// every `DEBUG` finding (quadratic in a big tree).
    reaching: HashMap<PathBuf, Vec<usize>>,
    /// Modules read ahead, in parallel, by the path that names them (`prefetch`); `read_chain`
    /// takes each from here instead of reading it again.
    prefetched: HashMap<PathBuf, Option<ModuleRead>>,
    /// The run's canonical project roots, longest first: a production selection speaks for
    /// the settings of its own project only.
    pub(super) roots: Vec<PathBuf>,
}

/// A settings module's statements that matter and the files its star imports name.
type ModuleRead = (Vec<Statement>, Vec<PathBuf>);

/// A selection found before its chain is read.
struct Pending {
    from: PathBuf,
    module: String,
    by: String,
    class: Class,
    guess: Option<String>,
}

/// What the chains say of a `DEBUG = True` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Production's settings inherit it: say so, with a label where they import it.
    Inherited { note: String, label: Label },
    /// Not production's `DEBUG`, for this reason.
    NotProduction(String),
}

static SETDEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)^[ \t]*(?:os\.)?environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*f?["']([\w.]+)["']\s*,?\s*\)"#,
    )
    .expect("valid regex")
});
static FORCED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:os\.)?environ\[\s*["']DJANGO_SETTINGS_MODULE["']\s*\]\s*=\s*["']([\w.]+)["'][ \t]*(?:#.*)?\r?$"#)
        .expect("valid regex")
});
static STAR_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\*").expect("valid regex")
});
static DEBUG_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)(?:[A-Za-z_]\w*[ \t]*=[ \t]*)*DEBUG[ \t]*(?::[^=\n]+)?=[^=]")
        .expect("valid regex")
});

impl Chains {
    /// Reads the selections from the launchers (classified) and the project's selecting
    /// files, and the settings modules they reach.
    pub fn build(
        project: &Project<'_>,
        launchers: &[Launcher],
        file_class: &dyn Fn(&Path) -> Class,
        canonicals: &super::context::Canonicals,
    ) -> Chains {
        let mut chains = Chains::default();
        let files = project.file_set;
        let mut overridden: HashSet<usize> = HashSet::new();
        let mut pending = Vec::new();
        for (index, launcher) in launchers.iter().enumerate() {
            let Some(module) = launcher.fact.django_settings.as_deref() else {
                continue;
            };
            overridden.insert(index);
            pending.push(Pending {
                from: launcher.file.clone(),
                module: module.to_string(),
                by: launcher.cite(),
                class: launcher.class,
                guess: None,
            });
        }
        // The launchers that start each file, by its canonical path: found once, not once per
        // Python file.
        let mut started: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        for (index, launcher) in launchers.iter().enumerate() {
            if let Some(entry) = &launcher.entry_file {
                started.entry(canonicals.of(entry)).or_default().push(index);
            }
        }
        for path in project.python_files() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let starters: Vec<usize> = started
                .get(&canonicals.of(path))
                .cloned()
                .unwrap_or_default();
            if !SELECTING_FILES.contains(&name) && starters.is_empty() {
                continue;
            }
            let Some(text) = module_text(project, path) else {
                continue;
            };
            if !text.contains(SETTINGS_VARIABLE) {
                continue;
            }
            let masked = Masked::new(&text);
            let found = FORCED
                .captures_iter(&text)
                .map(|c| (c, true))
                .chain(SETDEFAULT.captures_iter(&text).map(|c| (c, false)))
                .find(|(c, _)| !masked.contains(c.get(0).map_or(0, |m| m.start())));
            let Some((captures, forced)) = found else {
                continue;
            };
            let (Some(whole), Some(module)) = (captures.get(0), captures.get(1)) else {
                continue;
            };
            let line = text[..whole.start()].matches('\n').count()
                + 1
                + text[whole.start()..]
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .filter(|c| *c == '\n')
                    .count();
            let by = format!("{}:{line}", path.display());
            // A launcher's own environment wins over a `setdefault`, never over an assignment.
            let loading: Vec<&Launcher> = starters
                .iter()
                .filter(|i| forced || !overridden.contains(i))
                .map(|i| &launchers[*i])
                .collect();
            let (class, guess) = if file_class(path) == Class::Development {
                (Class::Development, None)
            } else if loading.iter().any(|l| l.class == Class::Production) {
                (Class::Production, None)
            } else if !loading.is_empty() && loading.iter().all(|l| l.class == Class::Development) {
                (Class::Development, None)
            } else if !starters.is_empty() {
                (Class::Unknown, None)
            } else if name == "manage.py" {
                // Its default serves `runserver` and the shell; production's server loads
                // wsgi.py or asgi.py, or names its settings itself.
                (Class::Development, None)
            } else if name == "wsgi.py" || name == "asgi.py" {
                (
                    Class::Production,
                    Some(format!(
                        "nothing in the project shows what loads {}",
                        path.display()
                    )),
                )
            } else {
                (Class::Unknown, None)
            };
            pending.push(Pending {
                from: path.to_path_buf(),
                module: module.as_str().to_string(),
                by,
                class,
                guess,
            });
        }
        // The selected modules and what they import are parsed ahead, in parallel; the chains
        // are then read in order, exactly as one at a time.
        let found: Vec<Option<PathBuf>> = pending
            .iter()
            .map(|p| project::find_module(files, &p.from, &p.module).map(|(file, _)| file))
            .collect();
        chains.prefetch(files, found.iter().flatten().cloned().collect());
        for (p, file) in pending.into_iter().zip(found) {
            if let Some(file) = file {
                chains.select_file(files, file, p.module, p.by, p.class, p.guess);
            }
        }
        chains.prefetched = HashMap::new();
        chains.index_reaching();
        chains
    }

    /// Reads, a level of star imports at a time and each level in parallel, the modules
    /// `read_chain` may read from `starts` (those within its depth).
    fn prefetch(&mut self, files: &FileSet, starts: Vec<PathBuf>) {
        use rayon::prelude::*;
        let mut seen: HashSet<PathBuf> = HashSet::new();
        let mut level: Vec<PathBuf> = starts
            .into_iter()
            .filter(|p| seen.insert(p.clone()))
            .collect();
        for _ in 0..=MAX_CHAIN_DEPTH {
            if level.is_empty() {
                break;
            }
            let read: Vec<(PathBuf, Option<ModuleRead>)> = level
                .into_par_iter()
                .map(|path| {
                    let read = read_module(files, &path);
                    (path, read)
                })
                .collect();
            level = Vec::new();
            for (path, read) in read {
                for target in read.iter().flat_map(|(_, targets)| targets) {
                    if seen.insert(target.clone()) {
                        level.push(target.clone());
                    }
                }
                self.prefetched.insert(path, read);
            }
        }
    }

    /// Fills `reaching`: every file each selection's chain reaches, as `reaches` decides it
    /// (a simple path of star imports at most `MAX_CHAIN_DEPTH + 1` long, so the breadth-first
    /// distance).
    fn index_reaching(&mut self) {
        let mut reaching: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        for (index, selection) in self.selections.iter().enumerate() {
            let mut distance: HashMap<&Path, usize> =
                HashMap::from([(selection.file.as_path(), 0)]);
            let mut queue = std::collections::VecDeque::from([selection.file.as_path()]);
            while let Some(module) = queue.pop_front() {
                let depth = distance[module];
                if depth > MAX_CHAIN_DEPTH {
                    continue;
                }
                let Some(info) = self.modules.get(module) else {
                    continue;
                };
                for statement in &info.statements {
                    if let Statement::StarImport { target, .. } = statement
                        && !distance.contains_key(target.as_path())
                    {
                        distance.insert(target, depth + 1);
                        queue.push_back(target);
                    }
                }
            }
            for file in distance.into_keys() {
                reaching.entry(file.to_path_buf()).or_default().push(index);
            }
        }
        self.reaching = reaching;
    }

    /// Selects `module` as named from `from` (what `build` does for each selection).
    #[cfg(test)]
    fn select(
        &mut self,
        files: &FileSet,
        from: &Path,
        module: &str,
        by: String,
        class: Class,
        guess: Option<String>,
    ) {
        let Some((file, _)) = project::find_module(files, from, module) else {
            return;
        };
        self.select_file(files, file, module.to_string(), by, class, guess);
    }

    /// Selects the settings module in `file` and reads its chain.
    fn select_file(
        &mut self,
        files: &FileSet,
        file: PathBuf,
        module: String,
        by: String,
        class: Class,
        guess: Option<String>,
    ) {
        self.read_chain(files, &file, 0);
        self.selections.push(Selection {
            module,
            file: super::context::canonical(&file),
            by,
            class,
            guess,
        });
    }

    /// Reads a settings module and what it star-imports.
    fn read_chain(&mut self, files: &FileSet, path: &Path, depth: usize) {
        let canonical = super::context::canonical(path);
        if depth > MAX_CHAIN_DEPTH || self.modules.contains_key(&canonical) {
            return;
        }
        let read = match self.prefetched.remove(path) {
            Some(read) => read,
            None => read_module(files, path),
        };
        let Some((statements, targets)) = read else {
            return;
        };
        self.modules.insert(
            canonical,
            Module {
                display: path.to_path_buf(),
                statements,
            },
        );
        for target in targets {
            self.read_chain(files, &target, depth + 1);
        }
    }

    /// Where `module`'s final `DEBUG` comes from.
    fn debug(&self, module: &Path, seen: &mut Vec<PathBuf>) -> Debug {
        if seen.iter().any(|s| s == module) || seen.len() > MAX_CHAIN_DEPTH {
            return Debug::Unset;
        }
        let Some(info) = self.modules.get(module) else {
            return Debug::Unset;
        };
        seen.push(module.to_path_buf());
        let mut debug = Debug::Unset;
        for statement in &info.statements {
            match statement {
                Statement::Debug {
                    conditional: true, ..
                } => debug = Debug::Unknown,
                Statement::Debug {
                    start, end, line, ..
                } => {
                    debug = Debug::At(module.to_path_buf(), *start, *end, *line);
                }
                Statement::StarImport {
                    target,
                    conditional,
                    ..
                } => match self.debug(target, seen) {
                    Debug::Unset => {}
                    _ if *conditional => debug = Debug::Unknown,
                    inherited => debug = inherited,
                },
            }
        }
        seen.pop();
        debug
    }

    /// The star import in `module` through which it reaches `file`, when it does.
    fn import_towards(&self, module: &Path, file: &Path) -> Option<Span> {
        let info = self.modules.get(module)?;
        info.statements.iter().find_map(|s| match s {
            Statement::StarImport { target, span, .. }
                if self.reaches(target, file, &mut Vec::new()) =>
            {
                Some(*span)
            }
            _ => None,
        })
    }

    fn reaches(&self, module: &Path, file: &Path, seen: &mut Vec<PathBuf>) -> bool {
        if module == file {
            return true;
        }
        if seen.iter().any(|s| s == module) || seen.len() > MAX_CHAIN_DEPTH {
            return false;
        }
        seen.push(module.to_path_buf());
        let found = self.modules.get(module).is_some_and(|info| {
            info.statements.iter().any(|s| match s {
                Statement::StarImport { target, .. } => self.reaches(target, file, seen),
                Statement::Debug { .. } => false,
            })
        });
        seen.pop();
        found
    }

    /// What the chains say of a `DEBUG` finding, or None when no selection reaches its file
    /// (nothing in the project decides: judged as before).
    pub fn judge(&self, diagnostic: &Diagnostic) -> Option<Judgement> {
        let file = super::context::canonical(&diagnostic.path);
        let at = diagnostic.span.start;
        let relevant: Vec<(&Selection, PathBuf)> = self
            .reaching
            .get(&file)
            .into_iter()
            .flatten()
            .map(|i| &self.selections[*i])
            .map(|s| (s, s.file.clone()))
            .collect();
        if relevant.is_empty() {
            return None;
        }
        let production: Vec<&(&Selection, PathBuf)> = relevant
            .iter()
            .filter(|(s, _)| s.class == Class::Production)
            .collect();
        let guessed = |s: &Selection| {
            s.guess
                .as_ref()
                .map(|g| format!(" (a guess: {g})"))
                .unwrap_or_default()
        };
        let live = |selected: &Path| {
            matches!(self.debug(selected, &mut Vec::new()),
                Debug::At(ref f, start, end, _) if *f == file && start <= at && at <= end)
        };
        if let Some((selection, selected)) = production.iter().find(|(_, m)| live(m)).copied() {
            if *selected == file {
                return None;
            }
            let span = self.import_towards(selected, &file)?;
            let shown = &self.modules.get(selected)?.display;
            let name = shown.file_name().map_or(shown.clone(), PathBuf::from);
            return Some(Judgement::Inherited {
                note: format!(
                    "production's settings `{}` inherit it: selected by {}{}",
                    selection.module,
                    selection.by,
                    guessed(selection)
                ),
                label: Label {
                    path: Some(shown.clone()),
                    span,
                    message: format!(
                        "inherited by {}, selected by {}{}",
                        name.display(),
                        selection.by,
                        guessed(selection)
                    ),
                },
            });
        }
        if !production.is_empty() {
            // Every production selection reaching the file sets DEBUG itself, or reads it
            // from somewhere else in the chain.
            if production
                .iter()
                .any(|(_, m)| self.debug(m, &mut Vec::new()) == Debug::Unknown)
            {
                return None;
            }
            let reasons: Vec<String> = production
                .iter()
                .map(|(s, m)| {
                    let again = match self.debug(m, &mut Vec::new()) {
                        Debug::At(f, _, _, line) => self
                            .modules
                            .get(&f)
                            .map(|info| format!("{}:{line}", info.display.display())),
                        _ => None,
                    };
                    format!(
                        "production's settings `{}` (selected by {}{}) set DEBUG again{}",
                        s.module,
                        s.by,
                        guessed(s),
                        again.map(|a| format!(" at {a}")).unwrap_or_default()
                    )
                })
                .collect();
            return Some(Judgement::NotProduction(reasons.join("; ")));
        }
        let root_of = |path: &Path| self.roots.iter().find(|root| path.starts_with(root));
        let project = root_of(&file);
        let elsewhere: Vec<&Selection> = self
            .selections
            .iter()
            .filter(|s| s.class == Class::Production && root_of(&s.file) == project)
            .collect();
        if !elsewhere.is_empty() && relevant.iter().all(|(s, _)| s.class == Class::Development) {
            let by: Vec<String> = relevant
                .iter()
                .map(|(s, _)| format!("`{}` by {}", s.module, s.by))
                .collect();
            let production: Vec<String> = elsewhere
                .iter()
                .map(|s| format!("`{}` (by {}{})", s.module, s.by, guessed(s)))
                .collect();
            return Some(Judgement::NotProduction(format!(
                "only development selects these settings ({}); production selects {}",
                by.join(", "),
                production.join(", ")
            )));
        }
        None
    }
}

/// A settings module's statements that matter, in order, and the files its star imports
/// name, read from `path` (None when it cannot be read).
fn read_module(files: &FileSet, path: &Path) -> Option<ModuleRead> {
    let file = files.read(path).ok()?;
    let text = &file.text;
    let masked = Masked::new(text);
    let mut statements = Vec::new();
    let mut targets = Vec::new();
    for (captures, block) in statement_matches(&STAR_IMPORT, text, &masked) {
        let whole = captures.get(0).expect("whole match");
        let module = &captures[2];
        let Some((target, _)) = project::find_module(files, path, module) else {
            continue;
        };
        statements.push(Statement::StarImport {
            target: super::context::canonical(&target),
            span: Span::new(whole.start() + captures[1].len(), whole.end()),
            conditional: block,
        });
        targets.push(target);
    }
    for (captures, conditional) in statement_matches(&DEBUG_ASSIGNMENT, text, &masked) {
        let whole = captures.get(0).expect("whole match");
        let end = text[whole.start()..]
            .find('\n')
            .map_or(text.len(), |i| whole.start() + i);
        statements.push(Statement::Debug {
            start: whole.start(),
            end,
            line: text[..whole.start()].matches('\n').count() + 1,
            conditional,
        });
    }
    statements.sort_by_key(Statement::start);
    Some((statements, targets))
}

/// The matches of `pattern` (its first group the indentation) that are statements, not text
/// inside a string literal, with whether each may not run (`block_of`); none inside a function
/// or class.
fn statement_matches<'t>(
    pattern: &'t Regex,
    text: &'t str,
    masked: &'t Masked<'t>,
) -> impl Iterator<Item = (regex::Captures<'t>, bool)> + 't {
    pattern.captures_iter(text).filter_map(move |captures| {
        let start = captures.get(0)?.start();
        if masked.contains(start) {
            return None;
        }
        let block = block_of(text, start, captures.get(1).map_or(0, |m| m.len()))?;
        Some((captures, block))
    })
}

impl Statement {
    fn start(&self) -> usize {
        match self {
            Statement::Debug { start, .. } => *start,
            Statement::StarImport { span, .. } => span.start,
        }
    }
}

/// A statement at `start` indented by `indent`: Some(false) at module level, Some(true) inside
/// a top-level `if`/`try`/`with`/`for` (it may not run), None inside a function or class.
fn block_of(text: &str, start: usize, indent: usize) -> Option<bool> {
    if indent == 0 {
        return Some(false);
    }
    let header = text[..start].lines().rev().find(|l| {
        !l.trim().is_empty() && !l.starts_with([' ', '\t', '#']) && !l.starts_with(')')
    })?;
    let keyword = header.split([' ', '(', ':']).next().unwrap_or("");
    if matches!(keyword, "def" | "class" | "async") || header.starts_with('@') {
        None
    } else {
        Some(true)
    }
}

/// A module's string literals (a docstring that quotes `DEBUG = True` holds no statement),
/// scanned for only when first asked: most matches of the patterns are statements.
struct Masked<'a> {
    text: &'a str,
    literals: std::cell::OnceCell<Vec<Span>>,
}

impl<'a> Masked<'a> {
    fn new(text: &'a str) -> Masked<'a> {
        Masked {
            text,
            literals: std::cell::OnceCell::new(),
        }
    }

    /// Whether `offset` is inside a string literal.
    fn contains(&self, offset: usize) -> bool {
        let literals = self.literals.get_or_init(|| {
            // The outermost literals only (an f-string holds its fields' strings): sorted and
            // apart, so one comparison tells.
            let mut outer: Vec<Span> = Vec::new();
            for span in crate::syntax::python_tokens::string_spans(self.text) {
                if outer.last().is_none_or(|last| span.start >= last.end) {
                    outer.push(span);
                }
            }
            outer
        });
        let before = literals.partition_point(|s| s.start <= offset);
        before > 0 && offset < literals[before - 1].end
    }
}

/// A Python file's text: the run's copy, else read through the file set.
fn module_text(project: &Project<'_>, path: &Path) -> Option<String> {
    if let Ok(found) = project.sources.binary_search_by(|s| s.path().cmp(path))
        && !project.sources[found].text().is_empty()
    {
        return Some(project.sources[found].text().to_string());
    }
    project.file_set.read(path).ok().map(|f| f.text.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `production.py`'s final DEBUG comes from, as `file:line`, given the modules.
    fn origin(modules: &[(&str, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for (name, text) in modules {
            let path = root.join("proj/settings").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let files = FileSet::new(vec![root.clone()]);
        let mut chains = Chains::default();
        let production = root.join("proj/settings/production.py");
        chains.read_chain(&files, &production, 0);
        match chains.debug(&production, &mut Vec::new()) {
            Debug::At(file, _, _, line) => {
                format!("{}:{line}", file.file_name().unwrap().to_str().unwrap())
            }
            Debug::Unset => "unset".into(),
            Debug::Unknown => "unknown".into(),
        }
    }

    /// A statement inside a string is text: the strings are found (parsed lazily) only
    /// once a pattern matched, and then they hide it.
    #[test]
    fn statements_inside_strings_are_text() {
        let base = ("base.py", "DEBUG = True\n");
        let docstring = "\"\"\"Settings.\n\nDEBUG = True\nfrom .base import *\n\"\"\"\n";
        assert_eq!(origin(&[base, ("production.py", docstring)]), "unset");
        let real = format!("{docstring}from .base import *\n");
        assert_eq!(origin(&[base, ("production.py", &real)]), "base.py:1");
        let later = format!("{docstring}DEBUG = False\n");
        assert_eq!(
            origin(&[base, ("production.py", &later)]),
            "production.py:6"
        );
    }

    #[test]
    fn final_debug_follows_star_imports_in_order() {
        let base = ("base.py", "X = 1\nDEBUG = True\n");
        assert_eq!(
            origin(&[base, ("production.py", "from .base import *\n")]),
            "base.py:2"
        );
        assert_eq!(
            origin(&[
                base,
                ("production.py", "from .base import *\nDEBUG = False\n")
            ]),
            "production.py:2"
        );
        // Set before the import: the import sets it back.
        assert_eq!(
            origin(&[
                base,
                ("production.py", "DEBUG = False\nfrom .base import *\n")
            ]),
            "base.py:2"
        );
        assert_eq!(
            origin(&[
                base,
                (
                    "production.py",
                    "from proj.settings.base import *  # noqa\nDEBUG: bool = env('DEBUG')\n"
                )
            ]),
            "production.py:2"
        );
        assert_eq!(
            origin(&[
                base,
                (
                    "production.py",
                    "from .base import *\nTEMPLATE_DEBUG = DEBUG = False\n"
                )
            ]),
            "production.py:2"
        );
        // Only under a condition, in a function, in a docstring, or another name: not set
        // for sure, or not at all.
        assert_eq!(
            origin(&[
                base,
                (
                    "production.py",
                    "from .base import *\nif X:\n    DEBUG = False\n"
                )
            ]),
            "unknown"
        );
        assert_eq!(
            origin(&[
                base,
                (
                    "production.py",
                    "from .base import *\n\"\"\"\nDEBUG = False\n\"\"\"\ndef f():\n    DEBUG = False\nDEBUG_TOOLBAR = False\nX = DEBUG == False\n"
                )
            ]),
            "base.py:2"
        );
        // Two hops, and a cycle ends.
        assert_eq!(
            origin(&[
                ("common.py", "DEBUG = True\n"),
                (
                    "base.py",
                    "from .common import *\nfrom .production import *\n"
                ),
                ("production.py", "from .base import *\n"),
            ]),
            "common.py:1"
        );
        // A conditional import of a module that sets it.
        assert_eq!(
            origin(&[
                ("local.py", "DEBUG = True\n"),
                (
                    "production.py",
                    "DEBUG = False\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n"
                ),
            ]),
            "unknown"
        );
        assert_eq!(
            origin(&[(
                "production.py",
                "from django.conf.global_settings import *\n"
            )]),
            "unset"
        );
    }

    #[test]
    fn selections_are_literal_modules() {
        let found = |text: &str| {
            SETDEFAULT
                .captures(text)
                .or_else(|| FORCED.captures(text))
                .map(|c| c[1].to_string())
        };
        assert_eq!(
            found("os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a.settings.prod\")\n")
                .as_deref(),
            Some("a.settings.prod")
        );
        assert_eq!(
            found("    os.environ.setdefault(\n        'DJANGO_SETTINGS_MODULE',\n        'a.prod',\n    )\n").as_deref(),
            Some("a.prod")
        );
        assert_eq!(
            found("os.environ['DJANGO_SETTINGS_MODULE'] = 'a.prod'  # forced\r\n").as_deref(),
            Some("a.prod")
        );
        for computed in [
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a.settings.\" + env)\n",
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'a.' + env\n",
            "# os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a.prod\")\n",
        ] {
            assert_eq!(found(computed), None, "{computed}");
        }
    }

    /// The index of the files each selection reaches says what following the chain says:
    /// through a cycle, to the depth limit and one import past it, and nothing beyond.
    #[test]
    fn reaching_index_agrees_with_following_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let settings = root.join("proj/settings");
        std::fs::create_dir_all(&settings).unwrap();
        let count = MAX_CHAIN_DEPTH + 5;
        for i in 0..count {
            let mut text = format!("from .m{} import *\n", i + 1);
            if i == 5 {
                text.push_str("from .m2 import *\n");
            }
            std::fs::write(settings.join(format!("m{i}.py")), text).unwrap();
        }
        let wsgi = root.join("proj/wsgi.py");
        std::fs::write(&wsgi, "").unwrap();
        let files = FileSet::new(vec![root.clone()]);
        let mut chains = Chains::default();
        for start in [0, 3, 7] {
            chains.select(
                &files,
                &wsgi,
                &format!("proj.settings.m{start}"),
                format!("m{start}"),
                Class::Production,
                None,
            );
        }
        assert_eq!(chains.selections.len(), 3);
        chains.index_reaching();
        for i in 0..count {
            let file = settings.join(format!("m{i}.py"));
            let followed: Vec<usize> = (0..chains.selections.len())
                .filter(|s| chains.reaches(&chains.selections[*s].file, &file, &mut Vec::new()))
                .collect();
            let indexed = chains.reaching.get(&file).cloned().unwrap_or_default();
            assert_eq!(indexed, followed, "m{i}");
        }
        // The limit is reached: the first selection does not reach the last module.
        assert!(!chains.reaching[&settings.join("m0.py")].is_empty());
        assert!(
            chains
                .reaching
                .get(&settings.join(format!("m{}.py", count - 1)))
                .is_none_or(|s| !s.contains(&0))
        );
    }
}
