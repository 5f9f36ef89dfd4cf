//! The deploylint wheel and Python virtualenvs, for the tests that install deploylint the way
//! Python users do. The wheel is `$DEPLOYLINT_WHEEL`, or one that `scripts/build-wheel.sh`
//! builds (a release build: minutes) when `DEPLOYLINT_BUILD_WHEEL=1` or
//! `DEPLOYLINT_REQUIRE_WHEEL=1`. Without either these tests are skipped with a message; with
//! `DEPLOYLINT_REQUIRE_WHEEL=1` (CI) anything missing (python3, PyPI, maturin) fails them.
#![allow(dead_code)] // each test file uses some of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn required() -> bool {
    std::env::var("DEPLOYLINT_REQUIRE_WHEEL").as_deref() == Ok("1")
}

/// Skips the calling test with `why`, or fails it when the wheel tests are required.
pub fn skip(why: &str) {
    assert!(!required(), "wheel test cannot run: {why}");
    eprintln!("skipping: {why}");
}

pub fn sh(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The wheel to test, or `None` after reporting why the test is skipped.
pub fn wheel() -> Option<PathBuf> {
    if let Some(given) = std::env::var_os("DEPLOYLINT_WHEEL") {
        let given = PathBuf::from(given);
        assert!(
            given.is_file(),
            "DEPLOYLINT_WHEEL={} is not a file",
            given.display()
        );
        return Some(given);
    }
    let build = std::env::var("DEPLOYLINT_BUILD_WHEEL").as_deref() == Ok("1");
    if !build && !required() {
        skip("no wheel: set DEPLOYLINT_WHEEL=PATH, or DEPLOYLINT_BUILD_WHEEL=1 to build one");
        return None;
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(build_wheel) {
        Ok(path) => Some(path.clone()),
        Err(why) => {
            skip(why);
            None
        }
    }
}

fn build_wheel() -> Result<PathBuf, String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = sh(Command::new("bash")
        .arg(repo.join("scripts/build-wheel.sh"))
        .arg(repo.join("target/wheels"))
        .current_dir(&repo));
    if !out.status.success() {
        return Err(format!("scripts/build-wheel.sh failed:\n{}", text(&out)));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let path = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    if !path.is_file() {
        return Err(format!("scripts/build-wheel.sh printed no wheel: {stdout}"));
    }
    Ok(path)
}

/// A fresh virtualenv at `dir`; returns its `bin` directory.
pub fn venv(dir: &Path) -> Option<PathBuf> {
    let out = sh(Command::new("python3").args(["-m", "venv"]).arg(dir));
    if !out.status.success() {
        skip(&format!("python3 -m venv failed: {}", text(&out)));
        return None;
    }
    Some(dir.join("bin"))
}

/// `pip install` into the virtualenv whose `bin` is given; `None` (skipped) when it fails.
pub fn pip_install(bin: &Path, args: &[&str]) -> Option<()> {
    let out = sh(Command::new(bin.join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(args));
    if !out.status.success() {
        skip(&format!("pip install {args:?} failed: {}", text(&out)));
        return None;
    }
    Some(())
}

/// `PATH` without any directory that holds cargo or rustc: what a machine without Rust has.
pub fn path_without_rust() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path)
        .filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists());
    std::env::join_paths(dirs).unwrap()
}
