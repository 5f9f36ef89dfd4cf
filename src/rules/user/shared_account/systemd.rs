//! USR002 for systemd: a system service that runs a Python web app as a shared account
//! (`User=www-data`, `User=nobody`). `Group=www-data` alone is not reported: it is the usual
//! way to let a reverse proxy reach the app's socket.

use super::is_shared_account;
use crate::model::systemd::{Unit, judged_web_service, user};
use crate::rules::{FileContext, Sink};

pub fn check(ctx: &FileContext<'_>, unit: &Unit, sink: &mut Sink<'_>) {
    if judged_web_service(unit, ctx.deployment).is_none() {
        return;
    }
    let Some((name, entry)) = user(unit) else {
        return;
    };
    if is_shared_account(&name, &ctx.options.shared_accounts) {
        sink.report(
            entry.value.span(),
            format!("the service runs as {name}, an account other services share"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet_in};

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
