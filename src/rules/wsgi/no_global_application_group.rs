//! WSG005: a WSGI app without `WSGIApplicationGroup %{GLOBAL}` (or `application-group=`) runs
//! in a sub-interpreter, which C extensions handle poorly and which is no security boundary.

use super::{apache_of, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG005",
    check,
    prefilter: Some(mentions_mount),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for mount in apache.mounts() {
        if !apache.is_local(mount.entry) || mount.opt("application-group").is_some() {
            continue;
        }
        let scope = apache.entries[mount.entry].scope;
        if !apache
            .applicable(
                scope,
                "wsgiapplicationgroup",
                mount.request_url(),
                mount.script_path(),
            )
            .is_empty()
        {
            continue;
        }
        sink.report(
            apache.node(mount.entry).name_span,
            format!(
                "{} has no WSGIApplicationGroup: the app runs in a sub-interpreter instead of its daemon's main interpreter",
                mount.describe(apache)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::SITE;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "WSG005",
            SITE,
            &[
                (
                    "WSGIScriptAlias / /srv/a/wsgi.py process-group=a\n",
                    "WSGIScriptAlias",
                ),
                (
                    "<VirtualHost *>\nWSGIApplicationGroup %{GLOBAL}\n</VirtualHost>\n<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n</VirtualHost>\n",
                    "WSGIScriptAlias",
                ),
                (
                    "<Directory /srv/a>\nSetHandler wsgi-script\n</Directory>\n<Directory /srv/b>\nWSGIApplicationGroup %{GLOBAL}\n</Directory>\n",
                    "SetHandler",
                ),
            ],
        );
        quiet(
            "WSG005",
            SITE,
            &[
                "WSGIApplicationGroup %{GLOBAL}\nWSGIScriptAlias / /srv/a/wsgi.py\n",
                "WSGIScriptAlias / /srv/a/wsgi.py application-group=%{GLOBAL}\n",
                "<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n<Directory /srv/a>\nWSGIApplicationGroup %{GLOBAL}\n</Directory>\n</VirtualHost>\n",
                "<Directory /srv/a>\nAddHandler wsgi-script .wsgi\nWSGIApplicationGroup %{GLOBAL}\n</Directory>\n",
            ],
        );
    }
}
