//! An nginx configuration read around one linted file: the file and what it includes
//! (`include` with globs, confined to the linted trees, cycles detected), as entries with the
//! block each sits in. nginx is the reverse proxy in front of the app: it deploys no Python
//! process, so its concerns are what it serves from disk (`root`, `alias`, `autoindex`) and
//! what it tells clients (`server_tokens`).

use crate::files::FileSet;
use crate::model::include::{Directories, expand_glob, has_wildcard};
use crate::model::listen::Endpoint;
use crate::source::{SourceFile, Span};
use crate::syntax::nginx::{self, Conf, Directive, Word};
use std::path::{Component, Path, PathBuf};

/// nginx itself allows deep nesting; a configuration deeper than this is a cycle in disguise.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Files read for one configuration at most.
const MAX_FILES: usize = 500;
/// How many directories above the linted file include paths are resolved against.
const SEARCH_UP: usize = 3;

pub struct Unit {
    pub path: PathBuf,
    pub conf: Conf,
    /// Byte offsets of the text's newlines, for line numbers in messages.
    newlines: Vec<usize>,
}

impl Unit {
    fn new(path: PathBuf, text: &str) -> Unit {
        Unit {
            path,
            conf: nginx::parse(text),
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

/// One directive as nginx reads it, with the block directive around it (an `include`d
/// file's directives sit in the block of the `include`).
#[derive(Debug, Clone)]
pub struct Entry {
    pub unit: usize,
    pub node: usize,
    /// Lower case.
    pub name: String,
    pub parent: Option<usize>,
}

#[derive(Default)]
pub struct Nginx {
    /// Unit 0 is the linted file.
    pub units: Vec<Unit>,
    pub entries: Vec<Entry>,
    /// What could not be followed (includes outside the tree, not found).
    pub notes: Vec<String>,
    /// Include cycles and too-deep includes of the linted file.
    pub errors: Vec<(Span, String)>,
    /// `include` entries whose files are not in the linted tree (other than those every nginx
    /// package installs): what they hold is unknown.
    pub unresolved: Vec<usize>,
    /// The directories the configuration serves files from, with what they hold.
    pub served: Vec<Served>,
}

/// A directory nginx serves files from: a prefix `location` (or a `server` with no
/// `location /`) that neither proxies nor returns, with the `root` or `alias` in force.
#[derive(Debug, Clone)]
pub struct Served {
    /// The `location` or `server` block.
    pub block: usize,
    /// The `root` or `alias` entry that decides the directory.
    pub by: usize,
    pub alias: bool,
    /// The URI prefix served (`/` for a server).
    pub uri: String,
    /// The directory, as nginx resolves it (`root` + the location's URI).
    pub dir: String,
    /// The `autoindex on` in force there, which lists the directory.
    pub autoindex: Option<usize>,
    /// Why the directory holds the Python app, when it does.
    pub app: Option<AppEvidence>,
}

#[derive(Debug, Clone)]
pub enum AppEvidence {
    /// The directory is in the linted tree (`at`, as the user named the tree) and holds these
    /// files of the app (relative to it).
    Found { at: PathBuf, files: Vec<String> },
    /// The directory is not in the tree; the configuration itself suggests it is the
    /// project's: `reason`, with the entry that says so.
    Guess { reason: String, because: usize },
}

/// How a `location` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// A prefix (with or without `^~`).
    Prefix,
    Exact,
    Regex,
    /// `@name`: only the target of internal redirects.
    Named,
}

pub struct Location<'a> {
    pub entry: usize,
    pub kind: Match,
    pub uri: &'a Word,
}

/// Directives that produce the response themselves, so the location serves no files.
const HANDLERS: &[&str] = &[
    "proxy_pass",
    "uwsgi_pass",
    "fastcgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
    "return",
    "internal",
    "content_by_lua_block",
    "content_by_lua",
    "content_by_lua_file",
    "perl",
    "empty_gif",
    "stub_status",
];

impl Nginx {
    pub fn node(&self, e: usize) -> &Directive {
        let entry = &self.entries[e];
        &self.units[entry.unit].conf.nodes[entry.node]
    }

    pub fn is_local(&self, e: usize) -> bool {
        self.entries[e].unit == 0
    }

    pub fn path(&self, e: usize) -> &Path {
        &self.units[self.entries[e].unit].path
    }

    pub fn args(&self, e: usize) -> &[Word] {
        &self.node(e).args
    }

    pub fn arg(&self, e: usize, i: usize) -> Option<&str> {
        self.args(e).get(i).map(|w| w.value.as_str())
    }

    pub fn named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = usize> + 's {
        (0..self.entries.len()).filter(move |&e| self.entries[e].name == name)
    }

    /// The directives directly inside block `parent` (None: the top level).
    pub fn children(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        (0..self.entries.len()).filter(move |&e| self.entries[e].parent == parent)
    }

    /// The last `name` directly inside `block`.
    pub fn own(&self, block: Option<usize>, name: &str) -> Option<usize> {
        self.children(block)
            .filter(|&e| self.entries[e].name == name)
            .last()
    }

    /// The `name` in force in `block`: its own, else the nearest enclosing block's (how
    /// `root`, `autoindex` and `server_tokens` are inherited). An `if` block does not pass
    /// its settings on.
    pub fn effective(&self, block: Option<usize>, name: &str) -> Option<usize> {
        let mut at = block;
        loop {
            if let Some(e) = self.own(at, name) {
                return Some(e);
            }
            at = self.entries[at?].parent;
        }
    }

    /// The `http` block the configuration has at its top level, if any: the file is then a
    /// main `nginx.conf`, which has the last word on server-wide settings.
    pub fn http_block(&self) -> Option<usize> {
        self.children(None)
            .find(|&e| self.entries[e].name == "http" && self.node(e).children.is_some())
    }

    pub fn location(&self, e: usize) -> Option<Location<'_>> {
        if self.entries[e].name != "location" {
            return None;
        }
        let args = self.args(e);
        let first = args.first()?;
        let (kind, uri) = match (first.value.as_str(), args.get(1)) {
            ("=", Some(uri)) => (Match::Exact, uri),
            ("~" | "~*", Some(uri)) => (Match::Regex, uri),
            ("^~", Some(uri)) => (Match::Prefix, uri),
            (v, _) if v.starts_with('@') => (Match::Named, first),
            // nginx also takes the modifier written against the URI (`=/`, `~*\.php$`).
            (v, _) if v.starts_with('=') => (Match::Exact, first),
            (v, _) if v.starts_with('~') => (Match::Regex, first),
            _ => (Match::Prefix, first),
        };
        Some(Location {
            entry: e,
            kind,
            uri,
        })
    }

    /// The URI of a location, without a modifier glued to it.
    pub fn location_uri<'s>(&self, location: &'s Location<'_>) -> &'s str {
        let v = location.uri.value.as_str();
        match location.kind {
            Match::Exact => v.strip_prefix('=').unwrap_or(v),
            Match::Prefix => v.strip_prefix("^~").unwrap_or(v),
            _ => v,
        }
    }

    /// Whether a block produces its responses itself (a `proxy_pass`, `return`, …) or only
    /// takes internal redirects, so it serves no files from disk.
    pub fn handles_itself(&self, block: usize) -> bool {
        self.children(Some(block))
            .any(|e| HANDLERS.contains(&self.entries[e].name.as_str()))
    }

    /// Whether a block refuses every client (`deny all;`, `return 403;`-like handled above).
    pub fn denies_all(&self, block: usize) -> bool {
        self.children(Some(block))
            .any(|e| self.entries[e].name == "deny" && self.arg(e, 0).is_some_and(|v| v == "all"))
    }

    /// Whether an include inside `block` (at any depth) could not be read.
    pub fn unresolved_inside(&self, block: usize) -> bool {
        self.unresolved
            .iter()
            .any(|&e| e == block || self.is_inside(e, block))
    }

    pub fn is_inside(&self, e: usize, block: usize) -> bool {
        let mut at = self.entries[e].parent;
        while let Some(p) = at {
            if p == block {
                return true;
            }
            at = self.entries[p].parent;
        }
        false
    }

    /// The `server` (or other block) a directive is inside, nearest first.
    pub fn enclosing(&self, e: usize, name: &str) -> Option<usize> {
        let mut at = self.entries[e].parent;
        while let Some(p) = at {
            if self.entries[p].name == name {
                return Some(p);
            }
            at = self.entries[p].parent;
        }
        None
    }
}

/// What the client address header a `proxy_pass` sends the backend holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedFor {
    /// The client's own `X-Forwarded-For`, passed through: not set, or set to
    /// `$http_x_forwarded_for`.
    Client,
    /// Set by nginx (`$proxy_add_x_forwarded_for`, `$remote_addr`, Debian's `proxy_params`).
    Set,
    /// An include the tree does not hold may set it.
    Unknown,
}

impl Nginx {
    /// What `X-Forwarded-For` a `proxy_pass` entry sends. `proxy_set_header` is inherited
    /// from the enclosing block only when a block sets none at all, so the innermost block
    /// with any decides; `if` and `limit_except` blocks cannot set headers and take their
    /// location's.
    pub fn forwarded_for(&self, pass: usize) -> ForwardedFor {
        let mut block = self.entries[pass].parent;
        loop {
            if let Some(b) = block
                && matches!(self.entries[b].name.as_str(), "if" | "limit_except")
            {
                block = self.entries[b].parent;
                continue;
            }
            let mut sets_any = false;
            let mut unknown = false;
            let mut xff: Option<ForwardedFor> = None;
            for e in self.children(block) {
                match self.entries[e].name.as_str() {
                    "proxy_set_header" => {
                        sets_any = true;
                        if self
                            .arg(e, 0)
                            .is_some_and(|h| h.eq_ignore_ascii_case("x-forwarded-for"))
                        {
                            let value = self.arg(e, 1).unwrap_or_default().to_ascii_lowercase();
                            // The last one written is what a reader expects; nginx sends both.
                            xff = Some(if value.contains("$http_x_forwarded_for") {
                                ForwardedFor::Client
                            } else {
                                ForwardedFor::Set
                            });
                        }
                    }
                    "include" => {
                        let pattern = self.arg(e, 0).unwrap_or_default();
                        let name = pattern.rsplit('/').next().unwrap_or(pattern);
                        // A file read from the tree put its directives in this block.
                        let read = !self.unresolved.contains(&e)
                            && (has_wildcard(pattern)
                                || self.units.iter().skip(1).any(|u| {
                                    u.path.file_name().and_then(|n| n.to_str()) == Some(name)
                                }));
                        if name == "proxy_params" && !read {
                            // Debian's sets `X-Forwarded-For $proxy_add_x_forwarded_for`.
                            sets_any = true;
                            xff.get_or_insert(ForwardedFor::Set);
                        } else if self.unresolved.contains(&e)
                            || (!read && !SETS_NO_PROXY_HEADERS.contains(&name))
                        {
                            unknown = true;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(decided) = xff {
                return decided;
            }
            if unknown {
                return ForwardedFor::Unknown;
            }
            if sets_any {
                return ForwardedFor::Client;
            }
            match block {
                Some(b) => block = self.entries[b].parent,
                None => return ForwardedFor::Client,
            }
        }
    }
}

/// Files every nginx package installs that set no proxy header.
const SETS_NO_PROXY_HEADERS: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "uwsgi_params",
    "scgi_params",
    "koi-utf",
    "koi-win",
    "win-utf",
];

/// A backend a `*_pass` directive sends requests to.
#[derive(Debug, Clone)]
pub struct Backend {
    /// The `proxy_pass`/`uwsgi_pass` entry.
    pub pass: usize,
    /// The entry whose first argument is the address: the pass itself, or a `server` of the
    /// `upstream` it names.
    pub at: usize,
    pub endpoint: Endpoint,
}

/// Directives that pass a request to a backend server.
const PASSES: &[&str] = &[
    "proxy_pass",
    "uwsgi_pass",
    "fastcgi_pass",
    "scgi_pass",
    "grpc_pass",
];

impl Nginx {
    /// The backends the configuration passes requests to, with an `upstream`'s servers for
    /// a pass that names one. An address with a variable is resolved at request time and
    /// left out.
    pub fn backends(&self) -> Vec<Backend> {
        let mut out = Vec::new();
        for pass in
            (0..self.entries.len()).filter(|&e| PASSES.contains(&self.entries[e].name.as_str()))
        {
            let Some(target) = self.arg(pass, 0).filter(|t| !t.contains('$')) else {
                continue;
            };
            // `unix:///run/app.sock` has no scheme: `unix:` is the socket's prefix.
            let (scheme, rest) = match target.split_once("://") {
                Some((scheme, rest)) if !target.starts_with("unix:") => {
                    (scheme.to_ascii_lowercase(), rest)
                }
                _ => (String::new(), target),
            };
            if let Some(endpoint) = unix_endpoint(rest) {
                out.push(Backend {
                    pass,
                    at: pass,
                    endpoint,
                });
                continue;
            }
            // `proxy_pass http://host:port/uri`: the URI is not part of the address.
            let address = rest.split('/').next().unwrap_or(rest);
            if let Some(endpoint) = tcp_endpoint(address, None) {
                out.push(Backend {
                    pass,
                    at: pass,
                    endpoint,
                });
                continue;
            }
            let upstream = self.named("upstream").find(|&u| {
                self.arg(u, 0)
                    .is_some_and(|name| name.eq_ignore_ascii_case(address))
            });
            match upstream {
                Some(upstream) => {
                    for server in self
                        .children(Some(upstream))
                        .filter(|&e| self.entries[e].name == "server")
                    {
                        let Some(address) = self.arg(server, 0).filter(|a| !a.contains('$')) else {
                            continue;
                        };
                        // An upstream server's port defaults to 80.
                        if let Some(endpoint) =
                            unix_endpoint(address).or_else(|| tcp_endpoint(address, Some(80)))
                        {
                            out.push(Backend {
                                pass,
                                at: server,
                                endpoint,
                            });
                        }
                    }
                }
                None => {
                    let default = match scheme.as_str() {
                        "http" => Some(80),
                        "https" => Some(443),
                        _ => None,
                    };
                    if let Some(endpoint) = tcp_endpoint(address, default) {
                        out.push(Backend {
                            pass,
                            at: pass,
                            endpoint,
                        });
                    } else if !address.is_empty() {
                        out.push(Backend {
                            pass,
                            at: pass,
                            endpoint: Endpoint::Tcp {
                                host: address.to_string(),
                                port: default,
                            },
                        });
                    }
                }
            }
        }
        out
    }

    /// The 1-based line of an entry's first argument (or the entry), for messages.
    pub fn line(&self, e: usize) -> usize {
        let node = self.node(e);
        let at = node.args.first().map_or(node.span, |a| a.span);
        self.units[self.entries[e].unit].line(at.start)
    }
}

/// `unix:/run/app.sock` (`http://unix:/run/app.sock:/uri` in a `proxy_pass`, whose path ends
/// at the next `:`).
fn unix_endpoint(address: &str) -> Option<Endpoint> {
    let path = address.strip_prefix("unix:")?;
    let path = path.split(':').next().unwrap_or(path);
    // `unix:///run/app.sock` is the same path.
    let trimmed = path.trim_start_matches('/');
    (!trimmed.is_empty()).then(|| Endpoint::Unix(format!("/{trimmed}")))
}

/// `host:port`, `[::1]:port`, or a `host` alone with a `default` port. None for a name without
/// a port and no default (an `upstream`'s name).
fn tcp_endpoint(address: &str, default: Option<u16>) -> Option<Endpoint> {
    let (host, port) = match address.strip_prefix('[') {
        Some(rest) => {
            let (host, after) = rest.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match address.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (address, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => Some(default?),
    };
    Some(Endpoint::Tcp {
        host: host.to_string(),
        port,
    })
}

/// Reads `source` and what it includes, through `files` only.
pub fn load(source: &SourceFile, files: &FileSet) -> Nginx {
    let mut nginx = Nginx::default();
    nginx
        .units
        .push(Unit::new(source.path().to_path_buf(), source.text()));
    let canonical = std::fs::canonicalize(source.path()).ok();
    let mut bases = Vec::new();
    if let Some(c) = &canonical {
        let mut dir = c.parent();
        for _ in 0..=SEARCH_UP {
            let Some(d) = dir else { break };
            if !files.contains(d) {
                break;
            }
            // nginx resolves relative includes against its configuration directory: the one
            // holding `nginx.conf`, when the tree has it, before the file's own.
            if d.join("nginx.conf").is_file() {
                bases.insert(0, d.to_path_buf());
            } else {
                bases.push(d.to_path_buf());
            }
            dir = d.parent();
        }
    }
    let mut reader = Reader {
        nginx: &mut nginx,
        text: source.text(),
        files,
        bases,
        stack: canonical.into_iter().collect(),
    };
    reader.walk(0, None);
    let bases = reader.bases.clone();
    nginx.served = served(
        &nginx,
        &Tree {
            files,
            bases: &bases,
            shown: source.path(),
        },
    );
    nginx
}

/// Where paths of the deployed host are looked for in the linted tree.
struct Tree<'a> {
    files: &'a FileSet,
    /// Canonical directories from the linted file's up.
    bases: &'a [PathBuf],
    /// The linted file as the user named it, for paths in messages.
    shown: &'a Path,
}

/// Names of directories that hold static files only, by convention.
const STATIC_DIRS: &[&str] = &[
    "static",
    "staticfiles",
    "static_root",
    "collected_static",
    "collectstatic",
    "media",
    "uploads",
    "assets",
    "public",
    "html",
    "htdocs",
    "dist",
    "build",
    "www",
    "images",
    "img",
    "css",
    "js",
    "fonts",
    "favicon.ico",
    "robots.txt",
    ".well-known",
    "acme-challenge",
    "letsencrypt",
];

fn last_component(dir: &str) -> &str {
    dir.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

fn is_static_dir(dir: &str) -> bool {
    let last = last_component(dir).to_ascii_lowercase();
    STATIC_DIRS.contains(&last.as_str())
        || last.starts_with("static")
        || last.ends_with("static")
        || last.ends_with("_media")
}

/// Joins a `root` and a location's URI as nginx does (`root` + URI, one slash between).
fn join_root(root: &str, uri: &str) -> String {
    format!(
        "{}/{}",
        root.trim_end_matches('/'),
        uri.trim_start_matches('/')
    )
}

fn served(nginx: &Nginx, tree: &Tree<'_>) -> Vec<Served> {
    let mut out = Vec::new();
    for e in 0..nginx.entries.len() {
        let name = nginx.entries[e].name.as_str();
        let block = nginx.node(e).children.is_some();
        if !block || nginx.handles_itself(e) || nginx.denies_all(e) {
            continue;
        }
        let (uri, by, alias) = if name == "location" {
            let Some(location) = nginx.location(e) else {
                continue;
            };
            if location.kind != Match::Prefix {
                continue;
            }
            let uri = nginx.location_uri(&location).to_string();
            match nginx.own(Some(e), "alias") {
                Some(a) => (uri, a, true),
                None => match nginx.effective(Some(e), "root") {
                    Some(r) => (uri, r, false),
                    None => continue,
                },
            }
        } else if name == "server" {
            // Requests no location takes are served from the server's root.
            let catch_all = nginx.children(Some(e)).any(|c| {
                nginx
                    .location(c)
                    .is_some_and(|l| l.kind == Match::Prefix && nginx.location_uri(&l) == "/")
            });
            match nginx.effective(Some(e), "root") {
                Some(r) if !catch_all => ("/".to_string(), r, false),
                _ => continue,
            }
        } else {
            continue;
        };
        let Some(path) = nginx.arg(by, 0) else {
            continue;
        };
        if path.contains('$') || !path.starts_with('/') || path == "/" {
            continue;
        }
        let dir = if alias {
            path.to_string()
        } else {
            join_root(path, &uri)
        };
        let autoindex = nginx.effective(Some(e), "autoindex").filter(|&a| {
            nginx
                .arg(a, 0)
                .is_some_and(|v| v.eq_ignore_ascii_case("on"))
        });
        let app = if is_static_dir(&dir) {
            None
        } else {
            app_evidence(nginx, tree, &dir)
        };
        out.push(Served {
            block: e,
            by,
            alias,
            uri,
            dir,
            autoindex,
            app,
        });
    }
    out
}

/// Files that make a directory the Python app's, most telling first.
const APP_FILES: &[&str] = &[
    "manage.py",
    "settings.py",
    "wsgi.py",
    "asgi.py",
    ".env",
    ".git",
    "app.py",
    "requirements.txt",
    "pyproject.toml",
];

/// How many entries of a served directory are looked at, at most.
const MAX_LOOKED_AT: usize = 4000;

/// Whether `dir` holds the app: from the tree where the path maps into it, else from what
/// the configuration says about it.
fn app_evidence(nginx: &Nginx, tree: &Tree<'_>, dir: &str) -> Option<AppEvidence> {
    if let Some((canonical, shown)) = map_into_tree(tree, dir) {
        let files = app_files(&canonical);
        return (!files.is_empty()).then_some(AppEvidence::Found { at: shown, files });
    }
    // Not in the tree: a static directory the same configuration serves from inside it
    // (Django's `STATIC_ROOT` kept in the project), or the app's socket in it.
    for e in 0..nginx.entries.len() {
        let name = nginx.entries[e].name.as_str();
        let Some(value) = nginx.arg(e, 0) else {
            continue;
        };
        let inside = |p: &str| {
            p.starts_with('/')
                && p.trim_end_matches('/') != dir.trim_end_matches('/')
                && crate::model::apache::is_under(p, dir)
        };
        if matches!(name, "alias" | "root") && is_static_dir(value) && inside(value) {
            return Some(AppEvidence::Guess {
                reason: format!(
                    "its {} directory is served by the {name} {value}, as a project keeps its collected static files",
                    last_component(value)
                ),
                because: e,
            });
        }
        let socket = value.strip_prefix("unix:").or_else(|| {
            nginx
                .args(e)
                .iter()
                .find_map(|a| a.value.strip_prefix("unix:"))
        });
        if matches!(
            name,
            "uwsgi_pass" | "proxy_pass" | "server" | "fastcgi_pass"
        ) && let Some(socket) = socket
        {
            let socket = socket.strip_prefix("//").unwrap_or(socket);
            let socket = socket.split(':').next().unwrap_or(socket);
            if inside(socket) {
                return Some(AppEvidence::Guess {
                    reason: format!("the app's socket {socket} is in it"),
                    because: e,
                });
            }
        }
    }
    None
}

/// The tree directory a path of the deployed host is, when one matches: the longest trailing
/// part of the path found from the linted file's directory up (a copy of `/srv/shop` checked
/// out as `shop/`, beside or above `deploy/nginx.conf`).
fn map_into_tree(tree: &Tree<'_>, dir: &str) -> Option<(PathBuf, PathBuf)> {
    if tree.files.roots().is_empty() {
        return None;
    }
    let parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    for skip in 0..parts.len() {
        let suffix: PathBuf = parts[skip..].iter().collect();
        for (up, base) in tree.bases.iter().enumerate() {
            // The base itself, when it is the directory (the linted tree is the project), or
            // the path below it.
            let found = if base.ends_with(&suffix) {
                Some((base.clone(), PathBuf::new()))
            } else {
                let joined = base.join(&suffix);
                joined.is_dir().then(|| (joined, suffix.clone()))
            };
            let Some((candidate, below)) = found else {
                continue;
            };
            let Ok(canonical) = std::fs::canonicalize(&candidate) else {
                continue;
            };
            if !tree.files.contains(&canonical) || !canonical.is_dir() {
                continue;
            }
            let mut shown = tree.shown.parent().unwrap_or(Path::new("")).to_path_buf();
            for _ in 0..up {
                shown = match shown.components().next_back() {
                    Some(Component::Normal(_)) => {
                        shown.parent().unwrap_or(Path::new("")).to_path_buf()
                    }
                    _ => shown.join(".."),
                };
            }
            if below.as_os_str().is_empty() && base.ends_with(&suffix) {
                // The base is `up` levels above the linted file's directory.
            } else {
                shown.push(&below);
            }
            if shown.as_os_str().is_empty() {
                shown.push(".");
            }
            return Some((canonical, crate::source::normalize_path(&shown)));
        }
    }
    None
}

/// The app's files in a directory (and three levels below it), most telling first; none
/// for a directory of static files.
fn app_files(dir: &Path) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .max_depth(3)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (name == "node_modules" || name == ".git" || is_static_dir(&name)))
        });
    // A repository's metadata: recorded, not walked.
    if dir.join(".git").exists() {
        found.push((
            APP_FILES.iter().position(|f| *f == ".git").unwrap_or(0),
            ".git".into(),
        ));
    }
    for entry in walker.take(MAX_LOOKED_AT).filter_map(Result::ok) {
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let rank = APP_FILES
            .iter()
            .position(|f| *f == name)
            .or_else(|| name.ends_with(".py").then_some(APP_FILES.len()));
        if let Some(rank) = rank
            && let Ok(relative) = entry.path().strip_prefix(dir)
        {
            found.push((rank, relative.to_string_lossy().into_owned()));
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().take(3).map(|(_, f)| f).collect()
}

struct Reader<'a> {
    nginx: &'a mut Nginx,
    /// The linted file's text, for the lines of notes.
    text: &'a str,
    files: &'a FileSet,
    bases: Vec<PathBuf>,
    stack: Vec<PathBuf>,
}

impl Reader<'_> {
    fn walk(&mut self, unit: usize, parent: Option<usize>) {
        let top = self.nginx.units[unit].conf.top.clone();
        let mut work: Vec<(usize, Option<usize>)> =
            top.into_iter().rev().map(|n| (n, parent)).collect();
        while let Some((n, parent)) = work.pop() {
            let node = &self.nginx.units[unit].conf.nodes[n];
            let name = node.name.value.to_ascii_lowercase();
            let children = node.children.clone();
            let pattern = node.args.first().map(|a| a.value.clone());
            let entry = self.nginx.entries.len();
            self.nginx.entries.push(Entry {
                unit,
                node: n,
                name: name.clone(),
                parent,
            });
            if let Some(children) = children {
                work.extend(children.into_iter().rev().map(|c| (c, Some(entry))));
            } else if name == "include"
                && let Some(pattern) = pattern
            {
                self.include(unit, n, entry, &pattern, parent);
            }
        }
    }

    fn note(&mut self, unit: usize, node: usize, message: String) {
        if unit != 0 {
            return;
        }
        let u = &self.nginx.units[0];
        let start = u.conf.nodes[node].span.start.min(self.text.len());
        let line = self.text.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        self.nginx
            .notes
            .push(format!("{}:{line}: {message}", u.path.display()));
    }

    fn include(
        &mut self,
        unit: usize,
        node: usize,
        entry: usize,
        pattern: &str,
        parent: Option<usize>,
    ) {
        if pattern.contains('$') {
            self.nginx.unresolved.push(entry);
            self.note(
                unit,
                node,
                format!("include {pattern} not followed: its variable has no known value"),
            );
            return;
        }
        if self.files.roots().is_empty() {
            if !ships_with_nginx(pattern) {
                self.nginx.unresolved.push(entry);
            }
            return;
        }
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            self.error(
                unit,
                node,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
            );
            return;
        }
        let found = self.resolve(unit, pattern);
        if found.is_empty() {
            if !ships_with_nginx(pattern) {
                self.nginx.unresolved.push(entry);
            }
            if !has_wildcard(pattern) && !ships_with_nginx(pattern) {
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not found in the linted tree"),
                );
            }
            return;
        }
        for file in found {
            let Ok(canonical) = std::fs::canonicalize(&file) else {
                continue;
            };
            if !self.files.contains(&canonical) {
                self.nginx.unresolved.push(entry);
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not read: it is outside the linted tree"),
                );
                continue;
            }
            if self.stack.contains(&canonical) {
                self.error(
                    unit,
                    node,
                    format!("include cycle: {} includes itself", canonical.display()),
                );
                continue;
            }
            if self.nginx.units.len() >= MAX_FILES {
                return;
            }
            let Ok(read) = self.files.read(&canonical) else {
                continue;
            };
            let index = self.nginx.units.len();
            self.nginx.units.push(Unit::new(file, &read.text));
            self.stack.push(canonical);
            self.walk(index, parent);
            self.stack.pop();
        }
    }

    /// The files an include names, in the tree: a relative path against nginx's
    /// configuration directory or the including file's; an absolute one where it is inside
    /// the tree, else by its trailing components (`/etc/nginx/snippets/x.conf` in a copy of
    /// `etc/nginx`).
    fn resolve(&self, unit: usize, pattern: &str) -> Vec<PathBuf> {
        let path = Path::new(pattern);
        let mut bases = self.bases.clone();
        if let Some(dir) = self.nginx.units[unit].path.parent()
            && let Ok(dir) = std::fs::canonicalize(dir)
            && !bases.contains(&dir)
        {
            bases.push(dir);
        }
        if path.is_absolute() {
            // The deployed system's path itself only where it is inside the linted tree: a
            // listing of the host's `/etc/nginx` is no part of the linted configuration.
            let found = if self.files.contains(path) {
                expand_glob(path, Directories::Skip, MAX_FILES)
            } else {
                Vec::new()
            };
            if !found.is_empty() {
                return found;
            }
            let parts: Vec<&std::ffi::OsStr> = path
                .components()
                .filter_map(|c| match c {
                    Component::Normal(p) => Some(p),
                    _ => None,
                })
                .collect();
            // Keep the file name and at least one directory: `conf.d/*.conf`, not `*.conf`.
            for skip in 0..parts.len().saturating_sub(1) {
                let suffix: PathBuf = parts[skip..].iter().collect();
                for base in &bases {
                    let found = expand_glob(&base.join(&suffix), Directories::Skip, MAX_FILES);
                    if !found.is_empty() {
                        return found;
                    }
                }
            }
            return Vec::new();
        }
        for base in &bases {
            let found = expand_glob(&base.join(path), Directories::Skip, MAX_FILES);
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn error(&mut self, unit: usize, node: usize, message: String) {
        if unit == 0 {
            let span = self.nginx.units[0].conf.nodes[node].span;
            self.nginx.errors.push((span, message));
        } else {
            self.note(unit, node, message);
        }
    }
}

/// Files every nginx package installs in its configuration directory (`mime.types`,
/// `uwsgi_params`, Debian's `snippets/`): not finding them in the tree is expected.
fn ships_with_nginx(pattern: &str) -> bool {
    let name = pattern.rsplit('/').next().unwrap_or(pattern);
    matches!(
        name,
        "mime.types"
            | "fastcgi_params"
            | "fastcgi.conf"
            | "uwsgi_params"
            | "scgi_params"
            | "proxy_params"
            | "koi-utf"
            | "koi-win"
            | "win-utf"
    ) || pattern.contains("snippets/")
        || pattern.contains("modules-enabled/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backends(text: &str) -> Vec<(String, Endpoint)> {
        let source = SourceFile::new("site.conf", text.to_string());
        let nginx = load(&source, &FileSet::new(Vec::new()));
        nginx
            .backends()
            .into_iter()
            .map(|b| (nginx.arg(b.at, 0).unwrap().to_string(), b.endpoint))
            .collect()
    }

    /// What the first `proxy_pass` in `text` sends as `X-Forwarded-For`.
    fn forwarded(text: &str) -> ForwardedFor {
        let source = SourceFile::new("site.conf", text.to_string());
        let nginx = load(&source, &FileSet::new(Vec::new()));
        let pass = nginx.named("proxy_pass").next().unwrap();
        nginx.forwarded_for(pass)
    }

    #[test]
    fn forwarded_for_follows_proxy_set_header_inheritance() {
        use ForwardedFor::*;
        let cases = [
            ("location / { proxy_pass http://a; }", Client),
            (
                "location / { proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_pass http://a; }",
                Set,
            ),
            (
                "location / { proxy_set_header x-forwarded-for $remote_addr; proxy_pass http://a; }",
                Set,
            ),
            (
                "location / { proxy_set_header X-Forwarded-For $http_x_forwarded_for; proxy_pass http://a; }",
                Client,
            ),
            // Inherited by a location (and an `if` in it) that sets none.
            (
                "http { proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; server { location / { if ($a) { proxy_pass http://a; } } } }",
                Set,
            ),
            // Cut off by the location's own header.
            (
                "server { proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; location / { proxy_set_header Host $host; proxy_pass http://a; } }",
                Client,
            ),
            // A nested location inherits from the outer one.
            (
                "location /a { proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; location /a/b { proxy_pass http://a; } }",
                Set,
            ),
            (
                "location / { include proxy_params; proxy_pass http://a; }",
                Set,
            ),
            (
                "server { include proxy_params; location / { proxy_set_header Host $host; proxy_pass http://a; } }",
                Client,
            ),
            // What an include outside the tree holds is unknown, unless it is nginx's own.
            (
                "server { include headers.conf; location / { proxy_pass http://a; } }",
                Unknown,
            ),
            (
                "location / { include snippets/proxy.conf; proxy_set_header Host $host; proxy_pass http://a; }",
                Unknown,
            ),
            (
                "location / { include uwsgi_params; proxy_pass http://a; }",
                Client,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(forwarded(text), expected, "{text}");
        }
    }

    fn tcp(host: &str, port: Option<u16>) -> Endpoint {
        Endpoint::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn pass_addresses() {
        let one = |pass: &str| {
            let found = backends(&format!("server {{ location / {{ {pass}; }} }}"));
            found.into_iter().map(|(_, e)| e).collect::<Vec<_>>()
        };
        assert_eq!(
            one("proxy_pass http://127.0.0.1:8000/app/"),
            [tcp("127.0.0.1", Some(8000))]
        );
        assert_eq!(
            one("proxy_pass http://localhost"),
            [tcp("localhost", Some(80))]
        );
        assert_eq!(
            one("proxy_pass https://[::1]:8443"),
            [tcp("::1", Some(8443))]
        );
        assert_eq!(
            one("uwsgi_pass 127.0.0.1:3031"),
            [tcp("127.0.0.1", Some(3031))]
        );
        assert_eq!(
            one("uwsgi_pass uwsgi://127.0.0.1:3031"),
            [tcp("127.0.0.1", Some(3031))]
        );
        assert_eq!(
            one("proxy_pass http://unix:/run/app.sock:/api/"),
            [Endpoint::Unix("/run/app.sock".into())]
        );
        assert_eq!(
            one("uwsgi_pass unix:///tmp/app.sock"),
            [Endpoint::Unix("/tmp/app.sock".into())]
        );
        assert_eq!(one("proxy_pass http://web:8000"), [tcp("web", Some(8000))]);
        // Resolved per request: not an address.
        assert!(one("proxy_pass http://$upstream").is_empty());
        assert!(one("proxy_pass http://127.0.0.1:$port").is_empty());
    }

    #[test]
    fn upstream_servers() {
        let found = backends(
            "upstream app {\n  server 127.0.0.1:8000 weight=2;\n  server unix:/run/app.sock;\n  \
             server backup.internal;\n  server $dynamic;\n}\n\
             server { location / { proxy_pass http://app; } }\n",
        );
        assert_eq!(
            found,
            [
                ("127.0.0.1:8000".into(), tcp("127.0.0.1", Some(8000))),
                (
                    "unix:/run/app.sock".into(),
                    Endpoint::Unix("/run/app.sock".into())
                ),
                ("backup.internal".into(), tcp("backup.internal", Some(80))),
            ]
        );
    }
}
