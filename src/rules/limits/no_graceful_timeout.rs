//! LIM004: a `WSGIDaemonProcess` without `graceful-timeout=`: a graceful restart of the pool
//! (`SIGUSR1`, a touched script) drops the requests in flight instead of letting them finish.

use crate::rules::wsgi::{mentions, report_missing_option};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "LIM004",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    report_missing_option(ctx, sink, "graceful-timeout", |d| {
        format!(
            "daemon process group {} has no graceful-timeout=: a restart drops the requests in flight",
            d.name
        )
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn vectors() {
        fires_once("LIM004", SITE, &[("WSGIDaemonProcess app\n", "app")]);
        quiet(
            "LIM004",
            SITE,
            &["WSGIDaemonProcess app graceful-timeout=15\n"],
        );
    }
}
