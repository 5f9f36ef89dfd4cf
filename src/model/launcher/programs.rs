//! The programs a launch recognises (WSGI/ASGI servers, framework development servers, Python
//! scripts and modules) and the options of each that take a value.

use super::{Env, Launch, Program, basename, other_name, push, rest};
use crate::source::{MappedText, Span};

// Value-taking options per program; anything not listed is taken to be a flag.
#[rustfmt::skip]
pub(super) const GUNICORN: &[&str] = &[
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
pub(super) const UVICORN: &[&str] = &[
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
pub(super) const HYPERCORN: &[&str] = &[
    "--access-log", "--access-logfile", "--access-logformat", "--backlog", "-b", "--bind",
    "--ca-certs", "--certfile", "--cert-reqs", "--ciphers", "-c", "--config", "--error-log",
    "--error-logfile", "--log-file", "--graceful-timeout", "--read-timeout", "-g", "--group",
    "-k", "--worker-class", "--keep-alive", "--keyfile", "--keyfile-password",
    "--insecure-bind", "--log-config", "--log-level", "-p", "--pid", "--quic-bind",
    "--root-path", "--server-name", "--statsd-host", "--statsd-prefix", "-m", "--umask", "-u",
    "--user", "--verify-mode", "--websocket-ping-interval", "-w", "--workers",
];
/// Granian's options that take a value (click; every other option is a flag or a
/// `--x/--no-x` pair).
#[rustfmt::skip]
pub(super) const GRANIAN: &[&str] = &[
    "--host", "--port", "--uds", "--uds-permissions", "--interface", "--http", "--workers",
    "--threads", "--blocking-threads", "--blocking-threads-idle-timeout", "--runtime-threads",
    "--runtime-blocking-threads", "--runtime-mode", "--threading-mode", "--loop",
    "--task-impl", "--backlog", "--backpressure", "--http1-buffer-size",
    "--http1-header-read-timeout", "--http2-initial-connection-window-size",
    "--http2-initial-stream-window-size", "--http2-keep-alive-interval",
    "--http2-keep-alive-timeout", "--http2-max-concurrent-streams", "--http2-max-frame-size",
    "--http2-max-headers-size", "--http2-max-send-buffer-size", "--log-level", "--log-config",
    "--access-log-fmt", "--ssl-certificate", "--ssl-keyfile", "--ssl-keyfile-password",
    "--ssl-protocol-min", "--ssl-ca", "--ssl-crl", "--url-path-prefix", "--respawn-interval",
    "--rss-sample-interval", "--rss-samples", "--workers-lifetime", "--workers-kill-timeout",
    "--workers-graceful-timeout", "--workers-max-rss", "--working-dir", "--env-files",
    "--static-path-route", "--static-path-mount", "--static-path-dir-to-file",
    "--static-path-expires", "--metrics-scrape-interval", "--metrics-address",
    "--metrics-port", "--reload-paths", "--reload-ignore-dirs", "--reload-ignore-patterns",
    "--reload-ignore-paths", "--reload-tick", "--process-name", "--pid-file",
];
#[rustfmt::skip]
pub(super) const DAPHNE: &[&str] = &[
    "-p", "--port", "-b", "--bind", "--websocket_timeout", "--websocket_connect_timeout", "-u",
    "--unix-socket", "--fd", "-e", "--endpoint", "-v", "--verbosity", "-t", "--http-timeout",
    "--access-log", "--ping-interval", "--ping-timeout", "--application-close-timeout",
    "--ws-protocol", "--asgi-protocol", "--root-path", "--proxy-headers-host",
    "--proxy-headers-port", "-s", "--server-name",
];
#[rustfmt::skip]
pub(super) const WAITRESS: &[&str] = &[
    "--host", "--port", "--listen", "--unix-socket", "--unix-socket-perms", "--url-scheme",
    "--url-prefix", "--ident", "--threads", "--backlog", "--recv-bytes", "--send-bytes",
    "--outbuf-overflow", "--outbuf-high-watermark", "--inbuf-overflow", "--connection-limit",
    "--cleanup-interval", "--channel-timeout", "--max-request-header-size",
    "--max-request-body-size", "--asyncore-loop-timeout", "--trusted-proxy",
    "--trusted-proxy-count", "--trusted-proxy-headers",
];
/// `flask` global options (kept in front of args) and `flask run` options.
#[rustfmt::skip]
pub(super) const FLASK: &[&str] = &[
    "-A", "--app", "-e", "--env-file", "-h", "--host", "-p", "--port", "--cert", "--key",
    "--extra-files", "--exclude-patterns",
];
pub(super) const FLASK_GLOBAL: &[&str] = &["-A", "--app", "-e", "--env-file"];
pub(super) const RUNSERVER: &[&str] = &["--settings", "--pythonpath", "-v", "--verbosity"];
#[rustfmt::skip]
pub(super) const HTTP_SERVER: &[&str] = &[
    "-b", "--bind", "-d", "--directory", "-p", "--protocol", "--tls-cert", "--tls-key",
    "--tls-password-file",
];
#[rustfmt::skip]
pub(super) const MOD_WSGI: &[&str] = &[
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

/// uWSGI's options that take a value (it has hundreds; these are the ones deployments use,
/// so that a flag such as `--master` is never read as taking the next word).
#[rustfmt::skip]
pub(super) const UWSGI: &[&str] = &[
    "--ini", "--yaml", "--yml", "--json", "--xml", "--include", "--inherit", "-s", "--socket",
    "--uwsgi-socket", "--http", "--http-socket", "--https", "--https-socket",
    "--http11-socket", "--fastcgi-socket", "--scgi-socket", "--suwsgi-socket", "--ssl-socket",
    "--raw-socket", "--shared-socket", "--protocol", "--socket-protocol", "-w", "--module",
    "--wsgi", "--wsgi-file", "--file", "--mount", "--callable", "--chdir", "--chdir2",
    "-H", "--home", "--virtualenv", "--venv", "--pyhome", "--pythonpath", "--python-path",
    "--pp", "--plugin", "--plugins", "--plugin-dir", "-p", "--processes", "--workers",
    "--threads", "--uid", "--gid", "--chmod-socket", "--chown-socket", "--umask", "--env",
    "--pidfile", "--pidfile2", "--safe-pidfile", "--logto", "--logto2", "--daemonize",
    "--daemonize2", "--stats", "--master-fifo", "--py-autoreload", "--python-autoreload",
    "--py-auto-reload", "--touch-reload", "--harakiri", "--max-requests", "-b",
    "--buffer-size", "--static-map", "--listen", "-l", "--set", "--set-placeholder",
    "--set-ph", "--http-timeout", "--socket-timeout", "--limit-as", "--reload-on-rss",
    "--procname-prefix", "--procname", "--static-map2", "--route", "--route-run",
    "--attach-daemon", "--smart-attach-daemon", "--cheaper", "--emperor", "--vassals-inherit",
    "--log-format", "--logformat", "--logger", "--req-logger", "--spooler", "--mule",
    "--cron", "--hook-master-start", "--exec-pre-app", "--exec-as-root", "--import",
    "--pyimport", "--paste", "--ini-paste", "--ini-paste-logged", "--asgi",
];

pub(crate) fn value_options(program: &Program) -> &'static [&'static str] {
    match program {
        Program::Gunicorn => GUNICORN,
        Program::Uvicorn => UVICORN,
        Program::Hypercorn => HYPERCORN,
        Program::Granian => GRANIAN,
        Program::Daphne => DAPHNE,
        Program::WaitressServe => WAITRESS,
        Program::FlaskRun => FLASK,
        Program::DjangoRunserver => RUNSERVER,
        Program::HttpServer => HTTP_SERVER,
        Program::ModWsgiExpress => MOD_WSGI,
        Program::Uwsgi => UWSGI,
        Program::PythonScript { .. } | Program::PythonModule { .. } | Program::Other { .. } => &[],
    }
}

/// Console scripts worth recognising when run as `python /path/to/NAME`.
#[rustfmt::skip]
pub(super) const CONSOLE_SCRIPTS: &[&str] = &[
    "gunicorn", "uvicorn", "hypercorn", "granian", "daphne", "waitress-serve", "flask",
    "django-admin", "mod_wsgi-express", "uwsgi",
];

/// `python`, `python3`, `python3.12`, `pypy3`, …
pub(super) fn is_python(name: &str) -> bool {
    ["python", "pypy"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })
}

/// `python [interpreter options] (-m MODULE | -c CMD | SCRIPT) args…`.
pub(super) fn python(words: &[MappedText], i: usize, env: &Env, out: &mut Vec<Launch>) {
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
pub(super) fn python_module(
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
        "granian" => Program::Granian,
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
pub(super) fn flask(
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
pub(super) fn django(
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
pub(super) fn named(
    words: &[MappedText],
    i: usize,
    start: Option<Span>,
    env: &Env,
    out: &mut Vec<Launch>,
) {
    let w = &words[i];
    let name = basename(w.as_str());
    let span = start.map_or(w.span(), |s| s.cover(w.span()));
    let program = match name {
        "gunicorn" => Program::Gunicorn,
        "uvicorn" => Program::Uvicorn,
        "hypercorn" => Program::Hypercorn,
        "granian" => Program::Granian,
        "daphne" => Program::Daphne,
        "waitress-serve" => Program::WaitressServe,
        "uwsgi" | "uwsgi-core" => Program::Uwsgi,
        _ if name.starts_with("uwsgi_") && !name.ends_with(".py") => Program::Uwsgi,
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
    if let Some(launch) = out.last_mut() {
        launch.program_word = Some(w.clone());
    }
}
