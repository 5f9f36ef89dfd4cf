//! LIM001: a virtual host serves a WSGI app with no `RequestReadTimeout` in the configuration
//! read, so slow clients (slowloris) can hold Apache's workers unless mod_reqtimeout's
//! built-in defaults are loaded elsewhere.

use super::report_per_serving_scope;
use crate::rules::wsgi::{apache_of, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "LIM001",
    check,
    prefilter: Some(mentions_mount),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    report_per_serving_scope(
        apache,
        sink,
        |scope| {
            !apache
                .applicable(scope, "requestreadtimeout", None, None)
                .is_empty()
        },
        |m| {
            format!(
                "{} is served with no RequestReadTimeout in the configuration read",
                m.served(apache)
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "LIM001",
            "httpd.conf",
            &[
                ("WSGIScriptAlias / /srv/a/wsgi.py\n", "WSGIScriptAlias"),
                (
                    "<VirtualHost *>\nRequestReadTimeout header=15\n</VirtualHost>\n<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n</VirtualHost>\n",
                    "WSGIScriptAlias",
                ),
            ],
        );
        quiet(
            "LIM001",
            "httpd.conf",
            &[
                "RequestReadTimeout header=15-30,MinRate=500 body=15,MinRate=500\n<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n</VirtualHost>\n",
                "<IfModule reqtimeout_module>\nRequestReadTimeout header=15\n</IfModule>\nWSGIScriptAlias / /a/wsgi.py\n",
                "WSGIDaemonProcess a\n",
                // An include left unread may set it.
                "Include /etc/other/*.conf\nWSGIScriptAlias / /a/wsgi.py\n",
            ],
        );
    }
}
