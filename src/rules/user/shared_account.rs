//! USR002: the app's process runs as an account shared with other services (the Apache
//! account, `nobody`, `daemon`; see `RuleOptions::shared_accounts`), so a bug in it reaches
//! whatever those services can. One rule over the deployment model: a service's user (named,
//! or inherited from the server it runs in), its group where set apart, and a server's own
//! `--user`. A systemd `Group=www-data` alone is not lowered as a group apart: it is the
//! usual way to let a reverse proxy reach the app's socket.

use crate::model::deployment::{AccountKind, is_shared_account};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "USR002",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let shared = |name: &str| is_shared_account(name, &ctx.options.shared_accounts);
    // `nobody`, `daemon` or `nogroup` are shared by many services, but they are not the web
    // server's own account: only name the server for the accounts web servers run as.
    let others = |host: Option<&str>, name: &str| match host {
        Some(host) if is_web_server_account(name) => {
            format!("an account shared with {host} and other services")
        }
        _ => "an account other services share".to_string(),
    };
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        let Some(user) = &service.user else {
            continue;
        };
        match &user.kind {
            // Running inside a server as its account shares it with all the server runs.
            AccountKind::Inherited(name) => {
                let host = service.host.unwrap_or("the server");
                let who = match name {
                    Some(name) => format!("{host}'s account ({name})"),
                    None => format!("{host}'s account"),
                };
                let d = sink.report(
                    user.at,
                    format!(
                        "{} {}: it runs as {who}, shared with everything else {host} serves",
                        service.subject, user.how
                    ),
                );
                d.labels.extend(user.label.clone());
            }
            AccountKind::Named(Some(name)) if shared(name) => {
                sink.report(
                    user.at,
                    format!(
                        "{} runs as {name}, {}",
                        service.subject,
                        others(service.host, name)
                    ),
                );
            }
            AccountKind::Named(_) => {
                if let Some(group) = &service.group
                    && let Some(name) = group.name()
                    && shared(name)
                {
                    sink.report(
                        group.at,
                        format!(
                            "{} runs with group {name}, {}",
                            service.subject,
                            others(service.host, name).replacen("an account", "a group", 1)
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    // A server told to switch to a shared account itself (`mod_wsgi-express --user www-data`).
    for process in &ctx.deployment.processes {
        if let Some(account) = &process.user
            && let Some(name) = account.name()
            && shared(name)
        {
            sink.report(
                account.at,
                format!(
                    "{} runs {} as {name}, an account shared with other services",
                    process.origin, account.how
                ),
            );
        }
    }
}

/// The accounts web servers themselves run as (Debian's, Red Hat's, Arch's and nginx's).
fn is_web_server_account(name: &str) -> bool {
    ["www-data", "apache", "http", "httpd", "nginx"]
        .iter()
        .any(|a| name.eq_ignore_ascii_case(a))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet, quiet_in};

    mod apache {
        use super::*;

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

        #[test]
        fn only_the_web_servers_own_accounts_are_called_apaches() {
            let message = |text| {
                crate::rules::testing::diagnostics("USR002", SITE, text)
                    .pop()
                    .map(|d| d.message)
                    .unwrap_or_default()
            };
            let www = message("WSGIDaemonProcess app user=www-data group=app\n");
            assert!(www.contains("shared with Apache"), "{www}");
            let nobody = message("WSGIDaemonProcess app user=nobody group=app\n");
            assert!(
                nobody.contains("an account other services share"),
                "{nobody}"
            );
            let nogroup = message("WSGIDaemonProcess app user=app group=nogroup\n");
            assert!(
                nogroup.contains("a group other services share"),
                "{nogroup}"
            );
            assert!(!nogroup.contains("Apache"), "{nogroup}");
        }
    }

    mod systemd {
        use super::*;

        #[test]
        fn fail() {
            fires_once(
                "USR002",
                "app.service",
                &[
                    (
                        "[Service]\nUser=www-data\nExecStart=/usr/bin/gunicorn app:app\n",
                        "www-data",
                    ),
                    (
                        "[Service]\nUser=nobody\nExecStart=/usr/bin/python3 /srv/app/app.py\n",
                        "nobody",
                    ),
                    (
                        "[Service]\nUser=app\nUser=  www-data \nExecStart=/usr/bin/uvicorn main:app\n",
                        "www-data",
                    ),
                ],
            );
        }

        #[test]
        fn pass() {
            quiet_in(
                "USR002",
                &[
                    (
                        "app.service",
                        "[Service]\nUser=app\nGroup=www-data\nExecStart=/usr/bin/gunicorn app:app\n",
                    ),
                    (
                        "app.service",
                        "[Service]\nUser=www-data-app\nExecStart=/usr/bin/gunicorn app:app\n",
                    ),
                    // Apache's own tools run as Apache's account by design.
                    (
                        "apache-htcacheclean.service",
                        "[Service]\nUser=www-data\nExecStart=/usr/bin/htcacheclean -d 120\n",
                    ),
                    (
                        "app.service",
                        "[Service]\nUser=www-data\nUser=\nUser=app\nExecStart=/usr/bin/gunicorn app:app\n",
                    ),
                    (
                        "systemd/user/app.service",
                        "[Service]\nUser=nobody\nExecStart=/usr/bin/gunicorn app:app\n",
                    ),
                    (
                        "app.service",
                        "[Service]\n# User=www-data\nUser=app\nExecStart=/usr/bin/gunicorn app:app\n",
                    ),
                ],
            );
        }
    }

    /// A server's own `--user` decides its processes' account, from any launcher.
    #[test]
    fn servers_switching_to_a_shared_account() {
        fires_once(
            "USR002",
            "app.service",
            &[
                (
                    "[Service]\nUser=app\nExecStart=/usr/bin/mod_wsgi-express start-server app.wsgi --user www-data\n",
                    "www-data",
                ),
                (
                    "[Service]\nUser=app\nExecStart=/usr/bin/gunicorn --user nobody app:app\n",
                    "nobody",
                ),
            ],
        );
        quiet(
            "USR002",
            "app.service",
            &["[Service]\nUser=app\nExecStart=/usr/bin/gunicorn -u app-svc app:app\n"],
        );
        quiet_in(
            "USR002",
            &[(
                "app.service",
                "[Service]\nUser=app\nGroup=www-data\nExecStart=/usr/bin/gunicorn app:app\n",
            )],
        );
    }
}
