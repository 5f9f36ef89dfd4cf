//! WSG001: a `WSGIScriptAlias` whose requests are not directed into a daemon process group
//! (no `process-group=` option, no `WSGIProcessGroup` in scope, or `%{GLOBAL}`), so the app
//! runs embedded in Apache's own worker processes, as Apache's user.

use super::{apache_of, embedded_restricted, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG001",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgiscriptalias")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    // With WSGIRestrictEmbedded On, Apache refuses to run the app embedded at all.
    if embedded_restricted(apache) {
        return;
    }
    let daemons = apache.daemons();
    for mount in apache.local_mounts() {
        let scope = apache.entries[mount.entry].scope;
        let file = (!mount.is_match).then_some(mount.target.as_str());
        let group = mount
            .opt("process-group")
            .map(|o| (o.value.clone(), o.span))
            .or_else(|| {
                let e = *apache
                    .applicable(scope, "wsgiprocessgroup", Some(&mount.url), file)
                    .last()?;
                Some((
                    apache.entries[e].args.first()?.clone(),
                    apache.arg_span(e, 0),
                ))
            });
        let node = apache.node(mount.entry);
        let d = match &group {
            None => sink.report(
                node.name_span,
                format!(
                    "{} {} is not directed into a daemon process group: the app runs embedded in Apache's worker processes",
                    node.name, mount.url
                ),
            ),
            Some((name, span)) if name == "%{GLOBAL}" || name.is_empty() => {
                let d = sink.report(
                    node.name_span,
                    format!(
                        "{} {} runs in process group %{{GLOBAL}}, which is embedded mode: the app runs in Apache's worker processes",
                        node.name, mount.url
                    ),
                );
                d.label(*span, "%{GLOBAL} selects embedded mode");
                d
            }
            Some(_) => continue,
        };
        if let Some(daemon) = daemons.iter().find(|dm| {
            let s = apache.entries[dm.entry].scope;
            s == 0 || s == scope
        }) {
            apache.label(
                d,
                daemon.entry,
                daemon.name_span,
                "this daemon process group is defined but not selected",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "WSG001",
            SITE,
            &[
                ("WSGIScriptAlias / /srv/app/wsgi.py\n", "WSGIScriptAlias"),
                (
                    "WSGIDaemonProcess app user=app\n<VirtualHost *:80>\nwsgiscriptalias / /srv/app/wsgi.py\n</VirtualHost>\n",
                    "wsgiscriptalias",
                ),
                (
                    "WSGIProcessGroup %{GLOBAL}\nWSGIScriptAlias / /srv/app/wsgi.py\n",
                    "WSGIScriptAlias",
                ),
                // A process group for another vhost does not count.
                (
                    "<VirtualHost *:80>\nWSGIProcessGroup a\n</VirtualHost>\n<VirtualHost *:81>\nWSGIScriptAlias / /srv/b/wsgi.py\n</VirtualHost>\n",
                    "WSGIScriptAlias",
                ),
                // ... nor one for an unrelated directory.
                (
                    "<Directory /srv/other>\nWSGIProcessGroup a\n</Directory>\nWSGIScriptAlias / /srv/app/wsgi.py\n",
                    "WSGIScriptAlias",
                ),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "WSG001",
            SITE,
            &[
                "WSGIScriptAlias / /srv/app/wsgi.py process-group=app\n",
                "WSGIProcessGroup app\n<VirtualHost *:80>\nWSGIScriptAlias / /srv/app/wsgi.py\n</VirtualHost>\n",
                "<VirtualHost *:80>\nWSGIScriptAlias / /srv/app/wsgi.py\n<Directory /srv/app>\nWSGIProcessGroup app\n</Directory>\n</VirtualHost>\n",
                "<VirtualHost *:80>\nWSGIScriptAlias /api /srv/app/wsgi.py\n<Location /api>\nWSGIProcessGroup app\n</Location>\n</VirtualHost>\n",
                "WSGIRestrictEmbedded On\nWSGIScriptAlias / /srv/app/wsgi.py\n",
                "# WSGIScriptAlias / /srv/app/wsgi.py\n",
                "<Macro App>\nWSGIScriptAlias / /srv/app/wsgi.py\n</Macro>\n",
            ],
        );
    }
}
