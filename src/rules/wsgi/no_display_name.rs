//! WSG007: a daemon process group without `display-name=` shows in `ps` as `apache2`/`httpd`,
//! indistinguishable from Apache's workers, which slows down operations and incident response.

use super::{mentions, report_missing_option};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG007",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    report_missing_option(ctx, sink, "display-name", |d| {
        format!(
            "daemon process group {} has no display-name=: its processes look like Apache's own in ps and top",
            d.name
        )
    });
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG007",
            SITE,
            &[("WSGIDaemonProcess app threads=5\n", "app")],
        );
        quiet(
            "WSG007",
            SITE,
            &[
                "WSGIDaemonProcess app display-name=%{GROUP}\n",
                "WSGIDaemonProcess app Display-Name=app-wsgi\n",
                "# WSGIDaemonProcess app\n",
            ],
        );
    }
}
