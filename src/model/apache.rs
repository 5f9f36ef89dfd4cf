//! The effective Apache httpd configuration around one linted file: the file itself, the files
//! it includes (`Include`/`IncludeOptional`, wildcards, confined to the linted trees, cycles
//! detected), and — for a fragment such as `sites-available/x.conf` — the server's main
//! configuration (`apache2.conf`/`httpd.conf` found above it in the tree), so that each
//! `VirtualHost` is seen with the server-level directives it inherits.
//!
//! Every directive becomes an `Entry` in the order httpd reads it, with the scope it belongs to
//! (the main server or one `VirtualHost`) and the container section around it (`Directory`,
//! `Location`, `Files`, …). Conditional sections (`IfModule`, `IfDefine`, `IfVersion`, `If`,
//! …) are transparent: what they hold is taken to apply, except `<IfDefine>` on a name whose
//! `Define` state is known. `Macro` bodies are not evaluated (they apply only where `Use`d).
//!
//! `${VAR}` is replaced from `Define`s read so far, then from Debian's `envvars` defaults
//! (`APACHE_RUN_USER`/`APACHE_RUN_GROUP` = `www-data`, `APACHE_LOG_DIR` = `/var/log/apache2`,
//! …), which that file sets on every Debian system; other variables stay unresolved and paths
//! that contain them are not compared. httpd substitutes on the whole line before splitting
//! words; here each word is substituted, which differs only for values holding spaces.

use crate::diagnostic::{Diagnostic, Label};
use crate::files::FileSet;
use crate::model::deployment::{
    Account, AccountKind, Deployment, PathFact, PathKind, Placement, Service, Umask, Workdir,
    WorkdirKind, parse_umask,
};
use crate::source::{SourceFile, Span};
use crate::syntax::apache::{self, ConfFile, Node};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// httpd refuses deeper include nesting (`AP_MAX_INCLUDE_DEPTH` is 128); we stop earlier.
const MAX_INCLUDE_DEPTH: usize = 32;
/// Files read for one configuration at most (a wildcard over a huge tree stops here).
const MAX_FILES: usize = 2000;

/// Values Debian's `/etc/apache2/envvars` gives the variables `apache2.conf` uses.
const DEBIAN_ENVVARS: &[(&str, &str)] = &[
    ("APACHE_RUN_USER", "www-data"),
    ("APACHE_RUN_GROUP", "www-data"),
    ("APACHE_PID_FILE", "/var/run/apache2/apache2.pid"),
    ("APACHE_RUN_DIR", "/var/run/apache2"),
    ("APACHE_LOCK_DIR", "/var/lock/apache2"),
    ("APACHE_LOG_DIR", "/var/log/apache2"),
];

/// Sections whose content applies conditionally on something deploylint cannot know.
const CONDITIONALS: &[&str] = &[
    "ifmodule",
    "ifdefine",
    "ifversion",
    "iffile",
    "ifdirective",
    "ifsection",
    "if",
    "elseif",
    "else",
];

/// A file read as part of the configuration. Unit 0 is the linted file.
#[derive(Debug)]
pub struct Unit {
    pub path: PathBuf,
    pub conf: ConfFile,
    /// Offsets of line starts, for notes.
    pub line_starts: Vec<usize>,
}

impl Unit {
    fn new(path: PathBuf, text: &str) -> Unit {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Unit {
            path,
            conf: apache::parse(text),
            line_starts,
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }
}

/// One directive or section, as read.
#[derive(Debug, Clone)]
pub struct Entry {
    pub unit: usize,
    pub node: usize,
    /// Lower-case name (`virtualhost`, `wsgidaemonprocess`).
    pub name: String,
    /// Arguments after `${VAR}` substitution.
    pub args: Vec<String>,
    /// 0 for the main server, `k` for the `k`-th `VirtualHost` (`vhosts[k - 1]`).
    pub scope: usize,
    /// The innermost container section around it (`Directory`, `Location`, `Files`, …).
    pub section: Option<usize>,
}

/// A `key=value` option of `WSGIDaemonProcess` or `WSGIScriptAlias`.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Lower case.
    pub key: String,
    pub value: String,
    /// The whole `key=value` word.
    pub span: Span,
    /// The value only.
    pub value_span: Span,
}

/// A `WSGIDaemonProcess` group.
#[derive(Debug, Clone)]
pub struct Daemon {
    pub entry: usize,
    pub name: String,
    pub name_span: Span,
    pub opts: Vec<Opt>,
}

impl Daemon {
    pub fn opt(&self, key: &str) -> Option<&Opt> {
        self.opts.iter().rev().find(|o| o.key == key)
    }
}

/// A `WSGIScriptAlias` or `WSGIScriptAliasMatch`.
#[derive(Debug, Clone)]
pub struct Mount {
    pub entry: usize,
    pub url: String,
    pub target: String,
    pub target_span: Span,
    pub is_match: bool,
    pub opts: Vec<Opt>,
}

impl Mount {
    pub fn opt(&self, key: &str) -> Option<&Opt> {
        self.opts.iter().rev().find(|o| o.key == key)
    }
}

/// The configuration read around the linted file.
#[derive(Debug, Default)]
pub struct Apache {
    pub units: Vec<Unit>,
    pub entries: Vec<Entry>,
    /// Entry of each `<VirtualHost>`; scope `k` is `vhosts[k - 1]`.
    pub vhosts: Vec<usize>,
    /// Errors found while following includes (cycles, nesting), located in the linted file.
    pub errors: Vec<(Span, String)>,
    /// What was not read and why, for the user.
    pub notes: Vec<String>,
    /// False when an include could not be read (outside the tree, an unknown variable), so
    /// the absence of a directive proves nothing.
    pub complete: bool,
    /// The linted file is an `.htaccess` file (directory context).
    pub htaccess: bool,
    /// The main configuration found above a fragment, if any.
    pub main: Option<PathBuf>,
}

impl Apache {
    pub fn node(&self, e: usize) -> &Node {
        let entry = &self.entries[e];
        &self.units[entry.unit].conf.nodes[entry.node]
    }

    pub fn path(&self, e: usize) -> &Path {
        &self.units[self.entries[e].unit].path
    }

    /// Whether an entry is in the linted file (findings are reported only there, so a
    /// directive is reported once, when its own file is linted).
    pub fn is_local(&self, e: usize) -> bool {
        self.entries[e].unit == 0
    }

    /// Entries named `name` (lower case), in reading order.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.name == name)
            .map(|(i, _)| i)
    }

    /// Span of argument `i` (or of the name when it is missing).
    pub fn arg_span(&self, e: usize, i: usize) -> Span {
        let node = self.node(e);
        node.args.get(i).map_or(node.name_span, |a| a.span())
    }

    /// The last entry named `name` set directly in `scope` (not inside a container section).
    pub fn last_at(&self, scope: usize, name: &str) -> Option<usize> {
        self.named(name)
            .filter(|&e| self.entries[e].scope == scope && self.entries[e].section.is_none())
            .last()
    }

    /// The value in effect for a virtual host: its own last setting, else the main server's.
    pub fn effective(&self, scope: usize, name: &str) -> Option<usize> {
        self.last_at(scope, name)
            .or_else(|| (scope != 0).then(|| self.last_at(0, name)).flatten())
    }

    /// Container sections around an entry, innermost first.
    pub fn sections(&self, e: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.entries[e].section;
        while let Some(s) = at {
            out.push(s);
            at = self.entries[s].section;
        }
        out
    }

    /// Entries named `name` that may apply to a request for `url` (mapped to file `file`)
    /// in `scope`: set in the scope or the main server, directly or inside sections that may
    /// match (a section whose match is a pattern is assumed to match).
    pub fn applicable(
        &self,
        scope: usize,
        name: &str,
        url: Option<&str>,
        file: Option<&str>,
    ) -> Vec<usize> {
        self.named(name)
            .filter(|&e| {
                let entry = &self.entries[e];
                (entry.scope == scope || entry.scope == 0)
                    && self
                        .sections(e)
                        .into_iter()
                        .all(|s| self.section_may_match(s, url, file))
            })
            .collect()
    }

    fn section_may_match(&self, s: usize, url: Option<&str>, file: Option<&str>) -> bool {
        let entry = &self.entries[s];
        let pattern = entry.args.first().map(String::as_str).unwrap_or("");
        let is_regex = pattern == "~" || entry.name.ends_with("match") || has_wildcard(pattern);
        match entry.name.as_str() {
            "directory" if !is_regex => file.is_none_or(|f| related_paths(pattern, f)),
            "location" if !is_regex => url.is_none_or(|u| related_paths(pattern, u)),
            "proxy" | "proxymatch" => false,
            _ => true,
        }
    }

    /// Adds a secondary label at an entry's `span`, in its own file.
    pub fn label(&self, d: &mut Diagnostic, e: usize, span: Span, message: impl Into<String>) {
        if self.is_local(e) {
            d.label(span, message);
        } else {
            d.label_in(self.path(e).to_path_buf(), span, message);
        }
    }

    /// Every `WSGIDaemonProcess`, in reading order.
    pub fn daemons(&self) -> Vec<Daemon> {
        self.named("wsgidaemonprocess")
            .filter_map(|e| {
                let node = self.node(e);
                let name = self.entries[e].args.first()?.clone();
                Some(Daemon {
                    entry: e,
                    name,
                    name_span: node.args[0].span(),
                    opts: self.options(e, 1),
                })
            })
            .collect()
    }

    /// Every `WSGIScriptAlias`/`WSGIScriptAliasMatch` with a target.
    /// The mounts whose directive is in the linted file (findings are reported there once).
    pub fn local_mounts(&self) -> Vec<Mount> {
        let mut mounts = self.mounts();
        mounts.retain(|m| self.is_local(m.entry));
        mounts
    }

    pub fn mounts(&self) -> Vec<Mount> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.name == "wsgiscriptalias" || e.name == "wsgiscriptaliasmatch")
            .filter_map(|(i, e)| {
                let target = e.args.get(1)?.clone();
                Some(Mount {
                    entry: i,
                    url: e.args[0].clone(),
                    target,
                    target_span: self.arg_span(i, 1),
                    is_match: e.name == "wsgiscriptaliasmatch",
                    opts: self.options(i, 2),
                })
            })
            .collect()
    }

    /// `key=value` arguments of an entry from argument `from` on.
    pub fn options(&self, e: usize, from: usize) -> Vec<Opt> {
        let node = self.node(e);
        let entry = &self.entries[e];
        entry
            .args
            .iter()
            .enumerate()
            .skip(from)
            .filter_map(|(i, arg)| {
                let (key, value) = arg.split_once('=')?;
                let word = &node.args[i];
                let raw = word.as_str();
                let value_span = match raw.find('=') {
                    Some(eq) if !word.quoted && raw[eq + 1..] == *value => {
                        word.text.span_of(eq + 1..raw.len())
                    }
                    _ => word.span(),
                };
                Some(Opt {
                    key: key.to_ascii_lowercase(),
                    value: value.to_string(),
                    span: word.span(),
                    value_span,
                })
            })
            .collect()
    }

    /// Whether the configuration read is a whole server's (the linted file is the main
    /// configuration, or one was found above it) and nothing was left unread, so that the
    /// absence of a server-level directive means it is not set.
    pub fn server_view(&self) -> bool {
        let name = self.units[0].path.file_name().and_then(|n| n.to_str());
        self.complete && (self.main.is_some() || name.is_some_and(is_main_name))
    }

    /// What the linted file deploys: each of its mod_wsgi daemon process groups, run on the
    /// host as its `user=`, or else as Apache's own account.
    pub fn deployment(&self) -> Deployment {
        let apache_user = self.effective(0, "user");
        let mut services = self
            .daemons()
            .into_iter()
            .filter(|d| self.is_local(d.entry))
            .map(|daemon| {
                let user = match daemon.opt("user") {
                    Some(user) => Account {
                        kind: AccountKind::Named(Some(user.value.clone())),
                        how: format!("user={}", user.value),
                        at: user.value_span,
                        label: None,
                    },
                    None => Account {
                        kind: AccountKind::Inherited(
                            apache_user
                                .and_then(|e| self.entries[e].args.first())
                                .filter(|u| !u.contains("${"))
                                .cloned(),
                        ),
                        how: "has no user=".to_string(),
                        at: daemon.name_span,
                        label: apache_user.map(|e| Label {
                            path: (!self.is_local(e)).then(|| self.path(e).to_path_buf()),
                            span: self.arg_span(e, 0),
                            message: "Apache's account".to_string(),
                        }),
                    },
                };
                let subject = format!("daemon process group {}", daemon.name);
                let workdir = match daemon.opt("home") {
                    Some(home) => Workdir {
                        kind: WorkdirKind::Set(home.value.clone()),
                        how: format!("{subject} starts in"),
                        at: home.value_span,
                        label: None,
                    },
                    None => Workdir {
                        kind: WorkdirKind::Default("/".to_string()),
                        how: "has no home=: it runs with Apache's working directory (/)"
                            .to_string(),
                        at: daemon.name_span,
                        label: None,
                    },
                };
                let writable = daemon
                    .opt("python-eggs")
                    .map(|eggs| PathFact {
                        kind: PathKind::Writable,
                        path: eggs.value.clone(),
                        how: format!("python-eggs= puts {subject}'s files in"),
                        at: eggs.value_span,
                    })
                    .into_iter()
                    .collect();
                let group = daemon.opt("group");
                let umask = daemon.opt("umask").and_then(|umask| {
                    Some(Umask {
                        mask: parse_umask(&umask.value)?,
                        written: format!("umask={}", umask.value),
                        at: umask.value_span,
                        group: group
                            .or(daemon.opt("user"))
                            .map(|g| g.value.clone())
                            .or_else(|| user.name().map(str::to_string)),
                    })
                });
                Service {
                    group: group.map(|group| Account {
                        kind: AccountKind::Named(Some(group.value.clone())),
                        how: format!("group={}", group.value),
                        at: group.value_span,
                        label: None,
                    }),
                    user: Some(user),
                    host: Some("Apache"),
                    workdir: Some(workdir),
                    writable,
                    umask,
                    ..Service::new(subject, Placement::Host)
                }
            })
            .collect::<Vec<_>>();
        // mod_wsgi's own files, shared by every daemon of the server.
        let shared: Vec<PathFact> = ["wsgisocketprefix", "wsgipythoneggs"]
            .iter()
            .flat_map(|name| self.named(name))
            .filter(|&e| self.is_local(e))
            .filter_map(|e| {
                Some(PathFact {
                    kind: PathKind::Writable,
                    path: self.entries[e].args.first()?.clone(),
                    how: format!("{} puts mod_wsgi's files in", self.node(e).name),
                    at: self.arg_span(e, 0),
                })
            })
            .collect();
        if !shared.is_empty() {
            services.push(Service {
                runs_app: false,
                writable: shared,
                host: Some("Apache"),
                ..Service::new("mod_wsgi", Placement::Host)
            });
        }
        Deployment {
            services,
            ..Deployment::default()
        }
    }

    /// Whether mod_wsgi serves anything in the configuration.
    pub fn uses_wsgi(&self) -> bool {
        self.entries.iter().any(|e| e.name.starts_with("wsgi"))
    }
}

/// Whether one path is inside the other (or equal), compared by components.
pub fn related_paths(a: &str, b: &str) -> bool {
    is_under(a, b) || is_under(b, a)
}

/// Whether `path` is `dir` or inside it, by components (`/var/www` holds `/var/www/x`, not
/// `/var/wwwx`). Paths with unresolved variables are never related.
pub fn is_under(path: &str, dir: &str) -> bool {
    if path.contains("${") || dir.contains("${") {
        return false;
    }
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
            .collect()
    };
    let (p, d) = (parts(path), parts(dir));
    path.starts_with('/') == dir.starts_with('/') && p.len() >= d.len() && p[..d.len()] == d[..]
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Loads the configuration around `source`. Files other than the linted one are read only
/// through `files`, inside the linted trees only.
pub fn load(source: &SourceFile, files: &FileSet) -> Apache {
    let roots = files.roots();
    let path = source.path().to_path_buf();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    let mut apache = Apache {
        units: vec![Unit::new(path.clone(), source.text())],
        complete: true,
        htaccess: name == ".htaccess",
        ..Apache::default()
    };
    let linted_canonical = std::fs::canonicalize(&path).ok();
    let main = if apache.htaccess || is_main_name(&name) {
        None
    } else {
        linted_canonical.as_ref().and_then(|c| find_main(c, roots))
    };
    let base = main
        .as_ref()
        .and_then(|m| m.parent().map(Path::to_path_buf))
        .or_else(|| {
            linted_canonical
                .as_ref()
                .and_then(|c| c.parent().map(Path::to_path_buf))
        })
        .unwrap_or_default();
    let mut reader = Reader {
        apache: &mut apache,
        files,
        defines: HashMap::new(),
        server_root: base.clone(),
        base,
        stack: Vec::new(),
        linted: linted_canonical,
        spliced: false,
    };
    let server = Ctx {
        scope: 0,
        section: None,
    };
    if let Some(main) = &main {
        reader.apache.main = Some(main.clone());
        if let Ok(file) = files.read(main) {
            let unit = reader.apache.units.len();
            reader
                .apache
                .units
                .push(Unit::new(main.clone(), &file.text));
            reader.stack.push(main.clone());
            reader.walk(unit, server);
            reader.stack.pop();
        }
    }
    if !reader.spliced {
        if let Some(c) = reader.linted.clone() {
            reader.stack.push(c);
        }
        reader.walk(0, server);
    }
    apache
}

fn is_main_name(name: &str) -> bool {
    matches!(name, "apache2.conf" | "httpd.conf")
}

/// The server's main configuration above a fragment, inside the linted trees.
fn find_main(linted: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let inside = |p: &Path| roots.iter().any(|r| p.starts_with(r));
    let mut dir = linted.parent()?;
    for _ in 0..3 {
        if !inside(dir) {
            return None;
        }
        for name in ["apache2.conf", "httpd.conf", "conf/httpd.conf"] {
            let candidate = dir.join(name);
            if candidate.is_file()
                && let Ok(c) = std::fs::canonicalize(&candidate)
                && inside(&c)
                && c != linted
            {
                return Some(c);
            }
        }
        dir = dir.parent()?;
    }
    None
}

#[derive(Clone, Copy)]
struct Ctx {
    scope: usize,
    section: Option<usize>,
}

struct Reader<'a> {
    apache: &'a mut Apache,
    files: &'a FileSet,
    defines: HashMap<String, String>,
    /// Where relative includes are resolved first (ServerRoot mapped into the tree).
    server_root: PathBuf,
    /// The main configuration's directory (anchors absolute paths mapped into the tree).
    base: PathBuf,
    /// Canonical paths of the files being read, for cycle detection.
    stack: Vec<PathBuf>,
    linted: Option<PathBuf>,
    spliced: bool,
}

impl Reader<'_> {
    fn walk(&mut self, unit: usize, ctx: Ctx) {
        let top = self.apache.units[unit].conf.top.clone();
        let mut work: Vec<(usize, Ctx)> = top.into_iter().rev().map(|n| (n, ctx)).collect();
        while let Some((n, ctx)) = work.pop() {
            let node = &self.apache.units[unit].conf.nodes[n];
            let name = node.name.to_ascii_lowercase();
            let args: Vec<String> = node.args.iter().map(|a| self.expand(a.as_str())).collect();
            let children = node.children.clone();
            let section = node.section;
            let entry = self.apache.entries.len();
            self.apache.entries.push(Entry {
                unit,
                node: n,
                name: name.clone(),
                args: args.clone(),
                scope: ctx.scope,
                section: ctx.section,
            });
            if section {
                let inner = if name == "macro" {
                    // A macro body applies only where it is `Use`d.
                    continue;
                } else if name == "virtualhost" {
                    self.apache.vhosts.push(entry);
                    Ctx {
                        scope: self.apache.vhosts.len(),
                        section: None,
                    }
                } else if CONDITIONALS.contains(&name.as_str()) {
                    if name == "ifdefine" && self.known_false(args.first()) {
                        continue;
                    }
                    ctx
                } else {
                    Ctx {
                        scope: ctx.scope,
                        section: Some(entry),
                    }
                };
                work.extend(children.into_iter().rev().map(|c| (c, inner)));
                continue;
            }
            match name.as_str() {
                "define" => {
                    if let Some(key) = args.first() {
                        let value = args.get(1).cloned().unwrap_or_default();
                        self.defines.insert(key.clone(), value);
                    }
                }
                "undefine" => {
                    if let Some(key) = args.first() {
                        self.defines.remove(key);
                    }
                }
                "serverroot" => {
                    if let Some(root) = args.first()
                        && let Some(mapped) = self.map_absolute(Path::new(root))
                    {
                        self.server_root = mapped;
                    }
                }
                "include" | "includeoptional" => {
                    if let Some(pattern) = args.first() {
                        self.include(unit, n, pattern, name == "includeoptional", ctx);
                    }
                }
                _ => {}
            }
        }
    }

    fn known_false(&self, arg: Option<&String>) -> bool {
        let Some(arg) = arg else { return false };
        match arg.strip_prefix('!') {
            Some(name) => self.defines.contains_key(name),
            None => false,
        }
    }

    fn expand(&self, text: &str) -> String {
        if !text.contains("${") {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    let value = self.defines.get(name).map(String::as_str).or_else(|| {
                        DEBIAN_ENVVARS
                            .iter()
                            .find(|(k, _)| *k == name)
                            .map(|(_, v)| *v)
                    });
                    match value {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[start..start + 3 + end]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A note about an include of the linted file (those of other files are given when
    /// those files are linted).
    fn note(&mut self, unit: usize, node: usize, message: String) {
        if unit != 0 {
            return;
        }
        let u = &self.apache.units[0];
        let line = u.line(u.conf.nodes[node].span.start);
        self.apache
            .notes
            .push(format!("{}:{line}: {message}", u.path.display()));
    }

    fn include(&mut self, unit: usize, node: usize, pattern: &str, optional: bool, ctx: Ctx) {
        if pattern.contains("${") {
            self.apache.complete = false;
            self.note(
                unit,
                node,
                format!("include {pattern} not followed: its variable has no known value"),
            );
            return;
        }
        if self.files.roots().is_empty() {
            self.apache.complete = false;
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.error(
                unit,
                node,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
            );
            return;
        }
        let pattern_path = Path::new(pattern);
        let bases: Vec<PathBuf> = if pattern_path.is_absolute() {
            self.map_absolute(pattern_path).into_iter().collect()
        } else {
            let including = self.apache.units[unit]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let including = std::fs::canonicalize(&including).unwrap_or(including);
            let mut bases = vec![self.server_root.join(pattern)];
            if including != self.server_root {
                bases.push(including.join(pattern));
            }
            bases
        };
        let mut files = Vec::new();
        for base in &bases {
            files = expand_glob(base);
            if !files.is_empty() {
                break;
            }
        }
        if files.is_empty() {
            if bases.is_empty() {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not read: it is outside the linted tree"),
                );
            } else if !optional && !has_wildcard(pattern) {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not found in the linted tree"),
                );
            } else if !bases.iter().any(|b| static_dir(b).is_dir()) {
                // A copied tree without `mods-enabled/`: what the server loads is unknown.
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not read: its directory is not in the linted tree"),
                );
            }
            return;
        }
        for file in files {
            let Ok(canonical) = std::fs::canonicalize(&file) else {
                continue;
            };
            if !self.files.contains(&canonical) {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!(
                        "{} not read: it is outside the linted tree",
                        canonical.display()
                    ),
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
            if self.linted.as_ref() == Some(&canonical) {
                if !self.spliced {
                    self.spliced = true;
                    self.stack.push(canonical);
                    self.walk(0, ctx);
                    self.stack.pop();
                }
                continue;
            }
            if self.apache.units.len() >= MAX_FILES {
                self.apache.complete = false;
                return;
            }
            // A binary or unreadable file is not configuration httpd would read either.
            let Ok(read) = self.files.read(&canonical) else {
                continue;
            };
            let index = self.apache.units.len();
            self.apache.units.push(Unit::new(file, &read.text));
            self.stack.push(canonical);
            self.walk(index, ctx);
            self.stack.pop();
        }
    }

    fn error(&mut self, unit: usize, node: usize, message: String) {
        if unit == 0 {
            let span = self.apache.units[0].conf.nodes[node].span;
            self.apache.errors.push((span, message));
        } else {
            self.note(unit, node, message);
        }
    }

    /// An absolute path of the deployed system, in the linted tree: the path itself when it
    /// is inside the tree, else the tree directory that ends with the path's leading
    /// components (`/etc/apache2/conf.d` in a copy at `…/etc/apache2`).
    fn map_absolute(&self, path: &Path) -> Option<PathBuf> {
        if let Some(c) = self.files.inside(path) {
            return Some(c);
        }
        let parts: Vec<&std::ffi::OsStr> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(p) => Some(p),
                _ => None,
            })
            .collect();
        for k in (1..=parts.len()).rev() {
            let prefix: PathBuf = parts[..k].iter().collect();
            let mut dir = Some(self.base.as_path());
            while let Some(d) = dir {
                if d.ends_with(&prefix) {
                    let mut mapped = d.to_path_buf();
                    mapped.extend(&parts[k..]);
                    if self.files.contains(&mapped) {
                        return Some(mapped);
                    }
                }
                dir = d.parent();
            }
        }
        None
    }
}

/// The leading part of a path before its first component with a wildcard.
fn static_dir(path: &Path) -> PathBuf {
    path.components()
        .take_while(|c| !has_wildcard(&c.as_os_str().to_string_lossy()))
        .collect()
}

/// Files matched by an include path with wildcards in any component, sorted as httpd sorts
/// them; a directory stands for every file below it.
fn expand_glob(path: &Path) -> Vec<PathBuf> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for component in path.components() {
        let text = component.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        for base in &current {
            if matches!(component, Component::Normal(_)) && has_wildcard(&text) {
                let Ok(entries) = std::fs::read_dir(base) else {
                    continue;
                };
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.') || text.starts_with('.'))
                    .filter(|n| fnmatch(&text, n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| base.join(n)));
            } else {
                next.push(base.join(component.as_os_str()));
            }
            if next.len() > MAX_FILES {
                break;
            }
        }
        current = next;
    }
    let mut files = Vec::new();
    for p in current {
        if p.is_file() {
            files.push(p);
        } else if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&p)
                .max_depth(8)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.into_path())
                .take(MAX_FILES)
                .collect();
            found.sort();
            files.extend(found);
        }
    }
    files
}

/// Shell-style matching of one path component: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, len)) = class_match(&p[pi..], n[ni])
                        && matched
                    {
                        pi += len;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches a `[...]` class at the start of `p`: (matched, length of the class).
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() && (p[i] != ']' || first) {
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    (i < p.len()).then_some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Apache {
        load(
            &SourceFile::new("apache2/site.conf", text),
            &FileSet::default(),
        )
    }

    #[test]
    fn scopes_sections_and_effective_values() {
        let a = load_text(
            "DocumentRoot /srv/default\nServerTokens OS\n<VirtualHost *:80>\n  DocumentRoot /var/www\n  <Directory /var/www/app>\n    Options ExecCGI\n  </Directory>\n</VirtualHost>\n<VirtualHost *:81>\n</VirtualHost>\n<IfModule mod_x.c>\nServerTokens Prod\n</IfModule>\n<Macro M>\nServerTokens Full\n</Macro>\n",
        );
        assert_eq!(a.vhosts.len(), 2);
        let root = |s| a.entries[a.effective(s, "documentroot").unwrap()].args[0].clone();
        assert_eq!(root(1), "/var/www");
        assert_eq!(root(2), "/srv/default");
        let options = a.named("options").next().unwrap();
        assert_eq!(a.entries[options].scope, 1);
        assert_eq!(
            a.node(a.entries[options].section.unwrap()).name,
            "Directory"
        );
        let tokens = a.effective(0, "servertokens").unwrap();
        assert_eq!(a.entries[tokens].args[0], "Prod");
    }

    #[test]
    fn defines_and_ifdefine() {
        let a = load_text(
            "Define ROOT /srv/app\nDocumentRoot ${ROOT}/public\nUser ${APACHE_RUN_USER}\nErrorLog ${NOPE}/x\n<IfDefine !ROOT>\nServerName skipped\n</IfDefine>\n",
        );
        let arg = |n: &str| a.entries[a.named(n).next().unwrap()].args[0].clone();
        assert_eq!(arg("documentroot"), "/srv/app/public");
        assert_eq!(arg("user"), "www-data");
        assert_eq!(arg("errorlog"), "${NOPE}/x");
        assert_eq!(a.named("servername").count(), 0);
    }

    #[test]
    fn daemon_options_have_spans() {
        let text = "WSGIDaemonProcess app processes=2 \\\n  user=app-svc \"home=/srv/a b\"\n";
        let a = load_text(text);
        let d = &a.daemons()[0];
        assert_eq!(d.name, "app");
        let user = d.opt("user").unwrap();
        assert_eq!(&text[user.span.range()], "user=app-svc");
        assert_eq!(&text[user.value_span.range()], "app-svc");
        assert_eq!(d.opt("home").unwrap().value, "/srv/a b");
    }

    #[test]
    fn paths_and_globs() {
        assert!(is_under("/var/www/app/wsgi.py", "/var/www/"));
        assert!(is_under("/var/www", "/var/www"));
        assert!(!is_under("/var/wwwx/a", "/var/www"));
        assert!(!is_under("${X}/a", "/"));
        assert!(fnmatch("*.conf", "a.conf"));
        assert!(!fnmatch("*.conf", "a.load"));
        assert!(fnmatch("0[0-9]-*", "05-x"));
        assert!(fnmatch("[!a]*", "bc"));
        assert!(!fnmatch("[!a]*", "ac"));
        assert!(fnmatch("a?c", "abc"));
    }
}
