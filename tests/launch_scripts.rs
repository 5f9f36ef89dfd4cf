//! Launchers followed through the scripts they run: a Dockerfile `ENTRYPOINT`/`CMD` script
//! copied from the build context, and a shell script an `ExecStart=` runs (found by the end of
//! its path). What the script finally execs is the process the rules judge, with findings in
//! the script and a label at the instruction that runs it; a privilege drop on the server's
//! way through the script (`exec gosu app "$@"`) means it does not run as root.

mod common;

/// `check` on a fixture project: (exit code, concise lines, rendered pretty output).
fn lint(project: &str) -> (Option<i32>, Vec<String>, String) {
    let root = common::manifest_dir();
    let dir = format!("fixtures/projects/{project}");
    let concise = common::run(
        &["check", "--isolated", "--output-format", "concise", &dir],
        &root,
    );
    let pretty = common::run(&["check", "--isolated", "--color", "never", &dir], &root);
    assert_eq!(concise.status.code(), pretty.status.code());
    let lines = common::stdout(&concise)
        .lines()
        .map(|l| l.strip_prefix(&format!("{dir}/")).unwrap_or(l).to_string())
        .collect();
    (concise.status.code(), lines, common::stdout(&pretty))
}

/// Regression: the image starts as root and its entrypoint script drops to `app` with gosu
/// on the server's way through it (decided by `$1` from the CMD, inside a function); USR001
/// reported the image's missing USER before the script was read.
#[test]
fn entrypoint_dropping_to_the_app_account_is_not_root() {
    let (code, lines, _) = lint("entrypoint-gosu-drop");
    assert_eq!(code, Some(0), "{lines:#?}");
    assert!(lines.is_empty(), "{lines:#?}");
}

/// Tricky positive: the script drops privileges only for `celery`; the CMD runs gunicorn,
/// which keeps the image's root.
#[test]
fn a_drop_only_for_the_worker_leaves_the_server_root() {
    let (code, lines, pretty) = lint("entrypoint-drop-only-worker");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        ["Dockerfile:1:6: USR001 the image runs as root: the final stage never sets USER"]
    );
    insta::assert_snapshot!("entrypoint_drop_only_worker", pretty);
}

/// Regression: `ENTRYPOINT ["sh", "./scripts/start.sh"]` whose script ends in `exec flask
/// run` (after a wait loop and a line continuation) was not judged at all; now DEV001 points
/// into the script with a label at the ENTRYPOINT.
#[test]
fn dev_server_exec_in_an_entrypoint_script() {
    let (code, lines, pretty) = lint("entrypoint-dev-server");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "scripts/start.sh:7:6: DEV001 the image's start script runs Flask's development server (`flask run`)"
        ]
    );
    assert!(
        pretty.contains("the ENTRYPOINT runs this script"),
        "{pretty}"
    );
    insta::assert_snapshot!("entrypoint_dev_server", pretty);
}

/// Regression: `ExecStart=` running a script that runs gunicorn on every interface, without
/// `User=` and without a drop: root, and NET001 in the script; the link from the unit to the
/// script is a guess from the path's ending and says so.
#[test]
fn systemd_script_running_gunicorn_as_root() {
    let (code, lines, pretty) = lint("systemd-script-root");
    assert_eq!(code, Some(1));
    let codes: Vec<&str> = lines
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    assert_eq!(codes, ["NET001", "SBX001", "USR001"], "{lines:#?}");
    assert!(
        lines[0].starts_with("bin/start.sh:6:22: NET001"),
        "{lines:#?}"
    );
    assert!(
        lines[2].starts_with("deploy/app.service:4:1: USR001"),
        "{lines:#?}"
    );
    assert!(pretty.contains("whose path ends the same way"), "{pretty}");
    insta::assert_snapshot!("systemd_script_root", pretty);
}

/// Tricky negative: the script drops to `app` with `setpriv --reuid` before gunicorn (on
/// loopback); the unit has no `User=` but the server does not run as root.
#[test]
fn systemd_script_dropping_privileges() {
    let (code, lines, _) = lint("systemd-script-drop");
    assert_eq!(code, Some(0), "{lines:#?}");
}

/// The script is read only inside the linted tree: linting the unit's directory alone does
/// not reach `../bin/start.sh`, and the unit is judged on what it shows.
#[test]
fn scripts_outside_the_linted_tree_are_not_read() {
    let root = common::manifest_dir();
    let out = common::run(
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "fixtures/projects/systemd-script-root/deploy",
        ],
        &root,
    );
    let stdout = common::stdout(&out);
    assert!(!stdout.contains("start.sh"), "{stdout}");
    assert!(!stdout.contains("NET001"), "{stdout}");
}

/// Regression: a finding placed in the entrypoint script a Dockerfile runs could not be
/// suppressed there (the script is not a linted file). The script's own comments now apply:
/// on the line above the command (covering its continuation lines) or at the end of it. A
/// suppression in the script that matches nothing is not reported from the Dockerfile's lint.
#[test]
fn findings_in_an_entrypoint_script_are_suppressed_in_the_script() {
    let dockerfile = "FROM python:3.12-slim\nRUN useradd --system app\nWORKDIR /app\nCOPY . .\nUSER app\nENTRYPOINT [\"sh\", \"./start.sh\"]\n";
    let lint = |script: &str| {
        let dir = common::project(&[("Dockerfile", dockerfile), ("start.sh", script)]);
        let out = common::run(
            &["check", "--isolated", "--output-format", "concise", "."],
            dir.path(),
        );
        common::stdout(&out)
    };
    let unsuppressed = lint("#!/bin/sh\nexec \\\n  flask run --host 0.0.0.0\n");
    assert!(
        unsuppressed.contains("start.sh:3:3: DEV001"),
        "{unsuppressed}"
    );
    for suppressed in [
        "#!/bin/sh\n# deploylint: ignore[DEV001]\nexec \\\n  flask run --host 0.0.0.0\n",
        "#!/bin/sh\nexec \\\n  flask run --host 0.0.0.0  # deploylint: ignore[DEV001]\n",
        "#!/bin/sh\n# deploylint: ignore-file[dev-server-in-production]\nexec flask run\n",
        "#!/bin/sh\n# deploylint: ignore-file\n# deploylint: ignore[SBX001]\nexec flask run\n",
    ] {
        let out = lint(suppressed);
        assert!(out.trim().is_empty(), "{suppressed}\n{out}");
    }
    // A suppression of another rule leaves the finding, and is not reported as unused here.
    let other = lint("#!/bin/sh\n# deploylint: ignore[USR001]\nexec flask run\n");
    assert!(other.contains("DEV001"), "{other}");
    assert!(!other.contains("SUP001"), "{other}");
}

/// Regression: a compose service built from an image whose entrypoint script drops to `app`
/// (`exec gosu app "$@"`) was reported as root, since compose's reader did not read the
/// script. A service that keeps the image's entrypoint and command runs as `app`; one that
/// replaces the entrypoint does not run the script and stays root.
#[test]
fn compose_service_built_from_an_image_whose_script_drops_privileges() {
    let root = common::manifest_dir().join("fixtures/projects/entrypoint-gosu-drop");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    let (dockerfile, script, app) = (
        read("Dockerfile"),
        read("docker/docker-entrypoint.sh"),
        read("app.py"),
    );
    let dir = common::project(&[
        ("Dockerfile", dockerfile.as_str()),
        ("docker/docker-entrypoint.sh", script.as_str()),
        ("app.py", app.as_str()),
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n  shell:\n    build: .\n    entrypoint: [\"bash\"]\n",
        ),
    ]);
    let out = common::run(
        &["check", "--isolated", "--output-format", "concise", "."],
        dir.path(),
    );
    let lines: Vec<String> = common::stdout(&out).lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "compose.yaml:5:5: USR001 service `shell` runs as root: it sets no user: and its Dockerfile never sets USER"
        ]
    );
}
