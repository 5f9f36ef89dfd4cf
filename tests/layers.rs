//! The layers stay apart (DESIGN.md, "Front ends and the model"): the engine, discovery and
//! reports name no format; rules do not reach into parsers; and a format is named only by its
//! front end and the registries a new format adds a row to. Together these show what a new
//! format touches: new files, plus one row in each registry listed in `REGISTRIES`.
//!
//! Source is read as text; test modules (from the first `#[cfg(test)]` on) and comments are
//! not code that runs, so they are left out.

use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file's code: no test module, no comment lines, no trailing comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string literal (a URL) is rare in these files; stripping from it
            // only ever hides code, so the checks below err towards passing such a line.
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The formats, as their front ends name them.
fn formats() -> Vec<&'static str> {
    deploylint::frontend::FRONT_ENDS
        .iter()
        .map(|f| f.format.as_str())
        .collect()
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Modules of the layers that must not know formats.
const FORMAT_FREE: &[&str] = &["engine.rs", "discover.rs", "kinds.rs", "report/", "graph/"];

#[test]
fn engine_discovery_and_reports_name_no_format() {
    let names = formats();
    let mut words = names.iter().map(|n| regex::escape(n)).collect::<Vec<_>>();
    // The model modules that belong to one format.
    words.extend(["container", "python_app"].map(String::from));
    let pattern = Regex::new(&format!(r"(?i)\b({})\b", words.join("|"))).unwrap();
    let parsers = Regex::new(r"\bsyntax::").unwrap();
    let mut offences = Vec::new();
    for path in rust_files(&src()) {
        let rel = relative(&path);
        if !FORMAT_FREE.iter().any(|m| rel.starts_with(m)) {
            continue;
        }
        for (i, line) in code(&path).lines().enumerate() {
            if pattern.is_match(line) || parsers.is_match(line) {
                offences.push(format!("src/{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "these layers loop over the front ends and must not name a format:\n{}",
        offences.join("\n")
    );
}

/// Rule files that still read a parser's types. Rules ask the model; this list only shrinks
/// (a file that no longer needs its entry fails the test until the entry is removed).
const RULES_READING_SYNTAX: &[&str] = &[];

#[test]
fn rules_do_not_import_parsers() {
    let syntax = Regex::new(r"\bcrate::syntax::|\btree_sitter::").unwrap();
    let mut reading = Vec::new();
    for path in rust_files(&src().join("rules")) {
        if syntax.is_match(&code(&path)) {
            reading.push(relative(&path));
        }
    }
    let new: Vec<&String> = reading
        .iter()
        .filter(|r| !RULES_READING_SYNTAX.contains(&r.as_str()))
        .collect();
    assert!(
        new.is_empty(),
        "rules read the deployment model, not parser types: {new:?}"
    );
    let done: Vec<&&str> = RULES_READING_SYNTAX
        .iter()
        .filter(|r| !reading.iter().any(|x| x == *r))
        .collect();
    assert!(
        done.is_empty(),
        "no longer read parser types; remove from RULES_READING_SYNTAX: {done:?}"
    );
}

/// Where a format may be named (`Format::X`, `View::X`): its own front end and the registries
/// a new format adds one row to.
const REGISTRIES: &[&str] = &[
    // The front-end table.
    "frontend/mod.rs",
    // The `Format` enum (its name and the file name its catalog examples are linted as).
    "catalog.rs",
    // The format's own view, for format-only rules.
    "model/view.rs",
];

/// Rule files that branch on a format, with the formats they name. Concern rules read the
/// deployment model instead; this list only shrinks.
const FORMAT_BRANCHES: &[(&str, &[&str])] = &[
    ("rules/bind/bind_all_interfaces.rs", &["python"]),
    ("rules/debug/debug_logging.rs", &["gunicorn"]),
    ("rules/debug/debug_mode_enabled.rs", &["python"]),
    ("rules/debug/django_debug_enabled.rs", &["python"]),
    ("rules/debug/werkzeug_debugger_enabled.rs", &["python"]),
    ("rules/dev_server/auto_reload_enabled.rs", &["python"]),
    ("rules/dev_server/dev_server_in_production.rs", &["python"]),
    ("rules/dev_server/http_server_in_code.rs", &["python"]),
    // The Python arms of FS001 and FS003 read the code's own calls (`os.chmod`, `os.umask`),
    // which the deployment model does not hold yet.
    ("rules/fs/loose_umask.rs", &["python"]),
    (
        "rules/fs/world_writable_permissions.rs",
        &["dockerfile", "python"],
    ),
    ("rules/fs/writable_dir_in_tmp.rs", &["python"]),
    // The compose arms of the container-escape rules read the compose view in one place.
    ("rules/sandbox/mod.rs", &["compose"]),
    // Its fix edits the unit's text: the systemd view.
    ("rules/sandbox/unsandboxed_service.rs", &["systemd"]),
    ("rules/wsgi/mod.rs", &["apache"]),
    // Its project arm reports Werkzeug's ProxyFix in the Python module a launcher serves, as
    // DEV001's reports the server call a launcher reaches.
    ("rules/wsgi/untrusted_proxy_headers.rs", &["python"]),
    // nginx's own concerns (an alias one slash short, its server_tokens, what its root
    // serves) read the nginx view, as the Apache rules do through `rules/wsgi/mod.rs`.
    ("rules/disclosure/server_tokens_not_prod.rs", &["nginx"]),
    ("rules/docroot/alias_traversal.rs", &["nginx"]),
    ("rules/docroot/code_in_document_root.rs", &["nginx"]),
    ("model/project.rs", &["python"]),
    // Where a fix's result is re-parsed and where each format's comments may go: format
    // knowledge the front ends should own (a follow-up moves it behind the table).
    ("fix/apply.rs", &["gunicorn", "python"]),
    (
        "statements.rs",
        &[
            "apache",
            "compose",
            "dockerfile",
            "gunicorn",
            "kubernetes",
            "nginx",
            "procfile",
            "python",
            "supervisord",
            "systemd",
            "uwsgi",
        ],
    ),
    (
        "suppress.rs",
        &[
            "apache",
            "compose",
            "dockerfile",
            "gunicorn",
            "kubernetes",
            "nginx",
            // A start script read for a launcher is suppressed with a Procfile's comments.
            "procfile",
            "python",
            "systemd",
            // uWSGI's ini reader has no trailing comments; its YAML reader has.
            "uwsgi",
        ],
    ),
    (
        "fix/suppressions.rs",
        &[
            "compose",
            "gunicorn",
            "kubernetes",
            "nginx",
            "procfile",
            "python",
        ],
    ),
];

#[test]
fn formats_are_named_only_by_their_front_end_and_the_registries() {
    let names = formats();
    let variants: Vec<String> = names.iter().map(|n| capitalized(n)).collect();
    let pattern = Regex::new(&format!(r"\b(?:Format|View)::({})\b", variants.join("|"))).unwrap();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in rust_files(&src()) {
        let rel = relative(&path);
        // The format's own front end, and test helpers.
        if rel.starts_with("frontend/") && rel != "frontend/mod.rs" || rel.ends_with("testing.rs") {
            continue;
        }
        if REGISTRIES.contains(&rel.as_str()) {
            continue;
        }
        let mut named: Vec<String> = pattern
            .captures_iter(&code(&path))
            .map(|c| c[1].to_ascii_lowercase())
            .collect();
        named.sort();
        named.dedup();
        if !named.is_empty() {
            found.insert(rel, named);
        }
    }
    let expected: BTreeMap<String, Vec<String>> = FORMAT_BRANCHES
        .iter()
        .map(|(file, formats)| {
            let mut f: Vec<String> = formats.iter().map(|s| s.to_string()).collect();
            f.sort();
            (file.to_string(), f)
        })
        .collect();
    let differences: Vec<String> = found
        .keys()
        .chain(expected.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|file| found.get(*file) != expected.get(*file))
        .map(|file| {
            format!(
                "src/{file}: names {:?}, FORMAT_BRANCHES says {:?}",
                found.get(file),
                expected.get(file)
            )
        })
        .collect();
    assert!(
        differences.is_empty(),
        "a format is named outside its front end and the registries (or no longer where \
         FORMAT_BRANCHES says: shrink the list):\n{}",
        differences.join("\n")
    );
}

/// Each format's front end is its own file under `src/frontend/`.
#[test]
fn each_format_has_its_own_front_end_file() {
    for name in formats() {
        let file = src().join("frontend").join(format!("{name}.rs"));
        assert!(file.is_file(), "{} is missing", file.display());
    }
}

/// Each built-in rule's detection module is named after its kebab name (`runs-as-root` →
/// `runs_as_root.rs`); rules written as a catalog `match` have none.
#[test]
fn rule_files_are_named_after_their_rules() {
    let mut names = Vec::new();
    for path in rust_files(&src().join("rules")) {
        names.push(path.file_stem().unwrap().to_string_lossy().to_string());
    }
    let missing: Vec<String> = deploylint::catalog::catalog()
        .iter()
        .filter(|e| e.matcher.is_none())
        .map(|e| e.name.replace('-', "_"))
        .filter(|file| !names.contains(file))
        .collect();
    assert!(
        missing.is_empty(),
        "no src/rules/<family>/<name>.rs for: {missing:?}"
    );
}
