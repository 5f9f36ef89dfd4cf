//! DBG004: an environment variable that switches on a debug mode (`FLASK_DEBUG=1`,
//! `FLASK_ENV=development`, …) set for the deployed processes: however the deployment model
//! says it is set (a Dockerfile's `ENV`, `ARG` or start command, a unit's `Environment=` or
//! environment file, a compose service's `environment:` or `env_file:`).

use crate::model::env::debug_setting;
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DBG004",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for var in ctx.deployment.all_env() {
        let Some(why) = debug_setting(&var.name, &var.value) else {
            continue;
        };
        let scope = var
            .service
            .and_then(|i| ctx.deployment.services.get(i))
            .map(|s| format!(" for {}", s.subject))
            .unwrap_or_default();
        let d = sink.report(
            var.span,
            format!(
                "{} sets {}={}{scope}, which {why}",
                var.origin, var.name, var.value
            ),
        );
        d.labels.extend(var.label);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, lines, quiet};

    #[test]
    fn fail() {
        for (src, line) in [
            ("FROM python\nENV FLASK_DEBUG=1\n", 2),
            ("FROM python\nENV FLASK_DEBUG 1\n", 2),
            ("FROM python\nENV A=b \\\n    FLASK_ENV=development\n", 3),
            ("FROM python\nARG FLASK_DEBUG=true\n", 2),
            ("FROM python\nARG D=1\nENV FLASK_DEBUG=$D\n", 3),
            (
                "FROM python AS base\nENV FLASK_DEBUG=1\nFROM base\nCMD gunicorn app:app\n",
                2,
            ),
            ("FROM python\nCMD FLASK_DEBUG=1 gunicorn app:app\n", 2),
            ("FROM python\nENV DJANGO_DEBUG=True\n", 2),
        ] {
            assert_eq!(lines("DBG004", "Dockerfile", src), [line], "{src}");
        }
        let found = findings(
            "DBG004",
            "Dockerfile",
            "FROM python\nENV X=1 FLASK_DEBUG=\"1\"\n",
        );
        assert_eq!(found[0].1, "FLASK_DEBUG=\"1\"");
        for (src, underlined) in [
            (
                "services:\n  web:\n    image: app\n    environment:\n      - FLASK_DEBUG=1\n",
                "FLASK_DEBUG=1",
            ),
            (
                "services:\n  web:\n    image: app\n    environment:\n      FLASK_ENV: development\n",
                "FLASK_ENV: development",
            ),
            (
                "x-env: &env\n  DJANGO_DEBUG: \"True\"\nservices:\n  web:\n    image: app\n    environment:\n      <<: *env\n",
                "DJANGO_DEBUG: \"True\"",
            ),
            // Regression: a quoted value followed by a comment was underlined with it.
            (
                "services:\n  web:\n    image: app\n    environment:\n      FLASK_DEBUG: \"true\" # for now\n",
                "FLASK_DEBUG: \"true\"",
            ),
        ] {
            let found = findings("DBG004", "compose.yaml", src);
            assert_eq!(found.len(), 1, "{src}");
            assert_eq!(found[0].1, underlined);
        }
        assert_eq!(
            lines(
                "DBG004",
                "gunicorn.conf.py",
                "raw_env = [\"A=1\", \"FLASK_DEBUG=1\"]\n"
            ),
            [1]
        );
    }

    #[test]
    fn pass() {
        quiet(
            "DBG004",
            "Dockerfile",
            &[
                "FROM python\nENV FLASK_DEBUG=0\n",
                "FROM python\nENV FLASK_DEBUG=false\n",
                "FROM python\nENV FLASK_ENV=production\n",
                "FROM python\nENV FLASK_DEBUG=${FLASK_DEBUG:-0}\n",
                "FROM python\nENV FLASK_DEBUG=$FLASK_DEBUG\n",
                "FROM python\nARG FLASK_DEBUG\n",
                "FROM python\n# ENV FLASK_DEBUG=1\n",
                "FROM python\nRUN echo FLASK_DEBUG=1\n",
                "FROM python\nCMD FLASK_DEBUG=$DEBUG gunicorn app:app\n",
                "FROM python AS test\nENV FLASK_DEBUG=1\nFROM python\nCMD gunicorn app:app\n",
                "ARG FLASK_DEBUG=1\nFROM python\n",
                "FROM python AS development\nENV FLASK_DEBUG=1\n",
            ],
        );
        quiet(
            "DBG004",
            "compose.yaml",
            &[
                "services:\n  web:\n    image: app\n    environment:\n      - FLASK_DEBUG=0\n      - FLASK_ENV\n",
                "services:\n  web:\n    image: app\n    environment:\n      FLASK_DEBUG: ${FLASK_DEBUG:-1}\n",
                "services:\n  web:\n    image: app\n    environment:\n      FLASK_DEBUG:\n",
                "services:\n  web:\n    image: app\n    profiles: [dev]\n    environment:\n      FLASK_DEBUG: 1\n",
                "services:\n  web:\n    image: app\n    labels:\n      FLASK_DEBUG: 1\n",
            ],
        );
        quiet(
            "DBG004",
            "docker-compose.override.yml",
            &["services:\n  web:\n    environment:\n      FLASK_DEBUG: 1\n"],
        );
    }

    #[test]
    fn procfile_inline_assignments() {
        let found = findings(
            "DBG004",
            "Procfile",
            "release: python manage.py migrate\nweb: FLASK_DEBUG=1 gunicorn app:app\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "FLASK_DEBUG=1");
        quiet(
            "DBG004",
            "Procfile",
            &[
                "web: FLASK_DEBUG=0 gunicorn app:app\n",
                "web: FLASK_DEBUG=$DEBUG gunicorn app:app\n",
                "web: echo FLASK_DEBUG=1 && gunicorn app:app\n",
                "# web: FLASK_DEBUG=1 flask run\nweb: gunicorn app:app\n",
            ],
        );
        quiet(
            "DBG004",
            "Procfile.dev",
            &["web: FLASK_DEBUG=1 flask run\n"],
        );
    }
}
