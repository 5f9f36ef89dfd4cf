//! Every real-world nginx file in the corpus parses as nginx reads it (with spans on the text's
//! character boundaries), and those discovery takes for nginx configuration are linted
//! without a panic; no file of another kind in the corpus is taken for nginx. Skipped with a
//! message where the corpus is absent (CI requires it).

mod common;

use deploylint::catalog::Format;
use deploylint::kinds::{self, Detection};
use deploylint::syntax::nginx;
use std::path::{Path, PathBuf};

/// Files nginx itself rejects, with why.
const ALLOWED_ERRORS: &[(&str, &str)] = &[
    (
        "samizdat__usr__share__doc__samizdat__examples__nginx__conf.d__samizdat.conf",
        "`server 127.0.0.1:6081` has no `;` before the upstream's `}`",
    ),
    (
        "HEMARatings__hemaratings.submit__config__nginx__nginx.conf",
        "a stray `11` after a location's `}`",
    ),
    (
        "kubernetes__ingress-nginx__test__data__cleanConf.src.conf",
        "test data for whitespace clean-up: the `server` block has no `}`",
    ),
    (
        "kubernetes__ingress-nginx__test__data__cleanConf.expected.conf",
        "test data for whitespace clean-up: the `server` block has no `}`",
    ),
    (
        "nginxinc__crossplane__tests__configs__missing-semicolon__broken-above.conf",
        "crossplane's test of a missing `;`",
    ),
    (
        "nginxinc__crossplane__tests__configs__missing-semicolon__broken-below.conf",
        "crossplane's test of a missing `;`",
    ),
];

/// nginx files in the corpus that discovery reads as another kind, with why.
const OTHER_KIND: &[(&str, &str)] = &[
    (
        "alerta__docker-alerta__examples__apache__webui__nginx.conf",
        "under an `apache/` directory, whose `*.conf` files are Apache's by name",
    ),
    (
        "nextcloud__docker__.examples__docker-compose__with-nginx-proxy__mariadb__apache__proxy__uploadsize.conf",
        "under an `apache/` directory, whose `*.conf` files are Apache's by name",
    ),
];

/// Files of the nginx corpus that discovery does not take for nginx configuration, with why:
/// nginx reads them only through an `include` of a configuration that is linted.
const NOT_CONFIGURATION: &[(&str, &str)] = &[
    ("SOURCES.tsv", "the corpus' own list of sources"),
    (
        "mime.types",
        "nginx's `types { }` table, included by nginx.conf",
    ),
    ("_params", "`*_params` files of `*_param` lines, included"),
    ("koi-", "charset maps, included"),
    ("win-utf", "a charset map, included"),
];

/// The kind discovery gives a file, at the path it had in its project: the corpus flattens
/// `dir/file` into `dir__file`.
fn kind_of(root: &Path, path: &Path) -> Option<Format> {
    let relative = path.strip_prefix(root).unwrap().to_string_lossy();
    let named = PathBuf::from(relative.replace("__", "/"));
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
fn real_world_nginx_files_parse() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let root = corpus.join("nginx");
    let all = common::files_under(&root);
    assert!(all.len() > 350, "{} files", all.len());
    let mut failures = Vec::new();
    let (mut parsed, mut configs, mut jinja) = (0, 0, 0);
    for path in &all {
        let name = name(path);
        if name == "SOURCES.tsv" {
            continue;
        }
        let not_config = NOT_CONFIGURATION.iter().any(|(f, _)| name.contains(f));
        let other_kind = OTHER_KIND.iter().any(|(f, _)| *f == name);
        match (kind_of(&root, path), not_config, other_kind) {
            (Some(Format::Nginx), false, false) => configs += 1,
            // In an `nginx/` directory they are read as nginx, which they are.
            (None | Some(Format::Nginx), true, _) | (Some(Format::Apache), _, true) => {}
            (other, _, _) => failures.push(format!("{name}: read as {other:?}")),
        }
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        // A Jinja template's structure depends on rendering; its placeholders are masked.
        let (text, renders) = match deploylint::template::mask(&text) {
            Some(masked) => {
                jinja += 1;
                (masked, text.contains("{%"))
            }
            None => (text, false),
        };
        let conf = nginx::parse(&text);
        parsed += 1;
        let allowed = ALLOWED_ERRORS.iter().any(|(f, _)| *f == name);
        match (conf.errors.first(), allowed || renders) {
            (Some(e), false) => failures.push(format!("{name}: {} at {:?}", e.message, e.span)),
            (None, true) if allowed => failures.push(format!("{name}: allow-listed but parses")),
            _ => {}
        }
        for d in &conf.nodes {
            for w in std::iter::once(&d.name).chain(&d.args) {
                if text.get(w.span.range()).is_none() {
                    failures.push(format!("{name}: span {:?} off the text", w.span));
                }
            }
            if text.get(d.span.range()).is_none() {
                failures.push(format!("{name}: directive span off the text"));
            }
        }
    }
    eprintln!("{parsed} files parsed, {configs} read as nginx, {jinja} Jinja templates");
    assert!(configs > 330, "{configs} read as nginx");
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// No file of another kind in the corpus is read as nginx configuration.
#[test]
fn no_other_corpus_file_is_read_as_nginx() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() || dir.ends_with("nginx") {
            continue;
        }
        for path in common::files_under(&dir) {
            if kind_of(&dir, &path) == Some(Format::Nginx) {
                wrong.push(path.display().to_string());
            }
        }
    }
    assert!(wrong.is_empty(), "read as nginx:\n{}", wrong.join("\n"));
}

/// Truncated real files (cut inside blocks, strings and Lua) are linted without a panic.
#[test]
fn truncated_nginx_files_never_panic() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    for (i, path) in common::files_under(&corpus.join("nginx"))
        .iter()
        .enumerate()
    {
        if i % 5 != 0 {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        for cut in [text.len() / 3, text.len() / 2, text.len() * 4 / 5] {
            let file = dir.path().join(format!("n{i}-{cut}/nginx.conf"));
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, common::prefix(&text, cut)).unwrap();
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
