//! Apache httpd configuration: the linted file with what it includes and the server
//! configuration around it, as typed entries (virtual hosts, daemon groups, mounts).

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, never};
use crate::catalog::Format;
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Apache,
    by_name: apache_name,
    templates: true,
    sniff: apache_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: Some(PackMatch {
        key: "a directive (ServerSignature, WSGIDaemonProcess, ...)",
        find: pack_find,
    }),
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let apache = crate::model::apache::load(input.source, input.files);
    // The linted file's own errors, and include cycles found from it.
    let errors: Vec<ParseError> = apache.units[0]
        .conf
        .errors
        .iter()
        .map(|e| (e.span, &e.message))
        .chain(apache.errors.iter().map(|(span, message)| (*span, message)))
        .map(|(span, message)| ParseError {
            span,
            message: message.clone(),
        })
        .collect();
    let mut linted = Linted {
        diagnostics: check(&Lowered {
            view: View::Apache(&apache),
            deployment: &apache.deployment(),
            errors: &errors,
        }),
        ..Linted::default()
    };
    linted.facts.notes = apache.notes.clone();
    linted
}

/// A pack's `key` is a directive of the linted file (included files answer for themselves);
/// the text is its arguments.
fn pack_find(
    lowered: &Lowered<'_>,
    source: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Apache(apache) = lowered.view else {
        return;
    };
    let conf = &apache.units[0].conf;
    for (node, _) in conf.walk() {
        let node = &conf.nodes[node];
        if !key.is_none_or(|k| k.eq_ignore_ascii_case(&node.name)) {
            continue;
        }
        let (Some(first), Some(last)) = (node.args.first(), node.args.last()) else {
            continue;
        };
        let args = first.span().cover(last.span());
        found(&MappedText::from_span(source.text(), args));
    }
}

/// Directories that hold only Apache httpd configuration (Debian's and Red Hat's layouts).
const APACHE_DIRS: &[&str] = &[
    "apache2",
    "apache",
    "httpd",
    "conf-available",
    "conf-enabled",
    "mods-available",
    "mods-enabled",
    "conf.modules.d",
];

fn apache_name(path: &Path) -> NameMatch {
    let name = file_name(path);
    if name == ".htaccess" || name == "httpd.conf" || name == "apache2.conf" {
        return NameMatch::Yes;
    }
    let parent = |p: &Path| {
        p.parent()
            .and_then(|d| d.file_name())
            .and_then(|d| d.to_str())
            .unwrap_or("")
            .to_string()
    };
    let dir = parent(path);
    // systemd drop-ins (`app.service.d/override.conf`) are not Apache files.
    let unit_dropin = [
        ".service.d",
        ".socket.d",
        ".timer.d",
        ".mount.d",
        ".slice.d",
        ".scope.d",
        ".path.d",
        ".target.d",
    ]
    .iter()
    .any(|s| dir.ends_with(s));
    if unit_dropin {
        return NameMatch::No;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let in_apache_dir = path
        .ancestors()
        .skip(1)
        .filter_map(|d| d.file_name().and_then(|n| n.to_str()))
        .any(|d| APACHE_DIRS.contains(&d));
    match ext {
        "conf" | "load" if in_apache_dir => NameMatch::Yes,
        "conf" => NameMatch::Maybe,
        // `sites-available/` is nginx's layout too; other files in Apache's directories
        // (`envvars`, `magic`) are not configuration unless they read like it.
        "" if in_apache_dir || matches!(dir.as_str(), "sites-available" | "sites-enabled") => {
            NameMatch::Maybe
        }
        _ => NameMatch::No,
    }
}

/// Directive names only Apache uses, matched in any case.
const APACHE_DIRECTIVES: &[&str] = &[
    "servername",
    "serveralias",
    "serveradmin",
    "serverroot",
    "documentroot",
    "servertokens",
    "serversignature",
    "loadmodule",
    "errorlog",
    "customlog",
    "loglevel",
    "logformat",
    "rewriteengine",
    "rewriterule",
    "rewritecond",
    "proxypass",
    "proxypassreverse",
    "scriptalias",
    "addhandler",
    "sethandler",
    "addtype",
    "directoryindex",
    "allowoverride",
    "keepalive",
    "timeout",
    "namevirtualhost",
    "sslengine",
    "sslcertificatefile",
    "requestreadtimeout",
    "limitrequestbody",
    "traceenable",
    "hostnamelookups",
    "addoutputfilterbytype",
    "adddefaultcharset",
    "browsermatch",
    "setenvif",
    "redirectmatch",
    "aliasmatch",
    "authtype",
    "authname",
    "authuserfile",
    "usecanonicalname",
    "accessfilename",
    "pidfile",
    "defaultruntimedir",
    "mutex",
];

/// Short names other formats (nginx) use too: Apache only when written in Apache's case.
const APACHE_CAMEL_DIRECTIVES: &[&str] = &[
    "Include",
    "IncludeOptional",
    "Listen",
    "User",
    "Group",
    "Alias",
    "Options",
    "Require",
    "Header",
    "Define",
    "Redirect",
    "Order",
    "Allow",
    "Deny",
    "Use",
];

fn apache_content(head: &str) -> bool {
    let mut seen = 0;
    for line in head.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        seen += 1;
        if seen > 40 || line.ends_with(';') || line.ends_with('{') || line.starts_with('[') {
            return false;
        }
        if let Some(section) = line.strip_prefix('<') {
            let name: String = section
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.len() > 1 && section.trim_end().ends_with('>') {
                return true;
            }
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("wsgi")
            || APACHE_DIRECTIVES.contains(&lower.as_str())
            || APACHE_CAMEL_DIRECTIVES.contains(&word)
        {
            return true;
        }
    }
    false
}
