//! Whole projects that join a uWSGI, supervisord or Kubernetes launcher to the Python code it
//! runs (issue 12): the graph shows the join, and the findings land on the files that decide
//! them.

mod common;

use common::{manifest_dir, run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("fixtures/projects").join(name)
}

fn concise(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend(args);
    let out = run(&all, dir);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    stdout(&out)
}

/// `launcher file:line -> entry file` for each launcher of the graph.
fn runs(dir: &Path) -> Vec<String> {
    let out = run(&["graph", "--format", "json"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
    graph["launchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{} [{}] -> {}",
                l["file"].as_str().unwrap(),
                l["line"],
                l["class"].as_str().unwrap(),
                l["runs"]["file"].as_str().unwrap_or("nothing found")
            )
        })
        .collect()
}

#[test]
fn uwsgi_module_runs_the_project_module() {
    let dir = fixture("uwsgi-module-to-code");
    assert_eq!(runs(&dir), ["uwsgi.ini:1 [production] -> blog/wsgi.py"]);
    insta::assert_snapshot!("uwsgi_module", concise(&dir, &[]));
}

#[test]
fn supervisord_program_imports_the_app_and_its_main_block_is_not_production() {
    let dir = fixture("supervisord-program-to-code");
    assert_eq!(runs(&dir), ["supervisord.conf:5 [production] -> notes.py"]);
    // The bind is supervisord's (on a host); `app.run` under `__main__` is never run by it.
    insta::assert_snapshot!("supervisord_program", concise(&dir, &[]));
    let all = concise(&dir, &["--include-development"]);
    assert!(
        all.contains("notes.py:13:29: DBG001") && all.contains("imports the module"),
        "{all}"
    );
}

#[test]
fn kubernetes_image_built_from_a_dockerfile_of_the_project_runs_its_code() {
    let dir = fixture("kubernetes-image-to-code");
    assert_eq!(runs(&dir), ["Dockerfile:5 [production] -> server.py"]);
    // The Deployment runs the image that compose builds from the Dockerfile: the account is
    // reported on the manifest and the compose service (the Dockerfile's own finding is their
    // label), and the script's debug server is production through the image's CMD.
    insta::assert_snapshot!("kubernetes_image", concise(&dir, &[]));
}

/// Regression: a compose service (or Kubernetes container) with an image and no command
/// was taken for a base image that starts nothing, so its USR001 was dropped in a project
/// run, and the Dockerfile's own USR001, shown as its label, went with it.
#[test]
fn a_service_that_runs_an_image_is_no_base_image() {
    let dir = fixture("kubernetes-image-to-code");
    let whole = concise(&dir, &["--select", "USR001"]);
    let isolated = concise(&dir, &["--select", "USR001", "--isolated"]);
    assert_eq!(whole, isolated);
    assert!(whole.contains("compose.yaml:4:5: USR001"), "{whole}");
    assert!(
        whole.contains("k8s/deployment.yaml:17:18: USR001"),
        "{whole}"
    );
}

const PROGRAM: &str = "[program:web]\ncommand = gunicorn --bind 0.0.0.0:8000 app:app\nuser = web\n";

/// `conf.d/web.conf` is judged with the `[supervisord]` settings of the main configuration
/// that includes it: `nodaemon = true` runs it in a container, where binding every interface
/// is normal.
#[test]
fn supervisord_programs_take_the_settings_of_the_configuration_that_includes_them() {
    let net001 = |main: &str| {
        let dir = common::project(&[
            ("etc/supervisor/supervisord.conf", main),
            ("etc/supervisor/conf.d/web.conf", PROGRAM),
        ]);
        concise(dir.path(), &["--isolated", "."]).contains("NET001")
    };
    let foreground = "[supervisord]\nnodaemon = true\n\n";
    for include in [
        "[include]\nfiles = conf.d/*.conf\n",
        "[include]\nfiles = %(here)s/conf.d/*.conf\n",
        // The deployed path, found by its trailing part in the copy of `etc/supervisor`.
        "[include]\nfiles = /etc/supervisor/conf.d/*.conf\n",
        "[include]\nfiles = other.d/*.ini conf.d/web.conf\n",
        // A variable may name the file: the main configuration still decides.
        "[include]\nfiles = %(ENV_CONF_DIR)s/*.conf\n",
    ] {
        assert!(!net001(&format!("{foreground}{include}")), "{include}");
    }
    // A main configuration that does not include the file does not run it: the program is
    // judged on its own, on a host.
    for include in [
        "[include]\nfiles = other.d/*.conf\n",
        "",
        "[include]\nfiles = conf.d/*.ini\n",
    ] {
        assert!(net001(&format!("{foreground}{include}")), "{include:?}");
    }
}
