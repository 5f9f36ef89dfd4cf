//! WSG009: `WSGIPassAuthorization On` hands the `Authorization` header (credentials) to the
//! app, where logging, debug pages or error reporting can leak it. Fine when the app itself
//! authenticates; worth a look otherwise.

use super::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG009",
    check,
    prefilter: Some(|f, t| mentions(f, t, "pass")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("wsgipassauthorization") {
        if apache.is_local(e)
            && apache.entries[e]
                .args
                .first()
                .is_some_and(|v| v.eq_ignore_ascii_case("on"))
        {
            sink.report(
                apache.arg_span(e, 0),
                "WSGIPassAuthorization On passes the Authorization header (credentials) to the app",
            );
        }
    }
    for mount in apache.mounts() {
        if let Some(opt) = mount.opt("pass-authorization")
            && apache.is_local(mount.entry)
            && opt.value.eq_ignore_ascii_case("on")
        {
            sink.report(
                opt.span,
                "pass-authorization=On passes the Authorization header (credentials) to the app",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG009",
            SITE,
            &[
                ("WSGIPassAuthorization On\n", "On"),
                (
                    "<Location /api>\nwsgipassauthorization \"on\"\n</Location>\n",
                    "\"on\"",
                ),
                (
                    "WSGIScriptAlias / /a/wsgi.py pass-authorization=On\n",
                    "pass-authorization=On",
                ),
            ],
        );
        quiet(
            "WSG009",
            SITE,
            &[
                "WSGIPassAuthorization Off\n",
                "# WSGIPassAuthorization On\n",
            ],
        );
    }
}
