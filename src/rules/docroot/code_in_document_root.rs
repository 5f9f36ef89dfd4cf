//! DOC002: a daemon's project code (`python-path=`, `home=`, or `WSGIPythonPath`) lies under a
//! `DocumentRoot`, so Apache can serve the source and any secrets in it as static files.

use super::{access_denied, document_roots, root_holding};
use crate::model::apache::Apache;
use crate::rules::wsgi::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};
use crate::source::Span;

pub const RULE: Rule = Rule {
    code: "DOC002",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgi") && mentions(f, t, "documentroot")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
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

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

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
