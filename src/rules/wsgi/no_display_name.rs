//! WSG007: a daemon process group without `display-name=` shows in `ps` as `apache2`/`httpd`,
//! indistinguishable from Apache's workers, which slows down operations and incident response.

use super::{apache_of, mentions};
use crate::edit::Edit;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG007",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if !apache.is_local(daemon.entry) || daemon.opt("display-name").is_some() {
            continue;
        }
        // `%{GROUP}` names the processes after the group: `(wsgi:app)`.
        let after = apache.node(daemon.entry).args.last().map(|a| a.span().end);
        let fix = sink.fix(
            after
                .map(|at| Edit::insert(at, " display-name=%{GROUP}"))
                .into_iter()
                .collect(),
        );
        sink.report(
            daemon.name_span,
            format!(
                "daemon process group {} has no display-name=: its processes look like Apache's own in ps and top",
                daemon.name
            ),
        )
        .set_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fix_names_the_processes_after_their_group() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("WSG007", SITE, src);
        assert_eq!(
            fix("WSGIDaemonProcess app threads=5\n"),
            "WSGIDaemonProcess app threads=5 display-name=%{GROUP}\n"
        );
        assert_eq!(
            fix(
                "WSGIDaemonProcess app \\\n    user=app \\\n    threads=5\nWSGIDaemonProcess b display-name=b\n"
            ),
            "WSGIDaemonProcess app \\\n    user=app \\\n    threads=5 display-name=%{GROUP}\nWSGIDaemonProcess b display-name=b\n"
        );
    }

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
