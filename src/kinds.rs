//! The registry of file kinds: how a file is recognised by its name, and by its content where
//! the name alone is ambiguous. Adding a format means adding a row to `KINDS`; the walker and
//! engine never name a kind themselves.

use crate::catalog::Format;
use std::path::Path;

/// How strongly a file name says a file is of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    No,
    /// The name decides it.
    Yes,
    /// The name allows it; the content must confirm (see `KindSpec::sniff`).
    Maybe,
}

pub struct KindSpec {
    pub format: Format,
    pub by_name: fn(&Path) -> NameMatch,
    /// Whether the start of a file's text looks like this kind.
    pub sniff: fn(&str) -> bool,
}

pub static KINDS: &[KindSpec] = &[
    KindSpec {
        format: Format::Dockerfile,
        by_name: dockerfile_name,
        sniff: dockerfile_content,
    },
    KindSpec {
        format: Format::Compose,
        by_name: compose_name,
        sniff: compose_content,
    },
    KindSpec {
        format: Format::Procfile,
        by_name: procfile_name,
        sniff: procfile_content,
    },
    // Before Python: a gunicorn config is a `.py` file read for its settings.
    KindSpec {
        format: Format::Gunicorn,
        by_name: gunicorn_name,
        sniff: |_| false,
    },
    KindSpec {
        format: Format::Python,
        by_name: python_name,
        sniff: python_content,
    },
    KindSpec {
        format: Format::Systemd,
        by_name: systemd_name,
        sniff: systemd_content,
    },
    KindSpec {
        format: Format::Apache,
        by_name: apache_name,
        sniff: apache_content,
    },
];

/// What the name alone tells: a kind, a need to look at the content, or nothing.
pub enum Detection {
    Known(Format),
    NeedsContent,
    Unknown,
}

pub fn detect_by_name(path: &Path) -> Detection {
    let mut maybe = false;
    for spec in KINDS {
        match (spec.by_name)(path) {
            NameMatch::Yes => return Detection::Known(spec.format),
            NameMatch::Maybe => maybe = true,
            NameMatch::No => {}
        }
    }
    if maybe {
        Detection::NeedsContent
    } else {
        Detection::Unknown
    }
}

/// Decides between the kinds whose name matched `Maybe`; with `any_name`, also tries kinds the
/// name says nothing about (for files the user named explicitly). A shebang is the strongest
/// evidence and is weighed first: a script says which interpreter runs it.
pub fn detect_by_content(path: &Path, text: &str, any_name: bool) -> Option<Format> {
    let head = head_of(text);
    let allowed = |spec: &KindSpec| {
        let name = (spec.by_name)(path);
        name == NameMatch::Maybe || (any_name && name == NameMatch::No)
    };
    if let Some(script) = shebang_kind(head) {
        return script.filter(|format| KINDS.iter().any(|s| s.format == *format && allowed(s)));
    }
    KINDS
        .iter()
        .find(|spec| allowed(spec) && (spec.sniff)(head))
        .map(|spec| spec.format)
}

/// What a `#!` first line says: `None` without one, `Some(Some(Python))` for a Python
/// interpreter (`python3`, `/usr/bin/python3.11`, `env -S python3 -u`, `pypy3`,
/// `uv run --script`), `Some(None)` for any other interpreter (`sh`, `bash`, `node`): a script
/// in a language deploylint does not read, whatever keywords its lines start with.
pub fn shebang_kind(head: &str) -> Option<Option<Format>> {
    let line = head.strip_prefix("#!")?.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut program = basename(words.next().unwrap_or(""));
    if program == "env" {
        // `env [-S] [-i] [-u NAME] [NAME=value]... program`: skip to the program.
        let mut skip_next = false;
        program = "";
        for word in words.by_ref() {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if matches!(word, "-u" | "--unset" | "-C" | "--chdir") {
                skip_next = true;
            } else if !word.starts_with('-') && !word.contains('=') {
                program = basename(word);
                break;
            }
        }
    }
    let python = program
        .strip_prefix("python")
        .or_else(|| program.strip_prefix("pypy"))
        .is_some_and(|version| {
            version.is_empty()
                || version == "w"
                || version.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        // A PEP 723 script: `uv run --script` installs its dependencies and runs it.
        || (program == "uv" && words.next() == Some("run"));
    Some(python.then_some(Format::Python))
}

fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

fn head_of(text: &str) -> &str {
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn dockerfile_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
    let stem_match = |base: &str| {
        name == base
            || name.strip_prefix(base).is_some_and(|rest| {
                rest.starts_with('.') || rest.starts_with('-') || rest.starts_with('_')
            })
    };
    if stem_match("dockerfile") || stem_match("containerfile") {
        // `Dockerfile.dockerignore` and friends are not Dockerfiles.
        if name.ends_with(".dockerignore") || name.ends_with(".md") || name.ends_with(".txt") {
            return NameMatch::No;
        }
        return NameMatch::Yes;
    }
    // `api.dockerfile`, `prod-Dockerfile`, `web_Containerfile`.
    let suffixed = |base: &str| {
        name.strip_suffix(base)
            .is_some_and(|rest| rest.ends_with(['.', '-', '_']))
    };
    if suffixed("dockerfile") || suffixed("containerfile") {
        return NameMatch::Yes;
    }
    NameMatch::No
}

fn dockerfile_content(head: &str) -> bool {
    // The first instruction of a Dockerfile is FROM, or ARG before FROM.
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|word| word.eq_ignore_ascii_case("FROM"))
}

/// The file's own name: corpus-style `owner__repo__compose.yaml` names count by their last part.
fn own_name(path: &Path) -> String {
    let name = file_name(path).to_ascii_lowercase();
    name.rsplit("__").next().unwrap_or(&name).to_string()
}

/// `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yaml`, `compose.ci.yaml` by name;
/// other YAML files with `compose` as a word of their name (`compose-mysql.yml`) by content.
fn compose_name(path: &Path) -> NameMatch {
    let name = own_name(path);
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return NameMatch::No;
    };
    let conventional = ["compose", "docker-compose"].iter().any(|base| {
        stem == *base
            || stem
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-'))
    });
    if conventional {
        return NameMatch::Yes;
    }
    let word = stem.split(['.', '-', '_']).any(|part| part == "compose");
    if word {
        NameMatch::Maybe
    } else {
        NameMatch::No
    }
}

/// A compose file has `services:` (or, in version 1, services with an image or a build).
fn compose_content(head: &str) -> bool {
    head.lines().any(|l| {
        l.starts_with("services:")
            || l.starts_with("version:")
            || matches!(l.trim_start(), t if (t.starts_with("image:") || t.starts_with("build:")) && l.starts_with("  "))
    })
}

/// `Procfile`, and variants such as `Procfile.web` (by name) or `Procfile.dev`.
fn procfile_name(path: &Path) -> NameMatch {
    let name = file_name(path);
    let name = name.rsplit("__").next().unwrap_or(name);
    if name == "Procfile"
        || name.strip_prefix("Procfile.").is_some_and(|rest| {
            !rest.is_empty() && !matches!(rest.rsplit('.').next(), Some("md" | "txt" | "rst"))
        })
    {
        NameMatch::Yes
    } else {
        NameMatch::No
    }
}

fn procfile_content(_: &str) -> bool {
    false
}

/// `gunicorn.conf.py`, `gunicorn_config.py`, `gunicorn-prod.conf.py`, `gunicorn.py` (a module
/// named `gunicorn.py` in an app would shadow the server itself, so such a file is a config).
fn gunicorn_name(path: &Path) -> NameMatch {
    let name = own_name(path);
    let Some(stem) = name.strip_suffix(".py") else {
        return NameMatch::No;
    };
    let matches = stem == "gunicorn"
        || stem.strip_prefix("gunicorn").is_some_and(|rest| {
            rest.starts_with(['.', '-', '_'])
                && ["conf", "cfg", "config", "settings"]
                    .iter()
                    .any(|w| rest.contains(w))
        });
    if matches {
        NameMatch::Yes
    } else {
        NameMatch::No
    }
}

fn python_name(path: &Path) -> NameMatch {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "wsgi" | "pyw") => NameMatch::Yes,
        _ => NameMatch::No,
    }
}

/// A Python file without a `.py` name is recognised by its shebang (see `shebang_kind`).
fn python_content(_: &str) -> bool {
    false
}

/// Unit files (`app.service`, `web@.service`, `app.socket`, …), their `.in` build templates,
/// and drop-ins (`app.service.d/override.conf`).
fn systemd_name(path: &Path) -> NameMatch {
    use crate::model::systemd::{UNIT_TYPES, dropin_unit_name};
    let name = file_name(path);
    let name = name.strip_suffix(".in").unwrap_or(name);
    if dropin_unit_name(path).is_some() {
        return NameMatch::Yes;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && UNIT_TYPES.contains(&ext) => {
            // `.path`, `.target`, `.mount` … name other things too (`Containerfile.path`).
            if matches!(ext, "service" | "socket" | "timer") {
                NameMatch::Yes
            } else {
                NameMatch::Maybe
            }
        }
        _ => NameMatch::No,
    }
}

fn systemd_content(head: &str) -> bool {
    const SECTIONS: &[&str] = &[
        "[Unit]",
        "[Service]",
        "[Install]",
        "[Socket]",
        "[Timer]",
        "[Mount]",
        "[Path]",
    ];
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .is_some_and(|l| SECTIONS.contains(&l))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(name: &str) -> Option<Format> {
        match detect_by_name(Path::new(name)) {
            Detection::Known(f) => Some(f),
            _ => None,
        }
    }

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "Dockerfile-dev",
            "api.dockerfile",
            "Containerfile",
            "x/y/Containerfile.fedora",
            "prod-Dockerfile",
            "owner__repo__Dockerfile",
            "web.Containerfile",
        ] {
            assert_eq!(by_name(name), Some(Format::Dockerfile), "{name}");
        }
        for name in [
            "Dockerfile.dockerignore",
            "Dockerfiles",
            "README.md",
            "dockerfile.md",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
    }

    #[test]
    fn systemd_names() {
        for name in [
            "app.service",
            "deploy/web@.service",
            "app.socket",
            "app.timer",
            "podman.service.in",
            "etc/systemd/system/app.service.d/override.conf",
            "lib/web@.service.d/10-user.conf",
            "lib/-.slice.d/10-defaults.conf",
        ] {
            assert_eq!(by_name(name), Some(Format::Systemd), "{name}");
        }
        for name in [
            "service",
            ".service",
            "conf.d/app.conf",
            "app.service.d/notes.txt",
            "Makefile.in",
            "podman__test__Containerfile.path",
            "multi-user.target",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
        assert_eq!(
            detect_by_content(Path::new("x__Containerfile.path"), "FROM alpine\n", false),
            None
        );
        assert_eq!(
            detect_by_content(Path::new("app.target"), "[Unit]\nDescription=x\n", false),
            Some(Format::Systemd)
        );
        assert_eq!(
            detect_by_content(Path::new("unit"), "# x\n[Service]\nUser=app\n", true),
            Some(Format::Systemd)
        );
    }

    #[test]
    fn compose_procfile_gunicorn_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.override.yml",
            "docker-compose.prod.yaml",
            "compose.ci.yaml",
            "docker-compose-dev.yml",
            "owner__repo__compose.yaml",
        ] {
            assert_eq!(by_name(name), Some(Format::Compose), "{name}");
        }
        assert!(matches!(
            detect_by_name(Path::new("mysql-compose.yml")),
            Detection::NeedsContent
        ));
        assert_eq!(
            detect_by_content(
                Path::new("mysql-compose.yml"),
                "services:\n  db: {}\n",
                false
            ),
            Some(Format::Compose)
        );
        for name in [
            "composer.yml",
            "config.yaml",
            "kustomization.yaml",
            "compose.json",
        ] {
            assert_eq!(by_name(name), None, "{name}");
        }
        assert_eq!(by_name("Procfile"), Some(Format::Procfile));
        assert_eq!(by_name("Procfile.dev"), Some(Format::Procfile));
        assert_eq!(by_name("Procfile.md"), None);
        for name in [
            "gunicorn.conf.py",
            "gunicorn_config.py",
            "gunicorn.py",
            "conf/gunicorn-prod.conf.py",
        ] {
            assert_eq!(by_name(name), Some(Format::Gunicorn), "{name}");
        }
        assert_eq!(by_name("gunicorn_app.pyc"), None);
        assert_eq!(by_name("run_gunicorn.py"), Some(Format::Python));
        assert_eq!(by_name("gunicorn_app.py"), Some(Format::Python));
    }

    #[test]
    fn apache_names_and_content() {
        for name in [
            "apache2/sites-available/app.conf",
            "etc/httpd/conf.d/wsgi.conf",
            "mods-available/wsgi.load",
            "site/.htaccess",
            "httpd.conf",
            "apache2/site.conf",
            "conf-available/x.conf",
        ] {
            assert_eq!(by_name(name), Some(Format::Apache), "{name}");
        }
        for name in ["app.conf", "sites-available/app", "conf.d/app.conf"] {
            assert!(
                matches!(detect_by_name(Path::new(name)), Detection::NeedsContent),
                "{name}"
            );
        }
        for name in [
            "app.service.d/override.conf",
            "apache2/app.service.d/x.conf",
            "apache2/notes.txt",
        ] {
            assert!(
                !matches!(
                    detect_by_name(Path::new(name)),
                    Detection::Known(Format::Apache)
                ),
                "{name}"
            );
        }
        let apache = |text: &str| detect_by_content(Path::new("x/app.conf"), text, false);
        assert_eq!(
            apache("# site\n<VirtualHost *:80>\n</VirtualHost>\n"),
            Some(Format::Apache)
        );
        assert_eq!(apache("WSGIDaemonProcess app\n"), Some(Format::Apache));
        assert_eq!(apache("ServerTokens Prod\n"), Some(Format::Apache));
        assert_eq!(apache("[Service]\nUser=app\n"), None);
        assert_eq!(apache("server {\n  listen 80;\n}\n"), None);
        assert_eq!(apache("include /etc/nginx/x;\n"), None);
        assert_eq!(apache("user = app\n"), None);
        assert_eq!(apache("key=value\n"), None);
    }

    #[test]
    fn python_names_and_shebang() {
        assert_eq!(by_name("app.py"), Some(Format::Python));
        assert_eq!(by_name("site/app.wsgi"), Some(Format::Python));
        assert_eq!(by_name("app.pyc"), None);
        assert_eq!(
            detect_by_content(
                Path::new("runme"),
                "#!/usr/bin/env python3\nprint(1)\n",
                true
            ),
            Some(Format::Python)
        );
        assert_eq!(
            detect_by_content(Path::new("build"), "# comment\nFROM alpine\n", true),
            Some(Format::Dockerfile)
        );
        assert_eq!(detect_by_content(Path::new("notes"), "hello\n", true), None);
        assert_eq!(
            detect_by_content(Path::new("runme"), "#!/usr/bin/env python3\n", false),
            None
        );
    }

    #[test]
    fn shebang_is_weighed_before_keywords() {
        let sniff = |text: &str| detect_by_content(Path::new("bin/runme"), text, true);
        for python in [
            "#!/usr/bin/env python3\nfrom flask import Flask\n",
            "#!/usr/bin/env python\nfrom x import y\n",
            "#!/usr/bin/env python3.11\n",
            "#! /usr/bin/env python3\n",
            "#!/usr/bin/env -S python3 -u\nfrom x import y\n",
            "#!/usr/bin/env -S PYTHONUNBUFFERED=1 python3\n",
            "#!/usr/bin/env -u PYTHONPATH python3\n",
            "#!/usr/bin/python\n",
            "#!/usr/bin/python3.12\n",
            "#!/opt/app/venv/bin/python3\r\nimport os\r\n",
            "#!/usr/bin/env pypy3\n",
            "#!/usr/bin/env -S uv run --script\n# /// script\n",
        ] {
            assert_eq!(sniff(python), Some(Format::Python), "{python}");
        }
        for script in [
            "#!/bin/sh\ntimeout 30 ./manage.py migrate\n",
            "#!/bin/bash\nFROM=x\nfrom here\n",
            "#!/usr/bin/env bash\n[Service]\n",
            "#!/usr/bin/env node\nservices: 1\n",
            "#!/usr/bin/env pythonista\n",
            "#!/usr/bin/python-config\n",
            "#!\nFROM alpine\n",
        ] {
            assert_eq!(sniff(script), None, "{script}");
        }
        // Only where the name allows the kind: `app.conf` is Apache or nothing.
        assert_eq!(
            detect_by_content(Path::new("app.conf"), "#!/usr/bin/env python3\n", false),
            None
        );
        // Without a shebang, the keywords still decide.
        assert_eq!(sniff("FROM alpine\n"), Some(Format::Dockerfile));
        assert_eq!(shebang_kind("# !/bin/sh\n"), None);
    }
}
