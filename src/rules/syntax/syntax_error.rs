//! SYN001: the file does not parse as its format, so the tool that reads it will reject it
//! (and other rules may miss what follows).

use crate::rules::{FileContext, Rule, Sink, Syntax};

pub const RULE: Rule = Rule {
    code: "SYN001",
    check,
    prefilter: None,
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let Syntax::Apache(apache) = ctx.syntax {
        // The linted file's own errors, and include cycles found from it.
        for error in &apache.units[0].conf.errors {
            sink.report(error.span, error.message.clone());
        }
        for (span, message) in &apache.errors {
            sink.report(*span, message.clone());
        }
    }
    if let Syntax::Dockerfile { file, .. } = ctx.syntax {
        // Template markup (`{% if %}`, `{{ var }}`) means the file is a template for a
        // Dockerfile, not one; its placeholders are not errors in what it will render.
        for error in file
            .errors
            .iter()
            .filter(|e| !is_template_markup(&e.message))
        {
            sink.report(error.span, error.message.clone());
        }
    }
}

fn is_template_markup(message: &str) -> bool {
    message
        .strip_prefix("unknown instruction: ")
        .is_some_and(|word| word.starts_with('{'))
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
}
