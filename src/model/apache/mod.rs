//! The effective Apache httpd configuration around one linted file, as typed entries: every
//! directive (`Entry`) in the order httpd reads it, with the scope it belongs to (the main
//! server or one `VirtualHost`) and the container section around it (`Directory`,
//! `Location`, `Files`, …); the mod_wsgi daemon process groups (`Daemon`) and mounts
//! (`Mount`); and what the configuration deploys. `loader` reads it: the file, what it
//! includes, and the server's main configuration around a fragment.

mod loader;

pub use loader::load;

use crate::diagnostic::{Diagnostic, Label};
use crate::model::deployment::{
    Account, AccountKind, Deployment, PathFact, PathKind, Placement, Service, Umask, Workdir,
    WorkdirKind, parse_umask,
};
use crate::model::include::has_wildcard;
use crate::source::Span;
use crate::syntax::apache::{self, ConfFile, Node};
use std::path::{Path, PathBuf};

/// A file read as part of the configuration. Unit 0 is the linted file.
#[derive(Debug)]
pub struct Unit {
    pub path: PathBuf,
    pub conf: ConfFile,
    /// Offsets of line starts, for notes.
    pub line_starts: Vec<usize>,
}

impl Unit {
    pub(crate) fn new(path: PathBuf, text: &str) -> Unit {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Unit {
            path,
            conf: apache::parse(text),
            line_starts,
        }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
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

/// A place where mod_wsgi runs scripts: a `WSGIScriptAlias`/`WSGIScriptAliasMatch`, or a
/// `SetHandler wsgi-script` / `AddHandler wsgi-script .ext` in a section.
#[derive(Debug, Clone)]
pub struct Mount {
    pub entry: usize,
    /// The URL it serves: the alias's, or the enclosing `<Location>`'s; empty when unknown
    /// (a handler in a `<Directory>` serves whatever URL maps there).
    pub url: String,
    /// The script file or directory: the alias's target, or the enclosing `<Directory>`
    /// (for an `.htaccess` file, its own directory); empty when unknown.
    pub target: String,
    pub target_span: Span,
    pub is_match: bool,
    pub opts: Vec<Opt>,
    /// Set for `SetHandler`/`AddHandler`: how it picks the scripts.
    pub handler: Option<Handler>,
}

/// How a handler mount picks the files it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    /// `SetHandler wsgi-script`: every file the section covers (one file inside `<Files>`).
    Every { single_file: bool },
    /// `AddHandler wsgi-script .wsgi .py`: files with these extensions.
    Extensions(Vec<String>),
}

impl Mount {
    pub fn opt(&self, key: &str) -> Option<&Opt> {
        self.opts.iter().rev().find(|o| o.key == key)
    }

    /// The URL for matching `<Location>` sections, when known.
    pub fn request_url(&self) -> Option<&str> {
        (!self.url.is_empty()).then_some(self.url.as_str())
    }

    /// The script file for matching `<Directory>`/`<Files>` sections, when it is one path.
    pub fn script_path(&self) -> Option<&str> {
        (!self.is_match && !self.target.is_empty()).then_some(self.target.as_str())
    }

    /// The mount as the user wrote it, for messages: `WSGIScriptAlias /app`,
    /// `SetHandler wsgi-script in <Directory /srv/app>`.
    pub fn describe(&self, apache: &Apache) -> String {
        let name = &apache.node(self.entry).name;
        match &self.handler {
            None => format!("{name} {}", self.url),
            Some(handler) => {
                let what = match handler {
                    Handler::Every { .. } => format!("{name} wsgi-script"),
                    Handler::Extensions(exts) => format!("{name} wsgi-script {}", exts.join(" ")),
                };
                match self.entries_section(apache) {
                    Some(section) => format!("{what} in {section}"),
                    None => what,
                }
            }
        }
    }

    /// What is served, for messages: the alias's URL, else the app the handler runs.
    pub fn served(&self, apache: &Apache) -> String {
        match (&self.handler, self.request_url()) {
            (None, _) | (_, Some(_)) if !self.url.is_empty() => self.url.clone(),
            _ => format!("the app of {}", self.describe(apache)),
        }
    }

    /// The sections around the mount, innermost first: `<Files app.wsgi> in <Directory /srv>`.
    fn entries_section(&self, apache: &Apache) -> Option<String> {
        let sections: Vec<String> = apache
            .sections(self.entry)
            .into_iter()
            .map(|s| {
                let args = apache.entries[s].args.join(" ");
                format!("<{} {args}>", apache.node(s).name)
            })
            .collect();
        (!sections.is_empty()).then(|| sections.join(" in "))
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
                    handler: None,
                })
            })
            .chain(self.handler_mounts())
            .collect()
    }

    /// `SetHandler wsgi-script` and `AddHandler wsgi-script .ext…`: the section they are in
    /// says which directory or URL they cover.
    fn handler_mounts(&self) -> Vec<Mount> {
        let mut mounts = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let handler = match e.name.as_str() {
                "sethandler" if is_wsgi_handler(e.args.first()) => {
                    let single_file = self.sections(i).iter().any(|&s| {
                        let section = &self.entries[s];
                        section.name == "files"
                            && section
                                .args
                                .first()
                                .is_some_and(|a| a != "~" && !has_wildcard(a))
                    });
                    Handler::Every { single_file }
                }
                "addhandler" if is_wsgi_handler(e.args.first()) => {
                    let exts: Vec<String> = e.args[1..].to_vec();
                    if exts.is_empty() {
                        continue;
                    }
                    Handler::Extensions(exts)
                }
                _ => continue,
            };
            let mut url = String::new();
            let mut target = String::new();
            for s in self.sections(i) {
                let section = &self.entries[s];
                let Some(arg) = section.args.first() else {
                    continue;
                };
                let literal = arg != "~" && !has_wildcard(arg);
                match section.name.as_str() {
                    "location" if literal && url.is_empty() => url = arg.clone(),
                    "directory" if literal && target.is_empty() => target = arg.clone(),
                    _ => {}
                }
            }
            if target.is_empty()
                && self.htaccess
                && self.entries[i].unit == 0
                && let Some(dir) = self.units[0].path.parent()
            {
                target = dir.to_string_lossy().into_owned();
            }
            mounts.push(Mount {
                entry: i,
                url,
                target,
                target_span: self.arg_span(i, 0),
                is_match: false,
                opts: Vec::new(),
                handler: Some(handler),
            });
        }
        mounts
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

/// The names of a server's main configuration file.
fn is_main_name(name: &str) -> bool {
    matches!(name, "apache2.conf" | "httpd.conf")
}

/// Whether one path is inside the other (or equal), compared by components.
fn is_wsgi_handler(name: Option<&String>) -> bool {
    name.is_some_and(|n| n.eq_ignore_ascii_case("wsgi-script"))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileSet;
    use crate::source::SourceFile;

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
    }
}
