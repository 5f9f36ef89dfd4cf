//! DEV002: a production server started with its code reloader (`gunicorn --reload`,
//! `uvicorn --reload`, `granian --reload`, `uvicorn.run(..., reload=True)`), which watches the filesystem and
//! restarts workers whenever code changes.

use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "DEV002",
    check,
    // Also `UVICORN_RELOAD=true`, which uvicorn reads as `--reload`.
    prefilter: Some(|_, text| crate::rules::contains_ignore_case(text, "reload")),
};

/// Only `--reload` starts a reloader: uvicorn's `--reload-dir`/`--reload-include` and
/// gunicorn's `--reload-extra-file` say what to watch once it runs, and do nothing without it
/// (uvicorn warns that the configuration "will not reload").
const RELOAD_FLAGS: &[&str] = &["--reload"];

/// uWSGI's reloader of Python modules (`touch-reload` is not one: it restarts when a file a
/// deployment touches changes, which is how uWSGI apps are meant to be reloaded).
const UWSGI_RELOADERS: &[&str] = &["--py-autoreload", "--python-autoreload", "--py-auto-reload"];

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for process in &ctx.deployment.processes {
        let launch = &process.launch;
        if launch.program == Program::Uwsgi {
            // `--py-autoreload N` checks the modules every N seconds; 0 turns it off.
            for value in launch.options(UWSGI_RELOADERS) {
                if value.as_str().trim().parse::<u64>().is_ok_and(|n| n > 0) {
                    sink.report(
                        value.span(),
                        format!(
                            "{} starts uWSGI with its Python auto-reloader",
                            process.origin
                        ),
                    );
                }
            }
            continue;
        }
        let server = match launch.program {
            Program::Gunicorn => "gunicorn",
            Program::Uvicorn => "uvicorn",
            Program::Hypercorn => "hypercorn",
            Program::Granian => "granian",
            _ => continue,
        };
        // Granian's `--reload/--no-reload`: the last one written wins.
        let reload = if launch.program == Program::Granian {
            launch
                .last_flag(&["--reload", "--no-reload"])
                .filter(|(name, _)| name == "--reload")
                .map(|(_, span)| span)
        } else {
            launch.flag(RELOAD_FLAGS)
        };
        if let Some(span) = reload {
            let message = match process.setting_variable(span) {
                Some(var) => format!("{var} starts {server} with its auto-reloader"),
                None => format!("{server} is started with its auto-reloader"),
            };
            sink.report(span, message);
        }
    }
    let View::Python(python) = ctx.view else {
        return;
    };
    for call in python.calls() {
        if python.calls_any(call, &["uvicorn.run", "uvicorn.main.run"])
            && let Some(kw) = python.true_keyword(call, "reload")
        {
            sink.report(kw, "uvicorn is started with its auto-reloader");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    #[test]
    fn fail() {
        fires_once_in(
            "DEV002",
            &[
                (
                    "Dockerfile",
                    "FROM python\nCMD gunicorn --reload app:app\n",
                    "--reload",
                ),
                (
                    "Dockerfile",
                    "FROM python\nCMD [\"uvicorn\", \"main:app\", \"--reload\"]\n",
                    "\"--reload\"",
                ),
                (
                    "Dockerfile",
                    "FROM python\nCMD python -m uvicorn main:app --reload-dir /app --reload\n",
                    "--reload",
                ),
                (
                    "Dockerfile",
                    "FROM python\nENTRYPOINT [\"gunicorn\"]\nCMD [\"--reload\", \"app:app\"]\n",
                    "\"--reload\"",
                ),
                (
                    "app.py",
                    "import uvicorn\nuvicorn.run('main:app', reload=True)\n",
                    "reload=True",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet_in(
            "DEV002",
            &[
                ("Dockerfile", "FROM python\nCMD gunicorn app:app\n"),
                (
                    "Dockerfile",
                    "FROM python\nCMD gunicorn --reload app:app\nFROM python\nCMD gunicorn app:app\n",
                ),
                ("Dockerfile", "FROM python\nCMD echo --reload\n"),
                // What to watch, without the reloader that would watch it.
                (
                    "Dockerfile",
                    "FROM python\nCMD python -m uvicorn main:app --reload-dir /app\n",
                ),
                (
                    "Dockerfile",
                    "FROM python\nCMD gunicorn --reload-extra-file conf.yml app:app\n",
                ),
                (
                    "app.py",
                    "import uvicorn\nuvicorn.run('main:app', reload=False)\n",
                ),
                (
                    "app.py",
                    "import uvicorn\nuvicorn.run('main:app', reload=settings.RELOAD)\n",
                ),
                ("app.py", "importlib.reload(module)\n"),
            ],
        );
    }
}
