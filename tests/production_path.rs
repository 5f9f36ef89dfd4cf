//! The production path (issue 10), on whole projects under `fixtures/projects/`: findings off
//! the production path are not reported (shown as `info` with `--include-development`), a
//! `__main__` block under an imported app object is not production while a script a production
//! launcher runs is, naming one file judges it in its project (the pre-commit case), and
//! `deploylint graph` shows what decided it.

mod common;

use common::{manifest_dir, project, run, stderr, stdout};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("fixtures/projects").join(name)
}

/// `path:line CODE severity` of each finding, and the JSON items, for `check ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> (Vec<String>, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend(args);
    let out = run(&all, dir);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let short = items
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect();
    (short, items)
}

#[test]
fn main_block_of_the_module_gunicorn_imports_is_not_production() {
    let dir = fixture("main-block-under-gunicorn");
    let (whole, _) = check(&dir, &[]);
    // The `else:` branch runs on import: it is production and stays an error.
    assert_eq!(whole, ["shop/wsgi.py:8 DBG001 error"]);
    // The pre-commit case: only the module is named, the Dockerfile is read for context.
    let (named, _) = check(&dir, &["shop/wsgi.py"]);
    assert_eq!(named, whole);
    // Without the project (--isolated), nothing tells: judged as before.
    let (isolated, _) = check(&dir, &["--isolated", "shop/wsgi.py"]);
    assert!(
        isolated.contains(&"shop/wsgi.py:6 DBG001 error".to_string()),
        "{isolated:?}"
    );
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        [
            "shop/wsgi.py:6 NET001 info",
            "shop/wsgi.py:6 DBG001 info",
            "shop/wsgi.py:8 DBG001 error"
        ]
    );
    let message = items[1]["message"].as_str().unwrap();
    assert!(
        message.contains("not on the production path")
            && message.contains("Dockerfile:6 `gunicorn --bind 0.0.0.0:8000 shop.wsgi:app`"),
        "{message}"
    );
}

#[test]
fn script_a_production_launcher_runs_is_production_with_a_label_at_the_launcher() {
    let dir = fixture("script-run-by-cmd");
    let (whole, items) = check(&dir, &[]);
    assert_eq!(
        whole,
        ["Dockerfile:5 DEV001 warning", "app.py:6 DBG001 error"]
    );
    let debug = &items[1];
    assert!(
        debug["message"]
            .as_str()
            .unwrap()
            .ends_with("(started by Dockerfile:5 `python app.py`)"),
        "{debug}"
    );
    assert!(
        debug["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["path"] == "Dockerfile" && l["line"] == 5),
        "{debug}"
    );
    // Staged alone, app.py is judged the same way, label included.
    let (named, named_items) = check(&dir, &["app.py"]);
    assert_eq!(named, ["app.py:6 DBG001 error"]);
    assert_eq!(named_items[0]["labels"], debug["labels"]);
}

#[test]
fn procfile_dev_is_development_and_procfile_web_is_production() {
    let dir = fixture("procfile-and-procfile-dev");
    let (whole, _) = check(&dir, &[]);
    assert!(whole.is_empty(), "{whole:?}");
    let (named, _) = check(&dir, &["Procfile.dev"]);
    assert!(named.is_empty(), "{named:?}");
    let graph = stdout(&run(&["graph"], &dir));
    assert!(graph.contains("Procfile:1: gunicorn notes:app"), "{graph}");
    assert!(graph.contains("-> notes.py"), "{graph}");
}

#[test]
fn development_dockerfile_and_compose_file_beside_production_ones() {
    let dir = fixture("compose-dev-beside-prod");
    let (whole, _) = check(&dir, &[]);
    assert!(whole.is_empty(), "{whole:?}");
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        [
            "Dockerfile.dev:1 USR001 info",
            "Dockerfile.dev:4 DEV002 info"
        ]
    );
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("its name `Dockerfile.dev` says development"),
        "{}",
        items[0]
    );
}

#[test]
fn tests_ci_and_base_images_are_not_judged_but_lookalike_names_are() {
    let dir = fixture("tests-ci-and-base-image");
    let (whole, _) = check(&dir, &[]);
    // `devops/` is no development directory; `tests/` and `ci/` are; docker/base/Dockerfile
    // starts nothing and nothing builds it: a base image USR001 does not judge.
    assert_eq!(
        whole,
        [
            "Dockerfile:1 USR001 warning",
            "devops/worker.Dockerfile:1 USR001 warning"
        ]
    );
    let (base, _) = check(&dir, &["docker/base/Dockerfile"]);
    assert!(base.is_empty(), "{base:?}");
    // Without the project read, nothing shows the image is unused: judged as before.
    let (isolated, _) = check(&dir, &["--isolated", "docker/base/Dockerfile"]);
    assert_eq!(isolated, ["docker/base/Dockerfile:1 USR001 warning"]);
    let (all, _) = check(&dir, &["--include-development"]);
    for expected in [
        "tests/Dockerfile:3 DEV001 info",
        "ci/app.service:5 DEV001 info",
    ] {
        assert!(all.contains(&expected.to_string()), "{all:?}");
    }
}

/// An image without a start command that a compose service builds is not a base image.
#[test]
fn image_built_by_a_compose_service_is_judged() {
    let dir = project(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        (
            "app/Dockerfile",
            "FROM python:3.12\nRUN pip install gunicorn\n",
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    build: ./app\n    command: gunicorn app:app\n",
        ),
    ]);
    let (found, _) = check(dir.path(), &["app/Dockerfile"]);
    assert_eq!(found, ["app/Dockerfile:1 USR001 warning"]);
}

#[test]
fn config_key_includes_development_and_stdin_gets_the_context() {
    let dir = project(&[
        ("deploylint.toml", "include-development = true\n"),
        (
            "Dockerfile",
            "FROM python:3.12\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
        (
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(debug=True)\n",
        ),
    ]);
    let (found, _) = check(dir.path(), &[]);
    assert_eq!(found, ["app.py:4 DBG001 info"]);
    let out = common::bin()
        .args(["check", "--output-format", "concise", "--isolated"])
        .args(["--stdin-filename", "app.py"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path().join("app.py")).unwrap())
        .output()
        .unwrap();
    assert!(stdout(&out).contains("DBG001"), "{}", stdout(&out));
    // Named with --stdin-filename inside the project, the buffer is judged in it.
    let out = common::bin()
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "app.py",
        ])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path().join("app.py")).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("not on the production path"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn graph_in_every_format() {
    let dir = fixture("tests-ci-and-base-image");
    for format in ["text", "json", "mermaid", "dot"] {
        let out = run(&["graph", "--format", format], &dir);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        insta::assert_snapshot!(format!("graph_{format}"), stdout(&out));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["graph", "--format", "json"], &dir).stdout).unwrap();
    let classes: Vec<&str> = json["launchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["class"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"production") && classes.contains(&"development"));
}

/// Cause 4: `base.py` sets `DEBUG = True`, and the settings module production selects
/// (`wsgi.py`'s default, under gunicorn) star-imports it and sets `DEBUG` again from the
/// environment; `manage.py`'s default selects `docker.py`, which keeps `DEBUG = True` for
/// local commands. Neither is production's `DEBUG`.
#[test]
fn django_base_settings_overridden_by_the_selected_production_module() {
    let dir = fixture("django-settings-override");
    let (whole, _) = check(&dir, &[]);
    assert!(whole.is_empty(), "{whole:?}");
    // The pre-commit case: only base.py staged.
    let (named, _) = check(&dir, &["myproj/settings/base.py"]);
    assert!(named.is_empty(), "{named:?}");
    // Without the project, nothing selects: judged as before.
    let (isolated, _) = check(&dir, &["--isolated", "myproj/settings/base.py"]);
    assert_eq!(isolated, ["myproj/settings/base.py:4 DBG002 warning"]);
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        [
            "myproj/settings/base.py:4 DBG002 info",
            "myproj/settings/docker.py:3 DBG002 info"
        ]
    );
    let base = items[0]["message"].as_str().unwrap();
    assert!(
        base.contains(
            "production's settings `myproj.settings.production` (selected by \
             myproj/wsgi.py:9) set DEBUG again at myproj/settings/production.py:6"
        ),
        "{base}"
    );
    let docker = items[1]["message"].as_str().unwrap();
    assert!(
        docker.contains(
            "only development selects these settings (`myproj.settings.docker` by manage.py:7)"
        ),
        "{docker}"
    );
}

/// Production selections count only in their own project: a run over two projects must not
/// let one project's production settings make the other's development-only settings look
/// like a development leftover.
#[test]
fn django_production_selection_of_another_project_does_not_judge_this_one() {
    let dev_only = project(&[
        ("pyproject.toml", "[project]\nname = \"site\"\n"),
        (
            "manage.py",
            "import os\n\nif __name__ == \"__main__\":\n    \
             os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
        ),
        ("site/__init__.py", ""),
        ("site/settings.py", "DEBUG = True\n"),
    ]);
    let alone = || check(dev_only.path(), &["--include-development", "."]).1;
    let (alone_items, other) = (alone(), fixture("django-settings-override"));
    let (both, items) = check(
        dev_only.path(),
        &["--include-development", ".", other.to_str().unwrap()],
    );
    let ours: Vec<&serde_json::Value> = items
        .iter()
        .filter(|d| d["path"].as_str().unwrap() == "site/settings.py")
        .collect();
    assert_eq!(ours.len(), 1, "{both:?}");
    assert_eq!(alone_items.len(), 1, "{alone_items:?}");
    assert_eq!(ours[0]["severity"], alone_items[0]["severity"], "{both:?}");
    assert_eq!(ours[0]["message"], alone_items[0]["message"], "{both:?}");
}

/// The selected production module star-imports base.py and never sets `DEBUG` (a `DEBUG`
/// inside a function and an `if` that sets something else do not count): base's `DEBUG = True`
/// is production's, reported at base.py with a label where production inherits it. The
/// compose service's environment wins over wsgi.py's `setdefault` (staging, which overrides).
#[test]
fn django_base_debug_inherited_by_the_selected_production_module() {
    let dir = fixture("django-settings-inherited");
    let (whole, items) = check(&dir, &[]);
    assert_eq!(whole, ["myproj/settings/base.py:2 DBG002 warning"]);
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "(production's settings `myproj.settings.production` inherit it: selected by \
             compose.yaml:4 `gunicorn --bind 0.0.0.0:8000 myproj.wsgi:application`)"
        ),
        "{message}"
    );
    let labels = items[0]["labels"].as_array().unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l["path"] == "myproj/settings/production.py"
                && l["line"] == 1
                && l["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("inherited by production.py, selected by compose.yaml:4")),
        "{labels:?}"
    );
    let (named, named_items) = check(&dir, &["myproj/settings/base.py"]);
    assert_eq!(named, whole);
    assert_eq!(named_items[0]["labels"], items[0]["labels"]);
}

/// Nothing launches the project: wsgi.py's default is taken as production's selection, and
/// the message says it is a guess. A conditional star import of a missing module changes
/// nothing; a settings module nothing selects is judged as before.
#[test]
fn django_selection_by_wsgi_alone_is_a_guess() {
    let dir = fixture("django-settings-guess");
    let (whole, items) = check(&dir, &[]);
    assert_eq!(
        whole,
        [
            "myproj/settings/base.py:2 DBG002 warning",
            "myproj/settings/staging.py:2 DBG002 warning"
        ]
    );
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "selected by myproj/wsgi.py:5 (a guess: nothing in the project shows what loads \
             myproj/wsgi.py)"
        ),
        "{message}"
    );
    assert_eq!(
        items[1]["message"].as_str().unwrap(),
        "Django settings set DEBUG = True"
    );
}

/// `flask run` finds its app in `FLASK_APP` from the image's `ENV` (or a compose service's
/// environment): the graph reaches the module, so its `__main__` block is off the path.
#[test]
fn flask_app_from_the_image_environment_reaches_the_module() {
    let dir = fixture("flask-app-from-env");
    let (whole, _) = check(&dir, &[]);
    // `flask run` in the image is still the development server.
    assert_eq!(whole, ["Dockerfile:8 DEV001 warning"]);
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        ["Dockerfile:8 DEV001 warning", "shop/app.py:6 DBG001 info"]
    );
    assert!(
        items[1]["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile:8 `flask run --host 0.0.0.0` imports the module"),
        "{}",
        items[1]
    );
    let graph = stdout(&run(&["graph"], &dir));
    assert!(
        graph.contains("runs:       shop.app (imported) -> shop/app.py"),
        "{graph}"
    );

    let dir = project(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        (
            "compose.yaml",
            "services:\n  web:\n    image: python:3.12\n    user: app\n    command: flask run\n    environment:\n      - FLASK_APP=app.py:create_app()\n",
        ),
        (
            "app.py",
            "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
        ),
    ]);
    let graph = stdout(&run(&["graph"], dir.path()));
    assert!(graph.contains("-> app.py"), "{graph}");
}

/// Dockerfile-level development evidence: `tools/Dockerfile` is built only by the development
/// compose file, `images/app.Dockerfile` only by a service that passes `DEVEL: "yes"`; the
/// root Dockerfile is built by the development file too, but also by production's `web`, so
/// it stays production.
#[test]
fn dockerfiles_only_development_builds_are_development() {
    let dir = fixture("dockerfile-built-by-dev-compose");
    let (whole, _) = check(&dir, &[]);
    assert_eq!(
        whole,
        [
            "Dockerfile:1 USR001 warning",
            "compose.yaml:6 NET002 warning"
        ]
    );
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        [
            "Dockerfile:1 USR001 warning",
            "compose.yaml:6 NET002 warning",
            "images/app.Dockerfile:1 USR001 info",
            "tools/Dockerfile:1 USR001 info",
            "tools/Dockerfile:5 DEV001 info"
        ]
    );
    assert!(
        items[2]["message"].as_str().unwrap().ends_with(
            "(not on the production path: only development builds it: compose.yaml's service \
             `sandbox` (its build sets `DEVEL=yes`))"
        ),
        "{}",
        items[2]
    );
    assert!(
        items[4]["message"].as_str().unwrap().contains(
            "docker-compose.dev.yml's service `tools` (`docker-compose.dev.yml` is a \
             development compose file)"
        ),
        "{}",
        items[4]
    );
    // The pre-commit case: only the tool image's Dockerfile is staged.
    let (named, _) = check(&dir, &["tools/Dockerfile"]);
    assert!(named.is_empty(), "{named:?}");
}

/// A bind on every interface in code is judged where the code runs: a container's network
/// namespace is its own, so a script only an image runs is quiet; the same script run by a
/// unit on a host, or by an image a compose service runs with the host's network, is exposed.
#[test]
fn code_bound_on_every_interface_is_judged_where_it_runs() {
    let app = "from flask import Flask\napp = Flask(__name__)\nif __name__ == \"__main__\":\n    \
               app.run(host=\"0.0.0.0\", port=8000)\n";
    let dockerfile =
        "FROM python:3.12\nUSER app\nWORKDIR /srv/app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let unit = "[Service]\nUser=shop\nWorkingDirectory=/srv/app\nExecStart=/usr/bin/python3 /srv/app/app.py\n";
    let base = [
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        ("app.py", app),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut files = base.to_vec();
        files.extend_from_slice(extra);
        common::project(&files)
    };
    let codes = |dir: &tempfile::TempDir| check(dir.path(), &[]).0;

    let contained = with(&[("Dockerfile", dockerfile)]);
    assert_eq!(codes(&contained), ["Dockerfile:5 DEV001 warning"]);
    // Staged alone (the pre-commit case), the file is judged in its project the same way.
    assert_eq!(check(contained.path(), &["app.py"]).0, Vec::<String>::new());
    // Without the project nothing says where it runs: reported as before.
    assert_eq!(
        check(contained.path(), &["--isolated", "app.py"]).0,
        ["app.py:4 NET001 warning"]
    );

    let on_host = with(&[("Dockerfile", dockerfile), ("shop.service", unit)]);
    let (found, items) = check(on_host.path(), &[]);
    assert!(
        found.contains(&"app.py:4 NET001 warning".to_string()),
        "{found:?}"
    );
    let net = items.iter().find(|d| d["code"] == "NET001").unwrap();
    // The host's launcher is the one cited, not the image's.
    assert!(
        net["message"]
            .as_str()
            .unwrap()
            .contains("started by shop.service:4"),
        "{net}"
    );

    let host_network = with(&[
        ("Dockerfile", dockerfile),
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n    network_mode: host\n",
        ),
    ]);
    assert!(
        codes(&host_network).contains(&"app.py:4 NET001 warning".to_string()),
        "{:?}",
        codes(&host_network)
    );
    // A service that overrides the command runs its own process, not the image's script.
    let overridden = with(&[
        ("Dockerfile", dockerfile),
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n    network_mode: host\n    command: gunicorn -b 127.0.0.1:8000 app:app\n",
        ),
    ]);
    assert!(
        !codes(&overridden)
            .iter()
            .any(|c| c.starts_with("app.py:4 NET001")),
        "{:?}",
        codes(&overridden)
    );
}

#[test]
fn main_block_of_the_module_granian_imports_is_not_production() {
    let dir = fixture("main-block-under-granian");
    // Granian imports `api.main` for `app`: the `__main__` block's uvicorn.run never runs.
    let (whole, _) = check(&dir, &[]);
    assert!(whole.is_empty(), "{whole:?}");
    let (all, items) = check(&dir, &["--include-development"]);
    assert_eq!(
        all,
        ["api/main.py:10 NET001 info", "api/main.py:10 DEV002 info"]
    );
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Dockerfile:5 `granian --interface asgi --host 0.0.0.0 api.main:app`"),
        "{message}"
    );
    let graph = stdout(&run(&["graph"], &dir));
    assert!(
        graph.contains("runs:       api.main:app (imported) -> api/main.py"),
        "{graph}"
    );
}

/// Werkzeug's ProxyFix is judged by how the module is served: named alone (the pre-commit
/// case), the unit that serves it on every interface is read for context; a loopback bind
/// leaves it quiet.
#[test]
fn proxy_fix_in_the_module_a_host_server_serves_on_every_interface() {
    const APP: &str = "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\napp = Flask(__name__)\napp.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)\n";
    let unit = |bind: &str| {
        format!(
            "[Service]\nUser=shop\nExecStart=/srv/venv/bin/gunicorn --bind {bind} shop.wsgi:app\n"
        )
    };
    let open = unit("0.0.0.0:8000");
    let dir = common::project(&[
        ("deploylint.toml", ""),
        ("deploy/shop.service", &open),
        ("shop/__init__.py", ""),
        ("shop/wsgi.py", APP),
    ]);
    let (named, items) = check(dir.path(), &["--select", "WSG010", "shop/wsgi.py"]);
    assert_eq!(named, ["shop/wsgi.py:5 WSG010 warning"]);
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.contains("x_for=1: the last proxy hop")
            && message.contains("gunicorn (deploy/shop.service:3)"),
        "{message}"
    );
    let loopback = unit("127.0.0.1:8000");
    let quiet = common::project(&[
        ("deploylint.toml", ""),
        ("deploy/shop.service", &loopback),
        ("shop/__init__.py", ""),
        ("shop/wsgi.py", APP),
    ]);
    let (whole, _) = check(quiet.path(), &["--select", "WSG010"]);
    assert!(whole.is_empty(), "{whole:?}");
}
