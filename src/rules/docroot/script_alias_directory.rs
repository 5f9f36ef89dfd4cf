//! DOC003: a WSGI mount that maps URLs onto a directory (a `WSGIScriptAlias` target ending in
//! `/`, a `WSGIScriptAliasMatch` target built from the URL) instead of one script file: any
//! `.wsgi`/`.py` file that lands in that folder becomes executable code.

use crate::rules::wsgi::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DOC003",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgiscriptalias")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    // A wsgi-script handler runs every script of its directory by design; where that is
    // switched on (`Options ExecCGI`) is DOC004's finding.
    for mount in apache
        .local_mounts()
        .into_iter()
        .filter(|m| m.handler.is_none())
    {
        let substituted = mount.is_match
            && mount
                .target
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'$' && w[1].is_ascii_digit());
        let message = if mount.target.ends_with('/') {
            format!(
                "{} mounts the directory {}: every script file in it can be run",
                apache.node(mount.entry).name,
                mount.target
            )
        } else if substituted {
            format!(
                "WSGIScriptAliasMatch builds the script path {} from the URL: any matching file in that folder can be run",
                mount.target
            )
        } else {
            continue;
        };
        sink.report(mount.target_span, message);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn vectors() {
        fires_once(
            "DOC003",
            SITE,
            &[
                (
                    "WSGIScriptAlias /apps/ /srv/wsgi-scripts/\n",
                    "/srv/wsgi-scripts/",
                ),
                (
                    "WSGIScriptAliasMatch ^/([^/]+) /srv/wsgi-scripts/$1.wsgi\n",
                    "/srv/wsgi-scripts/$1.wsgi",
                ),
            ],
        );
        quiet(
            "DOC003",
            SITE,
            &[
                "WSGIScriptAlias /app/ /srv/app/wsgi.py\n",
                "WSGIScriptAliasMatch ^/(api|admin) /srv/app/wsgi.py\n",
                "WSGIScriptAlias / /srv/app/wsgi.py\n",
                // DOC004's concern, not reported twice.
                "<Directory /srv/app>\nOptions ExecCGI\nAddHandler wsgi-script .wsgi\n</Directory>\n",
            ],
        );
    }
}
