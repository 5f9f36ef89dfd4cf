//! Where the app's files sit relative to what Apache serves as static files: WSGI scripts
//! and project code under a `DocumentRoot`, directories mounted as WSGI scripts.

pub mod alias_traversal;
pub mod code_in_document_root;
pub mod script_alias_directory;
pub mod script_in_document_root;
pub mod wsgi_handler_exec_cgi;

use crate::model::apache::{Apache, is_under};

/// `DocumentRoot`s in effect for `scope`, or for every virtual host when `scope` is the main
/// server (a daemon group defined there serves them all): (entry, path).
pub fn document_roots(apache: &Apache, scope: usize) -> Vec<(usize, String)> {
    let scopes: Vec<usize> = if scope == 0 {
        (0..=apache.vhosts.len()).collect()
    } else {
        vec![scope]
    };
    let mut out: Vec<(usize, String)> = Vec::new();
    for s in scopes {
        if let Some(e) = apache.effective(s, "documentroot")
            && let Some(path) = apache.entries[e].args.first()
            && !out.iter().any(|(o, _)| *o == e)
        {
            out.push((e, path.clone()));
        }
    }
    out
}

/// The first document root that holds `path`.
pub fn root_holding(roots: &[(usize, String)], path: &str) -> Option<(usize, String)> {
    roots
        .iter()
        .find(|(_, root)| path.starts_with('/') && is_under(path, root))
        .cloned()
}

/// Whether the most specific `<Directory>` with access control over `path` denies all access
/// (then Apache would not serve the files there even if the WSGI mapping went away).
pub fn access_denied(apache: &Apache, path: &str) -> bool {
    let mut best: Option<(usize, bool)> = None;
    for e in apache.named("require").chain(apache.named("deny")) {
        let Some(section) = apache.entries[e].section else {
            continue;
        };
        let s = &apache.entries[section];
        let Some(dir) = s.args.first() else { continue };
        if s.name != "directory" || dir == "~" || !is_under(path, dir) {
            continue;
        }
        let args: Vec<String> = apache.entries[e]
            .args
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect();
        let denied = args == ["all", "denied"] || args == ["from", "all"];
        let depth = dir.split('/').filter(|c| !c.is_empty()).count();
        if best.is_none_or(|(d, _)| depth >= d) {
            best = Some((depth, denied));
        }
    }
    best.is_some_and(|(_, denied)| denied)
}
