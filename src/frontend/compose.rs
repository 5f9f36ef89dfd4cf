//! docker-compose files: each production service's command and environment lowered into
//! processes (in a container, or on the host with `network_mode: host`).

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, file_name, never};
use crate::catalog::Format;
use crate::diagnostic::Diagnostic;
use crate::files::FileSet;
use crate::model::compose::{self, Reader};
use crate::model::view::{ParseError, View};
use crate::source::Span;
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
        .chain(file.invalid.iter().map(|(span, message)| ParseError {
            span: *span,
            message: format!("invalid port: {message}"),
        }))
        .collect();
    let mut diagnostics = check(&Lowered {
        view: View::Compose(&file),
        deployment: &deployment,
        errors: &errors,
    });
    merge_inherited(&doc, &mut diagnostics);
    let mut linted = Linted {
        diagnostics,
        ..Linted::default()
    };
    linted.facts.builds = builds(&file, input.source.path());
    linted
}

/// The Dockerfiles the services are built from, and why a service is development.
fn builds(file: &compose::ComposeFile, path: &Path) -> Vec<crate::model::project::BuildFact> {
    let own_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    file.services
        .iter()
        .filter_map(|service| {
            let build = service.build.as_ref()?;
            let image = build.dockerfile.as_ref()?;
            let development = service.development.then(|| {
                if let Some(arg) = &build.development_arg {
                    format!("its build sets `{arg}`")
                } else if let Some(target) = build
                    .target
                    .as_deref()
                    .filter(|t| compose::is_development_word(t))
                {
                    format!("it builds the `{target}` stage")
                } else if compose::is_development_file(path) {
                    format!(
                        "`{}` is a development compose file",
                        own_name.as_deref().unwrap_or_default()
                    )
                } else {
                    "its file, name, profile or command says development".to_string()
                }
            });
            Some(crate::model::project::BuildFact {
                built_from: image.path.clone(),
                service: service.name.value.clone(),
                development,
                host_network: service.host_network.is_some() && service.launches().is_empty(),
            })
        })
        .collect()
}

/// The services of a compose file: name, node, and the text its definition covers (an alias
/// `web: *base` covers only the alias).
fn service_regions(doc: &yaml::Yaml<'_>) -> Vec<(String, yaml::NodeId, Span)> {
    let Some(root) = doc.root.filter(|r| doc.is_map(*r)) else {
        return Vec::new();
    };
    let services = doc.value(root, "services").unwrap_or(root);
    let yaml::Kind::Map(pairs) = &doc.node(services).kind else {
        return Vec::new();
    };
    pairs
        .iter()
        .filter_map(|&(key, node)| {
            Some((doc.scalar(key)?.to_string(), node, doc.nodes()[node].span))
        })
        .filter(|(name, ..)| !name.starts_with("x-"))
        .collect()
}

/// Whether the settings `service` ends up with (merges applied, its own keys winning) include
/// the text at `span`: a value, or a `key: value` pair. Bounded, as merges can multiply.
fn reaches(doc: &yaml::Yaml<'_>, service: yaml::NodeId, span: Span) -> bool {
    let within = |outer: Span| outer.start <= span.start && span.end <= outer.end;
    let mut stack = vec![service];
    let mut seen = std::collections::HashSet::new();
    let mut budget = 10_000usize;
    while let Some(node) = stack.pop() {
        let node = doc.resolve(node);
        if !seen.insert(node) || budget == 0 {
            continue;
        }
        budget -= 1;
        match &doc.node(node).kind {
            yaml::Kind::Map(_) => {
                for (key, value) in doc.entries(node) {
                    let (k, v) = (doc.span(key), doc.span(value));
                    if span.start >= k.start && span.end <= v.end.max(k.end) && span.start < k.end {
                        return true;
                    }
                    stack.push(value);
                }
            }
            yaml::Kind::Seq(items) => stack.extend(items.iter().copied()),
            _ => {
                if within(doc.span(node)) {
                    return true;
                }
            }
        }
    }
    false
}

/// One finding per fact: several services that inherit the same settings through a YAML
/// anchor (`<<: *base`, `ports: *ports`) give one finding each at the anchored text; they
/// become one finding that names the services, with a label where each one inherits it.
fn merge_inherited(doc: &yaml::Yaml<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let nodes = doc.nodes();
    let regions = service_regions(doc);
    let within = |outer: Span, inner: Span| outer.start <= inner.start && inner.end <= outer.end;
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics.drain(..) {
        if let Some(first) = merged
            .iter_mut()
            .find(|m| m.code == d.code && m.span == d.span && m.path == d.path)
        {
            // The services reaching the span: those whose own text holds it, and those
            // holding an alias of an anchored node that holds it.
            let aliases: Vec<Span> = nodes
                .iter()
                .filter_map(|n| match n.kind {
                    yaml::Kind::Alias(target) if within(nodes[target].span, d.span) => Some(n.span),
                    _ => None,
                })
                .collect();
            if aliases.is_empty() {
                merged.push(d);
                continue;
            }
            let mut names = Vec::new();
            let mut labels = Vec::new();
            for (name, node, region) in &regions {
                if !reaches(doc, *node, d.span) {
                    continue;
                }
                if within(*region, d.span) {
                    names.push(name.clone());
                } else if let Some(alias) = aliases.iter().find(|a| within(*region, **a)) {
                    names.push(name.clone());
                    labels.push((*alias, format!("service `{name}` inherits it here")));
                }
            }
            if names.len() < 2 {
                merged.push(d);
                continue;
            }
            if !first.message.ends_with(')') || !first.message.contains("(inherited by ") {
                first.message = format!("{} (inherited by {})", first.message, names.join(", "));
                for (span, message) in labels {
                    first.label(span, message);
                }
            }
            continue;
        }
        merged.push(d);
    }
    *diagnostics = merged;
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
