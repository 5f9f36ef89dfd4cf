//! mod_wsgi: daemon mode, isolation between daemon process groups, and how requests reach
//! them. Also the helpers the Apache rule families share.

pub mod daemon_without_working_directory;
pub mod embedded_mode;
pub mod no_display_name;
pub mod no_global_application_group;

pub mod embedded_not_restricted;
pub mod shared_daemon_user;
pub mod shared_python_home;
pub mod unrestricted_process_group;
pub mod untrusted_proxy_headers;

use crate::catalog::Format;
use crate::model::apache::{Apache, Daemon};
use crate::rules::{FileContext, Sink, View, contains_ignore_case};

/// The Apache configuration a rule sees, if the file is one.
pub fn apache_of<'a>(ctx: &FileContext<'a>) -> Option<&'a Apache> {
    match ctx.view {
        View::Apache(apache) => Some(apache),
        _ => None,
    }
}

/// Prefilter: an Apache file that mentions `needle` (lower case) in any case.
pub fn mentions(format: Format, text: &str, needle: &str) -> bool {
    format == Format::Apache && contains_ignore_case(text, needle)
}

/// Whether the server refuses embedded mode (`WSGIRestrictEmbedded On`).
pub fn embedded_restricted(apache: &Apache) -> bool {
    apache.last_at(0, "wsgirestrictembedded").is_some_and(|e| {
        apache.entries[e]
            .args
            .first()
            .is_some_and(|v| v.eq_ignore_ascii_case("on"))
    })
}

/// Reports each daemon group of the linted file that lacks option `key`.
pub fn report_missing_option(
    ctx: &FileContext<'_>,
    sink: &mut Sink<'_>,
    key: &str,
    message: impl Fn(&Daemon) -> String,
) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if apache.is_local(daemon.entry) && daemon.opt(key).is_none() {
            sink.report(daemon.name_span, message(&daemon));
        }
    }
}

/// File name the inline vectors are linted as.
#[cfg(test)]
pub const SITE: &str = "apache2/site.conf";
