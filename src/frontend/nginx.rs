//! nginx configuration: the linted file with what it includes, as entries in their blocks.
//! nginx is the reverse proxy: it deploys no Python process of its own, so it lowers into an
//! empty deployment and its rules read the typed view.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, never};
use crate::catalog::Format;
use crate::model::deployment::Deployment;
use crate::model::nginx::{AppEvidence, ForwardedFor, Nginx};
use crate::model::project::{ProxyFact, ServedFact};
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile};
use crate::template;
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Nginx,
    by_name: nginx_name,
    templates: true,
    sniff: nginx_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: Some(PackMatch {
        key: "a directive (proxy_pass, server_tokens, ...)",
        find: pack_find,
    }),
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    // A `nginx.conf` that is a Jinja template without saying so in its name (Ansible roles,
    // cookiecutters): read with its markup masked in place, and with no syntax errors where
    // its structure depends on rendering.
    let masked =
        template::mask(input.source.text()).map(|text| SourceFile::new(input.source.path(), text));
    let renders = masked.is_some() && template::has_control_blocks(input.source.text());
    let nginx = crate::model::nginx::load(masked.as_ref().unwrap_or(input.source), input.files);
    let errors: Vec<ParseError> = nginx.units[0]
        .conf
        .errors
        .iter()
        .map(|e| (e.span, &e.message))
        .chain(nginx.errors.iter().map(|(span, message)| (*span, message)))
        .map(|(span, message)| ParseError {
            span,
            message: message.clone(),
        })
        .filter(|_| !renders)
        .collect();
    let mut linted = Linted {
        diagnostics: check(&Lowered {
            view: View::Nginx(&nginx),
            deployment: &Deployment::default(),
            errors: &errors,
        }),
        ..Linted::default()
    };
    linted.facts.notes = nginx.notes.clone();
    linted.facts.proxies = proxies(&nginx);
    linted.facts.served = served(&nginx);
    linted
}

/// A rule pack's `match` on nginx: each directive named `key` (every directive without one) in
/// the linted file, its arguments as the text.
fn pack_find(
    lowered: &Lowered<'_>,
    source: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Nginx(nginx) = lowered.view else {
        return;
    };
    for e in 0..nginx.entries.len() {
        if !nginx.is_local(e) || !key.is_none_or(|k| k.eq_ignore_ascii_case(&nginx.entries[e].name))
        {
            continue;
        }
        let args = nginx.args(e);
        let (Some(first), Some(last)) = (args.first(), args.last()) else {
            continue;
        };
        found(&MappedText::from_span(
            source.text(),
            first.span.cover(last.span),
        ));
    }
}

/// The directories the configuration serves as files, for the graph.
fn served(nginx: &Nginx) -> Vec<ServedFact> {
    nginx
        .served
        .iter()
        .map(|s| ServedFact {
            path: nginx.path(s.by).to_path_buf(),
            span: nginx.node(s.by).span,
            line: nginx.line(s.by),
            uri: s.uri.clone(),
            dir: s.dir.clone(),
            holds_app: s.app.as_ref().map(|app| match app {
                AppEvidence::Found { files, .. } => format!("holds {}", files.join(", ")),
                AppEvidence::Guess { reason, .. } => reason.clone(),
            }),
        })
        .collect()
}

/// The backends the configuration proxies to, for the graph to join to the launchers that
/// listen there.
fn proxies(nginx: &Nginx) -> Vec<ProxyFact> {
    nginx
        .backends()
        .into_iter()
        .filter_map(|backend| {
            let address = nginx.args(backend.at).first()?;
            let written = |e: usize| {
                format!(
                    "{} {}",
                    nginx.entries[e].name,
                    nginx.arg(e, 0).unwrap_or_default()
                )
            };
            let upstream = (backend.at != backend.pass)
                .then(|| nginx.entries[backend.at].parent)
                .flatten()
                .and_then(|u| nginx.arg(u, 0))
                .map(str::to_string);
            Some(ProxyFact {
                path: nginx.path(backend.at).to_path_buf(),
                span: address.span,
                line: nginx.line(backend.at),
                directive: written(backend.at),
                upstream,
                server: "nginx",
                endpoint: backend.endpoint,
                pass_path: nginx.path(backend.pass).to_path_buf(),
                pass_span: {
                    let pass = nginx.node(backend.pass);
                    pass.args
                        .last()
                        .map_or(pass.name.span, |a| pass.name.span.cover(a.span))
                },
                pass_line: nginx.line(backend.pass),
                passes_client_forwarded_for: nginx.entries[backend.pass].name == "proxy_pass"
                    && nginx.forwarded_for(backend.pass) == ForwardedFor::Client,
            })
        })
        .collect()
}

/// Files in nginx's layouts, `nginx.conf` and `*.conf`/`*.nginx`/`*.vhost` files, by
/// content: a supervisord program for nginx is often named `nginx.conf` too.
fn nginx_name(path: &Path) -> NameMatch {
    let name = file_name(path);
    if name == "nginx.conf" || name == "nginx" {
        return NameMatch::Maybe;
    }
    let in_dir = |dirs: &[&str]| {
        path.ancestors()
            .skip(1)
            .filter_map(|d| d.file_name().and_then(|n| n.to_str()))
            .any(|d| dirs.contains(&d))
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if matches!(ext, "conf" | "nginx" | "vhost")
        || in_dir(&["sites-available", "sites-enabled", "nginx"])
    {
        NameMatch::Maybe
    } else {
        NameMatch::No
    }
}

/// Directives only nginx writes this way: a line starting with one of them and ending in
/// `;` or opening a block reads as nginx. (`if` and `return` are left out, and `set` counts
/// only before a `$variable`: shell and other languages start lines with them too.)
const NGINX_DIRECTIVES: &[&str] = &[
    "server",
    "location",
    "http",
    "events",
    "upstream",
    "stream",
    "map",
    "geo",
    "types",
    "listen",
    "server_name",
    "root",
    "alias",
    "index",
    "try_files",
    "proxy_pass",
    "proxy_set_header",
    "proxy_redirect",
    "proxy_buffering",
    "proxy_read_timeout",
    "proxy_http_version",
    "proxy_cache_path",
    "uwsgi_pass",
    "uwsgi_param",
    "uwsgi_read_timeout",
    "fastcgi_pass",
    "fastcgi_param",
    "fastcgi_index",
    "add_header",
    "error_page",
    "access_log",
    "error_log",
    "worker_processes",
    "worker_connections",
    "worker_rlimit_nofile",
    "pid",
    "sendfile",
    "tcp_nopush",
    "tcp_nodelay",
    "keepalive_timeout",
    "client_max_body_size",
    "client_body_buffer_size",
    "gzip",
    "gzip_types",
    "gzip_vary",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_protocols",
    "ssl_ciphers",
    "ssl_session_cache",
    "expires",
    "autoindex",
    "rewrite",
    "server_tokens",
    "default_type",
    "log_format",
    "limit_req_zone",
    "limit_req",
    "resolver",
    "real_ip_header",
    "set_real_ip_from",
    "charset",
    "deny",
    "allow",
    "auth_basic",
    "internal",
    "load_module",
    "more_set_headers",
    "ssl_stapling",
    "large_client_header_buffers",
    "open_file_cache",
    "include",
];

/// Prefixes of the directive families of nginx's modules (`brotli_static`, `gzip_proxied`).
const NGINX_PREFIXES: &[&str] = &[
    "proxy_",
    "uwsgi_",
    "fastcgi_",
    "scgi_",
    "grpc_",
    "ssl_",
    "gzip_",
    "brotli_",
    "client_",
    "limit_",
    "http2_",
    "keepalive_",
    "lua_",
    "open_file_",
    "real_ip_",
    "add_",
    "more_",
];

fn nginx_content(head: &str) -> bool {
    let mut seen = 0;
    for line in head.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        seen += 1;
        // An ini section or an Apache container is not nginx.
        if seen > 60 || line.starts_with('[') || line.starts_with('<') {
            return false;
        }
        let word = line
            .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let ends = line.ends_with(';') || line.contains('{');
        let known = NGINX_DIRECTIVES.contains(&word.as_str())
            || NGINX_PREFIXES.iter().any(|p| word.starts_with(p))
            || (word == "set" && line[3..].trim_start().starts_with('$'));
        if ends && known {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content() {
        assert!(nginx_content("server {\n  listen 80;\n}\n"));
        assert!(nginx_content(
            "# x\nupstream app { server 127.0.0.1:8000; }\n"
        ));
        assert!(nginx_content(
            "location /static/ {\n alias /srv/static/;\n}\n"
        ));
        assert!(nginx_content("proxy_set_header Host $host;\n"));
        assert!(nginx_content("brotli_static on;\n"));
        assert!(nginx_content("user;\nevents {}\n"));
        assert!(nginx_content("set $csp \"default-src 'self'\";\n"));
        assert!(nginx_content("include h5bp/basic.conf;\n"));
        // Apache, supervisord, uWSGI, systemd and shell look-alikes.
        assert!(!nginx_content(
            "<VirtualHost *:80>\nServerName x\n</VirtualHost>\n"
        ));
        assert!(!nginx_content("[program:web]\ncommand=gunicorn app:app\n"));
        assert!(!nginx_content("[uwsgi]\nhttp = :8000\n"));
        assert!(!nginx_content("Listen 80\nServerRoot /etc/httpd\n"));
        assert!(!nginx_content("set -e;\nif true; then echo; fi\n"));
        assert!(!nginx_content("root = /srv\n"));
    }

    #[test]
    fn names() {
        assert_eq!(nginx_name(Path::new("nginx.conf")), NameMatch::Maybe);
        assert_eq!(
            nginx_name(Path::new("etc/nginx/sites-available/default")),
            NameMatch::Maybe
        );
        assert_eq!(nginx_name(Path::new("conf.d/app.conf")), NameMatch::Maybe);
        assert_eq!(nginx_name(Path::new("site.nginx")), NameMatch::Maybe);
        assert_eq!(nginx_name(Path::new("app.ini")), NameMatch::No);
        assert_eq!(nginx_name(Path::new("README.md")), NameMatch::No);
    }
}
