//! A systemd unit as systemd loads it: the unit file merged with its drop-ins
//! (`NAME.service.d/*.conf`, and the template's `foo@.service.d/` for an instance), in
//! lexical order, with empty assignments resetting lists; whether it is a system or a user
//! unit; and what it deploys (`ExecStart=` launches on the host, `Environment=` and readable
//! `EnvironmentFile=` variables).
//!
//! The unit and every file read with it share one span space: each file is parsed at its own
//! base offset, so a span says which file it is in. After the rules ran, `Unit::remap` moves
//! each finding (and label) to the file its span lies in. Files besides the linted one are
//! only read inside the lint roots.

use crate::diagnostic::{Diagnostic, Label};
use crate::files::FileSet;
use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, PathFact, PathKind, Placement, Process, Sandbox,
    Service, Umask, Workdir, WorkdirKind, is_root_user, parse_umask,
};
use crate::model::launcher::{self, Launch, Program};
use crate::source::{MappedText, Span};
use crate::syntax::systemd::{self, Entry, ExecCommand, Specifiers, UnitFile, parse_bool};
use std::path::{Path, PathBuf};

/// Most drop-ins merged into one unit.
const MAX_DROPINS: usize = 64;

/// Wrappers that switch to another account before running the command.
const SETUID_WRAPPERS: &[&str] = &[
    "sudo",
    "runuser",
    "su",
    "setpriv",
    "gosu",
    "su-exec",
    "chpst",
    "s6-setuidgid",
    "setuidgid",
];

/// The unit types whose files deploylint reads.
pub const UNIT_TYPES: &[&str] = &[
    "service",
    "socket",
    "timer",
    "target",
    "mount",
    "automount",
    "path",
    "slice",
    "swap",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Run by the system manager (PID 1): `User=` decides the account, root by default.
    System,
    /// Run by a user's own manager (`systemctl --user`): always as that user.
    User,
}

/// A file whose text lies in the unit's span space at `base`.
#[derive(Debug, Clone)]
pub struct Part {
    pub path: PathBuf,
    pub base: usize,
    pub text: String,
    /// A unit file or drop-in (parsed), rather than an environment file.
    pub unit_syntax: bool,
}

#[derive(Debug, Clone)]
pub struct Unit {
    /// The unit's name (`app.service`, `web@.service`), without a `.in` template suffix.
    pub name: String,
    /// The linted file first, then its drop-ins in the order systemd applies them, then
    /// environment files.
    pub parts: Vec<Part>,
    /// Parsed unit syntax of each part with `unit_syntax` (same index as `parts`).
    pub files: Vec<UnitFile>,
    pub scope: Scope,
    /// A drop-in linted without its unit: settings it does not make may be in the unit.
    pub partial: bool,
    /// A drop-in whose unit is in the same tree: it is linted through that unit.
    pub covered: bool,
    /// A `.in` build template (`@bindir@` placeholders are substituted at build time).
    pub template: bool,
    pub specifiers: Specifiers,
    env_files: Vec<(usize, Vec<systemd::EnvLine>)>,
    /// Start scripts `ExecStart=` runs, read from the tree.
    scripts: Vec<UnitScript>,
}

/// A script an `ExecStart=` command runs (`ExecStart=/opt/app/bin/start.sh`), found in the
/// linted tree by the end of its absolute path: a guess, said so in labels.
#[derive(Debug, Clone)]
pub struct UnitScript {
    /// Its part (the text lies in the unit's span space).
    pub part: usize,
    /// The word of `ExecStart=` that names it.
    pub via: Span,
    /// Its text in the unit's span space.
    text: MappedText,
}

/// `foo.service` → `service`.
fn unit_type(name: &str) -> Option<&str> {
    let (_, ext) = name.rsplit_once('.')?;
    UNIT_TYPES.contains(&ext).then_some(ext)
}

/// For a drop-in `…/NAME.d/x.conf`, the unit name `NAME` its directory belongs to.
pub fn dropin_unit_name(path: &Path) -> Option<String> {
    if path.extension()? != "conf" {
        return None;
    }
    let dir = path.parent()?.file_name()?.to_str()?;
    let unit = dir.strip_suffix(".d")?;
    unit_type(unit)?;
    Some(unit.to_string())
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// Reads `path` through the file set (inside the linted trees only), with the path it was
/// asked for.
fn read_inside(path: &Path, files: &FileSet) -> Option<(PathBuf, String)> {
    let file = files.read(path).ok()?;
    Some((path.to_path_buf(), file.text.clone()))
}

impl Unit {
    /// Loads the unit (or drop-in) at `path` with text `text`, merging the drop-ins and
    /// reading the environment files found inside the linted trees.
    pub fn load(path: &Path, text: &str, files: &FileSet) -> Unit {
        let own_name = file_name(path);
        let template = own_name.ends_with(".in");
        let dropin_of = dropin_unit_name(path);
        let name = dropin_of
            .clone()
            .unwrap_or_else(|| own_name.strip_suffix(".in").unwrap_or(own_name).to_string());
        let mut unit = Unit {
            specifiers: Specifiers::for_unit(&name),
            name,
            parts: Vec::new(),
            files: Vec::new(),
            scope: Scope::System,
            partial: dropin_of.is_some(),
            covered: false,
            template,
            env_files: Vec::new(),
            scripts: Vec::new(),
        };
        // The directory the unit lives in (for a drop-in, the one above its `.d`).
        let unit_dir = if dropin_of.is_some() {
            path.parent().and_then(Path::parent)
        } else {
            path.parent()
        };
        if let (Some(name), Some(dir)) = (&dropin_of, unit_dir) {
            let unit_file = dir.join(name);
            if unit_file.is_file() || dir.join(format!("{name}.in")).is_file() {
                unit.covered = true;
                return unit;
            }
        }
        unit.push_part(path.to_path_buf(), text.to_string(), true);
        if dropin_of.is_none()
            && let Some(dir) = unit_dir
        {
            for (dropin, text) in dropins(dir, &unit.name, files) {
                unit.push_part(dropin, text, true);
            }
        }
        unit.scope = unit.detect_scope(unit_dir);
        unit.read_env_files(files);
        unit.read_scripts(files);
        unit
    }

    /// Reads the shell scripts `ExecStart=` runs from the linted tree: the file whose path
    /// ends like the script's absolute path (the longest such ending first), looked for in
    /// the unit's directory and each one above it inside the root.
    fn read_scripts(&mut self, files: &FileSet) {
        let roots = files.roots();
        let Some(unit_path) = self.parts.first().map(|p| p.path.clone()) else {
            return;
        };
        let Ok(canonical) = std::fs::canonicalize(&unit_path) else {
            return;
        };
        let Some(root) = roots.iter().find(|r| canonical.starts_with(r)) else {
            return;
        };
        // The unit's directory and those above it, as given, down to the root.
        let levels = canonical
            .parent()
            .and_then(|p| p.strip_prefix(root).ok())
            .map_or(0, |rel| rel.components().count());
        let mut dirs = Vec::new();
        let mut dir = unit_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for _ in 0..=levels {
            dirs.push(dir.clone());
            dir = match dir.parent() {
                Some(parent) if !dir.ends_with("..") => parent.to_path_buf(),
                _ => dir.join(".."),
            };
        }
        let env = self.environment();
        let mut wanted = Vec::new();
        for (command, _) in self.exec_start() {
            let argv = self.argv(&command, &env);
            for launch in launcher::from_exec(&argv) {
                if let Some((word, _)) = crate::model::script::script_of(&launch)
                    && word.as_str().starts_with('/')
                    && !systemd::has_placeholder(word.as_str())
                {
                    wanted.push(word);
                }
            }
        }
        for word in wanted {
            if self.scripts.iter().any(|s| s.via == word.span()) {
                continue;
            }
            let parts: Vec<&str> = word.as_str().split('/').filter(|p| !p.is_empty()).collect();
            let found = (0..parts.len()).find_map(|skip| {
                let suffix: PathBuf = parts[skip..].iter().collect();
                dirs.iter()
                    .map(|d| d.join(&suffix))
                    .find_map(|c| read_inside(&c, files))
            });
            let Some((path, text)) = found else {
                continue;
            };
            let path = crate::source::normalize_path(&path);
            let index = self.push_part(path, text, false);
            let base = self.parts[index].base;
            let mut mapped = MappedText::new(base);
            mapped.push_str(&self.parts[index].text, base);
            self.scripts.push(UnitScript {
                part: index,
                via: word.span(),
                text: mapped,
            });
        }
    }

    /// The processes an `ExecStart=` launch starts: those of the script it runs, when that
    /// was read, else the launch itself.
    fn follow_script(&self, launch: launcher::Launch) -> Vec<(launcher::Launch, &'static str)> {
        let found = crate::model::script::script_of(&launch).and_then(|(word, args)| {
            Some((self.scripts.iter().find(|s| s.via == word.span())?, args))
        });
        let Some((script, args)) = found else {
            return vec![(launch, "ExecStart=")];
        };
        let run = crate::model::script::run(&script.text, Some(&args));
        let finals: Vec<usize> = run.endings.iter().flatten().copied().collect();
        let mut launches: Vec<(usize, launcher::Launch)> =
            run.launches.into_iter().enumerate().collect();
        // What the script ends in first: it is the server (`web_process`), the steps before
        // it (`manage.py migrate`) are not.
        launches.sort_by_key(|(i, _)| !finals.contains(i));
        let mut out: Vec<_> = launches
            .into_iter()
            .map(|(_, mut inner)| {
                if inner.runs_as.is_none() {
                    inner.runs_as.clone_from(&launch.runs_as);
                }
                (inner, "the service's start script")
            })
            .collect();
        if out.is_empty() {
            out.push((launch, "ExecStart="));
        }
        out
    }

    fn push_part(&mut self, path: PathBuf, text: String, unit_syntax: bool) -> usize {
        let base = self.parts.last().map_or(0, |p| p.base + p.text.len() + 1);
        self.files.push(if unit_syntax {
            systemd::parse(&text, base)
        } else {
            UnitFile::default()
        });
        self.parts.push(Part {
            path,
            base,
            text,
            unit_syntax,
        });
        self.parts.len() - 1
    }

    /// A unit from text alone (no drop-ins or environment files), for tests and stdin.
    pub fn from_text(name: &str, text: &str) -> Unit {
        Unit::load(Path::new(name), text, &FileSet::default())
    }

    fn detect_scope(&self, unit_dir: Option<&Path>) -> Scope {
        match unit_dir.map(file_name) {
            Some("user") => return Scope::User,
            Some("system") => return Scope::System,
            _ => {}
        }
        let default_target = self
            .list("Install", "WantedBy")
            .iter()
            .chain(self.list("Install", "RequiredBy").iter())
            .any(|e| {
                systemd::split_words(&e.value)
                    .iter()
                    .any(|w| w.as_str() == "default.target")
            });
        if default_target {
            Scope::User
        } else {
            Scope::System
        }
    }

    fn read_env_files(&mut self, files: &FileSet) {
        let roots = files.roots();
        if roots.is_empty() || self.exec_section().is_none() {
            return;
        }
        let section = self.exec_section().unwrap_or("Service");
        let values: Vec<String> = self
            .list(section, "EnvironmentFile")
            .iter()
            .map(|e| self.specifiers.expand(&e.value).as_str().to_string())
            .collect();
        for value in values {
            let file = value.trim().trim_start_matches('-');
            if !file.starts_with('/') || systemd::has_placeholder(file) {
                continue;
            }
            // The path as deployed, or the same path under a root that mirrors the target
            // filesystem (`etc/app/env` in a repository with `/etc/app/env` in the unit).
            let candidates = std::iter::once(PathBuf::from(file))
                .chain(roots.iter().map(|r| r.join(file.trim_start_matches('/'))));
            if let Some((path, text)) = candidates.filter_map(|c| read_inside(&c, files)).next() {
                let path = self.display_path(&path, roots);
                let index = self.push_part(path, text, false);
                let lines =
                    systemd::parse_env_file(&self.parts[index].text, self.parts[index].base);
                self.env_files.push((index, lines));
            }
        }
    }

    /// `found` (a path under a canonical root) written the way the linted file's path is, so
    /// findings in it sort and print beside the unit's (`deploy/etc/app/env`, not
    /// `/home/me/repo/deploy/etc/app/env`).
    fn display_path(&self, found: &Path, roots: &[PathBuf]) -> PathBuf {
        let (Ok(found), Some(unit)) = (std::fs::canonicalize(found), self.parts.first()) else {
            return found.to_path_buf();
        };
        let Ok(unit_canonical) = std::fs::canonicalize(&unit.path) else {
            return found;
        };
        for root in roots {
            let (Ok(rel_found), Ok(rel_unit)) =
                (found.strip_prefix(root), unit_canonical.strip_prefix(root))
            else {
                continue;
            };
            // The unit's path as given, minus its part below the root, is the root as given.
            let given: Vec<_> = unit.path.components().collect();
            let below = rel_unit.components().count();
            if given.len() >= below {
                let given_root: PathBuf = given[..given.len() - below].iter().collect();
                return given_root.join(rel_found);
            }
        }
        found
    }

    /// Every assignment of `key` in `section`, unit file first, then drop-ins in order.
    pub fn entries(&self, section: &str, key: &str) -> Vec<&Entry> {
        self.files
            .iter()
            .flat_map(|f| f.sections.iter())
            .filter(|s| s.name == section)
            .flat_map(|s| s.entries.iter())
            .filter(|e| e.key == key)
            .collect()
    }

    /// The assignments of a list setting in force: those after the last empty assignment.
    pub fn list(&self, section: &str, key: &str) -> Vec<&Entry> {
        let all = self.entries(section, key);
        match all.iter().rposition(|e| e.value.is_empty()) {
            Some(reset) => all[reset + 1..].to_vec(),
            None => all,
        }
    }

    /// The assignment of a single-valued setting in force (the last; an empty one resets
    /// it to its default, so there is none).
    pub fn last(&self, section: &str, key: &str) -> Option<&Entry> {
        self.entries(section, key)
            .pop()
            .filter(|e| !e.value.is_empty())
    }

    /// A boolean setting in force and the assignment that set it.
    pub fn flag(&self, section: &str, key: &str) -> Option<(bool, &Entry)> {
        let entry = self.last(section, key)?;
        systemd::parse_bool(entry.value.as_str()).map(|b| (b, entry))
    }

    /// The unit type (`service`, `socket`, …).
    pub fn unit_type(&self) -> Option<&str> {
        unit_type(&self.name)
    }

    pub fn is_service(&self) -> bool {
        self.unit_type() == Some("service")
    }

    /// The section that holds the unit's execution settings (`User=`, `UMask=`, …).
    pub fn exec_section(&self) -> Option<&'static str> {
        match self.unit_type()? {
            "service" => Some("Service"),
            "socket" => Some("Socket"),
            "mount" => Some("Mount"),
            "swap" => Some("Swap"),
            _ => None,
        }
    }

    /// The first `[name]` header, in the unit file or else a drop-in.
    pub fn header(&self, name: &str) -> Option<Span> {
        self.files
            .iter()
            .flat_map(|f| f.sections.iter())
            .find(|s| s.name == name)
            .map(|s| s.header)
    }

    /// Syntax errors of the unit and its drop-ins (placeholder lines of a `.in` template
    /// are not errors in the unit it becomes).
    pub fn errors(&self) -> Vec<&systemd::SyntaxError> {
        self.files
            .iter()
            .zip(&self.parts)
            .flat_map(|(f, part)| {
                f.errors.iter().filter(move |e| {
                    let text = part
                        .text
                        .get(e.span.start - part.base..e.span.end - part.base)
                        .unwrap_or("");
                    !(self.template && systemd::has_placeholder(text))
                })
            })
            .collect()
    }

    /// The `ExecStart=` commands in force.
    pub fn exec_start(&self) -> Vec<(ExecCommand, &Entry)> {
        if !self.is_service() {
            return Vec::new();
        }
        self.list("Service", "ExecStart")
            .into_iter()
            .flat_map(|e| {
                systemd::exec_commands(&e.value)
                    .into_iter()
                    .map(move |c| (c, e))
            })
            .collect()
    }

    /// The environment the service's processes get: `Environment=` assignments, then the
    /// environment files deploylint could read (which override them), the last assignment
    /// of each name winning.
    pub fn environment(&self) -> Vec<EnvVar> {
        let mut out: Vec<EnvVar> = Vec::new();
        let mut set = |var: EnvVar| {
            out.retain(|v| v.name != var.name);
            out.push(var);
        };
        let Some(section) = self.exec_section() else {
            return Vec::new();
        };
        for entry in self.list(section, "Environment") {
            for word in systemd::split_words(&entry.value) {
                let word = self.specifiers.expand(&word);
                let Some(eq) = word.as_str().find('=') else {
                    continue;
                };
                let name = &word.as_str()[..eq];
                if !crate::syntax::shell::is_name(name) {
                    continue;
                }
                set(EnvVar::new(
                    name.to_string(),
                    word.as_str()[eq + 1..].to_string(),
                    word.span(),
                    "Environment=",
                ));
            }
        }
        for (_, lines) in &self.env_files {
            for line in lines {
                set(EnvVar::new(
                    line.name.as_str().to_string(),
                    line.value.as_str().to_string(),
                    line.name.span().cover(line.value.span()),
                    "EnvironmentFile=",
                ));
            }
        }
        out
    }

    /// The argv of an `ExecStart=` command after specifier and environment expansion.
    pub fn argv(&self, command: &ExecCommand, env: &[EnvVar]) -> Vec<MappedText> {
        let words: Vec<MappedText> = command
            .argv
            .iter()
            .map(|w| self.specifiers.expand(w))
            .collect();
        if command.no_env {
            return words;
        }
        let lookup = |name: &str| {
            env.iter()
                .rev()
                .find(|v| v.name == name)
                .map(|v| v.value.clone())
        };
        systemd::substitute_env(&words, &lookup)
    }

    /// What the unit deploys: the processes `ExecStart=` starts on the host and their
    /// environment.
    pub fn deployment(&self) -> Deployment {
        let env = self.environment();
        let mut processes = Vec::new();
        for (command, _) in self.exec_start() {
            let argv = self.argv(&command, &env);
            processes.extend(
                launcher::from_exec(&argv)
                    .into_iter()
                    .flat_map(|launch| self.follow_script(launch))
                    .map(|(launch, origin)| {
                        Process::new(launch, Placement::Host, origin).in_service(0)
                    }),
            );
        }
        let mut deployment = Deployment {
            processes,
            env,
            services: Vec::new(),
        };
        if let Some(section) = self.exec_section() {
            let service = Service {
                runs_app: web_process(&deployment).is_some()
                    && !self.is_maintenance_job(&deployment),
                user: self.account(&deployment),
                workdir: self.workdir(section, &deployment),
                writable: self.writable_paths(section),
                private_tmp: dynamic_user(self)
                    || self.last(section, "PrivateTmp").is_some_and(|e| {
                        let v = e.value.as_str();
                        systemd::parse_bool(v) == Some(true) || v == "disconnected"
                    }),
                umask: self.umask(section),
                sandbox: self.sandbox(&deployment),
                ..Service::new("the service", Placement::Host)
            };
            deployment.services.push(service);
        }
        deployment
    }

    /// A job that runs and exits (`Type=oneshot`, typically started by a timer: migrations,
    /// `clearsessions`, backups) or whose only Python program is a Django management command
    /// other than a server: not the long-running web app whose account and sandbox
    /// deploylint judges.
    pub fn is_maintenance_job(&self, deployment: &Deployment) -> bool {
        let one_shot = self
            .exec_section()
            .and_then(|s| self.last(s, "Type"))
            .is_some_and(|e| e.value.as_str().trim() == "oneshot");
        one_shot || {
            let mut web = deployment
                .processes
                .iter()
                .filter(|p| is_python_web(&p.launch.program))
                .peekable();
            web.peek().is_some() && web.all(|p| is_management_command(&p.launch))
        }
    }

    /// `WorkingDirectory=`, else where the service starts without it: `/` for a system
    /// service, unless its server or `RootDirectory=` chooses.
    fn workdir(&self, section: &str, deployment: &Deployment) -> Option<Workdir> {
        if let Some(entry) = self.last(section, "WorkingDirectory") {
            let dir = self.specifiers.expand(&entry.value);
            return Some(Workdir {
                kind: WorkdirKind::Set(dir.as_str().trim_start_matches('-').to_string()),
                how: "the service starts in".to_string(),
                at: entry.value.span(),
                label: None,
            });
        }
        if section != "Service" || self.partial {
            return None;
        }
        let elsewhere = |how: &str, at| {
            Some(Workdir {
                kind: WorkdirKind::Elsewhere,
                how: how.to_string(),
                at,
                label: None,
            })
        };
        let header = self.header("Service")?;
        if self.scope == Scope::User {
            return elsewhere("a user unit starts in its user's home directory", header);
        }
        if let Some(root) = self.last("Service", "RootDirectory") {
            return elsewhere("RootDirectory= chooses it", root.value.span());
        }
        let web = web_process(deployment);
        if let Some(web) = web
            && web.launch.chooses_own_directory()
        {
            return elsewhere("the server chooses it", web.launch.program_span);
        }
        Some(Workdir {
            kind: WorkdirKind::Default("/".to_string()),
            how: "sets no WorkingDirectory=, so the app starts in / and resolves relative paths there"
                .to_string(),
            at: header,
            label: web.map(|w| Label {
                path: None,
                span: w.launch.program_span,
                message: "started in /".to_string(),
            }),
        })
    }

    /// The least-privilege settings of a system service that runs a web app (a drop-in
    /// alone may rely on its unit's).
    fn sandbox(&self, deployment: &Deployment) -> Option<Sandbox> {
        if self.partial {
            return None;
        }
        let web = judged_web_service(self, deployment)?;
        Some(Sandbox {
            settings: sandbox_settings(self),
            at: self.header("Service")?,
            label: Some(Label {
                path: None,
                span: web.launch.program_span,
                message: "the app this protects".to_string(),
            }),
            partial: partial_protect_system(self).into_iter().collect(),
        })
    }

    /// `ReadWritePaths=` entries in force.
    fn writable_paths(&self, section: &str) -> Vec<PathFact> {
        let mut out = Vec::new();
        for entry in self.list(section, "ReadWritePaths") {
            for word in systemd::split_words(&entry.value) {
                let word = self.specifiers.expand(&word);
                out.push(PathFact {
                    kind: PathKind::Writable,
                    path: word.as_str().trim_start_matches(['-', '+']).to_string(),
                    how: "ReadWritePaths= lets the service write to".to_string(),
                    at: word.span(),
                });
            }
        }
        out
    }

    /// `UMask=`, with the group new files get (`Group=`, else the user's own).
    fn umask(&self, section: &str) -> Option<Umask> {
        let entry = self.last(section, "UMask")?;
        let value = entry.value.as_str();
        Some(Umask {
            mask: parse_umask(value)?,
            written: format!("UMask={value}"),
            at: entry.value.span(),
            group: self
                .last(section, "Group")
                .map(|e| self.specifiers.expand(&e.value).as_str().to_string())
                .or_else(|| user(self).map(|(name, _)| name)),
        })
    }

    /// The account the service runs as. A system service runs as root unless `User=` or
    /// `DynamicUser=yes` says otherwise, its command is wrapped in a setuid tool, or its
    /// server switches accounts itself (then that process's account decides); a user unit
    /// runs as the user who starts it.
    fn account(&self, deployment: &Deployment) -> Option<Account> {
        let header = self.header("Service")?;
        let account = |kind, how: &str, at| Account {
            kind,
            how: how.to_string(),
            at,
            label: None,
        };
        if self.scope == Scope::User {
            return Some(account(
                AccountKind::Unprivileged,
                "a user unit runs as the user who starts it",
                header,
            ));
        }
        let env = &deployment.env;
        for (command, _) in self.exec_start() {
            let Some(prefix) = command.privileged else {
                continue;
            };
            let argv = self.argv(&command, env);
            if launcher::from_exec(&argv)
                .iter()
                .any(|l| is_python_web(&l.program))
            {
                return Some(account(
                    AccountKind::Root,
                    "this prefix makes ExecStart= ignore User=",
                    prefix,
                ));
            }
        }
        if let Some((name, entry)) = user(self) {
            let how = format!("User={}", entry.value.as_str());
            return Some(account(
                AccountKind::Named(Some(name)),
                &how,
                entry.value.span(),
            ));
        }
        if dynamic_user(self) {
            return Some(account(
                AccountKind::Unprivileged,
                "DynamicUser=yes",
                header,
            ));
        }
        if self.partial {
            return None;
        }
        let web = web_process(deployment);
        if web.is_some_and(|w| w.user.is_some()) {
            return None;
        }
        if self.wrapped_in_setuid() {
            return Some(account(
                AccountKind::Unprivileged,
                "its command switches accounts",
                header,
            ));
        }
        let mut root = account(
            AccountKind::Root,
            "it sets neither User= nor DynamicUser=yes",
            header,
        );
        root.label = web.map(|w| Label {
            path: None,
            span: w.launch.program_span,
            message: "this server runs as root".to_string(),
        });
        Some(root)
    }

    /// `ExecStart=/usr/sbin/runuser -u app -- gunicorn …`.
    fn wrapped_in_setuid(&self) -> bool {
        self.exec_start().iter().any(|(command, _)| {
            command.argv.first().is_some_and(|w| {
                let name = w.as_str().rsplit('/').next().unwrap_or("");
                SETUID_WRAPPERS.contains(&name)
            })
        })
    }

    /// The index of the part a span-space offset lies in.
    pub fn part_at(&self, offset: usize) -> usize {
        self.parts
            .iter()
            .rposition(|p| p.base <= offset)
            .unwrap_or(0)
    }

    /// Moves findings whose spans lie in a drop-in or environment file to that file, with
    /// the span made relative to it; labels in another file than their finding get its path.
    pub fn remap(&self, diagnostics: &mut [Diagnostic]) {
        if self.parts.len() < 2 {
            return;
        }
        for d in diagnostics {
            let own = self.part_at(d.span.start);
            let part = &self.parts[own];
            // Fixes edit the linted file only (`--fix` rewrites what it lints).
            let local_fix = d.fix.as_ref().is_some_and(|f| {
                f.edits
                    .iter()
                    .all(|e| e.span.end <= self.parts[0].text.len())
            });
            if own != 0 || !local_fix {
                d.fix = None;
            }
            if own != 0 {
                d.path = part.path.clone();
                d.span = shift(d.span, part.base);
            }
            let mut via = None;
            for label in &mut d.labels {
                if label.path.is_some() {
                    continue;
                }
                let at = self.part_at(label.span.start);
                via = via.or(self.scripts.iter().find(|s| s.part == at));
                let label_part = &self.parts[at];
                label.span = shift(label.span, label_part.base);
                if at != own {
                    label.path = Some(label_part.path.clone());
                }
            }
            // A finding in a script `ExecStart=` runs points back at the command, and says
            // the link is a guess from the end of the path.
            if let Some(script) = self.scripts.iter().find(|s| s.part == own).or(via) {
                let unit = self.part_at(script.via.start);
                d.labels.push(Label {
                    path: (unit != own).then(|| self.parts[unit].path.clone()),
                    span: shift(script.via, self.parts[unit].base),
                    message: format!(
                        "ExecStart= runs this script (taken to be {}, whose path ends the same way)",
                        self.parts[script.part].path.display()
                    ),
                });
            }
        }
    }
}

fn shift(span: Span, base: usize) -> Span {
    Span::new(
        span.start.saturating_sub(base),
        span.end.saturating_sub(base),
    )
}

/// The drop-ins of unit `name` in `dir`, in the order systemd applies them: `*.conf` files
/// of `NAME.d/` and, for an instance `foo@bar.service`, of the template's `foo@.service.d/`
/// (the instance's own file wins a name clash), sorted by file name.
fn dropins(dir: &Path, name: &str, files: &FileSet) -> Vec<(PathBuf, String)> {
    if files.roots().is_empty() {
        return Vec::new();
    }
    let mut dirs = vec![dir.join(format!("{name}.d"))];
    if let Some((stem, ty)) = name.rsplit_once('.')
        && let Some((prefix, instance)) = stem.split_once('@')
        && !instance.is_empty()
    {
        dirs.push(dir.join(format!("{prefix}@.{ty}.d")));
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for d in dirs {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut names: Vec<(String, PathBuf)> = read
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "conf"))
            .map(|p| (file_name(&p).to_string(), p))
            .collect();
        names.sort();
        for (n, p) in names {
            if !found.iter().any(|(m, _)| *m == n) {
                found.push((n, p));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
        .into_iter()
        .take(MAX_DROPINS)
        .filter_map(|(_, p)| read_inside(&p, files))
        .collect()
}

fn on(unit: &Unit, key: &str) -> bool {
    unit.flag("Service", key).is_some_and(|(b, _)| b)
}

/// Whether the processes cannot gain privileges through setuid binaries or file caps.
/// `SystemCallFilter=`, `PrivateDevices=` and the other seccomp-based settings force it only
/// when the service manager lacks `CAP_SYS_ADMIN` (a user manager; systemd's
/// `context_has_no_new_privileges`), never for a system service, so they do not count.
pub fn no_new_privileges(unit: &Unit) -> bool {
    on(unit, "NoNewPrivileges") || dynamic_user(unit)
}

/// `ProtectSystem=strict` (`full` and `yes` leave `/var`, `/srv` … writable), or what
/// amounts to it: `ReadOnlyPaths=/` with `ReadWritePaths=` exceptions.
pub fn protect_system_strict(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit
            .last("Service", "ProtectSystem")
            .is_some_and(|e| e.value.as_str() == "strict")
        || read_only_root(unit)
}

/// `ReadOnlyPaths=/` (or its older name `ReadOnlyDirectories=`), with the `-` and `+`
/// prefixes systemd allows: the whole tree read-only, as `ProtectSystem=strict` makes it.
fn read_only_root(unit: &Unit) -> bool {
    ["ReadOnlyPaths", "ReadOnlyDirectories"].iter().any(|key| {
        unit.list("Service", key).iter().any(|e| {
            e.value.as_str().split_whitespace().any(|path| {
                path.trim_matches('"')
                    .trim_start_matches(['-', '+'])
                    .trim_end_matches('/')
                    .is_empty()
            })
        })
    })
}

/// A `ProtectSystem=` value weaker than `strict`, labelled with what it covers and what it
/// leaves writable (systemd.exec(5)).
fn partial_protect_system(unit: &Unit) -> Option<Label> {
    if protect_system_strict(unit) {
        return None;
    }
    let entry = unit.last("Service", "ProtectSystem")?;
    let value = entry.value.as_str();
    let covers = match value {
        "full" => "/usr, /boot, /efi and /etc",
        _ if parse_bool(value) == Some(true) => "/usr, /boot and /efi",
        _ => return None,
    };
    Some(Label {
        path: None,
        span: entry.value.span(),
        message: format!(
            "ProtectSystem={value} makes only {covers} read-only: /var, /srv, /opt and the rest stay writable"
        ),
    })
}

/// `ProtectHome=yes`, `read-only` or `tmpfs`.
pub fn protect_home(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit.last("Service", "ProtectHome").is_some_and(|e| {
            let v = e.value.as_str();
            parse_bool(v) == Some(true) || matches!(v, "read-only" | "tmpfs")
        })
}

/// `PrivateTmp=yes` (or `disconnected`, systemd 255).
pub fn private_tmp(unit: &Unit) -> bool {
    dynamic_user(unit)
        || unit.last("Service", "PrivateTmp").is_some_and(|e| {
            let v = e.value.as_str();
            parse_bool(v) == Some(true) || v == "disconnected"
        })
}

/// A `CapabilityBoundingSet=` that limits the set: an empty assignment (no capabilities), a
/// list, or `~…` (all but those). A lone `~` restores the full set.
pub fn capabilities_bounded(unit: &Unit) -> bool {
    unit.entries("Service", "CapabilityBoundingSet")
        .last()
        .is_some_and(|e| e.value.as_str().trim() != "~")
}

/// Whether the bounding set can matter: a process that runs as an unprivileged account, with
/// no ambient capabilities and `NoNewPrivileges=` in force, holds no capability and cannot
/// gain one, so bounding the set changes nothing.
fn capabilities_moot(unit: &Unit) -> bool {
    let unprivileged =
        dynamic_user(unit) || user(unit).is_some_and(|(name, _)| !is_root_user(&name));
    unprivileged
        && no_new_privileges(unit)
        && unit.list("Service", "AmbientCapabilities").is_empty()
}

/// Each least-privilege setting as the fix writes it, and whether the unit has it in force.
fn sandbox_settings(unit: &Unit) -> Vec<(&'static str, bool)> {
    let checks: [(bool, &str); 5] = [
        (no_new_privileges(unit), "NoNewPrivileges=yes"),
        (protect_system_strict(unit), "ProtectSystem=strict"),
        (protect_home(unit), "ProtectHome=yes"),
        (private_tmp(unit), "PrivateTmp=yes"),
        (
            capabilities_bounded(unit) || capabilities_moot(unit),
            "CapabilityBoundingSet=",
        ),
    ];
    checks.into_iter().map(|(ok, s)| (s, ok)).collect()
}

/// `manage.py <command>` for a command that does not serve requests (`migrate`,
/// `clearsessions`, `rqworker`); the serving ones (`runserver`, `runmodwsgi`) are servers.
fn is_management_command(launch: &Launch) -> bool {
    let Program::PythonScript { script } = &launch.program else {
        return false;
    };
    let is_manage = script.as_str().rsplit('/').next() == Some("manage.py");
    let command = launch
        .args
        .iter()
        .map(|a| a.as_str())
        .find(|a| !a.starts_with('-'));
    is_manage
        && command.is_some_and(|c| {
            !matches!(
                c,
                "runserver" | "runserver_plus" | "runmodwsgi" | "run_gunicorn" | "runfcgi"
            )
        })
}

/// Whether a launch runs a Python web application or server, the deployments deploylint
/// judges (a unit that runs `sshd` or `getty` as root is outside its remit).
pub fn is_python_web(program: &Program) -> bool {
    program.is_python_server()
}

/// The first process of the deployment that runs a Python web application, if any.
pub fn web_process(deployment: &Deployment) -> Option<&Process> {
    deployment
        .processes
        .iter()
        .find(|p| is_python_web(&p.launch.program))
}

/// The web process of a system service that runs a Python web application: the services
/// whose account and sandboxing deploylint judges. User units always run as their user.
pub fn judged_web_service<'a>(unit: &Unit, deployment: &'a Deployment) -> Option<&'a Process> {
    if !unit.is_service() || unit.scope == Scope::User {
        return None;
    }
    web_process(deployment)
}

/// The account the service's processes run as, as `User=` sets it (specifiers expanded),
/// and the assignment; None when `User=` is not set.
pub fn user(unit: &Unit) -> Option<(String, &Entry)> {
    let entry = unit.last(unit.exec_section()?, "User")?;
    Some((
        unit.specifiers.expand(&entry.value).as_str().to_string(),
        entry,
    ))
}

/// Whether `DynamicUser=yes` is in force.
pub fn dynamic_user(unit: &Unit) -> bool {
    unit.exec_section()
        .and_then(|s| unit.flag(s, "DynamicUser"))
        .is_some_and(|(on, _)| on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_lists_and_resets() {
        let unit = Unit::from_text(
            "app.service",
            "[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/usr/bin/gunicorn app:app\nUser=app\nUser=\n",
        );
        let exec = unit.exec_start();
        assert_eq!(exec.len(), 1);
        assert_eq!(exec[0].0.argv[0].as_str(), "/usr/bin/gunicorn");
        assert!(unit.last("Service", "User").is_none());
        let d = unit.deployment();
        assert_eq!(d.processes[0].launch.program, Program::Gunicorn);
    }

    #[test]
    fn environment_and_substitution() {
        let unit = Unit::from_text(
            "app.service",
            "[Service]\nEnvironment=\"BIND=0.0.0.0:80\" FLASK_DEBUG=0\nEnvironment=FLASK_DEBUG=1\nExecStart=/opt/venv/bin/gunicorn -b ${BIND} app:app\n",
        );
        let env = unit.environment();
        let names: Vec<(&str, &str)> = env
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(names, [("BIND", "0.0.0.0:80"), ("FLASK_DEBUG", "1")]);
        let d = unit.deployment();
        let bind = d.processes[0].launch.option(&["-b", "--bind"]).unwrap();
        assert_eq!(bind.as_str(), "0.0.0.0:80");
    }

    #[test]
    fn scope_from_install() {
        let user = Unit::from_text("a.service", "[Install]\nWantedBy=default.target\n");
        assert_eq!(user.scope, Scope::User);
        let system = Unit::from_text("a.service", "[Install]\nWantedBy=multi-user.target\n");
        assert_eq!(system.scope, Scope::System);
        let dir = Unit::load(
            Path::new("x/user/a.service"),
            "[Install]\nWantedBy=multi-user.target\n",
            &FileSet::default(),
        );
        assert_eq!(dir.scope, Scope::User);
        let home = Unit::load(
            Path::new("/home/user/proj/a.service"),
            "",
            &FileSet::default(),
        );
        assert_eq!(home.scope, Scope::System);
    }

    #[test]
    fn dropin_names() {
        assert_eq!(
            dropin_unit_name(Path::new("a/app.service.d/override.conf")).as_deref(),
            Some("app.service")
        );
        assert_eq!(
            dropin_unit_name(Path::new("a/web@.service.d/x.conf")).as_deref(),
            Some("web@.service")
        );
        assert_eq!(dropin_unit_name(Path::new("a/conf.d/x.conf")), None);
        assert_eq!(dropin_unit_name(Path::new("a/app.service.d/x.txt")), None);
    }
}
