//! How deploylint is built and shipped: the declared minimum Rust version, the Python
//! packaging in `pyproject.toml`, and the version every install instruction names.

mod common;

use common::{manifest_dir, run, stdout};
use std::path::Path;
use std::process::Command;

fn version_tuple(v: &str) -> Vec<u64> {
    v.split('.')
        .map(|part| part.parse().unwrap_or_else(|_| panic!("version {v:?}")))
        .collect()
}

fn cargo_toml() -> toml::Table {
    let text = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

fn pyproject() -> toml::Table {
    let text = std::fs::read_to_string(manifest_dir().join("pyproject.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

/// `rust-version` promises that this toolchain builds the crate with its locked dependencies
/// (`cargo install --locked`, `cargo test --locked`). No older toolchain can be installed to
/// try it, so check the promise against what every locked crate declares: bumping a crate
/// that needs a newer Rust fails here until `rust-version` follows. (Our own code's use of
/// newer standard-library APIs is caught by clippy's `incompatible_msrv`, on in CI.)
#[test]
fn rust_version_covers_every_locked_dependency() {
    let declared = cargo_toml()["package"]["rust-version"]
        .as_str()
        .expect("Cargo.toml declares rust-version")
        .to_string();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(manifest_dir())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.len() > 50, "the whole locked graph is listed");
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version_tuple(needs) > version_tuple(&declared)).then(|| {
                let field = |k: &str| p[k].as_str().unwrap_or("?").to_string();
                format!("{} {} needs Rust {needs}", field("name"), field("version"))
            })
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "Cargo.toml says rust-version = {declared:?}, but:\n{}",
        too_new.join("\n")
    );
}

/// The wheel's version is Cargo.toml's (maturin reads it when `version` is dynamic), so a
/// release bumps one file; the binary goes in the wheel as a script (`bindings = "bin"`),
/// built from the locked dependencies.
#[test]
fn pyproject_builds_the_binary_wheel_from_cargo_metadata() {
    let py = pyproject();
    let project = py["project"].as_table().unwrap();
    assert_eq!(project["name"].as_str(), Some("deploylint"));
    assert!(
        !project.contains_key("version"),
        "the version lives in Cargo.toml only"
    );
    let dynamic: Vec<&str> = project["dynamic"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(dynamic.contains(&"version"), "{dynamic:?}");
    let build = py["build-system"].as_table().unwrap();
    assert_eq!(build["build-backend"].as_str(), Some("maturin"));
    let maturin = py["tool"]["maturin"].as_table().unwrap();
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(maturin["locked"].as_bool(), Some(true));
}

/// The repository's own pyproject.toml is packaging only: deploylint takes a pyproject.toml as
/// configuration when it has a `[tool.deploylint]` table, and linting the sample from the
/// repository root (the README's command) must give exactly what it gives with nothing
/// around it.
#[test]
fn repository_pyproject_does_not_change_how_the_sample_is_linted() {
    let py = pyproject();
    assert!(
        py.get("tool").and_then(|t| t.get("deploylint")).is_none(),
        "pyproject.toml must not configure deploylint"
    );
    let repo = manifest_dir();
    let alone = tempfile::tempdir().unwrap();
    copy_tree(
        &repo.join("fixtures/sample"),
        &alone.path().join("fixtures/sample"),
    );
    let args = ["check", "--output-format", "json", "fixtures/sample"];
    let in_repo = run(&args, &repo);
    let in_isolation = run(&args, alone.path());
    assert_eq!(in_repo.status.code(), Some(1));
    assert_eq!(in_isolation.status.code(), Some(1));
    assert!(stdout(&in_repo).contains("\"USR001\""));
    assert_eq!(stdout(&in_repo), stdout(&in_isolation));
    assert_eq!(
        String::from_utf8_lossy(&in_repo.stderr),
        String::from_utf8_lossy(&in_isolation.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Install instructions name the release of this version: the tag `vX.Y.Z` that RELEASING.md
/// creates for Cargo.toml's version. A version bump without them fails here.
#[test]
fn install_instructions_name_this_release() {
    let version = env!("CARGO_PKG_VERSION");
    let tag = format!("v{version}");
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let revs: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rev: "))
        .map(|rest| rest.split_whitespace().next().unwrap_or(""))
        .collect();
    assert!(revs.len() >= 2, "README's pre-commit examples: {revs:?}");
    for rev in &revs {
        assert_eq!(*rev, tag, "README's pre-commit rev");
    }
    let actions: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.split_once("uses: deploylint/deploylint@"))
        .map(|(_, rest)| rest.trim())
        .collect();
    assert!(!actions.is_empty(), "README shows the GitHub Action");
    for action in &actions {
        assert_eq!(*action, tag, "README's action ref");
    }
    for pinned in ["--tag", "deploylint=="] {
        for line in readme.lines().filter(|l| l.contains(pinned)) {
            assert!(
                line.contains(&tag) || line.contains(&format!("=={version}")),
                "{line}"
            );
        }
    }
}

/// The build script finds `rules/` through the `CARGO_MANIFEST_DIR` cargo gives it when it
/// runs, not the one it was compiled with: cargo reuses a compiled build script for a copy of
/// the package at another path (a shared `CARGO_TARGET_DIR`, as `scripts/build-wheel.sh` and
/// the pre-commit test share `target/precommit`), and a path baked in at compile time then
/// points at the first copy, perhaps deleted ("rules/ directory: No such file").
#[test]
fn build_script_reads_the_manifest_dir_it_runs_for() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("build-script");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let compile = Command::new(rustc)
        .args([
            "--edition",
            "2024",
            "--cfg",
            "deploylint_build_paths_only",
            "-o",
        ])
        .arg(&script)
        .arg(manifest_dir().join("build.rs"))
        .env("CARGO_MANIFEST_DIR", tmp.path().join("copy-that-is-gone"))
        .output()
        .expect("run rustc");
    assert!(
        compile.status.success(),
        "{}",
        String::from_utf8_lossy(&compile.stderr)
    );
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let run = Command::new(&script)
        .env("CARGO_MANIFEST_DIR", manifest_dir())
        .env("OUT_DIR", &out_dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let generated = std::fs::read_to_string(out_dir.join("catalog_files.rs")).unwrap();
    let rules = manifest_dir().join("rules").join("USR001.yaml");
    assert!(
        generated.contains(&format!("{:?}", rules.display().to_string())),
        "{generated}"
    );
}
