//! Kubernetes manifests: each container of each production workload lowered into a service
//! (its account, host mounts and privileges) with the processes its command starts, in its
//! pod's network namespace or, with `hostNetwork: true`, on the node.

use super::{Check, FrontEnd, Input, Linted, Lowered, NameMatch, file_name, never};
use crate::catalog::Format;
use crate::diagnostic::Label;
use crate::files::FileSet;
use crate::model::compose::{self, BuiltUser, Reader};
use crate::model::deployment::{Account, AccountKind, Deployment, is_development_dir};
use crate::model::kubernetes::{self, Str};
use crate::model::view::{ParseError, View};
use crate::source::normalize_path;
use crate::syntax::yaml;
use std::path::{Component, Path, PathBuf};

pub const FRONT_END: FrontEnd = FrontEnd {
    format: Format::Kubernetes,
    by_name: kubernetes_name,
    // Helm charts are Go templates, which masking Jinja markup would not make YAML.
    templates: false,
    sniff: kubernetes_content,
    interpreter: None,
    lint,
    contributes_facts: true,
    keep_text: never,
    pack: None,
    launches: None,
};

fn lint(input: &Input<'_>, check: &mut Check<'_>) -> Linted {
    let text = input.source.text();
    let path = input.source.path();
    if is_template(text) {
        // A Helm chart's template is Go template text that renders to YAML: reading it as
        // YAML would report its `{{ }}` as errors and its placeholders as values.
        let mut linted = Linted {
            diagnostics: check(&Lowered {
                view: View::None,
                deployment: &Deployment::default(),
                errors: &[],
            }),
            ..Linted::default()
        };
        linted.facts.notes.push(format!(
            "{}: a template (`{{{{ … }}}}`), not read: it is YAML only once rendered \
             (lint the output of `helm template`)",
            path.display()
        ));
        return linted;
    }
    let doc = yaml::parse_stream(text);
    let manifest = kubernetes::read(&doc, is_development_path(path, input.files));
    let built = BuiltImages::new(path, input.files);
    let deployment = manifest.deployment(&|image| built.account(image));
    let errors: Vec<ParseError> = manifest
        .error
        .iter()
        .map(|e| ParseError {
            span: e.span,
            message: format!("invalid YAML: {}", e.message),
        })
        .collect();
    let mut linted = Linted {
        diagnostics: check(&Lowered {
            view: View::Kubernetes(&manifest),
            deployment: &deployment,
            errors: &errors,
        }),
        ..Linted::default()
    };
    linted.facts.script_launches = manifest.script_launches();
    linted
}

/// Go template markup (`{{ .Values.image }}`, `{{- if … }}`), as Helm charts hold.
fn is_template(text: &str) -> bool {
    text.contains("{{") && text.contains("}}")
}

/// Whether the manifest's name or a directory it is in inside the linted tree (`dev/`,
/// `tests/`, `testdata/`; flattened `dir__dir__file` names included) marks it as a
/// development or test setup.
fn is_development_path(path: &Path, files: &FileSet) -> bool {
    if compose::is_development_file(path) {
        return true;
    }
    let name = file_name(path);
    let mut parts: Vec<String> = name.split("__").map(str::to_string).collect();
    parts.pop();
    if let Ok(canonical) = std::fs::canonicalize(path)
        && let Some(root) = files.roots().iter().find(|r| canonical.starts_with(r))
        && let Ok(relative) = canonical.strip_prefix(root)
        && let Some(parent) = relative.parent()
    {
        parts.extend(
            parent
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .map(str::to_string),
        );
    }
    parts.iter().any(|p| is_development_dir(p))
}

/// How many directories above the manifest are searched for what builds its images.
const SEARCH_UP: usize = 3;
/// How many entries of one directory are looked at.
const MAX_ENTRIES: usize = 256;

/// The images compose files near the manifest build from a Dockerfile in the tree, by
/// repository, with the Dockerfile's facts: the only way the tree tells which user an image
/// named in a manifest runs as. Read on first use.
struct BuiltImages<'a> {
    path: &'a Path,
    files: &'a FileSet,
    found: std::cell::OnceCell<Vec<Built>>,
}

struct Built {
    repository: String,
    image: String,
    service: String,
    compose_file: PathBuf,
    dockerfile: PathBuf,
    user: BuiltUser,
    base: String,
    from_span: crate::source::Span,
}

impl<'a> BuiltImages<'a> {
    fn new(path: &'a Path, files: &'a FileSet) -> Self {
        BuiltImages {
            path,
            files,
            found: std::cell::OnceCell::new(),
        }
    }

    /// The account of the image `image` names, where a compose service in the tree builds
    /// an image of that repository.
    fn account(&self, image: &Str) -> Option<Account> {
        let wanted = repository(&image.value)?;
        let built = self
            .found
            .get_or_init(|| self.search())
            .iter()
            .find(|b| b.repository == wanted)?;
        let source = format!(
            "image `{}` is built by service `{}` of {}",
            built.image,
            built.service,
            built.compose_file.display(),
        );
        let label = |span, message: &str| {
            Some(Label {
                path: Some(normalize_path(&built.dockerfile)),
                span,
                message: message.to_string(),
            })
        };
        Some(match &built.user {
            BuiltUser::Set { value, span } => Account {
                kind: AccountKind::Named(value.clone()),
                how: format!(
                    "it sets neither runAsUser nor runAsNonRoot: true, and its {source}, whose \
                     Dockerfile's last USER is {}",
                    value.as_deref().unwrap_or("not a literal")
                ),
                at: image.span,
                label: label(*span, "the image switches to root here"),
            },
            BuiltUser::Unset => Account {
                kind: AccountKind::ImageDefault(built.base.clone()),
                how: format!(
                    "it sets neither runAsUser nor runAsNonRoot: true, and its {source}, whose \
                     Dockerfile never sets USER"
                ),
                at: image.span,
                label: label(
                    built.from_span,
                    "built from this base image, whose default user is root",
                ),
            },
        })
    }

    fn search(&self) -> Vec<Built> {
        let mut out = Vec::new();
        let Ok(canonical) = std::fs::canonicalize(self.path) else {
            return out;
        };
        let mut dir = canonical.parent();
        // The same directory as the user named the manifest, for paths in messages.
        let mut shown = self.path.parent().unwrap_or(Path::new("")).to_path_buf();
        for _ in 0..=SEARCH_UP {
            let Some(d) = dir else { break };
            if !self.files.contains(d) {
                break;
            }
            let Ok(entries) = std::fs::read_dir(d) else {
                break;
            };
            let mut paths: Vec<PathBuf> = entries
                .flatten()
                .take(MAX_ENTRIES)
                .map(|e| shown.join(e.file_name()))
                .filter(|p| {
                    p.is_file()
                        && super::decided_by_name_among(p, |f| f.format == Format::Compose)
                            .is_some()
                })
                .collect();
            paths.sort();
            for path in paths {
                self.read_compose(&normalize_path(&path), &mut out);
            }
            dir = d.parent();
            shown = up(&shown);
        }
        out
    }

    fn read_compose(&self, path: &Path, out: &mut Vec<Built>) {
        let Ok(file) = self.files.read(path) else {
            return;
        };
        let doc = yaml::parse(&file.text);
        let compose = compose::read(
            &doc,
            &Reader {
                path,
                files: self.files,
            },
        );
        for service in compose.services {
            let (Some(image), Some(build)) = (service.image, service.build) else {
                continue;
            };
            let (Some(repository), Some(dockerfile)) = (repository(&image.value), build.dockerfile)
            else {
                continue;
            };
            out.push(Built {
                repository,
                image: image.value,
                service: service.name.value,
                compose_file: path.to_path_buf(),
                dockerfile: dockerfile.path,
                user: dockerfile.user,
                base: dockerfile.base,
                from_span: dockerfile.from_span,
            });
        }
    }
}

/// The directory above `dir`, written as lexically as the user wrote `dir`.
fn up(dir: &Path) -> PathBuf {
    match dir.components().next_back() {
        Some(Component::Normal(_)) => dir.parent().unwrap_or(Path::new("")).to_path_buf(),
        _ => dir.join(".."),
    }
}

/// An image reference's repository without tag, digest or Docker Hub's implicit prefixes
/// (`docker.io/library/app:1` and `app` are the same); None where a variable decides it.
fn repository(image: &str) -> Option<String> {
    let image = image.trim().to_ascii_lowercase();
    if image.is_empty() || image.contains('$') || image.contains("{{") {
        return None;
    }
    let image = image.split('@').next().unwrap_or("");
    let name = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => image,
    };
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    Some(name.to_string())
}

/// `kustomization.yaml` by name; other YAML files by content.
fn kubernetes_name(path: &Path) -> NameMatch {
    let name = file_name(path).to_ascii_lowercase();
    if matches!(
        name.as_str(),
        "kustomization.yaml" | "kustomization.yml" | "kustomization"
    ) {
        return NameMatch::Yes;
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        NameMatch::Maybe
    } else {
        NameMatch::No
    }
}

/// A Kubernetes object names its API version and kind at the top level of a document: both
/// keys at the start of a line (a compose file, a CI workflow or an OpenAPI document has no
/// `kind:`; a Helm `Chart.yaml` has no `kind:`).
fn kubernetes_content(head: &str) -> bool {
    let top_level = |key: &str| {
        head.lines().any(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(' ') && !rest.trim().is_empty())
        })
    };
    top_level("apiVersion:") && top_level("kind:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(repository("app").as_deref(), Some("app"));
        assert_eq!(
            repository("docker.io/library/app:1.2").as_deref(),
            Some("app")
        );
        assert_eq!(
            repository("registry.example.com:5000/shop/web:v1@sha256:ab").as_deref(),
            Some("registry.example.com:5000/shop/web")
        );
        assert_eq!(repository("$(IMAGE)"), None);
        assert_eq!(repository("{{ .Values.image }}"), None);
    }

    #[test]
    fn content() {
        assert!(kubernetes_content(
            "apiVersion: apps/v1\nkind: Deployment\n"
        ));
        assert!(kubernetes_content(
            "# c\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n"
        ));
        assert!(!kubernetes_content("services:\n  web:\n    image: x\n"));
        assert!(!kubernetes_content("apiVersion: v2\nname: chart\n"));
        assert!(!kubernetes_content(
            "spec:\n  apiVersion: v1\n  kind: Pod\n"
        ));
        assert!(!kubernetes_content("apiVersion:\nkind:\n"));
    }
}
