//! uWSGI configurations (ini, or YAML under a `uwsgi:` key) read as uWSGI reads them: the
//! `[uwsgi]` section (or the one `--ini file:section` names), repeated keys kept in order,
//! `ini = other.ini[:section]` includes followed inside the linted trees, options under
//! `if-*`/`for` blocks marked conditional, and values expanded where uWSGI's substitutions
//! can be told from the file (`%(option)`, `%n`, `%s`, `%e`, `%c`) and unknown where they
//! cannot (`$(ENV)`, `@(file)`, `%d`, `%h`): an unknown value is never read as a literal.
//!
//! The server it configures is lowered into the deployment model as a uWSGI launch with the
//! equivalent command-line options, so the launcher rules read it as they read
//! `uwsgi --http :8000`.

use crate::files::FileSet;
use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, PathFact, PathKind, Placement, Process, Service,
    Umask, Workdir, WorkdirKind, parse_umask,
};
use crate::model::launcher::{Launch, Program};
use crate::model::view::ParseError;
use crate::source::{MappedText, Span};
use crate::syntax::ini::{self, Dialect};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How deep `ini =` includes are followed.
const MAX_INCLUDE_DEPTH: usize = 8;

/// One option as uWSGI sees it, in the order it is applied.
#[derive(Debug, Clone)]
pub struct UwsgiOption {
    pub key: String,
    /// The key in the linted file (for an included option: the `ini =` line that brings it).
    pub key_span: Span,
    /// The value after substitutions; None when it depends on something the file does not
    /// give (an environment variable, another file, the config's own directory).
    pub value: Option<String>,
    /// Where the value is in the linted file (the include's value for an included option).
    pub value_span: Span,
    /// Inside an `if-*` or `for` block: applied only when its condition holds.
    pub conditional: bool,
    /// Brought in by an `ini =` include.
    pub included: bool,
}

#[derive(Debug, Default)]
pub struct UwsgiConfig {
    pub options: Vec<UwsgiOption>,
    pub errors: Vec<ParseError>,
    /// How the file was read where the user should know (an include not followed).
    pub notes: Vec<String>,
    /// The file has the section uWSGI reads by default; without it, it configures nothing
    /// unless started with `--ini file:section`.
    pub has_section: bool,
}

/// An option before substitution.
struct Raw {
    key: String,
    key_span: Span,
    value: String,
    value_span: Span,
}

impl UwsgiConfig {
    /// Reads the file at `path` (its text is `text`); YAML when its name says so.
    pub fn read(path: &Path, text: &str, files: &FileSet) -> UwsgiConfig {
        let mut out = UwsgiConfig::default();
        let raw = if is_yaml_name(path) {
            yaml_options(text, &mut out)
        } else {
            let ini = ini::parse(text, Dialect::Uwsgi);
            out.has_section = ini.sections_named("uwsgi").next().is_some();
            section_options(&ini, "uwsgi")
        };
        let mut vars: HashMap<String, Option<String>> = HashMap::new();
        let mut reader = Reader {
            files,
            config: &mut out,
            vars: &mut vars,
            depth: 0,
            conditional: 0,
        };
        reader.apply(path, raw, None);
        out
    }

    /// Options named any of `keys`, unconditional, in order.
    pub fn all<'a>(&'a self, keys: &'a [&str]) -> impl Iterator<Item = &'a UwsgiOption> + 'a {
        self.options
            .iter()
            .filter(move |o| !o.conditional && keys.contains(&o.key.as_str()))
    }

    /// The last unconditional value of an option (uWSGI keeps the last for single options).
    pub fn last(&self, keys: &[&str]) -> Option<&UwsgiOption> {
        self.options
            .iter()
            .rev()
            .find(|o| !o.conditional && keys.contains(&o.key.as_str()))
    }

    /// The server as a deployment: the service with its account, directory, umask and the
    /// files it writes, and one uWSGI process with its sockets and reloader.
    pub fn deployment(&self, placement: Placement) -> Deployment {
        let mut out = Deployment::default();
        if !self.has_section && self.options.is_empty() {
            return out;
        }
        let mut service = Service::new("the uWSGI server", placement);
        // A container's /tmp is its own.
        service.private_tmp = placement == Placement::Container;
        if let Some(uid) = self.last(&["uid"]) {
            service.user = Some(account(uid, "uid"));
        }
        if let Some(gid) = self.last(&["gid"]) {
            service.group = Some(account(gid, "gid"));
        }
        if let Some(chdir) = self.last(&["chdir"])
            && let Some(path) = &chdir.value
        {
            service.workdir = Some(Workdir {
                kind: WorkdirKind::Set(path.clone()),
                how: "`chdir =` starts the app in".to_string(),
                at: chdir.value_span,
                label: None,
            });
        }
        if let Some(umask) = self.last(&["umask"])
            && let Some(value) = &umask.value
            && let Some(mask) = parse_umask(value)
        {
            service.umask = Some(Umask {
                mask,
                written: format!("umask = {value}"),
                at: umask.value_span,
                group: self.last(&["gid"]).and_then(|g| g.value.clone()),
            });
        }
        for option in self.all(WRITTEN_FILES) {
            let Some(path) = option.value.as_deref() else {
                continue;
            };
            // A socket's value may be an address; only paths are files.
            let path = path.split(',').next().unwrap_or(path).trim();
            if !path.starts_with('/') {
                continue;
            }
            let what = if option.key.contains("pid") {
                "its pid file at"
            } else if option.key.contains("log") || option.key == "daemonize" {
                "its log at"
            } else if option.key == "master-fifo" {
                "its control FIFO at"
            } else {
                "a socket at"
            };
            service.writable.push(PathFact {
                kind: PathKind::Writable,
                path: path.to_string(),
                how: format!("`{} =` makes {what}", option.key),
                at: option.value_span,
            });
        }
        if let Some(chmod) = self.last(&["chmod-socket"]) {
            // A bare `chmod-socket` means 666.
            let mode = match (&chmod.value, chmod.value_span.is_empty()) {
                (Some(v), _) if !v.trim().is_empty() => Some(v.trim().to_string()),
                (Some(_), true) => Some("666".to_string()),
                _ => None,
            };
            // Only a mode that lets others write matters: connecting needs write permission.
            let others_write = |m: &str| {
                !m.is_empty()
                    && m.bytes().all(|b| (b'0'..=b'7').contains(&b))
                    && (m.as_bytes()[m.len() - 1] - b'0') & 0o2 != 0
            };
            if let Some(mode) = mode
                && others_write(&mode)
            {
                let sockets: Vec<String> = self
                    .all(&["socket", "uwsgi-socket", "http-socket", "fastcgi-socket"])
                    .filter_map(|o| o.value.clone())
                    .filter(|v| v.starts_with('/'))
                    .collect();
                if !sockets.is_empty() {
                    service.writable.push(PathFact {
                        kind: PathKind::WorldWritable,
                        path: sockets.join(", "),
                        how: format!("chmod-socket = {mode}"),
                        at: if chmod.value_span.is_empty() {
                            chmod.key_span
                        } else {
                            chmod.value_span
                        },
                    });
                }
            }
        }
        out.services.push(service);
        let mut args = Vec::new();
        for option in self.all(LAUNCH_OPTIONS) {
            let Some(value) = &option.value else {
                continue;
            };
            args.push(MappedText::standing_for(
                &format!("--{}", option.key),
                option.key_span,
            ));
            args.push(MappedText::standing_for(value, option.value_span));
        }
        let launch = Launch {
            program: Program::Uwsgi,
            program_span: Span::default(),
            args,
            env: Vec::new(),
            runs_as: None,
            program_word: None,
        };
        out.processes
            .push(Process::new(launch, placement, "the uWSGI config").in_service(0));
        for option in self.all(&["env"]) {
            let Some(value) = &option.value else {
                continue;
            };
            if let Some((name, value)) = value.split_once('=') {
                let mut var = EnvVar::new(
                    name.trim().to_string(),
                    value.to_string(),
                    option.value_span,
                    "`env =`",
                );
                var.service = Some(0);
                out.env.push(var);
            }
        }
        out
    }
}

/// Options that name files the server creates.
const WRITTEN_FILES: &[&str] = &[
    "socket",
    "uwsgi-socket",
    "http-socket",
    "fastcgi-socket",
    "stats",
    "master-fifo",
    "pidfile",
    "pidfile2",
    "safe-pidfile",
    "safe-pidfile2",
    "logto",
    "logto2",
    "daemonize",
    "daemonize2",
];

/// Options passed on to the launch model as their command-line equivalents.
const LAUNCH_OPTIONS: &[&str] = &[
    "http",
    "http-socket",
    "https",
    "https-socket",
    "http11-socket",
    "socket",
    "uwsgi-socket",
    "fastcgi-socket",
    "scgi-socket",
    "suwsgi-socket",
    "ssl-socket",
    "raw-socket",
    "module",
    "wsgi-file",
    "wsgi",
    "file",
    "mount",
    "callable",
    "py-autoreload",
    "python-autoreload",
    "py-auto-reload",
    "honour-stdin",
];

fn account(option: &UwsgiOption, key: &str) -> Account {
    let value = option.value.clone();
    let shown = value.as_deref().unwrap_or("a value the file does not give");
    Account {
        kind: AccountKind::Named(value.clone()),
        how: format!("{key} = {shown}"),
        at: option.value_span,
        label: None,
    }
}

/// Text that stands for `span` of the file as a whole.
fn is_yaml_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn section_options(ini: &ini::Ini, section: &str) -> Vec<Raw> {
    ini.sections_named(section)
        .flat_map(|s| &s.entries)
        .map(|e| Raw {
            key: e.key.clone(),
            key_span: e.key_span,
            value: e.value.as_str().to_string(),
            value_span: e.value.span(),
        })
        .collect()
}

/// The options under a top-level `uwsgi:` key, read as uWSGI's own YAML reader (`core/yaml.c`)
/// reads them: one `key: value` per line (split at the first `:`), a `- value` list under a
/// key without a value for a repeated option, whole-line `#` comments. It is not a YAML
/// parser (`socket: :3031` is a value to it), so nothing here is a syntax error.
fn yaml_options(text: &str, out: &mut UwsgiConfig) -> Vec<Raw> {
    let mut raw = Vec::new();
    let mut in_uwsgi = false;
    // The key a `- value` line adds to.
    let mut list_key: Option<(String, Span)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        let trimmed = content.trim_start();
        let at = start + content.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            continue;
        }
        if at == start && !trimmed.starts_with('-') {
            in_uwsgi = trimmed
                .strip_suffix(':')
                .is_some_and(|k| k.trim() == "uwsgi");
            out.has_section |= in_uwsgi;
            list_key = None;
            continue;
        }
        if !in_uwsgi {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix('-') {
            if let Some((key, key_span)) = &list_key {
                let value_at = at + 1 + (item.len() - item.trim_start().len());
                raw.push(yaml_raw(key, *key_span, item.trim(), value_at));
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key_span = Span::new(at, at + key.trim_end().len());
        let value_at = at + key.len() + 1 + (value.len() - value.trim_start().len());
        if value.trim().is_empty() {
            list_key = Some((key.trim_end().to_string(), key_span));
            continue;
        }
        list_key = None;
        raw.push(yaml_raw(key.trim_end(), key_span, value.trim(), value_at));
    }
    raw
}

/// A YAML option, without the quotes around a quoted value.
fn yaml_raw(key: &str, key_span: Span, value: &str, value_at: usize) -> Raw {
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)));
    let (value, value_at) = match unquoted {
        Some(v) => (v, value_at + 1),
        None => (value, value_at),
    };
    Raw {
        key: key.to_string(),
        key_span,
        value: value.to_string(),
        value_span: Span::new(value_at, value_at + value.len()),
    }
}

struct Reader<'r> {
    files: &'r FileSet,
    config: &'r mut UwsgiConfig,
    vars: &'r mut HashMap<String, Option<String>>,
    depth: usize,
    /// How many `if-*`/`for` blocks are open.
    conditional: usize,
}

impl Reader<'_> {
    /// Applies `raw` (options of the file at `path`); `via` is the include entry in the
    /// linted file that brought them in.
    fn apply(&mut self, path: &Path, raw: Vec<Raw>, via: Option<(Span, Span)>) {
        for option in raw {
            let key = option.key.as_str();
            if key.starts_with("if-") || key == "for" || key.starts_with("for-") {
                self.conditional += 1;
                continue;
            }
            if matches!(key, "endif" | "endfor" | "end") {
                self.conditional = self.conditional.saturating_sub(1);
                continue;
            }
            let value = expand(&option.value, self.vars, path);
            let conditional = self.conditional > 0;
            let (key_span, value_span) = via.unwrap_or((option.key_span, option.value_span));
            if matches!(key, "set-placeholder" | "set-ph" | "set")
                && let Some(v) = &value
                && let Some((name, v)) = v.split_once('=')
            {
                let v = (!conditional).then(|| v.to_string());
                self.vars.insert(name.trim().to_string(), v);
            }
            self.vars.insert(
                key.to_string(),
                if conditional { None } else { value.clone() },
            );
            if matches!(key, "ini" | "include") && !conditional {
                self.include(
                    path,
                    option.value.as_str(),
                    value.as_deref(),
                    (key_span, value_span),
                );
                continue;
            }
            self.config.options.push(UwsgiOption {
                key: key.to_string(),
                key_span,
                value,
                value_span,
                conditional,
                included: via.is_some(),
            });
        }
    }

    fn include(&mut self, from: &Path, written: &str, value: Option<&str>, via: (Span, Span)) {
        let dir = from.parent().unwrap_or(Path::new(""));
        // `%d` is the including file's directory, which is where uWSGI looks for siblings.
        let value = match value {
            Some(v) => Some(v.to_string()),
            None if written.starts_with("%d") => expand(&written[2..], self.vars, from)
                .map(|rest| format!("{}/{}", dir.display(), rest.trim_start_matches('/'))),
            None => None,
        };
        let Some(value) = value else {
            self.config.notes.push(format!(
                "`ini = {written}` was not followed: its path depends on a value the file does not give"
            ));
            return;
        };
        let (file, section) = split_section(&value);
        if !file.ends_with(".ini") {
            self.config.notes.push(format!(
                "`{value}` was not followed: only ini includes are read"
            ));
            return;
        }
        let target: PathBuf = if Path::new(file).is_absolute() {
            PathBuf::from(file)
        } else {
            dir.join(file)
        };
        if self.depth >= MAX_INCLUDE_DEPTH {
            self.config.notes.push(format!(
                "`ini = {value}` was not followed: includes nest too deep"
            ));
            return;
        }
        let read = match self.files.read(&target) {
            Ok(f) => f,
            Err(why) => {
                self.config
                    .notes
                    .push(format!("`ini = {value}` was not followed: {why}"));
                return;
            }
        };
        let ini = ini::parse(&read.text, Dialect::Uwsgi);
        let raw = section_options(&ini, section.unwrap_or("uwsgi"));
        self.depth += 1;
        self.apply(&target, raw, Some(via));
        self.depth -= 1;
    }
}

/// `file.ini:section` → (`file.ini`, Some(`section`)); a path is never split at a drive or
/// URL colon (`http://`).
pub fn split_section(value: &str) -> (&str, Option<&str>) {
    match value.rsplit_once(':') {
        Some((file, section))
            if !section.is_empty() && !section.contains('/') && !file.is_empty() =>
        {
            (file, Some(section))
        }
        _ => (value, None),
    }
}

/// The value after uWSGI's substitutions, or None when it depends on something the file does
/// not give.
fn expand(raw: &str, vars: &HashMap<String, Option<String>>, path: &Path) -> Option<String> {
    if !raw.contains(['%', '$', '@']) {
        return Some(raw.to_string());
    }
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find(['%', '$', '@']) {
        out.push_str(&rest[..i]);
        let sigil = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if after.starts_with('(') {
            let close = after.find(')')?;
            let name = &after[1..close];
            match sigil {
                b'%' => out.push_str(vars.get(name)?.as_deref()?),
                // `$(ENV)`, `@(file)`: the deployment's environment and files.
                _ => return None,
            }
            rest = &after[close + 1..];
            continue;
        }
        if sigil != b'%' {
            out.push(sigil as char);
            rest = after;
            continue;
        }
        let Some(magic) = after.chars().next() else {
            out.push('%');
            break;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match magic {
            '%' => out.push('%'),
            's' => out.push_str(name),
            'n' => out.push_str(name.rsplit_once('.').map_or(name, |(stem, _)| stem)),
            'e' => out.push_str(name.rsplit_once('.').map_or("", |(_, ext)| ext)),
            'c' => out.push_str(
                path.parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .unwrap_or(""),
            ),
            // `%d` (the config's directory where it is deployed), `%h`, `%k`, `%u`, …
            _ => return None,
        }
        rest = &after[magic.len_utf8()..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> UwsgiConfig {
        UwsgiConfig::read(Path::new("deploy/app.ini"), text, &FileSet::default())
    }

    fn values(config: &UwsgiConfig, key: &str) -> Vec<Option<String>> {
        config
            .options
            .iter()
            .filter(|o| o.key == key)
            .map(|o| o.value.clone())
            .collect()
    }

    #[test]
    fn substitutions() {
        let c = read(
            "[uwsgi]\nbase = /srv\nchdir = %(base)/app\nsocket = /run/%n.sock\nlogto = $(LOG)/x\nhome = %d/venv\npidfile = %(missing)\nenv = A=100%%\nstats = @(file)\n",
        );
        assert_eq!(values(&c, "chdir"), [Some("/srv/app".into())]);
        assert_eq!(values(&c, "socket"), [Some("/run/app.sock".into())]);
        assert_eq!(values(&c, "logto"), [None]);
        assert_eq!(values(&c, "home"), [None]);
        assert_eq!(values(&c, "pidfile"), [None]);
        assert_eq!(values(&c, "env"), [Some("A=100%".into())]);
        assert_eq!(values(&c, "stats"), [None]);
    }

    #[test]
    fn sections_repeats_and_conditions() {
        let c = read(
            "[other]\nuid = root\n[uwsgi]\nsocket = :1\nsocket = 127.0.0.1:2\nif-env = DEV\npy-autoreload = 1\nendif =\nuid = app\n",
        );
        assert_eq!(values(&c, "uid"), [Some("app".into())]);
        assert_eq!(c.all(&["socket"]).count(), 2);
        assert!(c.last(&["py-autoreload"]).is_none());
        assert!(c.has_section);
        assert!(!read("[app]\nuid = root\n").has_section);
    }

    #[test]
    fn yaml() {
        let c = UwsgiConfig::read(
            Path::new("uwsgi.yaml"),
            "uwsgi:\n  socket:\n    - :3031\n    - /tmp/a.sock\n  uid: www-data\n",
            &FileSet::default(),
        );
        assert_eq!(c.all(&["socket"]).count(), 2);
        assert_eq!(values(&c, "uid"), [Some("www-data".into())]);
    }

    #[test]
    fn sections_of_paths() {
        assert_eq!(split_section("a.ini:prod"), ("a.ini", Some("prod")));
        assert_eq!(split_section("/etc/a.ini"), ("/etc/a.ini", None));
        assert_eq!(split_section("http://x/a.ini"), ("http://x/a.ini", None));
    }
}
