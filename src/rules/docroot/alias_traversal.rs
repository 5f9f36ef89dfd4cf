//! DOC005: an nginx prefix `location` without a trailing slash whose `alias` has one
//! (`location /static { alias /srv/shop/static/; }`). nginx replaces the matched prefix with
//! the alias and does not normalise the result, so `/static../settings.py` reads
//! `/srv/shop/static/../settings.py`: the directory above the alias, which is usually the
//! project.

use crate::catalog::Format;
use crate::model::nginx::Match;
use crate::rules::{FileContext, Rule, Sink, View};

pub const RULE: Rule = Rule {
    code: "DOC005",
    check,
    prefilter: Some(|f, t| f == Format::Nginx && t.contains("alias")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let View::Nginx(nginx) = ctx.view else {
        return;
    };
    for e in nginx.named("location") {
        let Some(location) = nginx.location(e) else {
            continue;
        };
        // A regex location builds its alias from captures; an exact one matches one URI.
        if location.kind != Match::Prefix || !nginx.is_local(e) || nginx.handles_itself(e) {
            continue;
        }
        let uri = nginx.location_uri(&location);
        let Some(alias) = nginx.own(Some(e), "alias") else {
            continue;
        };
        let Some(target) = nginx.args(alias).first() else {
            continue;
        };
        if uri.ends_with('/') || !target.value.ends_with('/') || target.value.contains('$') {
            continue;
        }
        let parent = target.value.trim_end_matches('/');
        let parent = match parent.rfind('/') {
            Some(0) => "/",
            Some(i) => &parent[..i],
            None => parent,
        };
        sink.report(
            location.uri.span,
            format!(
                "location {uri} has no trailing slash but its alias {} has one: a request for {uri}../ reads {}../, the directory above it ({parent})",
                target.value, target.value
            ),
        )
        .label(target.span, "the alias ends with `/`");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once_in, quiet_in};

    const SITE: &str = "sites-available/shop";

    #[test]
    fn vectors() {
        fires_once_in(
            "DOC005",
            &[
                (
                    SITE,
                    "server {\n  location /static { alias /srv/shop/static/; }\n}\n",
                    "/static",
                ),
                (
                    SITE,
                    "server {\n  location ^~ /media {\n    alias \"/srv/shop/media/\";\n  }\n}\n",
                    "/media",
                ),
                // nested, and with a modifier glued to the URI
                (
                    SITE,
                    "server {\n  location / {\n    location ^~/img { alias /data/img/; }\n  }\n}\n",
                    "^~/img",
                ),
            ],
        );
        quiet_in(
            "DOC005",
            &[
                // Matching slashes, on both or neither.
                (
                    SITE,
                    "server { location /static/ { alias /srv/shop/static/; } }\n",
                ),
                (
                    SITE,
                    "server { location /static { alias /srv/shop/static; } }\n",
                ),
                // A location with a slash and an alias without: broken, not a traversal.
                (
                    SITE,
                    "server { location /static/ { alias /srv/shop/static; } }\n",
                ),
                // Regex and exact locations.
                (
                    SITE,
                    "server { location ~ ^/static/(.*)$ { alias /srv/shop/static/$1; } }\n",
                ),
                (SITE, "server { location ~ /img { alias /srv/img/; } }\n"),
                (
                    SITE,
                    "server { location = /favicon.ico { alias /srv/shop/static/favicon.ico; } }\n",
                ),
                // root is not replaced by the prefix: no traversal.
                (SITE, "server { location /static { root /srv/shop/; } }\n"),
                // A commented-out alias.
                (
                    SITE,
                    "server { location /static {\n # alias /srv/x/;\n root /srv; } }\n",
                ),
                // The location proxies: the alias is not used.
                (
                    SITE,
                    "server { location /api { alias /srv/x/; proxy_pass http://127.0.0.1:8000; } }\n",
                ),
            ],
        );
    }
}
