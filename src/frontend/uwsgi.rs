//! uWSGI configurations: `uwsgi*.ini` and `uwsgi*.yaml` by name, other `.ini` files with a
//! `[uwsgi]` section and YAML files with a top-level `uwsgi:` key by content. The server they
//! configure runs on a host unless a container launcher around the file starts uWSGI with it.

use super::{
    Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, nearby, never,
};
use crate::catalog::Format;
use crate::files::FileSet;
use crate::model::compose::is_development_file;
use crate::model::deployment::{Placement, is_development_dir};
use crate::model::launcher::Program;
use crate::model::project::Facts;
use crate::model::uwsgi::{UwsgiConfig, split_section};
use crate::model::view::View;
use crate::source::{MappedText, SourceFile};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Uwsgi,
    by_name: uwsgi_name,
    templates: true,
    sniff: uwsgi_content,
    // `#!/usr/bin/uwsgi --ini` makes an ini file executable.
    interpreter: Some(|program, _| program == "uwsgi" || program.starts_with("uwsgi_")),
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: Some(PackMatch {
        key: "an option (socket, uid, env)",
        find: pack_find,
    }),
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let path = input.source.path();
    let config = UwsgiConfig::read(path, input.source.text(), input.files);
    let deployment = if is_development(path, input.files) {
        Default::default()
    } else {
        config.deployment(placement(path, input.files))
    };
    let mut notes = config.notes.clone();
    if !config.has_section {
        notes.push(format!(
            "{}: no [uwsgi] section, so `uwsgi --ini` reads nothing from it unless given a \
             section (`--ini {}:name`); it was not checked",
            path.display(),
            file_name(path)
        ));
    }
    Linted {
        diagnostics: check(&Lowered {
            view: View::Uwsgi(&config),
            deployment: &deployment,
            errors: &config.errors,
        }),
        facts: Facts {
            notes,
            ..Facts::default()
        },
    }
}

/// A pack's `key` is an option name; the text is each of its values.
fn pack_find(
    lowered: &Lowered<'_>,
    source: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Uwsgi(config) = lowered.view else {
        return;
    };
    for option in config.options.iter().filter(|o| !o.included) {
        if key.is_none_or(|k| k == option.key) {
            found(&MappedText::from_span(source.text(), option.value_span));
        }
    }
}

/// A file for development or tests (`uwsgi-dev.ini`, `local/uwsgi.ini`, `tests/…`), where a
/// reloader or a debug variable is intended: it deploys nothing.
fn is_development(path: &Path, files: &FileSet) -> bool {
    is_development_file(&path.with_extension("yaml"))
        || nearby::tree_dirs(path, files)
            .iter()
            .any(|d| is_development_dir(d))
}

/// Where the configured server runs. A config alone does not say, so it runs on a host unless
/// it sits in a directory for container builds (`docker/`, `.docker/`, `k8s/`) or a
/// Dockerfile, compose file or Procfile in its directory or up to three above starts uWSGI
/// with it (`--ini` naming it) or with no config file on its command line (the image then
/// names it in `UWSGI_INI`).
fn placement(path: &Path, files: &FileSet) -> Placement {
    let name = file_name(path).to_string();
    let started = nearby::started_nearby(path, files, "uwsgi", |l| {
        l.program == Program::Uwsgi
            && match l.option(&["--ini", "--yaml", "--yml"]) {
                Some(c) => {
                    let (file, _) = split_section(c.as_str());
                    file.rsplit('/').next() == Some(name.as_str())
                }
                None => !l.args.iter().any(|a| a.as_str().ends_with(".ini")),
            }
    });
    if started || nearby::in_container_dir(path, files) {
        Placement::Container
    } else {
        Placement::Host
    }
}

/// `uwsgi.ini`, `uwsgi-prod.ini`, `uwsgi_rest.yaml` by name; other `.ini`, `.yaml` and `.yml`
/// files by content.
fn uwsgi_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
    let Some(stem) = name
        .strip_suffix(".ini")
        .or_else(|| name.strip_suffix(".yaml"))
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return NameMatch::No;
    };
    if stem.starts_with("uwsgi") {
        NameMatch::Yes
    } else {
        NameMatch::Maybe
    }
}

/// An ini `[uwsgi]` section header, or a YAML document whose top-level key is `uwsgi:`.
fn uwsgi_content(head: &str) -> bool {
    head.lines()
        .any(|l| l.trim() == "[uwsgi]" || l.trim_end() == "uwsgi:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_content() {
        for name in [
            "uwsgi.ini",
            "deploy/uWSGI.ini",
            "uwsgi-prod.ini",
            "uwsgi_rest.yml",
        ] {
            assert_eq!(uwsgi_name(Path::new(name)), NameMatch::Yes, "{name}");
        }
        for name in ["app.ini", "x.yaml", "site.yml"] {
            assert_eq!(uwsgi_name(Path::new(name)), NameMatch::Maybe, "{name}");
        }
        for name in ["uwsgi.conf", "uwsgi.py", "uwsgi", "uwsgi.ini.j2"] {
            assert_eq!(uwsgi_name(Path::new(name)), NameMatch::No, "{name}");
        }
        assert!(uwsgi_content("; c\n[uwsgi]\nsocket = :1\n"));
        assert!(uwsgi_content("uwsgi:\n  socket: :1\n"));
        assert!(!uwsgi_content("[tox]\nenvlist = py3\n"));
        assert!(!uwsgi_content("[app:main]\nuse = egg:x\n# [uwsgi]\n"));
        assert!(!uwsgi_content("services:\n  uwsgi:\n    image: x\n"));
    }
}
