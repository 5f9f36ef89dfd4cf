//! The project a run lints in: its root (the nearest `deploylint.toml`, `pyproject.toml` or
//! `.git` above each named path) and the project's other deployment files, read for context
//! only. The read is prefiltered by the kind registry's name test and bounded, so naming one
//! file in a large tree stays cheap.

use crate::kinds::{self, Detection};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What marks a project's root: the first found going up from a named path decides.
pub const ROOT_MARKERS: &[&str] = &["deploylint.toml", "pyproject.toml", ".git"];

/// At most this many files are read for context.
pub const MAX_CONTEXT_FILES: usize = 2000;
/// At most this many bytes are read for context (files over the per-file limit are skipped
/// anyway).
pub const MAX_CONTEXT_BYTES: u64 = 16 << 20;

/// Directories of installed or vendored code, never the project's own deployment.
const VENDORED: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "__pypackages__",
    "venv",
    ".venv",
    "virtualenv",
    ".tox",
    ".nox",
    "vendor",
    "third_party",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
];

/// The canonical form of `path`; a path that does not exist (an editor's unsaved buffer) is
/// its canonical parent joined with its name.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(found) = std::fs::canonicalize(path) {
        return found;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .map(|p| p.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute,
    }
}

/// Canonical forms of paths, each asked of the file system once: building and applying a
/// graph names a file many times, and each `realpath` is a system call per path component.
/// Held for one run only, so a later run sees renamed files and new links.
#[derive(Debug, Default)]
pub struct Canonicals(Mutex<HashMap<PathBuf, PathBuf>>);

impl Canonicals {
    /// `canonical(path)`, remembered.
    pub fn of(&self, path: &Path) -> PathBuf {
        let known = self.lock().get(path).cloned();
        known.unwrap_or_else(|| {
            let found = canonical(path);
            self.lock().insert(path.to_path_buf(), found.clone());
            found
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, PathBuf>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The project root of a named path: the nearest directory at or above it holding a root
/// marker. None when there is none up to the filesystem root (then only the named paths are
/// the project).
pub fn project_root(path: &Path) -> Option<PathBuf> {
    let start = canonical(path);
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    dir.ancestors()
        .find(|d| ROOT_MARKERS.iter().any(|m| d.join(m).exists()))
        .map(Path::to_path_buf)
}

/// The directory a named path's files are judged from when it has no project root: itself,
/// or the directory of a named file.
pub fn named_root(path: &Path) -> PathBuf {
    let start = canonical(path);
    if start.is_dir() {
        start
    } else {
        start.parent().map_or(start.clone(), Path::to_path_buf)
    }
}

/// `root` as the user would write it from the current directory: relative when below it (so
/// context files are named as the linted ones are), else absolute.
pub fn display_root(root: &Path) -> PathBuf {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    match cwd.as_deref().and_then(|c| root.strip_prefix(c).ok()) {
        Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Some(rel) => rel.to_path_buf(),
        None => root.to_path_buf(),
    }
}

/// The files read for context under one root.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<PathBuf>,
    /// The budget ran out: some files were not read.
    pub truncated: bool,
}

/// The deployment files under `root` (as `display_root` names it): a gitignore-aware walk
/// that skips hidden, excluded and vendored directories and keeps only names the kind registry
/// reads (or may, after a look at the content). Shallow paths come first, so a project's
/// top-level launchers stay within `MAX_CONTEXT_FILES` and `MAX_CONTEXT_BYTES`; once the files
/// at depth `d` and above exceed the budget, nothing deeper can be read, and the walk opens no
/// directory whose entries would be deeper.
pub fn list(root: &Path, excluded: &(dyn Fn(&Path, bool) -> bool + Sync)) -> Listing {
    let found = Mutex::new(Found::default());
    // The walker reads a directory before its visitor sees it: pruning happens in the filter.
    let depth_limit = Arc::new(AtomicUsize::new(usize::MAX));
    let limit = depth_limit.clone();
    ignore::WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .filter_entry(move |entry| {
            let name = entry.file_name().to_str().unwrap_or("");
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry.depth() > 0
                && (VENDORED.contains(&name) || entry.depth() + 1 > limit.load(Ordering::Relaxed)))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let depth = entry.depth();
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if depth > 0 && excluded(entry.path(), is_dir) {
                    return ignore::WalkState::Skip;
                }
                if entry.file_type().is_some_and(|t| t.is_file())
                    && depth <= depth_limit.load(Ordering::Relaxed)
                    && !matches!(kinds::detect_by_name(entry.path()), Detection::Unknown)
                {
                    let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    let path = crate::source::normalize_path(entry.path());
                    let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                    found.files.push((depth, path, len));
                    if let Some(limit) = found.tally(depth, len) {
                        depth_limit.fetch_min(limit, Ordering::Relaxed);
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner()).files;
    found.sort();
    let mut listing = Listing::default();
    let mut bytes = 0u64;
    for (_, path, len) in found {
        if len > crate::discover::MAX_FILE_BYTES {
            continue;
        }
        if listing.files.len() >= MAX_CONTEXT_FILES || bytes + len > MAX_CONTEXT_BYTES {
            listing.truncated = true;
            break;
        }
        bytes += len;
        listing.files.push(path);
    }
    listing
}

/// What `list`'s walk has found so far.
#[derive(Default)]
struct Found {
    /// (depth, path, length)
    files: Vec<(usize, PathBuf, u64)>,
    /// The number and bytes of readable files found at each depth.
    per_depth: Vec<(usize, u64)>,
}

impl Found {
    /// Counts a file found at `depth`; returns the shallowest depth whose files, with all
    /// shallower ones, are over the budget (the listing cannot reach below it), if there is
    /// one.
    fn tally(&mut self, depth: usize, len: u64) -> Option<usize> {
        if len > crate::discover::MAX_FILE_BYTES {
            return None;
        }
        if self.per_depth.len() <= depth {
            self.per_depth.resize(depth + 1, (0, 0));
        }
        self.per_depth[depth].0 += 1;
        self.per_depth[depth].1 += len;
        let (mut files, mut bytes) = (0, 0);
        self.per_depth.iter().position(|(f, b)| {
            files += f;
            bytes += b;
            files > MAX_CONTEXT_FILES || bytes > MAX_CONTEXT_BYTES
        })
    }
}

/// The canonical path of `listed`, a file `list` found walking `shown` (how `display_root`
/// names the canonical `root`). The walk follows no symbolic link, so that is `root` joined
/// with the path below `shown`, with no system call.
pub fn listed_canonical(root: &Path, shown: &Path, listed: &Path) -> PathBuf {
    let below = if shown == Path::new(".") {
        Some(listed)
    } else {
        listed.strip_prefix(shown).ok()
    };
    match below {
        Some(below) if listed.is_relative() == shown.is_relative() => root.join(below),
        _ => canonical(listed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_nearest_marker() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path().join("outer");
        let inner = outer.join("svc/app");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(outer.join("pyproject.toml"), "").unwrap();
        std::fs::write(inner.join("app.py"), "").unwrap();
        let root = project_root(&inner.join("app.py")).unwrap();
        assert_eq!(root, std::fs::canonicalize(&outer).unwrap());
        // A nearer marker wins, even a .git file (a worktree's).
        std::fs::write(outer.join("svc/.git"), "gitdir: x").unwrap();
        let root = project_root(&inner.join("app.py")).unwrap();
        assert_eq!(root, std::fs::canonicalize(outer.join("svc")).unwrap());
    }

    #[test]
    fn vendored_hidden_and_unknown_files_are_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "Dockerfile",
            "app.py",
            "README.md",
            ".venv/lib/x.py",
            "node_modules/p/Dockerfile",
            ".hidden/Dockerfile",
            "deploy/app.service",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let listing = list(dir.path(), &|_, _| false);
        let names: Vec<_> = listing
            .files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("Dockerfile"),
                PathBuf::from("app.py"),
                PathBuf::from("deploy/app.service")
            ]
        );
        assert!(!listing.truncated);
    }

    #[test]
    fn the_walk_stops_below_the_depth_that_fills_the_budget() {
        let mut found = Found::default();
        for _ in 0..MAX_CONTEXT_FILES {
            assert_eq!(found.tally(2, 10), None);
        }
        // Files over the per-file limit are never read, so they take no budget.
        assert_eq!(found.tally(1, crate::discover::MAX_FILE_BYTES + 1), None);
        // One more readable file at depth 3 or above: nothing below depth 3 can be read.
        assert_eq!(found.tally(3, 10), Some(3));
        assert_eq!(found.tally(1, 10), Some(2));
        // The byte budget counts too.
        let mut found = Found::default();
        assert_eq!(found.tally(4, MAX_CONTEXT_BYTES), None);
        assert_eq!(found.tally(4, 1), Some(4));
    }

    #[test]
    fn a_full_budget_lists_the_shallowest_files_and_says_it_was_cut() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..=MAX_CONTEXT_FILES {
            let path = dir.path().join(format!("s{i:04}/Dockerfile"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let deep = dir.path().join("s0000/a/b/Dockerfile");
        std::fs::create_dir_all(deep.parent().unwrap()).unwrap();
        std::fs::write(&deep, "x").unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "x").unwrap();
        let listing = list(dir.path(), &|_, _| false);
        assert!(listing.truncated);
        assert_eq!(listing.files.len(), MAX_CONTEXT_FILES);
        assert_eq!(listing.files[0], dir.path().join("Dockerfile"));
        assert_eq!(listing.files[1], dir.path().join("s0000/Dockerfile"));
        assert!(!listing.files.contains(&deep));
    }

    #[test]
    fn a_listed_file_is_canonical_below_its_root() {
        let root = Path::new("/srv/app");
        assert_eq!(
            listed_canonical(root, Path::new("."), Path::new("svc/Dockerfile")),
            root.join("svc/Dockerfile")
        );
        assert_eq!(
            listed_canonical(root, Path::new("app"), Path::new("app/svc/Dockerfile")),
            root.join("svc/Dockerfile")
        );
        assert_eq!(
            listed_canonical(root, root, &root.join("Dockerfile")),
            root.join("Dockerfile")
        );
    }

    #[test]
    fn canonical_paths_are_remembered_for_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(real.join("a")).unwrap();
        std::fs::write(real.join("a/app.py"), "").unwrap();
        let canonicals = Canonicals::default();
        let asked = real.join("a/../a/app.py");
        assert_eq!(canonicals.of(&asked), real.join("a/app.py"));
        // Renamed meanwhile: the run keeps the answer it began with.
        std::fs::rename(real.join("a"), real.join("b")).unwrap();
        assert_eq!(canonicals.of(&asked), real.join("a/app.py"));
        assert_eq!(canonical(&asked), asked);
    }
}
