//! WSG011: a `WSGIDaemonProcess` that leaves out the options the mod_wsgi hardening guide
//! recommends for every daemon group — `request-timeout=`, `maximum-requests=`,
//! `graceful-timeout=`, `display-name=` — reported once per group, listing what is missing.
//! These were three rules giving up to three findings on one line, so `LIM003`, `LIM004` and
//! `WSG007` (and their names) are aliases of this one.

use super::{apache_of, mentions};
use crate::edit::Edit;
use crate::model::apache::Daemon;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG011",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

/// Each recommended option, and what its absence costs, in the order the message lists them.
const RECOMMENDED: &[(&str, &str)] = &[
    ("request-timeout", "a hung request holds its thread forever"),
    (
        "maximum-requests",
        "a memory leak grows until the daemon is restarted by hand",
    ),
    ("graceful-timeout", "a restart drops the requests in flight"),
    (
        "display-name",
        "its processes look like Apache's own in ps and top",
    ),
];

/// The value the fix writes for option `key`: the guide's examples for the limits, and
/// `%{GROUP}`, which names the processes after their group (`(wsgi:app)`).
fn starting_value(key: &str) -> &'static str {
    match key {
        "request-timeout" => "60",
        "maximum-requests" => "1000",
        "graceful-timeout" => "15",
        _ => "%{GROUP}",
    }
}

/// The recommended options `daemon` does not set, with their consequences.
fn missing(daemon: &Daemon) -> Vec<(&'static str, &'static str)> {
    RECOMMENDED
        .iter()
        .copied()
        .filter(|(key, _)| daemon.opt(key).is_none())
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if !apache.is_local(daemon.entry) {
            continue;
        }
        let missing = missing(&daemon);
        if missing.is_empty() {
            continue;
        }
        let options: Vec<String> = missing.iter().map(|(key, _)| format!("{key}=")).collect();
        let costs: Vec<String> = missing.iter().map(|(_, cost)| cost.to_string()).collect();
        // The fix adds what is missing with the guide's starting values. It is unsafe: a
        // request timeout cuts a slow endpoint, and the numbers are the app's to tune.
        let added: String = missing
            .iter()
            .map(|(key, _)| format!(" {key}={}", starting_value(key)))
            .collect();
        let after = apache.node(daemon.entry).args.last().map(|a| a.span().end);
        let fix = sink.fix(
            after
                .map(|at| Edit::insert(at, added))
                .into_iter()
                .collect(),
        );
        sink.report(
            daemon.name_span,
            format!(
                "daemon process group {} has no {}: {}",
                daemon.name,
                listed(&options),
                listed(&costs)
            ),
        )
        .set_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{diagnostics, fires_once, fixed, quiet};

    const HARDENED: &str = "WSGIDaemonProcess app request-timeout=60 maximum-requests=1000 graceful-timeout=15 display-name=%{GROUP}\n";

    #[test]
    fn vectors() {
        fires_once(
            "WSG011",
            SITE,
            &[
                ("WSGIDaemonProcess app\n", "app"),
                ("WSGIDaemonProcess app request-timeout=60\n", "app"),
                (
                    "WSGIDaemonProcess app request-timeout=60 maximum-requests=1000 graceful-timeout=15\n",
                    "app",
                ),
                (
                    "WSGIDaemonProcess app display-name=%{GROUP} request-timeout=60 maximum-requests=1000\n",
                    "app",
                ),
                // Continuation lines are one directive: still one finding.
                (
                    "WSGIDaemonProcess app \\\n    user=app \\\n    threads=5\n",
                    "app",
                ),
            ],
        );
        quiet(
            "WSG011",
            SITE,
            &[
                HARDENED,
                // Option names are not case-sensitive.
                "WSGIDaemonProcess app Request-Timeout=60 MAXIMUM-REQUESTS=1000 graceful-timeout=15 Display-Name=app-wsgi\n",
                "# WSGIDaemonProcess app\n",
            ],
        );
    }

    #[test]
    fn one_finding_per_group_however_much_is_missing() {
        let two = "WSGIDaemonProcess a\nWSGIDaemonProcess b threads=5\n";
        assert_eq!(diagnostics("WSG011", SITE, two).len(), 2);
    }

    #[test]
    fn message_lists_only_what_is_missing() {
        let message = |conf: &str| {
            diagnostics("WSG011", SITE, conf)
                .pop()
                .map(|d| d.message)
                .unwrap_or_default()
        };
        assert_eq!(
            message("WSGIDaemonProcess app\n"),
            "daemon process group app has no request-timeout=, maximum-requests=, graceful-timeout= and display-name=: a hung request holds its thread forever, a memory leak grows until the daemon is restarted by hand, a restart drops the requests in flight and its processes look like Apache's own in ps and top"
        );
        assert_eq!(
            message(
                "WSGIDaemonProcess app request-timeout=60 graceful-timeout=15 display-name=x\n"
            ),
            "daemon process group app has no maximum-requests=: a memory leak grows until the daemon is restarted by hand"
        );
        assert_eq!(
            message("WSGIDaemonProcess app maximum-requests=5 display-name=x\n"),
            "daemon process group app has no request-timeout= and graceful-timeout=: a hung request holds its thread forever and a restart drops the requests in flight"
        );
    }

    #[test]
    fn fix_adds_what_is_missing_at_the_end_of_the_directive() {
        let fix = |src: &str| fixed("WSG011", SITE, src);
        assert_eq!(
            fix(
                "WSGIDaemonProcess app request-timeout=30 maximum-requests=500 graceful-timeout=5\n"
            ),
            "WSGIDaemonProcess app request-timeout=30 maximum-requests=500 graceful-timeout=5 display-name=%{GROUP}\n"
        );
        assert_eq!(
            fix(
                "WSGIDaemonProcess app \\\n    user=app \\\n    threads=5\nWSGIDaemonProcess b display-name=b maximum-requests=9\n"
            ),
            "WSGIDaemonProcess app \\\n    user=app \\\n    threads=5 request-timeout=60 maximum-requests=1000 graceful-timeout=15 display-name=%{GROUP}\nWSGIDaemonProcess b display-name=b maximum-requests=9 request-timeout=60 graceful-timeout=15\n"
        );
        // What the group sets, in any case, is kept and not added twice.
        assert_eq!(
            fix("WSGIDaemonProcess app Display-Name=x REQUEST-TIMEOUT=5\n"),
            "WSGIDaemonProcess app Display-Name=x REQUEST-TIMEOUT=5 maximum-requests=1000 graceful-timeout=15\n"
        );
    }
}
