//! DBG005: a server's log level set to `debug` (gunicorn `loglevel = "debug"`, `--log-level
//! debug` on gunicorn, uvicorn, hypercorn or granian): request details and internals go to the logs of
//! a production service, and the volume hides what matters.

use crate::model::launcher::Program;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "DBG005",
    check,
    prefilter: Some(|_, text| {
        crate::rules::mentions_debug(text) || crate::rules::contains_ignore_case(text, "trace")
    }),
};

fn is_debug_level(level: &str) -> bool {
    let level = level.trim();
    level.eq_ignore_ascii_case("debug") || level.eq_ignore_ascii_case("trace")
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let View::Gunicorn { config, .. } = ctx.view
        && let Some((level, setting)) = &config.loglevel
        && is_debug_level(level)
    {
        sink.report(setting.value, format!("gunicorn logs at level {level}"));
    }
    for process in &ctx.deployment.processes {
        let server = match process.launch.program {
            Program::Gunicorn => "gunicorn",
            Program::Uvicorn => "uvicorn",
            Program::Hypercorn => "hypercorn",
            Program::Granian => "granian",
            _ => continue,
        };
        if let Some(level) = process.launch.option(&["--log-level"])
            && is_debug_level(level.as_str())
        {
            let message = match process.setting_variable(level.span()) {
                Some(var) => format!(
                    "{var} makes {server} log at level {} (started by {})",
                    level.as_str(),
                    process.origin
                ),
                None => format!(
                    "{} starts {server} logging at level {}",
                    process.origin,
                    level.as_str()
                ),
            };
            sink.report(level.span(), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    #[test]
    fn fail() {
        fires_once_in(
            "DBG005",
            &[
                ("gunicorn.conf.py", "loglevel = \"debug\"\n", "\"debug\""),
                ("gunicorn.conf.py", "loglevel = 'DEBUG'\n", "'DEBUG'"),
                (
                    "Dockerfile",
                    "FROM python\nCMD gunicorn --log-level debug app:app\n",
                    "debug",
                ),
                (
                    "compose.yaml",
                    "services:\n  web:\n    image: app\n    command: [\"uvicorn\", \"main:app\", \"--log-level=trace\"]\n",
                    "trace\"",
                ),
                (
                    "Procfile",
                    "web: gunicorn --log-level=debug app:app\n",
                    "debug",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet_in(
            "DBG005",
            &[
                ("gunicorn.conf.py", "loglevel = \"info\"\n"),
                (
                    "gunicorn.conf.py",
                    "import os\nloglevel = os.environ.get('LOG_LEVEL', 'debug')\n",
                ),
                ("gunicorn.conf.py", "# loglevel = 'debug'\n"),
                (
                    "Dockerfile",
                    "FROM python\nCMD gunicorn --log-level info app:app\n",
                ),
                (
                    "Dockerfile",
                    "FROM python\nCMD celery worker --loglevel debug\n",
                ),
                (
                    "docker-compose.dev.yml",
                    "services:\n  web:\n    command: gunicorn --log-level debug app:app\n",
                ),
            ],
        );
    }
}
