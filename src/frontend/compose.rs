//! docker-compose files: each production service's command and environment lowered into
//! processes (in a container, or on the host with `network_mode: host`).

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, file_name, never};
use crate::catalog::Format;
use crate::files::FileSet;
use crate::model::compose::{self, Reader};
use crate::model::view::{ParseError, View};
use crate::syntax::yaml;
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Compose,
    by_name: compose_name,
    templates: true,
    sniff: compose_content,
    interpreter: None,
    lint,
    contributes_facts: false,
    keep_text: never,
    pack: None,
    launches: Some(launches),
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let doc = yaml::parse(input.source.text());
    let file = compose::read(
        &doc,
        &Reader {
            path: input.source.path(),
            files: input.files,
        },
    );
    let deployment = file.deployment();
    // A Jinja/cookiecutter template is not YAML until rendered.
    let errors: Vec<ParseError> = file
        .error
        .iter()
        .filter(|_| !is_template(input.source.text()))
        .map(|e| ParseError {
            span: e.span,
            message: format!("invalid YAML: {}", e.message),
        })
        .collect();
    Linted {
        diagnostics: check(&Lowered {
            view: View::Compose(&file),
            deployment: &deployment,
            errors: &errors,
        }),
        ..Linted::default()
    }
}

/// Text with Jinja markup (`{{ var }}`, `{% if %}`).
fn is_template(text: &str) -> bool {
    text.contains("{{") && text.contains("}}") || text.contains("{%")
}

/// Every service's start command (development services too: a config they start is used).
fn launches(path: &Path, text: &str) -> Vec<crate::model::launcher::Launch> {
    let doc = yaml::parse(text);
    let files = FileSet::default();
    let file = compose::read(
        &doc,
        &Reader {
            path,
            files: &files,
        },
    );
    file.services
        .iter()
        .flat_map(|s| s.launches().into_iter().map(|(l, _)| l))
        .collect()
}

/// `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yaml`, `compose.ci.yaml` by name;
/// other YAML files with `compose` as a word of their name (`compose-mysql.yml`) by content.
fn compose_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
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

/// Top-level keys of the Compose specification other than `services:` that a file holding
/// only shared definitions (`include:`d by another) starts with.
const TOP_LEVEL_KEYS: &[&str] = &["include:", "networks:", "volumes:", "configs:", "secrets:"];

/// A compose file has `services:` (or, in version 1, services with an image or a build), or
/// only the other top-level definitions of the specification.
fn compose_content(head: &str) -> bool {
    head.lines().any(|l| {
        l.starts_with("services:")
            || l.starts_with("version:")
            || TOP_LEVEL_KEYS.iter().any(|k| l.starts_with(k))
            || matches!(l.trim_start(), t if (t.starts_with("image:") || t.starts_with("build:")) && l.starts_with("  "))
    })
}
