//! LIM003: a `WSGIDaemonProcess` without `request-timeout=` (a hung request holds its thread
//! forever) or without `maximum-requests=` (a leak grows until the host runs out of memory).

use crate::rules::wsgi::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "LIM003",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if !apache.is_local(daemon.entry) {
            continue;
        }
        let consequence = match (
            daemon.opt("request-timeout").is_some(),
            daemon.opt("maximum-requests").is_some(),
        ) {
            (true, true) => continue,
            (false, false) => {
                "request-timeout= or maximum-requests=: hung requests and leaks are never bounded"
            }
            (false, true) => "request-timeout=: a hung request holds its thread forever",
            (true, false) => {
                "maximum-requests=: a memory leak grows until the daemon is restarted by hand"
            }
        };
        sink.report(
            daemon.name_span,
            format!("daemon process group {} has no {consequence}", daemon.name),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn vectors() {
        fires_once(
            "LIM003",
            SITE,
            &[
                ("WSGIDaemonProcess app\n", "app"),
                ("WSGIDaemonProcess app request-timeout=60\n", "app"),
                ("WSGIDaemonProcess app maximum-requests=1000\n", "app"),
            ],
        );
        quiet(
            "LIM003",
            SITE,
            &["WSGIDaemonProcess app request-timeout=60 maximum-requests=1000\n"],
        );
    }

    #[test]
    fn message_names_only_what_is_missing() {
        let message = |conf: &str| {
            crate::rules::testing::diagnostics("LIM003", SITE, conf)
                .pop()
                .map(|d| d.message)
                .unwrap_or_default()
        };
        assert!(
            message("WSGIDaemonProcess app request-timeout=60\n")
                .ends_with("has no maximum-requests=: a memory leak grows until the daemon is restarted by hand")
        );
        assert!(
            message("WSGIDaemonProcess app maximum-requests=500\n")
                .ends_with("has no request-timeout=: a hung request holds its thread forever")
        );
        assert!(
            message("WSGIDaemonProcess app\n").contains("request-timeout= or maximum-requests=")
        );
    }
}
