//! Finds the files to lint: a gitignore-aware walk of directories (ripgrep's `ignore` crate)
//! plus every file named explicitly, each tagged with what its name says about its kind.

use crate::kinds::{self, Detection};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug)]
pub struct Candidate {
    pub path: PathBuf,
    /// Named on the command line: linted even if ignored, and sniffed if the name is unknown.
    pub explicit: bool,
    /// `--skip-unknown`: named, but linted only as a directory walk would (or by its shebang).
    pub skip_unknown: bool,
    /// The kind another file says it is, whatever its name says (a launcher's
    /// `gunicorn -c web.conf` makes it a gunicorn config).
    pub named_as: Option<crate::catalog::Format>,
}

/// How paths named on the command line are treated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The configuration's `exclude` applies to them too (`--force-exclude`).
    pub force_exclude: bool,
    /// Files of kinds deploylint does not read are skipped silently (`--skip-unknown`).
    pub skip_unknown: bool,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    /// Problems that make the run exit 2 (missing paths, unreadable directories).
    pub errors: Vec<String>,
}

/// Walks `paths`. Directory entries are kept only when their name can be a known kind, so the
/// content of unrelated files is never read.
pub fn discover(
    paths: &[PathBuf],
    excluded: &(dyn Fn(&Path, bool) -> bool + Sync),
    options: &Options,
) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        // As ruff does: an excluded path named on the command line is skipped without a word.
        if options.force_exclude && excluded(path, path.is_dir()) {
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                found
                    .errors
                    .push(format!("{}: {}", path.display(), io_reason(&e)));
                continue;
            }
        };
        if meta.is_dir() {
            walk_dir(path, excluded, &mut found);
        } else if meta.is_file() {
            found.candidates.push(Candidate {
                path: clean(path),
                explicit: true,
                skip_unknown: options.skip_unknown,
                named_as: None,
            });
        } else {
            found.errors.push(format!(
                "{}: not a regular file or directory",
                path.display()
            ));
        }
    }
    found.candidates.sort_by(|a, b| a.path.cmp(&b.path));
    found.candidates.dedup_by(|a, b| a.path == b.path);
    found
}

fn walk_dir(root: &Path, excluded: &(dyn Fn(&Path, bool) -> bool + Sync), found: &mut Discovery) {
    let candidates = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                        // Excluded directories are not descended into.
                        if entry.depth() > 0 && excluded(entry.path(), is_dir) {
                            return ignore::WalkState::Skip;
                        }
                        if is_file
                            && !matches!(kinds::detect_by_name(entry.path()), Detection::Unknown)
                        {
                            candidates.lock().unwrap().push(Candidate {
                                path: clean(entry.path()),
                                explicit: false,
                                skip_unknown: false,
                                named_as: None,
                            });
                        }
                    }
                    Err(err) => {
                        // Loops are skipped quietly as ripgrep does; unreadable dirs are errors.
                        if !is_loop(&err) {
                            errors.lock().unwrap().push(err.to_string());
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
    found.candidates.extend(candidates.into_inner().unwrap());
    found.errors.extend(errors.into_inner().unwrap());
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => is_loop(err),
        _ => false,
    }
}

/// `./a/./b` → `a/b`, so paths print as users type them.
fn clean(path: &Path) -> PathBuf {
    crate::source::normalize_path(path)
}

pub use crate::files::{MAX_FILE_BYTES, Unread, io_reason, read_file, read_head};
