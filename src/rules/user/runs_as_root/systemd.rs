//! USR001 for systemd: a system service that runs a Python web app as root: `User=root`/`0`,
//! neither `User=` nor `DynamicUser=yes`, or an `ExecStart=` with the `+`/`!` prefix (which
//! ignores `User=`). User units run as their user; services that run something else
//! (`getty`, `udev`, `sshd` legitimately run as root) are outside deploylint's remit.

use super::is_root_user;
use crate::model::deployment::Process;
use crate::model::launcher::{self, Program};
use crate::model::systemd::{Unit, dynamic_user, is_python_web, judged_web_service, user};
use crate::rules::{FileContext, Sink};

/// Wrappers that switch to another account before running the command.
const SETUID_WRAPPERS: &[&str] = &[
    "sudo",
    "runuser",
    "su",
    "setpriv",
    "gosu",
    "su-exec",
    "chpst",
    "s6-setuidgid",
    "setuidgid",
];

pub fn check(ctx: &FileContext<'_>, unit: &Unit, sink: &mut Sink<'_>) {
    let Some(web) = judged_web_service(unit, ctx.deployment) else {
        return;
    };
    let env = unit.environment();
    for (command, _) in unit.exec_start() {
        let Some(prefix) = command.privileged else {
            continue;
        };
        let argv = unit.argv(&command, &env);
        if launcher::from_exec(&argv)
            .iter()
            .any(|l| is_python_web(&l.program))
        {
            sink.report(
                prefix,
                "the service runs as root: this prefix makes ExecStart= ignore User=",
            )
            .help(
                "Remove the prefix so the command runs as `User=`; give only the steps that \
                 need root (`ExecStartPre=+…`) the prefix.",
            );
            return;
        }
    }
    match user(unit) {
        Some((name, entry)) => {
            if is_root_user(&name) {
                sink.report(
                    entry.value.span(),
                    format!("the service runs as root: User={}", entry.value.as_str()),
                );
            }
        }
        None if dynamic_user(unit) || unit.partial => {}
        None => {
            if drops_privileges(web) || wrapped_in_setuid(unit) {
                return;
            }
            let Some(header) = unit.header("Service") else {
                return;
            };
            sink.report(
                header,
                "the service runs as root: it sets neither User= nor DynamicUser=yes",
            )
            .label(web.launch.program_span, "this server runs as root");
        }
    }
}

/// A server told to switch to an unprivileged account itself (`gunicorn --user app`,
/// `mod_wsgi-express --user app` for a privileged port).
fn drops_privileges(web: &Process) -> bool {
    let names: &[&str] = match web.launch.program {
        Program::Gunicorn | Program::Hypercorn => &["-u", "--user"],
        Program::ModWsgiExpress => &["--user"],
        _ => return false,
    };
    web.launch
        .option(names)
        .is_some_and(|u| !is_root_user(u.as_str()))
}

/// `ExecStart=/usr/sbin/runuser -u app -- gunicorn …`.
fn wrapped_in_setuid(unit: &Unit) -> bool {
    unit.exec_start().iter().any(|(command, _)| {
        command.argv.first().is_some_and(|w| {
            let name = w.as_str().rsplit('/').next().unwrap_or("");
            SETUID_WRAPPERS.contains(&name)
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    const GUNICORN: &str = "ExecStart=/srv/app/venv/bin/gunicorn -b 127.0.0.1:8000 app:app\n";

    #[test]
    fn fail() {
        let missing = format!("[Service]\n{GUNICORN}");
        let root = format!("[Service]\nUser=root\n{GUNICORN}");
        let uid0 = format!("[Service]\n{GUNICORN}User=0\n");
        let plus = "[Service]\nUser=app\nExecStart=+/usr/bin/gunicorn app:app\n";
        let bang = "[Service]\nUser=app\nExecStart=-!/usr/bin/python3 -m flask run\n";
        let reset = format!("[Service]\nUser=app\nUser=\n{GUNICORN}");
        let uwsgi = "[Service]\nExecStart=/usr/bin/uwsgi --ini /etc/app.ini\nUser=root\n";
        let continued =
            "[Service]\nExecStart=/usr/bin/python3 \\\n  /srv/app/server.py\nUser=\\\n root\n";
        fires_once_in(
            "USR001",
            &[
                ("app.service", &missing, "[Service]"),
                ("app.service", &root, "root"),
                ("app.service", &uid0, "0"),
                ("app.service", plus, "+"),
                ("app.service", bang, "!"),
                ("app.service", &reset, "[Service]"),
                ("app.service", uwsgi, "root"),
                ("app.service", continued, "root"),
                ("deploy/system/app.service", &missing, "[Service]"),
            ],
        );
    }

    #[test]
    fn pass() {
        let named = format!("[Service]\nUser=app\n{GUNICORN}");
        let dynamic = format!("[Service]\nDynamicUser=yes\n{GUNICORN}");
        let user_dir = format!("[Service]\n{GUNICORN}");
        let default_target = format!("[Service]\n{GUNICORN}[Install]\nWantedBy=default.target\n");
        quiet_in(
            "USR001",
            &[
                ("app.service", &named),
                ("app.service", &dynamic),
                // A user unit runs as the user who starts it.
                ("home/.config/systemd/user/app.service", &user_dir),
                ("app.service", &default_target),
                // Not a web app: sshd, getty, udev … run as root by design.
                ("sshd.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n"),
                (
                    "getty@.service",
                    "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM\n",
                ),
                // Not a service.
                ("app.socket", "[Socket]\nListenStream=8000\n"),
                ("app.timer", "[Timer]\nOnCalendar=daily\n"),
                // No ExecStart= at all.
                (
                    "app.service",
                    "[Service]\nType=oneshot\nRemainAfterExit=yes\n",
                ),
                // The server switches to its own account.
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/bin/gunicorn --user app app:app\n",
                ),
                (
                    "app.service",
                    "[Service]\nExecStart=/usr/sbin/runuser -u app -- /usr/bin/gunicorn app:app\n",
                ),
                // `!!` only applies where ambient capabilities are missing.
                (
                    "app.service",
                    "[Service]\nUser=app\nExecStart=!!/usr/bin/gunicorn app:app\n",
                ),
                // A template's account from its instance name.
                (
                    "app@.service",
                    "[Service]\nUser=%i\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
                (
                    "app.service.in",
                    "[Service]\nUser=@APP_USER@\nExecStart=@bindir@/gunicorn app:app\n",
                ),
                // A `+` on a helper does not make the server root.
                (
                    "app.service",
                    "[Service]\nUser=app\nExecStartPre=+/bin/mkdir -p /run/app\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
                // A commented-out line is not in force.
                (
                    "app.service",
                    "[Service]\n#User=root\nUser=app\nExecStart=/usr/bin/gunicorn app:app\n",
                ),
            ],
        );
    }
}
