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
use regex::Regex;
use std::path::Path;
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
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(launches) = super::decided_by_name(&path).and_then(|f| f.launches) else {
            continue;
        };
        seen += 1;
        if seen > 32 {
            return false;
        }
        let Ok(file) = files.read(&path) else {
            continue;
        };
        if !file.text.contains("gunicorn") {
            continue;
        }
        if launches(&path, &file.text).iter().any(|l| {
            l.program == Program::Gunicorn
                && match l.option(&["-c", "--config"]) {
                    Some(c) => c
                        .as_str()
                        .trim_start_matches("python:")
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n == config),
                    None => is_default_name,
                }
        }) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{gunicorn_name, python_settings};
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
