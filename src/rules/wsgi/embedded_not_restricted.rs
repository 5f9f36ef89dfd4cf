//! WSG002: daemon mode is in use but `WSGIRestrictEmbedded On` is not set, so a missing or
//! mistyped `WSGIProcessGroup` silently runs an app embedded in Apache instead of failing.

use super::{apache_of, directive_case, embedded_restricted, mentions, replace_arg};
use crate::edit::{Edit, indentation_at, line_ending};
use crate::model::apache::Apache;
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
        let fix = sink.fix(restrict(ctx, apache, first.entry).into_iter().collect());
        sink.report(
            apache.node(first.entry).name_span,
            "daemon mode is used but WSGIRestrictEmbedded On is not set: a missing WSGIProcessGroup would run an app embedded in Apache",
        )
        .set_fix(fix);
    }
}

/// Switches a server-level `WSGIRestrictEmbedded Off` of this file on, or adds the directive
/// on its own line before the daemon group (before its `<VirtualHost>`, as the directive is
/// only valid at server level). None when another file sets it: the order files are read in
/// decides which wins.
fn restrict(ctx: &FileContext<'_>, apache: &Apache, daemon: usize) -> Option<Edit> {
    if let Some(set) = apache.last_at(0, "wsgirestrictembedded") {
        return replace_arg(ctx, apache, set, 0, "On", &["Off"]);
    }
    let conf = &apache.units[0].conf;
    let mut node = apache.entries[daemon].node;
    let mut at = node;
    while let Some(parent) = conf.nodes[node].parent {
        if conf.nodes[parent].is("VirtualHost") {
            at = parent;
        }
        node = parent;
    }
    let text = ctx.source.text();
    let start = conf.nodes[at].span.start;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // The daemon's line must start with the directive (not follow a continuation).
    if !text[line_start..start].trim().is_empty() {
        return None;
    }
    let written = &conf.nodes[apache.entries[daemon].node].name;
    Some(Edit::insert(
        line_start,
        format!(
            "{}{} {}{}",
            indentation_at(text, line_start),
            directive_case(written, "WSGIRestrictEmbedded"),
            directive_case(written, "On"),
            line_ending(text)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fix_restricts_embedded_mode_at_server_level() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("WSG002", "httpd.conf", src);
        assert_eq!(
            fix("WSGIDaemonProcess a\nWSGIDaemonProcess b\n"),
            "WSGIRestrictEmbedded On\nWSGIDaemonProcess a\nWSGIDaemonProcess b\n"
        );
        // Never inside a virtual host, where the directive is not allowed.
        assert_eq!(
            fix(
                "<IfModule mod_wsgi.c>\r\n  <VirtualHost *:80>\r\n    WSGIDaemonProcess a \\\r\n      threads=5\r\n  </VirtualHost>\r\n</IfModule>\r\n"
            ),
            "<IfModule mod_wsgi.c>\r\n  WSGIRestrictEmbedded On\r\n  <VirtualHost *:80>\r\n    WSGIDaemonProcess a \\\r\n      threads=5\r\n  </VirtualHost>\r\n</IfModule>\r\n"
        );
        // An `Off` is switched on where it is; the file's lower case is kept.
        assert_eq!(
            fix("wsgirestrictembedded off\nwsgidaemonprocess a\n"),
            "wsgirestrictembedded on\nwsgidaemonprocess a\n"
        );
        assert_eq!(
            fix("wsgidaemonprocess a\n"),
            "wsgirestrictembedded on\nwsgidaemonprocess a\n"
        );
    }

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
