//! WSG010: `WSGITrustedProxyHeaders` without `WSGITrustedProxies` in scope: mod_wsgi then
//! trusts `X-Forwarded-For` and friends from any client, so anyone can spoof the client
//! address, host or scheme the app sees.

use super::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG010",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgitrustedproxyheaders")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("wsgitrustedproxyheaders") {
        if !apache.is_local(e) {
            continue;
        }
        let entry = &apache.entries[e];
        let enclosing = apache.sections(e);
        // A list set here or in a context this one inherits from applies.
        let trusted = apache.named("wsgitrustedproxies").any(|p| {
            let proxies = &apache.entries[p];
            (proxies.scope == entry.scope || proxies.scope == 0)
                && proxies.section.is_none_or(|s| enclosing.contains(&s))
        });
        if !trusted {
            sink.report(
                apache.node(e).name_span,
                "WSGITrustedProxyHeaders without WSGITrustedProxies: any client can spoof these headers",
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
            "WSG010",
            SITE,
            &[
                (
                    "WSGITrustedProxyHeaders X-Forwarded-For\n",
                    "WSGITrustedProxyHeaders",
                ),
                (
                    "<Location /a>\nWSGITrustedProxies 10.0.0.1\n</Location>\n<Location /b>\nWSGITrustedProxyHeaders X-Forwarded-For\n</Location>\n",
                    "WSGITrustedProxyHeaders",
                ),
            ],
        );
        quiet(
            "WSG010",
            SITE,
            &[
                "WSGITrustedProxyHeaders X-Forwarded-For\nWSGITrustedProxies 127.0.0.1\n",
                "WSGITrustedProxies 127.0.0.1\n<VirtualHost *>\n<Location /b>\nWSGITrustedProxyHeaders X-Forwarded-For\n</Location>\n</VirtualHost>\n",
            ],
        );
    }
}
