//! Dockerfiles and Containerfiles: the image's final stage lowered into container processes
//! and its environment, and the Python scripts it starts for the project rules.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, PackMatch, file_name, never};
use crate::catalog::Format;
use crate::model::container::Image;
use crate::model::view::{ParseError, View};
use crate::source::{MappedText, SourceFile, Span};
use crate::syntax::dockerfile::{self, Instruction};
use std::path::Path;

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Dockerfile,
    by_name: dockerfile_name,
    templates: true,
    sniff: dockerfile_content,
    interpreter: None,
    lint,
    contributes_facts: true,
    keep_text: never,
    pack: Some(PackMatch {
        key: "an instruction (FROM, RUN, ...)",
        find: pack_find,
    }),
    launches: Some(launches),
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let file = dockerfile::parse(input.source.text());
    let mut image = Image::new(&file);
    image.read_scripts(input.source.path(), input.source.text().len(), input.files);
    let deployment = image.deployment();
    // Template markup (`{% if %}`, `{{ var }}`) means the file is a template for a
    // Dockerfile, not one; its placeholders are not errors in what it will render.
    let errors: Vec<ParseError> = file
        .errors
        .iter()
        .filter(|e| !is_template_markup(&e.message))
        .map(|e| ParseError {
            span: e.span,
            message: e.message.clone(),
        })
        .collect();
    let mut diagnostics = check(&Lowered {
        view: View::Dockerfile {
            file: &file,
            image: &image,
        },
        deployment: &deployment,
        errors: &errors,
    });
    // Findings in a start script the image runs go to that file.
    image.remap(input.source.path(), &mut diagnostics);
    let mut linted = Linted {
        diagnostics,
        ..Linted::default()
    };
    linted.facts.script_launches = image.script_launches();
    linted
}

fn is_template_markup(message: &str) -> bool {
    message
        .strip_prefix("unknown instruction: ")
        .is_some_and(|word| word.starts_with('{'))
}

/// The start command of the final stage.
fn launches(_: &Path, text: &str) -> Vec<crate::model::launcher::Launch> {
    let file = dockerfile::parse(text);
    let image = Image::new(&file);
    image
        .final_stage()
        .map(|s| image.launches(s).into_iter().map(|l| l.launch).collect())
        .unwrap_or_default()
}

/// A pack's `key` is an instruction keyword; the text is everything after it.
fn pack_find(
    lowered: &Lowered<'_>,
    source: &SourceFile,
    key: Option<&str>,
    found: &mut dyn FnMut(&MappedText),
) {
    let View::Dockerfile { file, .. } = lowered.view else {
        return;
    };
    let mut visit = |instr: &Instruction| {
        if key.is_none_or(|k| k.eq_ignore_ascii_case(&instr.keyword)) {
            found(&MappedText::from_span(
                source.text(),
                Span::new(instr.keyword_span.end, instr.span.end),
            ));
        }
    };
    for instr in &file.instructions {
        visit(instr);
        if let Some(inner) = &instr.onbuild {
            visit(inner);
        }
    }
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
