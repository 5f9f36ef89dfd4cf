//! WSG002: daemon mode is in use but `WSGIRestrictEmbedded On` is not set, so a missing or
//! mistyped `WSGIProcessGroup` silently runs an app embedded in Apache instead of failing.

use super::{apache_of, embedded_restricted, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG002",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    // A fragment read without its server's configuration, or with parts of it unread, may
    // have it set elsewhere.
    if !apache.server_view() || embedded_restricted(apache) {
        return;
    }
    // Once per configuration: at its first daemon group.
    if let Some(first) = apache.daemons().first()
        && apache.is_local(first.entry)
    {
        sink.report(
            apache.node(first.entry).name_span,
            "daemon mode is used but WSGIRestrictEmbedded On is not set: a missing WSGIProcessGroup would run an app embedded in Apache",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG002",
            "httpd.conf",
            &[
                (
                    "WSGIDaemonProcess a\nWSGIDaemonProcess b\n",
                    "WSGIDaemonProcess",
                ),
                (
                    "WSGIRestrictEmbedded Off\n<VirtualHost *>\nWSGIDaemonProcess a\n</VirtualHost>\n",
                    "WSGIDaemonProcess",
                ),
            ],
        );
        quiet(
            "WSG002",
            "httpd.conf",
            &[
                "WSGIRestrictEmbedded On\nWSGIDaemonProcess a\n",
                "WSGIDaemonProcess a\nwsgirestrictembedded on\n",
                "WSGIScriptAlias / /srv/app/wsgi.py\n",
            ],
        );
    }
}
