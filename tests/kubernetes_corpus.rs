//! Every real-world Kubernetes manifest in the corpus is read as one (by its name, then its
//! content, as discovery decides), parses as a YAML stream with spans on the text's character
//! boundaries, and lowers into the deployment model without panicking; no file of another kind
//! in the corpus is taken for a manifest. Skipped with a message where the corpus is absent
//! (CI requires it).

mod common;

use deploylint::catalog::Format;
use deploylint::kinds::{self, Detection};
use deploylint::model::kubernetes;
use deploylint::syntax::yaml::{self, Kind};
use std::path::Path;

/// Files of the Kubernetes corpus that are not read as manifests, with why.
const NOT_MANIFESTS: &[(&str, &str)] = &[
    ("SOURCES.tsv", "the corpus' own list of sources"),
    (
        "jpetazzo__container.training__k8s__ytt__2-functions__app.yaml",
        "a ytt template: its first line `#! …` is a ytt comment, which reads as a shebang",
    ),
    (
        "GoogleCloudPlatform__kubernetes-engine-samples__ai-ml__infw-gw__examples__getting-started__vllm-llama3-8b-instruct.yaml",
        "`kind:` is indented under `apiVersion:` (a continuation of its scalar): kubectl rejects it",
    ),
];

/// Manifests that are not valid YAML, with why (the real tool rejects them too).
const ALLOWED_ERRORS: &[(&str, &str)] = &[
    (
        "GoogleCloudPlatform__kubernetes-engine-samples__ai-ml__gke-model-armor__preparing-the-model__vllm-gemma-deployment.yaml",
        "a `-` indented less than the key it belongs to (`matchExpressions`); PyYAML rejects it too",
    ),
    (
        "GoogleCloudPlatform__python-docs-samples__endpoints__kubernetes__k8s-grpc-bookstore.yaml",
        "`ports:` indented less than its container's keys after a comment; PyYAML rejects it too",
    ),
];

/// The kind discovery gives a file. The corpus flattens `dir/file` into `dir__file`: the part
/// after the last `__` is the file's own name.
fn kind_of(path: &Path) -> Option<Format> {
    let name = path.file_name().unwrap().to_string_lossy();
    let own = name.rsplit("__").next().unwrap_or(&name);
    let named = path.with_file_name(own);
    match kinds::detect_by_name(&named) {
        Detection::Known(format) => Some(format),
        Detection::NeedsContent => {
            let bytes = std::fs::read(path).ok()?;
            kinds::detect_by_content(&named, &String::from_utf8_lossy(&bytes), false)
        }
        Detection::Unknown => None,
    }
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn real_world_manifests_are_read_and_parse() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let all = common::files_under(&corpus.join("kubernetes"));
    assert!(all.len() > 350, "{} files", all.len());
    let mut failures = Vec::new();
    let mut manifests = 0;
    for path in &all {
        let name = name(path);
        let not_manifest = NOT_MANIFESTS.iter().any(|(f, _)| *f == name);
        match (kind_of(path), not_manifest) {
            (Some(Format::Kubernetes), true) => {
                failures.push(format!("{name}: listed as no manifest but read as one"))
            }
            (Some(Format::Kubernetes), false) => manifests += 1,
            (other, false) => failures.push(format!("{name}: read as {other:?}")),
            (_, true) => continue,
        }
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        // Helm templates are skipped by the front end (with a note), not parsed.
        if text.contains("{{") && text.contains("}}") {
            continue;
        }
        let doc = yaml::parse_stream(&text);
        let allowed = ALLOWED_ERRORS.iter().any(|(f, _)| *f == name);
        match (&doc.error, allowed) {
            (Some(e), false) => failures.push(format!("{name}: {} at {:?}", e.message, e.span)),
            (None, true) => failures.push(format!("{name}: allow-listed but parses")),
            _ => {}
        }
        for (id, node) in doc.nodes().iter().enumerate() {
            if text.get(node.span.range()).is_none() {
                failures.push(format!("{name}: span {:?} off the text", node.span));
            }
            if let Kind::Scalar { .. } = node.kind
                && text.get(doc.text(id).span().range()).is_none()
            {
                failures.push(format!("{name}: scalar text off the text"));
            }
        }
        let manifest = kubernetes::read(&doc, false);
        let deployment = manifest.deployment(&|_| None);
        for service in &deployment.services {
            for fact in &service.writable {
                assert!(text.get(fact.at.range()).is_some(), "{name}");
            }
        }
    }
    assert!(manifests > 350, "{manifests} manifests");
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// No file of another kind in the corpus is read as a manifest (and the Kubernetes corpus
/// holds nothing read as another kind: checked above).
#[test]
fn no_other_corpus_file_is_read_as_a_manifest() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() || dir.ends_with("kubernetes") {
            continue;
        }
        for path in common::files_under(&dir) {
            if kind_of(&path) == Some(Format::Kubernetes) {
                wrong.push(path.display().to_string());
            }
        }
    }
    assert!(wrong.is_empty(), "read as manifests:\n{}", wrong.join("\n"));
}

/// Truncated real manifests (cut inside documents, quotes and flow collections) are linted
/// without a panic.
#[test]
fn truncated_manifests_never_panic() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    for (i, path) in common::files_under(&corpus.join("kubernetes"))
        .iter()
        .enumerate()
    {
        if i % 7 != 0 {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        for cut in [text.len() / 3, text.len() / 2, text.len() * 4 / 5] {
            let file = dir.path().join(format!("m{i}-{cut}.yaml"));
            std::fs::write(
                &file,
                format!(
                    "apiVersion: v1\nkind: List\n---\n{}",
                    common::prefix(&text, cut)
                ),
            )
            .unwrap();
            written += 1;
        }
    }
    assert!(written > 50);
    let out = common::run(&["check", "--output-format", "concise", "."], dir.path());
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&out)
    );
    assert!(!common::stderr(&out).contains("panicked"));
}
