//! Every uWSGI configuration of the real-world corpus is detected as one and reads without an
//! error, with every option's spans inside its file on character boundaries; files of the
//! other kinds are not taken for uWSGI configurations.
//!
//! The corpus is `$DEPLOYLINT_CORPUS/uwsgi` (pointing at `.../realworld`), else
//! `../shared/corpus/realworld/uwsgi` beside the crate; without it the test skips, unless
//! `DEPLOYLINT_REQUIRE_CORPUS=1`.

mod common;

use deploylint::catalog::Format;
use deploylint::files::FileSet;
use deploylint::model::uwsgi::UwsgiConfig;

/// Corpus files under `uwsgi/` that are not uWSGI ini or YAML files deploylint reads, and why.
const NOT_READ: &[(&str, &str)] = &[
    ("SOURCES.tsv", "the corpus's own index"),
    (
        ".xml",
        "uWSGI's XML format is not read (issue 12 names ini and YAML)",
    ),
    (
        ".ini.template",
        "a project template with `{{ }}` placeholders, not a configuration",
    ),
];

/// Files without the `[uwsgi]` section uWSGI reads by default (they are started with
/// `--ini file:section`, or are includes), and why that is right.
const NO_UWSGI_SECTION: &[(&str, &str)] = &[];

fn on_boundaries(text: &str, span: deploylint::source::Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

#[test]
fn corpus_uwsgi_configurations_are_detected_and_read() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("uwsgi");
    let files = common::files_under(&dir);
    assert!(
        files.len() > 150,
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
        if common::format_of(path) != Some(Format::Uwsgi) {
            failures.push(format!("{name}: not detected as uWSGI"));
            continue;
        }
        read += 1;
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let config = UwsgiConfig::read(path, &text, &FileSet::default());
        for error in &config.errors {
            failures.push(format!("{name}: {} at {:?}", error.message, error.span));
        }
        if !config.has_section && !NO_UWSGI_SECTION.iter().any(|(n, _)| name.ends_with(n)) {
            failures.push(format!("{name}: no uwsgi section"));
        }
        for option in &config.options {
            if !on_boundaries(&text, option.key_span) || !on_boundaries(&text, option.value_span) {
                failures.push(format!(
                    "{name}: option {} has a span outside the file",
                    option.key
                ));
            }
        }
    }
    assert!(read > 150, "only {read} uWSGI files read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// No file of the other kinds in the corpus is read as a uWSGI configuration.
#[test]
fn other_corpus_files_are_not_uwsgi() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut wrong = Vec::new();
    for kind in [
        "apache",
        "compose",
        "dockerfile",
        "systemd",
        "supervisord",
        "nginx",
        "kubernetes",
    ] {
        for path in common::files_under(&corpus.join(kind)) {
            if common::format_of(&path) == Some(Format::Uwsgi) {
                wrong.push(path.display().to_string());
            }
        }
    }
    assert!(wrong.is_empty(), "read as uWSGI: {}", wrong.join("\n"));
}
