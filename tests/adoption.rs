//! Adoption features through the real binary: configuration files, suppressions, baselines,
//! CI output formats, statistics and standard input.

mod common;

use common::{bin, project, run, stderr, stdout};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

const ROOT_DOCKERFILE: &str =
    "FROM python:3.12-slim\nCMD [\"gunicorn\", \"shop.wsgi:application\"]\n";

fn codes(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend_from_slice(args);
    let out = run(&all, dir);
    stdout(&out)
        .lines()
        .map(|l| {
            let mut parts = l.splitn(2, ": ");
            let path = parts
                .next()
                .unwrap()
                .rsplitn(3, ':')
                .last()
                .unwrap()
                .to_string();
            format!(
                "{path} {}",
                parts.next().unwrap().split(' ').next().unwrap()
            )
        })
        .collect()
}

#[test]
fn config_is_found_upward_and_applies_to_each_file() {
    let dir = project(&[
        ("deploylint.toml", "ignore = [\"runs-as-root\"]\n"),
        ("svc/Dockerfile", ROOT_DOCKERFILE),
        ("svc/app.py", "app.run(debug=True)\n"),
        // A nearer config wins for the files below it, as in ruff.
        ("other/deploylint.toml", "select = [\"USR\"]\n"),
        ("other/Dockerfile", ROOT_DOCKERFILE),
        ("other/app.py", "app.run(debug=True)\n"),
    ]);
    assert_eq!(
        codes(dir.path(), &[]),
        ["other/Dockerfile USR001", "svc/app.py DBG001"]
    );
    // Linting from inside a subdirectory still finds the config above it.
    assert_eq!(codes(&dir.path().join("svc"), &[]), ["app.py DBG001"]);
    // --isolated ignores every config file; --config replaces them.
    assert_eq!(codes(&dir.path().join("svc"), &["--isolated"]).len(), 2);
    fs::write(dir.path().join("custom.toml"), "select = [\"DBG001\"]\n").unwrap();
    assert_eq!(
        codes(dir.path(), &["--config", "custom.toml"]),
        ["other/app.py DBG001", "svc/app.py DBG001"]
    );
}

#[test]
fn pyproject_table_and_cli_overrides() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.deploylint]\nselect = [\"DBG001\", \"USR001\"]\nfail-on = \"error\"\n\n[tool.deploylint.severity]\nUSR001 = \"info\"\n",
        ),
        ("Dockerfile", ROOT_DOCKERFILE),
        ("app.py", "app.run(host='0.0.0.0')\n"),
    ]);
    // NET001 is not selected by the config; USR001 is downgraded to info and fail-on is error.
    let out = run(&["check", "--output-format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "USR001");
    assert_eq!(items[0]["severity"], "info");
    // CLI flags override the file.
    assert_eq!(
        codes(dir.path(), &["--select", "NET001"]),
        ["app.py NET001"]
    );
    assert_eq!(
        run(&["check", "--fail-on", "info"], dir.path())
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn per_file_ignores_and_exclude() {
    let dir = project(&[
        (
            ".deploylint.toml",
            "exclude = [\"vendor\"]\n[per-file-ignores]\n\"scripts/**\" = [\"DBG001\"]\n",
        ),
        ("vendor/Dockerfile", ROOT_DOCKERFILE),
        ("scripts/app.py", "app.run(debug=True, host='0.0.0.0')\n"),
    ]);
    assert_eq!(codes(dir.path(), &[]), ["scripts/app.py NET001"]);
}

#[test]
fn rule_options_come_from_config() {
    let dir = project(&[
        (
            "deploylint.toml",
            "[options]\nnonroot-images = [\"registry.example.com/base/\"]\n",
        ),
        (
            "Dockerfile",
            "FROM registry.example.com/base/python:3.12\nCMD [\"app\"]\n",
        ),
    ]);
    assert!(codes(dir.path(), &[]).is_empty());
    assert_eq!(codes(dir.path(), &["--isolated"]), ["Dockerfile USR001"]);
}

#[test]
fn config_errors_point_into_the_file() {
    for (config, expected) in [
        ("selekt = [\"DBG001\"]\n", "unknown field `selekt`"),
        (
            "select = [\"DBG001\", \"XYZ123\"]\n",
            "unknown rule `XYZ123`",
        ),
        ("fail-on = \"sometimes\"\n", "unknown fail-on `sometimes`"),
        (
            "[severity]\nUSR001 = \"fatal\"\n",
            "unknown severity `fatal`",
        ),
        ("select = \"DBG001\"\n", "invalid type"),
        ("select = [\n", "deploylint.toml"),
        (
            "[options]\nshared-acounts = []\n",
            "unknown field `shared-acounts`",
        ),
    ] {
        let dir = project(&[("deploylint.toml", config), ("Dockerfile", ROOT_DOCKERFILE)]);
        let out = run(&["check"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{config}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{config}: {err}");
        assert!(err.contains("deploylint.toml"), "names the file: {err}");
        assert!(
            stdout(&out).is_empty(),
            "nothing is linted with a broken config"
        );
    }
    // The snippet underlines the offending value.
    let dir = project(&[("deploylint.toml", "select = [\"XYZ123\"]\n")]);
    let err = stderr(&run(&["check", "--color", "never"], dir.path()));
    assert!(err.contains("1 │ select = [\"XYZ123\"]"), "{err}");
    assert!(err.contains("────┬───"), "{err}");
}

#[test]
fn suppressions_in_dockerfiles_and_python() {
    let dir = project(&[
        (
            "Dockerfile",
            "# deploylint: ignore-file[DBG004]\nFROM python:3.12-slim\nENV FLASK_DEBUG=1\n# deploylint: ignore[runs-as-root]\nUSER root\n",
        ),
        (
            "app.py",
            "app.run(debug=True)  # deploylint: ignore[DBG001]\napp.run(host='0.0.0.0')  # deploylint: ignore[DBG001]\n",
        ),
    ]);
    assert_eq!(codes(dir.path(), &[]), ["app.py NET001", "app.py SUP001"]);
    // A suppression for a rule that is switched off is not judged.
    assert_eq!(
        codes(dir.path(), &["--ignore", "DBG001"]),
        ["app.py NET001"]
    );
}

/// SBX002 was merged into WSG008: its old code and name keep working everywhere a code is.
#[test]
fn merged_rule_answers_to_its_old_code() {
    let unit = "[Service]\nUser=app\nExecStart=/usr/bin/gunicorn app:app\n";
    let dir = project(&[("app.service", unit)]);
    let wsg008 = |args: &[&str]| {
        codes(dir.path(), args)
            .iter()
            .filter(|c| c.ends_with(" WSG008"))
            .count()
    };
    assert_eq!(wsg008(&[]), 1);
    assert_eq!(wsg008(&["--ignore", "SBX002"]), 0);
    assert_eq!(
        wsg008(&["--ignore", "service-without-working-directory"]),
        0
    );
    assert_eq!(wsg008(&["--select", "SBX002"]), 1);
    assert_eq!(wsg008(&["--select", "SBX"]), 1);
    let explain = run(&["explain", "SBX002"], dir.path());
    assert_eq!(explain.status.code(), Some(0));
    assert!(stdout(&explain).contains("WSG008"), "{}", stdout(&explain));
    // An inline suppression by the old code.
    fs::write(
        dir.path().join("app.service"),
        format!("# deploylint: ignore[SBX002]\n{unit}"),
    )
    .unwrap();
    assert_eq!(wsg008(&[]), 0);
    // A baseline written before the merge records the old code.
    fs::write(dir.path().join("app.service"), unit).unwrap();
    let baseline = r#"{"version": 1, "findings": [{"path": "app.service", "code": "SBX002", "text": "[Service]"}]}"#;
    fs::write(dir.path().join("baseline.json"), baseline).unwrap();
    assert_eq!(wsg008(&["--baseline", "baseline.json"]), 0);
}

/// LIM003, LIM004 and WSG007 were merged into WSG011 (one finding per daemon group): a
/// suppression, an ignore or a selection written with any of the old codes or names still
/// means the merged rule, and a suppression by an old code is not reported as unused.
#[test]
fn merged_daemon_group_rules_answer_to_their_old_codes() {
    let conf = "WSGIDaemonProcess app user=app home=/srv/app\n";
    let dir = project(&[("apache2/site.conf", conf)]);
    let found = |args: &[&str]| codes(dir.path(), args);
    assert_eq!(found(&[]), ["apache2/site.conf WSG011"]);
    for old in [
        "LIM003",
        "LIM004",
        "WSG007",
        "no-display-name",
        "daemon-without-limits",
    ] {
        assert!(found(&["--ignore", old]).is_empty(), "--ignore {old}");
        assert_eq!(
            found(&["--select", old]),
            ["apache2/site.conf WSG011"],
            "--select {old}"
        );
        fs::write(
            dir.path().join("apache2/site.conf"),
            format!("# deploylint: ignore[{old}]\n{conf}"),
        )
        .unwrap();
        assert!(found(&[]).is_empty(), "ignore[{old}]");
        fs::write(dir.path().join("apache2/site.conf"), conf).unwrap();
    }
}

#[test]
fn baseline_absorbs_known_findings_only() {
    let dir = project(&[
        ("svc/Dockerfile", ROOT_DOCKERFILE),
        ("svc/app.py", "app.run(debug=True)\n"),
    ]);
    let out = run(&["check", "--write-baseline", "baseline.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote 2 finding(s)"));
    let with_baseline = |cwd: &Path, baseline: &str| {
        run(
            &[
                "check",
                "--output-format",
                "concise",
                "--baseline",
                baseline,
            ],
            cwd,
        )
    };
    assert_eq!(
        with_baseline(dir.path(), "baseline.json").status.code(),
        Some(0)
    );
    // Lines move and indentation changes: still known. From another directory: still known.
    fs::write(
        dir.path().join("svc/app.py"),
        "import os\n\n\nif True:\n    app.run(debug=True)\n",
    )
    .unwrap();
    assert_eq!(
        with_baseline(dir.path(), "baseline.json").status.code(),
        Some(0)
    );
    let out = run(
        &[
            "check",
            ".",
            "--output-format",
            "concise",
            "--baseline",
            "../baseline.json",
        ],
        &dir.path().join("svc"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A second identical finding in the same file is new (bandit's baseline misses this).
    fs::write(
        dir.path().join("svc/app.py"),
        "app.run(debug=True)\napp.run(debug=True)\n",
    )
    .unwrap();
    let out = with_baseline(dir.path(), "baseline.json");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    // A changed finding is new too.
    fs::write(dir.path().join("svc/app.py"), "app.run(debug=1)\n").unwrap();
    assert_eq!(
        with_baseline(dir.path(), "baseline.json").status.code(),
        Some(1)
    );
    let bad = run(&["check", "--baseline", "missing.json"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let dir = project(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        (
            "app.py",
            "HOST = '0.0.0.0'\napp.run(host=HOST, debug=True)\n",
        ),
    ]);
    let out = run(&["check", "--output-format", "sarif"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_text =
        fs::read_to_string(common::manifest_dir().join("tests/data/sarif-2.1.0-rtm.5.json"))
            .unwrap();
    // rtm.5's `language` pattern has a stray `]` that the final OASIS schema fixed
    // (`^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`); the validator rejects the schema without the fix.
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
    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), deploylint::catalog::catalog().len());
    assert!(
        rules
            .iter()
            .all(|r| r["helpUri"].as_str().unwrap().starts_with("https://"))
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let fingerprints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["deploylint/v1"].as_str().unwrap())
        .collect();
    // Stable across runs.
    let again: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--output-format", "sarif"], dir.path()).stdout)
            .unwrap();
    let again: Vec<&str> = again["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["deploylint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints, again);
    let net = results.iter().find(|r| r["ruleId"] == "NET001").unwrap();
    assert_eq!(
        net["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app.py"
    );
    assert_eq!(
        net["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(
        net["relatedLocations"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn github_and_gitlab_formats() {
    let dir = project(&[("Dockerfile", "FROM python\nUSER root\n")]);
    let out = run(&["check", "--output-format", "github"], dir.path());
    assert_eq!(
        stdout(&out),
        "::warning file=Dockerfile,line=2,col=6,endLine=2,endColumn=10,title=USR001 runs-as-root::the image runs as root: the last USER is root\n"
    );
    let out = run(&["check", "--output-format", "gitlab"], dir.path());
    let issues: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue["check_name"], "USR001");
    assert_eq!(issue["severity"], "major");
    assert_eq!(issue["location"]["path"], "Dockerfile");
    assert_eq!(issue["location"]["lines"]["begin"], 2);
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn statistics_count_per_rule() {
    let dir = project(&[
        ("a/Dockerfile", ROOT_DOCKERFILE),
        ("b/Dockerfile", ROOT_DOCKERFILE),
        ("app.py", "app.run(debug=True)\n"),
    ]);
    let out = run(&["check", "--statistics"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "2  USR001  runs-as-root\n1  DBG001  debug-mode-enabled\n3 problems (1 error, 2 warnings) in 3 files\n"
    );
}

#[test]
fn stdin_is_linted_as_the_named_file() {
    let dir = project(&[("svc/deploylint.toml", "ignore = [\"NET001\"]\n")]);
    let mut child = bin()
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "svc/app.py",
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
        .write_all(b"app.run(host='0.0.0.0', debug=True)\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Kind from the name, config from its location (NET001 is ignored there).
    assert_eq!(
        stdout(&out),
        "svc/app.py:1:25: DBG001 the app's development server is started with debug mode on\n"
    );
    assert!(
        !dir.path().join("svc/app.py").exists(),
        "nothing is written"
    );
    let usage = run(&["check", "-"], dir.path());
    assert_eq!(usage.status.code(), Some(2));
}

const PACK: &str = r#"rules:
  - code: ORG001
    name: unpinned-base-image
    family: user
    severity: error
    formats: [dockerfile]
    summary: Base images must be pinned by digest.
    rationale: A tag can be moved to another image; a digest cannot.
    fix: Pin the image with `@sha256:...`.
    match:
      format: dockerfile
      key: FROM
      regex: '\S+'
      not: ['@sha256:', '^\s*scratch\s*$']
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
fn rule_packs_from_flag_and_config() {
    let dir = project(&[
        ("packs/org.yaml", PACK),
        (
            "Dockerfile",
            "FROM python:3.12-slim@sha256:abc AS base\nFROM   python:3.12-slim\nUSER app\n",
        ),
        (
            "tool.py",
            "import subprocess\nsubprocess.run('ls', shell=True)\n",
        ),
    ]);
    let out = run(
        &[
            "check",
            "--output-format",
            "concise",
            "--rules",
            "packs/org.yaml",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Dockerfile:2:8: ORG001 Base images must be pinned by digest.\ntool.py:2:22: ORG002 subprocess is called with shell=True.\n"
    );
    // Pack rules are selectable, suppressible and documented in SARIF like built-in ones.
    assert_eq!(
        codes(
            dir.path(),
            &[
                "--rules",
                "packs/org.yaml",
                "--select",
                "unpinned-base-image"
            ]
        ),
        ["Dockerfile ORG001"]
    );
    fs::write(
        dir.path().join("deploylint.toml"),
        "rules = [\"packs/org.yaml\"]\nignore = [\"ORG002\"]\n",
    )
    .unwrap();
    assert_eq!(codes(dir.path(), &[]), ["Dockerfile ORG001"]);
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--output-format", "sarif"], dir.path()).stdout)
            .unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "ORG001"));
}

#[test]
fn bad_rule_packs_are_errors_with_spans() {
    for (pack, expected) in [
        (
            "rules:\n  - code: X1\n    nmae: y\n",
            "unknown field `nmae`",
        ),
        (&PACK.replace(r"'\S+'", "'(unclosed'"), "invalid regex"),
        // A pattern whose compiled program exceeds the size limit is refused, not run.
        (
            &PACK.replace(r"'\S+'", "'(((a{100}){100}){100})'"),
            "invalid regex",
        ),
        (
            &PACK.replace("ORG001", "USR001"),
            "clashes with `USR001 runs-as-root`",
        ),
        (
            &PACK.replace("format: python", "format: apache2"),
            "unknown variant `apache2`",
        ),
    ] {
        let dir = project(&[("org.yaml", pack), ("Dockerfile", ROOT_DOCKERFILE)]);
        let out = run(
            &["check", "--color", "never", "--rules", "org.yaml"],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{pack}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(
            err.contains("org.yaml:"),
            "names the pack with a position: {err}"
        );
    }
}

#[test]
fn rule_packs_match_units_sites_and_procfiles() {
    let pack = r#"rules:
  - code: ORG010
    name: no-memory-limit
    family: limits
    severity: warning
    formats: [systemd, apache, procfile]
    summary: Workers must be limited.
    rationale: r
    fix: f
    match:
      - format: systemd
        key: Service.ExecStart
        regex: 'gunicorn(?:.*?)( --workers[ =]\d{3,})'
      - format: apache
        key: WSGIDaemonProcess
        regex: '\b(processes=\d{3,})'
      - format: procfile
        key: web
        regex: '(--workers[ =]\d{3,})'
"#;
    let dir = project(&[
        ("org.yaml", pack),
        (
            "app.service",
            "[Service]\nUser=app\nExecStart=/srv/venv/bin/gunicorn app:app --workers 128\n",
        ),
        (
            "apache2/sites-available/app.conf",
            "WSGIDaemonProcess app user=app processes=200\n",
        ),
        (
            "Procfile",
            "web: gunicorn app:app --workers=256\nworker: celery --workers 500\n",
        ),
    ]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "--rules",
            "org.yaml",
            "--select",
            "ORG010",
        ],
        dir.path(),
    );
    // Each match points at the capture group: the offending option.
    assert_eq!(
        stdout(&out),
        "Procfile:1:23: ORG010 Workers must be limited.\n\
         apache2/sites-available/app.conf:1:32: ORG010 Workers must be limited.\n\
         app.service:3:41: ORG010 Workers must be limited.\n"
    );
}
