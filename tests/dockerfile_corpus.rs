//! Checks the Dockerfile parser against BuildKit's own parser test files and real-world Dockerfiles.
//!
//! The corpus is looked up in `$DEPLOYLINT_CORPUS/dockerfile` (pointing at `.../realworld`), else
//! at `../shared/corpus/realworld/dockerfile` beside the crate. Without it the tests skip, unless
//! `DEPLOYLINT_REQUIRE_CORPUS=1` (as CI sets) makes a missing corpus a failure.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use deploylint::source::{MappedText, Span};
use deploylint::syntax::dockerfile::{Args, Dockerfile, Instruction, Scope, parse};

/// Real-world files that BuildKit itself rejects ("unknown instruction"), with the reason.
const ALLOWED_ERRORS: &[(&str, &str)] = &[
    (
        "github/cookiecutter__cookiecutter-django____cookiecutter.project_slug____compose__local__django__Dockerfile",
        "a Jinja template: `{% if %}` lines are rendered away before Docker sees the file",
    ),
    (
        "github/cookiecutter__cookiecutter-django____cookiecutter.project_slug____compose__production__django__Dockerfile",
        "a Jinja template: `{% if %}` lines are rendered away before Docker sees the file",
    ),
    (
        "github/docker-library__mysql__Dockerfile.oracle",
        "a jq template (`{{ def dnf: ... }}`) that docker-library renders into Dockerfiles",
    ),
    (
        "github/docker__compose__pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile",
        "a test fixture that is wrong on purpose (`WRONG DOCKERFILE`)",
    ),
];

/// Writes to stderr past libtest's capture, so skips and counts show in a plain `cargo test`.
fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("DEPLOYLINT_CORPUS") {
        Some(root) => PathBuf::from(root).join("dockerfile"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/realworld/dockerfile"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let message = format!("corpus not found at {}", dir.display());
    if std::env::var("DEPLOYLINT_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!("{message} (DEPLOYLINT_REQUIRE_CORPUS=1)");
    }
    note(&format!("skipping: {message}"));
    None
}

fn buildkit_dir() -> Option<PathBuf> {
    corpus_dir().map(|dir| dir.join("buildkit-parser-testfiles"))
}

fn read(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn sorted_subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn describe_errors(df: &Dockerfile) -> String {
    df.errors
        .iter()
        .map(|e| format!("{} at {:?}", e.message, e.span))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

#[test]
fn buildkit_testfiles_dump_like_buildkit() {
    let Some(dir) = buildkit_dir() else {
        return;
    };
    let cases = sorted_subdirs(&dir.join("testfiles"));
    assert!(!cases.is_empty(), "no cases under {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        let df = parse(&read(&case.join("Dockerfile")));
        if !df.errors.is_empty() {
            failures.push(format!(
                "{name}: unexpected errors: {}",
                describe_errors(&df)
            ));
            continue;
        }
        // TestParseCases compares `Dump() + "\n"` with the file, CRLF folded to LF.
        let expected = read(&case.join("result")).replace("\r\n", "\n");
        let actual = df.dump() + "\n";
        if actual != expected {
            failures.push(format!(
                "{name}:\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    note(&format!(
        "{} of {} BuildKit parser cases match",
        cases.len() - failures.len(),
        cases.len()
    ));
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn buildkit_negative_testfiles_error() {
    let Some(dir) = buildkit_dir() else {
        return;
    };
    let cases = sorted_subdirs(&dir.join("testfiles-negative"));
    assert!(
        !cases.is_empty(),
        "no negative cases under {}",
        dir.display()
    );
    let accepted: Vec<String> = cases
        .iter()
        .filter(|case| parse(&read(&case.join("Dockerfile"))).errors.is_empty())
        .map(|case| case.display().to_string())
        .collect();
    assert!(accepted.is_empty(), "parsed without errors: {accepted:?}");
}

/// BuildKit's TestParseIncludesLineNumbers.
#[test]
fn buildkit_testfile_line_numbers() {
    let Some(dir) = buildkit_dir() else {
        return;
    };
    let text = read(&dir.join("testfile-line/Dockerfile"));
    let df = parse(&text);
    assert!(df.errors.is_empty(), "{}", describe_errors(&df));
    let lines = |span: Span| (line_of(&text, span.start), line_of(&text, span.end));
    let children: Vec<(usize, usize)> = df.instructions.iter().map(|i| lines(i.span)).collect();
    assert_eq!(children, [(5, 5), (11, 12), (17, 31)]);
    let whole = df.instructions[0].span.cover(df.instructions[2].span);
    assert_eq!(lines(whole), (5, 31));
    let keyword_lines: Vec<usize> = df
        .instructions
        .iter()
        .map(|i| line_of(&text, i.keyword_span.start))
        .collect();
    assert_eq!(keyword_lines, [5, 11, 17]);
}

/// Spans that do not lie inside `text` on character boundaries, and keywords that do not
/// match their text, described.
fn bad_spans(text: &str, df: &Dockerfile) -> Vec<String> {
    let mut spans: Vec<(Span, &str)> = Vec::new();
    let mut bad = Vec::new();
    let mut stack: Vec<&Instruction> = df.instructions.iter().collect();
    while let Some(instr) = stack.pop() {
        spans.push((instr.span, "instruction"));
        let keyword = text.get(instr.keyword_span.start..instr.keyword_span.end);
        if !keyword.is_some_and(|k| k.eq_ignore_ascii_case(&instr.keyword)) {
            bad.push(format!(
                "keyword {} at {:?}",
                instr.keyword, instr.keyword_span
            ));
        }
        let mut mapped: Vec<MappedText> = instr.words(df.escape);
        for kv in instr.key_values(df.escape) {
            mapped.extend(kv.value);
            mapped.push(kv.key);
        }
        match &instr.args {
            Args::Shell(args) => mapped.push(args.clone()),
            Args::Exec(items) => mapped.extend(items.iter().cloned()),
        }
        for flag in &instr.flags {
            spans.push((flag.span, "flag"));
            mapped.extend(flag.value.clone());
        }
        for doc in &instr.heredocs {
            spans.push((doc.span, "heredoc"));
            spans.push((doc.marker, "heredoc marker"));
            mapped.push(doc.body.clone());
        }
        spans.extend(mapped.iter().map(|m| (m.span(), "text")));
        stack.extend(instr.onbuild.as_deref());
    }
    for (span, what) in spans {
        if span.start > span.end || text.get(span.start..span.end).is_none() {
            bad.push(format!("{what} {span:?}"));
        }
    }
    bad
}

fn collect_files(dir: &Path, skip: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path == skip {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, skip, out);
            continue;
        }
        let name = path.file_name().unwrap_or_default();
        if name != "SOURCES.tsv" && name != "result" {
            out.push(path);
        }
    }
}

#[test]
fn real_world_dockerfiles_parse_cleanly() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    // BuildKit's own test files are covered above (and the negative ones must fail).
    let mut files = Vec::new();
    collect_files(&dir, &dir.join("buildkit-parser-testfiles"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no files under {}", dir.display());
    let mut failures = Vec::new();
    let mut instructions = 0;
    for path in &files {
        let relative = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = read(path);
        let df = parse(&text);
        instructions += df.instructions.len();
        // Exercise the accessors rules use, so a panic anywhere shows up here.
        let global = Scope::global(&df);
        for stage in df.stages() {
            let mut scope = Scope::for_stage(&df, &global);
            for instr in stage.body {
                let _ = instr.words(df.escape);
                let _ = instr.key_values(df.escape);
                scope.apply(instr, df.escape);
            }
        }
        let _ = df.dump();
        let bad = bad_spans(&text, &df);
        if !bad.is_empty() {
            failures.push(format!(
                "{relative}: spans off the text: {}",
                bad.join(", ")
            ));
        }
        let allowed = ALLOWED_ERRORS.iter().any(|(file, _)| *file == relative);
        if df.errors.is_empty() == allowed {
            failures.push(if allowed {
                format!("{relative}: allow-listed but parses cleanly")
            } else {
                format!("{relative}: {}", describe_errors(&df))
            });
        }
    }
    note(&format!(
        "parsed {} real-world Dockerfiles ({instructions} instructions)",
        files.len()
    ));
    assert!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
