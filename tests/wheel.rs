//! The Python wheel end to end: installed with pip into a clean virtualenv (no index, no Rust
//! on PATH), run by `pipx run` and installed by `uv tool install`, it lints the README's sample
//! exactly as the binary built by cargo does. See `common/wheel.rs` for when these run.

mod common;
#[path = "common/wheel.rs"]
mod wheel;

use common::{manifest_dir, run};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;
use wheel::{pip_install, sh, text};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the README's command prints from the cargo-built binary, to compare with.
fn expected_sample() -> Output {
    let out = run(
        &["check", "--output-format", "concise", "fixtures/sample"],
        &manifest_dir(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    out
}

/// Runs an installed `deploylint` on the sample from the repository root, with no Rust on
/// PATH, and checks it finds what the cargo-built binary finds.
fn lints_the_sample_like_cargo_build(deploylint: &Path) {
    let version = sh(Command::new(deploylint).arg("--version"));
    assert!(version.status.success(), "{}", text(&version));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("deploylint {VERSION}"),
        "the installed binary is this version (a stale DEPLOYLINT_WHEEL?)"
    );
    let out = sh(Command::new(deploylint)
        .args(["check", "--output-format", "concise", "fixtures/sample"])
        .current_dir(manifest_dir())
        .env("PATH", wheel::path_without_rust()));
    let expected = expected_sample();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("fixtures/sample/compose.yaml:5:5: USR001"),
        "{stdout}"
    );
    assert_eq!(stdout, String::from_utf8_lossy(&expected.stdout));
    // The default (pretty) output too: the README's own command.
    let pretty = sh(Command::new(deploylint)
        .args(["check", "fixtures/sample"])
        .current_dir(manifest_dir())
        .env("NO_COLOR", "1"));
    assert_eq!(pretty.status.code(), Some(1), "{}", text(&pretty));
    assert!(
        String::from_utf8_lossy(&pretty.stdout).contains("runs-as-root"),
        "{}",
        text(&pretty)
    );
}

#[test]
fn pip_installs_the_wheel_into_a_clean_virtualenv() {
    let Some(wheel) = wheel::wheel() else { return };
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("deploylint-{VERSION}-py3-none-");
    assert!(
        name.starts_with(&prefix),
        "{name}: one wheel for every Python 3, tagged by platform only"
    );
    let tmp = tempfile::tempdir().unwrap();
    let Some(bin) = wheel::venv(&tmp.path().join("venv")) else {
        return;
    };
    let started = Instant::now();
    // No index: the wheel must be complete on its own.
    let Some(()) = pip_install(&bin, &["--no-index", wheel.to_str().unwrap()]) else {
        return;
    };
    eprintln!(
        "measured: pip install of {name} ({} bytes) into a fresh virtualenv took {:.1} s",
        std::fs::metadata(&wheel).unwrap().len(),
        started.elapsed().as_secs_f64()
    );
    let metadata = sh(Command::new(bin.join("python")).args([
        "-c",
        "import importlib.metadata as m; print(m.version('deploylint'))",
    ]));
    assert_eq!(String::from_utf8_lossy(&metadata.stdout).trim(), VERSION);
    lints_the_sample_like_cargo_build(&bin.join("deploylint"));
}

#[test]
fn pipx_run_and_uv_tool_install_run_the_wheel() {
    let Some(wheel) = wheel::wheel() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let Some(tools) = wheel::venv(&tmp.path().join("tools")) else {
        return;
    };
    let Some(()) = pip_install(&tools, &["pipx", "uv"]) else {
        return;
    };

    // pipx run: a cached throwaway environment, the binary run through it.
    let pipx = |args: &[&str]| {
        sh(Command::new(tools.join("pipx"))
            .args(args)
            .current_dir(manifest_dir())
            .env("PIPX_HOME", tmp.path().join("pipx"))
            .env("PIPX_BIN_DIR", tmp.path().join("pipx-bin"))
            .env("PATH", wheel::path_without_rust()))
    };
    let spec = wheel.to_str().unwrap();
    let out = pipx(&["run", "--spec", spec, "deploylint", "--version"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("deploylint {VERSION}")));
    let out = pipx(&[
        "run",
        "--spec",
        spec,
        "deploylint",
        "check",
        "--output-format",
        "concise",
        "fixtures/sample",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&expected_sample().stdout)
    );

    // uv tool install: deploylint on PATH in its own environment, offline.
    let bin_dir = tmp.path().join("uv-bin");
    let out = sh(Command::new(tools.join("uv"))
        .args(["tool", "install", "--offline", spec])
        .env("UV_TOOL_DIR", tmp.path().join("uv-tools"))
        .env("UV_TOOL_BIN_DIR", &bin_dir)
        .env("UV_CACHE_DIR", tmp.path().join("uv-cache"))
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("PATH", wheel::path_without_rust()));
    assert!(out.status.success(), "{}", text(&out));
    lints_the_sample_like_cargo_build(&bin_dir.join("deploylint"));
}
