//! The catalog, the rule registry, the fixtures and the README agree, and every catalog
//! example behaves as documented.

use deploylint::catalog::{self, Example};
use deploylint::engine::{Settings, lint_source};
use deploylint::kinds::{self, Detection};
use deploylint::rules::RULES;
use deploylint::source::SourceFile;
use std::collections::BTreeSet;
use std::path::Path;

fn codes_raised(example: &Example, text: &str) -> BTreeSet<String> {
    let name = example.file_name();
    let format = match kinds::detect_by_name(Path::new(name)) {
        Detection::Known(format) => format,
        // A name that leaves the kind to the content (`k8s/deployment.yaml`), as discovery does.
        Detection::NeedsContent => kinds::detect_by_content(Path::new(name), text, false)
            .unwrap_or_else(|| panic!("example {name} is of no kind by its content")),
        Detection::Unknown => panic!("example file name {name} has no known kind"),
    };
    assert_eq!(
        format, example.format,
        "example path {name} is not a {:?} file",
        example.format
    );
    let source = SourceFile::new(name, text);
    lint_source(&source, format, &Settings::default())
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn catalog_loads_and_codes_are_unique() {
    let entries = catalog::load().expect("catalog parses");
    let codes: BTreeSet<_> = entries.iter().map(|e| &e.code).collect();
    let names: BTreeSet<_> = entries.iter().map(|e| &e.name).collect();
    assert_eq!(codes.len(), entries.len(), "duplicate code");
    assert_eq!(names.len(), entries.len(), "duplicate name");
    for e in &entries {
        assert!(
            e.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: name must be kebab-case",
            e.code
        );
        assert!(!e.examples.is_empty(), "{} has no examples", e.code);
        for ex in &e.examples {
            assert!(
                e.formats.contains(&ex.format),
                "{}: example format not listed",
                e.code
            );
            assert!(
                ex.bad.is_some() || ex.good.is_some(),
                "{}: empty example",
                e.code
            );
        }
    }
}

#[test]
fn registry_matches_catalog() {
    let coded: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
    assert_eq!(coded.len(), RULES.len(), "a rule is registered twice");
    // Declarative built-in rules are catalog entries with a `match` and no code.
    let declarative: BTreeSet<&str> = deploylint::rulepack::builtin()
        .iter()
        .map(|r| r.entry.code.as_str())
        .collect();
    assert!(
        coded.is_disjoint(&declarative),
        "a rule has both code and a match"
    );
    let registered: BTreeSet<&str> = coded.union(&declarative).copied().collect();
    let documented: BTreeSet<&str> = catalog::catalog().iter().map(|e| e.code.as_str()).collect();
    assert_eq!(registered, documented, "registry and rules/*.yaml differ");
}

#[test]
fn every_rule_has_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for e in catalog::catalog() {
        for side in ["bad", "good"] {
            let dir = root.join(&e.code).join(side);
            let count = std::fs::read_dir(&dir)
                .unwrap_or_else(|_| panic!("missing {}", dir.display()))
                .count();
            assert!(count > 0, "{} is empty", dir.display());
        }
    }
}

#[test]
fn examples_behave_as_documented() {
    let mut failures = Vec::new();
    for e in catalog::catalog() {
        for (i, ex) in e.examples.iter().enumerate() {
            if let Some(bad) = &ex.bad {
                let raised = codes_raised(ex, bad);
                if raised != BTreeSet::from([e.code.clone()]) {
                    failures.push(format!(
                        "{} example {}: bad raised {raised:?}",
                        e.code,
                        i + 1
                    ));
                }
            }
            if let Some(good) = &ex.good {
                let raised = codes_raised(ex, good);
                if !raised.is_empty() {
                    failures.push(format!(
                        "{} example {}: good raised {raised:?}",
                        e.code,
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The README's rule table is generated from the catalog; this fails when it drifts.
#[test]
fn readme_rule_table_is_current() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let table = deploylint::cli::rule_table_markdown();
    let start = "<!-- rules:start -->\n";
    let end = "<!-- rules:end -->";
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        panic!("README.md lacks the rules:start/rules:end markers");
    };
    let current = &readme[a + start.len()..b];
    assert!(
        current == table,
        "README rule table is stale; replace it with the output of `deploylint rules --output-format markdown`:\n{table}"
    );
}
