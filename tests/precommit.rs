//! The pre-commit hook end to end: pre-commit from PyPI in a fresh virtualenv installs the hook
//! from this repository (its committed HEAD) into a temporary git repository, where a bad
//! Dockerfile fails the commit and the fixed one passes, a unit template (`*.service.in`, once
//! outside the hook's file pattern) fails it, and an excluded vendored file does not.
//!
//! It needs python3, git and PyPI. Without them it is skipped with a message, unless
//! `DEPLOYLINT_REQUIRE_PRECOMMIT=1` (CI), where a missing piece fails.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn required() -> bool {
    std::env::var("DEPLOYLINT_REQUIRE_PRECOMMIT").as_deref() == Ok("1")
}

fn skip(why: &str) {
    assert!(!required(), "pre-commit test cannot run: {why}");
    eprintln!("skipping: {why}");
}

fn sh(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn hook_fails_a_bad_dockerfile_and_passes_the_fix() {
    let repo = common::manifest_dir();
    let head = sh(Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&repo));
    if !head.status.success() {
        return skip("this checkout has no git history to install the hook from");
    }
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    if !sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .status
        .success()
    {
        return skip("python3 -m venv failed");
    }
    let pip = sh(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "pre-commit"]));
    if !pip.status.success() {
        return skip(&format!("pip install pre-commit failed: {}", text(&pip)));
    }
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let cache = tmp.path().join("cache");
    // Reuse one build directory across runs of this test.
    let target = repo.join("target/precommit");
    // The hook runs inside `git commit`, so git carries pre-commit's environment.
    let git = |args: &[&str]| {
        sh(Command::new("git")
            .args(args)
            .current_dir(&work)
            .env("PRE_COMMIT_HOME", &cache)
            .env("CARGO_TARGET_DIR", &target))
    };
    assert!(git(&["init", "-q"]).status.success());
    git(&["config", "user.email", "test@example.com"]);
    git(&["config", "user.name", "test"]);
    git(&["config", "commit.gpgsign", "false"]);
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: deploylint\n",
            repo.display()
        ),
    )
    .unwrap();
    let pre_commit = |args: &[&str]| {
        sh(Command::new(venv.join("bin/pre-commit"))
            .args(args)
            .current_dir(&work)
            .env("PRE_COMMIT_HOME", &cache)
            .env("CARGO_TARGET_DIR", &target))
    };
    let install = pre_commit(&["install"]);
    assert!(install.status.success(), "{}", text(&install));

    write(
        &work,
        "Dockerfile",
        "FROM python:3.12-slim\nCMD [\"flask\", \"run\"]\n",
    );
    git(&["add", "-A"]);
    let commit = git(&["commit", "-q", "-m", "bad"]);
    let output = text(&commit);
    assert!(
        !commit.status.success(),
        "a bad Dockerfile must fail the commit:\n{output}"
    );
    assert!(
        output.contains("USR001") && output.contains("DEV001"),
        "{output}"
    );

    write(
        &work,
        "Dockerfile",
        "FROM python:3.12-slim\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n",
    );
    git(&["add", "-A"]);
    let commit = git(&["commit", "-q", "-m", "fixed"]);
    assert!(
        commit.status.success(),
        "the fixed Dockerfile must pass:\n{}",
        text(&commit)
    );

    // Kinds known by content or by a template name reach deploylint; other files pass quietly.
    std::fs::create_dir_all(work.join("deploy")).unwrap();
    write(
        &work,
        "deploy/app.service.in",
        "[Service]\nUser=root\nExecStart=@bindir@/gunicorn --bind 0.0.0.0:8000 app:app\n",
    );
    write(
        &work,
        "NOTES.md",
        "# notes\nFROM here on, nothing is linted.\n",
    );
    git(&["add", "-A"]);
    let commit = git(&["commit", "-q", "-m", "unit template"]);
    let output = text(&commit);
    assert!(
        !commit.status.success(),
        "a unit template that runs as root must fail the commit:\n{output}"
    );
    assert!(
        output.contains("deploy/app.service.in") && output.contains("USR001"),
        "{output}"
    );
    assert!(!output.contains("NOTES.md"), "{output}");
    write(
        &work,
        "deploy/app.service.in",
        "[Service]\nUser=app\nWorkingDirectory=/srv/app\nExecStart=@bindir@/gunicorn --bind 127.0.0.1:8000 app:app\n",
    );
    // `exclude` applies to the files pre-commit names (--force-exclude).
    std::fs::create_dir_all(work.join("vendor")).unwrap();
    write(&work, "vendor/Dockerfile", "FROM python:3.12-slim\n");
    write(
        &work,
        "deploylint.toml",
        "exclude = [\"vendor\"]\nfail-on = \"warning\"\n",
    );
    git(&["add", "-A"]);
    let commit = git(&["commit", "-q", "-m", "vendored"]);
    assert!(
        commit.status.success(),
        "an excluded vendored file must not fail the commit:\n{}",
        text(&commit)
    );
}

fn write(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).unwrap();
}
