//! SBX002: a system service that runs a Python web app without `WorkingDirectory=`, so it
//! starts in `/` and resolves every relative path (uploads, logs, `app:app` imports) there.

use crate::model::deployment::Process;
use crate::model::launcher::Program;
use crate::model::systemd::judged_web_service;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "SBX002",
    check,
    prefilter: None,
};

/// A server told where to run (`gunicorn --chdir`, `uvicorn --app-dir`,
/// `mod_wsgi-express --working-directory`), or configured by a file that can say so
/// (`gunicorn -c conf.py`, uWSGI's `chdir =` in its ini file), which deploylint does not
/// see from the unit.
fn sets_own_directory(web: &Process) -> bool {
    let names: &[&str] = match &web.launch.program {
        Program::Gunicorn => &["--chdir", "-c", "--config"],
        Program::Uvicorn => &["--app-dir"],
        Program::ModWsgiExpress => &["--working-directory"],
        Program::Other { name } => return name.starts_with("uwsgi"),
        _ => return false,
    };
    web.launch.option(names).is_some()
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Systemd(unit) = ctx.view else {
        return;
    };
    if unit.partial {
        return;
    }
    let Some(web) = judged_web_service(unit, ctx.deployment) else {
        return;
    };
    if unit.last("Service", "WorkingDirectory").is_some()
        || unit.last("Service", "RootDirectory").is_some()
        || sets_own_directory(web)
    {
        return;
    }
    let Some(header) = unit.header("Service") else {
        return;
    };
    sink.report(
        header,
        "the service sets no WorkingDirectory=, so the app starts in / and resolves relative paths there",
    )
    .label(web.launch.program_span, "started in /");
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    #[test]
    fn fail() {
        fires_once_in(
            "SBX002",
            &[
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/gunicorn app:app\n",
                    "[Service]",
                ),
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=/srv/app\nWorkingDirectory=\nExecStart=/usr/bin/python3 app.py\n",
                    "[Service]",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet_in(
            "SBX002",
            &[
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=/srv/app\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
                (
                    "app.service",
                    "[Service]\nWorkingDirectory=~\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/gunicorn --chdir /srv/app app:app\n",
                ),
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/uvicorn --app-dir /srv/app main:app\n",
                ),
                ("app.service", "[Service]\nExecStart=/usr/sbin/nginx\n"),
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/gunicorn -c /etc/app/gunicorn.conf.py app:app\n",
                ),
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/uwsgi --ini /etc/uwsgi/app.ini\n",
                ),
                (
                    "systemd/user/app.service",
                    "[Service]\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
                // A drop-in alone may rely on its unit's WorkingDirectory=.
                (
                    "app.service.d/override.conf",
                    "[Service]\nExecStart=\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
            ],
        );
    }
}
