//! gunicorn configuration files (`gunicorn.conf.py`), read as Python and never executed:
//! the settings lowered into a gunicorn process, placed in a container when a launcher
//! around the file starts gunicorn with it.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, file_name, never};
use crate::catalog::Format;
use crate::files::FileSet;
use crate::model::deployment::{Deployment, Placement};
use crate::model::gunicorn::GunicornConfig;
use crate::model::launcher::Program;
use crate::model::python::{self, Semantic};
use crate::model::view::View;
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Gunicorn,
    by_name: gunicorn_name,
    templates: true,
    sniff: never,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: None,
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let text = input.source.text();
    let file = python::parse(text);
    let diagnostics = match Semantic::new(&file, text) {
        Some(ref python) => {
            let config = GunicornConfig::read(python);
            let placement = placement(input.source.path(), input.files);
            let deployment = config.deployment(placement);
            check(&Lowered {
                view: View::Gunicorn {
                    python,
                    config: &config,
                },
                deployment: &deployment,
                errors: &[],
            })
        }
        None => check(&Lowered {
            view: View::None,
            deployment: &Deployment::default(),
            errors: &[],
        }),
    };
    Linted {
        diagnostics,
        ..Linted::default()
    }
}

/// `gunicorn.conf.py`, `gunicorn_config.py`, `gunicorn-prod.conf.py`, `gunicorn.py` (a module
/// named `gunicorn.py` in an app would shadow the server itself, so such a file is a config).
fn gunicorn_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
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

/// How many directories above the config are searched for what starts gunicorn with it.
const SEARCH_UP: usize = 3;

/// Where the server configured by the file at `path` runs. A config file alone does not say,
/// so it is taken to run on a host unless a Dockerfile, compose file or Procfile in its
/// directory or up to three above (inside the linted trees) starts gunicorn with it:
/// `-c <this file>`, or no `-c` at all for a file named `gunicorn.conf.py` (gunicorn reads
/// that from its working directory by default).
fn placement(path: &Path, files: &FileSet) -> Placement {
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return Placement::Host;
    };
    let Some(file_name) = canonical.file_name().and_then(|n| n.to_str()) else {
        return Placement::Host;
    };
    let is_default_name = file_name == "gunicorn.conf.py";
    let mut dir = canonical.parent();
    for _ in 0..=SEARCH_UP {
        let Some(d) = dir else { break };
        if !files.contains(d) {
            break;
        }
        if starts_gunicorn_in(d, file_name, is_default_name, files) {
            return Placement::Container;
        }
        dir = d.parent();
    }
    Placement::Host
}

fn starts_gunicorn_in(dir: &Path, config: &str, is_default_name: bool, files: &FileSet) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(launches) = super::decided_by_name(&path).and_then(|f| f.launches) else {
            continue;
        };
        seen += 1;
        if seen > 32 {
            return false;
        }
        let Ok(file) = files.read(&path) else {
            continue;
        };
        if !file.text.contains("gunicorn") {
            continue;
        }
        if launches(&path, &file.text).iter().any(|l| {
            l.program == Program::Gunicorn
                && match l.option(&["-c", "--config"]) {
                    Some(c) => c
                        .as_str()
                        .trim_start_matches("python:")
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n == config),
                    None => is_default_name,
                }
        }) {
            return true;
        }
    }
    false
}
