//! USR002 for Apache: a `WSGIDaemonProcess` without `user=` (it runs as Apache's own account),
//! or with `user=`/`group=` naming a shared account.

use super::is_shared_account;
use crate::model::apache::Apache;
use crate::rules::{FileContext, Sink};

pub fn check(ctx: &FileContext<'_>, apache: &Apache, sink: &mut Sink<'_>) {
    let apache_user = apache.effective(0, "user");
    for daemon in apache.daemons() {
        if !apache.is_local(daemon.entry) {
            continue;
        }
        match daemon.opt("user") {
            None => {
                let who = apache_user
                    .and_then(|e| apache.entries[e].args.first())
                    .filter(|u| !u.contains("${"))
                    .map_or("Apache's account".to_string(), |u| {
                        format!("Apache's account ({u})")
                    });
                let d = sink.report(
                    daemon.name_span,
                    format!(
                        "daemon process group {} has no user=: it runs as {who}, shared with everything else Apache serves",
                        daemon.name
                    ),
                );
                if let Some(e) = apache_user {
                    apache.label(d, e, apache.arg_span(e, 0), "Apache's account");
                }
            }
            Some(user) if is_shared_account(&user.value, &ctx.options.shared_accounts) => {
                sink.report(
                    user.value_span,
                    format!(
                        "daemon process group {} runs as {}, an account shared with Apache and other services",
                        daemon.name, user.value
                    ),
                );
            }
            Some(_) => {
                if let Some(group) = daemon.opt("group")
                    && is_shared_account(&group.value, &ctx.options.shared_accounts)
                {
                    sink.report(
                        group.value_span,
                        format!(
                            "daemon process group {} runs with group {}, shared with Apache and other services",
                            daemon.name, group.value
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    const SITE: &str = "apache2/site.conf";

    #[test]
    fn vectors() {
        fires_once(
            "USR002",
            SITE,
            &[
                ("WSGIDaemonProcess app threads=5\n", "app"),
                (
                    "WSGIDaemonProcess app user=www-data group=www-data\n",
                    "www-data",
                ),
                ("WSGIDaemonProcess app user=app group=apache\n", "apache"),
                (
                    "User ${APACHE_RUN_USER}\n<VirtualHost *>\nWSGIDaemonProcess app\n</VirtualHost>\n",
                    "app",
                ),
            ],
        );
        quiet(
            "USR002",
            SITE,
            &[
                "WSGIDaemonProcess app user=app-svc group=app-svc\n",
                "WSGIDaemonProcess app user=app-svc\n",
                // root is USR001's.
                "WSGIDaemonProcess app user=root\n",
                "# WSGIDaemonProcess app\n",
            ],
        );
    }
}
