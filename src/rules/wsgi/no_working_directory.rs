//! WSG008: a mod_wsgi daemon without an explicit working directory: a `WSGIDaemonProcess`
//! without `home=` starts in Apache's directory (`/`), and `mod_wsgi-express start-server`
//! on a host without `--working-directory` starts wherever it was launched from. Relative
//! paths in the app then resolve somewhere nobody chose.

use super::{apache_of, mentions};
use crate::model::deployment::Placement;
use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG008",
    check,
    prefilter: Some(|f, t| {
        mentions(f, t, "wsgidaemonprocess")
            || (f != crate::catalog::Format::Apache && t.contains("mod_wsgi-express"))
    }),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    check_launchers(ctx, sink);
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for daemon in apache.daemons() {
        if apache.is_local(daemon.entry) && daemon.opt("home").is_none() {
            sink.report(
                daemon.name_span,
                format!(
                    "daemon process group {} has no home=: it runs with Apache's working directory (/)",
                    daemon.name
                ),
            );
        }
    }
}

/// `mod_wsgi-express start-server` on a host without `--working-directory`. (In a container
/// the image's WORKDIR is a deliberate working directory.)
fn check_launchers(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        let launch = &process.launch;
        if process.placement == Placement::Host
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
    use super::super::SITE;
    use crate::catalog::Format;
    use crate::config::RuleOptions;
    use crate::model::deployment::{Deployment, Placement, Process};
    use crate::model::launcher::from_shell;
    use crate::rules::testing::{fires_once, quiet};
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
        let mut sink = Sink::new("WSG008", source.path(), &mut out);
        super::check(&ctx, &mut sink);
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
