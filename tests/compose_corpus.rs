//! Every real-world compose file in the corpus parses as YAML, with spans on the text's
//! character boundaries, and lowers into the compose model without panicking. Skipped with a
//! message where the corpus is absent (CI requires it).

mod common;

use deploylint::syntax::yaml::{self, Kind};
use std::path::PathBuf;

/// Files that are not valid YAML, with why.
const ALLOWED_ERRORS: &[(&str, &str)] = &[
    (
        "cookiecutter__cookiecutter-django____cookiecutter.project_slug____docker-compose.docs.yml",
        "a Jinja template: `image: {{ cookiecutter.project_slug }}` opens a flow mapping",
    ),
    (
        "cookiecutter__cookiecutter-django____cookiecutter.project_slug____docker-compose.local.yml",
        "a Jinja template: `{{ … }}` placeholders are not YAML until rendered",
    ),
    (
        "cookiecutter__cookiecutter-django____cookiecutter.project_slug____docker-compose.production.yml",
        "a Jinja template: `{%- if … %}` lines are rendered away before Compose sees the file",
    ),
];

fn compose_files() -> Option<Vec<PathBuf>> {
    let dir = common::corpus()?.join("compose");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()? {
            let path = entry.ok()?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    Some(files)
}

#[test]
fn real_world_compose_files_parse() {
    let Some(files) = compose_files() else {
        return;
    };
    assert!(files.len() > 300, "{} compose files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let doc = yaml::parse(&text);
        let allowed = ALLOWED_ERRORS.iter().any(|(f, _)| *f == name);
        match (&doc.error, allowed) {
            (Some(e), false) => failures.push(format!("{name}: {} at {:?}", e.message, e.span)),
            (None, true) => failures.push(format!("{name}: allow-listed but parses")),
            _ => {}
        }
        for node in doc.nodes() {
            let s = node.span;
            if s.start > s.end || text.get(s.range()).is_none() {
                failures.push(format!("{name}: span {s:?} off the text"));
            }
        }
        for (id, node) in doc.nodes().iter().enumerate() {
            if let Kind::Scalar { .. } = node.kind {
                let t = doc.text(id);
                let s = t.span();
                if text.get(s.range()).is_none() {
                    failures.push(format!("{name}: scalar text span {s:?} off the text"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn billion_laughs_is_bounded() {
    let mut src = String::from(
        "x-lol: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..12 {
        let p = i - 1;
        src.push_str(&format!(
            "x-l{i}: &l{i} [*l{p},*l{p},*l{p},*l{p},*l{p},*l{p},*l{p},*l{p},*l{p}]\n"
        ));
    }
    src.push_str("x-m0: &m0 {environment: {FLASK_DEBUG: \"1\"}}\n");
    for i in 1..40 {
        let p = i - 1;
        src.push_str(&format!(
            "x-m{i}: &m{i} {{<<: [*m{p}, *m{p}, *m{p}, *m{p}]}}\n"
        ));
    }
    src.push_str("services:\n  web:\n    <<: *m39\n    command: *l11\n    environment: *l11\n    ports: *l11\n    volumes: *l11\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), &src).unwrap();
    let start = std::time::Instant::now();
    let out = common::run(&["check", "--output-format", "concise", "."], dir.path());
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&out)
    );
}

/// Truncated real files (half-written YAML, cut inside quotes and flow collections) are
/// linted without a panic.
#[test]
fn truncated_compose_files_never_panic() {
    let Some(files) = compose_files() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (n, path) in files.iter().enumerate().step_by(7) {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        for cut in 1..6 {
            std::fs::write(
                dir.path().join(format!("compose.{n}-{cut}.yaml")),
                common::prefix(&text, text.len() * cut / 6),
            )
            .unwrap();
        }
    }
    let out = common::run(&["check", "--output-format", "concise", "."], dir.path());
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&out)
    );
    assert!(!common::stderr(&out).contains("panicked"));
}
