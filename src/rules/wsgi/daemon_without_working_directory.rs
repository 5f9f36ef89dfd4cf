//! WSG008: a service that runs the app without a working directory anyone chose: a system
//! service without `WorkingDirectory=` starts in `/`, a `WSGIDaemonProcess` without `home=`
//! keeps Apache's working directory (`/`), and `mod_wsgi-express start-server` on a host
//! without `--working-directory` starts wherever it was launched from. Relative paths in
//! the app (uploads, logs, a SQLite file, `app:app` imports) then resolve somewhere nobody
//! chose. One concern over the deployment model; it was two rules, so `SBX002` (and its
//! name `service-without-working-directory`) is an alias of this one.

use crate::model::deployment::{Placement, WorkdirKind};
use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG008",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let services = &ctx.deployment.services;
    for service in services.iter().filter(|s| s.runs_app) {
        if let Some(workdir) = &service.workdir
            && let WorkdirKind::Default(_) = workdir.kind
        {
            let d = sink.report(workdir.at, format!("{} {}", service.subject, workdir.how));
            d.labels.extend(workdir.label.clone());
        }
    }
    // A process whose service says nothing about its directory: `mod_wsgi-express` decides
    // with its own option. (In a container the image's WORKDIR is a deliberate choice.)
    for process in &ctx.deployment.processes {
        let service_decides = process
            .service
            .and_then(|i| services.get(i))
            .is_some_and(|s| s.workdir.is_some());
        let launch = &process.launch;
        if !service_decides
            && process.placement == Placement::Host
            && launch.program == Program::ModWsgiExpress
            && launch.option(&["--working-directory"]).is_none()
        {
            sink.report(
                launch.program_span,
                format!(
                    "{} starts mod_wsgi-express without --working-directory: it runs in whatever directory it was started from",
                    process.origin
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    mod apache {
        use crate::catalog::Format;
        use crate::model::deployment::{Deployment, Placement, Process};
        use crate::model::launcher::from_shell;
        use crate::rules::RuleOptions;
        use crate::rules::testing::{fires_once, quiet};
        use crate::rules::wsgi::SITE;
        use crate::rules::{FileContext, Sink, View};
        use crate::source::{MappedText, SourceFile, Span};

        #[test]
        fn daemons() {
            fires_once(
                "WSG008",
                SITE,
                &[("WSGIDaemonProcess app user=app\n", "app")],
            );
            quiet(
                "WSG008",
                SITE,
                &["WSGIDaemonProcess app user=app home=/var/lib/app\n"],
            );
        }

        fn launcher_findings(line: &str, placement: Placement) -> Vec<String> {
            let source = SourceFile::new("run.sh", line);
            let launch = from_shell(&MappedText::from_span(line, Span::new(0, line.len())));
            let deployment = Deployment {
                processes: launch
                    .into_iter()
                    .map(|launch| Process::new(launch, placement, "ExecStart="))
                    .collect(),
                ..Deployment::default()
            };
            let ctx = FileContext {
                source: &source,
                format: Format::Systemd,
                view: View::None,
                errors: &[],
                deployment: &deployment,
                options: &RuleOptions::default(),
            };
            let mut out = Vec::new();
            let catalog = crate::catalog::Catalog::builtin();
            let mut sink = Sink::new(catalog.entry("WSG008"), source.path(), &mut out);
            super::super::check(&ctx, &mut sink);
            out.iter()
                .map(|d| line[d.span.range()].to_string())
                .collect()
        }

        #[test]
        fn launchers() {
            let bad = "mod_wsgi-express start-server wsgi.py --port 8000";
            assert_eq!(
                launcher_findings(bad, Placement::Host),
                ["mod_wsgi-express start-server"]
            );
            assert!(launcher_findings(bad, Placement::Container).is_empty());
            for good in [
                "mod_wsgi-express start-server wsgi.py --working-directory /srv/app",
                "mod_wsgi-express start-server wsgi.py --working-directory=/srv/app",
                "mod_wsgi-express setup-server wsgi.py",
            ] {
                assert!(
                    launcher_findings(good, Placement::Host).is_empty(),
                    "{good}"
                );
            }
        }
    }

    mod systemd {
        use crate::rules::testing::{fires_once_in, quiet_in};

        #[test]
        fn fail() {
            fires_once_in(
                "WSG008",
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
                "WSG008",
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
}
