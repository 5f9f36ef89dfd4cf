//! Runs the rules: reads each discovered file, parses it by kind, applies the selected rules,
//! and gathers results in a deterministic order. Files are linted independently, in parallel.

use crate::catalog::Format;
use crate::config::RuleOptions;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Candidate};
use crate::kinds::{self, Detection};
use crate::model::container::Image;
use crate::model::deployment::Deployment;
use crate::model::project::{Facts, FileFacts, Project};
use crate::rules::{FileContext, PROJECT_RULES, RULES, Rule, Sink, Syntax};
use crate::source::SourceFile;
use crate::syntax::{dockerfile, python};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes examined for NUL when deciding whether a file is binary (git and ripgrep do the same).
const BINARY_SNIFF_LEN: usize = 8192;

/// Which rules run.
#[derive(Clone)]
pub struct Settings {
    pub rules: Vec<&'static Rule>,
    pub options: RuleOptions,
    /// The trees being linted (canonical paths). Parsers that follow references to other
    /// files (includes, drop-ins) never read outside them.
    pub roots: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rules: RULES.iter().collect(),
            options: RuleOptions::default(),
            roots: Vec::new(),
        }
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
pub fn run(paths: &[PathBuf], settings: &Settings) -> Outcome {
    let settings = &Settings {
        roots: paths
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .map(|p| {
                if p.is_file() {
                    p.parent().map_or(p.clone(), Path::to_path_buf)
                } else {
                    p
                }
            })
            .collect(),
        ..settings.clone()
    };
    let found = discover::discover(paths);
    let results: Vec<FileOutcome> = found
        .candidates
        .par_iter()
        .map(|candidate| lint_candidate(candidate, settings))
        .collect();
    let mut outcome = Outcome {
        errors: found.errors,
        ..Outcome::default()
    };
    let mut facts = Vec::new();
    for result in results {
        outcome.diagnostics.extend(result.diagnostics);
        facts.extend(result.facts);
        outcome.errors.extend(result.error);
        outcome.notes.extend(result.note);
        outcome.sources.extend(result.source);
    }
    outcome.sources.sort_by(|a, b| a.path().cmp(b.path()));
    let project = Project {
        files: &facts,
        sources: &outcome.sources,
    };
    let project_diagnostics = check_project(&project, settings);
    outcome.diagnostics.extend(project_diagnostics);
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
}

#[derive(Default)]
struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    facts: Option<FileFacts>,
    source: Option<Arc<SourceFile>>,
    error: Option<String>,
    note: Option<String>,
}

fn lint_candidate(candidate: &Candidate, settings: &Settings) -> FileOutcome {
    let path = &candidate.path;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return FileOutcome {
                error: Some(format!("{}: {}", path.display(), discover::io_reason(&e))),
                ..FileOutcome::default()
            };
        }
    };
    if bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return FileOutcome {
            note: Some(format!("{}: skipped: binary file", path.display())),
            ..FileOutcome::default()
        };
    }
    let (text, note) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => (
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
            Some(format!(
                "{}: not valid UTF-8; invalid bytes were replaced before linting",
                path.display()
            )),
        ),
    };
    let format = match kinds::detect_by_name(path) {
        Detection::Known(format) => Some(format),
        Detection::NeedsContent => kinds::detect_by_content(path, &text, candidate.explicit),
        Detection::Unknown if candidate.explicit => kinds::detect_by_content(path, &text, true),
        Detection::Unknown => None,
    };
    let Some(format) = format else {
        return FileOutcome {
            note: candidate.explicit.then(|| {
                format!(
                    "{}: skipped: not a file kind deploylint reads",
                    path.display()
                )
            }),
            ..FileOutcome::default()
        };
    };
    let source = SourceFile::new(path.clone(), text);
    let (diagnostics, mut facts) = lint_file(&source, format, settings);
    // Notes from the parse (an include left unread) join the file's own note.
    let note = note
        .into_iter()
        .chain(facts.notes.drain(..))
        .reduce(|a, b| format!("{a}\ndeploylint: note: {b}"));
    FileOutcome {
        diagnostics,
        facts: Some(FileFacts {
            path: path.clone(),
            format,
            facts,
        }),
        source: Some(Arc::new(source)),
        error: None,
        note,
    }
}

/// Lints one file of a known format. The text is never executed or written.
pub fn lint_source(source: &SourceFile, format: Format, settings: &Settings) -> Vec<Diagnostic> {
    lint_file(source, format, settings).0
}

/// Lints one file and returns, with its findings, the facts it contributes to the project.
pub fn lint_file(
    source: &SourceFile,
    format: Format,
    settings: &Settings,
) -> (Vec<Diagnostic>, Facts) {
    let mut diagnostics = Vec::new();
    let mut facts = Facts::default();
    let rules: Vec<&Rule> = settings
        .rules
        .iter()
        .copied()
        .filter(|rule| crate::catalog::entry(rule.code).formats.contains(&format))
        .filter(|rule| {
            rule.prefilter
                .is_none_or(|may_fire| may_fire(format, source.text()))
        })
        .collect();
    let needs_facts = format == Format::Dockerfile
        && PROJECT_RULES
            .iter()
            .any(|p| settings.rules.iter().any(|r| r.code == p.code));
    if rules.is_empty() && !needs_facts {
        return (diagnostics, facts);
    }
    let mut apply = |syntax: Syntax<'_>, deployment: &Deployment| {
        let ctx = FileContext {
            source,
            format,
            syntax,
            deployment,
            options: &settings.options,
        };
        for rule in &rules {
            let mut sink = Sink::new(rule.code, source.path(), &mut diagnostics);
            (rule.check)(&ctx, &mut sink);
        }
    };
    match format {
        Format::Dockerfile => {
            let file = dockerfile::parse(source.text());
            let image = Image::new(&file);
            facts.script_launches = image.script_launches();
            let deployment = image.deployment();
            apply(
                Syntax::Dockerfile {
                    file: &file,
                    image: &image,
                },
                &deployment,
            );
        }
        Format::Apache => {
            let apache = crate::model::apache::load(source, &settings.roots);
            facts.notes = apache.notes.clone();
            apply(Syntax::Apache(&apache), &Deployment::default());
        }
        Format::Python => {
            let file = python::parse(source.text());
            match python::PyIndex::new(&file, source.text()) {
                Some(index) => apply(Syntax::Python(&index), &Deployment::default()),
                None => apply(Syntax::None, &Deployment::default()),
            }
        }
        _ => apply(Syntax::None, &Deployment::default()),
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (diagnostics, facts)
}

/// Runs the rules that connect files (a launcher in one, the code it starts in another).
fn check_project(project: &Project<'_>, settings: &Settings) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in PROJECT_RULES {
        if settings.rules.iter().any(|r| r.code == rule.code) {
            (rule.check)(project, &mut out);
        }
    }
    out
}
