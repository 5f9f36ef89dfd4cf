//! supervisord configurations: `supervisord.conf` and `supervisor.conf` by name, other `.conf`
//! and `.ini` files (`conf.d/app.conf`, `supervisord.d/app.ini`) when they hold a `[program:x]`
//! or `[supervisord]` section. Each program is a service whose `command=` is a launch; what
//! supervisord itself runs as comes from the file or from the main configuration beside or
//! above it.

use super::{
    Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, nearby, never,
};
use crate::catalog::Format;
use crate::files::FileSet;
use crate::model::compose::is_development_file;
use crate::model::deployment::{Placement, is_development_dir};
use crate::model::include::{Directories, expand_glob};
use crate::model::launcher::Program;
use crate::model::supervisord::{Manager, SupervisorConfig};
use crate::model::view::View;
use crate::source::{MappedText, SourceFile};
use std::path::{Path, PathBuf};

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Supervisord,
    by_name: supervisord_name,
    templates: true,
    sniff: supervisord_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: Some(PackMatch {
        key: "a key, as key or section.key (command, program:web.user)",
        find: pack_find,
    }),
    // Not offered: other front ends take a launcher beside their config for a container's
    // (gunicorn's placement), and supervisord runs on hosts as often as in containers.
    launches: None,
};

/// The names of supervisord's main configuration, which a `conf.d/` file is included from.
const MAIN_NAMES: &[&str] = &["supervisord.conf", "supervisor.conf"];

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let path = input.source.path();
    let config = SupervisorConfig::parse(input.source.text());
    let manager = Manager::of(&config.ini).or_else(|| main_manager(path, input.files));
    let deployment = if is_development(path, input.files) {
        Default::default()
    } else {
        let foreground = manager.as_ref().is_some_and(|m| m.foreground);
        let placement = if foreground
            || nearby::in_container_dir(path, input.files)
            || started_in_container(path, input.files)
        {
            Placement::Container
        } else {
            Placement::Host
        };
        config.deployment(manager.as_ref(), placement)
    };
    Linted {
        diagnostics: check(&Lowered {
            view: View::Supervisord(&config),
            deployment: &deployment,
            errors: &config.errors,
        }),
        ..Linted::default()
    }
}

/// A configuration for development or tests (`supervisord-dev.conf`, `local/`, `tests/`).
fn is_development(path: &Path, files: &FileSet) -> bool {
    is_development_file(&path.with_extension("yaml"))
        || nearby::tree_dirs(path, files)
            .iter()
            .any(|d| is_development_dir(d))
}

/// The `[supervisord]` settings of the main configuration in the file's directory or the two
/// above it, inside the linted trees, that includes the file (`conf.d/app.conf` beside
/// `../supervisord.conf` with `[include] files = conf.d/*.conf`).
fn main_manager(path: &Path, files: &FileSet) -> Option<Manager> {
    let canonical = std::fs::canonicalize(path).ok()?;
    let mut dir = canonical.parent();
    for _ in 0..3 {
        let d = dir?;
        if !files.contains(d) {
            return None;
        }
        for name in MAIN_NAMES {
            let candidate = d.join(name);
            if candidate != canonical
                && let Ok(file) = files.read(&candidate)
            {
                let config = SupervisorConfig::parse(&file.text);
                if let Some(manager) = Manager::of(&config.ini)
                    && includes(&config, d, &canonical, files)
                {
                    return Some(manager);
                }
            }
        }
        dir = d.parent();
    }
    None
}

/// Whether the main configuration `config` in directory `dir` includes the file `canonical`:
/// one of its `[include] files` globs, relative to `dir` (an absolute one where the tree holds
/// it, else by its trailing part, as `/etc/supervisor/conf.d/*.conf` in a copy of
/// `etc/supervisor`), matches it. A glob with a variable other than `%(here)s` may match it.
fn includes(config: &SupervisorConfig, dir: &Path, canonical: &Path, files: &FileSet) -> bool {
    const MAX_MATCHES: usize = 500;
    let here = dir.to_string_lossy();
    crate::model::supervisord::include_patterns(&config.ini)
        .iter()
        .any(|pattern| {
            let pattern = pattern.replace("%(here)s", &here);
            if pattern.contains("%(") {
                return true;
            }
            let path = Path::new(&pattern);
            let candidates: Vec<PathBuf> = if path.is_absolute() {
                let parts: Vec<&std::ffi::OsStr> = path
                    .components()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(p) => Some(p),
                        _ => None,
                    })
                    .collect();
                // The deployed system's path itself only where it is inside the linted tree.
                files
                    .contains(path)
                    .then(|| path.to_path_buf())
                    .into_iter()
                    .chain(
                        (0..parts.len().saturating_sub(1))
                            .map(|skip| dir.join(parts[skip..].iter().collect::<PathBuf>())),
                    )
                    .collect()
            } else {
                vec![dir.join(path)]
            };
            candidates.iter().any(|c| {
                expand_glob(c, Directories::Skip, MAX_MATCHES)
                    .iter()
                    .filter_map(|f| std::fs::canonicalize(f).ok())
                    .any(|f| f == canonical && files.contains(&f))
            })
        })
}

/// Whether a Dockerfile, compose file or Procfile near the file starts supervisord.
fn started_in_container(path: &Path, files: &FileSet) -> bool {
    nearby::started_nearby(
        path,
        files,
        "supervisor",
        |l| matches!(&l.program, Program::Other { name } if name.starts_with("supervisord")),
    )
}

/// A pack's `key` is `key` or `section.key`; the text is the value.
fn pack_find(
    lowered: &Lowered<'_>,
    _: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Supervisord(config) = lowered.view else {
        return;
    };
    for section in &config.ini.sections {
        for entry in &section.entries {
            let named = key.is_none_or(|k| {
                k.eq_ignore_ascii_case(&entry.key)
                    || k.eq_ignore_ascii_case(&format!("{}.{}", section.name, entry.key))
            });
            if named {
                found(&entry.value);
            }
        }
    }
}

/// `supervisord.conf` and `supervisor.conf` by name; other `.conf` and `.ini` files by content.
fn supervisord_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
    if MAIN_NAMES.contains(&name.as_str()) {
        NameMatch::Yes
    } else if name.ends_with(".conf") || name.ends_with(".ini") {
        NameMatch::Maybe
    } else {
        NameMatch::No
    }
}

/// A section header only supervisord has.
fn supervisord_content(head: &str) -> bool {
    head.lines().any(|l| {
        let l = l.trim();
        l.starts_with('[')
            && [
                "[program:",
                "[fcgi-program:",
                "[eventlistener:",
                "[group:",
                "[supervisord]",
                "[supervisorctl]",
                "[inet_http_server]",
                "[unix_http_server]",
                "[rpcinterface:",
            ]
            .iter()
            .any(|h| l.starts_with(h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_content() {
        assert_eq!(
            supervisord_name(Path::new("supervisord.conf")),
            NameMatch::Yes
        );
        assert_eq!(
            supervisord_name(Path::new("etc/Supervisor.conf")),
            NameMatch::Yes
        );
        assert_eq!(
            supervisord_name(Path::new("conf.d/app.conf")),
            NameMatch::Maybe
        );
        assert_eq!(
            supervisord_name(Path::new("supervisord.d/app.ini")),
            NameMatch::Maybe
        );
        assert_eq!(supervisord_name(Path::new("app.service")), NameMatch::No);
        assert!(supervisord_content("; c\n[program:web]\ncommand=x\n"));
        assert!(supervisord_content("[supervisord]\nnodaemon=true\n"));
        assert!(!supervisord_content("[uwsgi]\nsocket = :1\n"));
        assert!(!supervisord_content("[group]\nname = x\n"));
        assert!(!supervisord_content("server {\n  listen 80;\n}\n"));
    }
}
