//! Guarantees a security tool must keep: it never writes to what it lints (only the explicit
//! `--write-baseline FILE`, and `--fix`/`--add-suppressions`, which rewrite exactly the files
//! they change), never executes anything or opens a network connection
//! (scripts/check-syscalls.sh under strace), and its memory stays bounded (tests/hostile.rs
//! measures the 50 MB file and a file at the size limit).

mod common;

use common::{bin, manifest_dir};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Content, modification time and permissions of every file under `root`.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        let meta = fs::symlink_metadata(entry.path()).unwrap();
        if meta.is_file() {
            out.insert(
                entry.path().to_path_buf(),
                (
                    fs::read(entry.path()).unwrap(),
                    meta.modified().unwrap(),
                    meta.permissions().mode(),
                ),
            );
        }
    }
    out
}

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

const PACK: &str = r#"rules:
  - code: GUA001
    name: guarantee-rule
    family: user
    severity: info
    formats: [dockerfile, python]
    summary: x
    rationale: x
    fix: x
    match: { format: dockerfile, regex: '.' }
"#;

/// Every way of running a check over `paths` (each only reads).
fn every_run(paths: &[&str], baseline: &str) -> Vec<Vec<String>> {
    let mut runs = Vec::new();
    for format in [
        "pretty",
        "concise",
        "grouped",
        "json",
        "json-lines",
        "sarif",
        "github",
        "gitlab",
        "junit",
    ] {
        for color in ["always", "never"] {
            runs.push(vec!["--output-format", format, "--color", color]);
        }
    }
    runs.push(vec!["--statistics"]);
    runs.push(vec!["--show-files"]);
    runs.push(vec!["--show-settings"]);
    runs.push(vec!["--select", "ALL", "--fail-on", "never"]);
    // Previews and hints of fixes only read.
    runs.push(vec!["--diff"]);
    runs.push(vec!["--diff", "--unsafe-fixes"]);
    runs.push(vec!["--unsafe-fixes"]);
    let mut runs: Vec<Vec<String>> = runs
        .into_iter()
        .map(|r| {
            ["check"]
                .iter()
                .chain(&r)
                .chain(paths)
                .map(|s| s.to_string())
                .collect()
        })
        .collect();
    runs.push(
        ["check", "--baseline", baseline]
            .iter()
            .chain(paths)
            .map(|s| s.to_string())
            .collect(),
    );
    runs
}

fn run_all(cwd: &Path, paths: &[&str], baseline: &Path) {
    for args in every_run(paths, baseline.to_str().unwrap()) {
        let out = bin().args(&args).current_dir(cwd).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn never_writes_to_what_it_lints() {
    // The repository's fixtures, in place.
    let fixtures = manifest_dir().join("fixtures");
    let before = snapshot(&fixtures);
    assert!(before.len() > 10, "fixtures not found");
    let scratch = tempfile::tempdir().unwrap();
    let baseline = scratch.path().join("baseline.json");
    let out = bin()
        .args(["check", "--write-baseline"])
        .arg(&baseline)
        .arg("fixtures")
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    run_all(&manifest_dir(), &["fixtures"], &baseline);
    assert!(
        before == snapshot(&fixtures),
        "a file under fixtures/ changed"
    );

    // A copy with a configuration file, a rule pack and a baseline, all of which are read.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures, dir.path());
    fs::write(dir.path().join("pack.yaml"), PACK).unwrap();
    fs::write(
        dir.path().join("deploylint.toml"),
        "extend-select = [\"ALL\"]\nrules = [\"pack.yaml\"]\n",
    )
    .unwrap();
    let out = bin()
        .args(["check", "--write-baseline", "baseline.json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let before = snapshot(dir.path());
    run_all(dir.path(), &["."], &dir.path().join("baseline.json"));
    assert!(before == snapshot(dir.path()), "a file in the tree changed");

    // The one write: the explicit baseline file, and nothing else.
    let out = bin()
        .args(["check", "--write-baseline", "new-baseline.json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut after = snapshot(dir.path());
    assert!(
        after
            .remove(&dir.path().join("new-baseline.json"))
            .is_some()
    );
    assert!(before == after, "--write-baseline changed another file");
}

/// Runs scripts/check-syscalls.sh (strace) on the fixtures. Skips when strace is missing,
/// unless DEPLOYLINT_REQUIRE_STRACE=1 (CI).
#[test]
fn never_executes_or_connects() {
    let has_strace = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_strace {
        if std::env::var("DEPLOYLINT_REQUIRE_STRACE").as_deref() == Ok("1") {
            panic!("strace not found and DEPLOYLINT_REQUIRE_STRACE=1");
        }
        eprintln!("skipping: strace not found (apt-get install strace)");
        return;
    }
    // Under a restricted container strace may be refused (ptrace); that is a skip, not a pass.
    let probe = Command::new("strace")
        .args(["-qq", "-e", "trace=none", "true"])
        .output()
        .unwrap();
    if !probe.status.success() {
        if std::env::var("DEPLOYLINT_REQUIRE_STRACE").as_deref() == Ok("1") {
            panic!(
                "strace cannot trace here: {}",
                String::from_utf8_lossy(&probe.stderr)
            );
        }
        eprintln!("skipping: strace cannot trace here (ptrace not permitted)");
        return;
    }
    let out = Command::new(manifest_dir().join("scripts/check-syscalls.sh"))
        .env("DEPLOYLINT_BIN", env!("CARGO_BIN_EXE_deploylint"))
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("ok   sarif"), "{report}");
    assert!(!report.contains("FAIL"), "{report}");
}

/// Files (relative to `root`) that findings with a fix of the given kind point into.
fn files_with_fixes(root: &Path, unsafe_fixes: bool) -> std::collections::BTreeSet<PathBuf> {
    let out = bin()
        .args(["check", "--output-format", "json", "."])
        .current_dir(root)
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    items
        .iter()
        .filter(|d| {
            d["fix"]["applicability"] == "safe"
                || (unsafe_fixes && d["fix"]["applicability"] == "unsafe")
        })
        .map(|d| root.join(d["path"].as_str().unwrap()))
        .collect()
}

/// The files whose content changed between two snapshots; every other file keeps its
/// content, modification time and permissions, a changed file its permissions, and no file
/// appears or disappears (no temporary file is left behind).
fn changed_files(
    before: &BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)>,
    after: &BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)>,
) -> std::collections::BTreeSet<PathBuf> {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "a file appeared or disappeared"
    );
    let mut changed = std::collections::BTreeSet::new();
    for (path, (content, mtime, mode)) in before {
        let (new_content, new_mtime, new_mode) = &after[path];
        assert_eq!(mode, new_mode, "{} changed permissions", path.display());
        if content != new_content {
            changed.insert(path.clone());
        } else {
            assert_eq!(
                mtime,
                new_mtime,
                "{} was rewritten unchanged",
                path.display()
            );
        }
    }
    changed
}

/// `--fix` rewrites exactly the files with a fix it may apply, `--add-suppressions` only
/// files with findings, and nothing else is touched.
#[test]
fn fix_and_add_suppressions_write_only_what_they_change() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join("fixtures"), dir.path());
    // A file with an unusual mode keeps it.
    let site = dir.path().join("DIS002/bad/apache2/security.conf");
    assert!(site.is_file());
    fs::set_permissions(&site, fs::Permissions::from_mode(0o604)).unwrap();

    for unsafe_fixes in [false, true] {
        let expected = files_with_fixes(dir.path(), unsafe_fixes);
        assert!(expected.len() > 5, "{expected:?}");
        let before = snapshot(dir.path());
        let mut args = vec!["check", "--fix", "--fail-on", "never"];
        if unsafe_fixes {
            args.push("--unsafe-fixes");
        }
        args.push(".");
        let out = bin().args(&args).current_dir(dir.path()).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let changed = changed_files(&before, &snapshot(dir.path()));
        assert_eq!(
            changed, expected,
            "--fix changed other files than those with fixes"
        );
    }
    assert!(files_with_fixes(dir.path(), true).is_empty());

    let out = bin()
        .args(["check", "--output-format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let with_findings: std::collections::BTreeSet<PathBuf> = items
        .iter()
        .filter(|d| d["code"] != "SYN001")
        .map(|d| dir.path().join(d["path"].as_str().unwrap()))
        .collect();
    let before = snapshot(dir.path());
    let out = bin()
        .args(["check", "--add-suppressions", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed = changed_files(&before, &snapshot(dir.path()));
    assert!(!changed.is_empty());
    assert!(
        changed.is_subset(&with_findings),
        "--add-suppressions changed a file without findings: {:?}",
        changed.difference(&with_findings).collect::<Vec<_>>()
    );
}
