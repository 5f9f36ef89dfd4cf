//! Reverse proxies joined to the launchers behind them: an nginx `proxy_pass`/`uwsgi_pass` to a
//! loopback port or unix socket that a launcher of the project listens on, or to a compose
//! service by name. A launcher that the proxy reaches on loopback but that listens on every
//! interface of a host can be reached around the proxy: its NET001 says so. Only files of one
//! deployment are joined: in one project root, in the same directory or directories that share
//! their parent (`deploy/nginx/` and `deploy/systemd/`).

use super::Launcher;
use super::context::canonical;
use crate::diagnostic::{Diagnostic, Label};
use crate::model::listen::{Endpoint, is_all_interfaces, is_loopback};
use crate::model::project::{FileFacts, LauncherFact, Project, ProxyFact, ServedFact};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How a proxy reaches a launcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A port on this machine's loopback interface.
    Loopback,
    UnixSocket,
    /// A container's service name on the compose network.
    Service,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Loopback => "loopback",
            Via::UnixSocket => "unix socket",
            Via::Service => "service network",
        }
    }
}

/// A proxy's backend joined to the launcher listening there.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Index into `Proxies::list`.
    pub proxy: usize,
    /// Index into the graph's launchers.
    pub launcher: usize,
    /// Index into the launcher's binds.
    pub bind: usize,
    pub via: Via,
}

#[derive(Debug, Default, Clone)]
pub struct Proxies {
    /// Each backend once (a file read both on its own and through an include gives it twice).
    pub list: Vec<ProxyFact>,
    pub edges: Vec<Edge>,
    /// The directories the project's web servers serve as files, each once.
    pub served: Vec<ServedFact>,
    /// Each launcher's canonical file (none when there is no proxy), for `within`.
    launcher_files: Vec<PathBuf>,
}

impl Proxies {
    /// Joins each backend to the launchers listening there, within one deployment's
    /// directory. The launchers are the files' launcher facts, in file order: index `l` of an
    /// edge is the graph's launcher `l` (one per fact, in the same order).
    pub fn join(files: &[FileFacts]) -> Proxies {
        let mut seen = HashMap::new();
        let mut list: Vec<ProxyFact> = Vec::new();
        for proxy in files.iter().flat_map(|f| &f.facts.proxies) {
            match seen.entry((canonical(&proxy.path), proxy.span)) {
                Entry::Vacant(v) => {
                    v.insert(list.len());
                    list.push(proxy.clone());
                }
                // A site read on its own knows nothing of the `http` block a main
                // configuration includes it in, which may set the header.
                Entry::Occupied(o) => {
                    let kept = &mut list[*o.get()];
                    kept.passes_client_forwarded_for &= proxy.passes_client_forwarded_for;
                }
            }
        }
        let mut served_seen = HashSet::new();
        let served = files
            .iter()
            .flat_map(|f| &f.facts.served)
            .filter(|s| served_seen.insert((canonical(&s.path), s.span)))
            .cloned()
            .collect();
        let launchers: Vec<(&Path, &LauncherFact)> = files
            .iter()
            .flat_map(|f| f.facts.launchers.iter().map(|l| (f.path.as_path(), l)))
            .collect();
        let mut edges = Vec::new();
        // Each launcher's file once, and none at all in a project without proxies.
        let launcher_files: Vec<PathBuf> = if list.is_empty() {
            Vec::new()
        } else {
            launchers.iter().map(|(file, _)| canonical(file)).collect()
        };
        // Launchers that listen somewhere, by their file's directory and by that directory's
        // parent: `near` only joins those, so each proxy looks at its neighbours, not at every
        // launcher of the run (a tree of many deployments has thousands).
        let mut by_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
        let mut by_parent_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
        for (l, file) in launcher_files.iter().enumerate() {
            if launchers[l].1.binds.is_empty() {
                continue;
            }
            let Some(dir) = file.parent() else {
                continue;
            };
            by_dir.entry(dir).or_default().push(l);
            if let Some(parent) = dir.parent() {
                by_parent_dir.entry(parent).or_default().push(l);
            }
        }
        for (p, proxy) in list.iter().enumerate() {
            let proxy_file = canonical(&proxy.path);
            let Some(dir) = proxy_file.parent() else {
                continue;
            };
            // The same directory, its parent, a directory in it, or a sibling of it.
            let mut nearby: Vec<usize> = [Some(dir), dir.parent()]
                .into_iter()
                .flatten()
                .flat_map(|d| [by_dir.get(d), by_parent_dir.get(d)])
                .flatten()
                .flatten()
                .copied()
                .collect();
            nearby.sort_unstable();
            nearby.dedup();
            for l in nearby {
                let launcher = launchers[l].1;
                let launcher_file = &launcher_files[l];
                // A project (a monorepo, a tree of examples) holds many deployments: one
                // deployment's files sit close together.
                if !near(&proxy_file, launcher_file) {
                    continue;
                }
                for (b, bind) in launcher.binds.iter().enumerate() {
                    if let Some(via) = reaches(&proxy.endpoint, &bind.endpoint, launcher) {
                        edges.push(Edge {
                            proxy: p,
                            launcher: l,
                            bind: b,
                            via,
                        });
                    }
                }
            }
        }
        Proxies {
            list,
            edges,
            served,
            launcher_files,
        }
    }

    /// The project's joins in any root (`within` keeps one root's), made once per run for the
    /// graph and the project rules; launcher indices count the files' launcher facts in order.
    pub fn of(project: &Project<'_>) -> std::sync::Arc<Proxies> {
        project.shared.get(|| Proxies::join(project.files))
    }

    /// The joins whose proxy and launcher lie in one project root (`root_of` gives a file's).
    pub fn within(&self, root_of: &dyn Fn(&Path) -> Option<PathBuf>) -> Proxies {
        let proxy_roots: Vec<Option<PathBuf>> = self
            .list
            .iter()
            .map(|proxy| root_of(&canonical(&proxy.path)))
            .collect();
        let mut launcher_roots: HashMap<usize, Option<PathBuf>> = HashMap::new();
        let edges = self
            .edges
            .iter()
            .filter(|e| {
                let root = launcher_roots
                    .entry(e.launcher)
                    .or_insert_with(|| root_of(&self.launcher_files[e.launcher]));
                *root == proxy_roots[e.proxy]
            })
            .cloned()
            .collect();
        Proxies {
            edges,
            ..self.clone()
        }
    }

    /// Says on a NET001 finding on a bind to every interface that a proxy of the project
    /// reaches the same port on loopback, so the bind only lets clients around the proxy.
    pub fn explain_exposed(&self, launchers: &[Launcher], diagnostic: &mut Diagnostic) {
        if diagnostic.code != "NET001" {
            return;
        }
        let path = canonical(&diagnostic.path);
        let Some(edge) = self.edges.iter().find(|e| {
            let launcher = &launchers[e.launcher];
            let bind = &launcher.fact.binds[e.bind];
            e.via == Via::Loopback
                && bind.span == diagnostic.span
                && matches!(&bind.endpoint, Endpoint::Tcp { host, .. } if is_all_interfaces(host))
                && canonical(&launcher.file) == path
        }) else {
            return;
        };
        let proxy = &self.list[edge.proxy];
        diagnostic.message = format!(
            "{} ({} proxies to it at {}: bind it to 127.0.0.1 so only the proxy reaches it)",
            diagnostic.message,
            proxy.server,
            proxy.cite()
        );
        diagnostic.labels.push(Label {
            path: Some(proxy.path.clone()),
            span: proxy.span,
            message: "the proxy reaches the server here, on loopback".into(),
        });
    }

    /// The joins from one proxy.
    pub fn edges_from(&self, proxy: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.proxy == proxy)
    }
}

/// Whether a proxy's backend address is where a launcher's bind listens.
fn reaches(backend: &Endpoint, bind: &Endpoint, launcher: &LauncherFact) -> Option<Via> {
    match (backend, bind) {
        (Endpoint::Unix(a), Endpoint::Unix(b)) => {
            (normalize(a) == normalize(b)).then_some(Via::UnixSocket)
        }
        (
            Endpoint::Tcp {
                host: to,
                port: Some(to_port),
            },
            Endpoint::Tcp {
                host,
                port: Some(port),
            },
        ) if to_port == port => {
            if is_loopback(to) {
                // A server on one address of the host, not loopback, is not reached there.
                (is_all_interfaces(host) || is_loopback(host)).then_some(Via::Loopback)
            } else {
                // `proxy_pass http://web:8000` to the compose service `web`.
                launcher
                    .service
                    .as_deref()
                    .is_some_and(|service| service.eq_ignore_ascii_case(to))
                    .then_some(Via::Service)
            }
        }
        _ => None,
    }
}

/// Whether two files' directories are the same or share their parent (`deploy/nginx/` and
/// `deploy/systemd/`).
fn near(a: &Path, b: &Path) -> bool {
    let (Some(a), Some(b)) = (a.parent(), b.parent()) else {
        return false;
    };
    a == b
        || a.parent()
            .is_some_and(|pa| b.parent() == Some(pa) || b == pa)
        || b.parent() == Some(a)
}

/// A socket path with repeated slashes folded.
fn normalize(path: &str) -> PathBuf {
    PathBuf::from(path).components().collect()
}
