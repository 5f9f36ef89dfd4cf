//! The options and output formats that ruff and hadolint users reach for, through the real
//! binary: --exit-zero, --quiet, --show-files, --show-settings, `extend` in configuration,
//! json-lines, junit and grouped output, JSON labels and documentation URLs, --statistics in
//! JSON, shell completions and manual pages.

mod common;

use common::{bin, manifest_dir, project, run, stderr, stdout};
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

const ROOT_DOCKERFILE: &str =
    "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n";
const CLEAN_DOCKERFILE: &str = "FROM python:3.12-slim\nUSER app\nCMD [\"gunicorn\", \"-b\", \"127.0.0.1:8000\", \"app:app\"]\n";
const DEBUG_APP: &str = "app.run(debug=True)\n";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// `path CODE` for each finding, from concise output.
fn findings(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, dir);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

// --exit-zero

#[test]
fn exit_zero_passes_findings_but_not_errors() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE), ("app.py", DEBUG_APP)]);
    let plain = run(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(plain.status.code(), Some(1));
    let zero = run(
        &["check", "--output-format", "concise", "--exit-zero"],
        dir.path(),
    );
    assert_eq!(zero.status.code(), Some(0), "{}", stderr(&zero));
    assert_eq!(stdout(&zero), stdout(&plain), "findings are still printed");
    // Errors keep exit code 2: a missing path, a broken configuration, a usage error.
    let missing = run(&["check", "--exit-zero", "Dockerfile", "nope"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    fs::write(dir.path().join("deploylint.toml"), "selekt = []\n").unwrap();
    let broken = run(&["check", "--exit-zero"], dir.path());
    assert_eq!(broken.status.code(), Some(2), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("unknown field `selekt`"));
    let usage = run(&["check", "--exit-zero", "--select", "XYZ999"], dir.path());
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn exit_zero_with_an_unreadable_file_still_exits_2() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    // A file that cannot be read as one (as tests/cli.rs does when running as root).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("Dockerfile.mem")).unwrap();
        let out = run(
            &["check", "--exit-zero", "Dockerfile", "Dockerfile.mem"],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
}

// --quiet

#[test]
fn quiet_prints_only_findings() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE), ("app.py", DEBUG_APP)]);
    let out = run(&["check", "--color", "never", "--quiet"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("[USR001 runs-as-root]"), "{text}");
    assert!(!text.contains("problems"), "no summary line: {text}");
    let loud = stdout(&run(&["check", "--color", "never"], dir.path()));
    assert_eq!(
        loud,
        format!(
            "{text}2 problems (1 error, 1 warning) in 2 files\n1 fixable with `--fix --unsafe-fixes`.\n"
        )
    );
    // The short form, and the line formats without a summary are unchanged.
    let short = run(&["check", "-q", "--output-format", "concise"], dir.path());
    assert_eq!(
        stdout(&short),
        stdout(&run(&["check", "--output-format", "concise"], dir.path()))
    );
    let grouped = stdout(&run(
        &["check", "-q", "--output-format", "grouped"],
        dir.path(),
    ));
    assert!(grouped.ends_with("debug mode on\n\n"), "{grouped}");
}

#[test]
fn quiet_with_no_findings_prints_nothing() {
    let dir = project(&[
        ("Dockerfile", CLEAN_DOCKERFILE),
        // A binary file named like a Dockerfile makes a note on stderr.
        ("svc/Dockerfile", "FROM python\0\u{1}\n"),
    ]);
    let loud = run(&["check"], dir.path());
    assert_eq!(loud.status.code(), Some(0), "{}", stderr(&loud));
    assert!(stdout(&loud).contains("No problems found"));
    assert!(stderr(&loud).contains("skipped: binary file"));
    for format in ["pretty", "concise", "grouped", "github", "json-lines"] {
        let out = run(&["check", "--quiet", "--output-format", format], dir.path());
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out), "", "{format}");
        assert_eq!(stderr(&out), "", "{format}: notes are not printed");
    }
    // Documents stay documents: an empty JSON array, SARIF with no results.
    let out = run(&["check", "-q", "--output-format", "json"], dir.path());
    assert_eq!(stdout(&out), "[]\n");
    let out = run(&["check", "-q", "--statistics"], dir.path());
    assert_eq!(stdout(&out), "");
    // A baseline is written without its message.
    let out = run(&["check", "-q", "--write-baseline", "b.json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    assert!(dir.path().join("b.json").is_file());
}

#[test]
fn quiet_still_prints_errors() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = run(&["check", "-q", "nope/Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope/Dockerfile: no such file or directory"));
    fs::write(dir.path().join("deploylint.toml"), "fail-on = \"often\"\n").unwrap();
    let out = run(&["check", "-q"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown fail-on `often`"));
}

// --show-files

/// A file a launcher names with `-c` is a gunicorn config whatever its name and however its
/// content reads (gunicorn executes it as Python): in a walk, and named alone in its project
/// (the pre-commit case). A module path is mapped into the tree; one that is not there, and
/// a `.conf` the launcher does not name, are left alone.
#[test]
fn files_named_by_gunicorn_config_options_are_gunicorn_configs() {
    // A top-level call: the content alone does not say gunicorn.
    const CONF: &str = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\nbind = '0.0.0.0:8000'\n";
    let dir = project(&[
        ("deploylint.toml", ""),
        (
            "deploy/web.service",
            "[Service]\nUser=app\nExecStart=/srv/venv/bin/gunicorn -c /srv/app/deploy/web.conf shop.wsgi\n",
        ),
        ("deploy/web.conf", CONF),
        ("deploy/other.conf", CONF),
        (
            "api.service",
            "[Service]\nUser=app\nExecStart=/srv/venv/bin/gunicorn -c python:conf.api_server -c python:conf.missing api.wsgi\n",
        ),
        (
            "worker.service",
            "[Service]\nUser=app\nExecStart=/srv/venv/bin/gunicorn -c python:conf.api_server api.wsgi\n",
        ),
        ("conf/api_server.py", CONF),
    ]);
    let out = run(&["check", "--show-files"], dir.path());
    assert_eq!(
        stdout(&out),
        "api.service         systemd\n\
         conf/api_server.py  gunicorn\n\
         deploy/web.conf     gunicorn\n\
         deploy/web.service  systemd\n\
         worker.service      systemd\n",
        "{}",
        stderr(&out)
    );
    let out = run(
        &[
            "check",
            "--select",
            "NET001",
            "--output-format",
            "concise",
            "deploy/web.conf",
        ],
        dir.path(),
    );
    assert_eq!(
        stdout(&out),
        "deploy/web.conf:3:8: NET001 the gunicorn config starts a server that listens on 0.0.0.0, exposing it on every network interface\n",
        "{}",
        stderr(&out)
    );
    // Not named by any launcher: skipped, as before.
    let out = run(&["check", "deploy/other.conf"], dir.path());
    assert!(
        stderr(&out).contains("deploy/other.conf: skipped: not a file kind deploylint reads"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn show_files_lists_what_check_reads_with_kinds() {
    let dir = project(&[
        (".gitignore", "build/\n"),
        ("deploylint.toml", "exclude = [\"vendor\"]\n"),
        ("build/Dockerfile", ROOT_DOCKERFILE),
        ("vendor/Dockerfile", ROOT_DOCKERFILE),
        ("svc/Dockerfile.prod", ROOT_DOCKERFILE),
        ("svc/app.py", DEBUG_APP),
        ("svc/gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
        ("svc/compose.yaml", "services:\n  web:\n    image: x\n"),
        ("svc/Procfile", "web: gunicorn app:app\n"),
        ("svc/app.service", "[Service]\nExecStart=/bin/true\n"),
        ("svc/notes.txt", DEBUG_APP),
        // By content: an Apache site under sites-available and a `.conf` elsewhere that is not.
        (
            "etc/apache2/sites-available/site",
            "<VirtualHost *:80>\n  ServerName x\n</VirtualHost>\n",
        ),
        ("etc/other.conf", "key = value\n"),
        ("svc/Dockerfile.bin", "FROM python\0\n"),
    ]);
    let out = run(&["check", "--show-files"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "etc/apache2/sites-available/site  apache\n\
         svc/Dockerfile.prod               dockerfile\n\
         svc/Procfile                      procfile\n\
         svc/app.py                        python\n\
         svc/app.service                   systemd\n\
         svc/compose.yaml                  compose\n\
         svc/gunicorn.conf.py              gunicorn\n"
    );
    assert!(
        stderr(&out).contains("svc/Dockerfile.bin: skipped: binary file"),
        "{}",
        stderr(&out)
    );
    // Nothing was linted: findings do not change the exit code.
    assert_eq!(
        run(&["check", "--show-files", "-q"], dir.path())
            .stderr
            .len(),
        0
    );
    // Files named explicitly: sniffed by content, linted even when ignored.
    fs::write(
        dir.path().join("runme"),
        "#!/usr/bin/env python3\napp.run(debug=True)\n",
    )
    .unwrap();
    let out = run(
        &[
            "check",
            "--show-files",
            "--output-format",
            "json",
            "runme",
            "build/Dockerfile",
            "svc/notes.txt",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json(&out),
        serde_json::json!([
            {"path": "build/Dockerfile", "kind": "dockerfile"},
            {"path": "runme", "kind": "python"},
        ])
    );
    assert!(stderr(&out).contains("svc/notes.txt: skipped: not a file kind deploylint reads"));
    let lines = run(
        &[
            "check",
            "--show-files",
            "--output-format",
            "json-lines",
            "svc",
        ],
        dir.path(),
    );
    assert_eq!(stdout(&lines).lines().count(), 6);
    for line in stdout(&lines).lines() {
        let item: Value = serde_json::from_str(line).unwrap();
        assert!(item["path"].as_str().unwrap().starts_with("svc/"));
    }
}

#[test]
fn show_files_agrees_with_the_files_check_lints() {
    let dir = project(&[
        ("a/Dockerfile", CLEAN_DOCKERFILE),
        ("a/app.py", "print('hi')\n"),
        ("b/compose.yml", "services:\n  web:\n    image: x\n"),
        ("b/README.md", "# not linted\n"),
        ("c/Procfile.dev", "web: flask run\n"),
        ("c/unit.service.in", "[Service]\nUser=app\n"),
    ]);
    let listed = stdout(&run(&["check", "--show-files"], dir.path()))
        .lines()
        .count();
    // With every rule off, the summary counts the files linted.
    let out = run(&["check", "--ignore", "ALL"], dir.path());
    assert_eq!(
        stdout(&out),
        format!("No problems found in {listed} files.\n")
    );
    assert_eq!(listed, 5);
}

#[test]
fn show_files_errors() {
    let dir = project(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = run(&["check", "--show-files", "Dockerfile", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "Dockerfile  dockerfile\n");
    assert!(stderr(&out).contains("nope: no such file or directory"));
    let out = run(
        &["check", "--show-files", "--output-format", "sarif"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not sarif"), "{}", stderr(&out));
    let out = run(
        &[
            "check",
            "--show-files",
            "--stdin-filename",
            "Dockerfile",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not standard input"));
    let out = run(&["check", "--show-files", "--statistics"], dir.path());
    assert_eq!(out.status.code(), Some(2), "conflicting options");
    fs::write(dir.path().join("deploylint.toml"), "select = [\"NOPE\"]\n").unwrap();
    let out = run(&["check", "--show-files"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule `NOPE`"));
    assert_eq!(stdout(&out), "");
}

// --show-settings

#[test]
fn show_settings_resolves_the_configuration_for_a_path() {
    let dir = project(&[
        (
            "deploylint.toml",
            "ignore = [\"NET001\"]\nfail-on = \"error\"\nexclude = [\"vendor\"]\n\
             [per-file-ignores]\n\"tests/**\" = [\"DBG001\"]\n\
             [severity]\nUSR001 = \"error\"\n\
             [options]\nshared-accounts = [\"www-data\"]\n",
        ),
        ("tests/app.py", DEBUG_APP),
        ("svc/app.py", DEBUG_APP),
    ]);
    let out = run(
        &[
            "check",
            "--show-settings",
            "--output-format",
            "json",
            "tests/app.py",
            "svc",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reports = json(&out);
    let (tests, svc) = (&reports[0], &reports[1]);
    assert_eq!(tests["path"], "tests/app.py");
    assert_eq!(tests["kind"], "python");
    assert_eq!(svc["kind"], Value::Null, "a directory has no kind");
    assert_eq!(tests["config_file"], "deploylint.toml");
    assert_eq!(tests["fail_on"], "error");
    assert_eq!(tests["excluded"], false);
    assert_eq!(tests["exclude"][0]["glob"], "vendor");
    assert_eq!(tests["per_file_ignores"][0]["applies"], true);
    assert_eq!(svc["per_file_ignores"][0]["applies"], false);
    assert_eq!(
        tests["options"]["shared_accounts"],
        serde_json::json!(["www-data"])
    );
    let rules = |report: &Value| -> Vec<String> {
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    let all = deploylint::catalog::catalog().len();
    assert!(!rules(tests).contains(&"NET001".to_string()));
    assert!(
        !rules(tests).contains(&"DBG001".to_string()),
        "per-file ignore"
    );
    assert!(rules(svc).contains(&"DBG001".to_string()));
    assert_eq!(rules(svc).len(), all - 1);
    let usr = svc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "USR001")
        .unwrap();
    assert_eq!(usr["severity"], "error");
    assert_eq!(usr["name"], "runs-as-root");

    // The text form reads like the configuration file.
    let text = stdout(&run(
        &["check", "--show-settings", "tests/app.py"],
        dir.path(),
    ));
    for line in [
        "# Settings for tests/app.py (read as python)",
        "config-file = \"deploylint.toml\"",
        "fail-on = \"error\"",
        "exclude = [{ glob = \"vendor\", base = \".\" }]",
        "\"tests/**\" = [\"DBG001\"]  # relative to .; applies here",
        "shared-accounts = [\"www-data\"]",
        "USR001 = \"error\"  # runs-as-root",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    assert!(!text.contains("NET001"), "{text}");

    // Command-line flags are part of the resolved settings.
    let out = run(
        &[
            "check",
            "--show-settings",
            "--output-format",
            "json",
            "--select",
            "NET001,USR",
            "--fail-on",
            "info",
            "svc",
        ],
        dir.path(),
    );
    let report = &json(&out)[0];
    assert_eq!(report["fail_on"], "info");
    // As before `extend` existed: the command line's select replaces the file's, while the
    // file's ignore (NET001) still applies.
    assert_eq!(rules(report), ["USR001", "USR002"]);
    let isolated = run(
        &["check", "--show-settings", "--isolated", "svc/app.py"],
        dir.path(),
    );
    let text = stdout(&isolated);
    assert!(
        text.contains("# no configuration file: built-in defaults"),
        "{text}"
    );
    assert!(text.contains("fail-on = \"warning\""), "{text}");
    assert!(text.contains("NET001 = \"warning\""), "{text}");
}

#[test]
fn show_settings_for_stdin_and_errors() {
    let dir = project(&[
        ("svc/deploylint.toml", "select = [\"DBG\"]\n"),
        ("vendor/x", ""),
    ]);
    // With --stdin-filename, the settings of that (maybe unsaved) file; stdin is not read.
    let out = bin()
        .args([
            "check",
            "--show-settings",
            "--output-format",
            "json",
            "--stdin-filename",
            "svc/new.py",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = &json(&out)[0];
    assert_eq!(report["path"], "svc/new.py");
    assert_eq!(report["config_file"], "svc/deploylint.toml");
    assert!(report["rules"].as_array().unwrap().len() >= 4);
    let out = run(&["check", "--show-settings", "nope.py"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.py: no such file or directory"));
    fs::write(
        dir.path().join("svc/deploylint.toml"),
        "select = [\"DBG\"\n",
    )
    .unwrap();
    let out = run(&["check", "--show-settings", "svc"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("svc/deploylint.toml"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["check", "--show-settings", "--output-format", "junit"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

// extend

#[test]
fn extend_takes_the_extended_file_as_the_base() {
    let dir = project(&[
        (
            "deploylint.toml",
            "fail-on = \"error\"\nignore = [\"NET001\", \"DBG005\"]\nexclude = [\"svc/legacy\"]\n\
             rules = [\"packs/org.yaml\"]\n\
             [per-file-ignores]\n\"scripts/**\" = [\"DBG001\"]\n\
             [severity]\nUSR001 = \"error\"\nDBG001 = \"warning\"\n",
        ),
        ("packs/org.yaml", PACK),
        (
            "svc/deploylint.toml",
            "extend = \"../deploylint.toml\"\nextend-select = [\"DBG005\"]\n\
             [severity]\nDBG001 = \"info\"\n",
        ),
        ("svc/Dockerfile", ROOT_DOCKERFILE),
        (
            "svc/app.py",
            "import subprocess\napp.run(debug=True, host='0.0.0.0')\nsubprocess.run('x', shell=True)\n",
        ),
        ("svc/gunicorn.conf.py", "loglevel = 'debug'\n"),
        // Relative to the extended file's directory, not to svc/.
        ("svc/scripts/app.py", DEBUG_APP),
        ("svc/legacy/Dockerfile", ROOT_DOCKERFILE),
        ("svc/svc/legacy/Dockerfile", ROOT_DOCKERFILE),
        ("scripts/app.py", DEBUG_APP),
    ]);
    let svc = dir.path().join("svc");
    let out = run(&["check", "--output-format", "json"], &svc);
    let items = json(&out);
    let got: Vec<(String, String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |p: &str, c: &str, s: &str| (p.to_string(), c.to_string(), s.to_string());
    assert_eq!(
        got,
        [
            // The base's severity, and the base's pack (relative to the base) applies.
            expect("Dockerfile", "USR001", "error"),
            // This file's severity overrides the base's; NET001 stays ignored.
            expect("app.py", "DBG001", "info"),
            expect("app.py", "ORG002", "warning"),
            // extend-select here revives a rule the base ignored.
            expect("gunicorn.conf.py", "DBG005", "info"),
            // `svc/legacy` and `scripts/**` are relative to the base's directory: svc/legacy is
            // excluded and svc/svc/legacy is not; svc/scripts is not covered by the ignore.
            expect("scripts/app.py", "DBG001", "info"),
            expect("svc/legacy/Dockerfile", "USR001", "error"),
        ]
    );
    // The base's fail-on: only errors fail.
    assert_eq!(out.status.code(), Some(1));
    // From the root, the base alone governs its files and the extending one svc's.
    let debug: Vec<String> = findings(dir.path(), &[])
        .into_iter()
        .filter(|f| f.contains("app.py"))
        .collect();
    assert_eq!(
        debug,
        [
            "svc/app.py DBG001",
            "svc/app.py ORG002",
            "svc/scripts/app.py DBG001"
        ],
        "scripts/app.py is covered by the root's per-file ignore"
    );
    let report = &json(&run(
        &["check", "--show-settings", "--output-format", "json", "."],
        &svc,
    ))[0];
    assert_eq!(report["config_file"], "deploylint.toml");
    assert_eq!(report["extends"], serde_json::json!(["../deploylint.toml"]));
    assert_eq!(
        report["rule_packs"],
        serde_json::json!(["../packs/org.yaml"])
    );
    assert_eq!(report["exclude"][0]["glob"], "svc/legacy");
    assert_eq!(report["exclude"][0]["base"], "..");
    let report = &json(&run(
        &[
            "check",
            "--show-settings",
            "--output-format",
            "json",
            "legacy",
        ],
        &svc,
    ))[0];
    assert_eq!(report["excluded"], true);
}

#[test]
fn extend_select_resets_and_keys_override() {
    let dir = project(&[
        (
            "base.toml",
            "select = [\"DBG\"]\nextend-select = [\"USR001\"]\nfail-on = \"error\"\n\
             [options]\nshared-accounts = [\"svc-shared\"]\nnonroot-images = [\"registry.example/\"]\n",
        ),
        ("app/deploylint.toml", "extend = \"../base.toml\"\n"),
        ("app/Dockerfile", ROOT_DOCKERFILE),
        ("app/app.py", "app.run(debug=True, host='0.0.0.0')\n"),
        (
            "app/app.service",
            "[Service]\nUser=svc-shared\nExecStart=/srv/venv/bin/gunicorn -b 127.0.0.1:8000 app:app\n",
        ),
    ]);
    let app = dir.path().join("app");
    assert_eq!(
        findings(&app, &["--select", "DBG001,USR"]),
        ["Dockerfile USR001", "app.py DBG001", "app.service USR002"],
        "the base's shared-accounts apply"
    );
    assert_eq!(
        findings(&app, &[]),
        ["Dockerfile USR001", "app.py DBG001"],
        "the base's select and extend-select"
    );
    // A `select` in the extending file starts afresh: the base's extend-select is dropped.
    fs::write(
        app.join("deploylint.toml"),
        "extend = \"../base.toml\"\nselect = [\"NET\"]\n[options]\nnonroot-images = []\n",
    )
    .unwrap();
    assert_eq!(findings(&app, &[]), ["app.py NET001"]);
    let report = &json(&run(
        &["check", "--show-settings", "--output-format", "json"],
        &app,
    ))[0];
    // [options] merge key by key: shared-accounts from the base, nonroot-images from here.
    assert_eq!(
        report["options"]["shared_accounts"],
        serde_json::json!(["svc-shared"])
    );
    assert_eq!(report["options"]["nonroot_images"], serde_json::json!([]));
    assert_eq!(report["fail_on"], "error");
}

#[test]
fn extend_chains_through_pyproject_and_nested_directories() {
    let dir = project(&[
        ("org/deploylint.toml", "ignore = [\"NET001\"]\n"),
        (
            "repo/pyproject.toml",
            "[project]\nname = \"x\"\n[tool.deploylint]\nextend = \"../org/deploylint.toml\"\nfail-on = \"never\"\n",
        ),
        (
            "repo/svc/.deploylint.toml",
            "extend = \"../pyproject.toml\"\nignore = [\"DBG001\"]\n",
        ),
        ("repo/svc/app.py", "app.run(debug=True, host='0.0.0.0')\n"),
        ("repo/svc/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let svc = dir.path().join("repo/svc");
    let out = run(&["check", "--output-format", "concise"], &svc);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fail-on never from the middle file"
    );
    assert_eq!(
        stdout(&out),
        "Dockerfile:1:6: USR001 the image runs as root: the final stage never sets USER\n"
    );
    let report = &json(&run(
        &[
            "check",
            "--show-settings",
            "--output-format",
            "json",
            "app.py",
        ],
        &svc,
    ))[0];
    assert_eq!(
        report["extends"],
        serde_json::json!(["../pyproject.toml", "../../org/deploylint.toml"])
    );
    // A pyproject.toml without the table cannot be extended.
    fs::write(
        dir.path().join("repo/pyproject.toml"),
        "[project]\nname = \"x\"\n",
    )
    .unwrap();
    let out = run(&["check", "--color", "never"], &svc);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pyproject.toml` has no [tool.deploylint] table"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn extend_cycles_are_errors_that_show_the_chain() {
    // A file that extends itself.
    let dir = project(&[
        ("deploylint.toml", "extend = \"./deploylint.toml\"\n"),
        ("Dockerfile", ROOT_DOCKERFILE),
    ]);
    let out = run(&["check", "--color", "never"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`extend` forms a cycle: "), "{err}");
    assert!(stdout(&out).is_empty());

    // a -> b -> c -> a, reached through different spellings of the same file.
    let dir = project(&[
        ("deploylint.toml", "extend = \"conf/b.toml\"\n"),
        ("conf/b.toml", "extend = \"../conf/deeper/c.toml\"\n"),
        ("conf/deeper/c.toml", "extend = \"../../deploylint.toml\"\n"),
        ("Dockerfile", ROOT_DOCKERFILE),
    ]);
    let out = run(&["check", "--color", "never", "--exit-zero"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let root = fs::canonicalize(dir.path()).unwrap();
    let chain = format!(
        "`extend` forms a cycle: {0}/deploylint.toml -> {0}/conf/b.toml -> {0}/conf/deeper/c.toml -> {0}/deploylint.toml",
        root.display()
    );
    assert!(err.contains(&chain), "{err}");
    // The snippet is in the file that closes the cycle, under its `extend` value.
    assert!(err.contains("c.toml:1:10"), "{err}");
    assert!(
        err.contains("1 │ extend = \"../../deploylint.toml\""),
        "{err}"
    );
    // The same file extended twice along a chain without a cycle is fine (a diamond is not
    // possible with one `extend` per file, but a shared base reached from two files is).
    let dir = project(&[
        ("base.toml", "ignore = [\"USR001\"]\n"),
        ("a/deploylint.toml", "extend = \"../base.toml\"\n"),
        ("b/deploylint.toml", "extend = \"../base.toml\"\n"),
        ("a/Dockerfile", ROOT_DOCKERFILE),
        ("b/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let out = run(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn errors_in_an_extended_file_point_into_it() {
    for (base, expected, position) in [
        ("selekt = []\n", "unknown field `selekt`", "base.toml:1:1"),
        (
            "ignore = [\"DBG001\"]\nselect = [\"XYZ123\"]\n",
            "unknown rule `XYZ123`",
            "base.toml:2:11",
        ),
        (
            "rules = [\"missing.yaml\"]\n",
            "rule pack",
            "base.toml:1:10",
        ),
        (
            "extend = \"nowhere.toml\"\n",
            "nowhere.toml` not found",
            "base.toml:1:10",
        ),
    ] {
        let dir = project(&[
            ("shared/base.toml", base),
            ("app/deploylint.toml", "extend = \"../shared/base.toml\"\n"),
            ("app/Dockerfile", ROOT_DOCKERFILE),
        ]);
        let out = run(&["check", "--color", "never"], &dir.path().join("app"));
        assert_eq!(out.status.code(), Some(2), "{base}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{base}: {err}");
        assert!(err.contains(position), "{base}: {position} in {err}");
        assert!(err.contains("shared/base.toml"), "{err}");
    }
    // The extending file's own mistakes about `extend`.
    for (config, expected) in [
        ("extend = \"missing.toml\"\n", "missing.toml` not found"),
        (
            "extend = \"/etc/passwd\"\n",
            "must name a TOML configuration file",
        ),
        ("extend = \"..\"\n", "must name a TOML configuration file"),
        ("extend = [\"a.toml\"]\n", "invalid type"),
    ] {
        let dir = project(&[("deploylint.toml", config), ("Dockerfile", ROOT_DOCKERFILE)]);
        let out = run(&["check", "--color", "never"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{config}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{config}: {err}");
        assert!(err.contains("deploylint.toml:1:"), "{config}: {err}");
        assert!(!err.contains("root:"), "never quotes the named file: {err}");
    }
    // A directory named `x.toml` is not a configuration file.
    let dir = project(&[
        ("deploylint.toml", "extend = \"dir.toml\"\n"),
        ("dir.toml/x", ""),
    ]);
    let err = stderr(&run(&["check"], dir.path()));
    assert!(err.contains("is not a file"), "{err}");
}

// json-lines, junit, grouped

const PACK: &str = r#"rules:
  - code: ORG002
    name: no-subprocess-shell
    family: sandbox
    severity: warning
    formats: [python]
    summary: subprocess is called with shell=True.
    rationale: A shell parses the command line.
    fix: Pass a list of arguments.
    match:
      format: python
      key: subprocess.run
      regex: 'shell\s*=\s*True'
"#;

#[test]
fn json_lines_has_one_json_object_per_finding() {
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("app.py", "app.run(debug=True, host='0.0.0.0')\n"),
    ]);
    let array = json(&run(&["check", "--output-format", "json"], dir.path()));
    let out = run(&["check", "--output-format", "json-lines"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(Value::Array(lines), array);
    let clean = project(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let out = run(&["check", "--output-format", "json-lines"], clean.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

/// A message with every character XML needs escaped, and some it cannot carry at all.
const HOSTILE_PACK: &str = "rules:\n  - code: ORG003\n    name: hostile-text\n    family: sandbox\n    severity: info\n    formats: [procfile]\n    summary: \"<b>&amp; \\\"quoted\\\" 'single' ]]> \\x01\\x1b tab\\there\\nnewline\"\n    rationale: r\n    fix: f\n    match:\n      format: procfile\n      regex: 'gunicorn'\n";

#[test]
fn junit_is_well_formed_xml_with_a_suite_per_file() {
    let weird = "we\"ird&<dir>";
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("app.py", "app.run(debug=True, host='0.0.0.0')\n"),
        ("org.yaml", HOSTILE_PACK),
        (&format!("{weird}/Procfile"), "web: gunicorn app:app\n"),
    ]);
    let out = run(
        &["check", "--output-format", "junit", "--rules", "org.yaml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("4"));
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["Dockerfile", "app.py", "we\"ird&<dir>/Procfile"]);
    assert_eq!(suites[1].attribute("tests"), Some("2"));
    let cases: Vec<_> = suites[1]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        cases[0].attribute("name"),
        Some("DBG001 debug-mode-enabled at 1:9")
    );
    assert_eq!(
        cases[1].attribute("name"),
        Some("NET001 bind-all-interfaces at 1:26")
    );
    assert_eq!(cases[0].attribute("classname"), Some("app.py"));
    assert_eq!(cases[0].attribute("file"), Some("app.py"));
    assert_eq!(cases[0].attribute("line"), Some("1"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("error"));
    assert_eq!(
        failure.attribute("message"),
        Some("the app's development server is started with debug mode on")
    );
    let body = failure.text().unwrap();
    assert!(body.starts_with("app.py:1:9: DBG001 "), "{body}");
    assert!(body.contains("\nhelp: "), "{body}");
    assert!(body.contains("\napp.py:1:1: started here"), "{body}");
    // The hostile message comes back intact, control characters replaced.
    let hostile = suites[2]
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        hostile.attribute("message"),
        Some("<b>&amp; \"quoted\" 'single' ]]> \u{fffd}\u{fffd} tab\there\nnewline")
    );
    assert!(
        hostile
            .text()
            .unwrap()
            .starts_with("we\"ird&<dir>/Procfile:1:6: ORG003 <b>")
    );

    // No findings: one passing test case, so report publishers see a test.
    let clean = project(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let out = run(&["check", "--output-format", "junit"], clean.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        cases[0].attribute("name"),
        Some("No problems found in 1 file.")
    );
    assert!(!doc.descendants().any(|n| n.has_tag_name("failure")));
}

#[test]
fn grouped_lists_findings_under_each_file() {
    let dir = project(&[
        ("svc/Dockerfile", "FROM python\nUSER root\n"),
        (
            "svc/app.py",
            "\n\n\n\n\n\n\n\n\napp.run(host='0.0.0.0')\napp.run(debug=True)\n",
        ),
    ]);
    let out = run(&["check", "--output-format", "grouped"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "svc/Dockerfile:\n  \
           2:6 USR001 the image runs as root: the last USER is root\n\
         \n\
         svc/app.py:\n  \
           10:14 NET001 the server listens on 0.0.0.0, exposing it on every network interface\n  \
           11:9  DBG001 the app's development server is started with debug mode on\n\
         \n\
         3 problems (1 error, 2 warnings) in 2 files\n"
    );
    let clean = project(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let out = run(&["check", "--output-format", "grouped"], clean.path());
    assert_eq!(stdout(&out), "No problems found in 1 file.\n");
}

// JSON labels and documentation URLs

#[test]
fn json_carries_labels_and_documentation_urls() {
    let dir = project(&[
        (
            "svc/Dockerfile",
            "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n",
        ),
        (
            "svc/compose.yaml",
            "services:\n  web:\n    build: .\n    ports:\n      - \"8000:8000\"\n",
        ),
        (
            "svc/app.py",
            "import subprocess\napp.run(debug=True)\nsubprocess.run('x', shell=True)\n",
        ),
        ("org.yaml", PACK),
    ]);
    let out = run(
        &["check", "--output-format", "json", "--rules", "org.yaml"],
        dir.path(),
    );
    let items = json(&out);
    let items = items.as_array().unwrap();
    let sarif = json(&run(
        &["check", "--output-format", "sarif", "--rules", "org.yaml"],
        dir.path(),
    ));
    let help_uri = |code: &str| -> Value {
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == code)
            .map(|r| r.get("helpUri").cloned().unwrap_or(Value::Null))
            .unwrap()
    };
    for item in items {
        // The fields JSON had before, unchanged, and the new ones.
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in [
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "code",
            "name",
            "severity",
            "message",
            "help",
            "labels",
            "url",
        ] {
            assert!(keys.contains(&key), "{key} missing from {item}");
        }
        let code = item["code"].as_str().unwrap();
        assert_eq!(item["url"], help_uri(code), "{code}: same address as SARIF");
    }
    let find = |code: &str, path: &str| {
        items
            .iter()
            .find(|d| d["code"] == code && d["path"] == path)
            .unwrap_or_else(|| panic!("{code} {path} in {items:#?}"))
    };
    let debug = find("DBG001", "svc/app.py");
    assert_eq!(
        debug["url"],
        "https://github.com/deploylint/deploylint/blob/main/rules/DBG001.yaml"
    );
    assert_eq!(
        debug["labels"],
        serde_json::json!([{
            "path": "svc/app.py", "line": 2, "column": 1, "end_line": 2, "end_column": 8,
            "message": "started here",
        }])
    );
    // A label into another file: the compose service built from the Dockerfile.
    let root = find("USR001", "svc/compose.yaml");
    let label = &root["labels"][0];
    assert!(
        Path::new(label["path"].as_str().unwrap()) == Path::new("svc/Dockerfile"),
        "{label}"
    );
    assert_eq!(
        (
            &label["line"],
            &label["column"],
            &label["end_line"],
            &label["end_column"]
        ),
        (
            &Value::from(1),
            &Value::from(6),
            &Value::from(1),
            &Value::from(22)
        )
    );
    // Rules from users' packs have no documentation address here.
    assert_eq!(find("ORG002", "svc/app.py")["url"], Value::Null);
    assert_eq!(
        find("ORG002", "svc/app.py")["labels"],
        serde_json::json!([])
    );
}

#[test]
fn json_labels_from_stdin_point_into_files_on_disk() {
    // Linting a compose file alone from standard input: its label into the Dockerfile on disk
    // carries a position, read for rendering as the pretty output does.
    let dir = project(&[(
        "svc/Dockerfile",
        "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n",
    )]);
    let mut child = bin()
        .args([
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            "svc/compose.yaml",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"services:\n  web:\n    build: .\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let items = json(&out);
    let labels: Vec<&serde_json::Value> = items
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["labels"].as_array().unwrap())
        .collect();
    assert!(
        labels.iter().any(|l| l["path"] == "svc/Dockerfile"),
        "{items}"
    );
    for label in labels {
        assert!(label["line"].is_u64(), "{label}");
        assert!(label["message"].is_string());
    }
}

#[test]
fn explain_shows_the_documentation_url() {
    let here = manifest_dir();
    for rule in deploylint::catalog::catalog() {
        let text = stdout(&run(&["explain", &rule.code], &here));
        let expected = format!(
            "Documentation: https://github.com/deploylint/deploylint/blob/main/rules/{}.yaml\n",
            rule.code
        );
        assert!(text.contains(&expected), "{text}");
        assert!(
            manifest_dir()
                .join(format!("rules/{}.yaml", rule.code))
                .is_file(),
            "the address names a file that exists in the repository"
        );
    }
}

// --statistics

#[test]
fn statistics_honours_json_formats() {
    let dir = project(&[
        ("a/Dockerfile", ROOT_DOCKERFILE),
        ("b/Dockerfile", ROOT_DOCKERFILE),
        ("app.py", DEBUG_APP),
    ]);
    let out = run(
        &["check", "--statistics", "--output-format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(&out),
        serde_json::json!([
            {"code": "USR001", "name": "runs-as-root", "count": 2},
            {"code": "DBG001", "name": "debug-mode-enabled", "count": 1},
        ])
    );
    let out = run(
        &["check", "--statistics", "--output-format", "json-lines"],
        dir.path(),
    );
    assert_eq!(
        stdout(&out),
        "{\"code\":\"USR001\",\"name\":\"runs-as-root\",\"count\":2}\n\
         {\"code\":\"DBG001\",\"name\":\"debug-mode-enabled\",\"count\":1}\n"
    );
    // Text for pretty and concise; --quiet drops the summary.
    let text = "2  USR001  runs-as-root\n1  DBG001  debug-mode-enabled\n";
    let out = run(
        &["check", "--statistics", "--output-format", "concise", "-q"],
        dir.path(),
    );
    assert_eq!(stdout(&out), text);
    // No findings: an empty array.
    let clean = project(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let out = run(
        &["check", "--statistics", "--output-format", "json"],
        clean.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out), serde_json::json!([]));
    // Formats that describe findings, not counts, are a usage error, before any linting.
    for format in ["sarif", "github", "gitlab", "junit", "grouped"] {
        let out = run(
            &["check", "--statistics", "--output-format", format],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert_eq!(stdout(&out), "");
        assert!(
            stderr(&out).contains(&format!(
                "--statistics prints text (pretty, concise), json or json-lines, not {format}"
            )),
            "{}",
            stderr(&out)
        );
    }
}

// Completions and manual pages

#[test]
fn completion_scripts_for_each_shell() {
    let here = manifest_dir();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completion", shell], &here);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        for word in ["deploylint", "show-settings", "exit-zero", "completion"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        if matches!(shell, "bash" | "zsh" | "fish") {
            assert!(
                script.contains("json-lines"),
                "{shell} completes format names"
            );
        }
    }
    // The bash script is valid bash (when bash is here to say so).
    let bash = std::process::Command::new("bash")
        .args(["-n", "-c"])
        .arg(stdout(&run(&["completion", "bash"], &here)))
        .status();
    if let Ok(status) = bash {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    let out = run(&["completion", "tcsh"], &here);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn manual_pages() {
    let here = manifest_dir();
    let main = stdout(&run(&["man"], &here));
    assert!(main.contains(".TH deploylint 1"), "{main}");
    assert!(main.contains("deploylint\\-check(1)"), "{main}");
    let check = run(&["man", "check"], &here);
    assert_eq!(check.status.code(), Some(0));
    let page = stdout(&check);
    assert!(page.contains(".TH deploylint-check 1"), "{page}");
    for option in [
        "exit\\-zero",
        "show\\-settings",
        "json\\-lines",
        "Exit status",
    ] {
        assert!(page.contains(option), "{option} missing:\n{page}");
    }
    let unknown = run(&["man", "nope"], &here);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no command `nope`"));
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    let out = run(&["man", "--output-dir", out_dir.to_str().unwrap()], &here);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut written: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "deploylint-check.1",
            "deploylint-completion.1",
            "deploylint-explain.1",
            "deploylint-graph.1",
            "deploylint-man.1",
            "deploylint-rules.1",
            "deploylint-server.1",
            "deploylint.1"
        ]
    );
    assert_eq!(
        fs::read_to_string(out_dir.join("deploylint-check.1")).unwrap(),
        page
    );
}

#[test]
fn readme_documents_every_check_option_and_output_format() {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let command = deploylint::cli::command();
    let check = command.find_subcommand("check").unwrap();
    for arg in check.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if long == "help" {
            continue;
        }
        assert!(
            readme.contains(&format!("`--{long}")),
            "README does not document --{long}"
        );
        if long == "output-format" {
            for value in arg.get_possible_values() {
                assert!(
                    readme.contains(&format!("- `{}`", value.get_name())),
                    "README's output formats lack {}",
                    value.get_name()
                );
            }
        }
    }
    for sub in command.get_subcommands() {
        assert!(
            readme.contains(&format!("deploylint {}", sub.get_name())),
            "README does not mention `deploylint {}`",
            sub.get_name()
        );
    }
}
