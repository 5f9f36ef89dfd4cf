//! DOC001: the file a `WSGIScriptAlias` points at lies under the `DocumentRoot` in effect for
//! that virtual host. If the alias is ever removed or its handler breaks, Apache serves the
//! script (and the code beside it) as plain text.

use super::root_holding;
use crate::rules::wsgi::{apache_of, mentions_mount};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DOC001",
    check,
    prefilter: Some(mentions_mount),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for mount in apache.local_mounts() {
        // For a pattern target, the fixed directory before the first substitution.
        let path = if mount.is_match {
            match mount.target.find('$') {
                Some(i) => mount.target[..i].rsplit_once('/').map_or("", |(d, _)| d),
                None => mount.target.as_str(),
            }
        } else {
            mount.target.as_str()
        };
        if path.is_empty() {
            continue;
        }
        let scope = apache.entries[mount.entry].scope;
        let roots: Vec<(usize, String)> = apache
            .effective(scope, "documentroot")
            .and_then(|e| Some((e, apache.entries[e].args.first()?.clone())))
            .into_iter()
            .collect();
        if let Some((root, root_path)) = root_holding(&roots, path) {
            let message = if mount.handler.is_some() {
                format!(
                    "the wsgi-script handler runs scripts in {}, under the DocumentRoot {root_path}: if the handler ever goes, Apache serves them as static files",
                    mount.target
                )
            } else {
                format!(
                    "the WSGI script {} is under the DocumentRoot {root_path}: if the alias ever goes, Apache serves it as a static file",
                    mount.target
                )
            };
            let d = sink.report(mount.target_span, message);
            apache.label(
                d,
                root,
                apache.arg_span(root, 0),
                "the DocumentRoot in effect here",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn vectors() {
        fires_once(
            "DOC001",
            SITE,
            &[
                (
                    "<VirtualHost *>\nDocumentRoot /var/www\nWSGIScriptAlias / /var/www/app/wsgi.py\n</VirtualHost>\n",
                    "/var/www/app/wsgi.py",
                ),
                // Inherited from the main server.
                (
                    "DocumentRoot \"/srv/site/\"\n<VirtualHost *>\nWSGIScriptAlias / \"/srv/site/wsgi.py\"\n</VirtualHost>\n",
                    "\"/srv/site/wsgi.py\"",
                ),
                (
                    "DocumentRoot /var/www\nWSGIScriptAliasMatch ^/([^/]+) /var/www/wsgi/$1.wsgi\n",
                    "/var/www/wsgi/$1.wsgi",
                ),
                (
                    "Define ROOT /srv/site\nDocumentRoot ${ROOT}\nWSGIScriptAlias / ${ROOT}/app.wsgi\n",
                    "${ROOT}/app.wsgi",
                ),
                // The classic handler layout: scripts served from a folder of the site.
                (
                    "<VirtualHost *>\nDocumentRoot /var/www/site\n<Directory /var/www/site/app>\nOptions ExecCGI\nAddHandler wsgi-script .wsgi\n</Directory>\n</VirtualHost>\n",
                    "wsgi-script",
                ),
            ],
        );
        quiet(
            "DOC001",
            SITE,
            &[
                "<VirtualHost *>\nDocumentRoot /var/www/html\nWSGIScriptAlias / /var/www/app/wsgi.py\n</VirtualHost>\n",
                "DocumentRoot /var/www\n<VirtualHost *>\nDocumentRoot /srv/public\nWSGIScriptAlias / /var/www/app/wsgi.py\n</VirtualHost>\n",
                "<VirtualHost *>\nDocumentRoot /var/www\n</VirtualHost>\nWSGIScriptAlias / /var/www/app/wsgi.py\n",
                "DocumentRoot /var/www\nWSGIScriptAlias / /var/wwwapp/wsgi.py\n",
                "DocumentRoot ${UNKNOWN}\nWSGIScriptAlias / /srv/x/wsgi.py\n",
                // A handler outside the document root, or in a section with no directory.
                "<VirtualHost *>\nDocumentRoot /var/www/html\n<Directory /srv/app/wsgi>\nSetHandler wsgi-script\n</Directory>\n</VirtualHost>\n",
                "DocumentRoot /var/www\n<Location /app>\nSetHandler wsgi-script\n</Location>\n",
            ],
        );
    }
}
