//! DIS001: `ServerTokens` other than `Prod`: the `Server:` header (and error pages) tell every
//! client the Apache version, its modules and the operating system. In nginx, `server_tokens
//! on` (or `build`), or no `server_tokens` at all in a main `nginx.conf`, where nginx's
//! default is `on`.

use crate::catalog::Format;
use crate::model::nginx::Nginx;
use crate::rules::wsgi::{apache_of, mentions, replace_arg};
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "DIS001",
    check,
    prefilter: Some(|f, t| {
        mentions(f, t, "servertokens")
            || (f == Format::Nginx && (t.contains("server_tokens") || t.contains("http")))
    }),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    if let View::Nginx(nginx) = ctx.view {
        check_nginx(nginx, sink);
        return;
    }
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    // A server-wide setting: the last one read is the one in force.
    let Some(last) = apache.named("servertokens").last() else {
        return;
    };
    let value = apache.entries[last].args.first().map_or("", String::as_str);
    let prod = ["prod", "productonly"]
        .iter()
        .any(|p| value.eq_ignore_ascii_case(p));
    if apache.is_local(last) && !prod {
        let documented = ["Full", "OS", "Minimal", "Min", "Minor", "Major"];
        let fix = sink.fix(
            replace_arg(ctx, apache, last, 0, "Prod", &documented)
                .into_iter()
                .collect(),
        );
        sink.report(
            apache.arg_span(last, 0),
            format!("ServerTokens {value} tells every client more than the product name (version, modules or OS)"),
        )
        .set_fix(fix);
    }
}

/// What the values of `server_tokens` send: `off` only the name; `on` and `build` the version
/// (and build name); a string with variables (nginx Plus) is not judged.
fn check_nginx(nginx: &Nginx, sink: &mut Sink<'_>) {
    for e in nginx.named("server_tokens") {
        let Some(value) = nginx.args(e).first() else {
            continue;
        };
        let leaks = ["on", "build"]
            .iter()
            .any(|v| value.value.eq_ignore_ascii_case(v));
        if nginx.is_local(e) && leaks {
            sink.report(
                value.span,
                format!(
                    "server_tokens {} sends the nginx version in every `Server:` header and on its error pages",
                    value.value
                ),
            );
        }
    }
    // A main configuration: what it leaves unset stays nginx's default, `on`, unless every
    // virtual server sets it for itself.
    let Some(http) = nginx.http_block() else {
        return;
    };
    if nginx.own(Some(http), "server_tokens").is_some() {
        return;
    }
    let servers: Vec<usize> = nginx
        .named("server")
        .filter(|&s| nginx.node(s).children.is_some() && nginx.enclosing(s, "http") == Some(http))
        .collect();
    if !servers.is_empty()
        && servers
            .iter()
            .all(|&s| nginx.own(Some(s), "server_tokens").is_some())
    {
        return;
    }
    // `include conf.d/*.conf` that the tree does not hold is where distributions and
    // hardening guides put `server_tokens off;`: without it, the setting is unknown.
    if nginx.unresolved_inside(http) {
        return;
    }
    sink.report(
        nginx.node(http).name.span,
        "no server_tokens in the http block: nginx's default, `on`, sends its version in every `Server:` header and on its error pages",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn fix_sets_prod_in_the_file_s_case_and_quotes() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("DIS001", SITE, src);
        assert_eq!(fix("ServerTokens OS\n"), "ServerTokens Prod\n");
        assert_eq!(fix("servertokens full\n"), "servertokens prod\n");
        assert_eq!(fix("SERVERTOKENS FULL\n"), "SERVERTOKENS PROD\n");
        assert_eq!(
            fix("ServerTokens \"Minor\"\r\n"),
            "ServerTokens \"Prod\"\r\n"
        );
        // Only the one in force is changed.
        assert_eq!(
            fix("ServerTokens Full\n<IfModule x>\n  ServerTokens Major\n</IfModule>\n"),
            "ServerTokens Full\n<IfModule x>\n  ServerTokens Prod\n</IfModule>\n"
        );
        // A value from a variable may be meant elsewhere too: no fix.
        let defined = "Define TOKENS OS\nServerTokens ${TOKENS}\n";
        assert_eq!(fix(defined), defined);
    }

    #[test]
    fn nginx() {
        use crate::rules::testing::{fires_once_in, quiet_in};
        fires_once_in(
            "DIS001",
            &[
                ("nginx.conf", "http {\n  server_tokens on;\n}\n", "on"),
                (
                    "conf.d/app.conf",
                    "server {\n  listen 80;\n  server_tokens build;\n}\n",
                    "build",
                ),
                (
                    "nginx.conf",
                    "events {}\nhttp {\n  include mime.types;\n  server { listen 80; }\n}\n",
                    "http",
                ),
                // One server that does not set it for itself is enough.
                (
                    "nginx.conf",
                    "http {\n  server { server_tokens off; }\n  server { listen 81; }\n}\n",
                    "http",
                ),
            ],
        );
        quiet_in(
            "DIS001",
            &[
                ("nginx.conf", "http {\n  server_tokens off;\n}\n"),
                (
                    "nginx.conf",
                    "http {\n  server { server_tokens off; listen 80; }\n}\n",
                ),
                // A site file leaves it to the main configuration.
                (
                    "sites-available/app",
                    "server {\n  listen 80;\n  root /srv/www;\n}\n",
                ),
                (
                    "nginx.conf",
                    "http {\n  # server_tokens on;\n  server_tokens off;\n}\n",
                ),
                ("nginx.conf", "http {\n  server_tokens $tokens;\n}\n"),
                // Not nginx's own server block: a stream proxy sends no headers.
                ("nginx.conf", "stream {\n  server { listen 5432; }\n}\n"),
            ],
        );
    }

    #[test]
    fn vectors() {
        fires_once(
            "DIS001",
            SITE,
            &[
                ("ServerTokens OS\n", "OS"),
                (
                    "ServerTokens Prod\n<IfModule x>\nservertokens Full\n</IfModule>\n",
                    "Full",
                ),
            ],
        );
        quiet(
            "DIS001",
            SITE,
            &[
                "ServerTokens Prod\n",
                "ServerTokens OS\nServerTokens ProductOnly\n",
                "# ServerTokens Full\n",
            ],
        );
    }
}
