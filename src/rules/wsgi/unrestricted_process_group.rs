//! WSG004: a server with several daemon process groups where a virtual host serving a WSGI
//! app does not fence its routing with `WSGIRestrictProcess`, so a stray `WSGIProcessGroup`
//! (a typo, an `.htaccess`) can send its requests into another component's daemon.

use super::{apache_of, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG004",
    check,
    prefilter: Some(mentions_mount),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    let daemons = apache.daemons();
    if daemons.len() < 2 {
        return;
    }
    let mounts = apache.mounts();
    for scope in 0..=apache.vhosts.len() {
        let Some(first) = mounts
            .iter()
            .find(|m| apache.entries[m.entry].scope == scope)
        else {
            continue;
        };
        if !apache.is_local(first.entry)
            || !apache
                .applicable(scope, "wsgirestrictprocess", None, None)
                .is_empty()
        {
            continue;
        }
        let own = first
            .opt("process-group")
            .map(|o| o.value.clone())
            .or_else(|| {
                apache
                    .applicable(scope, "wsgiprocessgroup", None, None)
                    .last()
                    .and_then(|&e| apache.entries[e].args.first().cloned())
            });
        let place = if scope == 0 {
            "the main server".to_string()
        } else {
            let vhost = apache.vhosts[scope - 1];
            format!("<VirtualHost {}>", apache.entries[vhost].args.join(" "))
        };
        let d = sink.report(
            apache.node(first.entry).name_span,
            format!(
                "{place} serves a WSGI app without WSGIRestrictProcess while {} daemon process groups exist: nothing stops its requests reaching another component's daemon",
                daemons.len()
            ),
        );
        if let Some(other) = daemons.iter().find(|d| Some(&d.name) != own.as_ref()) {
            apache.label(
                d,
                other.entry,
                other.name_span,
                "another daemon process group",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    const GROUPS: &str = "WSGIDaemonProcess a user=a\nWSGIDaemonProcess b user=b\n";

    #[test]
    fn vectors() {
        let bad = format!(
            "{GROUPS}<VirtualHost *:80>\nWSGIProcessGroup a\nWSGIScriptAlias / /srv/a/wsgi.py\n</VirtualHost>\n"
        );
        let bad_main = format!("{GROUPS}WSGIScriptAlias / /srv/a/wsgi.py process-group=a\n");
        fires_once(
            "WSG004",
            SITE,
            &[(&bad, "WSGIScriptAlias"), (&bad_main, "WSGIScriptAlias")],
        );
        let good = format!(
            "{GROUPS}<VirtualHost *:80>\nWSGIProcessGroup a\nWSGIScriptAlias / /srv/a/wsgi.py\nWSGIRestrictProcess a\n</VirtualHost>\n"
        );
        let good_dir = format!(
            "{GROUPS}<VirtualHost *:80>\nWSGIScriptAlias / /srv/a/wsgi.py process-group=a\n<Directory /srv/a>\nWSGIRestrictProcess a\n</Directory>\n</VirtualHost>\n"
        );
        quiet(
            "WSG004",
            SITE,
            &[
                &good,
                &good_dir,
                "WSGIDaemonProcess a user=a\nWSGIScriptAlias / /srv/a/wsgi.py process-group=a\n",
                GROUPS,
            ],
        );
    }
}
