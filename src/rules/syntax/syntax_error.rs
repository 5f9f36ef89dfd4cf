//! SYN001: the file does not parse as its format, so the tool that reads it will reject it
//! (and other rules may miss what follows).

use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "SYN001",
    check,
    prefilter: None,
};

/// Each front end lists its file's parse errors, already without what the format tolerates
/// (template placeholders); errors in a systemd drop-in are moved to that file afterwards.
fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    for error in ctx.errors {
        sink.report(error.span, error.message.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lines;

    #[test]
    fn vectors() {
        assert_eq!(
            lines("SYN001", "Dockerfile", "FROM alpine\nENV NAME\n"),
            [2]
        );
        assert!(lines("SYN001", "Dockerfile", "FROM alpine\nENV NAME=1\n").is_empty());
        let template = "FROM alpine\n{% if cfg.debug %}\nENV A=1\n{%- endif %}\n{{ extra }}\n";
        assert!(lines("SYN001", "Dockerfile", template).is_empty());
        assert_eq!(lines("SYN001", "Dockerfile", "FROM alpine\nWRONG x\n"), [2]);
        assert_eq!(
            lines(
                "SYN001",
                "compose.yaml",
                "services:\n  web:\n    image: [app\n"
            ),
            [4]
        );
        assert_eq!(
            lines(
                "SYN001",
                "compose.yaml",
                "services:\n  web:\n  image: app\n   user: x\n"
            ),
            [4]
        );
        assert!(
            lines(
                "SYN001",
                "compose.yaml",
                "services:\n  web:\n    image: app\n"
            )
            .is_empty()
        );
        let jinja = "services:\n  web:\n    image: {{ cookiecutter.slug }}\n";
        assert!(lines("SYN001", "compose.yaml", jinja).is_empty());
        assert_eq!(
            lines("SYN001", "Procfile", "web: gunicorn app:app\noops\n"),
            [2]
        );
        let site = "apache2/site.conf";
        assert_eq!(
            lines(
                "SYN001",
                site,
                "<VirtualHost *:80>\n<Directory />\n</VirtualHost>\n"
            ),
            [3]
        );
        assert_eq!(lines("SYN001", site, "</Location>\n"), [1]);
        assert_eq!(lines("SYN001", site, "\n<IfModule mod_wsgi.c>\n"), [2]);
        assert!(lines("SYN001", site, "<IfModule !mod_wsgi.c>\n</ifmodule>\n").is_empty());
    }

    #[test]
    fn systemd_vectors() {
        use crate::rules::testing::{fires_once, quiet};
        fires_once(
            "SYN001",
            "app.service",
            &[
                (
                    "[Service]\nExecStart /usr/bin/app\n",
                    "ExecStart /usr/bin/app",
                ),
                ("User=app\n[Service]\n", "User=app"),
                ("[Service\nUser=app\n", "[Service"),
                // A continuation joins the next line into the broken one.
                ("[Service]\nNoEquals \\\n  here\n", "NoEquals \\\n  here"),
            ],
        );
        quiet(
            "SYN001",
            "app.service",
            &[
                "[Service]\nExecStart=/usr/bin/app \\\n# a comment inside\n  --flag\n",
                "; comment\n# comment\n\n[Unit]\nDescription=x\n",
                "[Service]\n# a comment ending in a backslash \\\nUser=app\n",
                "[X-Custom]\nAnything=goes\n",
            ],
        );
        // Placeholders of a build template are not errors in the unit it becomes.
        quiet(
            "SYN001",
            "app.service.in",
            &["[Service]\n@EXTRA_SETTINGS@\n"],
        );
        assert_eq!(
            lines("SYN001", "app.service", "[Service]\n@EXTRA_SETTINGS@\n"),
            [2]
        );
    }
}
