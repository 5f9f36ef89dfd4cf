//! DOC004: `AddHandler`/`SetHandler wsgi-script` in a context where `Options ExecCGI` is on:
//! every `.wsgi`/`.py` file dropped into that directory (an upload bug, a stray generated
//! file) becomes code Apache runs.

use crate::model::apache::{Apache, is_under};
use crate::rules::wsgi::{apache_of, mentions};
use crate::rules::{FileContext, Rule, Sink};

pub const RULE: Rule = Rule {
    code: "DOC004",
    check,
    prefilter: Some(|f, t| mentions(f, t, "wsgi-script") && mentions(f, t, "options")),
};

fn check(ctx: &FileContext<'_>, sink: &mut Sink<'_>) {
    let Some(apache) = apache_of(ctx) else {
        return;
    };
    for e in apache.named("addhandler").chain(apache.named("sethandler")) {
        let is_wsgi = apache.entries[e]
            .args
            .first()
            .is_some_and(|h| h.eq_ignore_ascii_case("wsgi-script"));
        if !is_wsgi || !apache.is_local(e) {
            continue;
        }
        if let Some(enabling) = exec_cgi_enabled_by(apache, e) {
            let d = sink.report(
                apache.node(e).name_span,
                "the wsgi-script handler applies where Options ExecCGI is on: any script file placed here can be run",
            );
            apache.label(
                d,
                enabling,
                apache.node(enabling).name_span,
                "ExecCGI enabled here",
            );
        }
    }
}

/// The `Options` directive that leaves ExecCGI on in the handler's context, if any: those of
/// enclosing `<Directory>` sections (shorter paths first, as httpd merges them), then those
/// beside the handler, in order.
fn exec_cgi_enabled_by(apache: &Apache, handler: usize) -> Option<usize> {
    let h = &apache.entries[handler];
    let here = h.section;
    let dir = here
        .filter(|&s| apache.entries[s].name == "directory")
        .and_then(|s| apache.entries[s].args.first().cloned())
        .filter(|d| d != "~");
    let mut options: Vec<(usize, usize)> = Vec::new();
    for o in apache.named("options") {
        let entry = &apache.entries[o];
        if entry.scope != h.scope && entry.scope != 0 {
            continue;
        }
        if entry.section == here && (entry.scope == h.scope || here.is_some()) {
            options.push((usize::MAX, o));
        } else if let (Some(dir), Some(s)) = (&dir, entry.section)
            && apache.entries[s].name == "directory"
            && let Some(outer) = apache.entries[s].args.first()
            && outer != "~"
            && outer.trim_end_matches('/') != dir.trim_end_matches('/')
            && is_under(dir, outer)
        {
            options.push((outer.split('/').filter(|c| !c.is_empty()).count(), o));
        }
    }
    options.sort();
    let mut on: Option<usize> = None;
    for (_, o) in options {
        let args = &apache.entries[o].args;
        if args.iter().any(|a| !a.starts_with(['+', '-'])) {
            on = None;
        }
        for arg in args {
            let (sign, name) = match arg.strip_prefix('+') {
                Some(n) => (true, n),
                None => match arg.strip_prefix('-') {
                    Some(n) => (false, n),
                    None => (true, arg.as_str()),
                },
            };
            if name.eq_ignore_ascii_case("execcgi") || (sign && name.eq_ignore_ascii_case("all")) {
                on = sign.then_some(o);
            }
        }
    }
    on
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};
    use crate::rules::wsgi::SITE;

    #[test]
    fn vectors() {
        fires_once(
            "DOC004",
            SITE,
            &[
                (
                    "<Directory /srv/wsgi>\nOptions +ExecCGI\nAddHandler wsgi-script .wsgi .py\n</Directory>\n",
                    "AddHandler",
                ),
                (
                    "<Directory /srv>\nOptions All\n</Directory>\n<Directory /srv/wsgi>\nSetHandler wsgi-script\n</Directory>\n",
                    "SetHandler",
                ),
                (
                    "Options ExecCGI Indexes\nAddHandler WSGI-Script .wsgi\n",
                    "AddHandler",
                ),
            ],
        );
        quiet(
            "DOC004",
            SITE,
            &[
                "<Directory /srv/wsgi>\nOptions +ExecCGI -ExecCGI\nAddHandler wsgi-script .wsgi\n</Directory>\n",
                "<Directory /srv>\nOptions ExecCGI\n</Directory>\n<Directory /srv/wsgi>\nOptions None\nAddHandler wsgi-script .wsgi\n</Directory>\n",
                "<Directory /srv/cgi>\nOptions +ExecCGI\nAddHandler cgi-script .cgi\n</Directory>\n",
                "<Directory /srv/a>\nOptions +ExecCGI\n</Directory>\n<Directory /srv/b>\nAddHandler wsgi-script .wsgi\n</Directory>\n",
            ],
        );
    }
}
