//! What a new user meets first (issue 14): the README's command from the repository root,
//! scripts recognised by their shebang, standard input, `--force-exclude`, the pre-commit hook's
//! file selection, systemd's lack of trailing comments, and the smaller rough edges. Each test
//! here failed before its fix.

mod common;

use common::{bin, manifest_dir, project, run, stderr, stdout};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

fn run_stdin(args: &[&str], cwd: &Path, input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `path CODE` per concise line.
fn findings(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .map(|l| {
            let (location, rest) = l.split_once(": ").unwrap();
            let path = location.rsplitn(3, ':').last().unwrap();
            format!("{path} {}", rest.split_whitespace().next().unwrap())
        })
        .collect()
}

// --- Defect 1: secondary labels in other files --------------------------------------------

/// The README's own command printed ariadne's `Unable to fetch source
/// 'fixtures/sample/./Dockerfile'` in the middle of the output and dropped the compose
/// finding's label into the Dockerfile (`build: .` made the label path `dir/./Dockerfile`).
#[test]
fn readme_command_prints_no_error_and_keeps_the_cross_file_label() {
    let out = run(
        &["check", "--color", "never", "fixtures/sample"],
        &manifest_dir(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "", "the README's command must print no error");
    let text = stdout(&out);
    let compose = text
        .split("\n[")
        .find(|report| report.contains("service `web` runs as root"))
        .expect("the compose USR001 finding");
    assert!(
        compose.contains("─[ fixtures/sample/Dockerfile:"),
        "the label into the Dockerfile is drawn:\n{compose}"
    );
    assert!(!text.contains("/./"), "{text}");
}

/// `build: ./svc` linted from outside the project's directory: the label into `svc/Dockerfile`
/// renders, and every output format names the file by the same normalised path.
#[test]
fn compose_build_context_label_renders_from_outside_the_project() {
    let dir = project(&[
        (
            "proj/compose.yaml",
            "services:\n  web:\n    build: ./svc\n    command: gunicorn -b 0.0.0.0:8000 app:app\n",
        ),
        (
            "proj/svc/Dockerfile",
            "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
    ]);
    for target in [
        "proj",
        "proj/compose.yaml",
        "./proj/",
        "proj/./compose.yaml",
    ] {
        let out = run(&["check", "--color", "never", target], dir.path());
        assert_eq!(stderr(&out), "", "{target}");
        let text = stdout(&out);
        let compose = text
            .split("\n[")
            .find(|report| report.contains("service `web` runs as root"))
            .unwrap_or_else(|| panic!("{target}: no compose USR001:\n{text}"));
        assert!(
            compose.contains("─[ proj/svc/Dockerfile:"),
            "{target}:\n{compose}"
        );
        assert!(!text.contains("/./") && !text.contains("./proj"), "{text}");
        for format in ["concise", "json", "sarif", "github", "gitlab"] {
            let out = run(&["check", "--output-format", format, target], dir.path());
            let text = stdout(&out);
            assert!(text.contains("proj/compose.yaml"), "{format}: {text}");
            assert!(
                !text.contains("/./") && !text.contains("./proj"),
                "{target} {format}: {text}"
            );
        }
        let sarif = run(&["check", "--output-format", "sarif", target], dir.path());
        let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
        let related: Vec<&str> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["relatedLocations"].as_array().into_iter().flatten())
            .map(|l| {
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(related.contains(&"proj/svc/Dockerfile"), "{related:?}");
    }
}

// --- Defect 2: shebangs -------------------------------------------------------------------

const PY_SCRIPT: &str =
    "#!/usr/bin/env python3\nfrom flask import Flask\napp=Flask(__name__)\napp.run(debug=True)\n";

/// Its `from flask import …` line read as a Dockerfile `FROM`: USR001 and SYN001, no DBG001.
#[test]
fn python_shebang_script_is_linted_as_python() {
    let dir = project(&[("runme", PY_SCRIPT)]);
    let out = run(
        &["check", "--output-format", "concise", "runme"],
        dir.path(),
    );
    assert_eq!(findings(&out), ["runme DBG001"], "{}", stderr(&out));
    let out = run_stdin(
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "bin/runme",
            "-",
        ],
        dir.path(),
        PY_SCRIPT,
    );
    assert_eq!(findings(&out), ["bin/runme DBG001"], "{}", stderr(&out));
}

/// `Procfile.sh`, the script a Procfile line runs, was read as a Procfile (a SYN001 on its
/// every line); a Procfile variant's content now decides, and a `#!` line says it is a script.
#[test]
fn procfile_named_shell_script_is_not_a_procfile() {
    let dir = project(&[
        ("Procfile.sh", "#!/bin/sh\nset -e\nexec gunicorn app:app\n"),
        ("Procfile.web", "web: FLASK_DEBUG=1 gunicorn app:app\n"),
    ]);
    let out = run(
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "Procfile.sh",
            "Procfile.web",
        ],
        dir.path(),
    );
    assert_eq!(findings(&out), ["Procfile.web DBG004"], "{}", stderr(&out));
}

/// A shell script starting with `timeout` read as Apache configuration (`Timeout` is a
/// directive); a shebang says what a file is before any keyword does.
#[test]
fn shell_shebang_script_is_no_kind_deploylint_reads() {
    let script = "#!/bin/sh\ntimeout 30 ./manage.py migrate\nexec gunicorn app:app\n";
    let dir = project(&[("entrypoint", script)]);
    let out = run(
        &["check", "--output-format", "concise", "entrypoint"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("entrypoint: skipped: not a file kind deploylint reads"),
        "{}",
        stderr(&out)
    );
}

// --- Defect 3: --force-exclude ------------------------------------------------------------

/// Standard input linted as a file that `exclude = ["vendor"]` leaves out.
const STDIN_AS_EXCLUDED_FILE: &[&str] = &[
    "check",
    "--force-exclude",
    "--stdin-filename",
    "vendor/Dockerfile",
    "-",
];

#[test]
fn force_exclude_applies_exclude_to_named_files() {
    let root = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n";
    let dir = project(&[
        (
            "deploylint.toml",
            "exclude = [\"vendor\"]\nextend-exclude = [\"docker/Dockerfile.legacy\"]\n",
        ),
        ("vendor/Dockerfile", root),
        ("docker/Dockerfile.legacy", root),
        ("Dockerfile", root),
    ]);
    let code = |args: &[&str]| run(args, dir.path()).status.code();
    // Without the flag, a named file is linted whatever the configuration says (as before).
    assert_eq!(code(&["check", "vendor/Dockerfile"]), Some(1));
    assert_eq!(code(&["check", "docker/Dockerfile.legacy"]), Some(1));
    // With it, `exclude` and `extend-exclude` apply to named files and directories too.
    for excluded in [
        "vendor/Dockerfile",
        "./vendor/Dockerfile",
        "vendor",
        "docker/Dockerfile.legacy",
    ] {
        let out = run(&["check", "--force-exclude", excluded], dir.path());
        assert_eq!(out.status.code(), Some(0), "{excluded}: {}", stdout(&out));
        assert_eq!(stderr(&out), "", "{excluded}: skipped silently");
    }
    let out = run(
        &[
            "check",
            "--force-exclude",
            "--output-format",
            "concise",
            "vendor/Dockerfile",
            "Dockerfile",
        ],
        dir.path(),
    );
    assert_eq!(findings(&out), ["Dockerfile USR001"]);
    let out = run_stdin(STDIN_AS_EXCLUDED_FILE, dir.path(), root);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// Standard input is read to its end even when its name is excluded: the writer (an editor,
/// a hook) must not meet a closed pipe. Two megabytes overflow the pipe's buffer, so a run
/// that exits unread fails the write every time.
#[test]
fn excluded_standard_input_is_still_read_to_its_end() {
    let dir = project(&[("deploylint.toml", "exclude = [\"vendor\"]\n")]);
    let big = format!("FROM python:3.12-slim\n{}", "# padding\n".repeat(200_000));
    let out = run_stdin(STDIN_AS_EXCLUDED_FILE, dir.path(), &big);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// --- Defect 4: the pre-commit hook's file selection ------------------------------------------

/// The hook's `entry` (with the file names pre-commit passes) finds problems in every kind
/// deploylint reads, including those the old `files:` pattern skipped, and says nothing about
/// the other staged files.
#[test]
fn hook_entry_reaches_every_kind_and_skips_the_rest_silently() {
    let hooks = fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_yaml::Value = serde_yaml::from_str(&hooks).unwrap();
    let hook = hooks
        .as_sequence()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "deploylint")
        .unwrap();
    // pre-commit would filter the files before deploylint sees them.
    if let Some(files) = hook["files"].as_str() {
        assert_eq!(
            files, "",
            "a `files:` pattern skips kinds recognised by content"
        );
    }
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "deploylint");
    let unit = "[Service]\nUser=root\nExecStart=/srv/venv/bin/gunicorn -b 0.0.0.0:8000 app:app\n";
    let staged: &[(&str, &str)] = &[
        ("deploy/app.service.in", unit),
        (
            "deploy/app.timer",
            "[Unit]\nDescription=x\n[Timer]\nOnCalendar=daily\n# deploylint: ignore[NET001]\n",
        ),
        (
            "deploy/srv.mount",
            "[Unit]\nDescription=x\n[Mount]\nWhat=/dev/x\n# deploylint: ignore[NET001]\n",
        ),
        (
            "deploy/app.path",
            "[Unit]\nDescription=x\n[Path]\nPathChanged=/x\n# deploylint: ignore[NET001]\n",
        ),
        ("apache2/mods-available/info.load", "ServerTokens Full\n"),
        (
            "sites-available/site",
            "<VirtualHost *:80>\nServerSignature On\n</VirtualHost>\n",
        ),
        ("bin/runme", PY_SCRIPT),
        ("README.md", "# app\nFROM here on, nothing is linted.\n"),
        ("logo.png", "\u{89}PNG\r\n\u{1a}\n\0\0\0"),
        ("scripts/deploy", "#!/bin/sh\ntimeout 30 true\n"),
        ("notes", "hello\n"),
    ];
    let dir = project(staged);
    let mut args: Vec<&str> = entry[1..].to_vec();
    args.extend(["--output-format", "concise"]);
    args.extend(staged.iter().map(|(name, _)| *name));
    let out = run(&args, dir.path());
    assert_eq!(out.status.code(), Some(1));
    let mut files: Vec<String> = findings(&out)
        .into_iter()
        .map(|f| f.split(' ').next().unwrap().to_string())
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "apache2/mods-available/info.load",
            "bin/runme",
            "deploy/app.path",
            "deploy/app.service.in",
            "deploy/app.timer",
            "deploy/srv.mount",
            "sites-available/site",
        ],
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "", "unknown kinds are skipped silently");
}

// --- Defect 7: standard input -------------------------------------------------------------

#[test]
fn stdin_filename_alone_reads_standard_input() {
    let dir = project(&[(
        "Dockerfile",
        "FROM python\nUSER app\nCMD gunicorn app:app\n",
    )]);
    let out = run_stdin(
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "Dockerfile",
        ],
        dir.path(),
        "FROM python\nCMD gunicorn app:app\n",
    );
    // The buffer on stdin (runs as root), not the clean file on disk.
    assert_eq!(findings(&out), ["Dockerfile USR001"], "{}", stderr(&out));
    // As ruff: other paths are ignored in favour of standard input, with a warning.
    let out = run_stdin(
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "Dockerfile",
            ".",
        ],
        dir.path(),
        "FROM python\nCMD gunicorn app:app\n",
    );
    assert_eq!(findings(&out), ["Dockerfile USR001"]);
    assert!(
        stderr(&out).contains("ignoring .: --stdin-filename lints standard input"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dash_without_a_filename_sniffs_the_content() {
    let dir = project(&[]);
    let out = run_stdin(
        &["check", "--output-format", "concise", "-"],
        dir.path(),
        "FROM python:3.12\nCMD [\"flask\", \"run\"]\n",
    );
    assert_eq!(findings(&out), ["- USR001", "- DEV001"], "{}", stderr(&out));
    let out = run_stdin(
        &["check", "--output-format", "concise", "-"],
        dir.path(),
        PY_SCRIPT,
    );
    assert_eq!(findings(&out), ["- DBG001"], "{}", stderr(&out));
    let out = run_stdin(&["check", "-"], dir.path(), "hello, world\n");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("standard input") && err.contains("--stdin-filename"),
        "{err}"
    );
}

// --- Defect 8: systemd has no trailing comments ---------------------------------------------

#[test]
fn trailing_suppression_in_systemd_is_part_of_the_value() {
    let unit = "[Unit]\nDescription=app\n[Service]\nUser=www-data ; deploylint: ignore[USR002]\n\
                WorkingDirectory=/srv/app\nExecStart=/srv/app/venv/bin/gunicorn -b 127.0.0.1:8000 app:app\n";
    let dir = project(&[("app.service", unit)]);
    let out = run(
        &[
            "check",
            "--output-format",
            "json",
            "--select",
            "USR,SUP",
            "app.service",
        ],
        dir.path(),
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    let d = &items[0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("SUP001"), Some(4))
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("not a suppression")
            && message.contains("`www-data ; deploylint: ignore[USR002]`"),
        "{message}"
    );
    assert!(d["help"].as_str().unwrap().contains("own line"), "{d}");
    // It fails the run: the unit does not do what its author meant.
    assert_eq!(out.status.code(), Some(1));
    // On its own line above, it is a suppression.
    let fixed = unit.replace(
        "User=www-data ; deploylint: ignore[USR002]",
        "; deploylint: ignore[USR002]\nUser=www-data",
    );
    let dir = project(&[("app.service", &fixed)]);
    let out = run(&["check", "--select", "USR,SUP", "app.service"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// httpd reads `#` only at the start of a line: the trailing text is more arguments, and the
/// finding it meant to silence was silently dropped.
#[test]
fn trailing_suppression_in_apache_and_dockerfile_is_not_a_suppression() {
    let dir = project(&[
        (
            "apache2/apache2.conf",
            "ServerTokens OS # deploylint: ignore[DIS001]\n",
        ),
        (
            "Dockerfile",
            "FROM python:3.12\nUSER root # deploylint: ignore[USR001]\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
    ]);
    let out = run(
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "DIS001,SUP",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert!(
        text.contains("apache2/apache2.conf:1:1: DIS001")
            || text.contains("apache2/apache2.conf:1:14: DIS001"),
        "{text}"
    );
    assert!(text.contains("apache2/apache2.conf:1:17: SUP001"), "{text}");
    assert!(text.contains("Dockerfile:2:11: SUP001"), "{text}");
    assert!(!text.contains("matches no finding"), "{text}");
}

// --- Defect 9 ------------------------------------------------------------------------------

#[test]
fn directory_with_nothing_to_lint_says_what_was_searched() {
    let dir = project(&[
        ("docs/README.md", "# docs\n"),
        ("src/lib.rs", "fn x() {}\n"),
    ]);
    let out = run(&["check", "docs", "src"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("deploylint: note:") && err.contains("docs") && err.contains("src"),
        "{err}"
    );
    // A directory with something to lint gets no such note.
    let dir = project(&[(
        "Dockerfile",
        "FROM python\nUSER app\nCMD gunicorn app:app\n",
    )]);
    let out = run(&["check"], dir.path());
    assert_eq!(stderr(&out), "");
}

#[test]
fn extend_shared_accounts_adds_to_the_built_in_list() {
    let unit = |user: &str| {
        format!(
            "[Service]\nUser={user}\nWorkingDirectory=/srv/app\n\
             ExecStart=/srv/app/venv/bin/gunicorn -b 127.0.0.1:8000 app:app\n"
        )
    };
    let dir = project(&[
        (
            "deploylint.toml",
            "select = [\"USR002\"]\n[options]\nextend-shared-accounts = [\"appsvc\"]\n",
        ),
        ("a.service", &unit("appsvc")),
        ("b.service", &unit("www-data")),
        ("c.service", &unit("myapp")),
    ]);
    let out = run(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(
        findings(&out),
        ["a.service USR002", "b.service USR002"],
        "{}",
        stderr(&out)
    );
    // `shared-accounts` still replaces the list.
    fs::write(
        dir.path().join("deploylint.toml"),
        "select = [\"USR002\"]\n[options]\nshared-accounts = [\"appsvc\"]\n",
    )
    .unwrap();
    let out = run(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(findings(&out), ["a.service USR002"]);
}

/// `User=root` in a unit was told to `RUN useradd … USER app`.
#[test]
fn help_text_matches_the_findings_format() {
    let dir = project(&[
        (
            "app.service",
            "[Service]\nUser=root\nWorkingDirectory=/srv/app\n\
             ExecStart=/srv/app/venv/bin/gunicorn -b 127.0.0.1:8000 app:app\n",
        ),
        (
            "Dockerfile",
            "FROM python\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
    ]);
    let out = run(
        &["check", "--output-format", "json", "--select", "USR001"],
        dir.path(),
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let help = |path: &str| {
        items.iter().find(|d| d["path"] == path).unwrap()["help"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let unit = help("app.service");
    assert!(unit.contains("User="), "{unit}");
    assert!(
        !unit.contains("useradd --system --uid") && !unit.contains("USER app"),
        "{unit}"
    );
    let image = help("Dockerfile");
    assert!(
        image.contains("USER app") && !image.contains("User="),
        "{image}"
    );
}

/// Words that belong to one format's configuration: a finding in another format whose help
/// uses them tells its reader to change something their file does not have.
const FORMAT_WORDS: &[(&str, &[&str])] = &[
    (
        "dockerfile",
        &["`USER ", "`RUN ", "final stage", "from the image"],
    ),
    (
        "systemd",
        &[
            "User=",
            "DynamicUser",
            "UMask=",
            "StateDirectory",
            "ExecStart=",
            "in a unit",
        ],
    ),
    ("apache", &["WSGIDaemonProcess", "WSGISocketPrefix"]),
    ("gunicorn", &["loglevel =", "raw_env", "reload = "]),
    ("compose", &["`user:", "environment:", "compose.override"]),
    (
        "uwsgi",
        &["chmod-socket", "py-autoreload", "`uid =", "`env ="],
    ),
];

/// Every finding the fixtures produce: its help speaks of its own format only (a compose
/// service may be told to fix the Dockerfile it is built from).
#[test]
fn every_findings_help_speaks_its_own_format() {
    use deploylint::engine::{Overrides, Resolver};
    use deploylint::kinds::{self, Detection};
    let bad: Vec<std::path::PathBuf> = fs::read_dir(manifest_dir().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path().join("bad"))
        .filter(|p| p.is_dir())
        .collect();
    let overrides = Overrides {
        isolated: true,
        ..Overrides::default()
    };
    let outcome = deploylint::engine::run(&bad, &Resolver::new(&bad, overrides));
    let mut checked = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    for d in &outcome.diagnostics {
        let Some(source) = outcome.source(&d.path) else {
            continue;
        };
        let format = match kinds::detect_by_name(&d.path) {
            Detection::Known(format) => Some(format),
            Detection::NeedsContent => kinds::detect_by_content(&d.path, source.text(), false),
            Detection::Unknown => None,
        };
        let (Some(format), Some(help)) = (format, &d.help) else {
            continue;
        };
        let format = format.as_str();
        checked.insert((d.code.clone(), format));
        for (other, words) in FORMAT_WORDS {
            if *other == format || (format == "compose" && *other == "dockerfile") {
                continue;
            }
            if let Some(word) = words.iter().find(|w| help.contains(*w)) {
                wrong.push(format!(
                    "{} {} ({format}) help mentions {other}'s `{word}`: {help}",
                    d.code,
                    d.path.display()
                ));
            }
        }
    }
    for (code, format) in [
        ("USR001", "systemd"),
        ("USR001", "dockerfile"),
        ("USR001", "compose"),
        ("USR001", "gunicorn"),
        ("USR001", "apache"),
        ("USR002", "apache"),
        ("FS003", "systemd"),
        ("FS002", "apache"),
        ("DBG005", "procfile"),
    ] {
        assert!(
            checked.contains(&(code.to_string(), format)),
            "no {code} finding in {format} among the fixtures"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn info_findings_are_info_in_pretty_output() {
    let dir = project(&[("app.py", "# deploylint: ignore[DBG001]\nx = 1\n")]);
    let out = run(
        &["check", "--color", "never", "--fail-on", "never"],
        dir.path(),
    );
    let text = stdout(&out);
    assert!(text.contains("[SUP001 unused-suppression] Info:"), "{text}");
    assert!(!text.contains("Advice"), "{text}");
}

/// ariadne starts a new file header for a label that comes before the previous one, so a
/// label above the finding printed the file's header twice with its line after the finding's.
#[test]
fn labels_above_the_finding_share_one_header_in_line_order() {
    let out = run(
        &[
            "check",
            "--color",
            "never",
            "fixtures/sample/serve_static.py",
        ],
        &manifest_dir(),
    );
    let text = stdout(&out);
    let net = text
        .split("\n[")
        .find(|r| r.starts_with("NET001"))
        .expect("NET001");
    assert_eq!(
        net.matches("fixtures/sample/serve_static.py:").count(),
        1,
        "{net}"
    );
    let line3 = net.find(" 3 │").expect("line 3");
    let line4 = net.find(" 4 │").expect("line 4");
    assert!(line3 < line4, "{net}");
}
