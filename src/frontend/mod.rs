//! The front ends: one per file format, listed once in `FRONT_ENDS` (as rules are in
//! `RULES`). Each owns how its files are recognised (by name, then by content), how they are
//! parsed and lowered into the deployment model, which parse errors it reports, and what a
//! rule pack's `match` looks into. The engine, discovery and reports loop over this table and
//! name no format, so a new format is new files plus a row here.

mod apache;
mod compose;
mod dockerfile;
mod gunicorn;
mod kubernetes;
mod nearby;
mod nginx;
mod procfile;
mod python;
mod supervisord;
mod systemd;
mod uwsgi;

use crate::catalog::Format;
use crate::diagnostic::Diagnostic;
use crate::files::FileSet;
use crate::model::deployment::Deployment;
use crate::model::project::Facts;
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile};
use std::path::Path;

/// How strongly a file name says a file is of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    No,
    /// The name decides it.
    Yes,
    /// The name allows it; the content must confirm (see `FrontEnd::sniff`).
    Maybe,
}

/// What a front end lowers a file into, for the rules to read.
pub struct Lowered<'a> {
    /// The format's own view (typed entries format-only rules read).
    pub view: View<'a>,
    /// The processes the file deploys and their environment, whatever the format.
    pub deployment: &'a Deployment,
    /// What does not parse, already filtered of what the format tolerates (template
    /// placeholders): SYN001 reports these.
    pub errors: &'a [ParseError],
}

/// What a front end is given: the file, and the trees it may read other files in.
pub struct Input<'a> {
    pub source: &'a SourceFile,
    /// The files it may read besides its own, confined to the linted trees.
    pub files: &'a FileSet,
    /// Whether any selected rule reads the file (the rules' prefilters found their words in
    /// it). When none does, a front end whose lowering feeds nothing else may skip the parse.
    pub rules_apply: bool,
}

/// Runs the rules on a lowered file and returns their findings.
pub type Check<'c> = dyn FnMut(&Lowered<'_>) -> Vec<Diagnostic> + 'c;

/// A front end's result: the findings (placed in the files they are in) and what the file
/// contributes to the project-wide view.
#[derive(Default)]
pub struct Linted {
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Facts,
}

/// Calls its last argument with the text of each item of the lowered file whose name is the
/// given `key` (every item when None).
pub type PackFind = fn(&Lowered<'_>, &SourceFile, Option<&str>, &mut dyn FnMut(&MappedText));

/// How a rule pack's `match` looks into a format's files.
pub struct PackMatch {
    /// What `key` names in this format, for messages and docs.
    pub key: &'static str,
    pub find: PackFind,
}

pub struct FrontEnd {
    pub format: Format,
    pub by_name: fn(&Path) -> NameMatch,
    /// Whether a template named for this format (`site.conf.j2`) is read as one of its files
    /// (see `crate::template`). Not for code: a `settings.py.example` is not what runs.
    pub templates: bool,
    /// Whether the start of a file's text looks like this format.
    pub sniff: fn(&str) -> bool,
    /// Whether a `#!` line's program (its base name, after `env`) and arguments run files of
    /// this format: the strongest evidence of a script's kind.
    pub interpreter: Option<fn(&str, &[&str]) -> bool>,
    /// Parses and lowers the file and runs `check` on each view of it (once, or not at all
    /// for a file linted through another: a systemd drop-in through its unit).
    pub lint: fn(&Input<'_>, &mut Check<'_>) -> Linted,
    /// Whether project rules read what this format contributes (`Facts`), so the file is
    /// lowered even when no per-file rule applies.
    pub contributes_facts: bool,
    /// Whether project rules may read this file's text after it was linted (a Python file a
    /// launcher elsewhere runs), so the text is kept.
    pub keep_text: fn(&str) -> bool,
    /// Rule packs' `match` on this format, where supported.
    pub pack: Option<PackMatch>,
    /// The launches a file of this format starts, read cheaply without linting it: what other
    /// front ends look for around their file (who starts gunicorn with this config).
    pub launches: Option<fn(&Path, &str) -> Vec<crate::model::launcher::Launch>>,
}

/// Every format, in the order detection tries them (the first name that decides wins).
pub static FRONT_ENDS: &[FrontEnd] = &[
    dockerfile::FRONT_END,
    compose::FRONT_END,
    procfile::FRONT_END,
    // Before Python: a gunicorn config is a `.py` file read for its settings.
    gunicorn::FRONT_END,
    python::FRONT_END,
    systemd::FRONT_END,
    apache::FRONT_END,
    uwsgi::FRONT_END,
    supervisord::FRONT_END,
    kubernetes::FRONT_END,
    nginx::FRONT_END,
];

/// The front end of `format`.
pub fn front_end(format: Format) -> &'static FrontEnd {
    FRONT_ENDS
        .iter()
        .find(|f| f.format == format)
        .unwrap_or_else(|| panic!("format {} has no front end", format.as_str()))
}

/// The front end a file's name alone decides, if any (the first in table order).
pub fn decided_by_name(path: &Path) -> Option<&'static FrontEnd> {
    FRONT_ENDS
        .iter()
        .find(|f| (f.by_name)(path) == NameMatch::Yes)
}

/// `decided_by_name(path)` where it is a front end `wanted` accepts, else None. Only a name one
/// of those claims can be decided as one of them, so their own name tests, cheap beside the
/// whole table's (Apache's looks at every directory above), are asked first: a directory
/// listing looked at for each file near it is mostly other files.
pub fn decided_by_name_among(
    path: &Path,
    wanted: impl Fn(&FrontEnd) -> bool,
) -> Option<&'static FrontEnd> {
    if !FRONT_ENDS
        .iter()
        .any(|f| wanted(f) && (f.by_name)(path) == NameMatch::Yes)
    {
        return None;
    }
    decided_by_name(path).filter(|f| wanted(f))
}

/// The kind another file names each candidate (path, named on the command line) as,
/// whatever its own name says (a launcher's `gunicorn -c deploy/web.conf`).
pub fn named_kinds(candidates: &[(&Path, bool)], files: &FileSet) -> Vec<Option<Format>> {
    gunicorn::named_configs(candidates, files)
}

fn never(_: &str) -> bool {
    false
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut gives what the whole table gives, for names several front ends claim and
    /// for every file of the repository's fixtures.
    #[test]
    fn decided_among_agrees_with_the_whole_table() {
        let mut paths: Vec<std::path::PathBuf> = [
            "docker-compose.yml",
            "compose.yaml",
            "deploy/apache2/sites-available/docker-compose.yml",
            "etc/apache2/conf.d/compose.yaml",
            "app.service.d/docker-compose.override.yml",
            "sites-enabled/Dockerfile",
            "apache2/Procfile",
            "Dockerfile.dev",
            "docker/Dockerfile",
            "Procfile",
            "Procfile.dev",
            "supervisord.conf",
            "httpd.conf",
            "uwsgi.ini",
            "gunicorn.conf.py",
            "k8s/deployment.yaml",
            "kustomization.yaml",
            "app.service",
            "nginx/nginx.conf",
            "",
        ]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        paths.extend(
            walkdir::WalkDir::new(fixtures)
                .into_iter()
                .flatten()
                .map(|e| e.into_path()),
        );
        type Wanted = Box<dyn Fn(&FrontEnd) -> bool>;
        let wants: Vec<Wanted> = FRONT_ENDS
            .iter()
            .map(|f| {
                let format = f.format;
                Box::new(move |g: &FrontEnd| g.format == format) as Wanted
            })
            .chain([Box::new(|g: &FrontEnd| g.launches.is_some()) as Wanted])
            .collect();
        let mut decided = 0;
        for path in &paths {
            for wanted in &wants {
                let among = decided_by_name_among(path, wanted).map(|f| f.format);
                let whole = decided_by_name(path)
                    .filter(|f| wanted(f))
                    .map(|f| f.format);
                assert_eq!(among, whole, "{}", path.display());
                decided += usize::from(among.is_some());
            }
        }
        assert!(decided > 100, "{decided}");
    }

    /// Each format has exactly one front end, and the catalog's formats are all covered.
    #[test]
    fn one_front_end_per_format() {
        for front_end in FRONT_ENDS {
            let rows = FRONT_ENDS
                .iter()
                .filter(|f| f.format == front_end.format)
                .count();
            assert_eq!(rows, 1, "{}", front_end.format.as_str());
        }
        for entry in crate::catalog::catalog() {
            for format in &entry.formats {
                front_end(*format);
            }
        }
    }
}
