//! The project a run lints in: its root (the nearest `deploylint.toml`, `pyproject.toml` or
//! `.git` above each named path) and the project's other deployment files, read for context
//! only. The read is prefiltered by the kind registry's name test and bounded, so naming one
//! file in a large tree stays cheap.

use crate::kinds::{self, Detection};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
/// top-level launchers stay within `MAX_CONTEXT_FILES` and `MAX_CONTEXT_BYTES`.
pub fn list(root: &Path, excluded: &(dyn Fn(&Path) -> bool + Sync)) -> Listing {
    let found = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_str().unwrap_or("");
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry.depth() > 0
                && VENDORED.contains(&name))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                if entry.depth() > 0 && excluded(entry.path()) {
                    return ignore::WalkState::Skip;
                }
                if entry.file_type().is_some_and(|t| t.is_file())
                    && !matches!(kinds::detect_by_name(entry.path()), Detection::Unknown)
                {
                    let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    let path = crate::source::normalize_path(entry.path());
                    found.lock().unwrap_or_else(|e| e.into_inner()).push((
                        entry.depth(),
                        path,
                        len,
                    ));
                }
                ignore::WalkState::Continue
            })
        });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
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
        let listing = list(dir.path(), &|_| false);
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
}
