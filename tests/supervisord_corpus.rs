//! Every supervisord configuration of the real-world corpus is detected as one and parses
//! without an error, with every span inside its file on character boundaries; files of the
//! other kinds are not taken for supervisord configurations.
//!
//! The corpus is `$DEPLOYLINT_CORPUS/supervisord` (pointing at `.../realworld`), else
//! `../shared/corpus/realworld/supervisord` beside the crate; without it the test skips,
//! unless `DEPLOYLINT_REQUIRE_CORPUS=1`.

mod common;

use deploylint::catalog::Format;
use deploylint::model::deployment::Placement;
use deploylint::model::supervisord::SupervisorConfig;

/// Corpus files under `supervisord/` that deploylint does not read, and why.
const NOT_READ: &[(&str, &str)] = &[
    ("SOURCES.tsv", "the corpus's own index"),
    (
        ".conf.example",
        "an example to copy into place, not a configuration supervisord reads",
    ),
];

fn on_boundaries(text: &str, span: deploylint::source::Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

#[test]
fn corpus_supervisord_configurations_are_detected_and_parse() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("supervisord");
    let files = common::files_under(&dir);
    assert!(
        files.len() > 170,
        "only {} files under {}",
        files.len(),
        dir.display()
    );
    let mut failures = Vec::new();
    let mut read = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if NOT_READ.iter().any(|(suffix, _)| name.ends_with(suffix)) {
            continue;
        }
        if common::format_of(path) != Some(Format::Supervisord) {
            failures.push(format!("{name}: not detected as supervisord"));
            continue;
        }
        read += 1;
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let config = SupervisorConfig::parse(&text);
        for error in &config.errors {
            failures.push(format!("{name}: {} at {:?}", error.message, error.span));
        }
        let deployment = config.deployment(None, Placement::Host);
        for var in &deployment.env {
            if !on_boundaries(&text, var.span) {
                failures.push(format!("{name}: {} has a span outside the file", var.name));
            }
        }
        for section in &config.ini.sections {
            for entry in &section.entries {
                if !on_boundaries(&text, entry.span) || !on_boundaries(&text, entry.value.span()) {
                    failures.push(format!("{name}: {} has a span outside the file", entry.key));
                }
            }
        }
    }
    assert!(read > 170, "only {read} supervisord files read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// No file of the other kinds in the corpus is read as a supervisord configuration.
#[test]
fn other_corpus_files_are_not_supervisord() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut wrong = Vec::new();
    for kind in [
        "apache",
        "compose",
        "dockerfile",
        "systemd",
        "uwsgi",
        "nginx",
        "kubernetes",
    ] {
        for path in common::files_under(&corpus.join(kind)) {
            if common::format_of(&path) == Some(Format::Supervisord) {
                wrong.push(path.display().to_string());
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "read as supervisord: {}",
        wrong.join("\n")
    );
}
