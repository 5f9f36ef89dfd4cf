//! DIS002: `ServerSignature On` (or `EMail`) adds the server version and host name to every
//! error page and directory listing.

use super::is_last_in_context;
use crate::rules::wsgi::{apache_of, mentions, replace_arg};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DIS002",
    check,
    prefilter: Some(|f, t| mentions(f, t, "serversignature")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("serversignature") {
        let value = apache.entries[e].args.first().map_or("", String::as_str);
        if apache.is_local(e)
            && is_last_in_context(apache, e)
            && (value.eq_ignore_ascii_case("on") || value.eq_ignore_ascii_case("email"))
        {
            let documented = ["On", "EMail"];
            let fix = sink.fix(
                replace_arg(ctx, apache, e, 0, "Off", &documented)
                    .into_iter()
                    .collect(),
            );
            sink.report(
                apache.arg_span(e, 0),
                format!(
                    "ServerSignature {value} prints the server version and host name on error pages"
                ),
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
    fn fix_switches_the_signature_off() {
        use crate::rules::testing::fixed;
        let fix = |src: &str| fixed("DIS002", SITE, src);
        assert_eq!(fix("ServerSignature On\n"), "ServerSignature Off\n");
        assert_eq!(fix("ServerSignature EMail\n"), "ServerSignature Off\n");
        assert_eq!(fix("serversignature on\n"), "serversignature off\n");
        assert_eq!(
            fix("<VirtualHost *>\n\tServerSignature 'email'\n</VirtualHost>\nServerSignature On\n"),
            "<VirtualHost *>\n\tServerSignature 'off'\n</VirtualHost>\nServerSignature Off\n"
        );
    }

    #[test]
    fn vectors() {
        fires_once(
            "DIS002",
            SITE,
            &[
                ("ServerSignature On\n", "On"),
                (
                    "<VirtualHost *>\nServerSignature EMail\n</VirtualHost>\nServerSignature Off\n",
                    "EMail",
                ),
            ],
        );
        quiet(
            "DIS002",
            SITE,
            &[
                "ServerSignature Off\n",
                "ServerSignature On\nServerSignature Off\n",
            ],
        );
    }
}
