//! WSG006: several daemon process groups that share one `python-home=` virtual environment,
//! or set none (and so share the system Python): upgrading a package for one component
//! changes it for all of them.

use super::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG006",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    let daemons = apache.daemons();
    if daemons.len() < 2 {
        return;
    }
    for (i, daemon) in daemons.iter().enumerate() {
        if !apache.is_local(daemon.entry) {
            continue;
        }
        match daemon.opt("python-home") {
            None => {
                sink.report(
                    daemon.name_span,
                    format!(
                        "daemon process group {} has no python-home=: it shares the server's Python environment with the other {} groups",
                        daemon.name,
                        daemons.len() - 1
                    ),
                );
            }
            Some(home) => {
                let earlier = daemons[..i].iter().find_map(|d| {
                    d.opt("python-home")
                        .filter(|h| {
                            h.value.trim_end_matches('/') == home.value.trim_end_matches('/')
                        })
                        .map(|h| (d, h))
                });
                if let Some((first, first_home)) = earlier {
                    let d = sink.report(
                        home.value_span,
                        format!(
                            "daemon process groups {} and {} share the virtual environment {}",
                            first.name, daemon.name, home.value
                        ),
                    );
                    apache.label(
                        d,
                        first.entry,
                        first_home.value_span,
                        "the same python-home here",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG006",
            SITE,
            &[
                (
                    "WSGIDaemonProcess a python-home=/v/a\nWSGIDaemonProcess b\n",
                    "b",
                ),
                (
                    "WSGIDaemonProcess a python-home=/v/a\nWSGIDaemonProcess b python-home=/v/a/\n",
                    "/v/a/",
                ),
            ],
        );
        quiet(
            "WSG006",
            SITE,
            &[
                "WSGIDaemonProcess a\n",
                "WSGIDaemonProcess a python-home=/v/a\nWSGIDaemonProcess b python-home=/v/b\n",
            ],
        );
    }
}
