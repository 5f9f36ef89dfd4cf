//! USR001: the deployed process runs as root. One rule over the deployment model, whatever
//! the format says it with: a Dockerfile's last `USER` (or the base image's default user), a
//! compose service's `user:` (or its Dockerfile's), a system service without `User=`, a
//! mod_wsgi daemon's `user=`, a gunicorn config's `user`, a server's own `--user`. Services
//! that do not run the Python web app (`sshd`, `getty`) are outside its remit.

use crate::model::deployment::{AccountKind, is_root_user};
use crate::model::images::base_runs_unprivileged;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "USR001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let unprivileged_image =
        |image: &str| base_runs_unprivileged(image, &ctx.options.nonroot_images);
    for service in ctx.deployment.services.iter().filter(|s| s.runs_app) {
        let Some(account) = &service.user else {
            continue;
        };
        if account.is_root(unprivileged_image) {
            let d = sink.report(
                account.at,
                format!("{} runs as root: {}", service.subject, account.how),
            );
            d.labels.extend(account.label.clone());
            // An `ExecStart=+` forces root whatever `User=` says: the fix is the prefix.
            if account.kind == AccountKind::Root && account.how.contains("prefix") {
                d.help(
                    "Remove the prefix so the command runs as `User=`; give only the steps that \
                     need root (`ExecStartPre=+…`) the prefix.",
                );
            }
        }
    }
    // A server told to switch to root itself (`mod_wsgi-express start-server --user root`).
    for process in &ctx.deployment.processes {
        if let Some(account) = &process.user
            && account.name().is_some_and(is_root_user)
        {
            sink.report(
                account.at,
                format!("{} runs {} as root", process.origin, account.how),
            )
            .help(if account.how == "uwsgi" {
                "Pass `--uid` and `--gid` an account created for this app \
                 (`--uid example-app --gid example-app`)."
            } else {
                "Pass `--user` and `--group` an account created for this app \
                 (`--user example-app --group example-app`)."
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, fires_once_in, quiet, quiet_in};

    mod dockerfile {
        use super::*;
        use crate::model::deployment::is_root_user;

        #[test]
        fn root_values() {
            for v in ["root", "0", "0:0", "root:root", "00", "0:1000"] {
                assert!(is_root_user(v), "{v}");
            }
            for v in ["app", "1000", "1000:0", "nobody", "rooter", "ROOT2"] {
                assert!(!is_root_user(v), "{v}");
            }
        }

        #[test]
        fn fail() {
            fires_once(
                "USR001",
                "Dockerfile",
                &[
                    ("FROM python:3.12\nCMD gunicorn app:app\n", "python:3.12"),
                    ("FROM python\nUSER root\n", "root"),
                    ("FROM python\nUSER 0\n", "0"),
                    ("FROM python\nUSER 0:0\n", "0:0"),
                    ("FROM python\nUSER app\nRUN x\nUSER root\n", "root"),
                    (
                        "FROM python AS build\nUSER app\nFROM debian\nCOPY --from=build /a /a\n",
                        "debian",
                    ),
                    ("FROM python\nARG RUN_AS=root\nUSER $RUN_AS\n", "$RUN_AS"),
                    ("from python\nuser ROOT\nUSER 0\n", "0"),
                ],
            );
        }

        #[test]
        fn pass() {
            quiet(
                "USR001",
                "Dockerfile",
                &[
                    "FROM python\nUSER app\n",
                    "FROM python\nUSER 1000:1000\n",
                    "FROM python\nUSER root\nRUN apt-get update\nUSER app\n",
                    // A builder stage may run as root.
                    "FROM python AS build\nRUN make\nFROM python\nUSER app\n",
                    // The final stage inherits USER from the stage it is built on.
                    "FROM python AS base\nUSER app\nFROM base\nCMD gunicorn app:app\n",
                    "FROM python\nARG UID=1000\nUSER $UID\n",
                    // A value the Dockerfile does not give is not guessed.
                    "FROM python\nUSER $APP_USER\n",
                    "FROM gcr.io/distroless/python3-debian12:nonroot\nCMD [\"app.py\"]\n",
                    "FROM cgr.dev/chainguard/python:latest\n",
                    "FROM python\nUSER app\nHEALTHCHECK CMD curl -f http://localhost/\n",
                ],
            );
        }
    }

    mod compose {
        use super::*;

        #[test]
        fn fail() {
            fires_once(
                "USR001",
                "compose.yaml",
                &[
                    (
                        "services:\n  web:\n    image: app\n    user: root\n",
                        "root",
                    ),
                    (
                        "services:\n  web:\n    image: app\n    user: \"0\"\n",
                        "\"0\"",
                    ),
                    ("services:\n  web:\n    image: app\n    user: 0:0\n", "0:0"),
                    ("web:\n  image: app\n  user: root:root\n", "root:root"),
                    // Regression: a quoted value followed by a comment was underlined with it.
                    (
                        "services:\n  web:\n    image: app\n    user: \"root\"  # admin\n",
                        "\"root\"",
                    ),
                ],
            );
        }

        #[test]
        fn pass() {
            quiet(
                "USR001",
                "compose.yaml",
                &[
                    "services:\n  web:\n    image: app\n    user: \"1000:1000\"\n",
                    "services:\n  web:\n    image: app\n",
                    "services:\n  web:\n    image: app\n    user: ${APP_UID}\n",
                    "services:\n  web:\n    image: app\n    user: ${UID:-0}\n",
                    // Without the linted tree, the Dockerfile cannot be read: nothing is guessed.
                    "services:\n  web:\n    build: .\n",
                    "services:\n  web:\n    image: app\n    user: root\n    profiles: [debug]\n",
                ],
            );
            quiet(
                "USR001",
                "docker-compose.dev.yml",
                &["services:\n  web:\n    image: app\n    user: root\n"],
            );
        }
    }

    mod apache {
        use super::*;

        #[test]
        fn vectors() {
            fires_once(
                "USR001",
                "apache2/site.conf",
                &[
                    ("WSGIDaemonProcess app user=root group=root\n", "root"),
                    ("WSGIDaemonProcess app \\\n  user=0\n", "0"),
                ],
            );
            quiet(
                "USR001",
                "apache2/site.conf",
                &[
                    "WSGIDaemonProcess app user=app group=app\n",
                    "WSGIDaemonProcess app user=app script-user=root\n",
                    "User root\n",
                ],
            );
        }
    }

    mod gunicorn {
        use super::*;

        #[test]
        fn fail() {
            fires_once(
                "USR001",
                "gunicorn.conf.py",
                &[
                    ("user = \"root\"\n", "\"root\""),
                    ("bind = \"127.0.0.1:8000\"\nuser = 0\n", "0"),
                    ("USER = 'root'\nuser = USER\n", "USER"),
                ],
            );
        }

        #[test]
        fn pass() {
            quiet(
                "USR001",
                "gunicorn.conf.py",
                &[
                    "user = \"www-app\"\n",
                    "user = 1000\n",
                    "import os\nuser = os.environ.get('APP_USER', 'root')\n",
                    "def on_starting(server):\n    user = 'root'\n",
                    "# user = 'root'\n",
                ],
            );
        }
    }

    mod systemd {
        use super::*;

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
            let default_target =
                format!("[Service]\n{GUNICORN}[Install]\nWantedBy=default.target\n");
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

    /// A server's own `--user` decides its processes' account, from any launcher.
    #[test]
    fn servers_switching_to_root() {
        fires_once(
            "USR001",
            "Dockerfile",
            &[
                (
                    "FROM python\nUSER app\nCMD mod_wsgi-express start-server app.wsgi --user root\n",
                    "root",
                ),
                (
                    "FROM python\nUSER app\nCMD gunicorn --user 0 app:app\n",
                    "0",
                ),
            ],
        );
        quiet(
            "USR001",
            "Dockerfile",
            &["FROM python\nUSER app\nCMD gunicorn --user app app:app\n"],
        );
        quiet_in(
            "USR001",
            &[(
                "app.service",
                "[Service]\nUser=app\nExecStart=/usr/bin/gunicorn -u app app:app\n",
            )],
        );
    }
}
