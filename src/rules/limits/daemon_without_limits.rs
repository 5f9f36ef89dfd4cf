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
        let missing: Vec<&str> = ["request-timeout", "maximum-requests"]
            .into_iter()
            .filter(|k| daemon.opt(k).is_none())
            .collect();
        if !missing.is_empty() {
            sink.report(
                daemon.name_span,
                format!(
                    "daemon process group {} has no {}: hung requests or leaks are never bounded",
                    daemon.name,
                    missing
                        .iter()
                        .map(|k| format!("{k}="))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            );
        }
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
}
