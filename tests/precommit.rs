//! The pre-commit hooks end to end: pre-commit from PyPI in a fresh virtualenv installs a hook
//! into a temporary git repository, where a bad Dockerfile fails the commit and the fixed one
//! passes, a unit template (`*.service.in`, once outside the hook's file pattern) fails it,
//! and an excluded vendored file does not. Two hooks:
//! - `language: rust`, from this repository (its committed HEAD), compiled by cargo. It needs
//!   python3, git and PyPI; without them it is skipped with a message, unless
//!   `DEPLOYLINT_REQUIRE_PRECOMMIT=1` (CI), where a missing piece fails.
//! - `language: python`, from the pre-commit mirror that `scripts/pre-commit-mirror.sh`
//!   generates, which installs the deploylint wheel: with no Rust on PATH and no package
//!   index, only the wheel and the mirror's build backend. It also needs the wheel (see
//!   `common/wheel.rs`; required in CI by `DEPLOYLINT_REQUIRE_WHEEL=1`).

mod common;
#[path = "common/wheel.rs"]
mod wheel;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use wheel::{sh, text};

fn required() -> bool {
    std::env::var("DEPLOYLINT_REQUIRE_PRECOMMIT").as_deref() == Ok("1")
}

fn skip(why: &str) {
    assert!(!required(), "pre-commit test cannot run: {why}");
    eprintln!("skipping: {why}");
}

fn git_head(repo: &Path) -> Option<String> {
    let head = sh(Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo));
    head.status
        .success()
        .then(|| String::from_utf8_lossy(&head.stdout).trim().to_string())
}

/// A virtualenv with pre-commit from PyPI; returns its `bin` directory.
fn pre_commit_venv(dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    if !sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .status
        .success()
    {
        skip("python3 -m venv failed");
        return None;
    }
    let bin = venv.join("bin");
    let pip = sh(Command::new(bin.join("pip")).args(["install", "--quiet", "pre-commit"]));
    if !pip.status.success() {
        skip(&format!("pip install pre-commit failed: {}", text(&pip)));
        return None;
    }
    Some(bin)
}

/// Installs hook `deploylint` of `hook_repo` at `rev` into a new git repository under `tmp`,
/// commits a bad Dockerfile (must fail with its findings) and the fixed one (must pass), with
/// `env` set for pre-commit and for git (which runs it). Returns how long the first commit
/// took, which includes installing the hook's environment.
fn bad_then_fixed_commit(
    tmp: &Path,
    pre_commit: &Path,
    hook_repo: &Path,
    rev: &str,
    env: &[(&str, OsString)],
) -> Duration {
    let work = tmp.join("work");
    std::fs::create_dir(&work).unwrap();
    let cache = tmp.join("cache");
    // The hook runs inside `git commit`, so git carries pre-commit's environment.
    let run = |program: &Path, args: &[&str]| {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&work)
            .env("PRE_COMMIT_HOME", &cache);
        for (key, value) in env {
            cmd.env(key, value);
        }
        sh(&mut cmd)
    };
    let git = |args: &[&str]| run(Path::new("git"), args);
    assert!(git(&["init", "-q"]).status.success());
    git(&["config", "user.email", "test@example.com"]);
    git(&["config", "user.name", "test"]);
    git(&["config", "commit.gpgsign", "false"]);
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: deploylint\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    let install = run(pre_commit, &["install"]);
    assert!(install.status.success(), "{}", text(&install));

    write(
        &work,
        "Dockerfile",
        "FROM python:3.12-slim\nCMD [\"flask\", \"run\"]\n",
    );
    git(&["add", "-A"]);
    let started = Instant::now();
    let commit = git(&["commit", "-q", "-m", "bad"]);
    let first_run = started.elapsed();
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
    first_run
}

#[test]
fn hook_fails_a_bad_dockerfile_and_passes_the_fix() {
    let repo = common::manifest_dir();
    let Some(head) = git_head(&repo) else {
        return skip("this checkout has no git history to install the hook from");
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(bin) = pre_commit_venv(tmp.path()) else {
        return;
    };
    // Reuse one build directory across runs of this test (and with scripts/build-wheel.sh).
    let target = repo.join("target/precommit");
    let first_run = bad_then_fixed_commit(
        tmp.path(),
        &bin.join("pre-commit"),
        &repo,
        &head,
        &[("CARGO_TARGET_DIR", target.into_os_string())],
    );
    eprintln!(
        "measured: first commit through the rust hook (cargo install, target/precommit reused) took {:.1} s",
        first_run.as_secs_f64()
    );
}

#[test]
fn python_hook_from_the_mirror_installs_the_wheel_without_rust() {
    let Some(wheel) = wheel::wheel() else { return };
    let repo = common::manifest_dir();
    let tmp = tempfile::tempdir().unwrap();
    let Some(bin) = pre_commit_venv(tmp.path()) else {
        return;
    };

    // The only packages pip may install: the wheel and the mirror's build backend.
    let index = tmp.path().join("index");
    std::fs::create_dir(&index).unwrap();
    std::fs::copy(&wheel, index.join(wheel.file_name().unwrap())).unwrap();
    let download = sh(Command::new(bin.join("pip"))
        .args(["download", "--quiet", "--only-binary=:all:", "--dest"])
        .arg(&index)
        .arg("setuptools>=61"));
    if !download.status.success() {
        return skip(&format!(
            "pip download setuptools failed: {}",
            text(&download)
        ));
    }

    // The mirror repository as a release would publish it.
    let mirror = tmp.path().join("mirror");
    let generate = sh(Command::new("bash")
        .arg(repo.join("scripts/pre-commit-mirror.sh"))
        .arg(&mirror));
    assert!(generate.status.success(), "{}", text(&generate));
    let git = |args: &[&str]| {
        sh(Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&mirror))
    };
    assert!(git(&["init", "-q"]).status.success());
    assert!(git(&["add", "-A"]).status.success());
    let commit = git(&["commit", "-q", "-m", "mirror"]);
    assert!(commit.status.success(), "{}", text(&commit));
    let rev = git_head(&mirror).unwrap();

    let first_run = bad_then_fixed_commit(
        tmp.path(),
        &bin.join("pre-commit"),
        &mirror,
        &rev,
        &[
            ("PATH", wheel::path_without_rust()),
            ("PIP_NO_INDEX", "1".into()),
            ("PIP_FIND_LINKS", index.into_os_string()),
            ("PIP_DISABLE_PIP_VERSION_CHECK", "1".into()),
        ],
    );
    eprintln!(
        "measured: first commit through the python hook (pip installs the wheel) took {:.1} s",
        first_run.as_secs_f64()
    );
}

/// The mirror's hooks are this repository's, field for field, except how they are installed:
/// a change to the `deploylint` hook (its files, its arguments) reaches both.
#[test]
fn mirror_hooks_are_the_rust_hooks_installed_from_the_wheel() {
    let repo = common::manifest_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = sh(Command::new("bash")
        .arg(repo.join("scripts/pre-commit-mirror.sh"))
        .arg(tmp.path())
        .arg("9.8.7"));
    assert!(out.status.success(), "{}", text(&out));
    let load = |path: &Path| -> Vec<serde_yaml::Mapping> {
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let ours = load(&repo.join(".pre-commit-hooks.yaml"));
    let mirrored = load(&tmp.path().join(".pre-commit-hooks.yaml"));
    assert!(ours.iter().any(|h| h["id"] == "deploylint"));
    assert_eq!(ours.len(), mirrored.len());
    for (mut rust, python) in ours.into_iter().zip(mirrored) {
        assert_eq!(rust["language"], "rust");
        assert_eq!(python["language"], "python");
        rust.insert("language".into(), "python".into());
        assert_eq!(rust, python);
    }
    let pyproject: toml::Table =
        toml::from_str(&std::fs::read_to_string(tmp.path().join("pyproject.toml")).unwrap())
            .unwrap();
    assert_eq!(pyproject["project"]["version"].as_str(), Some("9.8.7"));
    assert_eq!(
        pyproject["project"]["dependencies"].as_array().unwrap(),
        &vec![toml::Value::from("deploylint==9.8.7")]
    );
    let readme = std::fs::read_to_string(tmp.path().join("README.md")).unwrap();
    assert!(readme.contains("rev: v9.8.7") && !readme.contains("@VERSION@"));
}

fn write(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).unwrap();
}
