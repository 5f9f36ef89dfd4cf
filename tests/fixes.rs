//! `check --fix`, `--unsafe-fixes`, `--diff` and `--add-suppressions` end to end, on temporary
//! copies of the fixtures, and the fixes each rule's catalog entry declares.

mod common;

use common::{bin, manifest_dir, project, stderr, stdout};
use deploylint::catalog::{self, Format};
use deploylint::engine::{Settings, lint_source};
use deploylint::fix::Applicability;
use deploylint::fix::apply::{fix_with, syntax_errors};
use deploylint::kinds::{self, Detection};
use deploylint::source::SourceFile;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else if entry.file_type().is_file() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `fixtures/sample`.
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join("fixtures/sample"), dir.path());
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run deploylint")
}

/// Every file's bytes, by path relative to `root`.
fn contents(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(root).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn changed(before: &BTreeMap<PathBuf, Vec<u8>>, root: &Path) -> Vec<String> {
    let after = contents(root);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files were added or removed"
    );
    after
        .iter()
        .filter(|(p, bytes)| before[*p] != **bytes)
        .map(|(p, _)| p.display().to_string())
        .collect()
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn fix_applies_safe_fixes_and_reports_what_is_left() {
    let dir = sample();
    let before = contents(dir.path());
    let out = run_in(dir.path(), &["check", "--fix", "--color", "never", "."]);
    // Findings without a safe fix remain: the run still fails.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.ends_with("Fixed 5 problems in 2 files.\n"), "{text}");
    assert!(!text.contains("ServerTokens OS"), "{text}");
    assert_eq!(
        changed(&before, dir.path()),
        ["apache2/apache2.conf", "asgi.py"]
    );
    let apache = read(dir.path(), "apache2/apache2.conf");
    for line in [
        "ServerTokens Prod\n",
        "ServerSignature Off\n",
        "LogLevel warn\n",
        "WSGIRestrictEmbedded On\nWSGIDaemonProcess admin",
    ] {
        assert!(apache.contains(line), "{line:?} in\n{apache}");
    }
    // WSG011's fix writes limits the app must tune: it waits for --unsafe-fixes.
    assert!(
        apache.contains("WSGIDaemonProcess legacy threads=15\n"),
        "{apache}"
    );
    // The unused suppression went; the unsafe debug fix waits for --unsafe-fixes.
    let asgi = read(dir.path(), "asgi.py");
    assert!(!asgi.contains("deploylint: ignore"), "{asgi}");
    assert!(asgi.contains("FastAPI(debug=True)"), "{asgi}");
    assert!(read(dir.path(), "app.py").contains("debug=True"));

    // Nothing safe is left to fix: a second run writes nothing.
    let before = contents(dir.path());
    let again = run_in(
        dir.path(),
        &["check", "--fix", "--output-format", "json", "."],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(changed(&before, dir.path()).is_empty());
    assert!(
        stderr(&again).contains("Fixed 0 problems in 0 files."),
        "{}",
        stderr(&again)
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        items
            .iter()
            .all(|d| d["fix"].is_null() || d["fix"]["applicability"] == "unsafe")
    );
}

#[test]
fn unsafe_fixes_are_applied_only_when_asked() {
    let dir = sample();
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "--color", "never", "."],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).ends_with("Fixed 15 problems in 5 files.\n"),
        "{}",
        stdout(&out)
    );
    // app.py's `app.run(debug=True)` is under `if __name__ == "__main__":` and compose runs
    // gunicorn on `app:app`: not on the production path, so not reported and not fixed.
    assert!(
        read(dir.path(), "app.py").contains("app.run(host=\"0.0.0.0\", port=5000, debug=True)")
    );
    assert!(read(dir.path(), "mysite/settings.py").contains("DEBUG = False\n"));
    assert!(read(dir.path(), "compose.yaml").contains("      - \"127.0.0.1:5000:5000\"\n"));
    assert!(read(dir.path(), "apache2/apache2.conf").contains(
        "WSGIDaemonProcess legacy threads=15 request-timeout=60 maximum-requests=1000 graceful-timeout=15 display-name=%{GROUP}\n"
    ));
    let unit = read(dir.path(), "deploy/app.service");
    assert!(
        unit.contains("app:app\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nCapabilityBoundingSet=\n\n[Install]"),
        "{unit}"
    );
    // What was fixed is no longer reported.
    let left = run_in(dir.path(), &["check", "--output-format", "json", "."]);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&left.stdout).unwrap();
    for code in [
        "DIS001", "DIS002", "DIS003", "WSG002", "WSG011", "DBG002", "NET002", "SBX001", "SUP001",
        "FS003",
    ] {
        assert!(!items.iter().any(|d| d["code"] == code), "{code} left");
    }
    assert!(items.iter().all(|d| d["fix"].is_null()));
}

#[test]
fn diff_previews_without_writing() {
    let dir = sample();
    let before = contents(dir.path());
    let out = run_in(dir.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        changed(&before, dir.path()).is_empty(),
        "--diff wrote a file"
    );
    assert!(
        stderr(&out).contains("would fix 5 finding(s) in 2 file(s)"),
        "{}",
        stderr(&out)
    );
    insta::assert_snapshot!("sample_diff", stdout(&out));
    let with_unsafe = run_in(dir.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(with_unsafe.status.code(), Some(1));
    insta::assert_snapshot!("sample_diff_unsafe", stdout(&with_unsafe));
    assert!(
        changed(&before, dir.path()).is_empty(),
        "--diff wrote a file"
    );
    // The diff applies with patch(1)'s rules: applying it gives what --fix writes.
    let fixed = sample();
    run_in(fixed.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    let expected = contents(fixed.path());
    let mut patched = before.clone();
    apply_unified_diff(&stdout(&with_unsafe), &mut patched);
    assert_eq!(patched, expected);
    // Nothing left to fix: exit 0 and no diff.
    let clean = run_in(fixed.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");
}

/// Applies a unified diff (as `--diff` prints it) to files held in memory.
fn apply_unified_diff(diff: &str, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(path) = line.strip_prefix("--- ") else {
            continue;
        };
        let path = PathBuf::from(path.trim_end());
        lines.next().expect("+++ line");
        let old = String::from_utf8(files[&path].clone()).unwrap();
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut at = 0;
        while lines.peek().is_some_and(|l| l.starts_with("@@")) {
            let header = lines.next().unwrap();
            let start: usize = header[4..]
                .split([',', ' '])
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let start = start.saturating_sub(1);
            out.extend(old_lines[at..start].iter().copied());
            at = start;
            while let Some(l) = lines.peek().copied() {
                if l.starts_with("@@") || l.starts_with("--- ") {
                    break;
                }
                lines.next();
                match l.as_bytes()[0] {
                    b' ' => {
                        out.push_str(&l[1..]);
                        at += 1;
                    }
                    b'-' => at += 1,
                    b'+' => out.push_str(&l[1..]),
                    b'\\' => {
                        if out.ends_with('\n') {
                            out.pop();
                        }
                    }
                    _ => panic!("unexpected diff line {l:?}"),
                }
            }
        }
        out.extend(old_lines[at..].iter().copied());
        files.insert(path, out.into_bytes());
    }
}

#[test]
fn fixes_keep_line_endings_byte_order_mark_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[
        (
            "apache2/site.conf",
            "\u{feff}<VirtualHost *:80>\r\n\tservertokens full\r\n\tServerSignature \"EMail\"\r\n</VirtualHost>\r\n",
        ),
        ("other.conf", "# not apache\n"),
    ]);
    let site = dir.path().join("apache2/site.conf");
    fs::set_permissions(&site, fs::Permissions::from_mode(0o640)).unwrap();
    let out = run_in(dir.path(), &["check", "--fix", "--fail-on", "never", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        read(dir.path(), "apache2/site.conf"),
        "\u{feff}<VirtualHost *:80>\r\n\tservertokens prod\r\n\tServerSignature \"Off\"\r\n</VirtualHost>\r\n"
    );
    assert_eq!(
        fs::metadata(&site).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // No temporary file is left beside it.
    assert_eq!(fs::read_dir(dir.path().join("apache2")).unwrap().count(), 1);
}

#[test]
fn invalid_utf8_and_symlinks_are_not_rewritten() {
    let dir = project(&[("real/httpd.conf", "ServerTokens OS\n")]);
    let bytes = b"ServerTokens Full\n# caf\xe9\n".to_vec();
    fs::create_dir_all(dir.path().join("latin1")).unwrap();
    fs::write(dir.path().join("latin1/httpd.conf"), &bytes).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("real/httpd.conf"),
        dir.path().join("link.conf"),
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["check", "--fix", "latin1/httpd.conf", "link.conf"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
    assert_eq!(
        fs::read(dir.path().join("latin1/httpd.conf")).unwrap(),
        bytes
    );
    assert_eq!(read(dir.path(), "real/httpd.conf"), "ServerTokens OS\n");
}

#[test]
fn standard_input_fixed_text_goes_to_stdout() {
    let run_stdin = |args: &[&str], input: &str| {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = bin()
            .args(args)
            .current_dir(manifest_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A usage error exits before reading: the pipe may be closed.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        child.wait_with_output().unwrap()
    };
    let input = "ServerTokens Minor\nServerSignature On\n";
    let out = run_stdin(
        &[
            "check",
            "--fix",
            "--stdin-filename",
            "apache2/site.conf",
            "--output-format",
            "concise",
            "-",
        ],
        input,
    );
    assert_eq!(stdout(&out), "ServerTokens Prod\nServerSignature Off\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fixed 2 problem(s)"),
        "{}",
        stderr(&out)
    );
    let out = run_stdin(
        &[
            "check",
            "--diff",
            "--stdin-filename",
            "apache2/site.conf",
            "-",
        ],
        input,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "--- apache2/site.conf\n+++ apache2/site.conf\n@@ -1,2 +1,2 @@\n-ServerTokens Minor\n-ServerSignature On\n+ServerTokens Prod\n+ServerSignature Off\n"
    );
    // Findings left after fixing are reported on stderr, so stdout stays the file.
    let out = run_stdin(
        &["check", "--fix", "--stdin-filename", "app.py", "-"],
        "app.run(debug=True)\n",
    );
    assert_eq!(stdout(&out), "app.run(debug=True)\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("DBG001"), "{}", stderr(&out));
    let out = run_stdin(
        &[
            "check",
            "--add-suppressions",
            "--stdin-filename",
            "app.py",
            "-",
        ],
        "x\n",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_and_sarif_carry_fixes() {
    let dir = project(&[(
        "compose.yaml",
        "services:\n  web:\n    build: .\n    user: app\n    ports:\n      - \"8000:8000\"\n",
    )]);
    let out = run_in(dir.path(), &["check", "--output-format", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let net = items.iter().find(|d| d["code"] == "NET002").unwrap();
    assert_eq!(
        net["fix"],
        serde_json::json!({
            "applicability": "unsafe",
            "message": catalog::Catalog::builtin().lookup("NET002").cloned().unwrap().autofix.as_ref().unwrap().title,
            "edits": [{"content": "127.0.0.1:", "line": 6, "column": 10, "end_line": 6, "end_column": 10}],
        })
    );
    let out = run_in(dir.path(), &["check", "--output-format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_text =
        fs::read_to_string(manifest_dir().join("tests/data/sarif-2.1.0-rtm.5.json")).unwrap();
    // The same correction of rtm.5's `language` pattern as tests/adoption.rs makes.
    let schema_text = schema_text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "NET002")
        .unwrap();
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "compose.yaml");
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"startLine": 6, "startColumn": 10, "endLine": 6, "endColumn": 10},
            "insertedContent": {"text": "127.0.0.1:"},
        })
    );
    assert_eq!(result["fixes"][0]["properties"]["applicability"], "unsafe");
}

#[test]
fn explain_says_whether_and_how_a_rule_is_fixed() {
    let here = manifest_dir();
    let safe = stdout(&common::run(&["explain", "DIS001"], &here));
    assert!(
        safe.contains("Fix (safe): Set `ServerTokens Prod`. `deploylint check --fix` applies it."),
        "{safe}"
    );
    let risky = stdout(&common::run(&["explain", "debug-mode-enabled"], &here));
    assert!(risky.contains("Fix (unsafe): "), "{risky}");
    assert!(risky.contains("--fix --unsafe-fixes"), "{risky}");
    let none = stdout(&common::run(&["explain", "USR001"], &here));
    assert!(none.contains("Fix: none"), "{none}");
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&common::run(&["rules", "--output-format", "json"], &here).stdout)
            .unwrap();
    let dis = json.iter().find(|r| r["code"] == "DIS001").unwrap();
    assert_eq!(dis["autofix"]["applicability"], "safe");
}

#[test]
fn fix_flags_that_cannot_combine_are_usage_errors() {
    let dir = project(&[("httpd.conf", "ServerTokens OS\n")]);
    for args in [
        &["check", "--fix", "--write-baseline", "b.json"][..],
        &["check", "--diff", "--statistics"],
        &["check", "--add-suppressions", "--fix"],
        &["check", "--add-suppressions", "--diff"],
    ] {
        let out = run_in(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(read(dir.path(), "httpd.conf"), "ServerTokens OS\n");
}

#[test]
fn add_suppressions_silences_every_finding() {
    let dir = sample();
    let before = contents(dir.path());
    let out = run_in(dir.path(), &["check", "--add-suppressions", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("added 40 suppression comment(s) for 64 finding(s) in 11 file(s)"),
        "{}",
        stderr(&out)
    );
    // Every file with a finding changed, but the one whose only finding is a syntax error.
    let changed_files = changed(&before, dir.path());
    assert!(!changed_files.contains(&"Dockerfile.worker".to_string()));
    assert!(changed_files.contains(&"apache2/apache2.conf".to_string()));
    let left = run_in(dir.path(), &["check", "--output-format", "json", "."]);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&left.stdout).unwrap();
    let left: Vec<(&str, &str)> = items
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    // Syntax errors are fixed, not silenced; no new suppression is unused (the sample's own
    // unused one stays reported).
    assert_eq!(
        left,
        [("Dockerfile.worker", "SYN001"), ("asgi.py", "SUP001")]
    );
    let dockerfile = read(dir.path(), "Dockerfile");
    assert!(
        dockerfile
            .contains("# deploylint: ignore[DBG004]\nENV FLASK_APP=app.py \\\n    FLASK_DEBUG=1\n"),
        "{dockerfile}"
    );
    let unit = read(dir.path(), "deploy/app.service");
    assert!(
        unit.contains("# deploylint: ignore[USR002]\nUser=www-data\n"),
        "{unit}"
    );
    let compose = read(dir.path(), "compose.yaml");
    assert!(
        compose.contains("      - \"5000:5000\"  # deploylint: ignore[NET002]\n"),
        "{compose}"
    );
    // Idempotent: nothing is left to suppress.
    let before = contents(dir.path());
    let again = run_in(dir.path(), &["check", "--add-suppressions", "."]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("added 0 suppression comment(s)"),
        "{}",
        stderr(&again)
    );
    assert!(changed(&before, dir.path()).is_empty());
}

#[test]
fn add_suppressions_merges_into_existing_comments() {
    let dir = project(&[
        (
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)  # deploylint: ignore[NET001]\n",
        ),
        (
            "deploy/app.service",
            "[Service]\nUser=app\nWorkingDirectory=/srv\n  # deploylint: ignore[NET001]\n  ExecStart=/usr/bin/gunicorn \\\n    --bind 0.0.0.0:8000 --reload app:app\n",
        ),
    ]);
    let out = run_in(dir.path(), &["check", "--add-suppressions", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        read(dir.path(), "app.py").ends_with("debug=True)  # deploylint: ignore[NET001, DBG001]\n")
    );
    let unit = read(dir.path(), "deploy/app.service");
    assert!(
        unit.contains("  # deploylint: ignore[NET001, DEV002]\n  ExecStart="),
        "{unit}"
    );
    let left = run_in(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(stdout(&left), "", "{}", stdout(&left));
    assert_eq!(left.status.code(), Some(0));
}

/// A declared fix must exist in code and remove its finding from each bad example without
/// breaking the file; a rule without a declared fix proposes none.
#[test]
fn catalog_fixes_match_the_code() {
    let settings = Settings::default();
    let mut failures = Vec::new();
    for entry in catalog::catalog() {
        let mut fixed_some = false;
        for (i, example) in entry.examples.iter().enumerate() {
            let Some(bad) = &example.bad else { continue };
            let name = example.file_name();
            let format = match kinds::detect_by_name(Path::new(name)) {
                Detection::Known(f) => f,
                _ => Format::Python,
            };
            let found = lint_source(&SourceFile::new(name, bad.as_str()), format, &settings);
            for d in found.iter().filter(|d| d.fix.is_some()) {
                let fix = d.fix.as_ref().unwrap();
                match &catalog::Catalog::builtin()
                    .lookup(&d.code)
                    .cloned()
                    .unwrap()
                    .autofix
                {
                    Some(declared) => {
                        if declared.applicability != fix.applicability
                            || declared.title.trim() != fix.title
                        {
                            failures
                                .push(format!("{}: fix differs from its catalog entry", d.code));
                        }
                    }
                    None => failures.push(format!("{}: a fix without an autofix entry", d.code)),
                }
            }
            if entry.autofix.is_none() {
                continue;
            }
            let path = Path::new(name);
            let result = fix_with(
                path,
                bad.clone(),
                true,
                &|t| {
                    lint_source(&SourceFile::new(name, t), format, &settings)
                        .into_iter()
                        .filter(|d| d.code == entry.code)
                        .collect()
                },
                &|t| syntax_errors(path, t, format, &settings),
            );
            if result.fixed.is_empty() {
                continue;
            }
            fixed_some = true;
            let left = lint_source(
                &SourceFile::new(name, result.text.as_str()),
                format,
                &settings,
            );
            if left.iter().any(|d| d.code == entry.code) || !result.notes.is_empty() {
                failures.push(format!(
                    "{} example {}: the fix leaves its finding ({:?}):\n{}",
                    entry.code,
                    i + 1,
                    result.notes,
                    result.text
                ));
            }
            if syntax_errors(path, &result.text, format, &settings)
                > syntax_errors(path, bad, format, &settings)
            {
                failures.push(format!(
                    "{} example {}: the fix breaks the file",
                    entry.code,
                    i + 1
                ));
            }
        }
        if entry.autofix.is_some() && !fixed_some {
            failures.push(format!(
                "{} declares an autofix but no bad example gets one",
                entry.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Applicabilities as the issue asks: settings that keep intent are safe, the rest not.
    let applicability = |code: &str| {
        catalog::Catalog::builtin()
            .lookup(code)
            .cloned()
            .unwrap()
            .autofix
            .as_ref()
            .unwrap()
            .applicability
    };
    for code in ["DIS001", "DIS002", "DIS003", "WSG002", "SUP001"] {
        assert_eq!(applicability(code), Applicability::Safe, "{code}");
    }
    // WSG011 writes limits whose values the app must choose.
    for code in ["DBG001", "NET002", "SBX001", "WSG011"] {
        assert_eq!(applicability(code), Applicability::Unsafe, "{code}");
    }
}

/// The fixtures' bad files: each fix removes its finding and keeps the file parseable.
#[test]
fn fixture_fixes_remove_their_findings() {
    let root = manifest_dir().join("fixtures");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root, dir.path());
    let before = run_in(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--fail-on",
            "never",
            ".",
        ],
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&before.stdout).unwrap();
    let fixable = items.iter().filter(|d| !d["fix"].is_null()).count();
    assert!(fixable > 20, "{fixable}");
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--output-format",
            "json",
            "--fail-on",
            "never",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not applied"), "{}", stderr(&out));
    let after: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    // Every fix applied; a fix may settle other findings too (hardening a unit).
    assert!(after.iter().all(|d| d["fix"].is_null()), "{}", stderr(&out));
    assert!(after.len() <= items.len() - fixable, "{}", stderr(&out));
    let syntax = |list: &[serde_json::Value]| list.iter().filter(|d| d["code"] == "SYN001").count();
    assert_eq!(syntax(&after), syntax(&items));
}

/// Fixing and then suppressing everything in the real-world corpus leaves only syntax
/// errors that were there before, and never breaks a file.
#[test]
fn corpus_fixes_and_suppressions_keep_files_parseable() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus, dir.path());
    let lint = |extra: &[&str]| {
        let mut args = vec!["check", "--output-format", "json", "--fail-on", "never"];
        args.extend_from_slice(extra);
        args.push(".");
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        (items, stderr(&out))
    };
    let (before, _) = lint(&[]);
    let syntax_before: Vec<serde_json::Value> = before
        .iter()
        .filter(|d| d["code"] == "SYN001")
        .cloned()
        .collect();
    let fixable = before.iter().filter(|d| !d["fix"].is_null()).count();
    let (after, notes) = lint(&["--fix", "--unsafe-fixes"]);
    assert!(!notes.contains("not applied"), "{notes}");
    assert!(after.iter().all(|d| d["fix"].is_null()), "{notes}");
    assert!(after.len() <= before.len() - fixable);
    let out = run_in(dir.path(), &["check", "--add-suppressions", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not added"), "{}", stderr(&out));
    let (left, _) = lint(&[]);
    assert_eq!(left.len(), syntax_before.len(), "{left:#?}");
    assert!(left.iter().all(|d| d["code"] == "SYN001"));
}

/// The README's table of fixable rules is generated from the catalog.
#[test]
fn readme_fix_table_is_current() {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let start = "<!-- fixes:start -->\n";
    let (Some(a), Some(b)) = (readme.find(start), readme.find("<!-- fixes:end -->")) else {
        panic!("README.md lacks the fixes:start/fixes:end markers");
    };
    let table = deploylint::fix::table_markdown();
    assert!(
        readme[a + start.len()..b] == table,
        "README fix table is stale; replace it with:\n{table}"
    );
}

/// A declarative rule has no edits to make, so a pack cannot claim a fix.
#[test]
fn rule_packs_cannot_declare_fixes() {
    let pack = "rules:\n  - code: ORGFIX1\n    name: org-fix\n    family: user\n    severity: info\n    formats: [dockerfile]\n    summary: x\n    rationale: x\n    fix: x\n    autofix: {applicability: safe, title: x}\n    match: { format: dockerfile, regex: '.' }\n";
    let error = deploylint::rulepack::parse_text(Path::new("pack.yaml"), pack.to_string())
        .expect_err("a pack with an autofix is refused");
    assert!(
        error.message.contains("cannot declare an `autofix`"),
        "{}",
        error.message
    );
}

/// A drop-in read after the unit would override what the fix adds to the unit: no fix, so
/// the finding stays for a person to settle in the drop-in.
#[test]
fn sandbox_fix_leaves_units_with_overriding_drop_ins_alone() {
    let unit = "[Service]\nUser=app\nExecStart=/usr/bin/gunicorn app:app\n";
    let dir = project(&[
        ("app.service", unit),
        (
            "app.service.d/override.conf",
            "[Service]\nProtectSystem=full\n",
        ),
        ("other.service", unit),
    ]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--fail-on",
            "never",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("note"), "{}", stderr(&out));
    assert_eq!(read(dir.path(), "app.service"), unit);
    assert!(read(dir.path(), "other.service").contains("ProtectSystem=strict\n"));
}
