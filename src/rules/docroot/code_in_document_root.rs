//! DOC002: a daemon's project code (`python-path=`, `home=`, or `WSGIPythonPath`) lies under a
//! `DocumentRoot`, so Apache can serve the source and any secrets in it as static files. In
//! nginx, a `root` or `alias` that serves a directory holding the app (`manage.py`,
//! `settings.py`, `.env`, `.git`, Python code).

use super::{access_denied, document_roots, root_holding};
use crate::catalog::Format;
use crate::model::apache::Apache;
use crate::model::nginx::{AppEvidence, Nginx};
use crate::rules::wsgi::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink, View};
use crate::source::Span;

pub const RULE: Rule = Rule {
    code: "DOC002",
    check,
    prefilter: Some(|f, t| {
        (mentions(f, t, "wsgi") && mentions(f, t, "documentroot"))
            || (f == Format::Nginx && (t.contains("root") || t.contains("alias")))
    }),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let View::Nginx(nginx) = ctx.view {
        check_nginx(nginx, sink);
        return;
    }
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if !apache.is_local(daemon.entry) {
            continue;
        }
        let roots = document_roots(apache, apache.entries[daemon.entry].scope);
        for opt in &daemon.opts {
            if opt.key == "python-path" || opt.key == "home" {
                for path in opt.value.split(':') {
                    report(apache, sink, &roots, &opt.key, path, opt.value_span);
                }
            }
        }
    }
    for e in apache.named("wsgipythonpath") {
        if apache.is_local(e) {
            let roots = document_roots(apache, 0);
            for (i, value) in apache.entries[e].args.iter().enumerate() {
                for path in value.split(':') {
                    report(
                        apache,
                        sink,
                        &roots,
                        "WSGIPythonPath",
                        path,
                        apache.arg_span(e, i),
                    );
                }
            }
        }
    }
}

fn report(
    apache: &Apache,
    sink: &mut Sink<'_>,
    roots: &[(usize, String)],
    what: &str,
    path: &str,
    span: Span,
) {
    let Some((root, root_path)) = root_holding(roots, path) else {
        return;
    };
    if access_denied(apache, path) {
        return;
    }
    let d = sink.report(
        span,
        format!("{what} {path} puts the project's code under the DocumentRoot {root_path}, where Apache can serve it as plain text"),
    );
    apache.label(d, root, apache.arg_span(root, 0), "the DocumentRoot");
}

/// Each `root`/`alias` of the linted file that serves a directory holding the app, once per
/// directory it serves.
fn check_nginx(nginx: &Nginx, sink: &mut Sink<'_>) {
    let mut seen: Vec<(usize, &str)> = Vec::new();
    for served in &nginx.served {
        let Some(app) = &served.app else {
            continue;
        };
        if !nginx.is_local(served.by) || seen.contains(&(served.by, served.dir.as_str())) {
            continue;
        }
        seen.push((served.by, &served.dir));
        let Some(path) = nginx.args(served.by).first() else {
            continue;
        };
        let directive = if served.alias { "alias" } else { "root" };
        let holds = match app {
            AppEvidence::Found { at, files } => format!(
                "it holds the app ({} in {})",
                files.join(", "),
                at.display()
            ),
            AppEvidence::Guess { reason, .. } => format!(
                "it probably holds the app (a guess: {} is not in the linted tree, but {reason})",
                served.dir
            ),
        };
        let listed = if served.autoindex.is_some() {
            ", listed by autoindex,"
        } else {
            ""
        };
        let d = sink.report(
            path.span,
            format!(
                "{directive} {} serves {} at {}: {holds}, so its source code and secrets can be downloaded{listed} as plain files",
                path.value, served.dir, served.uri
            ),
        );
        let mut label = |e: usize, span: Span, message: &str| {
            if nginx.is_local(e) {
                d.label(span, message);
            } else {
                d.label_in(nginx.path(e).to_path_buf(), span, message);
            }
        };
        if nginx.entries[served.by].parent != Some(served.block)
            && nginx.entries[served.block].name == "location"
        {
            label(
                served.block,
                nginx.node(served.block).name.span,
                "this location serves files from it",
            );
        }
        if let Some(a) = served.autoindex {
            label(a, nginx.node(a).span, "autoindex lists every file there");
        }
        if let AppEvidence::Guess { because, .. } = app {
            label(
                *because,
                nginx.node(*because).span,
                "what suggests it is the project's directory",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    /// Without a linted tree only the configuration's own evidence counts (a guess).
    #[test]
    fn nginx_guesses() {
        use crate::rules::testing::{fires_once_in, quiet_in};
        const SITE: &str = "sites-available/shop";
        fires_once_in(
            "DOC002",
            &[
                (
                    SITE,
                    "server {\n root /srv/shop;\n location /static/ { alias /srv/shop/static/; }\n location / { try_files $uri @app; }\n location @app { proxy_pass http://127.0.0.1:8000; }\n}\n",
                    "/srv/shop",
                ),
                // No `location /`: URIs no location takes are served from the server's root.
                (
                    SITE,
                    "server {\n root /srv/shop/;\n location /static/ { alias /srv/shop/static_root/; }\n location /api/ { proxy_pass http://127.0.0.1:8000; }\n}\n",
                    "/srv/shop/",
                ),
                (
                    SITE,
                    "upstream app { server unix:/home/shop/app/run/gunicorn.sock; }\nserver {\n location / { alias /home/shop/app/; try_files $uri @app; }\n location @app { proxy_pass http://app; }\n}\n",
                    "/home/shop/app/",
                ),
            ],
        );
        quiet_in(
            "DOC002",
            &[
                // The project is the root, but every URI is proxied or static.
                (
                    SITE,
                    "server {\n root /srv/shop;\n location /static/ { }\n location / { proxy_pass http://127.0.0.1:8000; }\n}\n",
                ),
                // Nothing says /srv/www is the project's.
                (
                    SITE,
                    "server {\n root /srv/www;\n location / { try_files $uri =404; }\n}\n",
                ),
                // Regex and exact locations are not judged; a denied one serves nothing.
                (
                    SITE,
                    "server {\n location ~ ^/x { root /srv/shop; }\n location = /robots.txt { root /srv/shop; }\n location /p/ { root /srv/shop; deny all; }\n location /static/ { alias /srv/shop/static/; }\n}\n",
                ),
                // Variables, relative paths and the file system root.
                (
                    SITE,
                    "server {\n root $site_root;\n location /static/ { alias /srv/shop/static/; }\n}\n",
                ),
                (SITE, "server {\n root html;\n}\n"),
            ],
        );
    }

    #[test]
    fn vectors() {
        fires_once(
            "DOC002",
            SITE,
            &[
                (
                    "<VirtualHost *>\nDocumentRoot /var/www\nWSGIDaemonProcess a python-path=/var/www/app\n</VirtualHost>\n",
                    "/var/www/app",
                ),
                (
                    "WSGIDaemonProcess a home=/srv/www/app\n<VirtualHost *>\nDocumentRoot /srv/www\n</VirtualHost>\n",
                    "/srv/www/app",
                ),
                (
                    "DocumentRoot /var/www\nWSGIPythonPath /opt/lib:/var/www/app\n",
                    "/opt/lib:/var/www/app",
                ),
            ],
        );
        quiet(
            "DOC002",
            SITE,
            &[
                "DocumentRoot /var/www/html\nWSGIDaemonProcess a python-path=/var/lib/app home=/var/lib/app\n",
                "DocumentRoot /var/www\n<Directory /var/www/app>\nRequire all denied\n</Directory>\nWSGIDaemonProcess a home=/var/www/app\n",
                "<VirtualHost *>\nDocumentRoot /var/www\n</VirtualHost>\n<VirtualHost *>\nWSGIDaemonProcess a home=/var/www/app\nDocumentRoot /srv/b\n</VirtualHost>\n",
            ],
        );
    }
}
