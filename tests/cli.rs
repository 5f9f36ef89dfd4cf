//! The command line end to end: exit codes, output formats, discovery and bad input.

mod common;

use common::{bin, manifest_dir, run, stderr, stdout};
use std::fs;

const ROOT_DOCKERFILE: &str =
    "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n";
const CLEAN_DOCKERFILE: &str =
    "FROM python:3.12-slim\nUSER app\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n";

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE.as_bytes())]);
    let code = |args: &[&str]| run(args, dir.path()).status.code();
    assert_eq!(code(&["check"]), Some(1));
    assert_eq!(code(&["check", "--fail-on", "error"]), Some(0));
    assert_eq!(code(&["check", "--fail-on", "info"]), Some(1));
    assert_eq!(code(&["check", "--fail-on", "never"]), Some(0));
    assert_eq!(code(&["check", "--fail-on", "sometimes"]), Some(2));
    assert_eq!(code(&["check", "--no-such-flag"]), Some(2));
    let clean = project(&[("Dockerfile", CLEAN_DOCKERFILE.as_bytes())]);
    let out = run(&["check"], clean.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("No problems found in 1 file."));
}

#[test]
fn concise_format_is_exact() {
    let dir = project(&[("Dockerfile", "FROM python\nUSER  root\n".as_bytes())]);
    let out = run(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(
        stdout(&out),
        "Dockerfile:2:7: USR001 the image runs as root: the last USER is root\n"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let dir = project(&[("app.py", "s = 'é'; app.run(host='0.0.0.0')\n".as_bytes())]);
    let out = run(&["check", "--output-format", "json"], dir.path());
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 1);
    let d = &items[0];
    // `'0.0.0.0'` starts at character 23 (byte 24) and ends before character 32.
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(23))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(1), Some(32))
    );
    for key in ["path", "code", "name", "severity", "message", "help"] {
        assert!(d.get(key).is_some(), "json lacks {key}");
    }
    assert_eq!(d["name"], "bind-all-interfaces");
    assert_eq!(d["severity"], "warning");
}

#[test]
fn pretty_output_has_snippet_and_summary() {
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE.as_bytes()),
        ("app.py", b"app.run(debug=True)\n"),
    ]);
    let out = run(&["check", "--color", "never"], dir.path());
    let text = stdout(&out);
    assert!(text.contains("[USR001 runs-as-root]"), "{text}");
    assert!(text.contains("debug=True"), "{text}");
    // The summary, then what `--fix` could do (ruff's hint).
    assert!(
        text.ends_with(
            "2 problems (1 error, 1 warning) in 2 files\n1 fixable with `--fix --unsafe-fixes`.\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour when piped or with --color never"
    );
    let coloured = stdout(&run(&["check", "--color", "always"], dir.path()));
    assert!(coloured.contains('\u{1b}'));
    // auto: stdout is a pipe here, so no colour, and NO_COLOR is respected too.
    let auto = bin()
        .args(["check"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!stdout(&auto).contains('\u{1b}'));
}

#[test]
fn output_is_sorted_and_deterministic() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..40 {
        files.push((
            format!("svc{i:02}/Dockerfile"),
            ROOT_DOCKERFILE.as_bytes().to_vec(),
        ));
        files.push((
            format!("svc{i:02}/app.py"),
            b"app.run(host='0.0.0.0', debug=True)\n".to_vec(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let dir = project(&refs);
    let one_thread = bin()
        .args(["check", "--output-format", "concise"])
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let many = bin()
        .args(["check", "--output-format", "concise"])
        .env("RAYON_NUM_THREADS", "8")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(stdout(&one_thread), stdout(&many));
    let text = stdout(&many);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 120);
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| {
        let mut parts = l.splitn(4, ':');
        let path = parts.next().unwrap().to_string();
        let line: usize = parts.next().unwrap().parse().unwrap();
        let col: usize = parts.next().unwrap().parse().unwrap();
        (path, line, col)
    });
    assert_eq!(lines, sorted);
}

#[test]
fn discovery_respects_ignore_files_and_hidden_dirs() {
    let dir = project(&[
        (".gitignore", b"build/\n"),
        ("build/Dockerfile", ROOT_DOCKERFILE.as_bytes()),
        (".hidden/Dockerfile", ROOT_DOCKERFILE.as_bytes()),
        ("svc/Dockerfile.prod", ROOT_DOCKERFILE.as_bytes()),
        ("svc/api.dockerfile", ROOT_DOCKERFILE.as_bytes()),
        ("svc/Containerfile", ROOT_DOCKERFILE.as_bytes()),
        ("svc/site.wsgi", b"app.run(debug=True)\n"),
        ("svc/notes.txt", b"app.run(debug=True)\n"),
    ]);
    let out = run(&["check", "--output-format", "concise"], dir.path());
    let text = stdout(&out);
    let paths: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "svc/Containerfile",
            "svc/Dockerfile.prod",
            "svc/api.dockerfile",
            "svc/site.wsgi"
        ]
    );
    // A file named explicitly is linted even when ignored, and its kind is sniffed if needed.
    let out = run(
        &["check", "--output-format", "concise", "build/Dockerfile"],
        dir.path(),
    );
    assert!(
        stdout(&out).starts_with("build/Dockerfile:1:6: USR001"),
        "{}",
        stdout(&out)
    );
    fs::write(
        dir.path().join("runme"),
        "#!/usr/bin/env python3\napp.run(debug=True)\n",
    )
    .unwrap();
    let out = run(
        &["check", "--output-format", "concise", "runme"],
        dir.path(),
    );
    assert!(
        stdout(&out).starts_with("runme:2:9: DBG001"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = project(&[("Dockerfile", CLEAN_DOCKERFILE.as_bytes())]);
    let out = run(&["check", "Dockerfile", "nope/Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nope/Dockerfile: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_file_is_reported_and_the_rest_linted() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE.as_bytes())]);
    let bad = dir.path().join("Dockerfile.secret");
    fs::write(&bad, CLEAN_DOCKERFILE).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&bad, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&bad).is_ok() {
            // Running as root: permissions do not stop reads, but /proc/self/mem fails to read.
            fs::remove_file(&bad).unwrap();
            std::os::unix::fs::symlink("/proc/self/mem", &bad).unwrap();
        }
    }
    let out = run(
        &[
            "check",
            "--output-format",
            "concise",
            "Dockerfile",
            "Dockerfile.secret",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Dockerfile.secret"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("Dockerfile:1:6: USR001"),
        "the readable file is still linted"
    );
}

#[test]
fn binary_and_invalid_utf8_files_do_not_break_the_run() {
    let dir = project(&[
        ("Dockerfile", b"FROM python\x00\x01\x02 binary\n"),
        ("app.py", b"# caf\xe9\napp.run(debug=True)\n"),
    ]);
    let out = run(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "app.py:2:9: DBG001 the app's development server is started with debug mode on\n"
    );
    let err = stderr(&out);
    assert!(err.contains("Dockerfile: skipped: binary file"), "{err}");
    assert!(err.contains("app.py: not valid UTF-8"), "{err}");
}

/// Named files are read once, through the run's file set (which the named-config pre-pass and
/// a compose file building a named Dockerfile read too): what the set keeps must say what a
/// read says, invalid UTF-8 and binary files included.
#[test]
fn named_binary_and_invalid_utf8_files_are_told_as_in_a_walk() {
    let dir = project(&[
        ("Dockerfile", b"FROM python\x00\x01\x02 binary\n"),
        ("app.py", b"# caf\xe9\napp.run(debug=True)\n"),
        (
            "docker/Dockerfile",
            b"# caf\xe9 gunicorn\nFROM python\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
        (
            "docker-compose.yml",
            b"services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n",
        ),
    ]);
    let out = run(
        &[
            "check",
            "--output-format",
            "concise",
            "Dockerfile",
            "app.py",
            "docker/Dockerfile",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "app.py:2:9: DBG001 the app's development server is started with debug mode on\n"
        ),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("docker/Dockerfile:"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("Dockerfile: skipped: binary file"), "{err}");
    assert!(err.contains("app.py: not valid UTF-8"), "{err}");
    assert!(err.contains("docker/Dockerfile: not valid UTF-8"), "{err}");
}

#[test]
fn select_and_ignore_take_codes_or_names() {
    let dir = project(&[("app.py", b"app.run(host='0.0.0.0', debug=True)\n")]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        stdout(&run(&all, dir.path()))
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&[]), ["NET001", "DBG001"]);
    assert_eq!(codes(&["--select", "DBG001"]), ["DBG001"]);
    assert_eq!(codes(&["--ignore", "bind-all-interfaces"]), ["DBG001"]);
    let out = run(&["check", "--select", "XYZ999"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule `XYZ999`"));
}

#[test]
fn rules_and_explain() {
    let here = manifest_dir();
    let out = run(&["rules"], &here);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    assert!(table.starts_with("CODE"));
    for entry in deploylint::catalog::catalog() {
        assert!(table.contains(&entry.code) && table.contains(&entry.name));
    }
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&run(&["rules", "--output-format", "json"], &here).stdout).unwrap();
    assert_eq!(json.len(), deploylint::catalog::catalog().len());
    assert!(
        json.iter()
            .all(|r| r["code"].is_string() && r["examples"].is_array())
    );

    let by_code = run(&["explain", "USR001"], &here);
    let by_name = run(&["explain", "runs-as-root"], &here);
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(stdout(&by_code), stdout(&by_name));
    let text = stdout(&by_code);
    for part in [
        "USR001 runs-as-root",
        "Why it matters",
        "Instead",
        "Bad:",
        "Good:",
    ] {
        assert!(text.contains(part), "explain lacks {part}:\n{text}");
    }
    let unknown = run(&["explain", "nope"], &here);
    assert_eq!(unknown.status.code(), Some(2));
    let version = run(&["--version"], &here);
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).starts_with("deploylint "));
}

#[test]
fn sample_project_raises_every_rule() {
    let out = run(
        &["check", "--output-format", "json", "fixtures/sample"],
        &manifest_dir(),
    );
    assert_eq!(out.status.code(), Some(1));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let raised: std::collections::BTreeSet<&str> =
        items.iter().map(|d| d["code"].as_str().unwrap()).collect();
    let all: std::collections::BTreeSet<&str> = deploylint::catalog::catalog()
        .iter()
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(raised, all);
}

#[test]
fn sample_pretty_output_snapshot() {
    let out = run(
        &["check", "--color", "never", "fixtures/sample"],
        &manifest_dir(),
    );
    insta::assert_snapshot!("sample_pretty", stdout(&out));
}
