//! nginx files through the real binary: includes followed inside the linted tree only, include
//! cycles, suppressions in nginx's comment syntax written and honoured, exit codes.

mod common;

use common::{project, run, stderr, stdout};

fn concise(dir: &std::path::Path, target: &str) -> (Option<i32>, String, String) {
    let out = run(
        &["check", "--isolated", "--output-format", "concise", target],
        dir,
    );
    (out.status.code(), stdout(&out), stderr(&out))
}

const MAIN: &str = "events {}\nhttp {\n    include conf.d/*.conf;\n    server { listen 80; }\n}\n";

#[test]
fn an_included_file_in_the_tree_answers_for_the_main_configuration() {
    let dir = project(&[
        ("etc/nginx/nginx.conf", MAIN),
        ("etc/nginx/conf.d/security.conf", "server_tokens off;\n"),
    ]);
    let (code, out, err) = concise(dir.path(), ".");
    assert_eq!(code, Some(0), "{out}{err}");
    // When the included files do not set it, the main configuration leaks the version.
    std::fs::write(
        dir.path().join("etc/nginx/conf.d/security.conf"),
        "gzip on;\n",
    )
    .unwrap();
    let (code, out, _) = concise(dir.path(), ".");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("nginx.conf:2:1: DIS001 no server_tokens"),
        "{out}"
    );
}

#[test]
fn includes_are_not_read_outside_the_linted_tree() {
    let dir = project(&[
        ("outside/security.conf", "server_tokens off;\n"),
        (
            "site/nginx/nginx.conf",
            "events {}\nhttp {\n    include ../../outside/security.conf;\n    include /etc/nginx/conf.d/*.conf;\n    server { listen 80; }\n}\n",
        ),
    ]);
    let (code, out, err) = concise(&dir.path().join("site"), ".");
    // The file outside is not read; what it may set is unknown, so the missing
    // `server_tokens` is not reported.
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!out.contains("DIS001"), "{out}");
    assert!(
        err.contains("include ../../outside/security.conf not read: it is outside the linted tree"),
        "{err}"
    );
}

#[test]
fn include_cycles_are_syntax_errors_of_the_including_file() {
    // `*.conf` beside nginx.conf matches nginx.conf itself.
    let dir = project(&[
        (
            "nginx/nginx.conf",
            "events {}\nhttp {\n    server_tokens off;\n    include *.conf;\n}\n",
        ),
        ("nginx/gzip.conf", "gzip on;\n"),
    ]);
    let (code, out, err) = concise(dir.path(), ".");
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("nginx.conf:4:5: SYN001 include cycle"),
        "{out}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn suppressions_are_written_after_the_directive_and_honoured() {
    let site = "server {\n    listen 80;\n    location /static {\n        alias /srv/shop/static/;\n    }\n    log_format main '$remote_addr # not a comment'\n                    '$status';\n}\n";
    let dir = project(&[("nginx/sites-available/shop", site)]);
    let (code, out, _) = concise(dir.path(), ".");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("shop:3:14: DOC005"), "{out}");
    let added = run(
        &["check", "--isolated", "--add-suppressions", "."],
        dir.path(),
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let written = std::fs::read_to_string(dir.path().join("nginx/sites-available/shop")).unwrap();
    assert!(
        written.contains("    location /static {  # deploylint: ignore[DOC005]\n"),
        "{written}"
    );
    let (code, out, _) = concise(dir.path(), ".");
    assert_eq!(code, Some(0), "{out}");
    // A `#` inside a quoted word is text, not a suppression.
    let quoted = "server {\n    location /static { alias /srv/x/; add_header X \"# deploylint: ignore[DOC005]\"; }\n}\n";
    std::fs::write(dir.path().join("nginx/sites-available/shop"), quoted).unwrap();
    let (code, out, _) = concise(dir.path(), ".");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("DOC005"), "{out}");
}

const PACK: &str = r#"rules:
  - code: ORG010
    name: plain-http-backend
    family: bind
    severity: warning
    formats: [nginx]
    summary: nginx proxies to a backend over plain HTTP on another host.
    rationale: Traffic between hosts should be encrypted.
    fix: Use https:// to the backend.
    match:
      format: nginx
      key: proxy_pass
      regex: '^http://(\d+\.\d+\.\d+\.\d+)'
      not: ['^http://127\.']
"#;

#[test]
fn rule_packs_match_directives_by_name() {
    let dir = project(&[
        ("org.yaml", PACK),
        (
            "site.conf",
            "server {\n    location / {\n        proxy_pass http://10.0.0.5:8000;\n    }\n    \
             location /local/ {\n        proxy_pass http://127.0.0.1:8000;\n    }\n    \
             # proxy_pass http://10.0.0.6;\n}\n",
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
            ".",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The first capture group is underlined; loopback and comments are not matched.
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        ["site.conf:3:27: ORG010 nginx proxies to a backend over plain HTTP on another host."]
    );
}
