//! gunicorn configuration files (`gunicorn.conf.py`, or a `*.conf` whose content is Python
//! gunicorn settings, as `gunicorn -c gunicorn.conf` reads), read as Python and never
//! executed: the settings lowered into a gunicorn process, placed in a container when a
//! launcher around the file starts gunicorn with it.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, file_name, never};
use crate::catalog::Format;
use crate::files::FileSet;
use crate::model::deployment::{Deployment, Placement};
use crate::model::gunicorn::GunicornConfig;
use crate::model::launcher::Program;
use crate::model::python::{self, Semantic};
use crate::model::view::View;
use rayon::prelude::*;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Gunicorn,
    by_name: gunicorn_name,
    templates: true,
    sniff: python_settings,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: None,
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let text = input.source.text();
    let file = python::parse(text);
    let diagnostics = match Semantic::new(&file, text) {
        Some(ref python) => {
            let config = GunicornConfig::read(python);
            let placement = placement(input.source.path(), input.files);
            let deployment = config.deployment(placement);
            check(&Lowered {
                view: View::Gunicorn {
                    python,
                    config: &config,
                },
                deployment: &deployment,
                errors: &[],
            })
        }
        None => check(&Lowered {
            view: View::None,
            deployment: &Deployment::default(),
            errors: &[],
        }),
    };
    Linted {
        diagnostics,
        ..Linted::default()
    }
}

/// `gunicorn.conf.py`, `gunicorn_config.py`, `gunicorn-prod.conf.py`, `gunicorn.py` (a module
/// named `gunicorn.py` in an app would shadow the server itself, so such a file is a config).
/// A `*.conf` may be one too (gunicorn reads any file `-c` names as Python): its content
/// decides (`python_settings`), as `.conf` is also Apache's, nginx's and supervisord's.
fn gunicorn_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
    if name.ends_with(".conf") {
        return NameMatch::Maybe;
    }
    let Some(stem) = name.strip_suffix(".py") else {
        return NameMatch::No;
    };
    let matches = stem == "gunicorn"
        || stem.strip_prefix("gunicorn").is_some_and(|rest| {
            rest.starts_with(['.', '-', '_'])
                && ["conf", "cfg", "config", "settings"]
                    .iter()
                    .any(|w| rest.contains(w))
        });
    if matches {
        NameMatch::Yes
    } else {
        NameMatch::No
    }
}

/// Settings only gunicorn reads, as a config module's top-level names.
const GUNICORN_SETTINGS: &[&str] = &[
    "bind",
    "workers",
    "worker_class",
    "worker_connections",
    "threads",
    "timeout",
    "graceful_timeout",
    "keepalive",
    "max_requests",
    "max_requests_jitter",
    "preload_app",
    "reload",
    "loglevel",
    "accesslog",
    "errorlog",
    "access_log_format",
    "proc_name",
    "forwarded_allow_ips",
    "raw_env",
    "worker_tmp_dir",
    "pidfile",
    "chdir",
    "wsgi_app",
    "limit_request_line",
    "limit_request_fields",
    "secure_scheme_headers",
    "capture_output",
];

/// A top-level `name = value` line.
static ASSIGNMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([a-z_][a-z0-9_]*)\s*=\s*(\S.*)$").unwrap());

/// Whether `head` reads as a Python module of gunicorn settings: at least one top-level
/// assignment to a gunicorn setting whose value is Python (a quoted string, a number, a list,
/// `True`/`False`, a call), and no line that only another `.conf` format writes: an ini
/// `[section]`, an Apache `<Section>` or `Directive value`, an nginx `directive value;` or
/// `block {`, or an ini value that is not Python (`bind = 0.0.0.0:8000`).
fn python_settings(head: &str) -> bool {
    let mut settings = 0;
    for line in head.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        // Inside a function, a bracketed value or a block: Python's business.
        if line.starts_with([' ', '\t', ')', ']', '}']) {
            continue;
        }
        if let Some(found) = ASSIGNMENT.captures(trimmed) {
            let (name, value) = (&found[1], &found[2]);
            if !is_python_value(value) {
                return false;
            }
            if GUNICORN_SETTINGS.contains(&name) {
                settings += 1;
            }
            continue;
        }
        let python_statement = [
            "import ",
            "from ",
            "def ",
            "if ",
            "elif ",
            "else:",
            "for ",
            "try:",
            "except",
            "finally:",
            "with ",
            "@",
            "async def ",
        ]
        .iter()
        .any(|k| trimmed.starts_with(k));
        if !python_statement {
            return false;
        }
    }
    settings > 0
}

/// Whether an assignment's value is written as Python: quoted, a number, a bracket, a
/// keyword constant, or a name, attribute or call (`multiprocessing.cpu_count() * 2 + 1`,
/// `os.environ.get("BIND", "127.0.0.1:8000")`). An ini value such as `0.0.0.0:8000` or
/// `app.wsgi:application` is not.
fn is_python_value(value: &str) -> bool {
    let value = value.split(" #").next().unwrap_or(value).trim();
    if value.ends_with(';') {
        return false;
    }
    let first = value.chars().next().unwrap_or(' ');
    if matches!(first, '"' | '\'' | '[' | '(' | '{') {
        return true;
    }
    if value.starts_with(['f', 'r', 'b']) && value[1..].starts_with(['"', '\'']) {
        return true;
    }
    if first.is_ascii_digit() || first == '-' {
        return value.trim_start_matches('-').parse::<f64>().is_ok()
            || value.contains([' ', '*', '+']) && !value.contains(':');
    }
    if matches!(value, "True" | "False" | "None") {
        return true;
    }
    // A name, attribute access or call: identifiers, dots, calls and arithmetic, no `:`.
    // (A call's arguments may hold a `host:port` string.)
    (first.is_ascii_alphabetic() || first == '_')
        && (value.contains('(')
            || !value.contains(':')
                && (value.contains('.') || value.contains(' ') || {
                    value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && value.chars().any(|c| c.is_ascii_uppercase() || c == '_')
                }))
}

/// How many directories above the config are searched for what starts gunicorn with it.
const SEARCH_UP: usize = 3;

/// Where the server configured by the file at `path` runs. A config file alone does not say,
/// so it is taken to run on a host unless a Dockerfile, compose file or Procfile in its
/// directory or up to three above (inside the linted trees) starts gunicorn with it:
/// `-c <this file>`, or no `-c` at all for a file named `gunicorn.conf.py` (gunicorn reads
/// that from its working directory by default).
fn placement(path: &Path, files: &FileSet) -> Placement {
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return Placement::Host;
    };
    let Some(file_name) = canonical.file_name().and_then(|n| n.to_str()) else {
        return Placement::Host;
    };
    let is_default_name = file_name == "gunicorn.conf.py";
    let mut dir = canonical.parent();
    for _ in 0..=SEARCH_UP {
        let Some(d) = dir else { break };
        if !files.contains(d) {
            break;
        }
        if starts_gunicorn_in(d, file_name, is_default_name, files) {
            return Placement::Container;
        }
        dir = d.parent();
    }
    Placement::Host
}

fn starts_gunicorn_in(dir: &Path, config: &str, is_default_name: bool, files: &FileSet) -> bool {
    launchers_in(dir, files, false)
        .iter()
        .any(|named| match named {
            Some(named) => named.file_name().and_then(|n| n.to_str()) == Some(config),
            None => is_default_name,
        })
}

/// The configs the launchers in `dir` (Dockerfiles, compose files, Procfiles; with `hosts`
/// also units and supervisord's configuration) start gunicorn with, as path suffixes
/// (`named_config`); `None` for a gunicorn started without `-c`. At most 32 launcher files
/// are read per directory.
fn launchers_in(dir: &Path, files: &FileSet, hosts: bool) -> Vec<Option<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut named = Vec::new();
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if launcher_kind(&path, hosts).is_none() {
            continue;
        }
        seen += 1;
        if seen > 32 {
            break;
        }
        named.extend(configs_started_by(&path, files, hosts, false));
    }
    named
}

/// Whether the file at `path` is a launcher by its name: a container's (Dockerfile, compose
/// file, Procfile), or with `hosts` also a systemd unit or supervisord's main configuration.
fn launcher_kind(path: &Path, hosts: bool) -> Option<&'static super::FrontEnd> {
    super::decided_by_name(path).filter(|f| {
        f.launches.is_some() || hosts && matches!(f.format, Format::Systemd | Format::Supervisord)
    })
}

/// What the launcher file at `path` starts gunicorn with: each gunicorn launch's config as a
/// path suffix, `None` for one without `-c`. With `hosts`, systemd units' `ExecStart=` and
/// supervisord programs count too.
/// A file named on the command line (`named`) is read through the set, where its lint and the
/// files of its project that refer to it find it again.
fn configs_started_by(
    path: &Path,
    files: &FileSet,
    hosts: bool,
    named: bool,
) -> Vec<Option<PathBuf>> {
    let Some(front_end) = launcher_kind(path, hosts) else {
        return Vec::new();
    };
    let kept = if named { files.read(path).ok() } else { None };
    let read;
    let text = match &kept {
        Some(file) => {
            if !file.text.contains("gunicorn") {
                return Vec::new();
            }
            file.text.as_str()
        }
        // Read without keeping the text (the set would hold every launcher of a big tree
        // until the end of the run); callers pass files inside the linted trees: walked
        // candidates, or regular files of a directory inside them.
        None => {
            let Ok(bytes) = crate::files::read_file(path) else {
                return Vec::new();
            };
            if !bytes.windows(8).any(|w| w == b"gunicorn") {
                return Vec::new();
            }
            let Some((text, _)) = crate::files::decode(bytes) else {
                return Vec::new();
            };
            read = text;
            read.as_str()
        }
    };
    let launches = match (front_end.launches, front_end.format) {
        (Some(launches), _) => launches(path, text),
        (None, Format::Systemd) => crate::model::systemd::Unit::load(path, text, files)
            .deployment()
            .processes
            .into_iter()
            .map(|p| p.launch)
            .collect(),
        (None, _) => crate::model::supervisord::SupervisorConfig::parse(text)
            .deployment(None, Placement::Host)
            .processes
            .into_iter()
            .map(|p| p.launch)
            .collect(),
    };
    launches
        .iter()
        .filter(|l| l.program == Program::Gunicorn)
        .filter_map(|l| match l.option(&["-c", "--config"]) {
            Some(value) => named_config(value.as_str()).map(Some),
            None => Some(None),
        })
        .collect()
}

/// The file a `-c` value names, as a path suffix to find in the tree: `deploy/gunicorn.conf`
/// as written, an absolute path by its name, `python:pkg.gunicorn_conf` as the module's
/// file `pkg/gunicorn_conf.py`
/// (gunicorn imports it from its working directory). None for a value left to a variable or
/// a template, or that names no file.
fn named_config(value: &str) -> Option<PathBuf> {
    let value = value.trim().trim_matches(['\'', '"']);
    if value.is_empty() || value.contains(['$', '{', '%', '`']) {
        return None;
    }
    if let Some(module) = value.strip_prefix("python:") {
        let valid = !module.is_empty()
            && module.split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_')
            });
        return valid.then(|| PathBuf::from(format!("{}.py", module.replace('.', "/"))));
    }
    // An absolute path is where the file is deployed (`/srv/app/deploy/web.conf`), not where
    // it is in the tree: only its name is looked for.
    let path = Path::new(value);
    if path.is_absolute() {
        return path.file_name().map(PathBuf::from);
    }
    let relative: PathBuf = path
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    (relative.file_name().is_some()).then_some(relative)
}

/// Which of the candidates (path, named on the command line) a launcher starts gunicorn with
/// (`gunicorn -c deploy/web.conf`, `--config settings/server.py`, `-c python:pkg.server_conf`):
/// those are read as gunicorn configurations whatever their name, even when their content
/// alone would not say so (gunicorn executes any file `-c` names as Python). The launcher is looked for where
/// `placement` looks: the config's directory or up to three above, among the candidates of
/// the walk and, for a file named on its own (the pre-commit case), in those directories
/// inside the linted trees.
pub fn named_configs(candidates: &[(&Path, bool)], files: &FileSet) -> Vec<Option<Format>> {
    // (the launcher's directory, the config it names as a path suffix). Each launcher is read
    // and lowered here, before the lint: in parallel, as the lint is, and in the walk's order.
    let started: Vec<(PathBuf, PathBuf)> = candidates
        .par_iter()
        .filter(|(path, _)| launcher_kind(path, true).is_some())
        .flat_map_iter(|(path, explicit)| {
            let configs = configs_started_by(path, files, true, *explicit);
            let dir = if configs.iter().all(Option::is_none) {
                None
            } else {
                files
                    .inside(path)
                    .and_then(|p| p.parent().map(Path::to_path_buf))
            };
            let Some(dir) = dir else {
                return Vec::new();
            };
            configs
                .into_iter()
                .flatten()
                .map(|c| (dir.clone(), c))
                .collect()
        })
        .collect();
    let mut scanned: std::collections::HashMap<PathBuf, Vec<Option<PathBuf>>> =
        std::collections::HashMap::new();
    let mut kinds = vec![None; candidates.len()];
    for (kind, &(path, explicit)) in kinds.iter_mut().zip(candidates) {
        if !could_be_named_config(path) {
            continue;
        }
        let Some(name) = path.file_name() else {
            continue;
        };
        // Cheap first: a launcher of the walk names a file of this name.
        let by_walk = started.iter().any(|(_, c)| c.file_name() == Some(name));
        if !by_walk && !explicit {
            continue;
        }
        let Some(canonical) = files.inside(path) else {
            continue;
        };
        let mut found = started.clone();
        let ancestors = || canonical.ancestors().skip(1).take(SEARCH_UP + 1);
        if explicit {
            for dir in ancestors().filter(|d| files.contains(d)) {
                // Staged files share directories: each is listed once.
                let named = scanned
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| launchers_in(dir, files, true));
                found.extend(
                    named
                        .iter()
                        .flatten()
                        .map(|c| (dir.to_path_buf(), c.clone())),
                );
            }
        }
        let named = found.iter().any(|(dir, config)| {
            canonical.ends_with(config)
                && ancestors().any(|a| a == dir.as_path())
                // The suffix lies below the launcher's directory.
                && canonical.starts_with(dir)
        });
        if named {
            *kind = Some(Format::Gunicorn);
        }
    }
    kinds
}

/// A file a launcher's `-c` may name that its name alone does not make a gunicorn config: a
/// Python file or a name whose kind its content decides (`web.conf`).
fn could_be_named_config(path: &Path) -> bool {
    match super::decided_by_name(path) {
        Some(front_end) => front_end.format == Format::Python,
        None => super::FRONT_ENDS
            .iter()
            .any(|f| (f.by_name)(path) == NameMatch::Maybe),
    }
}

#[cfg(test)]
mod tests {
    use super::{gunicorn_name, named_config, python_settings};
    use std::path::PathBuf;

    #[test]
    fn config_values_name_files() {
        let named = |v: &str| named_config(v).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(named("deploy/web.conf").as_deref(), Some("deploy/web.conf"));
        assert_eq!(named("./gunicorn.conf").as_deref(), Some("gunicorn.conf"));
        assert_eq!(
            named("'/srv/app/deploy/web.conf'").as_deref(),
            Some("web.conf")
        );
        assert_eq!(
            named("python:settings.gunicorn_web"),
            Some(
                PathBuf::from("settings/gunicorn_web.py")
                    .to_string_lossy()
                    .into_owned()
            )
        );
        for unknown in [
            "python:",
            "python:a..b",
            "$GUNICORN_CONF",
            "{{ conf }}",
            "",
            "/",
        ] {
            assert_eq!(named(unknown), None, "{unknown:?}");
        }
    }
    use crate::frontend::NameMatch;
    use std::path::Path;

    #[test]
    fn conf_names_leave_it_to_the_content() {
        for name in ["gunicorn.conf", "deploy/gunicorn-prod.conf", "web.conf"] {
            assert!(gunicorn_name(Path::new(name)) == NameMatch::Maybe, "{name}");
        }
        assert!(gunicorn_name(Path::new("gunicorn.conf.py")) == NameMatch::Yes);
        assert!(gunicorn_name(Path::new("gunicorn.ini")) == NameMatch::No);
    }

    #[test]
    fn python_settings_are_sniffed() {
        for text in [
            "bind = \"0.0.0.0:8000\"\nworkers = 4\n",
            "import multiprocessing\n\nbind = '127.0.0.1:8000'\nworkers = multiprocessing.cpu_count() * 2 + 1\n",
            "# gunicorn settings\nworkers = 3\ntimeout = 30\n",
            "bind = [\n    \"unix:/run/app.sock\",\n]\nreload = True\n",
            "import os\nbind = os.environ.get(\"BIND\", \"127.0.0.1:8000\")\n\ndef on_starting(server):\n    pass\n",
            "loglevel = \"info\"  # quiet\nmax_requests = 1000\n",
        ] {
            assert!(python_settings(text), "{text:?}");
        }
    }

    /// `.conf` is also Apache's, nginx's, supervisord's and many ini files': none of them
    /// reads as gunicorn settings.
    #[test]
    fn other_conf_formats_are_not_gunicorn() {
        for text in [
            // ini, with and without a section, and with an ini-only value.
            "[program:web]\ncommand=gunicorn -c gunicorn.conf app:app\n",
            "bind = 0.0.0.0:8000\nworkers = 4\n",
            "[server]\nworkers = 4\n",
            // Apache and nginx.
            "<VirtualHost *:80>\n  WSGIDaemonProcess app\n</VirtualHost>\n",
            "ServerName example.com\nTimeout = 30\n",
            "server {\n    listen 80;\n}\n",
            "worker_processes 4;\nuser www-data;\n",
            // Python that sets nothing gunicorn reads, and an empty file.
            "DEBUG = False\nSECRET_KEY = 'x'\n",
            "",
            "# only a comment\n",
            // Shell-style env files.
            "WORKERS=4\nBIND=0.0.0.0:8000\n",
            "export workers=4\n",
        ] {
            assert!(!python_settings(text), "{text:?}");
        }
    }
}
