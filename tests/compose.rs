//! Compose files as a whole project (issues 10 and 11): facts shared through YAML anchors are
//! reported once, a service built from a Dockerfile is judged on the stage `target:` picks
//! (found through `context:` and `dockerfile:`), one fact seen from the compose file and its
//! Dockerfile is one finding, and malformed `ports:` entries are reported as such.

mod common;

use common::{project, run, stdout};
use serde_json::Value;
use std::path::Path;

/// The JSON findings of `deploylint check --isolated` in `dir`.
fn check(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["check", "--isolated", "--output-format", "json"];
    all.extend(args);
    let out = run(&all, dir);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// `path:line CODE` of each finding.
fn summary(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

fn with_code<'a>(findings: &'a [Value], code: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["code"] == code).collect()
}

const BASE: &str = "\
x-base: &base
  privileged: true
  user: root
  environment:
    FLASK_DEBUG: \"1\"
  ports:
    - \"8000:8000\"
";

#[test]
fn a_fact_inherited_through_an_anchor_is_reported_once_naming_the_services() {
    let dir = project(&[(
        "compose.yaml",
        &format!(
            "{BASE}services:\n  web:\n    <<: *base\n    image: registry.example.com/shop:1\n  worker:\n    <<: *base\n    image: registry.example.com/shop:1\n    command: celery worker\n"
        ),
    )]);
    let found = check(dir.path(), &["compose.yaml"]);
    assert_eq!(
        summary(&found),
        [
            "compose.yaml:2 SBX101",
            "compose.yaml:3 USR001",
            "compose.yaml:5 DBG004",
        ],
        "{found:#?}"
    );
    for f in &found {
        let message = f["message"].as_str().unwrap();
        assert!(message.ends_with("(inherited by web, worker)"), "{message}");
        let labels: Vec<_> = f["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["line"].as_u64().unwrap(),
                    l["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            labels,
            [
                (10, "service `web` inherits it here".to_string()),
                (13, "service `worker` inherits it here".to_string())
            ]
        );
    }
}

#[test]
fn anchor_shapes_merge_lists_overrides_and_anchors_inside_a_service() {
    // A list of anchors merged, an override after the merge (the override is the service's
    // own fact), and an anchor defined inside the first service and aliased by another.
    let src = "\
x-root: &root
  user: root
x-caps: &caps
  cap_add: [SYS_ADMIN]
services:
  web:
    <<: [*root, *caps]
    image: registry.example.com/shop:1
  worker:
    <<: [*caps, *root]
    image: registry.example.com/shop:1
  beat:
    <<: *root
    user: \"0\"
    image: registry.example.com/shop:1
  api:
    image: registry.example.com/shop:1
    security_opt: &unconfined
      - seccomp:unconfined
  admin:
    image: registry.example.com/shop:1
    security_opt: *unconfined
";
    let dir = project(&[("compose.yaml", src)]);
    let found = check(dir.path(), &["compose.yaml"]);
    assert_eq!(
        summary(&found),
        [
            "compose.yaml:2 USR001",
            "compose.yaml:4 SBX104",
            "compose.yaml:14 USR001",
            "compose.yaml:19 SBX103",
        ],
        "{found:#?}"
    );
    let message = |i: usize| found[i]["message"].as_str().unwrap().to_string();
    assert!(
        message(0).ends_with("(inherited by web, worker)"),
        "{}",
        message(0)
    );
    assert!(
        message(1).ends_with("(inherited by web, worker)"),
        "{}",
        message(1)
    );
    assert!(!message(2).contains("inherited"), "{}", message(2));
    assert!(
        message(3).ends_with("(inherited by api, admin)"),
        "{}",
        message(3)
    );
    // A fact used by one production service only is not "inherited".
    let one = "x-root: &root\n  user: root\nservices:\n  web:\n    <<: *root\n    image: app\n  dev:\n    <<: *root\n    image: app\n    profiles: [dev]\n";
    let dir = project(&[("compose.yaml", one)]);
    let found = check(dir.path(), &["compose.yaml"]);
    assert_eq!(summary(&found), ["compose.yaml:2 USR001"]);
    assert!(!found[0]["message"].as_str().unwrap().contains("inherited"));
}

const DOCKERFILE: &str = "\
FROM python:3.12-slim AS base
RUN useradd --system app
USER app

FROM base AS dev
USER root
CMD [\"flask\", \"run\", \"--debug\"]

FROM base AS prod
CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"shop.wsgi\"]

FROM python:3.12-slim AS tools
CMD [\"python\", \"-m\", \"shop.tools\"]
";

#[test]
fn build_target_picks_the_stage_through_context_and_dockerfile() {
    let compose = "\
services:
  web:
    build:
      context: ./app
      dockerfile: docker/Containerfile
      target: prod
  tools:
    build:
      context: app
      dockerfile: ./docker/Containerfile
      target: tools
  devserver:
    build:
      context: ./app/
      dockerfile: docker/Containerfile
      target: dev
  missing:
    build:
      context: ./app
      dockerfile: docker/Containerfile
      target: nosuchstage
";
    let dir = project(&[
        ("deploy/compose.yaml", compose),
        ("deploy/app/docker/Containerfile", DOCKERFILE),
    ]);
    let found = check(dir.path(), &["deploy/compose.yaml"]);
    // `prod` inherits `USER app`; `tools` runs as root (its base image's default); `dev` is a
    // development target (not judged); an unknown target is not guessed.
    assert_eq!(
        summary(&found),
        ["deploy/compose.yaml:8 USR001"],
        "{found:#?}"
    );
    let labels = found[0]["labels"].as_array().unwrap();
    assert_eq!(labels[0]["path"], "deploy/app/docker/Containerfile");
    assert_eq!(labels[0]["line"], 12);
    // Without `target:`, the final stage: here `tools`.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build:\n      context: app\n      dockerfile: docker/Containerfile\n",
        ),
        ("app/docker/Containerfile", DOCKERFILE),
    ]);
    let found = check(dir.path(), &["compose.yaml"]);
    assert_eq!(summary(&found), ["compose.yaml:3 USR001"], "{found:#?}");
}

#[test]
fn root_from_the_dockerfile_is_one_finding_with_a_label_in_each_file() {
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi\n",
        ),
        (
            "Dockerfile",
            "FROM python:3.12\nCMD [\"gunicorn\", \"shop.wsgi\"]\n",
        ),
    ]);
    // Each file alone: one finding each.
    assert_eq!(
        summary(&check(dir.path(), &["Dockerfile"])),
        ["Dockerfile:1 USR001"]
    );
    assert_eq!(
        summary(&check(dir.path(), &["compose.yaml"])),
        ["compose.yaml:3 USR001"]
    );
    // Both: the compose finding, which labels the Dockerfile's line, is the one reported.
    let found = check(dir.path(), &["."]);
    assert_eq!(summary(&found), ["compose.yaml:3 USR001"], "{found:#?}");
    let labels = found[0]["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0]["path"], "Dockerfile");
    assert_eq!(labels[0]["line"], 1);
    // A Dockerfile run by two services: one finding per service, none in the Dockerfile.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n  worker:\n    build: .\n    command: celery worker\n",
        ),
        ("Dockerfile", "FROM python:3.12\nUSER root\n"),
    ]);
    let found = check(dir.path(), &["."]);
    assert_eq!(
        summary(&found),
        ["compose.yaml:3 USR001", "compose.yaml:5 USR001"],
        "{found:#?}"
    );
    // A service that sets its own user does not speak for the Dockerfile: both stay.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build: .\n    user: root\n",
        ),
        ("Dockerfile", "FROM python:3.12\nUSER root\n"),
    ]);
    let found = check(dir.path(), &["."]);
    assert_eq!(
        summary(&found),
        ["Dockerfile:2 USR001", "compose.yaml:4 USR001"],
        "{found:#?}"
    );
}

#[test]
fn malformed_ports_are_syntax_errors_that_say_what_is_wrong() {
    let src = "\
services:
  web:
    build: .
    ports:
      - target: 8000
        published: \"127.0.0.1:8000\"
      - \"80:80:80:80\"
      - \"8000:http\"
      - \"example.com:8000:8000\"
      - target: web
      - \"[::]:8080:8080\"
      - \"${BIND:-127.0.0.1}:9000:9000\"
      - 9100-9110:9100-9110/udp
";
    let dir = project(&[
        ("compose.yaml", src),
        ("Dockerfile", "FROM python:3.12\nUSER app\n"),
    ]);
    let found = check(dir.path(), &["compose.yaml"]);
    let errors: Vec<_> = with_code(&found, "SYN001")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert_eq!(errors[0].0, 6);
    assert!(
        errors[0]
            .1
            .contains("write `host_ip: 127.0.0.1` and `published: 8000`"),
        "{}",
        errors[0].1
    );
    assert!(
        errors[1].1.contains("`80:80` is not an IP address"),
        "{}",
        errors[1].1
    );
    assert!(
        errors[2].1.contains("`http` is not a container port"),
        "{}",
        errors[2].1
    );
    assert!(
        errors[3].1.contains("`example.com` is not an IP address"),
        "{}",
        errors[3].1
    );
    assert!(errors[4].1.contains("`target: web`"), "{}", errors[4].1);
    // The valid entries are judged as usual: `[::]` is every interface, the range too.
    let published: Vec<_> = with_code(&found, "NET002")
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(published, [11, 13], "{found:#?}");
}
