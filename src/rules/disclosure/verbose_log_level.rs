//! DIS003: `LogLevel` `info`, `debug` or `trace*` as the server's base level writes
//! request-level detail (URIs, headers, application traces) into the error log.
//! Per-module levels (`LogLevel warn wsgi:info`) are the targeted way and are not reported.

use super::is_last_in_context;
use crate::rules::wsgi::{apache_of, mentions, replace_arg};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DIS003",
    check,
    prefilter: Some(|f, t| mentions(f, t, "loglevel")),
};

fn is_verbose(level: &str) -> bool {
    let level = level.to_ascii_lowercase();
    level == "info"
        || level == "debug"
        || level
            .strip_prefix("trace")
            .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
}

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("loglevel") {
        if !apache.is_local(e) {
            continue;
        }
        let base = apache.entries[e]
            .args
            .iter()
            .enumerate()
            .find(|(_, a)| !a.contains(':'));
        let Some((i, level)) = base else { continue };
        // A later LogLevel with a base level in the same context replaces this one.
        let overridden = !is_last_in_context(apache, e)
            && apache.named("loglevel").any(|o| {
                o > e
                    && apache.entries[o].scope == apache.entries[e].scope
                    && apache.entries[o].section == apache.entries[e].section
                    && apache.entries[o].args.iter().any(|a| !a.contains(':'))
            });
        if is_verbose(level) && !overridden {
            let documented = [
                "info", "debug", "trace1", "trace2", "trace3", "trace4", "trace5", "trace6",
                "trace7", "trace8",
            ];
            let fix = sink.fix(
                replace_arg(ctx, apache, e, i, "warn", &documented)
                    .into_iter()
                    .collect(),
            );
            sink.report(
                apache.arg_span(e, i),
                format!("LogLevel {level} logs request-level detail for all of Apache"),
            )
            .set_fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn fix_lowers_the_base_level_and_keeps_module_levels() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("DIS003", SITE, src);
        assert_eq!(fix("LogLevel debug\n"), "LogLevel warn\n");
        assert_eq!(
            fix("LogLevel core:warn trace5 ssl:info\n"),
            "LogLevel core:warn warn ssl:info\n"
        );
        assert_eq!(fix("LOGLEVEL DEBUG\n"), "LOGLEVEL WARN\n");
        assert_eq!(
            fix("<VirtualHost *>\n    LogLevel Info \\\n        wsgi:debug\n</VirtualHost>\n"),
            "<VirtualHost *>\n    LogLevel Warn \\\n        wsgi:debug\n</VirtualHost>\n"
        );
    }

    #[test]
    fn vectors() {
        fires_once(
            "DIS003",
            SITE,
            &[
                ("LogLevel debug\n", "debug"),
                ("LogLevel core:warn trace5\n", "trace5"),
                (
                    "<VirtualHost *>\nLogLevel info ssl:warn\n</VirtualHost>\n",
                    "info",
                ),
                ("LogLevel warn\nLogLevel Debug\n", "Debug"),
            ],
        );
        quiet(
            "DIS003",
            SITE,
            &[
                "LogLevel warn\n",
                "LogLevel warn wsgi:info\n",
                "LogLevel debug\nLogLevel warn\n",
                "LogLevel warn\nLogLevel wsgi:debug\n",
                "LogLevel tracer\n",
            ],
        );
    }
}
