//! Checks the Apache httpd parser on the real-world corpus: every Apache file there (the Debian
//! `apache2` tree, Debian packages' snippets and files from GitHub projects) parses without an
//! error, every span lies on the text, and the Debian tree's `apache2.conf` loads with its
//! includes. Without the corpus the tests skip (see `tests/common/mod.rs`).

mod common;

use deploylint::files::FileSet;
use deploylint::model::apache;
use deploylint::source::SourceFile;
use deploylint::syntax::apache::parse;
use std::path::{Path, PathBuf};

/// Corpus files that httpd itself would reject, with the reason.
const ALLOWED_ERRORS: &[(&str, &str)] = &[];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.file_name() != "SOURCES.tsv")
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

#[test]
fn every_apache_file_in_the_corpus_parses() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("apache");
    let all = files(&dir);
    assert!(all.len() > 200, "too few Apache files: {}", all.len());
    let mut failures = Vec::new();
    let mut directives = 0;
    for path in &all {
        let relative = path.strip_prefix(&dir).unwrap().display().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let conf = parse(&text);
        directives += conf.nodes.len();
        for node in &conf.nodes {
            let mut spans = vec![node.span, node.name_span];
            spans.extend(node.args.iter().map(|a| a.span()));
            spans.extend(node.close_span);
            for span in spans {
                if text.get(span.range()).is_none() {
                    failures.push(format!("{relative}: span {span:?} off the text"));
                }
            }
        }
        let allowed = ALLOWED_ERRORS.iter().any(|(f, _)| *f == relative);
        if conf.errors.is_empty() == allowed {
            failures.push(format!("{relative}: {:?}", conf.errors));
        }
    }
    eprintln!(
        "parsed {} Apache files ({directives} directives)",
        all.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn debian_tree_loads_with_its_includes() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let root = std::fs::canonicalize(corpus.join("apache/debian-tree/etc/apache2")).unwrap();
    let main = root.join("apache2.conf");
    let text = std::fs::read_to_string(&main).unwrap();
    let config = apache::load(
        &SourceFile::new(main.clone(), text),
        &FileSet::new(vec![root.clone()]),
    );
    assert!(config.errors.is_empty(), "{:?}", config.errors);
    // `ports.conf` is included; the `*-enabled/` directories were not copied.
    let read: Vec<String> = config
        .units
        .iter()
        .map(|u| u.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(read, ["apache2.conf", "ports.conf"]);
    // ... so what the server loads is unknown, and absence-based rules stay quiet.
    assert!(!config.complete);
    assert!(
        config
            .notes
            .iter()
            .any(|n| n.contains("mods-enabled/*.load")),
        "{:?}",
        config.notes
    );
    let user = config.named("user").next().unwrap();
    assert_eq!(config.entries[user].args[0], "www-data");

    // A site is read with the server's main configuration found above it.
    let site = root.join("sites-available/openstack-dashboard.conf");
    let text = std::fs::read_to_string(&site).unwrap();
    let config = apache::load(&SourceFile::new(site, text), &FileSet::new(vec![root]));
    assert_eq!(config.main.as_deref(), Some(main.as_path()));
    assert_eq!(config.vhosts.len(), 1);
    assert!(config.last_at(0, "loglevel").is_some());
}
