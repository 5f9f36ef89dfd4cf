//! The composite GitHub Action in `action.yml`, run here as the runner would: its steps in
//! order, each `run:` script through `bash --noprofile --norc -eo pipefail` with the step's
//! `env:`, `GITHUB_OUTPUT`/`GITHUB_PATH` files and `RUNNER_TEMP`, `if:` conditions and
//! `${{ }}` expressions evaluated. The upload step (`github/codeql-action/upload-sarif`)
//! cannot run off GitHub: the test checks what it would be given. The lint and fail steps run
//! on the cargo-built binary in every test run; the install step installs the wheel (see
//! `common/wheel.rs`) with pip from a local directory instead of PyPI.

mod common;
#[path = "common/wheel.rs"]
mod wheel;

use common::manifest_dir;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use wheel::{sh, text};

fn action() -> Value {
    let text = std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// What one run of the action did.
#[derive(Debug, Default)]
struct Run {
    /// Names of the steps that ran, in order.
    ran: Vec<String>,
    /// The `with:` of the upload step, when it ran.
    upload: Option<BTreeMap<String, String>>,
    /// Outputs by step id.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// stdout and stderr of every script, in order.
    log: String,
    /// `None` when every step passed, else the failing step's exit status.
    failed: Option<i32>,
    /// Lines the steps added to `GITHUB_PATH`.
    path_added: Vec<String>,
}

struct Runner<'a> {
    inputs: BTreeMap<&'a str, &'a str>,
    action_ref: &'a str,
    workspace: PathBuf,
    temp: PathBuf,
    /// Extra environment for every script (pip's index settings in the install test).
    env: Vec<(&'a str, String)>,
}

impl Runner<'_> {
    /// Evaluates the one expression inside `${{ }}`.
    fn expression(&self, expr: &str, run: &Run, action: &Value) -> String {
        let expr = expr.trim();
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => {
                let declared = &action["inputs"][*name];
                assert!(!declared.is_null(), "undeclared input {name}");
                self.inputs
                    .get(name)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| declared["default"].as_str().unwrap_or("").to_string())
            }
            ["steps", id, "outputs", name] => run
                .outputs
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            ["github", "action_ref"] => self.action_ref.to_string(),
            ["runner", "temp"] => self.temp.display().to_string(),
            _ => panic!("this test does not know the expression `{expr}`: teach it"),
        }
    }

    /// Replaces every `${{ … }}` in `text`.
    fn substitute(&self, text: &str, run: &Run, action: &Value) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed ${{") + start;
            out.push_str(&self.expression(&rest[start + 3..end], run, action));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:` of comparisons (`a == 'x'`, `a != ''`) joined by `&&`.
    fn condition(&self, cond: &str, run: &Run, action: &Value) -> bool {
        cond.split("&&").all(|clause| {
            let (left, right, equal) = if let Some((l, r)) = clause.split_once("!=") {
                (l, r, false)
            } else if let Some((l, r)) = clause.split_once("==") {
                (l, r, true)
            } else {
                panic!("this test does not know the condition `{clause}`: teach it");
            };
            let literal = right.trim();
            assert!(
                literal.starts_with('\'') && literal.ends_with('\''),
                "{clause}"
            );
            let value = self.expression(left, run, action);
            (value == literal[1..literal.len() - 1]) == equal
        })
    }

    /// Runs the action's steps from `first` (an index) on, with `seed` outputs as if earlier
    /// steps had run.
    fn run(&self, first: usize, seed: &[(&str, &str, String)]) -> Run {
        let action = action();
        let mut run = Run::default();
        for (id, name, value) in seed {
            run.outputs
                .entry(id.to_string())
                .or_default()
                .insert(name.to_string(), value.clone());
        }
        let steps = action["runs"]["steps"].as_sequence().unwrap();
        for (index, step) in steps.iter().enumerate().skip(first) {
            let name = step["name"].as_str().unwrap().to_string();
            if let Some(cond) = step["if"].as_str()
                && !self.condition(cond, &run, &action)
            {
                continue;
            }
            run.ran.push(name.clone());
            if let Some(uses) = step["uses"].as_str() {
                assert_eq!(uses, "github/codeql-action/upload-sarif@v3");
                let with = step["with"].as_mapping().unwrap();
                run.upload = Some(
                    with.iter()
                        .map(|(k, v)| {
                            let v = self.substitute(v.as_str().unwrap(), &run, &action);
                            (k.as_str().unwrap().to_string(), v)
                        })
                        .collect(),
                );
                continue;
            }
            assert_eq!(step["shell"].as_str(), Some("bash"), "{name}");
            let script = self.temp.join(format!("step{index}.sh"));
            std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
            let output_file = self.temp.join(format!("output{index}"));
            let path_file = self.temp.join(format!("path{index}"));
            std::fs::write(&output_file, "").unwrap();
            std::fs::write(&path_file, "").unwrap();
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace)
                .env("RUNNER_TEMP", &self.temp)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("PATH", wheel::path_without_rust())
                .env_remove("NO_COLOR");
            for (key, value) in &self.env {
                cmd.env(key, value);
            }
            if let Some(env) = step["env"].as_mapping() {
                for (key, value) in env {
                    let value = self.substitute(value.as_str().unwrap_or(""), &run, &action);
                    cmd.env(key.as_str().unwrap(), value);
                }
            }
            let out = sh(&mut cmd);
            run.log.push_str(&text(&out));
            let outputs = std::fs::read_to_string(&output_file).unwrap();
            let entry = run.outputs.entry(
                step["id"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{index}")),
            );
            let map = entry.or_default();
            for line in outputs.lines() {
                let (key, value) = line.split_once('=').expect("key=value output");
                map.insert(key.to_string(), value.to_string());
            }
            run.path_added.extend(
                std::fs::read_to_string(&path_file)
                    .unwrap()
                    .lines()
                    .map(str::to_string),
            );
            if !out.status.success() {
                run.failed = Some(out.status.code().unwrap_or(-1));
                break;
            }
        }
        run
    }
}

/// Index of the step named `name`.
fn step(name: &str) -> usize {
    action()["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .position(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

/// A runner over `workspace` whose install step is replaced by a directory holding the
/// cargo-built binary.
fn with_cargo_binary<'a>(
    workspace: &Path,
    temp: &Path,
    inputs: &[(&'a str, &'a str)],
) -> (Runner<'a>, Vec<(&'static str, &'static str, String)>) {
    let bin = temp.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("deploylint");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_deploylint"), &link).unwrap();
    }
    let runner = Runner {
        inputs: inputs.iter().copied().collect(),
        action_ref: "main",
        workspace: workspace.to_path_buf(),
        temp: temp.to_path_buf(),
        env: Vec::new(),
    };
    (runner, vec![("install", "bin", bin.display().to_string())])
}

fn sarif(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn result_files(sarif: &serde_json::Value) -> Vec<String> {
    let mut files: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn action_declares_its_inputs_and_keeps_them_out_of_scripts() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs: Vec<&str> = action["inputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        ["version", "paths", "args", "fail-on", "upload-sarif"]
    );
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        // An input spliced into a script is a script injection; env is data.
        if let Some(script) = step["run"].as_str() {
            assert!(!script.contains("${{"), "{script}");
        }
    }
}

#[test]
fn findings_are_uploaded_and_fail_the_job() {
    let temp = tempfile::tempdir().unwrap();
    let (runner, seed) = with_cargo_binary(
        &manifest_dir(),
        temp.path(),
        &[("paths", "fixtures/sample")],
    );
    let run = runner.run(step("Run deploylint"), &seed);
    assert_eq!(
        run.ran,
        [
            "Run deploylint",
            "Upload to code scanning",
            "Fail on findings"
        ]
    );
    assert_eq!(run.failed, Some(1), "{}", run.log);
    assert_eq!(run.outputs["lint"]["exit-code"], "1");
    let file = &run.outputs["lint"]["sarif-file"];
    let upload = run.upload.as_ref().unwrap();
    assert_eq!(&upload["sarif_file"], file);
    assert_eq!(upload["category"], "deploylint");
    let sarif = sarif(file);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "deploylint");
    assert!(result_files(&sarif).contains(&"fixtures/sample/Dockerfile".to_string()));
    // The log shows the findings as text (code scanning shows them on the pull request).
    assert!(
        run.log.contains("fixtures/sample/compose.yaml:5:5: USR001"),
        "{}",
        run.log
    );
    assert!(!run.log.contains("::warning"), "{}", run.log);
    assert!(run.log.contains("::error::deploylint found problems"));
}

#[test]
fn a_clean_tree_passes_and_still_uploads() {
    let temp = tempfile::tempdir().unwrap();
    let workspace = temp.path().join("repo");
    std::fs::create_dir(&workspace).unwrap();
    std::fs::write(
        workspace.join("Dockerfile"),
        "FROM python:3.12-slim\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n",
    )
    .unwrap();
    let (runner, seed) = with_cargo_binary(&workspace, temp.path(), &[]);
    let run = runner.run(step("Run deploylint"), &seed);
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(run.outputs["lint"]["exit-code"], "0");
    // An empty upload closes the alerts of problems that were fixed.
    let sarif_file = &run.upload.unwrap()["sarif_file"];
    assert_eq!(
        sarif(sarif_file)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Without `paths` the whole workspace is linted, subdirectories included.
    std::fs::create_dir(workspace.join("worker")).unwrap();
    std::fs::write(
        workspace.join("worker/Dockerfile"),
        "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
    )
    .unwrap();
    let run = runner.run(step("Run deploylint"), &seed);
    assert_eq!(run.failed, Some(1), "{}", run.log);
    assert_eq!(
        result_files(&sarif(&run.outputs["lint"]["sarif-file"])),
        ["worker/Dockerfile"]
    );
}

#[test]
fn fail_on_args_and_path_lists_reach_deploylint() {
    let temp = tempfile::tempdir().unwrap();
    let (runner, seed) = with_cargo_binary(
        &manifest_dir(),
        temp.path(),
        &[
            (
                "paths",
                "\n  fixtures/sample/Dockerfile\nfixtures/sample/app.py  \n",
            ),
            // app.py's NET001 is in the `__main__` block, which `flask run` (the Dockerfile's
            // FLASK_APP=app.py) never runs: it is shown, as info, only with
            // --include-development.
            (
                "args",
                "--select   USR,NET\t--isolated --include-development",
            ),
            ("fail-on", "never"),
            ("upload-sarif", "false"),
        ],
    );
    let run = runner.run(step("Run deploylint"), &seed);
    // Findings, but none fail the job with fail-on never; no upload; annotations instead.
    assert_eq!(run.failed, None, "{}", run.log);
    assert_eq!(run.outputs["lint"]["exit-code"], "0");
    assert_eq!(run.ran, ["Run deploylint", "Fail on findings"]);
    let sarif = sarif(&run.outputs["lint"]["sarif-file"]);
    assert_eq!(
        result_files(&sarif),
        ["fixtures/sample/Dockerfile", "fixtures/sample/app.py"]
    );
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"USR001") && rules.contains(&"NET001"),
        "{rules:?}"
    );
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("USR") || r.starts_with("NET"))
    );
    assert!(
        run.log
            .contains("::warning file=fixtures/sample/Dockerfile,line=2"),
        "{}",
        run.log
    );
}

#[test]
fn an_error_fails_the_job_without_an_upload() {
    let temp = tempfile::tempdir().unwrap();
    let (runner, seed) = with_cargo_binary(
        &manifest_dir(),
        temp.path(),
        &[("paths", "fixtures/sample"), ("args", "--select NOPE999")],
    );
    let run = runner.run(step("Run deploylint"), &seed);
    assert_eq!(run.outputs["lint"]["exit-code"], "2");
    assert!(!run.outputs["lint"].contains_key("sarif-file"));
    assert_eq!(run.ran, ["Run deploylint", "Fail on findings"]);
    assert_eq!(run.failed, Some(2), "{}", run.log);
    assert!(run.log.contains("NOPE999"), "{}", run.log);
}

/// The whole action, install included: pip installs the wheel the action's tag names (a
/// local directory stands in for PyPI), and a version that does not exist fails the job.
#[test]
fn install_step_installs_the_tagged_version_of_the_wheel() {
    let Some(wheel) = wheel::wheel() else { return };
    let temp = tempfile::tempdir().unwrap();
    let index = temp.path().join("index");
    std::fs::create_dir(&index).unwrap();
    std::fs::copy(&wheel, index.join(wheel.file_name().unwrap())).unwrap();
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let index_env = index.display().to_string();
    let runner = |temp: &Path, inputs: &[(&'static str, &'static str)]| Runner {
        inputs: inputs.iter().copied().collect(),
        action_ref: &tag,
        workspace: manifest_dir(),
        temp: temp.to_path_buf(),
        env: vec![
            ("PIP_NO_INDEX", "1".into()),
            ("PIP_FIND_LINKS", index_env.clone()),
        ],
    };

    let run = runner(temp.path(), &[("paths", "fixtures/sample")]).run(0, &[]);
    assert_eq!(run.failed, Some(1), "{}", run.log);
    assert_eq!(
        run.ran,
        [
            "Install deploylint",
            "Run deploylint",
            "Upload to code scanning",
            "Fail on findings"
        ]
    );
    assert!(
        run.log
            .contains(&format!("deploylint {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.log
    );
    let bin = &run.outputs["install"]["bin"];
    assert!(bin.starts_with(&temp.path().display().to_string()), "{bin}");
    assert_eq!(run.path_added, std::slice::from_ref(bin));
    assert!(Path::new(bin).join("deploylint").is_file());
    assert!(!result_files(&sarif(&run.outputs["lint"]["sarif-file"])).is_empty());

    let other = tempfile::tempdir().unwrap();
    let run = runner(other.path(), &[("version", "999.0.0")]).run(0, &[]);
    assert_eq!(run.ran, ["Install deploylint"]);
    assert!(run.failed.is_some(), "{}", run.log);
    assert!(run.log.contains("deploylint==999.0.0"), "{}", run.log);
}
