//! LIM002: a WSGI app served with no `LimitRequestBody` in effect (or `0`, unlimited), so the
//! size of request bodies Apache hands to the app is bounded only by httpd's default.

use super::report_per_serving_scope;
use crate::rules::wsgi::{apache_of, mentions, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "LIM002",
    check,
    prefilter: Some(|f, t| mentions_mount(f, t) || mentions(f, t, "limitrequestbody")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("limitrequestbody") {
        if apache.is_local(e)
            && apache.entries[e]
                .args
                .first()
                .is_some_and(|v| v.trim() == "0")
        {
            sink.report(
                apache.arg_span(e, 0),
                "LimitRequestBody 0 removes the limit on request body size",
            );
        }
    }
    report_per_serving_scope(
        apache,
        sink,
        |scope| {
            !apache
                .applicable(scope, "limitrequestbody", None, None)
                .is_empty()
        },
        |m| {
            format!(
                "{} is served with no LimitRequestBody in the configuration read",
                m.served(apache)
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "LIM002",
            "httpd.conf",
            &[
                ("WSGIScriptAlias / /srv/a/wsgi.py\n", "WSGIScriptAlias"),
                (
                    "LimitRequestBody 0\nWSGIScriptAlias / /srv/a/wsgi.py\n",
                    "0",
                ),
            ],
        );
        quiet(
            "LIM002",
            "httpd.conf",
            &[
                "LimitRequestBody 10485760\nWSGIScriptAlias / /srv/a/wsgi.py\n",
                "<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n<Location />\nLimitRequestBody 1048576\n</Location>\n</VirtualHost>\n",
            ],
        );
    }
}
