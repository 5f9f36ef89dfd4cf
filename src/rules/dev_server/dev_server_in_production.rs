//! DEV001: the deployment starts a development server (`flask run`, `manage.py runserver`,
//! `python -m http.server`) instead of a production WSGI/ASGI server.

use crate::catalog::{Format, RuleEntry};
use crate::diagnostic::Diagnostic;
use crate::model::launcher::Program;
use crate::model::project::{self, Project};
use crate::rules::{FileContext, ProjectRule, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DEV001",
    check,
    // In Python files it reports only through the project rule (a server reached from a
    // launcher): a file's own lint has nothing to read there, so it must not cost a parse.
    prefilter: Some(|format, _| format != Format::Python),
};

/// `CMD python app.py` where `app.py` calls `app.run()`.
pub const PROJECT_RULE: ProjectRule = ProjectRule {
    code: "DEV001",
    check: check_project,
};

fn check_project(project: &Project<'_>, entry: &RuleEntry, out: &mut Vec<Diagnostic>) {
    let python_files = project.python_files();
    for dockerfile in project
        .files
        .iter()
        .filter(|f| !f.facts.script_launches.is_empty())
    {
        for launch in &dockerfile.facts.script_launches {
            let Some(script) = project::resolve_script(&dockerfile.path, launch, &python_files)
            else {
                continue;
            };
            let reached = project.dev_servers_reached(script);
            let (direct, through): (Vec<_>, Vec<_>) =
                reached.into_iter().partition(|r| r.hops.is_empty());
            if !direct.is_empty() {
                let mut sink =
                    Sink::new(entry, &dockerfile.path, out).for_format(dockerfile.format);
                let diagnostic = sink.report(
                    launch.span,
                    format!(
                        "the image runs {}, which starts the framework's development server",
                        script.display()
                    ),
                );
                for call in direct {
                    diagnostic.label_in(call.path, call.span, "development server started here");
                }
            }
            // Reached through calls into other functions: the finding is at the server call,
            // with the launcher and each call on the way as labels.
            let launcher_line = project
                .sources
                .binary_search_by(|s| s.path().cmp(&dockerfile.path))
                .map(|i| project.sources[i].line_col(launch.span.start).0)
                .ok();
            for call in through {
                let mut started_by = format!(
                    "started by {}{}",
                    dockerfile.path.display(),
                    launcher_line.map(|l| format!(":{l}")).unwrap_or_default()
                );
                for (i, hop) in call.hops.iter().enumerate() {
                    started_by.push_str(if i == 0 { " through " } else { ", " });
                    started_by.push_str(&format!(
                        "{}:{} `{}()`",
                        hop.path.display(),
                        hop.line,
                        hop.callee
                    ));
                }
                let mut at = Sink::new(entry, &call.path, out).for_format(Format::Python);
                let diagnostic = at.report(
                    call.span,
                    format!(
                        "this starts the framework's development server in the image ({started_by})"
                    ),
                );
                diagnostic.label_in(
                    dockerfile.path.clone(),
                    launch.span,
                    format!("the image runs {}", script.display()),
                );
                for hop in &call.hops {
                    diagnostic.label_in(
                        hop.path.clone(),
                        hop.span,
                        format!("which calls `{}()`", hop.callee),
                    );
                }
            }
        }
    }
}

/// What the development server is, if `program` is one.
pub fn dev_server(program: &Program) -> Option<&'static str> {
    match program {
        Program::FlaskRun => Some("Flask's development server (`flask run`)"),
        Program::DjangoRunserver => Some("Django's development server (`runserver`)"),
        Program::HttpServer => Some("the standard library's file server (`http.server`)"),
        _ => None,
    }
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        if let Some(what) = dev_server(&process.launch.program) {
            sink.report(
                process.launch.program_span,
                format!("{} runs {what}", process.origin),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "DEV001",
            "Dockerfile",
            &[
                ("FROM python\nCMD flask run --host=0.0.0.0\n", "flask run"),
                (
                    "FROM python\nCMD [\"flask\", \"run\"]\n",
                    "\"flask\", \"run\"",
                ),
                (
                    "FROM python\nCMD python -m flask run\n",
                    "python -m flask run",
                ),
                (
                    "FROM python\nCMD [\"python\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n",
                    "\"python\", \"manage.py\", \"runserver\"",
                ),
                (
                    "FROM python\nCMD python3 -m http.server 8000\n",
                    "python3 -m http.server",
                ),
                (
                    "FROM python\nCMD python manage.py migrate && python manage.py runserver\n",
                    "python manage.py runserver",
                ),
                (
                    "FROM python\nENTRYPOINT [\"/docker-entrypoint.sh\"]\nCMD [\"flask\", \"run\"]\n",
                    "\"flask\", \"run\"",
                ),
                ("FROM python\nCMD sh -c \"flask run\"\n", "flask run"),
                (
                    "FROM python AS base\nCMD flask run\nFROM base\nRUN true\n",
                    "flask run",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DEV001",
            "Dockerfile",
            &[
                "FROM python\nCMD gunicorn -b 0.0.0.0:8000 app:app\n",
                "FROM python\nCMD [\"waitress-serve\", \"app:app\"]\n",
                "FROM python\nRUN flask run --help\nCMD gunicorn app:app\n",
                "FROM python\n# CMD flask run\nCMD gunicorn app:app\n",
                "FROM python\nHEALTHCHECK CMD python -m http.server\nCMD gunicorn app:app\n",
                "FROM python\nCMD echo flask run\n",
                "FROM python AS dev\nCMD flask run\nFROM python\nCMD gunicorn app:app\n",
                "FROM python\nCMD flask run\nFROM python\nCMD gunicorn app:app\n",
                // A final stage named as a development image is meant to run the dev server.
                "FROM python AS base\nFROM base AS dev-envs\nCMD flask run\n",
            ],
        );
    }
}
