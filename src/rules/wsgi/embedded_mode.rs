//! WSG001: a `WSGIScriptAlias` whose requests are not directed into a daemon process group
//! (no `process-group=` option, no `WSGIProcessGroup` in scope, or `%{GLOBAL}`), so the app
//! runs embedded in Apache's own worker processes, as Apache's user.

use super::{apache_of, embedded_restricted, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG001",
    check,
    prefilter: Some(mentions_mount),
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
        let group = mount
            .opt("process-group")
            .map(|o| (o.value.clone(), o.span))
            .or_else(|| {
                let e = *apache
                    .applicable(
                        scope,
                        "wsgiprocessgroup",
                        mount.request_url(),
                        mount.script_path(),
                    )
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
                    "{} is not directed into a daemon process group: the app runs embedded in Apache's worker processes",
                    mount.describe(apache)
                ),
            ),
            Some((name, span)) if name == "%{GLOBAL}" || name.is_empty() => {
                let d = sink.report(
                    node.name_span,
                    format!(
                        "{} runs in process group %{{GLOBAL}}, which is embedded mode: the app runs in Apache's worker processes",
                        mount.describe(apache)
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
                // Handler mounts are mounts too.
                (
                    "<Directory /srv/app>\nOptions ExecCGI\nAddHandler wsgi-script .wsgi .py\n</Directory>\n",
                    "AddHandler",
                ),
                (
                    "<Location /app>\nSetHandler wsgi-script\n</Location>\n<Location /other>\nWSGIProcessGroup a\n</Location>\n",
                    "SetHandler",
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
                // A handler directed by its section, by an enclosing one, or not WSGI at all.
                "<Directory /srv/app>\nAddHandler wsgi-script .wsgi\nWSGIProcessGroup app\n</Directory>\n",
                "<Directory /srv/app>\nWSGIProcessGroup app\n<Files app.wsgi>\nSetHandler wsgi-script\n</Files>\n</Directory>\n",
                "<Location /app>\nSetHandler wsgi-script\nWSGIProcessGroup app\n</Location>\n",
                "<Directory /srv/app>\nAddHandler cgi-script .py\nSetHandler server-status\n</Directory>\n",
                "WSGIRestrictEmbedded On\n<Directory /srv/app>\nAddHandler wsgi-script .wsgi\n</Directory>\n",
            ],
        );
    }
}
