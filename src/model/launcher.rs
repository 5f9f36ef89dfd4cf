//! Launcher model: which program a command line starts (gunicorn, uvicorn, flask run, …) and
//! with which arguments, seen through wrappers such as `exec`, `env`, `gosu`, `poetry run`
//! and `sh -c`, with spans back into the original file.
//!
//! Every simple command with a program word yields a `Launch`; builtins and unknown
//! programs are `Other` (so `echo "flask run"` is `Other { name: "echo" }`, never `FlaskRun`).
//! `manage.py` with a subcommand other than `runserver` is `PythonScript { script }`.

use crate::source::{MappedText, Span};
use crate::syntax::shell::{self, SimpleCommand};

/// The program a launch starts, as far as deploylint cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    Gunicorn,
    Uvicorn,
    Hypercorn,
    Daphne,
    /// `waitress-serve` or `python -m waitress`.
    WaitressServe,
    /// `flask run`, `python -m flask run`.
    FlaskRun,
    /// `manage.py runserver`, `django-admin runserver`, `python -m django runserver`.
    DjangoRunserver,
    /// `python -m http.server` (or py2's `SimpleHTTPServer`).
    HttpServer,
    /// `mod_wsgi-express start-server`.
    ModWsgiExpress,
    /// `python path/to/file.py` (not -m, not -c), or a `*.py` run directly. Also `manage.py`
    /// with a subcommand other than `runserver`.
    PythonScript {
        script: MappedText,
    },
    /// `python -m some.module` not otherwise recognised.
    PythonModule {
        module: MappedText,
    },
    /// Anything else: the basename of the program word (the whole word if that is empty),
    /// e.g. `celery`, `$CMD`, `python3` for `python3 -c …`, `mod_wsgi-express setup-server`.
    Other {
        name: String,
    },
}

/// One program started by a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub program: Program,
    /// Span of the word(s) naming the program: `gunicorn`, `python -m flask run`,
    /// `python manage.py runserver`, `mod_wsgi-express start-server`. Wrappers are excluded.
    pub program_span: Span,
    /// Arguments after the program (for runserver: after `runserver`; for flask run: the
    /// global options before `run` followed by everything after `run`).
    pub args: Vec<MappedText>,
    /// Leading VAR=value assignments and `env`/`sudo` VAR=value prefixes that apply here,
    /// outermost first.
    pub env: Vec<(MappedText, MappedText)>,
}

type Env = Vec<(MappedText, MappedText)>;

/// How many `sh -c` / `env -S` levels to look through.
const MAX_DEPTH: usize = 8;

/// Every simple command of a shell-form line that runs a program, in order.
pub fn from_shell(line: &MappedText) -> Vec<Launch> {
    let mut out = Vec::new();
    for cmd in shell::split_commands(line) {
        command(&cmd, &[], 0, &mut out);
    }
    out
}

/// The launch of an exec-form argv (no shell: assignments are not recognised).
pub fn from_exec(words: &[MappedText]) -> Vec<Launch> {
    let mut out = Vec::new();
    command(&shell::exec_command(words), &[], 0, &mut out);
    out
}

impl Program {
    /// Whether the program serves a Python web application (a WSGI/ASGI server, a framework's
    /// development server, a Python script or module), as opposed to a database or a shell.
    pub fn is_python_server(&self) -> bool {
        match self {
            Program::Gunicorn
            | Program::Uvicorn
            | Program::Hypercorn
            | Program::Daphne
            | Program::WaitressServe
            | Program::FlaskRun
            | Program::DjangoRunserver
            | Program::HttpServer
            | Program::ModWsgiExpress
            | Program::PythonScript { .. }
            | Program::PythonModule { .. } => true,
            Program::Other { name } => matches!(
                name.as_str(),
                "uwsgi" | "uwsgi_python3" | "uwsgi-core" | "granian" | "bjoern" | "cheroot"
            ),
        }
    }
}

impl Launch {
    /// Whether the server is told where to run (`gunicorn --chdir`, `uvicorn --app-dir`,
    /// `mod_wsgi-express --working-directory`), or configured by a file that can say so
    /// (`gunicorn -c conf.py`, uWSGI's `chdir =` in its ini file), which deploylint does not
    /// see from the command line.
    pub fn chooses_own_directory(&self) -> bool {
        let names: &[&str] = match &self.program {
            Program::Gunicorn => &["--chdir", "-c", "--config"],
            Program::Uvicorn => &["--app-dir"],
            Program::ModWsgiExpress => &["--working-directory"],
            Program::Other { name } => return name.starts_with("uwsgi"),
            _ => return false,
        };
        self.option(names).is_some()
    }

    /// Value of an option, however written: `--bind=x`, `--bind x`, `-b x`, `-bx` (short
    /// forms only when listed in `names`). The last occurrence wins, as with argparse/click.
    /// The returned text's span covers the value only.
    pub fn option(&self, names: &[&str]) -> Option<MappedText> {
        self.options(names).pop()
    }

    /// All values of a repeatable option, in order.
    pub fn options(&self, names: &[&str]) -> Vec<MappedText> {
        self.parse(names, &[])
            .into_iter()
            .filter_map(|item| match item {
                Item::Opt {
                    name,
                    value: Some(v),
                    ..
                } if names.contains(&name.as_str()) => Some(v),
                _ => None,
            })
            .collect()
    }

    /// Span of a boolean flag if present (`--reload`, `-R`, or a letter in a cluster like
    /// `-Rv`). `--flag=value` forms are not flags: none of these CLIs accept them.
    pub fn flag(&self, names: &[&str]) -> Option<Span> {
        self.parse(&[], names)
            .into_iter()
            .find_map(|item| match item {
                Item::Opt {
                    name,
                    value: None,
                    span,
                } if names.contains(&name.as_str()) => Some(span),
                _ => None,
            })
    }

    /// Positional arguments: neither options nor option values (per the program's table of
    /// value-taking options; everything after `--` is positional).
    pub fn positionals(&self) -> Vec<&MappedText> {
        self.parse(&[], &[])
            .into_iter()
            .filter_map(|item| match item {
                Item::Pos(k) => self.args.get(k),
                Item::Opt { .. } => None,
            })
            .collect()
    }

    /// Parses `args` getopt-style (options may follow positionals). `values` are treated as
    /// taking a value and `flags` as not, on top of the program's own table.
    fn parse(&self, values: &[&str], flags: &[&str]) -> Vec<Item> {
        let table = value_options(&self.program);
        let takes = |n: &str| !flags.contains(&n) && (table.contains(&n) || values.contains(&n));
        let mut items = Vec::new();
        let mut k = 0;
        let mut positional_only = false;
        while let Some(a) = self.args.get(k) {
            let t = a.as_str();
            k += 1;
            if positional_only || t == "-" || !t.starts_with('-') {
                items.push(Item::Pos(k - 1));
            } else if t == "--" {
                positional_only = true;
            } else if t.starts_with("--") {
                if let Some(eq) = t.find('=') {
                    items.push(Item::Opt {
                        name: t[..eq].to_string(),
                        value: Some(a.sub(eq + 1..t.len())),
                        span: a.span_of(0..eq),
                    });
                } else {
                    let value = if takes(t) {
                        self.args.get(k).cloned()
                    } else {
                        None
                    };
                    k += usize::from(value.is_some());
                    items.push(Item::Opt {
                        name: t.to_string(),
                        value,
                        span: a.span(),
                    });
                }
            } else {
                // A cluster of short options; the first that takes a value ends it.
                for (idx, c) in t.char_indices().skip(1) {
                    let name = format!("-{c}");
                    let after = idx + c.len_utf8();
                    let span = a.span_of(if idx == 1 { 0 } else { idx }..after);
                    if takes(&name) {
                        let value = if after < t.len() {
                            Some(a.sub(after..t.len()))
                        } else {
                            k += 1;
                            self.args.get(k - 1).cloned()
                        };
                        items.push(Item::Opt { name, value, span });
                        break;
                    }
                    items.push(Item::Opt {
                        name,
                        value: None,
                        span,
                    });
                }
            }
        }
        items
    }
}

#[derive(Debug)]
enum Item {
    Opt {
        name: String,
        value: Option<MappedText>,
        /// Span of the option name (with its dash for the first letter of a cluster).
        span: Span,
    },
    Pos(usize),
}

// Value-taking options per program; anything not listed is taken to be a flag.
#[rustfmt::skip]
const GUNICORN: &[&str] = &[
    "-c", "--config", "-b", "--bind", "--backlog", "-w", "--workers", "-k", "--worker-class",
    "--threads", "--worker-connections", "--max-requests", "--max-requests-jitter", "-t",
    "--timeout", "--graceful-timeout", "--keep-alive", "--limit-request-line",
    "--limit-request-fields", "--limit-request-field_size", "--reload-engine",
    "--reload-extra-file", "--chdir", "-e", "--env", "-p", "--pid", "--worker-tmp-dir", "-u",
    "--user", "-g", "--group", "-m", "--umask", "--forwarded-allow-ips", "--access-logfile",
    "--access-logformat", "--error-logfile", "--log-file", "--log-level", "--logger-class",
    "--log-config", "--log-config-json", "--log-syslog-to", "--log-syslog-prefix",
    "--log-syslog-facility", "--statsd-host", "--statsd-prefix", "--dogstatsd-tags", "-n",
    "--name", "--pythonpath", "--paste", "--paster", "--proxy-allow-from", "--keyfile",
    "--certfile", "--ssl-version", "--cert-reqs", "--ca-certs", "--ciphers", "--header-map",
    "--forwarder-headers",
];
#[rustfmt::skip]
const UVICORN: &[&str] = &[
    "--host", "--port", "--uds", "--fd", "--reload-dir", "--reload-include",
    "--reload-exclude", "--reload-delay", "--workers", "--loop", "--http", "--ws",
    "--ws-max-size", "--ws-max-queue", "--ws-ping-interval", "--ws-ping-timeout",
    "--ws-per-message-deflate", "--lifespan", "--interface", "--env-file", "--log-config",
    "--log-level", "--forwarded-allow-ips", "--root-path", "--limit-concurrency", "--backlog",
    "--limit-max-requests", "--timeout-keep-alive", "--timeout-graceful-shutdown",
    "--ssl-keyfile", "--ssl-certfile", "--ssl-keyfile-password", "--ssl-version",
    "--ssl-cert-reqs", "--ssl-ca-certs", "--ssl-ciphers", "--header", "--app-dir",
    "--h11-max-incomplete-event-size",
];
#[rustfmt::skip]
const HYPERCORN: &[&str] = &[
    "--access-log", "--access-logfile", "--access-logformat", "--backlog", "-b", "--bind",
    "--ca-certs", "--certfile", "--cert-reqs", "--ciphers", "-c", "--config", "--error-log",
    "--error-logfile", "--log-file", "--graceful-timeout", "--read-timeout", "-g", "--group",
    "-k", "--worker-class", "--keep-alive", "--keyfile", "--keyfile-password",
    "--insecure-bind", "--log-config", "--log-level", "-p", "--pid", "--quic-bind",
    "--root-path", "--server-name", "--statsd-host", "--statsd-prefix", "-m", "--umask", "-u",
    "--user", "--verify-mode", "--websocket-ping-interval", "-w", "--workers",
];
#[rustfmt::skip]
const DAPHNE: &[&str] = &[
    "-p", "--port", "-b", "--bind", "--websocket_timeout", "--websocket_connect_timeout", "-u",
    "--unix-socket", "--fd", "-e", "--endpoint", "-v", "--verbosity", "-t", "--http-timeout",
    "--access-log", "--ping-interval", "--ping-timeout", "--application-close-timeout",
    "--ws-protocol", "--asgi-protocol", "--root-path", "--proxy-headers-host",
    "--proxy-headers-port", "-s", "--server-name",
];
#[rustfmt::skip]
const WAITRESS: &[&str] = &[
    "--host", "--port", "--listen", "--unix-socket", "--unix-socket-perms", "--url-scheme",
    "--url-prefix", "--ident", "--threads", "--backlog", "--recv-bytes", "--send-bytes",
    "--outbuf-overflow", "--outbuf-high-watermark", "--inbuf-overflow", "--connection-limit",
    "--cleanup-interval", "--channel-timeout", "--max-request-header-size",
    "--max-request-body-size", "--asyncore-loop-timeout", "--trusted-proxy",
    "--trusted-proxy-count", "--trusted-proxy-headers",
];
/// `flask` global options (kept in front of args) and `flask run` options.
#[rustfmt::skip]
const FLASK: &[&str] = &[
    "-A", "--app", "-e", "--env-file", "-h", "--host", "-p", "--port", "--cert", "--key",
    "--extra-files", "--exclude-patterns",
];
const FLASK_GLOBAL: &[&str] = &["-A", "--app", "-e", "--env-file"];
const RUNSERVER: &[&str] = &["--settings", "--pythonpath", "-v", "--verbosity"];
#[rustfmt::skip]
const HTTP_SERVER: &[&str] = &[
    "-b", "--bind", "-d", "--directory", "-p", "--protocol", "--tls-cert", "--tls-key",
    "--tls-password-file",
];
#[rustfmt::skip]
const MOD_WSGI: &[&str] = &[
    "--port", "--host", "--https-port", "--ssl-port", "--server-name", "--server-alias",
    "--processes", "--threads", "--user", "--group", "--server-root", "--log-directory",
    "--log-level", "--access-log-format", "--error-log-format", "--application-type",
    "--entry-point", "--callable-object", "--mount-point", "--document-root",
    "--working-directory", "--python-path", "--include-file", "--max-clients",
    "--request-timeout", "--maximum-requests", "--queue-timeout", "--socket-timeout",
    "--connect-timeout", "--graceful-timeout", "--shutdown-timeout", "--deadlock-timeout",
    "--inactivity-timeout", "--limit-request-body", "--header-buffer-size",
    "--response-buffer-size", "--locale", "--lang", "--ssl-certificate",
    "--ssl-certificate-file", "--ssl-certificate-key-file", "--trust-proxy-header",
    "--trust-proxy", "--directory-index", "--passenv", "--startup-timeout",
];

fn value_options(program: &Program) -> &'static [&'static str] {
    match program {
        Program::Gunicorn => GUNICORN,
        Program::Uvicorn => UVICORN,
        Program::Hypercorn => HYPERCORN,
        Program::Daphne => DAPHNE,
        Program::WaitressServe => WAITRESS,
        Program::FlaskRun => FLASK,
        Program::DjangoRunserver => RUNSERVER,
        Program::HttpServer => HTTP_SERVER,
        Program::ModWsgiExpress => MOD_WSGI,
        Program::PythonScript { .. } | Program::PythonModule { .. } | Program::Other { .. } => &[],
    }
}

/// Value-taking options of `poetry`/`uv`/`pdm`/`hatch`/`rye`/`pipx` before and after `run`.
#[rustfmt::skip]
const RUNNER: &[&str] = &[
    "-C", "--directory", "-P", "--project", "--with", "--with-requirements", "--with-editable",
    "--env-file", "--python", "-p", "--package", "--extra", "--no-extra", "--group",
    "--only-group", "--no-group", "--index", "--index-url", "--extra-index-url",
    "--default-index", "--find-links", "-f", "--cache-dir", "--config-file", "--venv",
    "--pyproject", "--exclude-newer", "--upgrade-package", "--reinstall-package",
    "--refresh-package", "--config-setting", "--resolution", "--prerelease", "--link-mode",
    "--python-platform", "--index-strategy", "--keyring-provider", "--color", "--from",
    "--spec", "--pip-args",
];
#[rustfmt::skip]
const SUDO: &[&str] = &[
    "-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-p", "--prompt",
    "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user", "-R",
    "--chroot",
];
/// Console scripts worth recognising when run as `python /path/to/NAME`.
#[rustfmt::skip]
const CONSOLE_SCRIPTS: &[&str] = &[
    "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "flask", "django-admin",
    "mod_wsgi-express",
];

fn command(
    cmd: &SimpleCommand,
    outer: &[(MappedText, MappedText)],
    depth: usize,
    out: &mut Vec<Launch>,
) {
    let mut env = outer.to_vec();
    env.extend(cmd.assignments.iter().cloned());
    resolve(&cmd.words, env, depth, out);
}

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn text(words: &[MappedText], i: usize) -> Option<&str> {
    words.get(i).map(MappedText::as_str)
}

fn rest(words: &[MappedText], i: usize) -> &[MappedText] {
    words.get(i..).unwrap_or(&[])
}

/// `python`, `python3`, `python3.12`, `pypy3`, …
fn is_python(name: &str) -> bool {
    ["python", "pypy"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })
}

fn other_name(w: &MappedText) -> String {
    let b = basename(w.as_str());
    if b.is_empty() { w.as_str() } else { b }.to_string()
}

fn push(out: &mut Vec<Launch>, program: Program, span: Span, args: &[MappedText], env: &Env) {
    out.push(Launch {
        program,
        program_span: span,
        args: args.to_vec(),
        env: env.clone(),
    });
}

/// Index of the first word after the options starting at `j` (a `--` is consumed).
fn skip_options(words: &[MappedText], mut j: usize, value_opts: &[&str]) -> usize {
    while let Some(t) = text(words, j) {
        if t == "--" {
            return j + 1;
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        j += if value_opts.contains(&t) { 2 } else { 1 };
    }
    j
}

/// Looks through wrappers at `words` and records the launch it ends in.
fn resolve(words: &[MappedText], mut env: Env, depth: usize, out: &mut Vec<Launch>) {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let name = basename(w.as_str());
        i = match name {
            "exec" => skip_options(words, i + 1, &["-a"]),
            "nohup" | "command" | "ddtrace-run" => skip_options(words, i + 1, &[]),
            "time" => skip_options(words, i + 1, &["-f", "--format", "-o", "--output"]),
            "nice" => skip_options(words, i + 1, &["-n", "--adjustment"]),
            "tini" | "tini-static" | "dumb-init" | "catatonit" => {
                skip_options(words, i + 1, &["-p", "-e", "-r", "--rewrite"])
            }
            "gosu" | "su-exec" | "s6-setuidgid" => i + 2,
            "sudo" => sudo(words, i + 1, &mut env),
            "opentelemetry-instrument" => otel(words, i + 1),
            "newrelic-admin" => match text(words, i + 1) {
                Some("run-program") => i + 2,
                Some("run-python") => return python(words, i + 1, &env, out),
                _ => return named(words, i, None, &env, out),
            },
            "env" => match env_prefix(words, i + 1, &mut env, depth, out) {
                Some(j) => j,
                None => return,
            },
            "su" | "runuser" => match su_like(words, i, &env, depth, out) {
                Some(j) => j,
                None => return,
            },
            "poetry" | "pipenv" | "uv" | "uvx" | "pdm" | "hatch" | "rye" | "pipx" => {
                match runner(words, i, &env, depth, out) {
                    Some(j) => j,
                    None => return,
                }
            }
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" => {
                return shell_c(words, i, &env, depth, out);
            }
            _ if is_python(name) => return python(words, i, &env, out),
            _ => return named(words, i, None, &env, out),
        };
    }
}

fn sudo(words: &[MappedText], mut j: usize, env: &mut Env) -> usize {
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        if t == "--" {
            return j + 1;
        }
        if t.len() > 1 && t.starts_with('-') {
            j += if SUDO.contains(&t) { 2 } else { 1 };
        } else if let Some(a) = shell::assignment(w) {
            env.push(a);
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// `opentelemetry-instrument --traces_exporter console X`: all its options take a value.
fn otel(words: &[MappedText], mut j: usize) -> usize {
    while let Some(t) = text(words, j) {
        if t == "--" {
            return j + 1;
        }
        if t.starts_with("--") && !t.contains('=') {
            j += 2;
        } else if t.starts_with('-') {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// `env [-i] [-u NAME] [NAME=value…] X`; `env -S "X args"` re-splits its string.
fn env_prefix(
    words: &[MappedText],
    mut j: usize,
    env: &mut Env,
    depth: usize,
    out: &mut Vec<Launch>,
) -> Option<usize> {
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        let split = match t {
            "-S" | "--split-string" => words.get(j + 1).cloned().map(|s| (s, j + 2)),
            _ if t.starts_with("--split-string=") => Some((w.sub(15..t.len()), j + 1)),
            _ if t.starts_with("-S") => Some((w.sub(2..t.len()), j + 1)),
            _ => None,
        };
        if let Some((s, after)) = split {
            if depth < MAX_DEPTH {
                let mut argv = shell::words(&shell::script_text(&s));
                argv.extend_from_slice(rest(words, after));
                resolve(&argv, env.clone(), depth + 1, out);
            }
            return None;
        }
        match t {
            "-u" | "--unset" | "-C" | "--chdir" => j += 2,
            _ if t.starts_with('-') => j += 1,
            _ => match shell::assignment(w) {
                Some(a) => {
                    env.push(a);
                    j += 1;
                }
                None => break,
            },
        }
    }
    Some(j)
}

/// `su [-] [user] -c CMD`, `runuser -u USER [--] X`, `runuser -l user -c CMD`.
fn su_like(
    words: &[MappedText],
    i: usize,
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) -> Option<usize> {
    let mut j = i + 1;
    let mut user_opt = false;
    let mut user_seen = false;
    let mut script = None;
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        match t {
            "--" => {
                j += 1;
                break;
            }
            "-c" | "--command" | "--session-command" => {
                script = words.get(j + 1).cloned();
                j += 2;
            }
            "-u" | "--user" => {
                user_opt = true;
                j += 2;
            }
            "-g"
            | "--group"
            | "-G"
            | "--supp-group"
            | "-s"
            | "--shell"
            | "-w"
            | "--whitelist-environment" => j += 2,
            _ if t.starts_with("--command=") => {
                script = Some(w.sub(10..t.len()));
                j += 1;
            }
            _ if t.starts_with('-') => j += 1,
            _ if !user_opt && !user_seen => {
                user_seen = true;
                j += 1;
            }
            _ => break,
        }
    }
    if let Some(script) = script {
        run_script(&script, &[], env, depth, out);
        return None;
    }
    if user_opt {
        return Some(j);
    }
    named(words, i, None, env, out);
    None
}

/// Re-splits a `-c` script and records its launches with the outer environment. `params`
/// are the script's positional parameters (`$1`…): an exact `$@` or `$*` word expands to
/// them, as in the `sh -c '… exec "$@"' sh gunicorn app` entrypoint idiom.
fn run_script(
    script: &MappedText,
    params: &[MappedText],
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for mut cmd in shell::split_commands(&shell::script_text(script)) {
        if cmd.words.iter().any(|w| matches!(w.as_str(), "$@" | "$*")) {
            cmd.words = cmd
                .words
                .into_iter()
                .flat_map(|w| match w.as_str() {
                    "$@" | "$*" => params.to_vec(),
                    _ => vec![w],
                })
                .collect();
        }
        command(&cmd, env, depth + 1, out);
    }
}

/// `sh [-e] [-o opt] -c SCRIPT`, `bash -lc SCRIPT`; a shell running a file is `Other`.
fn shell_c(words: &[MappedText], i: usize, env: &Env, depth: usize, out: &mut Vec<Launch>) {
    let mut j = i + 1;
    let mut has_c = false;
    while let Some(t) = text(words, j) {
        if t == "--" || t == "-" {
            j += 1;
            break;
        }
        if t.starts_with("--") {
            j += if matches!(t, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
        } else if t.len() > 1 && (t.starts_with('-') || t.starts_with('+')) {
            let letters = &t[1..];
            has_c |= t.starts_with('-') && letters.contains('c');
            // `-o pipefail` / `-O extglob` take the next word.
            j += 1 + usize::from(letters.contains(['o', 'O']));
        } else {
            break;
        }
    }
    if has_c && depth < MAX_DEPTH {
        if let Some(script) = words.get(j) {
            // After the script come `$0` and then the positional parameters.
            run_script(script, rest(words, j + 2), env, depth, out);
        }
        return;
    }
    named(words, i, None, env, out);
}

/// `poetry run X`, `uv run [--with x] X`, `uv run -m MOD`, `uvx X`, `hatch run [env:]X`, ….
fn runner(
    words: &[MappedText],
    i: usize,
    env: &Env,
    depth: usize,
    out: &mut Vec<Launch>,
) -> Option<usize> {
    let tool = basename(words[i].as_str());
    let mut j = i + 1;
    if tool != "uvx" {
        j = skip_options(words, j, RUNNER);
        if tool == "uv" && text(words, j) == Some("tool") {
            j += 1;
        }
        if text(words, j) != Some("run") {
            named(words, i, None, env, out);
            return None;
        }
        j += 1;
    }
    let mut module = false;
    while let Some(t) = text(words, j) {
        if t == "--" {
            j += 1;
            break;
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        module |= tool == "uv" && matches!(t, "-m" | "--module");
        j += if RUNNER.contains(&t) { 2 } else { 1 };
    }
    if module {
        if let Some(m) = words.get(j) {
            python_module(words, m.clone(), j + 1, words[i].span(), env, out);
        }
        return None;
    }
    if tool == "hatch"
        && let Some(w) = words.get(j)
        && let Some(colon) = w.as_str().find(':')
        && colon > 0
        && !w.as_str()[..colon].contains('/')
    {
        // `hatch run ENV:CMD`: drop the environment name.
        if depth < MAX_DEPTH {
            let mut argv = vec![w.sub(colon + 1..w.as_str().len())];
            argv.extend_from_slice(rest(words, j + 1));
            resolve(&argv, env.clone(), depth + 1, out);
        }
        return None;
    }
    Some(j)
}

/// `python [interpreter options] (-m MODULE | -c CMD | SCRIPT) args…`.
fn python(words: &[MappedText], i: usize, env: &Env, out: &mut Vec<Launch>) {
    let py = &words[i];
    let start = py.span();
    let mut j = i + 1;
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        if t == "--" {
            j += 1;
            break;
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        if t.starts_with("--") {
            j += if t == "--check-hash-based-pycs" { 2 } else { 1 };
            continue;
        }
        for (k, c) in t.char_indices().skip(1) {
            let attached = k + 1 < t.len();
            match c {
                'm' => {
                    let (module, next) = if attached {
                        (Some(w.sub(k + 1..t.len())), j + 1)
                    } else {
                        (words.get(j + 1).cloned(), j + 2)
                    };
                    match module {
                        Some(m) => python_module(words, m, next, start, env, out),
                        None => push(
                            out,
                            Program::Other {
                                name: other_name(py),
                            },
                            start,
                            &[],
                            env,
                        ),
                    }
                    return;
                }
                'c' => {
                    let program = Program::Other {
                        name: other_name(py),
                    };
                    return push(out, program, start, rest(words, j), env);
                }
                'X' | 'W' => {
                    j += usize::from(!attached);
                    break;
                }
                _ => {}
            }
        }
        j += 1;
    }
    let Some(script) = words.get(j) else {
        let program = Program::Other {
            name: other_name(py),
        };
        return push(out, program, start, rest(words, i + 1), env);
    };
    let name = basename(script.as_str());
    let span = start.cover(script.span());
    if name == "manage.py" {
        let fallback = Program::PythonScript {
            script: script.clone(),
        };
        django(words, j + 1, span, fallback, env, out);
    } else if CONSOLE_SCRIPTS.contains(&name) {
        named(words, j, Some(start), env, out);
    } else {
        let program = Program::PythonScript {
            script: script.clone(),
        };
        push(out, program, span, rest(words, j + 1), env);
    }
}

/// `python -m MODULE args…`; `args` is the index of the first argument.
fn python_module(
    words: &[MappedText],
    module: MappedText,
    args: usize,
    start: Span,
    env: &Env,
    out: &mut Vec<Launch>,
) {
    let span = start.cover(module.span());
    let program = match module.as_str() {
        "gunicorn" => Program::Gunicorn,
        "uvicorn" => Program::Uvicorn,
        "hypercorn" => Program::Hypercorn,
        "daphne" => Program::Daphne,
        "waitress" => Program::WaitressServe,
        "http.server" | "SimpleHTTPServer" => Program::HttpServer,
        "flask" => {
            return flask(
                words,
                args,
                span,
                Program::PythonModule { module },
                env,
                out,
            );
        }
        "django" => {
            return django(
                words,
                args,
                span,
                Program::PythonModule { module },
                env,
                out,
            );
        }
        // `mod_wsgi.server` is a package without `__main__`, so it is not mapped.
        _ => Program::PythonModule { module },
    };
    push(out, program, span, rest(words, args), env);
}

/// `flask [global options] run [options]`; anything else is `fallback` with all args.
fn flask(
    words: &[MappedText],
    k: usize,
    start: Span,
    fallback: Program,
    env: &Env,
    out: &mut Vec<Launch>,
) {
    let mut j = k;
    while let Some(w) = words.get(j) {
        let t = w.as_str();
        if t == "run" {
            let mut args = words[k..j].to_vec();
            args.extend_from_slice(rest(words, j + 1));
            return push(out, Program::FlaskRun, start.cover(w.span()), &args, env);
        }
        if !t.starts_with('-') {
            break;
        }
        j += if FLASK_GLOBAL.contains(&t) { 2 } else { 1 };
    }
    push(out, fallback, start, rest(words, k), env);
}

/// `… runserver [args]` (Django reads the subcommand from argv[1]); otherwise `fallback`.
fn django(
    words: &[MappedText],
    k: usize,
    start: Span,
    fallback: Program,
    env: &Env,
    out: &mut Vec<Launch>,
) {
    match words.get(k) {
        Some(w) if w.as_str() == "runserver" => {
            push(
                out,
                Program::DjangoRunserver,
                start.cover(w.span()),
                rest(words, k + 1),
                env,
            );
        }
        _ => push(out, fallback, start, rest(words, k), env),
    }
}

/// A program named by the word at `i` (matched on its basename). `start` extends the
/// program span leftwards (to the interpreter in `python /usr/bin/gunicorn`).
fn named(words: &[MappedText], i: usize, start: Option<Span>, env: &Env, out: &mut Vec<Launch>) {
    let w = &words[i];
    let name = basename(w.as_str());
    let span = start.map_or(w.span(), |s| s.cover(w.span()));
    let program = match name {
        "gunicorn" => Program::Gunicorn,
        "uvicorn" => Program::Uvicorn,
        "hypercorn" => Program::Hypercorn,
        "daphne" => Program::Daphne,
        "waitress-serve" => Program::WaitressServe,
        "flask" => {
            let fallback = Program::Other {
                name: name.to_string(),
            };
            return flask(words, i + 1, span, fallback, env, out);
        }
        "django-admin" | "django-admin.py" => {
            let fallback = Program::Other {
                name: name.to_string(),
            };
            return django(words, i + 1, span, fallback, env, out);
        }
        "manage.py" => {
            let fallback = Program::PythonScript { script: w.clone() };
            return django(words, i + 1, span, fallback, env, out);
        }
        "mod_wsgi-express" => {
            return match words.get(i + 1) {
                Some(sub) if sub.as_str() == "start-server" => {
                    let span = span.cover(sub.span());
                    push(out, Program::ModWsgiExpress, span, rest(words, i + 2), env);
                }
                Some(sub) => {
                    let name = format!("{name} {}", sub.as_str());
                    let span = span.cover(sub.span());
                    push(out, Program::Other { name }, span, rest(words, i + 2), env);
                }
                None => push(
                    out,
                    Program::Other {
                        name: name.to_string(),
                    },
                    span,
                    &[],
                    env,
                ),
            };
        }
        _ if name.ends_with(".py") => Program::PythonScript { script: w.clone() },
        _ => Program::Other {
            name: other_name(w),
        },
    };
    push(out, program, span, rest(words, i + 1), env);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mt(s: &str) -> MappedText {
        MappedText::from_span(s, Span::new(0, s.len()))
    }

    /// A tiny JSON-array reader for exec-form test input, mapping each string like a
    /// Dockerfile parser would: content bytes to themselves, first byte to the opening quote,
    /// end past the closing quote.
    fn exec_words(src: &str) -> Vec<MappedText> {
        let mut words = Vec::new();
        let mut it = src.char_indices().peekable();
        while let Some((q, c)) = it.next() {
            if c != '"' {
                continue;
            }
            let mut m = MappedText::new(q);
            let mut first = true;
            while let Some((i, c)) = it.next() {
                let origin = if first { q } else { i };
                first = false;
                match c {
                    '"' => {
                        m.push_str("", i + 1);
                        break;
                    }
                    '\\' => {
                        if let Some((j, e)) = it.next() {
                            let c = if e == 'n' { '\n' } else { e };
                            m.push_char(c, origin.min(i), j + e.len_utf8());
                        }
                    }
                    _ => m.push_char(c, origin, i + c.len_utf8()),
                }
            }
            words.push(m);
        }
        words
    }

    fn other(name: &str) -> Program {
        Program::Other {
            name: name.to_string(),
        }
    }

    /// Short description of a program for table comparisons.
    fn prog(p: &Program) -> String {
        match p {
            Program::PythonScript { script } => format!("script:{}", script.as_str()),
            Program::PythonModule { module } => format!("module:{}", module.as_str()),
            Program::Other { name } => format!("other:{name}"),
            p => format!("{p:?}"),
        }
    }

    /// (program, original text of program_span, arg texts) per launch.
    fn check(src: &str, launches: &[Launch], want: &[(&str, &str, &[&str])]) {
        let got: Vec<(String, &str, Vec<&str>)> = launches
            .iter()
            .map(|l| {
                let args = l.args.iter().map(MappedText::as_str).collect();
                (prog(&l.program), &src[l.program_span.range()], args)
            })
            .collect();
        let want: Vec<(String, &str, Vec<&str>)> = want
            .iter()
            .map(|(p, span, args)| (p.to_string(), *span, args.to_vec()))
            .collect();
        assert_eq!(got, want, "input: {src:?}");
    }

    #[test]
    fn shell_form_table() {
        // (input, [(program, program_span text, [args])])
        #[allow(clippy::type_complexity)]
        #[rustfmt::skip]
        let cases: &[(&str, &[(&str, &str, &[&str])])] = &[
            ("gunicorn app:app", &[("Gunicorn", "gunicorn", &["app:app"])]),
            ("/opt/venv/bin/gunicorn -w 4 app:app", &[("Gunicorn", "/opt/venv/bin/gunicorn", &["-w", "4", "app:app"])]),
            (".venv/bin/uvicorn app:app --reload", &[("Uvicorn", ".venv/bin/uvicorn", &["app:app", "--reload"])]),
            ("~/.local/bin/hypercorn a:b", &[("Hypercorn", "~/.local/bin/hypercorn", &["a:b"])]),
            ("daphne -b 0.0.0.0 proj.asgi:application", &[("Daphne", "daphne", &["-b", "0.0.0.0", "proj.asgi:application"])]),
            ("waitress-serve --listen=*:8080 app:app", &[("WaitressServe", "waitress-serve", &["--listen=*:8080", "app:app"])]),
            ("python -m waitress --port=80 a:b", &[("WaitressServe", "python -m waitress", &["--port=80", "a:b"])]),
            ("flask run --host 0.0.0.0", &[("FlaskRun", "flask run", &["--host", "0.0.0.0"])]),
            ("flask --app app --debug run -p 80", &[("FlaskRun", "flask --app app --debug run", &["--app", "app", "--debug", "-p", "80"])]),
            ("python -m flask run", &[("FlaskRun", "python -m flask run", &[])]),
            ("python3 -m flask --app x routes", &[("module:flask", "python3 -m flask", &["--app", "x", "routes"])]),
            ("flask db upgrade", &[("other:flask", "flask", &["db", "upgrade"])]),
            ("python manage.py runserver 0.0.0.0:8000", &[("DjangoRunserver", "python manage.py runserver", &["0.0.0.0:8000"])]),
            ("./manage.py runserver", &[("DjangoRunserver", "./manage.py runserver", &[])]),
            ("python /app/manage.py runserver --noreload", &[("DjangoRunserver", "python /app/manage.py runserver", &["--noreload"])]),
            ("django-admin runserver 8000", &[("DjangoRunserver", "django-admin runserver", &["8000"])]),
            ("python -m django runserver", &[("DjangoRunserver", "python -m django runserver", &[])]),
            ("python manage.py migrate --noinput", &[("script:manage.py", "python manage.py", &["migrate", "--noinput"])]),
            ("python -m http.server 8000", &[("HttpServer", "python -m http.server", &["8000"])]),
            ("python -m SimpleHTTPServer", &[("HttpServer", "python -m SimpleHTTPServer", &[])]),
            ("mod_wsgi-express start-server wsgi.py --port 80", &[("ModWsgiExpress", "mod_wsgi-express start-server", &["wsgi.py", "--port", "80"])]),
            ("mod_wsgi-express setup-server wsgi.py", &[("other:mod_wsgi-express setup-server", "mod_wsgi-express setup-server", &["wsgi.py"])]),
            ("python -m mod_wsgi.server start-server", &[("module:mod_wsgi.server", "python -m mod_wsgi.server", &["start-server"])]),
            ("python app.py", &[("script:app.py", "python app.py", &[])]),
            ("python3 -u /srv/app/main.py --x", &[("script:/srv/app/main.py", "python3 -u /srv/app/main.py", &["--x"])]),
            ("/usr/local/bin/python3.12 -B -X dev -W ignore -O run.py", &[("script:run.py", "/usr/local/bin/python3.12 -B -X dev -W ignore -O run.py", &[])]),
            ("pypy3 -m gunicorn app", &[("Gunicorn", "pypy3 -m gunicorn", &["app"])]),
            ("python -mgunicorn app", &[("Gunicorn", "python -mgunicorn", &["app"])]),
            ("python -um uvicorn a:b", &[("Uvicorn", "python -um uvicorn", &["a:b"])]),
            ("python -m celery -A proj worker", &[("module:celery", "python -m celery", &["-A", "proj", "worker"])]),
            ("python -c 'import x'", &[("other:python", "python", &["-c", "import x"])]),
            ("python", &[("other:python", "python", &[])]),
            ("python /usr/local/bin/gunicorn app", &[("Gunicorn", "python /usr/local/bin/gunicorn", &["app"])]),
            ("./app.py", &[("script:./app.py", "./app.py", &[])]),
            ("$CMD --x", &[("other:$CMD", "$CMD", &["--x"])]),
            ("\"$@\"", &[("other:$@", "\"$@\"", &[])]),
            ("${VENV}/bin/gunicorn app", &[("Gunicorn", "${VENV}/bin/gunicorn", &["app"])]),
            ("celery -A proj worker", &[("other:celery", "celery", &["-A", "proj", "worker"])]),
            // Negatives: mentioned, not launched.
            ("echo \"flask run\"", &[("other:echo", "echo", &["flask run"])]),
            ("# flask run", &[]),
            ("exec", &[]),
            ("FOO=1", &[]),
            // Several launches.
            ("python manage.py migrate && gunicorn app:app", &[("script:manage.py", "python manage.py", &["migrate"]), ("Gunicorn", "gunicorn", &["app:app"])]),
            ("cd /app; exec uvicorn a:b", &[("other:cd", "cd", &["/app"]), ("Uvicorn", "uvicorn", &["a:b"])]),
            // Wrappers.
            ("exec gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("exec -a web gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("nohup gunicorn app > log 2>&1 &", &[("Gunicorn", "gunicorn", &["app"])]),
            ("time -p gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("gosu app gunicorn app", &[("Gunicorn", "gunicorn", &["app"])]),
            ("su-exec app:app uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("s6-setuidgid app gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("tini -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("/usr/bin/tini -s -g -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("dumb-init --rewrite 15:2 gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("catatonit -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("sudo -u app -E gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("runuser -u app -- gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("su app -c 'gunicorn x'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("su -s /bin/sh app", &[("other:su", "su", &["-s", "/bin/sh", "app"])]),
            ("poetry run gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("pipenv run python manage.py runserver", &[("DjangoRunserver", "python manage.py runserver", &[])]),
            ("uv run --with gunicorn gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("uv run -m flask run", &[("FlaskRun", "uv run -m flask run", &[])]),
            ("uv sync", &[("other:uv", "uv", &["sync"])]),
            ("uvx --from hypercorn hypercorn a:b", &[("Hypercorn", "hypercorn", &["a:b"])]),
            ("pdm run -p . uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("hatch run prod:gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("rye run flask run", &[("FlaskRun", "flask run", &[])]),
            ("newrelic-admin run-program gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("newrelic-admin run-python app.py", &[("script:app.py", "run-python app.py", &[])]),
            ("ddtrace-run gunicorn x", &[("Gunicorn", "gunicorn", &["x"])]),
            ("opentelemetry-instrument --traces_exporter console --metrics_exporter=none uvicorn a:b", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("exec tini -- gosu app poetry run python -m gunicorn x", &[("Gunicorn", "python -m gunicorn", &["x"])]),
            ("sh -c \"exec gunicorn -b :8000 app:app\"", &[("Gunicorn", "gunicorn", &["-b", ":8000", "app:app"])]),
            ("bash -lc 'cd /app && flask run'", &[("other:cd", "cd", &["/app"]), ("FlaskRun", "flask run", &[])]),
            ("/bin/sh -ec 'uvicorn a:b'", &[("Uvicorn", "uvicorn", &["a:b"])]),
            ("bash -o pipefail -c 'gunicorn x'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("dash -c 'sh -c \"gunicorn x\"'", &[("Gunicorn", "gunicorn", &["x"])]),
            ("sh entrypoint.sh", &[("other:sh", "sh", &["entrypoint.sh"])]),
            ("sh -c 'migrate && exec \"$@\"' sh gunicorn -b :80 app", &[("other:migrate", "migrate", &[]), ("Gunicorn", "gunicorn", &["-b", ":80", "app"])]),
            ("sh -c 'exec \"$@\"'", &[]),
            ("sh -c 'echo $@'", &[("other:echo", "echo", &[])]),
            ("env -S 'gunicorn -w 2' app", &[("Gunicorn", "gunicorn", &["-w", "2", "app"])]),
            ("if [ -n \"$DEBUG\" ]; then flask run; else gunicorn app; fi", &[("other:[", "[", &["-n", "$DEBUG", "]"]), ("FlaskRun", "flask run", &[]), ("Gunicorn", "gunicorn", &["app"])]),
        ];
        for (src, want) in cases {
            check(src, &from_shell(&mt(src)), want);
        }
    }

    #[test]
    fn exec_form_table() {
        #[allow(clippy::type_complexity)]
        #[rustfmt::skip]
        let cases: &[(&str, &[(&str, &str, &[&str])])] = &[
            (r#"["python", "-m", "http.server", "8000"]"#, &[("HttpServer", r#""python", "-m", "http.server""#, &["8000"])]),
            (r#"["sh","-c","python manage.py runserver 0.0.0.0:8000"]"#, &[("DjangoRunserver", "python manage.py runserver", &["0.0.0.0:8000"])]),
            (r#"["FOO=1", "gunicorn"]"#, &[("other:FOO=1", r#""FOO=1""#, &["gunicorn"])]),
            (r#"["env", "FOO=1", "gunicorn", "a b"]"#, &[("Gunicorn", r#""gunicorn""#, &["a b"])]),
            (r#"["gunicorn", "--bind", "0.0.0.0:80", "app:app"]"#, &[("Gunicorn", r#""gunicorn""#, &["--bind", "0.0.0.0:80", "app:app"])]),
            (r#"["/usr/bin/tini", "--", "uvicorn", "a:b"]"#, &[("Uvicorn", r#""uvicorn""#, &["a:b"])]),
            (r#"["flask", "run", "echo ;"]"#, &[("FlaskRun", r#""flask", "run""#, &["echo ;"])]),
            (r#"[]"#, &[]),
        ];
        for (src, want) in cases {
            check(src, &from_exec(&exec_words(src)), want);
        }
    }

    /// Launch of a one-launch shell line.
    fn one(src: &str) -> Launch {
        let mut l = from_shell(&mt(src));
        assert_eq!(l.len(), 1, "input: {src:?}");
        l.remove(0)
    }

    #[test]
    fn options_with_spans() {
        // (input, names, expected value, expected original text under the value's span)
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], &str, &str)] = &[
            ("gunicorn --bind=127.0.0.1:8000 app", &["--bind", "-b"], "127.0.0.1:8000", "127.0.0.1:8000"),
            ("gunicorn -b0.0.0.0:80 app", &["--bind", "-b"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn -b 0.0.0.0:80 app", &["--bind", "-b"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn --bind \"0.0.0.0:8000\" app", &["--bind", "-b"], "0.0.0.0:8000", "\"0.0.0.0:8000\""),
            ("gunicorn --bind=\"0.0.0.0:8000\" app", &["--bind", "-b"], "0.0.0.0:8000", "\"0.0.0.0:8000\""),
            ("gunicorn -b a -b b app", &["--bind", "-b"], "b", "b"),
            ("uvicorn app:app --host 0.0.0.0 --port 8000", &["--port"], "8000", "8000"),
            ("flask --app hello run", &["--app", "-A"], "hello", "hello"),
            ("flask -A hello run -h 0.0.0.0", &["--host", "-h"], "0.0.0.0", "0.0.0.0"),
            ("sh -c \"exec gunicorn -b :8000 app:app\"", &["--bind", "-b"], ":8000", ":8000"),
            ("bash -c 'gunicorn --bind \"[::]:80\" x'", &["--bind", "-b"], "[::]:80", "\"[::]:80\""),
            ("sh -c \"gunicorn --bind \\\"0.0.0.0:80\\\" x\"", &["--bind"], "0.0.0.0:80", "\\\"0.0.0.0:80\\\""),
            ("gunicorn \\\n  --bind \\\n  0.0.0.0:80 \\\n  app", &["--bind"], "0.0.0.0:80", "0.0.0.0:80"),
            ("gunicorn --workers=4 --bi\\\nnd=x app", &["--bind"], "x", "x"),
            ("daphne -p 8001 a:b", &["--port", "-p"], "8001", "8001"),
            ("python -m http.server --bind 127.0.0.1 8000", &["--bind", "-b"], "127.0.0.1", "127.0.0.1"),
            ("waitress-serve --port 8080 a:b", &["--port"], "8080", "8080"),
            ("unknown --custom val", &["--custom"], "val", "val"),
        ];
        for (src, names, value, original) in cases {
            let l = one(src);
            let v = l
                .option(names)
                .unwrap_or_else(|| panic!("no option in {src:?}"));
            assert_eq!(v.as_str(), *value, "input: {src:?}");
            assert_eq!(&src[v.span().range()], *original, "input: {src:?}");
        }
        let l = one("gunicorn -b a --bind=b -bc app");
        let all: Vec<String> = l
            .options(&["--bind", "-b"])
            .iter()
            .map(|v| v.as_str().to_string())
            .collect();
        assert_eq!(all, ["a", "b", "c"]);
        assert!(one("gunicorn app").option(&["--bind", "-b"]).is_none());
        // A value-taking option at the very end has no value.
        assert!(one("gunicorn app --bind").option(&["--bind"]).is_none());
        // Short forms only when listed.
        assert!(one("gunicorn -b x app").option(&["--bind"]).is_none());
        // After `--` nothing is an option.
        assert!(one("uvicorn -- --port 1").option(&["--port"]).is_none());
    }

    #[test]
    fn flags_with_spans() {
        // (input, names, expected original text under the span, or None)
        #[rustfmt::skip]
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("uvicorn app:app --reload", &["--reload"], Some("--reload")),
            ("flask --debug run", &["--debug"], Some("--debug")),
            ("flask run --debug", &["--debug"], Some("--debug")),
            ("flask --no-debug run", &["--debug"], None),
            ("gunicorn -R app", &["-R", "--enable-stdio-inheritance"], Some("-R")),
            ("gunicorn -Db :80 app", &["-D", "--daemon"], Some("-D")),
            ("python -m http.server -vR", &["-R"], Some("R")),
            ("uvicorn --reload=true a:b", &["--reload"], None),
            ("gunicorn --log-file --reload app", &["--reload"], None),
            ("sh -c 'exec uvicorn a:b --reload'", &["--reload"], Some("--reload")),
            ("python manage.py runserver --noreload", &["--noreload"], Some("--noreload")),
            ("uvicorn a:b -- --reload", &["--reload"], None),
        ];
        for (src, names, want) in cases {
            let got = one(src).flag(names).map(|s| &src[s.range()]);
            assert_eq!(got, *want, "input: {src:?}");
        }
    }

    #[test]
    fn positionals_skip_option_values() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("gunicorn -w 4 -k uvicorn.workers.UvicornWorker --bind=:80 app:app", &["app:app"]),
            ("gunicorn app:app -b :80 --reload", &["app:app"]),
            ("uvicorn --host 0.0.0.0 main:app --port 80", &["main:app"]),
            ("flask --app x run --port 80 --reload", &[]),
            ("python manage.py runserver -v 2 0.0.0.0:8000", &["0.0.0.0:8000"]),
            ("python -m http.server -d /srv 8080", &["8080"]),
            ("daphne -b 0.0.0.0 -p 80 proj.asgi:app", &["proj.asgi:app"]),
            ("hypercorn -w 2 -b :80 a:b", &["a:b"]),
            ("waitress-serve --listen=*:80 --threads 8 a:b", &["a:b"]),
            ("mod_wsgi-express start-server --port 80 wsgi.py", &["wsgi.py"]),
            ("uvicorn -- -weird:app", &["-weird:app"]),
        ];
        for (src, want) in cases {
            let l = one(src);
            let got: Vec<&str> = l.positionals().iter().map(|m| m.as_str()).collect();
            assert_eq!(got, *want, "input: {src:?}");
        }
    }

    #[test]
    fn environment_assignments() {
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("VAR=1 flask run", &["VAR=1"]),
            ("env FLASK_DEBUG=1 flask run", &["FLASK_DEBUG=1"]),
            ("A=1 env -i B=2 -u C D=\"x y\" flask run", &["A=1", "B=2", "D=x y"]),
            ("sudo -u app DEBUG=1 flask run", &["DEBUG=1"]),
            ("A=1 sh -c 'B=2 flask run'", &["A=1", "B=2"]),
            ("A=1 true; flask run", &[]),
        ];
        for (src, want) in cases {
            let launches = from_shell(&mt(src));
            let l = launches.last().unwrap();
            assert_eq!(l.program, Program::FlaskRun, "input: {src:?}");
            let got: Vec<String> = l
                .env
                .iter()
                .map(|(n, v)| format!("{}={}", n.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, *want, "input: {src:?}");
        }
        let src = "env FLASK_DEBUG=1 flask run";
        let (n, v) = &one(src).env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("FLASK_DEBUG", "1")
        );
        let src = "sh -c 'DEBUG=\"1\" exec flask run'";
        let (n, v) = &one(src).env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("DEBUG", "\"1\"")
        );
        let src = r#"["env", "DEBUG=1", "flask", "run"]"#;
        let l = from_exec(&exec_words(src));
        let (n, v) = &l[0].env[0];
        assert_eq!(
            (&src[n.span().range()], &src[v.span().range()]),
            ("\"DEBUG", "1\"")
        );
    }

    #[test]
    fn spans_inside_nested_quotes() {
        let src = "CMD sh -c \"exec gunicorn -b :8000 app:app\"";
        let line = MappedText::from_span(src, Span::new(4, src.len()));
        let l = &from_shell(&line)[0];
        assert_eq!(&src[l.program_span.range()], "gunicorn");
        let v = l.option(&["-b"]).unwrap();
        assert_eq!(v.span(), Span::new(28, 33));
        assert_eq!(&src[v.span().range()], ":8000");

        let src = r#"["sh","-c","python manage.py runserver 0.0.0.0:8000"]"#;
        let l = &from_exec(&exec_words(src))[0];
        assert_eq!(&src[l.positionals()[0].span().range()], "0.0.0.0:8000");

        let src = r#"["python", "-m", "http.server", "8000"]"#;
        let l = &from_exec(&exec_words(src))[0];
        assert_eq!(&src[l.positionals()[0].span().range()], "\"8000\"");
        assert_eq!(l.program, Program::HttpServer);
    }

    #[test]
    fn script_and_module_payloads() {
        let src = "python3 -u /srv/app/main.py";
        match one(src).program {
            Program::PythonScript { script } => {
                assert_eq!(&src[script.span().range()], "/srv/app/main.py")
            }
            p => panic!("{p:?}"),
        }
        let src = "python -m my.pkg --x";
        match one(src).program {
            Program::PythonModule { module } => assert_eq!(&src[module.span().range()], "my.pkg"),
            p => panic!("{p:?}"),
        }
        assert_eq!(one("ls -la").program, other("ls"));
    }

    #[test]
    fn malformed_input_never_panics() {
        let inputs = [
            "",
            "\\",
            "'",
            "\"",
            "sh -c",
            "sh -c '",
            "bash -c \"sh -c '",
            "env",
            "env -S",
            "env -u",
            "python -m",
            "python -X",
            "python -W",
            "python --",
            "python -",
            "gosu",
            "gosu u",
            "sudo -u",
            "runuser -u",
            "su -c",
            "poetry",
            "poetry run",
            "uv run -m",
            "hatch run :",
            "hatch run é:ü",
            "newrelic-admin",
            "newrelic-admin run-python",
            "flask",
            "flask --app",
            "manage.py",
            "mod_wsgi-express",
            "gunicorn -b",
            "gunicorn -",
            "gunicorn -é",
            "exec --",
            "time",
            "tini --",
            "$(",
            "python -mé",
            "python -é",
            "'é' -bé --é=é",
        ];
        let names: &[&str] = &["--bind", "-b", "-é", "--é"];
        for s in inputs {
            for l in from_shell(&mt(s))
                .iter()
                .chain(from_exec(&shell::words(&mt(s))).iter())
            {
                let _ = (
                    l.option(names),
                    l.options(names),
                    l.flag(names),
                    l.positionals(),
                );
                assert!(
                    l.program_span.end <= s.len() && l.program_span.start <= l.program_span.end
                );
            }
        }
        // Nesting that needs no quoting stops at MAX_DEPTH instead of recursing unboundedly.
        let deep = "hatch run a:".repeat(100_000) + "gunicorn x";
        assert!(from_shell(&mt(&deep)).is_empty());
        let shallow = "hatch run a:".repeat(3) + "gunicorn x";
        assert_eq!(from_shell(&mt(&shallow))[0].program, Program::Gunicorn);
        let nested = "sh -c 'bash -c \"dash -c gunicorn\"'";
        assert_eq!(from_shell(&mt(nested))[0].program, Program::Gunicorn);
        // Long wrapper chains are handled iteratively.
        let long = "exec ".repeat(100_000) + "gunicorn x";
        assert_eq!(from_shell(&mt(&long))[0].program, Program::Gunicorn);
    }
}
