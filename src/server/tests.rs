//! The server in-process, with a lint that panics or sleeps: what the real engine cannot be
//! made to do on purpose.

use super::*;
use std::time::{Duration, Instant};

fn explain(e: &RuleEntry, _: &Catalog) -> String {
    e.summary.clone()
}

/// Panics on a buffer containing `PANIC`, sleeps on one containing `SLOW`.
fn troubled_lint(path: &Path, text: String, resolver: &Resolver) -> Outcome {
    if text.contains("PANIC") {
        panic!("lint exploded");
    }
    if text.contains("SLOW") {
        std::thread::sleep(Duration::from_secs(3));
    }
    lint_buffer(path, text, resolver)
}

struct Harness {
    events: Sender<Event>,
    out: Receiver<String>,
    server: std::thread::JoinHandle<i32>,
}

impl Harness {
    fn start() -> Harness {
        let (events_tx, events_rx) = mpsc::channel::<Event>();
        let (out_tx, out_rx) = mpsc::channel::<String>();
        let events = events_tx.clone();
        let server = std::thread::spawn(move || {
            Server::new(out_tx, events_tx, explain, troubled_lint).serve(&events_rx)
        });
        let harness = Harness {
            events,
            out: out_rx,
            server,
        };
        harness.send(json!({"id": 1, "method": "initialize", "params": {"capabilities": {}}}));
        harness.expect(|m| m["id"] == 1);
        harness.send(json!({"method": "initialized", "params": {}}));
        harness
    }

    fn send(&self, message: Value) {
        let message: Message = serde_json::from_value(message).unwrap();
        self.events
            .send(Event::Incoming(Incoming::Message(message)))
            .unwrap();
    }

    /// The first message the server sends that `matches`, within 10 s.
    fn expect(&self, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let body = self
                .out
                .recv_timeout(left)
                .expect("no such message in 10 s");
            let value: Value = serde_json::from_str(&body).unwrap();
            if matches(&value) {
                return value;
            }
        }
    }

    fn open(&self, path: &Path, text: &str) -> String {
        let uri = convert::path_uri(path).unwrap().as_str().to_string();
        self.send(
            json!({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "", "version": 1, "text": text}}}),
        );
        uri
    }

    fn diagnostics_for(&self, uri: &str) -> Value {
        self.expect(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })
    }
}

#[test]
fn a_panicking_lint_is_logged_and_the_server_lives_on() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start();
    let bad = h.open(&dir.path().join("Dockerfile"), "FROM python\n# PANIC\n");
    // Its findings are cleared (sent first), and the panic logged.
    let cleared = h.diagnostics_for(&bad);
    assert_eq!(cleared["params"]["version"], 1);
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    let log = h.expect(|m| m["method"] == "window/logMessage");
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.contains("lint exploded"), "{message}");
    assert!(message.contains("Dockerfile"), "{message}");
    // The same document, fixed, and another one are linted as usual.
    h.send(json!({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": bad, "version": 2},
        "contentChanges": [{"text": "FROM python\nCMD [\"python\", \"app.py\"]\n"}]}}));
    let published = h.diagnostics_for(&bad);
    assert_eq!(published["params"]["version"], 2);
    assert!(
        published["params"]["diagnostics"]
            .to_string()
            .contains("USR001")
    );
    h.send(json!({"id": 2, "method": "shutdown"}));
    h.expect(|m| m["id"] == 2);
    h.send(json!({"method": "exit"}));
    assert_eq!(h.server.join().unwrap(), 0);
}

#[test]
fn a_slow_document_does_not_hold_up_another() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start();
    let started = Instant::now();
    let slow = h.open(&dir.path().join("slow.py"), "# SLOW\n");
    let quick = h.open(&dir.path().join("app.py"), "app.run(debug=True)\n");
    let published = h.expect(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["uri"], quick);
    assert!(started.elapsed() < Duration::from_secs(2));
    // The slow one still arrives.
    h.diagnostics_for(&slow);
}

#[test]
fn edits_during_a_lint_publish_only_the_newest_text() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start();
    let uri = h.open(&dir.path().join("app.py"), "# SLOW\napp.run(debug=True)\n");
    for version in 2..=4 {
        h.send(json!({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": format!("x = {version}\n")}]}}));
    }
    // The first publication is for the newest text: the run of version 1 was stale, and
    // versions 2 and 3 were never linted.
    let published = h.diagnostics_for(&uri);
    assert_eq!(published["params"]["version"], 4);
    assert_eq!(published["params"]["diagnostics"], json!([]));
}

#[test]
fn a_panicking_handler_is_caught() {
    let (events, _events_rx) = mpsc::channel::<Event>();
    let (out, _out_rx) = mpsc::channel::<String>();
    let mut server = Server::new(out, events, explain, troubled_lint);
    let caught = server.guarded(|_| panic!("handler exploded"));
    assert_eq!(caught, Err("handler exploded".to_string()));
    assert_eq!(server.guarded(|s| s.shut_down = true), Ok(()));
    assert!(server.shut_down);
}
