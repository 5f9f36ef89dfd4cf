//! What the files around a configuration say about where it runs: the directories it sits in
//! inside the linted tree, and the container launchers near it (a Dockerfile, compose file or
//! Procfile that starts its server). Shared by the front ends of server configurations.

use super::file_name;
use crate::files::FileSet;
use crate::model::launcher::Launch;
use std::path::{Component, Path};

/// How many directories above a config are searched for what starts its server.
const SEARCH_UP: usize = 3;

/// How many launcher files one directory may hold before the search gives up on it.
const MAX_LAUNCHERS: usize = 32;

/// The directories between the linted root and the file.
pub fn tree_dirs(path: &Path, files: &FileSet) -> Vec<String> {
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return Vec::new();
    };
    let Some(root) = files.roots().iter().find(|r| canonical.starts_with(r)) else {
        return Vec::new();
    };
    let inner = canonical.strip_prefix(root).unwrap_or(&canonical);
    let mut dirs: Vec<String> = inner
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str().map(str::to_string),
            _ => None,
        })
        .collect();
    dirs.pop();
    dirs
}

/// Whether the file sits in a directory for container builds (`docker/`, `.docker/`,
/// `docker-images/`, `k8s/`).
pub fn in_container_dir(path: &Path, files: &FileSet) -> bool {
    tree_dirs(path, files).iter().any(|d| {
        let d = d.to_ascii_lowercase();
        d.contains("docker")
            || matches!(
                d.as_str(),
                "container" | "containers" | "k8s" | "kubernetes" | "helm"
            )
    })
}

/// Whether a file whose launches other front ends read (a Dockerfile, compose file, Procfile)
/// in the config's directory or up to three above, inside the linted trees, mentions `word`
/// and has a launch that `starts` accepts.
pub fn started_nearby(
    path: &Path,
    files: &FileSet,
    word: &str,
    starts: impl Fn(&Launch) -> bool,
) -> bool {
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return false;
    };
    let mut dir = canonical.parent();
    for _ in 0..=SEARCH_UP {
        let Some(d) = dir else { break };
        if !files.contains(d) {
            break;
        }
        if started_in(d, files, word, &starts) {
            return true;
        }
        dir = d.parent();
    }
    false
}

fn started_in(dir: &Path, files: &FileSet, word: &str, starts: &impl Fn(&Launch) -> bool) -> bool {
    // The type the directory listing gave, then the name; a `stat` only for a link or an
    // unknown type: a project root lists many directories, and this runs for many files.
    let Some(listing) = files.files_in(dir) else {
        return false;
    };
    let mut seen = 0;
    for (path, listed_file) in listing.iter() {
        if file_name(path).is_empty() {
            continue;
        }
        let Some(launches) =
            super::decided_by_name_among(path, |f| f.launches.is_some()).and_then(|f| f.launches)
        else {
            continue;
        };
        if !listed_file && !path.is_file() {
            continue;
        }
        seen += 1;
        if seen > MAX_LAUNCHERS {
            return false;
        }
        let Ok(file) = files.read(path) else {
            continue;
        };
        if file.text.contains(word) && launches(path, &file.text).iter().any(starts) {
            return true;
        }
    }
    false
}
