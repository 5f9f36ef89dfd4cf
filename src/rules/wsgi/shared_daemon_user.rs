//! WSG003: two daemon process groups run as the same `user=`, so a bug in one component can
//! read, signal or ptrace the other: no isolation between them.

use super::{apache_of, mentions};
use crate::model::deployment::is_root_user;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG003",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgidaemonprocess")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    let daemons = apache.daemons();
    for (i, daemon) in daemons.iter().enumerate() {
        let Some(user) = daemon.opt("user") else {
            continue;
        };
        // Root and the shared accounts have their own rules; unknown values are not compared.
        let shared = ctx
            .options
            .shared_accounts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&user.value));
        if !apache.is_local(daemon.entry)
            || shared
            || is_root_user(&user.value)
            || user.value.contains("${")
        {
            continue;
        }
        let Some((first, first_user)) = daemons[..i].iter().find_map(|d| {
            d.opt("user")
                .filter(|u| u.value == user.value && d.name != daemon.name)
                .map(|u| (d, u))
        }) else {
            continue;
        };
        let d = sink.report(
            user.value_span,
            format!(
                "daemon process groups {} and {} both run as {}: neither is isolated from the other",
                first.name, daemon.name, user.value
            ),
        );
        apache.label(d, first.entry, first_user.value_span, "the same user here");
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG003",
            SITE,
            &[
                (
                    "WSGIDaemonProcess a user=svc\nWSGIDaemonProcess b user=svc group=b\n",
                    "svc",
                ),
                (
                    "WSGIDaemonProcess a user=svc\n<VirtualHost *>\nWSGIDaemonProcess b user=x\nWSGIDaemonProcess c \\\n  user=svc\n</VirtualHost>\n",
                    "svc",
                ),
            ],
        );
        quiet(
            "WSG003",
            SITE,
            &[
                "WSGIDaemonProcess a user=a\nWSGIDaemonProcess b user=b\n",
                "WSGIDaemonProcess a\nWSGIDaemonProcess b\n",
                "WSGIDaemonProcess a user=www-data\nWSGIDaemonProcess b user=www-data\n",
                "WSGIDaemonProcess a user=root\nWSGIDaemonProcess b user=root\n",
                "WSGIDaemonProcess a user=${U}\nWSGIDaemonProcess b user=${U}\n",
                "WSGIDaemonProcess a user=svc group=x\nWSGIDaemonProcess b user=other group=x\n",
            ],
        );
    }
}
