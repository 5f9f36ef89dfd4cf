//! Every systemd unit and drop-in of the real-world corpus parses without a syntax error, and
//! every span the parser hands on lies inside its file on character boundaries.
//!
//! The corpus is `$DEPLOYLINT_CORPUS/systemd` (pointing at `.../realworld`), else
//! `../shared/corpus/realworld/systemd` beside the crate; without it the test skips, unless
//! `DEPLOYLINT_REQUIRE_CORPUS=1`.

mod common;

use deploylint::model::systemd::Unit;
use deploylint::source::Span;
use deploylint::syntax::systemd::{exec_commands, split_words};
use std::path::PathBuf;

/// Files systemd itself would reject, with the reason. (None so far.)
const ALLOWED_ERRORS: &[(&str, &str)] = &[];

fn units(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["debian", "github"] {
        let Ok(read) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        out.extend(read.filter_map(Result::ok).map(|e| e.path()));
    }
    out.sort();
    out
}

fn on_boundaries(text: &str, span: Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

#[test]
fn corpus_units_and_dropins_parse() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("systemd");
    let files = units(&dir);
    assert!(
        files.len() > 600,
        "only {} files under {}",
        files.len(),
        dir.display()
    );
    let mut failures = Vec::new();
    let mut dropins = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        // Corpus file names flatten directories (`x.service.d__y.conf`); lint each as the unit
        // or drop-in its name says.
        let lint_name = match name.rsplit_once(".d__") {
            Some((unit, conf)) => {
                dropins += 1;
                format!("{}.d/{conf}", unit.rsplit("__").next().unwrap())
            }
            None => name.rsplit("__").next().unwrap().to_string(),
        };
        let unit = Unit::load(
            std::path::Path::new(&lint_name),
            &text,
            &deploylint::files::FileSet::default(),
        );
        let rel = format!(
            "{}/{name}",
            path.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        );
        let errors: Vec<String> = unit
            .errors()
            .iter()
            .map(|e| format!("{} at {:?}", e.message, e.span))
            .collect();
        if !errors.is_empty() && !ALLOWED_ERRORS.iter().any(|(f, _)| *f == rel) {
            failures.push(format!("{rel}: {}", errors.join("; ")));
        }
        for file in &unit.files {
            for section in &file.sections {
                assert!(on_boundaries(&text, section.header), "{rel}: header");
                for entry in &section.entries {
                    for span in [entry.span, entry.key_span, entry.value.span()] {
                        assert!(on_boundaries(&text, span), "{rel}: {span:?}");
                    }
                    for word in split_words(&entry.value) {
                        assert!(on_boundaries(&text, word.span()), "{rel}: word {word:?}");
                    }
                    for command in exec_commands(&entry.value) {
                        for word in &command.argv {
                            assert!(on_boundaries(&text, word.span()), "{rel}: argv {word:?}");
                        }
                    }
                }
            }
        }
        let deployment = unit.deployment();
        for process in &deployment.processes {
            assert!(on_boundaries(&text, process.launch.program_span), "{rel}");
            for arg in &process.launch.args {
                assert!(on_boundaries(&text, arg.span()), "{rel}: {arg:?}");
            }
        }
        for var in &deployment.env {
            assert!(on_boundaries(&text, var.span), "{rel}: {var:?}");
        }
    }
    assert!(dropins >= 20, "drop-ins found: {dropins}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
