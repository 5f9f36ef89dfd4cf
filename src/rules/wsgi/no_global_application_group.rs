//! WSG005: a WSGI app without `WSGIApplicationGroup %{GLOBAL}` (or `application-group=`) runs
//! in a sub-interpreter, which C extensions handle poorly and which is no security boundary.

use super::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "WSG005",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgiscriptalias")),
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
        let file = (!mount.is_match).then_some(mount.target.as_str());
        if !apache
            .applicable(scope, "wsgiapplicationgroup", Some(&mount.url), file)
            .is_empty()
        {
            continue;
        }
        let node = apache.node(mount.entry);
        sink.report(
            node.name_span,
            format!(
                "{} {} has no WSGIApplicationGroup: the app runs in a sub-interpreter instead of its daemon's main interpreter",
                node.name, mount.url
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
            ],
        );
        quiet(
            "WSG005",
            SITE,
            &[
                "WSGIApplicationGroup %{GLOBAL}\nWSGIScriptAlias / /srv/a/wsgi.py\n",
                "WSGIScriptAlias / /srv/a/wsgi.py application-group=%{GLOBAL}\n",
                "<VirtualHost *>\nWSGIScriptAlias / /srv/a/wsgi.py\n<Directory /srv/a>\nWSGIApplicationGroup %{GLOBAL}\n</Directory>\n</VirtualHost>\n",
            ],
        );
    }
}
