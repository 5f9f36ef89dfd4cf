//! `deploylint server` against the real binary, spoken to as an editor would: the handshake,
//! diagnostics for unsaved buffers (UTF-16 positions on non-ASCII lines), fixes and
//! suppressions as code actions applied and re-linted, hover, configuration reloads, and input
//! that must not kill the server.

#[path = "common/lsp.rs"]
mod lsp;

use lsp::{Client, apply};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn start(dir: &Path) -> Client {
    Client::start(Path::new(env!("CARGO_BIN_EXE_deploylint")), dir)
}

const DOCKERFILE: &str = "FROM python:3.12-slim\n\
                          # Ünïcödé ☃ comment\n\
                          COPY . /app\n\
                          CMD [\"gunicorn\", \"app:app\"]\n";

const APP: &str = "from flask import Flask\n\
                   app = Flask(__name__)\n\
                   \n\
                   if __name__ == \"__main__\":\n    \
                   print(\"Démarrage 🚀\"); app.run(debug=True)\n";

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(published: &'a Value, code: &str) -> &'a Value {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {published:#}"))
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({"start": {"line": start.0, "character": start.1},
           "end": {"line": end.0, "character": end.1}})
}

/// The code action whose title starts with `prefix`, among those offered for `diagnostic`.
fn action(client: &mut Client, uri: &str, diagnostic: &Value, prefix: &str) -> Value {
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostic["range"],
               "context": {"diagnostics": [diagnostic]}}),
    );
    let actions = response["result"].as_array().expect("code actions").clone();
    actions
        .into_iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` action in {response:#}"))
}

#[test]
fn diagnostics_code_actions_and_hover_in_an_editor_session() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut client = start(&root);
    let init = client.initialize(&[&root]);
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["textDocumentSync"]["change"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "deploylint");

    // Unsaved buffers: nothing is on disk.
    let docker_uri = client.open(&root.join("Dockerfile"), "dockerfile", DOCKERFILE);
    let app_uri = client.open(&root.join("app.py"), "python", APP);

    let docker = client.diagnostics(&docker_uri);
    assert_eq!(docker["version"], 1);
    let root_user = finding(&docker, "USR001");
    assert_eq!(root_user["range"], range((0, 5), (0, 21)));
    assert_eq!(root_user["severity"], 2);
    assert_eq!(root_user["source"], "deploylint");
    assert!(
        root_user["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/USR001.yaml")
    );

    let app = client.diagnostics(&app_uri);
    let debug = finding(&app, "DBG001");
    // `é` and `🚀` are 2 and 4 bytes but 1 and 2 UTF-16 units: `debug=True` starts at unit 35
    // (char 34, byte 38).
    assert_eq!(debug["range"], range((4, 35), (4, 45)));
    assert_eq!(debug["severity"], 1);
    let related = &debug["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], app_uri);
    assert_eq!(related["location"]["range"], range((4, 27), (4, 34)));
    assert_eq!(related["message"], "started here");

    // Hover on the finding: the rule's explanation, from the binary itself.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 4, "character": 40}}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**DBG001** debug-mode-enabled"), "{text}");
    assert!(
        text.contains("A web framework's debug mode is switched on in code."),
        "{text}"
    );
    assert!(text.contains("Instead"), "{text}");
    assert_eq!(hover["result"]["range"], debug["range"]);
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": app_uri}, "position": {"line": 0, "character": 1}}),
    );
    assert_eq!(nothing["result"], Value::Null);

    // The rule's fix as a code action, applied by the "editor", fixes the finding.
    let fix = action(&mut client, &app_uri, debug, "Fix DBG001");
    assert_eq!(fix["kind"], "quickfix");
    let edits = &fix["edit"]["changes"][&app_uri];
    let fixed = apply(APP, edits);
    assert!(
        fixed.contains("print(\"Démarrage 🚀\"); app.run(debug=False)"),
        "{fixed}"
    );
    client.change(&app_uri, 2, &fixed);
    let app = client.diagnostics_at(&app_uri, 2);
    assert_eq!(app["version"], 2);
    assert!(!codes(&app).contains(&"DBG001".into()), "{app:#}");

    // A suppression as a code action: in a Dockerfile, a comment line above the instruction.
    let suppress = action(&mut client, &docker_uri, root_user, "Suppress USR001");
    let suppressed = apply(DOCKERFILE, &suppress["edit"]["changes"][&docker_uri]);
    assert!(
        suppressed.starts_with("# deploylint: ignore[USR001]\nFROM python:3.12-slim\n"),
        "{suppressed}"
    );
    client.change(&docker_uri, 2, &suppressed);
    let docker = client.diagnostics_at(&docker_uri, 2);
    assert!(!codes(&docker).contains(&"USR001".into()), "{docker:#}");
    // No actions for a stale or foreign document.
    let none = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///nowhere/Dockerfile"},
               "range": range((0, 0), (9, 0)), "context": {"diagnostics": []}}),
    );
    assert_eq!(none["result"], json!([]));

    // Closing a document clears its diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": app_uri}}),
    );
    let closed = client.expect(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == app_uri
            && m["params"].get("version").is_none()
    });
    assert_eq!(closed["params"]["diagnostics"], json!([]));

    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn each_workspace_folder_uses_its_configuration_reread_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (quiet, loud) = (root.join("quiet"), root.join("loud"));
    std::fs::create_dir_all(&quiet).unwrap();
    std::fs::create_dir_all(&loud).unwrap();
    std::fs::write(quiet.join("deploylint.toml"), "ignore = [\"USR001\"]\n").unwrap();
    let mut client = start(&root);
    client.initialize(&[&quiet, &loud]);
    // The client can watch files: the server asks it to watch the configuration files.
    let registration = client.expect(|m| m["method"] == "client/registerCapability");
    let watchers =
        registration["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(watchers.contains("**/deploylint.toml"), "{watchers}");
    assert!(watchers.contains("**/pyproject.toml"), "{watchers}");
    let dockerfile = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n";
    let quiet_uri = client.open(&quiet.join("Dockerfile"), "dockerfile", dockerfile);
    let loud_uri = client.open(&loud.join("Dockerfile"), "dockerfile", dockerfile);
    assert!(!codes(&client.diagnostics(&quiet_uri)).contains(&"USR001".into()));
    assert!(codes(&client.diagnostics(&loud_uri)).contains(&"USR001".into()));

    // The configuration changes on disk; the editor's watcher says so.
    std::fs::write(quiet.join("deploylint.toml"), "ignore = []\n").unwrap();
    std::fs::write(loud.join("deploylint.toml"), "ignore = [\"USR001\"]\n").unwrap();
    let changes: Vec<Value> = [&quiet, &loud]
        .iter()
        .map(|d| json!({"uri": lsp::uri(&d.join("deploylint.toml")), "type": 2}))
        .collect();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": changes}),
    );
    assert!(codes(&client.diagnostics(&quiet_uri)).contains(&"USR001".into()));
    assert!(!codes(&client.diagnostics(&loud_uri)).contains(&"USR001".into()));

    // A broken configuration is shown to the user, not a dead server.
    std::fs::write(loud.join("deploylint.toml"), "ignore = [\"NOPE999\"]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": lsp::uri(&loud.join("deploylint.toml"))}}),
    );
    let shown = client.expect(|m| m["method"] == "window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.contains("deploylint.toml"), "{message}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn bad_input_gets_errors_or_silence_never_a_dead_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut client = start(&root);

    // Before `initialize`: an error, as LSP says.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.initialize(&[&root]);

    // A payload that is not JSON: a parse error with a null id.
    client.send_raw(b"Content-Length: 9\r\n\r\n{\"id\": 1,");
    let parse_error = client.expect(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    // JSON that is no message, with an id: an invalid request.
    client.send(json!({"id": 77, "method": 12}));
    let invalid = client.expect(|m| m["id"] == 77);
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    // An unknown request: method not found; an unknown notification: silence.
    let unknown = client.request("textDocument/frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.notify("$/unknownNotification", json!({"x": 1}));
    // A request with parameters of the wrong shape: invalid params.
    let wrong = client.request("textDocument/hover", json!({"position": "here"}));
    assert_eq!(wrong["error"]["code"], -32602, "{wrong}");

    // A kind deploylint does not read: no findings, no error.
    let notes = client.open(&root.join("notes.txt"), "plaintext", "debug=True\n");
    assert_eq!(client.diagnostics(&notes)["diagnostics"], json!([]));
    // A binary buffer, and one over the size limit for a file: skipped, and logged.
    let binary = client.open(
        &root.join("Dockerfile"),
        "dockerfile",
        "FROM x\n\0\0\u{1}\n",
    );
    assert_eq!(client.diagnostics(&binary)["diagnostics"], json!([]));
    let log = client.expect(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"].as_str().unwrap().contains("binary")
    });
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile")
    );
    let huge_text = format!("FROM python\n{}", "# padding\n".repeat(1_700_000));
    let huge = client.open(&root.join("big/Dockerfile"), "dockerfile", &huge_text);
    assert_eq!(client.diagnostics(&huge)["diagnostics"], json!([]));
    client.expect(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"].as_str().unwrap().contains("limit")
    });
    // Changes to a document that was never opened are ignored.
    client.change("file:///never/opened.py", 2, "x = 1\n");

    // After all that, the server still lints.
    let app = client.open(&root.join("app.py"), "python", "app.run(debug=True)\n");
    assert!(codes(&client.diagnostics(&app)).contains(&"DBG001".into()));
    // Exit without shutdown: status 1, as LSP says.
    client.notify("exit", Value::Null);
    assert_eq!(client.wait().code(), Some(1));
}

#[test]
fn hanging_up_ends_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = start(dir.path());
    client.initialize(&[dir.path()]);
    let started = std::time::Instant::now();
    assert_eq!(client.wait().code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_label_in_another_file_and_republishing_when_that_file_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let dockerfile = root.join("Dockerfile");
    let base = "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n";
    std::fs::write(&dockerfile, base).unwrap();
    let mut client = start(&root);
    client.initialize(&[&root]);
    let compose = "services:\n  web:\n    build: .\n";
    let compose_uri = client.open(&root.join("compose.yaml"), "yaml", compose);
    let published = client.diagnostics(&compose_uri);
    let root_user = finding(&published, "USR001");
    assert_eq!(root_user["range"], range((2, 4), (2, 9)));
    // The label points into the Dockerfile the service is built from.
    let related = &root_user["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], lsp::uri(&dockerfile));
    assert_eq!(related["location"]["range"], range((0, 5), (0, 21)));

    // The Dockerfile is edited and saved: the compose file's findings follow.
    let docker_uri = client.open(&dockerfile, "dockerfile", base);
    client.diagnostics(&docker_uri);
    let fixed = format!("{base}USER app\n");
    client.change(&docker_uri, 2, &fixed);
    client.diagnostics(&docker_uri);
    std::fs::write(&dockerfile, &fixed).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": docker_uri}}),
    );
    let published = client.expect(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == compose_uri
            && !m["params"]["diagnostics"].to_string().contains("USR001")
    });
    assert_eq!(published["params"]["diagnostics"], json!([]));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_finding_that_needs_two_open_files_follows_both() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let dockerfile = "FROM python:3.12-slim\nUSER app\nCMD [\"python\", \"app.py\"]\n";
    std::fs::write(root.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(root.join("app.py"), APP).unwrap();
    let mut client = start(&root);
    client.initialize(&[&root]);
    let docker_uri = client.open(&root.join("Dockerfile"), "dockerfile", dockerfile);
    let app_uri = client.open(&root.join("app.py"), "python", APP);
    // With app.py open, the Dockerfile is linted with it: its CMD starts a development server.
    let dev_server = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == docker_uri
            && m["params"]["diagnostics"].to_string().contains("DEV001")
    };
    let published = client.expect(dev_server);
    let cmd = finding(&published["params"], "DEV001");
    assert_eq!(cmd["range"]["start"]["line"], 2);

    // app.py no longer starts the development server, and is saved: the Dockerfile follows.
    let served = "from flask import Flask\napp = Flask(__name__)\n";
    client.change(&app_uri, 2, served);
    std::fs::write(root.join("app.py"), served).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": app_uri}}),
    );
    let published = client.expect(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == docker_uri
            && !m["params"]["diagnostics"].to_string().contains("DEV001")
    });
    assert_eq!(published["params"]["diagnostics"], json!([]));

    // While a buffer differs from its file, it is linted from the buffer, alone.
    client.change(
        &docker_uri,
        2,
        "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
    );
    let published = client.diagnostics_at(&docker_uri, 2);
    assert_eq!(codes(&published), ["USR001"]);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn rule_packs_apply_and_are_reread_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let pack = |regex: &str| {
        format!(
            "rules:\n  - code: ORG001\n    name: unpinned-base-image\n    family: user\n    \
             severity: error\n    formats: [dockerfile]\n    summary: Base images are pinned.\n    \
             rationale: A tag moves.\n    fix: Pin it.\n    url: https://wiki.example.com/ORG001\n    \
             match:\n      format: dockerfile\n      key: FROM\n      regex: '{regex}'\n"
        )
    };
    std::fs::write(root.join("org.yaml"), pack("python")).unwrap();
    std::fs::write(root.join("deploylint.toml"), "rules = [\"org.yaml\"]\n").unwrap();
    let mut client = start(&root);
    client.initialize(&[&root]);
    let text = "FROM python:3.12-slim\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n";
    let uri = client.open(&root.join("Dockerfile"), "dockerfile", text);
    let published = client.diagnostics(&uri);
    let org = finding(&published, "ORG001");
    assert_eq!(org["range"], range((0, 5), (0, 11)));
    assert_eq!(
        org["codeDescription"]["href"],
        "https://wiki.example.com/ORG001"
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 6}}),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("Base images are pinned."), "{shown}");

    // The pack is edited and saved in the editor: the server reads it again.
    std::fs::write(root.join("org.yaml"), pack("alpine")).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": lsp::uri(&root.join("org.yaml"))}}),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(codes(&published), Vec::<String>::new(), "{published:#}");
    assert_eq!(client.shutdown().code(), Some(0));
}
