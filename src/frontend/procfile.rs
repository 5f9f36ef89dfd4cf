//! Procfiles: each `name: command` line a process the platform starts in its own dyno.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, never};
use crate::catalog::Format;
use crate::model::procfile;
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Procfile,
    by_name: procfile_name,
    templates: true,
    sniff: procfile_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: Some(PackMatch {
        key: "a process type (web, worker)",
        find: pack_find,
    }),
    launches: Some(launches),
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let file = procfile::parse(input.source.text());
    let deployment = file.deployment(input.source.path());
    let errors: Vec<ParseError> = file
        .errors
        .iter()
        .map(|span| ParseError {
            span: *span,
            message: "not a `process: command` line".to_string(),
        })
        .collect();
    Linted {
        diagnostics: check(&Lowered {
            view: View::Procfile(&file),
            deployment: &deployment,
            errors: &errors,
        }),
        ..Linted::default()
    }
}

fn launches(_: &Path, text: &str) -> Vec<crate::model::launcher::Launch> {
    procfile::parse(text)
        .processes
        .iter()
        .flat_map(|p| crate::model::launcher::from_shell(&p.command))
        .collect()
}

/// A pack's `key` is a process type; the text is its command.
fn pack_find(
    lowered: &Lowered<'_>,
    _: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Procfile(file) = lowered.view else {
        return;
    };
    for process in &file.processes {
        if key.is_none_or(|k| k.eq_ignore_ascii_case(&process.name)) {
            found(&process.command);
        }
    }
}

/// `Procfile` by name; variants such as `Procfile.web` or `Procfile.dev` when their content
/// reads as one (a `Procfile.sh` that starts with `#!` is the script a process runs).
fn procfile_name(path: &Path) -> NameMatch {
    let name = file_name(path);
    if name == "Procfile" {
        NameMatch::Yes
    } else if name.strip_prefix("Procfile.").is_some_and(|rest| {
        !rest.is_empty() && !matches!(rest.rsplit('.').next(), Some("md" | "txt" | "rst"))
    }) {
        NameMatch::Maybe
    } else {
        NameMatch::No
    }
}

/// No `#!` line, and the first line that is not blank or a comment is `name: command` (an
/// empty text is nothing's: content sniffing of unnamed input must not claim it).
fn procfile_content(text: &str) -> bool {
    if text.starts_with("#!") {
        return false;
    }
    let parsed = procfile::parse(text);
    parsed.processes.first().is_some_and(|first| {
        parsed
            .errors
            .first()
            .is_none_or(|e| first.name_span.start < e.start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_procfiles_by_content() {
        assert!(matches!(
            procfile_name(Path::new("Procfile")),
            NameMatch::Yes
        ));
        assert!(matches!(
            procfile_name(Path::new("Procfile.dev")),
            NameMatch::Maybe
        ));
        assert!(matches!(
            procfile_name(Path::new("Procfile.md")),
            NameMatch::No
        ));
        assert!(procfile_content(
            "web: gunicorn app:app\nworker: celery -A app worker\n"
        ));
        assert!(procfile_content("# processes\n\nweb: flask run\n"));
        assert!(!procfile_content("#!/bin/sh\nexec gunicorn app:app\n"));
        assert!(!procfile_content("set -e\nexec gunicorn app:app\n"));
        // Unnamed empty input (`check -`) is not a Procfile.
        assert!(!procfile_content(""));
        assert!(!procfile_content("# only a comment\n"));
    }
}
