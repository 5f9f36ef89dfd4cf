//! Include globs as servers expand them (httpd's `Include`, nginx's `include`, supervisord's
//! `[include] files`): `*`, `?` and `[…]` in any path component, braces literal, hidden names
//! only for a pattern that starts with `.`, matches sorted by name. One expansion for every
//! configuration format that includes other files.

use std::path::{Component, Path, PathBuf};

/// Whether a path or pattern has a wildcard to expand.
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// What a matched directory stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directories {
    /// Every file below it (httpd's `Include conf.d/`).
    AllFiles,
    /// Nothing: only files are read (nginx, supervisord).
    Skip,
}

/// The files `path` names, its wildcard components expanded in sorted order; at most `limit`
/// paths are collected at each step.
pub fn expand_glob(path: &Path, directories: Directories, limit: usize) -> Vec<PathBuf> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for component in path.components() {
        let text = component.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        for base in &current {
            if matches!(component, Component::Normal(_)) && has_wildcard(&text) {
                let Ok(entries) = std::fs::read_dir(base) else {
                    continue;
                };
                let matches = component_matcher(&text);
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.') || text.starts_with('.'))
                    .filter(|n| matches(n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| base.join(n)));
            } else {
                next.push(base.join(component.as_os_str()));
            }
            if next.len() > limit {
                break;
            }
        }
        current = next;
    }
    let mut files = Vec::new();
    for p in current {
        if p.is_file() {
            files.push(p);
        } else if directories == Directories::AllFiles && p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&p)
                .max_depth(8)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.into_path())
                .take(limit)
                .collect();
            found.sort();
            files.extend(found);
        }
    }
    files
}

/// A matcher for one path component of an include pattern, as `fnmatch`/`glob(3)` read it:
/// `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, backslash escapes; braces are literal (globset would
/// read `{a,b}` as alternatives). A pattern globset rejects (an unclosed `[`) matches only
/// itself.
pub fn component_matcher(pattern: &str) -> impl Fn(&str) -> bool {
    let literal_braces = pattern.replace('{', "[{]").replace('}', "[}]");
    let glob = globset::GlobBuilder::new(&literal_braces)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher());
    let pattern = pattern.to_string();
    move |name: &str| match &glob {
        Some(glob) => glob.is_match(name),
        None => name == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_patterns_match_as_servers_do() {
        let m = |pattern: &str, name: &str| component_matcher(pattern)(name);
        assert!(m("*.conf", "a.conf"));
        assert!(!m("*.conf", "a.load"));
        assert!(m("0[0-9]-*", "05-x"));
        assert!(m("[!a]*", "bc"));
        assert!(!m("[!a]*", "ac"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*", ".hidden"));
        // Braces are literal.
        assert!(m("x{a,b}", "x{a,b}"));
        assert!(!m("x{a,b}", "xa"));
        // Not a valid glob: only the name itself.
        assert!(m("a[b", "a[b"));
        assert!(!m("a[b", "ab"));
    }

    #[test]
    fn expansion_sorts_skips_hidden_names_and_reads_directories_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf.d");
        std::fs::create_dir_all(conf.join("sub")).unwrap();
        for name in ["b.conf", "a.conf", ".hidden.conf", "c.txt", "sub/d.conf"] {
            std::fs::write(conf.join(name), "").unwrap();
        }
        let names = |found: Vec<PathBuf>| -> Vec<String> {
            found
                .iter()
                .map(|p| {
                    p.strip_prefix(&conf)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect()
        };
        let files = expand_glob(&conf.join("*.conf"), Directories::Skip, 100);
        assert_eq!(names(files), ["a.conf", "b.conf"]);
        let hidden = expand_glob(&conf.join(".*.conf"), Directories::Skip, 100);
        assert_eq!(names(hidden), [".hidden.conf"]);
        let all = expand_glob(&conf, Directories::AllFiles, 100);
        assert_eq!(names(all), ["a.conf", "b.conf", "c.txt", "sub/d.conf"]);
        assert!(expand_glob(&conf, Directories::Skip, 100).is_empty());
    }
}
